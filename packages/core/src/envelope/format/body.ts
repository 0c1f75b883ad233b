/**
 * The message body and footer (data-format/message-body.md, message-body-aad.md,
 * message-footer.md).
 *
 *   regular frame: sequence number u32 | IV (12) | ciphertext (frame length) | tag (16)
 *   final frame:   0xFFFFFFFF | sequence number u32 | IV (12) | content length u32 | ciphertext | tag (16)
 *   non-framed:    IV (12) | content length u64 | ciphertext | tag (16)
 *   footer:        signature length u16 | DER signature
 *
 * A frame's IV is its sequence number, big-endian, left-padded with zeros to 12 bytes; its
 * AAD is message id || content string || sequence number u32 || plaintext length u64.
 */
import { equalBytes, utf8 } from '../../util/bytes.js'
import { malformed, Reader, Writer } from './reader.js'

export const SEQUENCE_NUMBER_END = 0xffffffff
const IV_LENGTH = 12
const TAG_LENGTH = 16

export const BodyContent = {
  frame: utf8('AWSKMSEncryptionClient Frame'),
  finalFrame: utf8('AWSKMSEncryptionClient Final Frame'),
  singleBlock: utf8('AWSKMSEncryptionClient Single Block'),
} as const

export function frameIv(sequenceNumber: number): Uint8Array<ArrayBuffer> {
  const iv = new Uint8Array(IV_LENGTH)
  new DataView(iv.buffer).setUint32(IV_LENGTH - 4, sequenceNumber)
  return iv
}

export function bodyAad(messageId: Uint8Array, content: Uint8Array, sequenceNumber: number, length: number): Uint8Array<ArrayBuffer> {
  return new Writer().bytes(messageId).bytes(content).u32(sequenceNumber).u64(length).finish()
}

/** A frame as parsed from the body: views into the input, nothing decrypted. */
export interface ParsedFrame {
  sequenceNumber: number
  final: boolean
  iv: Uint8Array
  /** Ciphertext followed by the tag. */
  sealed: Uint8Array
  /** Plaintext length (for the AAD). */
  contentLength: number
  /** Bytes of the message this frame took. */
  length: number
}

/**
 * Parses the next frame at the reader's offset. Throws Incomplete if the frame is not all
 * there yet, Malformed if it breaks the format or its content is longer than
 * `maxContentLength` (what is left of maxBodySize).
 */
export function parseFrame(r: Reader, frameLength: number, expectedSequence: number, maxContentLength = Infinity): ParsedFrame {
  const start = r.offset
  const first = r.u32()
  const final = first === SEQUENCE_NUMBER_END
  // Precondition: a regular frame holds the header's frame length: refuse it before reading on.
  // Only here, not from the header alone: a lone final frame may be shorter (proposals/
  // 2020-06-26_decrypt-max-header-size-max-body-size, "Max Body Size").
  if (!final) malformed(frameLength <= maxContentLength, 'body larger than maxBodySize')
  const sequenceNumber = final ? r.u32() : first
  malformed(sequenceNumber === expectedSequence, 'frame out of sequence')
  const iv = r.take(IV_LENGTH)
  malformed(equalBytes(iv, frameIv(sequenceNumber)), 'frame IV does not match its sequence number')
  const contentLength = final ? r.u32() : frameLength
  malformed(contentLength <= frameLength, 'final frame longer than the frame length') // client-apis/decrypt.md
  // Precondition: a final frame's content length is checked before its content is buffered.
  malformed(contentLength <= maxContentLength, 'body larger than maxBodySize')
  const sealed = r.take(contentLength + TAG_LENGTH)
  return { sequenceNumber, final, iv, sealed, contentLength, length: r.offset - start }
}

/** Parses the single block of a non-framed body. */
export function parseNonFramed(r: Reader, maxContentLength = Infinity): ParsedFrame {
  const start = r.offset
  const iv = r.take(IV_LENGTH)
  const contentLength = r.u64()
  // SP 800-38D §5.2.1.1: at most 2^39 - 256 bits of plaintext per invocation.
  malformed(contentLength <= 2 ** 36 - 32, 'non-framed content too long')
  // Precondition: the content length is checked before the content is buffered.
  malformed(contentLength <= maxContentLength, 'body larger than maxBodySize')
  const sealed = r.take(contentLength + TAG_LENGTH)
  return { sequenceNumber: 1, final: true, iv, sealed, contentLength, length: r.offset - start }
}

export function frameContent(frame: ParsedFrame, framed: boolean): Uint8Array {
  if (!framed) return BodyContent.singleBlock
  return frame.final ? BodyContent.finalFrame : BodyContent.frame
}

/** Writes a frame's fields before its ciphertext into `out` at `offset`; returns their length. */
export function writeFrameHeader(out: Uint8Array, offset: number, sequenceNumber: number, final: boolean, contentLength: number): number {
  const v = new DataView(out.buffer, out.byteOffset + offset)
  let at = 0
  if (final) v.setUint32((at += 4) - 4, SEQUENCE_NUMBER_END)
  v.setUint32(at, sequenceNumber)
  at += 4 + IV_LENGTH
  v.setUint32(at - 4, sequenceNumber) // the IV: zeros, then the sequence number
  if (final) v.setUint32((at += 4) - 4, contentLength)
  return at
}

/** A frame's fields before its ciphertext (the frame is these bytes, then ciphertext || tag). */
export function serializeFrameHeader(sequenceNumber: number, final: boolean, contentLength: number): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(frameHeaderLength(final))
  writeFrameHeader(out, 0, sequenceNumber, final, contentLength)
  return out
}

/** A frame's bytes besides its content: the fields before it, and the tag after. */
export const frameOverhead = (final: boolean) => frameHeaderLength(final) + TAG_LENGTH
/** The bytes of a frame's fields before its ciphertext. */
export const frameHeaderLength = (final: boolean) => (final ? 8 : 4) + IV_LENGTH + (final ? 4 : 0)

/** Parses the footer; it must take exactly the rest of the message. */
export function parseFooter(r: Reader): Uint8Array {
  const length = r.u16()
  malformed(length > 0, 'empty signature')
  return r.take(length)
}

export const serializeFooter = (signature: Uint8Array) => new Writer().short(signature).finish()
