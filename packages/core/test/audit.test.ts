/** Callers, the CloudTrail-shaped audit trail, its hash chain, signed checkpoints and tamper detection. */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { AccessDeniedException, createKms, MemoryKeyStore, NotFoundException, ValidationException, verifyAuditLog as verifyPinned, type AuditCheckpoint, type ExportedAuditLog, type KeyStore } from '../src/index.js'
import { canonicalJson } from '../src/internal.js'
import { AuditTrail } from '../src/kms/audit/trail.js'
import { chainHash } from '../src/kms/audit/chain.js'
import { sha256Hex } from '../src/kms/audit/hashes.js'
import { UUID_PATTERN, uuidFromRandom } from '../src/util/bytes.js'
import { bytes, expectKmsError, testClock } from './helpers.js'

/**
 * These tests are about the chains' mechanics, so they trust the keys the export lists (a
 * verifier must not: see auditAuthenticity.test.ts, which pins keys obtained apart).
 */
const verifyAuditLog = (log: ExportedAuditLog) => verifyPinned(log, { trustedKeys: log.signingKeys.map((k) => k.fingerprint) })

async function trail() {
  const clock = testClock()
  const kms = createKms({
    now: clock.now,
    keyStore: new MemoryKeyStore(),
    identityPolicies: { 'arn:aws:iam::111122223333:user/alice': { admin: { Version: '2012-10-17', Statement: { Effect: 'Allow', Action: 'kms:*', Resource: '*' } } } },
  })
  const alice = kms.as({ principal: 'arn:aws:iam::111122223333:user/alice', sourceIp: '192.0.2.10', mfa: true })
  const { KeyId, Arn } = (await alice.createKey({ Description: 'audited' })).KeyMetadata
  await alice.encrypt({ KeyId, Plaintext: bytes('top secret plaintext'), EncryptionContext: { tenant: 't1' } })
  await expectKmsError(kms.describeKey({ KeyId: 'alias/missing' }), NotFoundException)
  await kms.enableKeyRotation({ KeyId, RotationPeriodInDays: 90 })
  clock.advanceDays(91)
  await kms.describeKey({ KeyId })
  return { kms, KeyId, Arn, log: await kms.exportAuditLog() }
}

const clone = (log: ExportedAuditLog): ExportedAuditLog => JSON.parse(JSON.stringify(log))

describe('canonicalJson (what the chain hashes)', () => {
  it('sorts object keys by code units at every depth, skips undefined members, and quotes every key as JSON does', () => {
    const value = { b: 1, a: { d: [3, { y: true, x: null }], c: 'x' }, 'k"ey': 'q', é: 'e', Z: undefined, __proto__x: 1 }
    expect(canonicalJson(value)).toBe('{"__proto__x":1,"a":{"c":"x","d":[3,{"x":null,"y":true}]},"b":1,"k\\"ey":"q","é":"e"}')
    const proto = JSON.parse('{"__proto__":"p","a":"\\u2028"}') as Record<string, string>
    // The same keys again (quoted keys are remembered): the same bytes.
    for (let i = 0; i < 2; i++) expect(canonicalJson(proto)).toBe('{"__proto__":"p","a":"\u2028"}')
  })

  it('is JSON of the same value with sorted keys, whatever the keys (property)', () => {
    // The definition, written plainly: the oracle the engine's one (built for speed) must match.
    const reference = (v: unknown): string => {
      if (v === null || typeof v !== 'object') return JSON.stringify(v)
      if (Array.isArray(v)) return `[${v.map(reference).join(',')}]`
      const o = v as Record<string, unknown>
      return `{${Object.keys(o).sort().filter((k) => o[k] !== undefined).map((k) => `${JSON.stringify(k)}:${reference(o[k])}`).join(',')}}`
    }
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const text = canonicalJson(value)
        expect(text).toBe(reference(value))
        expect(JSON.parse(text)).toEqual(JSON.parse(JSON.stringify(value)))
      }),
      { numRuns: 300 },
    )
    // Strings as JSON.stringify writes them: quotes, backslashes, control characters, DEL, lone
    // surrogates, and strings longer than the plain-ASCII shortcut takes.
    const awkward = fc.constantFrom('a', '"', '\\', '\x7f', '\x1f', ' ', '\u2028', '\ud800', '~')
    fc.assert(
      fc.property(fc.array(fc.oneof(fc.string({ unit: 'binary', maxLength: 300 }), fc.string({ unit: awkward, maxLength: 400 }))), (strings) => {
        const value = Object.fromEntries(strings.map((v, i) => [v, [v, i]]))
        expect(canonicalJson(value)).toBe(reference(value))
        expect(canonicalJson(strings)).toBe(JSON.stringify(strings))
      }),
      { numRuns: 300 },
    )
  })
})

describe('audit trail', () => {
  it('records every call, allowed or refused, as a CloudTrail KMS event, without plaintext', async () => {
    const { log, Arn } = await trail()
    expect(log.events.map((e) => e.eventName)).toEqual(['CreateKey', 'Encrypt', 'DescribeKey', 'EnableKeyRotation', 'RotateKey', 'DescribeKey'])
    const encrypt = log.events[1]!
    expect(encrypt).toMatchObject({
      eventSource: 'kms.amazonaws.com',
      eventName: 'Encrypt',
      sourceIPAddress: '192.0.2.10',
      userIdentity: { type: 'IAMUser', arn: 'arn:aws:iam::111122223333:user/alice', accountId: '111122223333' },
      requestParameters: { keyId: expect.any(String), encryptionContext: { tenant: 't1' } },
      resources: [{ ARN: Arn, type: 'AWS::KMS::Key', accountId: '111122223333' }],
      eventType: 'AwsApiCall',
    })
    expect(encrypt.eventTime).toBe('2026-01-01T00:00:00Z')
    expect(typeof encrypt.eventID).toBe('string')
    expect(log.events[2]).toMatchObject({ errorCode: 'NotFoundException', userIdentity: { type: 'Root' } })
    expect(log.events[4]).toMatchObject({ eventType: 'AwsServiceEvent', userIdentity: { invokedBy: 'kms.amazonaws.com' }, eventTime: '2026-04-01T00:00:00Z' })
    expect(JSON.stringify(log)).not.toContain('top secret')
    expect(JSON.stringify(log)).not.toMatch(/"plaintext"/i)
  })

  it('records only audited members of their declared type: a context with a non-string value, the plaintext and a wrong-typed key ID are left out', async () => {
    const kms = createKms()
    const { KeyId } = (await kms.createKey()).KeyMetadata
    await expectKmsError(kms.encrypt({ KeyId, Plaintext: bytes('x'), EncryptionContext: { a: 'b', n: 1 } as never }), ValidationException)
    await expectKmsError(kms.encrypt({ KeyId: 42 as never, Plaintext: bytes('x'), EncryptionContext: { a: 'b' } }), ValidationException)
    await kms.encrypt({ KeyId, Plaintext: bytes('x'), EncryptionContext: JSON.parse('{"__proto__":"p","a":"b"}') as Record<string, string> })
    const [, refusedContext, refusedKeyId, encrypt] = (await kms.exportAuditLog()).events
    expect(refusedContext!.requestParameters).toEqual({ keyId: KeyId })
    expect(refusedKeyId!.requestParameters).toEqual({ encryptionContext: { a: 'b' } })
    const { encryptionContext } = encrypt!.requestParameters as { encryptionContext: object }
    expect(Object.entries(encryptionContext)).toEqual([['__proto__', 'p'], ['a', 'b']])
    expect(Object.getPrototypeOf(encryptionContext)).toBe(Object.prototype)
  })

  it('an untouched export verifies, ending with a checkpoint over its last event', async () => {
    const { log } = await trail()
    expect(log.format).toBe('webkms-audit-4')
    expect(log.checkpoints.at(-1)!.sequence).toBe(log.events.length)
    // The 91 idle days are closed by one checkpoint before the next call; the rotation that fell
    // due meanwhile is recorded (with its due date) when that call touches the key; the export
    // adds the last checkpoint.
    const key = log.signingKeys[0]!.fingerprint
    expect(await verifyAuditLog(log)).toMatchObject({
      valid: true,
      intact: true,
      events: 6,
      checkpoints: 2,
      coverage: { from: '2026-01-01T00:00:00.000Z', to: '2026-04-02T00:00:00.000Z' },
      periods: [
        { from: '2026-01-01T00:00:00.000Z', to: '2026-04-02T00:00:00.000Z', events: 4, sequence: 4, key },
        { from: '2026-04-02T00:00:00.000Z', to: '2026-04-02T00:00:00.000Z', events: 2, sequence: 6, key },
      ],
      signers: [key],
    })
  })

  it('the deletion at the end of a window is a service event', async () => {
    const clock = testClock()
    const kms = createKms({ now: clock.now })
    const { KeyId } = (await kms.createKey()).KeyMetadata
    await kms.scheduleKeyDeletion({ KeyId, PendingWindowInDays: 7 })
    clock.advanceDays(8)
    await kms.listKeys()
    const log = await kms.exportAuditLog()
    expect(log.events.map((e) => e.eventName)).toEqual(['CreateKey', 'ScheduleKeyDeletion', 'DeleteKey', 'ListKeys'])
    expect((await verifyAuditLog(log)).valid).toBe(true)
  })

  const tampers: [string, (log: ExportedAuditLog) => void, number][] = [
    ['an edited event', (l) => void (l.events[1]!.sourceIPAddress = '198.51.100.1'), 2],
    ['an edited event with its hash recomputed is caught at the checkpoint', (l) => {
      l.events[1]!.sourceIPAddress = '198.51.100.1'
      // A forger can fix hashes only by rewriting the rest of the chain; the signature then fails.
      l.events[1]!.webkms.hash = 'f'.repeat(64)
      for (let i = 2; i < l.events.length; i++) l.events[i]!.webkms.previousHash = l.events[i - 1]!.webkms.hash
    }, 2],
    ['a deleted event', (l) => void l.events.splice(2, 1), 3],
    ['an inserted event', (l) => void l.events.splice(1, 0, { ...l.events[1]!, eventName: 'Decrypt' }), 2],
    ['reordered events', (l) => void ([l.events[1], l.events[2]] = [l.events[2]!, l.events[1]!]), 2],
    ['a forged checkpoint', (l) => void (l.checkpoints.at(-1)!.time = '2030-01-01T00:00:00.000Z'), 6],
    ['a dropped tail', (l) => void l.events.pop(), 6],
  ]
  for (const [what, edit, position] of tampers) {
    it(`detects ${what}, at position ${position}`, async () => {
      const { log } = await trail()
      const bad = clone(log)
      edit(bad)
      const result = await verifyAuditLog(bad)
      expect(result.valid).toBe(false)
      expect(result.problem!.position).toBe(position)
    })
  }

  it('as(caller) validates the principal; callers from the ARN get their account', async () => {
    const kms = createKms()
    expect(() => kms.as({ principal: 'alice' })).toThrow(/"caller.principal"/)
    const bob = kms.as({ principal: 'arn:aws:sts::444455556666:assumed-role/Admin/bob' })
    // Another account's role may not call GenerateRandom here; the refusal is audited all the same.
    await expectKmsError(bob.generateRandom({ NumberOfBytes: 4 }), AccessDeniedException)
    const log = await kms.exportAuditLog()
    expect(log.events[0]!.userIdentity).toMatchObject({ type: 'AssumedRole', accountId: '444455556666' })
    expect(log.events[0]!.errorCode).toBe('AccessDeniedException')
  })

  it("an assumed-role session's event names the role it came from (sessionIssuer), with its path when the caller gave it", async () => {
    const kms = createKms()
    const session = 'arn:aws:sts::111122223333:assumed-role/app/s1'
    await kms.as({ principal: session }).generateRandom({ NumberOfBytes: 4 }).catch(() => undefined)
    await kms.as({ principal: session, roleArn: 'arn:aws:iam::111122223333:role/teams/app', mfa: true }).generateRandom({ NumberOfBytes: 4 }).catch(() => undefined)
    const [plain, pathed] = (await kms.exportAuditLog()).events
    expect(plain!.userIdentity).toMatchObject({ type: 'AssumedRole', arn: session, sessionContext: { sessionIssuer: { type: 'Role', arn: 'arn:aws:iam::111122223333:role/app', accountId: '111122223333', userName: 'app' } } })
    expect(pathed!.userIdentity).toMatchObject({
      sessionContext: { attributes: { mfaAuthenticated: 'true' }, sessionIssuer: { type: 'Role', arn: 'arn:aws:iam::111122223333:role/teams/app', userName: 'app' } },
    })
    // A user has no session issuer.
    await kms.as({ principal: 'arn:aws:iam::111122223333:user/alice' }).generateRandom({ NumberOfBytes: 4 }).catch(() => undefined)
    const alice = (await kms.exportAuditLog()).events.find((e) => (e.userIdentity as { arn?: string }).arn === 'arn:aws:iam::111122223333:user/alice')
    expect(alice!.userIdentity).toMatchObject({ type: 'IAMUser' })
    expect(alice!.userIdentity).not.toHaveProperty('sessionContext')
  })
})

const DAY = 86_400_000
const T0 = '2026-01-01T00:00:00.000Z'
const at = (ms: number) => new Date(Date.parse(T0) + ms).toISOString()

/** One key at T0, an export, `idleDays` with no call, one call, an export. */
async function idleTrail(idleDays = 3) {
  const clock = testClock()
  const kms = createKms({ now: clock.now, keyStore: new MemoryKeyStore() })
  await kms.createKey()
  await kms.exportAuditLog()
  clock.advanceDays(idleDays)
  await kms.generateRandom({ NumberOfBytes: 8 })
  return { kms, clock, log: await kms.exportAuditLog() }
}

const toB64 = (b: ArrayBuffer) => btoa(String.fromCharCode(...new Uint8Array(b)))
const toHex = (b: ArrayBuffer) => [...new Uint8Array(b)].map((x) => x.toString(16).padStart(2, '0')).join('')

/**
 * Plays a forger who holds a signing key: applies `edit`, then re-chains and re-signs every
 * checkpoint (the signed bytes are the canonical JSON of all fields but the signature). Shows
 * that the coverage checks hold even where a signature alone would not catch the edit.
 */
async function resign(log: ExportedAuditLog, edit: (checkpoints: AuditCheckpoint[]) => void): Promise<ExportedAuditLog> {
  const subtle = globalThis.crypto.subtle
  const pair = (await subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, ['sign', 'verify'])) as CryptoKeyPair
  edit(log.checkpoints)
  let previous = '0'.repeat(64)
  for (const c of log.checkpoints) {
    c.previousCheckpoint = previous
    const raw = await subtle.exportKey('raw', pair.publicKey)
    c.key = toHex(await subtle.digest('SHA-256', raw))
    const signed = new TextEncoder().encode(canonicalJson({ from: c.from, time: c.time, sequence: c.sequence, hash: c.hash, previousCheckpoint: c.previousCheckpoint, key: c.key, challenge: c.challenge, start: c.start }))
    c.signature = toB64(await subtle.sign({ name: 'ECDSA', hash: 'SHA-256' }, pair.privateKey, signed))
    previous = toHex(await subtle.digest('SHA-256', signed))
  }
  const raw = await subtle.exportKey('raw', pair.publicKey)
  log.signingKeys = [{ fingerprint: toHex(await subtle.digest('SHA-256', raw)), publicKey: toB64(raw) }]
  return log
}

describe('audit trail: checkpoint chain and time coverage', () => {
  it('an idle period of days gets exactly one checkpoint, signed before the next call, and verifies', async () => {
    const { log } = await idleTrail(3)
    // The first export is a call too: its event follows the checkpoint it made.
    expect(log.events.map((e) => e.eventName)).toEqual(['CreateKey', 'ExportAuditLog', 'GenerateRandom'])
    expect(log.checkpoints.map((c: AuditCheckpoint) => ({ from: c.from, time: c.time, sequence: c.sequence }))).toEqual([
      { from: T0, time: T0, sequence: 1 },
      { from: T0, time: at(3 * DAY), sequence: 2 }, // the idle span, attested
      { from: at(3 * DAY), time: at(3 * DAY), sequence: 3 },
    ])
    expect(log.checkpoints[0]!.previousCheckpoint).toBe('0'.repeat(64))
    const result = await verifyAuditLog(log)
    expect(result).toMatchObject({ valid: true, events: 3, checkpoints: 3, coverage: { from: T0, to: at(3 * DAY) } })
    expect(result.periods!.map(({ from, to, events, sequence }) => ({ from, to, events, sequence }))).toEqual([
      { from: T0, to: T0, events: 1, sequence: 1 },
      { from: T0, to: at(3 * DAY), events: 1, sequence: 2 },
      { from: at(3 * DAY), to: at(3 * DAY), events: 1, sequence: 3 },
    ])
  })

  it('a period in which nothing happened is attested with 0 events', async () => {
    const clock = testClock()
    const trail = new AuditTrail(new MemoryKeyStore(), clock.now)
    await trail.record({ eventName: 'A', eventType: 'AwsApiCall', eventTime: '2026-01-01T00:00:00Z' })
    await trail.checkpoint({ kind: 'now' })
    clock.advanceDays(2)
    await trail.beforeCall(clock.now()) // two idle days: one checkpoint covers them
    await trail.record({ eventName: 'B', eventType: 'AwsApiCall', eventTime: clock.now().toISOString().replace(/\.\d{3}Z$/, 'Z') })
    const result = await verifyAuditLog(await trail.export())
    expect(result.periods!.map((p) => [p.from, p.to, p.events])).toEqual([
      [T0, T0, 1],
      [T0, at(2 * DAY), 0],
      [at(2 * DAY), at(2 * DAY), 1],
    ])
  })

  it('the first checkpoint covers the trail from its first event, even across an idle span', async () => {
    const clock = testClock()
    const kms = createKms({ now: clock.now })
    await kms.createKey()
    clock.advanceDays(10)
    await kms.listKeys()
    const log = await kms.exportAuditLog()
    expect(log.checkpoints.map((c: AuditCheckpoint) => ({ from: c.from, time: c.time, sequence: c.sequence }))).toEqual([
      { from: T0, time: at(10 * DAY), sequence: 1 },
      { from: at(10 * DAY), time: at(10 * DAY), sequence: 2 },
    ])
    expect((await verifyAuditLog(log)).coverage).toEqual({ from: T0, to: at(10 * DAY), startsAfter: 0, startSigned: true })
  })

  it('calls within the hour add no checkpoint; an export with nothing new at the same instant adds none', async () => {
    const clock = testClock()
    const kms = createKms({ now: clock.now })
    for (let i = 0; i < 6; i++) {
      await kms.generateRandom({ NumberOfBytes: 1 })
      clock.advanceMs(11 * 60_000)
    }
    expect((await kms.exportAuditLog()).checkpoints).toHaveLength(1) // at 66 minutes, by the export
    const trail = new AuditTrail(new MemoryKeyStore(), clock.now)
    await trail.record({ eventName: 'A', eventType: 'AwsApiCall', eventTime: '2026-01-01T01:06:00Z' })
    expect((await trail.export()).checkpoints).toHaveLength(1)
    expect((await trail.export()).checkpoints).toHaveLength(1) // nothing new, same instant
    clock.advanceMs(1)
    // Time moved: the next export attests it, with no new event.
    const log = await trail.export()
    expect(log.checkpoints.map((c) => c.sequence)).toEqual([1, 1])
    expect((await verifyAuditLog(log)).periods!.map((p) => p.events)).toEqual([1, 0])
  })

  it('a busy trail gets a checkpoint at least every hour', async () => {
    const clock = testClock()
    const kms = createKms({ now: clock.now })
    for (let i = 0; i < 8; i++) {
      await kms.generateRandom({ NumberOfBytes: 1 })
      clock.advanceMs(25 * 60_000)
    }
    const { periods } = await verifyAuditLog(await kms.exportAuditLog())
    // Calls at 0, 25, ... 175 minutes; checkpoints before the calls at 75 and 150, and the export's at 200.
    expect(periods!.map((p) => [p.from.slice(11, 16), p.to.slice(11, 16), p.events])).toEqual([
      ['00:00', '01:15', 3],
      ['01:15', '02:30', 3],
      ['02:30', '03:20', 2],
    ])
  })

  it('signs a checkpoint every 64 events', async () => {
    const kms = createKms({ now: testClock().now })
    for (let i = 0; i < 130; i++) await kms.generateRandom({ NumberOfBytes: 1 })
    const result = await verifyAuditLog(await kms.exportAuditLog())
    expect(result.valid).toBe(true)
    expect(result.periods!.map((p) => p.events)).toEqual([64, 64, 2])
  })

  it('the checkpoint period is an AuditTrail option', async () => {
    expect(() => new AuditTrail(new MemoryKeyStore(), () => new Date(), { checkpointPeriodMs: 0 })).toThrow(/checkpointPeriodMs/)
    const clock = testClock()
    const trail = new AuditTrail(new MemoryKeyStore(), clock.now, { checkpointPeriodMs: DAY })
    // As the call path does: a checkpoint when due, then the call's event.
    const call = async () => {
      await trail.beforeCall(clock.now())
      await trail.record({ eventName: 'Probe', eventType: 'AwsApiCall', eventTime: clock.now().toISOString().replace(/\.\d{3}Z$/, 'Z') })
    }
    await call()
    clock.advanceMs(23 * 3_600_000)
    await call() // 23 hours: within the period
    clock.advanceMs(25 * 3_600_000)
    await call() // 25 hours more: the trail (started 48 hours ago) gets its first checkpoint
    clock.advanceMs(3 * DAY)
    await call()
    const log = await trail.export()
    expect(log.checkpoints.map((c: AuditCheckpoint) => ({ from: c.from, time: c.time, sequence: c.sequence }))).toEqual([
      { from: T0, time: at(2 * DAY), sequence: 2 },
      { from: at(2 * DAY), time: at(5 * DAY), sequence: 3 },
      { from: at(5 * DAY), time: at(5 * DAY), sequence: 4 },
    ])
    expect((await verifyAuditLog(log)).valid).toBe(true)
  })

  it('a call that began before a checkpoint signed meanwhile is recorded in the next period', async () => {
    const clock = testClock()
    const trail = new AuditTrail(new MemoryKeyStore(), clock.now)
    await trail.record({ eventName: 'A', eventType: 'AwsApiCall', eventTime: '2026-01-01T00:00:00Z' })
    clock.advanceMs(10_000)
    await trail.export() // checkpoint at 00:00:10
    await trail.record({ eventName: 'B', eventType: 'AwsApiCall', eventTime: '2026-01-01T00:00:05Z' }) // began at 00:00:05
    const log = await trail.export()
    expect(log.events[1]).toMatchObject({ eventName: 'B', eventTime: '2026-01-01T00:00:10Z' })
    expect((await verifyAuditLog(log)).valid).toBe(true)
  })

  it('a service event recorded after a checkpoint keeps the time it was due, and verifies', async () => {
    const clock = testClock()
    const kms = createKms({ now: clock.now })
    const { KeyId } = (await kms.createKey()).KeyMetadata
    await kms.enableKeyRotation({ KeyId, RotationPeriodInDays: 90 })
    clock.advanceDays(91)
    await kms.generateRandom({ NumberOfBytes: 1 }) // touches no key: the rotation waits
    await kms.exportAuditLog()
    await kms.describeKey({ KeyId })
    const log = await kms.exportAuditLog()
    const rotate = log.events.findIndex((e) => e.eventName === 'RotateKey')
    expect(log.events[rotate]!.eventTime).toBe('2026-04-01T00:00:00Z')
    expect(log.checkpoints.at(-2)!.time).toBe(at(91 * DAY)) // before the event was recorded
    expect((await verifyAuditLog(log)).valid).toBe(true)
  })

  it('reports a deleted idle checkpoint (the checkpoint chain breaks)', async () => {
    const { log } = await idleTrail()
    const bad = clone(log)
    bad.checkpoints.splice(1, 1)
    const result = await verifyAuditLog(bad)
    expect(result.valid).toBe(false)
    expect(result.problem).toMatchObject({ checkpoint: 2, position: 3, reason: expect.stringMatching(/checkpoint chain broken/) })
  })

  it('reports a deleted first checkpoint', async () => {
    const { log } = await idleTrail()
    const bad = clone(log)
    bad.checkpoints.shift()
    expect((await verifyAuditLog(bad)).problem).toMatchObject({ checkpoint: 1, reason: expect.stringMatching(/first checkpoint does not start the chain/) })
  })

  for (const field of ['from', 'time'] as const) {
    it(`reports an edited ${field} of the idle checkpoint (its signature)`, async () => {
      const { log } = await idleTrail()
      const bad = clone(log)
      bad.checkpoints[1]![field] = at(DAY)
      expect((await verifyAuditLog(bad)).problem).toMatchObject({ checkpoint: 2, reason: expect.stringMatching(/signature/) })
    })
  }

  it('catches an event deleted with its whole checkpoint, even with the event chain rewritten', async () => {
    const clock = testClock()
    const kms = createKms({ now: clock.now })
    for (let i = 0; i < 3; i++) {
      await kms.generateRandom({ NumberOfBytes: 1 })
      clock.advanceDays(1)
      await kms.exportAuditLog()
    }
    const bad = clone(await kms.exportAuditLog())
    // Each day: a call, then an export (a call too) after the day's checkpoint.
    expect(bad.checkpoints.map((c) => c.sequence)).toEqual([1, 3, 5, 6])
    expect(bad.events[2]!.eventName).toBe('GenerateRandom')
    bad.events.splice(2, 1)
    bad.checkpoints.splice(1, 1)
    // SHA-256 needs no key: the forger recomputes the event chain.
    let previousHash = '0'.repeat(64)
    bad.events.forEach((e, i) => {
      const { webkms: _, ...event } = e
      e.webkms = { sequence: i + 1, previousHash, hash: (previousHash = chainHash(previousHash, event, sha256Hex)) }
    })
    const result = await verifyAuditLog(bad)
    expect(result.valid).toBe(false)
    expect(result.problem).toMatchObject({ checkpoint: 2, reason: expect.stringMatching(/checkpoint chain broken/) })
  })

  // With a forger's own key every signature is good; the coverage rules still hold.
  const coverageTampers: [string, (c: AuditCheckpoint[]) => void, RegExp, number][] = [
    ['a gap in the coverage', (c) => void (c[1]!.from = at(DAY)), /gap in time coverage/, 2],
    ['an overlap in the coverage', (c) => void (c[2]!.from = at(DAY)), /overlap in time coverage/, 3],
    ['checkpoint times going backwards', (c) => void (c[2]!.time = at(DAY)), /times go backwards/, 3],
    ['an event after its period', (c) => void ((c[1]!.time = at(DAY)), (c[2]!.from = at(DAY)), (c[2]!.time = at(2 * DAY))), /after the end of its checkpoint's period/, 3],
    ['an event before its period', (c) => void ((c[1]!.time = at(4 * DAY)), (c[2]!.from = at(4 * DAY)), (c[2]!.time = at(4 * DAY))), /before the start of its checkpoint's period/, 3],
  ]
  for (const [what, edit, reason, checkpoint] of coverageTampers) {
    it(`reports ${what}, even with valid signatures`, async () => {
      const { log } = await idleTrail()
      expect((await verifyAuditLog(await resign(clone(log), () => {}))).valid).toBe(true)
      const result = await verifyAuditLog(await resign(clone(log), edit))
      expect(result.valid).toBe(false)
      expect(result.problem).toMatchObject({ checkpoint, reason: expect.stringMatching(reason) })
    })
  }

  it('two engines on one store, both finding the trail idle, add one checkpoint, not a fork', async () => {
    const clock = testClock()
    const store = new MemoryKeyStore()
    const a = createKms({ now: clock.now, keyStore: store })
    const b = createKms({ now: clock.now, keyStore: store })
    await a.createKey()
    await a.exportAuditLog()
    clock.advanceDays(2)
    await Promise.all([a.generateRandom({ NumberOfBytes: 1 }), b.generateRandom({ NumberOfBytes: 1 }), a.listKeys(), b.listKeys()])
    const log = await b.exportAuditLog()
    expect(log.checkpoints.map((c: AuditCheckpoint) => ({ from: c.from, time: c.time, sequence: c.sequence }))).toEqual([
      { from: T0, time: T0, sequence: 1 },
      { from: T0, time: at(2 * DAY), sequence: 2 },
      { from: at(2 * DAY), time: at(2 * DAY), sequence: 6 },
    ])
    expect(await verifyAuditLog(log)).toMatchObject({ valid: true, events: 6, checkpoints: 3 })
  })
})

describe('audit trail: where an export starts is signed', () => {
  const line = (clock: ReturnType<typeof testClock>) => clock.now().toISOString().replace(/\.\d{3}Z$/, 'Z')

  /** A trail of several checkpoints, exported with a challenge; its keys as a verifier pinned them beforehand. */
  async function exported(options: Parameters<typeof createKms>[0] = {}) {
    const clock = testClock()
    const kms = createKms({ now: clock.now, ...options })
    const trustedKeys = (await kms.getAuditPublicKeys()).Keys.map((k) => k.Fingerprint)
    for (let day = 0; day < 4; day++) {
      await kms.generateRandom({ NumberOfBytes: 1 })
      clock.advanceDays(1)
      await kms.listKeys()
    }
    const challenge = crypto.randomUUID()
    return { kms, trustedKeys, challenge, log: await kms.exportAuditLog({ Challenge: challenge }) }
  }

  /** What the holder of an export can do without the key: start it at a later signed checkpoint, dropping what came before. */
  function startAt(log: ExportedAuditLog, index: number): ExportedAuditLog {
    const out = clone(log)
    const base = out.checkpoints[index]!
    out.base = base
    out.events = out.events.filter((e) => e.webkms.sequence > base.sequence)
    out.checkpoints = out.checkpoints.slice(index + 1)
    return out
  }

  it('an export signs its start: untouched it verifies, and says it starts at the beginning', async () => {
    const { log, trustedKeys, challenge } = await exported()
    expect(log.checkpoints.length).toBeGreaterThan(3)
    expect(log.checkpoints.every((c) => c.start === '0'.repeat(64))).toBe(true)
    expect(await verifyPinned(log, { trustedKeys, challenge })).toMatchObject({ valid: true, coverage: { startsAfter: 0, startSigned: true } })
  })

  it('moving the start to a later signed checkpoint is caught, even to the challenge checkpoint itself', async () => {
    const { log, trustedKeys, challenge } = await exported()
    const last = log.checkpoints.length - 1
    for (const index of [0, 2, last - 1, last]) {
      const moved = startAt(log, index)
      for (const options of [{ trustedKeys, challenge }, { trustedKeys }]) {
        const result = await verifyPinned(moved, options)
        expect(result).toMatchObject({ valid: false, intact: false })
        expect(result.problem!.reason).toMatch(/does not start where its last checkpoint says/)
      }
    }
  })

  it('a pruned trail: its export starts at its base, signed; moving that base later is caught too', async () => {
    const challenge = crypto.randomUUID()
    const kms = createKms({ auditRetention: { maxEvents: 64 } })
    const pinned = (await kms.getAuditPublicKeys()).Keys.map((k) => k.Fingerprint)
    for (let i = 0; i < 150; i++) await kms.generateRandom({ NumberOfBytes: 1 })
    const pruned = await kms.exportAuditLog({ Challenge: challenge })
    expect(pruned.base).toBeDefined()
    expect(await verifyPinned(pruned, { trustedKeys: pinned, challenge })).toMatchObject({ valid: true, coverage: { startsAfter: pruned.base!.sequence, startSigned: true } })
    for (const index of [0, pruned.checkpoints.length - 1]) {
      const result = await verifyPinned(startAt(pruned, index), { trustedKeys: pinned, challenge })
      expect(result.valid).toBe(false)
      expect(result.problem!.reason).toMatch(/does not start where its last checkpoint says/)
    }
  })

  it('a checkpoint that signs no start (an older webkms) verifies, but not as a fresh export (a challenge, an age limit)', async () => {
    const { log, challenge } = await exported()
    const unsigned = await resign(clone(log), (checkpoints) => checkpoints.forEach((c) => delete c.start))
    const trustedKeys = unsigned.signingKeys.map((k) => k.fingerprint)
    expect(await verifyPinned(unsigned, { trustedKeys })).toMatchObject({ valid: true, coverage: { startsAfter: 0, startSigned: false } })
    for (const options of [{ challenge }, { maxAgeMs: 1e12 }]) {
      const result = await verifyPinned(unsigned, { trustedKeys, ...options })
      expect(result).toMatchObject({ valid: false, intact: true })
      expect(result.problem!.reason).toMatch(/does not sign where the export starts/)
    }
  })

  it('joined, a part may end at a checkpoint signing an earlier part\'s start (an older engine pruned there); alone it may not', async () => {
    const { log, trustedKeys } = await exported()
    // Cut one export in two at its third checkpoint: the second part's last checkpoint signs the first part's start.
    const at = log.checkpoints[2]!
    const first: ExportedAuditLog = { ...clone(log), events: log.events.filter((e) => e.webkms.sequence <= at.sequence), checkpoints: log.checkpoints.slice(0, 3) }
    const second = startAt(log, 2)
    expect(await verifyPinned([first, second], { trustedKeys })).toMatchObject({ valid: true, events: log.events.length, coverage: { startsAfter: 0 } })
    expect((await verifyPinned(second, { trustedKeys })).problem!.reason).toMatch(/does not start where its last checkpoint says/)
  })

  it('archived segments each end at a checkpoint signing their own start: each verifies alone, and joined they start at the beginning', async () => {
    // A checkpoint signed before a prune signs the start before it; a segment must not end there.
    const clock = testClock()
    const segments: ExportedAuditLog[] = []
    const trail = new AuditTrail(new MemoryKeyStore(), clock.now, { retention: { maxAgeDays: 1, archive: (s) => void segments.push(s) } })
    const trustedKeys = (await trail.publicKeys()).map((k) => k.fingerprint)
    const step = async (name: string, hours: number) => {
      clock.advanceMs(hours * 3_600_000)
      await trail.record({ eventName: name, eventType: 'AwsApiCall', eventTime: line(clock) })
      await trail.checkpoint({ kind: 'now' })
      await trail.prune()
    }
    await step('A', 0)
    await step('B', 12) // its checkpoint signs the trail's beginning
    await step('C', 24) // C's too; then A is old: pruned up to A's checkpoint, and the trail starts there
    await step('D', 24) // B is old, but B's and C's checkpoints sign the earlier start: no segment ends there
    await step('E', 36) // D's checkpoint signs A's: B to D go
    expect(segments.map((s) => s.events.map((e) => e.eventName))).toEqual([['A'], ['B', 'C', 'D']])
    for (const s of segments) expect(await verifyPinned(s, { trustedKeys })).toMatchObject({ valid: true, coverage: { startSigned: true } })
    const log = await trail.export()
    expect(await verifyPinned([...segments, log], { trustedKeys })).toMatchObject({ valid: true, events: 5, coverage: { startsAfter: 0 } })
    expect(await verifyPinned(log, { trustedKeys })).toMatchObject({ valid: true, coverage: { startsAfter: 4 } })
    // Without the first segment the rest still verifies: where it starts says what is missing.
    expect(await verifyPinned(segments.slice(1).concat(log), { trustedKeys })).toMatchObject({ valid: true, coverage: { startsAfter: 1 } })
  })
})

describe('audit trail: an export racing a prune', () => {
  it('another tab pruning between the export\'s checkpoint and its reading: the export signs again, and verifies', async () => {
    const clock = testClock()
    const inner = new MemoryKeyStore()
    const retention = { retention: { maxAgeDays: 1 } }
    const otherTab = new AuditTrail(inner, clock.now, retention)
    let armed = false
    let raced = 0
    // The exporting tab's store: once armed, the other tab prunes right after a checkpoint is stored.
    const store: KeyStore = {
      ...inner,
      transaction: async (mode, fn) => {
        let wroteCheckpoint = false
        const result = await inner.transaction(mode, (tx) => fn({ ...tx, putMeta: async (key, value) => ((wroteCheckpoint ||= key === 'audit-checkpoint-head'), tx.putMeta(key, value)) }))
        if (armed && wroteCheckpoint) {
          armed = false
          raced++
          await otherTab.prune()
        }
        return result
      },
    }
    const trail = new AuditTrail(store, clock.now, retention)
    const trustedKeys = (await trail.publicKeys()).map((k) => k.fingerprint)
    const time = () => clock.now().toISOString().replace(/\.\d{3}Z$/, 'Z')
    await trail.record({ eventName: 'A', eventType: 'AwsApiCall', eventTime: time() })
    await trail.checkpoint({ kind: 'now' })
    clock.advanceDays(2)
    await trail.record({ eventName: 'B', eventType: 'AwsApiCall', eventTime: time() })
    armed = true
    const log = await trail.export()
    expect(raced).toBe(1)
    expect(log.base?.sequence).toBe(1) // the other tab pruned A
    expect(log.events.map((e) => e.eventName)).toEqual(['B'])
    expect(await verifyPinned(log, { trustedKeys })).toMatchObject({ valid: true, coverage: { startsAfter: 1, startSigned: true } })
  })
})

describe('event and request IDs', () => {
  // RFC 9562 §5.4: version 4 in the high nibble of byte 6, the variant (0b10) in the top bits of byte 8.
  it('are version 4 UUIDs of the random bytes (property)', () => {
    expect(uuidFromRandom(new Uint8Array(16).fill(0xff))).toBe('ffffffff-ffff-4fff-bfff-ffffffffffff')
    expect(uuidFromRandom(Uint8Array.from({ length: 16 }, (_, i) => i))).toBe('00010203-0405-4607-8809-0a0b0c0d0e0f')
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 16, maxLength: 16 }), (random) => {
        const hex = [...random].map((b, i) => (i === 6 ? (b & 0x0f) | 0x40 : i === 8 ? (b & 0x3f) | 0x80 : b).toString(16).padStart(2, '0')).join('')
        const uuid = uuidFromRandom(random)
        expect(uuid).toBe(`${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`)
        expect(uuid).toMatch(UUID_PATTERN)
      }),
    )
  })
})
