/**
 * Streaming encrypt and decrypt over WHATWG streams: each returns a `{ readable, writable }`
 * pair for `pipeThrough`, plus `messageHeader`, a promise of the header once it is written
 * (encrypt) or authenticated (decrypt). Up to IN_FLIGHT frames are sealed or opened at once
 * (WebCrypto works off the streaming thread, so a stream uses more than one core) and come out
 * in message order. Memory stays bounded by about IN_FLIGHT + 1 frames plus the stream's
 * queues, whatever the message size; decrypt checks every length field before it
 * buffers what the field announces (the header against maxHeaderLength, a frame against
 * maxBodySize), so a hostile message cannot make it hold more.
 *
 * What streaming decrypt releases, and when (client-apis/decrypt.md):
 * - nothing before the header's authentication tag verifies;
 * - each frame's plaintext once that frame's tag verifies and every frame before it was released;
 * - for signed suites (0x0214, 0x0346, 0x0378, 0x0578), the final frame's plaintext only after
 *   the signature verifies. Regular frames released before then are authenticated, but could
 *   have been written by anyone able to decrypt the data key; the stream errors at the end if
 *   the signature fails. Set `waitForSignature: true` to hold all plaintext until the
 *   signature verifies (memory then grows with the message).
 * A stream that ends before the final frame (and footer) errors: a truncated message never
 * ends cleanly.
 */
import { ByteQueue } from './byteQueue.js'
import { DecryptionError } from './errors.js'
import { parseFooter, parseFrame, parseNonFramed, serializeFooter, serializeFrameHeader, SEQUENCE_NUMBER_END } from './format/body.js'
import { ContentType, HeaderScanner, parseHeader, type MessageHeader } from './format/header.js'
import { checkOfTheMessage, Incomplete, Malformed, Reader, Refused } from './format/reader.js'
import { beginMessage, InOrder, openMessage, type MessageReader, type MessageWriter } from './message.js'
import { decryptOptions, encryptOptions, integerOption, materialsManager, optionsObject, type ClientConfig } from './options.js'

/** Frames sealed or opened at once: enough to keep two cores busy, few enough to bound memory. */
const IN_FLIGHT = 4

/**
 * What `encryptStream` and `decryptStream` return (client-apis/streaming.md): a
 * `{ readable, writable }` pair for `pipeThrough`, and the message's header as a promise. A
 * failure errors both ends of the pair, and rejects `messageHeader` when it comes before the
 * header was written (encrypt) or authenticated (decrypt).
 *
 * @example
 * ```ts
 * import { buildClient, RawAesKeyring } from '@webkms/core/envelope'
 *
 * const keyring = new RawAesKeyring({ keyNamespace: 'app', keyName: 'k1', wrappingKey: crypto.getRandomValues(new Uint8Array(32)) })
 * const { readable, writable, messageHeader } = buildClient().encryptStream(keyring, { encryptionContext: { tenant: 'acme' } })
 * const written = new Blob(['part 1, ', 'part 2']).stream().pipeTo(writable)
 * console.log((await messageHeader).encryptedDataKeys.length) // 1
 * const message = new Uint8Array(await new Response(readable).arrayBuffer())
 * await written
 * ```
 */
export interface MessageStream {
  /** The message (encrypt) or the plaintext (decrypt), in order. */
  readable: ReadableStream<Uint8Array>
  /** Takes the plaintext (encrypt) or the message (decrypt) as `Uint8Array` chunks, each copied as it is written. */
  writable: WritableStream<Uint8Array>
  /** The header: rejects if the stream fails before it is written or authenticated. */
  messageHeader: Promise<MessageHeader>
}

function deferred<T>() {
  let resolve!: (v: T) => void
  let reject!: (e: unknown) => void
  const promise = new Promise<T>((res, rej) => {
    resolve = res
    reject = rej
  })
  promise.catch(() => undefined) // the stream reports the error too; don't make it unhandled
  return { promise, resolve, reject }
}

/**
 * The pair's writable, through which `messageHeader` hears of an end it would otherwise never
 * see: the writable aborted (a source that failed in `pipeThrough`), or the readable cancelled (a
 * reader that gave up: that errors the writable). A header not written or authenticated by then
 * never will be, so it rejects with the reason. WHATWG Streams' `transformer.cancel` would say
 * so too, but Chromium does not call it; the writer's `closed` tells every runtime. The pair's
 * errors reach this writable at once, as they reached the transform's own: a `pipeThrough`
 * then cancels its source, even one that has nothing more to write.
 */
function writableThatTells(transform: TransformStream<Uint8Array, Uint8Array>, onEnd: (reason: unknown) => void): WritableStream<Uint8Array> {
  const writer = transform.writable.getWriter()
  return new WritableStream<Uint8Array>({
    start(controller) {
      writer.closed.catch((reason: unknown) => {
        onEnd(reason)
        controller.error(reason)
      })
    },
    write: (chunk) => writer.write(chunk),
    close: () => writer.close(),
    abort: (reason) => writer.abort(reason),
  })
}

function chunkOf(chunk: unknown): Uint8Array {
  if (!(chunk instanceof Uint8Array)) throw new TypeError('stream chunks expected Uint8Array')
  return chunk
}

export function encryptStream(client: ClientConfig, keyring: unknown, optionsArg: unknown): MessageStream {
  const cmm = materialsManager(keyring)
  const { encryptionContext, suiteId, frameLength, maxEncryptedDataKeys, onProgress } = encryptOptions(optionsArg, client)
  const { plaintextLength: length } = optionsObject(optionsArg)
  const plaintextLength = length === undefined ? undefined : integerOption(length, 'plaintextLength', 0, Number.MAX_SAFE_INTEGER, 0)
  const header = deferred<MessageHeader>()
  const queue = new ByteQueue()
  let writer: MessageWriter
  let hash: { update(b: Uint8Array): void; sign(): Uint8Array } | undefined
  let sequenceNumber = 1
  let taken = 0
  let done = 0
  // Sealed concurrently; emitted (and so hashed) in message order.
  const sealing = new InOrder()

  const emit = (controller: TransformStreamDefaultController<Uint8Array>, bytes: Uint8Array) => {
    hash?.update(bytes)
    controller.enqueue(bytes)
  }
  const seal = (controller: TransformStreamDefaultController<Uint8Array>, final: boolean, plaintext: Uint8Array) => {
    if (sequenceNumber === SEQUENCE_NUMBER_END) throw new RangeError('the message would need more than 2^32 - 2 frames: use a larger frameLength')
    const seq = sequenceNumber++
    const length = plaintext.byteLength
    taken += length
    sealing.add(writer.seal(seq, final, plaintext), (sealed) => {
      // The frame goes out as its fields and the sealed pieces, each a chunk: no copy to join them.
      emit(controller, serializeFrameHeader(seq, final, length))
      for (const piece of sealed) emit(controller, piece)
      done += length
      onProgress?.(done, plaintextLength)
    })
  }

  const transform = new TransformStream<Uint8Array, Uint8Array>({
    async start(controller) {
      try {
        writer = await beginMessage(cmm, {
          encryptionContext,
          commitmentPolicy: client.commitmentPolicy,
          ...(suiteId !== undefined ? { suiteId } : {}),
          frameLength,
          maxEncryptedDataKeys,
          ...(plaintextLength !== undefined ? { plaintextLength } : {}),
          random: client.random,
        })
      } catch (error) {
        header.reject(error)
        throw error
      }
      hash = await writer.signer?.incremental()
      emit(controller, writer.head)
      header.resolve(writer.messageHeader)
    },
    async transform(chunk, controller) {
      const bytes = chunkOf(chunk)
      // Before anything of it is sealed (client-apis/encrypt.md: past the Plaintext Length Bound
      // the operation "MUST immediately fail"): no frame of a too-long stream goes out.
      if (plaintextLength !== undefined && taken + queue.length + bytes.byteLength > plaintextLength) throw new RangeError('the stream is longer than "plaintextLength"')
      // A copy: the caller may reuse its buffer once the write resolves.
      queue.push(bytes.slice())
      // Keep back the last frame's worth: only the end of the input says which frame is final.
      while (queue.length > frameLength) {
        seal(controller, false, queue.take(frameLength))
        // Backpressure: the write resolves with at most IN_FLIGHT frames still being sealed.
        await sealing.wait(IN_FLIGHT)
      }
    },
    async flush(controller) {
      if (plaintextLength !== undefined && taken + queue.length !== plaintextLength) throw new RangeError('the stream is shorter than "plaintextLength"')
      seal(controller, true, queue.take(queue.length))
      await sealing.wait(0)
      if (hash) controller.enqueue(serializeFooter(hash.sign()))
    },
  })
  return { readable: transform.readable, writable: writableThatTells(transform, header.reject), messageHeader: header.promise }
}

export function decryptStream(client: ClientConfig, keyring: unknown, optionsArg: unknown): MessageStream {
  const cmm = materialsManager(keyring)
  const o = decryptOptions(optionsArg, client)
  const header = deferred<MessageHeader>()
  const queue = new ByteQueue()
  // Memory stays linear in maxHeaderLength and IN_FLIGHT + 1 frames (see HeaderScanner and parseFrame):
  // the header's length is learned from its length fields as bytes arrive, and a frame's
  // length is checked against maxBodySize as soon as it is read, before its content is buffered.
  const scanner = new HeaderScanner(o)
  let state: 'header' | 'body' | 'footer' | 'done' = 'header'
  let needed = 0
  let reader: MessageReader
  let hash: { update(b: Uint8Array): void; verify(sig: Uint8Array): boolean } | undefined
  let signature: Uint8Array | undefined
  let sequenceNumber = 1
  let total = 0
  let released = 0
  const held: Uint8Array[] = []
  // Opened concurrently; each plaintext released once its own tag verified and every frame
  // before it was released (client-apis/decrypt.md), never out of order.
  const opening = new InOrder()

  /** Parses and decrypts whatever the queued bytes allow. */
  async function pump(controller: TransformStreamDefaultController<Uint8Array>): Promise<void> {
    for (;;) {
      if (state === 'header') {
        // Parsed once, when all of it is here.
        const length = scanner.length
        if (length === undefined || queue.length < length) return
        const bytes = queue.peekAll().subarray(0, length)
        const parsed = parseHeader(bytes, o.maxEncryptedDataKeys)
        if (o.forbidSignedMessages && parsed.suite.signature) throw new Refused('signed message forbidden')
        reader = await openMessage(cmm, parsed, client.commitmentPolicy, o.reproducedEncryptionContext)
        hash = await reader.verifier?.incremental()
        hash?.update(bytes)
        queue.consume(length)
        state = 'body'
        header.resolve(reader.messageHeader)
        continue
      }
      if (queue.length < needed) return
      const bytes = queue.peekAll()
      const r = new Reader(bytes)
      try {
        if (state === 'body') {
          const framed = reader.messageHeader.contentType === ContentType.FRAMED_DATA
          if (framed && sequenceNumber === SEQUENCE_NUMBER_END) throw new Malformed('too many frames')
          const budget = o.maxBodySize - total
          const frame = framed ? parseFrame(r, reader.messageHeader.frameLength, sequenceNumber, budget) : parseNonFramed(r, budget)
          total += frame.contentLength
          // The frame's bytes are a view of the queue's own chunks, which nothing writes again,
          // so the queue may drop them while the frame is being opened.
          opening.add(reader.openFrame(frame), (plaintext) => {
            // A signed message's last plaintext waits for the signature (client-apis/decrypt.md).
            if (hash && (o.waitForSignature || frame.final)) held.push(plaintext)
            else controller.enqueue(plaintext)
            released += frame.contentLength
            o.onProgress?.(released)
          })
          hash?.update(bytes.subarray(0, frame.length))
          queue.consume(frame.length)
          sequenceNumber++
          if (frame.final) state = hash ? 'footer' : 'done'
          // Backpressure: the write resolves with at most IN_FLIGHT frames still being opened.
          await opening.wait(IN_FLIGHT)
        } else if (state === 'footer') {
          signature = parseFooter(r).slice()
          queue.consume(r.offset)
          state = 'done'
        } else {
          if (queue.length > 0) throw new Malformed('trailing bytes after the message')
          return
        }
        needed = 0
      } catch (error) {
        if (error instanceof Incomplete) {
          needed = error.needed
          return
        }
        throw error
      }
    }
  }

  const fail = (error: unknown): never => {
    const e = error instanceof DecryptionError ? error : new DecryptionError(checkOfTheMessage(error) ? undefined : { cause: error })
    header.reject(e)
    throw e
  }

  const transform = new TransformStream<Uint8Array, Uint8Array>({
    async transform(chunk, controller) {
      try {
        const bytes = chunkOf(chunk).slice()
        queue.push(bytes)
        if (state === 'header') scanner.push(bytes)
        await pump(controller)
      } catch (error) {
        fail(error)
      }
    },
    async flush(controller) {
      try {
        await opening.wait(0)
        if (state !== 'done') throw new Malformed('the message is truncated')
        if (hash && !hash.verify(signature!)) throw new Malformed('signature does not verify')
        for (const p of held) controller.enqueue(p)
      } catch (error) {
        fail(error)
      }
    },
  })
  return { readable: transform.readable, writable: writableThatTells(transform, header.reject), messageHeader: header.promise }
}
