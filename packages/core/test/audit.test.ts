/** Callers, the CloudTrail-shaped audit trail, its hash chain, signed checkpoints and tamper detection. */
import { describe, expect, it } from 'vitest'
import { createKms, MemoryKeyStore, NotFoundException, verifyAuditLog, type ExportedAuditLog } from '../src/index.js'
import { bytes, expectKmsError, testClock } from './helpers.js'

async function trail() {
  const clock = testClock()
  const kms = createKms({ now: clock.now, keyStore: new MemoryKeyStore() })
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

  it('an untouched export verifies, ending with a checkpoint over its last event', async () => {
    const { log } = await trail()
    expect(log.checkpoints.at(-1)!.sequence).toBe(log.events.length)
    expect(await verifyAuditLog(log)).toEqual({ valid: true, events: 6, checkpoints: 1 })
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
    ['a forged checkpoint', (l) => void (l.checkpoints[0]!.time = '2030-01-01T00:00:00.000Z'), 6],
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
    await bob.generateRandom({ NumberOfBytes: 4 })
    const log = await kms.exportAuditLog()
    expect(log.events[0]!.userIdentity).toMatchObject({ type: 'AssumedRole', accountId: '444455556666' })
  })
})
