/**
 * Policy evaluation as AWS KMS does it ("Determining access to an AWS KMS key", "Policy
 * evaluation logic"):
 *
 * 1. An explicit Deny in the key policy or in the caller's identity policies wins over
 *    everything, grants included.
 * 2. A key policy Allow that names the caller (or `*`) allows. A key policy Allow whose
 *    principal is the caller's account (`arn:aws:iam::<acct>:root` or `<acct>`) allows the
 *    account root itself, and for anyone else in that account it only lets the account's
 *    identity (IAM) policies decide: one of them must allow too.
 * 3. A caller from another account needs both: the key policy must name it or its account,
 *    and, unless it is that account's root, its own identity policies must allow.
 * 4. A grant for the caller, covering the operation, whose constraints the request meets.
 * 5. Otherwise: implicit deny.
 * Operations on no key (CreateKey, ListKeys, ListAliases, GenerateRandom, ...) and the alias
 * side of alias operations follow identity policies alone; an account root may always call them.
 */
import type { GrantRecord } from '../../keystore/records.js'
import type { ContextPairs } from '../format/encryptionContext.js'
import type { ConditionClause, ConditionLookup } from './conditions.js'
import { globMatch } from './glob.js'
import type { Policy, PrincipalSet, Statement } from './document.js'

export interface RequestPrincipal {
  arn: string
  accountId: string
  /** For an assumed-role session, the role it came from (policies and grants name the role). */
  roleArn?: string
  isRoot: boolean
}

export interface IdentityPolicy {
  /** How the policy was attached (the principal ARN it belongs to) and its name. */
  owner: string
  name: string
  policy: Policy
}

export interface AccessRequest {
  principal: RequestPrincipal
  /** `kms:Encrypt` ... */
  action: string
  /** The key ARN, an alias ARN, or `*` for operations on no resource. */
  resource: string
  /** The account that owns the resource. */
  resourceAccount: string
  conditions: ConditionLookup
  /**
   * The condition operators (conditions.ts), needed when a policy has a Condition block. They
   * come with the policy grammar, which parsed that policy; the default key policy has none.
   */
  conditionHolds?: (clause: ConditionClause, lookup: ConditionLookup, effect: 'Allow' | 'Deny') => boolean
  /** The key policy when the resource is a key; absent for other resources. */
  keyPolicy?: Policy
  identityPolicies: IdentityPolicy[]
  /** The grant operation the request needs (ReEncryptFrom for the source side of ReEncrypt ...). */
  grantOperation?: string
  /** The request's encryption context, for grant constraints. */
  encryptionContext?: ContextPairs
  /** The key's grants for this caller; read only when no policy decides. */
  grants?: () => Promise<GrantRecord[]>
}

/**
 * What decided a call (`Explanation.decidedBy`), as AWS's policy evaluation reaches it: a key
 * policy statement; an identity policy statement of the policy `name` attached to `owner`
 * (`delegatedBy`: the key policy statement that let identity policies decide, or allowed the
 * caller's account); a grant; or the account root, which may always call operations on no key.
 * `statement` is the statement's 0-based position in the policy, `sid` its Sid.
 *
 * @example
 * ```ts
 * import type { DecidedBy } from '@webkms/core'
 *
 * function describe(by: DecidedBy): string {
 *   switch (by.source) {
 *     case 'key policy': return `key policy statement ${by.sid ?? by.statement}`
 *     case 'identity policy': return `policy ${by.name} of ${by.owner}`
 *     case 'grant': return `grant ${by.grantId}`
 *     case 'account root': return 'the account root'
 *   }
 * }
 * ```
 */
export type DecidedBy =
  | { source: 'key policy'; statement: number; sid?: string }
  | { source: 'identity policy'; owner: string; name: string; statement: number; sid?: string; delegatedBy?: { statement: number; sid?: string } }
  | { source: 'grant'; grantId: string; name?: string }
  | { source: 'account root' }

export interface Decision {
  decision: 'Allow' | 'ExplicitDeny' | 'ImplicitDeny'
  /** The statement or grant that decided it; absent for an implicit deny. */
  decidedBy?: DecidedBy
  /** A sentence saying why, for people. */
  reason: string
  /**
   * An implicit deny: which kind of policy would have had to allow the call. 'identity' when the
   * key policy lets identity policies decide (or names the caller's account) and none allows it;
   * 'resource' when the key policy itself does not allow it (AccessDeniedException's wording).
   */
  missing?: 'identity' | 'resource'
}

const ACCOUNT_ID = /^\d{12}$/

/** 'direct': names this principal (or everyone); 'account': names the principal's account. */
function principalMatch(set: PrincipalSet, p: RequestPrincipal): 'direct' | 'account' | undefined {
  if (set.any) return 'direct'
  let account = false
  for (const name of set.aws) {
    const root = ACCOUNT_ID.test(name) ? name : /^arn:[^:]+:iam::(\d{12}):root$/.exec(name)?.[1]
    if (root !== undefined) {
      if (root === p.accountId) {
        if (p.isRoot) return 'direct'
        account = true
      }
    } else if (name === p.arn || (p.roleArn !== undefined && name === p.roleArn)) {
      return 'direct'
    }
  }
  return account ? 'account' : undefined
}

function actionMatches(s: Statement, action: string): boolean {
  const a = action.toLowerCase()
  if (s.action) return s.action.some((pattern) => globMatch(pattern, a))
  return !s.notAction!.some((pattern) => globMatch(pattern, a))
}

function resourceMatches(s: Statement, resource: string): boolean {
  // In a key policy "*" means this key; anywhere, "*" also matches operations on no resource.
  if (s.resource) return s.resource.some((pattern) => globMatch(pattern, resource))
  return !s.notResource!.some((pattern) => globMatch(pattern, resource))
}

/** Whether a policy has a Condition block, which needs {@link AccessRequest.conditionHolds}. */
export const hasConditions = (policy: Policy | undefined) => !!policy?.statements.some((s) => s.conditions.length > 0)

/**
 * Whether a NotPrincipal element exempts the caller: only when it names the caller exactly.
 * A role ARN does not exempt the role's assumed-role sessions (their session ARN must be
 * listed), and an account exempts only its root ("AWS JSON policy elements: NotPrincipal").
 */
function notPrincipalExempts(set: PrincipalSet, p: RequestPrincipal): boolean {
  if (set.any) return true
  return set.aws.some((name) => {
    const root = ACCOUNT_ID.test(name) ? name : /^arn:[^:]+:iam::(\d{12}):root$/.exec(name)?.[1]
    return root !== undefined ? p.isRoot && root === p.accountId : name === p.arn
  })
}

/** For key policy statements: how the statement's principal covers the caller, if it does. */
function keyStatementCovers(s: Statement, p: RequestPrincipal): 'direct' | 'account' | undefined {
  if (s.principal) return principalMatch(s.principal, p)
  // NotPrincipal (Deny only): everyone but the principals it names exactly.
  return notPrincipalExempts(s.notPrincipal!, p) ? undefined : 'direct'
}

const label = (s: { statement: number; sid?: string }) => (s.sid ? `statement "${s.sid}"` : `statement ${s.statement}`)

export function describeDecidedBy(by: DecidedBy): string {
  switch (by.source) {
    case 'key policy':
      return `key policy ${label(by)}`
    case 'identity policy':
      return `identity policy "${by.name}" of ${by.owner}, ${label(by)}`
    case 'grant':
      return `grant ${by.grantId}${by.name ? ` ("${by.name}")` : ''}`
    case 'account root':
      return 'the account root, which may always call operations on no key'
  }
}

function found(s: Statement) {
  const out: { statement: number; sid?: string } = { statement: s.index }
  if (s.sid !== undefined) out.sid = s.sid
  return out
}

/**
 * The actions a principal of another account may be allowed on a key ("Allowing users in other
 * accounts to use a KMS key", AWS KMS Developer Guide: "If you give users in a different account
 * permission for other operations, those permissions have no effect"; each operation's API
 * reference says "Cross-account use: Yes" or "No").
 */
const CROSS_ACCOUNT_ACTIONS = new Set([
  'kms:CreateGrant', 'kms:Decrypt', 'kms:DeriveSharedSecret', 'kms:DescribeKey', 'kms:Encrypt', 'kms:GenerateDataKey',
  'kms:GenerateDataKeyPair', 'kms:GenerateDataKeyPairWithoutPlaintext', 'kms:GenerateDataKeyWithoutPlaintext',
  'kms:GenerateMac', 'kms:GetKeyRotationStatus', 'kms:GetPublicKey', 'kms:ListGrants', 'kms:ReEncryptFrom',
  'kms:ReEncryptTo', 'kms:RetireGrant', 'kms:RevokeGrant', 'kms:Sign', 'kms:Verify', 'kms:VerifyMac',
])

/** Grant operations that take an encryption context: the only ones constraints apply to. */
const CONTEXT_OPERATIONS = new Set([
  'Encrypt', 'Decrypt', 'GenerateDataKey', 'GenerateDataKeyWithoutPlaintext', 'ReEncryptFrom', 'ReEncryptTo',
  'GenerateDataKeyPair', 'GenerateDataKeyPairWithoutPlaintext',
])

/**
 * Grant constraints (GrantConstraints in the KMS API Reference): EncryptionContextEquals must
 * equal the request's context; every pair of EncryptionContextSubset must be in it. Keys
 * compare case-insensitively, values exactly. Keys of the request that differ only in case are
 * all held to the constraint (each must carry its value), so the answer never depends on their
 * order. Constraints apply only to operations that take an encryption context (DescribeKey,
 * RetireGrant ... ignore them; a child grant's constraints are checked by CreateGrant itself).
 */
export function grantConstraintsMet(grant: GrantRecord, context: ContextPairs | undefined, operation?: string): boolean {
  const c = grant.constraints
  if (!c || (operation !== undefined && !CONTEXT_OPERATIONS.has(operation))) return true
  const request = new Map<string, string[]>()
  for (const [k, v] of context ?? []) {
    const folded = k.toLowerCase()
    request.set(folded, [...(request.get(folded) ?? []), v])
  }
  const holds = ([k, v]: [string, string]) => {
    const values = request.get(k.toLowerCase())
    return !!values && values.every((x) => x === v)
  }
  if (c.encryptionContextEquals) {
    const want = Object.entries(c.encryptionContextEquals)
    if (!want.every(holds) || request.size !== new Set(want.map(([k]) => k.toLowerCase())).size) return false
  }
  if (c.encryptionContextSubset && !Object.entries(c.encryptionContextSubset).every(holds)) return false
  return true
}

export const granteeMatches = (grant: GrantRecord, p: RequestPrincipal) => grant.granteePrincipal === p.arn || (p.roleArn !== undefined && grant.granteePrincipal === p.roleArn)

export async function evaluateAccess(req: AccessRequest): Promise<Decision> {
  const { principal: p, action, resource } = req
  const who = p.arn
  const what = `${action} on ${resource === '*' ? 'any resource' : resource}`
  // The root user has no identity policies (IAM policies cannot restrict it).
  const identity = p.isRoot ? [] : req.identityPolicies
  const conditionHolds = req.conditionHolds ?? (() => {
    throw new TypeError('evaluateAccess: a policy has a Condition block, and the request has no conditionHolds')
  })
  const applies = (s: Statement) => actionMatches(s, action) && resourceMatches(s, resource) && s.conditions.every((c) => conditionHolds(c, req.conditions, s.effect))

  // 1. Explicit deny anywhere.
  for (const s of req.keyPolicy?.statements ?? []) {
    if (s.effect === 'Deny' && keyStatementCovers(s, p) && applies(s)) {
      return { decision: 'ExplicitDeny', decidedBy: { source: 'key policy', ...found(s) }, reason: `${who} is explicitly denied ${what} by key policy ${label(found(s))}` }
    }
  }
  for (const ip of identity) {
    for (const s of ip.policy.statements) {
      if (s.effect === 'Deny' && applies(s)) {
        const by = { source: 'identity policy' as const, owner: ip.owner, name: ip.name, ...found(s) }
        return { decision: 'ExplicitDeny', decidedBy: by, reason: `${who} is explicitly denied ${what} by ${describeDecidedBy(by)}` }
      }
    }
  }
  const identityAllow = (() => {
    for (const ip of identity) {
      for (const s of ip.policy.statements) {
        if (s.effect === 'Allow' && applies(s)) return { source: 'identity policy' as const, owner: ip.owner, name: ip.name, ...found(s) }
      }
    }
    return undefined
  })()

  // Operations on no key, and the alias side of alias operations: identity policies alone.
  if (!req.keyPolicy) {
    if (p.isRoot && p.accountId === req.resourceAccount) return { decision: 'Allow', decidedBy: { source: 'account root' }, reason: `${who} is the account root, which may always call ${action}` }
    if (identityAllow && p.accountId === req.resourceAccount) return { decision: 'Allow', decidedBy: identityAllow, reason: `${describeDecidedBy(identityAllow)} allows ${what}` }
    return { decision: 'ImplicitDeny', reason: `no identity policy of ${who} allows ${what}`, missing: 'identity' }
  }

  // A key of another account serves only the operations AWS allows across accounts: a key
  // policy or grant that gives a foreign principal more has no effect there.
  if (p.accountId !== req.resourceAccount && !CROSS_ACCOUNT_ACTIONS.has(action)) {
    return { decision: 'ImplicitDeny', reason: `${action} cannot be called on a key of another account (${who} is not in account ${req.resourceAccount})`, missing: 'resource' }
  }

  // 2./3. The key policy, with delegation to identity policies.
  let direct: Statement | undefined
  let delegation: Statement | undefined
  for (const s of req.keyPolicy.statements) {
    if (s.effect !== 'Allow' || !applies(s)) continue
    const cover = keyStatementCovers(s, p)
    if (cover === 'direct' && !direct) direct = s
    if (cover === 'account' && !delegation) delegation = s
  }
  const sameAccount = p.accountId === req.resourceAccount
  if (sameAccount) {
    if (direct) return { decision: 'Allow', decidedBy: { source: 'key policy', ...found(direct) }, reason: `key policy ${label(found(direct))} allows ${who} ${what}` }
    if (delegation && identityAllow) {
      const by = { ...identityAllow, delegatedBy: found(delegation) }
      return { decision: 'Allow', decidedBy: by, reason: `key policy ${label(found(delegation))} lets the account's identity policies decide, and ${describeDecidedBy(identityAllow)} allows ${what}` }
    }
  } else {
    const keySide = direct ?? delegation
    if (keySide && (p.isRoot || identityAllow)) {
      if (identityAllow) {
        const by = { ...identityAllow, delegatedBy: found(keySide) }
        return { decision: 'Allow', decidedBy: by, reason: `key policy ${label(found(keySide))} allows account ${p.accountId}, and ${describeDecidedBy(identityAllow)} allows ${what}` }
      }
      return { decision: 'Allow', decidedBy: { source: 'key policy', ...found(keySide) }, reason: `key policy ${label(found(keySide))} allows account ${p.accountId}, whose root is calling` }
    }
  }

  // 4. Grants.
  if (req.grantOperation && req.grants) {
    for (const grant of await req.grants()) {
      if (granteeMatches(grant, p) && grant.operations.includes(req.grantOperation) && grantConstraintsMet(grant, req.encryptionContext, req.grantOperation)) {
        const by: DecidedBy = grant.name ? { source: 'grant', grantId: grant.grantId, name: grant.name } : { source: 'grant', grantId: grant.grantId }
        return { decision: 'Allow', decidedBy: by, reason: `${describeDecidedBy(by)} allows ${who} ${req.grantOperation}` }
      }
    }
  }

  // 5. Nothing allowed it: say what came closest.
  let reason = `no statement in the key policy, no identity policy and no grant allows ${who} ${what}`
  let missing: Decision['missing'] = 'resource'
  if (sameAccount && delegation) {
    reason = `key policy ${label(found(delegation))} lets the account's identity policies decide, but no identity policy of ${who} allows ${what}, and no grant does`
    missing = 'identity'
  } else if (!sameAccount && (direct ?? delegation)) {
    reason = `key policy ${label(found((direct ?? delegation)!))} allows account ${p.accountId}, but no identity policy of ${who} in that account allows ${what}, and no grant does`
    missing = 'identity'
  }
  return { decision: 'ImplicitDeny', reason, missing }
}
