/**
 * Key material at rest at the edge. Durable Object storage cannot hold a CryptoKey, so every
 * key the engine stores is made extractable once (KeyStore.makeKey), its bytes are encrypted
 * under a wrapping key, and the engine only ever holds a non-extractable copy; the wrapped
 * bytes are what storage keeps, unwrapped into non-extractable keys cached per isolate.
 *
 * The wrapping key: HKDF-SHA256 (RFC 5869) of WEBKMS_ROOT_KEY, with a fixed salt and the
 * account in `info`, so each account's Durable Object has its own key and the root secret
 * itself never encrypts anything. The algorithm: AES-256-GCM with a random 96-bit IV per key
 * (SP 800-38D §8.2.2: far below 2^32 wraps per wrapping key), and the key's format, algorithm
 * and usages as additional data, so a wrapped HMAC secret cannot be passed off as a signing
 * key. AES-GCM rather than AES-KW (RFC 3394/5649): it authenticates that metadata, and WebCrypto
 * offers it everywhere. Secret and private key bytes are zeroed once wrapped.
 */
const subtle = () => crypto.subtle
const encoder = new TextEncoder()

/**
 * How a key is kept in storage (`KeyWrapper.storedFormOf`): its bytes, AES-256-GCM-encrypted
 * under the account's wrapping key unless it is a public key, and how to import them again.
 *
 * @example
 * ```ts
 * import type { KeyWrapper, StoredCryptoKey } from '@webkms/edge'
 *
 * const isWrapped = (wrapper: KeyWrapper, key: CryptoKey) => {
 *   const stored: StoredCryptoKey | undefined = wrapper.storedFormOf(key)
 *   return stored !== undefined && stored.iv !== undefined
 * }
 * ```
 */
export interface StoredCryptoKey {
  /** Format marker (version 1). */
  webkmsWrappedKey: 1
  /** The WebCrypto export format of `bytes` once unwrapped. */
  format: 'raw' | 'pkcs8' | 'spki'
  /** The key's WebCrypto algorithm, as plain data (also authenticated with the bytes). */
  algorithm: Record<string, unknown>
  /** The key's WebCrypto usages (also authenticated with the bytes). */
  usages: KeyUsage[]
  /**
   * Public keys stay extractable (anyone may have them); secrets and private keys never. Written
   * for readers; `rebuild` goes by `format` instead (it is not authenticated).
   */
  extractable: boolean
  /** AES-GCM IV; absent for a public key (format `spki`), which is kept in the clear, and only there. */
  iv?: Uint8Array<ArrayBuffer>
  /** The wrapped key (AES-GCM ciphertext and tag), or a public key's SPKI. */
  bytes: Uint8Array<ArrayBuffer>
}

export const isStoredCryptoKey = (v: unknown): v is StoredCryptoKey => typeof v === 'object' && v !== null && (v as StoredCryptoKey).webkmsWrappedKey === 1

/**
 * The wrapping key of one account's store: HKDF-SHA256 (RFC 5869) of the root key, with a fixed
 * salt and the account in `info`, as a non-extractable AES-256-GCM key.
 *
 * @param rootKey - the 32 bytes of `WEBKMS_ROOT_KEY` (`parseRootKey`)
 * @param accountId - the account whose Durable Object the key serves
 * @throws whatever WebCrypto throws for a root key it cannot import (never for 32 bytes).
 *
 * @example
 * ```ts
 * import { deriveWrappingKey, KeyWrapper } from '@webkms/edge'
 *
 * const rootKey = crypto.getRandomValues(new Uint8Array(32))
 * const wrapper = new KeyWrapper(await deriveWrappingKey(rootKey, '111122223333'))
 * ```
 */
export async function deriveWrappingKey(rootKey: Uint8Array<ArrayBuffer>, accountId: string): Promise<CryptoKey> {
  const ikm = await subtle().importKey('raw', rootKey, 'HKDF', false, ['deriveKey'])
  return subtle().deriveKey(
    { name: 'HKDF', hash: 'SHA-256', salt: encoder.encode('webkms-edge key wrapping v1'), info: encoder.encode(`account:${accountId}`) },
    ikm,
    { name: 'AES-GCM', length: 256 },
    false,
    ['encrypt', 'decrypt'],
  )
}

/** The parameters importKey needs for a key of this algorithm (WebCrypto's KeyAlgorithm to its import form). */
function importParams(a: Record<string, unknown>): Record<string, unknown> {
  const hash = (a.hash as { name?: string } | undefined)?.name
  switch (a.name) {
    case 'HMAC':
      return { name: 'HMAC', hash, length: a.length }
    case 'ECDSA':
    case 'ECDH':
      return { name: a.name, namedCurve: a.namedCurve }
    case 'RSA-OAEP':
    case 'RSASSA-PKCS1-v1_5':
    case 'RSA-PSS':
      return { name: a.name, hash }
    default:
      return { name: a.name }
  }
}

/** A plain copy of a KeyAlgorithm (hash objects flattened), storable and usable as additional data. */
function plainAlgorithm(a: KeyAlgorithm): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  for (const [k, v] of Object.entries(a as unknown as Record<string, unknown>)) {
    out[k] = v instanceof Uint8Array ? [...v] : typeof v === 'object' && v !== null ? { ...(v as object) } : v
  }
  return out
}

/** Whether two stored forms are the same: format, algorithm, usages and bytes. */
function sameForm(a: StoredCryptoKey | undefined, b: StoredCryptoKey): boolean {
  if (!a || a.format !== b.format || a.bytes.byteLength !== b.bytes.byteLength || JSON.stringify([a.algorithm, a.usages]) !== JSON.stringify([b.algorithm, b.usages])) return false
  return a.bytes.every((byte, i) => byte === b.bytes[i])
}

/** Rebuilt keys an isolate keeps per account (KeyWrapper.#rebuilt); the rest are unwrapped again when next read. */
const REBUILT_KEPT = 256

const aad = (k: Pick<StoredCryptoKey, 'format' | 'algorithm' | 'usages'>) => encoder.encode(JSON.stringify(['webkms-edge wrapped key v1', k.format, k.algorithm, [...k.usages].sort()]))

/**
 * Makes stored forms of keys and rebuilds keys from them, caching what it rebuilt: key material
 * at rest at the edge (see the file's comment for the design). One per account's wrapping key.
 *
 * @example
 * ```ts
 * import { deriveWrappingKey, KeyWrapper } from '@webkms/edge'
 *
 * const wrapper = new KeyWrapper(await deriveWrappingKey(crypto.getRandomValues(new Uint8Array(32)), '111122223333'))
 * const key = await wrapper.makeKey((extractable) => crypto.subtle.generateKey({ name: 'HMAC', hash: 'SHA-256' }, extractable, ['sign']))
 * const stored = wrapper.storedFormOf(key)! // what storage keeps: wrapped bytes
 * const again = await wrapper.rebuild(stored) // the same key, non-extractable
 * ```
 */
export class KeyWrapper {
  /** The stored form of every key this isolate made or rebuilt. */
  readonly #stored = new WeakMap<CryptoKey, StoredCryptoKey>()
  /**
   * Rebuilt keys, the most recently used last, so a key in use is unwrapped once per isolate: by
   * its IV (random per wrap, so one key's) or a public key's bytes. At most REBUILT_KEPT: a store
   * reads every stored form it loads again (import parameters included), and what is no longer
   * used must not stay unwrapped in memory for the life of the isolate.
   */
  readonly #rebuilt = new Map<string, CryptoKey>()

  /** @param wrappingKey - the account's AES-GCM wrapping key (`deriveWrappingKey`) */
  constructor(private readonly wrappingKey: CryptoKey) {}

  /**
   * `KeyStore.makeKey`: make extractable, keep the wrapped bytes, hand out non-extractable keys
   * (a pair's public key stays extractable). The extractable original is dropped and its
   * exported bytes zeroed.
   *
   * @throws whatever `make` or WebCrypto throws.
   */
  async makeKey<K extends CryptoKey | CryptoKeyPair>(make: (extractable: boolean) => Promise<K>): Promise<K> {
    const made = await make(true)
    if ('privateKey' in made) {
      const pair = made as CryptoKeyPair
      return { privateKey: await this.#keep(pair.privateKey, 'pkcs8'), publicKey: await this.#keep(pair.publicKey, 'spki') } as K
    }
    const key = made as CryptoKey
    // Secrets export raw; a lone private key (imported from PKCS#8) exports as PKCS#8.
    return (await this.#keep(key, key.type === 'private' ? 'pkcs8' : key.type === 'public' ? 'spki' : 'raw')) as K
  }

  async #keep(key: CryptoKey, format: 'raw' | 'pkcs8' | 'spki'): Promise<CryptoKey> {
    const exported = new Uint8Array(await subtle().exportKey(format, key))
    const algorithm = plainAlgorithm(key.algorithm)
    const isPublic = key.type === 'public'
    const stored: StoredCryptoKey = { webkmsWrappedKey: 1, format, algorithm, usages: [...key.usages], extractable: isPublic, bytes: exported }
    if (!isPublic) {
      const iv = crypto.getRandomValues(new Uint8Array(12))
      stored.iv = iv
      stored.bytes = new Uint8Array(await subtle().encrypt({ name: 'AES-GCM', iv, additionalData: aad(stored) }, this.wrappingKey, exported))
    }
    const usable = await subtle().importKey(format, exported, importParams(algorithm) as unknown as AlgorithmIdentifier, isPublic, key.usages)
    if (!isPublic) exported.fill(0)
    this.#stored.set(usable, stored)
    return usable
  }

  /** The stored form of a key made by `makeKey` or rebuilt by `rebuild`; undefined for any other key. */
  storedFormOf(key: CryptoKey): StoredCryptoKey | undefined {
    return this.#stored.get(key)
  }

  /**
   * The key a stored form stands for (non-extractable unless public), unwrapped once per isolate.
   *
   * @throws WebCrypto's `OperationError` if it was not wrapped under this wrapping key, or its
   * bytes, format, algorithm or usages were changed, or a key that is not public is not wrapped.
   */
  async rebuild(stored: StoredCryptoKey): Promise<CryptoKey> {
    // Only a public key is kept in the clear, and only it is extractable: what storage says
    // otherwise is not authenticated (an unwrapped secret would be key material of a writer's
    // choosing; `extractable` is not in the additional data).
    const isPublic = stored.format === 'spki'
    if (isPublic === (stored.iv !== undefined)) throw new DOMException('a stored key is wrapped unless it is a public key', 'OperationError')
    const id = stored.iv ? `iv:${[...stored.iv].join(',')}` : `spki:${[...stored.bytes].join(',')}`
    const cached = this.#rebuilt.get(id)
    // A hit only for the very form it was rebuilt from: any other is authenticated afresh (and refused if changed).
    if (cached && sameForm(this.#stored.get(cached), stored)) {
      this.#rebuilt.delete(id) // the most recently used last
      this.#rebuilt.set(id, cached)
      return cached
    }
    let bytes = stored.bytes
    if (stored.iv) bytes = new Uint8Array(await subtle().decrypt({ name: 'AES-GCM', iv: stored.iv, additionalData: aad(stored) }, this.wrappingKey, stored.bytes))
    const key = await subtle().importKey(stored.format, bytes, importParams(stored.algorithm) as unknown as AlgorithmIdentifier, isPublic, stored.usages)
    if (stored.iv) bytes.fill(0)
    this.#stored.set(key, stored)
    this.#rebuilt.set(id, key)
    if (this.#rebuilt.size > REBUILT_KEPT) this.#rebuilt.delete(this.#rebuilt.keys().next().value!)
    return key
  }
}
