/**
 * Starts the edge as a developer would, with `pnpm dev:edge` (scripts/dev-edge.mjs: wrangler dev
 * on the Workers runtime), on a free port of 127.0.0.1, with the test configuration and a
 * persistence folder; stops it on request. Nothing else listens, and nothing is fetched.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { createServer } from 'node:net'
import { fileURLToPath } from 'node:url'
import { TEST_VARS } from './testVars.js'

const repo = fileURLToPath(new URL('../../../../', import.meta.url))

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number }
      server.close(() => resolve(port))
    })
  })
}

export interface DevServer {
  url: string
  port: number
  output: () => string
  stop(): Promise<void>
}

export async function startDevServer(persistTo: string, port?: number): Promise<DevServer> {
  const p = port ?? (await freePort())
  const child: ChildProcess = spawn(process.execPath, ['scripts/dev-edge.mjs', '--port', String(p), '--persist-to', persistTo, '--log-level', 'warn'], {
    cwd: repo,
    env: { ...process.env, ...TEST_VARS },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true, // its own process group, so stop() ends wrangler and workerd with it
  })
  let output = ''
  const url = `http://127.0.0.1:${p}`
  child.stdout!.on('data', (d: Buffer) => (output += d.toString()))
  child.stderr!.on('data', (d: Buffer) => (output += d.toString()))
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  const stop = async () => {
    if (child.exitCode === null) {
      try {
        process.kill(-child.pid!, 'SIGTERM')
      } catch {
        // already gone
      }
      const timer = setTimeout(() => {
        try {
          process.kill(-child.pid!, 'SIGKILL')
        } catch {
          // already gone
        }
      }, 5000)
      await exited
      clearTimeout(timer)
    }
  }
  // Ready when the port answers.
  const deadline = Date.now() + 90_000
  for (;;) {
    if (child.exitCode !== null) throw new Error(`pnpm dev:edge exited (${child.exitCode}):\n${output}`)
    try {
      await fetch(url, { method: 'POST', signal: AbortSignal.timeout(1000) })
      break
    } catch {
      if (Date.now() > deadline) {
        await stop()
        throw new Error(`pnpm dev:edge did not answer within 90 s:\n${output}`)
      }
      await new Promise((r) => setTimeout(r, 250))
    }
  }
  return { url, port: p, output: () => output, stop }
}
