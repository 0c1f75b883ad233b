/**
 * AES-256-GCM with 128-bit tags, for ciphertext blobs (format/ciphertextBlob.ts): the interface,
 * and WebCrypto's, which every runtime has. Where the runtime has its own (`node:crypto`), the
 * engine seals and opens with that instead (nativeBlobCipher.ts, a module of its own that
 * browsers never load: Engine.blobCipher).
 */
import { arrayBufferView } from '../../util/bytes.js'

export const GCM_TAG_LENGTH = 16

export interface BlobCipher {
  /** Writes the ciphertext, then the tag, into `out` (plaintext length + 16 bytes). */
  seal(key: CryptoKey, iv: Uint8Array, aad: Uint8Array, plaintext: Uint8Array, out: Uint8Array): void | Promise<void>
  /** The plaintext of `sealed` (ciphertext then tag); throws when the tag does not verify. */
  open(key: CryptoKey, iv: Uint8Array, aad: Uint8Array, sealed: Uint8Array): Uint8Array | Promise<Uint8Array>
}

const gcm = (iv: Uint8Array, aad: Uint8Array): AesGcmParams => ({ name: 'AES-GCM', iv: arrayBufferView(iv), additionalData: arrayBufferView(aad), tagLength: 128 })

export const webCryptoBlobCipher: BlobCipher = {
  async seal(key, iv, aad, plaintext, out) {
    // WebCrypto copies its inputs when called: views are enough.
    out.set(new Uint8Array(await globalThis.crypto.subtle.encrypt(gcm(iv, aad), key, arrayBufferView(plaintext))))
  },
  async open(key, iv, aad, sealed) {
    return new Uint8Array(await globalThis.crypto.subtle.decrypt(gcm(iv, aad), key, arrayBufferView(sealed)))
  },
}
