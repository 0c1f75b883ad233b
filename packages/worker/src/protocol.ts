/**
 * The whole contract between the page and the worker: one small interface. The page never
 * receives key material: KMS operations return what AWS KMS returns, and the envelope methods
 * do all their work (data keys included) inside the worker.
 */
import type { AuditVerification, Caller, DecryptOptions, EncryptOptions, Kms, MessageHeader, RecoveryBundle, RecoveryOptions, RestoreResult, SuiteId, VerifyAuditLogOptions } from '@webkms/core'
import type { Persistence } from '@webkms/keystore-idb'
import type { SerializedError } from './errorTransfer.js'

export interface StoreInfo {
  /** The IndexedDB database name. */
  name: string
  /** Whether the browser promised to keep the keys (navigator.storage.persist()). */
  persistence: Persistence
  schemaVersion: number
}

export interface InitOptions {
  /** IndexedDB database name. Default `webkms`. */
  name?: string
  /** Account ID and region in key ARNs. */
  accountId?: string
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

/** Envelope options: the keys come from this worker's engine, by KeyId (any form) or ARN. */
export interface EncryptMessageOptions extends Omit<EncryptOptions, 'onProgress'> {
  /** The key that generates the data key (GenerateDataKey). */
  keyId: string
  /** More keys that each wrap the data key too. */
  additionalKeyIds?: string[]
  commitmentPolicy?: 'REQUIRE_ENCRYPT_REQUIRE_DECRYPT' | 'REQUIRE_ENCRYPT_ALLOW_DECRYPT' | 'FORBID_ENCRYPT_ALLOW_DECRYPT'
  suiteId?: SuiteId
}

export interface DecryptMessageOptions extends Omit<DecryptOptions, 'onProgress'> {
  /** Restrict decryption to these key ARNs. Default: any key of this engine the message names. */
  keyIds?: string[]
  commitmentPolicy?: EncryptMessageOptions['commitmentPolicy']
  /** Streams only: hold all plaintext until the signature verifies. */
  waitForSignature?: boolean
}

export type Progress = (bytesDone: number, bytesTotal?: number) => void

/**
 * Who a call is made as. Calls made through the client's `kms.as(caller)` carry one as their
 * last argument; the worker applies it to that call alone (core's `kms.as(caller)`, which also
 * checks it), so the worker keeps nothing per view. Calls without one are made as the engine's
 * default caller, the account root.
 */
export interface CallContext {
  caller: Caller
}

/** A method of the engine with the call context appended to its arguments. */
export type WithCallContext<F> = F extends (...args: infer A) => infer R ? (...args: [...A, context?: CallContext]) => R : never

/**
 * The engine's methods that take one request: every operation of its table (KMS, identity
 * policies, the audit trail), `explain` and `findings`. They cross the worker under the same
 * names and shapes.
 */
export type EngineMethodName = Exclude<keyof Kms, 'as'>

export type EngineMethods = { [K in EngineMethodName]: WithCallContext<Kms[K]> }

/** What the worker exposes (Comlink). `context` is always the last argument. */
export interface WorkerApi extends EngineMethods {
  init(options: InitOptions): Promise<StoreInfo>
  /** Rebuilds keys, versions, key policies, aliases and grants from a recovery bundle into this worker's store (core's restoreRecoveryBundle). */
  restoreRecoveryBundle(bundle: RecoveryBundle, privateKey: CryptoKey): Promise<RestoreResult>
  /** Moves the engine's clock forward by `ms` (init with `movableClock: true`); resolves to the engine's time now. */
  advanceClock(ms: number): Promise<Date>
  /** The engine's time now (the system clock, plus what `advanceClock` added). */
  clockNow(): Promise<Date>
  /** Core's verifyAuditLog, run in the worker: checks an export offline against pinned keys. */
  verifyAuditLog(log: unknown, options: VerifyAuditLogOptions): Promise<AuditVerification>
  encryptMessage(plaintext: Uint8Array, options: EncryptMessageOptions, onProgress?: Progress, context?: CallContext): Promise<{ result: Uint8Array; messageHeader: MessageHeader }>
  decryptMessage(ciphertext: Uint8Array, options?: DecryptMessageOptions, onProgress?: Progress, context?: CallContext): Promise<{ plaintext: Uint8Array; messageHeader: MessageHeader }>
  encryptMessageStream(
    options: EncryptMessageOptions & { plaintextLength?: number },
    onHeader: (header: MessageHeader) => void,
    onError: (error: SerializedError | unknown) => void,
    onProgress?: Progress,
    context?: CallContext,
  ): Promise<{ readable: ReadableStream<Uint8Array>; writable: WritableStream<Uint8Array> }>
  decryptMessageStream(
    options: DecryptMessageOptions,
    onHeader: (header: MessageHeader) => void,
    onError: (error: SerializedError | unknown) => void,
    onProgress?: Progress,
    context?: CallContext,
  ): Promise<{ readable: ReadableStream<Uint8Array>; writable: WritableStream<Uint8Array> }>
}
