/**
 * The built demo is a static site that works from any host under any base path: served here by
 * a plain static file server under /some/base/path/, the teaching demo and the playground start
 * their workers and run a real call.
 */
import { createServer, type Server } from 'node:http'
import { readFile } from 'node:fs/promises'
import { extname, join, normalize } from 'node:path'
import { expect, test } from './support.js'

const dist = process.env.DEMO_DIST ?? join(import.meta.dirname, '../../../apps/demo/dist')
const BASE = '/some/base/path/'
const TYPES: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css', '.svg': 'image/svg+xml', '.json': 'application/json' }
let server: Server
let origin = ''

test.beforeAll(async () => {
  server = createServer(async (req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname)
    if (!path.startsWith(BASE)) return void res.writeHead(404).end()
    const file = normalize(join(dist, path.slice(BASE.length) || 'index.html'))
    if (!file.startsWith(normalize(dist))) return void res.writeHead(403).end()
    try {
      const body = await readFile(file)
      res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' }).end(body)
    } catch {
      res.writeHead(404).end()
    }
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const address = server.address()
  origin = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`
})
test.afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())))

test('the demo and the playground work under a base path on a plain static server', async ({ page, errors }) => {
  void errors
  await page.goto(`${origin}${BASE}?lang=ja#envelope`)
  await page.evaluate(() => (globalThis as unknown as { webkmsReady: Promise<unknown> }).webkmsReady)
  await expect(page.locator('main h1')).toHaveText('エンベロープ暗号化')
  const keyId = await page.evaluate(async () => (await (globalThis as any).webkms.createKey()).KeyMetadata.KeyId)
  expect(keyId).toMatch(/^[0-9a-f-]{36}$/)
  await page.goto(`${origin}${BASE}playground.html`)
  await page.evaluate(() => (globalThis as any).webkmsReady)
  expect(await page.evaluate(async () => (await (globalThis as any).webkms.listKeys()).Keys.length)).toBeGreaterThanOrEqual(0)
})
