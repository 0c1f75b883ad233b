/**
 * The example payload Worker (examples/payload-worker) beside the edge KMS in one `wrangler dev`
 * session, connected by a service binding: it encrypts JSON fields into AWS Encryption SDK
 * messages with data keys from the edge, and decrypts them back.
 */
import { spawn } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { freePort } from './support/devServer.js'
import { KEYS, TEST_VARS } from './support/testVars.js'

const edgeDir = fileURLToPath(new URL('../', import.meta.url))
let url: string
let stop: () => Promise<void>
let dir: string

const envFile = (vars: Record<string, string>) => Object.entries(vars).map(([k, v]) => `${k}='${v}'`).join('\n') + '\n'

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'webkms-payload-'))
  // The edge with the test configuration: its own config file (paths made absolute) beside its .dev.vars.
  const edgeConfig = readFileSync(join(edgeDir, 'wrangler.toml'), 'utf8')
    .replace('main = "src/worker.ts"', `main = "${join(edgeDir, 'src/worker.ts')}"`)
    .replace(/"\.\.\/core\/src\/([\w.]+\.ts)"/g, (_, file: string) => `"${join(edgeDir, '../core/src', file)}"`)
  writeFileSync(join(dir, 'wrangler.toml'), edgeConfig)
  writeFileSync(join(dir, '.dev.vars'), envFile(TEST_VARS))
  writeFileSync(join(dir, 'payload.env'), envFile({ PAYLOAD_ACCESS_KEY_ID: KEYS.root.accessKeyId, PAYLOAD_SECRET_ACCESS_KEY: KEYS.root.secretAccessKey }))
  const port = await freePort()
  url = `http://127.0.0.1:${port}`
  const child = spawn(
    process.execPath,
    ['node_modules/wrangler/bin/wrangler.js', 'dev', '-c', 'examples/payload-worker/wrangler.toml', '-c', join(dir, 'wrangler.toml'), '--ip', '127.0.0.1', '--port', String(port), '--env-file', join(dir, 'payload.env'), '--persist-to', join(dir, 'state'), '--log-level', 'warn'],
    { cwd: edgeDir, detached: true, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, CLOUDFLARE_CF_FETCH_ENABLED: 'false', WRANGLER_SEND_METRICS: 'false', WRANGLER_HIDE_BANNER: 'true' } },
  )
  let output = ''
  child.stdout!.on('data', (d: Buffer) => (output += d))
  child.stderr!.on('data', (d: Buffer) => (output += d))
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  stop = async () => {
    try {
      process.kill(-child.pid!, 'SIGTERM')
    } catch {
      return
    }
    await exited
  }
  const deadline = Date.now() + 90_000
  for (;;) {
    if (child.exitCode !== null) throw new Error(`wrangler dev exited:\n${output}`)
    try {
      await fetch(url, { signal: AbortSignal.timeout(1000) })
      break
    } catch {
      if (Date.now() > deadline) throw new Error(`wrangler dev did not answer:\n${output}`)
      await new Promise((r) => setTimeout(r, 250))
    }
  }
})

afterAll(async () => {
  await stop?.()
  rmSync(dir, { recursive: true, force: true })
})

const post = async (path: string, body: unknown) => {
  const response = await fetch(url + path, { method: 'POST', body: JSON.stringify(body) })
  return { status: response.status, json: (await response.json()) as Record<string, any> }
}

describe('the example payload Worker', () => {
  it('encrypts the chosen fields into AWS Encryption SDK messages and decrypts them back', async () => {
    const payload = { id: 'order-17', name: 'Ada', ssn: '078-05-1120', card: '4111111111111111' }
    const encrypted = await post('/encrypt?fields=ssn,card', payload)
    expect(encrypted.status).toBe(200)
    expect(encrypted.json.name).toBe('Ada')
    for (const field of ['ssn', 'card']) {
      const message = Uint8Array.from(atob(encrypted.json[field]['webkms:encrypted']), (c) => c.charCodeAt(0))
      expect(message[0]).toBe(0x02) // message format version 2
      expect(JSON.stringify(encrypted.json)).not.toContain(payload[field as 'ssn'])
    }
    expect((await post('/decrypt', encrypted.json)).json).toEqual(payload)
  })

  it('a field moved to another record does not decrypt (the context binds field and record)', async () => {
    const encrypted = (await post('/encrypt?fields=ssn', { id: 'a', ssn: '1' })).json
    expect(await post('/decrypt', { ...encrypted, id: 'b' })).toEqual({ status: 400, json: { error: 'DecryptionError' } })
  })
})
