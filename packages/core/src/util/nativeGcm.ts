/**
 * One AES-GCM call with `node:crypto` (SP 800-38D; 16-byte tags), shared by the modules that
 * use it where the runtime has it: KMS ciphertext blobs (kms/crypto/nativeBlobCipher.ts) and
 * envelope frames (envelope/crypto/nativeMessageCipher.ts). Both are loaded on demand, and so is
 * this module: what starts in a browser never includes it.
 */
import type { NativeCrypto, NativeGcmName } from './nativeCrypto.js'

export const GCM_TAG = 16

/** The part of `node:crypto` these calls need. */
export type NativeGcmModule = Required<Pick<NativeCrypto, 'createCipheriv' | 'createDecipheriv'>>

/**
 * A plain Uint8Array owning its buffer: a Buffer from the module may be a view of Node's shared
 * pool (whose `.buffer` would show other bytes), and its `slice` does not copy.
 */
export function owned(bytes: Uint8Array): Uint8Array<ArrayBuffer> {
  if (bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength && bytes.buffer instanceof ArrayBuffer) {
    return new Uint8Array(bytes.buffer)
  }
  const copy = new Uint8Array(bytes)
  bytes.fill(0)
  return copy
}

/** Seals `plaintext` under `key` (whatever the module takes: a KeyObject); the ciphertext and the tag, apart. */
export function gcmSeal(native: NativeGcmModule, name: NativeGcmName, key: unknown, iv: Uint8Array, aad: Uint8Array, plaintext: Uint8Array): [ciphertext: Uint8Array<ArrayBuffer>, tag: Uint8Array<ArrayBuffer>] {
  const cipher = native.createCipheriv(name, key, iv, { authTagLength: GCM_TAG })
  cipher.setAAD(aad)
  const ciphertext = cipher.update(plaintext)
  cipher.final() // nothing more for GCM
  return [owned(ciphertext), owned(cipher.getAuthTag())]
}

/**
 * Opens ciphertext || tag: undefined where the module refuses the key (the caller falls back);
 * throws when the tag does not verify, and the plaintext it had produced is zeroed.
 */
export function gcmOpen(native: NativeGcmModule, name: NativeGcmName, key: unknown, iv: Uint8Array, aad: Uint8Array, sealed: Uint8Array): Uint8Array<ArrayBuffer> | undefined {
  if (sealed.byteLength < GCM_TAG) throw new RangeError('shorter than a tag')
  const tagAt = sealed.byteLength - GCM_TAG
  let decipher
  try {
    decipher = native.createDecipheriv(name, key, iv, { authTagLength: GCM_TAG })
  } catch {
    return undefined
  }
  decipher.setAAD(aad)
  decipher.setAuthTag(sealed.subarray(tagAt))
  const plaintext = decipher.update(sealed.subarray(0, tagAt))
  try {
    decipher.final() // verifies the tag: until it returns, `plaintext` is unauthenticated
  } catch (e) {
    plaintext.fill(0)
    throw e
  }
  return owned(plaintext)
}
