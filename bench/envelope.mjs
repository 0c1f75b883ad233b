// Benchmark: envelope encryption (AWS Encryption SDK message format) beside, in the same run,
// (1) raw WebCrypto AES-256-GCM one-shot on the same buffer: the floor for any format, and
// (2) the official @aws-crypto/client-node 5.0.2, each client at its default settings;
// then the same messages left in pieces (encryptToChunks, decryptToChunks), the same through
// streams, and the incremental SHA-384 that signed streams need.
//
//   pnpm bench:envelope      (builds @webkms/core first; results go in BENCHMARKS.md by hand)
//   BENCH_ROUNDS=9 node bench/envelope.mjs
//   WEBKMS_BEFORE=/path/to/older/packages/core/dist node bench/envelope.mjs   (adds that build's
//     webkms contenders to the same rounds: before and after, measured alike)
//
// Contenders run in alternating rounds (each round runs every contender once, in a fresh random
// order) and each figure is the median over the rounds, so a slow spell of the machine, or the
// garbage a contender leaves for the next one to collect, lands on all of them alike. A small message is timed as a batch of calls of at
// least BATCH_MS. Outputs are cross-checked before anything is timed: each client decrypts the
// other's messages, one-shot and streamed. 1 MB = 2^20 bytes here, as the sizes are.
import { cpus } from 'node:os'
import { Readable, Writable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { buildClient as awsBuildClient, RawAesKeyringNode, RawAesWrappingSuiteIdentifier } from '@aws-crypto/client-node'
import * as after from '../packages/core/dist/index.js'
import { incrementalHash } from '../packages/core/dist/envelope/crypto/signature.js'

const before = process.env.WEBKMS_BEFORE ? await import(new URL(`file://${process.env.WEBKMS_BEFORE}/index.js`).href) : undefined
const subtle = globalThis.crypto.subtle
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 7)
const BATCH_MS = 100
const MiB = 1024 * 1024
const STREAM_CHUNK = 64 * 1024

/** A fresh order each round, so that no contender always follows the same one (and its garbage). */
function shuffled(n) {
  const order = Array.from({ length: n }, (_, i) => i)
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1))
    ;[order[i], order[j]] = [order[j], order[i]]
  }
  return order
}

/** Runs the contenders in alternating rounds; returns each one's median milliseconds per call. */
async function alternate(contenders, batchMs) {
  const times = contenders.map(() => [])
  for (const [, fn] of contenders) await fn() // warm-up
  for (let round = 0; round < ROUNDS; round++) {
    for (const i of shuffled(contenders.length)) {
      let calls = 0
      const start = performance.now()
      do {
        await contenders[i][1]()
        calls++
      } while (performance.now() - start < batchMs)
      times[i].push((performance.now() - start) / calls)
    }
  }
  const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]
  return Object.fromEntries(contenders.map(([name], i) => [name, median(times[i])]))
}

const key = crypto.getRandomValues(new Uint8Array(32))
const keyringOf = (lib) => new lib.RawAesKeyring({ keyNamespace: 'bench', keyName: 'key', wrappingKey: key })
const ours = keyringOf(after)
const theirs = new RawAesKeyringNode({ keyNamespace: 'bench', keyName: 'key', unencryptedMasterKey: key.slice(), wrappingSuite: RawAesWrappingSuiteIdentifier.AES256_GCM_IV12_TAG16_NO_PADDING, utf8Sorting: true })
const webkms = after.buildClient()
const aws = awsBuildClient()
const rawKey = await subtle.importKey('raw', key, 'AES-GCM', false, ['encrypt', 'decrypt'])
const iv = new Uint8Array(12)
const asBuffer = (a) => Buffer.from(a.buffer, a.byteOffset, a.byteLength)
const same = (a, b) => Buffer.compare(asBuffer(a), asBuffer(b)) === 0
const check = (ok, what) => {
  if (!ok) throw new Error(`cross-check failed: ${what}`)
}

function testData(n) {
  const pattern = crypto.getRandomValues(new Uint8Array(Math.min(n, 65536)))
  const data = new Uint8Array(n)
  for (let i = 0; i < n; i += pattern.length) data.set(pattern.subarray(0, Math.min(pattern.length, n - i)), i)
  return data
}
const chunked = (bytes, size = STREAM_CHUNK) => Array.from({ length: Math.ceil(bytes.length / size) }, (_, i) => bytes.subarray(i * size, (i + 1) * size))
const join = (parts) => Buffer.concat(parts.map(asBuffer))

/** Writes `chunks` through a WHATWG transform pair and collects what comes out. */
async function throughWeb(pair, chunks) {
  const writer = pair.writable.getWriter()
  const writing = (async () => {
    for (const c of chunks) await writer.write(c)
    await writer.close()
  })()
  const out = []
  const reader = pair.readable.getReader()
  for (let r = await reader.read(); !r.done; r = await reader.read()) out.push(r.value)
  await writing
  return out
}
/** The same through one of the AWS client's Node streams. */
async function throughNode(duplex, chunks) {
  const out = []
  await pipeline(Readable.from(chunks), duplex, new Writable({ write: (c, _, done) => (out.push(c), done()) }))
  return out
}

const rows = []
const sizes = [['1 KiB', 1024], ['1 MiB', MiB], ['64 MiB', 64 * MiB]]
for (const [label, n] of sizes) {
  const data = testData(n)
  const ours0478 = (await webkms.encrypt(ours, data, { suiteId: 0x0478 })).result
  const oursDefault = (await webkms.encrypt(ours, data)).result
  const theirsDefault = (await aws.encrypt(theirs, data)).result
  const rawCt = await subtle.encrypt({ name: 'AES-GCM', iv }, rawKey, data)
  check(same((await aws.decrypt(theirs, oursDefault)).plaintext, data), 'the AWS client reads ours (default)')
  check(same((await aws.decrypt(theirs, ours0478)).plaintext, data), 'the AWS client reads ours (0x0478)')
  check(same((await webkms.decrypt(ours, theirsDefault)).plaintext, data), 'we read the AWS client')
  check(same(new Uint8Array(await subtle.decrypt({ name: 'AES-GCM', iv }, rawKey, rawCt)), data), 'raw round trip')
  check(same((await aws.decrypt(theirs, join((await webkms.encryptToChunks(ours, data)).chunks))).plaintext, data), 'the AWS client reads our pieces (default)')
  check(same(join((await webkms.decryptToChunks(ours, ours0478)).chunks), data), 'decryptToChunks joined')

  const contenders = [
    ['raw enc', () => subtle.encrypt({ name: 'AES-GCM', iv }, rawKey, data)],
    ['raw dec', () => subtle.decrypt({ name: 'AES-GCM', iv }, rawKey, rawCt)],
    ['0x0478 enc', () => webkms.encrypt(ours, data, { suiteId: 0x0478 })],
    ['0x0478 dec', () => webkms.decrypt(ours, ours0478)],
    ['default enc', () => webkms.encrypt(ours, data)],
    ['default dec', () => webkms.decrypt(ours, oursDefault)],
    ['AWS enc', () => aws.encrypt(theirs, data)],
    ['AWS dec', () => aws.decrypt(theirs, theirsDefault)],
    // The same messages left in pieces (encryptToChunks, decryptToChunks): no buffer of the
    // whole size, no copy into it.
    ['0x0478 chunks enc', () => webkms.encryptToChunks(ours, data, { suiteId: 0x0478 })],
    ['0x0478 chunks dec', () => webkms.decryptToChunks(ours, ours0478)],
    ['default chunks enc', () => webkms.encryptToChunks(ours, data)],
    ['default chunks dec', () => webkms.decryptToChunks(ours, oursDefault)],
  ]
  if (before) {
    const client = before.buildClient()
    const keyring = keyringOf(before)
    check(same((await client.decrypt(keyring, oursDefault)).plaintext, data), 'the older build reads ours')
    contenders.push(
      ['before 0x0478 enc', () => client.encrypt(keyring, data, { suiteId: 0x0478 })],
      ['before 0x0478 dec', () => client.decrypt(keyring, ours0478)],
      ['before default enc', () => client.encrypt(keyring, data)],
      ['before default dec', () => client.decrypt(keyring, oursDefault)],
      ['before default chunks enc', () => client.encryptToChunks(keyring, data)],
      ['before default chunks dec', () => client.decryptToChunks(keyring, oursDefault)],
    )
  }
  rows.push([label, n, await alternate(contenders, n >= 64 * MiB ? 0 : BATCH_MS)])
  console.error(`measured ${label}`)
}

// Streams: 64 MiB written in 64 KiB chunks, read as it comes.
const streamBytes = 64 * MiB
const streamData = testData(streamBytes)
const streamChunks = chunked(streamData)
const streamed = {}
for (const suiteId of [0x0478, 0x0578]) {
  const message = join(await throughWeb(webkms.encryptStream(ours, { suiteId }), streamChunks))
  check(same((await aws.decrypt(theirs, message)).plaintext, streamData), `the AWS client reads our stream (0x${suiteId.toString(16)})`)
  streamed[suiteId] = chunked(message)
}
const theirStream = chunked(join(await throughNode(aws.encryptStream(theirs), streamChunks)))
check(same(join(await throughWeb(webkms.decryptStream(ours), theirStream)), streamData), 'we stream-decrypt the AWS client')
check(same(join(await throughNode(aws.decryptStream(theirs), streamed[0x0578])), streamData), 'the AWS client stream-decrypts ours')
const streamContenders = [
  ['0x0478 enc', () => throughWeb(webkms.encryptStream(ours, { suiteId: 0x0478 }), streamChunks)],
  ['0x0478 dec', () => throughWeb(webkms.decryptStream(ours), streamed[0x0478])],
  ['0x0578 enc', () => throughWeb(webkms.encryptStream(ours, { suiteId: 0x0578 }), streamChunks)],
  ['0x0578 dec', () => throughWeb(webkms.decryptStream(ours), streamed[0x0578])],
  ['AWS enc', () => throughNode(aws.encryptStream(theirs), streamChunks)],
  ['AWS dec', () => throughNode(aws.decryptStream(theirs), theirStream)],
]
if (before) {
  const client = before.buildClient()
  const keyring = keyringOf(before)
  check(same(join(await throughWeb(client.decryptStream(keyring), streamed[0x0578])), streamData), 'the older build stream-decrypts ours')
  streamContenders.push(
    ['before 0x0478 enc', () => throughWeb(client.encryptStream(keyring, { suiteId: 0x0478 }), streamChunks)],
    ['before 0x0478 dec', () => throughWeb(client.decryptStream(keyring), streamed[0x0478])],
    ['before 0x0578 enc', () => throughWeb(client.encryptStream(keyring, { suiteId: 0x0578 }), streamChunks)],
    ['before 0x0578 dec', () => throughWeb(client.decryptStream(keyring), streamed[0x0578])],
  )
}
const streams = await alternate(streamContenders, 0)
console.error('measured streams')

// SHA-384 over the same 64 MiB: WebCrypto one-shot (what one-shot messages use in browsers)
// beside the three incremental hashes a signed stream can use, fed 256 KiB at a time (one
// default frame). All three are the library's own (incrementalHash): the runtime's node:crypto
// (here, in Node), hash-wasm elsewhere, and @noble/hashes where WebAssembly cannot load.
const expected = Buffer.from(await subtle.digest('SHA-384', streamData))
const noWasm = () => Promise.reject(new Error('no WebAssembly'))
const incrementally = (sources) => async () => {
  const h = await incrementalHash('SHA-384', sources)
  for (const c of chunked(streamData, 256 * 1024)) h.update(c)
  return h.digest()
}
const wasm = { native: () => undefined }
const noble = { native: () => undefined, loadWasm: noWasm }
check([await incrementally({})(), await incrementally(wasm)(), await incrementally(noble)()].every((d) => same(d, expected)), 'SHA-384 digests agree')
const hashes = await alternate([
  ['WebCrypto digest (one-shot)', () => subtle.digest('SHA-384', streamData)],
  ['node:crypto (incremental)', incrementally({})],
  ['hash-wasm (incremental)', incrementally(wasm)],
  ['@noble/hashes (incremental)', incrementally(noble)],
], 0)

const mbps = (ms, bytes) => bytes / MiB / (ms / 1000)
const f = (ms, bytes) => {
  const ops = 1000 / ms
  return `${ops >= 100 ? ops.toFixed(0) : ops.toFixed(1)} ops/s, ${mbps(ms, bytes).toFixed(0)} MB/s`
}
const ratio = (a, b) => (b / a).toFixed(2) // a, b in ms: how many times faster a is than b
console.log(`${new Date().toISOString().slice(0, 10)}; node ${process.version}; ${cpus().length} x ${cpus()[0]?.model}; webkms frame ${after.DEFAULT_FRAME_LENGTH / 1024} KiB, AWS client frame 4096 B; medians of ${ROUNDS} alternating rounds`)
console.log('')
console.log('| size | op | raw AES-GCM one-shot | webkms 0x0478 | webkms default (0x0578) | AWS client default (0x0578) | 0x0478 / raw | default / AWS |')
console.log('|---|---|---|---|---|---|---:|---:|')
for (const [label, n, m] of rows) {
  for (const op of ['enc', 'dec']) {
    console.log(`| ${label} | ${op === 'enc' ? 'encrypt' : 'decrypt'} | ${f(m[`raw ${op}`], n)} | ${f(m[`0x0478 ${op}`], n)} | ${f(m[`default ${op}`], n)} | ${f(m[`AWS ${op}`], n)} | ${ratio(m[`0x0478 ${op}`], m[`raw ${op}`])} | ${ratio(m[`default ${op}`], m[`AWS ${op}`])} |`)
  }
}
console.log('')
console.log('The same messages in pieces (encryptToChunks, decryptToChunks):')
console.log('')
console.log('| size | op | raw AES-GCM one-shot | webkms 0x0478 in pieces | webkms default in pieces | 0x0478 pieces / raw | default pieces / AWS |')
console.log('|---|---|---|---|---|---:|---:|')
for (const [label, n, m] of rows) {
  for (const op of ['enc', 'dec']) {
    console.log(`| ${label} | ${op === 'enc' ? 'encrypt' : 'decrypt'} | ${f(m[`raw ${op}`], n)} | ${f(m[`0x0478 chunks ${op}`], n)} | ${f(m[`default chunks ${op}`], n)} | ${ratio(m[`0x0478 chunks ${op}`], m[`raw ${op}`])} | ${ratio(m[`default chunks ${op}`], m[`AWS ${op}`])} |`)
  }
}
if (before) {
  console.log('')
  console.log('| size | op | before 0x0478 | after 0x0478 | after / before | before default | after default | after / before |')
  console.log('|---|---|---|---|---:|---|---|---:|')
  for (const [label, n, m] of rows) {
    for (const op of ['enc', 'dec']) {
      console.log(`| ${label} | ${op === 'enc' ? 'encrypt' : 'decrypt'} | ${f(m[`before 0x0478 ${op}`], n)} | ${f(m[`0x0478 ${op}`], n)} | ${ratio(m[`0x0478 ${op}`], m[`before 0x0478 ${op}`])} | ${f(m[`before default ${op}`], n)} | ${f(m[`default ${op}`], n)} | ${ratio(m[`default ${op}`], m[`before default ${op}`])} |`)
    }
  }
  console.log('')
  console.log('| size | op | before default in pieces | after | after / before |')
  console.log('|---|---|---|---|---:|')
  for (const [label, n, m] of rows) {
    for (const op of ['enc', 'dec']) {
      console.log(`| ${label} | ${op === 'enc' ? 'encrypt' : 'decrypt'} | ${f(m[`before default chunks ${op}`], n)} | ${f(m[`default chunks ${op}`], n)} | ${ratio(m[`default chunks ${op}`], m[`before default chunks ${op}`])} |`)
    }
  }
}
console.log('')
console.log(`Streams, 64 MiB written in ${STREAM_CHUNK / 1024} KiB chunks (MB/s):`)
console.log('')
const streamColumns = before ? ['before 0x0478', '0x0478', 'before 0x0578', '0x0578', 'AWS'] : ['0x0478', '0x0578', 'AWS']
console.log(`| op | ${streamColumns.map((c) => (c === 'AWS' ? 'AWS client default (0x0578)' : `webkms ${c}`)).join(' | ')} |`)
console.log(`|---|${streamColumns.map(() => '---:').join('|')}|`)
for (const op of ['enc', 'dec']) console.log(`| ${op === 'enc' ? 'encrypt' : 'decrypt'} | ${streamColumns.map((c) => mbps(streams[`${c} ${op}`], streamBytes).toFixed(0)).join(' | ')} |`)
console.log('')
console.log('SHA-384 over 64 MiB (MB/s):')
console.log('')
console.log(`| ${Object.keys(hashes).join(' | ')} |`)
console.log(`|${Object.keys(hashes).map(() => '---:').join('|')}|`)
console.log(`| ${Object.values(hashes).map((ms) => mbps(ms, streamBytes).toFixed(0)).join(' | ')} |`)
