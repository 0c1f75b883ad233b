// Benchmark: envelope encryption (AWS Encryption SDK message format) beside, in the same run,
// (1) raw WebCrypto AES-256-GCM one-shot on the same buffer: the floor for any format, and
// (2) the official @aws-crypto/client-node 5.0.2, each client at its default settings.
//
//   pnpm bench:envelope      (builds @webkms/core first; results go in BENCHMARKS.md by hand)
//
// Outputs are cross-checked before anything is timed: each client decrypts the other's
// messages. Figures are ops/s and MB/s (1 MB = 2^20 bytes here, as the sizes are).
import { buildClient as awsBuildClient, RawAesKeyringNode, RawAesWrappingSuiteIdentifier } from '@aws-crypto/client-node'
import { buildClient, RawAesKeyring, DEFAULT_FRAME_LENGTH } from '../packages/core/dist/index.js'

const subtle = globalThis.crypto.subtle
const BUDGET_MS = Number(process.env.BENCH_MS ?? 2000)
const MiB = 1024 * 1024
const sizes = [['1 KiB', 1024], ['1 MiB', MiB], ['64 MiB', 64 * MiB]]

async function measure(fn, bytes) {
  await fn() // warm-up
  const minRuns = bytes >= 64 * MiB ? 3 : 20
  let runs = 0
  const start = performance.now()
  while (runs < minRuns || performance.now() - start < BUDGET_MS) {
    await fn()
    runs++
  }
  const seconds = (performance.now() - start) / 1000
  return { ops: runs / seconds, mbps: (runs * bytes) / MiB / seconds }
}

const key = crypto.getRandomValues(new Uint8Array(32))
const ours = new RawAesKeyring({ keyNamespace: 'bench', keyName: 'key', wrappingKey: key })
const theirs = new RawAesKeyringNode({ keyNamespace: 'bench', keyName: 'key', unencryptedMasterKey: key.slice(), wrappingSuite: RawAesWrappingSuiteIdentifier.AES256_GCM_IV12_TAG16_NO_PADDING, utf8Sorting: true })
const webkms = buildClient()
const aws = awsBuildClient()
const rawKey = await subtle.importKey('raw', key, 'AES-GCM', false, ['encrypt', 'decrypt'])
const iv = new Uint8Array(12)
const same = (a, b) => Buffer.compare(Buffer.from(a.buffer, a.byteOffset, a.byteLength), Buffer.from(b.buffer, b.byteOffset, b.byteLength)) === 0

const rows = []
for (const [label, n] of sizes) {
  const plaintext = crypto.getRandomValues(new Uint8Array(Math.min(n, 65536)))
  const data = new Uint8Array(n)
  for (let i = 0; i < n; i += plaintext.length) data.set(plaintext.subarray(0, Math.min(plaintext.length, n - i)), i)

  // Cross-check before timing.
  const ours0478 = (await webkms.encrypt(ours, data, { suiteId: 0x0478 })).result
  const oursDefault = (await webkms.encrypt(ours, data)).result
  const theirsDefault = (await aws.encrypt(theirs, data)).result
  const rawCt = await subtle.encrypt({ name: 'AES-GCM', iv }, rawKey, data)
  if (!same(new Uint8Array((await aws.decrypt(theirs, oursDefault)).plaintext), data)) throw new Error('AWS client cannot read ours')
  if (!same(new Uint8Array((await aws.decrypt(theirs, ours0478)).plaintext), data)) throw new Error('AWS client cannot read ours (0x0478)')
  if (!same((await webkms.decrypt(ours, theirsDefault)).plaintext, data)) throw new Error('we cannot read the AWS client')
  if (!same(new Uint8Array(await subtle.decrypt({ name: 'AES-GCM', iv }, rawKey, rawCt)), data)) throw new Error('raw round trip')

  const r = {
    rawEnc: await measure(() => subtle.encrypt({ name: 'AES-GCM', iv }, rawKey, data), n),
    rawDec: await measure(() => subtle.decrypt({ name: 'AES-GCM', iv }, rawKey, rawCt), n),
    enc0478: await measure(() => webkms.encrypt(ours, data, { suiteId: 0x0478 }), n),
    dec0478: await measure(() => webkms.decrypt(ours, ours0478), n),
    encDefault: await measure(() => webkms.encrypt(ours, data), n),
    decDefault: await measure(() => webkms.decrypt(ours, oursDefault), n),
    awsEnc: await measure(() => aws.encrypt(theirs, data), n),
    awsDec: await measure(() => aws.decrypt(theirs, theirsDefault), n),
  }
  rows.push([label, r])
  console.error(`measured ${label}`)
}

const f = (m) => `${m.ops >= 100 ? m.ops.toFixed(0) : m.ops.toFixed(1)} ops/s, ${m.mbps.toFixed(0)} MB/s`
console.log(`node ${process.version}; webkms frame ${DEFAULT_FRAME_LENGTH / 1024} KiB, AWS client frame 4096 B; >= ${BUDGET_MS} ms per figure`)
console.log('')
console.log('| size | op | raw AES-GCM one-shot | webkms 0x0478 | webkms default (0x0578) | AWS client default (0x0578) | 0x0478 / raw | default / AWS |')
console.log('|---|---|---|---|---|---|---:|---:|')
for (const [label, r] of rows) {
  console.log(`| ${label} | encrypt | ${f(r.rawEnc)} | ${f(r.enc0478)} | ${f(r.encDefault)} | ${f(r.awsEnc)} | ${(r.enc0478.mbps / r.rawEnc.mbps).toFixed(2)} | ${(r.encDefault.mbps / r.awsEnc.mbps).toFixed(2)} |`)
  console.log(`| ${label} | decrypt | ${f(r.rawDec)} | ${f(r.dec0478)} | ${f(r.decDefault)} | ${f(r.awsDec)} | ${(r.dec0478.mbps / r.rawDec.mbps).toFixed(2)} | ${(r.decDefault.mbps / r.awsDec.mbps).toFixed(2)} |`)
}
