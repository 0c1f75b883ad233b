/**
 * The worker entry: `new Worker(new URL('./kms.worker.js', import.meta.url), { type: 'module' })`
 * with a file that imports '@webkms/worker/worker'. Keys are created, stored and used here.
 */
import { expose } from 'comlink'
import { registerErrorTransfer } from './errorTransfer.js'
import { createWorkerApi } from './workerApi.js'

registerErrorTransfer()
expose(createWorkerApi())
