/**
 * What the envelope's property tests share: the seed and number of runs, the messages they
 * start from, and the ways they damage them.
 *
 * In the test suite the seed is fixed (the suite is deterministic) and the runs are few (it
 * stays fast). `node scripts/fuzz.mjs` runs the same properties with a fresh seed and
 * many more runs, through WEBKMS_FUZZ_SEED and WEBKMS_FUZZ_SCALE.
 */
import fc from 'fast-check'
import { buildClient, CommitmentPolicy } from '../../../src/index.js'
import { aesKeyring, bytes } from '../helpers.js'
import { nonFramedMessage } from '../messages.js'

// Read without assuming Node: the browser project runs these files too (with the defaults).
const env = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env ?? {}
const SEED = env.WEBKMS_FUZZ_SEED === undefined ? 0x5eed : Number(env.WEBKMS_FUZZ_SEED)
const SCALE = Number(env.WEBKMS_FUZZ_SCALE ?? 1)
export const fuzzing = env.WEBKMS_FUZZ_SEED !== undefined

/** fast-check parameters for a property that makes `runs` runs in the suite. */
export const runs = (numRuns: number) => ({ seed: SEED, numRuns: Math.max(1, Math.round(numRuns * SCALE)), endOnFailure: true })

/** Vitest's timeout for one property: generous in the suite, none for a long fuzzing run. */
export const testTimeout = fuzzing ? 0 : 30_000

export interface BaseMessage {
  name: string
  message: Uint8Array
  plaintext: Uint8Array
  signed: boolean
}

/** Messages of every shape the body parser knows: v1 and v2, signed or not, framed (several frames) or not. */
export async function baseMessages(): Promise<BaseMessage[]> {
  const client = buildClient(CommitmentPolicy.FORBID_ENCRYPT_ALLOW_DECRYPT)
  const committing = buildClient()
  const plaintext = bytes(50)
  const keyring = aesKeyring()
  const framed = async (name: string, c: typeof client, suiteId: 0x0178 | 0x0378 | 0x0478 | 0x0578, signed: boolean) => ({
    name,
    message: (await c.encrypt(keyring, plaintext, { suiteId, frameLength: 16, encryptionContext: { purpose: 'fuzz' } })).result,
    plaintext,
    signed,
  })
  return [
    await framed('v2 unsigned', committing, 0x0478, false),
    await framed('v2 signed', committing, 0x0578, true),
    await framed('v1 unsigned', client, 0x0178, false),
    await framed('v1 signed', client, 0x0378, true),
    { name: 'v2 non-framed', message: await nonFramedMessage(keyring, plaintext), plaintext, signed: false },
    // A frame larger than the small maxBodySize values: refused before it is buffered.
    { name: 'v2 unsigned, 4 KiB frames', message: (await committing.encrypt(keyring, bytes(5000), { suiteId: 0x0478, frameLength: 4096 })).result, plaintext: bytes(5000), signed: false },
  ]
}

export type Mutation =
  | { kind: 'flip'; at: number; mask: number }
  | { kind: 'insert'; at: number; bytes: Uint8Array }
  | { kind: 'delete'; at: number; length: number }
  | { kind: 'overwrite'; at: number; bytes: Uint8Array }
  | { kind: 'truncate'; at: number }
  | { kind: 'append'; bytes: Uint8Array }

/** Positions are taken modulo the message's length, so any natural number will do. */
export const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), mask: fc.integer({ min: 1, max: 255 }) }),
  fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), bytes: fc.uint8Array({ minLength: 1, maxLength: 8 }) }),
  fc.record({ kind: fc.constant('delete' as const), at: fc.nat(), length: fc.integer({ min: 1, max: 40 }) }),
  // Length fields are where hostile messages hide: 0xff runs make them huge.
  fc.record({ kind: fc.constant('overwrite' as const), at: fc.nat(), bytes: fc.oneof(fc.uint8Array({ minLength: 1, maxLength: 8 }), fc.constant(new Uint8Array([0xff, 0xff, 0xff, 0xff]))) }),
  fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('append' as const), bytes: fc.uint8Array({ minLength: 1, maxLength: 4096 }) }),
)

export function mutate(message: Uint8Array, mutations: readonly Mutation[]): Uint8Array {
  let m = message
  for (const x of mutations) {
    const n = m.byteLength
    switch (x.kind) {
      case 'flip': {
        if (n === 0) break
        m = m.slice()
        m[x.at % n]! ^= x.mask
        break
      }
      case 'insert': {
        const at = x.at % (n + 1)
        m = concat(m.subarray(0, at), x.bytes, m.subarray(at))
        break
      }
      case 'delete': {
        const at = x.at % (n + 1)
        m = concat(m.subarray(0, at), m.subarray(at + x.length))
        break
      }
      case 'overwrite': {
        if (n === 0) break
        const at = x.at % n
        m = m.slice()
        m.set(x.bytes.subarray(0, n - at), at)
        break
      }
      case 'truncate':
        m = m.subarray(0, x.at % (n + 1))
        break
      case 'append':
        m = concat(m, x.bytes)
        break
    }
  }
  return m
}

const concat = (...parts: Uint8Array[]) => {
  const out = new Uint8Array(parts.reduce((s, p) => s + p.byteLength, 0))
  let at = 0
  for (const p of parts) {
    out.set(p, at)
    at += p.byteLength
  }
  return out
}

/** Chunk sizes, used in turn until the input is all written. */
export const chunking = fc.array(fc.integer({ min: 1, max: 300 }), { minLength: 1, maxLength: 12 })

export function* chunks(input: Uint8Array, sizes: readonly number[]): Generator<Uint8Array> {
  for (let at = 0, i = 0; at < input.byteLength; i++) {
    const size = sizes[i % sizes.length]!
    yield input.subarray(at, at + size)
    at += size
  }
}

export const equal = (a: Uint8Array, b: Uint8Array) => a.byteLength === b.byteLength && a.every((x, i) => x === b[i])
