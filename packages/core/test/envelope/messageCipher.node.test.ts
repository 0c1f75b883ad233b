/**
 * A message's keys derived and used by node:crypto (envelope/crypto/nativeMessageCipher.ts)
 * give the same messages as WebCrypto's path: byte for byte where nothing else is random, and
 * each path opens the other's messages, one-shot, in pieces and streamed, for every suite. A
 * module that fails the self-test is not used.
 */
import { createHash } from 'node:crypto'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { buildClient, DecryptionError, type SuiteId } from '../../src/index.js'
import { nobleKey } from '../../src/envelope/crypto/aesGcm.js'
import { nativeMessageCipher } from '../../src/envelope/crypto/nativeMessageCipher.js'
import { aesKeyring, bytes, expectError, pipe } from './helpers.js'

const allSuites: SuiteId[] = [0x0014, 0x0046, 0x0078, 0x0114, 0x0146, 0x0178, 0x0214, 0x0346, 0x0378, 0x0478, 0x0578]
const unsigned: SuiteId[] = [0x0014, 0x0046, 0x0078, 0x0114, 0x0146, 0x0178, 0x0478]

/** The same bytes for the same calls: a counter hashed (test only). */
function seeded(seed: string) {
  let counter = 0
  return (length: number) => {
    const out = new Uint8Array(length)
    for (let at = 0; at < length; at += 32) out.set(createHash('sha256').update(`${seed}:${counter++}`).digest().subarray(0, length - at), at)
    return out
  }
}

/** A client that may encrypt with `suiteId` (committing or not) and decrypts both kinds. */
const client = (random?: (n: number) => Uint8Array, suiteId: SuiteId = 0x0578) =>
  buildClient({ commitmentPolicy: suiteId >= 0x0478 ? 'REQUIRE_ENCRYPT_ALLOW_DECRYPT' : 'FORBID_ENCRYPT_ALLOW_DECRYPT', ...(random ? { random } : {}) })

/** Runs `fn` with node:crypto out of reach: the WebCrypto path. */
async function withoutNative<T>(fn: () => Promise<T>): Promise<T> {
  const builtin = vi.spyOn(process, 'getBuiltinModule').mockReturnValue(undefined as never)
  try {
    return await fn()
  } finally {
    builtin.mockRestore()
  }
}

const concat = (chunks: Uint8Array[]) => new Uint8Array(Buffer.concat(chunks))

afterEach(() => vi.restoreAllMocks())

describe('messages with node:crypto', () => {
  it('is what Node uses', async () => {
    expect(await nativeMessageCipher()).toBeDefined()
    expect(await withoutNative(() => nativeMessageCipher())).toBeUndefined()
  })

  it('writes the same bytes as WebCrypto for every unsigned suite, one-shot, in pieces and streamed', async () => {
    const plaintext = bytes(70_000)
    for (const suiteId of unsigned) {
      const options = { suiteId, frameLength: 4096, encryptionContext: { tenant: 'acme' } }
      const native = (await client(seeded(`s${suiteId}`), suiteId).encrypt(aesKeyring(), plaintext, options)).result
      const web = await withoutNative(async () => (await client(seeded(`s${suiteId}`), suiteId).encrypt(aesKeyring(), plaintext, options)).result)
      expect(native, `suite ${suiteId}`).toEqual(web)
      expect(concat((await client(seeded(`s${suiteId}`), suiteId).encryptToChunks(aesKeyring(), plaintext, options)).chunks), `suite ${suiteId}`).toEqual(web)
      expect(await pipe(plaintext, client(seeded(`s${suiteId}`), suiteId).encryptStream(aesKeyring(), options)), `suite ${suiteId}`).toEqual(web)
    }
  })

  it('opens what WebCrypto sealed and the other way round, for every suite', async () => {
    const plaintext = bytes(20_000)
    for (const suiteId of allSuites) {
      const options = { suiteId, frameLength: 1000 }
      const native = (await client(undefined, suiteId).encrypt(aesKeyring(), plaintext, options)).result
      const web = await withoutNative(async () => (await client(undefined, suiteId).encrypt(aesKeyring(), plaintext, options)).result)
      expect((await client().decrypt(aesKeyring(), web)).plaintext, `suite ${suiteId}`).toEqual(plaintext)
      expect(concat((await client().decryptToChunks(aesKeyring(), web)).chunks), `suite ${suiteId}`).toEqual(plaintext)
      expect(await pipe(web, client().decryptStream(aesKeyring())), `suite ${suiteId}`).toEqual(plaintext)
      await withoutNative(async () => {
        expect((await client().decrypt(aesKeyring(), native)).plaintext, `suite ${suiteId}`).toEqual(plaintext)
        expect(await pipe(native, client().decryptStream(aesKeyring())), `suite ${suiteId}`).toEqual(plaintext)
      })
    }
  })

  it('refuses a changed frame, header or tag with the one opaque error', async () => {
    const { result } = await client().encrypt(aesKeyring(), bytes(5000), { suiteId: 0x0478, frameLength: 1000 })
    for (const at of [40, result.length - 1000, result.length - 1]) {
      const changed = result.slice()
      changed[at]! ^= 1
      await expectError(client().decrypt(aesKeyring(), changed), DecryptionError, 'ERR_ENVELOPE_DECRYPTION_FAILED')
      await expectError(client().decryptToChunks(aesKeyring(), changed), DecryptionError, 'ERR_ENVELOPE_DECRYPTION_FAILED')
    }
  })

  it('hands out plain Uint8Arrays that own their memory, never a view of Node\'s buffer pool', async () => {
    const { result } = await client().encrypt(aesKeyring(), bytes(300), { suiteId: 0x0478, frameLength: 100 })
    const { chunks } = await client().decryptToChunks(aesKeyring(), result)
    expect(chunks).toHaveLength(3)
    for (const chunk of chunks) {
      expect(Object.getPrototypeOf(chunk)).toBe(Uint8Array.prototype)
      expect(chunk.buffer.byteLength).toBe(chunk.byteLength)
    }
    const { chunks: sealed } = await client().encryptToChunks(aesKeyring(), bytes(300), { suiteId: 0x0478, frameLength: 100 })
    for (const chunk of sealed) expect(Object.getPrototypeOf(chunk)).toBe(Uint8Array.prototype)
  })

  it('lets the event loop run while it works: a large message does not hold other requests', async () => {
    const size = 16 * 1024 * 1024
    let done = 0
    const seen: number[] = []
    let ticking = true
    const tick = () => {
      seen.push(done)
      if (ticking) setImmediate(tick)
    }
    setImmediate(tick)
    for (const call of ['encryptToChunks', 'encrypt'] as const) {
      done = 0
      seen.length = 0
      await client(undefined, 0x0478)[call](aesKeyring(), bytes(size), { suiteId: 0x0478, onProgress: (d) => (done = d) })
      // Between two turns of the event loop, at most a few MiB were sealed (1 MiB and the frames in flight).
      const steps = seen.slice(1).map((d, i) => d - seen[i]!)
      expect(seen.length, call).toBeGreaterThanOrEqual(4)
      expect(Math.max(...steps), call).toBeLessThanOrEqual(4 * 1024 * 1024)
    }
    ticking = false
  })

  it('seals and opens with node:crypto (not WebCrypto) in Node', async () => {
    expect(await nativeMessageCipher()).toBeDefined() // its self-test done
    const native = process.getBuiltinModule('node:crypto')
    const cipher = vi.spyOn(native, 'createCipheriv')
    const decipher = vi.spyOn(native, 'createDecipheriv')
    const subtleEncrypt = vi.spyOn(globalThis.crypto.subtle, 'encrypt')
    const { result } = await client().encrypt(aesKeyring(), bytes(3000), { frameLength: 1000 })
    expect((await client().decrypt(aesKeyring(), result)).plaintext).toEqual(bytes(3000))
    // the header's tag and 3 frames each way (the raw keyring wraps its data key with WebCrypto)
    expect(cipher.mock.calls.length).toBeGreaterThanOrEqual(4)
    expect(decipher.mock.calls.length).toBeGreaterThanOrEqual(4)
    expect(subtleEncrypt.mock.calls.length).toBeLessThanOrEqual(1)
  })

  it('lets many messages at once take turns too: a few MiB between two turns, not one message each', async () => {
    const size = 4 * 1024 * 1024
    const done = new Array<number>(8).fill(0)
    const seen: number[] = []
    let ticking = true
    const tick = () => {
      seen.push(done.reduce((a, b) => a + b, 0))
      if (ticking) setImmediate(tick)
    }
    setImmediate(tick)
    await Promise.all(done.map((_, i) => client(undefined, 0x0478).encryptToChunks(aesKeyring(), bytes(size, i), { suiteId: 0x0478, frameLength: 64 * 1024, onProgress: (d) => (done[i] = d) })))
    ticking = false
    const steps = seen.slice(1).map((d, i) => d - seen[i]!)
    expect(Math.max(...steps)).toBeLessThanOrEqual(3 * 1024 * 1024)
  })

  it('still ends when timers are faked, or when scheduling a turn throws, and later calls are unharmed', async () => {
    // Loaded first: vitest's module loader (the self-test may import @noble/ciphers) waits on timers.
    expect(await nativeMessageCipher()).toBeDefined()
    vi.useFakeTimers()
    try {
      expect((await client().encryptToChunks(aesKeyring(), bytes(3 * 1024 * 1024), { frameLength: 64 * 1024 })).byteLength).toBeGreaterThan(3 * 1024 * 1024)
    } finally {
      vi.useRealTimers()
    }
    const real = process.getBuiltinModule.bind(process)
    const throwing = { setImmediate: () => { throw new Error('no turns today') } }
    vi.spyOn(process, 'getBuiltinModule').mockImplementation(((id: string) => (id === 'node:timers' ? throwing : real(id))) as typeof process.getBuiltinModule)
    const data = bytes(3 * 1024 * 1024)
    const { result } = await client().encrypt(aesKeyring(), data, { frameLength: 64 * 1024 })
    // Buffer's compare: toEqual walks 3 MiB element by element for seconds
    expect(Buffer.compare((await client().decrypt(aesKeyring(), result)).plaintext, data)).toBe(0)
    vi.restoreAllMocks()
    expect((await client().decrypt(aesKeyring(), (await client().encrypt(aesKeyring(), bytes(10))).result)).plaintext).toEqual(bytes(10))
  })

  it('opens the bytes a signature hashed: a frame swapped in the caller\'s buffer during the call is never released', async () => {
    const frameLength = 512 * 1024
    const options = { suiteId: 0x0578 as const, frameLength }
    // Two messages under the same data key and message id (what a holder of the data key can make).
    const m1 = (await client(seeded('same')).encrypt(aesKeyring(), new Uint8Array(3 * frameLength).fill(0x11), options)).result
    const m2 = (await client(seeded('same')).encrypt(aesKeyring(), new Uint8Array(3 * frameLength).fill(0x22), options)).result
    const fields = new Uint8Array(16)
    fields[3] = 2 // sequence number 2, then its IV (zeros, then 2)
    fields[15] = 2
    const at = (m: Uint8Array) => Buffer.from(m.buffer, m.byteOffset, m.byteLength).indexOf(fields)
    const [a1, a2] = [at(m1), at(m2)]
    expect(a1).toBeGreaterThan(0)
    const frame2 = m2.subarray(a2, a2 + 16 + frameLength + 16)
    let swappedWhilePending = 0
    for (let turn = 1; turn <= 16; turn++) {
      const victim = m1.slice()
      let settled = false
      let ticks = 0
      const tick = () => {
        if (settled) return
        if (++ticks === turn) {
          victim.set(frame2, a1)
          swappedWhilePending++
        } else setImmediate(tick)
      }
      setImmediate(tick)
      const outcome = await client()
        .decrypt(aesKeyring(), victim)
        .then(
          ({ plaintext }) => plaintext,
          (e: unknown) => e,
        )
      settled = true
      if (outcome instanceof Uint8Array) expect(outcome.every((b) => b === 0x11), `turn ${turn}`).toBe(true)
      else expect(outcome, `turn ${turn}`).toBeInstanceOf(DecryptionError)
    }
    expect(swappedWhilePending).toBeGreaterThan(2)
  })

  it('is not used when the module gets the self-test wrong, and messages still work', async () => {
    const real = process.getBuiltinModule('node:crypto')
    const wrong = {
      ...real,
      createCipheriv: (...args: Parameters<typeof real.createCipheriv>) => {
        const cipher = real.createCipheriv(...args) as import('node:crypto').CipherGCM
        const getAuthTag = cipher.getAuthTag.bind(cipher)
        return Object.assign(cipher, { getAuthTag: () => getAuthTag().map((b: number) => b ^ 1) })
      },
    }
    expect(await nativeMessageCipher(wrong as never)).toBeUndefined()
    expect(await nativeMessageCipher({ ...real, hkdfSync: () => new ArrayBuffer(32) } as never)).toBeUndefined()
    expect(await nativeMessageCipher({ ...real, createSecretKey: undefined } as never)).toBeUndefined()
    // HKDF without a salt (the v1 suites') must be RFC 5869's too
    const saltless = { ...real, hkdfSync: (d: string, k: Uint8Array, salt: Uint8Array, i: Uint8Array, n: number) => real.hkdfSync(d, k, salt.byteLength ? salt : new Uint8Array([1]), i, n) }
    expect(await nativeMessageCipher(saltless as never)).toBeUndefined()
    // A runtime without AES-192 keeps node:crypto for the other sizes; 24-byte keys take the other path.
    const no192 = { ...real, createCipheriv: (name: string, ...rest: unknown[]) => (name === 'aes-192-gcm' ? (() => { throw new Error('unsupported') })() : (real.createCipheriv as (...a: unknown[]) => unknown)(name, ...rest)) }
    const partial = await nativeMessageCipher(no192 as never)
    expect(partial).toBeDefined()
    const key24 = new Uint8Array(24).fill(5)
    const [iv, aad, text] = [new Uint8Array(12), new Uint8Array(3), bytes(100)]
    expect(await (await partial!.importKey(key24)).encrypt(iv, text, aad)).toEqual(await nobleKey(key24).encrypt(iv, text, aad))
    vi.spyOn(process, 'getBuiltinModule').mockReturnValue(wrong as never)
    const { result } = await client().encrypt(aesKeyring(), bytes(3000), { frameLength: 1000 })
    vi.restoreAllMocks()
    expect((await client().decrypt(aesKeyring(), result)).plaintext).toEqual(bytes(3000))
  })
})
