/**
 * Canonical bytes of an encryption context, bound into every ciphertext blob as AES-GCM
 * additional authenticated data.
 *
 * The encoding is the key-value-pair serialization of the AWS Encryption SDK message header
 * (https://github.com/awslabs/aws-encryption-sdk-specification/blob/master/data-format/message-header.md#key-value-pairs):
 * a uint16 pair count, then for each pair a uint16 length and the UTF-8 bytes of the key, then
 * the same for the value, pairs sorted by the UTF-8 bytes of their keys. Length prefixes make it
 * unambiguous: {"ab":"c"} and {"a":"bc"} encode differently. Unlike the SDK header we always
 * write the count, so the empty context is two zero bytes.
 */
import { ValidationException } from '../errors.js'
import { concatBytes, uint16be, utf8 } from '../util/bytes.js'

export type EncryptionContext = Record<string, string>

const MAX_UINT16 = 0xffff

/** Compares byte strings the way the spec orders keys: by unsigned bytes, shorter first on a tie. */
export function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length)
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i]! - b[i]!
  return a.length - b.length
}

export function encodeEncryptionContext(context: EncryptionContext | undefined): Uint8Array<ArrayBuffer> {
  const pairs = Object.entries(context ?? {}).map(([k, v]) => [utf8(k), utf8(v)] as const)
  pairs.sort((x, y) => compareBytes(x[0], y[0]))
  return encodePairs(pairs)
}

/** The same encoding with the pairs in the order given. */
export function encodePairs(pairs: ReadonlyArray<readonly [Uint8Array, Uint8Array]>): Uint8Array<ArrayBuffer> {
  if (pairs.length > MAX_UINT16) throw new ValidationException('EncryptionContext has too many pairs')
  const parts: Uint8Array[] = [uint16be(pairs.length)]
  for (const [k, v] of pairs) {
    if (k.length > MAX_UINT16 || v.length > MAX_UINT16) {
      throw new ValidationException('EncryptionContext keys and values must each be at most 65535 bytes of UTF-8')
    }
    parts.push(uint16be(k.length), k, uint16be(v.length), v)
  }
  return concatBytes(...parts)
}
