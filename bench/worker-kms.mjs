// Benchmark: KMS Encrypt (32 bytes), Decrypt and GenerateDataKey in the demo's KMS worker, on
// its IndexedDB store with key policies and the signed audit trail on, beside one raw
// WebCrypto AES-256-GCM encrypt of the same 32 bytes in the same worker, one bare IndexedDB
// read-write transaction (a put in a scratch database), and that put inside a Web Lock (the
// least an audited write costs here); GenerateRandom too, an audited call that reads no key.
// One call at a time and 8 in flight.
// Contenders in alternating rounds (each round in a fresh random order);
// every figure is the median over the rounds. Debian Chromium, headless.
//
//   pnpm build && node bench/worker-kms.mjs      (BENCH_ROUNDS=7, BENCH_BATCH_MS=200)
import { runBench, withBenchPage } from './chromium.mjs'

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 7)
const BATCH_MS = Number(process.env.BENCH_BATCH_MS ?? 200)

await withBenchPage(async (browser, url) => {
  const { result: us } = await runBench(browser, url({ bench: 'kms', rounds: ROUNDS, batch: BATCH_MS }), { timeout: 600_000 })
  console.log(`${new Date().toISOString().slice(0, 10)}; Chromium ${browser.version()} (headless); in the demo's KMS worker, IndexedDB store; medians of ${ROUNDS} alternating rounds of >= ${BATCH_MS} ms`)
  console.log('')
  console.log('| operation | 1 in flight: ops/s | / raw | 8 in flight: ops/s | / raw |')
  console.log('|---|---:|---:|---:|---:|')
  const ops = (name, n) => 1e6 / us[`${name}, ${n} in flight`]
  for (const name of ['raw AES-GCM encrypt 32 B', 'IndexedDB put (one read-write transaction)', 'Web Lock + IndexedDB put', 'Encrypt 32 B', 'Decrypt', 'GenerateDataKey', 'GenerateRandom 32 B']) {
    // Two significant digits: on IndexedDB the ratios are far below 0.01.
    const cells = [1, 8].map((n) => `${ops(name, n).toFixed(0)} | ${(ops(name, n) / ops('raw AES-GCM encrypt 32 B', n)).toPrecision(2)}`)
    console.log(`| ${name} | ${cells.join(' | ')} |`)
  }
})
