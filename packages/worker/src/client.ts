/**
 * The page side: `createWorkerKms({ worker })` returns a typed client with the same method
 * shapes as the engine (`client.encrypt` is KMS Encrypt), plus the envelope SDK under names of
 * its own (`encryptMessage`, `decryptMessage` and their stream forms) whose data keys never
 * leave the worker. Errors arrive with their class and code (errorTransfer.ts).
 *
 * Buffers you pass are copied to the worker by default; to move a large one instead, wrap it:
 * `client.encryptMessage(transfer(bytes, [bytes.buffer]), options)` (your `bytes` is then
 * detached). Buffers coming back are always moved, never copied.
 *
 * `client.as(caller)` is the same client with every call made (and audited) as `caller` in
 * the worker: the caller travels with each call (protocol.ts, CallContext), so the worker
 * holds no state per view.
 */
import { InsecureContextError, resolveCaller, WEBKMS_ENGINE, type Caller, type Kms, type MessageHeader, type RecoveryBundle, type RestoreResult, type AuditVerification, type VerifyAuditLogOptions } from '@webkms/core'
import { proxy, releaseProxy, wrap, type Endpoint, type Remote } from 'comlink'
import { mapStreamError, mapWritableError, registerErrorTransfer, reviveError } from './errorTransfer.js'
import type { CallContext, DecryptMessageOptions, EncryptMessageOptions, InitOptions, Progress, StoreInfo, WorkerApi } from './protocol.js'

export interface MessageStreamPair {
  readable: ReadableStream<Uint8Array>
  writable: WritableStream<Uint8Array>
  messageHeader: Promise<MessageHeader>
}

/** The engine's operations and its other methods, all run in the worker. */
export interface WorkerKms extends Omit<Kms, 'as'> {
  /** Where the keys are and whether the browser promised to keep them. */
  readonly store: StoreInfo
  /**
   * The same client (same worker, same engine), every call made and audited as `caller`: the
   * KMS operations, `exportAuditLog`, `explain` (its default caller), `findings`, the identity
   * policy methods and the envelope methods (their keyring calls the engine as `caller`).
   * `kms.as(a).as(b)` calls as b. An invalid caller throws core's TypeError at once, as
   * core's `kms.as` does.
   */
  as(caller: Caller): WorkerKms
  encryptMessage(plaintext: Uint8Array | string, options: EncryptMessageOptions & { onProgress?: Progress }): Promise<{ result: Uint8Array; messageHeader: MessageHeader }>
  decryptMessage(ciphertext: Uint8Array, options?: DecryptMessageOptions & { onProgress?: Progress }): Promise<{ plaintext: Uint8Array; messageHeader: MessageHeader }>
  encryptMessageStream(options: EncryptMessageOptions & { plaintextLength?: number; onProgress?: Progress }): Promise<MessageStreamPair>
  decryptMessageStream(options?: DecryptMessageOptions & { onProgress?: Progress }): Promise<MessageStreamPair>
  /**
   * Rebuilds a lost store from a recovery bundle (`exportRecoveryBundle` of an engine created
   * with `recovery`), holding the recovery private key for the duration of the call only: the
   * worker opens the copies and stores non-extractable keys. Rejects with RecoveryError, having
   * written nothing, on a wrong key, a tampered bundle or keys the store already has.
   */
  restoreRecoveryBundle(bundle: RecoveryBundle, privateKey: CryptoKey): Promise<RestoreResult>
  /** Moves the engine's clock forward (a worker started with `movableClock: true`); the engine's time now. */
  advanceClock(ms: number): Promise<Date>
  /** The engine's time now. */
  clockNow(): Promise<Date>
  /** Core's `verifyAuditLog`, run in the worker, so a page needs no engine code to check an export. */
  verifyAuditLog(log: unknown, options: VerifyAuditLogOptions): Promise<AuditVerification>
  /** Stops the worker (for every view of it). Its store stays consistent whatever was in flight. */
  terminate(): void
}

export interface CreateWorkerKmsOptions extends InitOptions {
  /** The worker running '@webkms/worker/worker' (or any Comlink endpoint exposing it). */
  worker: Worker | Endpoint
}

const split = <O extends { onProgress?: Progress }>(o: O | undefined) => {
  const { onProgress, ...rest } = o ?? ({} as O)
  return [rest, onProgress ? proxy(onProgress) : undefined] as const
}

export async function createWorkerKms(options: CreateWorkerKmsOptions): Promise<WorkerKms> {
  if (!options?.worker) throw new TypeError('"worker" expected a Worker running @webkms/worker/worker')
  const g = globalThis as { isSecureContext?: boolean; crypto?: Crypto }
  if (g.isSecureContext === false || !g.crypto?.subtle) throw new InsecureContextError()
  registerErrorTransfer()
  // Only a window may ask for persistent storage; the worker reports what was granted.
  const storage = (globalThis.navigator as Navigator | undefined)?.storage
  if (typeof storage?.persist === 'function') await storage.persist().catch(() => false)
  const remote: Remote<WorkerApi> = wrap<WorkerApi>(options.worker)
  const { worker: _w, ...init } = options
  const store = await remote.init(init)

  const terminate = () => {
    remote[releaseProxy]()
    if ('terminate' in options.worker && typeof options.worker.terminate === 'function') options.worker.terminate()
  }
  return view(remote, store, terminate, undefined)
}

/** The caller as it is now: later changes to the caller's object do not change the view. */

/** A client whose calls all carry `context` (none: the engine's default caller). */
function view(remote: Remote<WorkerApi>, store: StoreInfo, terminate: () => void, context: CallContext | undefined): WorkerKms {
  /** The call's arguments, then the context when there is one (the same call as before `as` existed otherwise). */
  const args = (...a: unknown[]) => (context ? [...a, context] : a)
  const call = (method: string, ...a: unknown[]) => (remote as unknown as Record<string, (...x: unknown[]) => Promise<unknown>>)[method]!(...args(...a))

  const stream = async (method: 'encryptMessageStream' | 'decryptMessageStream', o: (EncryptMessageOptions | DecryptMessageOptions) & { onProgress?: Progress } | undefined): Promise<MessageStreamPair> => {
    const [rest, onProgress] = split(o)
    let resolve!: (h: MessageHeader) => void
    let reject!: (e: unknown) => void
    const messageHeader = new Promise<MessageHeader>((res, rej) => ((resolve = res), (reject = rej)))
    messageHeader.catch(() => undefined) // the stream itself reports the error too
    const pair = (await call(method, rest, proxy(resolve), proxy((e: unknown) => reject(reviveError(e))), onProgress)) as {
      readable: ReadableStream<Uint8Array>
      writable: WritableStream<Uint8Array>
    }
    return { readable: mapStreamError(pair.readable, reviveError), writable: mapWritableError(pair.writable, reviveError), messageHeader }
  }

  const client: Record<string | symbol, unknown> = {
    store,
    // Checked here as core's kms.as checks it (a TypeError at once); the worker checks again.
    as: (caller: Caller) => view(remote, store, terminate, { caller: resolveCaller(caller) }),
    encryptMessage: (plaintext: Uint8Array | string, o: EncryptMessageOptions & { onProgress?: Progress }) => {
      const [rest, onProgress] = split(o)
      const bytes = typeof plaintext === 'string' ? new TextEncoder().encode(plaintext) : plaintext
      return call('encryptMessage', bytes, rest, onProgress)
    },
    decryptMessage: (ciphertext: Uint8Array, o?: DecryptMessageOptions & { onProgress?: Progress }) => {
      const [rest, onProgress] = split(o)
      return call('decryptMessage', ciphertext, rest, onProgress)
    },
    encryptMessageStream: (o: EncryptMessageOptions & { onProgress?: Progress }) => stream('encryptMessageStream', o),
    decryptMessageStream: (o?: DecryptMessageOptions & { onProgress?: Progress }) => stream('decryptMessageStream', o),
    restoreRecoveryBundle: (bundle: RecoveryBundle, privateKey: CryptoKey) => remote.restoreRecoveryBundle(bundle, privateKey),
    advanceClock: (ms: number) => remote.advanceClock(ms),
    clockNow: () => remote.clockNow(),
    verifyAuditLog: (log: unknown, o: VerifyAuditLogOptions) => remote.verifyAuditLog(log, o),
    terminate,
  }
  // Every operation of the engine's table, explain and findings: one request each, the same
  // names and shapes as the engine's.
  return new Proxy(client, {
    get(target, prop) {
      if (prop === WEBKMS_ENGINE) return true
      if (prop in target || typeof prop !== 'string') return target[prop]
      if (prop === 'then') return undefined // not a thenable
      return (input: unknown) => call(prop, input)
    },
    has: (target, prop) => prop === WEBKMS_ENGINE || prop in target,
  }) as unknown as WorkerKms
}
