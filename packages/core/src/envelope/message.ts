/**
 * What encrypting and decrypting a message share, one-shot or streamed: getting the
 * materials, deriving the keys, writing or checking the header and its authentication, and
 * sealing or opening one frame (client-apis/encrypt.md and decrypt.md of the AWS Encryption
 * SDK specification).
 */
import { concatBytes, equalBytes } from '../util/bytes.js'
import type { AesGcmKey } from './crypto/aesGcm.js'
import { deriveMessageKeys } from './crypto/kdf.js'
import type { MessageSigner, MessageVerifier } from './crypto/signature.js'
import { bodyAad, BodyContent, frameContent, frameIv, type ParsedFrame } from './format/body.js'
import { serializeEncryptionContext, type EncryptionContext } from './format/encryptionContext.js'
import { ContentType, serializeHeader, type MessageHeader, type ParsedHeader } from './format/header.js'
import { Malformed, Refused } from './format/reader.js'
import type { DecryptionMaterials, EncryptionRequest, MaterialsManager } from './materials/types.js'
import { KeyringError } from './errors.js'
import { randomBytes, type RandomSource } from './random.js'
import { policyAllowsDecrypt, policyAllowsEncrypt, type AlgorithmSuite, type CommitmentPolicy, type SuiteId } from './suites.js'

export interface EncryptSettings {
  encryptionContext: EncryptionContext
  commitmentPolicy: CommitmentPolicy
  suiteId?: SuiteId
  frameLength: number
  maxEncryptedDataKeys: number
  plaintextLength?: number
  random: RandomSource
}

/** A message being written: its header bytes and the key that seals its frames. */
export interface MessageWriter {
  messageHeader: MessageHeader
  suite: AlgorithmSuite
  /** Header and header authentication, serialized. */
  head: Uint8Array<ArrayBuffer>
  frameLength: number
  signer?: MessageSigner
  /**
   * Encrypts one frame's plaintext: ciphertext || tag, in one or more pieces in that order
   * (node:crypto gives them apart; joining them would copy every frame), none of them empty.
   * The frame's other fields are not included.
   */
  seal(sequenceNumber: number, final: boolean, plaintext: Uint8Array): Promise<Uint8Array<ArrayBuffer>[]>
}

const pick = (ctx: EncryptionContext, keys: readonly string[], keep: boolean): EncryptionContext =>
  Object.fromEntries(Object.entries(ctx).filter(([k]) => keys.includes(k) === keep))

export async function beginMessage(cmm: MaterialsManager, s: EncryptSettings): Promise<MessageWriter> {
  const request: EncryptionRequest = { encryptionContext: s.encryptionContext, commitmentPolicy: s.commitmentPolicy, random: s.random }
  if (s.suiteId !== undefined) request.suiteId = s.suiteId
  if (s.plaintextLength !== undefined) request.plaintextLength = s.plaintextLength
  const materials = await cmm.getEncryptionMaterials(request)
  const { suite, plaintextDataKey } = materials
  // A materials manager of the caller's own may return anything: a data key of another length
  // would seal with another AES than the header names (the suites without a KDF use it as it is).
  if (!(plaintextDataKey instanceof Uint8Array) || plaintextDataKey.byteLength !== suite.keyLength || materials.encryptedDataKeys.length === 0) {
    throw new KeyringError(`the materials manager produced no usable data key (suite 0x${suite.id.toString(16).padStart(4, '0')} takes ${suite.keyLength} bytes, and at least one encrypted data key)`)
  }
  if (!policyAllowsEncrypt(s.commitmentPolicy, suite)) throw new RangeError(`the materials manager chose suite 0x${suite.id.toString(16)}, which the commitment policy forbids`)
  if (materials.encryptedDataKeys.length > s.maxEncryptedDataKeys) {
    throw new RangeError(`"maxEncryptedDataKeys" is ${s.maxEncryptedDataKeys}, but the keyring wrapped ${materials.encryptedDataKeys.length}`)
  }
  const required = materials.requiredEncryptionContextKeys
  // Required pairs are authenticated, not stored (client-apis/encrypt.md, "Construct the header").
  const stored = pick(materials.encryptionContext, required, false)
  // The header stores its context behind a uint16 length (data-format/message-header.md, "AAD
  // Length"); the check of the caller's context could not count the pairs the materials
  // manager added (a signing suite's aws-crypto-public-key).
  const storedLength = serializeEncryptionContext(stored).byteLength
  if (storedLength > 0xffff) {
    throw new RangeError(`"encryptionContext" expected at most 65535 bytes serialized with the materials manager's pairs, got length=${storedLength}`)
  }
  const messageId = randomBytes(s.random, suite.messageFormatVersion === 1 ? 16 : 32)
  const { key, commitment } = await deriveMessageKeys(suite, plaintextDataKey, messageId)
  const messageHeader: MessageHeader = {
    version: suite.messageFormatVersion,
    suiteId: suite.id,
    messageId,
    encryptionContext: stored,
    encryptedDataKeys: materials.encryptedDataKeys,
    contentType: ContentType.FRAMED_DATA,
    frameLength: s.frameLength,
  }
  if (suite.messageFormatVersion === 1) messageHeader.headerIvLength = 12
  else messageHeader.suiteData = commitment!
  const headerBytes = serializeHeader(messageHeader)
  const authOnly = serializeEncryptionContext(pick(materials.encryptionContext, required, true))
  const iv = new Uint8Array(suite.ivLength)
  const tag = await key.encrypt(iv, new Uint8Array(0), concatBytes(headerBytes, authOnly))
  const head = suite.messageFormatVersion === 1 ? concatBytes(headerBytes, iv, tag) : concatBytes(headerBytes, tag)
  const writer: MessageWriter = {
    messageHeader,
    suite,
    head,
    frameLength: s.frameLength,
    seal: (seq, final, plaintext) => {
      const aad = bodyAad(messageId, final ? BodyContent.finalFrame : BodyContent.frame, seq, plaintext.byteLength)
      return key.encryptInPieces ? key.encryptInPieces(frameIv(seq), plaintext, aad) : key.encrypt(frameIv(seq), plaintext, aad).then((sealed) => [sealed])
    },
  }
  if (materials.signer) writer.signer = materials.signer
  return writer
}

/** A message being read: its verified header and the key that opens its frames. */
export interface MessageReader {
  messageHeader: MessageHeader
  suite: AlgorithmSuite
  verifier?: MessageVerifier
  /** `beforeRead`: run right before the frame's bytes are read (AesGcmKey.decrypt). */
  openFrame(frame: ParsedFrame, beforeRead?: () => void): Promise<Uint8Array<ArrayBuffer>>
}

/**
 * Gets the decryption materials for a parsed header, checks the key commitment and the
 * header authentication tag. Throws Malformed (or the CMM's error) on any failure.
 */
export async function openMessage(cmm: MaterialsManager, parsed: ParsedHeader, commitmentPolicy: CommitmentPolicy, reproduced?: EncryptionContext): Promise<MessageReader> {
  const { header, suite } = parsed
  if (!policyAllowsDecrypt(commitmentPolicy, suite)) throw new Refused('suite forbidden by the commitment policy')
  const request = {
    suite,
    encryptedDataKeys: header.encryptedDataKeys,
    encryptionContext: header.encryptionContext,
    commitmentPolicy,
    ...(reproduced ? { reproducedEncryptionContext: reproduced } : {}),
  }
  const materials: DecryptionMaterials = await cmm.decryptMaterials(request)
  if (materials.suite.id !== suite.id) throw new Refused('materials for another suite')
  // As on encrypt: a materials manager of the caller's own may return a key of another length.
  if (!(materials.plaintextDataKey instanceof Uint8Array) || materials.plaintextDataKey.byteLength !== suite.keyLength) throw new Refused('materials without a data key of the suite’s length')
  const { key, commitment } = await deriveMessageKeys(suite, materials.plaintextDataKey, header.messageId)
  // Constant-time commitment check before anything is decrypted (client-apis/decrypt.md).
  if (suite.committing && !equalBytes(commitment!, header.suiteData!)) throw new Malformed('key commitment mismatch')
  const authOnly = serializeEncryptionContext(pick(materials.encryptionContext, materials.requiredEncryptionContextKeys, true))
  await key.decrypt(parsed.headerIv, parsed.headerTag, concatBytes(parsed.headerBytes, authOnly)).catch(tagFailure('the header'))
  const framed = header.contentType === ContentType.FRAMED_DATA
  const reader: MessageReader = {
    messageHeader: header,
    suite,
    openFrame: (frame, beforeRead) => openFrame(key, header.messageId, frame, framed, beforeRead),
  }
  if (materials.verifier) reader.verifier = materials.verifier
  return reader
}

function openFrame(key: AesGcmKey, messageId: Uint8Array, frame: ParsedFrame, framed: boolean, beforeRead?: () => void): Promise<Uint8Array<ArrayBuffer>> {
  const aad = bodyAad(messageId, frameContent(frame, framed), frame.sequenceNumber, frame.contentLength)
  return key.decrypt(frame.iv, frame.sealed, aad, beforeRead).catch(tagFailure(`frame ${frame.sequenceNumber}`))
}

/** A tag that does not verify is Malformed, whatever the primitive threw (WebCrypto's OperationError, @noble/ciphers' Error). */
const tagFailure = (what: string) => (): never => {
  throw new Malformed(`the tag of ${what} does not verify`)
}

/**
 * Runs `fn` over `items` with at most `limit` in flight; results in order. Once one fails, no
 * other item starts (client-apis/decrypt.md: a frame that fails to decrypt halts the operation),
 * and the promise rejects with the first failure once those in flight have settled: nothing of
 * the call runs after it has failed (an `onProgress`, or a call made again beside it).
 */
export async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length)
  let next = 0
  let failure: { error: unknown } | undefined
  const worker = async () => {
    while (next < items.length && !failure) {
      const i = next++
      try {
        results[i] = await fn(items[i]!, i)
      } catch (error) {
        failure ??= { error }
      }
    }
  }
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker))
  if (failure) throw failure.error
  return results
}

/**
 * Frames in flight, finished in message order: each one's `then` runs once its own work
 * resolved and every earlier `then` ran, so frames go out as soon as they can and never out of
 * order. A failure stops every later `then` and is thrown by wait().
 */
export class InOrder {
  #last: Promise<void> = Promise.resolve()
  readonly #pending: Promise<void>[] = []

  add<T>(work: Promise<T>, then: (value: T) => void): void {
    const done = Promise.all([this.#last, work]).then(([, value]) => then(value))
    done.catch(() => undefined) // thrown by wait(); not unhandled meanwhile
    this.#last = done
    this.#pending.push(done)
  }

  /** Waits until at most `keep` are unfinished; throws the first failure. */
  async wait(keep: number): Promise<void> {
    while (this.#pending.length > keep) await this.#pending.shift()
  }
}
