/**
 * Properties of the public decrypt API on damaged and random messages, one-shot and streamed
 * in random chunkings, under random limits: every run ends; the only failure is the opaque
 * DecryptionError; a message decrypts only if it is the one that was written, and to its
 * plaintext; a failing stream has released only authenticated plaintext (a prefix of the true
 * one); and a stream never holds more than the header limit or one frame, plus a chunk.
 */
import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { buildClient, CommitmentPolicy, DecryptionError, type DecryptOptions } from '../../../src/index.js'
import { ByteQueue } from '../../../src/envelope/byteQueue.js'
import { aesKeyring } from '../helpers.js'
import { baseMessages, chunking, chunks, equal, mutate, mutation, runs, testTimeout, type BaseMessage, type Mutation } from './arbitraries.js'

const client = buildClient(CommitmentPolicy.REQUIRE_ENCRYPT_ALLOW_DECRYPT)
const keyring = aesKeyring()
/** Frame fields around the content: final-frame marker, sequence number, IV, content length, tag. */
const FRAME_OVERHEAD = 4 + 4 + 12 + 4 + 16
const FOOTER = 2 + 0xffff

let bases: BaseMessage[]
/** The most bytes a ByteQueue held, since the last reset. */
let peak = 0
beforeAll(async () => {
  bases = await baseMessages()
  const push = ByteQueue.prototype.push
  vi.spyOn(ByteQueue.prototype, 'push').mockImplementation(function (this: ByteQueue, chunk: Uint8Array) {
    push.call(this, chunk)
    peak = Math.max(peak, this.length)
  })
})
afterAll(() => void vi.restoreAllMocks())

interface Case {
  base: number
  mutations: Mutation[]
  random: Uint8Array | null
  options: DecryptOptions
}

const cases = (): fc.Arbitrary<Case> =>
  fc.record({
    base: fc.nat(bases.length - 1),
    mutations: fc.array(mutation, { maxLength: 3 }),
    random: fc.oneof({ weight: 7, arbitrary: fc.constant(null) }, { weight: 1, arbitrary: fc.uint8Array({ maxLength: 600 }) }),
    // Mostly limits the message fits (so the damage is what is tested), sometimes ones it does not.
    options: fc.record({
      maxBodySize: fc.oneof({ weight: 3, arbitrary: fc.constantFrom(50, Number.MAX_SAFE_INTEGER) }, { weight: 1, arbitrary: fc.constantFrom(0, 16, 40) }),
      maxHeaderLength: fc.oneof({ weight: 3, arbitrary: fc.constantFrom(300, 1024 * 1024) }, { weight: 1, arbitrary: fc.constantFrom(40, 150) }),
    }),
  })

/** The input of a case: a message damaged (or not), or random bytes. */
function inputOf(c: Case): { input: Uint8Array; base: BaseMessage } {
  const base = bases[c.base]!
  return { input: c.random ?? mutate(base.message, c.mutations), base }
}

const isDecryptionError = (e: unknown) => e instanceof DecryptionError && e.constructor === DecryptionError && e.message === 'decryption operation failed'

describe('decrypt on damaged and random messages (property)', () => {
  it('one-shot: the original plaintext for the original message, else DecryptionError', { timeout: testTimeout }, async () => {
    await fc.assert(
      fc.asyncProperty(cases(), async (c) => {
        const { input, base } = inputOf(c)
        const outcome = await client.decrypt(keyring, input, c.options).then(
          (r) => r,
          (e: unknown) => e,
        )
        if (outcome instanceof Error) {
          expect(isDecryptionError(outcome), String(outcome)).toBe(true)
          return
        }
        expect(equal(input, base.message)).toBe(true)
        expect(equal((outcome as { plaintext: Uint8Array }).plaintext, base.plaintext)).toBe(true)
      }),
      runs(150),
    )
  })

  it('streamed in any chunking: the same outcome, only authenticated plaintext released, memory bounded by the limits', { timeout: testTimeout }, async () => {
    await fc.assert(
      fc.asyncProperty(cases(), chunking, async (c, sizes) => {
        const { input, base } = inputOf(c)
        const stream = client.decryptStream(keyring, c.options)
        const released: Uint8Array[] = []
        const drained = stream.readable.pipeTo(new WritableStream({ write: (p) => void released.push(p) })).then(
          () => undefined,
          (e: unknown) => e,
        )
        const writer = stream.writable.getWriter()
        peak = 0
        let failed: unknown
        try {
          for (const piece of chunks(input, sizes)) await writer.write(piece)
          await writer.close()
        } catch (error) {
          failed = error
        }
        const ended = await drained
        const plaintext = join(released)
        if (failed || ended) {
          expect(isDecryptionError(failed ?? ended), String(failed ?? ended)).toBe(true)
          // Released frames were authenticated: a prefix of the plaintext of the message they came from.
          expect(equal(plaintext, base.plaintext.subarray(0, plaintext.byteLength))).toBe(true)
          const header = await stream.messageHeader.then(() => 'resolved', (e: unknown) => e)
          if (header !== 'resolved') expect(isDecryptionError(header)).toBe(true)
        } else {
          expect(equal(input, base.message)).toBe(true)
          expect(equal(plaintext, base.plaintext)).toBe(true)
        }
        // A stream holds at most the header, or one frame (or non-framed body), or the footer, and a chunk.
        const frame = Math.min(c.options.maxBodySize!, 0xffffffff) + FRAME_OVERHEAD
        const bound = Math.max(c.options.maxHeaderLength!, frame, base.signed ? FOOTER : 0) + Math.max(...sizes)
        expect(peak).toBeLessThanOrEqual(bound)
      }),
      runs(120),
    )
  })
})

function join(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.byteLength, 0))
  let at = 0
  for (const p of parts) {
    out.set(p, at)
    at += p.byteLength
  }
  return out
}
