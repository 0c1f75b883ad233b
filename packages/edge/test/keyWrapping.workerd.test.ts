/** Key material at rest: wrapped under the account's key, rebuilt non-extractable, bound to its metadata. */
import { describe, expect, it } from 'vitest'
import { deriveWrappingKey, KeyWrapper, type StoredCryptoKey } from '../src/store/keyWrapping.js'
import { TEST_VARS } from './support/testVars.js'

const rootKey = Uint8Array.from(atob(TEST_VARS.WEBKMS_ROOT_KEY), (c) => c.charCodeAt(0))
const subtle = crypto.subtle
const data = new TextEncoder().encode('probe')

async function hmacKey(wrapper: KeyWrapper) {
  let raw = new Uint8Array()
  const key = await wrapper.makeKey(async (extractable) => {
    expect(extractable).toBe(true)
    const k = await subtle.generateKey({ name: 'HMAC', hash: 'SHA-256', length: 256 }, true, ['sign'])
    raw = new Uint8Array(await subtle.exportKey('raw', k))
    return k
  })
  return { key, raw }
}

const contains = (haystack: Uint8Array, needle: Uint8Array) => {
  outer: for (let i = 0; i + needle.length <= haystack.length; i++) {
    for (let j = 0; j < needle.length; j++) if (haystack[i + j] !== needle[j]) continue outer
    return true
  }
  return false
}

describe('key wrapping (Durable Object storage)', () => {
  it('makes a key the engine holds non-extractable, and stores only its wrapped bytes', async () => {
    const wrapper = new KeyWrapper(await deriveWrappingKey(rootKey, '111122223333'))
    const { key, raw } = await hmacKey(wrapper)
    expect(key.extractable).toBe(false)
    await expect(subtle.exportKey('raw', key)).rejects.toThrow()
    const stored = wrapper.storedFormOf(key)!
    expect(stored).toMatchObject({ webkmsWrappedKey: 1, format: 'raw', extractable: false, usages: ['sign'] })
    expect(stored.iv).toHaveLength(12)
    expect(contains(stored.bytes, raw.subarray(0, 16))).toBe(false)
  })

  it('a fresh isolate (another wrapper on the same root key and account) rebuilds the same secret', async () => {
    const wrapper = new KeyWrapper(await deriveWrappingKey(rootKey, '111122223333'))
    const made = await hmacKey(wrapper)
    const form = wrapper.storedFormOf(made.key)!
    const rebuilt = await new KeyWrapper(await deriveWrappingKey(rootKey, '111122223333')).rebuild(structuredClone(form))
    expect(rebuilt.extractable).toBe(false)
    expect(new Uint8Array(await subtle.sign('HMAC', rebuilt, data))).toEqual(new Uint8Array(await subtle.sign('HMAC', made.key, data)))
  })

  it('another account\'s wrapping key, another root key, edited bytes or edited metadata cannot rebuild it', async () => {
    const wrapper = new KeyWrapper(await deriveWrappingKey(rootKey, '111122223333'))
    const form = wrapper.storedFormOf((await hmacKey(wrapper)).key)!
    const otherAccount = new KeyWrapper(await deriveWrappingKey(rootKey, '444455556666'))
    await expect(otherAccount.rebuild(structuredClone(form))).rejects.toThrow()
    const otherRoot = new KeyWrapper(await deriveWrappingKey(new Uint8Array(32).fill(7), '111122223333'))
    await expect(otherRoot.rebuild(structuredClone(form))).rejects.toThrow()
    const wrappingKey = await deriveWrappingKey(rootKey, '111122223333')
    const fresh = () => new KeyWrapper(wrappingKey)
    const flipped: StoredCryptoKey = structuredClone(form)
    flipped.bytes[0]! ^= 1
    await expect(fresh().rebuild(flipped)).rejects.toThrow()
    // The same with the genuine form already rebuilt (cached by its IV): the edited one is still checked.
    const warm = fresh()
    await warm.rebuild(structuredClone(form))
    await expect(warm.rebuild(flipped)).rejects.toThrow()
    await expect(warm.rebuild({ ...structuredClone(form), usages: ['verify'] })).rejects.toThrow()
    // The algorithm is authenticated: wrapped HMAC material cannot be passed off as an AES key.
    const relabelled: StoredCryptoKey = { ...structuredClone(form), algorithm: { name: 'AES-GCM', length: 256 }, usages: ['encrypt'] }
    await expect(fresh().rebuild(relabelled)).rejects.toThrow()
  })

  it('what storage says of a key is not trusted: extractable follows the format, and only a public key is kept unwrapped', async () => {
    const wrappingKey = await deriveWrappingKey(rootKey, '111122223333')
    const wrapper = new KeyWrapper(wrappingKey)
    const form = wrapper.storedFormOf((await hmacKey(wrapper)).key)!
    // A form that says extractable rebuilds a key that is not.
    const extractable = await new KeyWrapper(wrappingKey).rebuild({ ...structuredClone(form), extractable: true })
    expect(extractable.extractable).toBe(false)
    await expect(subtle.exportKey('raw', extractable)).rejects.toThrow()
    // Key material of a writer's choosing, without an IV, is refused (it would not need the root key).
    const planted: StoredCryptoKey = { ...structuredClone(form), bytes: new Uint8Array(32).fill(1) }
    delete planted.iv
    const refused = await new KeyWrapper(wrappingKey).rebuild(planted).catch((e: unknown) => e)
    expect(refused).toMatchObject({ name: 'OperationError' })
    // A public key stays in the clear and extractable; one with an IV was never written.
    const pair = await wrapper.makeKey((x) => subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, x, ['sign', 'verify']) as Promise<CryptoKeyPair>)
    const publicForm = structuredClone(wrapper.storedFormOf(pair.publicKey)!)
    expect((await new KeyWrapper(wrappingKey).rebuild({ ...publicForm, extractable: false })).extractable).toBe(true)
    await expect(new KeyWrapper(wrappingKey).rebuild({ ...publicForm, iv: new Uint8Array(12) })).rejects.toMatchObject({ name: 'OperationError' })
  })

  it('keeps at most 256 rebuilt keys, the most recently used', async () => {
    const wrappingKey = await deriveWrappingKey(rootKey, '111122223333')
    const maker = new KeyWrapper(wrappingKey)
    const forms: StoredCryptoKey[] = []
    for (let i = 0; i < 300; i++) forms.push(structuredClone(maker.storedFormOf((await hmacKey(maker)).key)!))
    const wrapper = new KeyWrapper(wrappingKey)
    const first = await wrapper.rebuild(forms[0]!)
    const second = await wrapper.rebuild(forms[1]!)
    for (const form of forms.slice(2)) {
      await wrapper.rebuild(form)
      expect(await wrapper.rebuild(forms[0]!)).toBe(first) // in use: kept
    }
    // The second, unused since, was dropped and is unwrapped again; the first and the last are kept.
    expect(await wrapper.rebuild(forms[1]!)).not.toBe(second)
    expect(await wrapper.rebuild(forms[0]!)).toBe(first)
    expect(await wrapper.rebuild(forms[299]!)).toBe(await wrapper.rebuild(forms[299]!))
  })

  it('a signing key pair keeps its private key wrapped and its public key in the clear', async () => {
    const wrapper = new KeyWrapper(await deriveWrappingKey(rootKey, '111122223333'))
    const pair = await wrapper.makeKey((extractable) => subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, extractable, ['sign', 'verify']) as Promise<CryptoKeyPair>)
    expect(pair.privateKey.extractable).toBe(false)
    expect(pair.publicKey.extractable).toBe(true)
    expect(wrapper.storedFormOf(pair.privateKey)).toMatchObject({ format: 'pkcs8', extractable: false })
    expect(wrapper.storedFormOf(pair.publicKey)).toMatchObject({ format: 'spki', extractable: true })
    expect(wrapper.storedFormOf(pair.publicKey)!.iv).toBeUndefined()
    const rebuilt = await new KeyWrapper(await deriveWrappingKey(rootKey, '111122223333')).rebuild(structuredClone(wrapper.storedFormOf(pair.privateKey)!))
    const signature = await subtle.sign({ name: 'ECDSA', hash: 'SHA-256' }, rebuilt, data)
    expect(await subtle.verify({ name: 'ECDSA', hash: 'SHA-256' }, pair.publicKey, signature, data)).toBe(true)
  })
})
