/**
 * The encryption context as the message header stores it: the key-value-pair serialization
 * of data-format/message-header.md (a uint16 count, then uint16-length-prefixed UTF-8 keys and
 * values, sorted by the keys' UTF-8 bytes). An empty context is no bytes at all (AAD length 0).
 */
import { encodeEncryptionContext, encodePairs } from '../../format/encryptionContext.js'
import { fromUtf8, utf8 } from '../../util/bytes.js'
import { malformed, Reader } from './reader.js'

export type EncryptionContext = Record<string, string>

export function serializeEncryptionContext(context: EncryptionContext): Uint8Array<ArrayBuffer> {
  return Object.keys(context).length === 0 ? new Uint8Array(0) : encodeEncryptionContext(context)
}

/**
 * The serialization the AWS Encryption SDK for JavaScript's raw AES keyring uses by default
 * (`utf8Sorting: false`): pairs ordered by `String.prototype.localeCompare` instead of by UTF-8
 * bytes. It differs from the specification only for keys outside ASCII
 * (https://github.com/aws/aws-encryption-sdk-javascript/issues/428). Used only to decrypt.
 */
export function serializeEncryptionContextLegacyOrder(context: EncryptionContext): Uint8Array<ArrayBuffer> {
  const entries = Object.entries(context)
  if (entries.length === 0) return new Uint8Array(0)
  entries.sort(([a], [b]) => a.localeCompare(b))
  return encodePairs(entries.map(([k, v]) => [utf8(k), utf8(v)] as const))
}

/** Parses the whole of `bytes` as a context; duplicate keys and invalid UTF-8 are malformed. */
export function parseEncryptionContext(bytes: Uint8Array): EncryptionContext {
  const context: EncryptionContext = Object.create(null)
  if (bytes.byteLength === 0) return { ...context }
  const r = new Reader(bytes)
  const count = r.u16()
  malformed(count > 0, 'empty context with a count')
  for (let i = 0; i < count; i++) {
    const key = decodeUtf8(r.take(r.u16()))
    const value = decodeUtf8(r.take(r.u16()))
    malformed(!Object.prototype.hasOwnProperty.call(context, key), 'duplicate context key')
    context[key] = value
  }
  malformed(r.remaining === 0, 'trailing bytes in context')
  return { ...context }
}

function decodeUtf8(b: Uint8Array): string {
  try {
    return fromUtf8(b)
  } catch {
    malformed(false, 'invalid UTF-8 in context')
  }
}

/** Checks a caller's context: string keys and values, within the header's 65535-byte AAD. */
export function assertEncryptionContext(context: unknown, name = 'encryptionContext'): asserts context is EncryptionContext {
  if (context === null || typeof context !== 'object' || Array.isArray(context)) {
    throw new TypeError(`"${name}" expected an object of string keys to string values`)
  }
  for (const [k, v] of Object.entries(context)) {
    if (typeof v !== 'string') throw new TypeError(`"${name}" expected string values, got ${typeof v} for key "${k}"`)
  }
  if (serializeEncryptionContext(context as EncryptionContext).byteLength > 0xffff) {
    throw new RangeError(`"${name}" expected at most 65535 bytes serialized`)
  }
}
