/**
 * Property-based tests of the engine's parsers against hostile input (fast-check): the
 * ciphertext blob parser, the policy parser and the audit verifier. Each property says what a
 * user relies on: only the documented typed errors come out, and nothing hangs.
 *
 * `npm test` runs them with a fixed seed and a modest number of runs; `node scripts/fuzz.mjs`
 * runs them (and the envelope's) for much longer with a fresh seed it prints.
 */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  createKms,
  IncorrectKeyException,
  InvalidCiphertextException,
  MalformedPolicyDocumentException,
  NotFoundException,
  ValidationException,
  verifyAuditLog,
  type ExportedAuditLog,
} from '../src/index.js'
import { parsePolicy } from '../src/kms/policy/document.js'
import { bytes, testClock } from './helpers.js'

// Read lazily: the browser project has no `process`.
const env = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env ?? {}
const RUNS = 200 * Number(env.WEBKMS_FUZZ_SCALE ?? 1)
const SEED = env.WEBKMS_FUZZ_SEED === undefined ? 20261206 : Number(env.WEBKMS_FUZZ_SEED)
const settings = (numRuns = RUNS) => ({ numRuns, seed: SEED })

/** Rejects with an error whose class is one of `allowed`, or resolves. */
async function onlyErrors(promise: Promise<unknown>, allowed: (new (...a: never[]) => Error)[]) {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  )
  if (error !== undefined && !allowed.some((C) => error instanceof C)) throw error
  return error
}

/** A byte string made from a valid one: bytes flipped, inserted, removed, truncated or extended. */
const mutated = (valid: Uint8Array) =>
  fc.oneof(
    fc.record({ at: fc.nat(valid.length - 1), xor: fc.integer({ min: 1, max: 255 }) }).map(({ at, xor }) => Uint8Array.from(valid, (b, i) => (i === at ? b ^ xor : b))),
    fc.nat(valid.length).map((n) => valid.slice(0, n)),
    fc.tuple(fc.nat(valid.length), fc.uint8Array({ minLength: 1, maxLength: 64 })).map(([at, extra]) => Uint8Array.from([...valid.slice(0, at), ...extra, ...valid.slice(at)])),
    fc.tuple(fc.nat(valid.length - 1), fc.integer({ min: 1, max: 32 })).map(([at, n]) => Uint8Array.from([...valid.slice(0, at), ...valid.slice(at + n)])),
    fc.uint8Array({ maxLength: 200 }),
  )

describe('fuzz: the ciphertext blob parser', () => {
  it('a mutated or random blob is one opaque InvalidCiphertextException (or a ValidationException for its length), never anything else', async () => {
    const kms = createKms({ now: testClock().now })
    const { KeyId } = (await kms.createKey()).KeyMetadata
    const { CiphertextBlob } = await kms.encrypt({ KeyId, Plaintext: bytes('fuzz'), EncryptionContext: { a: 'b' } })
    await fc.assert(
      fc.asyncProperty(mutated(CiphertextBlob), fc.boolean(), async (blob, withKeyId) => {
        const error = await onlyErrors(kms.decrypt({ CiphertextBlob: blob, EncryptionContext: { a: 'b' }, ...(withKeyId ? { KeyId } : {}) }), [
          InvalidCiphertextException,
          ValidationException,
          IncorrectKeyException,
        ])
        const same = blob.length === CiphertextBlob.length && blob.every((b, i) => b === CiphertextBlob[i])
        // Only the original decrypts.
        expect(error === undefined).toBe(same)
        if (error instanceof InvalidCiphertextException) expect(error.message).toBe('The ciphertext is invalid.')
      }),
      settings(),
    )
  })
})

describe('fuzz: the policy parser', () => {
  const statement = fc.record(
    {
      Sid: fc.oneof(fc.string(), fc.anything({ maxDepth: 1 })),
      Effect: fc.oneof(fc.constantFrom('Allow', 'Deny'), fc.anything({ maxDepth: 1 })),
      Principal: fc.oneof(fc.constant('*'), fc.record({ AWS: fc.oneof(fc.string(), fc.array(fc.string())) }), fc.anything({ maxDepth: 2 })),
      NotPrincipal: fc.anything({ maxDepth: 2 }),
      Action: fc.oneof(fc.constantFrom('kms:*', 'kms:Encrypt', 'kms:Get*'), fc.array(fc.string()), fc.anything({ maxDepth: 1 })),
      NotAction: fc.anything({ maxDepth: 1 }),
      Resource: fc.oneof(fc.constant('*'), fc.anything({ maxDepth: 1 })),
      Condition: fc.oneof(
        fc.dictionary(fc.constantFrom('StringEquals', 'ForAnyValue:StringLike', 'IpAddress', 'NumericLessThan', 'DateGreaterThan', 'Bool', 'Null', 'Nope'), fc.dictionary(fc.string(), fc.anything({ maxDepth: 1 }))),
        fc.anything({ maxDepth: 2 }),
      ),
    },
    { requiredKeys: [] },
  )
  const document = fc.oneof(
    fc.record({ Version: fc.constantFrom('2012-10-17', '2008-10-17', 'x'), Statement: fc.oneof(statement, fc.array(statement, { maxLength: 3 })) }, { requiredKeys: [] }).map((p) => JSON.stringify(p)),
    fc.json(),
    fc.string(),
  )

  it('parsePolicy accepts a document or throws MalformedPolicyDocumentException, nothing else', () => {
    fc.assert(
      fc.property(document, fc.constantFrom('key', 'identity') as fc.Arbitrary<'key' | 'identity'>, (text, kind) => {
        try {
          parsePolicy(text, kind)
        } catch (e) {
          expect(e).toBeInstanceOf(MalformedPolicyDocumentException)
        }
      }),
      settings(RUNS * 5),
    )
  })

  it('PutKeyPolicy with any document answers with a typed KMS error or keeps the policy; evaluation of what it keeps never fails', async () => {
    const kms = createKms({ now: testClock().now })
    const { KeyId } = (await kms.createKey()).KeyMetadata
    await fc.assert(
      fc.asyncProperty(document, async (text) => {
        const error = await onlyErrors(kms.putKeyPolicy({ KeyId, Policy: text, BypassPolicyLockoutSafetyCheck: true }), [MalformedPolicyDocumentException, ValidationException])
        if (!error) {
          // A policy that was kept is evaluated on every call; a decision comes out either way.
          await onlyErrors(kms.describeKey({ KeyId }), [(await import('../src/index.js')).AccessDeniedException])
          await kms.putKeyPolicy({ KeyId, Policy: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::111122223333:root' }, Action: 'kms:*', Resource: '*' }] }) })
        }
      }),
      settings(),
    )
  })

  it('an identity policy document of any shape is refused with a typed error or stored', async () => {
    const kms = createKms({ now: testClock().now })
    await fc.assert(
      fc.asyncProperty(document, async (text) => {
        await onlyErrors(kms.putIdentityPolicy({ Principal: 'arn:aws:iam::111122223333:user/alice', PolicyName: 'p', PolicyDocument: text }), [MalformedPolicyDocumentException, ValidationException])
      }),
      settings(),
    )
  })
})

describe('fuzz: the audit verifier', () => {
  async function exportOf() {
    const clock = testClock()
    const kms = createKms({ now: clock.now })
    const { Keys } = await kms.getAuditPublicKeys()
    const { KeyId } = (await kms.createKey()).KeyMetadata
    await kms.encrypt({ KeyId, Plaintext: bytes('x'), EncryptionContext: { a: 'b' } })
    await onlyErrors(kms.describeKey({ KeyId: 'alias/none' }), [NotFoundException])
    clock.advanceDays(2)
    await kms.listKeys()
    return { log: await kms.exportAuditLog(), trustedKeys: Keys.map((k) => k.Fingerprint) }
  }

  /** Replaces the value at a random path of a JSON tree with anything. */
  function mutate(tree: unknown, path: number[], replacement: unknown): unknown {
    if (path.length === 0 || tree === null || typeof tree !== 'object') return replacement
    const entries = Array.isArray(tree) ? tree.map((v, i) => [String(i), v] as const) : Object.entries(tree)
    if (entries.length === 0) return replacement
    const [k] = entries[path[0]! % entries.length]!
    const copy: Record<string, unknown> | unknown[] = Array.isArray(tree) ? [...tree] : { ...tree }
    ;(copy as Record<string, unknown>)[k] = mutate((tree as Record<string, unknown>)[k], path.slice(1), replacement)
    return copy
  }

  it('any edit of an export is reported as invalid, never thrown; the untouched export is valid', async () => {
    const { log, trustedKeys } = await exportOf()
    expect((await verifyAuditLog(log, { trustedKeys })).valid).toBe(true)
    const json = JSON.parse(JSON.stringify(log)) as ExportedAuditLog
    await fc.assert(
      fc.asyncProperty(fc.array(fc.nat(), { minLength: 1, maxLength: 6 }), fc.anything({ maxDepth: 2, withBigInt: true, withMap: true }), async (path, replacement) => {
        const edited = mutate(json, path, replacement)
        const result = await verifyAuditLog(edited as never, { trustedKeys })
        if (JSON.stringify(edited, (_k, v) => (typeof v === 'bigint' ? `${v}n` : v)) !== JSON.stringify(json)) {
          expect(result.valid).toBe(false)
          expect(typeof result.problem?.position).toBe('number')
        }
      }),
      settings(),
    )
  })

  it('random values of any shape are reported as invalid, never thrown', async () => {
    await fc.assert(
      fc.asyncProperty(fc.anything({ maxDepth: 4, withBigInt: true, withTypedArray: true, withSparseArray: true }), async (value) => {
        const result = await verifyAuditLog(value as never, { trustedKeys: ['0'.repeat(64)] })
        expect(result.valid).toBe(false)
      }),
      settings(),
    )
  })
})
