// Benchmark: what the page-to-worker round trip adds to encrypting 16 MiB (encryptMessage,
// suite 0x0478), beside the same call made inside the worker, in one run, in Debian Chromium.
// Buffers are moved (transferred) both ways, not copied. A third contender makes the call in
// the worker and transfers each result out of it (as the round trip does), so the worker cannot
// reuse the result's memory for the next call.
//
//   pnpm bench:worker      (builds the packages and the demo first)
import { runBench, withBenchPage } from './chromium.mjs'

await withBenchPage(async (browser, url) => {
  const { result: r } = await runBench(browser, url({ bench: 'roundtrip' }), { timeout: 120_000 })
  const overhead = (r.roundTripMs / r.inWorkerMs - 1) * 100
  console.log(`${new Date().toISOString().slice(0, 10)}; Chromium ${browser.version()}, 16 MiB encryptMessage (0x0478), medians of ${r.runs} alternating rounds`)
  console.log('| called from | ms | MB/s |')
  console.log('|---|---:|---:|')
  console.log(`| inside the worker | ${r.inWorkerMs.toFixed(1)} | ${(16 / (r.inWorkerMs / 1000)).toFixed(0)} |`)
  console.log(`| inside the worker, each result transferred out of it | ${r.inWorkerAwayMs.toFixed(1)} | ${(16 / (r.inWorkerAwayMs / 1000)).toFixed(0)} |`)
  console.log(`| the page (round trip, transferred) | ${r.roundTripMs.toFixed(1)} | ${(16 / (r.roundTripMs / 1000)).toFixed(0)} |`)
  console.log(`round trip adds ${overhead.toFixed(1)}%; over the call whose result leaves the worker, ${((r.roundTripMs / r.inWorkerAwayMs - 1) * 100).toFixed(1)}%`)
})
