/**
 * Who may do what: builds the request context AWS evaluates policies against (the `aws:` and
 * `kms:` condition keys of "AWS KMS condition keys" and "AWS global condition context keys"),
 * gathers the key policy, the caller's identity policies (from the KeyStore) and the key's
 * grants, and asks policy/evaluate.ts for a decision. The call path (callPath.ts) authorizes
 * every permission an operation declares, before its handler runs; a refusal is
 * AccessDeniedException in AWS's wording, and is audited like any other call.
 */
import { AccessDeniedException, MalformedPolicyDocumentException } from './errors.js'
import type { KeyStore } from '../keystore/KeyStore.js'
import type { KeyRecord } from '../keystore/records.js'
import { sessionRole, type ResolvedCaller } from './caller.js'
import type { ContextPairs } from './format/encryptionContext.js'
import type { Account } from './keyIds.js'
import type { OtherAccounts } from './otherAccounts.js'
import type { ConditionLookup, ConditionValue } from './policy/conditions.js'
import { defaultKeyPolicy, parsedDefaultKeyPolicy } from './policy/defaultPolicy.js'
import type { Policy } from './policy/document.js'
import type { AccessRequest, Decision, IdentityPolicy, RequestPrincipal } from './policy/evaluate.js'
import type { PolicyParser } from './policy/parser.js'

/** What a condition lookup needs to know of the permission. */
export interface LookupInput {
  encryptionContext?: ContextPairs
  requestKeyId?: string
  conditions?: Conditions
}

/**
 * The policy evaluator (policy/evaluator.ts), loaded with the first decision decidedForRoot does
 * not make (createKms.ts). Declared here, not imported: the evaluator's modules import this one.
 */
export interface PolicyEvaluator {
  evaluateAccess(request: AccessRequest): Promise<Decision>
  hasConditions(policy: Policy | undefined): boolean
  conditionLookup(call: CallContext, key: KeyRecord | undefined, check: LookupInput): ConditionLookup
}

/** Grant operations (CreateGrant's Operations member) that name a KMS API call on the key. */
export const GRANT_OPERATIONS = [
  'Decrypt', 'Encrypt', 'GenerateDataKey', 'GenerateDataKeyWithoutPlaintext', 'ReEncryptFrom', 'ReEncryptTo',
  'Sign', 'Verify', 'GetPublicKey', 'CreateGrant', 'RetireGrant', 'DescribeKey', 'GenerateDataKeyPair',
  'GenerateDataKeyPairWithoutPlaintext', 'GenerateMac', 'VerifyMac', 'DeriveSharedSecret',
] as const
export type GrantOperation = (typeof GRANT_OPERATIONS)[number]

export type Conditions = Record<string, ConditionValue>

/** One permission a call needs. */
export interface Permission {
  /** The key the call acts on, or the resource ARN when it acts on no key (an alias ARN; `*` for none). */
  on: KeyRecord | string
  /** The IAM action, e.g. `kms:ReEncryptFrom`. Default: `<service>:<operation>`. */
  action?: string
  /** The grant operation that would allow it. Default: the action's name when it is a grant operation on a key; `false`: no grant can. */
  grantOperation?: string | false
  /** The encryption context the request uses on this key (conditions and grant constraints). */
  encryptionContext?: ContextPairs
  /** The KeyId as the caller wrote it (kms:RequestAlias). */
  requestKeyId?: string
  /** Operation-specific condition keys (kms:GrantOperations, kms:BypassPolicyLockoutSafetyCheck, ...). */
  conditions?: Conditions
  /** Decided otherwise than by policies and grants (RetireGrant's grant rules, IAM's root rule). */
  decide?: (authorizer: Authorizer, call: CallContext) => Promise<Decision>
}

/** The context of one call that policies see. */
export interface CallContext {
  operation: string
  now: Date
  caller: ResolvedCaller
}

/** The caller as policies see it: an assumed-role session is also its role (with its path where the caller gave it: Caller.roleArn). */
export function requestPrincipal(caller: ResolvedCaller): RequestPrincipal {
  const p: RequestPrincipal = { arn: caller.principal, accountId: caller.accountId, isRoot: /^arn:[^:]+:iam::\d{12}:root$/.test(caller.principal) }
  const roleArn = sessionRole(caller)
  if (roleArn) p.roleArn = roleArn
  return p
}

/** A key's policy text (keys made before policies existed have the default one). */
export function keyPolicyText(account: Account, key: KeyRecord): string {
  return key.policy ?? defaultKeyPolicy(account.partition, key.accountId)
}

/** Whether a key's policy is the default one (absent, or given as its very text). */
const keepsDefaultPolicy = (account: Account, key: KeyRecord) => key.policy === undefined || key.policy === defaultKeyPolicy(account.partition, key.accountId)

/**
 * What evaluate.ts decides for the engine's account root in the two cases most calls are (a
 * test holds the two equal), made without loading the evaluator: an operation on no key (the
 * root may always call those), and a `kms:` action on a key that keeps the default key policy,
 * whose one statement allows the root every `kms:` action. Undefined for anything else.
 */
export function decidedForRoot(account: Account, p: RequestPrincipal, action: string, key: KeyRecord | undefined): Decision | undefined {
  if (!p.isRoot) return undefined
  if (!key) {
    if (p.accountId !== account.accountId) return undefined
    return { decision: 'Allow', decidedBy: { source: 'account root' }, reason: `${p.arn} is the account root, which may always call ${action}` }
  }
  if (p.accountId !== key.accountId || !/^kms:/i.test(action) || !keepsDefaultPolicy(account, key)) return undefined
  const { index, sid } = parsedDefaultKeyPolicy(account.partition, key.accountId).statements[0]!
  return { decision: 'Allow', decidedBy: { source: 'key policy', statement: index, sid: sid! }, reason: `key policy statement "${sid}" allows ${p.arn} ${action} on ${key.arn}` }
}

export class Authorizer {
  constructor(
    private readonly account: Account,
    private readonly store: KeyStore,
    /** The engine's parsed policies, and the policy grammar loaded on demand. */
    readonly policies: PolicyParser,
    /** The policy evaluator, loaded on demand. */
    private readonly evaluator: () => Promise<PolicyEvaluator>,
    /** Where the host keeps other accounts' identity policies, when not in this store (otherAccounts.ts). */
    private readonly otherAccounts?: OtherAccounts,
  ) {}

  /** A key's policy, parsed. The default policy comes parsed: most engines never load the grammar. */
  async keyPolicy(key: KeyRecord): Promise<Policy> {
    const text = keyPolicyText(this.account, key)
    const known = () => (keepsDefaultPolicy(this.account, key) ? parsedDefaultKeyPolicy(this.account.partition, key.accountId) : undefined)
    try {
      return await this.policies.cached(text, 'key', known)
    } catch (error) {
      // Stored policies were validated when stored; one that no longer parses denies nothing silently.
      if (error instanceof MalformedPolicyDocumentException) throw new AccessDeniedException(`The key policy of ${key.arn} cannot be evaluated: ${error.message}`)
      throw error
    }
  }

  /**
   * The identity policies that apply to a principal (a session's role's too): from the store, or
   * for a principal of another account kept elsewhere, from where the host keeps that account.
   */
  async identityPolicies(p: RequestPrincipal): Promise<IdentityPolicy[]> {
    if (p.isRoot) return [] // IAM policies cannot restrict the root user
    const owners = p.roleArn ? [p.arn, p.roleArn] : [p.arn]
    const records =
      this.otherAccounts && p.accountId !== this.account.accountId
        ? await this.otherAccounts.identityPolicies(p.accountId, owners)
        : await this.store.transaction('readonly', async (tx) => (await Promise.all(owners.map((o) => tx.getIdentityPolicies(o)))).flat())
    return Promise.all(records.map(async (r) => ({ owner: r.principal, name: r.name, policy: await this.policies.cached(r.document, 'identity') })))
  }

  /** The decision for one permission, without raising. */
  async decide(call: CallContext, permission: Permission, defaultAction: string): Promise<Decision> {
    if (permission.decide) return permission.decide(this, call)
    const action = permission.action ?? defaultAction
    const name = action.slice(action.indexOf(':') + 1)
    const key = typeof permission.on === 'string' ? undefined : permission.on
    const grantOperation = permission.grantOperation === false ? undefined : (permission.grantOperation ?? ((GRANT_OPERATIONS as readonly string[]).includes(name) ? name : undefined))
    const principal = requestPrincipal(call.caller)
    const decided = decidedForRoot(this.account, principal, action, key)
    if (decided) return decided
    const { evaluateAccess, hasConditions, conditionLookup } = await this.evaluator()
    const request: AccessRequest = {
      principal,
      action,
      resource: key ? key.arn : (permission.on as string),
      resourceAccount: key ? key.accountId : this.account.accountId,
      conditions: conditionLookup(call, key, permission),
      identityPolicies: await this.identityPolicies(principal),
    }
    if (key) {
      request.keyPolicy = await this.keyPolicy(key)
      if (grantOperation) {
        request.grantOperation = grantOperation
        request.grants = () => this.store.transaction('readonly', (tx) => tx.listGrants(key.keyId))
      }
    }
    if (permission.encryptionContext) request.encryptionContext = permission.encryptionContext
    if (hasConditions(request.keyPolicy) || request.identityPolicies.some((ip) => hasConditions(ip.policy))) request.conditionHolds = await this.policies.conditionHolds()
    return evaluateAccess(request)
  }

  /** Resolves to the Allow decision; otherwise throws AccessDeniedException as AWS words it. */
  async authorize(call: CallContext, permission: Permission, defaultAction: string): Promise<Decision> {
    const decision = await this.decide(call, permission, defaultAction)
    if (decision.decision === 'Allow') return decision
    if (permission.decide) throw new AccessDeniedException(decision.reason)
    const action = permission.action ?? defaultAction
    const key = typeof permission.on === 'string' ? undefined : permission.on
    const resource = key?.arn ?? (permission.on as string)
    const why = decision.decision === 'ExplicitDeny'
      ? `with an explicit deny in ${decision.decidedBy?.source === 'identity policy' ? 'an identity-based' : 'a resource-based'} policy`
      : `because no ${decision.missing === 'resource' ? 'resource-based' : 'identity-based'} policy allows the ${action} action`
    throw new AccessDeniedException(`User: ${call.caller.principal} is not authorized to perform: ${action} on resource: ${resource} ${why}`)
  }
}
