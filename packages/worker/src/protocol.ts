/**
 * The whole contract between the page and the worker: one small interface. The page never
 * receives key material: KMS operations return what AWS KMS returns, and the envelope methods
 * do all their work (data keys included) inside the worker.
 */
import type { AuditVerification, Caller, DecryptOptions, EncryptOptions, Kms, MessageHeader, RecoveryBundle, RecoveryOptions, RestoreResult, SuiteId, VerifyAuditLogOptions } from '@webkms/core'
import type { Persistence } from '@webkms/keystore-idb'
import type { SerializedError } from './errorTransfer.js'

/**
 * The worker's store, as `init` reports it (`client.store`).
 *
 * @example
 * ```ts
 * import type { WorkerKms } from '@webkms/worker'
 *
 * function warnIfEvictable(kms: WorkerKms): void {
 *   if (kms.store.persistence !== 'persisted') console.warn(`keys in ${kms.store.name} may be evicted under storage pressure`)
 * }
 * ```
 */
export interface StoreInfo {
  /** The IndexedDB database name (`memory` for a store injected by `openStore` that is not IndexedDB). */
  name: string
  /** Whether the browser promised to keep the keys (navigator.storage.persist()). */
  persistence: Persistence
  /** The database schema version (`SCHEMA_VERSION` of `@webkms/keystore-idb`). */
  schemaVersion: number
}

/**
 * What the worker's engine is created with (the page passes them in `createWorkerKms`, the
 * worker's `init` receives them). Everything is optional.
 *
 * @example
 * ```ts
 * import type { InitOptions } from '@webkms/worker'
 *
 * const options: InitOptions = { name: 'webkms-demo', region: 'eu-west-1', movableClock: true }
 * ```
 */
export interface InitOptions {
  /** IndexedDB database name. Default `webkms`. */
  name?: string
  /** Account ID in key ARNs. Default `111122223333`. */
  accountId?: string
  /** Region in key ARNs. Default `us-east-1`. */
  region?: string
  /**
   * Opt-in recovery: every key material the engine makes or imports is also sealed to this
   * RSA-OAEP (SHA-256, ≥ 3072-bit) public key; `exportRecoveryBundle` returns the copies and
   * `restoreRecoveryBundle` rebuilds a lost store from them with the private key.
   */
  recovery?: RecoveryOptions
  /**
   * For teaching and tests: the engine's clock is the system clock plus an offset that
   * `advanceClock` moves forward, so rotation dates, deletion windows and import expiry can be
   * shown happening. Off by default (`advanceClock` then refuses).
   */
  movableClock?: boolean
}

/**
 * Options of `encryptMessage` and `encryptMessageStream`: the envelope SDK's `EncryptOptions`
 * (encryption context, suite, frame length), with keys of this worker's engine, by any `KeyId`
 * form (key ID, key ARN, alias name, alias ARN).
 *
 * @example
 * ```ts
 * import type { EncryptMessageOptions } from '@webkms/worker'
 *
 * const options: EncryptMessageOptions = {
 *   keyId: 'alias/orders',
 *   additionalKeyIds: ['alias/orders-backup'],
 *   encryptionContext: { orderId: '42' },
 * }
 * ```
 */
export interface EncryptMessageOptions extends Omit<EncryptOptions, 'onProgress'> {
  /** The key that generates the data key (GenerateDataKey). */
  keyId: string
  /** More keys that each wrap the data key too. */
  additionalKeyIds?: string[]
  /** The AWS Encryption SDK's commitment policy. Default `REQUIRE_ENCRYPT_REQUIRE_DECRYPT`. */
  commitmentPolicy?: 'REQUIRE_ENCRYPT_REQUIRE_DECRYPT' | 'REQUIRE_ENCRYPT_ALLOW_DECRYPT' | 'FORBID_ENCRYPT_ALLOW_DECRYPT'
  /** The algorithm suite. Default: the policy's default suite, as the AWS SDKs choose it (`0x0578`, committing and signed, under the default policy). */
  suiteId?: SuiteId
}

/**
 * Options of `decryptMessage` and `decryptMessageStream`: the envelope SDK's `DecryptOptions`
 * (the encryption context the message must carry, limits), and which of this worker's keys may
 * decrypt.
 *
 * @example
 * ```ts
 * import type { DecryptMessageOptions } from '@webkms/worker'
 *
 * const options: DecryptMessageOptions = { encryptionContext: { orderId: '42' }, maxEncryptedDataKeys: 3 }
 * ```
 */
export interface DecryptMessageOptions extends Omit<DecryptOptions, 'onProgress'> {
  /** Restrict decryption to these key ARNs. Default: any key of this engine the message names. */
  keyIds?: string[]
  /** The AWS Encryption SDK's commitment policy. Default `REQUIRE_ENCRYPT_REQUIRE_DECRYPT`. */
  commitmentPolicy?: EncryptMessageOptions['commitmentPolicy']
  /** Streams only: hold all plaintext until the signature verifies. */
  waitForSignature?: boolean
}

/**
 * Progress of a long envelope call, called in the page as the worker works: bytes done so far,
 * and the total when it is known. A one-shot call (`encryptMessage`, `decryptMessage` and their
 * `…ToChunks` forms) resolves only after its last report has run.
 *
 * @example
 * ```ts
 * import type { Progress } from '@webkms/worker'
 *
 * const onProgress: Progress = (done, total) => console.log(total ? `${Math.round((100 * done) / total)}%` : `${done} bytes`)
 * ```
 */
export type Progress = (bytesDone: number, bytesTotal?: number) => void

/**
 * Who a call is made as. Calls made through the client's `kms.as(caller)` carry one as their
 * last argument; the worker applies it to that call alone (core's `kms.as(caller)`, which also
 * checks it), so the worker keeps nothing per view. Calls without one are made as the engine's
 * default caller, the account root.
 */
export interface CallContext {
  /** Who calls: the principal ARN and the request's context (source IP, MFA). */
  caller: Caller
}

/** A method of the engine with the call context appended to its arguments (`WorkerApi`). */
export type WithCallContext<F> = F extends (...args: infer A) => infer R ? (...args: [...A, context?: CallContext]) => R : never

/**
 * The engine's methods that take one request: every operation of its table (KMS, identity
 * policies, the audit trail), `explain` and `findings`. They cross the worker under the same
 * names and shapes.
 */
export type EngineMethodName = Exclude<keyof Kms, 'as'>

/** The engine's one-request methods as the worker exposes them: each takes the call context last. */
export type EngineMethods = { [K in EngineMethodName]: WithCallContext<Kms[K]> }

/**
 * What the worker exposes over Comlink: the whole contract between page and worker.
 * `context` is always the last argument. Pages use `WorkerKms` (`createWorkerKms`), which
 * speaks this; implement or wrap it only to run the worker side yourself (`createWorkerApi`).
 * Errors travel as `SerializedError` and are rebuilt into their classes on the page
 * (`registerErrorTransfer`).
 *
 * @example
 * ```ts
 * import { expose } from 'comlink'
 * import { createWorkerApi, registerErrorTransfer, type WorkerApi } from '@webkms/worker'
 *
 * // A worker entry of your own, equivalent to '@webkms/worker/worker'.
 * registerErrorTransfer()
 * const api: WorkerApi = createWorkerApi()
 * expose(api)
 * ```
 */
export interface WorkerApi extends EngineMethods {
  /**
   * Opens the store and creates the engine, once: a later call with the same options (another
   * client of the same worker, or two at once) gets the first answer; one with other options
   * rejects with `TypeError` naming them (one worker serves one engine).
   *
   * @throws from the store: `IndexedDbUnavailableError`, `CryptoKeyStorageUnsupportedError`, `InsecureContextError`
   */
  init(options: InitOptions): Promise<StoreInfo>
  /** Rebuilds keys, versions, key policies, aliases and grants from a recovery bundle into this worker's store (core's restoreRecoveryBundle). */
  restoreRecoveryBundle(bundle: RecoveryBundle, privateKey: CryptoKey | readonly CryptoKey[]): Promise<RestoreResult>
  /** Moves the engine's clock forward by `ms` (init with `movableClock: true`); resolves to the engine's time now. */
  advanceClock(ms: number): Promise<Date>
  /** The engine's time now (the system clock, plus what `advanceClock` added). */
  clockNow(): Promise<Date>
  /** Core's verifyAuditLog, run in the worker: checks an export offline against pinned keys. */
  verifyAuditLog(log: unknown, options: VerifyAuditLogOptions): Promise<AuditVerification>
  /** `WorkerKms.encryptMessage` on the worker side; the result's buffer is transferred. */
  encryptMessage(plaintext: Uint8Array, options: EncryptMessageOptions, onProgress?: Progress, context?: CallContext): Promise<{ result: Uint8Array; messageHeader: MessageHeader }>
  /** `WorkerKms.decryptMessage` on the worker side; the plaintext's buffer is transferred. */
  decryptMessage(ciphertext: Uint8Array, options?: DecryptMessageOptions, onProgress?: Progress, context?: CallContext): Promise<{ plaintext: Uint8Array; messageHeader: MessageHeader }>
  /** `WorkerKms.encryptMessageToChunks` on the worker side; the pieces' buffers are transferred. */
  encryptMessageToChunks(plaintext: Uint8Array, options: EncryptMessageOptions, onProgress?: Progress, context?: CallContext): Promise<{ chunks: Uint8Array<ArrayBuffer>[]; byteLength: number; messageHeader: MessageHeader }>
  /** `WorkerKms.decryptMessageToChunks` on the worker side; the pieces' buffers are transferred. */
  decryptMessageToChunks(ciphertext: Uint8Array, options?: DecryptMessageOptions, onProgress?: Progress, context?: CallContext): Promise<{ chunks: Uint8Array<ArrayBuffer>[]; byteLength: number; messageHeader: MessageHeader }>
  /** The stream pair of `WorkerKms.encryptMessageStream`, transferred; the header and a failure are reported through `onHeader` and `onError`. */
  encryptMessageStream(
    options: EncryptMessageOptions & { plaintextLength?: number },
    onHeader: (header: MessageHeader) => void,
    onError: (error: SerializedError | unknown) => void,
    onProgress?: Progress,
    context?: CallContext,
  ): Promise<{ readable: ReadableStream<Uint8Array>; writable: WritableStream<Uint8Array> }>
  /** The stream pair of `WorkerKms.decryptMessageStream`, transferred; the header and a failure are reported through `onHeader` and `onError`. */
  decryptMessageStream(
    options: DecryptMessageOptions,
    onHeader: (header: MessageHeader) => void,
    onError: (error: SerializedError | unknown) => void,
    onProgress?: Progress,
    context?: CallContext,
  ): Promise<{ readable: ReadableStream<Uint8Array>; writable: WritableStream<Uint8Array> }>
}
