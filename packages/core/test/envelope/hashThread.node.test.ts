/**
 * The hashing thread (envelope/crypto/hashThread.ts): large signed messages in large frames are
 * hashed and signed or verified in a `worker_threads` thread beside the frames. Its messages are
 * the format's (the AWS client reads them, and they read its), it fails closed on a bad
 * signature or frame, it never holds more than its bound of a message, it holds the process open
 * only while it works, and a thread that dies or refuses costs a caller nothing: the call is made
 * again hashing here.
 */
import { buildClient as awsBuildClient, CommitmentPolicy as AwsPolicy, RawAesKeyringNode, RawAesWrappingSuiteIdentifier } from '@aws-crypto/client-node'
import { Worker } from 'node:worker_threads'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { buildClient, DecryptionError } from '../../src/index.js'
import { hashThreadOnline, stopHashThread } from '../../src/envelope/crypto/hashThread.js'
import { aesKeyring, expectError } from './helpers.js'

const wrappingKey = new Uint8Array(32).fill(9)
const ours = () => aesKeyring('thread', wrappingKey)
// Their raw AES keyring reads our context order only when told utf8Sorting (interop.node.test.ts).
const theirs = () =>
  new RawAesKeyringNode({ keyNamespace: 'tests', keyName: 'thread', unencryptedMasterKey: wrappingKey.slice(), wrappingSuite: RawAesWrappingSuiteIdentifier.AES256_GCM_IV12_TAG16_NO_PADDING, utf8Sorting: true })
const client = buildClient()
const aws = awsBuildClient(AwsPolicy.REQUIRE_ENCRYPT_ALLOW_DECRYPT)

const MiB = 1024 * 1024
/** Distinct bytes in every frame, so a frame swapped or dropped would show. */
const plaintextOf = (n: number) => {
  const out = new Uint8Array(n)
  const view = new DataView(out.buffer)
  for (let i = 0; i + 4 <= n; i += 4096) view.setUint32(i, i)
  return out
}
const concat = (chunks: Uint8Array[]) => new Uint8Array(Buffer.concat(chunks))

/** What was posted to the thread: the update messages, by their pieces' bytes. */
function watchThread() {
  const posted: { bytes: number; at: number }[] = []
  let replies = 0
  let most = 0
  let inFlight = 0
  let begun = 0
  let ended = 0
  const listening = new WeakSet<object>()
  const real = Worker.prototype.postMessage
  const post = vi.spyOn(Worker.prototype, 'postMessage').mockImplementation(function (this: Worker, message: unknown, transfer?: readonly unknown[]) {
    if (!listening.has(this)) {
      listening.add(this)
      this.on('message', (reply: { back?: Uint8Array[] }) => {
        if (reply.back) inFlight -= posted[replies++]!.bytes
      })
    }
    const m = message as { pieces?: Uint8Array[]; begin?: string; drop?: boolean; sign?: unknown; verify?: unknown }
    if (m.begin) begun++
    if (m.drop || m.sign || m.verify) ended++
    const pieces = m.pieces
    if (pieces) {
      const bytes = pieces.reduce((sum, p) => sum + p.byteLength, 0)
      inFlight += bytes
      most = Math.max(most, inFlight)
      posted.push({ bytes, at: posted.length })
    }
    real.call(this, message, transfer as never)
  } as never)
  return {
    post,
    /** Bytes of the message posted to be hashed. */
    hashedBytes: () => posted.reduce((sum, p) => sum + p.bytes, 0),
    /** The most bytes ever with the thread, not yet handed back. */
    mostInFlight: () => most,
    /** Jobs begun, and jobs ended (signed, verified or dropped): the thread forgets ended ones. */
    jobs: () => ({ begun, ended }),
  }
}

beforeEach(async () => {
  await stopHashThread() // a fresh thread for every test, past failures forgotten
  expect(await hashThreadOnline()).toBe(true)
})
afterEach(async () => {
  vi.restoreAllMocks()
  await stopHashThread()
})

describe('the hashing thread', () => {
  it('hashes and signs large signed messages, whole and in pieces, which the AWS client reads', async () => {
    const plaintext = plaintextOf(8 * MiB + 123)
    const watch = watchThread()
    const { result } = await client.encrypt(ours(), plaintext, { encryptionContext: { tenant: 'acme' } })
    // Every byte but the footer: a u16 length, then the DER signature.
    const footer = [101, 102, 103, 104].map((n) => n + 2).find((n) => new DataView(result.buffer, result.byteOffset).getUint16(result.byteLength - n) === n - 2)
    expect(watch.hashedBytes()).toBe(result.byteLength - footer!)
    const { chunks } = await client.encryptToChunks(ours(), plaintext)
    const whole = concat(chunks)
    expect(chunks.every((c) => c.byteLength > 0)).toBe(true) // every piece handed back
    for (const message of [result, whole]) {
      const { plaintext: theirPlaintext } = await aws.decrypt(theirs(), message)
      expect(Buffer.compare(theirPlaintext, plaintext)).toBe(0)
    }
  })

  it('verifies the AWS client’s large messages in large frames, whole and in pieces', async () => {
    const plaintext = plaintextOf(6 * MiB + 5)
    const { result } = await aws.encrypt(theirs(), plaintext, { frameLength: 256 * 1024, encryptionContext: { tenant: 'acme' } })
    const watch = watchThread()
    const { plaintext: whole, messageHeader } = await client.decrypt(ours(), result)
    expect(messageHeader.encryptionContext).toMatchObject({ tenant: 'acme' })
    expect(Buffer.compare(whole, plaintext)).toBe(0)
    const { chunks } = await client.decryptToChunks(ours(), result)
    expect(Buffer.compare(concat(chunks), plaintext)).toBe(0)
    expect(watch.hashedBytes()).toBeGreaterThanOrEqual(2 * 6 * MiB)
  })

  it('signs with SHA-256 for the P-256 suite (0x0214)', async () => {
    const v1 = buildClient('FORBID_ENCRYPT_ALLOW_DECRYPT')
    const plaintext = plaintextOf(5 * MiB)
    const watch = watchThread()
    const { result } = await v1.encrypt(ours(), plaintext, { suiteId: 0x0214 })
    expect(watch.hashedBytes()).toBeGreaterThan(5 * MiB)
    const { plaintext: back } = await awsBuildClient(AwsPolicy.FORBID_ENCRYPT_ALLOW_DECRYPT).decrypt(theirs(), result)
    expect(Buffer.compare(back, plaintext)).toBe(0)
    expect(Buffer.compare((await v1.decrypt(ours(), result)).plaintext, plaintext)).toBe(0)
  })

  it('is not used for small messages or small frames', async () => {
    const watch = watchThread()
    const { result } = await client.encrypt(ours(), plaintextOf(MiB))
    await client.decrypt(ours(), result)
    const { result: smallFrames } = await client.encrypt(ours(), plaintextOf(5 * MiB), { frameLength: 4096 })
    await client.decrypt(ours(), smallFrames)
    expect(watch.post).not.toHaveBeenCalled()
  })

  it('fails closed on a changed signature or frame, and goes on working', async () => {
    const plaintext = plaintextOf(5 * MiB)
    const { result } = await client.encrypt(ours(), plaintext)
    const watch = watchThread()
    for (const at of [result.byteLength - 10, 3 * MiB]) {
      const changed = result.slice()
      changed[at]! ^= 1
      await expectError(client.decrypt(ours(), changed), DecryptionError, 'ERR_ENVELOPE_DECRYPTION_FAILED')
      await expectError(client.decryptToChunks(ours(), changed), DecryptionError, 'ERR_ENVELOPE_DECRYPTION_FAILED')
    }
    // Every failed message ended its job (the frame's by dropping it): nothing is left in the thread.
    expect(watch.jobs()).toEqual({ begun: 4, ended: 4 })
    expect(Buffer.compare((await client.decrypt(ours(), result)).plaintext, plaintext)).toBe(0)
  })

  it('holds at most about 8 MiB of a message at once', async () => {
    const watch = watchThread()
    await client.encrypt(ours(), plaintextOf(64 * MiB))
    // The bound, plus what the 8 frames in flight seal once there is room again, and the frames
    // sealed before it was full. Without the bound this thread runs ~3x ahead: 30-50 MiB.
    expect(watch.mostInFlight()).toBeGreaterThan(MiB)
    expect(watch.mostInFlight()).toBeLessThanOrEqual(12 * MiB)
  })

  it('holds the process open only while it works', async () => {
    const ports = () => process.getActiveResourcesInfo().filter((r) => r === 'MessagePort').length
    let during = -1
    await client.encrypt(ours(), plaintextOf(8 * MiB), { onProgress: (done) => void (done > 4 * MiB && during < 0 && (during = ports())) })
    const idle = ports()
    expect(during).toBe(idle + 1) // the thread's port, while it hashes
    await new Promise((resolve) => setImmediate(resolve))
    expect(ports()).toBe(idle)
  })
})

describe('when the thread fails', () => {
  /** Ends the thread after `after` messages to it, as a crash would. */
  function crashAfter(after: number) {
    let n = 0
    const real = Worker.prototype.postMessage
    return vi.spyOn(Worker.prototype, 'postMessage').mockImplementation(function (this: Worker, ...args: Parameters<Worker['postMessage']>) {
      real.apply(this, args)
      if (++n === after) void stopHashThread(false)
    } as never)
  }

  it('makes each call again hashing here, and a later message starts a new thread', async () => {
    const plaintext = plaintextOf(6 * MiB)
    const { result: awsMessage } = await aws.encrypt(theirs(), plaintext, { frameLength: 256 * 1024 })
    const calls = [
      async () => (await aws.decrypt(theirs(), (await client.encrypt(ours(), plaintext)).result)).plaintext,
      async () => (await aws.decrypt(theirs(), concat((await client.encryptToChunks(ours(), plaintext)).chunks))).plaintext,
      async () => (await client.decrypt(ours(), awsMessage)).plaintext,
      async () => concat((await client.decryptToChunks(ours(), awsMessage)).chunks),
    ]
    for (const call of calls) {
      await stopHashThread()
      expect(await hashThreadOnline()).toBe(true)
      const crash = crashAfter(5)
      expect(Buffer.compare(await call(), plaintext)).toBe(0)
      expect(crash).toHaveBeenCalledTimes(5) // the thread ended mid-message, and was not asked again
      crash.mockRestore()
    }
    expect(await hashThreadOnline()).toBe(true) // the next message may start another
  })

  it('hashes here for good once the thread refuses what it is sent', async () => {
    const real = Worker.prototype.postMessage
    const refusing = vi.spyOn(Worker.prototype, 'postMessage').mockImplementation(function (this: Worker, message: unknown, transfer?: readonly unknown[]) {
      if ((message as { sign?: unknown }).sign) throw new DOMException('could not be cloned', 'DataCloneError')
      real.call(this, message, transfer as never)
    } as never)
    const plaintext = plaintextOf(5 * MiB)
    const { result } = await client.encrypt(ours(), plaintext)
    expect(Buffer.compare((await aws.decrypt(theirs(), result)).plaintext, plaintext)).toBe(0)
    refusing.mockClear()
    await client.encrypt(ours(), plaintext)
    expect(refusing).not.toHaveBeenCalled()
    expect(await hashThreadOnline()).toBe(false)
  })
})
