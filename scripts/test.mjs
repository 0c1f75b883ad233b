// `npm test`: sets the checkout up (scripts/setup.mjs, Chromium included), then runs every
// stage in order and stops at the first failure with its exit code. .ci/run runs exactly this.
// The last stage is Vitest, so the output ends with Vitest's own summary.
import { ensureNode24, fail, log, NODE24_SPEC, node24Version, run, setup } from './setup.mjs'

const pnpm = setup({ chromium: true, awscli: true })
const vitest = ['node_modules/vitest/vitest.mjs', 'run']

const stages = [
  ['typecheck', () => pnpm('typecheck')],
  ['build', () => pnpm('build')],
  ['tests: node project', () => run(process.execPath, [...vitest, '--project', 'node'])],
  ['tests: browser project (Chromium)', () => run(process.execPath, [...vitest, '--project', 'browser'])],
  // After the build: Playwright drives the built demo (the browser HSM end to end).
  ['tests: end to end (Playwright, Chromium)', () => run(process.execPath, ['node_modules/@playwright/test/cli.js', 'test'])],
  // The edge on the Workers runtime (wrangler and miniflare need Node 22.12+): workerd via the
  // Vitest plugin, and `pnpm dev:edge` driven by the AWS SDK, the AWS CLI and the Encryption SDK.
  // Nothing is fetched at start-up: no Request.cf download, no update check, no metrics.
  ['tests: edge (Workers runtime, on Node 24)', () =>
    run(ensureNode24(), [...vitest, '--config', 'packages/edge/vitest.config.ts'], {
      env: { ...process.env, CLOUDFLARE_CF_FETCH_ENABLED: 'false', WRANGLER_SEND_METRICS: 'false', WRANGLER_HIDE_BANNER: 'true' },
    })],
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
