// Benchmark: requests per second through the edge KMS on the local Workers runtime (wrangler
// dev, workerd), beside a trivial Worker on the same runtime, in alternating rounds, medians.
//
//   node bench/edge.mjs          (ROUNDS=3 SECONDS=4 CONCURRENCY=16 by default)
//
// Each request is signed once with AWS's SigV4 signer and replayed (the edge, like AWS, serves
// an identical request again within the 15-minute window), so the client's cost is the same
// for every contender: one HTTP request. Answers are checked before anything is timed.
//   trivial          a Worker that reads the body and answers a fixed JSON (bench/trivial-worker)
//   GenerateDataKey  one account: one Durable Object does the work (and records the event)
//   Decrypt          the same
//   GDK, 2 accounts  the same load spread over two accounts: two Durable Objects
import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { Sha256 } from '@aws-crypto/sha256-js'
import { SignatureV4 } from '@smithy/signature-v4'
import { wranglerNode } from '../scripts/setup.mjs'

const repo = fileURLToPath(new URL('..', import.meta.url))
const ROUNDS = Number(process.env.ROUNDS ?? 3)
const SECONDS = Number(process.env.SECONDS ?? 4)
const CONCURRENCY = Number(process.env.CONCURRENCY ?? 16)
const keys = {
  a: { accessKeyId: 'AKIAWEBKMSBENCHA0001', secretAccessKey: 'bench-secret-of-account-a-000000000000', principal: 'arn:aws:iam::111122223333:root' },
  b: { accessKeyId: 'AKIAWEBKMSBENCHB0001', secretAccessKey: 'bench-secret-of-account-b-000000000000', principal: 'arn:aws:iam::444455556666:root' },
}
const vars = {
  WEBKMS_CREDENTIALS: JSON.stringify(Object.fromEntries(Object.values(keys).map((k) => [k.accessKeyId, { secretAccessKey: k.secretAccessKey, principal: k.principal }]))),
  WEBKMS_ROOT_KEY: Buffer.alloc(32, 3).toString('base64'),
}
const quiet = { CLOUDFLARE_CF_FETCH_ENABLED: 'false', WRANGLER_SEND_METRICS: 'false', WRANGLER_HIDE_BANNER: 'true' }

const freePort = () =>
  new Promise((resolve) => {
    const s = createServer()
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address()
      s.close(() => resolve(port))
    })
  })

async function start(node, args, cwd, env) {
  const port = await freePort()
  const child = spawn(node, [...args, '--port', String(port)], { cwd, env: { ...process.env, ...quiet, ...env }, stdio: ['ignore', 'pipe', 'pipe'], detached: true })
  let out = ''
  child.stdout.on('data', (d) => (out += d))
  child.stderr.on('data', (d) => (out += d))
  const url = `http://127.0.0.1:${port}`
  for (const deadline = Date.now() + 90_000; ; ) {
    if (child.exitCode !== null) throw new Error(out)
    try {
      await fetch(url, { method: 'POST', body: '{}', signal: AbortSignal.timeout(1000) })
      break
    } catch {
      if (Date.now() > deadline) throw new Error(out)
      await new Promise((r) => setTimeout(r, 250))
    }
  }
  return { url, stop: () => { try { process.kill(-child.pid, 'SIGTERM') } catch {} } }
}

async function signed(url, target, body, key) {
  const u = new URL(url)
  const signer = new SignatureV4({ service: 'kms', region: 'us-east-1', credentials: key, sha256: Sha256 })
  const s = await signer.sign({ method: 'POST', protocol: u.protocol, hostname: u.hostname, port: Number(u.port), path: '/', query: {}, headers: { host: u.host, 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': target }, body })
  const headers = { ...s.headers }
  delete headers.host
  return { url: url + '/', init: { method: 'POST', headers, body } }
}

async function send({ url, init }) {
  const r = await fetch(url, init)
  const json = await r.json()
  if (!r.ok) throw new Error(JSON.stringify(json))
  return json
}

/** Requests per second for SECONDS with CONCURRENCY in flight, cycling through `requests`. */
async function load(requests) {
  let done = 0
  let errors = 0
  const end = performance.now() + SECONDS * 1000
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async (_, i) => {
      for (let n = i; performance.now() < end; n += CONCURRENCY) {
        const { url, init } = requests[n % requests.length]
        const r = await fetch(url, init)
        await r.arrayBuffer()
        if (r.ok) done++
        else errors++
      }
    }),
  )
  if (errors) throw new Error(`${errors} errors`)
  return done / SECONDS
}

const persist = mkdtempSync(join(tmpdir(), 'webkms-bench-'))
const edge = await start(process.execPath, ['scripts/dev-edge.mjs', '--persist-to', persist, '--log-level', 'error'], repo, vars)
const trivial = await start(wranglerNode(), ['packages/edge/node_modules/wrangler/bin/wrangler.js', 'dev', '-c', 'bench/trivial-worker/wrangler.toml', '--ip', '127.0.0.1', '--log-level', 'error'], repo, {})
try {
  const setup = async (key) => {
    const { KeyMetadata } = await send(await signed(edge.url, 'TrentService.CreateKey', '{}', key))
    const gdk = await signed(edge.url, 'TrentService.GenerateDataKey', JSON.stringify({ KeyId: KeyMetadata.KeyId, KeySpec: 'AES_256', EncryptionContext: { bench: 'edge' } }), key)
    const { CiphertextBlob, Plaintext } = await send(gdk)
    const dec = await signed(edge.url, 'TrentService.Decrypt', JSON.stringify({ CiphertextBlob, EncryptionContext: { bench: 'edge' } }), key)
    if ((await send(dec)).Plaintext !== Plaintext) throw new Error('Decrypt did not return the data key')
    return { gdk, dec }
  }
  const a = await setup(keys.a)
  const b = await setup(keys.b)
  const base = await signed(trivial.url, 'TrentService.GenerateDataKey', '{}', keys.a)
  await send(base)
  const contenders = {
    trivial: [base],
    GenerateDataKey: [a.gdk],
    Decrypt: [a.dec],
    'GenerateDataKey, 2 accounts': [a.gdk, b.gdk],
  }
  const results = Object.fromEntries(Object.keys(contenders).map((k) => [k, []]))
  for (let round = 0; round < ROUNDS; round++) {
    for (const [name, requests] of Object.entries(contenders)) results[name].push(await load(requests))
  }
  const median = (xs) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)]
  const trivialMedian = median(results.trivial)
  console.log(`node ${process.version}, wrangler dev (workerd), ${ROUNDS} rounds x ${SECONDS} s, ${CONCURRENCY} requests in flight, ${new Date().toISOString().slice(0, 10)}`)
  console.log('| contender | req/s (median) | rounds | / trivial Worker |')
  console.log('|---|---:|---|---:|')
  for (const [name, xs] of Object.entries(results)) {
    console.log(`| ${name} | ${median(xs).toFixed(0)} | ${xs.map((x) => x.toFixed(0)).join(', ')} | ${(median(xs) / trivialMedian).toFixed(2)} |`)
  }
} finally {
  edge.stop()
  trivial.stop()
  rmSync(persist, { recursive: true, force: true })
}
