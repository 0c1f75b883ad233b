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
import type { AuditVerification, Caller, Kms, MessageHeader, RecoveryBundle, RestoreResult, VerifyAuditLogOptions } from '@webkms/core'
import { InsecureContextError } from '@webkms/core/errors'
import { resolveCaller, WEBKMS_ENGINE } from '@webkms/core/internal'
import { proxy, releaseProxy, wrap, type Endpoint, type Remote } from 'comlink'
import { mapStreamError, mapWritableError, registerErrorTransfer, reviveError } from './errorTransfer.js'
import type { CallContext, DecryptMessageOptions, EncryptMessageOptions, InitOptions, Progress, StoreInfo, WorkerApi } from './protocol.js'

/**
 * A message stream between the page and the worker (`encryptMessageStream`,
 * `decryptMessageStream`): write the input to `writable`, read the output from `readable`. Both
 * ends fail with the webkms error class that failed the work in the worker (a `DecryptionError`
 * for a message that does not authenticate).
 *
 * @example
 * ```ts
 * import type { WorkerKms } from '@webkms/worker'
 *
 * async function encryptFile(kms: WorkerKms, keyId: string, file: Blob): Promise<Blob> {
 *   const { readable, writable } = await kms.encryptMessageStream({ keyId, plaintextLength: file.size })
 *   const [, out] = await Promise.all([file.stream().pipeTo(writable), new Response(readable).blob()])
 *   return out
 * }
 * ```
 */
export interface MessageStreamPair {
  /** The output: the message (encrypting) or the plaintext (decrypting). */
  readable: ReadableStream<Uint8Array>
  /** The input: the plaintext (encrypting) or the message (decrypting). */
  writable: WritableStream<Uint8Array>
  /** Resolves once the message header is written or read; rejects as the stream fails. */
  messageHeader: Promise<MessageHeader>
}

/**
 * The page's client of a webkms worker (`createWorkerKms`): every method of core's `Kms` with the
 * same request and response shapes (`kms.encrypt` is KMS Encrypt, see the AWS KMS API reference,
 * https://docs.aws.amazon.com/kms/latest/APIReference/), run in the worker, plus the envelope SDK
 * under names of its own whose data keys never leave the worker.
 *
 * Every method returns a Promise that rejects with the same error class and `code` the worker
 * threw (`NotFoundException`, `DecryptionError`, ...: re-exported by this package), or with a
 * `TypeError`/`RangeError` for a malformed argument.
 *
 * @example
 * ```ts
 * import { AccessDeniedException, type WorkerKms } from '@webkms/worker'
 *
 * async function demo(kms: WorkerKms): Promise<void> {
 *   const { KeyMetadata } = await kms.createKey({ Description: 'orders' })
 *   const { CiphertextBlob } = await kms.encrypt({ KeyId: KeyMetadata.KeyId, Plaintext: new TextEncoder().encode('42') })
 *   const alice = kms.as({ principal: 'arn:aws:iam::111122223333:user/alice' })
 *   await alice.decrypt({ CiphertextBlob }).catch((e) => {
 *     if (e instanceof AccessDeniedException) console.log('alice may not decrypt')
 *   })
 * }
 * ```
 */
export interface WorkerKms extends Omit<Kms, 'as'> {
  /** Where the keys are and whether the browser promised to keep them. */
  readonly store: StoreInfo
  /**
   * The same client (same worker, same engine), every call made and audited as `caller`: the
   * KMS operations, `exportAuditLog`, `explain` (its default caller), `findings`, the identity
   * policy methods and the envelope methods (their keyring calls the engine as `caller`).
   * `kms.as(a).as(b)` calls as b.
   *
   * @throws TypeError at once for an invalid caller (a principal that is not an IAM ARN, an
   * `accountId` other than the principal's), as core's `kms.as` does.
   */
  as(caller: Caller): WorkerKms
  /**
   * Encrypts `plaintext` (a string is encoded as UTF-8) into an AWS Encryption SDK message, its
   * data key made by `options.keyId` (GenerateDataKey) and wrapped by each of
   * `options.additionalKeyIds` (Encrypt), all in the worker.
   *
   * @returns the message (`result`) and its parsed header
   * @throws `KeyringError` when a key cannot make or wrap the data key (the message names the
   * KMS error: `NotFoundException`, `AccessDeniedException`, ...), `TypeError`/`RangeError` for
   * bad options.
   */
  encryptMessage(plaintext: Uint8Array | string, options: EncryptMessageOptions & { onProgress?: Progress }): Promise<{ result: Uint8Array; messageHeader: MessageHeader }>
  /**
   * Decrypts an AWS Encryption SDK message with this worker's keys (any key the message names, or
   * only `options.keyIds`), checking `options.encryptionContext` if given.
   *
   * @returns the plaintext and the message's header
   * @throws `DecryptionError` for any message that does not decrypt and authenticate (one opaque
   * error whatever the cause), `TypeError`/`RangeError` for bad options.
   */
  decryptMessage(ciphertext: Uint8Array, options?: DecryptMessageOptions & { onProgress?: Progress }): Promise<{ plaintext: Uint8Array; messageHeader: MessageHeader }>
  /**
   * `encryptMessage`, with the message left in pieces (the envelope SDK's `encryptToChunks`):
   * the same bytes in order, never copied into one buffer of the whole size, in the worker or
   * here. For a large message bound for a `Blob` or a request body.
   *
   * @returns the pieces, their total `byteLength` and the header
   * @throws what `encryptMessage` throws
   */
  encryptMessageToChunks(plaintext: Uint8Array | string, options: EncryptMessageOptions & { onProgress?: Progress }): Promise<{ chunks: Uint8Array<ArrayBuffer>[]; byteLength: number; messageHeader: MessageHeader }>
  /**
   * `decryptMessage`, with the plaintext left in pieces, one per frame (the envelope SDK's
   * `decryptToChunks`). Nothing is returned until every frame and the signature verify.
   *
   * @returns the pieces, their total `byteLength` and the header
   * @throws what `decryptMessage` throws
   */
  decryptMessageToChunks(ciphertext: Uint8Array, options?: DecryptMessageOptions & { onProgress?: Progress }): Promise<{ chunks: Uint8Array<ArrayBuffer>[]; byteLength: number; messageHeader: MessageHeader }>
  /**
   * `encryptMessage` as a stream pair: write plaintext, read the message. Give `plaintextLength`
   * when known: the header then records it and progress reports a total.
   *
   * @throws on either end of the stream, the errors `encryptMessage` rejects with.
   */
  encryptMessageStream(options: EncryptMessageOptions & { plaintextLength?: number; onProgress?: Progress }): Promise<MessageStreamPair>
  /**
   * `decryptMessage` as a stream pair: write the message, read plaintext. Plaintext is released
   * frame by frame as each frame authenticates, unless `waitForSignature` holds it back until a
   * signed message's signature verifies.
   *
   * @throws on either end of the stream, `DecryptionError` for a message that does not
   * authenticate (a truncated or trailing-byte message too).
   */
  decryptMessageStream(options?: DecryptMessageOptions & { onProgress?: Progress }): Promise<MessageStreamPair>
  /**
   * Rebuilds a lost store from a recovery bundle (`exportRecoveryBundle` of an engine created
   * with `recovery`), holding the recovery private key for the duration of the call only: the
   * worker opens the copies and stores non-extractable keys.
   *
   * @throws `RecoveryError`, having written nothing, on a wrong key, a tampered bundle or keys the
   * store already has.
   */
  restoreRecoveryBundle(bundle: RecoveryBundle, privateKey: CryptoKey | readonly CryptoKey[]): Promise<RestoreResult>
  /**
   * Moves the engine's clock forward by `ms` milliseconds (a worker started with
   * `movableClock: true`), so rotation dates and deletion windows come due.
   *
   * @returns the engine's time now
   * @throws TypeError when the clock is not movable; RangeError for a negative or non-finite `ms`,
   * or one that would move the clock past the year 9000.
   */
  advanceClock(ms: number): Promise<Date>
  /** The engine's time now (the system clock, plus what `advanceClock` added). */
  clockNow(): Promise<Date>
  /**
   * Core's `verifyAuditLog`, run in the worker, so a page needs no engine code to check an
   * export (`exportAuditLog`) against the audit public keys it pinned.
   *
   * @returns the verdict (`valid`, and where and why verification broke); never rejects for a
   * tampered log
   */
  verifyAuditLog(log: unknown, options: VerifyAuditLogOptions): Promise<AuditVerification>
  /** Stops the worker (for every view of it). Its store stays consistent whatever was in flight. */
  terminate(): void
}

/**
 * How `createWorkerKms` starts the engine: the worker, and the options the worker's engine is
 * created with (`InitOptions`).
 *
 * @example
 * ```ts
 * import type { CreateWorkerKmsOptions } from '@webkms/worker'
 *
 * const options: CreateWorkerKmsOptions = {
 *   worker: new Worker(new URL('./kms.worker.js', import.meta.url), { type: 'module' }),
 *   name: 'my-app-keys',
 *   accountId: '111122223333',
 * }
 * ```
 */
export interface CreateWorkerKmsOptions extends InitOptions {
  /** The worker running '@webkms/worker/worker' (or any Comlink endpoint exposing it). */
  worker: Worker | Endpoint
}

const split = <O extends { onProgress?: Progress }>(o: O | undefined) => {
  const { onProgress, ...rest } = o ?? ({} as O)
  return [rest, onProgress ? proxy(onProgress) : undefined] as const
}

/** How long the start waits for the browser's answer to `navigator.storage.persist()`. */
const PERSIST_ANSWER_MS = 1000

/**
 * Connects to a worker running `@webkms/worker/worker` and starts its engine over the IndexedDB
 * store `options.name`. Asks the browser to keep the origin's storage
 * (`navigator.storage.persist()`); `client.store.persistence` says whether it promised.
 *
 * @returns the client; every view of it (`client.as(caller)`) shares the one worker
 * @throws `TypeError` without `options.worker`; `InsecureContextError` where WebCrypto is missing
 * (an `http:` page other than localhost); from the worker, `IndexedDbUnavailableError` without
 * IndexedDB and `CryptoKeyStorageUnsupportedError` where IndexedDB cannot keep a `CryptoKey`.
 *
 * @example
 * ```ts
 * import { createWorkerKms, CryptoKeyStorageUnsupportedError } from '@webkms/worker'
 *
 * try {
 *   const kms = await createWorkerKms({
 *     worker: new Worker(new URL('./kms.worker.js', import.meta.url), { type: 'module' }),
 *     name: 'my-app-keys',
 *   })
 *   console.log(kms.store.persistence) // 'persisted' | 'best-effort' | 'unknown'
 * } catch (e) {
 *   if (e instanceof CryptoKeyStorageUnsupportedError) console.log('this browser cannot keep keys')
 * }
 * ```
 */
export async function createWorkerKms(options: CreateWorkerKmsOptions): Promise<WorkerKms> {
  if (!options?.worker) throw new TypeError('"worker" expected a Worker running @webkms/worker/worker')
  const g = globalThis as { isSecureContext?: boolean; crypto?: Crypto }
  if (g.isSecureContext === false || !g.crypto?.subtle) throw new InsecureContextError()
  registerErrorTransfer()
  // Only a window may ask for persistent storage; the worker reports what was granted. Firefox
  // asks the user, and its promise waits for the answer: the start does not wait past
  // PERSIST_ANSWER_MS (the worker then reports what is granted so far).
  const storage = (globalThis.navigator as Navigator | undefined)?.storage
  if (typeof storage?.persist === 'function') await Promise.race([storage.persist().catch(() => false), new Promise((resolve) => setTimeout(resolve, PERSIST_ANSWER_MS))])
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

  /** A one-shot envelope method: a string is sent as UTF-8; progress comes back through a proxy. */
  const encrypting = (method: 'encryptMessage' | 'encryptMessageToChunks') => (plaintext: Uint8Array | string, o: EncryptMessageOptions & { onProgress?: Progress }) => {
    const [rest, onProgress] = split(o)
    return call(method, typeof plaintext === 'string' ? new TextEncoder().encode(plaintext) : plaintext, rest, onProgress)
  }
  const decrypting = (method: 'decryptMessage' | 'decryptMessageToChunks') => (ciphertext: Uint8Array, o?: DecryptMessageOptions & { onProgress?: Progress }) => {
    const [rest, onProgress] = split(o)
    return call(method, ciphertext, rest, onProgress)
  }

  const client: Record<string | symbol, unknown> = {
    store,
    // Checked here as core's kms.as checks it (a TypeError at once); the worker checks again.
    as: (caller: Caller) => view(remote, store, terminate, { caller: resolveCaller(caller) }),
    encryptMessage: encrypting('encryptMessage'),
    decryptMessage: decrypting('decryptMessage'),
    encryptMessageToChunks: encrypting('encryptMessageToChunks'),
    decryptMessageToChunks: decrypting('decryptMessageToChunks'),
    encryptMessageStream: (o: EncryptMessageOptions & { onProgress?: Progress }) => stream('encryptMessageStream', o),
    decryptMessageStream: (o?: DecryptMessageOptions & { onProgress?: Progress }) => stream('decryptMessageStream', o),
    restoreRecoveryBundle: (bundle: RecoveryBundle, privateKey: CryptoKey | readonly CryptoKey[]) => remote.restoreRecoveryBundle(bundle, privateKey),
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
