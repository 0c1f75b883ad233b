// Benchmark: how long one large envelope call keeps Node's event loop from running anything
// else (a timer, I/O, another request), beside how long the call takes. A 1 ms interval runs
// through each call; the figure is the longest wait between two of its ticks. Contenders:
// webkms at its default suite (0x0578) and 0x0478, one-shot and in pieces, the official
// @aws-crypto/client-node 5.0.2, and with WEBKMS_BEFORE an older build, in alternating rounds
// (a fresh random order each round); medians over the rounds.
//
//   pnpm build:packages && node bench/event-loop.mjs
//   WEBKMS_BEFORE=/path/to/older/packages/core/dist node bench/event-loop.mjs
//   BENCH_MIB=16 BENCH_ROUNDS=9 node bench/event-loop.mjs
import { cpus } from 'node:os'
import { buildClient as awsBuildClient, RawAesKeyringNode, RawAesWrappingSuiteIdentifier } from '@aws-crypto/client-node'
import * as after from '../packages/core/dist/index.js'

const before = process.env.WEBKMS_BEFORE ? await import(new URL(`file://${process.env.WEBKMS_BEFORE}/index.js`).href) : undefined
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 7)
const MIB = Number(process.env.BENCH_MIB ?? 64)

const key = crypto.getRandomValues(new Uint8Array(32))
const data = new Uint8Array(MIB * 1024 * 1024)
for (let at = 0; at < data.length; at += 65536) crypto.getRandomValues(data.subarray(at, at + 65536))
const keyringOf = (lib) => new lib.RawAesKeyring({ keyNamespace: 'bench', keyName: 'key', wrappingKey: key })
const aws = awsBuildClient()
const theirs = new RawAesKeyringNode({ keyNamespace: 'bench', keyName: 'key', unencryptedMasterKey: key.slice(), wrappingSuite: RawAesWrappingSuiteIdentifier.AES256_GCM_IV12_TAG16_NO_PADDING, utf8Sorting: true })

const contenders = []
for (const [name, lib] of [['webkms', after], ...(before ? [['before', before]] : [])]) {
  const client = lib.buildClient()
  const keyring = keyringOf(lib)
  const signed = (await client.encrypt(keyring, data)).result
  const unsigned = (await client.encrypt(keyring, data, { suiteId: 0x0478 })).result
  contenders.push(
    [`${name} default encrypt`, () => client.encrypt(keyring, data)],
    [`${name} default decrypt`, () => client.decrypt(keyring, signed)],
    [`${name} default encryptToChunks`, () => client.encryptToChunks(keyring, data)],
    [`${name} default decryptToChunks`, () => client.decryptToChunks(keyring, signed)],
    [`${name} 0x0478 encrypt`, () => client.encrypt(keyring, data, { suiteId: 0x0478 })],
    [`${name} 0x0478 decrypt`, () => client.decrypt(keyring, unsigned)],
  )
}
const theirMessage = (await aws.encrypt(theirs, data)).result
contenders.push(['AWS client encrypt', () => aws.encrypt(theirs, data)], ['AWS client decrypt', () => aws.decrypt(theirs, theirMessage)])

/** Runs `fn` with a 1 ms interval beside it: the call's time and the longest wait between ticks. */
async function measure(fn) {
  const start = performance.now()
  let last = start
  let longest = 0
  const interval = setInterval(() => {
    const now = performance.now()
    longest = Math.max(longest, now - last)
    last = now
  }, 1)
  await fn()
  const end = performance.now()
  clearInterval(interval)
  return { total: end - start, longest: Math.max(longest, end - last) }
}

const results = contenders.map(() => ({ total: [], longest: [] }))
for (const [, fn] of contenders) await fn() // warm-up
for (let round = 0; round < ROUNDS; round++) {
  const order = contenders.map((_, i) => i)
  for (let i = order.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1))
    ;[order[i], order[j]] = [order[j], order[i]]
  }
  for (const i of order) {
    const { total, longest } = await measure(contenders[i][1])
    results[i].total.push(total)
    results[i].longest.push(longest)
  }
}
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]

console.log(`${new Date().toISOString().slice(0, 10)}; node ${process.version}; ${cpus().length} x ${cpus()[0]?.model.trim()}; ${MIB} MiB; medians of ${ROUNDS} alternating rounds\n`)
console.log('| call | ms | longest event-loop wait, ms |')
console.log('|---|---:|---:|')
contenders.forEach(([name], i) => console.log(`| ${name} | ${median(results[i].total).toFixed(1)} | ${median(results[i].longest).toFixed(1)} |`))
