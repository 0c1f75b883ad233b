/**
 * `kms.explain`: what the engine would decide for a caller, an operation, a key and a request,
 * and which key policy statement, identity policy statement or grant decided it (or that
 * nothing allowed it). It runs the same evaluation as a real call, changes nothing and is not
 * audited, like IAM's policy simulator. The teaching demo shows its answers.
 */
import { ValidationException } from './errors.js'
import type { Permission } from './authorization.js'
import { resolveCaller, type ResolvedCaller } from './caller.js'
import type { Call, Engine } from './engine.js'
import { loaded } from './loaded.js'
import { loadRow, noTarget, type TableRow } from './operation.js'
import type { DecidedBy, Decision } from './policy/evaluate.js'
import type { Caller } from './caller.js'
import type { EncryptionContextType } from './types.js'
import type { createKeyConditions } from './operations/keys.js'

/**
 * What `kms.explain` is asked: would this caller be allowed this operation on this key, with
 * this request? It runs the evaluation a real call runs (key policy, identity policies, grants
 * and their conditions: "Determining access to AWS KMS keys",
 * https://docs.aws.amazon.com/kms/latest/developerguide/determining-access.html), changing
 * nothing and auditing nothing. `kms.explain` rejects with `ValidationException`
 * (`ERR_KMS_VALIDATION`) for an operation it does not know, for `ReEncrypt` (explain
 * `ReEncryptFrom` and `ReEncryptTo`) or `RetireGrant`, and for a key operation without `keyId`;
 * with `NotFoundException` (`ERR_KMS_NOT_FOUND`) for a key that does not exist.
 */
export interface ExplainRequest {
  /** A KMS operation name (`Encrypt`, `PutKeyPolicy` ...), or `ReEncryptFrom` / `ReEncryptTo`. */
  operation: string
  /** Any KeyId form; omit for operations on no key (CreateKey, ListKeys ...). */
  keyId?: string
  encryptionContext?: EncryptionContextType
  /** Default: the caller of the engine view `explain` is called on. */
  caller?: Caller
  /** Further request members that become condition keys (e.g. CreateGrant's Operations, GranteePrincipal). */
  request?: Record<string, unknown>
}

/**
 * `kms.explain`'s answer: the decision, the statement or grant that made it, and why.
 *
 * @example
 * ```ts
 * import { createKms, type Explanation } from '@webkms/core'
 *
 * const kms = createKms()
 * const { KeyMetadata } = await kms.createKey({})
 * const answer: Explanation = await kms.explain({ operation: 'Decrypt', keyId: KeyMetadata.KeyId, caller: { principal: 'arn:aws:iam::111122223333:user/alice' } })
 * console.log(answer.decision, answer.reason) // ImplicitDeny: the default key policy lets identity policies decide, and alice has none
 * ```
 */
export interface Explanation {
  /** `Allow`; `ExplicitDeny` when a Deny statement applies; `ImplicitDeny` when nothing allows the call. */
  decision: Decision['decision']
  /** The statement or grant that decided; absent for an implicit deny. */
  decidedBy?: DecidedBy
  /** A sentence saying why, for people. */
  reason: string
  /** The caller's ARN. */
  principal: string
  /** The IAM action, e.g. `kms:Decrypt`. */
  action: string
  /** The key's ARN, or `*` for an operation on no key. */
  resource: string
}

/**
 * Whether `operation` is a KMS operation on no key (identity policies decide those) or on a
 * key, from its row of `operations` (the table, operations/index.ts); undefined for one explain
 * does not know. ReEncrypt is explained as its two halves. Only this operation's module loads,
 * not every operation's.
 */
async function operationKind(operations: readonly TableRow[], operation: string): Promise<'no key' | 'key' | undefined> {
  if (operation === 'ReEncryptFrom' || operation === 'ReEncryptTo') return 'key'
  const row = operations.find((o) => o.name === operation)
  if (!row || row.service !== 'kms') return undefined
  return (await loaded(`explain ${operation}`, Promise.resolve(loadRow(row)))).resolve === noTarget ? 'no key' : 'key'
}

const ALGORITHM_OPERATIONS = new Set(['Encrypt', 'Decrypt', 'ReEncryptFrom', 'ReEncryptTo', 'GenerateDataKey', 'GenerateDataKeyWithoutPlaintext', 'GenerateDataKeyPair', 'GenerateDataKeyPairWithoutPlaintext'])

const strings = (v: unknown) => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [])

/**
 * `kms.explain`. The table comes from createKms: importing operations/index.ts here would make
 * bundlers cut what createKms loads at start into more chunks (scripts/bundle-budget.mjs).
 */
export async function explainAccess(engine: Engine, operations: readonly TableRow[], now: Date, viewCaller: ResolvedCaller, input: ExplainRequest): Promise<Explanation> {
  if (!input || typeof input.operation !== 'string') throw new ValidationException('explain expects { operation, keyId?, encryptionContext?, caller?, request? }')
  const { operation } = input
  if (operation === 'ReEncrypt') throw new ValidationException('ReEncrypt needs two permissions: explain ReEncryptFrom on the source key and ReEncryptTo on the destination key')
  if (operation === 'RetireGrant') throw new ValidationException('RetireGrant is decided by the grant (its retiring principal and grantee), not by policies: see ListGrants')
  const kind = await operationKind(operations, operation)
  if (!kind) throw new ValidationException(`explain does not know the operation ${JSON.stringify(operation)}`)
  const caller = input.caller ? resolveCaller(input.caller) : viewCaller
  const request = input.request ?? {}
  const context = input.encryptionContext === undefined ? undefined : Object.entries(input.encryptionContext)
  const call: Call = { operation, now, caller }
  const conditions: Record<string, { values: string[]; multi?: boolean }> = operation === 'CreateKey' ? (await loaded('explain CreateKey', import('./operations/keys.js'))).createKeyConditions(request as Parameters<typeof createKeyConditions>[0]) : {}
  const given = (member: string, key: string) => typeof request[member] === 'string' && (conditions[key] = { values: [request[member] as string] })
  // ReEncrypt names its two algorithms apart (operations/reEncrypt.ts).
  const algorithmMember = operation === 'ReEncryptFrom' ? 'SourceEncryptionAlgorithm' : operation === 'ReEncryptTo' ? 'DestinationEncryptionAlgorithm' : 'EncryptionAlgorithm'
  if (ALGORITHM_OPERATIONS.has(operation)) conditions['kms:EncryptionAlgorithm'] = { values: [typeof request[algorithmMember] === 'string' ? (request[algorithmMember] as string) : 'SYMMETRIC_DEFAULT'] }
  // As the operations set them (operations/grants.ts, asymmetric.ts, mac.ts, dataKeyPairs.ts), from what the request gives.
  if (operation === 'CreateGrant' || operation === 'ListGrants' || operation === 'RevokeGrant') conditions['kms:GrantIsForAWSResource'] = { values: [String(caller.viaService !== undefined)] }
  if (operation === 'CreateGrant') {
    if (Array.isArray(request.Operations)) conditions['kms:GrantOperations'] = { values: strings(request.Operations), multi: true }
    given('GranteePrincipal', 'kms:GranteePrincipal')
    given('RetiringPrincipal', 'kms:RetiringPrincipal')
  }
  if (operation === 'Sign' || operation === 'Verify') {
    given('SigningAlgorithm', 'kms:SigningAlgorithm')
    conditions['kms:MessageType'] = { values: [typeof request.MessageType === 'string' ? request.MessageType : 'RAW'] }
  }
  if (operation === 'DeriveSharedSecret') given('KeyAgreementAlgorithm', 'kms:KeyAgreementAlgorithm')
  if (operation === 'GenerateMac' || operation === 'VerifyMac') given('MacAlgorithm', 'kms:MacAlgorithm')
  if (operation === 'GenerateDataKeyPair' || operation === 'GenerateDataKeyPairWithoutPlaintext') given('KeyPairSpec', 'kms:DataKeyPairSpec')
  // CreateGrant's constraint is the encryption context its conditions see (as the operation's).
  const constraints = operation === 'CreateGrant' ? (request.Constraints as { EncryptionContextEquals?: unknown; EncryptionContextSubset?: unknown } | undefined) : undefined
  const constrained = constraints?.EncryptionContextEquals ?? constraints?.EncryptionContextSubset
  const grantContext = constrained && typeof constrained === 'object' ? Object.entries(constrained as Record<string, string>) : undefined
  if (operation === 'PutKeyPolicy') conditions['kms:BypassPolicyLockoutSafetyCheck'] = { values: [String(request.BypassPolicyLockoutSafetyCheck === true)] } // false unless asked, as the call sets it

  let decision: Decision
  let resource = '*'
  const action = `kms:${operation}`
  if (kind === 'no key' || input.keyId === undefined) {
    if (kind !== 'no key') throw new ValidationException(`${operation} acts on a key: give keyId`)
    decision = await engine.authorizer.decide(call, { on: resource, conditions }, action)
  } else {
    const key = await engine.findKey(call, input.keyId, true)
    resource = key.arn
    const permission: Permission = { on: key, requestKeyId: input.keyId, conditions }
    if (context || grantContext || ALGORITHM_OPERATIONS.has(operation)) permission.encryptionContext = context ?? grantContext ?? []
    decision = await engine.authorizer.decide(call, permission, action)
  }
  const out: Explanation = { decision: decision.decision, reason: decision.reason, principal: caller.principal, action, resource }
  if (decision.decidedBy) out.decidedBy = decision.decidedBy
  return out
}
