/**
 * The security review of the engine (issue 9), finding by finding: each test below failed
 * before its fix. They use only the public API, as an attacker or a careless caller would.
 */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  AccessDeniedException,
  createKms,
  InvalidCiphertextException,
  KMSInternalException,
  MemoryKeyStore,
  NotFoundException,
  operationNames,
  ValidationException,
  verifyAuditLog,
  type ExportedAuditLog,
  type KeyStore,
} from '../src/index.js'
import { bytes, expectKmsError, testClock } from './helpers.js'

const ACCOUNT = '111122223333'
const ROOT = `arn:aws:iam::${ACCOUNT}:root`
const ALICE = `arn:aws:iam::${ACCOUNT}:user/alice`
const policy = (...Statement: object[]) => JSON.stringify({ Version: '2012-10-17', Statement })
const rootStatement = { Sid: 'root', Effect: 'Allow', Principal: { AWS: ROOT }, Action: 'kms:*', Resource: '*' }
const allowAll = JSON.stringify({ Version: '2012-10-17', Statement: { Effect: 'Allow', Action: 'kms:*', Resource: '*' } })

/** Every event in the store, trusting nothing but the store itself. */
async function storedEvents(store: KeyStore) {
  return (await store.transaction('readonly', (tx) => tx.listAuditRecords())).map((r) => r.event)
}

function engine() {
  const clock = testClock()
  const store = new MemoryKeyStore()
  return { kms: createKms({ now: clock.now, keyStore: store }), store, clock }
}

/** Nested `depth` arrays deep: more than JSON.stringify or a naive recursive copy survives. */
function deepArray(depth: number): unknown {
  let v: unknown = []
  for (let i = 0; i < depth; i++) v = [v]
  return v
}

function cycle(): object {
  const o: Record<string, unknown> = { a: 1 }
  o.self = o
  return o
}

describe('no call escapes the record', () => {
  const hostile: [string, unknown][] = [
    ['a BigInt', 10n],
    ['a cycle', cycle()],
    ['an array nested 20,000 deep', deepArray(20_000)],
    ['a function', () => 1],
    ['a symbol', Symbol('s')],
  ]
  for (const [what, extra] of hostile) {
    it(`a request with ${what} in an extra member runs once and is recorded once`, async () => {
      const { kms, store } = engine()
      const { KeyMetadata } = await kms.createKey({ Description: 'ok', Extra: extra } as never)
      const events = await storedEvents(store)
      expect(events.map((e) => [e.eventName, e.errorCode])).toEqual([['CreateKey', undefined]])
      expect((await kms.describeKey({ KeyId: KeyMetadata.KeyId })).KeyMetadata.Description).toBe('ok')
    })

    it(`${what} in a member the operation reads is refused, recorded, and changes nothing`, async () => {
      const { kms, store } = engine()
      await expectKmsError(kms.createKey({ Description: extra } as never), ValidationException, /'description'/)
      expect((await kms.listKeys()).Keys).toEqual([])
      expect((await storedEvents(store)).map((e) => [e.eventName, e.errorCode])).toEqual([
        ['CreateKey', 'ValidationException'],
        ['ListKeys', undefined],
      ])
    })
  }

  it('every operation, given hostile members, leaves exactly one event per call (property)', async () => {
    const { kms, store } = engine()
    const { KeyId } = (await kms.createKey()).KeyMetadata
    const member = fc.constantFrom('KeyId', 'Plaintext', 'EncryptionContext', 'Tags', 'Description', 'Extra', 'Policy', 'Principal', 'Challenge')
    const value = fc.oneof(fc.constant(10n), fc.constant(cycle()), fc.constant(deepArray(20_000)), fc.anything({ maxDepth: 2 }), fc.constant(KeyId))
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...operationNames), fc.dictionary(member, value, { maxKeys: 3 }), async (op, request) => {
        const before = (await store.transaction('readonly', (tx) => tx.lastAuditRecord()))?.sequence ?? 0
        const method = (kms as unknown as Record<string, (i: unknown) => Promise<unknown>>)[op.charAt(0).toLowerCase() + op.slice(1)]!
        const error = await method(request).then(
          () => undefined,
          (e: unknown) => e,
        )
        if (error) expect(error).not.toBeInstanceOf(KMSInternalException)
        const records = (await store.transaction('readonly', (tx) => tx.listAuditRecords())).filter((r) => r.sequence > before)
        // Automatic rotations never fall due here: exactly the call's own event.
        expect(records.map((r) => r.event.eventName)).toEqual([op])
        expect(records[0]!.event.errorCode).toBe(error ? (error as Error).name : undefined)
      }),
      { numRuns: 150, seed: 9 },
    )
  })

  it('refusals with hostile members still count in findings', async () => {
    const { kms } = engine()
    const alice = kms.as({ principal: ALICE })
    for (let i = 0; i < 5; i++) await expectKmsError(alice.createKey({ Description: 'x', Extra: 10n } as never), AccessDeniedException)
    expect(await kms.findings()).toContainEqual(expect.objectContaining({ type: 'REPEATED_ACCESS_DENIED', resource: ALICE, count: 5 }))
  })

  it('a change and its event commit together: when the event cannot be stored, the change is not kept either', async () => {
    const inner = new MemoryKeyStore()
    let failAudit = false
    const store: KeyStore = {
      transaction: (mode, fn) =>
        inner.transaction(mode, (tx) =>
          fn({
            ...tx,
            putAuditRecord: async (r) => {
              if (failAudit) throw new Error('disk full')
              return tx.putAuditRecord(r)
            },
          }),
        ),
    }
    const kms = createKms({ keyStore: store, now: testClock().now })
    const { KeyId } = (await kms.createKey()).KeyMetadata
    failAudit = true
    await expectKmsError(kms.createKey({ Description: 'lost?' }), KMSInternalException)
    await expectKmsError(kms.disableKey({ KeyId }), KMSInternalException)
    failAudit = false
    expect((await kms.listKeys()).Keys.map((k) => k.KeyId)).toEqual([KeyId])
    expect((await kms.describeKey({ KeyId })).KeyMetadata.KeyState).toBe('Enabled')
    expect((await storedEvents(inner)).map((e) => e.eventName)).toEqual(['CreateKey', 'ListKeys', 'DescribeKey'])
  })
})

describe('nothing secret is recorded, even from refused input', () => {
  const secret = 'top-secret-plaintext'
  const shapes: [string, unknown][] = [
    ['a string', secret],
    ['a number array', [...bytes(secret)]],
    ['a Uint16Array', new Uint16Array([...bytes(secret)])],
    ['an object', { data: secret }],
  ]
  for (const [what, plaintext] of shapes) {
    it(`a Plaintext given as ${what} is refused and not copied into the event`, async () => {
      const { kms, store } = engine()
      const { KeyId } = (await kms.createKey()).KeyMetadata
      const e = await expectKmsError(kms.encrypt({ KeyId, Plaintext: plaintext } as never), ValidationException, /'plaintext'/)
      expect(e.message).not.toContain(secret)
      const events = await storedEvents(store)
      expect(JSON.stringify(events)).not.toContain(secret)
      expect(events[1]).toMatchObject({ eventName: 'Encrypt', errorCode: 'ValidationException' })
      expect(events[1]!.requestParameters).not.toHaveProperty('plaintext')
    })
  }

  it('members an operation does not define are never recorded', async () => {
    const { kms, store } = engine()
    await kms.generateRandom({ NumberOfBytes: 4, Password: secret } as never)
    expect(JSON.stringify(await storedEvents(store))).not.toContain(secret)
  })
})

/** Forges a trail: drops events, recomputes the chain, and signs every checkpoint with the forger's own key. */
async function forge(log: ExportedAuditLog, drop: number): Promise<ExportedAuditLog> {
  const { chainHash, checkpointBytes } = await import('../src/kms/audit/chain.js')
  const { keyFingerprint, sha256Hex } = await import('../src/kms/audit/hashes.js')
  const subtle = globalThis.crypto.subtle
  const pair = (await subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, ['sign', 'verify'])) as CryptoKeyPair
  const raw = new Uint8Array(await subtle.exportKey('raw', pair.publicKey))
  const fingerprint = keyFingerprint(raw)
  const forged = JSON.parse(JSON.stringify(log)) as ExportedAuditLog
  forged.events.splice(drop, 1)
  let previousHash = '0'.repeat(64)
  forged.events.forEach((e, i) => {
    const { webkms: _, ...event } = e
    e.webkms = { sequence: i + 1, previousHash, hash: (previousHash = chainHash(previousHash, event, sha256Hex)) }
  })
  const last = forged.checkpoints.at(-1)!
  const unsigned = { from: forged.checkpoints[0]!.from, time: last.time, sequence: forged.events.length, hash: previousHash, previousCheckpoint: '0'.repeat(64), key: fingerprint }
  const signature = btoa(String.fromCharCode(...new Uint8Array(await subtle.sign({ name: 'ECDSA', hash: 'SHA-256' }, pair.privateKey, checkpointBytes(unsigned)))))
  forged.checkpoints = [{ ...unsigned, signature }]
  forged.signingKeys = [{ fingerprint, publicKey: btoa(String.fromCharCode(...raw)) }]
  return forged
}

describe('a log cannot be forged by re-signing', () => {
  async function trail() {
    const { kms, clock } = engine()
    const { Keys, CurrentKeyFingerprint } = await kms.getAuditPublicKeys()
    const { KeyId } = (await kms.createKey()).KeyMetadata
    await kms.scheduleKeyDeletion({ KeyId, PendingWindowInDays: 7 })
    await kms.listKeys()
    return { kms, clock, trusted: Keys.map((k) => k.Fingerprint), current: CurrentKeyFingerprint, log: await kms.exportAuditLog() }
  }

  it('a rewritten trail signed with another key is intact, but not valid: the verifier pins its keys', async () => {
    const { log, trusted } = await trail()
    expect(log.events.map((e) => e.eventName)).toEqual(['GetAuditPublicKeys', 'CreateKey', 'ScheduleKeyDeletion', 'ListKeys'])
    const forged = await forge(log, 2) // the ScheduleKeyDeletion is gone
    expect(await verifyAuditLog(forged)).toMatchObject({ valid: false, intact: true, problem: { reason: expect.stringMatching(/no trusted signing key/) } })
    expect(await verifyAuditLog(forged, { trustedKeys: trusted })).toMatchObject({ valid: false, intact: true, problem: { reason: expect.stringMatching(/not trusted/) } })
    expect(await verifyAuditLog(log, { trustedKeys: trusted })).toMatchObject({ valid: true, intact: true })
  })

  it('GetAuditPublicKeys names the key by the SHA-256 of its raw public key; pinning by key or by fingerprint works', async () => {
    const { log, trusted, current } = await trail()
    expect(trusted).toEqual([current])
    const { keyFingerprint } = await import('../src/kms/audit/hashes.js')
    const raw = Uint8Array.from(atob(log.signingKeys[0]!.publicKey), (c) => c.charCodeAt(0))
    expect(keyFingerprint(raw)).toBe(current)
    expect((await verifyAuditLog(log, { trustedKeys: [log.signingKeys[0]!.publicKey] })).valid).toBe(true)
  })

  it('rotating the signing key keeps old exports verifiable, and hands trust over', async () => {
    const { kms, log: before, trusted } = await trail()
    const { Fingerprint: next } = await kms.rotateAuditSigningKey()
    await kms.listKeys()
    const after = await kms.exportAuditLog()
    expect((await verifyAuditLog(before, { trustedKeys: trusted })).valid).toBe(true)
    // The old key signed a handover naming the new one: pinning the old key accepts both.
    const handover = after.checkpoints.find((c) => c.nextKey !== undefined)!
    expect(handover).toMatchObject({ key: trusted[0], nextKey: next })
    expect(await verifyAuditLog(after, { trustedKeys: trusted })).toMatchObject({ valid: true, signers: [trusted[0], next] })
    // The new key alone does not vouch for what the old one signed.
    expect((await verifyAuditLog(after, { trustedKeys: [next] })).valid).toBe(false)
    expect((await kms.getAuditPublicKeys()).Keys.map((k) => [k.Fingerprint, k.RetirementDate !== undefined])).toEqual([
      [trusted[0], true],
      [next, false],
    ])
  })

  it('after a handover, a checkpoint signed by the old key is refused', async () => {
    const { kms, trusted } = await trail()
    await kms.rotateAuditSigningKey()
    const after = await kms.exportAuditLog()
    const tampered = JSON.parse(JSON.stringify(after)) as ExportedAuditLog
    tampered.checkpoints.at(-1)!.key = trusted[0]
    expect(await verifyAuditLog(tampered, { trustedKeys: trusted })).toMatchObject({ valid: false, problem: { reason: expect.stringMatching(/handed over|signature/) } })
  })

  it('freshness: the last checkpoint answers the verifier\'s challenge; an older export, or one cut at an earlier checkpoint, does not', async () => {
    const { kms, clock, trusted } = await trail()
    const old = await kms.exportAuditLog({ Challenge: 'c-0' })
    clock.advanceMs(60_000)
    await kms.listKeys()
    const current = await kms.exportAuditLog({ Challenge: 'c-1' })
    expect(current.checkpoints.at(-1)!.challenge).toBe('c-1')
    expect(await verifyAuditLog(current, { trustedKeys: trusted, challenge: 'c-1' })).toMatchObject({ valid: true, freshness: { challengeAnswered: true } })
    expect(await verifyAuditLog(old, { trustedKeys: trusted, challenge: 'c-1' })).toMatchObject({ valid: false, intact: true, problem: { reason: expect.stringMatching(/challenge/) } })
    const cut = JSON.parse(JSON.stringify(current)) as ExportedAuditLog
    const earlier = cut.checkpoints.at(-2)!
    cut.checkpoints.pop()
    cut.events = cut.events.filter((e) => e.webkms.sequence <= earlier.sequence)
    expect(await verifyAuditLog(cut, { trustedKeys: trusted })).toMatchObject({ valid: true }) // a consistent prefix...
    expect((await verifyAuditLog(cut, { trustedKeys: trusted, challenge: 'c-1' })).valid).toBe(false) // ...but not this export
    // Without a challenge, an age limit: the export's last checkpoint is signed at export time.
    expect((await verifyAuditLog(current, { trustedKeys: trusted, now: clock.now(), maxAgeMs: 1000 })).valid).toBe(true)
    clock.advanceMs(5000)
    expect(await verifyAuditLog(current, { trustedKeys: trusted, now: clock.now(), maxAgeMs: 1000 })).toMatchObject({ valid: false, problem: { reason: expect.stringMatching(/stale/) } })
  })

  it('reading the trail is a permission of its own (webkms:ExportAuditLog), and an audited call', async () => {
    const { kms, store } = engine()
    const alice = kms.as({ principal: ALICE })
    await expectKmsError(alice.exportAuditLog(), AccessDeniedException, /webkms:ExportAuditLog/)
    await kms.putIdentityPolicy({ Principal: ALICE, PolicyName: 'audit', PolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: { Effect: 'Allow', Action: ['webkms:ExportAuditLog', 'webkms:GetAuditPublicKeys'], Resource: '*' } }) })
    const { Keys } = await alice.getAuditPublicKeys()
    expect((await verifyAuditLog(await alice.exportAuditLog(), { trustedKeys: Keys.map((k) => k.Fingerprint) })).valid).toBe(true)
    await expectKmsError(alice.rotateAuditSigningKey(), AccessDeniedException)
    expect((await storedEvents(store)).map((e) => [e.eventName, e.eventSource, e.errorCode])).toEqual([
      ['ExportAuditLog', 'webkms', 'AccessDeniedException'],
      ['PutIdentityPolicy', 'iam.amazonaws.com', undefined],
      ['GetAuditPublicKeys', 'webkms', undefined],
      ['ExportAuditLog', 'webkms', undefined],
      ['RotateAuditSigningKey', 'webkms', 'AccessDeniedException'],
    ])
  })
})

describe('verifyAuditLog never throws on malformed input', () => {
  const inputs: [string, unknown][] = [
    ['null', null],
    ['a number', 42],
    ['a string', 'webkms-audit-4'],
    ['an empty object', {}],
    ['events: [null]', { format: 'webkms-audit-4', events: [null], checkpoints: [], signingKeys: [] }],
    ['an event without its place', { format: 'webkms-audit-4', events: [{ eventName: 'X' }], checkpoints: [], signingKeys: [] }],
    ['events of the wrong type', { format: 'webkms-audit-4', events: 'x', checkpoints: [] }],
    ['checkpoints: [null]', { format: 'webkms-audit-4', events: [], checkpoints: [null], signingKeys: [] }],
    ['a key that is not base64', { format: 'webkms-audit-4', events: [], checkpoints: [], signingKeys: [{ fingerprint: 'a'.repeat(64), publicKey: '%%%' }] }],
    ['an event nested 20,000 deep', { format: 'webkms-audit-4', events: [{ deep: deepArray(20_000), webkms: { sequence: 1, previousHash: '0'.repeat(64), hash: 'x' } }], checkpoints: [], signingKeys: [] }],
    ['an event with a BigInt', { format: 'webkms-audit-4', events: [{ n: 1n, webkms: { sequence: 1, previousHash: '0'.repeat(64), hash: 'x' } }], checkpoints: [], signingKeys: [] }],
    ['an event with a cycle', { format: 'webkms-audit-4', events: [{ c: cycle(), webkms: { sequence: 1, previousHash: '0'.repeat(64), hash: 'x' } }], checkpoints: [], signingKeys: [] }],
    ['an empty list of exports', []],
    ['trustedKeys of the wrong type', 'see below'],
  ]
  // Exports of the previous format (one publicKey) are still read, so each input comes in both.
  const legacy = (input: unknown) =>
    input && typeof input === 'object' && (input as { format?: string }).format === 'webkms-audit-4'
      ? { ...input, format: 'webkms-audit-2', publicKey: 'BA' + 'A'.repeat(86) }
      : input
  for (const [what, input] of inputs) {
    for (const [format, value] of [['', input], [' (webkms-audit-2)', legacy(input)]] as const) {
      if (format && value === input) continue
      it(`${what}${format}: valid false, with a position`, async () => {
        const result = what.startsWith('trustedKeys')
          ? await verifyAuditLog({ format: 'webkms-audit-4', events: [], checkpoints: [], signingKeys: [] } as never, { trustedKeys: [42] as never })
          : await verifyAuditLog(value as never, { trustedKeys: ['a'.repeat(64)] })
        expect(result.valid).toBe(false)
        expect(typeof result.problem?.position).toBe('number')
        expect(typeof result.problem?.reason).toBe('string')
      })
    }
  }
})

describe('the trail is bounded', () => {
  it('keeps at most about maxEvents events; pruned segments are archived, verify alone and join the rest', async () => {
    const clock = testClock()
    const store = new MemoryKeyStore()
    const segments: ExportedAuditLog[] = []
    const kms = createKms({ now: clock.now, keyStore: store, auditRetention: { maxEvents: 128, archive: (s) => void segments.push(s) } })
    const { Keys } = await kms.getAuditPublicKeys()
    const trustedKeys = Keys.map((k) => k.Fingerprint)
    for (let i = 0; i < 600; i++) await kms.generateRandom({ NumberOfBytes: 1 })
    const kept = await store.transaction('readonly', (tx) => tx.listAuditRecords())
    expect(kept.length).toBeLessThanOrEqual(128 + 64)
    expect(segments.length).toBeGreaterThan(0)
    const log = await kms.exportAuditLog()
    expect(log.base).toBeDefined()
    expect(await verifyAuditLog(log, { trustedKeys })).toMatchObject({ valid: true })
    for (const s of segments) expect((await verifyAuditLog(s, { trustedKeys })).valid).toBe(true)
    const whole = await verifyAuditLog([...segments, log], { trustedKeys })
    expect(whole).toMatchObject({ valid: true, events: 601 })
    // A missing segment breaks the join.
    expect((await verifyAuditLog([segments[0]!, ...segments.slice(2), log], { trustedKeys })).valid).toBe(segments.length < 2)
  })

  it('by count, every prune leaves about half of maxEvents: never a quarter (cuts only at checkpoints signed since the last)', async () => {
    const clock = testClock()
    const store = new MemoryKeyStore()
    let prunes = 0
    const kms = createKms({ now: clock.now, keyStore: store, auditRetention: { maxEvents: 256, archive: () => void prunes++ } })
    const keptAfterPrune: number[] = []
    for (let i = 0; i < 3000; i++) {
      const before = prunes
      await kms.generateRandom({ NumberOfBytes: 1 })
      clock.advanceMs(1000)
      if (prunes > before) keptAfterPrune.push((await store.transaction('readonly', (tx) => tx.listAuditRecords())).length)
    }
    expect(keptAfterPrune.length).toBeGreaterThan(10)
    expect(Math.min(...keptAfterPrune)).toBeGreaterThanOrEqual(128)
    expect(Math.max(...keptAfterPrune)).toBeLessThanOrEqual(256)
  })

  it('drops events older than maxAgeDays (default 90) at a checkpoint', async () => {
    const clock = testClock()
    const store = new MemoryKeyStore()
    const kms = createKms({ now: clock.now, keyStore: store })
    const { Keys } = await kms.getAuditPublicKeys()
    for (let i = 0; i < 10; i++) await kms.generateRandom({ NumberOfBytes: 1 })
    clock.advanceDays(91)
    for (let i = 0; i < 70; i++) await kms.generateRandom({ NumberOfBytes: 1 })
    const kept = await store.transaction('readonly', (tx) => tx.listAuditRecords())
    expect(kept[0]!.event.eventTime).not.toMatch(/^2026-01-01/)
    expect((await verifyAuditLog(await kms.exportAuditLog(), { trustedKeys: Keys.map((k) => k.Fingerprint) })).valid).toBe(true)
  })

  it('retention options are checked', () => {
    expect(() => createKms({ auditRetention: { maxEvents: 10 } })).toThrow(RangeError)
    expect(() => createKms({ auditRetention: { maxAgeDays: 0 } })).toThrow(RangeError)
    expect(() => createKms({ auditRetention: { archive: 'x' as never } })).toThrow(TypeError)
  })
})

describe('requests mean one thing', () => {
  it('an encryption context key named __proto__ is bound to the ciphertext', async () => {
    const { kms, store } = engine()
    const { KeyId } = (await kms.createKey()).KeyMetadata
    const context = JSON.parse('{"__proto__":"tenant-a"}') as Record<string, string>
    const { CiphertextBlob } = await kms.encrypt({ KeyId, Plaintext: bytes('x'), EncryptionContext: context })
    await expectKmsError(kms.decrypt({ CiphertextBlob }), InvalidCiphertextException)
    await expectKmsError(kms.decrypt({ CiphertextBlob, EncryptionContext: JSON.parse('{"__proto__":"tenant-b"}') }), InvalidCiphertextException)
    expect((await kms.decrypt({ CiphertextBlob, EncryptionContext: structuredClone(context) })).Plaintext).toEqual(bytes('x'))
    const recorded = (await storedEvents(store))[1]!.requestParameters as { encryptionContext: object }
    expect(Object.entries(recorded.encryptionContext)).toEqual([['__proto__', 'tenant-a']])
  })

  it('a grant constraint on a __proto__ key is kept and enforced', async () => {
    const { kms } = engine()
    const { KeyId } = (await kms.createKey()).KeyMetadata
    await kms.createGrant({ KeyId, GranteePrincipal: ALICE, Operations: ['Encrypt'], Constraints: { EncryptionContextEquals: JSON.parse('{"__proto__":"a"}') } })
    const alice = kms.as({ principal: ALICE })
    await expectKmsError(alice.encrypt({ KeyId, Plaintext: bytes('x') }), AccessDeniedException)
    await expectKmsError(alice.encrypt({ KeyId, Plaintext: bytes('x'), EncryptionContext: { other: 'a' } }), AccessDeniedException)
    await alice.encrypt({ KeyId, Plaintext: bytes('x'), EncryptionContext: JSON.parse('{"__proto__":"a"}') })
    const [grant] = (await kms.listGrants({ KeyId })).Grants
    expect(Object.entries(grant!.Constraints!.EncryptionContextEquals!)).toEqual([['__proto__', 'a']])
  })

  it('each member is read once: a getter cannot be authorized on one context and sealed with another', async () => {
    const { kms } = engine()
    const onlyT1 = policy(rootStatement, { Effect: 'Deny', Principal: '*', Action: 'kms:Encrypt', Resource: '*', Condition: { StringNotEquals: { 'kms:EncryptionContext:tenant': 't1' } } })
    const { KeyId } = (await kms.createKey({ Policy: onlyT1 })).KeyMetadata
    let reads = 0
    const request = {
      KeyId,
      Plaintext: bytes('x'),
      get EncryptionContext() {
        return { tenant: reads++ === 0 ? 't1' : 't2' }
      },
    }
    const { CiphertextBlob } = await kms.encrypt(request)
    expect(reads).toBe(1)
    await expectKmsError(kms.decrypt({ CiphertextBlob, EncryptionContext: { tenant: 't2' } }), InvalidCiphertextException)
    expect((await kms.decrypt({ CiphertextBlob, EncryptionContext: { tenant: 't1' } })).Plaintext).toEqual(bytes('x'))
  })

  it('the caller may change its request while the call runs: the call uses what it was given', async () => {
    const { kms } = engine()
    const { KeyId } = (await kms.createKey()).KeyMetadata
    const context: Record<string, string> = { tenant: 't1' }
    const pending = kms.encrypt({ KeyId, Plaintext: bytes('x'), EncryptionContext: context })
    context.tenant = 't2'
    const { CiphertextBlob } = await pending
    expect((await kms.decrypt({ CiphertextBlob, EncryptionContext: { tenant: 't1' } })).Plaintext).toEqual(bytes('x'))
  })

  it('grant constraints: keys that differ only in case do not collapse, whatever their order', async () => {
    const { kms } = engine()
    const { KeyId } = (await kms.createKey()).KeyMetadata
    await kms.createGrant({ KeyId, GranteePrincipal: ALICE, Operations: ['Encrypt'], Constraints: { EncryptionContextSubset: { tenant: 'a' } } })
    const alice = kms.as({ principal: ALICE })
    // Both orders of the same two pairs get the same answer: the constraint holds only if every case variant carries its value.
    await expectKmsError(alice.encrypt({ KeyId, Plaintext: bytes('x'), EncryptionContext: { Tenant: 'a', tenant: 'b' } }), AccessDeniedException)
    await expectKmsError(alice.encrypt({ KeyId, Plaintext: bytes('x'), EncryptionContext: { tenant: 'b', Tenant: 'a' } }), AccessDeniedException)
    await alice.encrypt({ KeyId, Plaintext: bytes('x'), EncryptionContext: { TENANT: 'a', other: 'z' } })
    // A constraint whose keys differ only in case is ambiguous: refused.
    await expectKmsError(kms.createGrant({ KeyId, GranteePrincipal: ALICE, Operations: ['Encrypt'], Constraints: { EncryptionContextEquals: { a: '1', A: '2' } } }), ValidationException, /not case sensitive/)
  })

  it('kms:EncryptionContext:<key> with keys that differ only in case: a Deny applies if any variant meets it, an Allow only if every one does', async () => {
    const { kms } = engine()
    const context = (pairs: [string, string][]) => Object.fromEntries(pairs)
    // Only "public" data may be encrypted, by anyone: a negated operator in a Deny.
    const onlyPublic = policy(rootStatement, { Effect: 'Deny', Principal: '*', Action: 'kms:Encrypt', Resource: '*', Condition: { StringNotEquals: { 'kms:EncryptionContext:classification': 'public' } } })
    const { KeyId } = (await kms.createKey({ Policy: onlyPublic })).KeyMetadata
    await kms.encrypt({ KeyId, Plaintext: bytes('x'), EncryptionContext: { classification: 'public' } })
    await expectKmsError(kms.encrypt({ KeyId, Plaintext: bytes('x'), EncryptionContext: { classification: 'secret' } }), AccessDeniedException, /explicit deny/)
    for (const pairs of [[['classification', 'secret'], ['Classification', 'public']], [['Classification', 'public'], ['classification', 'secret']]] as [string, string][][]) {
      await expectKmsError(kms.encrypt({ KeyId, Plaintext: bytes('x'), EncryptionContext: context(pairs) }), AccessDeniedException, /explicit deny/)
    }
    await kms.encrypt({ KeyId, Plaintext: bytes('x'), EncryptionContext: { classification: 'public', CLASSIFICATION: 'public' } })
    // With a set operator too (AWS documents them for multivalued keys; a variant read alone is one value).
    const setOnlyPublic = policy(rootStatement, { Effect: 'Deny', Principal: '*', Action: 'kms:Encrypt', Resource: '*', Condition: { 'ForAllValues:StringNotEquals': { 'kms:EncryptionContext:classification': 'public' } } })
    const { KeyId: setKey } = (await kms.createKey({ Policy: setOnlyPublic })).KeyMetadata
    await expectKmsError(kms.encrypt({ KeyId: setKey, Plaintext: bytes('x'), EncryptionContext: { classification: 'secret', Classification: 'public' } }), AccessDeniedException, /explicit deny/)
    // Alice may encrypt "public" data only: a positive operator in an Allow.
    const alicePublic = policy(rootStatement, { Effect: 'Allow', Principal: { AWS: ALICE }, Action: 'kms:Encrypt', Resource: '*', Condition: { StringEquals: { 'kms:EncryptionContext:classification': 'public' } } })
    const { KeyId: aliceKey } = (await kms.createKey({ Policy: alicePublic })).KeyMetadata
    const alice = kms.as({ principal: ALICE })
    await alice.encrypt({ KeyId: aliceKey, Plaintext: bytes('x'), EncryptionContext: { Classification: 'public' } })
    await expectKmsError(alice.encrypt({ KeyId: aliceKey, Plaintext: bytes('x'), EncryptionContext: { classification: 'secret', Classification: 'public' } }), AccessDeniedException, /is not authorized to perform: kms:Encrypt/)
    const aliceAnyPublic = policy(rootStatement, { Effect: 'Allow', Principal: { AWS: ALICE }, Action: 'kms:Encrypt', Resource: '*', Condition: { 'ForAnyValue:StringEquals': { 'kms:EncryptionContext:classification': 'public' } } })
    const { KeyId: anyKey } = (await kms.createKey({ Policy: aliceAnyPublic })).KeyMetadata
    await alice.encrypt({ KeyId: anyKey, Plaintext: bytes('x'), EncryptionContext: { classification: 'public' } })
    await expectKmsError(alice.encrypt({ KeyId: anyKey, Plaintext: bytes('x'), EncryptionContext: { classification: 'secret', Classification: 'public' } }), AccessDeniedException, /is not authorized to perform: kms:Encrypt/)
  })

  it('aws:ResourceTag/<key> matches tag keys case-insensitively: a deny cannot be dodged by the tag key\'s case', async () => {
    const { kms } = engine()
    const denySecret = policy(rootStatement, { Effect: 'Deny', Principal: '*', Action: 'kms:Encrypt', Resource: '*', Condition: { StringEquals: { 'aws:ResourceTag/Classification': 'secret' } } })
    const { KeyId } = (await kms.createKey({ Policy: denySecret, Tags: [{ TagKey: 'classification', TagValue: 'secret' }] })).KeyMetadata
    await expectKmsError(kms.encrypt({ KeyId, Plaintext: bytes('x') }), AccessDeniedException, /explicit deny/)
    await kms.untagResource({ KeyId, TagKeys: ['classification'] })
    await kms.encrypt({ KeyId, Plaintext: bytes('x') })
  })

  it('a caller whose principal ARN names another account than its accountId is refused at as()', () => {
    const { kms } = engine()
    expect(() => kms.as({ principal: 'arn:aws:iam::444455556666:root', accountId: ACCOUNT })).toThrow(TypeError)
    expect(() => kms.as({ principal: 'arn:aws:iam::444455556666:root', accountId: ACCOUNT })).toThrow(/belongs to account 444455556666/)
    expect(() => kms.as({ principal: ALICE, accountId: ACCOUNT })).not.toThrow()
    expect(() => kms.as({ principal: ALICE, sourceIp: 'not an ip' })).toThrow(/sourceIp/)
  })

  it('NotPrincipal with a role does not exempt its assumed-role sessions unless they are listed', async () => {
    const { kms } = engine()
    const role = `arn:aws:iam::${ACCOUNT}:role/Admin`
    const session = `arn:aws:sts::${ACCOUNT}:assumed-role/Admin/ops`
    const key = async (exempt: string[]) =>
      (await kms.createKey({ Policy: policy(rootStatement, { Effect: 'Deny', NotPrincipal: { AWS: exempt }, Action: 'kms:Encrypt', Resource: '*' }), BypassPolicyLockoutSafetyCheck: true })).KeyMetadata.KeyId
    await kms.putIdentityPolicy({ Principal: role, PolicyName: 'all', PolicyDocument: allowAll })
    const asSession = kms.as({ principal: session })
    await expectKmsError(asSession.encrypt({ KeyId: await key([role, ROOT]), Plaintext: bytes('x') }), AccessDeniedException, /explicit deny/)
    await asSession.encrypt({ KeyId: await key([session, ROOT]), Plaintext: bytes('x') })
  })
})

describe('errors as AWS words them', () => {
  it('validation errors quote the rejected value and list every violation', async () => {
    const { kms } = engine()
    const e = await expectKmsError(kms.generateDataKey({ KeyId: 'k'.repeat(2049), NumberOfBytes: 0 }), ValidationException)
    expect(e.message).toBe(
      `2 validation errors detected: Value '${'k'.repeat(256)}...' at 'keyId' failed to satisfy constraint: Member must have length less than or equal to 2048; ` +
        `Value '0' at 'numberOfBytes' failed to satisfy constraint: Member must have value greater than or equal to 1`,
    )
    const single = await expectKmsError(kms.createKey({ KeyUsage: 'NOPE' as never }), ValidationException)
    expect(single.message).toBe(`1 validation error detected: Value 'NOPE' at 'keyUsage' failed to satisfy constraint: Member must satisfy enum value set: [ENCRYPT_DECRYPT, SIGN_VERIFY, GENERATE_VERIFY_MAC, KEY_AGREEMENT]`)
    const missing = await expectKmsError(kms.encrypt({ Plaintext: bytes('x') } as never), ValidationException)
    expect(missing.message).toBe(`1 validation error detected: Value null at 'keyId' failed to satisfy constraint: Member must not be null`)
  })

  it('sensitive members are never quoted', async () => {
    const { kms } = engine()
    const { KeyId } = (await kms.createKey()).KeyMetadata
    const e = await expectKmsError(kms.encrypt({ KeyId, Plaintext: new Uint8Array(4097) }), ValidationException)
    expect(e.message).toBe(`1 validation error detected: Value at 'plaintext' failed to satisfy constraint: Member must have length less than or equal to 4096`)
  })

  it('mrk- key IDs are key IDs: a well-formed one that is not here does not exist', async () => {
    const { kms } = engine()
    const id = `mrk-${'0'.repeat(32)}`
    await expectKmsError(kms.describeKey({ KeyId: id }), NotFoundException, new RegExp(`^Key 'arn:aws:kms:us-east-1:${ACCOUNT}:key/${id}' does not exist$`))
    await expectKmsError(kms.describeKey({ KeyId: 'mrk-xyz' }), NotFoundException, /^Invalid keyId 'mrk-xyz'$/)
  })

  it('one opaque error for every decryption failure', async () => {
    const { kms } = engine()
    const { KeyId } = (await kms.createKey()).KeyMetadata
    const { CiphertextBlob } = await kms.encrypt({ KeyId, Plaintext: bytes('x'), EncryptionContext: { a: 'b' } })
    const failures = [
      () => kms.decrypt({ CiphertextBlob, EncryptionContext: { a: 'c' } }),
      () => kms.decrypt({ CiphertextBlob: CiphertextBlob.slice(0, 40) }),
      () => kms.decrypt({ CiphertextBlob: Uint8Array.from(CiphertextBlob, (b, i) => (i === 60 ? b ^ 1 : b)) }),
      () => kms.decrypt({ CiphertextBlob: Uint8Array.from(CiphertextBlob, (b, i) => (i === 20 ? b ^ 1 : b)) }),
    ]
    for (const f of failures) {
      const e = await expectKmsError(f(), InvalidCiphertextException)
      expect(e.message).toBe('The ciphertext is invalid.')
    }
  })
})

describe('the caller and the engine options are read once', () => {
  it('a caller object changed after as() changes nothing', async () => {
    const { kms, store } = engine()
    await kms.putIdentityPolicy({ Principal: ALICE, PolicyName: 'all', PolicyDocument: allowAll })
    const caller = { principal: ALICE, sourceIp: '192.0.2.1' }
    const alice = kms.as(caller)
    caller.principal = ROOT
    caller.sourceIp = '198.51.100.1'
    await alice.generateRandom({ NumberOfBytes: 1 })
    const last = (await storedEvents(store)).at(-1)!
    expect(last).toMatchObject({ userIdentity: { arn: ALICE }, sourceIPAddress: '192.0.2.1' })
  })

  it('a random source returning the wrong length is refused, never used', async () => {
    const kms = createKms({ random: (n) => new Uint8Array(n - 1) })
    await expectKmsError(kms.generateRandom({ NumberOfBytes: 8 }), KMSInternalException)
  })
})
