// Benchmark: what bounds the default suite (0x0578, ECDSA P-384 over SHA-384 of the whole
// message) in Node at 64 MiB. Issue 13 asks for 4x @aws-crypto/client-node; this script times,
// in the same alternating rounds:
//   - webkms's encrypt and encryptToChunks (default suite), and the AWS client's encrypt;
//     with WEBKMS_BEFORE=<dist of an older build>, that build's too;
//   - the pipeline webkms uses, without the message format: 256 KiB frames sealed by
//     node:crypto AES-GCM on this thread (envelope/crypto/nativeMessageCipher.ts), the message's
//     SHA-384 and signature either on this thread in frame order or in a worker_threads thread
//     (frames moved there in batches of 1 MiB: handed back when left in pieces, dropped there
//     when already copied into one buffer; envelope/crypto/hashThread.ts), left in pieces or
//     copied into one fresh buffer;
//   - the floors: SHA-384 of 64 MiB alone, and copying 64 MiB into fresh memory against
//     copying it into memory already touched (the page faults a one-buffer result pays).
//
//   pnpm build:packages && node bench/signed-floor.mjs      (BENCH_ROUNDS=9 for more rounds)
//   BENCH_LIVE_OBJECTS=150000 node bench/signed-floor.mjs   (keeps that many small objects
//     alive, as an application's heap would: each call's 64 MiB of new ArrayBuffers makes V8
//     collect, and marking takes longer with more to mark)
//
// Contenders run in alternating rounds, a fresh random order each round; medians.
import { cpus } from 'node:os'
import { Worker } from 'node:worker_threads'
import { createCipheriv, createHash, createSecretKey, createSign, createVerify, KeyObject } from 'node:crypto'
import { buildClient as awsBuildClient, RawAesKeyringNode, RawAesWrappingSuiteIdentifier } from '@aws-crypto/client-node'
import * as webkms from '../packages/core/dist/index.js'

const before = process.env.WEBKMS_BEFORE ? await import(new URL(`file://${process.env.WEBKMS_BEFORE}/index.js`).href) : undefined

const subtle = globalThis.crypto.subtle
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 9)
const MiB = 1024 * 1024
const SIZE = 64 * MiB
const FRAME = 256 * 1024
const FRAMES = SIZE / FRAME
const BATCH = 4 // frames to the thread in one message (1 MiB)

const liveObjects = Array.from({ length: Number(process.env.BENCH_LIVE_OBJECTS ?? 0) }, (_, i) => ({ i, name: `object ${i}`, list: [i] }))
const data = new Uint8Array(SIZE)
crypto.getRandomValues(data.subarray(0, 65536))
for (let i = 65536; i < SIZE; i += 65536) data.copyWithin(i, 0, 65536)

const wrappingKey = crypto.getRandomValues(new Uint8Array(32))
const ours = new webkms.RawAesKeyring({ keyNamespace: 'bench', keyName: 'key', wrappingKey })
const theirs = new RawAesKeyringNode({ keyNamespace: 'bench', keyName: 'key', unencryptedMasterKey: wrappingKey.slice(), wrappingSuite: RawAesWrappingSuiteIdentifier.AES256_GCM_IV12_TAG16_NO_PADDING, utf8Sorting: true })
const client = webkms.buildClient()
const aws = awsBuildClient()
const frameKey = createSecretKey(crypto.getRandomValues(new Uint8Array(32)))

// The hashing thread: SHA-384 of what it is sent, in order; each batch goes back once hashed
// unless it is to be dropped there.
const hasher = new Worker(
  `const { parentPort } = require('node:worker_threads')
   const { createSign, KeyObject } = require('node:crypto')
   let signing
   parentPort.on('message', (m) => {
     if (m.head) { signing = createSign('sha384'); signing.update(m.head); return }
     if (m.frames) {
       for (const frame of m.frames) signing.update(frame)
       parentPort.postMessage(m.drop ? { at: m.at } : { frames: m.frames, at: m.at }, m.drop ? [] : m.frames.map((f) => f.buffer))
       return
     }
     parentPort.postMessage({ signature: signing.sign({ key: KeyObject.from(m.key), dsaEncoding: 'der' }) })
   })`,
  { eval: true },
)
let onSignature
let onFrames
hasher.on('message', (m) => (m.signature ? onSignature(m.signature) : onFrames(m)))

const ivOf = (i) => {
  const iv = new Uint8Array(12)
  new DataView(iv.buffer).setUint32(8, i)
  return iv
}
const HEAD = new Uint8Array(300) // about a default-suite header with one raw AES data key
const SLOT = 30 + FRAME + 16 // where each frame lands in one buffer: header fields, sealed bytes, tag

/** The pipeline without the format: `thread` hashes in the worker, `oneBuffer` copies each sealed frame into one fresh result. */
async function pipeline({ thread, oneBuffer }) {
  const pair = await subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-384' }, true, ['sign'])
  const out = oneBuffer ? new Uint8Array(HEAD.byteLength + FRAMES * SLOT + 106) : new Array(FRAMES)
  const place = (i, sealed) => (oneBuffer ? out.set(sealed, HEAD.byteLength + i * SLOT + 30) : (out[i] = sealed))
  let signing
  let replies
  let batch = []
  if (thread) {
    hasher.postMessage({ head: HEAD })
    replies = new Promise((resolve) => {
      let n = 0
      onFrames = ({ frames, at }) => {
        frames?.forEach((frame, k) => place(at + k, frame))
        if ((n += BATCH) >= FRAMES) resolve()
      }
    })
  } else {
    signing = createSign('sha384')
    signing.update(HEAD)
  }
  for (let i = 0; i < FRAMES; i++) {
    const cipher = createCipheriv('aes-256-gcm', frameKey, ivOf(i))
    cipher.setAAD(HEAD.subarray(0, 40))
    const sealed = cipher.update(data.subarray(i * FRAME, (i + 1) * FRAME))
    cipher.final()
    cipher.getAuthTag()
    const bytes = new Uint8Array(sealed.buffer, sealed.byteOffset, sealed.byteLength)
    if (!thread) {
      place(i, bytes)
      signing.update(bytes)
    } else {
      if (oneBuffer) place(i, bytes)
      batch.push(bytes)
      if (batch.length === BATCH) {
        hasher.postMessage({ frames: batch, at: i + 1 - BATCH, drop: oneBuffer }, batch.map((b) => b.buffer))
        batch = []
      }
    }
    if (i % 4 === 3) await new Promise((resolve) => setImmediate(resolve)) // webkms's turn every 1 MiB
  }
  if (!thread) return { out, signature: signing.sign({ key: KeyObject.from(pair.privateKey), dsaEncoding: 'der' }), publicKey: pair.publicKey }
  const signature = new Promise((resolve) => (onSignature = resolve))
  hasher.postMessage({ key: pair.privateKey })
  const result = { out, signature: await signature, publicKey: pair.publicKey }
  await replies
  return result
}

const warm = new Uint8Array(SIZE).fill(1)
const contenders = [
  ['AWS client encrypt', () => aws.encrypt(theirs, data)],
  ['webkms encrypt', () => client.encrypt(ours, data)],
  ['webkms encryptToChunks', () => client.encryptToChunks(ours, data)],
  ...(before
    ? (() => {
        const olderClient = before.buildClient()
        const olderKeyring = new before.RawAesKeyring({ keyNamespace: 'bench', keyName: 'key', wrappingKey })
        return [
          ['before encrypt', () => olderClient.encrypt(olderKeyring, data)],
          ['before encryptToChunks', () => olderClient.encryptToChunks(olderKeyring, data)],
        ]
      })()
    : []),
  ['pipeline, pieces, hash here', () => pipeline({ thread: false, oneBuffer: false })],
  ['pipeline, pieces, hash in a thread', () => pipeline({ thread: true, oneBuffer: false })],
  ['pipeline, one buffer, hash here', () => pipeline({ thread: false, oneBuffer: true })],
  ['pipeline, one buffer, hash in a thread', () => pipeline({ thread: true, oneBuffer: true })],
  ['SHA-384 of 64 MiB alone', async () => createHash('sha384').update(data).digest()],
  ['copy 64 MiB into fresh memory', async () => new Uint8Array(SIZE).set(data)],
  ['copy 64 MiB into touched memory', async () => warm.set(data)],
]

// Before anything is timed: each variant's signature verifies over the head and the frames it
// returned, in order (so the thread hashed every frame, and handed every one back).
for (const thread of [false, true]) {
  const { out, signature, publicKey } = await pipeline({ thread, oneBuffer: false })
  const verifying = createVerify('sha384')
  verifying.update(HEAD)
  for (const frame of out) verifying.update(frame)
  if (out.length !== FRAMES || !verifying.verify({ key: KeyObject.from(publicKey), dsaEncoding: 'der' }, signature)) throw new Error(`cross-check failed: the pipeline's signature (thread: ${thread})`)
}

const times = contenders.map(() => [])
for (const [, fn] of contenders) await fn() // warm-up
for (let round = 0; round < ROUNDS; round++) {
  const order = contenders.map((_, i) => i).sort(() => Math.random() - 0.5)
  for (const i of order) {
    const start = performance.now()
    await contenders[i][1]()
    times[i].push(performance.now() - start)
  }
}
await hasher.terminate()
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]
const ms = contenders.map((_, i) => median(times[i]))
const awsMs = ms[0]

console.log(`${new Date().toISOString().slice(0, 10)}; node ${process.version}; ${cpus().length} x ${cpus()[0]?.model}; 64 MiB; medians of ${ROUNDS} alternating rounds; ${liveObjects.length} more live objects`)
console.log('')
console.log('| contender | ms | MB/s | AWS client / this |')
console.log('|---|---:|---:|---:|')
contenders.forEach(([name], i) => console.log(`| ${name} | ${ms[i].toFixed(1)} | ${(SIZE / MiB / (ms[i] / 1000)).toFixed(0)} | ${(awsMs / ms[i]).toFixed(2)} |`))
console.log('')
console.log(`4x the AWS client here: at most ${(awsMs / 4).toFixed(1)} ms for 64 MiB.`)
