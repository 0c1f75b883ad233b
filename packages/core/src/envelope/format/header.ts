/**
 * The message header and its authentication tag
 * (https://github.com/awslabs/aws-encryption-sdk-specification/blob/master/data-format/message-header.md).
 *
 *   v1: version 0x01 | type 0x80 | suite id u16 | message id (16) | AAD length u16 | AAD |
 *       EDK count u16 | EDKs | content type u8 | reserved u32 (0) | IV length u8 | frame length u32
 *       then authentication: IV (12) | tag (16)
 *   v2: version 0x02 | suite id u16 | message id (32) | AAD length u16 | AAD |
 *       EDK count u16 | EDKs | content type u8 | frame length u32 | suite data (32: the commitment key)
 *       then authentication: tag (16), computed with an all-zero IV
 *   EDK: provider id length u16 | provider id | provider info length u16 | provider info |
 *        ciphertext length u16 | ciphertext
 */
import { fromUtf8, utf8 } from '../../util/bytes.js'
import { algorithmSuites, isSuiteId, type AlgorithmSuite, type SuiteId } from '../suites.js'
import { parseEncryptionContext, serializeEncryptionContext, type EncryptionContext } from './encryptionContext.js'
import { Malformed, malformed, Reader, Writer } from './reader.js'

export const ContentType = { NO_FRAMING: 1, FRAMED_DATA: 2 } as const
export type ContentType = (typeof ContentType)[keyof typeof ContentType]

/** A data key wrapped by one keyring, as stored in the header. */
export interface EncryptedDataKey {
  providerId: string
  /** The provider info as text (for KMS keyrings, the key ARN). */
  providerInfo: string
  /** The provider info's exact bytes (raw AES keyrings store binary fields after the key name). */
  rawInfo: Uint8Array
  encryptedDataKey: Uint8Array
}

/** The header, shaped as the AWS Encryption SDK's MessageHeader. */
export interface MessageHeader {
  version: 1 | 2
  suiteId: SuiteId
  messageId: Uint8Array
  /** The pairs stored in the header (required-context pairs left out of it are not here). */
  encryptionContext: EncryptionContext
  encryptedDataKeys: EncryptedDataKey[]
  contentType: ContentType
  /** Plaintext bytes per frame; 0 for a non-framed message. */
  frameLength: number
  /** v1 only: the IV length written in the header. */
  headerIvLength?: 12
  /** v2 only: the suite data (the 32-byte commitment key). */
  suiteData?: Uint8Array
}

export interface ParsedHeader {
  header: MessageHeader
  suite: AlgorithmSuite
  /** The serialized header (what the authentication tag covers). */
  headerBytes: Uint8Array
  /** v1: the header IV; v2: twelve zero bytes. */
  headerIv: Uint8Array
  headerTag: Uint8Array
  /** Bytes consumed: header and its authentication. */
  length: number
}

export function edk(providerId: string, rawInfo: Uint8Array, encryptedDataKey: Uint8Array): EncryptedDataKey {
  return { providerId, providerInfo: lenientUtf8(rawInfo), rawInfo, encryptedDataKey }
}

const lenientUtf8 = (b: Uint8Array) => new TextDecoder('utf-8', { ignoreBOM: true }).decode(b)

export function serializeHeader(h: MessageHeader): Uint8Array<ArrayBuffer> {
  const w = new Writer()
  if (h.version === 1) w.u8(0x01).u8(0x80)
  else w.u8(0x02)
  w.u16(h.suiteId).bytes(h.messageId)
  const aad = serializeEncryptionContext(h.encryptionContext)
  w.short(aad)
  w.u16(h.encryptedDataKeys.length)
  for (const k of h.encryptedDataKeys) w.short(utf8(k.providerId)).short(k.rawInfo).short(k.encryptedDataKey)
  w.u8(h.contentType)
  if (h.version === 1) w.u32(0).u8(12).u32(h.frameLength)
  else w.u32(h.frameLength).bytes(h.suiteData!)
  return w.finish()
}

/** Limits on what a header may make a decryptor read (client-apis/decrypt.md). */
export interface HeaderLimits {
  maxEncryptedDataKeys: number
  /** Bytes of the header with its authentication. */
  maxHeaderLength: number
}

/** One field of the header, as far as its length goes: read its `n` bytes (a length or a check) or skip them. */
interface Field {
  n: number
  read: boolean
}
const read = (n: number): Field => ({ n, read: true })
const skip = (n: number): Field => ({ n, read: false })
const u16 = (b: Uint8Array) => (b[0]! << 8) | b[1]!

/**
 * The header's fields in order, down to what its length depends on: the version (v1 and v2
 * have different fixed fields), the AAD length, the EDK count and each EDK's three lengths.
 * It refuses on the way what must stop a decryptor early: an unknown version or suite, and
 * more EDKs than allowed ("as soon as that can be determined during deserializing decrypt
 * MUST process no more bytes", client-apis/decrypt.md). parseHeader checks everything else.
 */
function* headerFields(maxEncryptedDataKeys: number): Generator<Field, void, Uint8Array> {
  const version = (yield read(1))[0]
  malformed(version === 1 || version === 2, 'unknown message format version')
  if (version === 1) malformed((yield read(1))[0] === 0x80, 'unknown message type')
  const suiteId = u16(yield read(2))
  malformed(isSuiteId(suiteId) && algorithmSuites[suiteId].messageFormatVersion === version, 'unknown algorithm suite')
  const { ivLength, tagLength } = algorithmSuites[suiteId]
  yield skip(version === 1 ? 16 : 32) // message id
  yield skip(u16(yield read(2))) // AAD
  const edkCount = u16(yield read(2))
  malformed(edkCount > 0, 'no encrypted data keys')
  malformed(edkCount <= maxEncryptedDataKeys, 'too many encrypted data keys')
  for (let i = 0; i < 3 * edkCount; i++) yield skip(u16(yield read(2))) // provider id, provider info, ciphertext
  // v1: content type, reserved, IV length, frame length, header IV, tag; v2: content type, frame length, suite data, tag.
  yield skip(version === 1 ? 1 + 4 + 1 + 4 + ivLength + tagLength : 1 + 4 + 32 + tagLength)
}

/**
 * Learns a header's total length from its length fields as a stream delivers it. A header
 * states no total length, and the format allows gigabytes of encrypted data keys: the stream
 * must neither buffer past `maxHeaderLength` nor re-parse what it has (quadratic in small
 * chunks). Each byte is looked at once, only the current field's few bytes are kept, and a
 * field that would end past maxHeaderLength is refused before any of its bytes arrive
 * (proposals/2020-06-26_decrypt-max-header-size-max-body-size, "Max Header Size").
 */
export class HeaderScanner {
  readonly #fields: Generator<Field, void, Uint8Array>
  readonly #maxHeaderLength: number
  #field: Field | undefined
  /** Bytes of the fields before the current one. */
  #before = 0
  /** Bytes of the current field seen so far; those of a field to read are kept in #bytes. */
  #seen = 0
  readonly #bytes = new Uint8Array(2)
  #length: number | undefined
  #failed: unknown

  constructor(limits: HeaderLimits) {
    this.#fields = headerFields(limits.maxEncryptedDataKeys)
    this.#maxHeaderLength = limits.maxHeaderLength
    this.#advance(this.#fields.next())
  }

  /** The header's length with its authentication, once known. */
  get length(): number | undefined {
    return this.#length
  }

  /** Takes the next bytes of the message (any after the header are ignored). Throws Malformed. */
  push(chunk: Uint8Array): number | undefined {
    if (this.#failed) throw this.#failed
    try {
      let at = 0
      while (this.#field && at < chunk.byteLength) {
        const field = this.#field
        const take = Math.min(field.n - this.#seen, chunk.byteLength - at)
        if (field.read) this.#bytes.set(chunk.subarray(at, at + take), this.#seen)
        this.#seen += take
        at += take
        if (this.#seen === field.n) {
          this.#before += field.n
          this.#advance(this.#fields.next(this.#bytes.subarray(0, field.n)))
        }
      }
      return this.#length
    } catch (error) {
      this.#failed = error // a finished generator would report a length: never again
      throw error
    }
  }

  #advance(next: IteratorResult<Field, void>): void {
    // Empty fields (an empty AAD or EDK field) take no bytes: step over them now.
    while (!next.done && next.value.n === 0) next = this.#fields.next(new Uint8Array(0))
    this.#seen = 0
    if (next.done) {
      this.#field = undefined
      this.#length = this.#before
      return
    }
    // Precondition: a field that would end past maxHeaderLength is refused before its bytes are buffered.
    malformed(this.#before + next.value.n <= this.#maxHeaderLength, 'header longer than maxHeaderLength')
    this.#field = next.value
  }
}

/**
 * Parses a header and its authentication from `bytes`. Throws Incomplete when more bytes are
 * needed, Malformed when the header breaks a rule of the format. Nothing here is trusted
 * until the caller has checked the authentication tag.
 */
export function parseHeader(bytes: Uint8Array, maxEncryptedDataKeys = Infinity): ParsedHeader {
  const r = new Reader(bytes)
  const version = r.u8()
  malformed(version === 1 || version === 2, 'unknown message format version')
  if (version === 1) malformed(r.u8() === 0x80, 'unknown message type')
  const suiteId = r.u16()
  malformed(isSuiteId(suiteId), 'unknown algorithm suite')
  const suite = algorithmSuites[suiteId]
  malformed(suite.messageFormatVersion === version, 'suite does not match message format version')
  const messageId = r.take(version === 1 ? 16 : 32)
  const encryptionContext = parseEncryptionContext(r.take(r.u16()))
  const edkCount = r.u16()
  malformed(edkCount > 0, 'no encrypted data keys')
  // Precondition: refuse before reading them, so a hostile header cannot make us do the work.
  malformed(edkCount <= maxEncryptedDataKeys, 'too many encrypted data keys')
  const encryptedDataKeys: EncryptedDataKey[] = []
  for (let i = 0; i < edkCount; i++) {
    let providerId: string
    try {
      providerId = fromUtf8(r.take(r.u16()))
    } catch (e) {
      if (e instanceof Malformed || !(e instanceof TypeError)) throw e
      throw new Malformed('invalid UTF-8 in provider id')
    }
    const rawInfo = r.take(r.u16())
    encryptedDataKeys.push(edk(providerId, rawInfo.slice(), r.take(r.u16()).slice()))
  }
  const contentType = r.u8()
  malformed(contentType === ContentType.NO_FRAMING || contentType === ContentType.FRAMED_DATA, 'unknown content type')
  let frameLength: number
  let suiteData: Uint8Array | undefined
  if (version === 1) {
    malformed(r.u32() === 0, 'reserved bytes not zero')
    malformed(r.u8() === suite.ivLength, 'IV length does not match the suite')
    frameLength = r.u32()
  } else {
    frameLength = r.u32()
    suiteData = r.take(32).slice()
  }
  malformed(contentType === ContentType.NO_FRAMING ? frameLength === 0 : frameLength > 0, 'frame length does not match content type')
  const headerBytes = bytes.subarray(0, r.offset)
  const headerIv = version === 1 ? r.take(suite.ivLength).slice() : new Uint8Array(suite.ivLength)
  const headerTag = r.take(suite.tagLength).slice()
  const header: MessageHeader = {
    version,
    suiteId,
    messageId: messageId.slice(),
    encryptionContext,
    encryptedDataKeys,
    contentType,
    frameLength,
  }
  if (version === 1) header.headerIvLength = 12
  else header.suiteData = suiteData!
  return { header, suite, headerBytes, headerIv, headerTag, length: r.offset }
}
