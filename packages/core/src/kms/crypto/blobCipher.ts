/**
 * AES-256-GCM with 128-bit tags, for ciphertext blobs (format/ciphertextBlob.ts).
 *
 * Where the runtime has `node:crypto` (Node, Deno, Bun: util/nativeCrypto.ts), a blob is sealed
 * and opened there, synchronously: the same OpenSSL that runtime's WebCrypto calls, without
 * WebCrypto's hop to the thread pool. A blob holds at most 4 KiB of plaintext (6 KiB of
 * ciphertext), so the hop (waking a pool thread, then resolving a promise) cost several times
 * the cipher's ~2 µs, and with calls in flight it was a third of the main thread's time per
 * Encrypt (bench/kms-operations.mjs). Elsewhere (browsers, Cloudflare Workers), WebCrypto.
 *
 * The key stays a non-extractable CryptoKey. `KeyObject.from` lends OpenSSL's handle of it for
 * one call, and the handle is dropped; in these runtimes any code holding a CryptoKey can do
 * the same, so this widens nothing. The handle ignores WebCrypto's usages, so they are checked
 * here as WebCrypto would. A runtime whose module cannot make the cipher from a WebCrypto key
 * (Cloudflare Workers' `node:crypto` refuses a non-extractable one) is not asked again.
 */
import { arrayBufferView } from '../../util/bytes.js'
import { nativeAesGcm, type NativeAesGcm } from '../../util/nativeCrypto.js'

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

const usable = (key: CryptoKey, usage: KeyUsage) => key.algorithm.name === 'AES-GCM' && key.usages.includes(usage)

/** Runtimes' modules that could not make a cipher from a WebCrypto key. */
const refused = new WeakSet<NativeAesGcm>()

function nativeBlobCipher(native: NativeAesGcm): BlobCipher {
  /** The native cipher for `key`, or undefined when WebCrypto must decide (a key it would refuse, or a runtime whose module refuses). */
  const make = <C>(key: CryptoKey, usage: KeyUsage, create: (handle: unknown) => C): C | undefined => {
    if (!usable(key, usage) || refused.has(native)) return undefined
    try {
      return create(native.KeyObject.from(key))
    } catch {
      refused.add(native)
      return undefined
    }
  }
  return {
    seal(key, iv, aad, plaintext, out) {
      const cipher = make(key, 'encrypt', (handle) => native.createCipheriv('aes-256-gcm', handle, iv, { authTagLength: GCM_TAG_LENGTH }))
      if (!cipher) return webCryptoBlobCipher.seal(key, iv, aad, plaintext, out)
      cipher.setAAD(aad)
      const body = cipher.update(plaintext)
      out.set(body)
      out.set(cipher.final(), body.length)
      out.set(cipher.getAuthTag(), plaintext.length)
    },
    open(key, iv, aad, sealed) {
      if (sealed.length < GCM_TAG_LENGTH) throw new RangeError('shorter than a tag')
      const tagAt = sealed.length - GCM_TAG_LENGTH
      const decipher = make(key, 'decrypt', (handle) => native.createDecipheriv('aes-256-gcm', handle, iv, { authTagLength: GCM_TAG_LENGTH }))
      if (!decipher) return webCryptoBlobCipher.open(key, iv, aad, sealed)
      decipher.setAAD(aad)
      decipher.setAuthTag(sealed.subarray(tagAt))
      const plain = decipher.update(sealed.subarray(0, tagAt))
      try {
        decipher.final() // verifies the tag: until it returns, `plain` is unauthenticated
      } catch (e) {
        plain.fill(0)
        throw e
      }
      // A Uint8Array of its own (not a Buffer, which may share its memory).
      const result = new Uint8Array(plain)
      plain.fill(0)
      return result
    },
  }
}

let lastNative: NativeAesGcm | undefined
let lastCipher: BlobCipher | undefined

/** The runtime's native AES-GCM where it has one (and it takes WebCrypto's keys), else WebCrypto's. */
export function blobCipher(native = nativeAesGcm()): BlobCipher {
  if (!native || refused.has(native)) return webCryptoBlobCipher
  if (native !== lastNative) {
    lastNative = native
    lastCipher = nativeBlobCipher(native)
  }
  return lastCipher!
}
