/**
 * Who may do what: builds the request context AWS evaluates policies against (the `aws:` and
 * `kms:` condition keys of "AWS KMS condition keys" and "AWS global condition context keys"),
 * gathers the key policy, the caller's identity policies and the key's grants, and asks
 * policy/evaluate.ts for a decision. A denied call raises AccessDeniedException with AWS's
 * wording, and is audited like any other call.
 */
import { AccessDeniedException, MalformedPolicyDocumentException, ValidationException } from '../errors.js'
import type { KeyStore } from '../keystore/KeyStore.js'
import type { KeyRecord } from '../keystore/records.js'
import type { ResolvedCaller } from './caller.js'
import type { Account } from './keyIds.js'
import type { ConditionLookup, ConditionValue } from './policy/conditions.js'
import { cachedPolicy, defaultKeyPolicy, parsePolicy, type Policy } from './policy/document.js'
import { evaluateAccess, type Decision, type IdentityPolicy, type RequestPrincipal } from './policy/evaluate.js'

/** Grant operations (CreateGrant's Operations member) that name a KMS API call on the key. */
export const GRANT_OPERATIONS = [
  'Decrypt', 'Encrypt', 'GenerateDataKey', 'GenerateDataKeyWithoutPlaintext', 'ReEncryptFrom', 'ReEncryptTo',
  'Sign', 'Verify', 'GetPublicKey', 'CreateGrant', 'RetireGrant', 'DescribeKey', 'GenerateDataKeyPair',
  'GenerateDataKeyPairWithoutPlaintext', 'GenerateMac', 'VerifyMac', 'DeriveSharedSecret',
] as const
export type GrantOperation = (typeof GRANT_OPERATIONS)[number]

/** Operations on no key: identity policies decide (the account root may always call them). */
export const NO_KEY_OPERATIONS = new Set<string>(['CreateKey', 'ListKeys', 'ListAliases', 'GenerateRandom', 'ListRetirableGrants'])

/** Request members that become condition keys of operations on no key. */
export function noKeyConditions(request: Record<string, unknown>) {
  const c: Record<string, { values: string[] }> = {}
  const spec = request.KeySpec ?? request.CustomerMasterKeySpec
  if (typeof spec === 'string') c['kms:KeySpec'] = { values: [spec] }
  if (typeof request.KeyUsage === 'string') c['kms:KeyUsage'] = { values: [request.KeyUsage] }
  if (typeof request.Origin === 'string') c['kms:KeyOrigin'] = { values: [request.Origin] }
  if (typeof request.BypassPolicyLockoutSafetyCheck === 'boolean') c['kms:BypassPolicyLockoutSafetyCheck'] = { values: [String(request.BypassPolicyLockoutSafetyCheck)] }
  if (typeof request.MultiRegion === 'boolean') c['kms:MultiRegion'] = { values: [String(request.MultiRegion)] }
  return c
}

/** What one authorization asks, beyond the call itself. */
export interface AccessCheck {
  /** The API action without `kms:`; default: the call's operation. */
  action?: string
  /** The grant operation that would allow it; default: the action when it is one. */
  grantOperation?: string
  /** The encryption context the request uses on this key (conditions and grant constraints). */
  encryptionContext?: Record<string, string>
  /** The KeyId as the caller wrote it (kms:RequestAlias). */
  requestKeyId?: string
  /** Operation-specific condition keys (kms:GrantOperations, kms:BypassPolicyLockoutSafetyCheck, ...). */
  conditions?: Record<string, ConditionValue>
}

/** The caller as policies see it: an assumed-role session is also its role. */
export function requestPrincipal(caller: ResolvedCaller): RequestPrincipal {
  const m = /^arn:([^:]+):sts::(\d{12}):assumed-role\/([^/]+)\/.+$/.exec(caller.principal)
  const p: RequestPrincipal = { arn: caller.principal, accountId: caller.accountId, isRoot: /^arn:[^:]+:iam::\d{12}:root$/.test(caller.principal) }
  if (m) p.roleArn = `arn:${m[1]}:iam::${m[2]}:role/${m[3]}`
  return p
}

/**
 * Identity policies (the IAM side): named policies attached to principals. A role's policies
 * also apply to its assumed-role sessions. They are the engine's configuration, not KMS data:
 * they live in memory, set by `createKms({ identityPolicies })` and `kms.putIdentityPolicy`.
 */
export class IdentityPolicies {
  #byPrincipal = new Map<string, Map<string, { text: string; policy: Policy }>>()

  put(principal: string, name: string, text: string): void {
    if (!/^[\w+=,.@-]{1,128}$/.test(name)) throw new ValidationException(`Identity policy name ${JSON.stringify(name)} must be 1-128 letters, digits or +=,.@_-`)
    const policy = parsePolicy(text, 'identity')
    let named = this.#byPrincipal.get(principal)
    if (!named) this.#byPrincipal.set(principal, (named = new Map()))
    named.set(name, { text, policy })
  }

  delete(principal: string, name: string): boolean {
    return this.#byPrincipal.get(principal)?.delete(name) ?? false
  }

  /** `{ name: policy text }` for one principal. */
  list(principal: string): Record<string, string> {
    return Object.fromEntries([...(this.#byPrincipal.get(principal) ?? [])].map(([name, { text }]) => [name, text]))
  }

  for(p: RequestPrincipal): IdentityPolicy[] {
    const owners = p.roleArn ? [p.arn, p.roleArn] : [p.arn]
    return owners.flatMap((owner) => [...(this.#byPrincipal.get(owner) ?? [])].map(([name, { policy }]) => ({ owner, name, policy })))
  }
}

/** A key's policy, parsed (keys made before policies existed have the default one). */
export function keyPolicyText(account: Account, key: KeyRecord): string {
  return key.policy ?? defaultKeyPolicy(account.partition, key.accountId)
}

export function keyPolicy(account: Account, key: KeyRecord): Policy {
  try {
    return cachedPolicy(keyPolicyText(account, key), 'key')
  } catch (error) {
    // Stored policies were validated when stored; one that no longer parses denies nothing silently.
    if (error instanceof MalformedPolicyDocumentException) throw new AccessDeniedException(`The key policy of ${key.arn} cannot be evaluated: ${error.message}`)
    throw error
  }
}

interface CallContext {
  operation: string
  now: Date
  caller: ResolvedCaller
}

const single = (value: string | undefined): ConditionValue | undefined => (value === undefined ? undefined : { values: [value] })

/** The request context: condition key (lower-cased) to its values. */
export function conditionLookup(call: CallContext, key: KeyRecord | undefined, check: AccessCheck): ConditionLookup {
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
  if (context) values.set('kms:encryptioncontextkeys', { values: Object.keys(context), multi: true })
  for (const [k, v] of Object.entries(check.conditions ?? {})) values.set(k.toLowerCase(), v)

  return (name) => {
    const lower = name.toLowerCase()
    if (lower.startsWith('kms:encryptioncontext:')) {
      // The whole key, context key included, is case-insensitive (KMS condition keys).
      const wanted = lower.slice('kms:encryptioncontext:'.length)
      const matches = Object.entries(context ?? {}).filter(([k]) => k.toLowerCase() === wanted)
      return matches.length ? { values: matches.map(([, v]) => v) } : undefined
    }
    if (lower.startsWith('aws:resourcetag/') && key) {
      const tag = key.tags.find((t) => t.TagKey === name.slice('aws:resourcetag/'.length))
      return tag ? single(tag.TagValue) : undefined
    }
    return values.get(lower)
  }
}

export interface AuthorizationTarget {
  /** The key the call acts on; absent for operations on no key and for alias resources. */
  key?: KeyRecord
  /** The resource ARN when there is no key: an alias ARN, or `*`. */
  resource?: string
}

export class Authorizer {
  constructor(
    private readonly account: Account,
    private readonly store: KeyStore,
    readonly identityPolicies: IdentityPolicies,
  ) {}

  async decide(call: CallContext, target: AuthorizationTarget, check: AccessCheck = {}): Promise<Decision> {
    const action = check.action ?? call.operation
    const grantOperation = check.grantOperation ?? ((GRANT_OPERATIONS as readonly string[]).includes(action) ? action : undefined)
    const principal = requestPrincipal(call.caller)
    const { key } = target
    const request: Parameters<typeof evaluateAccess>[0] = {
      principal,
      action: `kms:${action}`,
      resource: key ? key.arn : (target.resource ?? '*'),
      resourceAccount: key ? key.accountId : this.account.accountId,
      conditions: conditionLookup(call, key, check),
      identityPolicies: this.identityPolicies.for(principal),
    }
    if (key) {
      request.keyPolicy = keyPolicy(this.account, key)
      if (grantOperation) {
        request.grantOperation = grantOperation
        request.grants = () => this.store.transaction('readonly', (tx) => tx.listGrants(key.keyId))
      }
    }
    if (check.encryptionContext) request.encryptionContext = check.encryptionContext
    return evaluateAccess(request)
  }

  /** Resolves when the call is allowed; otherwise throws AccessDeniedException as AWS words it. */
  async authorize(call: CallContext, target: AuthorizationTarget, check: AccessCheck = {}): Promise<Decision> {
    const decision = await this.decide(call, target, check)
    if (decision.decision === 'Allow') return decision
    const action = `kms:${check.action ?? call.operation}`
    const resource = target.key?.arn ?? target.resource ?? '*'
    const kind = target.key ? 'resource-based' : 'identity-based'
    const why = decision.decision === 'ExplicitDeny'
      ? `with an explicit deny in ${decision.decidedBy?.source === 'identity policy' ? 'an identity-based' : 'a resource-based'} policy`
      : `because no ${kind} policy allows the ${action} action`
    throw new AccessDeniedException(`User: ${call.caller.principal} is not authorized to perform: ${action} on resource: ${resource} ${why}`)
  }
}
