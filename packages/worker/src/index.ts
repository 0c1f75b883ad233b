/**
 * `@webkms/worker`: the webkms engine in a dedicated Web Worker (the browser HSM), and the typed
 * client the page uses to reach it. The page imports this module only: the client, the
 * protocol types, and every error class that can come back from the worker (re-exported from
 * `@webkms/core/errors` and `@webkms/keystore-idb`), so a page bundles none of the engine. The
 * worker's own file imports `@webkms/worker/worker`.
 *
 * @example
 * ```ts
 * // kms.worker.ts (the worker's whole source):  import '@webkms/worker/worker'
 * import { createWorkerKms, NotFoundException } from '@webkms/worker'
 *
 * const kms = await createWorkerKms({
 *   worker: new Worker(new URL('./kms.worker.js', import.meta.url), { type: 'module' }),
 * })
 * const { KeyMetadata } = await kms.createKey({ Description: 'notes' })
 * const { result } = await kms.encryptMessage('a note', { keyId: KeyMetadata.KeyId })
 * try {
 *   await kms.describeKey({ KeyId: 'alias/missing' })
 * } catch (e) {
 *   if (e instanceof NotFoundException) console.log(e.code) // ERR_KMS_NOT_FOUND, across the worker boundary
 * }
 * ```
 *
 * @module @webkms/worker
 */
import { transfer as comlinkTransfer } from 'comlink'

export { createWorkerKms, type CreateWorkerKmsOptions, type MessageStreamPair, type WorkerKms } from './client.js'
export type { CallContext, DecryptMessageOptions, EncryptMessageOptions, EngineMethodName, EngineMethods, InitOptions, Progress, StoreInfo, WithCallContext, WorkerApi } from './protocol.js'
export { createWorkerApi, type WorkerApiOptions } from './workerApi.js'
export { registerErrorTransfer, type SerializedError } from './errorTransfer.js'
// Every error a call can reject with on the page: the engine's, the envelope SDK's and the store's.
export * from '@webkms/core/errors'
export { CryptoKeyStorageUnsupportedError, IndexedDbUnavailableError, KeyStoreError, type KeyStoreErrorCode } from '@webkms/keystore-idb'

/**
 * Marks buffers to be moved to the worker instead of copied (Comlink's `transfer`): returns
 * `value` unchanged, and the call it is passed to transfers `transferables` with it. They are
 * detached on the page afterwards (their `byteLength` is 0). Buffers coming back from the worker
 * are always moved.
 *
 * @param value - the argument to pass, usually a `Uint8Array`
 * @param transferables - what to move with it, usually `[value.buffer]`
 * @returns `value`
 *
 * @example
 * ```ts
 * import { transfer, type WorkerKms } from '@webkms/worker'
 *
 * async function seal(kms: WorkerKms, keyId: string, bytes: Uint8Array<ArrayBuffer>): Promise<Uint8Array> {
 *   // 16 MiB moved, not copied; `bytes` is empty from here on.
 *   const { result } = await kms.encryptMessage(transfer(bytes, [bytes.buffer]), { keyId })
 *   return result
 * }
 * ```
 */
export const transfer: <T>(value: T, transferables: Transferable[]) => T = comlinkTransfer
