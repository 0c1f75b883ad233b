// Benchmark: the webkms envelope SDK beside the official @aws-crypto/client-browser 4.2.2 in
// Debian Chromium (headless), both in a dedicated worker, at their default settings (webkms:
// suite 0x0578, 256 KiB frames; AWS: suite 0x0578, 4096-byte frames), with raw one-shot
// AES-256-GCM on the same buffer as the floor. Contenders run in alternating rounds (each round
// in a fresh random order); figures are medians. Each client decrypts the other's message first.
//
//   pnpm build:packages && node bench/aws-browser.mjs      (BENCH_ROUNDS=7, BENCH_MIB=64)
//
// bench/aws-browser/ is built here with Vite into a temporary folder and served on loopback.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { createServer } from 'node:http'
import { tmpdir } from 'node:os'
import { extname, join, normalize } from 'node:path'
import { fileURLToPath } from 'node:url'
import { chromium } from 'playwright'
import { build } from 'vite'
import { chromiumLaunch } from './chromium.mjs'

const root = fileURLToPath(new URL('..', import.meta.url))
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 7)
const MiB = 1024 * 1024
const SIZES = (process.env.BENCH_MIB ?? '1,64').split(',').map((n) => Number(n) * MiB)

const out = mkdtempSync(join(tmpdir(), 'webkms-aws-browser-'))
const types = { '.html': 'text/html', '.js': 'text/javascript' }
const server = createServer((req, res) => {
  const path = normalize(join(out, new URL(req.url, 'http://x').pathname))
  let body
  try {
    if (path.startsWith(out)) body = readFileSync(path)
  } catch {
    // not found: 404 below
  }
  if (body) res.writeHead(200, { 'content-type': types[extname(path)] ?? 'application/octet-stream' }).end(body)
  else res.writeHead(404).end()
})
try {
  await build({
    configFile: false,
    // 'error': the AWS packages import Node's crypto module for Node only, which Vite warns of.
    logLevel: 'error',
    root: join(root, 'bench/aws-browser'),
    base: './',
    resolve: {
      alias: [
        { find: /^@webkms\/core\/(.*)$/, replacement: join(root, 'packages/core/dist/$1.js') },
        // The `buffer` package in place of Node's module (see worker.js).
        { find: /^buffer$/, replacement: join(root, 'node_modules/buffer/index.js') },
      ],
    },
    define: { global: 'globalThis' },
    worker: { format: 'es' },
    build: { outDir: out, emptyOutDir: true, target: 'es2022' },
  })
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve))
  const browser = await chromium.launch({ ...chromiumLaunch, headless: true })
  try {
    console.log(`${new Date().toISOString().slice(0, 10)}; Chromium ${browser.version()} (headless); in a dedicated worker; medians of ${ROUNDS} alternating rounds`)
    console.log('')
    console.log('| size | op | raw AES-GCM one-shot | webkms default (0x0578) | @aws-crypto/client-browser default (0x0578) | webkms / AWS |')
    console.log('|---|---|---:|---:|---:|---:|')
    for (const size of SIZES) {
      const page = await browser.newPage()
      page.on('pageerror', (e) => console.error('page error:', e.message))
      try {
        await page.goto(`http://127.0.0.1:${server.address().port}/index.html?size=${size}&rounds=${ROUNDS}`)
        const m = await page.waitForFunction(() => globalThis.benchResult, undefined, { timeout: 900_000, polling: 500 }).then((h) => h.jsonValue())
        if (m.error) throw new Error(m.error)
        const cell = (ms) => `${ms.toFixed(0)} ms, ${(size / MiB / (ms / 1000)).toFixed(1)} MB/s`
        for (const op of ['enc', 'dec']) {
          const r = m.result
          console.log(`| ${size / MiB} MiB | ${op === 'enc' ? 'encrypt' : 'decrypt'} | ${cell(r[`raw ${op}`])} | ${cell(r[`webkms ${op}`])} | ${cell(r[`AWS ${op}`])} | ${(r[`AWS ${op}`] / r[`webkms ${op}`]).toFixed(2)} |`)
        }
      } finally {
        await page.close()
      }
    }
  } finally {
    await browser.close()
  }
} finally {
  server.close()
  rmSync(out, { recursive: true, force: true })
}
