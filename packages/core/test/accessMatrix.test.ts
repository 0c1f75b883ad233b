/**
 * The access matrix: principals x operations x key policies x grants, each cell a real call
 * through the engine, compared with the decision written down here by hand from AWS's rules
 * (and with what `explain` says). Zero unexpected decisions.
 */
import { describe, expect, it } from 'vitest'
import { AccessDeniedException, createKms, type Caller, type Kms } from '../src/index.js'
import { bytes, testClock } from './helpers.js'

const ACCOUNT = '111122223333'
const OTHER = '444455556666'
const ROOT = `arn:aws:iam::${ACCOUNT}:root`
const ALICE = `arn:aws:iam::${ACCOUNT}:user/alice`
const DAVE = `arn:aws:iam::${ACCOUNT}:user/dave`
const APP_ROLE = `arn:aws:iam::${ACCOUNT}:role/App`
const BOB = `arn:aws:iam::${OTHER}:user/bob`

interface Principal {
  name: string
  caller: Caller
}
const principals: Principal[] = [
  { name: 'root', caller: { principal: ROOT } },
  { name: 'aliceOffice', caller: { principal: ALICE, sourceIp: '192.0.2.5', mfa: true } },
  { name: 'aliceHome', caller: { principal: ALICE, sourceIp: '203.0.113.9', mfa: false } },
  { name: 'dave', caller: { principal: DAVE, sourceIp: '192.0.2.6', mfa: true } },
  { name: 'session', caller: { principal: `arn:aws:sts::${ACCOUNT}:assumed-role/App/s1`, sourceIp: '192.0.2.7' } },
  { name: 'bob', caller: { principal: BOB, sourceIp: '192.0.2.8', mfa: true } },
  { name: 'otherRoot', caller: { principal: `arn:aws:iam::${OTHER}:root` } },
]

/** Identity policies: alice and bob may do anything their key policies delegate; the App role only uses keys. */
const identityPolicies = {
  [ALICE]: { all: { Version: '2012-10-17', Statement: { Effect: 'Allow', Action: 'kms:*', Resource: '*' } } },
  [BOB]: { all: { Version: '2012-10-17', Statement: { Effect: 'Allow', Action: 'kms:*', Resource: '*' } } },
  [APP_ROLE]: { use: { Version: '2012-10-17', Statement: { Effect: 'Allow', Action: ['kms:Encrypt', 'kms:Decrypt', 'kms:GenerateDataKey'], Resource: '*' } } },
}

interface Operation {
  name: string
  tenant?: 't1' | 't2'
  run: (kms: Kms, arn: string, blob: Uint8Array) => Promise<unknown>
}
const ctx = (tenant: string) => ({ tenant })
const operations: Operation[] = [
  { name: 'Encrypt', tenant: 't1', run: (k, KeyId) => k.encrypt({ KeyId, Plaintext: bytes('x'), EncryptionContext: ctx('t1') }) },
  { name: 'Encrypt', tenant: 't2', run: (k, KeyId) => k.encrypt({ KeyId, Plaintext: bytes('x'), EncryptionContext: ctx('t2') }) },
  { name: 'Decrypt', tenant: 't1', run: (k, _, CiphertextBlob) => k.decrypt({ CiphertextBlob, EncryptionContext: ctx('t1') }) },
  { name: 'GenerateDataKey', tenant: 't1', run: (k, KeyId) => k.generateDataKey({ KeyId, KeySpec: 'AES_256', EncryptionContext: ctx('t1') }) },
  { name: 'DescribeKey', run: (k, KeyId) => k.describeKey({ KeyId }) },
  { name: 'EnableKey', run: (k, KeyId) => k.enableKey({ KeyId }) }, // the key is enabled: allowed calls change nothing
  { name: 'GetKeyPolicy', run: (k, KeyId) => k.getKeyPolicy({ KeyId }) },
]

const rootStatement = { Sid: 'root', Effect: 'Allow', Principal: { AWS: ROOT }, Action: 'kms:*', Resource: '*' }
const USE = ['Encrypt', 'Decrypt', 'GenerateDataKey']

/** With the default key policy: the root directly; same-account users through their identity policies. */
function defaultAllows(p: Principal, op: Operation): boolean {
  if (p.name === 'root' || p.name.startsWith('alice')) return true
  if (p.name === 'session') return USE.includes(op.name)
  return false
}

interface Scenario {
  name: string
  statements: object[]
  allows: (p: Principal, op: Operation) => boolean
  denies?: (p: Principal, op: Operation) => boolean
}
const scenarios: Scenario[] = [
  { name: 'default key policy', statements: [rootStatement], allows: defaultAllows },
  {
    name: 'no root statement: only the users it names',
    statements: [
      { Sid: 'alice', Effect: 'Allow', Principal: { AWS: ALICE }, Action: ['kms:Encrypt', 'kms:Decrypt', 'kms:DescribeKey'], Resource: '*' },
      { Sid: 'dave', Effect: 'Allow', Principal: { AWS: DAVE }, Action: 'kms:DescribeKey', Resource: '*' },
    ],
    allows: (p, op) => (p.name.startsWith('alice') && ['Encrypt', 'Decrypt', 'DescribeKey'].includes(op.name)) || (p.name === 'dave' && op.name === 'DescribeKey'),
  },
  {
    name: 'explicit deny of Decrypt without MFA',
    statements: [rootStatement, { Sid: 'mfa', Effect: 'Deny', Principal: '*', Action: 'kms:Decrypt', Resource: '*', Condition: { BoolIfExists: { 'aws:MultiFactorAuthPresent': 'false' } } }],
    allows: defaultAllows,
    denies: (p, op) => op.name === 'Decrypt' && p.caller.mfa !== true,
  },
  {
    name: 'explicit deny unless the encryption context is tenant t1',
    statements: [rootStatement, { Sid: 'tenant', Effect: 'Deny', Principal: { AWS: '*' }, Action: ['kms:Encrypt', 'kms:Decrypt', 'kms:GenerateDataKey*'], Resource: '*', Condition: { StringNotEquals: { 'kms:EncryptionContext:tenant': 't1' } } }],
    allows: defaultAllows,
    denies: (_, op) => op.tenant === 't2',
  },
  {
    name: 'explicit deny from outside 192.0.2.0/24',
    statements: [rootStatement, { Sid: 'network', Effect: 'Deny', Principal: '*', Action: 'kms:*', Resource: '*', Condition: { NotIpAddress: { 'aws:SourceIp': '192.0.2.0/24' } } }],
    allows: defaultAllows,
    // A caller with no source IP at all is outside too (a negated operator is true when the key is absent).
    denies: (p) => !p.caller.sourceIp?.startsWith('192.0.2.'),
  },
  {
    name: 'cross-account: account 444455556666 may use the key',
    statements: [rootStatement, { Sid: 'partner', Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${OTHER}:root` }, Action: ['kms:Encrypt', 'kms:Decrypt', 'kms:DescribeKey'], Resource: '*' }],
    allows: (p, op) => defaultAllows(p, op) || ((p.name === 'bob' || p.name === 'otherRoot') && ['Encrypt', 'Decrypt', 'DescribeKey'].includes(op.name)),
  },
]

/** The grant variant: dave may Encrypt and Decrypt with tenant t1 in the context. */
const daveGrant = { GranteePrincipal: DAVE, Operations: ['Encrypt' as const, 'Decrypt' as const], Constraints: { EncryptionContextSubset: { tenant: 't1' } } }
const grantAllows = (p: Principal, op: Operation) => p.name === 'dave' && ['Encrypt', 'Decrypt'].includes(op.name) && op.tenant === 't1'

describe('access matrix', () => {
  it('principals x operations x key policies x grants: every decision as expected, and explain agrees', async () => {
    const surprises: string[] = []
    let cells = 0
    for (const scenario of scenarios) {
      for (const withGrant of [false, true]) {
        const clock = testClock()
        const kms = createKms({ now: clock.now, identityPolicies })
        const { Arn } = (await kms.createKey()).KeyMetadata
        const { CiphertextBlob } = await kms.encrypt({ KeyId: Arn, Plaintext: bytes('secret'), EncryptionContext: ctx('t1') })
        if (withGrant) await kms.createGrant({ KeyId: Arn, ...daveGrant })
        await kms.putKeyPolicy({ KeyId: Arn, Policy: JSON.stringify({ Version: '2012-10-17', Statement: scenario.statements }), BypassPolicyLockoutSafetyCheck: true })
        for (const p of principals) {
          for (const op of operations) {
            cells++
            const expected = !scenario.denies?.(p, op) && (scenario.allows(p, op) || (withGrant && grantAllows(p, op)))
            const outcome = await op.run(kms.as(p.caller), Arn, CiphertextBlob).then(
              () => 'allowed',
              (e: unknown) => (e instanceof AccessDeniedException ? 'denied' : `failed: ${(e as Error).name} ${(e as Error).message}`),
            )
            const explained = await kms.explain({ operation: op.name, keyId: Arn, caller: p.caller, ...(op.tenant ? { encryptionContext: ctx(op.tenant) } : {}) })
            const where = `${scenario.name}${withGrant ? ' + grant' : ''} / ${p.name} / ${op.name}${op.tenant ? `(${op.tenant})` : ''}`
            if (outcome !== (expected ? 'allowed' : 'denied')) surprises.push(`${where}: expected ${expected ? 'allowed' : 'denied'}, got ${outcome}`)
            if ((explained.decision === 'Allow') !== expected) surprises.push(`${where}: explain says ${explained.decision} (${explained.reason})`)
          }
        }
      }
    }
    expect(surprises).toEqual([])
    expect(cells).toBe(scenarios.length * 2 * principals.length * operations.length)
  })
})
