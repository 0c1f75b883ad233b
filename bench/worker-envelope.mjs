// Benchmark: the envelope SDK inside the demo's KMS worker, in Debian Chromium (headless):
// (1) one-shot encrypt and decrypt of 64 MiB, suite 0x0478 (also in pieces: encryptToChunks,
//     decryptToChunks) and the default (0x0578), beside raw
//     one-shot WebCrypto AES-256-GCM on the same buffer, and WebCrypto's one-shot ECDSA P-384
//     signature and verify over it (what the default suite adds; the verify also beside raw
//     frames' decryption, to see whether the two overlap), in alternating rounds (medians);
// (2) 1 GiB streamed through encryptStream piped into decryptStream, never held, for 0x0478
//     and 0x0578, with the memory it took: the renderer's resident memory (/proc, sampled) and
//     the worker's heap (CDP Runtime.getHeapUsage, sampled; performance.measureUserAgentSpecificMemory
//     needs cross-origin isolation and does not report in headless runs).
//
//   pnpm build && node bench/worker-envelope.mjs      (BENCH_ROUNDS=7, BENCH_STREAM_MIB=1024)
import { rendererRss, runBench, withBenchPage, workerCdp } from './chromium.mjs'

const MiB = 1024 * 1024
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 7)
const STREAM = Number(process.env.BENCH_STREAM_MIB ?? 1024) * MiB

await withBenchPage(async (browser, url) => {
  console.log(`${new Date().toISOString().slice(0, 10)}; Chromium ${browser.version()} (headless); in the demo's KMS worker; medians of ${ROUNDS} alternating rounds`)
  const { result: m } = await runBench(browser, url({ bench: 'envelope', size: 64 * MiB, rounds: ROUNDS }))
  const mbps = (ms) => (64 / (ms / 1000)).toFixed(0)
  console.log('')
  console.log('| 64 MiB | raw AES-GCM one-shot | webkms 0x0478 | webkms 0x0478 in pieces | webkms default (0x0578) | 0x0478 / raw | pieces / raw | default / raw |')
  console.log('|---|---:|---:|---:|---:|---:|---:|---:|')
  for (const op of ['enc', 'dec']) {
    const [raw, ours, pieces, def] = [m[`raw ${op}`], m[`0x0478 ${op}`], m[`0x0478 chunks ${op}`], m[`default ${op}`]]
    const cell = (ms) => `${ms.toFixed(0)} ms, ${mbps(ms)} MB/s`
    console.log(`| ${op === 'enc' ? 'encrypt' : 'decrypt'} | ${cell(raw)} | ${cell(ours)} | ${cell(pieces)} | ${cell(def)} | ${(raw / ours).toFixed(2)} | ${(raw / pieces).toFixed(2)} | ${(raw / def).toFixed(2)} |`)
  }
  // What the default suite adds that no frame parallelism can hide: a browser has no incremental
  // hash, so a signed message is signed in one call over all of it, after its last frame.
  console.log('')
  console.log(`WebCrypto's one-shot ECDSA P-384 (SHA-384) signature over the same 64 MiB, in the same rounds: ${m['raw sign'].toFixed(0)} ms, ${mbps(m['raw sign'])} MB/s`)
  // A one-shot decrypt asks for the whole message's verify beside its frames: does it overlap?
  console.log(`Its verify ${m['raw verify'].toFixed(0)} ms; the frames' decryption alone (256 KiB, 8 in flight) ${m['raw frames dec'].toFixed(0)} ms; both asked at once ${m['raw verify and frames dec'].toFixed(0)} ms`)

  console.log('')
  console.log(`| ${STREAM / MiB} MiB encrypt → decrypt stream | s | MB/s (each way) | renderer RSS peak / before | worker JS heap peak | worker backing stores peak |`)
  console.log('|---|---:|---:|---:|---:|---:|')
  for (const suite of [0x0478, 0x0578]) {
    const { result, watched } = await runBench(browser, url({ bench: 'stream', total: STREAM, suite }), {
      timeout: 600_000,
      // Samples memory every 100 ms until the page reports.
      whileRunning: async (_page, done) => {
        const before = rendererRss()
        const worker = await workerCdp(browser, 'bench.worker')
        let finished = false
        done.finally(() => (finished = true)).catch(() => undefined)
        const peak = { rss: before, heap: 0, backing: undefined }
        while (!finished) {
          peak.rss = Math.max(peak.rss, rendererRss())
          // Never waits past the page's result: the worker ends with the bench, unanswered.
          const h = await Promise.race([worker.send('Runtime.getHeapUsage'), done.then(() => undefined), new Promise((r) => setTimeout(r, 1000))]).catch(() => undefined)
          if (h) {
            peak.heap = Math.max(peak.heap, h.usedSize)
            if (h.backingStorageSize !== undefined) peak.backing = Math.max(peak.backing ?? 0, h.backingStorageSize)
          }
          await new Promise((r) => setTimeout(r, 100))
        }
        await worker.detach()
        return { before, ...peak }
      },
    })
    const mb = (b) => (b === undefined ? 'not reported' : `${(b / MiB).toFixed(0)} MiB`)
    console.log(`| 0x${suite.toString(16).padStart(4, '0')} | ${(result.ms / 1000).toFixed(1)} | ${(STREAM / MiB / (result.ms / 1000)).toFixed(0)} | ${mb(watched.rss)} / ${mb(watched.before)} | ${mb(watched.heap)} | ${mb(watched.backing)} |`)
  }
})
