// Screenshots of the built demo (`pnpm build` first), for looking at what learners see:
//   node scripts/demo-screenshots.mjs [section ...] [--out DIR]
// (DEMO_DIST=dir and SHOTS_PORT=n: another build, another port.)
// Every section given (default: all), in English and Japanese, at desktop (1280 px) and phone
// (390 px) widths, full page, into DIR (default: a new folder under the system temp dir).
import { spawn } from 'node:child_process'
import { mkdirSync, mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { chromium } from '@playwright/test'

const args = process.argv.slice(2)
const outAt = args.indexOf('--out')
const out = outAt >= 0 ? args.splice(outAt, 2)[1] : mkdtempSync(join(tmpdir(), 'webkms-shots-'))
mkdirSync(out, { recursive: true })
const sections = args.length ? args : ['home', 'envelope', 'hsm', 'lifecycle', 'policies', 'audit', 'byok', 'files', 'cost']
const PORT = Number(process.env.SHOTS_PORT ?? 4188)
// As playwright.config.ts launches it: Debian's Chromium, no sandbox, no background networking.
const chromiumLaunch = {
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
}

const server = spawn(process.execPath, ['node_modules/vite/bin/vite.js', 'preview', '--host', '127.0.0.1', '--port', String(PORT), '--strictPort', ...(process.env.DEMO_DIST ? ['--outDir', process.env.DEMO_DIST] : [])], { cwd: 'apps/demo', stdio: 'ignore' })
try {
  for (let i = 0; i < 100; i++) {
    if (await fetch(`http://127.0.0.1:${PORT}/`).then((r) => r.ok, () => false)) break
    await new Promise((r) => setTimeout(r, 100))
  }
  const browser = await chromium.launch({ ...chromiumLaunch, headless: true })
  for (const [size, viewport] of [['desktop', { width: 1280, height: 900 }], ['phone', { width: 390, height: 844 }]]) {
    for (const lang of ['en', 'ja']) {
      const page = await browser.newPage({ viewport, deviceScaleFactor: 1 })
      page.on('console', (m) => m.type() === 'error' && console.error(`[${lang} ${size}] console error: ${m.text()}`))
      page.on('pageerror', (e) => console.error(`[${lang} ${size}] page error: ${e.message}`))
      for (const section of sections) {
        await page.goto(`http://127.0.0.1:${PORT}/?lang=${lang}${section === 'home' ? '' : `#${section}`}`)
        await page.evaluate(() => globalThis.webkmsReady)
        await page.waitForTimeout(400)
        const file = join(out, `${section}-${lang}-${size}.png`)
        await page.screenshot({ path: file, fullPage: true })
        console.log(file)
      }
      await page.close()
    }
  }
  await browser.close()
} finally {
  server.kill()
}
