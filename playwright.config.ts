// End-to-end tests of the browser HSM against the built demo (`pnpm build` first), in
// Debian's Chromium: test tools' own browser downloads cannot be fetched here.
import { defineConfig } from '@playwright/test'

export const chromiumLaunch = {
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
}
// DEMO_DIST and E2E_PORT let several builds be tested side by side (default: apps/demo/dist on 4179).
const PORT = Number(process.env.E2E_PORT ?? 4179)
const outDir = process.env.DEMO_DIST ? ` --outDir ${JSON.stringify(process.env.DEMO_DIST)}` : ''

export default defineConfig({
  testDir: 'test/e2e',
  workers: 1,
  timeout: 60_000,
  reporter: [['list']],
  use: { baseURL: `http://127.0.0.1:${PORT}`, headless: true, launchOptions: chromiumLaunch },
  webServer: {
    // The production build, served on loopback only.
    command: `node node_modules/vite/bin/vite.js preview --host 127.0.0.1 --port ${PORT} --strictPort${outDir}`,
    cwd: 'apps/demo',
    url: `http://127.0.0.1:${PORT}/`,
    reuseExistingServer: false,
    timeout: 60_000,
  },
})
