/**
 * The encryption context of KMS calls: validated once, kept as its list of pairs, and bound
 * into every ciphertext blob as AES-GCM additional authenticated data.
 *
 * A list, not an object: `obj[key] = value` silently drops a key named `__proto__` (it sets the
 * prototype instead), and a blob bound to fewer pairs than the caller gave would not be bound to
 * what they meant. Pairs are turned into objects only for callers, with Object.fromEntries,
 * which defines every key as an own property.
 *
 * The encoding is the key-value-pair serialization of the AWS Encryption SDK message header
 * (https://github.com/awslabs/aws-encryption-sdk-specification/blob/master/data-format/message-header.md#key-value-pairs):
 * a uint16 pair count, then for each pair a uint16 length and the UTF-8 bytes of the key, then
 * the same for the value, pairs sorted by the UTF-8 bytes of their keys. Length prefixes make it
 * unambiguous: {"ab":"c"} and {"a":"bc"} encode differently. Unlike the SDK header we always
 * write the count, so the empty context is two zero bytes.
 */
import { ValidationException } from '../errors.js'
import { sortByCodeUnits, utf8 } from '../../util/bytes.js'

/** An encryption context as the engine holds it: its pairs, keys unique. */
export type ContextPairs = readonly (readonly [string, string])[]

const MAX_UINT16 = 0xffff

/** Compares byte strings the way the spec orders keys: by unsigned bytes, shorter first on a tie. */
export function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length)
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i]! - b[i]!
  return a.length - b.length
}

/** The pairs as an object for callers and the audit trail (every key an own property). */
export const contextObject = (pairs: ContextPairs | undefined): Record<string, string> => Object.fromEntries(pairs ?? [])

const ASCII = /^[\x00-\x7f]*$/

/** The canonical bytes of a context; ValidationException when a key or value exceeds the format. */
export function encodeEncryptionContext(pairs: ContextPairs | undefined): Uint8Array<ArrayBuffer> {
  const list = pairs ?? []
  // Most contexts are ASCII: a string's UTF-16 code units are then its UTF-8 bytes, and sorting
  // by code units is sorting by bytes. This runs on every Encrypt and Decrypt.
  return list.every(([k, v]) => ASCII.test(k) && ASCII.test(v)) ? encodeAscii(list) : encodeUtf8(list)
}

const tooLong = () => new ValidationException('EncryptionContext keys and values must each be at most 65535 bytes of UTF-8')
const tooMany = () => new ValidationException('EncryptionContext has too many pairs')

function encodeAscii(pairs: ContextPairs): Uint8Array<ArrayBuffer> {
  if (pairs.length > MAX_UINT16) throw tooMany()
  const sorted = pairs.length > 1 ? sortByCodeUnits([...pairs], ([k]) => k) : pairs
  let length = 2
  for (const [k, v] of sorted) {
    if (k.length > MAX_UINT16 || v.length > MAX_UINT16) throw tooLong()
    length += 4 + k.length + v.length
  }
  const out = new Uint8Array(length)
  out[0] = sorted.length >> 8
  out[1] = sorted.length & 0xff
  let at = 2
  const put = (s: string) => {
    out[at++] = s.length >> 8
    out[at++] = s.length & 0xff
    for (let i = 0; i < s.length; i++) out[at++] = s.charCodeAt(i)
  }
  for (const [k, v] of sorted) {
    put(k)
    put(v)
  }
  return out
}

function encodeUtf8(pairs: ContextPairs): Uint8Array<ArrayBuffer> {
  const encoded = pairs.map(([k, v]) => [utf8(k), utf8(v)] as const)
  encoded.sort((x, y) => compareBytes(x[0], y[0]))
  if (encoded.length > MAX_UINT16) throw tooMany()
  // One buffer, written in place.
  let length = 2
  for (const [k, v] of encoded) {
    if (k.length > MAX_UINT16 || v.length > MAX_UINT16) throw tooLong()
    length += 4 + k.length + v.length
  }
  const out = new Uint8Array(length)
  const view = new DataView(out.buffer)
  view.setUint16(0, encoded.length)
  let at = 2
  for (const [k, v] of encoded) {
    view.setUint16(at, k.length)
    out.set(k, at + 2)
    at += 2 + k.length
    view.setUint16(at, v.length)
    out.set(v, at + 2)
    at += 2 + v.length
  }
  return out
}
