/**
 * Grants: CreateGrant, ListGrants, ListRetirableGrants, RetireGrant, RevokeGrant (KMS API
 * Reference; "Grants in AWS KMS"). A grant lets its grantee call the listed operations on one
 * key, optionally only with an encryption context that equals or contains the constraint's.
 * Grants take effect at once here (there is no eventual consistency to bridge), so grant
 * tokens are checked for form and accepted.
 */
import type { Call } from '../engine.js'
import { AccessDeniedException, InvalidGrantIdException, InvalidGrantTokenException, LimitExceededException, NotFoundException, ValidationException } from '../errors.js'
import type { GrantRecord, KeyRecord } from '../../keystore/records.js'
import { toBase64, toHex, utf8 } from '../../util/bytes.js'
import { GRANT_OPERATIONS, requestPrincipal } from '../authorization.js'
import { assertKeyState } from '../keyStates.js'
import { defineOperation, noTarget } from '../operation.js'
import { paginate, pageOut } from '../paging.js'
import { granteeMatches, type Decision } from '../policy/evaluate.js'
import { enumOf, list, map, string, structure } from '../request/schema.js'
import type * as T from '../types.js'
import {
  checkGrantTokens,
  decodeGrantToken,
  dryRunMember,
  dryRunStop,
  encodeGrantTokenText,
  grantTokensMember,
  keyIdMember,
  pagingMembers,
  resolveKey,
  type KeyTarget,
} from './common.js'

/** KMS quota "Grants per KMS key". */
export const MAX_GRANTS_PER_KEY = 50_000
/** Operations a grant may name on every key. */
const COMMON_GRANT_OPERATIONS = ['CreateGrant', 'RetireGrant', 'DescribeKey']
/**
 * Operations a grant may name, by the kind of key ("Grant operations" in "Grants in AWS KMS"):
 * each key type's own operations, plus the common ones.
 */
function grantOperationsFor(key: KeyRecord): Set<string> {
  const own =
    key.keySpec === 'SYMMETRIC_DEFAULT'
      ? ['Decrypt', 'Encrypt', 'GenerateDataKey', 'GenerateDataKeyWithoutPlaintext', 'ReEncryptFrom', 'ReEncryptTo', 'GenerateDataKeyPair', 'GenerateDataKeyPairWithoutPlaintext']
      : key.keyUsage === 'ENCRYPT_DECRYPT'
        ? ['Decrypt', 'Encrypt', 'ReEncryptFrom', 'ReEncryptTo', 'GetPublicKey']
        : key.keyUsage === 'SIGN_VERIFY'
          ? ['Sign', 'Verify', 'GetPublicKey']
          : key.keyUsage === 'GENERATE_VERIFY_MAC'
            ? ['GenerateMac', 'VerifyMac']
            : ['DeriveSharedSecret', 'GetPublicKey']
  return new Set([...own, ...COMMON_GRANT_OPERATIONS])
}

/** The grant's operations and constraints must suit the key (ValidationException as AWS). */
function checkGrantForKey(key: KeyRecord, operations: readonly string[], constrained: boolean): void {
  const allowed = grantOperationsFor(key)
  for (const op of operations) {
    if (!allowed.has(op)) throw new ValidationException(`Grant operation ${op} is not valid for a ${key.keySpec} KMS key with KeyUsage ${key.keyUsage}`)
  }
  // Encryption context constraints apply to symmetric encryption only (asymmetric and HMAC operations take no context).
  if (constrained && key.keySpec !== 'SYMMETRIC_DEFAULT') throw new ValidationException(`Grant constraints are not valid for a ${key.keySpec} KMS key: only symmetric encryption keys take an encryption context`)
}
const PRINCIPAL = { min: 1, max: 256, pattern: /^[\w+=,.@:/-]+$/ }
const PRINCIPAL_ARN = /^arn:[a-z-]+:(iam|sts)::\d{12}:.+$/
const GRANT_ID_FORMAT = /^[0-9a-f]{64}$/
const GRANT_NAME = { min: 1, max: 256, pattern: /^[a-zA-Z0-9:/_-]+$/ }
const grantIdMember = () => string({ min: 1, max: 128 })

function checkPrincipal(field: string, value: string | undefined): void {
  if (value !== undefined && !PRINCIPAL_ARN.test(value)) {
    throw new ValidationException(`${field} ${value} is not a valid principal: use an IAM ARN such as arn:aws:iam::111122223333:role/ExampleRole`)
  }
}

function checkGrantId(id: string | undefined): void {
  if (id !== undefined && !GRANT_ID_FORMAT.test(id)) throw new InvalidGrantIdException(`Invalid grant ID ${id}`)
}

type Pairs = readonly (readonly [string, string])[]

/** A constraint's pairs: at most 8; keys compare case-insensitively, so two that differ only in case would be one key twice. */
function constraintPairs(pairs: Pairs): Record<string, string> {
  if (pairs.length > 8) throw new ValidationException('A grant constraint can have at most 8 encryption context pairs')
  const folded = new Set<string>()
  for (const [k, v] of pairs) {
    if (k.length === 0 || v.length > 384) throw new ValidationException(`Grant constraint pair ${JSON.stringify(k)} is invalid: keys must be non-empty and values at most 384 characters`)
    if (folded.has(k.toLowerCase())) throw new ValidationException(`Grant constraint keys are not case sensitive: ${JSON.stringify(k)} appears twice`)
    folded.add(k.toLowerCase())
  }
  return Object.fromEntries(pairs)
}

function constraints(c: { EncryptionContextSubset?: Pairs; EncryptionContextEquals?: Pairs } | undefined): GrantRecord['constraints'] {
  if (!c) return undefined
  if (c.EncryptionContextSubset && c.EncryptionContextEquals) throw new ValidationException('More than one constraint supplied')
  if (c.EncryptionContextSubset) return { encryptionContextSubset: constraintPairs(c.EncryptionContextSubset) }
  if (c.EncryptionContextEquals) return { encryptionContextEquals: constraintPairs(c.EncryptionContextEquals) }
  return undefined
}

const sameContext = (a: Record<string, string> | undefined, b: Record<string, string> | undefined) =>
  JSON.stringify(Object.entries(a ?? {}).sort()) === JSON.stringify(Object.entries(b ?? {}).sort())

type WantedGrant = Omit<GrantRecord, 'grantId' | 'creationDate'>

/** Same grantee, retiring principal, operations and constraints: a retry, per CreateGrant's Name. */
function sameGrant(g: GrantRecord, wanted: WantedGrant): boolean {
  return (
    g.name === wanted.name &&
    g.granteePrincipal === wanted.granteePrincipal &&
    g.retiringPrincipal === wanted.retiringPrincipal &&
    [...g.operations].sort().join() === [...wanted.operations].sort().join() &&
    sameContext(g.constraints?.encryptionContextEquals, wanted.constraints?.encryptionContextEquals) &&
    sameContext(g.constraints?.encryptionContextSubset, wanted.constraints?.encryptionContextSubset) &&
    !!g.constraints?.encryptionContextEquals === !!wanted.constraints?.encryptionContextEquals &&
    !!g.constraints?.encryptionContextSubset === !!wanted.constraints?.encryptionContextSubset
  )
}

/** Every pair of `inner` is in `outer`, keys compared case-insensitively as constraints compare them. */
const contains = (outer: Record<string, string>, inner: Record<string, string>) => {
  const folded = new Map(Object.entries(outer).map(([k, v]) => [k.toLowerCase(), v]))
  return Object.entries(inner).every(([k, v]) => folded.get(k.toLowerCase()) === v)
}

/**
 * A grantee creating a grant through its own grant's CreateGrant may give no more than it has:
 * a subset of the operations, and constraints at least as strict ("Granting CreateGrant
 * permission" in the KMS developer guide).
 */
function narrowerThan(parent: GrantRecord, child: WantedGrant): boolean {
  if (!child.operations.every((op) => parent.operations.includes(op))) return false
  const p = parent.constraints
  if (!p) return true
  const c = child.constraints ?? {}
  if (p.encryptionContextEquals) return !!c.encryptionContextEquals && sameContext(c.encryptionContextEquals, p.encryptionContextEquals)
  const need = p.encryptionContextSubset!
  return (!!c.encryptionContextSubset && contains(c.encryptionContextSubset, need)) || (!!c.encryptionContextEquals && contains(c.encryptionContextEquals, need))
}

const token = (keyId: string, grantId: string, nonce: Uint8Array) => toBase64(utf8(encodeGrantTokenText(keyId, grantId, toHex(nonce))))

export const createGrant = defineOperation<T.CreateGrantRequest, T.CreateGrantResponse>()({
  name: 'CreateGrant',
  schema: {
    KeyId: keyIdMember(),
    GranteePrincipal: string(PRINCIPAL, { required: true }),
    RetiringPrincipal: string(PRINCIPAL),
    Operations: list(enumOf(GRANT_OPERATIONS), { min: 1 }, { required: true }),
    Constraints: structure({ EncryptionContextSubset: map(), EncryptionContextEquals: map() }),
    GrantTokens: grantTokensMember(),
    Name: string(GRANT_NAME),
    DryRun: dryRunMember(),
  },
  parse(r) {
    checkPrincipal('GranteePrincipal', r.GranteePrincipal)
    checkPrincipal('RetiringPrincipal', r.RetiringPrincipal)
    if (r.Operations.every((op) => op === 'CreateGrant')) throw new ValidationException('Grants must not contain only the CreateGrant operation.')
    checkGrantTokens(r.GrantTokens)
    return { ...r, operations: [...new Set(r.Operations)], constraints: constraints(r.Constraints) }
  },
  resolve: resolveKey(false),
  permissions: (r, { key }, call) => {
    const context = r.Constraints?.EncryptionContextEquals ?? r.Constraints?.EncryptionContextSubset
    return [
      {
        on: key,
        requestKeyId: r.KeyId,
        conditions: {
          'kms:GrantOperations': { values: r.operations, multi: true },
          'kms:GranteePrincipal': { values: [r.GranteePrincipal] },
          ...(r.RetiringPrincipal ? { 'kms:RetiringPrincipal': { values: [r.RetiringPrincipal] } } : {}),
          ...grantIsForAWSResource(call),
        },
        ...(context ? { encryptionContext: context } : {}),
      },
    ]
  },
  async run({ engine, call, commit }, r, { key }, [decision]) {
    checkGrantForKey(key, r.operations, r.constraints !== undefined)
    const wanted: WantedGrant = {
      keyId: key.keyId,
      granteePrincipal: r.GranteePrincipal,
      issuingAccount: `arn:${engine.account.partition}:iam::${engine.account.accountId}:root`,
      operations: r.operations,
    }
    if (r.Name !== undefined) wanted.name = r.Name
    if (r.RetiringPrincipal !== undefined) wanted.retiringPrincipal = r.RetiringPrincipal
    if (r.constraints) wanted.constraints = r.constraints
    if (decision?.decidedBy?.source === 'grant') {
      const p = requestPrincipal(call.caller)
      const own = await engine.store.transaction('readonly', (tx) => tx.listGrants(key.keyId))
      if (!own.some((g) => granteeMatches(g, p) && g.operations.includes('CreateGrant') && narrowerThan(g, wanted))) {
        throw new AccessDeniedException(`User: ${call.caller.principal} is not authorized to create this grant: a grant can only give a subset of the operations, with constraints at least as strict, of the grant that allows CreateGrant`)
      }
    }
    assertKeyState(key, 'CreateGrant')
    dryRunStop(r.DryRun)
    const grantId = toHex(engine.random(32))
    const nonce = engine.random(16).slice()
    return commit(async (tx) => {
      const current = await tx.getKey(key.keyId)
      if (!current) throw new NotFoundException(`Key '${key.arn}' does not exist`)
      assertKeyState(current, 'CreateGrant')
      const grants = await tx.listGrants(key.keyId)
      const retry = r.Name === undefined ? undefined : grants.find((g) => sameGrant(g, wanted))
      if (retry) return { GrantToken: token(key.keyId, retry.grantId, nonce), GrantId: retry.grantId }
      if (grants.length >= MAX_GRANTS_PER_KEY) throw new LimitExceededException(`A KMS key can have at most ${MAX_GRANTS_PER_KEY} grants`)
      await tx.putGrant({ ...wanted, grantId, creationDate: call.now })
      return { GrantToken: token(key.keyId, grantId, nonce), GrantId: grantId }
    })
  },
})

export function grantEntry(key: Pick<KeyRecord, 'arn'>, g: GrantRecord): T.GrantListEntry {
  const entry: T.GrantListEntry = {
    KeyId: key.arn,
    GrantId: g.grantId,
    CreationDate: g.creationDate,
    GranteePrincipal: g.granteePrincipal,
    IssuingAccount: g.issuingAccount,
    Operations: g.operations as T.GrantOperation[],
  }
  if (g.name !== undefined) entry.Name = g.name
  if (g.retiringPrincipal !== undefined) entry.RetiringPrincipal = g.retiringPrincipal
  // Copies made with fromEntries: every key (`__proto__` included) stays an own property.
  if (g.constraints?.encryptionContextEquals) entry.Constraints = { EncryptionContextEquals: Object.fromEntries(Object.entries(g.constraints.encryptionContextEquals)) }
  if (g.constraints?.encryptionContextSubset) entry.Constraints = { EncryptionContextSubset: Object.fromEntries(Object.entries(g.constraints.encryptionContextSubset)) }
  return entry
}

const isGrantIdMarker = (m: string) => GRANT_ID_FORMAT.test(m)

/**
 * `kms:GrantIsForAWSResource`: whether an AWS service makes the call for its caller
 * (`viaService`). AWS sets it on CreateGrant, ListGrants and RevokeGrant ("Controlling access to
 * grants"), so the console's "Allow attachment of persistent resources" statement covers all three.
 */
const grantIsForAWSResource = (call: Call) => ({ 'kms:GrantIsForAWSResource': { values: [String(call.caller.viaService !== undefined)] } })

/** onKey, with kms:GrantIsForAWSResource (ListGrants, RevokeGrant). */
const onKeyForGrants = (request: { KeyId: string }, target: KeyTarget, call: Call) => [{ on: target.key, requestKeyId: request.KeyId, conditions: grantIsForAWSResource(call) }]

export const listGrants = defineOperation<T.ListGrantsRequest, T.ListGrantsResponse>()({
  name: 'ListGrants',
  schema: { KeyId: keyIdMember(), GrantId: grantIdMember(), GranteePrincipal: string(PRINCIPAL), ...pagingMembers(100) },
  parse: (r) => (checkPrincipal('GranteePrincipal', r.GranteePrincipal), r),
  resolve: resolveKey(false),
  permissions: onKeyForGrants,
  async run({ engine }, r, { key }) {
    const all = await engine.store.transaction('readonly', (tx) => tx.listGrants(key.keyId))
    const selected = all.filter((g) => (r.GrantId === undefined || g.grantId === r.GrantId) && (r.GranteePrincipal === undefined || g.granteePrincipal === r.GranteePrincipal))
    const page = paginate(selected, (g) => g.grantId, r.Limit ?? 50, r.Marker, isGrantIdMarker)
    return { Grants: page.items.map((g) => grantEntry(key, g)), ...pageOut(page) }
  },
})

/** Operation on no key: needs kms:ListRetirableGrants in an identity policy. */
export const listRetirableGrants = defineOperation<T.ListRetirableGrantsRequest, T.ListGrantsResponse>()({
  name: 'ListRetirableGrants',
  schema: { RetiringPrincipal: string(PRINCIPAL, { required: true }), ...pagingMembers(100) },
  parse: (r) => (checkPrincipal('RetiringPrincipal', r.RetiringPrincipal), r),
  resolve: noTarget,
  permissions: () => [{ on: '*' }],
  async run({ engine, call }, r) {
    await engine.settle(call) // the grants of keys whose deletion window has passed are gone
    const { grants, keys } = await engine.store.transaction('readonly', async (tx) => ({ grants: await tx.listAllGrants(), keys: await tx.listKeys() }))
    const arns = new Map(keys.map((k) => [k.keyId, k.arn]))
    const selected = grants.filter((g) => g.retiringPrincipal === r.RetiringPrincipal && arns.has(g.keyId))
    const page = paginate(selected, (g) => g.grantId, r.Limit ?? 50, r.Marker, isGrantIdMarker)
    return { Grants: page.items.map((g) => grantEntry({ arn: arns.get(g.keyId)! }, g)), ...pageOut(page) }
  },
})

/**
 * RetireGrant: by the grant's retiring principal, by its grantee when the grant includes
 * RetireGrant, or by the account that issued it. `kms:RetireGrant` in a key policy has no
 * effect; an identity policy of the issuing account may allow (or deny) it.
 */
export const retireGrant = defineOperation<T.RetireGrantRequest, T.EmptyResponse>()({
  name: 'RetireGrant',
  readOnly: false,
  schema: { GrantToken: string({ min: 1, max: 8192 }, { audited: false }), KeyId: string({ min: 1, max: 2048 }), GrantId: grantIdMember(), DryRun: dryRunMember() },
  parse(r) {
    checkGrantId(r.GrantId)
    if (r.GrantToken === undefined && (r.KeyId === undefined || r.GrantId === undefined)) throw new ValidationException('Grant token OR (grant ID, key ID) must be specified')
    return r
  },
  async resolve(engine, call, r) {
    let wanted: { keyId: string; grantId: string }
    if (r.GrantToken !== undefined) {
      wanted = decodeGrantToken(r.GrantToken)
      if (r.GrantId !== undefined && r.GrantId !== wanted.grantId) throw new ValidationException('The grant token and the grant ID name different grants')
      await engine.settle(call, [wanted.keyId]) // a key whose deletion window has passed is gone, with its grants (findKey settles the other way)
    } else {
      wanted = { keyId: (await engine.findKey(call, r.KeyId!, false)).keyId, grantId: r.GrantId! }
    }
    const { grant, key } = await engine.store.transaction('readonly', async (tx) => {
      const grant = await tx.getGrant(wanted.grantId)
      return { grant, key: grant && (await tx.getKey(grant.keyId)) }
    })
    if (!grant || grant.keyId !== wanted.keyId) {
      if (r.GrantToken !== undefined) throw new InvalidGrantTokenException('The grant token is not valid.')
      throw new NotFoundException(`Grant ${wanted.grantId} does not exist on key ${engine.keyArn(wanted.keyId)}`)
    }
    return { grant, keyArn: key?.arn ?? engine.keyArn(grant.keyId), ...(key ? { key } : {}) }
  },
  permissions: (_r, { grant, keyArn }, call) => [
    {
      on: keyArn,
      async decide(authorizer, c): Promise<Decision> {
        const p = requestPrincipal(call.caller)
        const issuer = /^arn:[^:]+:iam::(\d{12}):root$/.exec(grant.issuingAccount)?.[1]
        const viaIdentity = await authorizer.decide(c, { on: keyArn, grantOperation: false }, 'kms:RetireGrant')
        const refused = `User: ${call.caller.principal} is not authorized to perform: kms:RetireGrant on resource: ${keyArn}`
        if (viaIdentity.decision === 'ExplicitDeny') return { decision: 'ExplicitDeny', ...(viaIdentity.decidedBy ? { decidedBy: viaIdentity.decidedBy } : {}), reason: `${refused} with an explicit deny in an identity-based policy` }
        const byGrant = { source: 'grant' as const, grantId: grant.grantId, ...(grant.name ? { name: grant.name } : {}) }
        if (grant.retiringPrincipal !== undefined && (grant.retiringPrincipal === p.arn || grant.retiringPrincipal === p.roleArn)) {
          return { decision: 'Allow', decidedBy: byGrant, reason: `${p.arn} is the grant's retiring principal` }
        }
        if (granteeMatches(grant, p) && grant.operations.includes('RetireGrant')) return { decision: 'Allow', decidedBy: byGrant, reason: `${p.arn} is the grantee of a grant that includes RetireGrant` }
        if (p.accountId === issuer && (p.isRoot || viaIdentity.decision === 'Allow')) {
          return { decision: 'Allow', decidedBy: viaIdentity.decidedBy ?? { source: 'account root' }, reason: `${p.arn} belongs to the account that issued the grant` }
        }
        return { decision: 'ImplicitDeny', reason: `${refused}: only the grant's retiring principal, its grantee (when the grant includes RetireGrant) or the issuing account may retire it` }
      },
    },
  ],
  async run({ commit }, r, { grant }) {
    dryRunStop(r.DryRun)
    await commit((tx) => tx.deleteGrant(grant.grantId))
    return {}
  },
})

export const revokeGrant = defineOperation<T.RevokeGrantRequest, T.EmptyResponse>()({
  name: 'RevokeGrant',
  schema: { KeyId: keyIdMember(), GrantId: string({ min: 1, max: 128 }, { required: true }), DryRun: dryRunMember() },
  parse: (r) => (checkGrantId(r.GrantId), r),
  resolve: resolveKey(false),
  permissions: onKeyForGrants,
  // Whether the grant exists is told only to a caller allowed to revoke grants on the key.
  async run({ engine, commit }, r, { key }) {
    const grant = await engine.store.transaction('readonly', (tx) => tx.getGrant(r.GrantId))
    if (!grant || grant.keyId !== key.keyId) throw new NotFoundException(`Grant ${r.GrantId} does not exist on key ${key.arn}`)
    dryRunStop(r.DryRun)
    await commit((tx) => tx.deleteGrant(r.GrantId))
    return {}
  },
})
