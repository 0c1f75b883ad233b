/**
 * Two accounts kept in stores of their own, as the edge keeps them (one Durable Object each),
 * joined by `otherAccounts`: a call by a principal of one on a key of the other is decided with
 * its own account's identity policies, and recorded in both trails, or, refused before it ran,
 * only in its own (AWS KMS Developer Guide, Logging with AWS CloudTrail).
 */
import { describe, expect, it } from 'vitest'
import { AccessDeniedException, createKms, MemoryKeyStore, NotFoundException, type Kms, type OtherAccounts } from '../src/index.js'
import { recordOtherAccountEvent } from '../src/internal.js'
import { bytes, expectKmsError, testClock } from './helpers.js'

const OWNER = '111122223333'
const PARTNER = '444455556666'
const BOB = `arn:aws:iam::${PARTNER}:user/bob`
const EVE = `arn:aws:iam::${PARTNER}:user/eve`
const allow = (Action: string) => JSON.stringify({ Version: '2012-10-17', Statement: { Effect: 'Allow', Action, Resource: '*' } })

function twoAccounts() {
  const clock = testClock()
  const engines = new Map<string, Kms>()
  const asked: string[][] = []
  const otherAccounts: OtherAccounts = {
    async identityPolicies(accountId, principals) {
      asked.push(principals)
      const engine = engines.get(accountId)!
      const each = await Promise.all(principals.map(async (principal) => Object.entries((await engine.getIdentityPolicies({ Principal: principal })).Policies).map(([name, document]) => ({ principal, name, document }))))
      return each.flat()
    },
    record: (accountId, event) => recordOtherAccountEvent(engines.get(accountId)!, event),
  }
  for (const accountId of [OWNER, PARTNER]) engines.set(accountId, createKms({ accountId, now: clock.now, keyStore: new MemoryKeyStore(), otherAccounts }))
  return { owner: engines.get(OWNER)!, partner: engines.get(PARTNER)!, asked }
}

async function sharedKey(owner: Kms) {
  const Policy = JSON.stringify({
    Version: '2012-10-17',
    Statement: [
      { Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${OWNER}:root` }, Action: 'kms:*', Resource: '*' },
      { Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${PARTNER}:root` }, Action: ['kms:Encrypt', 'kms:Decrypt'], Resource: '*' },
    ],
  })
  return (await owner.createKey({ Policy })).KeyMetadata
}

/** Each event of a trail but the exports: its name, its error, and the caller's account. */
const names = async (kms: Kms) => (await kms.exportAuditLog()).events.filter((e) => e.eventName !== 'ExportAuditLog').map((e) => `${e.eventName}${e.errorCode ? ` ${e.errorCode}` : ''} by ${(e.userIdentity as { accountId: string }).accountId}`)

describe('accounts kept apart (otherAccounts)', () => {
  it("a user of another account is decided by its own account's identity policies", async () => {
    const { owner, partner, asked } = twoAccounts()
    const key = await sharedKey(owner)
    const bob = owner.as({ principal: BOB })
    // The key policy lets the partner account in; bob's account has given him nothing yet.
    await expectKmsError(bob.encrypt({ KeyId: key.Arn, Plaintext: bytes('x') }), AccessDeniedException)
    await partner.putIdentityPolicy({ Principal: BOB, PolicyName: 'use-partner-keys', PolicyDocument: allow('kms:Encrypt') })
    await bob.encrypt({ KeyId: key.Arn, Plaintext: bytes('x') })
    expect(asked.at(-1)).toEqual([BOB])
    // A policy of the same name in the key owner's store counts for nothing.
    await owner.putIdentityPolicy({ Principal: EVE, PolicyName: 'planted', PolicyDocument: allow('kms:*') }).catch(() => undefined)
    await expectKmsError(owner.as({ principal: EVE }).encrypt({ KeyId: key.Arn, Plaintext: bytes('x') }), AccessDeniedException)
  })

  it('a call refused before it ran is recorded only in the caller\'s trail; one that ran, in both', async () => {
    const { owner, partner } = twoAccounts()
    const key = await sharedKey(owner)
    const other = owner.as({ principal: `arn:aws:iam::${PARTNER}:root` })
    for (let i = 0; i < 3; i++) await expectKmsError(other.describeKey({ KeyId: `arn:aws:kms:us-east-1:${OWNER}:key/00000000-0000-4000-8000-000000000000` }), NotFoundException)
    await expectKmsError(other.describeKey({ KeyId: key.Arn }), AccessDeniedException)
    await other.encrypt({ KeyId: key.Arn, Plaintext: bytes('x') })
    expect(await names(owner)).toEqual([`CreateKey by ${OWNER}`, `Encrypt by ${PARTNER}`])
    const refused = `DescribeKey NotFoundException by ${PARTNER}`
    expect(await names(partner)).toEqual([refused, refused, refused, `DescribeKey AccessDeniedException by ${PARTNER}`, `Encrypt by ${PARTNER}`])
    const [ownerEncrypt] = (await owner.exportAuditLog()).events.filter((e) => e.eventName === 'Encrypt')
    const [partnerEncrypt] = (await partner.exportAuditLog()).events.filter((e) => e.eventName === 'Encrypt')
    expect(ownerEncrypt).toMatchObject({ recipientAccountId: OWNER, userIdentity: { accountId: PARTNER }, resources: [{ ARN: key.Arn }] })
    expect(partnerEncrypt).toMatchObject({ recipientAccountId: PARTNER, eventID: ownerEncrypt!.eventID, requestID: ownerEncrypt!.requestID, resources: [{ ARN: key.Arn }] })
  })

  it("each trail still verifies, and an engine takes only its own account's callers' events", async () => {
    const { owner, partner } = twoAccounts()
    const key = await sharedKey(owner)
    await owner.as({ principal: `arn:aws:iam::${PARTNER}:root` }).encrypt({ KeyId: key.Arn, Plaintext: bytes('x') })
    const { verifyAuditLog } = await import('../src/index.js')
    for (const kms of [owner, partner]) {
      const log = await kms.exportAuditLog()
      const trustedKeys = (await kms.getAuditPublicKeys()).Keys.map((k) => k.Fingerprint)
      expect(await verifyAuditLog(log, { trustedKeys })).toMatchObject({ valid: true, events: log.events.length })
    }
    const ownEvent = (await owner.exportAuditLog()).events[0]!
    await expect(recordOtherAccountEvent(partner, ownEvent)).rejects.toThrow(TypeError)
    await expect(recordOtherAccountEvent({}, ownEvent)).rejects.toThrow(TypeError)
  })

  it("the caller's account out of reach: a refused call is recorded here instead, and a call that ran keeps its outcome", async () => {
    const clock = testClock()
    let reachable = false
    const failing: OtherAccounts = {
      identityPolicies: async () => [],
      record: async () => {
        if (!reachable) throw new Error('that account cannot be reached')
      },
    }
    const owner = createKms({ accountId: OWNER, now: clock.now, keyStore: new MemoryKeyStore(), otherAccounts: failing })
    const key = await sharedKey(owner)
    const other = owner.as({ principal: `arn:aws:iam::${PARTNER}:root` })
    await expectKmsError(other.describeKey({ KeyId: key.Arn }), AccessDeniedException)
    const { CiphertextBlob } = await other.encrypt({ KeyId: key.Arn, Plaintext: bytes('x') })
    expect(CiphertextBlob).toBeInstanceOf(Uint8Array)
    expect(await names(owner)).toEqual([`CreateKey by ${OWNER}`, `DescribeKey AccessDeniedException by ${PARTNER}`, `Encrypt by ${PARTNER}`])
    reachable = true
    await expectKmsError(other.describeKey({ KeyId: key.Arn }), AccessDeniedException)
    expect(await names(owner)).toHaveLength(3)
  })

  it('an access denial inside an operation (a grant passed on with more than it holds) is recorded only in the caller\'s trail', async () => {
    const { owner, partner } = twoAccounts()
    const key = await sharedKey(owner)
    const partnerRoot = `arn:aws:iam::${PARTNER}:root`
    await owner.createGrant({ KeyId: key.KeyId, GranteePrincipal: partnerRoot, Operations: ['Decrypt', 'CreateGrant'] })
    const other = owner.as({ principal: partnerRoot })
    await expectKmsError(other.createGrant({ KeyId: key.Arn, GranteePrincipal: partnerRoot, Operations: ['Decrypt', 'Encrypt'] }), AccessDeniedException)
    expect((await names(owner)).filter((n) => n.startsWith('CreateGrant') && n.endsWith(PARTNER))).toEqual([])
    expect((await names(partner)).filter((n) => n.startsWith('CreateGrant'))).toEqual([`CreateGrant AccessDeniedException by ${PARTNER}`])
  })

  it('createKms refuses an otherAccounts without both functions', () => {
    expect(() => createKms({ otherAccounts: { record: async () => undefined } as unknown as OtherAccounts })).toThrow(TypeError)
  })
})
