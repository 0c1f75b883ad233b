// Benchmark: the engine's cryptographic operations beside the raw WebCrypto work they wrap,
// in one run on one machine, so the figures compare like with like.
//
//   pnpm bench:kms        (builds @webkms/core first; results go in BENCHMARKS.md by hand)
//
// Baselines: one AES-256-GCM encrypt/decrypt of the same bytes with an already-imported key
// (the least any KMS Encrypt can cost), and getRandomValues + that encrypt for GenerateDataKey.
// The engine adds, per call: the SP 800-108 HMAC derivation, importing the derived key, the
// encryption-context encoding and a key-store read. Outputs are cross-checked before timing.
import { createKms } from '../packages/core/dist/index.js'

const subtle = globalThis.crypto.subtle
const DURATION_MS = Number(process.env.BENCH_MS ?? 1500)

async function measure(fn) {
  for (let i = 0; i < 300; i++) await fn() // warm-up: JIT and WebCrypto caches
  let ops = 0
  const start = performance.now()
  while (performance.now() - start < DURATION_MS) {
    await fn()
    ops++
  }
  return (ops * 1000) / (performance.now() - start)
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

  const enc = await measure(() => kms.encrypt({ KeyId, Plaintext: plaintext, EncryptionContext: context }))
  const rawEnc = await measure(() => subtle.encrypt({ name: 'AES-GCM', iv }, rawKey, plaintext))
  rows.push([`Encrypt ${size} B`, enc, rawEnc])
  const decr = await measure(() => kms.decrypt({ CiphertextBlob, EncryptionContext: context }))
  const rawDec = await measure(() => subtle.decrypt({ name: 'AES-GCM', iv }, rawKey, rawCt))
  rows.push([`Decrypt ${size} B`, decr, rawDec])
}
const gdk = await measure(() => kms.generateDataKey({ KeyId, KeySpec: 'AES_256', EncryptionContext: context }))
const rawGdk = await measure(() => subtle.encrypt({ name: 'AES-GCM', iv }, rawKey, crypto.getRandomValues(new Uint8Array(32))))
rows.push(['GenerateDataKey AES_256', gdk, rawGdk])

// Who decides: the same Encrypt 1 KiB as the account root (key policy statement), as a user
// through an identity policy (the root statement delegates), and as a grantee (the policies
// allow nothing, so the key's grants are read), beside the root.
const user = 'arn:aws:iam::111122223333:user/alice'
const grantee = 'arn:aws:iam::111122223333:user/carol'
const authz = createKms({ identityPolicies: { [user]: { use: { Version: '2012-10-17', Statement: { Effect: 'Allow', Action: 'kms:Encrypt', Resource: '*' } } } } })
const authzKey = (await authz.createKey()).KeyMetadata.KeyId
await authz.createGrant({ KeyId: authzKey, GranteePrincipal: grantee, Operations: ['Encrypt'], Constraints: { EncryptionContextSubset: { tenant: 'acme' } } })
const kib = crypto.getRandomValues(new Uint8Array(1024))
const asRoot = await measure(() => authz.encrypt({ KeyId: authzKey, Plaintext: kib, EncryptionContext: context }))
const asUser = await measure(() => authz.as({ principal: user }).encrypt({ KeyId: authzKey, Plaintext: kib, EncryptionContext: context }))
const asGrantee = await measure(() => authz.as({ principal: grantee }).encrypt({ KeyId: authzKey, Plaintext: kib, EncryptionContext: context }))

console.log(`node ${process.version}, ${DURATION_MS} ms per figure`)
console.log('| operation | webkms ops/s | raw AES-GCM ops/s | webkms / raw |')
console.log('|---|---:|---:|---:|')
for (const [name, ours, raw] of rows) {
  console.log(`| ${name} | ${ours.toFixed(0)} | ${raw.toFixed(0)} | ${(ours / raw).toFixed(2)} |`)
}

console.log('')
console.log('| Encrypt 1 KiB decided by | ops/s | / account root |')
console.log('|---|---:|---:|')
for (const [name, ops] of [['key policy (account root)', asRoot], ['identity policy (user, via the root statement)', asUser], ['grant (policies allow nothing)', asGrantee]]) {
  console.log(`| ${name} | ${ops.toFixed(0)} | ${(ops / asRoot).toFixed(2)} |`)
}
