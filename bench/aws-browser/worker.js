// Runs in a dedicated worker in Chromium (bench/aws-browser.mjs builds and serves it): the
// webkms envelope SDK beside the official @aws-crypto/client-browser 4.2.2, both at their
// default settings, on the same plaintext, in alternating rounds.
//
// The AWS browser client was written for bundlers that add Node's `Buffer` (webpack 4): its
// ECDSA signature code uses the global `Buffer` and `safer-buffer` requires the `buffer`
// module. The `buffer` package (the same polyfill webpack 4 used) stands in for both.
// Its code reads the global only when it runs, so setting it after the imports is enough.
import * as aws from '@aws-crypto/client-browser'
import { Buffer } from 'buffer'
import { buildClient, RawAesKeyring } from '@webkms/core/envelope'

globalThis.Buffer ??= Buffer

const subtle = crypto.subtle
const shuffled = (n) => {
  const order = Array.from({ length: n }, (_, i) => i)
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1))
    ;[order[i], order[j]] = [order[j], order[i]]
  }
  return order
}
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]
const equal = (a, b) => a.byteLength === b.byteLength && a.every((x, i) => x === b[i])

async function run({ size, rounds }) {
  const key = crypto.getRandomValues(new Uint8Array(32))
  const data = new Uint8Array(size)
  for (let i = 0; i < size; i += 65536) crypto.getRandomValues(data.subarray(i, Math.min(size, i + 65536)))

  const ours = new RawAesKeyring({ keyNamespace: 'bench', keyName: 'key', wrappingKey: key })
  const webkms = buildClient()
  const wrappingSuite = aws.RawAesWrappingSuiteIdentifier.AES256_GCM_IV12_TAG16_NO_PADDING
  const masterKey = await aws.RawAesKeyringWebCrypto.importCryptoKey(key.slice(), wrappingSuite)
  const theirs = new aws.RawAesKeyringWebCrypto({ keyNamespace: 'bench', keyName: 'key', masterKey, wrappingSuite, utf8Sorting: true })
  const awsClient = aws.buildClient(aws.CommitmentPolicy.REQUIRE_ENCRYPT_REQUIRE_DECRYPT)
  const rawKey = await subtle.importKey('raw', key, 'AES-GCM', false, ['encrypt', 'decrypt'])
  const iv = new Uint8Array(12)

  // Cross-checks before anything is timed: each client decrypts the other's messages.
  const oursDefault = (await webkms.encrypt(ours, data)).result
  const theirsDefault = (await awsClient.encrypt(theirs, data)).result
  if (!equal((await awsClient.decrypt(theirs, oursDefault)).plaintext, data)) throw new Error('the AWS browser client does not read ours')
  if (!equal((await webkms.decrypt(ours, theirsDefault)).plaintext, data)) throw new Error('we do not read the AWS browser client')
  const rawCt = await subtle.encrypt({ name: 'AES-GCM', iv }, rawKey, data)

  const contenders = [
    ['raw enc', () => subtle.encrypt({ name: 'AES-GCM', iv }, rawKey, data)],
    ['raw dec', () => subtle.decrypt({ name: 'AES-GCM', iv }, rawKey, rawCt)],
    ['webkms enc', () => webkms.encrypt(ours, data)],
    ['webkms dec', () => webkms.decrypt(ours, oursDefault)],
    ['AWS enc', () => awsClient.encrypt(theirs, data)],
    ['AWS dec', () => awsClient.decrypt(theirs, theirsDefault)],
  ]
  const times = contenders.map(() => [])
  for (const [, fn] of contenders) await fn() // warm-up
  for (let round = 0; round < rounds; round++) {
    for (const i of shuffled(contenders.length)) {
      const t = performance.now()
      await contenders[i][1]()
      times[i].push(performance.now() - t)
    }
  }
  return Object.fromEntries(contenders.map(([name], i) => [name, median(times[i])]))
}

self.onmessage = async ({ data }) => {
  try {
    self.postMessage({ result: await run(data) })
  } catch (error) {
    self.postMessage({ error: String(error?.stack ?? error) })
  }
}
