/**
 * The hashing thread (envelope/crypto/hashThread.ts): large signed messages in large frames,
 * encrypted or decrypted into one buffer, are hashed and signed or verified in a
 * `worker_threads` thread beside the frames (in pieces they hash on the calling thread). Its messages are
 * the format's (the AWS client reads them, and they read its), it fails closed on a bad
 * signature or frame, it never holds more than its bound of a message, it holds the process open
 * only while it works, and a thread that dies or refuses costs a caller nothing: the call is made
 * again hashing here.
 */
import { buildClient as awsBuildClient, CommitmentPolicy as AwsPolicy, RawAesKeyringNode, RawAesWrappingSuiteIdentifier } from '@aws-crypto/client-node'
import { spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { fileURLToPath, pathToFileURL } from 'node:url'
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

/** The footer's length: a u16 length, then a DER SEQUENCE (0x30, its length) of that many bytes. */
function footerLength(message: Uint8Array): number {
  const view = new DataView(message.buffer, message.byteOffset, message.byteLength)
  for (let der = 8; der <= 104; der++) {
    const at = message.byteLength - der
    if (view.getUint16(at - 2) === der && message[at] === 0x30 && message[at + 1] === der - 2) return der + 2
  }
  throw new Error('no footer')
}

/** A raw AES keyring whose onEncrypt and onDecrypt calls are counted. */
function countedKeyring() {
  const keyring = ours()
  return { keyring, encrypts: vi.spyOn(keyring, 'onEncrypt'), decrypts: vi.spyOn(keyring, 'onDecrypt') }
}

/**
 * What was posted to the thread: the update messages, by their pieces' bytes, the jobs, the
 * threads. `onPost` may replace a message before it is sent.
 */
function watchThread(onPost?: (message: Record<string, unknown>, worker: Worker) => unknown) {
  const posted: { bytes: number; at: number }[] = []
  let replies = 0
  let most = 0
  let inFlight = 0
  let begun = 0
  let ended = 0
  const workers: Worker[] = []
  const real = Worker.prototype.postMessage
  const post = vi.spyOn(Worker.prototype, 'postMessage').mockImplementation(function (this: Worker, message: unknown, transfer?: readonly unknown[]) {
    if (!workers.includes(this)) {
      workers.push(this)
      this.on('message', (reply: { back?: Uint8Array[] }) => {
        if (reply.back) inFlight -= posted[replies++]!.bytes
      })
    }
    const m = message as { pieces?: Uint8Array[]; begin?: string; drop?: boolean; sign?: unknown; verify?: unknown } & Record<string, unknown>
    if (m.begin) begun++
    if (m.drop || m.sign || m.verify) ended++
    const pieces = m.pieces
    if (pieces) {
      const bytes = pieces.reduce((sum, p) => sum + p.byteLength, 0)
      inFlight += bytes
      most = Math.max(most, inFlight)
      posted.push({ bytes, at: posted.length })
    }
    real.call(this, onPost ? onPost(m, this) : message, transfer as never)
  } as never)
  return {
    post,
    /** The threads posted to, in order. */
    workers,
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
  it('hashes and signs large signed messages in one buffer, which the AWS client reads', async () => {
    const plaintext = plaintextOf(8 * MiB + 123)
    const watch = watchThread()
    const { result } = await client.encrypt(ours(), plaintext, { encryptionContext: { tenant: 'acme' } })
    expect(watch.hashedBytes()).toBe(result.byteLength - footerLength(result)) // every byte but the footer
    const { chunks } = await client.encryptToChunks(ours(), plaintext)
    const whole = concat(chunks)
    expect(watch.jobs()).toEqual({ begun: 1, ended: 1 }) // in pieces: hashed here
    for (const message of [result, whole]) {
      const { plaintext: theirPlaintext } = await aws.decrypt(theirs(), message)
      expect(Buffer.compare(theirPlaintext, plaintext)).toBe(0)
    }
  })

  it('verifies the AWS client’s large messages in large frames', async () => {
    const plaintext = plaintextOf(6 * MiB + 5)
    const { result } = await aws.encrypt(theirs(), plaintext, { frameLength: 256 * 1024, encryptionContext: { tenant: 'acme' } })
    const watch = watchThread()
    const { plaintext: whole, messageHeader } = await client.decrypt(ours(), result)
    expect(messageHeader.encryptionContext).toMatchObject({ tenant: 'acme' })
    expect(Buffer.compare(whole, plaintext)).toBe(0)
    const { chunks } = await client.decryptToChunks(ours(), result)
    expect(Buffer.compare(concat(chunks), plaintext)).toBe(0)
    expect(watch.hashedBytes()).toBeGreaterThanOrEqual(6 * MiB)
    expect(watch.jobs()).toEqual({ begun: 1, ended: 1 }) // in pieces: hashed here
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
    // Frames over 1 MiB (the sender chooses): what would wait for the thread is bounded by them.
    const { result: largeFrames } = await client.encrypt(ours(), plaintextOf(9 * MiB), { frameLength: 2 * MiB })
    await client.decrypt(ours(), largeFrames)
    expect(watch.post).not.toHaveBeenCalled()
  })

  it('fails closed on a changed signature or frame, once, and goes on working with the same thread', async () => {
    const plaintext = plaintextOf(5 * MiB)
    const { result } = await client.encrypt(ours(), plaintext)
    const watch = watchThread()
    const { keyring, decrypts } = countedKeyring()
    for (const at of [result.byteLength - 10, 3 * MiB]) {
      const changed = result.slice()
      changed[at]! ^= 1
      await expectError(client.decrypt(keyring, changed), DecryptionError, 'ERR_ENVELOPE_DECRYPTION_FAILED')
      await expectError(client.decryptToChunks(keyring, changed), DecryptionError, 'ERR_ENVELOPE_DECRYPTION_FAILED')
    }
    // Each failed once: a bad message is not the thread's failure, so nothing was made again.
    expect(decrypts).toHaveBeenCalledTimes(4)
    // Every failed message in one buffer ended its job (the frame's by dropping it): nothing is
    // left in the thread.
    expect(watch.jobs()).toEqual({ begun: 2, ended: 2 })
    expect(Buffer.compare((await client.decrypt(keyring, result)).plaintext, plaintext)).toBe(0)
    expect(watch.jobs()).toEqual({ begun: 3, ended: 3 })
    expect(watch.workers).toHaveLength(1)
  })

  it('serves messages at once, one of them failing', async () => {
    const plaintexts = [1, 2, 3].map((k) => plaintextOf(4 * MiB + k * 1000))
    const { result } = await client.encrypt(ours(), plaintexts[0]!)
    const changed = result.slice()
    changed[2 * MiB]! ^= 1
    const watch = watchThread()
    const [encrypted, chunked, failed, decrypted] = await Promise.allSettled([
      client.encrypt(ours(), plaintexts[1]!),
      client.encryptToChunks(ours(), plaintexts[2]!),
      client.decrypt(ours(), changed),
      client.decrypt(ours(), result),
    ])
    expect(failed).toMatchObject({ status: 'rejected', reason: expect.any(DecryptionError) })
    expect(Buffer.compare((await aws.decrypt(theirs(), (encrypted as PromiseFulfilledResult<{ result: Uint8Array }>).value.result)).plaintext, plaintexts[1]!)).toBe(0)
    expect(Buffer.compare((await aws.decrypt(theirs(), concat((chunked as PromiseFulfilledResult<{ chunks: Uint8Array[] }>).value.chunks))).plaintext, plaintexts[2]!)).toBe(0)
    expect(Buffer.compare((decrypted as PromiseFulfilledResult<{ plaintext: Uint8Array }>).value.plaintext, plaintexts[0]!)).toBe(0)
    expect(watch.jobs()).toEqual({ begun: 3, ended: 3 })
  })

  it('drops the job of a message that fails while it seals', async () => {
    const watch = watchThread()
    const stop = new Error('stop')
    const { keyring, encrypts } = countedKeyring()
    const progress = (done: number) => {
      if (done > 2 * MiB) throw stop
    }
    await expect(client.encrypt(keyring, plaintextOf(6 * MiB), { onProgress: progress })).rejects.toBe(stop)
    expect(encrypts).toHaveBeenCalledTimes(1) // the caller's error: nothing made again
    await new Promise((resolve) => setTimeout(resolve, 50)) // replies of frames already sent
    expect(watch.jobs()).toEqual({ begun: 1, ended: 1 })
  })

  it('holds at most about 8 MiB of a message at once', async () => {
    // The thread is made four times slower (each batch hashed with three copies of itself, so
    // the signature is wrong: only the bound is checked), so without the bound it would fall
    // far behind on any machine.
    const watch = watchThread((message) => {
      const pieces = message.pieces as Uint8Array[] | undefined
      if (!pieces) return message
      const copies = pieces.map((piece) => new Uint8Array(piece))
      return { ...message, pieces: [...pieces, ...copies, ...copies, ...copies] }
    })
    await client.encrypt(ours(), plaintextOf(64 * MiB))
    // The bound, plus what the 8 frames in flight seal once there is room again.
    expect(watch.mostInFlight()).toBeGreaterThan(4 * MiB)
    expect(watch.mostInFlight()).toBeLessThanOrEqual(12 * MiB)
  })

  it('hashes here while it starts: a message never waits for it', async () => {
    await stopHashThread()
    const watch = watchThread()
    const plaintext = plaintextOf(5 * MiB)
    const { result } = await client.encrypt(ours(), plaintext) // starts it
    expect(watch.post).not.toHaveBeenCalled()
    expect(Buffer.compare((await aws.decrypt(theirs(), result)).plaintext, plaintext)).toBe(0)
    expect(await hashThreadOnline()).toBe(true)
    await client.encrypt(ours(), plaintext)
    expect(watch.jobs()).toEqual({ begun: 1, ended: 1 })
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
  it('makes each call again hashing here, and a later message starts a new thread', async () => {
    const plaintext = plaintextOf(6 * MiB)
    const { result: awsMessage } = await aws.encrypt(theirs(), plaintext, { frameLength: 256 * 1024 })
    const { keyring, encrypts, decrypts } = countedKeyring()
    const calls = [
      async () => (await aws.decrypt(theirs(), (await client.encrypt(keyring, plaintext)).result)).plaintext,
      async () => (await client.decrypt(keyring, awsMessage)).plaintext,
    ]
    for (const call of calls) {
      await stopHashThread()
      expect(await hashThreadOnline()).toBe(true)
      // The thread is ended from outside (as a crash would) after its fifth message.
      let posts = 0
      const watch = watchThread((message, worker) => {
        if (++posts === 5) void worker.terminate()
        return message
      })
      expect(Buffer.compare(await call(), plaintext)).toBe(0)
      expect(watch.workers).toHaveLength(1)
      expect(posts).toBeGreaterThanOrEqual(5)
      watch.post.mockRestore()
    }
    // Each call was made again from the start: the keyring was asked twice for each.
    expect(encrypts).toHaveBeenCalledTimes(2)
    expect(decrypts).toHaveBeenCalledTimes(2)

    // The next large message starts a new thread (and hashes here); the one after uses it.
    const watch = watchThread()
    await client.encrypt(ours(), plaintext)
    expect(await hashThreadOnline()).toBe(true)
    await client.encrypt(ours(), plaintext)
    expect(watch.workers).toHaveLength(1)
    expect(watch.hashedBytes()).toBeGreaterThan(6 * MiB)
  })

  it('makes a call again when the thread refuses its job, and hashes here for good after three', async () => {
    // A hash the thread does not know: it refuses every message of that job.
    const watch = watchThread((message) => (message.begin ? { ...message, hash: 'sha384-unknown' } : message))
    const { keyring, encrypts } = countedKeyring()
    const plaintext = plaintextOf(5 * MiB)
    for (let refused = 1; refused <= 3; refused++) {
      const { result } = await client.encrypt(keyring, plaintext)
      expect(Buffer.compare((await aws.decrypt(theirs(), result)).plaintext, plaintext)).toBe(0)
    }
    expect(encrypts).toHaveBeenCalledTimes(6) // each made again, hashing here
    expect(watch.jobs().begun).toBe(3)
    expect(await hashThreadOnline()).toBe(false)
    await client.encrypt(keyring, plaintext)
    expect(watch.jobs().begun).toBe(3)
    expect(encrypts).toHaveBeenCalledTimes(7)
  })

  it('stops a message waiting for room when the thread ends, and makes it again here', async () => {
    const plaintext = plaintextOf(48 * MiB)
    const { keyring, encrypts } = countedKeyring()
    // Slowed as in the bound's test, so that messages wait for room; then ended from outside.
    let posts = 0
    const watch = watchThread((message, worker) => {
      if (++posts === 24) void worker.terminate()
      const pieces = message.pieces as Uint8Array[] | undefined
      if (!pieces) return message
      const copies = pieces.map((piece) => new Uint8Array(piece))
      return { ...message, pieces: [...pieces, ...copies, ...copies, ...copies] }
    })
    const results = await Promise.all([client.encrypt(keyring, plaintext), client.encrypt(keyring, plaintext)])
    expect(watch.mostInFlight()).toBeGreaterThanOrEqual(8 * MiB) // they had waited for room
    for (const { result } of results) expect(Buffer.compare((await aws.decrypt(theirs(), result)).plaintext, plaintext)).toBe(0)
    expect(encrypts).toHaveBeenCalledTimes(4)
  })

  it('hashes here for good once a message to the thread cannot be sent', async () => {
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

describe('a process that uses the thread', () => {
  const dist = fileURLToPath(new URL('../../dist/index.js', import.meta.url))
  // The built package (npm test builds before the tests); a checkout that has not built says so.
  const built = existsSync(dist)
  if (!built && process.env.CI === 'true') throw new Error(`${dist} is missing: build the packages before the tests`)

  it.skipIf(!built)('finishes a large call at the top level, then exits by itself', async () => {
    const script = `
      import { buildClient, RawAesKeyring } from ${JSON.stringify(pathToFileURL(dist).href)}
      import { hashThreadOnline } from ${JSON.stringify(pathToFileURL(dist.replace(/index\.js$/, 'envelope/crypto/hashThread.js')).href)}
      if (!(await hashThreadOnline())) process.exit(3)
      const client = buildClient()
      const keyring = new RawAesKeyring({ keyNamespace: 'a', keyName: 'b', wrappingKey: new Uint8Array(32).fill(1) })
      const plaintext = new Uint8Array(8 * 1024 * 1024).fill(7)
      for (let i = 0; i < 3; i++) {
        const { result } = await client.encrypt(keyring, plaintext)
        const { plaintext: back } = await client.decrypt(keyring, result)
        if (back.byteLength !== plaintext.byteLength) process.exit(2)
      }
      console.log('done')
    `
    const child = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', timeout: 20_000 })
    expect({ status: child.status, stderr: child.stderr, error: child.error }).toEqual({ status: 0, stderr: '', error: undefined }) // no timeout: it ended by itself
    expect(child.stderr).toBe('')
    expect(child.stdout.trim()).toBe('done')
    expect(child.status).toBe(0)
  })
})
