/**
 * The one buffer a one-shot `encrypt` or `decrypt` returns, written at known offsets as frames
 * seal or open.
 *
 * Why not just `new Uint8Array(size)`: the first write to each page of fresh memory is a page
 * fault (the kernel maps and zeroes it), ~25 ms for 64 MiB here, longer than sealing the frames
 * with node:crypto (~20 ms). Where the runtime has the message thread (crypto/messageThread.ts:
 * Node), a buffer of PREPARED_FROM to PREPARED_TO bytes is made there, its pages touched there
 * while this thread seals or opens, and moved here. What is written before it arrives waits as
 * it is (the pieces kept, not copied), up to HOLD bytes; then writers wait for it (`room`). The
 * result is an ordinary `Uint8Array` over its own `ArrayBuffer` either way. At 64 MiB an
 * unsigned encrypt into one buffer ran about 1.3-1.7x as fast (bench/envelope.mjs, BENCHMARKS.md).
 */
import { builtinModule } from '../util/nativeCrypto.js'
import { loadMessageThread } from './crypto/loadMessageThread.js'

/** Smaller buffers are made here: their faults cost less than the messages to the thread. */
const PREPARED_FROM = 4 * 1024 * 1024
/**
 * Bytes written while the thread's buffer is on its way, kept as they were given, before writers
 * wait: about what this thread seals while the thread touches 64 MiB. Bounds the memory a
 * message holds twice.
 */
const HOLD = 64 * 1024 * 1024
/**
 * Larger buffers are made here: the hold fills long before the thread's buffer arrives, and this
 * thread would wait as long as the faults take (no faster at 128 and 256 MiB, in a scratch run).
 */
const PREPARED_TO = 2 * HOLD

export class OneBuffer {
  readonly #size: number
  #bytes: Uint8Array<ArrayBuffer> | undefined
  /** Written before the buffer arrived: where, and what. */
  #held: [number, Uint8Array][] = []
  #heldBytes = 0
  /** Settles once the buffer is here and everything held is in it; never rejects. */
  readonly #arrived: Promise<void> | undefined

  /**
   * `fromThread`: the buffer may be made in the message thread. Only where nothing else of this
   * message goes there: a signed message hashed there moves the pieces it is given, so they could
   * not be held.
   */
  constructor(size: number, fromThread: boolean) {
    this.#size = size
    if (!fromThread || size < PREPARED_FROM || size > PREPARED_TO || !builtinModule('node:worker_threads')) {
      this.#bytes = new Uint8Array(size)
      return
    }
    this.#arrived = loadMessageThread()
      .then((thread) => thread?.threadBuffer(size))
      .then(
        (buffer) => this.#arrive(buffer),
        () => this.#arrive(undefined),
      )
  }

  /** The thread's buffer, or one made here (no thread online, or it could not make one). */
  #arrive(buffer: ArrayBuffer | undefined): void {
    const bytes = buffer ? new Uint8Array(buffer) : new Uint8Array(this.#size)
    for (const [at, piece] of this.#held) bytes.set(piece, at)
    this.#bytes = bytes
    this.#held = []
    this.#heldBytes = 0
  }

  /** Copies `piece` in at `at`, or keeps it until the buffer arrives: leave it unchanged. */
  write(at: number, piece: Uint8Array): void {
    if (this.#bytes) return this.#bytes.set(piece, at)
    this.#held.push([at, piece])
    this.#heldBytes += piece.byteLength
  }

  /** Undefined, or a promise to wait for before writing more: HOLD bytes wait for the buffer. */
  room(): Promise<void> | undefined {
    return this.#heldBytes >= HOLD ? this.#arrived : undefined
  }

  /** The buffer, with everything written in it. */
  async bytes(): Promise<Uint8Array<ArrayBuffer>> {
    await this.#arrived
    return this.#bytes!
  }
}
