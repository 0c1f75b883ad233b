// `pnpm dev:edge [--port N] [wrangler flags...]`: runs @webkms/edge locally on the Workers
// runtime (wrangler dev, workerd from npm) on 127.0.0.1:8787, or the port given. Other flags go
// to wrangler, e.g. `--persist-to DIR` (keys survive a restart with the same folder).
//
// Configuration: WEBKMS_CREDENTIALS, WEBKMS_ROOT_KEY and WEBKMS_REGION from the environment when
// set (passed to wrangler in a private temporary file, removed on exit); otherwise development
// ones, made once and kept in packages/edge/.dev.vars (git ignores it), printed at start.
//
// wrangler 4 needs Node 22.12 or newer: on an older Node this runs it on the Node 24 that
// `npm test` installs from the npm registry (installed here if missing). Nothing is fetched
// at start-up: no Request.cf download (CLOUDFLARE_CF_FETCH_ENABLED=false), no update check,
// no metrics.
import { spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { log, setup, wranglerNode } from './setup.mjs'

const edgeDir = fileURLToPath(new URL('../packages/edge/', import.meta.url))
const devVars = join(edgeDir, '.dev.vars')

/** Development credentials: an access key for the account root of 111122223333. */
function developmentVars() {
  const accessKeyId = `AKIAWEBKMS${randomBytes(5).toString('hex').toUpperCase()}`
  const secretAccessKey = randomBytes(30).toString('base64')
  return {
    WEBKMS_CREDENTIALS: JSON.stringify({ [accessKeyId]: { secretAccessKey, principal: 'arn:aws:iam::111122223333:root' } }),
    WEBKMS_ROOT_KEY: randomBytes(32).toString('base64'),
  }
}

// dotenv: single quotes keep a value literal (JSON has none to escape; base64 neither).
const toDotEnv = (vars) =>
  Object.entries(vars)
    .map(([k, v]) => {
      if (v.includes("'") || v.includes('\n')) throw new Error(`${k} must not contain quotes or newlines`)
      return `${k}='${v}'`
    })
    .join('\n') + '\n'
const fromDotEnv = (text) => Object.fromEntries(text.split('\n').filter((l) => /^\w+='.*'$/.test(l)).map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 2, -1)]))

export function main(argv) {
  setup()
  const args = [...argv]
  let port = '8787'
  const at = args.indexOf('--port')
  if (at !== -1) {
    port = args[at + 1] ?? ''
    args.splice(at, 2)
  }
  if (!/^\d{2,5}$/.test(port)) throw new Error(`--port expected a port number, got ${JSON.stringify(port)}`)

  let envFile
  let cleanup = () => {}
  const fromEnvironment = ['WEBKMS_CREDENTIALS', 'WEBKMS_ROOT_KEY'].every((k) => process.env[k])
  let vars
  if (fromEnvironment) {
    vars = { WEBKMS_CREDENTIALS: process.env.WEBKMS_CREDENTIALS, WEBKMS_ROOT_KEY: process.env.WEBKMS_ROOT_KEY }
    const dir = mkdtempSync(join(tmpdir(), 'webkms-edge-'))
    envFile = join(dir, 'vars.env')
    writeFileSync(envFile, toDotEnv(vars), { mode: 0o600 })
    cleanup = () => rmSync(dir, { recursive: true, force: true })
    log('using WEBKMS_CREDENTIALS and WEBKMS_ROOT_KEY from the environment')
  } else {
    if (!existsSync(devVars)) {
      writeFileSync(devVars, toDotEnv(developmentVars()), { mode: 0o600 })
      log(`made development credentials in ${devVars} (not in git)`)
    }
    chmodSync(devVars, 0o600)
    envFile = devVars
    vars = fromDotEnv(readFileSync(devVars, 'utf8'))
  }
  const region = process.env.WEBKMS_REGION || 'us-east-1'
  const [accessKeyId, { secretAccessKey, principal }] = Object.entries(JSON.parse(vars.WEBKMS_CREDENTIALS))[0]
  const endpoint = `http://127.0.0.1:${port}`
  console.log(`
webkms-edge on ${endpoint} (region ${region}), signing as ${principal}:

  export AWS_ACCESS_KEY_ID=${accessKeyId}
  export AWS_SECRET_ACCESS_KEY=${fromEnvironment ? '<the secretAccessKey in your WEBKMS_CREDENTIALS>' : secretAccessKey}
  export AWS_REGION=${region}
  aws kms create-key --endpoint-url ${endpoint}
`)

  const node = wranglerNode()
  const wrangler = ['node_modules/wrangler/bin/wrangler.js', 'dev', '--ip', '127.0.0.1', '--port', port, '--env-file', envFile, '--var', `WEBKMS_REGION:${region}`, ...args]
  const child = spawn(node, wrangler, {
    cwd: edgeDir,
    stdio: 'inherit',
    env: { ...process.env, CLOUDFLARE_CF_FETCH_ENABLED: 'false', WRANGLER_SEND_METRICS: 'false', WRANGLER_HIDE_BANNER: 'true' },
  })
  for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal))
  child.on('exit', (code, signal) => {
    cleanup()
    process.exit(code ?? (signal ? 0 : 1))
  })
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  try {
    main(process.argv.slice(2))
  } catch (error) {
    console.error(`[webkms] ${error.message}`)
    process.exit(2)
  }
}
