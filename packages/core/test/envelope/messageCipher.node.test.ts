/**
 * A message's keys derived and used by node:crypto (envelope/crypto/nativeMessageCipher.ts)
 * give the same messages as WebCrypto's path: byte for byte where nothing else is random, and
 * each path opens the other's messages, one-shot, in pieces and streamed, for every suite. A
 * module that fails the self-test is not used.
 */
import { createHash } from 'node:crypto'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { buildClient, DecryptionError, type SuiteId } from '../../src/index.js'
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
    vi.spyOn(process, 'getBuiltinModule').mockReturnValue(wrong as never)
    const { result } = await client().encrypt(aesKeyring(), bytes(3000), { frameLength: 1000 })
    vi.restoreAllMocks()
    expect((await client().decrypt(aesKeyring(), result)).plaintext).toEqual(bytes(3000))
  })
})
