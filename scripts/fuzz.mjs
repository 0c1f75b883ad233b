// The long fuzz run: the property tests `npm test` runs with a fixed seed and few runs, here
// with a fresh seed and many more runs, through Vitest against the sources (Node only):
//   packages/core/test/fuzz.test.ts          the ciphertext blob, policy and audit-log parsers
//   packages/core/test/envelope/fuzz/        the message parser, one-shot and streaming decrypt
//
//   node scripts/fuzz.mjs [scale] [seed]
//
// scale: how many times the suite's number of runs (default 200); seed: fast-check's seed
// (default: random). The seed is printed first and last: to reproduce a failure, run again with
// the same scale and seed (fast-check also prints the failing run's seed and path). Vitest's
// timeouts are off for these runs.
import { spawnSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'

const root = fileURLToPath(new URL('..', import.meta.url))
const scale = Number(process.argv[2] ?? 200)
const seed = process.argv[3] === undefined ? crypto.getRandomValues(new Int32Array(1))[0] : Number(process.argv[3])
if (!(scale > 0) || !Number.isInteger(seed)) {
  console.error('usage: node scripts/fuzz.mjs [scale > 0] [integer seed]')
  process.exit(2)
}

console.log(`webkms fuzz: seed ${seed}, ${scale}x the suite's runs`)
const result = spawnSync(
  process.execPath,
  ['node_modules/vitest/vitest.mjs', 'run', '--project', 'node', '--testTimeout=0', 'packages/core/test/fuzz.test.ts', 'packages/core/test/envelope/fuzz'],
  { cwd: root, stdio: 'inherit', env: { ...process.env, WEBKMS_FUZZ_SEED: String(seed), WEBKMS_FUZZ_SCALE: String(scale) } },
)
console.log(`webkms fuzz: seed ${seed} ${result.status === 0 ? 'passed' : 'FAILED'} (node scripts/fuzz.mjs ${scale} ${seed} reproduces it)`)
process.exit(result.status ?? 1)
