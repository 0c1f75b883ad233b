// Benchmark: the engine's cryptographic operations beside the raw WebCrypto work they wrap,
// in one run on one machine, so the figures compare like with like.
//
//   pnpm bench:kms        (builds @webkms/core first; results go in BENCHMARKS.md by hand)
//   BENCH_MS=500 BENCH_ROUNDS=5 node bench/kms-operations.mjs
//   WEBKMS_BEFORE=/path/to/older/packages/core/dist node bench/kms-operations.mjs   (adds that
//     build's engine to the same rounds: Encrypt and Decrypt 1 KiB, before and after, measured alike)
//
// Baselines: one AES-256-GCM encrypt/decrypt of the same bytes with an already-imported key
// (the least any KMS Encrypt can cost), and getRandomValues + that encrypt for GenerateDataKey.
// The engine adds, per call: validation, authorization, the encryption-context encoding, the
// key-store read and the audit record (and, the first time per key version, a key derivation).
//
// Contenders are timed in alternating rounds (engine, raw, engine, raw, ...) and each figure is
// the median of its rounds, so the machine's drifts land on both sides. "In flight" runs that
// many calls at once, as a busy page or edge request would.
import { createKms } from '../packages/core/dist/index.js'

const before = process.env.WEBKMS_BEFORE ? await import(new URL(`file://${process.env.WEBKMS_BEFORE}/index.js`).href) : undefined

const subtle = globalThis.crypto.subtle
const DURATION_MS = Number(process.env.BENCH_MS ?? 500)
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5)

/** Calls per second of `fn` for DURATION_MS, `inFlight` calls at a time. */
async function rate(fn, inFlight = 1) {
  let ops = 0
  const start = performance.now()
  const worker = async () => {
    while (performance.now() - start < DURATION_MS) {
      await fn()
      ops++
    }
  }
  await Promise.all(Array.from({ length: inFlight }, worker))
  return (ops * 1000) / (performance.now() - start)
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]

/** Medians of alternating rounds of each contender (after a warm-up of each). */
async function compare(contenders, inFlight = 1) {
  for (const fn of contenders) for (let i = 0; i < 300; i++) await fn() // JIT, caches, derived keys
  const results = contenders.map(() => [])
  for (let round = 0; round < ROUNDS; round++) {
    // Forward one round, backward the next, so that no contender always runs first.
    const order = [...contenders.keys()]
    if (round % 2) order.reverse()
    for (const i of order) results[i].push(await rate(contenders[i], inFlight))
  }
  return results.map(median)
}

const kms = createKms()
const { KeyId } = (await kms.createKey()).KeyMetadata
const rawKey = await subtle.generateKey({ name: 'AES-GCM', length: 256 }, false, ['encrypt', 'decrypt'])
const iv = new Uint8Array(12)
const context = { tenant: 'acme', purpose: 'bench' }

const rows = []
for (const size of [32, 1024, 4096]) {
  const plaintext = crypto.getRandomValues(new Uint8Array(size))
  const { CiphertextBlob } = await kms.encrypt({ KeyId, Plaintext: plaintext, EncryptionContext: context })
  const dec = await kms.decrypt({ CiphertextBlob, EncryptionContext: context })
  if (Buffer.compare(dec.Plaintext, plaintext) !== 0) throw new Error('engine round trip failed')
  const rawCt = await subtle.encrypt({ name: 'AES-GCM', iv }, rawKey, plaintext)
  if (Buffer.compare(new Uint8Array(await subtle.decrypt({ name: 'AES-GCM', iv }, rawKey, rawCt)), plaintext) !== 0) throw new Error('raw round trip failed')

  rows.push([`Encrypt ${size} B`, ...(await compare([() => kms.encrypt({ KeyId, Plaintext: plaintext, EncryptionContext: context }), () => subtle.encrypt({ name: 'AES-GCM', iv }, rawKey, plaintext)]))])
  rows.push([`Decrypt ${size} B`, ...(await compare([() => kms.decrypt({ CiphertextBlob, EncryptionContext: context }), () => subtle.decrypt({ name: 'AES-GCM', iv }, rawKey, rawCt)]))])
}
rows.push([
  'GenerateDataKey AES_256',
  ...(await compare([() => kms.generateDataKey({ KeyId, KeySpec: 'AES_256', EncryptionContext: context }), () => subtle.encrypt({ name: 'AES-GCM', iv }, rawKey, crypto.getRandomValues(new Uint8Array(32)))])),
])
const kib = crypto.getRandomValues(new Uint8Array(1024))
const inFlight = 8
rows.push([`Encrypt 1024 B, ${inFlight} in flight`, ...(await compare([() => kms.encrypt({ KeyId, Plaintext: kib, EncryptionContext: context }), () => subtle.encrypt({ name: 'AES-GCM', iv }, rawKey, kib)], inFlight))])

// Who decides: the same Encrypt 1 KiB as the account root (key policy statement), as a user
// through an identity policy (the root statement delegates), and as a grantee (the policies
// allow nothing, so the key's grants are read).
const user = 'arn:aws:iam::111122223333:user/alice'
const grantee = 'arn:aws:iam::111122223333:user/carol'
const authz = createKms({ identityPolicies: { [user]: { use: { Version: '2012-10-17', Statement: { Effect: 'Allow', Action: 'kms:Encrypt', Resource: '*' } } } } })
const authzKey = (await authz.createKey()).KeyMetadata.KeyId
await authz.createGrant({ KeyId: authzKey, GranteePrincipal: grantee, Operations: ['Encrypt'], Constraints: { EncryptionContextSubset: { tenant: 'acme' } } })
const [asRoot, asUser, asGrantee] = await compare([
  () => authz.encrypt({ KeyId: authzKey, Plaintext: kib, EncryptionContext: context }),
  () => authz.as({ principal: user }).encrypt({ KeyId: authzKey, Plaintext: kib, EncryptionContext: context }),
  () => authz.as({ principal: grantee }).encrypt({ KeyId: authzKey, Plaintext: kib, EncryptionContext: context }),
])

console.log(`node ${process.version}, ${new Date().toISOString().slice(0, 10)}, medians of ${ROUNDS} alternating rounds of ${DURATION_MS} ms`)
console.log('| operation | webkms ops/s | raw AES-GCM ops/s | webkms / raw |')
console.log('|---|---:|---:|---:|')
for (const [name, ours, raw] of rows) console.log(`| ${name} | ${ours.toFixed(0)} | ${raw.toFixed(0)} | ${(ours / raw).toFixed(2)} |`)

// Before and after: the older build's engine beside this one, in the same alternating rounds.
const beforeRows = []
if (before) {
  const older = before.createKms()
  const olderKey = (await older.createKey()).KeyMetadata.KeyId
  const olderBlob = (await older.encrypt({ KeyId: olderKey, Plaintext: kib, EncryptionContext: context })).CiphertextBlob
  const blob = (await kms.encrypt({ KeyId, Plaintext: kib, EncryptionContext: context })).CiphertextBlob
  for (const n of [1, inFlight]) {
    const [a, b] = await compare([() => kms.encrypt({ KeyId, Plaintext: kib, EncryptionContext: context }), () => older.encrypt({ KeyId: olderKey, Plaintext: kib, EncryptionContext: context })], n)
    beforeRows.push([`Encrypt 1024 B, ${n} in flight`, b, a])
    const [c, d] = await compare([() => kms.decrypt({ CiphertextBlob: blob, EncryptionContext: context }), () => older.decrypt({ CiphertextBlob: olderBlob, EncryptionContext: context })], n)
    beforeRows.push([`Decrypt 1024 B, ${n} in flight`, d, c])
  }
}

if (beforeRows.length) {
  console.log('')
  console.log('| operation | before ops/s | after ops/s | after / before |')
  console.log('|---|---:|---:|---:|')
  for (const [name, b, a] of beforeRows) console.log(`| ${name} | ${b.toFixed(0)} | ${a.toFixed(0)} | ${(a / b).toFixed(2)} |`)
}

console.log('')
console.log('| Encrypt 1 KiB decided by | ops/s | / account root |')
console.log('|---|---:|---:|')
for (const [name, ops] of [['key policy (account root)', asRoot], ['identity policy (user, via the root statement)', asUser], ['grant (policies allow nothing)', asGrantee]]) {
  console.log(`| ${name} | ${ops.toFixed(0)} | ${(ops / asRoot).toFixed(2)} |`)
}
