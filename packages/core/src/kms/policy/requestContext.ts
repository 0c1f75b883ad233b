/**
 * The request context policies are evaluated against: the `aws:` and `kms:` condition keys of
 * "AWS KMS condition keys" and "AWS global condition context keys", for one permission of one
 * call. Loaded with the policy evaluator (evaluator.ts).
 */
import type { KeyRecord } from '../../keystore/records.js'
import { requestPrincipal, type CallContext, type LookupInput } from '../authorization.js'
import type { ConditionLookup, ConditionValue } from './conditions.js'

const single = (value: string | undefined): ConditionValue | undefined => (value === undefined ? undefined : { values: [value] })

/**
 * The request context: condition key (matched case-insensitively) to its values. Built on the
 * first lookup: most calls meet no policy with a Condition block and never look one up.
 */
export function conditionLookup(call: CallContext, key: KeyRecord | undefined, check: LookupInput): ConditionLookup {
  let values: Map<string, ConditionValue | undefined> | undefined
  const context = check.encryptionContext
  // Keys whose name is a prefix and a caller's key: case-insensitive in both parts, as AWS
  // documents for kms:EncryptionContext:<key> and aws:ResourceTag/<key>. Keys differing only in
  // case all count, as variants (conditionHolds): a deny on one cannot be dodged by writing
  // another's case.
  const caseFolded = (entries: readonly (readonly [string, string])[], wanted: string): ConditionValue | undefined => {
    const matches = entries.filter(([k]) => k.toLowerCase() === wanted)
    if (matches.length === 0) return undefined
    return matches.length === 1 ? { values: [matches[0]![1]] } : { values: matches.map(([, v]) => v), variants: true }
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

