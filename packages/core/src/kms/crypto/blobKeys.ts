/**
 * The derived AES keys of blob format 2 (format/ciphertextBlob.ts), per engine: for each key
 * version the engine encrypts under one salt it drew itself, until that salt's derived key has
 * sealed MAX_BLOBS_PER_DERIVED_KEY blobs, then it draws another. Derived keys (for encrypting
 * and for any salt a blob to decrypt names) are cached in memory, non-extractable, never stored.
 */
import type { KeyVersionRecord } from '../../keystore/records.js'
import { toHex } from '../../util/bytes.js'
import { BLOB_SALT_LENGTH, blobKeyContext } from '../format/ciphertextBlob.js'
import { deriveBlobKey } from './keyMaterial.js'

/** Blobs one derived key seals before the engine draws a new salt: q^2 / 2^97 ≤ 2^-37 for random 96-bit IVs. */
export const MAX_BLOBS_PER_DERIVED_KEY = 2 ** 30
/** Derived keys kept (least recently used dropped first): far more than the key versions in use at once. */
const CACHE_SIZE = 1024

interface Current {
  salt: Uint8Array
  /** blobKeyContext(keyId, version, salt): the first bytes of every blob sealed under it. */
  kdfContext: Uint8Array
  key: Promise<CryptoKey>
  sealed: number
}

/** What a blob is sealed with: the derived key, its salt, and the blob's first bytes (format/ciphertextBlob.ts). */
export interface SealingKey {
  key: CryptoKey
  salt: Uint8Array
  kdfContext: Uint8Array
}

export class BlobKeys {
  /** The salt each key version encrypts under now, by `keyId:version:keyMaterialId`. */
  readonly #current = new Map<string, Current>()
  /** Derived keys by `keyId:version:keyMaterialId:salt`. */
  readonly #cache = new Map<string, Promise<CryptoKey>>()

  constructor(
    private readonly random: (n: number) => Uint8Array,
    /** Tests lower it to see a new salt drawn. */
    private readonly maxBlobs = MAX_BLOBS_PER_DERIVED_KEY,
  ) {}

  /** The key and salt to seal the next blob of this version with (counted against the limit). */
  forSealing(keyId: string, version: KeyVersionRecord): Promise<SealingKey> {
    const id = `${keyId}:${version.version}:${version.keyMaterialId}`
    let current = this.#current.get(id)
    if (!current || current.sealed >= this.maxBlobs) {
      const salt = this.random(BLOB_SALT_LENGTH).slice()
      const kdfContext = blobKeyContext(keyId, version.version, salt)
      current = { salt, kdfContext, key: this.derived(keyId, version, salt, kdfContext), sealed: 0 }
      this.#current.set(id, current)
    }
    current.sealed++
    const { salt, kdfContext, key } = current
    return key.then((k) => ({ key: k, salt, kdfContext }))
  }

  /** Drops every derived key of a key (its material was deleted, or the key destroyed). */
  forget(keyId: string): void {
    for (const map of [this.#current, this.#cache] as Map<string, unknown>[]) {
      for (const id of [...map.keys()]) if (id.startsWith(`${keyId}:`)) map.delete(id)
    }
  }

  /** The derived key of a salt (a blob's, or one this engine chose), derived once and cached. */
  derived(keyId: string, version: KeyVersionRecord, salt: Uint8Array, kdfContext?: Uint8Array): Promise<CryptoKey> {
    const id = `${keyId}:${version.version}:${version.keyMaterialId}:${toHex(salt)}`
    let key = this.#cache.get(id)
    if (key) {
      this.#cache.delete(id) // most recently used last
    } else {
      if (!version.material) return Promise.reject(new TypeError('the key version has no material'))
      key = deriveBlobKey(version.material, kdfContext ?? blobKeyContext(keyId, version.version, salt), 2)
      key.catch(() => this.#cache.delete(id))
      if (this.#cache.size >= CACHE_SIZE) this.#cache.delete(this.#cache.keys().next().value!)
    }
    this.#cache.set(id, key)
    return key
  }
}
