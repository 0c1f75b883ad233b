/**
 * A `worker_threads` thread that hashes and signs (or verifies) large signed messages while
 * this thread seals (or opens) their frames: Node only, loaded on demand.
 *
 * Why: a signed message's signature covers every byte of it (data-format/message-footer.md),
 * and SHA-384 runs at ~1.2 GB/s here: ~55 ms for 64 MiB, more than sealing its frames (~20 ms
 * with node:crypto) and copying them into one result (~25 ms of page faults) together. Hashed
 * on this thread, they add up; hashed on a second core, the call takes about as long as the
 * hash (bench/signed-floor.mjs, bench/envelope.mjs, BENCHMARKS.md).
 *
 * What the thread is given: the message's bytes (ciphertext, public once the message is sent)
 * and, to sign, the message's own ECDSA key, made for this one message (signature.ts). It never
 * sees a data key or plaintext.
 *
 * Its life: started the first time a large signed message asks for it, and used from the next
 * one (the message that started it hashes here: a caller never waits for a thread to start).
 * It holds the process open only while it has work (`ref` while busy, `unref` when idle). If it
 * dies, what it owed rejects with a marked error (`hashThreadFailed`), the client makes those
 * calls again hashing here (client.ts), and the next large message starts another thread; after
 * MAX_STARTS failures, or once it refuses what it is sent (a refusal would come again), messages
 * hash here for the life of the process. Where it cannot start (a runtime without
 * `worker_threads`, or one core, or a runtime that refuses `eval`), messages hash here.
 *
 * Memory: at most IN_FLIGHT bytes of a message wait for the thread before its caller does.
 */

/** `node:worker_threads`' Worker: what this module uses of it. */
interface WorkerLike {
  postMessage(value: unknown, transfer?: ArrayBuffer[]): void
  on(event: 'message' | 'error' | 'exit' | 'online', listener: (value: never) => void): unknown
  ref(): void
  unref(): void
  terminate(): Promise<number>
}
type WorkerConstructor = new (source: string, options: { eval: true; name?: string }) => WorkerLike

/**
 * The thread's code (CommonJS, as `eval` workers run it): one incremental node:crypto Sign or
 * Verify per job, fed in the order the bytes arrive. Every message is answered: pieces moved here
 * go back as soon as they are hashed (the caller reuses or drops them, and counts what is left).
 */
const SOURCE = `'use strict'
const { parentPort } = require('node:worker_threads')
const { createSign, createVerify } = require('node:crypto')
const jobs = new Map()
parentPort.on('message', (m) => {
  if (m.begin) {
    try {
      jobs.set(m.id, { hash: m.begin === 'sign' ? createSign(m.hash) : createVerify(m.hash) })
    } catch (e) {
      jobs.set(m.id, { error: String(e && e.message) })
    }
    return
  }
  if (m.drop) return void jobs.delete(m.id)
  const job = jobs.get(m.id) || { error: 'no such job' }
  if (!m.pieces) jobs.delete(m.id)
  try {
    if (job.error) throw new Error(job.error)
    if (m.pieces) {
      for (const piece of m.pieces) job.hash.update(piece)
      parentPort.postMessage({ id: m.id, back: m.back.map((i) => m.pieces[i]) }, m.back.map((i) => m.pieces[i].buffer))
    } else if (m.sign) {
      parentPort.postMessage({ id: m.id, signature: job.hash.sign({ key: m.sign, dsaEncoding: 'der' }) })
    } else {
      parentPort.postMessage({ id: m.id, verified: job.hash.verify({ key: m.verify, dsaEncoding: 'der' }, m.signature) })
    }
  } catch (e) {
    job.error = job.error || String(e && e.message)
    // Every message gets its reply: the error, for this job from now on.
    parentPort.postMessage({ id: m.id, error: job.error })
  }
})`

/** Pieces at least this long are moved to the thread (transferred), not copied. */
const TRANSFER_FROM = 16 * 1024
/** Failed threads after which messages hash on this thread for the life of the process. */
const MAX_STARTS = 3

interface Pending {
  resolve(value: unknown): void
  reject(error: Error): void
}

interface Thread {
  worker: WorkerLike
  online: boolean
  /** Failed or stopped: asks reject at once. */
  ended: boolean
  /** Replies awaited, by job id: in the order asked (the thread answers each job in order). */
  waiting: Map<number, Pending[]>
  /** Replies awaited in all: the worker holds the process open while there are any. */
  busy: number
}

/**
 * The thread's failures are marked so that the client can tell them from the message's: a call
 * whose thread failed is made again with the hash on the calling thread (client.ts).
 */
const failure = (message: string) => Object.assign(new Error(message), { hashThreadFailed: true as const })

let thread: Thread | undefined
let failures = 0
let nextId = 1

function workerConstructor(): WorkerConstructor | undefined {
  const runtime = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process
  try {
    const os = runtime?.getBuiltinModule?.('node:os') as { availableParallelism?: () => number } | undefined
    // One core: the thread would only take turns with this one.
    if (typeof os?.availableParallelism === 'function' && os.availableParallelism() < 2) return undefined
    const module = runtime?.getBuiltinModule?.('node:worker_threads') as { Worker?: unknown } | undefined
    return typeof module?.Worker === 'function' ? (module.Worker as WorkerConstructor) : undefined
  } catch {
    return undefined
  }
}

/**
 * Ends a thread: every reply it owed rejects (their bytes were there), and the next message may
 * start another. `forGood`: a refusal that would come again (the thread or the runtime refused
 * what it was sent), so messages hash here from now on.
 */
function fail(dead: Thread, why: string, forGood = false) {
  if (forGood) failures = MAX_STARTS
  if (dead.ended) return
  dead.ended = true
  if (thread === dead) thread = undefined
  if (!dead.online || dead.waiting.size > 0) failures++
  const error = failure(`the hashing thread ended: ${why}`)
  for (const replies of dead.waiting.values()) for (const pending of replies) pending.reject(error)
  dead.waiting.clear()
  dead.busy = 0
  dead.worker.unref()
  void dead.worker.terminate().catch(() => undefined)
}

function start(): void {
  const Worker = workerConstructor()
  if (!Worker) {
    failures = MAX_STARTS
    return
  }
  let worker: WorkerLike
  try {
    worker = new Worker(SOURCE, { eval: true, name: 'webkms message hash' })
  } catch {
    failures = MAX_STARTS // this runtime will not start one
    return
  }
  const started: Thread = { worker, online: false, ended: false, waiting: new Map(), busy: 0 }
  thread = started
  worker.unref()
  worker.on('online', () => void (started.online = true))
  worker.on('message', (reply: { id: number; error?: string }) => {
    const replies = started.waiting.get(reply.id)
    const pending = replies?.shift()
    if (!pending) return
    if (replies!.length === 0) started.waiting.delete(reply.id)
    if (--started.busy === 0) worker.unref()
    if (reply.error === undefined) return pending.resolve(reply)
    pending.reject(failure(`the hashing thread refused: ${reply.error}`))
    fail(started, 'it refused a message', true)
  })
  worker.on('error', (e: Error) => fail(started, e?.message ?? String(e)))
  worker.on('exit', (code: number) => fail(started, `exit code ${code}`))
}

function ask<T>(on: Thread, id: number, message: unknown, transfer: ArrayBuffer[] = []): Promise<T> {
  if (on.ended) return Promise.reject(failure('the hashing thread ended'))
  const reply = new Promise<T>((resolve, reject) => {
    const replies = on.waiting.get(id) ?? []
    replies.push({ resolve: resolve as (value: unknown) => void, reject })
    on.waiting.set(id, replies)
  })
  if (on.busy++ === 0) on.worker.ref()
  post(on, message, transfer)
  return reply
}

/** Posts to the thread; a runtime that cannot send it (a DataCloneError) ends the thread for good. */
function post(on: Thread, message: unknown, transfer: ArrayBuffer[] = []): void {
  try {
    on.worker.postMessage(message, transfer)
  } catch (e) {
    fail(on, `a message could not be sent: ${(e as Error)?.message}`, true)
  }
}

const movable = (piece: Uint8Array): piece is Uint8Array<ArrayBuffer> =>
  piece.byteLength >= TRANSFER_FROM && piece.byteOffset === 0 && piece.byteLength === piece.buffer.byteLength && piece.buffer instanceof ArrayBuffer

/** One message's hash in the thread: fed in message order, then signed or verified there. */
export interface ThreadHash {
  /**
   * Hashes `pieces`, after everything fed before. Pieces of their own buffer of 16 KiB or more
   * are moved to the thread (the caller's views are empty); other pieces are copied. With
   * `handBack` (default), moved pieces come back once hashed: the promise gives the pieces as
   * they then are. Without, the thread drops them (a caller that copied them already), and
   * this thread's collector never sees them again.
   */
  update(pieces: readonly Uint8Array[], handBack?: boolean): Promise<Uint8Array<ArrayBuffer>[]>
  /**
   * Undefined while fewer than IN_FLIGHT bytes are with the thread; else a promise that settles
   * once that many are hashed (the caller waits before producing more: what the thread has not
   * hashed yet is memory held).
   */
  room(): Promise<void> | undefined
  /** The DER signature of everything fed, with `key` (a node:crypto KeyObject of the message's private key). */
  sign(key: unknown): Promise<Uint8Array>
  /** Whether `derSignature` verifies over everything fed, with `key` (a KeyObject of the public key). */
  verify(key: unknown, derSignature: Uint8Array): Promise<boolean>
  /** Drops the job without a signature (its message failed): the thread forgets its hash. */
  abandon(): void
}

/** Bytes one message may have with the thread, not yet hashed, before its caller waits (~7 ms of hashing). */
const IN_FLIGHT = 8 * 1024 * 1024

/**
 * A hash job in the thread when one is running and online; otherwise undefined (start one, for
 * later messages, where none is and the runtime can). `hash`: node:crypto's name.
 */
export function threadHash(kind: 'sign' | 'verify', hash: 'sha256' | 'sha384'): ThreadHash | undefined {
  if (!thread) {
    if (failures < MAX_STARTS) start()
    return undefined
  }
  if (!thread.online) return undefined
  const on = thread
  const id = nextId++
  post(on, { id, begin: kind, hash })
  if (on.ended) return undefined
  let inFlight = 0
  /** Dropped: frames still in flight when their message failed are not sent (the thread has forgotten the job). */
  let dropped = false
  let roomMade: (() => void) | undefined
  let roomWaited: Promise<void> | undefined
  return {
    async update(pieces, handBack = true) {
      if (dropped) return [...pieces] as Uint8Array<ArrayBuffer>[]
      const moved: number[] = []
      // A view is copied down to its own bytes: posting it would copy its whole buffer.
      const posted = pieces.map((piece, i) => (movable(piece) ? (moved.push(i), piece) : new Uint8Array(piece)))
      const bytes = posted.reduce((sum, piece) => sum + piece.byteLength, 0)
      inFlight += bytes
      try {
        const { back } = await ask<{ back: Uint8Array<ArrayBuffer>[] }>(on, id, { id, pieces: posted, back: handBack ? moved : [] }, moved.map((i) => posted[i]!.buffer as ArrayBuffer))
        if (!handBack) return [...pieces] as Uint8Array<ArrayBuffer>[]
        const given = [...pieces] as Uint8Array<ArrayBuffer>[]
        moved.forEach((at, i) => (given[at] = back[i]!))
        return given
      } finally {
        inFlight -= bytes
        if (inFlight < IN_FLIGHT && roomMade) {
          roomMade()
          roomMade = roomWaited = undefined
        }
      }
    },
    room() {
      if (inFlight < IN_FLIGHT) return undefined
      roomWaited ??= new Promise<void>((resolve) => (roomMade = resolve))
      return roomWaited
    },
    async sign(key) {
      return new Uint8Array((await ask<{ signature: Uint8Array }>(on, id, { id, sign: key })).signature)
    },
    async verify(key, derSignature) {
      // A copy of its own bytes: the signature is often a view of the whole message.
      return (await ask<{ verified: boolean }>(on, id, { id, verify: key, signature: new Uint8Array(derSignature) })).verified
    },
    abandon() {
      if (dropped) return
      dropped = true
      if (!on.ended) post(on, { id, drop: true })
    },
  }
}

/** Tests: starts the thread if none is running and resolves once it is online (false where it cannot start). */
export async function hashThreadOnline(): Promise<boolean> {
  if (!thread && failures < MAX_STARTS) start()
  const starting = thread
  if (!starting) return false
  if (starting.online) return true
  return new Promise((resolve) => {
    starting.worker.on('online', () => resolve(true))
    starting.worker.on('exit', () => resolve(false))
  })
}

/** Tests: ends the thread as a crash would (its callers reject), and forgets past failures. */
export async function stopHashThread(forgetFailures = true): Promise<void> {
  const running = thread
  if (running) {
    fail(running, 'stopped')
    await running.worker.terminate()
  }
  if (forgetFailures) failures = 0
}
