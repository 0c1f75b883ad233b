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
import type { ResolvedCaller } from './caller.js'
import type { ContextPairs } from './format/encryptionContext.js'
import type { Account } from './keyIds.js'
import type { ConditionLookup, ConditionValue } from './policy/conditions.js'
import { defaultKeyPolicy, parsedDefaultKeyPolicy } from './policy/defaultPolicy.js'
import type { Policy } from './policy/document.js'
import { evaluateAccess, hasConditions, type Decision, type IdentityPolicy, type RequestPrincipal } from './policy/evaluate.js'
import type { PolicyParser } from './policy/parser.js'

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

/** The caller as policies see it: an assumed-role session is also its role. */
export function requestPrincipal(caller: ResolvedCaller): RequestPrincipal {
  const m = /^arn:([^:]+):sts::(\d{12}):assumed-role\/([^/]+)\/.+$/.exec(caller.principal)
  const p: RequestPrincipal = { arn: caller.principal, accountId: caller.accountId, isRoot: /^arn:[^:]+:iam::\d{12}:root$/.test(caller.principal) }
  if (m) p.roleArn = `arn:${m[1]}:iam::${m[2]}:role/${m[3]}`
  return p
}

/** A key's policy text (keys made before policies existed have the default one). */
export function keyPolicyText(account: Account, key: KeyRecord): string {
  return key.policy ?? defaultKeyPolicy(account.partition, key.accountId)
}

const single = (value: string | undefined): ConditionValue | undefined => (value === undefined ? undefined : { values: [value] })

/** What a condition lookup needs to know of the permission. */
export interface LookupInput {
  encryptionContext?: ContextPairs
  requestKeyId?: string
  conditions?: Conditions
}

/**
 * The request context: condition key (matched case-insensitively) to its values. Built on the
 * first lookup: most calls meet no policy with a Condition block and never look one up.
 */
export function conditionLookup(call: CallContext, key: KeyRecord | undefined, check: LookupInput): ConditionLookup {
  let values: Map<string, ConditionValue | undefined> | undefined
  const context = check.encryptionContext
  // Keys whose name is a prefix and a caller's key: case-insensitive in both parts, as AWS
  // documents for kms:EncryptionContext:<key> and aws:ResourceTag/<key>. Keys differing only in
  // case all count: a deny on one cannot be dodged by writing another's case.
  const caseFolded = (entries: readonly (readonly [string, string])[], wanted: string): ConditionValue | undefined => {
    const matches = entries.filter(([k]) => k.toLowerCase() === wanted)
    return matches.length ? { values: matches.map(([, v]) => v) } : undefined
  }
  return (name) => {
    const lower = name.toLowerCase()
    if (lower.startsWith('kms:encryptioncontext:')) return caseFolded(context ?? [], lower.slice('kms:encryptioncontext:'.length))
    if (lower.startsWith('aws:resourcetag/')) return key ? caseFolded(key.tags.map((t) => [t.TagKey, t.TagValue] as const), lower.slice('aws:resourcetag/'.length)) : undefined
    values ??= contextValues(call, key, check)
    return values.get(lower)
  }
}

/** The request context's single- and multi-valued keys, by lower-case name. */
function contextValues(call: CallContext, key: KeyRecord | undefined, check: LookupInput): Map<string, ConditionValue | undefined> {
  const c = call.caller
  const p = requestPrincipal(c)
  const values = new Map<string, ConditionValue | undefined>([
    ['aws:currenttime', single(call.now.toISOString())],
    ['aws:epochtime', single(String(Math.floor(call.now.getTime() / 1000)))],
    ['aws:sourceip', single(c.sourceIp)],
    ['aws:principalarn', single(p.roleArn ?? c.principal)],
    ['aws:principalaccount', single(c.accountId)],
    ['aws:multifactorauthpresent', single(c.mfa === undefined ? undefined : String(c.mfa))],
    ['aws:viaawsservice', single(String(c.viaService !== undefined))],
    ['kms:calleraccount', single(c.accountId)],
    ['kms:viaservice', single(c.viaService)],
  ])
  if (key) {
    values.set('kms:keyspec', single(key.keySpec))
    values.set('kms:keyusage', single(key.keyUsage))
    values.set('kms:keyorigin', single(key.origin))
  }
  const alias = check.requestKeyId === undefined ? undefined : /(?:^|:)(alias\/.+)$/.exec(check.requestKeyId)?.[1]
  if (alias) values.set('kms:requestalias', single(alias))
  const context = check.encryptionContext
  if (context) values.set('kms:encryptioncontextkeys', { values: context.map(([k]) => k), multi: true })
  for (const [k, v] of Object.entries(check.conditions ?? {})) values.set(k.toLowerCase(), v)
  return values
}

export class Authorizer {
  constructor(
    private readonly account: Account,
    private readonly store: KeyStore,
    /** The engine's parsed policies, and the policy grammar loaded on demand. */
    readonly policies: PolicyParser,
  ) {}

  /** A key's policy, parsed. The default policy comes parsed: most engines never load the grammar. */
  async keyPolicy(key: KeyRecord): Promise<Policy> {
    const { partition } = this.account
    const text = keyPolicyText(this.account, key)
    const known = () => (text === defaultKeyPolicy(partition, key.accountId) ? parsedDefaultKeyPolicy(partition, key.accountId) : undefined)
    try {
      return await this.policies.cached(text, 'key', known)
    } catch (error) {
      // Stored policies were validated when stored; one that no longer parses denies nothing silently.
      if (error instanceof MalformedPolicyDocumentException) throw new AccessDeniedException(`The key policy of ${key.arn} cannot be evaluated: ${error.message}`)
      throw error
    }
  }

  /** The identity policies that apply to a principal (a session's role's too), from the store. */
  async identityPolicies(p: RequestPrincipal): Promise<IdentityPolicy[]> {
    if (p.isRoot) return [] // IAM policies cannot restrict the root user
    const owners = p.roleArn ? [p.arn, p.roleArn] : [p.arn]
    const records = await this.store.transaction('readonly', async (tx) => (await Promise.all(owners.map((o) => tx.getIdentityPolicies(o)))).flat())
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
    const request: Parameters<typeof evaluateAccess>[0] = {
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
