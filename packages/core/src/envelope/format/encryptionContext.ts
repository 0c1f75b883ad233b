/**
 * The encryption context as the message header stores it: the serialization of
 * framework/structures.md, "Serialization" (data-format/message-header.md, "Key Value Pairs"):
 * a uint16 count, then uint16-length-prefixed UTF-8 keys and values, sorted by the keys' UTF-8
 * bytes. An empty context is no bytes at all (AAD length 0).
 *
 * The envelope's own encoder: the KMS engine's ciphertext blob uses a similar one with its
 * own errors; here a context the caller passes that does not fit is a RangeError naming
 * "encryptionContext", and a header that does not parse is Malformed (the opaque
 * DecryptionError for the caller).
 *
 * A context is a plain object, but every key is read and written as an own property
 * (Object.entries, Object.fromEntries, Object.hasOwn): a key named `__proto__`, which JSON.parse
 * and structured clone make an own property, is a pair like any other.
 */
import { concatBytes, fromUtf8, uint16be, utf8 } from '../../util/bytes.js'
import { Incomplete, Malformed, malformed, Reader } from './reader.js'

export type EncryptionContext = Record<string, string>

const MAX_UINT16 = 0xffff

/** Orders byte strings as the specification orders keys: by unsigned bytes, a prefix first. */
export function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.byteLength, b.byteLength)
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i]! - b[i]!
  return a.byteLength - b.byteLength
}

export function serializeEncryptionContext(context: EncryptionContext): Uint8Array<ArrayBuffer> {
  const pairs = Object.entries(context).map(([k, v]) => [utf8(k), utf8(v)] as const)
  pairs.sort((x, y) => compareBytes(x[0], y[0]))
  return serializePairs(pairs)
}

/**
 * The serialization the AWS Encryption SDK for JavaScript's raw AES keyring uses by default
 * (`utf8Sorting: false`): pairs ordered by `String.prototype.localeCompare` instead of by UTF-8
 * bytes. It differs from the specification only for keys outside ASCII
 * (https://github.com/aws/aws-encryption-sdk-javascript/issues/428). Used only to decrypt.
 */
export function serializeEncryptionContextLegacyOrder(context: EncryptionContext): Uint8Array<ArrayBuffer> {
  const entries = Object.entries(context)
  entries.sort(([a], [b]) => a.localeCompare(b))
  return serializePairs(entries.map(([k, v]) => [utf8(k), utf8(v)] as const))
}

/** The pairs in the order given; none is no bytes. Only a caller's context can break the limits. */
function serializePairs(pairs: ReadonlyArray<readonly [Uint8Array, Uint8Array]>): Uint8Array<ArrayBuffer> {
  if (pairs.length === 0) return new Uint8Array(0)
  if (pairs.length > MAX_UINT16) throw new RangeError(`"encryptionContext" expected at most 65535 pairs, got ${pairs.length}`)
  const parts: Uint8Array[] = [uint16be(pairs.length)]
  for (const [k, v] of pairs) {
    const longest = Math.max(k.byteLength, v.byteLength)
    if (longest > MAX_UINT16) throw new RangeError(`"encryptionContext" expected keys and values of at most 65535 bytes of UTF-8, got length=${longest}`)
    parts.push(uint16be(k.byteLength), k, uint16be(v.byteLength), v)
  }
  return concatBytes(...parts)
}

/**
 * Parses the whole of `bytes` as a context; duplicate keys, invalid UTF-8 and fields that run
 * past the end are malformed. (`bytes` is all the header's AAD length announced: running out
 * here is a broken context, not a stream that needs more bytes.)
 */
export function parseEncryptionContext(bytes: Uint8Array): EncryptionContext {
  if (bytes.byteLength === 0) return {}
  const r = new Reader(bytes)
  const pairs: [string, string][] = []
  const seen = new Set<string>()
  try {
    const count = r.u16()
    malformed(count > 0, 'empty context with a count')
    for (let i = 0; i < count; i++) {
      const key = decodeUtf8(r.take(r.u16()))
      const value = decodeUtf8(r.take(r.u16()))
      malformed(!seen.has(key), 'duplicate context key')
      seen.add(key)
      pairs.push([key, value])
    }
  } catch (error) {
    if (error instanceof Incomplete) throw new Malformed('context field runs past the context')
    throw error
  }
  malformed(r.remaining === 0, 'trailing bytes in context')
  return Object.fromEntries(pairs)
}

function decodeUtf8(b: Uint8Array): string {
  try {
    return fromUtf8(b)
  } catch {
    malformed(false, 'invalid UTF-8 in context')
  }
}

/** A lone surrogate: UTF-8 has no encoding for it (TextEncoder writes U+FFFD instead). */
const LONE_SURROGATE = /\p{Cs}/u

/** Checks a caller's context: string keys and values, well-formed, within the header's 65535-byte AAD. */
export function assertEncryptionContext(context: unknown): asserts context is EncryptionContext {
  if (context === null || typeof context !== 'object' || Array.isArray(context)) {
    throw new TypeError('"encryptionContext" expected an object of string keys to string values')
  }
  for (const [k, v] of Object.entries(context)) {
    if (typeof v !== 'string') throw new TypeError(`"encryptionContext" expected string values, got ${typeof v} for key "${k}"`)
    // Two keys differing only in lone surrogates would serialize as one: the pair would be lost.
    if (LONE_SURROGATE.test(k) || LONE_SURROGATE.test(v)) throw new TypeError('"encryptionContext" expected well-formed strings (no lone surrogates)')
  }
  const length = serializeEncryptionContext(context as EncryptionContext).byteLength
  if (length > MAX_UINT16) throw new RangeError(`"encryptionContext" expected at most 65535 bytes serialized, got length=${length}`)
}
