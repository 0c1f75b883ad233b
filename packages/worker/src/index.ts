/**
 * @webkms/worker: the webkms engine in a dedicated Web Worker (the browser HSM), and the typed
 * client the page uses to reach it.
 */
export { createWorkerKms, type CreateWorkerKmsOptions, type MessageStreamPair, type WorkerKms } from './client.js'
export type { CallContext, DecryptMessageOptions, EncryptMessageOptions, InitOptions, Progress, StoreInfo, WorkerApi } from './protocol.js'
export { createWorkerApi, type WorkerApiOptions } from './workerApi.js'
export { registerErrorTransfer } from './errorTransfer.js'
/** Marks a buffer to be moved to the worker instead of copied (Comlink's transfer). */
export { transfer } from 'comlink'
