// Benchmark: what the page-to-worker round trip adds to encrypting 16 MiB (encryptMessage,
// suite 0x0478), beside the same call made inside the worker, in one run, in Debian Chromium.
// Buffers are moved (transferred) both ways, not copied.
//
//   pnpm bench:worker      (builds the packages and the demo first)
import { chromium } from 'playwright'
import { spawn } from 'node:child_process'

// As playwright.config.ts: Debian's Chromium, off the network it cannot reach.
const chromiumLaunch = {
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
}

const PORT = 4180
const server = spawn(process.execPath, ['node_modules/vite/bin/vite.js', 'preview', '--host', '127.0.0.1', '--port', String(PORT), '--strictPort'], { cwd: 'apps/demo', stdio: 'ignore' })
try {
  for (let i = 0; i < 100; i++) {
    if (await fetch(`http://127.0.0.1:${PORT}/bench.html`).then((r) => r.ok, () => false)) break
    await new Promise((r) => setTimeout(r, 200))
  }
  const browser = await chromium.launch({ ...chromiumLaunch, headless: true })
  const page = await browser.newPage()
  await page.goto(`http://127.0.0.1:${PORT}/bench.html`)
  const r = await page.waitForFunction(() => globalThis.benchResult, undefined, { timeout: 120_000 }).then((h) => h.jsonValue())
  await browser.close()
  if (r.error) throw new Error(r.error)
  const overhead = (r.roundTripMs / r.inWorkerMs - 1) * 100
  console.log(`Chromium, 16 MiB encryptMessage (0x0478), median of ${r.runs}`)
  console.log('| called from | ms | MB/s |')
  console.log('|---|---:|---:|')
  console.log(`| inside the worker | ${r.inWorkerMs.toFixed(1)} | ${(16 / (r.inWorkerMs / 1000)).toFixed(0)} |`)
  console.log(`| the page (round trip, transferred) | ${r.roundTripMs.toFixed(1)} | ${(16 / (r.roundTripMs / 1000)).toFixed(0)} |`)
  console.log(`round trip adds ${overhead.toFixed(1)}%`)
} finally {
  server.kill()
}
