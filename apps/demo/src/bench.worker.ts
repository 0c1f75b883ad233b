// The KMS worker plus benchmark hooks that time work inside the worker, with no boundary
// crossing (bench/worker-roundtrip.mjs, bench/worker-envelope.mjs):
// - benchInWorker: the baseline for the page's round trip (encryptMessage, 0x0478);
// - benchEnvelope: one-shot envelope encrypt and decrypt beside raw one-shot AES-256-GCM on the
//   same buffer, in alternating rounds;
// - benchStream: a long stream through encryptStream piped into decryptStream, never held;
// - benchKms: KMS Encrypt, Decrypt, GenerateDataKey and GenerateRandom on the worker's engine
//   (IndexedDB store, policies and the audit trail on) beside one raw AES-GCM call, a bare
//   IndexedDB put, and that put inside a Web Lock, one at a time and 8 in flight.
import { buildClient, RawAesKeyring } from '@webkms/core'
import { createWorkerApi, registerErrorTransfer } from '@webkms/worker'
import { expose } from 'comlink'

const MiB = 1024 * 1024
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!

function testData(size: number): Uint8Array<ArrayBuffer> {
  const pattern = crypto.getRandomValues(new Uint8Array(65536))
  const data = new Uint8Array(size)
  for (let i = 0; i < size; i += pattern.length) data.set(pattern.subarray(0, Math.min(pattern.length, size - i)), i)
  return data
}

/** 0..n-1 in a random order (Fisher-Yates), so that no contender always follows the same one. */
function shuffled(n: number): number[] {
  const order = Array.from({ length: n }, (_, i) => i)
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1))
    ;[order[i], order[j]] = [order[j]!, order[i]!]
  }
  return order
}

const equal = (a: Uint8Array, b: Uint8Array) => a.byteLength === b.byteLength && a.every((x, i) => x === b[i])

registerErrorTransfer()
const api = createWorkerApi()
Object.assign(api, {
  /**
   * `away`: each result's buffer is transferred out of the worker (to a MessageChannel port,
   * then dropped), as a call from the page moves it, so the worker cannot reuse its memory for
   * the next result; otherwise the result is dropped in the worker.
   */
  async benchInWorker({ size, runs, keyId, away = false }: { size: number; runs: number; keyId: string; away?: boolean }) {
    const data = testData(size)
    const times: number[] = []
    const channel = new MessageChannel()
    for (let i = 0; i < runs; i++) {
      const t = performance.now()
      const { result } = await api.encryptMessage(data, { keyId, suiteId: 0x0478 })
      if (away) channel.port1.postMessage(null, [result.buffer as ArrayBuffer])
      times.push(performance.now() - t)
    }
    channel.port1.close()
    return times
  },

  /** Median milliseconds per call of each contender; each round runs every contender once, in a fresh random order. */
  async benchEnvelope({ size, rounds }: { size: number; rounds: number }) {
    const subtle = crypto.subtle
    const key = crypto.getRandomValues(new Uint8Array(32))
    const keyring = new RawAesKeyring({ keyNamespace: 'bench', keyName: 'key', wrappingKey: key })
    const client = buildClient()
    const rawKey = await subtle.importKey('raw', key, 'AES-GCM', false, ['encrypt', 'decrypt'])
    const iv = new Uint8Array(12)
    const data = testData(size)
    const m0478 = (await client.encrypt(keyring, data, { suiteId: 0x0478 })).result
    const mDefault = (await client.encrypt(keyring, data)).result
    const rawCt = await subtle.encrypt({ name: 'AES-GCM', iv }, rawKey, data)
    // The default suite's signature alone: WebCrypto's one-shot ECDSA P-384 over the whole message;
    // and whether Chromium overlaps its verify with frames' decryption when both are asked at once
    // (256 KiB frames, 8 in flight, as the default frame length and the client's concurrency).
    const signing = (await subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-384' }, false, ['sign', 'verify'])) as CryptoKeyPair
    const signature = await subtle.sign({ name: 'ECDSA', hash: 'SHA-384' }, signing.privateKey, data)
    const FRAME = 256 * 1024
    const sealedFrames: ArrayBuffer[] = []
    for (let at = 0; at < size; at += FRAME) sealedFrames.push(await subtle.encrypt({ name: 'AES-GCM', iv }, rawKey, data.subarray(at, at + FRAME)))
    const verify = () => subtle.verify({ name: 'ECDSA', hash: 'SHA-384' }, signing.publicKey, signature, data)
    const openFrames = async () => {
      let next = 0
      const worker = async () => {
        while (next < sealedFrames.length) await subtle.decrypt({ name: 'AES-GCM', iv }, rawKey, sealedFrames[next++]!)
      }
      await Promise.all(Array.from({ length: 8 }, worker))
    }
    // Cross-checks before anything is timed (the Node bench also has the AWS client read ours).
    for (const m of [m0478, mDefault]) if (!equal((await client.decrypt(keyring, m)).plaintext, data)) throw new Error('round trip')
    const pieces = await client.encryptToChunks(keyring, data, { suiteId: 0x0478 })
    if (!equal((await client.decrypt(keyring, await new Blob(pieces.chunks as BlobPart[]).bytes())).plaintext, data)) throw new Error('pieces round trip')
    if (!equal(await new Blob((await client.decryptToChunks(keyring, m0478)).chunks as BlobPart[]).bytes(), data)) throw new Error('pieces decrypt')
    if (!equal(new Uint8Array(await subtle.decrypt({ name: 'AES-GCM', iv }, rawKey, rawCt)), data)) throw new Error('raw round trip')
    const contenders: [string, () => Promise<unknown>][] = [
      ['raw enc', () => subtle.encrypt({ name: 'AES-GCM', iv }, rawKey, data)],
      ['raw dec', () => subtle.decrypt({ name: 'AES-GCM', iv }, rawKey, rawCt)],
      ['0x0478 enc', () => client.encrypt(keyring, data, { suiteId: 0x0478 })],
      ['0x0478 dec', () => client.decrypt(keyring, m0478)],
      ['default enc', () => client.encrypt(keyring, data)],
      ['default dec', () => client.decrypt(keyring, mDefault)],
      ['0x0478 chunks enc', () => client.encryptToChunks(keyring, data, { suiteId: 0x0478 })],
      ['0x0478 chunks dec', () => client.decryptToChunks(keyring, m0478)],
      ['raw sign', () => subtle.sign({ name: 'ECDSA', hash: 'SHA-384' }, signing.privateKey, data)],
      ['raw verify', verify],
      ['raw frames dec', openFrames],
      ['raw verify and frames dec', () => Promise.all([verify(), openFrames()])],
    ]
    const times = contenders.map(() => [] as number[])
    for (const [, fn] of contenders) await fn() // warm-up
    for (let round = 0; round < rounds; round++) {
      for (const i of shuffled(contenders.length)) {
        const t = performance.now()
        await contenders[i]![1]()
        times[i]!.push(performance.now() - t)
      }
    }
    return Object.fromEntries(contenders.map(([name], i) => [name, median(times[i]!)]))
  },

  /** `total` bytes, made 1 MiB at a time, through encryptStream into decryptStream; checks what comes out. */
  async benchStream({ total, suiteId }: { total: number; suiteId: 0x0478 | 0x0578 }) {
    const client = buildClient()
    const keyring = new RawAesKeyring({ keyNamespace: 'bench', keyName: 'key', wrappingKey: crypto.getRandomValues(new Uint8Array(32)) })
    let produced = 0
    const source = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (produced === total) return controller.close()
        controller.enqueue(new Uint8Array(MiB).fill((produced / MiB) & 0xff))
        produced += MiB
      },
    })
    let received = 0
    const t = performance.now()
    await source
      .pipeThrough(client.encryptStream(keyring, { suiteId }))
      .pipeThrough(client.decryptStream(keyring))
      .pipeTo(
        new WritableStream({
          write(chunk) {
            // Frames (256 KiB) never straddle the 1 MiB source chunks: each chunk is one value.
            const value = Math.floor(received / MiB) & 0xff
            if (chunk[0] !== value || chunk[chunk.length - 1] !== value) throw new Error(`wrong plaintext at offset ${received}`)
            received += chunk.length
          },
        }),
      )
    const ms = performance.now() - t
    if (received !== total) throw new Error(`received ${received} of ${total} bytes`)
    return { ms }
  },
})

/** Runs `fn` `inFlight` at a time for at least `ms`; returns microseconds per call. */
async function timed(fn: () => Promise<unknown>, inFlight: number, ms: number): Promise<number> {
  let calls = 0
  const start = performance.now()
  do {
    await Promise.all(Array.from({ length: inFlight }, fn))
    calls += inFlight
  } while (performance.now() - start < ms)
  return ((performance.now() - start) * 1000) / calls
}

Object.assign(api, {
  /** Median microseconds per call of each contender, over `rounds` alternating rounds of at least `batchMs` each. */
  async benchKms({ rounds, batchMs }: { rounds: number; batchMs: number }) {
    const subtle = crypto.subtle
    const rawKey = await subtle.importKey('raw', crypto.getRandomValues(new Uint8Array(32)), 'AES-GCM', false, ['encrypt', 'decrypt'])
    const { KeyMetadata } = await api.createKey({ Description: 'bench' })
    const KeyId = KeyMetadata!.KeyId!
    const plaintext = crypto.getRandomValues(new Uint8Array(32))
    const context = { purpose: 'bench' }
    const { CiphertextBlob } = await api.encrypt({ KeyId, Plaintext: plaintext, EncryptionContext: context })
    const back = await api.decrypt({ CiphertextBlob: CiphertextBlob!, EncryptionContext: context })
    if (!equal(back.Plaintext!, plaintext)) throw new Error('round trip')
    // A second baseline: one bare IndexedDB read-write transaction putting a small record, in a
    // scratch database of its own (what an audit event's write costs at the least).
    const scratch = await new Promise<IDBDatabase>((resolve, reject) => {
      const r = indexedDB.open('webkms-bench-scratch', 1)
      r.onupgradeneeded = () => r.result.createObjectStore('s')
      r.onsuccess = () => resolve(r.result)
      r.onerror = () => reject(r.error)
    })
    let n = 0
    const idbPut = () =>
      new Promise<void>((resolve, reject) => {
        const tx = scratch.transaction('s', 'readwrite')
        tx.objectStore('s').put({ n, at: Date.now() }, n++ % 1024)
        tx.oncomplete = () => resolve()
        tx.onerror = () => reject(tx.error)
      })
    const ops: [string, () => Promise<unknown>][] = [
      ['raw AES-GCM encrypt 32 B', () => subtle.encrypt({ name: 'AES-GCM', iv: crypto.getRandomValues(new Uint8Array(12)) }, rawKey, plaintext)],
      ['IndexedDB put (one read-write transaction)', idbPut],
      ['Encrypt 32 B', () => api.encrypt({ KeyId, Plaintext: plaintext, EncryptionContext: context })],
      ['Decrypt', () => api.decrypt({ CiphertextBlob: CiphertextBlob!, EncryptionContext: context })],
      ['GenerateDataKey', () => api.generateDataKey({ KeyId, KeySpec: 'AES_256', EncryptionContext: context })],
      // The least an audited write costs on this store: the Web Lock its writers queue on,
      // around the bare put. GenerateRandom is an audited call that reads no key.
      ['Web Lock + IndexedDB put', () => navigator.locks.request('webkms-bench-lock', { mode: 'exclusive' }, idbPut)],
      ['GenerateRandom 32 B', () => api.generateRandom({ NumberOfBytes: 32 })],
    ]
    const contenders = [1, 8].flatMap((inFlight) => ops.map(([name, fn]) => [`${name}, ${inFlight} in flight`, inFlight, fn] as const))
    const times = contenders.map(() => [] as number[])
    for (const [, inFlight, fn] of contenders) await timed(fn, inFlight, 20) // warm-up
    for (let round = 0; round < rounds; round++) {
      for (const i of shuffled(contenders.length)) times[i]!.push(await timed(contenders[i]![2], contenders[i]![1], batchMs))
    }
    return Object.fromEntries(contenders.map(([name], i) => [name, median(times[i]!)]))
  },
})
expose(api)
