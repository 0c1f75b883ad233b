/**
 * `buildClient(commitmentPolicy?)`: one-shot and streaming encrypt and decrypt of messages in
 * the AWS Encryption SDK message format, with the AWS SDK's function shapes.
 *
 * One-shot decrypt releases nothing until every frame's tag and the signature have verified.
 * Frames are sealed and opened concurrently: in browsers WebCrypto runs them off the thread
 * (several at once), so large messages use more than one core. Where the runtime has
 * `node:crypto` (Node, Deno, Bun), OpenSSL seals and opens them on this thread, about three
 * times cheaper than WebCrypto's hop to the thread pool there (crypto/nativeMessageCipher.ts),
 * and a large signed message into one buffer is hashed on a second thread meanwhile
 * (crypto/hashThread.ts).
 */
import { checkOfTheMessage, Malformed, malformed, Reader, Refused } from './format/reader.js'
import { frameHeaderLength, frameOverhead, parseFooter, parseFrame, parseNonFramed, serializeFooter, SEQUENCE_NUMBER_END, writeFrameHeader, type ParsedFrame } from './format/body.js'
import { ContentType, HeaderScanner, parseHeader, type MessageHeader } from './format/header.js'
import { DecryptionError } from './errors.js'
import type { MessageSigner, ThreadedHash } from './crypto/signature.js'
import { nativeSigning } from '../util/nativeSigning.js'
import { beginMessage, InOrder, mapLimit, openMessage } from './message.js'
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

/** Frames in flight at once: enough to keep WebCrypto's workers busy (browsers), bounded in memory. */
const CONCURRENCY = 8

/**
 * Encrypts and decrypts messages in the AWS Encryption SDK message format
 * (data-format/message.md), one-shot or as WHATWG streams, with the function shapes of the AWS
 * SDKs' clients. Made by {@link buildClient}, which fixes its commitment policy and limits. Every
 * method takes a keyring (used through a {@link DefaultMaterialsManager}) or a materials manager.
 *
 * @example
 * ```ts
 * import { buildClient, RawAesKeyring, type EnvelopeClient } from '@webkms/core/envelope'
 *
 * const client: EnvelopeClient = buildClient()
 * const keyring = new RawAesKeyring({ keyNamespace: 'app', keyName: 'k1', wrappingKey: crypto.getRandomValues(new Uint8Array(32)) })
 * const { result } = await client.encrypt(keyring, 'hello', { encryptionContext: { tenant: 'acme' } })
 * const { plaintext, messageHeader } = await client.decrypt(keyring, result, { encryptionContext: { tenant: 'acme' } })
 * console.log(new TextDecoder().decode(plaintext), messageHeader.suiteId) // hello 1400 (0x0578)
 * ```
 */
export interface EnvelopeClient {
  /**
   * Encrypts `plaintext` (a string as UTF-8) into one message (client-apis/encrypt.md): the
   * materials manager picks the suite and makes the data key, the frames are sealed, and a
   * signing suite adds the footer.
   *
   * @returns the message and its header. `result` is a view of exactly the message; its buffer
   * may hold a few spare bytes after it, so use `byteOffset` and `byteLength` with `buffer`.
   * @throws {@link KeyringError} `ERR_ENVELOPE_KEYRING` when the keyring cannot make or wrap the
   * data key (e.g. the KMS refused; its error is the `cause`).
   * @throws `TypeError` or `RangeError` for an invalid argument or option, a suite the commitment
   * policy forbids, more data keys than `maxEncryptedDataKeys`, or a missing required context key.
   */
  encrypt(keyring: Keyring | MaterialsManager, plaintext: Uint8Array | ArrayBuffer | string, options?: EncryptOptions): Promise<{ result: Uint8Array; messageHeader: MessageHeader }>
  /**
   * Decrypts and authenticates one message (client-apis/decrypt.md). Nothing is released until
   * every frame's tag and, for a signing suite, the signature have verified. `ciphertext` is read
   * as the call goes, not copied first: leave it unchanged until the promise settles.
   *
   * @returns the plaintext and the message's header
   * @throws {@link DecryptionError} `ERR_ENVELOPE_DECRYPTION_FAILED` for any message that does
   * not decrypt and authenticate: malformed, truncated or followed by other bytes, tampered with,
   * no data key the keyring can unwrap, an `encryptionContext` it does not match, a suite the
   * commitment policy forbids, a limit of `options` exceeded. One opaque error whatever the reason.
   * @throws `TypeError` or `RangeError` for an invalid argument or option.
   */
  decrypt(keyring: Keyring | MaterialsManager, ciphertext: Uint8Array | ArrayBuffer, options?: DecryptOptions): Promise<{ plaintext: Uint8Array; messageHeader: MessageHeader }>
  /**
   * `encrypt`, with the message left in pieces instead of copied into one buffer: the same
   * bytes, in order (their concatenation is a message any AWS Encryption SDK decrypts). For a
   * large message bound for a `Blob`, a `fetch` body or a file, this saves a second allocation
   * of the message's size and the copy into it. A signing suite hashes the pieces in order
   * (SHA-384 with WebAssembly where allowed) instead of signing one buffer with WebCrypto.
   *
   * @returns the pieces (views; do not assume anything about their buffers), their total
   * `byteLength`, and the header
   * @throws what `encrypt` throws
   *
   * @example
   * ```ts
   * import { buildClient, type Keyring } from '@webkms/core/envelope'
   *
   * async function upload(file: Uint8Array, keyring: Keyring): Promise<Response> {
   *   const { chunks } = await buildClient().encryptToChunks(keyring, file, { encryptionContext: { tenant: 'acme' } })
   *   return fetch('/upload', { method: 'PUT', body: new Blob(chunks) })
   * }
   * ```
   */
  encryptToChunks(keyring: Keyring | MaterialsManager, plaintext: Uint8Array | ArrayBuffer | string, options?: EncryptOptions): Promise<{ chunks: Uint8Array<ArrayBuffer>[]; byteLength: number; messageHeader: MessageHeader }>
  /**
   * `decrypt`, with the plaintext left as each frame opened it (one piece per frame, in order)
   * instead of copied into one buffer. The same guarantee: nothing is returned until every
   * frame's tag and the signature have verified. Leave `ciphertext` unchanged until it settles.
   *
   * @returns the pieces, their total `byteLength`, and the header
   * @throws what `decrypt` throws: {@link DecryptionError} `ERR_ENVELOPE_DECRYPTION_FAILED` for
   * any message that does not decrypt and authenticate, `TypeError` or `RangeError` for an
   * invalid argument or option.
   *
   * @example
   * ```ts
   * import { buildClient, type Keyring } from '@webkms/core/envelope'
   *
   * async function open(message: Uint8Array, keyring: Keyring): Promise<Blob> {
   *   const { chunks } = await buildClient().decryptToChunks(keyring, message, { encryptionContext: { tenant: 'acme' } })
   *   return new Blob(chunks)
   * }
   * ```
   */
  decryptToChunks(keyring: Keyring | MaterialsManager, ciphertext: Uint8Array | ArrayBuffer, options?: DecryptOptions): Promise<{ chunks: Uint8Array<ArrayBuffer>[]; byteLength: number; messageHeader: MessageHeader }>
  /**
   * `encrypt` as a stream pair (client-apis/streaming.md): write plaintext to `writable`, read
   * the message from `readable`. Frames are sealed as the plaintext arrives, several at once,
   * and come out in order; memory stays bounded by a few frames. Give `plaintextLength` when it
   * is known: a {@link CachingMaterialsManager} caches only then, progress reports a total, and
   * a stream of another length errors with `RangeError`.
   *
   * @returns the pair, and `messageHeader`: a promise of the header once it is written
   * @throws `TypeError` or `RangeError` at once for an invalid argument or option. Later, on both
   * ends of the stream and from `messageHeader`: the errors `encrypt` rejects with.
   *
   * @example
   * ```ts
   * import { buildClient, type Keyring } from '@webkms/core/envelope'
   *
   * async function seal(file: Blob, keyring: Keyring): Promise<Blob> {
   *   const message = file.stream().pipeThrough(buildClient().encryptStream(keyring, { plaintextLength: file.size }))
   *   return new Response(message).blob()
   * }
   * ```
   */
  encryptStream(keyring: Keyring | MaterialsManager, options?: EncryptStreamOptions): MessageStream
  /**
   * `decrypt` as a stream pair (client-apis/decrypt.md, client-apis/streaming.md): write the
   * message to `writable`, read plaintext from `readable`. Nothing is released before the
   * header authenticates; then each frame once its tag verifies, in order. For a signing suite
   * the final frame waits for the signature (earlier frames are authenticated but not yet
   * signature-checked: set `waitForSignature` to hold them too). A truncated message never ends
   * cleanly.
   *
   * @returns the pair, and `messageHeader`: a promise of the header once it is authenticated
   * @throws `TypeError` or `RangeError` at once for an invalid argument or option. Later, on both
   * ends of the stream and from `messageHeader`: {@link DecryptionError}
   * `ERR_ENVELOPE_DECRYPTION_FAILED` for a message that does not decrypt and authenticate,
   * truncated or followed by other bytes.
   *
   * @example
   * ```ts
   * import { buildClient, type Keyring } from '@webkms/core/envelope'
   *
   * async function open(url: string, keyring: Keyring): Promise<Blob> {
   *   const response = await fetch(url)
   *   if (!response.body) throw new Error('no body')
   *   const plaintext = response.body.pipeThrough(buildClient().decryptStream(keyring, { encryptionContext: { tenant: 'acme' } }))
   *   return new Response(plaintext).blob()
   * }
   * ```
   */
  decryptStream(keyring: Keyring | MaterialsManager, options?: DecryptStreamOptions): MessageStream
}

/**
 * Makes an {@link EnvelopeClient}, whose messages are byte-compatible with the AWS Encryption
 * SDKs' (client-apis/client.md). Every call of the client uses the commitment policy and
 * limits given here.
 *
 * @param policyOrOptions - a {@link CommitmentPolicy} (default `REQUIRE_ENCRYPT_REQUIRE_DECRYPT`),
 * or {@link ClientOptions}
 * @throws `TypeError` for an unknown commitment policy or a `random` that is not a function;
 * `RangeError` for a `maxEncryptedDataKeys` outside 1 to 65535.
 *
 * @example
 * ```ts
 * import { buildClient, CommitmentPolicy, createKms, KmsKeyring } from '@webkms/core'
 *
 * const kms = createKms()
 * const { KeyMetadata } = await kms.createKey({})
 * const keyring = new KmsKeyring({ client: kms, generatorKeyId: KeyMetadata.Arn })
 * // Encrypts with key commitment, and also decrypts older SDKs' non-committing messages.
 * const { encrypt, decrypt } = buildClient({ commitmentPolicy: CommitmentPolicy.REQUIRE_ENCRYPT_ALLOW_DECRYPT, maxEncryptedDataKeys: 3 })
 * const { result } = await encrypt(keyring, 'hello')
 * const { plaintext } = await decrypt(keyring, result)
 * ```
 */
export function buildClient(policyOrOptions?: CommitmentPolicy | ClientOptions): EnvelopeClient {
  const client = clientConfig(policyOrOptions)
  return {
    encrypt: (keyring, plaintext, options) => hereIfThreadFails((thread) => encrypt(client, keyring, plaintext, options, thread)),
    decrypt: (keyring, ciphertext, options) => hereIfThreadFails((thread) => decryptMessage(client, keyring, ciphertext, options, false, thread)),
    // In pieces a hashing thread gained nothing measurable (BENCHMARKS.md): they hash here.
    encryptToChunks: (keyring, plaintext, options) => encryptToChunks(client, keyring, plaintext, options),
    decryptToChunks: (keyring, ciphertext, options) => decryptMessage(client, keyring, ciphertext, options, true, false),
    encryptStream: (keyring, options) => encryptStream(client, keyring, options),
    decryptStream: (keyring, options) => decryptStream(client, keyring, options),
  }
}

/** Whether `e` is the hashing thread's failure (crypto/hashThread.ts), not the message's or the caller's. */
const threadFailed = (e: unknown) => (e as { hashThreadFailed?: unknown } | null)?.hashThreadFailed === true

/**
 * Makes a call that may hash in the hashing thread (`thread`: true) and, if that thread fails
 * mid-message (it ended, or refused), makes it again from the start with the hash on this
 * thread. Encrypting, that is a new message: the materials manager is asked again (a keyring
 * makes a new data key; a caching manager may give the cached one and counts the message
 * twice), with a new message ID and so new derived keys; nothing of the first attempt was
 * released. Decrypting, the same checks again. `onProgress` then starts again from zero.
 */
async function hereIfThreadFails<T>(call: (thread: boolean) => Promise<T>): Promise<T> {
  try {
    return await call(true)
  } catch (e) {
    if (!threadFailed(e)) throw e
    return call(false)
  }
}

async function encrypt(client: ClientConfig, keyring: unknown, plaintextArg: unknown, optionsArg: unknown, thread: boolean) {
  const { writer, plaintext, frames, onProgress } = await beginEncrypt(client, keyring, plaintextArg, optionsArg)
  const n = plaintext.byteLength
  const offsets: number[] = []
  let size = writer.head.byteLength
  for (const { final, length } of frames) {
    offsets.push(size)
    size += frameOverhead(final) + length
  }
  // Signed suites: room for the footer (at most 2 + 104 bytes of DER for P-384), so the
  // message is never copied again after it is signed.
  const out = new Uint8Array(size + (writer.signer ? MAX_FOOTER_LENGTH : 0))
  out.set(writer.head)
  const hashing = await hashWhileSealing(writer.signer, writer.head, thread && threadWorthIt(n, writer.frameLength))
  let done = 0
  try {
    await mapLimit(frames, CONCURRENCY, async ({ start, length, final }, i) => {
      const chunk = plaintext.subarray(start, start + length)
      const offset = offsets[i]!
      const written = writer.seal(i + 1, final, chunk).then((sealed) => {
        const fieldsEnd = offset + writeFrameHeader(out, offset, i + 1, final, length)
        let at = fieldsEnd
        for (const piece of sealed) {
          out.set(piece, at)
          at += piece.byteLength
        }
        // What the signature hashes: the frame as it is in `out` (its fields, then the sealed
        // bytes, which the hashing thread may take: they are copied already).
        return [out.subarray(offset, fieldsEnd), ...sealed]
      })
      hashing?.add(written)
      await written
      await hashing?.room()
      done += length
      onProgress?.(done, n)
    })
  } catch (e) {
    hashing?.abandon()
    throw e
  }
  if (!writer.signer) return { result: out, messageHeader: writer.messageHeader }
  const footer = serializeFooter(hashing ? await hashing.sign() : await writer.signer.sign(out.subarray(0, size)))
  out.set(footer, size)
  // A view of exactly the message; its buffer may have a few spare bytes at the end (DER
  // signatures vary in length), as any Uint8Array may: use byteOffset and byteLength.
  return { result: out.subarray(0, size + footer.byteLength), messageHeader: writer.messageHeader }
}

/**
 * The same message as `encrypt`, left in pieces: the head, then each frame's header fields and
 * its sealed bytes as the cipher returned them (one piece, or with node:crypto the ciphertext
 * and the tag), then the footer. Nothing is copied into one
 * buffer, so a large message costs no second allocation of its size (and, on a fresh buffer,
 * none of its page faults).
 */
async function encryptToChunks(client: ClientConfig, keyring: unknown, plaintextArg: unknown, optionsArg: unknown) {
  const { writer, plaintext, frames, onProgress } = await beginEncrypt(client, keyring, plaintextArg, optionsArg)
  const n = plaintext.byteLength
  // Every frame's header fields in one buffer (zeroed: the IV is zeros, then the sequence number).
  const headerOffsets: number[] = []
  let headerBytes = 0
  for (const { final } of frames) {
    headerOffsets.push(headerBytes)
    headerBytes += frameHeaderLength(final)
  }
  const headers = new Uint8Array(headerBytes)
  // Each frame's pieces: its header fields, then what sealing gave (one piece or two).
  const framePieces = new Array<Uint8Array<ArrayBuffer>[]>(frames.length)
  const hashing = await hashWhileSealing(writer.signer, writer.head, false)
  let done = 0
  await mapLimit(frames, CONCURRENCY, async ({ start, length, final }, i) => {
    const written = writer.seal(i + 1, final, plaintext.subarray(start, start + length)).then((sealed) => {
      const at = headerOffsets[i]!
      framePieces[i] = [headers.subarray(at, at + writeFrameHeader(headers, at, i + 1, final, length)), ...sealed]
      return framePieces[i]!
    })
    hashing?.add(written)
    await written
    done += length
    onProgress?.(done, n)
  })
  const chunks: Uint8Array<ArrayBuffer>[] = [writer.head, ...framePieces.flat()]
  if (writer.signer) {
    // WebCrypto signs only contiguous bytes: the pieces are hashed in order instead, as a
    // stream's are (message-footer.md: the signature covers the header and the body).
    let signature: Uint8Array
    if (hashing) {
      signature = await hashing.sign()
    } else {
      const signer = await writer.signer.incremental()
      for (const chunk of chunks) signer.update(chunk)
      signature = signer.sign()
    }
    chunks.push(serializeFooter(signature))
  }
  return { chunks, byteLength: chunks.reduce((sum, c) => sum + c.byteLength, 0), messageHeader: writer.messageHeader }
}

/**
 * A signed message from this size, in frames of THREAD_FRAME_FROM to THREAD_FRAME_TO bytes,
 * encrypted or decrypted into one buffer, is hashed and signed (or verified) in the hashing
 * thread where one is online (crypto/hashThread.ts: Node), beside this thread's sealing or
 * opening and copying: SHA-384 is about half of such a message's work. Smaller messages and
 * smaller frames hash here (the messages to the thread would cost more than they save), and so
 * do larger frames: what waits for the thread is bounded by the frames in flight, and a
 * message's frame length is the sender's to choose.
 */
const THREAD_FROM = 4 * 1024 * 1024
const THREAD_FRAME_FROM = 64 * 1024
const THREAD_FRAME_TO = 1024 * 1024
/** Bytes of a message sent to the hashing thread in one message to it. */
const TO_THREAD_AT_ONCE = 1024 * 1024
const threadWorthIt = (size: number, frameLength: number) => size >= THREAD_FROM && frameLength >= THREAD_FRAME_FROM && frameLength <= THREAD_FRAME_TO

/**
 * Bytes to the hashing thread in batches of about TO_THREAD_AT_ONCE (one message, and one reply,
 * per frame would cost this thread more than it saves), in the order given. `handBack` gets
 * back the pieces the thread took; without it they are dropped there. `settled` waits for every
 * reply and throws the first failure.
 */
function toThread(thread: ThreadedHash) {
  const sent: Promise<unknown>[] = []
  const send = (reply: Promise<unknown>) => {
    reply.catch(() => undefined) // thrown by settled(); not unhandled meanwhile
    sent.push(reply)
  }
  let batch: Uint8Array[] = []
  let batchBytes = 0
  let owners: { count: number; handBack: ((pieces: Uint8Array<ArrayBuffer>[]) => void) | undefined }[] = []
  const flush = () => {
    if (batch.length === 0) return
    const [pieces, of] = [batch, owners]
    ;[batch, owners, batchBytes] = [[], [], 0]
    if (!of.some((o) => o.handBack)) return send(thread.update(pieces, false))
    send(
      thread.update(pieces).then((given) => {
        let at = 0
        for (const { count, handBack } of of) {
          const own = given.slice(at, (at += count))
          handBack?.(own)
        }
      }),
    )
  }
  return {
    push(pieces: readonly Uint8Array[], handBack?: (pieces: Uint8Array<ArrayBuffer>[]) => void) {
      batch.push(...pieces)
      owners.push({ count: pieces.length, handBack })
      for (const piece of pieces) batchBytes += piece.byteLength
      if (batchBytes >= TO_THREAD_AT_ONCE) flush()
    },
    flush,
    async settled() {
      flush()
      await Promise.all(sent)
    },
  }
}

/**
 * Where the runtime hashes and signs natively and incrementally (node:crypto: Node, Deno, Bun),
 * a signed message is hashed while it seals: the head at once, then each frame in message order
 * as soon as it and every frame before it are sealed (InOrder, as streams emit them), and
 * OpenSSL signs the digest at the end: the hash no longer starts after the last frame. At every
 * size: with OpenSSL's sign (not @noble/curves') it is as fast as WebCrypto's one-shot sign
 * at 1 KiB and faster from 1 MiB (bench/envelope.mjs, BENCHMARKS.md). With `inThread` (a
 * large one-buffer encrypt), the hashing thread hashes and signs, where one is online.
 * Elsewhere (browsers) undefined: WebCrypto's one-shot digest of the whole message is faster
 * there than any incremental hash, so the message is signed at the end. Frames must be added in
 * message order.
 */
async function hashWhileSealing(signer: MessageSigner | undefined, head: Uint8Array, inThread: boolean) {
  if (!signer || !(await nativeSigning())) return undefined
  const thread = inThread ? await signer.threaded() : undefined
  const hash = thread ? undefined : await signer.incremental()
  const batches = thread && toThread(thread)
  if (batches) batches.push([new Uint8Array(head)]) // a copy: the head stays the caller's
  else hash!.update(head)
  const frames = new InOrder()
  return {
    /**
     * The next frame: its bytes once sealed. The hashing thread may take the pieces it is given
     * (the caller has copied them: one-buffer encrypt).
     */
    add: (written: Promise<Uint8Array[]>) =>
      frames.add(written, (pieces) => {
        if (batches) batches.push(pieces)
        else for (const piece of pieces) hash!.update(piece)
      }),
    /** Waits while the hashing thread holds many bytes not hashed yet (ThreadHash.room). */
    room: () => thread?.room(),
    /** Once every frame added is hashed: the signature (DER). */
    async sign() {
      try {
        await frames.wait(0)
        if (!batches) return hash!.sign()
        batches.flush()
        const signature = await thread!.sign()
        await batches.settled()
        return signature
      } catch (e) {
        thread?.abandon()
        throw e
      }
    },
    /** The message failed before its signature. */
    abandon: () => thread?.abandon(),
  }
}

/** What both one-shot encrypts share: arguments checked, the header written, the frames laid out. */
async function beginEncrypt(client: ClientConfig, keyring: unknown, plaintextArg: unknown, optionsArg: unknown) {
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
  const count = Math.max(1, Math.ceil(n / frameLength))
  const frames = Array.from({ length: count }, (_, i) => {
    const final = i === count - 1
    return { start: i * frameLength, length: final ? n - i * frameLength : frameLength, final }
  })
  return { writer, plaintext, frames, onProgress }
}

/** Footer: a u16 length and a DER ECDSA P-384 signature (SEQUENCE of two INTEGERs of up to 49 bytes). */
const MAX_FOOTER_LENGTH = 2 + 104

/**
 * The message size from which a one-buffer decrypt leaves the signature to WebCrypto's verify in
 * the thread pool even where node:crypto could hash it here: this thread already copies every
 * opened frame into the result (and, with node:crypto, opens them), and hashing too made it the
 * bottleneck. At 64 MiB, 0.87-0.97x as fast as WebCrypto's verify beside the frames; at 1 KiB
 * and 1 MiB, 1.05-1.17x as fast (bench/envelope.mjs, three runs, BENCHMARKS.md); 0.94x at 64 MiB
 * again once node:crypto opened the frames, 0.86-0.89x in two more runs of a scratch script
 * (15 alternating rounds), whose longest event-loop wait was 13-16 ms against 35-36 ms. In pieces
 * nothing is copied, so they always hash here. On this path WebCrypto's verify copies the message
 * when the call starts and the frames are read as they open: a caller that changes `ciphertext`
 * during the call (the API says not to) gets a failure or the frames as they then were.
 */
const ONE_BUFFER_POOL_VERIFY = 4 * 1024 * 1024

/** `decrypt` (`chunked` false) and `decryptToChunks` (true, the plaintext left as each frame opened it: no buffer of the whole size). */
async function decryptMessage(client: ClientConfig, keyring: unknown, ciphertextArg: unknown, optionsArg: unknown, chunked: false, thread: boolean): Promise<{ plaintext: Uint8Array; messageHeader: MessageHeader }>
async function decryptMessage(client: ClientConfig, keyring: unknown, ciphertextArg: unknown, optionsArg: unknown, chunked: true, thread: boolean): Promise<{ chunks: Uint8Array<ArrayBuffer>[]; byteLength: number; messageHeader: MessageHeader }>
async function decryptMessage(client: ClientConfig, keyring: unknown, ciphertextArg: unknown, optionsArg: unknown, chunked: boolean, thread: boolean): Promise<{ plaintext: Uint8Array; messageHeader: MessageHeader } | { chunks: Uint8Array<ArrayBuffer>[]; byteLength: number; messageHeader: MessageHeader }> {
  const cmm = materialsManager(keyring)
  const ciphertext = bytesArgument(ciphertextArg, 'ciphertext')
  const o = decryptOptions(optionsArg, client)
  try {
    // The same limits as a stream: the header's length is learned before it is parsed.
    const headerLength = new HeaderScanner(o).push(ciphertext)
    malformed(headerLength !== undefined, 'the header is truncated')
    const parsed = parseHeader(ciphertext.subarray(0, headerLength), o.maxEncryptedDataKeys)
    if (o.forbidSignedMessages && parsed.suite.signature) throw new Refused('signed message forbidden')
    const reader = await openMessage(cmm, parsed, client.commitmentPolicy, o.reproducedEncryptionContext)
    const r = new Reader(ciphertext, parsed.length)
    const frames: ParsedFrame[] = []
    /** Where each frame ends in the message: the bytes a signature hashes as the frames open. */
    const frameEnds: number[] = []
    // Each frame's content is a view of the ciphertext (parseFrame takes its bytes), so `total`,
    // the plaintext allocated below, never exceeds the input whatever its length fields say.
    let total = 0
    if (parsed.header.contentType === ContentType.FRAMED_DATA) {
      for (let seq = 1; ; seq++) {
        if (seq === SEQUENCE_NUMBER_END) throw new Malformed('too many frames')
        const frame = parseFrame(r, parsed.header.frameLength, seq, o.maxBodySize - total)
        total += frame.contentLength
        frames.push(frame)
        frameEnds.push(r.offset)
        if (frame.final) break
      }
    } else {
      const frame = parseNonFramed(r, o.maxBodySize)
      total = frame.contentLength
      frames.push(frame)
      frameEnds.push(r.offset)
    }
    const bodyEnd = r.offset
    const signature = reader.verifier ? parseFooter(r) : undefined
    if (r.remaining !== 0) throw new Malformed('trailing bytes after the message')

    const plaintext = chunked ? new Uint8Array(0) : new Uint8Array(total)
    const chunks: Uint8Array<ArrayBuffer>[] = chunked ? new Array<Uint8Array<ArrayBuffer>>(frames.length) : []
    const offsets: number[] = []
    for (let i = 0, at = 0; i < frames.length; at += frames[i]!.contentLength, i++) offsets.push(at)
    let done = 0
    // Where the runtime verifies natively and incrementally (node:crypto), this thread hashes
    // the header, then each frame's bytes in the same step as they are read to be opened
    // (`beforeRead`: what is hashed is what is opened), in message order (mapLimit starts frames
    // in order, and frames waiting for the event loop resume in order; out of order fails), and
    // OpenSSL verifies the digest: in pieces, and in one buffer below ONE_BUFFER_POOL_VERIFY.
    // Otherwise WebCrypto verifies the whole message beside the frames: in browsers its one-shot
    // verify beats an incremental hash with @noble/curves, whose verify alone takes milliseconds.
    // A large message in frames of 64 KiB to 1 MiB, into one buffer, is hashed by the hashing
    // thread where one is online (crypto/hashThread.ts): each frame's bytes are copied, in the
    // same step as they are read to be opened, and the copy goes to the thread, which verifies
    // at the end.
    const threaded =
      thread && reader.verifier && parsed.header.contentType === ContentType.FRAMED_DATA && threadWorthIt(bodyEnd, parsed.header.frameLength) && (await nativeSigning())
        ? await reader.verifier.threaded()
        : undefined
    const hashing = !threaded && reader.verifier && (chunked || bodyEnd < ONE_BUFFER_POOL_VERIFY) && (await nativeSigning()) ? await reader.verifier.incremental() : undefined
    const batches = threaded && toThread(threaded)
    /** Copies the thread handed back, by length, for the next frames: memory already touched. */
    const spare = new Map<number, Uint8Array<ArrayBuffer>[]>()
    const reuse = ([copy]: Uint8Array<ArrayBuffer>[]) => {
      const same = spare.get(copy!.byteLength) ?? []
      same.push(copy!)
      spare.set(copy!.byteLength, same)
    }
    let hashed = 0
    const hashThrough = (end: number) => {
      const bytes = ciphertext.subarray(hashed, end)
      hashed = end
      if (!batches) return void hashing!.update(bytes)
      const copy = spare.get(bytes.byteLength)?.pop() ?? new Uint8Array(bytes.byteLength)
      copy.set(bytes)
      batches.push([copy], reuse)
    }
    let nextToHash = 0
    const hashFrame = (i: number) => () => {
      if (i !== nextToHash++) throw new Malformed('frames read out of order')
      hashThrough(frameEnds[i]!)
    }
    const hashHere = !!(hashing || threaded)
    if (hashHere) hashThrough(parsed.length) // the header, as it was parsed
    let threadJobEnded = false
    try {
      const [verified] = await Promise.all([
        reader.verifier && !hashHere ? reader.verifier.verify(ciphertext.subarray(0, bodyEnd), signature!) : Promise.resolve(true),
        mapLimit(frames, CONCURRENCY, async (frame, i) => {
          const opened = await reader.openFrame(frame, hashHere ? hashFrame(i) : undefined)
          if (chunked) chunks[i] = opened
          else plaintext.set(opened, offsets[i]!)
          await threaded?.room() // before its progress, as encrypt: a thread that ended stops it here
          done += frame.contentLength
          o.onProgress?.(done, total)
        }),
      ])
      if (hashing) {
        hashThrough(bodyEnd)
        if (!hashing.verify(signature!)) throw new Malformed('signature does not verify')
      }
      if (threaded) {
        hashThrough(bodyEnd)
        await batches!.settled()
        threadJobEnded = true // the job ends with the verify, whatever it says
        if (!(await threaded.verify(signature!))) throw new Malformed('signature does not verify')
      }
      if (!verified) throw new Malformed('signature does not verify')
    } catch (e) {
      if (!threadJobEnded) threaded?.abandon()
      throw e
    }
    if (chunked) return { chunks, byteLength: total, messageHeader: reader.messageHeader }
    return { plaintext, messageHeader: reader.messageHeader }
  } catch (cause) {
    if (cause instanceof DecryptionError || threadFailed(cause)) throw cause // the thread's: made again here
    throw new DecryptionError(checkOfTheMessage(cause) ? undefined : { cause })
  }
}
