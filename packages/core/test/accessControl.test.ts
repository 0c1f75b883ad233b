/** Key policies, identity policies, grants, explain and findings, through the engine's public API. */
import { describe, expect, it } from 'vitest'
import {
  AccessDeniedException,
  createKms,
  defaultKeyPolicy,
  DisabledException,
  InvalidGrantIdException,
  InvalidGrantTokenException,
  LimitExceededException,
  MalformedPolicyDocumentException,
  MAX_GRANTS_PER_KEY,
  MemoryKeyStore,
  NotFoundException,
  ValidationException,
  type Kms,
} from '../src/index.js'
import { bytes, expectKmsError, testClock } from './helpers.js'

const ACCOUNT = '111122223333'
const OTHER = '444455556666'
const ROOT = `arn:aws:iam::${ACCOUNT}:root`
const ALICE = `arn:aws:iam::${ACCOUNT}:user/alice`
const BOB = `arn:aws:iam::${OTHER}:user/bob`
const OTHER_ROOT = `arn:aws:iam::${OTHER}:root`
const CAROL = `arn:aws:iam::${ACCOUNT}:user/carol`

const policy = (...Statement: object[]) => JSON.stringify({ Version: '2012-10-17', Statement })
const rootStatement = { Sid: 'Enable IAM User Permissions', Effect: 'Allow', Principal: { AWS: ROOT }, Action: 'kms:*', Resource: '*' }
const allowAll = { Version: '2012-10-17', Statement: { Effect: 'Allow', Action: 'kms:*', Resource: '*' } }

function engine(identityPolicies: Record<string, Record<string, object>> = {}) {
  const clock = testClock()
  const store = new MemoryKeyStore()
  const kms = createKms({ now: clock.now, keyStore: store, identityPolicies })
  return { kms, clock, store }
}

async function newKey(kms: Kms, Policy?: string) {
  return (await kms.createKey(Policy === undefined ? {} : { Policy })).KeyMetadata
}

describe('key policies', () => {
  it('a new key gets the default key policy: the account root may do everything, users need identity policies', async () => {
    const { kms } = engine()
    const { KeyId, Arn } = await newKey(kms)
    const got = await kms.getKeyPolicy({ KeyId })
    expect(got.PolicyName).toBe('default')
    expect(JSON.parse(got.Policy)).toEqual(JSON.parse(defaultKeyPolicy('aws', ACCOUNT)))
    expect(JSON.parse(got.Policy).Statement[0]).toMatchObject({ Sid: 'Enable IAM User Permissions', Principal: { AWS: ROOT }, Action: 'kms:*' })
    expect(await kms.listKeyPolicies({ KeyId })).toEqual({ PolicyNames: ['default'], Truncated: false })
    const alice = kms.as({ principal: ALICE })
    const denied = await expectKmsError(alice.encrypt({ KeyId, Plaintext: bytes('x') }), AccessDeniedException)
    // The key policy lets IAM decide and alice has no identity policy: AWS says identity-based.
    expect(denied.message).toBe(`User: ${ALICE} is not authorized to perform: kms:Encrypt on resource: ${Arn} because no identity-based policy allows the kms:Encrypt action`)
    // A key policy that does not delegate (or name alice) is the resource-based policy missing.
    const { KeyMetadata: own } = await kms.createKey({
      Policy: JSON.stringify({ Version: '2012-10-17', Statement: [{ Sid: 'OnlyBob', Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::111122223333:user/bob' }, Action: 'kms:*', Resource: '*' }] }),
      BypassPolicyLockoutSafetyCheck: true,
    })
    await kms.putIdentityPolicy({ Principal: ALICE, PolicyName: 'encrypt', PolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: { Effect: 'Allow', Action: 'kms:Encrypt', Resource: '*' } }) })
    const refused = await expectKmsError(alice.encrypt({ KeyId: own.KeyId, Plaintext: bytes('x') }), AccessDeniedException)
    expect(refused.message).toMatch(/because no resource-based policy allows the kms:Encrypt action$/)
    await expectKmsError(alice.createKey(), AccessDeniedException, /identity-based policy/)
    await expectKmsError(alice.listKeys(), AccessDeniedException)
    await expectKmsError(alice.generateRandom({ NumberOfBytes: 8 }), AccessDeniedException)
  })

  it('an identity policy allows only what it names, on the resources it names', async () => {
    const { kms } = engine()
    const { KeyId, Arn } = await newKey(kms)
    const other = await newKey(kms)
    await kms.putIdentityPolicy({ Principal: ALICE, PolicyName: 'encrypt-one-key', PolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: { Effect: 'Allow', Action: ['kms:Encrypt', 'kms:Describe*'], Resource: Arn } }) })
    const alice = kms.as({ principal: ALICE })
    await alice.encrypt({ KeyId, Plaintext: bytes('x') })
    await alice.describeKey({ KeyId })
    await expectKmsError(alice.decrypt({ CiphertextBlob: (await kms.encrypt({ KeyId, Plaintext: bytes('x') })).CiphertextBlob }), AccessDeniedException)
    await expectKmsError(alice.encrypt({ KeyId: other.KeyId, Plaintext: bytes('x') }), AccessDeniedException)
    expect(await kms.getIdentityPolicies({ Principal: ALICE })).toEqual({ Policies: { 'encrypt-one-key': expect.any(String) } })
    await kms.deleteIdentityPolicy({ Principal: ALICE, PolicyName: 'encrypt-one-key' })
    await expectKmsError(alice.encrypt({ KeyId, Plaintext: bytes('x') }), AccessDeniedException)
  })

  it("createKms's identityPolicies: a bad shape is a TypeError at once; a policy that is not one fails every call and stores nothing", async () => {
    expect(() => createKms({ identityPolicies: { [ROOT]: { all: allowAll } } })).toThrow(TypeError)
    expect(() => createKms({ identityPolicies: { [ALICE]: { 'no spaces': allowAll } } })).toThrow(TypeError)
    expect(() => createKms({ identityPolicies: { [ALICE]: { long: 'x'.repeat(6145) } } })).toThrow(TypeError)

    const store = new MemoryKeyStore()
    const bad = createKms({ keyStore: store, identityPolicies: { [ALICE]: { all: allowAll, broken: { Version: '2012-10-17', Statement: { Effect: 'Maybe', Action: 'kms:*', Resource: '*' } } } } })
    for (const call of [bad.createKey(), bad.listKeys(), bad.getIdentityPolicies({ Principal: ALICE })]) {
      const error = await expectKmsError(call, MalformedPolicyDocumentException, /identityPolicies.*policy broken of arn:aws:iam::111122223333:user\/alice: Statement\[0\]\.Effect/)
      expect(error.code).toBe('ERR_KMS_MALFORMED_POLICY_DOCUMENT')
    }
    const same = createKms({ keyStore: store })
    expect(await same.getIdentityPolicies({ Principal: ALICE })).toEqual({ Policies: {} })
    expect((await same.listKeys()).Keys).toEqual([])

    const good = createKms({ keyStore: store, identityPolicies: { [ALICE]: { all: allowAll } } })
    const { KeyId } = await newKey(good)
    await good.as({ principal: ALICE }).encrypt({ KeyId, Plaintext: bytes('x') })
  })

  it('a key policy naming a user allows it without any identity policy', async () => {
    const { kms } = engine()
    const { KeyId } = await newKey(kms, policy(rootStatement, { Sid: 'alice-uses', Effect: 'Allow', Principal: { AWS: ALICE }, Action: ['kms:Encrypt', 'kms:Decrypt'], Resource: '*' }))
    const alice = kms.as({ principal: ALICE })
    const { CiphertextBlob } = await alice.encrypt({ KeyId, Plaintext: bytes('hello') })
    expect(new TextDecoder().decode((await alice.decrypt({ CiphertextBlob })).Plaintext)).toBe('hello')
    await expectKmsError(alice.disableKey({ KeyId }), AccessDeniedException)
  })

  it('an explicit deny wins over every allow: in the key policy, and in an identity policy', async () => {
    const { kms } = engine({ [ALICE]: { all: allowAll } })
    const { KeyId } = await newKey(kms, policy(rootStatement, { Sid: 'no-disabling', Effect: 'Deny', Principal: { AWS: '*' }, Action: 'kms:DisableKey', Resource: '*' }))
    const alice = kms.as({ principal: ALICE })
    await expectKmsError(alice.disableKey({ KeyId }), AccessDeniedException, /explicit deny in a resource-based policy/)
    await expectKmsError(kms.disableKey({ KeyId }), AccessDeniedException) // the root too
    await alice.encrypt({ KeyId, Plaintext: bytes('x') })
    await kms.putIdentityPolicy({ Principal: ALICE, PolicyName: 'no-encrypt', PolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: { Effect: 'Deny', Action: 'kms:Encrypt', Resource: '*' } }) })
    await expectKmsError(alice.encrypt({ KeyId, Plaintext: bytes('x') }), AccessDeniedException, /explicit deny in an identity-based policy/)
  })

  it('PutKeyPolicy validates, keeps the caller from locking itself out, and changes nothing when refused', async () => {
    const { kms } = engine()
    const { KeyId } = await newKey(kms)
    const before = (await kms.getKeyPolicy({ KeyId })).Policy
    await expectKmsError(kms.putKeyPolicy({ KeyId, Policy: '{not json' }), MalformedPolicyDocumentException, /not valid JSON/)
    await expectKmsError(kms.putKeyPolicy({ KeyId, Policy: policy({ Effect: 'Allow', Action: 'kms:*', Resource: '*' }) }), MalformedPolicyDocumentException, /has no Principal/)
    await expectKmsError(kms.putKeyPolicy({ KeyId, Policy: policy({ Effect: 'Allow', Principal: { AWS: ROOT }, Action: 'kms:*', Resource: '*', Condition: { StringEqualz: { 'kms:CallerAccount': ACCOUNT } } }) }), MalformedPolicyDocumentException, /unknown condition operator "StringEqualz"/)
    await expectKmsError(kms.putKeyPolicy({ KeyId, Policy: 'x'.repeat(32769) }), ValidationException)
    await expectKmsError(kms.putKeyPolicy({ KeyId, PolicyName: 'other', Policy: policy(rootStatement) }), ValidationException, /default/)
    const aliceOnly = policy({ Effect: 'Allow', Principal: { AWS: ALICE }, Action: 'kms:*', Resource: '*' })
    await expectKmsError(kms.putKeyPolicy({ KeyId, Policy: aliceOnly }), MalformedPolicyDocumentException, /will not allow you to update the key policy in the future/)
    expect((await kms.getKeyPolicy({ KeyId })).Policy).toBe(before)
    // With the bypass the caller may lock itself out; then even the root is refused.
    await kms.putKeyPolicy({ KeyId, Policy: aliceOnly, BypassPolicyLockoutSafetyCheck: true })
    expect((await kms.getKeyPolicy({ KeyId: KeyId }).catch((e: Error) => e.name))).toBe('AccessDeniedException')
    const alice = kms.as({ principal: ALICE })
    expect((await alice.getKeyPolicy({ KeyId })).Policy).toBe(aliceOnly)
    // Alice would lock herself out with the root statement alone (she has no identity policy).
    await expectKmsError(alice.putKeyPolicy({ KeyId, Policy: policy(rootStatement) }), MalformedPolicyDocumentException, /in the future/)
    await alice.putKeyPolicy({ KeyId, Policy: policy(rootStatement, { Effect: 'Allow', Principal: { AWS: ALICE }, Action: 'kms:PutKeyPolicy', Resource: '*' }) })
    await kms.describeKey({ KeyId })
  })

  it('CreateKey takes a Policy, with the same checks; a refused one leaves no key behind', async () => {
    const { kms } = engine()
    await expectKmsError(kms.createKey({ Policy: policy({ Effect: 'Allow', Principal: { AWS: ALICE }, Action: 'kms:*', Resource: '*' }) }), MalformedPolicyDocumentException, /in the future/)
    await expectKmsError(kms.createKey({ Policy: '{"Version":"2012-10-17"}' }), MalformedPolicyDocumentException, /Statement/)
    expect((await kms.listKeys()).Keys).toHaveLength(0)
    const { KeyId } = await newKey(kms, policy(rootStatement))
    expect(JSON.parse((await kms.getKeyPolicy({ KeyId })).Policy).Statement).toHaveLength(1)
  })

  it('conditions see the encryption context, source IP, MFA, time, request alias, caller account and service', async () => {
    const { kms, clock } = engine()
    const statement = (Sid: string, Action: string, Condition: object) => ({ Sid, Effect: 'Allow', Principal: { AWS: ALICE }, Action, Resource: '*', Condition })
    const { KeyId } = await newKey(
      kms,
      policy(
        rootStatement,
        statement('tenant', 'kms:Encrypt', { StringEquals: { 'kms:EncryptionContext:tenant': 't1' }, IpAddress: { 'aws:SourceIp': ['192.0.2.0/24', '2001:db8::/32'] } }),
        statement('mfa', 'kms:Decrypt', { Bool: { 'aws:MultiFactorAuthPresent': 'true' } }),
        statement('until', 'kms:DescribeKey', { DateLessThan: { 'aws:CurrentTime': '2026-01-02T00:00:00Z' } }),
        statement('alias', 'kms:GenerateDataKey', { StringEquals: { 'kms:RequestAlias': 'alias/app' }, StringLike: { 'kms:ViaService': 'ec2.*.amazonaws.com' }, StringEqualsIfExists: { 'kms:CallerAccount': ACCOUNT } }),
      ),
    )
    await kms.createAlias({ AliasName: 'alias/app', TargetKeyId: KeyId })
    const from = (sourceIp: string, mfa?: boolean, viaService?: string) => kms.as({ principal: ALICE, sourceIp, ...(mfa === undefined ? {} : { mfa }), ...(viaService ? { viaService } : {}) })
    const ctx = { tenant: 't1' }
    const { CiphertextBlob } = await from('192.0.2.7').encrypt({ KeyId, Plaintext: bytes('x'), EncryptionContext: ctx })
    await from('2001:db8::1').encrypt({ KeyId, Plaintext: bytes('x'), EncryptionContext: ctx })
    await expectKmsError(from('198.51.100.1').encrypt({ KeyId, Plaintext: bytes('x'), EncryptionContext: ctx }), AccessDeniedException)
    await expectKmsError(from('192.0.2.7').encrypt({ KeyId, Plaintext: bytes('x'), EncryptionContext: { tenant: 't2' } }), AccessDeniedException)
    await expectKmsError(from('192.0.2.7').encrypt({ KeyId, Plaintext: bytes('x') }), AccessDeniedException)
    await from('192.0.2.7', true).decrypt({ CiphertextBlob, EncryptionContext: ctx })
    await expectKmsError(from('192.0.2.7', false).decrypt({ CiphertextBlob, EncryptionContext: ctx }), AccessDeniedException)
    await expectKmsError(from('192.0.2.7').decrypt({ CiphertextBlob, EncryptionContext: ctx }), AccessDeniedException)
    await from('192.0.2.7').describeKey({ KeyId })
    clock.advanceDays(2)
    await expectKmsError(from('192.0.2.7').describeKey({ KeyId }), AccessDeniedException)
    await from('192.0.2.7', undefined, 'ec2.us-east-1.amazonaws.com').generateDataKey({ KeyId: 'alias/app', KeySpec: 'AES_256' })
    await expectKmsError(from('192.0.2.7', undefined, 'ec2.us-east-1.amazonaws.com').generateDataKey({ KeyId, KeySpec: 'AES_256' }), AccessDeniedException)
    await expectKmsError(from('192.0.2.7').generateDataKey({ KeyId: 'alias/app', KeySpec: 'AES_256' }), AccessDeniedException)
  })

  it('CreateGrant conditions see the grant operations and grantee; aws:PrincipalArn and kms:EncryptionAlgorithm are set', async () => {
    const { kms } = engine()
    const { KeyId } = await newKey(
      kms,
      policy(
        rootStatement,
        {
          Sid: 'delegate-decrypt-to-app-roles',
          Effect: 'Allow',
          Principal: { AWS: ALICE },
          Action: 'kms:CreateGrant',
          Resource: '*',
          Condition: { 'ForAllValues:StringEquals': { 'kms:GrantOperations': ['Decrypt', 'DescribeKey'] }, ArnLike: { 'kms:GranteePrincipal': `arn:aws:iam::${ACCOUNT}:role/app-*` } },
        },
        { Sid: 'alice-encrypts', Effect: 'Allow', Principal: '*', Action: 'kms:Encrypt', Resource: '*', Condition: { ArnEquals: { 'aws:PrincipalArn': ALICE }, StringEquals: { 'kms:EncryptionAlgorithm': 'SYMMETRIC_DEFAULT' } } },
      ),
    )
    const alice = kms.as({ principal: ALICE })
    await alice.createGrant({ KeyId, GranteePrincipal: `arn:aws:iam::${ACCOUNT}:role/app-reader`, Operations: ['Decrypt'] })
    await expectKmsError(alice.createGrant({ KeyId, GranteePrincipal: `arn:aws:iam::${ACCOUNT}:role/app-reader`, Operations: ['Decrypt', 'Encrypt'] }), AccessDeniedException)
    await expectKmsError(alice.createGrant({ KeyId, GranteePrincipal: `arn:aws:iam::${ACCOUNT}:role/admin`, Operations: ['Decrypt'] }), AccessDeniedException)
    await alice.encrypt({ KeyId, Plaintext: bytes('x') })
    await expectKmsError(kms.as({ principal: CAROL }).encrypt({ KeyId, Plaintext: bytes('x') }), AccessDeniedException)
  })

  it("kms:GrantIsForAWSResource is set on CreateGrant, ListGrants and RevokeGrant: the console's persistent-resources statement covers all three", async () => {
    const { kms } = engine()
    const { KeyId } = await newKey(
      kms,
      policy(rootStatement, {
        Sid: 'Allow attachment of persistent resources',
        Effect: 'Allow',
        Principal: { AWS: ALICE },
        Action: ['kms:CreateGrant', 'kms:ListGrants', 'kms:RevokeGrant'],
        Resource: '*',
        Condition: { Bool: { 'kms:GrantIsForAWSResource': 'true' } },
      }),
    )
    const viaService = kms.as({ principal: ALICE, viaService: 'ec2.us-east-1.amazonaws.com' })
    const direct = kms.as({ principal: ALICE })
    const grantee = `arn:aws:iam::${ACCOUNT}:role/app-reader`
    const { GrantId } = await viaService.createGrant({ KeyId, GranteePrincipal: grantee, Operations: ['Decrypt'] })
    expect((await viaService.listGrants({ KeyId })).Grants.map((g) => g.GrantId)).toEqual([GrantId])
    await expectKmsError(direct.createGrant({ KeyId, GranteePrincipal: grantee, Operations: ['Decrypt'] }), AccessDeniedException)
    await expectKmsError(direct.listGrants({ KeyId }), AccessDeniedException)
    await expectKmsError(direct.revokeGrant({ KeyId, GrantId }), AccessDeniedException)
    await viaService.revokeGrant({ KeyId, GrantId })
    expect((await kms.listGrants({ KeyId })).Grants).toEqual([])
  })

  it('another account gets in only where the key policy names it, and its users also need their own identity policy', async () => {
    const { kms } = engine({ [BOB]: { all: allowAll } })
    const closed = await newKey(kms)
    const bob = kms.as({ principal: BOB })
    await expectKmsError(bob.encrypt({ KeyId: closed.Arn, Plaintext: bytes('x') }), AccessDeniedException)
    const shared = await newKey(kms, policy(rootStatement, { Sid: 'partner', Effect: 'Allow', Principal: { AWS: OTHER }, Action: ['kms:Encrypt', 'kms:DescribeKey'], Resource: '*' }))
    await bob.encrypt({ KeyId: shared.Arn, Plaintext: bytes('x') })
    await kms.as({ principal: OTHER_ROOT }).encrypt({ KeyId: shared.Arn, Plaintext: bytes('x') })
    await expectKmsError(kms.as({ principal: `arn:aws:iam::${OTHER}:user/eve` }).encrypt({ KeyId: shared.Arn, Plaintext: bytes('x') }), AccessDeniedException)
    await expectKmsError(bob.decrypt({ CiphertextBlob: (await kms.encrypt({ KeyId: shared.KeyId, Plaintext: bytes('x') })).CiphertextBlob }), AccessDeniedException)
    // Identity policies of another account do not open operations on no key here.
    await expectKmsError(bob.createKey(), AccessDeniedException)
  })

  it('CreateKey conditions see the key it makes, defaults included: kms:KeySpec, kms:KeyUsage, kms:KeyOrigin, kms:MultiRegion', async () => {
    const onlySymmetric = {
      Version: '2012-10-17',
      Statement: [
        { Effect: 'Allow', Action: 'kms:CreateKey', Resource: '*' },
        // One Deny per key: the keys of one condition block must all hold.
        ...Object.entries({ 'kms:KeySpec': 'SYMMETRIC_DEFAULT', 'kms:KeyUsage': 'ENCRYPT_DECRYPT', 'kms:KeyOrigin': 'AWS_KMS', 'kms:MultiRegion': 'false' }).map(([key, value]) => ({
          Effect: 'Deny',
          Action: 'kms:CreateKey',
          Resource: '*',
          Condition: { StringNotEquals: { [key]: value } },
        })),
      ],
    }
    const { kms } = engine({ [ALICE]: { symmetric: onlySymmetric } })
    const alice = kms.as({ principal: ALICE })
    expect((await alice.createKey({})).KeyMetadata.KeySpec).toBe('SYMMETRIC_DEFAULT')
    expect((await alice.createKey({ KeySpec: 'SYMMETRIC_DEFAULT', KeyUsage: 'ENCRYPT_DECRYPT', Origin: 'AWS_KMS' })).KeyMetadata.KeyUsage).toBe('ENCRYPT_DECRYPT')
    await expectKmsError(alice.createKey({ KeySpec: 'HMAC_256', KeyUsage: 'GENERATE_VERIFY_MAC' }), AccessDeniedException)
    await expectKmsError(alice.createKey({ Origin: 'EXTERNAL' }), AccessDeniedException)
  })

  it("a Deny on a condition key no request carries is refused at CreateKey and PutKeyPolicy, not stored to never apply", async () => {
    const { kms } = engine()
    const deny = { Effect: 'Deny', Principal: { AWS: ALICE }, Action: 'kms:ScheduleKeyDeletion', Resource: '*', Condition: { NumericLessThan: { 'kms:ScheduleKeyDeletionPendingWindowInDays': '30' } } }
    await expectKmsError(kms.createKey({ Policy: policy(rootStatement, deny) }), MalformedPolicyDocumentException, /kms:ScheduleKeyDeletionPendingWindowInDays" is not supported/)
    const { KeyId } = await newKey(kms)
    await expectKmsError(kms.putKeyPolicy({ KeyId, PolicyName: 'default', Policy: policy(rootStatement, deny) }), MalformedPolicyDocumentException)
    expect((await kms.listKeys()).Keys).toHaveLength(1)
  })

  it('a key policy that gives another account kms:* opens only the operations AWS allows across accounts', async () => {
    const { kms } = engine()
    const shared = await newKey(kms, policy(rootStatement, { Sid: 'partner', Effect: 'Allow', Principal: { AWS: OTHER_ROOT }, Action: 'kms:*', Resource: '*' }))
    const partner = kms.as({ principal: OTHER_ROOT })
    const KeyId = shared.Arn
    // Cross-account use: Yes.
    const { CiphertextBlob } = await partner.encrypt({ KeyId, Plaintext: bytes('x') })
    await partner.decrypt({ CiphertextBlob: CiphertextBlob!, KeyId })
    await partner.generateDataKey({ KeyId, KeySpec: 'AES_256' })
    await partner.describeKey({ KeyId })
    await partner.getKeyRotationStatus({ KeyId })
    const { GrantId } = await partner.createGrant({ KeyId, GranteePrincipal: OTHER_ROOT, Operations: ['Decrypt'] })
    expect((await partner.listGrants({ KeyId })).Grants!.map((g) => g.GrantId)).toContain(GrantId)
    await partner.revokeGrant({ KeyId, GrantId: GrantId! })
    // Cross-account use: No. Each is refused and changes nothing.
    const refused: [string, () => Promise<unknown>][] = [
      ['ScheduleKeyDeletion', () => partner.scheduleKeyDeletion({ KeyId, PendingWindowInDays: 7 })],
      ['DisableKey', () => partner.disableKey({ KeyId })],
      ['PutKeyPolicy', () => partner.putKeyPolicy({ KeyId, PolicyName: 'default', Policy: policy({ Effect: 'Allow', Principal: { AWS: OTHER_ROOT }, Action: 'kms:*', Resource: '*' }) })],
      ['GetKeyPolicy', () => partner.getKeyPolicy({ KeyId, PolicyName: 'default' })],
      ['TagResource', () => partner.tagResource({ KeyId, Tags: [{ TagKey: 'owner', TagValue: 'partner' }] })],
      ['EnableKeyRotation', () => partner.enableKeyRotation({ KeyId })],
      ['UpdateKeyDescription', () => partner.updateKeyDescription({ KeyId, Description: 'mine now' })],
    ]
    for (const [name, call] of refused) await expectKmsError(call(), AccessDeniedException, new RegExp(`not authorized to perform: kms:${name} on resource: ${KeyId}`))
    const after = (await kms.describeKey({ KeyId: shared.KeyId })).KeyMetadata
    expect(after).toMatchObject({ KeyState: 'Enabled', Description: '' })
    expect((await kms.listResourceTags({ KeyId: shared.KeyId })).Tags).toEqual([])
    expect((await kms.getKeyRotationStatus({ KeyId: shared.KeyId })).KeyRotationEnabled).toBe(false)
  })

  it('assumed-role sessions get what their role gets', async () => {
    const role = `arn:aws:iam::${ACCOUNT}:role/App`
    const { kms } = engine({ [role]: { all: allowAll } })
    const { KeyId } = await newKey(kms)
    const session = kms.as({ principal: `arn:aws:sts::${ACCOUNT}:assumed-role/App/session-1` })
    await session.encrypt({ KeyId, Plaintext: bytes('x') })
    await expectKmsError(kms.as({ principal: `arn:aws:sts::${ACCOUNT}:assumed-role/Other/s` }).encrypt({ KeyId, Plaintext: bytes('x') }), AccessDeniedException)
  })

  it('a session of a role with a path is that role when the caller says so (roleArn): its policies, Deny included, and aws:PrincipalArn', async () => {
    const role = `arn:aws:iam::${ACCOUNT}:role/teams/app`
    const sessionArn = `arn:aws:sts::${ACCOUNT}:assumed-role/app/s1`
    const accountCallers = { Sid: 'account callers', Effect: 'Allow', Principal: '*', Action: ['kms:Encrypt', 'kms:Decrypt'], Resource: '*', Condition: { StringEquals: { 'kms:CallerAccount': ACCOUNT } } }
    // The role's identity policy denies everything.
    const denied = engine({ [role]: { deny: { Version: '2012-10-17', Statement: { Effect: 'Deny', Action: 'kms:*', Resource: '*' } } } }).kms
    const key = (await newKey(denied, policy(rootStatement, accountCallers))).KeyId
    // Without roleArn the session is taken to be of role/app (a session's ARN has no path): the pathed role's Deny does not reach it.
    await denied.as({ principal: sessionArn }).encrypt({ KeyId: key, Plaintext: bytes('x') })
    const refused = await denied.as({ principal: sessionArn, roleArn: role }).encrypt({ KeyId: key, Plaintext: bytes('x') }).catch((e: Error) => e)
    expect(refused).toBeInstanceOf(AccessDeniedException)
    expect((refused as Error).message).toMatch(/explicit deny in an identity-based policy/)
    // aws:PrincipalArn is the role's pathed ARN.
    const { kms } = engine()
    const noTeams = { Sid: 'no team roles', Effect: 'Deny', Principal: '*', Action: 'kms:Decrypt', Resource: '*', Condition: { ArnLike: { 'aws:PrincipalArn': `arn:aws:iam::${ACCOUNT}:role/teams/*` } } }
    const { KeyId } = await newKey(kms, policy(rootStatement, accountCallers, noTeams))
    const { CiphertextBlob } = await kms.encrypt({ KeyId, Plaintext: bytes('x') })
    await kms.as({ principal: sessionArn }).decrypt({ CiphertextBlob })
    await expectKmsError(kms.as({ principal: sessionArn, roleArn: role }).decrypt({ CiphertextBlob }), AccessDeniedException)
    expect((await kms.explain({ caller: { principal: sessionArn, roleArn: role }, operation: 'Decrypt', keyId: KeyId })).decision).toBe('ExplicitDeny')
    // Only the session's own role: the same partition, account and name.
    for (const roleArn of [`arn:aws:iam::${ACCOUNT}:role/teams/other`, `arn:aws:iam::${OTHER}:role/teams/app`, `arn:aws-cn:iam::${ACCOUNT}:role/app`, 'role/app']) {
      expect(() => kms.as({ principal: sessionArn, roleArn })).toThrow(TypeError)
    }
    expect(() => kms.as({ principal: ALICE, roleArn: role })).toThrow(/for an assumed-role principal/)
  })

  it('alias operations need permission on the alias (identity policies) and on the key', async () => {
    const { kms } = engine()
    const { KeyId, Arn } = await newKey(kms)
    await kms.putIdentityPolicy({ Principal: ALICE, PolicyName: 'key-only', PolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: { Effect: 'Allow', Action: 'kms:CreateAlias', Resource: Arn } }) })
    const alice = kms.as({ principal: ALICE })
    await expectKmsError(alice.createAlias({ AliasName: 'alias/a', TargetKeyId: KeyId }), AccessDeniedException, /alias\/a/)
    await kms.putIdentityPolicy({ Principal: ALICE, PolicyName: 'alias', PolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: { Effect: 'Allow', Action: 'kms:CreateAlias', Resource: `arn:aws:kms:us-east-1:${ACCOUNT}:alias/a*` } }) })
    await alice.createAlias({ AliasName: 'alias/a', TargetKeyId: KeyId })
    expect((await kms.listAliases()).Aliases.map((a) => a.AliasName)).toEqual(['alias/a'])
  })

  it('only the root of the principal account changes identity policies; changes are audited as IAM events', async () => {
    const { kms } = engine()
    const alice = kms.as({ principal: ALICE })
    await expectKmsError(alice.putIdentityPolicy({ Principal: ALICE, PolicyName: 'self', PolicyDocument: JSON.stringify(allowAll) }), AccessDeniedException)
    await expectKmsError(kms.putIdentityPolicy({ Principal: BOB, PolicyName: 'x', PolicyDocument: JSON.stringify(allowAll) }), AccessDeniedException)
    await expectKmsError(kms.putIdentityPolicy({ Principal: ALICE, PolicyName: 'bad', PolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: { Effect: 'Allow', Principal: '*', Action: 'kms:*', Resource: '*' } }) }), MalformedPolicyDocumentException, /identity policy cannot have Principal/)
    await expectKmsError(kms.deleteIdentityPolicy({ Principal: ALICE, PolicyName: 'missing' }), NotFoundException)
    await kms.putIdentityPolicy({ Principal: ALICE, PolicyName: 'ok', PolicyDocument: JSON.stringify(allowAll) })
    const { events } = await kms.exportAuditLog()
    const put = events.filter((e) => e.eventName === 'PutIdentityPolicy')
    expect(put.map((e) => [e.eventSource, e.errorCode])).toEqual([
      ['iam.amazonaws.com', 'AccessDeniedException'],
      ['iam.amazonaws.com', 'AccessDeniedException'],
      ['iam.amazonaws.com', 'MalformedPolicyDocumentException'],
      ['iam.amazonaws.com', undefined],
    ])
  })
})

describe('grants', () => {
  async function withGrant(extra: Record<string, unknown> = {}) {
    const { kms, store, clock } = engine()
    const key = await newKey(kms)
    const grant = await kms.createGrant({ KeyId: key.KeyId, GranteePrincipal: CAROL, RetiringPrincipal: ALICE, Operations: ['Encrypt', 'Decrypt', 'DescribeKey'], ...extra })
    return { kms, store, clock, key, grant, carol: kms.as({ principal: CAROL }) }
  }

  it('a grant lets its grantee call the listed operations, and nothing else', async () => {
    const { key, grant, carol, kms } = await withGrant()
    expect(grant.GrantId).toMatch(/^[0-9a-f]{64}$/)
    const { CiphertextBlob } = await carol.encrypt({ KeyId: key.KeyId, Plaintext: bytes('x') })
    await carol.decrypt({ CiphertextBlob })
    await carol.describeKey({ KeyId: key.Arn })
    await expectKmsError(carol.generateDataKey({ KeyId: key.KeyId, KeySpec: 'AES_256' }), AccessDeniedException)
    await expectKmsError(carol.disableKey({ KeyId: key.KeyId }), AccessDeniedException)
    await expectKmsError(kms.as({ principal: ALICE }).encrypt({ KeyId: key.KeyId, Plaintext: bytes('x') }), AccessDeniedException)
    const explained = await kms.explain({ operation: 'Encrypt', keyId: key.KeyId, caller: { principal: CAROL } })
    expect(explained).toMatchObject({ decision: 'Allow', decidedBy: { source: 'grant', grantId: grant.GrantId } })
  })

  it('constraints are enforced: EncryptionContextSubset and EncryptionContextEquals', async () => {
    const subset = await withGrant({ Constraints: { EncryptionContextSubset: { tenant: 't1' } } })
    await subset.carol.encrypt({ KeyId: subset.key.KeyId, Plaintext: bytes('x'), EncryptionContext: { tenant: 't1', extra: 'ok' } })
    await expectKmsError(subset.carol.encrypt({ KeyId: subset.key.KeyId, Plaintext: bytes('x'), EncryptionContext: { tenant: 't2' } }), AccessDeniedException)
    await expectKmsError(subset.carol.encrypt({ KeyId: subset.key.KeyId, Plaintext: bytes('x') }), AccessDeniedException)
    const equals = await withGrant({ Constraints: { EncryptionContextEquals: { tenant: 't1' } } })
    await equals.carol.encrypt({ KeyId: equals.key.KeyId, Plaintext: bytes('x'), EncryptionContext: { tenant: 't1' } })
    await expectKmsError(equals.carol.encrypt({ KeyId: equals.key.KeyId, Plaintext: bytes('x'), EncryptionContext: { tenant: 't1', extra: 'no' } }), AccessDeniedException)
    expect((await equals.kms.listGrants({ KeyId: equals.key.KeyId })).Grants[0]!.Constraints).toEqual({ EncryptionContextEquals: { tenant: 't1' } })
  })

  it('an explicit deny in the key policy wins over a grant', async () => {
    const { kms, key, carol } = await withGrant()
    await kms.putKeyPolicy({ KeyId: key.KeyId, Policy: policy(rootStatement, { Effect: 'Deny', Principal: { AWS: CAROL }, Action: 'kms:Encrypt', Resource: '*' }) })
    await expectKmsError(carol.encrypt({ KeyId: key.KeyId, Plaintext: bytes('x') }), AccessDeniedException, /explicit deny/)
  })

  it('ListGrants, ListRetirableGrants, Name idempotency, RetireGrant and RevokeGrant', async () => {
    const { kms, key, grant } = await withGrant()
    const list = await kms.listGrants({ KeyId: key.KeyId })
    expect(list).toMatchObject({ Truncated: false, Grants: [{ KeyId: key.Arn, GrantId: grant.GrantId, GranteePrincipal: CAROL, RetiringPrincipal: ALICE, IssuingAccount: ROOT, Operations: ['Encrypt', 'Decrypt', 'DescribeKey'] }] })
    const named = { KeyId: key.KeyId, GranteePrincipal: BOB, Operations: ['Decrypt' as const], Name: 'nightly-job' }
    const first = await kms.createGrant(named)
    const retry = await kms.createGrant(named)
    expect(retry.GrantId).toBe(first.GrantId)
    expect(retry.GrantToken).not.toBe(first.GrantToken)
    const changed = await kms.createGrant({ ...named, Operations: ['Encrypt'] })
    expect(changed.GrantId).not.toBe(first.GrantId)
    expect((await kms.listGrants({ KeyId: key.KeyId, GranteePrincipal: BOB })).Grants).toHaveLength(2)
    expect((await kms.listGrants({ KeyId: key.KeyId, Limit: 1 })).Truncated).toBe(true)

    const alice = kms.as({ principal: ALICE })
    expect((await alice.listRetirableGrants({ RetiringPrincipal: ALICE }).catch((e: Error) => e.name))).toBe('AccessDeniedException')
    expect((await kms.listRetirableGrants({ RetiringPrincipal: ALICE })).Grants.map((g) => g.GrantId)).toEqual([grant.GrantId])
    await expectKmsError(kms.as({ principal: BOB }).retireGrant({ GrantToken: grant.GrantToken }), AccessDeniedException, /retiring principal/)
    await alice.retireGrant({ GrantToken: grant.GrantToken })
    await expectKmsError(alice.retireGrant({ GrantToken: grant.GrantToken }), InvalidGrantTokenException)
    await expectKmsError(kms.retireGrant({ GrantToken: 'bm90IGEgdG9rZW4=' }), InvalidGrantTokenException)
    await expectKmsError(kms.retireGrant({}), ValidationException, /Grant token OR/)
    await kms.retireGrant({ KeyId: key.Arn, GrantId: changed.GrantId }) // the issuing account may retire any grant
    await expectKmsError(kms.as({ principal: ALICE }).revokeGrant({ KeyId: key.KeyId, GrantId: first.GrantId }), AccessDeniedException)
    await kms.revokeGrant({ KeyId: key.KeyId, GrantId: first.GrantId })
    await expectKmsError(kms.revokeGrant({ KeyId: key.KeyId, GrantId: first.GrantId }), NotFoundException)
    await expectKmsError(kms.revokeGrant({ KeyId: key.KeyId, GrantId: 'nope' }), InvalidGrantIdException)
    expect((await kms.listGrants({ KeyId: key.KeyId })).Grants).toEqual([])
  })

  it('CreateGrant validates its input and the key state, and refuses malformed grant tokens', async () => {
    const { kms } = engine()
    const { KeyId } = await newKey(kms)
    const base = { KeyId, GranteePrincipal: CAROL, Operations: ['Encrypt' as const] }
    await expectKmsError(kms.createGrant({ ...base, Operations: ['CreateGrant'] }), ValidationException, /only the CreateGrant/)
    await expectKmsError(kms.createGrant({ ...base, Operations: ['Sign'] }), ValidationException, /not valid for a SYMMETRIC_DEFAULT KMS key/)
    await expectKmsError(kms.createGrant({ ...base, Operations: ['Fly' as never] }), ValidationException, /enum value set/)
    await expectKmsError(kms.createGrant({ ...base, Operations: [] }), ValidationException)
    await expectKmsError(kms.createGrant({ ...base, GranteePrincipal: 'carol' }), ValidationException, /not a valid principal/)
    await expectKmsError(kms.createGrant({ ...base, Constraints: { EncryptionContextEquals: { a: '1' }, EncryptionContextSubset: { a: '1' } } }), ValidationException, /More than one constraint/)
    await expectKmsError(kms.createGrant({ ...base, Name: 'bad name!' }), ValidationException)
    await expectKmsError(kms.createGrant({ ...base, GrantTokens: ['garbage'] }), InvalidGrantTokenException)
    await expectKmsError(kms.encrypt({ KeyId, Plaintext: bytes('x'), GrantTokens: ['garbage'] }), InvalidGrantTokenException)
    await expectKmsError(kms.createGrant({ ...base, KeyId: 'alias/nope' }), NotFoundException)
    const { GrantToken } = await kms.createGrant(base)
    await kms.encrypt({ KeyId, Plaintext: bytes('x'), GrantTokens: [GrantToken] })
    await kms.disableKey({ KeyId })
    await expectKmsError(kms.createGrant(base), DisabledException)
    expect((await kms.listGrants({ KeyId })).Grants).toHaveLength(1)
  })

  it('a grantee holding CreateGrant may pass on no more than it has', async () => {
    const { kms, key } = await withGrant()
    await kms.createGrant({ KeyId: key.KeyId, GranteePrincipal: BOB, Operations: ['Encrypt', 'CreateGrant'], Constraints: { EncryptionContextSubset: { tenant: 't1' } } })
    const bob = kms.as({ principal: BOB })
    await bob.createGrant({ KeyId: key.Arn, GranteePrincipal: CAROL, Operations: ['Encrypt'], Constraints: { EncryptionContextSubset: { tenant: 't1', team: 'a' } } })
    await expectKmsError(bob.createGrant({ KeyId: key.Arn, GranteePrincipal: CAROL, Operations: ['Decrypt'], Constraints: { EncryptionContextSubset: { tenant: 't1' } } }), AccessDeniedException)
    await expectKmsError(bob.createGrant({ KeyId: key.Arn, GranteePrincipal: CAROL, Operations: ['Encrypt'] }), AccessDeniedException)
  })

  it(`a key holds at most ${MAX_GRANTS_PER_KEY} grants; destroying the key removes them`, async () => {
    const { kms, store, clock } = engine()
    const { KeyId } = await newKey(kms)
    await store.transaction('readwrite', async (tx) => {
      for (let i = 0; i < MAX_GRANTS_PER_KEY; i++) {
        await tx.putGrant({ grantId: i.toString(16).padStart(64, '0'), keyId: KeyId, creationDate: new Date(0), granteePrincipal: CAROL, issuingAccount: ROOT, operations: ['Decrypt'] })
      }
    })
    await expectKmsError(kms.createGrant({ KeyId, GranteePrincipal: CAROL, Operations: ['Encrypt'] }), LimitExceededException)
    await kms.scheduleKeyDeletion({ KeyId, PendingWindowInDays: 7 })
    clock.advanceDays(8)
    await kms.listKeys()
    expect(await store.transaction('readonly', (tx) => tx.listAllGrants())).toEqual([])
  })
})

describe('explain and findings', () => {
  it('explain names the statement that decided, or says nothing allowed it', async () => {
    const { kms } = engine({ [ALICE]: { 'kms-read': { Version: '2012-10-17', Statement: { Sid: 'Describe', Effect: 'Allow', Action: 'kms:DescribeKey', Resource: '*' } } } })
    const { KeyId } = await newKey(kms, policy(rootStatement, { Sid: 'deny-disable', Effect: 'Deny', Principal: '*', Action: 'kms:DisableKey', Resource: '*' }))
    expect(await kms.explain({ operation: 'Encrypt', keyId: KeyId })).toMatchObject({ decision: 'Allow', decidedBy: { source: 'key policy', sid: 'Enable IAM User Permissions', statement: 0 }, principal: ROOT })
    expect(await kms.explain({ operation: 'DescribeKey', keyId: KeyId, caller: { principal: ALICE } })).toMatchObject({
      decision: 'Allow',
      decidedBy: { source: 'identity policy', owner: ALICE, name: 'kms-read', sid: 'Describe', delegatedBy: { sid: 'Enable IAM User Permissions' } },
    })
    expect(await kms.explain({ operation: 'DisableKey', keyId: KeyId })).toMatchObject({ decision: 'ExplicitDeny', decidedBy: { source: 'key policy', sid: 'deny-disable' } })
    const none = await kms.explain({ operation: 'Encrypt', keyId: KeyId, caller: { principal: ALICE } })
    expect(none.decision).toBe('ImplicitDeny')
    expect(none.decidedBy).toBeUndefined()
    expect(none.reason).toMatch(/no identity policy of .*alice allows kms:Encrypt/)
    expect(await kms.explain({ operation: 'CreateKey' })).toMatchObject({ decision: 'Allow', decidedBy: { source: 'account root' } })
    await expectKmsError(kms.explain({ operation: 'Fly' }) as Promise<unknown>, ValidationException)
    // explain changes nothing and is not audited
    expect((await kms.exportAuditLog()).events.map((e) => e.eventName)).toEqual(['CreateKey'])
  })

  it('explain sees the condition keys a real call carries: kms:GrantIsForAWSResource, a grant constraint as context, signing and MAC algorithms', async () => {
    const { kms } = engine()
    const deny = (Action: string, Condition: object) => ({ Effect: 'Deny', Principal: '*', Action, Resource: '*', Condition })
    const { KeyId } = await newKey(
      kms,
      policy(
        rootStatement,
        deny('kms:CreateGrant', { Bool: { 'kms:GrantIsForAWSResource': 'false' } }),
        deny('kms:ListGrants', { Bool: { 'kms:GrantIsForAWSResource': 'false' } }),
        deny('kms:Encrypt', { StringEquals: { 'kms:EncryptionContext:tier': 'secret' } }),
      ),
    )
    const signing = (await kms.createKey({ KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY', Policy: policy(rootStatement, deny('kms:Sign', { StringEquals: { 'kms:SigningAlgorithm': 'ECDSA_SHA_256', 'kms:MessageType': 'RAW' } })) })).KeyMetadata.KeyId
    const mac = (await kms.createKey({ KeySpec: 'HMAC_256', KeyUsage: 'GENERATE_VERIFY_MAC', Policy: policy(rootStatement, deny('kms:GenerateMac', { StringEquals: { 'kms:MacAlgorithm': 'HMAC_SHA_256' } })) })).KeyMetadata.KeyId
    const grant = { GranteePrincipal: ALICE, Operations: ['Decrypt'] }
    const bypass = (
      await newKey(
        kms,
        policy(
          rootStatement,
          { Effect: 'Allow', Principal: { AWS: ALICE }, Action: 'kms:PutKeyPolicy', Resource: '*' },
          { Effect: 'Deny', Principal: { AWS: ALICE }, Action: 'kms:PutKeyPolicy', Resource: '*', Condition: { Bool: { 'kms:BypassPolicyLockoutSafetyCheck': 'false' } } },
        ),
      )
    ).KeyId
    const rsa = (await kms.createKey({ KeySpec: 'RSA_2048', KeyUsage: 'ENCRYPT_DECRYPT', Policy: policy(rootStatement, deny('kms:ReEncryptFrom', { StringEquals: { 'kms:EncryptionAlgorithm': 'RSAES_OAEP_SHA_256' } })) })).KeyMetadata.KeyId
    const { CiphertextBlob } = await kms.encrypt({ KeyId: rsa, Plaintext: bytes('x'), EncryptionAlgorithm: 'RSAES_OAEP_SHA_256' })
    const cases: [Parameters<Kms['explain']>[0], () => Promise<unknown>][] = [
      [{ operation: 'PutKeyPolicy', keyId: bypass, caller: { principal: ALICE } }, () => kms.as({ principal: ALICE }).putKeyPolicy({ KeyId: bypass, Policy: policy(rootStatement) })],
      [
        { operation: 'ReEncryptFrom', keyId: rsa, request: { SourceEncryptionAlgorithm: 'RSAES_OAEP_SHA_256' } },
        () => kms.reEncrypt({ CiphertextBlob, SourceKeyId: rsa, SourceEncryptionAlgorithm: 'RSAES_OAEP_SHA_256', DestinationKeyId: KeyId }),
      ],
      [{ operation: 'CreateGrant', keyId: KeyId, request: grant }, () => kms.createGrant({ KeyId, ...grant } as never)],
      [{ operation: 'ListGrants', keyId: KeyId }, () => kms.listGrants({ KeyId })],
      [{ operation: 'Sign', keyId: signing, request: { SigningAlgorithm: 'ECDSA_SHA_256' } }, () => kms.sign({ KeyId: signing, Message: bytes('m'), SigningAlgorithm: 'ECDSA_SHA_256' })],
      [{ operation: 'GenerateMac', keyId: mac, request: { MacAlgorithm: 'HMAC_SHA_256' } }, () => kms.generateMac({ KeyId: mac, Message: bytes('m'), MacAlgorithm: 'HMAC_SHA_256' })],
    ]
    for (const [asked, real] of cases) {
      expect((await kms.explain(asked)).decision).toBe('ExplicitDeny')
      await expectKmsError(real(), AccessDeniedException)
    }
    // Through a service, the grant's own conditions allow it; a constraint's context is what the Deny on the context sees.
    const viaService = { principal: ROOT, viaService: 'ec2.us-east-1.amazonaws.com' }
    expect((await kms.explain({ operation: 'CreateGrant', keyId: KeyId, request: grant, caller: viaService })).decision).toBe('Allow')
    const createGrantDeny = await newKey(kms, policy(rootStatement, deny('kms:CreateGrant', { StringEquals: { 'kms:EncryptionContext:tier': 'secret' } })))
    const constrained = { ...grant, Constraints: { EncryptionContextSubset: { tier: 'secret' } } }
    expect((await kms.explain({ operation: 'CreateGrant', keyId: createGrantDeny.KeyId, request: constrained })).decision).toBe('ExplicitDeny')
    await expectKmsError(kms.createGrant({ KeyId: createGrantDeny.KeyId, ...constrained } as never), AccessDeniedException)
  })

  it("explain knows an operation by its row of the table, loaded or not: KMS operations on no key or on a key, and nothing else", async () => {
    const { kms } = engine()
    const { KeyId } = await newKey(kms)
    // Lazy rows: ListKeys acts on no key, ScheduleKeyDeletion and CreateGrant on one.
    expect(await kms.explain({ operation: 'ListKeys' })).toMatchObject({ decision: 'Allow', resource: '*' })
    await expectKmsError(kms.explain({ operation: 'ScheduleKeyDeletion' }) as Promise<unknown>, ValidationException, /ScheduleKeyDeletion acts on a key/)
    expect(await kms.explain({ operation: 'CreateGrant', keyId: KeyId })).toMatchObject({ decision: 'Allow', action: 'kms:CreateGrant' })
    expect(await kms.explain({ operation: 'ReEncryptFrom', keyId: KeyId })).toMatchObject({ decision: 'Allow', action: 'kms:ReEncryptFrom' })
    // Not KMS's (IAM's and webkms's own operations) or not an operation; ReEncrypt and RetireGrant are explained otherwise.
    for (const operation of ['PutIdentityPolicy', 'ExportAuditLog', 'toString', '__proto__']) {
      await expectKmsError(kms.explain({ operation, keyId: KeyId }) as Promise<unknown>, ValidationException, /does not know the operation/)
    }
    await expectKmsError(kms.explain({ operation: 'ReEncrypt', keyId: KeyId }) as Promise<unknown>, ValidationException, /ReEncryptFrom/)
    await expectKmsError(kms.explain({ operation: 'RetireGrant', keyId: KeyId }) as Promise<unknown>, ValidationException, /decided by the grant/)
  })

  it('findings: rotation off, a policy open to *, pending deletion, destruction and policy-change events, repeated denials', async () => {
    const { kms, clock } = engine()
    const open = await newKey(kms, policy(rootStatement, { Sid: 'everyone', Effect: 'Allow', Principal: '*', Action: 'kms:Encrypt', Resource: '*' }))
    const rotated = await newKey(kms)
    await kms.enableKeyRotation({ KeyId: rotated.KeyId })
    const doomed = await newKey(kms)
    await kms.scheduleKeyDeletion({ KeyId: doomed.KeyId, PendingWindowInDays: 7 })
    const dead = await newKey(kms)
    await kms.scheduleKeyDeletion({ KeyId: dead.KeyId, PendingWindowInDays: 30 })
    await kms.putKeyPolicy({ KeyId: rotated.KeyId, Policy: policy(rootStatement) })
    const mallory = kms.as({ principal: `arn:aws:iam::${ACCOUNT}:user/mallory` })
    for (let i = 0; i < 5; i++) await mallory.describeKey({ KeyId: rotated.KeyId }).catch(() => undefined)
    await mallory.listKeys().catch(() => undefined)
    clock.advanceDays(10) // doomed (7 days) is destroyed; dead (30 days) is still pending
    const findings = await kms.findings()
    const of = (type: string) => findings.filter((f) => f.type === type).map((f) => f.resource)
    expect(of('KEY_ROTATION_DISABLED').sort()).toEqual([open.Arn].sort())
    expect(of('POLICY_ALLOWS_ANYONE')).toEqual([open.Arn])
    expect(of('KEY_PENDING_DELETION')).toEqual([dead.Arn])
    expect(of('KEY_DESTRUCTION_EVENT').sort()).toEqual([doomed.Arn, dead.Arn, doomed.Arn].sort())
    expect(of('POLICY_CHANGE_EVENT').sort()).toEqual([open.Arn, rotated.Arn].sort())
    expect(findings.find((f) => f.type === 'REPEATED_ACCESS_DENIED')).toMatchObject({ resource: `arn:aws:iam::${ACCOUNT}:user/mallory`, count: 6, severity: 'HIGH' })
    expect(await kms.findings({ deniedThreshold: 7 })).not.toContainEqual(expect.objectContaining({ type: 'REPEATED_ACCESS_DENIED' }))
  })
})

describe('the account root on no key, and on keys with the default key policy: decided without the evaluator', () => {
  it('gives exactly the decision evaluate.ts gives, for every kms: action, in every partition; and none for anyone or anything else', async () => {
    const { decidedForRoot, requestPrincipal } = await import('../src/kms/authorization.js')
    const { evaluateAccess } = await import('../src/kms/policy/evaluate.js')
    const { parsedDefaultKeyPolicy } = await import('../src/kms/policy/defaultPolicy.js')
    const { allOperations } = await import('../src/kms/operations/table.js')
    const actions = [...new Set([...allOperations.map((o) => `kms:${o.name}`), 'kms:ReEncryptFrom', 'kms:ReEncryptTo', 'KMS:encrypt'])]
    for (const partition of ['aws', 'aws-cn', 'aws-us-gov']) {
      const account = { partition, accountId: ACCOUNT, region: 'us-east-1' }
      const keyArn = `arn:${partition}:kms:us-east-1:${ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`
      for (const policyText of [undefined, defaultKeyPolicy(partition, ACCOUNT)]) {
        const key = { arn: keyArn, accountId: ACCOUNT, ...(policyText === undefined ? {} : { policy: policyText }) } as never
        const caller = (principal: string, accountId: string) => requestPrincipal({ principal, accountId } as never)
        const root = caller(`arn:${partition}:iam::${ACCOUNT}:root`, ACCOUNT)
        for (const action of actions) {
          const evaluated = await evaluateAccess({ principal: root, action, resource: keyArn, resourceAccount: ACCOUNT, conditions: () => undefined, identityPolicies: [], keyPolicy: parsedDefaultKeyPolicy(partition, ACCOUNT) })
          expect(evaluated.decision).toBe('Allow')
          expect(decidedForRoot(account as never, root, action, key)).toEqual(evaluated)
        }
        // On no key (CreateKey, ListKeys, GenerateRandom, aliases' own side ...): the account root always.
        for (const action of [...actions, 'webkms:ExportAuditLog', 'iam:PutUserPolicy']) {
          const evaluated = await evaluateAccess({ principal: root, action, resource: '*', resourceAccount: ACCOUNT, conditions: () => undefined, identityPolicies: [] })
          expect(evaluated.decision).toBe('Allow')
          expect(decidedForRoot(account as never, root, action, undefined)).toEqual(evaluated)
        }
        expect(decidedForRoot(account as never, caller(`arn:${partition}:iam::${OTHER}:root`, OTHER), 'kms:CreateKey', undefined)).toBeUndefined()
        expect(decidedForRoot(account as never, caller(`arn:${partition}:iam::${ACCOUNT}:user/alice`, ACCOUNT), 'kms:CreateKey', undefined)).toBeUndefined()
        // Not the root of the key's account, not a kms: action: the evaluator decides.
        expect(decidedForRoot(account as never, caller(`arn:${partition}:iam::${ACCOUNT}:user/alice`, ACCOUNT), 'kms:Encrypt', key)).toBeUndefined()
        expect(decidedForRoot(account as never, caller(`arn:${partition}:iam::${OTHER}:root`, OTHER), 'kms:Encrypt', key)).toBeUndefined()
        expect(decidedForRoot(account as never, root, 'webkms:ExportAuditLog', key)).toBeUndefined()
      }
      const custom = { arn: keyArn, accountId: ACCOUNT, policy: policy(rootStatement) } as never
      expect(decidedForRoot(account as never, requestPrincipal({ principal: `arn:${partition}:iam::${ACCOUNT}:root`, accountId: ACCOUNT } as never), 'kms:Encrypt', custom)).toBeUndefined()
    }
  })
})
