/**
 * The injected random source (buildClient({ random }), and a keyring's own `random`): every
 * random value the SDK makes comes from it, and anything but the bytes asked for is refused.
 */
import { describe, expect, it } from 'vitest'
import { buildClient, CachingMaterialsManager, RawAesKeyring, RawRsaKeyring, type RandomSource } from '../../src/index.js'
import { aesKeyring, bytes, pipe, wrappingKey } from './helpers.js'

/** A deterministic source: a counter, byte by byte. Never use one outside tests. */
function counter(): RandomSource & { calls: number[] } {
  let next = 0
  const calls: number[] = []
  return Object.assign(
    (n: number) => {
      calls.push(n)
      return new Uint8Array(n).map(() => next++ & 0xff)
    },
    { calls },
  )
}

describe('the random source', () => {
  it('a deterministic source gives deterministic message ids, and (unsigned suite, raw AES keyring) deterministic messages', async () => {
    const [a, b] = [counter(), counter()]
    const one = await buildClient({ random: a }).encrypt(aesKeyring(), bytes(20), { suiteId: 0x0478 })
    const two = await buildClient({ random: b }).encrypt(aesKeyring(), bytes(20), { suiteId: 0x0478 })
    expect(one.messageHeader.messageId).toEqual(two.messageHeader.messageId)
    expect(one.result).toEqual(two.result)
    // The keyring's data key (32) and wrapping IV (12), then the message id (32): all from it.
    expect(a.calls).toEqual([32, 12, 32])
    expect(one.messageHeader.messageId).toEqual(new Uint8Array(32).map((_, i) => 44 + i))
    expect((await buildClient().decrypt(aesKeyring(), one.result)).plaintext).toEqual(bytes(20))
  })

  it('streams and v1 suites use it too (16-byte message ids)', async () => {
    const random = counter()
    const client = buildClient({ commitmentPolicy: 'FORBID_ENCRYPT_ALLOW_DECRYPT', random })
    const stream = client.encryptStream(aesKeyring(), { suiteId: 0x0114 }) // AES-128: a 16-byte data key
    await pipe(bytes(5), stream)
    expect(random.calls).toEqual([16, 12, 16])
    expect((await stream.messageHeader).messageId).toEqual(new Uint8Array(16).map((_, i) => 28 + i))
  })

  it("a keyring's own random source is used for its data keys and IVs instead of the client's", async () => {
    const [own, clients] = [counter(), counter()]
    const keyring = new RawAesKeyring({ keyNamespace: 'tests', keyName: 'key', wrappingKey, random: own })
    await buildClient({ random: clients }).encrypt(keyring, bytes(1), { suiteId: 0x0478 })
    expect(own.calls).toEqual([32, 12])
    expect(clients.calls).toEqual([32])
  })

  it('a source returning the wrong length is refused with a RangeError naming "random", never a weaker message', async () => {
    const short: RandomSource = (n) => new Uint8Array(n - 1)
    await expect(buildClient({ random: short }).encrypt(aesKeyring(), bytes(1))).rejects.toThrow(RangeError)
    await expect(buildClient({ random: short }).encrypt(aesKeyring(), bytes(1))).rejects.toThrow(/"random" expected to return a Uint8Array of length 32, got length=31/)
    // Only the message id is short: the keyring has a good source of its own.
    const keyring = new RawAesKeyring({ keyNamespace: 'tests', keyName: 'key', wrappingKey, random: counter() })
    const idOnly: RandomSource = (n) => new Uint8Array(16).subarray(0, Math.min(n, 16))
    await expect(buildClient({ random: idOnly }).encrypt(keyring, bytes(1))).rejects.toThrow(/"random"/)
    const stream = buildClient({ random: idOnly }).encryptStream(keyring)
    await expect(pipe(bytes(1), stream)).rejects.toThrow(RangeError)
    await expect(stream.messageHeader).rejects.toThrow(/"random"/)
  })

  it('a source returning something else than a Uint8Array is a TypeError naming "random"', async () => {
    const notBytes = ((n: number) => Array.from({ length: n }, () => 7)) as unknown as RandomSource
    await expect(buildClient({ random: notBytes }).encrypt(aesKeyring(), bytes(1))).rejects.toThrow(TypeError)
    await expect(buildClient({ random: notBytes }).encrypt(aesKeyring(), bytes(1))).rejects.toThrow(/"random"/)
  })

  it('its output is copied: a source that reuses its buffer does not change what was made', async () => {
    const buffer = new Uint8Array(64)
    let i = 0
    const reused: RandomSource = (n) => buffer.subarray(0, n).fill(++i)
    const { messageHeader } = await buildClient({ random: reused }).encrypt(aesKeyring(), bytes(1), { suiteId: 0x0478 })
    buffer.fill(0)
    expect(messageHeader.messageId).toEqual(new Uint8Array(32).fill(3))
  })

  it('must be a function: TypeError naming "random"', async () => {
    expect(() => buildClient({ random: 42 as never })).toThrow(TypeError)
    expect(() => buildClient({ random: new Uint8Array(32) as never })).toThrow(/"random"/)
    expect(() => new RawAesKeyring({ keyNamespace: 'n', keyName: 'k', wrappingKey, random: 'x' as never })).toThrow(/"random"/)
    const { publicKey } = await crypto.subtle.generateKey({ name: 'RSA-OAEP', modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]), hash: 'SHA-256' }, false, ['encrypt', 'decrypt'])
    expect(() => new RawRsaKeyring({ keyNamespace: 'n', keyName: 'k', publicKey, oaepHash: 'SHA-256', random: {} as never })).toThrow(/"random"/)
    expect(() => new CachingMaterialsManager({ underlying: aesKeyring(), maxAge: 1, random: 1 as never })).toThrow(/"random"/)
  })

  it('the raw RSA keyring makes its data key with it', async () => {
    const pair = await crypto.subtle.generateKey({ name: 'RSA-OAEP', modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]), hash: 'SHA-256' }, false, ['encrypt', 'decrypt'])
    const random = counter()
    const keyring = new RawRsaKeyring({ keyNamespace: 'n', keyName: 'k', publicKey: pair.publicKey, privateKey: pair.privateKey, oaepHash: 'SHA-256' })
    const { result } = await buildClient({ random }).encrypt(keyring, bytes(3), { suiteId: 0x0478 })
    expect(random.calls).toEqual([32, 32])
    expect((await buildClient().decrypt(keyring, result)).plaintext).toEqual(bytes(3))
  })

  it("the caching materials manager's default partition comes from its random source", () => {
    const random = counter()
    expect(new CachingMaterialsManager({ underlying: aesKeyring(), maxAge: 1, random })).toBeInstanceOf(CachingMaterialsManager)
    expect(random.calls).toEqual([16])
    expect(() => new CachingMaterialsManager({ underlying: aesKeyring(), maxAge: 1, random: () => new Uint8Array(8) })).toThrow(RangeError)
  })
})
