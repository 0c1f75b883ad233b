/**
 * Members and rules several operations share: their schemas (AWS's model constraints), paging,
 * grant tokens, DryRun, the checks on what resolution found, and the key policy safety check.
 */
import { DryRunOperationException, InvalidGrantTokenException, InvalidKeyUsageException, KMSInvalidStateException, MalformedPolicyDocumentException, TagException } from '../errors.js'
import type { KeyRecord, KeyUsage, KeyVersionRecord, TagRecord } from '../../keystore/records.js'
import type { Call, Engine } from '../engine.js'
import { currentVersion, hasMaterial } from '../keyTimeline.js'
import { assertKeyState, type StateCheckedOperation } from '../keyStates.js'
import type { RunContext } from '../operation.js'
import { fromBase64 } from '../../util/bytes.js'
import type { Conditions } from '../authorization.js'
import { boolean, enumOf, integer, list, map, string, structure } from '../request/schema.js'

/** A key's description: at most 8192 characters (CreateKey, UpdateKeyDescription). */
export const DESCRIPTION = { min: 0, max: 8192 }

/** Key IDs, key ARNs, alias names and alias ARNs: 1 to 2048 characters. */
export const keyIdMember = () => string({ min: 1, max: 2048 }, { required: true })
export const optionalKeyIdMember = () => string({ min: 1, max: 2048 })
export const grantTokensMember = () => list(string({ min: 1, max: 8192 }), { min: 0, max: 10 }, { audited: false })
export const dryRunMember = () => boolean()
export const encryptionContextMember = () => map()
export const tagMember = () => structure({ TagKey: string({ min: 1, max: 128 }, { required: true }), TagValue: string({ min: 0, max: 256 }, { required: true }) })
export const ENCRYPTION_ALGORITHMS = ['SYMMETRIC_DEFAULT', 'RSAES_OAEP_SHA_1', 'RSAES_OAEP_SHA_256', 'SM2PKE'] as const
export const encryptionAlgorithmMember = () => enumOf(ENCRYPTION_ALGORITHMS)

/** Paging members shared by the List operations (Limit's range differs per operation). */
export const pagingMembers = (maxLimit: number) => ({
  Limit: integer(1, maxLimit),
  Marker: string({ min: 1, max: 1024, pattern: /^[\u0020-\u00FF]*$/ }),
})

const TOKEN_PREFIX = 'webkms-grant-token-1'

/** Grant tokens are base64 text naming the key and grant; a malformed one is InvalidGrantTokenException. */
export function decodeGrantToken(token: string): { keyId: string; grantId: string } {
  let text = ''
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(fromBase64(token))
  } catch {
    // fall through to the refusal below
  }
  const m = new RegExp(`^${TOKEN_PREFIX}:([0-9a-f-]{36}):([0-9a-f]{64}):[0-9a-f]{32}$`).exec(text)
  if (!m) throw new InvalidGrantTokenException('The grant token is not valid.')
  return { keyId: m[1]!, grantId: m[2]! }
}

export const encodeGrantTokenText = (keyId: string, grantId: string, nonceHex: string) => `${TOKEN_PREFIX}:${keyId}:${grantId}:${nonceHex}`

/** Checks the form of every grant token a request carries (they take effect at once here). */
export function checkGrantTokens(tokens: readonly string[] | undefined): void {
  for (const t of tokens ?? []) decodeGrantToken(t)
}

export function dryRunStop(dryRun: boolean | undefined): void {
  if (dryRun) throw new DryRunOperationException('The request would have succeeded, but the DryRun option is set.')
}

/** kms:EncryptionAlgorithm, for the operations that take one (and GenerateDataKey*, which use SYMMETRIC_DEFAULT). */
export const algorithmCondition = (alg: string): Conditions => ({ 'kms:EncryptionAlgorithm': { values: [alg] } })

/** The key a call resolved, as the permission's target and for the audit event. */
export interface KeyTarget {
  key: KeyRecord
}

/** Finds the key named by the request's KeyId (key ID or key ARN; aliases where `allowAlias`). */
export const resolveKey =
  (allowAlias: boolean) =>
  async (engine: Engine, call: Call, request: { KeyId: string }): Promise<KeyTarget> => ({ key: await engine.findKey(call, request.KeyId, allowAlias) })

/** The permission on the resolved key, with the KeyId as written (kms:RequestAlias). */
export const onKey = (request: { KeyId: string }, target: KeyTarget) => [{ on: target.key, requestKeyId: request.KeyId }]


/**
 * The write of the rows that change one key in place: re-reads the key inside the call's
 * commit (another tab may have changed it since it was resolved), checks its state for
 * `operation`, and lets `change` change it.
 */
export function changeKey(ctx: RunContext, key: KeyRecord, operation: StateCheckedOperation, change: (k: KeyRecord) => void): Promise<void> {
  return ctx.commit((tx) =>
    ctx.engine.updateKey(tx, key.keyId, (k) => {
      assertKeyState(k, operation)
      change(k)
    }),
  )
}

/** The key's usage must be the one the operation needs (InvalidKeyUsageException, as AWS). */
export function requireUsage(key: KeyRecord, usage: KeyUsage): void {
  if (key.keyUsage !== usage) throw new InvalidKeyUsageException(`${key.arn} has KeyUsage ${key.keyUsage}; this operation needs a ${usage} key`)
}

/** The current version, which must hold material (an EXTERNAL key may be waiting for its material). */
export function usableVersion(key: KeyRecord): KeyVersionRecord {
  const version = currentVersion(key)
  if (!version || !hasMaterial(version)) throw new KMSInvalidStateException(`${key.arn} is pending import.`)
  return version
}

/** AWS quota: at most 50 tags per key (CreateKey and TagResource both merge tags with mergeTags). */
export const MAX_TAGS_PER_KEY = 50

/** Merges `added` into `existing` (a new value replaces the old one for the same key). */
export function mergeTags(existing: readonly TagRecord[], added: readonly TagRecord[]): TagRecord[] {
  for (const t of added) {
    // Tag keys with the reserved prefix belong to AWS (TagResource API reference).
    if (t.TagKey.toLowerCase().startsWith('aws:')) throw new TagException(`Tags beginning with aws: are reserved`)
  }
  if (new Set(added.map((t) => t.TagKey)).size !== added.length) throw new TagException('Duplicate tag keys')
  const merged = new Map(existing.map((t) => [t.TagKey, t.TagValue]))
  for (const t of added) merged.set(t.TagKey, t.TagValue)
  if (merged.size > MAX_TAGS_PER_KEY) throw new TagException(`Too many tags: a key can have at most ${MAX_TAGS_PER_KEY}`)
  return [...merged].map(([TagKey, TagValue]) => ({ TagKey, TagValue }))
}

/**
 * Parses a new key policy (CreateKey, PutKeyPolicy) and runs the policy lockout safety check
 * against `key` carrying it: unless BypassPolicyLockoutSafetyCheck is set, the new policy must
 * still let the caller make a later PutKeyPolicy on the key.
 */
export async function checkNewKeyPolicy(engine: Engine, call: Call, key: KeyRecord, text: string, bypass: boolean): Promise<void> {
  await engine.authorizer.policies.parse(text, 'key')
  if (bypass) return
  const decision = await engine.authorizer.decide(call, { on: { ...key, policy: text }, conditions: { 'kms:BypassPolicyLockoutSafetyCheck': { values: ['false'] } } }, 'kms:PutKeyPolicy')
  if (decision.decision !== 'Allow') {
    throw new MalformedPolicyDocumentException(`The new key policy will not allow you to update the key policy in the future. (${decision.reason})`)
  }
}
