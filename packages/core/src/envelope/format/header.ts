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

const lenientUtf8 = (b: Uint8Array) => new TextDecoder().decode(b)

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
