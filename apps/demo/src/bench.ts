// Page side of the worker benchmarks (bench/worker-roundtrip.mjs, bench/worker-envelope.mjs).
// `bench.html?bench=` picks one:
// - roundtrip (default): the same 16 MiB encryptMessage, moved to the worker (transfer) and
//   back, timed here; beside the in-worker time of the same call, with its result dropped in
//   the worker or transferred out of it;
// - envelope: one-shot envelope beside raw AES-GCM, inside the worker (`size`, `rounds`);
// - stream: `total` bytes streamed through encrypt and decrypt inside the worker (`suite`);
// - kms: KMS operations on the worker's IndexedDB store beside raw AES-GCM (`rounds`, `batch` ms).
// The result lands in `globalThis.benchResult` for the driving script.
import { createWorkerKms, transfer, type WorkerKms } from '@webkms/worker'

const SIZE = 16 * 1024 * 1024
const RUNS = 15
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!

interface BenchHooks {
  benchInWorker(o: { size: number; runs: number; keyId: string; away?: boolean }): Promise<number[]>
  benchEnvelope(o: { size: number; rounds: number }): Promise<Record<string, number>>
  benchStream(o: { total: number; suiteId: number }): Promise<{ ms: number }>
  benchKms(o: { rounds: number; batchMs: number }): Promise<Record<string, number>>
}

async function roundTrip(kms: WorkerKms & BenchHooks) {
  const { KeyMetadata } = await kms.createKey({ Description: 'bench' })
  const keyId = KeyMetadata.KeyId
  const template = new Uint8Array(SIZE)
  crypto.getRandomValues(template.subarray(0, 65536))
  const roundTrip: number[] = []
  await kms.benchInWorker({ size: SIZE, runs: 2, keyId }) // warm-up
  for (let i = 0; i < 2; i++) await kms.encryptMessage(template.slice(), { keyId, suiteId: 0x0478 }) // warm-up
  // Alternating rounds, each in a random order of the three.
  const direct: number[] = []
  const directAway: number[] = []
  for (let i = 0; i < RUNS; i++) {
    const fromPage = async () => {
      const data = template.slice() // prepared outside the timing: transfer detaches it
      const t = performance.now()
      const { result } = await kms.encryptMessage(transfer(data, [data.buffer]), { keyId, suiteId: 0x0478 })
      roundTrip.push(performance.now() - t)
      if (result.byteLength < SIZE) throw new Error('short message')
    }
    const inWorker = async () => direct.push(...(await kms.benchInWorker({ size: SIZE, runs: 1, keyId })))
    const inWorkerAway = async () => directAway.push(...(await kms.benchInWorker({ size: SIZE, runs: 1, keyId, away: true })))
    const steps = [fromPage, inWorker, inWorkerAway]
    for (let j = steps.length - 1; j > 0; j--) {
      const k = Math.floor(Math.random() * (j + 1))
      ;[steps[j], steps[k]] = [steps[k]!, steps[j]!]
    }
    for (const step of steps) await step()
  }
  return { size: SIZE, runs: RUNS, inWorkerMs: median(direct), inWorkerAwayMs: median(directAway), roundTripMs: median(roundTrip) }
}

async function run() {
  const params = new URLSearchParams(location.search)
  const number = (name: string, fallback: number) => Number(params.get(name) ?? fallback)
  const worker = new Worker(new URL('./bench.worker.ts', import.meta.url), { type: 'module' })
  const kms = (await createWorkerKms({ worker, name: 'webkms-bench' })) as WorkerKms & BenchHooks
  try {
    switch (params.get('bench') ?? 'roundtrip') {
      case 'roundtrip':
        return await roundTrip(kms)
      case 'envelope':
        return await kms.benchEnvelope({ size: number('size', 64 * 1024 * 1024), rounds: number('rounds', 7) })
      case 'stream':
        return await kms.benchStream({ total: number('total', 1024 * 1024 * 1024), suiteId: number('suite', 0x0478) })
      case 'kms':
        return await kms.benchKms({ rounds: number('rounds', 7), batchMs: number('batch', 200) })
      default:
        throw new Error(`unknown bench ${params.get('bench')}`)
    }
  } finally {
    kms.terminate()
  }
}

run().then(
  (r) => {
    Object.assign(globalThis, { benchResult: r })
    document.getElementById('out')!.textContent = JSON.stringify(r, null, 2)
  },
  (e) => Object.assign(globalThis, { benchResult: { error: String(e) } }),
)
