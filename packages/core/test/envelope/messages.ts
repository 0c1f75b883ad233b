/**
 * Messages made by hand, for the tests of limits and the fuzz tests: a non-framed message
 * (encrypt always frames, as the AWS SDKs do, but every SDK must read non-framed ones) and
 * headers that claim more than any decryptor should read. Built from the internal format
 * modules, so a change of the format shows here too.
 */
import { algorithmSuites, type RawAesKeyring, type SuiteId } from '../../src/index.js'
import { deriveMessageKeys } from '../../src/envelope/crypto/kdf.js'
import { bodyAad, BodyContent, frameIv } from '../../src/envelope/format/body.js'
import { ContentType, serializeHeader, type MessageHeader } from '../../src/envelope/format/header.js'
import { Writer } from '../../src/envelope/format/reader.js'
import { concatBytes } from '../../src/util/bytes.js'

/** A v2 (committing, unsigned) message with a non-framed body: IV | content length u64 | ciphertext | tag. */
export async function nonFramedMessage(keyring: RawAesKeyring, plaintext: Uint8Array, suiteId: SuiteId = 0x0478): Promise<Uint8Array> {
  const suite = algorithmSuites[suiteId]
  if (suite.messageFormatVersion !== 2 || suite.signature) throw new RangeError('nonFramedMessage makes unsigned v2 messages')
  const materials = await keyring.onEncrypt({ suite, encryptionContext: {}, encryptedDataKeys: [], requiredEncryptionContextKeys: [] })
  const messageId = crypto.getRandomValues(new Uint8Array(32))
  const { key, commitment } = await deriveMessageKeys(suite, materials.plaintextDataKey!, messageId)
  const header: MessageHeader = {
    version: 2,
    suiteId,
    messageId,
    encryptionContext: {},
    encryptedDataKeys: materials.encryptedDataKeys,
    contentType: ContentType.NO_FRAMING,
    frameLength: 0,
    suiteData: commitment!,
  }
  const headerBytes = serializeHeader(header)
  const tag = await key.encrypt(new Uint8Array(12), new Uint8Array(0), headerBytes)
  const iv = frameIv(1)
  const sealed = await key.encrypt(iv, plaintext, bodyAad(messageId, BodyContent.singleBlock, 1, plaintext.byteLength))
  return concatBytes(headerBytes, tag, new Writer().bytes(iv).u64(plaintext.byteLength).bytes(sealed).finish())
}

/**
 * The first `length` bytes of a v2 header that claims `edkCount` encrypted data keys whose
 * three fields are each `fieldLength` bytes, then (if `length` reaches it) the rest of a
 * well-formed header: framed, frame length 4096, a zero commitment and tag.
 */
export function claimingHeader(edkCount: number, fieldLength: number, length: number): Uint8Array {
  const w = new Writer().u8(2).u16(0x0478).bytes(new Uint8Array(32).fill(7)).u16(0).u16(edkCount)
  const field = new Writer().u16(fieldLength).bytes(new Uint8Array(fieldLength).fill(0x41)).finish()
  const out = new Uint8Array(length)
  const prefix = w.finish()
  out.set(prefix.subarray(0, length))
  let at = prefix.byteLength
  for (let i = 0; i < 3 * edkCount && at < length; i++, at += field.byteLength) out.set(field.subarray(0, length - at), at)
  if (at < length) out.set(new Writer().u8(ContentType.FRAMED_DATA).u32(4096).bytes(new Uint8Array(32 + 16)).finish().subarray(0, length - at), at)
  return out
}

/** The whole length of the header claimingHeader describes. */
export const claimedHeaderLength = (edkCount: number, fieldLength: number) => 1 + 2 + 32 + 2 + 2 + 3 * edkCount * (2 + fieldLength) + 1 + 4 + 32 + 16

/**
 * Writes `input` to a stream `chunk` bytes at a time, awaiting each write as a producer
 * honouring backpressure would, and reports how many bytes it had offered when the stream
 * failed (the failing chunk included), or undefined if it did not.
 */
export async function feed(input: Uint8Array, stream: ReadableWritablePair<Uint8Array, Uint8Array>, chunk: number): Promise<{ offered: number; error: unknown; output: Uint8Array[] }> {
  const output: Uint8Array[] = []
  const drained = stream.readable.pipeTo(new WritableStream({ write: (c) => void output.push(c) })).catch(() => undefined)
  const writer = stream.writable.getWriter()
  let offered = 0
  try {
    for (let at = 0; at < input.byteLength; at += chunk) {
      const piece = input.subarray(at, at + chunk)
      offered += piece.byteLength
      await writer.write(piece)
    }
    await writer.close()
  } catch (error) {
    await drained
    return { offered, error, output }
  }
  await drained
  return { offered, error: undefined, output }
}
