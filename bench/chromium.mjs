// Shared by the Chromium benchmarks (worker-roundtrip.mjs, worker-envelope.mjs): serves the
// built demo with `vite preview` on loopback and opens its bench.html in Debian's Chromium,
// headless, as playwright.config.ts does. Run `pnpm build` first (the scripts' pnpm entries do).
import { readFileSync, readdirSync } from 'node:fs'
import { spawn } from 'node:child_process'
import { chromium } from 'playwright'

// As playwright.config.ts: Debian's Chromium, off the network it cannot reach.
export const chromiumLaunch = {
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
}
const PORT = 4180

/** Starts the server and the browser, runs `fn(browser, url)`, then stops both. */
export async function withBenchPage(fn) {
  const server = spawn(process.execPath, ['node_modules/vite/bin/vite.js', 'preview', '--host', '127.0.0.1', '--port', String(PORT), '--strictPort'], { cwd: 'apps/demo', stdio: 'ignore' })
  try {
    for (let i = 0; i < 100; i++) {
      if (await fetch(`http://127.0.0.1:${PORT}/bench.html`).then((r) => r.ok, () => false)) break
      await new Promise((r) => setTimeout(r, 200))
    }
    // A switch Chromium ignores, to find this browser's processes in /proc (rendererRss).
    const browser = await chromium.launch({ ...chromiumLaunch, args: [...chromiumLaunch.args, `--webkms-bench=${process.pid}`], headless: true })
    try {
      return await fn(browser, (query) => `http://127.0.0.1:${PORT}/bench.html?${new URLSearchParams(query)}`)
    } finally {
      await browser.close()
    }
  } finally {
    server.kill()
  }
}

/** Opens one bench page (a fresh renderer) and waits for its `globalThis.benchResult`. */
export async function runBench(browser, url, { timeout = 300_000, whileRunning } = {}) {
  const page = await browser.newPage()
  try {
    await page.goto(url)
    const done = page.waitForFunction(() => globalThis.benchResult, undefined, { timeout, polling: 200 }).then((h) => h.jsonValue())
    const watched = whileRunning ? await whileRunning(page, done) : undefined
    const result = await done
    if (result.error) throw new Error(result.error)
    return { result, watched }
  } finally {
    await page.close()
  }
}

/** Resident memory (VmRSS, bytes) of this run's renderer processes, read from /proc (Linux). */
export function rendererRss() {
  const procs = readdirSync('/proc').filter((d) => /^\d+$/.test(d))
  const read = (pid, file) => {
    try {
      return readFileSync(`/proc/${pid}/${file}`, 'utf8')
    } catch {
      return ''
    }
  }
  const browser = procs.find((pid) => read(pid, 'cmdline').includes(`--webkms-bench=${process.pid}`) && !read(pid, 'cmdline').includes('--type='))
  const parent = new Map(procs.map((pid) => [pid, read(pid, 'stat').split(') ')[1]?.split(' ')[1]]))
  const descends = (pid) => {
    for (let p = pid; p && p !== '0' && p !== '1'; p = parent.get(p)) if (p === browser) return true
    return false
  }
  let total = 0
  for (const pid of procs) {
    if (!browser || !descends(pid) || !read(pid, 'cmdline').includes('--type=renderer')) continue
    total += Number(/VmRSS:\s+(\d+) kB/.exec(read(pid, 'status'))?.[1] ?? 0) * 1024
  }
  return total
}

/**
 * A CDP session on the page's dedicated worker, for Runtime.getHeapUsage: the worker's JS heap
 * and, where Chromium reports it, the array buffers' backing stores. Attached without
 * flattening, so it needs nothing from Playwright beyond a browser CDP session.
 */
export async function workerCdp(browser, urlPart) {
  const cdp = await browser.newBrowserCDPSession()
  let target
  for (let i = 0; i < 100 && !target; i++) {
    target = (await cdp.send('Target.getTargets')).targetInfos.find((t) => t.type === 'worker' && t.url.includes(urlPart))
    if (!target) await new Promise((r) => setTimeout(r, 50))
  }
  if (!target) throw new Error(`no worker ${urlPart}`)
  const { sessionId } = await cdp.send('Target.attachToTarget', { targetId: target.targetId, flatten: false })
  let id = 0
  const pending = new Map()
  cdp.on('Target.receivedMessageFromTarget', (e) => {
    if (e.sessionId !== sessionId) return
    const m = JSON.parse(e.message)
    pending.get(m.id)?.(m)
    pending.delete(m.id)
  })
  return {
    send: (method, params = {}) =>
      new Promise((resolve, reject) => {
        const mid = ++id
        pending.set(mid, (m) => (m.error ? reject(new Error(m.error.message)) : resolve(m.result)))
        cdp.send('Target.sendMessageToTarget', { sessionId, message: JSON.stringify({ id: mid, method, params }) }).catch(reject)
      }),
    detach: () => cdp.detach().catch(() => undefined),
  }
}

export const chromiumVersion = (browser) => browser.version()
