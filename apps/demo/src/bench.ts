// Page side of the worker round-trip benchmark: the same 16 MiB encryptMessage, moved to the
// worker (transfer) and back, timed here; beside the in-worker time of the same call.
import { createWorkerKms, transfer } from '@webkms/worker'

const SIZE = 16 * 1024 * 1024
const RUNS = 15
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!

async function run() {
  const kms = await createWorkerKms({ worker: new Worker(new URL('./bench.worker.ts', import.meta.url), { type: 'module' }), name: 'webkms-bench' })
  const { KeyMetadata } = await kms.createKey({ Description: 'bench' })
  const keyId = KeyMetadata.KeyId
  const template = new Uint8Array(SIZE)
  crypto.getRandomValues(template.subarray(0, 65536))
  const roundTrip: number[] = []
  const inWorker = (await (kms as unknown as { benchInWorker(o: object): Promise<number[]> }).benchInWorker({ size: SIZE, runs: 2, keyId })) // warm-up
  void inWorker
  for (let i = 0; i < 2; i++) await kms.encryptMessage(template.slice(), { keyId, suiteId: 0x0478 }) // warm-up
  const direct = await (kms as unknown as { benchInWorker(o: object): Promise<number[]> }).benchInWorker({ size: SIZE, runs: RUNS, keyId })
  for (let i = 0; i < RUNS; i++) {
    const data = template.slice() // prepared outside the timing: transfer detaches it
    const t = performance.now()
    const { result } = await kms.encryptMessage(transfer(data, [data.buffer]), { keyId, suiteId: 0x0478 })
    roundTrip.push(performance.now() - t)
    if (result.byteLength < SIZE) throw new Error('short message')
  }
  kms.terminate()
  return { size: SIZE, runs: RUNS, inWorkerMs: median(direct), roundTripMs: median(roundTrip) }
}

run().then(
  (r) => {
    Object.assign(globalThis, { benchResult: r })
    document.getElementById('out')!.textContent = JSON.stringify(r, null, 2)
  },
  (e) => Object.assign(globalThis, { benchResult: { error: String(e) } }),
)
