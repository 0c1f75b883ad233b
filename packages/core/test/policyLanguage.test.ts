/**
 * The AWS policy language, unit by unit (packages/core/src/kms/policy/): glob matching, IP
 * addresses and CIDR blocks, every condition operator with IfExists and the set operators,
 * policy parsing with its refusals, and the KMS access decision (key policy, identity policies,
 * grants). Expected results follow the IAM JSON policy reference ("Condition operators",
 * "Single-valued vs. multivalued context keys", "Policy evaluation logic") and the KMS
 * developer guide ("Determining access to an AWS KMS key", "Grant constraints").
 */
import fc from 'fast-check'
import { describe, expect, it, vi } from 'vitest'
import { MalformedPolicyDocumentException } from '../src/kms/errors.js'

/** A context object as the engine holds it: its pairs. */
const pairs = (o: Record<string, string> | undefined) => (o === undefined ? undefined : Object.entries(o))
import type { GrantRecord } from '../src/keystore/records.js'
import { conditionLookup } from '../src/kms/policy/requestContext.js'
import { conditionHolds, parseCondition, type ConditionClause, type ConditionLookup } from '../src/kms/policy/conditions.js'
import { parsePolicy, type PolicyKind } from '../src/kms/policy/document.js'
import { defaultKeyPolicy, parsedDefaultKeyPolicy } from '../src/kms/policy/defaultPolicy.js'
import { MAX_KEY_POLICY_BYTES } from '../src/kms/policy/limits.js'
import { evaluateAccess, grantConstraintsMet, type AccessRequest, type RequestPrincipal } from '../src/kms/policy/evaluate.js'
import { globMatch } from '../src/kms/policy/glob.js'
import { cidrContains, parseCidr, parseIp, type CidrBlock, type IpAddress } from '../src/kms/policy/ip.js'

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

const MALFORMED_CODE = 'ERR_KMS_MALFORMED_POLICY_DOCUMENT'

/** Runs `fn`, which must throw MalformedPolicyDocumentException (class, name and code), and returns the message. */
function malformed(fn: () => unknown, message?: RegExp): string {
  let error: unknown
  try {
    fn()
  } catch (e) {
    error = e
  }
  expect(error, 'expected MalformedPolicyDocumentException').toBeInstanceOf(MalformedPolicyDocumentException)
  const e = error as MalformedPolicyDocumentException
  expect(e.constructor).toBe(MalformedPolicyDocumentException)
  expect(e.name).toBe('MalformedPolicyDocumentException')
  expect(e.code).toBe(MALFORMED_CODE)
  expect(MalformedPolicyDocumentException.code).toBe(MALFORMED_CODE)
  if (message) expect(e.message).toMatch(message)
  return e.message
}

/** One clause: `{ [operator]: { [key]: values } }`. */
const clause = (operator: string, values: unknown, key = 'test:Key'): ConditionClause => {
  const clauses = parseCondition(operator, { [key]: values }, 'Statement[0].Condition')
  expect(clauses).toHaveLength(1)
  return clauses[0]!
}

/** A request context from a plain record; key names matched case-insensitively, as KMS does. */
const context = (entries: Record<string, string | string[] | undefined>): ConditionLookup => {
  const map = new Map<string, { values: string[]; multi?: boolean }>()
  for (const [k, v] of Object.entries(entries)) {
    if (v === undefined) continue
    map.set(k.toLowerCase(), Array.isArray(v) ? { values: v, multi: true } : { values: [v] })
  }
  return (key) => map.get(key.toLowerCase())
}

/**
 * Whether `operator` with the policy `values` holds for the request value(s): a string is a
 * single-valued key, an array a multivalued one, undefined an absent key.
 */
const holds = (operator: string, values: unknown, request: string | string[] | undefined): boolean =>
  conditionHolds(clause(operator, values), context({ 'test:Key': request }))

const ACCT = '111122223333'
const OTHER = '444455556666'
const REGION = 'us-east-1'
const KEY_ID = '1234abcd-12ab-34cd-56ef-1234567890ab'
const KEY_ARN = `arn:aws:kms:${REGION}:${ACCT}:key/${KEY_ID}`
const OTHER_KEY_ARN = `arn:aws:kms:${REGION}:${ACCT}:key/0987dcba-09fe-87dc-65ba-ab0987654321`

const policyText = (statements: unknown[] | Record<string, unknown>, extra: Record<string, unknown> = {}) =>
  JSON.stringify({ Version: '2012-10-17', ...extra, Statement: statements })

const keyPolicy = (...statements: Record<string, unknown>[]) => parsePolicy(policyText(statements), 'key')
const identityPolicy = (...statements: Record<string, unknown>[]) => parsePolicy(policyText(statements), 'identity')

/** A statement with sensible defaults, for the element under test to override. */
const stmt = (overrides: Record<string, unknown>, kind: PolicyKind = 'key'): Record<string, unknown> => ({
  Effect: 'Allow',
  ...(kind === 'key' ? { Principal: { AWS: `arn:aws:iam::${ACCT}:root` } } : {}),
  Action: 'kms:*',
  Resource: '*',
  ...overrides,
})

const root = (account = ACCT): RequestPrincipal => ({ arn: `arn:aws:iam::${account}:root`, accountId: account, isRoot: true })
const user = (name: string, account = ACCT): RequestPrincipal => ({ arn: `arn:aws:iam::${account}:user/${name}`, accountId: account, isRoot: false })
const session = (role: string, name: string, account = ACCT): RequestPrincipal => ({
  arn: `arn:aws:sts::${account}:assumed-role/${role}/${name}`,
  accountId: account,
  roleArn: `arn:aws:iam::${account}:role/${role}`,
  isRoot: false,
})

const allowAllIdentity = (owner: string, name = 'kms-all') => ({ owner, name, policy: identityPolicy(stmt({}, 'identity')) })

function request(overrides: Partial<AccessRequest> & { principal: RequestPrincipal }): AccessRequest {
  return {
    action: 'kms:Encrypt',
    resource: KEY_ARN,
    resourceAccount: ACCT,
    conditions: context({}),
    conditionHolds,
    keyPolicy: parsePolicy(defaultKeyPolicy('aws', ACCT), 'key'),
    identityPolicies: [],
    ...overrides,
  }
}

const grant = (overrides: Partial<GrantRecord>): GrantRecord => ({
  grantId: 'a'.repeat(64),
  keyId: KEY_ID,
  creationDate: new Date('2026-01-01T00:00:00Z'),
  granteePrincipal: `arn:aws:iam::${ACCT}:user/bob`,
  issuingAccount: `arn:aws:iam::${ACCT}:root`,
  operations: ['Encrypt', 'Decrypt'],
  ...overrides,
})

// ---------------------------------------------------------------------------------------------
// glob.ts
// ---------------------------------------------------------------------------------------------

describe('globMatch (IAM wildcards * and ?)', () => {
  it('* matches any run of characters, including none', () => {
    expect(globMatch('*', '')).toBe(true)
    expect(globMatch('*', 'anything at all')).toBe(true)
    expect(globMatch('kms:*', 'kms:')).toBe(true)
    expect(globMatch('kms:*', 'kms:Encrypt')).toBe(true)
    expect(globMatch('kms:*crypt', 'kms:Encrypt')).toBe(true)
    expect(globMatch('kms:*crypt', 'kms:Decrypt')).toBe(true)
    expect(globMatch('kms:*crypt', 'kms:Encrypts')).toBe(false)
    expect(globMatch('a*b*c', 'aXXbYYc')).toBe(true)
    expect(globMatch('a*b*c', 'acb')).toBe(false)
    expect(globMatch('*', 'line\nbreak')).toBe(true)
  })

  it('? matches exactly one character', () => {
    expect(globMatch('key-?', 'key-1')).toBe(true)
    expect(globMatch('key-?', 'key-')).toBe(false)
    expect(globMatch('key-?', 'key-12')).toBe(false)
    expect(globMatch('??', 'ab')).toBe(true)
    expect(globMatch('??', 'a')).toBe(false)
  })

  it('everything else is literal, regular-expression characters included', () => {
    expect(globMatch('a.b', 'a.b')).toBe(true)
    expect(globMatch('a.b*', 'aXb')).toBe(false)
    expect(globMatch('a+*', 'aaa')).toBe(false)
    expect(globMatch('a+*', 'a+x')).toBe(true)
    expect(globMatch('(x)*', '(x)y')).toBe(true)
    expect(globMatch('[ab]*', 'a')).toBe(false)
    expect(globMatch('[ab]*', '[ab]c')).toBe(true)
    expect(globMatch('^x$*', '^x$')).toBe(true)
    expect(globMatch('a|b*', 'a')).toBe(false)
    expect(globMatch('{1}*', '{1}')).toBe(true)
    expect(globMatch('back\\slash*', 'back\\slash!')).toBe(true)
  })

  it('is case-sensitive unless asked otherwise', () => {
    expect(globMatch('Alias/*', 'alias/x')).toBe(false)
    expect(globMatch('Alias/*', 'alias/x', true)).toBe(true)
    expect(globMatch('KEY', 'key')).toBe(false)
    expect(globMatch('KEY', 'key', true)).toBe(true)
  })

  it('property: a pattern without wildcards matches exactly the equal string', () => {
    const literal = fc.string().filter((s) => !s.includes('*') && !s.includes('?'))
    fc.assert(
      fc.property(literal, fc.string(), (pattern, value) => {
        expect(globMatch(pattern, value)).toBe(pattern === value)
        expect(globMatch(pattern, pattern)).toBe(true)
      }),
    )
  })

  it('property: prefix* matches exactly the strings starting with prefix, *suffix those ending with it', () => {
    const literal = fc.string().filter((s) => !s.includes('*') && !s.includes('?'))
    fc.assert(
      fc.property(literal, fc.string(), (affix, value) => {
        expect(globMatch(`${affix}*`, value)).toBe(value.startsWith(affix))
        expect(globMatch(`*${affix}`, value)).toBe(value.endsWith(affix))
        expect(globMatch(`${affix}*`, affix + value)).toBe(true)
      }),
    )
  })
})

// ---------------------------------------------------------------------------------------------
// ip.ts
// ---------------------------------------------------------------------------------------------

describe('parseIp', () => {
  it('IPv4 dotted quads', () => {
    expect(parseIp('0.0.0.0')).toEqual({ bits: 32, value: 0n })
    expect(parseIp('255.255.255.255')).toEqual({ bits: 32, value: 0xffffffffn })
    expect(parseIp('203.0.113.7')).toEqual({ bits: 32, value: 0xcb007107n })
  })

  it('refuses malformed IPv4', () => {
    for (const bad of ['256.0.0.1', '1.2.3', '1.2.3.4.5', '1.2.3.', '01.2.3.4', '1.2.3.-4', 'a.b.c.d', '', ' 1.2.3.4', '1.2.3.4/32']) {
      expect(parseIp(bad), bad).toBeUndefined()
    }
  })

  it('IPv6 full, compressed and mixed forms (RFC 4291 §2.2)', () => {
    expect(parseIp('2001:db8:0:0:0:0:0:1')).toEqual({ bits: 128, value: 0x20010db8000000000000000000000001n })
    expect(parseIp('2001:db8::1')).toEqual({ bits: 128, value: 0x20010db8000000000000000000000001n })
    expect(parseIp('2001:DB8::1')).toEqual(parseIp('2001:db8::1'))
    expect(parseIp('2001:0db8:0000::0001')).toEqual(parseIp('2001:db8::1'))
    expect(parseIp('::')).toEqual({ bits: 128, value: 0n })
    expect(parseIp('::1')).toEqual({ bits: 128, value: 1n })
    expect(parseIp('fe80::')).toEqual({ bits: 128, value: 0xfe80n << 112n })
    expect(parseIp('1:2:3:4:5:6:7::')).toEqual({ bits: 128, value: 0x00010002000300040005000600070000n })
    expect(parseIp('64:ff9b::192.0.2.33')).toEqual({ bits: 128, value: 0x0064ff9b0000000000000000c0000221n })
    expect(parseIp('1:2:3:4:5:6:1.2.3.4')).toEqual({ bits: 128, value: 0x00010002000300040005000601020304n })
  })

  it('an IPv4-mapped IPv6 address (::ffff:a.b.c.d) is the IPv4 address', () => {
    expect(parseIp('::ffff:192.0.2.1')).toEqual({ bits: 32, value: 0xc0000201n })
    expect(parseIp('::ffff:c000:201')).toEqual({ bits: 32, value: 0xc0000201n })
    expect(parseIp('0:0:0:0:0:FFFF:192.0.2.1')).toEqual(parseIp('192.0.2.1'))
  })

  it('refuses malformed IPv6', () => {
    for (const bad of ['1::2::3', '1:2:3:4:5:6:7:8:9', '12345::', ':::', ':1:2:3:4:5:6:7', '1:2:3:4:5:6:7:8::', 'g::1', '::ffff:300.0.0.1', '1:2:3:4:5:6:7:1.2.3.4', 'fe80::1%eth0', '::1/128']) {
      expect(parseIp(bad), bad).toBeUndefined()
    }
  })
})

describe('parseCidr and cidrContains', () => {
  it('a bare address is a /32 or /128 block', () => {
    expect(parseCidr('203.0.113.7')).toEqual({ bits: 32, value: 0xcb007107n, prefix: 32 })
    expect(parseCidr('2001:db8::1')).toEqual({ bits: 128, value: 0x20010db8000000000000000000000001n, prefix: 128 })
  })

  it('prefix lengths within the family, and nothing else', () => {
    expect(parseCidr('10.0.0.0/8')?.prefix).toBe(8)
    expect(parseCidr('0.0.0.0/0')?.prefix).toBe(0)
    expect(parseCidr('10.0.0.1/32')?.prefix).toBe(32)
    expect(parseCidr('2001:db8::/32')?.prefix).toBe(32)
    expect(parseCidr('::/0')?.prefix).toBe(0)
    expect(parseCidr('2001:db8::1/128')?.prefix).toBe(128)
    for (const bad of ['10.0.0.0/33', '2001:db8::/129', '10.0.0.0/', '10.0.0.0/-1', '10.0.0.0/8/8', '10.0.0.0/x', '/8', '10.0.0/8', 'example.com/8', '10.0.0.0/ 8']) {
      expect(parseCidr(bad), bad).toBeUndefined()
    }
  })

  it('IPv4 containment, host bits in the block ignored', () => {
    const block = parseCidr('203.0.113.0/24')!
    expect(cidrContains(block, parseIp('203.0.113.0')!)).toBe(true)
    expect(cidrContains(block, parseIp('203.0.113.255')!)).toBe(true)
    expect(cidrContains(block, parseIp('203.0.114.0')!)).toBe(false)
    expect(cidrContains(block, parseIp('203.0.112.255')!)).toBe(false)
    expect(cidrContains(parseCidr('203.0.113.99/24')!, parseIp('203.0.113.1')!)).toBe(true)
    expect(cidrContains(parseCidr('10.0.0.0/8')!, parseIp('10.255.255.255')!)).toBe(true)
    expect(cidrContains(parseCidr('10.0.0.0/8')!, parseIp('11.0.0.0')!)).toBe(false)
    expect(cidrContains(parseCidr('10.1.2.3')!, parseIp('10.1.2.3')!)).toBe(true)
    expect(cidrContains(parseCidr('10.1.2.3')!, parseIp('10.1.2.4')!)).toBe(false)
  })

  it('IPv6 containment', () => {
    const block = parseCidr('2001:db8::/32')!
    expect(cidrContains(block, parseIp('2001:db8::1')!)).toBe(true)
    expect(cidrContains(block, parseIp('2001:db8:ffff:ffff:ffff:ffff:ffff:ffff')!)).toBe(true)
    expect(cidrContains(block, parseIp('2001:db9::')!)).toBe(false)
    expect(cidrContains(parseCidr('2001:db8:1:2::/64')!, parseIp('2001:db8:1:2:abcd::1')!)).toBe(true)
    expect(cidrContains(parseCidr('2001:db8:1:2::/64')!, parseIp('2001:db8:1:3::1')!)).toBe(false)
    expect(cidrContains(parseCidr('::/0')!, parseIp('ffff::')!)).toBe(true)
  })

  it('families never mix; an IPv4-mapped address is matched as IPv4', () => {
    expect(cidrContains(parseCidr('0.0.0.0/0')!, parseIp('2001:db8::1')!)).toBe(false)
    expect(cidrContains(parseCidr('::/0')!, parseIp('10.0.0.1')!)).toBe(false)
    expect(cidrContains(parseCidr('192.0.2.0/24')!, parseIp('::ffff:192.0.2.55')!)).toBe(true)
    expect(cidrContains(parseCidr('192.0.2.0/24')!, parseIp('::ffff:192.0.3.55')!)).toBe(false)
  })

  const ipv4 = fc.bigInt({ min: 0n, max: (1n << 32n) - 1n }).map((value): IpAddress => ({ bits: 32, value }))
  const ipv6 = fc
    .bigInt({ min: 0n, max: (1n << 128n) - 1n })
    .filter((v) => v >> 32n !== 0xffffn)
    .map((value): IpAddress => ({ bits: 128, value }))
  const v4Text = (ip: IpAddress) => [24n, 16n, 8n, 0n].map((s) => String((ip.value >> s) & 0xffn)).join('.')
  const v6Text = (ip: IpAddress) => Array.from({ length: 8 }, (_, i) => ((ip.value >> BigInt(112 - 16 * i)) & 0xffffn).toString(16)).join(':')

  it('property: a /0 block contains every address of its family and none of the other', () => {
    fc.assert(
      fc.property(ipv4, ipv6, (a4, a6) => {
        expect(cidrContains(parseCidr('0.0.0.0/0')!, a4)).toBe(true)
        expect(cidrContains(parseCidr('::/0')!, a6)).toBe(true)
        expect(cidrContains(parseCidr('0.0.0.0/0')!, a6)).toBe(false)
        expect(cidrContains(parseCidr('::/0')!, a4)).toBe(false)
      }),
    )
  })

  it('property: text forms round-trip, and a block contains an address iff their first prefix bits agree', () => {
    fc.assert(
      fc.property(fc.oneof(ipv4, ipv6), fc.oneof(ipv4, ipv6), fc.nat(128), (a, b, n) => {
        const text = a.bits === 32 ? v4Text(a) : v6Text(a)
        expect(parseIp(text)).toEqual(a)
        const prefix = n % (a.bits + 1)
        const block = parseCidr(`${text}/${prefix}`) as CidrBlock
        expect(block).toEqual({ ...a, prefix })
        expect(cidrContains(block, a)).toBe(true)
        const shift = BigInt(a.bits - prefix)
        expect(cidrContains(block, b)).toBe(a.bits === b.bits && a.value >> shift === b.value >> shift)
      }),
    )
  })
})

// ---------------------------------------------------------------------------------------------
// conditions.ts: operators
// ---------------------------------------------------------------------------------------------

describe('string condition operators', () => {
  it('StringEquals: exact and case-sensitive; several policy values are ORed', () => {
    expect(holds('StringEquals', 'alice', 'alice')).toBe(true)
    expect(holds('StringEquals', 'alice', 'Alice')).toBe(false)
    expect(holds('StringEquals', 'alice', 'alice ')).toBe(false)
    expect(holds('StringEquals', ['alice', 'bob'], 'bob')).toBe(true)
    expect(holds('StringEquals', ['alice', 'bob'], 'carol')).toBe(false)
    expect(holds('StringEquals', 'a*', 'abc')).toBe(false) // no wildcards in StringEquals
    expect(holds('StringEquals', 'a*', 'a*')).toBe(true)
  })

  it('StringNotEquals: true when the value matches none of the policy values', () => {
    expect(holds('StringNotEquals', 'alice', 'bob')).toBe(true)
    expect(holds('StringNotEquals', 'alice', 'alice')).toBe(false)
    expect(holds('StringNotEquals', 'alice', 'ALICE')).toBe(true)
    expect(holds('StringNotEquals', ['alice', 'bob'], 'bob')).toBe(false)
    expect(holds('StringNotEquals', ['alice', 'bob'], 'carol')).toBe(true)
  })

  it('StringEqualsIgnoreCase / StringNotEqualsIgnoreCase', () => {
    expect(holds('StringEqualsIgnoreCase', 'Alice', 'aLICE')).toBe(true)
    expect(holds('StringEqualsIgnoreCase', 'Alice', 'alicia')).toBe(false)
    expect(holds('StringEqualsIgnoreCase', ['X', 'Prod'], 'PROD')).toBe(true)
    expect(holds('StringNotEqualsIgnoreCase', 'Alice', 'ALICE')).toBe(false)
    expect(holds('StringNotEqualsIgnoreCase', 'Alice', 'bob')).toBe(true)
  })

  it('StringLike: * and ? wildcards anywhere, case-sensitive', () => {
    expect(holds('StringLike', 'alias/app-*', 'alias/app-prod')).toBe(true)
    expect(holds('StringLike', 'alias/app-*', 'alias/app-')).toBe(true)
    expect(holds('StringLike', 'alias/app-*', 'alias/App-prod')).toBe(false)
    expect(holds('StringLike', '*-prod', 'alias/app-prod')).toBe(true)
    expect(holds('StringLike', 'key-??', 'key-01')).toBe(true)
    expect(holds('StringLike', 'key-??', 'key-1')).toBe(false)
    expect(holds('StringLike', 'exact', 'exact')).toBe(true)
    expect(holds('StringLike', 'exact', 'exactly')).toBe(false) // a partial match needs a wildcard
    expect(holds('StringLike', ['a*', 'b*'], 'bee')).toBe(true)
    expect(holds('StringLike', 'a.c', 'abc')).toBe(false)
  })

  it('StringNotLike: true when no pattern matches', () => {
    expect(holds('StringNotLike', 'alias/app-*', 'alias/other')).toBe(true)
    expect(holds('StringNotLike', 'alias/app-*', 'alias/app-x')).toBe(false)
    expect(holds('StringNotLike', ['a*', 'b*'], 'bee')).toBe(false)
    expect(holds('StringNotLike', ['a*', 'b*'], 'cee')).toBe(true)
  })
})

describe('numeric condition operators', () => {
  it('every comparison, with string and JSON-number policy values', () => {
    expect(holds('NumericEquals', '10', '10')).toBe(true)
    expect(holds('NumericEquals', 10, '10')).toBe(true)
    expect(holds('NumericEquals', '10', '10.0')).toBe(true)
    expect(holds('NumericEquals', '10', '11')).toBe(false)
    expect(holds('NumericNotEquals', '10', '11')).toBe(true)
    expect(holds('NumericNotEquals', '10', '10')).toBe(false)
    expect(holds('NumericLessThan', '10', '9')).toBe(true)
    expect(holds('NumericLessThan', '10', '10')).toBe(false)
    expect(holds('NumericLessThanEquals', '10', '10')).toBe(true)
    expect(holds('NumericLessThanEquals', '10', '11')).toBe(false)
    expect(holds('NumericGreaterThan', '10', '11')).toBe(true)
    expect(holds('NumericGreaterThan', '10', '10')).toBe(false)
    expect(holds('NumericGreaterThanEquals', '10', '10')).toBe(true)
    expect(holds('NumericGreaterThanEquals', '10', '9')).toBe(false)
  })

  it('compares numbers, not strings: decimals and negatives', () => {
    expect(holds('NumericLessThan', '10', '9.5')).toBe(true)
    expect(holds('NumericLessThan', '100', '20')).toBe(true) // "20" < "100" numerically, not lexically
    expect(holds('NumericGreaterThan', '-1', '0')).toBe(true)
    expect(holds('NumericGreaterThan', '-1.5', '-2')).toBe(false)
    expect(holds('NumericLessThanEquals', 1.25, '1.25')).toBe(true)
  })

  it('several policy values: any of them may match', () => {
    expect(holds('NumericEquals', ['1', '2', '3'], '2')).toBe(true)
    expect(holds('NumericEquals', ['1', '2', '3'], '4')).toBe(false)
    expect(holds('NumericLessThan', ['1', '100'], '50')).toBe(true)
  })

  it('a request value that is not a number matches no numeric comparison', () => {
    expect(holds('NumericEquals', '10', 'ten')).toBe(false)
    expect(holds('NumericLessThan', '10', 'ten')).toBe(false)
    expect(holds('NumericGreaterThanEquals', '10', '')).toBe(false)
  })
})

describe('date condition operators', () => {
  const jan1 = '2020-01-01T00:00:00Z'
  const jan1Epoch = '1577836800'

  it('ISO 8601 and epoch seconds, in either place, compare as instants', () => {
    expect(holds('DateEquals', jan1, jan1)).toBe(true)
    expect(holds('DateEquals', jan1, jan1Epoch)).toBe(true)
    expect(holds('DateEquals', jan1Epoch, jan1)).toBe(true)
    expect(holds('DateEquals', 1577836800, jan1)).toBe(true)
    expect(holds('DateEquals', '2020-01-01T02:00:00+02:00', jan1)).toBe(true)
    expect(holds('DateEquals', '2020-01-01T00:00:00.000Z', jan1Epoch)).toBe(true)
    expect(holds('DateEquals', '2020-01-01', jan1)).toBe(true)
    expect(holds('DateEquals', jan1, '1577836801')).toBe(false)
  })

  it('every comparison', () => {
    expect(holds('DateNotEquals', jan1, '2020-01-02T00:00:00Z')).toBe(true)
    expect(holds('DateNotEquals', jan1, jan1Epoch)).toBe(false)
    expect(holds('DateLessThan', jan1, '2019-12-31T23:59:59Z')).toBe(true)
    expect(holds('DateLessThan', jan1, jan1)).toBe(false)
    expect(holds('DateLessThanEquals', jan1, jan1Epoch)).toBe(true)
    expect(holds('DateLessThanEquals', jan1, '2020-01-01T00:00:01Z')).toBe(false)
    expect(holds('DateGreaterThan', jan1, '2020-01-01T00:00:01Z')).toBe(true)
    expect(holds('DateGreaterThan', jan1, jan1)).toBe(false)
    expect(holds('DateGreaterThanEquals', jan1, jan1)).toBe(true)
    expect(holds('DateGreaterThanEquals', jan1, '1577836799')).toBe(false)
  })

  it('a window between two dates is two operators on the same key (AND)', () => {
    const policy = parsePolicy(
      policyText([stmt({ Condition: { DateGreaterThan: { 'aws:CurrentTime': '2026-01-01T00:00:00Z' }, DateLessThan: { 'aws:CurrentTime': '2026-02-01T00:00:00Z' } } }, 'identity')]),
      'identity',
    )
    const inWindow = (t: string) => policy.statements[0]!.conditions.every((c) => conditionHolds(c, context({ 'aws:CurrentTime': t })))
    expect(inWindow('2026-01-15T12:00:00Z')).toBe(true)
    expect(inWindow('2025-12-31T23:59:59Z')).toBe(false)
    expect(inWindow('2026-02-01T00:00:00Z')).toBe(false)
  })

  it('a request value that is not a date matches nothing', () => {
    expect(holds('DateLessThan', jan1, 'yesterday')).toBe(false)
    expect(holds('DateGreaterThan', jan1, 'tomorrow')).toBe(false)
  })
})

describe('Bool, BinaryEquals and Null', () => {
  it('Bool compares true/false; a JSON boolean in the policy is accepted', () => {
    expect(holds('Bool', 'true', 'true')).toBe(true)
    expect(holds('Bool', true, 'true')).toBe(true)
    expect(holds('Bool', 'true', 'false')).toBe(false)
    expect(holds('Bool', false, 'false')).toBe(true)
  })

  it('Bool on an absent key is false; BoolIfExists on an absent key is true', () => {
    expect(holds('Bool', 'true', undefined)).toBe(false)
    expect(holds('Bool', 'false', undefined)).toBe(false)
    expect(holds('BoolIfExists', 'false', undefined)).toBe(true)
    expect(holds('BoolIfExists', 'false', 'true')).toBe(false)
  })

  it('BinaryEquals compares base64 text exactly', () => {
    expect(holds('BinaryEquals', 'QmluYXJ5VmFsdWU=', 'QmluYXJ5VmFsdWU=')).toBe(true)
    expect(holds('BinaryEquals', 'QmluYXJ5VmFsdWU=', 'qmluYXJ5VmFsdWU=')).toBe(false)
  })

  it('Null: "true" means the key is absent, "false" that it is present', () => {
    expect(holds('Null', 'true', undefined)).toBe(true)
    expect(holds('Null', 'true', 'x')).toBe(false)
    expect(holds('Null', 'false', 'x')).toBe(true)
    expect(holds('Null', 'false', undefined)).toBe(false)
    expect(holds('Null', true, undefined)).toBe(true)
    expect(holds('Null', 'false', '')).toBe(true) // present, even if empty text
  })

  it('Null: an empty multivalued key counts as absent', () => {
    expect(holds('Null', 'true', [])).toBe(true)
    expect(holds('Null', 'false', [])).toBe(false)
    expect(holds('Null', 'false', ['a', 'b'])).toBe(true)
  })
})

describe('IpAddress / NotIpAddress', () => {
  it('IPv4 blocks and single addresses; several blocks are ORed', () => {
    expect(holds('IpAddress', '203.0.113.0/24', '203.0.113.9')).toBe(true)
    expect(holds('IpAddress', '203.0.113.0/24', '203.0.114.9')).toBe(false)
    expect(holds('IpAddress', '203.0.113.9', '203.0.113.9')).toBe(true)
    expect(holds('IpAddress', '203.0.113.9/32', '203.0.113.10')).toBe(false)
    expect(holds('IpAddress', ['10.0.0.0/8', '192.168.0.0/16'], '192.168.4.4')).toBe(true)
    expect(holds('IpAddress', ['10.0.0.0/8', '192.168.0.0/16'], '172.16.0.1')).toBe(false)
    expect(holds('IpAddress', '0.0.0.0/0', '8.8.8.8')).toBe(true)
  })

  it('IPv6 blocks', () => {
    expect(holds('IpAddress', '2001:db8::/32', '2001:db8:1::5')).toBe(true)
    expect(holds('IpAddress', '2001:DB8::/32', '2001:db8:1::5')).toBe(true)
    expect(holds('IpAddress', '2001:db8::/32', '2001:db9::5')).toBe(false)
    expect(holds('IpAddress', ['203.0.113.0/24', '2001:db8::/32'], '2001:db8::1')).toBe(true)
    expect(holds('IpAddress', '2001:db8::1', '2001:0db8:0:0::1')).toBe(true)
  })

  it('an IPv4-mapped IPv6 source address matches IPv4 blocks', () => {
    expect(holds('IpAddress', '203.0.113.0/24', '::ffff:203.0.113.9')).toBe(true)
    expect(holds('IpAddress', '203.0.113.0/24', '::ffff:cb00:7109')).toBe(true)
    expect(holds('IpAddress', '203.0.113.0/24', '::ffff:203.0.114.9')).toBe(false)
    expect(holds('IpAddress', '::ffff:203.0.113.9', '203.0.113.9')).toBe(true)
  })

  it('an IPv4 source is not in an IPv6 block and vice versa', () => {
    expect(holds('IpAddress', '::/0', '203.0.113.9')).toBe(false)
    expect(holds('IpAddress', '0.0.0.0/0', '2001:db8::1')).toBe(false)
  })

  it('a request value that is not an IP address is in no block', () => {
    expect(holds('IpAddress', '0.0.0.0/0', 'localhost')).toBe(false)
    expect(holds('IpAddress', '0.0.0.0/0', '')).toBe(false)
  })

  it('NotIpAddress: true outside every block, and when the key is absent', () => {
    expect(holds('NotIpAddress', '203.0.113.0/24', '198.51.100.1')).toBe(true)
    expect(holds('NotIpAddress', '203.0.113.0/24', '203.0.113.1')).toBe(false)
    expect(holds('NotIpAddress', ['10.0.0.0/8', '203.0.113.0/24'], '203.0.113.1')).toBe(false)
    expect(holds('NotIpAddress', '2001:db8::/32', '2001:db8::1')).toBe(false)
    expect(holds('NotIpAddress', '2001:db8::/32', '203.0.113.1')).toBe(true)
    expect(holds('NotIpAddress', '203.0.113.0/24', undefined)).toBe(true)
    expect(holds('IpAddress', '203.0.113.0/24', undefined)).toBe(false)
  })
})

describe('ArnEquals / ArnLike (the six components matched one by one)', () => {
  const arn = `arn:aws:kms:${REGION}:${ACCT}:key/${KEY_ID}`

  it('exact ARNs, case-sensitive', () => {
    for (const op of ['ArnEquals', 'ArnLike']) {
      expect(holds(op, arn, arn)).toBe(true)
      expect(holds(op, arn, arn.toUpperCase())).toBe(false)
      expect(holds(op, arn, `${arn}x`)).toBe(false)
    }
  })

  it('wildcards within a component', () => {
    for (const op of ['ArnEquals', 'ArnLike']) {
      expect(holds(op, `arn:aws:kms:*:${ACCT}:key/*`, arn)).toBe(true)
      expect(holds(op, `arn:aws:kms:us-*-1:${ACCT}:key/*`, arn)).toBe(true)
      expect(holds(op, `arn:aws:kms:eu-*:${ACCT}:key/*`, arn)).toBe(false)
      expect(holds(op, `arn:aws:kms:${REGION}:*:key/${KEY_ID}`, arn)).toBe(true)
      expect(holds(op, `arn:aws:kms:${REGION}:${OTHER}:key/*`, arn)).toBe(false)
      expect(holds(op, `arn:aws:kms:${REGION}:${ACCT}:alias/*`, arn)).toBe(false)
      expect(holds(op, `arn:aws:kms:??-east-?:${ACCT}:key/*`, arn)).toBe(true)
      expect(holds(op, 'arn:*:*:*:*:*', arn)).toBe(true)
    }
  })

  it('a * does not reach across a colon into the next component (unlike StringLike)', () => {
    // The region wildcard may not swallow "us-east-1:444455556666:alias/x"; the account must be 111122223333.
    const tricky = `arn:aws:kms:${REGION}:${OTHER}:alias/x:${ACCT}:key/abc`
    const pattern = `arn:aws:kms:*:${ACCT}:key/abc`
    expect(holds('StringLike', pattern, tricky)).toBe(true)
    expect(holds('ArnLike', pattern, tricky)).toBe(false)
    expect(holds('ArnEquals', pattern, tricky)).toBe(false)
  })

  it('the resource component keeps its colons', () => {
    const withColons = `arn:aws:logs:${REGION}:${ACCT}:log-group:my-group:*`
    expect(holds('ArnLike', `arn:aws:logs:${REGION}:${ACCT}:log-group:*`, withColons)).toBe(true)
    expect(holds('ArnLike', `arn:aws:logs:${REGION}:${ACCT}:log-group:other:*`, withColons)).toBe(false)
  })

  it('a request value that is not an ARN matches no ARN pattern', () => {
    expect(holds('ArnLike', 'arn:*:*:*:*:*', 'not-an-arn')).toBe(false)
    expect(holds('ArnLike', 'arn:*:*:*:*:*', 'urn:aws:kms:r:a:key/x')).toBe(false)
    expect(holds('ArnLike', 'arn:*:*:*:*:*', 'arn:aws:kms:r:a')).toBe(false)
  })

  it('ArnNotEquals / ArnNotLike negate, and hold when the key is absent', () => {
    expect(holds('ArnNotLike', `arn:aws:kms:*:${OTHER}:key/*`, arn)).toBe(true)
    expect(holds('ArnNotLike', `arn:aws:kms:*:${ACCT}:key/*`, arn)).toBe(false)
    expect(holds('ArnNotEquals', arn, arn)).toBe(false)
    expect(holds('ArnNotEquals', arn, OTHER_KEY_ARN)).toBe(true)
    expect(holds('ArnNotLike', arn, undefined)).toBe(true)
    expect(holds('ArnLike', arn, undefined)).toBe(false)
  })
})

// ---------------------------------------------------------------------------------------------
// conditions.ts: absent keys, IfExists, set operators
// ---------------------------------------------------------------------------------------------

describe('absent keys and ...IfExists', () => {
  const positive = ['StringEquals', 'StringEqualsIgnoreCase', 'StringLike', 'NumericEquals', 'NumericLessThan', 'NumericLessThanEquals', 'NumericGreaterThan', 'NumericGreaterThanEquals', 'DateEquals', 'DateLessThan', 'DateLessThanEquals', 'DateGreaterThan', 'DateGreaterThanEquals', 'Bool', 'BinaryEquals', 'IpAddress', 'ArnEquals', 'ArnLike']
  const negated = ['StringNotEquals', 'StringNotEqualsIgnoreCase', 'StringNotLike', 'NumericNotEquals', 'DateNotEquals', 'NotIpAddress', 'ArnNotEquals', 'ArnNotLike']
  const sample: Record<string, string> = {
    String: 'x',
    Numeric: '1',
    Date: '1577836800',
    Bool: 'true',
    Binary: 'eA==',
    IpAddress: '10.0.0.0/8',
    NotIpAddress: '10.0.0.0/8',
    Arn: 'arn:aws:kms:*:*:key/*',
  }
  const valueFor = (op: string) => sample[Object.keys(sample).find((prefix) => op.startsWith(prefix))!]!

  it('an absent key makes every positive operator false', () => {
    for (const op of positive) expect(holds(op, valueFor(op), undefined), op).toBe(false)
  })

  it('an absent key makes every negated operator true', () => {
    for (const op of negated) expect(holds(op, valueFor(op), undefined), op).toBe(true)
  })

  it('...IfExists: true when the key is absent, the plain operator when present', () => {
    for (const op of [...positive, ...negated]) expect(holds(`${op}IfExists`, valueFor(op), undefined), `${op}IfExists`).toBe(true)
    expect(holds('StringEqualsIfExists', 'a', 'a')).toBe(true)
    expect(holds('StringEqualsIfExists', 'a', 'b')).toBe(false)
    expect(holds('StringNotEqualsIfExists', 'a', 'a')).toBe(false)
    expect(holds('NumericLessThanIfExists', '5', '7')).toBe(false)
    expect(holds('IpAddressIfExists', '10.0.0.0/8', '11.0.0.1')).toBe(false)
    expect(holds('ArnLikeIfExists', 'arn:aws:kms:*:*:key/*', KEY_ARN)).toBe(true)
  })

  it('an empty value list counts as absent', () => {
    expect(holds('StringEquals', 'a', [])).toBe(false)
    expect(holds('StringNotEquals', 'a', [])).toBe(true)
    expect(holds('StringEqualsIfExists', 'a', [])).toBe(true)
  })

  it('the clause records what was parsed', () => {
    expect(clause('ForAnyValue:StringLikeIfExists', ['a*', 1, true], 'kms:EncryptionContextKeys')).toEqual({
      operator: 'ForAnyValue:StringLikeIfExists',
      base: 'StringLike',
      ifExists: true,
      set: 'ForAnyValue',
      key: 'kms:EncryptionContextKeys',
      values: ['a*', '1', 'true'],
    })
    expect(clause('StringEquals', 'v')).toEqual({ operator: 'StringEquals', base: 'StringEquals', ifExists: false, key: 'test:Key', values: ['v'] })
  })
})

describe('ForAllValues / ForAnyValue (multivalued keys)', () => {
  it('ForAllValues: every request value must match some policy value (request ⊆ policy)', () => {
    expect(holds('ForAllValues:StringEquals', ['Purpose', 'Team'], ['Purpose'])).toBe(true)
    expect(holds('ForAllValues:StringEquals', ['Purpose', 'Team'], ['Team', 'Purpose'])).toBe(true)
    expect(holds('ForAllValues:StringEquals', ['Purpose', 'Team'], ['Purpose', 'Other'])).toBe(false)
    expect(holds('ForAllValues:StringLike', 'Created*', ['CreatedBy', 'CreatedAt'])).toBe(true)
    expect(holds('ForAllValues:StringLike', 'Created*', ['CreatedBy', 'Owner'])).toBe(false)
  })

  it('ForAllValues is true when the key is absent or its set is empty', () => {
    expect(holds('ForAllValues:StringEquals', ['Purpose'], undefined)).toBe(true)
    expect(holds('ForAllValues:StringEquals', ['Purpose'], [])).toBe(true)
  })

  it('ForAnyValue: at least one request value matches some policy value', () => {
    expect(holds('ForAnyValue:StringEquals', ['Purpose', 'Team'], ['Other', 'Team'])).toBe(true)
    expect(holds('ForAnyValue:StringEquals', ['Purpose', 'Team'], ['Other', 'More'])).toBe(false)
    expect(holds('ForAnyValue:StringLike', 'Team*', ['Owner', 'TeamName'])).toBe(true)
    expect(holds('ForAnyValue:StringEqualsIgnoreCase', 'purpose', ['PURPOSE'])).toBe(true)
  })

  it('ForAnyValue is false when the key is absent or its set is empty', () => {
    expect(holds('ForAnyValue:StringEquals', ['Purpose'], undefined)).toBe(false)
    expect(holds('ForAnyValue:StringEquals', ['Purpose'], [])).toBe(false)
    // Observed AWS behaviour too: IfExists does not rescue ForAnyValue on a missing key.
    expect(holds('ForAnyValue:StringEqualsIfExists', ['Purpose'], undefined)).toBe(false)
  })

  it('with a negated operator the negation applies per request value', () => {
    // ForAllValues:StringNotEquals — no request value may be one of the policy values.
    expect(holds('ForAllValues:StringNotEquals', ['Secret'], ['Purpose', 'Team'])).toBe(true)
    expect(holds('ForAllValues:StringNotEquals', ['Secret'], ['Purpose', 'Secret'])).toBe(false)
    // ForAnyValue:StringNotEquals — some request value is none of the policy values.
    expect(holds('ForAnyValue:StringNotEquals', ['Purpose'], ['Purpose', 'Team'])).toBe(true)
    expect(holds('ForAnyValue:StringNotEquals', ['Purpose'], ['Purpose'])).toBe(false)
    expect(holds('ForAnyValue:StringNotLike', ['P*'], undefined)).toBe(false)
    expect(holds('ForAllValues:StringNotLike', ['P*'], undefined)).toBe(true)
  })

  it('a single-valued key behaves as a set of one', () => {
    expect(holds('ForAnyValue:StringEquals', ['a', 'b'], 'b')).toBe(true)
    expect(holds('ForAllValues:StringEquals', ['a', 'b'], 'c')).toBe(false)
  })

  it('works with the other operator families', () => {
    expect(holds('ForAllValues:NumericLessThan', '10', ['1', '2', '9'])).toBe(true)
    expect(holds('ForAllValues:NumericLessThan', '10', ['1', '20'])).toBe(false)
    expect(holds('ForAnyValue:IpAddress', '10.0.0.0/8', ['192.168.0.1', '10.1.1.1'])).toBe(true)
    expect(holds('ForAnyValue:ArnLike', 'arn:aws:iam::*:role/admin-*', ['arn:aws:iam::111122223333:role/admin-x'])).toBe(true)
  })

  it('property: ForAllValues:StringEquals is the subset test, ForAnyValue:StringEquals the intersection test', () => {
    const word = fc.constantFrom('a', 'b', 'c', 'd', 'e')
    fc.assert(
      fc.property(fc.array(word, { minLength: 1, maxLength: 4 }), fc.array(word, { maxLength: 4 }), (policy, req) => {
        expect(holds('ForAllValues:StringEquals', policy, req)).toBe(req.every((v) => policy.includes(v)))
        expect(holds('ForAnyValue:StringEquals', policy, req)).toBe(req.some((v) => policy.includes(v)))
      }),
    )
  })
})

describe('condition key names are case-insensitive (the KMS request context)', () => {
  const call = {
    operation: 'Encrypt',
    now: new Date('2026-01-01T00:00:00Z'),
    caller: { principal: `arn:aws:iam::${ACCT}:user/alice`, accountId: ACCT, sourceIp: '203.0.113.9' },
  }
  const lookup = conditionLookup(call, undefined, { encryptionContext: pairs({ Purpose: 'backup', Team: 'pay' }) })

  it('global and kms: keys in any case', () => {
    for (const key of ['kms:CallerAccount', 'KMS:CALLERACCOUNT', 'kms:calleraccount']) {
      expect(conditionHolds(clause('StringEquals', ACCT, key), lookup), key).toBe(true)
    }
    for (const key of ['aws:SourceIp', 'AWS:sourceip']) {
      expect(conditionHolds(clause('IpAddress', '203.0.113.0/24', key), lookup), key).toBe(true)
    }
    expect(conditionHolds(clause('DateEquals', '2026-01-01T00:00:00Z', 'AWS:CURRENTTIME'), lookup)).toBe(true)
  })

  it('kms:EncryptionContext:<key>, the context key part included; the value stays case-sensitive', () => {
    expect(conditionHolds(clause('StringEquals', 'backup', 'kms:EncryptionContext:Purpose'), lookup)).toBe(true)
    expect(conditionHolds(clause('StringEquals', 'backup', 'kms:encryptioncontext:purpose'), lookup)).toBe(true)
    expect(conditionHolds(clause('StringEquals', 'Backup', 'kms:EncryptionContext:Purpose'), lookup)).toBe(false)
    expect(conditionHolds(clause('StringEqualsIgnoreCase', 'Backup', 'kms:EncryptionContext:Purpose'), lookup)).toBe(true)
    expect(conditionHolds(clause('Null', 'true', 'kms:EncryptionContext:Missing'), lookup)).toBe(true)
  })

  it('kms:EncryptionContextKeys is multivalued', () => {
    expect(conditionHolds(clause('ForAllValues:StringEquals', ['Purpose', 'Team', 'Other'], 'KMS:EncryptionContextKeys'), lookup)).toBe(true)
    expect(conditionHolds(clause('ForAllValues:StringEquals', ['Purpose'], 'kms:EncryptionContextKeys'), lookup)).toBe(false)
    expect(conditionHolds(clause('ForAnyValue:StringEquals', ['Team'], 'kms:encryptioncontextkeys'), lookup)).toBe(true)
  })
})

describe('parseCondition refusals', () => {
  const parse = (operator: string, block: unknown) => () => parseCondition(operator, block, 'Statement[2].Condition')

  it('unknown operators, named in the message', () => {
    malformed(parse('StringEqualz', { 'a:b': 'x' }), /Statement\[2\]\.Condition: unknown condition operator "StringEqualz"/)
    malformed(parse('stringequals', { 'a:b': 'x' }), /unknown condition operator "stringequals"/)
    malformed(parse('ForSomeValues:StringEquals', { 'a:b': 'x' }), /unknown condition operator/)
    malformed(parse('IfExists', { 'a:b': 'x' }), /unknown condition operator/)
    malformed(parse('NumericNotLessThan', { 'a:b': '1' }), /unknown condition operator/)
  })

  it('Null takes neither IfExists nor a set operator', () => {
    malformed(parse('NullIfExists', { 'a:b': 'true' }), /Null operator takes neither/)
    malformed(parse('ForAllValues:Null', { 'a:b': 'true' }), /Null operator takes neither/)
    malformed(parse('Null', { 'a:b': 'maybe' }), /"maybe" is not "true" or "false"/)
  })

  it('values that do not suit the operator', () => {
    malformed(parse('NumericEquals', { 'a:b': 'ten' }), /Statement\[2\]\.Condition\.NumericEquals\.a:b: "ten" is not a number/)
    malformed(parse('NumericLessThan', { 'a:b': ['1', 'two'] }), /"two" is not a number/)
    malformed(parse('NumericGreaterThanIfExists', { 'a:b': '' }), /is not a number/)
    malformed(parse('DateLessThan', { 'a:b': 'tomorrow' }), /"tomorrow" is not a date/)
    malformed(parse('DateEquals', { 'a:b': '2020-13-45T00:00:00Z' }), /is not a date/)
    malformed(parse('Bool', { 'a:b': 'yes' }), /"yes" is not "true" or "false"/)
    malformed(parse('IpAddress', { 'aws:SourceIp': '10.0.0.0/33' }), /"10\.0\.0\.0\/33" is not an IP address or CIDR block/)
    malformed(parse('NotIpAddress', { 'aws:SourceIp': '300.1.1.1/8' }), /is not an IP address or CIDR block/)
    malformed(parse('IpAddress', { 'aws:SourceIp': '2001:db8::/129' }), /is not an IP address or CIDR block/)
    malformed(parse('ForAnyValue:IpAddress', { 'aws:SourceIp': 'example.com' }), /is not an IP address or CIDR block/)
  })

  it('the block must be a non-empty object of prefixed keys with scalar values', () => {
    malformed(parse('StringEquals', 'x'), /StringEquals must be an object of condition keys and values/)
    malformed(parse('StringEquals', ['a:b']), /must be an object/)
    malformed(parse('StringEquals', null), /must be an object/)
    malformed(parse('StringEquals', {}), /must be an object/)
    malformed(parse('StringEquals', { CallerAccount: 'x' }), /"CallerAccount" is not a condition key/)
    malformed(parse('StringEquals', { 'a:b': [] }), /must be a string, number, boolean or a non-empty array of them/)
    malformed(parse('StringEquals', { 'a:b': { x: 1 } }), /must be a string, number, boolean/)
    malformed(parse('StringEquals', { 'a:b': null }), /must be a string, number, boolean/)
    malformed(parse('StringEquals', { 'a:b': ['x', ['y']] }), /must be a string, number, boolean/)
  })

  it('policy variables are refused, not taken literally', () => {
    malformed(parse('StringEquals', { 'aws:username': '${aws:username}' }), /policy variables \(\$\{aws:username\}\) are not supported/)
    malformed(parse('StringLike', { 'a:b': ['ok', 'home/${aws:userid}/*'] }), /policy variables/)
  })

  it('a condition key no request carries is refused, so that no Deny on it is silently dead; every supported key is accepted', () => {
    for (const key of ['kms:ScheduleKeyDeletionPendingWindowInDays', 'kms:ResourceAliases', 'kms:RotationPeriodInDays', 'aws:TagKeys', 'aws:RequestTag/owner', 'kms:GrantConstraintType', 'aws:SecureTransport', 's3:prefix', 'kms:EncryptionContext:']) {
      malformed(() => keyPolicy(stmt({ Effect: 'Deny', Condition: { NumericLessThan: { [key]: '30' } } })), new RegExp(`condition key "${key.replace(/[/:]/g, '\\$&')}" is not supported here`))
      malformed(() => identityPolicy(stmt({ Condition: { StringEquals: { [key]: 'x' } } }, 'identity')))
    }
    const supported = [
      'kms:BypassPolicyLockoutSafetyCheck', 'kms:CallerAccount', 'kms:DataKeyPairSpec', 'kms:EncryptionAlgorithm', 'kms:EncryptionContextKeys',
      'kms:ExpirationModel', 'kms:GrantIsForAWSResource', 'kms:GrantOperations', 'kms:GranteePrincipal', 'kms:KeyAgreementAlgorithm', 'kms:KeyOrigin',
      'kms:KeySpec', 'kms:KeyUsage', 'kms:MacAlgorithm', 'kms:MessageType', 'kms:MultiRegion', 'kms:RequestAlias', 'kms:RetiringPrincipal',
      'kms:SigningAlgorithm', 'kms:ValidTo', 'kms:ViaService', 'kms:WrappingAlgorithm', 'kms:WrappingKeySpec', 'aws:CurrentTime', 'aws:EpochTime',
      'aws:MultiFactorAuthPresent', 'aws:PrincipalAccount', 'aws:PrincipalArn', 'aws:SourceIp', 'aws:ViaAWSService', 'kms:EncryptionContext:tenant',
      'aws:ResourceTag/owner', 'KMS:CALLERACCOUNT',
    ]
    for (const key of supported) expect(() => keyPolicy(stmt({ Condition: { Null: { [key]: 'false' } } }))).not.toThrow()
  })

  it('one clause per key, in order', () => {
    const clauses = parseCondition('StringEquals', { 'kms:CallerAccount': ACCT, 'kms:ViaService': ['s3.us-east-1.amazonaws.com', 'ebs.us-east-1.amazonaws.com'] }, 'C')
    expect(clauses.map((c) => [c.key, c.values])).toEqual([
      ['kms:CallerAccount', [ACCT]],
      ['kms:ViaService', ['s3.us-east-1.amazonaws.com', 'ebs.us-east-1.amazonaws.com']],
    ])
  })
})

// ---------------------------------------------------------------------------------------------
// document.ts
// ---------------------------------------------------------------------------------------------

describe('parsePolicy: what it accepts', () => {
  it('parses the default key policy', () => {
    const policy = parsePolicy(defaultKeyPolicy('aws', ACCT), 'key')
    expect(policy).toEqual({
      version: '2012-10-17',
      id: 'key-default-1',
      statements: [
        {
          index: 0,
          sid: 'Enable IAM User Permissions',
          effect: 'Allow',
          principal: { any: false, aws: [`arn:aws:iam::${ACCT}:root`], service: [] },
          action: ['kms:*'],
          resource: ['*'],
          conditions: [],
        },
      ],
    })
  })

  it('the default key policy that keys start with, already parsed, is what the parser makes of its text', () => {
    for (const [partition, account] of [['aws', ACCT], ['aws-cn', '000000000000'], ['aws-us-gov', '999999999999']] as const) {
      expect(parsedDefaultKeyPolicy(partition, account)).toEqual(parsePolicy(defaultKeyPolicy(partition, account), 'key'))
    }
  })

  it('Statement may be a single object; Version may be 2008-10-17, and defaults to it', () => {
    expect(parsePolicy(JSON.stringify({ Version: '2012-10-17', Statement: stmt({}) }), 'key').statements).toHaveLength(1)
    expect(parsePolicy(JSON.stringify({ Version: '2008-10-17', Statement: [stmt({})] }), 'key').version).toBe('2008-10-17')
    expect(parsePolicy(JSON.stringify({ Statement: [stmt({})] }), 'key').version).toBe('2008-10-17')
  })

  it('principals: "*", { AWS: "*" }, account IDs, IAM and STS ARNs, services', () => {
    const p = (principal: unknown) => parsePolicy(policyText([stmt({ Principal: principal })]), 'key').statements[0]!.principal
    expect(p('*')).toEqual({ any: true, aws: [], service: [] })
    expect(p({ AWS: '*' })).toMatchObject({ any: true })
    expect(p({ AWS: ['*'] })).toMatchObject({ any: true })
    expect(p({ AWS: ACCT })).toEqual({ any: false, aws: [ACCT], service: [] })
    expect(p({ AWS: [`arn:aws:iam::${ACCT}:user/alice`, `arn:aws:iam::${OTHER}:role/r`, `arn:aws:sts::${ACCT}:assumed-role/r/s`] })?.aws).toHaveLength(3)
    expect(p({ Service: 'CloudTrail.amazonaws.com' })).toEqual({ any: false, aws: [], service: ['cloudtrail.amazonaws.com'] })
    expect(p({ Federated: 'cognito-identity.amazonaws.com' })).toEqual({ any: false, aws: [], service: [] })
    expect(p({ CanonicalUser: '79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be' })).toEqual({ any: false, aws: [], service: [] })
  })

  it('actions are lower-cased; resources kept as written; conditions collected in order', () => {
    const s = parsePolicy(
      policyText([
        stmt({
          Sid: 'Use',
          Action: ['KMS:Encrypt', 'kms:Describe*', 'kms:Re?ncrypt*'],
          Resource: [KEY_ARN, 'arn:aws:kms:*:111122223333:key/*'],
          Condition: { StringEquals: { 'kms:CallerAccount': ACCT }, Bool: { 'aws:MultiFactorAuthPresent': true } },
        }),
      ]),
      'key',
    ).statements[0]!
    expect(s.sid).toBe('Use')
    expect(s.action).toEqual(['kms:encrypt', 'kms:describe*', 'kms:re?ncrypt*'])
    expect(s.resource).toEqual([KEY_ARN, 'arn:aws:kms:*:111122223333:key/*'])
    expect(s.conditions.map((c) => c.operator)).toEqual(['StringEquals', 'Bool'])
    expect(s.conditions[1]!.values).toEqual(['true'])
  })

  it('NotAction, NotResource and NotPrincipal (with Deny)', () => {
    const s = parsePolicy(policyText([{ Effect: 'Deny', NotPrincipal: { AWS: `arn:aws:iam::${ACCT}:root` }, NotAction: 'kms:Decrypt', NotResource: KEY_ARN }]), 'key').statements[0]!
    expect(s.notPrincipal?.aws).toEqual([`arn:aws:iam::${ACCT}:root`])
    expect(s.principal).toBeUndefined()
    expect(s.notAction).toEqual(['kms:decrypt'])
    expect(s.action).toBeUndefined()
    expect(s.notResource).toEqual([KEY_ARN])
    expect(s.resource).toBeUndefined()
  })

  it('identity policies have no Principal', () => {
    const policy = parsePolicy(policyText([{ Effect: 'Allow', Action: 'kms:Encrypt', Resource: KEY_ARN }]), 'identity')
    expect(policy.statements[0]!.principal).toBeUndefined()
  })

  it('empty Sids may repeat; distinct Sids are fine', () => {
    expect(() => parsePolicy(policyText([stmt({ Sid: '' }), stmt({ Sid: '' }), stmt({})]), 'key')).not.toThrow()
    expect(() => parsePolicy(policyText([stmt({ Sid: 'A' }), stmt({ Sid: 'B' })]), 'key')).not.toThrow()
  })

  it(`exactly ${MAX_KEY_POLICY_BYTES} bytes is accepted`, () => {
    const base = policyText([stmt({})], { Id: '' })
    const text = base.replace('"Id":""', `"Id":"${'x'.repeat(MAX_KEY_POLICY_BYTES - base.length)}"`)
    expect(new TextEncoder().encode(text).length).toBe(MAX_KEY_POLICY_BYTES)
    expect(parsePolicy(text, 'key').statements).toHaveLength(1)
  })
})

describe('parsePolicy: refusals, with useful messages', () => {
  const key = (text: string) => () => parsePolicy(text, 'key')
  const identity = (text: string) => () => parsePolicy(text, 'identity')
  const keyWith = (overrides: Record<string, unknown>) => key(policyText([stmt({}), stmt(overrides)]))

  it('not JSON, or not an object', () => {
    malformed(key(''), /not valid JSON/)
    malformed(key('{"Version": "2012-10-17",'), /not valid JSON/)
    malformed(key("{'Version': '2012-10-17'}"), /not valid JSON/)
    malformed(key('[]'), /must be a JSON object/)
    malformed(key('"policy"'), /must be a JSON object/)
    malformed(key('null'), /must be a JSON object/)
  })

  it('bad or unknown top-level elements', () => {
    malformed(key(policyText([stmt({})], { Version: '2012-10-18' })), /Version must be "2012-10-17".*got "2012-10-18"/)
    malformed(key(policyText([stmt({})], { Version: 2012 })), /Version must be/)
    malformed(key(policyText([stmt({})], { Id: 7 })), /Id must be a string/)
    malformed(key(policyText([stmt({})], { Statements: [] })), /Unknown top-level element "Statements"/)
    malformed(key(JSON.stringify({ Version: '2012-10-17' })), /Statement must be/)
    malformed(key(JSON.stringify({ Version: '2012-10-17', Statement: [] })), /Statement must be/)
    malformed(key(JSON.stringify({ Version: '2012-10-17', Statement: 'Allow' })), /Statement must be/)
    malformed(key(JSON.stringify({ Version: '2012-10-17', Statement: ['Allow'] })), /Statement\[0\] must be an object/)
  })

  it('Effect missing or not exactly Allow/Deny', () => {
    const noEffect = stmt({})
    delete noEffect.Effect
    malformed(key(policyText([stmt({}), noEffect])), /Statement\[1\]\.Effect must be "Allow" or "Deny", got undefined/)
    malformed(keyWith({ Effect: 'allow' }), /Statement\[1\]\.Effect must be "Allow" or "Deny", got "allow"/)
    malformed(keyWith({ Effect: true }), /Effect must be/)
  })

  it('Action / NotAction: exactly one, well-formed', () => {
    malformed(keyWith({ NotAction: 'kms:Decrypt' }), /Statement\[1\] must have exactly one of Action or NotAction/)
    const noAction = stmt({})
    delete noAction.Action
    malformed(key(policyText([noAction])), /Statement\[0\] must have exactly one of Action or NotAction/)
    malformed(keyWith({ Action: 'Encrypt' }), /Statement\[1\]\.Action: "Encrypt" is not an action/)
    malformed(keyWith({ Action: 'kms:Encrypt Decrypt' }), /is not an action/)
    malformed(keyWith({ Action: [] }), /Statement\[1\]\.Action must be a string or a non-empty array of strings/)
    malformed(keyWith({ Action: [''] }), /must be a string or a non-empty array/)
    malformed(keyWith({ Action: 42 }), /must be a string or a non-empty array/)
  })

  it('Resource / NotResource: exactly one, "*" or an ARN', () => {
    malformed(keyWith({ NotResource: KEY_ARN }), /Statement\[1\] cannot have both Resource and NotResource/)
    const noResource = stmt({})
    delete noResource.Resource
    malformed(key(policyText([noResource])), /Statement\[0\] has no Resource/)
    malformed(keyWith({ Resource: `key/${KEY_ID}` }), /Statement\[1\]\.Resource: "key\/.*" is not a resource/)
    malformed(keyWith({ Resource: ['*', 'alias/x'] }), /is not a resource/)
  })

  it('unknown statement elements, by name', () => {
    malformed(keyWith({ Actions: 'kms:*' }), /Statement\[1\]: unknown element "Actions"/)
    malformed(keyWith({ effect: 'Allow' }), /unknown element "effect"/)
    malformed(keyWith({ Comment: 'x' }), /unknown element "Comment"/)
  })

  it('unknown condition operators and bad condition values, naming the statement', () => {
    malformed(keyWith({ Condition: { StringMatches: { 'kms:CallerAccount': ACCT } } }), /Statement\[1\]\.Condition: unknown condition operator "StringMatches"/)
    malformed(keyWith({ Condition: { NumericEquals: { 'test:n': 'ten' } } }), /Statement\[1\]\.Condition\.NumericEquals\.test:n: "ten" is not a number/)
    malformed(keyWith({ Condition: { IpAddress: { 'aws:SourceIp': '10.0.0.0/40' } } }), /Statement\[1\]\.Condition\.IpAddress\.aws:SourceIp: "10\.0\.0\.0\/40" is not an IP address or CIDR block/)
    malformed(keyWith({ Condition: { NotIpAddress: { 'aws:SourceIp': ['10.0.0.0/8', 'ten'] } } }), /"ten" is not an IP address or CIDR block/)
    malformed(keyWith({ Condition: 'StringEquals' }), /Statement\[1\]\.Condition must be an object of operators/)
    malformed(keyWith({ Condition: [] }), /Condition must be an object of operators/)
  })

  it('key policy statements must name a Principal', () => {
    const noPrincipal = stmt({})
    delete noPrincipal.Principal
    malformed(key(policyText([stmt({}), noPrincipal])), /Statement\[1\] has no Principal: a key policy statement must name one/)
  })

  it('identity policies must not name one', () => {
    malformed(identity(policyText([stmt({})])), /Statement\[0\]: an identity policy cannot have Principal or NotPrincipal/)
    malformed(identity(policyText([{ Effect: 'Deny', NotPrincipal: { AWS: ACCT }, Action: 'kms:*', Resource: '*' }])), /identity policy cannot have Principal or NotPrincipal/)
  })

  it('Principal and NotPrincipal are exclusive; NotPrincipal only with Deny', () => {
    malformed(keyWith({ Effect: 'Deny', NotPrincipal: { AWS: ACCT } }), /Statement\[1\] cannot have both Principal and NotPrincipal/)
    const allowNot = { Effect: 'Allow', NotPrincipal: { AWS: `arn:aws:iam::${ACCT}:user/alice` }, Action: 'kms:*', Resource: '*' }
    malformed(key(policyText([stmt({}), allowNot])), /Statement\[1\]: NotPrincipal can only be used with "Effect": "Deny"/)
  })

  it('malformed principals', () => {
    malformed(keyWith({ Principal: 'alice' }), /Statement\[1\]\.Principal must be "\*" or an object/)
    malformed(keyWith({ Principal: {} }), /Principal must be "\*" or an object/)
    malformed(keyWith({ Principal: ['*'] }), /Principal must be "\*" or an object/)
    malformed(keyWith({ Principal: { AWS: 'alice' } }), /Statement\[1\]\.Principal\.AWS: "alice" is not a valid principal/)
    malformed(keyWith({ Principal: { AWS: '12345' } }), /"12345" is not a valid principal/)
    malformed(keyWith({ Principal: { AWS: `arn:aws:s3:::bucket` } }), /is not a valid principal/)
    malformed(keyWith({ Principal: { AWS: [] } }), /Principal\.AWS must be a string or a non-empty array/)
    malformed(keyWith({ Principal: { Aws: ACCT } }), /Statement\[1\]\.Principal: unknown principal type "Aws"/)
  })

  it('Sid must be a string and unique', () => {
    malformed(key(policyText([stmt({ Sid: 'Same' }), stmt({ Sid: 'Other' }), stmt({ Sid: 'Same' })])), /Statement IDs \(Sid\) must be unique: "Same" appears twice/)
    malformed(keyWith({ Sid: 1 }), /Statement\[1\]\.Sid must be a string/)
  })

  it(`larger than ${MAX_KEY_POLICY_BYTES} bytes, counted in UTF-8`, () => {
    const base = policyText([stmt({})], { Id: '' })
    const over = base.replace('"Id":""', `"Id":"${'x'.repeat(MAX_KEY_POLICY_BYTES - base.length + 1)}"`)
    malformed(key(over), new RegExp(`larger than ${MAX_KEY_POLICY_BYTES} bytes`))
    const identityBase = policyText([stmt({}, 'identity')], { Id: '' })
    malformed(identity(identityBase.replace('"Id":""', `"Id":"${'x'.repeat(MAX_KEY_POLICY_BYTES - identityBase.length + 1)}"`)), /larger than/)
    // Fewer characters than the limit, more bytes: "é" is two bytes in UTF-8.
    const wide = base.replace('"Id":""', `"Id":"${'é'.repeat(Math.ceil((MAX_KEY_POLICY_BYTES - base.length) / 2) + 1)}"`)
    expect(wide.length).toBeLessThan(MAX_KEY_POLICY_BYTES)
    malformed(key(wide), /larger than/)
  })

  it('policy variables are refused wherever they appear', () => {
    malformed(keyWith({ Resource: 'arn:aws:kms:*:111122223333:key/${aws:username}' }), /Statement\[1\]\.Resource: policy variables \(.*\) are not supported/)
    malformed(keyWith({ Principal: { AWS: 'arn:aws:iam::111122223333:user/${aws:username}' } }), /policy variables/)
    malformed(keyWith({ Condition: { StringEquals: { 'kms:EncryptionContext:user': '${aws:username}' } } }), /policy variables/)
    malformed(identity(policyText([{ Effect: 'Allow', Action: 'kms:*', Resource: 'arn:aws:kms:*:*:key/${aws:PrincipalTag/key}' }])), /policy variables/)
  })
})

// ---------------------------------------------------------------------------------------------
// evaluate.ts
// ---------------------------------------------------------------------------------------------

describe('evaluateAccess: the key policy and the account', () => {
  it('the default key policy lets the account root in directly', async () => {
    const d = await evaluateAccess(request({ principal: root() }))
    expect(d.decision).toBe('Allow')
    expect(d.decidedBy).toEqual({ source: 'key policy', statement: 0, sid: 'Enable IAM User Permissions' })
  })

  it('a user of the account needs an identity policy too (the key policy only delegates to IAM)', async () => {
    const alice = user('alice')
    const denied = await evaluateAccess(request({ principal: alice }))
    expect(denied.decision).toBe('ImplicitDeny')
    expect(denied.decidedBy).toBeUndefined()
    expect(denied.reason).toMatch(/lets the account's identity policies decide/)

    const allowed = await evaluateAccess(request({ principal: alice, identityPolicies: [allowAllIdentity(alice.arn)] }))
    expect(allowed.decision).toBe('Allow')
    expect(allowed.decidedBy).toEqual({ source: 'identity policy', owner: alice.arn, name: 'kms-all', statement: 0, delegatedBy: { statement: 0, sid: 'Enable IAM User Permissions' } })
  })

  it('the principal as an account ID means the same as the root ARN', async () => {
    const policy = keyPolicy(stmt({ Principal: { AWS: ACCT } }))
    expect((await evaluateAccess(request({ principal: root(), keyPolicy: policy }))).decision).toBe('Allow')
    expect((await evaluateAccess(request({ principal: user('alice'), keyPolicy: policy }))).decision).toBe('ImplicitDeny')
    const alice = user('alice')
    expect((await evaluateAccess(request({ principal: alice, keyPolicy: policy, identityPolicies: [allowAllIdentity(alice.arn)] }))).decision).toBe('Allow')
  })

  it('a key policy that names the user allows it without an identity policy', async () => {
    const policy = keyPolicy(stmt({ Sid: 'Alice', Principal: { AWS: `arn:aws:iam::${ACCT}:user/alice` }, Action: ['kms:Encrypt', 'kms:Decrypt'] }))
    const d = await evaluateAccess(request({ principal: user('alice'), keyPolicy: policy }))
    expect(d).toMatchObject({ decision: 'Allow', decidedBy: { source: 'key policy', statement: 0, sid: 'Alice' } })
    expect((await evaluateAccess(request({ principal: user('bob'), keyPolicy: policy }))).decision).toBe('ImplicitDeny')
    expect((await evaluateAccess(request({ principal: user('alice'), keyPolicy: policy, action: 'kms:ScheduleKeyDeletion' }))).decision).toBe('ImplicitDeny')
  })

  it('Principal "*" allows anyone in the account directly', async () => {
    const policy = keyPolicy(stmt({ Principal: '*', Action: 'kms:Encrypt' }))
    expect((await evaluateAccess(request({ principal: user('anyone'), keyPolicy: policy }))).decision).toBe('Allow')
    expect((await evaluateAccess(request({ principal: session('r', 's'), keyPolicy: policy }))).decision).toBe('Allow')
  })

  it('without a key policy statement for the account, identity policies alone do not allow', async () => {
    const alice = user('alice')
    const policy = keyPolicy(stmt({ Principal: { AWS: `arn:aws:iam::${ACCT}:user/admin` } }))
    const d = await evaluateAccess(request({ principal: alice, keyPolicy: policy, identityPolicies: [allowAllIdentity(alice.arn)] }))
    expect(d.decision).toBe('ImplicitDeny')
    expect((await evaluateAccess(request({ principal: root(), keyPolicy: policy }))).decision).toBe('ImplicitDeny')
  })

  it('action patterns are case-insensitive and may use wildcards', async () => {
    const policy = keyPolicy(stmt({ Principal: { AWS: `arn:aws:iam::${ACCT}:user/alice` }, Action: ['KMS:encrypt', 'kms:GenerateDataKey*'] }))
    const alice = user('alice')
    expect((await evaluateAccess(request({ principal: alice, keyPolicy: policy, action: 'kms:Encrypt' }))).decision).toBe('Allow')
    expect((await evaluateAccess(request({ principal: alice, keyPolicy: policy, action: 'kms:GenerateDataKeyWithoutPlaintext' }))).decision).toBe('Allow')
    expect((await evaluateAccess(request({ principal: alice, keyPolicy: policy, action: 'kms:Decrypt' }))).decision).toBe('ImplicitDeny')
  })
})

describe('evaluateAccess: explicit deny wins', () => {
  const alice = user('alice')

  it('a key policy Deny beats a key policy Allow, in whichever order', async () => {
    const deny = stmt({ Sid: 'NoDelete', Effect: 'Deny', Principal: '*', Action: 'kms:ScheduleKeyDeletion' })
    for (const policy of [keyPolicy(stmt({}), deny), keyPolicy(deny, stmt({}))]) {
      const d = await evaluateAccess(request({ principal: root(), keyPolicy: policy, action: 'kms:ScheduleKeyDeletion' }))
      expect(d).toMatchObject({ decision: 'ExplicitDeny', decidedBy: { source: 'key policy', sid: 'NoDelete' } })
      expect(d.reason).toMatch(/explicitly denied/)
      expect((await evaluateAccess(request({ principal: root(), keyPolicy: policy, action: 'kms:Encrypt' }))).decision).toBe('Allow')
    }
  })

  it('an identity policy Deny beats a key policy Allow naming the user', async () => {
    const policy = keyPolicy(stmt({ Principal: { AWS: alice.arn } }))
    const denyDecrypt = { owner: alice.arn, name: 'no-decrypt', policy: identityPolicy({ Sid: 'X', Effect: 'Deny', Action: 'kms:Decrypt', Resource: '*' }) }
    const d = await evaluateAccess(request({ principal: alice, keyPolicy: policy, identityPolicies: [denyDecrypt], action: 'kms:Decrypt' }))
    expect(d).toMatchObject({ decision: 'ExplicitDeny', decidedBy: { source: 'identity policy', owner: alice.arn, name: 'no-decrypt', statement: 0, sid: 'X' } })
    expect((await evaluateAccess(request({ principal: alice, keyPolicy: policy, identityPolicies: [denyDecrypt], action: 'kms:Encrypt' }))).decision).toBe('Allow')
  })

  it('a Deny in one identity policy beats an Allow in another', async () => {
    const policies = [allowAllIdentity(alice.arn), { owner: alice.arn, name: 'deny', policy: identityPolicy({ Effect: 'Deny', Action: 'kms:*', Resource: KEY_ARN }) }]
    expect((await evaluateAccess(request({ principal: alice, identityPolicies: policies }))).decision).toBe('ExplicitDeny')
    expect((await evaluateAccess(request({ principal: alice, identityPolicies: policies, resource: OTHER_KEY_ARN }))).decision).toBe('Allow')
  })

  it('a Deny naming the account applies to every principal of the account', async () => {
    const policy = keyPolicy(stmt({}), stmt({ Effect: 'Deny', Principal: { AWS: ACCT }, Action: 'kms:Decrypt' }))
    expect((await evaluateAccess(request({ principal: root(), keyPolicy: policy, action: 'kms:Decrypt' }))).decision).toBe('ExplicitDeny')
    expect((await evaluateAccess(request({ principal: alice, keyPolicy: policy, action: 'kms:Decrypt', identityPolicies: [allowAllIdentity(alice.arn)] }))).decision).toBe('ExplicitDeny')
  })

  it('a Deny whose condition does not hold denies nothing', async () => {
    const policy = keyPolicy(stmt({}), stmt({ Effect: 'Deny', Principal: '*', Action: 'kms:*', Condition: { NotIpAddress: { 'aws:SourceIp': '203.0.113.0/24' } } }))
    expect((await evaluateAccess(request({ principal: root(), keyPolicy: policy, conditions: context({ 'aws:SourceIp': '203.0.113.5' }) }))).decision).toBe('Allow')
    expect((await evaluateAccess(request({ principal: root(), keyPolicy: policy, conditions: context({ 'aws:SourceIp': '198.51.100.5' }) }))).decision).toBe('ExplicitDeny')
    // No source IP at all: NotIpAddress holds, so the Deny applies.
    expect((await evaluateAccess(request({ principal: root(), keyPolicy: policy }))).decision).toBe('ExplicitDeny')
  })

  it('NotPrincipal with Deny: everyone but the principals it names directly', async () => {
    const admin = user('admin')
    const policy = keyPolicy(stmt({ Principal: '*' }), stmt({ Effect: 'Deny', Principal: undefined, NotPrincipal: { AWS: [admin.arn, `arn:aws:iam::${ACCT}:root`] }, Action: 'kms:Decrypt' }))
    expect((await evaluateAccess(request({ principal: admin, keyPolicy: policy, action: 'kms:Decrypt' }))).decision).toBe('Allow')
    expect((await evaluateAccess(request({ principal: root(), keyPolicy: policy, action: 'kms:Decrypt' }))).decision).toBe('Allow')
    expect((await evaluateAccess(request({ principal: alice, keyPolicy: policy, action: 'kms:Decrypt' }))).decision).toBe('ExplicitDeny')
    expect((await evaluateAccess(request({ principal: alice, keyPolicy: policy, action: 'kms:Encrypt' }))).decision).toBe('Allow')
    // Naming only the account exempts the root, not the account's users.
    const accountOnly = keyPolicy(stmt({ Principal: '*' }), stmt({ Effect: 'Deny', Principal: undefined, NotPrincipal: { AWS: ACCT }, Action: 'kms:*' }))
    expect((await evaluateAccess(request({ principal: root(), keyPolicy: accountOnly }))).decision).toBe('Allow')
    expect((await evaluateAccess(request({ principal: alice, keyPolicy: accountOnly }))).decision).toBe('ExplicitDeny')
  })
})

describe('evaluateAccess: NotAction and NotResource', () => {
  const alice = user('alice')

  it('Allow with NotAction allows every action but those listed', async () => {
    const policy = keyPolicy(stmt({ Principal: { AWS: alice.arn }, Action: undefined, NotAction: ['kms:ScheduleKeyDeletion', 'kms:Put*'] }))
    expect((await evaluateAccess(request({ principal: alice, keyPolicy: policy, action: 'kms:Encrypt' }))).decision).toBe('Allow')
    expect((await evaluateAccess(request({ principal: alice, keyPolicy: policy, action: 'kms:ScheduleKeyDeletion' }))).decision).toBe('ImplicitDeny')
    expect((await evaluateAccess(request({ principal: alice, keyPolicy: policy, action: 'kms:PutKeyPolicy' }))).decision).toBe('ImplicitDeny')
  })

  it('Deny with NotAction denies everything but those listed', async () => {
    const policy = keyPolicy(stmt({ Principal: '*' }), stmt({ Effect: 'Deny', Principal: '*', Action: undefined, NotAction: ['kms:Encrypt', 'kms:Describe*'] }))
    expect((await evaluateAccess(request({ principal: alice, keyPolicy: policy, action: 'kms:Encrypt' }))).decision).toBe('Allow')
    expect((await evaluateAccess(request({ principal: alice, keyPolicy: policy, action: 'kms:DescribeKey' }))).decision).toBe('Allow')
    expect((await evaluateAccess(request({ principal: alice, keyPolicy: policy, action: 'kms:Decrypt' }))).decision).toBe('ExplicitDeny')
  })

  it('an identity policy with NotResource covers every resource but those listed', async () => {
    const ip = { owner: alice.arn, name: 'all-but-one', policy: identityPolicy({ Effect: 'Allow', Action: 'kms:*', NotResource: OTHER_KEY_ARN }) }
    expect((await evaluateAccess(request({ principal: alice, identityPolicies: [ip] }))).decision).toBe('Allow')
    expect((await evaluateAccess(request({ principal: alice, identityPolicies: [ip], resource: OTHER_KEY_ARN }))).decision).toBe('ImplicitDeny')
  })

  it('a Deny with NotResource protects the listed keys only', async () => {
    const deny = { owner: alice.arn, name: 'only-this-key', policy: identityPolicy({ Effect: 'Deny', Action: 'kms:*', NotResource: `arn:aws:kms:*:${ACCT}:key/${KEY_ID}` }) }
    const policies = [allowAllIdentity(alice.arn), deny]
    expect((await evaluateAccess(request({ principal: alice, identityPolicies: policies }))).decision).toBe('Allow')
    expect((await evaluateAccess(request({ principal: alice, identityPolicies: policies, resource: OTHER_KEY_ARN }))).decision).toBe('ExplicitDeny')
  })

  it('identity policy resources are matched with wildcards, case-sensitively', async () => {
    const ip = (resource: string) => [{ owner: alice.arn, name: 'p', policy: identityPolicy({ Effect: 'Allow', Action: 'kms:Encrypt', Resource: resource }) }]
    expect((await evaluateAccess(request({ principal: alice, identityPolicies: ip(`arn:aws:kms:*:${ACCT}:key/*`) }))).decision).toBe('Allow')
    expect((await evaluateAccess(request({ principal: alice, identityPolicies: ip(`arn:aws:kms:*:${OTHER}:key/*`) }))).decision).toBe('ImplicitDeny')
    expect((await evaluateAccess(request({ principal: alice, identityPolicies: ip(KEY_ARN.toUpperCase().replace('ARN:AWS:KMS', 'arn:aws:kms')) }))).decision).toBe('ImplicitDeny')
  })
})

describe('evaluateAccess: conditions in statements', () => {
  const alice = user('alice')

  it('several keys in one operator, and several operators, must all hold (AND); values of one key are ORed', async () => {
    const policy = keyPolicy(
      stmt({
        Principal: { AWS: alice.arn },
        Condition: {
          StringEquals: { 'kms:CallerAccount': ACCT, 'kms:EncryptionContext:Team': ['pay', 'ops'] },
          IpAddress: { 'aws:SourceIp': ['203.0.113.0/24', '2001:db8::/32'] },
        },
      }),
    )
    const decide = (entries: Record<string, string | undefined>) => evaluateAccess(request({ principal: alice, keyPolicy: policy, conditions: context(entries) })).then((d) => d.decision)
    const ok = { 'kms:CallerAccount': ACCT, 'kms:EncryptionContext:Team': 'ops', 'aws:SourceIp': '2001:db8::7' }
    expect(await decide(ok)).toBe('Allow')
    expect(await decide({ ...ok, 'kms:EncryptionContext:Team': 'pay', 'aws:SourceIp': '203.0.113.200' })).toBe('Allow')
    expect(await decide({ ...ok, 'kms:CallerAccount': OTHER })).toBe('ImplicitDeny')
    expect(await decide({ ...ok, 'kms:EncryptionContext:Team': 'dev' })).toBe('ImplicitDeny')
    expect(await decide({ ...ok, 'aws:SourceIp': '198.51.100.1' })).toBe('ImplicitDeny')
    expect(await decide({ ...ok, 'kms:EncryptionContext:Team': undefined })).toBe('ImplicitDeny')
  })

  it('IfExists keeps a statement usable when the key is absent', async () => {
    const policy = keyPolicy(stmt({ Principal: { AWS: alice.arn }, Condition: { StringEqualsIfExists: { 'kms:ViaService': 's3.us-east-1.amazonaws.com' } } }))
    const decide = (entries: Record<string, string | undefined>) => evaluateAccess(request({ principal: alice, keyPolicy: policy, conditions: context(entries) })).then((d) => d.decision)
    expect(await decide({})).toBe('Allow')
    expect(await decide({ 'kms:ViaService': 's3.us-east-1.amazonaws.com' })).toBe('Allow')
    expect(await decide({ 'kms:ViaService': 'ebs.us-east-1.amazonaws.com' })).toBe('ImplicitDeny')
  })

  it('conditions in identity policies count too', async () => {
    const ip = { owner: alice.arn, name: 'mfa', policy: identityPolicy({ Effect: 'Allow', Action: 'kms:*', Resource: '*', Condition: { Bool: { 'aws:MultiFactorAuthPresent': 'true' } } }) }
    const decide = (entries: Record<string, string | undefined>) => evaluateAccess(request({ principal: alice, identityPolicies: [ip], conditions: context(entries) })).then((d) => d.decision)
    expect(await decide({ 'aws:MultiFactorAuthPresent': 'true' })).toBe('Allow')
    expect(await decide({ 'aws:MultiFactorAuthPresent': 'false' })).toBe('ImplicitDeny')
    expect(await decide({})).toBe('ImplicitDeny')
  })
  it('a Condition block with no operators given is an error, never a statement that holds', async () => {
    const policy = keyPolicy(stmt({ Effect: 'Deny', Principal: '*', Condition: { StringEquals: { 'kms:CallerAccount': OTHER } } }), stmt({ Principal: { AWS: alice.arn } }))
    const { conditionHolds: _, ...withoutOperators } = request({ principal: alice, keyPolicy: policy })
    await expect(evaluateAccess(withoutOperators)).rejects.toThrow(TypeError)
    expect((await evaluateAccess(request({ principal: alice, keyPolicy: policy }))).decision).toBe('Allow')
  })
})

describe('evaluateAccess: cross-account', () => {
  const bob = user('bob', OTHER)
  const trustOther = keyPolicy(stmt({ Sid: 'Own' }), stmt({ Sid: 'Other', Principal: { AWS: `arn:aws:iam::${OTHER}:root` }, Action: ['kms:Encrypt', 'kms:Decrypt'] }))

  it('needs the key policy to name the account and the caller’s own identity policy to allow', async () => {
    const d = await evaluateAccess(request({ principal: bob, keyPolicy: trustOther, identityPolicies: [allowAllIdentity(bob.arn)] }))
    expect(d.decision).toBe('Allow')
    expect(d.decidedBy).toMatchObject({ source: 'identity policy', owner: bob.arn, delegatedBy: { statement: 1, sid: 'Other' } })

    const noIdentity = await evaluateAccess(request({ principal: bob, keyPolicy: trustOther }))
    expect(noIdentity.decision).toBe('ImplicitDeny')
    expect(noIdentity.reason).toMatch(/allows account 444455556666, but no identity policy/)
  })

  it('the key policy must cover the action too', async () => {
    const d = await evaluateAccess(request({ principal: bob, keyPolicy: trustOther, identityPolicies: [allowAllIdentity(bob.arn)], action: 'kms:ScheduleKeyDeletion' }))
    expect(d.decision).toBe('ImplicitDeny')
  })

  it('an identity policy alone is not enough', async () => {
    const d = await evaluateAccess(request({ principal: bob, identityPolicies: [allowAllIdentity(bob.arn)] }))
    expect(d.decision).toBe('ImplicitDeny')
  })

  it('the other account’s root is allowed by the key policy alone', async () => {
    const d = await evaluateAccess(request({ principal: root(OTHER), keyPolicy: trustOther }))
    expect(d).toMatchObject({ decision: 'Allow', decidedBy: { source: 'key policy', sid: 'Other' } })
    expect((await evaluateAccess(request({ principal: root(OTHER) }))).decision).toBe('ImplicitDeny')
  })

  it('even a key policy naming the external user directly, or "*", needs the user’s identity policy', async () => {
    for (const principal of [{ AWS: bob.arn }, '*', { AWS: OTHER }]) {
      const policy = keyPolicy(stmt({}), stmt({ Principal: principal }))
      expect((await evaluateAccess(request({ principal: bob, keyPolicy: policy }))).decision, JSON.stringify(principal)).toBe('ImplicitDeny')
      expect((await evaluateAccess(request({ principal: bob, keyPolicy: policy, identityPolicies: [allowAllIdentity(bob.arn)] }))).decision, JSON.stringify(principal)).toBe('Allow')
    }
  })

  it('an explicit deny in either account wins', async () => {
    const deny = { owner: bob.arn, name: 'deny', policy: identityPolicy({ Effect: 'Deny', Action: 'kms:Decrypt', Resource: '*' }) }
    expect((await evaluateAccess(request({ principal: bob, keyPolicy: trustOther, identityPolicies: [allowAllIdentity(bob.arn), deny], action: 'kms:Decrypt' }))).decision).toBe('ExplicitDeny')
    const keyDeny = keyPolicy(stmt({}), stmt({ Principal: { AWS: OTHER } }), stmt({ Effect: 'Deny', Principal: { AWS: OTHER }, Action: 'kms:Decrypt' }))
    expect((await evaluateAccess(request({ principal: bob, keyPolicy: keyDeny, identityPolicies: [allowAllIdentity(bob.arn)], action: 'kms:Decrypt' }))).decision).toBe('ExplicitDeny')
    expect((await evaluateAccess(request({ principal: root(OTHER), keyPolicy: keyDeny, action: 'kms:Decrypt' }))).decision).toBe('ExplicitDeny')
  })
})

describe('evaluateAccess: assumed-role sessions', () => {
  const s = session('app', 'i-0123')
  const roleArn = `arn:aws:iam::${ACCT}:role/app`

  it('a key policy naming the role allows its sessions', async () => {
    const policy = keyPolicy(stmt({ Principal: { AWS: roleArn } }))
    expect((await evaluateAccess(request({ principal: s, keyPolicy: policy }))).decision).toBe('Allow')
    expect((await evaluateAccess(request({ principal: session('other', 'i-0123'), keyPolicy: policy }))).decision).toBe('ImplicitDeny')
  })

  it('a key policy naming the session ARN itself also matches it', async () => {
    const policy = keyPolicy(stmt({ Principal: { AWS: s.arn } }))
    expect((await evaluateAccess(request({ principal: s, keyPolicy: policy }))).decision).toBe('Allow')
    expect((await evaluateAccess(request({ principal: session('app', 'i-9999'), keyPolicy: policy }))).decision).toBe('ImplicitDeny')
  })

  it('a Deny naming the role applies to its sessions', async () => {
    const policy = keyPolicy(stmt({ Principal: '*' }), stmt({ Effect: 'Deny', Principal: { AWS: roleArn }, Action: 'kms:Decrypt' }))
    expect((await evaluateAccess(request({ principal: s, keyPolicy: policy, action: 'kms:Decrypt' }))).decision).toBe('ExplicitDeny')
    expect((await evaluateAccess(request({ principal: s, keyPolicy: policy, action: 'kms:Encrypt' }))).decision).toBe('Allow')
  })

  it('with the default key policy, the role’s identity policy decides', async () => {
    expect((await evaluateAccess(request({ principal: s }))).decision).toBe('ImplicitDeny')
    const d = await evaluateAccess(request({ principal: s, identityPolicies: [allowAllIdentity(roleArn)] }))
    expect(d).toMatchObject({ decision: 'Allow', decidedBy: { source: 'identity policy', owner: roleArn } })
  })
})

describe('evaluateAccess: grants', () => {
  const bob = user('bob')
  const noPolicyForBob = keyPolicy(stmt({ Principal: { AWS: `arn:aws:iam::${ACCT}:user/admin` } }))

  it('a grant allows when no policy does', async () => {
    const grants = vi.fn(async () => [grant({ grantId: 'b'.repeat(64), name: 'bob-encrypt' })])
    const d = await evaluateAccess(request({ principal: bob, keyPolicy: noPolicyForBob, grantOperation: 'Encrypt', grants }))
    expect(d).toEqual({ decision: 'Allow', decidedBy: { source: 'grant', grantId: 'b'.repeat(64), name: 'bob-encrypt' }, reason: expect.stringMatching(/grant b+ \("bob-encrypt"\) allows/) })
    expect(grants).toHaveBeenCalledTimes(1)
  })

  it('grants are not read when a policy already allows', async () => {
    const grants = vi.fn(async () => [grant({})])
    const d = await evaluateAccess(request({ principal: root(), grantOperation: 'Encrypt', grants }))
    expect(d.decidedBy?.source).toBe('key policy')
    expect(grants).not.toHaveBeenCalled()
  })

  it('a grant never overrides an explicit deny', async () => {
    const grants = vi.fn(async () => [grant({})])
    const keyDeny = keyPolicy(stmt({}), stmt({ Effect: 'Deny', Principal: { AWS: bob.arn }, Action: 'kms:Encrypt' }))
    expect((await evaluateAccess(request({ principal: bob, keyPolicy: keyDeny, grantOperation: 'Encrypt', grants }))).decision).toBe('ExplicitDeny')
    const identityDeny = { owner: bob.arn, name: 'deny', policy: identityPolicy({ Effect: 'Deny', Action: 'kms:*', Resource: '*' }) }
    expect((await evaluateAccess(request({ principal: bob, keyPolicy: noPolicyForBob, identityPolicies: [identityDeny], grantOperation: 'Encrypt', grants }))).decision).toBe('ExplicitDeny')
    expect(grants).not.toHaveBeenCalled()
  })

  it('the grant must name the caller and the operation', async () => {
    const decide = (g: GrantRecord, op = 'Encrypt', principal: RequestPrincipal = bob) =>
      evaluateAccess(request({ principal, keyPolicy: noPolicyForBob, grantOperation: op, grants: async () => [g] })).then((d) => d.decision)
    expect(await decide(grant({}))).toBe('Allow')
    expect(await decide(grant({}), 'GenerateDataKey')).toBe('ImplicitDeny')
    expect(await decide(grant({ operations: ['Decrypt'] }))).toBe('ImplicitDeny')
    expect(await decide(grant({ granteePrincipal: `arn:aws:iam::${ACCT}:user/carol` }))).toBe('ImplicitDeny')
    expect(await decide(grant({}), 'Encrypt', user('bob', OTHER))).toBe('ImplicitDeny')
  })

  it('a grant to a role covers its sessions', async () => {
    const s = session('worker', 'job-1')
    const g = grant({ granteePrincipal: `arn:aws:iam::${ACCT}:role/worker` })
    const d = await evaluateAccess(request({ principal: s, keyPolicy: noPolicyForBob, grantOperation: 'Encrypt', grants: async () => [g] }))
    expect(d.decision).toBe('Allow')
    expect(d.decidedBy).toEqual({ source: 'grant', grantId: g.grantId })
  })

  it('grants are consulted only when the request names a grant operation', async () => {
    const grants = vi.fn(async () => [grant({ operations: ['Encrypt'] })])
    expect((await evaluateAccess(request({ principal: bob, keyPolicy: noPolicyForBob, grants }))).decision).toBe('ImplicitDeny')
    expect(grants).not.toHaveBeenCalled()
  })

  it('the first matching grant of several decides', async () => {
    const gs = [grant({ grantId: '1'.repeat(64), operations: ['Decrypt'] }), grant({ grantId: '2'.repeat(64), granteePrincipal: 'arn:aws:iam::111122223333:user/x' }), grant({ grantId: '3'.repeat(64) })]
    const d = await evaluateAccess(request({ principal: bob, keyPolicy: noPolicyForBob, grantOperation: 'Encrypt', grants: async () => gs }))
    expect(d.decidedBy).toEqual({ source: 'grant', grantId: '3'.repeat(64) })
  })

  it('constraints: EncryptionContextEquals must match the whole context exactly', async () => {
    const g = grant({ constraints: { encryptionContextEquals: { Purpose: 'backup', Team: 'pay' } } })
    expect(grantConstraintsMet(g, pairs({ Purpose: 'backup', Team: 'pay' }))).toBe(true)
    expect(grantConstraintsMet(g, pairs({ Team: 'pay', Purpose: 'backup' }))).toBe(true)
    expect(grantConstraintsMet(g, pairs({ Purpose: 'backup' }))).toBe(false)
    expect(grantConstraintsMet(g, pairs({ Purpose: 'backup', Team: 'pay', Extra: 'x' }))).toBe(false)
    expect(grantConstraintsMet(g, pairs({ Purpose: 'backup', Team: 'Pay' }))).toBe(false)
    expect(grantConstraintsMet(g, pairs({}))).toBe(false)
    expect(grantConstraintsMet(g, pairs(undefined))).toBe(false)

    const decide = (ctx: Record<string, string> | undefined) =>
      evaluateAccess(request({ principal: bob, keyPolicy: noPolicyForBob, grantOperation: 'Encrypt', encryptionContext: pairs(ctx), grants: async () => [g] })).then((d) => d.decision)
    expect(await decide({ Purpose: 'backup', Team: 'pay' })).toBe('Allow')
    expect(await decide({ Purpose: 'backup', Team: 'pay', Extra: 'x' })).toBe('ImplicitDeny')
    expect(await decide(undefined)).toBe('ImplicitDeny')
  })

  it('constraints: EncryptionContextSubset must be contained in the context', async () => {
    const g = grant({ constraints: { encryptionContextSubset: { Purpose: 'backup' } } })
    expect(grantConstraintsMet(g, pairs({ Purpose: 'backup' }))).toBe(true)
    expect(grantConstraintsMet(g, pairs({ Purpose: 'backup', Team: 'pay' }))).toBe(true)
    expect(grantConstraintsMet(g, pairs({ Purpose: 'restore', Team: 'pay' }))).toBe(false)
    expect(grantConstraintsMet(g, pairs({ Team: 'pay' }))).toBe(false)
    expect(grantConstraintsMet(g, pairs(undefined))).toBe(false)
    expect(grantConstraintsMet(grant({ constraints: { encryptionContextSubset: {} } }), pairs(undefined))).toBe(true)
    expect(grantConstraintsMet(grant({}), pairs({ anything: 'x' }))).toBe(true)
    // An inherited property name is not a context entry.
    expect(grantConstraintsMet(grant({ constraints: { encryptionContextSubset: { toString: 'x' } } }), pairs({}))).toBe(false)

    const decide = (ctx: Record<string, string> | undefined) =>
      evaluateAccess(request({ principal: bob, keyPolicy: noPolicyForBob, grantOperation: 'Encrypt', encryptionContext: pairs(ctx), grants: async () => [g] })).then((d) => d.decision)
    expect(await decide({ Purpose: 'backup', Team: 'pay' })).toBe('Allow')
    expect(await decide({ Team: 'pay' })).toBe('ImplicitDeny')
  })

  it('property: Subset holds exactly when every constrained pair is in the context', () => {
    const entry = fc.tuple(fc.constantFrom('a', 'b', 'c'), fc.constantFrom('1', '2'))
    fc.assert(
      fc.property(fc.array(entry, { maxLength: 3 }), fc.array(entry, { maxLength: 3 }), (subsetEntries, ctxEntries) => {
        const subset = Object.fromEntries(subsetEntries)
        const ctx = Object.fromEntries(ctxEntries)
        const g = grant({ constraints: { encryptionContextSubset: subset } })
        expect(grantConstraintsMet(g, pairs(ctx))).toBe(Object.entries(subset).every(([k, v]) => ctx[k] === v))
        expect(grantConstraintsMet(grant({ constraints: { encryptionContextEquals: subset } }), pairs(ctx))).toBe(
          Object.keys(subset).length === Object.keys(ctx).length && Object.entries(subset).every(([k, v]) => ctx[k] === v),
        )
      }),
    )
  })
})

describe('evaluateAccess: operations on no key', () => {
  const alice = user('alice')
  const noKey = (overrides: Partial<AccessRequest> & { principal: RequestPrincipal }) => request({ action: 'kms:ListKeys', resource: '*', keyPolicy: undefined, ...overrides })

  it('the account root may always call them', async () => {
    expect(await evaluateAccess(noKey({ principal: root() }))).toMatchObject({ decision: 'Allow', decidedBy: { source: 'account root' } })
  })

  it('anyone else needs an identity policy of the account', async () => {
    expect((await evaluateAccess(noKey({ principal: alice }))).decision).toBe('ImplicitDeny')
    expect((await evaluateAccess(noKey({ principal: alice, identityPolicies: [allowAllIdentity(alice.arn)] }))).decision).toBe('Allow')
    const createOnly = { owner: alice.arn, name: 'create', policy: identityPolicy({ Effect: 'Allow', Action: 'kms:CreateKey', Resource: '*' }) }
    expect((await evaluateAccess(noKey({ principal: alice, identityPolicies: [createOnly] }))).decision).toBe('ImplicitDeny')
    expect((await evaluateAccess(noKey({ principal: alice, identityPolicies: [createOnly], action: 'kms:CreateKey' }))).decision).toBe('Allow')
  })

  it('an identity policy Deny applies; other accounts are refused', async () => {
    const deny = { owner: alice.arn, name: 'deny', policy: identityPolicy({ Effect: 'Deny', Action: 'kms:List*', Resource: '*' }) }
    expect((await evaluateAccess(noKey({ principal: alice, identityPolicies: [allowAllIdentity(alice.arn), deny] }))).decision).toBe('ExplicitDeny')
    const bob = user('bob', OTHER)
    expect((await evaluateAccess(noKey({ principal: bob, identityPolicies: [allowAllIdentity(bob.arn)] }))).decision).toBe('ImplicitDeny')
    expect((await evaluateAccess(noKey({ principal: root(OTHER) }))).decision).toBe('ImplicitDeny')
  })
})

describe('review findings, fixed', () => {
  it('grant constraint keys compare case-insensitively, values exactly', () => {
    expect(grantConstraintsMet(grant({ constraints: { encryptionContextEquals: { Purpose: 'backup' } } }), pairs({ purpose: 'backup' }), 'Decrypt')).toBe(true)
    expect(grantConstraintsMet(grant({ constraints: { encryptionContextSubset: { Purpose: 'backup' } } }), pairs({ PURPOSE: 'backup', x: 'y' }), 'Decrypt')).toBe(true)
    expect(grantConstraintsMet(grant({ constraints: { encryptionContextSubset: { Purpose: 'backup' } } }), pairs({ purpose: 'Backup' }), 'Decrypt')).toBe(false)
  })

  it('grant constraints do not apply to operations without an encryption context', () => {
    const g = grant({ operations: ['Decrypt', 'DescribeKey', 'RetireGrant'], constraints: { encryptionContextSubset: { Purpose: 'backup' } } })
    expect(grantConstraintsMet(g, pairs(undefined), 'DescribeKey')).toBe(true)
    expect(grantConstraintsMet(g, pairs(undefined), 'Decrypt')).toBe(false)
  })

  it('IPv4-mapped IPv6 blocks are IPv6 CIDRs: /96 and above map to IPv4, below stay IPv6', () => {
    expect(parseCidr('::ffff:0:0/96')).toEqual({ bits: 32, value: 0n, prefix: 0 })
    expect(cidrContains(parseCidr('::ffff:10.0.0.0/104')!, parseIp('10.1.2.3')!)).toBe(true)
    expect(cidrContains(parseCidr('::ffff:10.0.0.0/104')!, parseIp('11.1.2.3')!)).toBe(false)
    const wide = parseCidr('::ffff:10.0.0.0/8')!
    expect(wide.bits).toBe(128)
    expect(cidrContains(wide, parseIp('::1')!)).toBe(true)
  })

  it('Date* values without a zone are UTC, and impossible dates are malformed', () => {
    expect(holds('DateEquals', '2020-01-01T00:00:00', '1577836800')).toBe(true)
    expect(holds('DateEquals', '2020-01-01T09:00:00+09:00', '1577836800')).toBe(true)
    malformed(() => clause('DateEquals', '2021-02-30T00:00:00Z'), /not a date/)
  })

  it('a wildcard inside a principal ARN is refused, not silently unmatched', () => {
    for (const p of ['arn:aws:iam::111122223333:user/*', 'arn:aws:iam::*:root']) {
      malformed(() => parsePolicy(JSON.stringify({ Version: '2012-10-17', Statement: { Effect: 'Allow', Principal: { AWS: p }, Action: 'kms:*', Resource: '*' } }), 'key'), /wildcards cannot match part of a principal/)
    }
  })

  it('`?` matches one character, even outside the BMP', () => {
    expect(globMatch('x?y', 'x😀y')).toBe(true)
  })
})
