/**
 * `buildClient(commitmentPolicy?)`: one-shot and streaming encrypt and decrypt of messages in
 * the AWS Encryption SDK message format, with the AWS SDK's function shapes.
 *
 * One-shot decrypt releases nothing until every frame's tag and the signature have verified.
 * Frames are sealed and opened concurrently: WebCrypto runs them off the main thread where
 * the runtime can (Node's thread pool), so large messages use more than one core.
 */
import { Malformed, malformed, Reader } from './format/reader.js'
import { frameOverhead, parseFooter, parseFrame, parseNonFramed, serializeFooter, SEQUENCE_NUMBER_END, writeFrameHeader, type ParsedFrame } from './format/body.js'
import { ContentType, HeaderScanner, parseHeader, type MessageHeader } from './format/header.js'
import { DecryptionError } from './errors.js'
import { beginMessage, mapLimit, openMessage } from './message.js'
import type { Keyring, MaterialsManager } from './materials/types.js'
import {
  bytesArgument,
  clientConfig,
  decryptOptions,
  encryptOptions,
  materialsManager,
  type ClientConfig,
  type ClientOptions,
  type DecryptOptions,
  type DecryptStreamOptions,
  type EncryptOptions,
  type EncryptStreamOptions,
} from './options.js'
import type { CommitmentPolicy } from './suites.js'
import { decryptStream, encryptStream, type MessageStream } from './stream.js'

/** Frames in flight at once: enough to keep WebCrypto's workers busy, bounded in memory. */
const CONCURRENCY = 8

export interface EnvelopeClient {
  encrypt(keyring: Keyring | MaterialsManager, plaintext: Uint8Array | ArrayBuffer | string, options?: EncryptOptions): Promise<{ result: Uint8Array; messageHeader: MessageHeader }>
  decrypt(keyring: Keyring | MaterialsManager, ciphertext: Uint8Array | ArrayBuffer, options?: DecryptOptions): Promise<{ plaintext: Uint8Array; messageHeader: MessageHeader }>
  encryptStream(keyring: Keyring | MaterialsManager, options?: EncryptStreamOptions): MessageStream
  decryptStream(keyring: Keyring | MaterialsManager, options?: DecryptStreamOptions): MessageStream
}

export function buildClient(policyOrOptions?: CommitmentPolicy | ClientOptions): EnvelopeClient {
  const client = clientConfig(policyOrOptions)
  return {
    encrypt: (keyring, plaintext, options) => encrypt(client, keyring, plaintext, options),
    decrypt: (keyring, ciphertext, options) => decrypt(client, keyring, ciphertext, options),
    encryptStream: (keyring, options) => encryptStream(client, keyring, options),
    decryptStream: (keyring, options) => decryptStream(client, keyring, options),
  }
}

async function encrypt(client: ClientConfig, keyring: unknown, plaintextArg: unknown, optionsArg: unknown) {
  const cmm = materialsManager(keyring)
  const plaintext = bytesArgument(plaintextArg, 'plaintext')
  const { encryptionContext, suiteId, frameLength, maxEncryptedDataKeys, onProgress } = encryptOptions(optionsArg, client)
  const writer = await beginMessage(cmm, {
    encryptionContext,
    commitmentPolicy: client.commitmentPolicy,
    ...(suiteId !== undefined ? { suiteId } : {}),
    frameLength,
    maxEncryptedDataKeys,
    plaintextLength: plaintext.byteLength,
    random: client.random,
  })

  // Like the AWS browser client: ceil(n / frameLength) frames, at least one, the last being the
  // final frame (full-length when n is an exact multiple: message-body.md allows either).
  const n = plaintext.byteLength
  const frames = Math.max(1, Math.ceil(n / frameLength))
  const lengthOf = (i: number) => (i < frames - 1 ? frameLength : n - (frames - 1) * frameLength)
  const offsets: number[] = []
  let size = writer.head.byteLength
  for (let i = 0; i < frames; i++) {
    offsets.push(size)
    size += frameOverhead(i === frames - 1) + lengthOf(i)
  }
  // Signed suites: room for the footer (at most 2 + 104 bytes of DER for P-384), so the
  // message is never copied again after it is signed.
  const out = new Uint8Array(size + (writer.signer ? MAX_FOOTER_LENGTH : 0))
  out.set(writer.head)
  let done = 0
  await mapLimit(offsets, CONCURRENCY, async (offset, i) => {
    const chunk = plaintext.subarray(i * frameLength, i * frameLength + lengthOf(i))
    const final = i === frames - 1
    const sealed = await writer.seal(i + 1, final, chunk)
    out.set(sealed, offset + writeFrameHeader(out, offset, i + 1, final, chunk.byteLength))
    done += chunk.byteLength
    onProgress?.(done, n)
  })
  if (!writer.signer) return { result: out, messageHeader: writer.messageHeader }
  const footer = serializeFooter(await writer.signer.sign(out.subarray(0, size)))
  out.set(footer, size)
  // A view of exactly the message; its buffer may have a few spare bytes at the end (DER
  // signatures vary in length), as any Uint8Array may: use byteOffset and byteLength.
  return { result: out.subarray(0, size + footer.byteLength), messageHeader: writer.messageHeader }
}

/** Footer: a u16 length and a DER ECDSA P-384 signature (SEQUENCE of two INTEGERs of up to 49 bytes). */
const MAX_FOOTER_LENGTH = 2 + 104

async function decrypt(client: ClientConfig, keyring: unknown, ciphertextArg: unknown, optionsArg: unknown) {
  const cmm = materialsManager(keyring)
  const ciphertext = bytesArgument(ciphertextArg, 'ciphertext')
  const o = decryptOptions(optionsArg, client)
  try {
    // The same limits as a stream: the header's length is learned before it is parsed.
    const headerLength = new HeaderScanner(o).push(ciphertext)
    malformed(headerLength !== undefined, 'the header is truncated')
    const parsed = parseHeader(ciphertext.subarray(0, headerLength), o.maxEncryptedDataKeys)
    if (o.forbidSignedMessages && parsed.suite.signature) throw new Malformed('signed message forbidden')
    const reader = await openMessage(cmm, parsed, client.commitmentPolicy, o.reproducedEncryptionContext)
    const r = new Reader(ciphertext, parsed.length)
    const frames: ParsedFrame[] = []
    // Each frame's content is a view of the ciphertext (parseFrame takes its bytes), so `total`,
    // the plaintext allocated below, never exceeds the input whatever its length fields say.
    let total = 0
    if (parsed.header.contentType === ContentType.FRAMED_DATA) {
      for (let seq = 1; ; seq++) {
        if (seq === SEQUENCE_NUMBER_END) throw new Malformed('too many frames')
        const frame = parseFrame(r, parsed.header.frameLength, seq, o.maxBodySize - total)
        total += frame.contentLength
        frames.push(frame)
        if (frame.final) break
      }
    } else {
      const frame = parseNonFramed(r, o.maxBodySize)
      total = frame.contentLength
      frames.push(frame)
    }
    const bodyEnd = r.offset
    const signature = reader.verifier ? parseFooter(r) : undefined
    if (r.remaining !== 0) throw new Malformed('trailing bytes after the message')

    const plaintext = new Uint8Array(total)
    const offsets: number[] = []
    for (let i = 0, at = 0; i < frames.length; at += frames[i]!.contentLength, i++) offsets.push(at)
    let done = 0
    const [verified] = await Promise.all([
      reader.verifier ? reader.verifier.verify(ciphertext.subarray(0, bodyEnd), signature!) : Promise.resolve(true),
      mapLimit(frames, CONCURRENCY, async (frame, i) => {
        plaintext.set(await reader.openFrame(frame), offsets[i]!)
        done += frame.contentLength
        o.onProgress?.(done, total)
      }),
    ])
    if (!verified) throw new Malformed('signature does not verify')
    return { plaintext, messageHeader: reader.messageHeader }
  } catch (cause) {
    if (cause instanceof DecryptionError) throw cause
    throw new DecryptionError({ cause })
  }
}
