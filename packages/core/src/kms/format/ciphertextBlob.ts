/**
 * The ciphertext blob returned by Encrypt and GenerateDataKey and accepted by Decrypt.
 *
 * AWS KMS's own blob layout is not public, so callers must treat the blob as opaque; ours is:
 *
 *   offset  size  field
 *   0       1     format version (0x01)
 *   1       16    key ID (the UUID's 16 bytes)
 *   17      4     key version (uint32, big-endian): which generation of the key's material
 *   21      32    nonce: the SP 800-108 KDF context for this blob's AES key (crypto/keyMaterial.ts)
 *   53      n     AES-256-GCM ciphertext
 *   53+n    16    AES-GCM tag
 *
 * The first 53 bytes are the header. It is both the KDF context and the start of the AES-GCM
 * additional authenticated data (followed by the encoded encryption context), so the blob
 * authenticates its own format version, key ID and key version: changing any byte of it, or of
 * the context, fails the tag check.
 */
import { InvalidCiphertextException } from '../errors.js'
import { concatBytes, uint32be, uuidFromBytes, uuidToBytes } from '../../util/bytes.js'
import { deriveBlobKey } from '../crypto/keyMaterial.js'
import { encodeEncryptionContext, type ContextPairs } from './encryptionContext.js'

export const BLOB_FORMAT_VERSION = 0x01
const HEADER_LENGTH = 53
const NONCE_LENGTH = 32
const TAG_LENGTH = 16
export const BLOB_OVERHEAD = HEADER_LENGTH + TAG_LENGTH

// A fresh key per blob makes a fixed IV safe (SP 800-38D §8: uniqueness of (key, IV)).
const ZERO_IV = new Uint8Array(12)

export interface BlobHeader {
  keyId: string
  keyVersion: number
}

function encodeHeader(h: BlobHeader, nonce: Uint8Array): Uint8Array {
  return concatBytes(new Uint8Array([BLOB_FORMAT_VERSION]), uuidToBytes(h.keyId), uint32be(h.keyVersion), nonce)
}

export async function sealBlob(
  header: BlobHeader,
  master: CryptoKey,
  plaintext: Uint8Array,
  context: ContextPairs | undefined,
  random: (n: number) => Uint8Array,
): Promise<Uint8Array> {
  const head = encodeHeader(header, random(NONCE_LENGTH))
  const key = await deriveBlobKey(master, head)
  const aad = concatBytes(head, encodeEncryptionContext(context))
  const sealed = await globalThis.crypto.subtle.encrypt(
    { name: 'AES-GCM', iv: ZERO_IV, additionalData: aad, tagLength: 128 },
    key,
    concatBytes(plaintext),
  )
  return concatBytes(head, new Uint8Array(sealed))
}

/**
 * Reads the unauthenticated header: which key and version claim to have made this blob.
 * Nothing read here is trusted until `openBlob` verifies the tag over it.
 */
export function parseBlobHeader(blob: Uint8Array): BlobHeader {
  if (blob.byteLength < BLOB_OVERHEAD || blob[0] !== BLOB_FORMAT_VERSION) {
    throw new InvalidCiphertextException('The ciphertext is invalid.')
  }
  const view = new DataView(blob.buffer, blob.byteOffset, blob.byteLength)
  return { keyId: uuidFromBytes(blob.subarray(1, 17)), keyVersion: view.getUint32(17) }
}

/** Verifies and decrypts; every failure is the same InvalidCiphertextException. */
export async function openBlob(
  blob: Uint8Array,
  master: CryptoKey,
  context: ContextPairs | undefined,
): Promise<Uint8Array> {
  const head = blob.subarray(0, HEADER_LENGTH)
  try {
    const key = await deriveBlobKey(master, head)
    const aad = concatBytes(head, encodeEncryptionContext(context))
    const plain = await globalThis.crypto.subtle.decrypt(
      { name: 'AES-GCM', iv: ZERO_IV, additionalData: aad, tagLength: 128 },
      key,
      concatBytes(blob.subarray(HEADER_LENGTH)),
    )
    return new Uint8Array(plain)
  } catch {
    // One opaque error: which check failed (tag, context, key) is never revealed.
    throw new InvalidCiphertextException('The ciphertext is invalid.')
  }
}
