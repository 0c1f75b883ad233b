/**
 * Errors keep their class, `name`, `code` and message across the worker boundary. Comlink's
 * built-in handler for thrown values keeps only {message, name, stack}, so a
 * NotFoundException would arrive on the page as a plain Error; this replaces that handler
 * (on both sides) with one that carries what callers `switch` on and rebuilds the class.
 * An error's `cause` (and an AggregateError's `errors`) crosses too, a few levels deep: what
 * the engine keeps as a cause is the caller's to see (a DecryptionError keeps none for a
 * failed check of the message, errors.ts), and the developer debugging a page needs it there.
 */
import {
  DecryptionError,
  EnvelopeError,
  InsecureContextError,
  KeyringError,
  kmsErrorClasses,
  RecoveryError,
} from '@webkms/core/errors'
import { CryptoKeyStorageUnsupportedError, IndexedDbUnavailableError, KeyStoreError } from '@webkms/keystore-idb'
import { transferHandlers, type TransferHandler } from 'comlink'

/**
 * An error as it crosses the worker boundary: what callers rely on (`name`, `code`, `message`,
 * the AWS SDK's `$fault`), and the worker's stack. `registerErrorTransfer` makes and revives
 * these; nothing else needs to.
 *
 * @example
 * ```ts
 * import type { SerializedError } from '@webkms/worker'
 *
 * const wire: SerializedError = { webkmsError: true, name: 'NotFoundException', code: 'ERR_KMS_NOT_FOUND', message: 'Key not found' }
 * ```
 */
export interface SerializedError {
  /** Marks a serialized webkms error (anything else crosses as it is). */
  webkmsError: true
  name: string
  message: string
  code?: string
  $fault?: string
  stack?: string
  /** The error's `cause`, serialized the same way when it is an Error. */
  cause?: SerializedError
  /** An AggregateError's `errors`, serialized. */
  errors?: SerializedError[]
}

/** How deep causes are followed, and how many of an AggregateError's errors cross: bounded, as a cycle or a huge list may not. */
const CAUSE_DEPTH = 8
const AGGREGATED = 16

export function serializeError(value: unknown, depth = 0): SerializedError | unknown {
  if (!(value instanceof Error)) return value
  const e = value as Error & { code?: unknown; $fault?: unknown }
  const out: SerializedError = { webkmsError: true, name: e.name, message: e.message }
  if (typeof e.code === 'string') out.code = e.code
  if (typeof e.$fault === 'string') out.$fault = e.$fault
  if (e.stack) out.stack = e.stack
  if (depth < CAUSE_DEPTH) {
    if (e.cause instanceof Error) out.cause = serializeError(e.cause, depth + 1) as SerializedError
    if (e instanceof AggregateError) out.errors = e.errors.slice(0, AGGREGATED).filter((x): x is Error => x instanceof Error).map((x) => serializeError(x, depth + 1) as SerializedError)
  }
  return out
}

type Rebuild = (message: string) => Error
const classes: Record<string, Rebuild> = {
  ...Object.fromEntries(Object.entries(kmsErrorClasses).map(([name, C]) => [name, (m: string) => new C(m)])),
  DecryptionError: () => new DecryptionError(),
  KeyringError: (m) => new KeyringError(m),
  EnvelopeError: (m) => new EnvelopeError(m),
  RecoveryError: (m) => new RecoveryError(m),
  InsecureContextError: () => new InsecureContextError(),
  KeyStoreError: (m) => new KeyStoreError(m),
  CryptoKeyStorageUnsupportedError: (m) => new CryptoKeyStorageUnsupportedError(m),
  IndexedDbUnavailableError: (m) => new IndexedDbUnavailableError(m),
  TypeError: (m) => new TypeError(m),
  RangeError: (m) => new RangeError(m),
  AggregateError: (m) => new AggregateError([], m),
}

export function reviveError(value: unknown): unknown {
  const s = value as SerializedError
  if (!s || typeof s !== 'object' || s.webkmsError !== true) return value
  const rebuild = classes[s.name]
  const error = rebuild ? rebuild(s.message) : Object.assign(new Error(s.message), { name: s.name })
  if (!rebuild && s.code) Object.assign(error, { code: s.code })
  // The worker's stack says where it failed; keep it after the page's own frames.
  if (s.stack) error.stack = `${error.stack ?? ''}\n    --- in the webkms worker ---\n${s.stack}`
  // As `new Error(m, { cause })` and AggregateError define them: own, not enumerable.
  if (s.cause) Object.defineProperty(error, 'cause', { value: reviveError(s.cause), writable: true, configurable: true })
  if (Array.isArray(s.errors) && error instanceof AggregateError) {
    Object.defineProperty(error, 'errors', { value: s.errors.map(reviveError), writable: true, configurable: true })
  }
  return error
}

/**
 * A stream that passes `source`'s chunks on and, if it fails, fails with `mapError(reason)`:
 * errors of a transferred stream cross by structured clone, which keeps only the standard error
 * types, so the worker sends them serialized and the page revives them.
 */
export function mapStreamError<T>(source: ReadableStream<T>, mapError: (reason: unknown) => unknown): ReadableStream<T> {
  const reader = source.getReader()
  return new ReadableStream<T>({
    async pull(controller) {
      try {
        const { done, value } = await reader.read()
        if (done) controller.close()
        else controller.enqueue(value)
      } catch (reason) {
        controller.error(mapError(reason))
      }
    },
    cancel: (reason) => reader.cancel(reason),
  })
}

/** The writable counterpart of `mapStreamError`: writes go to `target`; its failures come out as `mapError(reason)`. */
export function mapWritableError<T>(target: WritableStream<T>, mapError: (reason: unknown) => unknown): WritableStream<T> {
  const writer = target.getWriter()
  // Once `target` has failed, its own error says why; closing it then only says "errored".
  let failure: { reason: unknown } | undefined
  const mapped = (reason: unknown) => {
    throw mapError(failure ? failure.reason : reason)
  }
  return new WritableStream<T>({
    // `target` failing fails this stream at once, with the mapped error, even between writes.
    start(controller) {
      writer.closed.catch((reason: unknown) => {
        failure = { reason }
        controller.error(mapError(reason))
      })
    },
    write: (chunk) => writer.write(chunk).catch(mapped),
    close: () => writer.close().catch(mapped),
    abort: (reason) => writer.abort(reason),
  })
}

let registered = false

/**
 * Replaces Comlink's transfer handler for thrown values with one that keeps each error's class,
 * `name`, `code`, `message` and `$fault`: a `NotFoundException` thrown in the worker is a
 * `NotFoundException` on the page. Errors of classes it does not know arrive as an `Error` with
 * their `name` and `code`. Both sides must call it; `createWorkerKms` and `@webkms/worker/worker`
 * already do. Idempotent; never throws.
 *
 * @example
 * ```ts
 * import { expose } from 'comlink'
 * import { createWorkerApi, registerErrorTransfer } from '@webkms/worker'
 *
 * registerErrorTransfer() // before expose, in a worker entry of your own
 * expose(createWorkerApi())
 * ```
 */
export function registerErrorTransfer(): void {
  if (registered) return
  registered = true
  const builtin = transferHandlers.get('throw') as TransferHandler<{ value: unknown }, unknown>
  transferHandlers.set('throw', {
    // Comlink marks thrown values with a private symbol; its own handler recognises them.
    canHandle: builtin.canHandle,
    serialize: ({ value }: { value: unknown }) => [serializeError(value), []],
    deserialize: (serialized: unknown) => {
      throw reviveError(serialized)
    },
  } as TransferHandler<unknown, unknown>)
}
