/**
 * AES-GCM (SP 800-38D) for the envelope SDK: WebCrypto for 128- and 256-bit keys, and
 * @noble/ciphers for 192-bit keys only, because Chromium's WebCrypto has no AES-192
 * (https://crbug.com/533699) and the AWS Encryption SDK's 0x0046/0x0146/0x0346 suites and
 * 192-bit raw AES wrapping keys need it. Ciphertexts carry the 16-byte tag at the end.
 */
import { arrayBufferView } from '../../util/bytes.js'

/** @noble/ciphers' GCM, imported on first use of a 192-bit key: a chunk of its own in a bundle, never loaded by most users. */
const nobleGcm = async () => (await import('@noble/ciphers/aes.js')).gcm

export interface AesGcmKey {
  encrypt(iv: Uint8Array, plaintext: Uint8Array, aad: Uint8Array): Promise<Uint8Array<ArrayBuffer>>
  /** `encrypt`'s bytes in pieces (ciphertext, then tag), where the primitive gives them apart: no copy to join them. */
  encryptInPieces?(iv: Uint8Array, plaintext: Uint8Array, aad: Uint8Array): Promise<Uint8Array<ArrayBuffer>[]>
  /**
   * Rejects (with whatever the primitive throws) when the tag does not verify. `beforeRead` runs
   * synchronously right before the bytes are read (a signed message hashes them then), so what
   * it sees is what is opened.
   */
  decrypt(iv: Uint8Array, ciphertextAndTag: Uint8Array, aad: Uint8Array, beforeRead?: () => void): Promise<Uint8Array<ArrayBuffer>>
}

function webCryptoKey(key: CryptoKey): AesGcmKey {
  const subtle = globalThis.crypto.subtle
  return {
    async encrypt(iv, plaintext, aad) {
      return new Uint8Array(await subtle.encrypt({ name: 'AES-GCM', iv: arrayBufferView(iv), additionalData: arrayBufferView(aad), tagLength: 128 }, key, arrayBufferView(plaintext)))
    },
    async decrypt(iv, ciphertext, aad, beforeRead) {
      beforeRead?.() // WebCrypto copies its input in the call below
      return new Uint8Array(await subtle.decrypt({ name: 'AES-GCM', iv: arrayBufferView(iv), additionalData: arrayBufferView(aad), tagLength: 128 }, key, arrayBufferView(ciphertext)))
    },
  }
}

/** The @noble/ciphers path (exported for the Wycheproof tests, which run it for every key size). */
export function nobleKey(raw: Uint8Array): AesGcmKey {
  const key = raw.slice()
  return {
    async encrypt(iv, plaintext, aad) {
      return arrayBufferView((await nobleGcm())(key, iv, aad).encrypt(plaintext))
    },
    async decrypt(iv, ciphertext, aad, beforeRead) {
      const gcm = (await nobleGcm())(key, iv, aad)
      beforeRead?.()
      return arrayBufferView(gcm.decrypt(ciphertext))
    },
  }
}

/** Imports raw key bytes (16, 24 or 32) as a non-extractable key where WebCrypto allows it. */
export async function importAesGcmKey(raw: Uint8Array): Promise<AesGcmKey> {
  if (raw.byteLength === 24) return nobleKey(raw)
  if (raw.byteLength !== 16 && raw.byteLength !== 32) throw new RangeError(`AES key expected 16, 24 or 32 bytes, got length=${raw.byteLength}`)
  const key = await globalThis.crypto.subtle.importKey('raw', arrayBufferView(raw.slice()), 'AES-GCM', false, ['encrypt', 'decrypt'])
  return webCryptoKey(key)
}

/** Wraps an existing WebCrypto AES-GCM CryptoKey. */
export const aesGcmFromCryptoKey = (key: CryptoKey): AesGcmKey => webCryptoKey(key)
