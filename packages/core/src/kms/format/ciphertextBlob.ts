/**
 * The ciphertext blob returned by Encrypt and GenerateDataKey and accepted by Decrypt.
 *
 * AWS KMS's own blob layout is not public, so callers must treat the blob as opaque. Ours has
 * two versions; Encrypt writes version 2, Decrypt reads both.
 *
 * Version 2 (a derived key per key version and salt, cached; a random IV per blob):
 *
 *   offset  size  field
 *   0       1     format version (0x02)
 *   1       16    key ID (the UUID's 16 bytes)
 *   17      4     key version (uint32, big-endian): which generation of the key's material
 *   21      16    salt: with the key ID and version, the SP 800-108 KDF context of the AES key
 *   37      12    IV: random, per blob
 *   49      n     AES-256-GCM ciphertext
 *   49+n    16    AES-GCM tag
 *
 * Version 1 (a derived key per blob, a fixed IV): 0x01, key ID, key version, a 32-byte nonce
 * as the KDF context, then ciphertext and tag (53-byte header). Still read, never written.
 *
 * The header is the start of the AES-GCM additional authenticated data (followed by the encoded
 * encryption context), so the blob authenticates its own format version, key ID, key version,
 * salt and IV: changing any byte of it, or of the context, fails the tag check.
 *
 * Why version 2 is as safe (crypto/blobKeys.ts chooses the salts):
 * - Key separation: the AES key is HMAC-SHA256-KDF(master, label, 0x02 || key ID || version ||
 *   salt) (SP 800-108r1 §4.1), so no two key versions, and no two salts, share an AES key, and
 *   the master secret itself never encrypts.
 * - IV uniqueness (SP 800-38D §8.2.2): IVs are random 96-bit values; an engine encrypts at most
 *   2^30 blobs under one derived key, then draws a new salt. For q blobs under one key the
 *   chance of any repeated IV is at most q^2 / 2^97, which for q = 2^30 is 2^-37 (NIST's bound
 *   asks for at most 2^-32 over the key's life).
 * - Several engines on one store (tabs, Durable Object restarts): each draws its own 128-bit
 *   salts, so each has its own derived keys and its own count; two engines pick the same salt
 *   with probability about n^2 / 2^129 for n salts in all, negligible beside the IV bound.
 * - Derived keys are non-extractable WebCrypto keys held in memory only (never stored), as the
 *   master is; a blob names its salt, so Decrypt derives (and caches) the key it needs.
 *
 * The cipher is the engine's (Engine.blobCipher): the runtime's own AES-GCM where it has one, else WebCrypto's.
 */
import { InvalidCiphertextException } from '../errors.js'
import { concatBytes, uint32be, uuidFromBytes, uuidToBytes } from '../../util/bytes.js'
import { deriveBlobKey } from '../crypto/keyMaterial.js'
import { GCM_TAG_LENGTH, webCryptoBlobCipher, type BlobCipher } from '../crypto/blobCipher.js'
import { encodeEncryptionContext, type ContextPairs } from './encryptionContext.js'

export const BLOB_FORMAT_VERSION = 0x02
const V1 = { header: 53, nonce: 32 } as const
const V2 = { header: 49, salt: 16, iv: 12, kdfContext: 37 } as const
const TAG_LENGTH = GCM_TAG_LENGTH
/** Bytes a blob adds to its plaintext (version 2). */
export const BLOB_OVERHEAD = V2.header + TAG_LENGTH
export const BLOB_SALT_LENGTH = V2.salt

// Version 1 used a fresh key per blob, which made a fixed IV safe (SP 800-38D §8: uniqueness of (key, IV)).
const ZERO_IV = new Uint8Array(12)

export interface BlobHeader {
  /** 1 or 2. */
  format: number
  keyId: string
  keyVersion: number
  /** Version 2: the salt of the derived key. */
  salt?: Uint8Array
}

/** The SP 800-108 context of a version 2 blob's AES key: format, key ID, key version, salt. */
export const blobKeyContext = (keyId: string, keyVersion: number, salt: Uint8Array) =>
  concatBytes(new Uint8Array([BLOB_FORMAT_VERSION]), uuidToBytes(keyId), uint32be(keyVersion), salt)

/**
 * Seals under a derived key (crypto/blobKeys.ts): `kdfContext` is its
 * `blobKeyContext(keyId, keyVersion, salt)`, which begins the blob.
 */
export async function sealBlob(
  derived: { key: CryptoKey; kdfContext: Uint8Array },
  plaintext: Uint8Array,
  context: ContextPairs | undefined,
  random: (n: number) => Uint8Array,
  cipher: BlobCipher = webCryptoBlobCipher,
): Promise<Uint8Array> {
  const encodedContext = encodeEncryptionContext(context)
  // The additional data is the blob's header (the KDF context, then a fresh IV) followed by the
  // context's encoding, written into one buffer: this runs on every Encrypt.
  const aad = new Uint8Array(V2.header + encodedContext.length)
  aad.set(derived.kdfContext)
  aad.set(random(V2.iv), V2.kdfContext)
  aad.set(encodedContext, V2.header)
  const blob = new Uint8Array(V2.header + plaintext.length + TAG_LENGTH)
  blob.set(aad.subarray(0, V2.header))
  await cipher.seal(derived.key, aad.subarray(V2.kdfContext, V2.header), aad, plaintext, blob.subarray(V2.header))
  return blob
}

const invalid = () => new InvalidCiphertextException('The ciphertext is invalid.')

/**
 * Reads the unauthenticated header: which key, version (and salt) claim to have made this blob.
 * Nothing read here is trusted until `openBlob` verifies the tag over it.
 */
export function parseBlobHeader(blob: Uint8Array): BlobHeader {
  const format = blob[0] ?? 0
  const headerLength = format === 0x02 ? V2.header : format === 0x01 ? V1.header : 0
  if (!headerLength || blob.byteLength < headerLength + TAG_LENGTH) throw invalid()
  const view = new DataView(blob.buffer, blob.byteOffset, blob.byteLength)
  const header: BlobHeader = { format, keyId: uuidFromBytes(blob.subarray(1, 17)), keyVersion: view.getUint32(17) }
  if (format === 0x02) header.salt = blob.slice(21, 21 + V2.salt)
  return header
}

/**
 * Verifies and decrypts; every failure is the same InvalidCiphertextException. `derivedKey`
 * gives the AES key of a version 2 blob (from the cache); a version 1 blob derives its own
 * from `master`.
 */
export async function openBlob(
  blob: Uint8Array,
  master: CryptoKey,
  context: ContextPairs | undefined,
  derivedKey: (salt: Uint8Array) => Promise<CryptoKey>,
  cipher: BlobCipher = webCryptoBlobCipher,
): Promise<Uint8Array> {
  try {
    const header = parseBlobHeader(blob)
    let key: CryptoKey
    let iv: Uint8Array
    let headerLength: number
    if (header.format === 0x02) {
      key = await derivedKey(header.salt!)
      iv = blob.subarray(V2.kdfContext, V2.header)
      headerLength = V2.header
    } else {
      key = await deriveBlobKey(master, blob.subarray(0, V1.header), 1)
      iv = ZERO_IV
      headerLength = V1.header
    }
    const aad = concatBytes(blob.subarray(0, headerLength), encodeEncryptionContext(context))
    return await cipher.open(key, iv, aad, blob.subarray(headerLength))
  } catch {
    // One opaque error: which check failed (tag, context, key) is never revealed.
    throw invalid()
  }
}
