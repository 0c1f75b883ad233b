// The KMS worker plus one benchmark hook that times the same work inside the worker, with no
// boundary crossing: the baseline for the page's round trip (bench/worker-roundtrip.mjs).
import { createWorkerApi, registerErrorTransfer } from '@webkms/worker'
import { expose } from 'comlink'

registerErrorTransfer()
const api = createWorkerApi()
Object.assign(api, {
  async benchInWorker({ size, runs, keyId }: { size: number; runs: number; keyId: string }) {
    const template = crypto.getRandomValues(new Uint8Array(65536))
    const data = new Uint8Array(size)
    for (let i = 0; i < size; i += template.length) data.set(template, i)
    const times: number[] = []
    for (let i = 0; i < runs; i++) {
      const t = performance.now()
      await api.encryptMessage(data, { keyId, suiteId: 0x0478 })
      times.push(performance.now() - t)
    }
    return times
  },
})
expose(api)
