/**
 * Master key material and the per-ciphertext keys derived from it.
 *
 * Following AWS KMS's published design (AWS KMS cryptographic details, "Encrypt"): a master key
 * version is a 256-bit secret that never encrypts data itself; AES-256-GCM keys are derived from
 * it with the NIST SP 800-108 KDF in counter mode, HMAC-SHA256 as the PRF: per blob from a
 * random nonce (blob format 1), or per engine-chosen salt, cached, with a random IV per blob and
 * a usage limit per derived key (format 2; the argument is in format/ciphertextBlob.ts).
 *
 * The master secret is a WebCrypto HMAC key created with `extractable: false`, so its bytes are
 * never visible to JavaScript: `exportKey` fails on it, in the worker as anywhere else.
 */
import type { KeyStore } from '../../keystore/KeyStore.js'
import { concatBytes, uint32be, utf8 } from '../../util/bytes.js'

const subtle = () => globalThis.crypto.subtle

/**
 * Creates a new master secret for one key version, through the store (which may need to keep
 * it wrapped: KeyStore.makeKey); the key the engine gets is never extractable.
 */
export function generateMasterKeyMaterial(store: KeyStore): Promise<CryptoKey> {
  return makeStoredKey(store, (extractable) => subtle().generateKey({ name: 'HMAC', hash: 'SHA-256', length: 256 }, extractable, ['sign']))
}

/** Makes a key the store will keep: through `store.makeKey` when it has one, else non-extractable. */
export function makeStoredKey<K extends CryptoKey | CryptoKeyPair>(store: KeyStore, make: (extractable: boolean) => Promise<K>): Promise<K> {
  return store.makeKey ? store.makeKey(make) : make(false)
}

/** Imports 32 bytes of key material as a non-extractable master secret. */
export async function importMasterKeyMaterial(raw: Uint8Array): Promise<CryptoKey> {
  return subtle().importKey('raw', concatBytes(raw), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign'])
}

/** The KDF label of each blob format version (format/ciphertextBlob.ts). */
const LABELS = { 1: utf8('webkms ciphertext blob key v1'), 2: utf8('webkms ciphertext blob key v2') } as const

/**
 * SP 800-108r1 §4.1 KDF in counter mode, one block (L = 256 = the PRF output):
 * K = HMAC(KI, [1]_32 || Label || 0x00 || Context || [L]_32).
 * The result is imported as a non-extractable AES-GCM key; its bytes are dropped.
 */
export async function deriveBlobKey(master: CryptoKey, context: Uint8Array, format: 1 | 2): Promise<CryptoKey> {
  const input = concatBytes(uint32be(1), LABELS[format], new Uint8Array([0]), context, uint32be(256))
  const derived = new Uint8Array(await subtle().sign('HMAC', master, input))
  try {
    return await subtle().importKey('raw', derived, 'AES-GCM', false, ['encrypt', 'decrypt'])
  } finally {
    derived.fill(0)
  }
}
