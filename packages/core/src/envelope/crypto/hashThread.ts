/**
 * A `worker_threads` thread that hashes and signs (or verifies) a large signed message
 * encrypted or decrypted into one buffer while this thread seals (or opens) its frames, where
 * the runtime has `node:worker_threads` (Node; Deno and Bun imitate it, untested), loaded on
 * demand.
 *
 * Why: a signed message's signature covers every byte of it (data-format/message-footer.md),
 * and SHA-384 runs at ~1.2 GB/s here: ~55 ms for 64 MiB, about as much as sealing its frames
 * (~20 ms with node:crypto) and copying them into one result (~25 ms of page faults) together.
 * On one thread they add up; with the hash on a second core, a one-buffer encrypt of 64 MiB ran
 * 1.3-1.4x as fast (bench/signed-floor.mjs, bench/envelope.mjs, BENCHMARKS.md). Left in pieces
 * (no copy, so less to overlap) it gained nothing measurable, and those hash here.
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
 * Memory: once IN_FLIGHT bytes of all messages wait for the thread, their callers wait before
 * their next frame; each may have sealed or opened the frames it had in flight (up to 8 of at
 * most 1 MiB, client.ts) by then, so the bound is approximate.
 */

import { builtinModule } from '../../util/nativeCrypto.js'

/** `node:worker_threads`' Worker: what this module uses of it. */
interface WorkerLike {
  postMessage(value: unknown, transfer?: ArrayBuffer[]): void
  on(event: 'message' | 'messageerror' | 'error' | 'exit', listener: (value: never) => void): unknown
  ref(): void
  unref(): void
  terminate(): Promise<number>
}
type WorkerConstructor = new (source: string, options: { eval: true; name?: string; execArgv?: string[] }) => WorkerLike

/**
 * The thread's code (an `eval` worker: a script or a module, as the process's flags say, so it
 * reaches Node's modules through `process.getBuiltinModule`): one incremental node:crypto Sign or
 * Verify per job, fed in the order the bytes arrive. Every message is answered: pieces moved here
 * go back as soon as they are hashed (the caller reuses or drops them, and counts what is left).
 * It says `ready` once it has set up: a runtime that starts it but cannot run it never gets there.
 */
const SOURCE = `'use strict'
const { parentPort } = process.getBuiltinModule('node:worker_threads')
const { createSign, createVerify } = process.getBuiltinModule('node:crypto')
const jobs = new Map()
// A message that cannot be read would leave its caller waiting: end the thread instead.
parentPort.on('messageerror', () => process.exit(1))
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
})
parentPort.postMessage({ ready: true })`

/** Pieces at least this long are moved to the thread (transferred), not copied. */
const TRANSFER_FROM = 16 * 1024
/**
 * Threads that ended unasked, or jobs the thread refused, after which messages hash on this
 * thread for the life of the process: a failure that keeps coming back would make every large
 * message do its work twice (client.ts makes a call again when its thread fails).
 */
const MAX_STARTS = 3

interface Pending {
  resolve(value: unknown): void
  reject(error: Error): void
}

interface Thread {
  worker: WorkerLike
  /** It said it is ready. */
  online: boolean
  /** Bytes sent to be hashed, by every job, not answered yet. */
  inFlight: number
  /** Settles when inFlight falls below IN_FLIGHT (or the thread ends). */
  room?: { promise: Promise<void>; settle(): void }
  /** Jobs that got an error reply. */
  refused: Set<number>
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
/** Threads that ended unasked, and jobs refused: MAX_STARTS of them and no more threads start. */
let failures = 0
let nextId = 1

function workerConstructor(): WorkerConstructor | undefined {
  const os = builtinModule('node:os') as { availableParallelism?: () => number } | undefined
  // One core: the thread would only take turns with this one.
  if (typeof os?.availableParallelism === 'function' && os.availableParallelism() < 2) return undefined
  const module = builtinModule('node:worker_threads') as { Worker?: unknown } | undefined
  return typeof module?.Worker === 'function' ? (module.Worker as WorkerConstructor) : undefined
}

/**
 * Ends a thread: every reply it owed rejects (their bytes were there), and the next message may
 * start another. `forGood`: a refusal that would come again (the thread or the runtime refused
 * what it was sent), so messages hash here from now on.
 */
function fail(dead: Thread, why: string, { forGood = false, asked = false } = {}) {
  if (forGood) failures = MAX_STARTS
  if (dead.ended) return
  dead.ended = true
  if (thread === dead) thread = undefined
  if (!asked) failures++
  const error = failure(`the hashing thread ended: ${why}`)
  for (const replies of dead.waiting.values()) for (const pending of replies) pending.reject(error)
  dead.waiting.clear()
  dead.busy = 0
  dead.room?.settle()
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
    // No execArgv of this process (a loader, a profiler, --input-type): the thread runs only SOURCE.
    worker = new Worker(SOURCE, { eval: true, name: 'webkms message hash', execArgv: [] })
  } catch {
    failures = MAX_STARTS // this runtime will not start one
    return
  }
  const started: Thread = { worker, online: false, inFlight: 0, refused: new Set(), ended: false, waiting: new Map(), busy: 0 }
  thread = started
  worker.unref()
  worker.on('message', (reply: { id: number; ready?: true; error?: string }) => {
    if (reply.ready) return void (started.online = true)
    const replies = started.waiting.get(reply.id)
    const pending = replies?.shift()
    if (!pending) return
    if (replies!.length === 0) started.waiting.delete(reply.id)
    if (--started.busy === 0) worker.unref()
    if (reply.error === undefined) return pending.resolve(reply)
    // That job fails (its call is made again here); the thread goes on with the others.
    pending.reject(failure(`the hashing thread refused: ${reply.error}`))
    if (!started.refused.has(reply.id)) {
      started.refused.add(reply.id)
      if (++failures >= MAX_STARTS) fail(started, 'it refused too many messages', { asked: true })
    }
  })
  worker.on('messageerror', () => fail(started, 'a reply could not be read', { forGood: true }))
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
    fail(on, `a message could not be sent: ${(e as Error)?.message}`, { forGood: true })
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
   * Undefined while fewer than IN_FLIGHT bytes (of every message) are with the thread; else a
   * promise that settles once fewer are (the caller waits before producing more: what the
   * thread has not hashed yet is memory held). Rejects once the thread has ended, so a message
   * stops at its next frame.
   */
  room(): Promise<void> | undefined
  /** The DER signature of everything fed, with `key` (a node:crypto KeyObject of the message's private key). */
  sign(key: unknown): Promise<Uint8Array>
  /** Whether `derSignature` verifies over everything fed, with `key` (a KeyObject of the public key). */
  verify(key: unknown, derSignature: Uint8Array): Promise<boolean>
  /** Drops the job without a signature (its message failed): the thread forgets its hash. */
  abandon(): void
}

/** Bytes all messages together may have with the thread, not yet hashed, before their callers wait (~7 ms of hashing). */
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
  /** Dropped: frames still in flight when their message failed are not sent (the thread has forgotten the job). */
  let dropped = false
  return {
    async update(pieces, handBack = true) {
      if (dropped) return [...pieces] as Uint8Array<ArrayBuffer>[]
      const moved: number[] = []
      // A view is copied down to its own bytes: posting it would copy its whole buffer.
      const posted = pieces.map((piece, i) => (movable(piece) ? (moved.push(i), piece) : new Uint8Array(piece)))
      const bytes = posted.reduce((sum, piece) => sum + piece.byteLength, 0)
      on.inFlight += bytes
      try {
        const { back } = await ask<{ back: Uint8Array<ArrayBuffer>[] }>(on, id, { id, pieces: posted, back: handBack ? moved : [] }, moved.map((i) => posted[i]!.buffer as ArrayBuffer))
        if (!handBack) return [...pieces] as Uint8Array<ArrayBuffer>[]
        const given = [...pieces] as Uint8Array<ArrayBuffer>[]
        moved.forEach((at, i) => (given[at] = back[i]!))
        return given
      } finally {
        on.inFlight -= bytes
        if (on.inFlight < IN_FLIGHT) on.room?.settle()
      }
    },
    room() {
      if (on.ended) return Promise.reject(failure('the hashing thread ended'))
      if (on.inFlight < IN_FLIGHT) return undefined
      if (!on.room) {
        let settle!: () => void
        const promise = new Promise<void>((resolve) => (settle = resolve))
        on.room = {
          promise,
          settle: () => {
            on.room = undefined
            settle()
          },
        }
      }
      // After the wait: a thread that ended meanwhile fails the caller now, not after its last frame.
      return on.room.promise.then(() => {
        if (on.ended) throw failure('the hashing thread ended')
      })
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
  starting.worker.ref() // the caller waits for it: it holds the process open until it is ready
  const ready = await new Promise<boolean>((resolve) => {
    starting.worker.on('message', (m: { ready?: true }) => m?.ready && resolve(true))
    starting.worker.on('exit', () => resolve(false))
  })
  if (starting.busy === 0) starting.worker.unref()
  return ready
}

/**
 * Tests: ends the thread (what it owed rejects). With `forgetFailures` (default) past failures
 * are forgotten; without, this counts as one, as a crash would.
 */
export async function stopHashThread(forgetFailures = true): Promise<void> {
  const running = thread
  if (running) {
    fail(running, 'stopped', { asked: forgetFailures })
    await running.worker.terminate()
  }
  if (forgetFailures) failures = 0
}
