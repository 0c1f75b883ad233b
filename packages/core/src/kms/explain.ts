/**
 * `kms.explain`: what the engine would decide for a caller, an operation, a key and a request,
 * and which key policy statement, identity policy statement or grant decided it (or that
 * nothing allowed it). It runs the same evaluation as a real call, changes nothing and is not
 * audited, like IAM's policy simulator. The teaching demo shows its answers.
 */
import { ValidationException } from '../errors.js'
import { NO_KEY_OPERATIONS, noKeyConditions } from './authorization.js'
import { resolveCaller, type Caller, type ResolvedCaller } from './caller.js'
import type { Call, Engine } from './engine.js'
import type { DecidedBy, Decision } from './policy/evaluate.js'
import type { EncryptionContextType } from './types.js'

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

export interface Explanation {
  decision: Decision['decision']
  decidedBy?: DecidedBy
  reason: string
  principal: string
  action: string
  resource: string
}

const KEY_OPERATIONS = new Set([
  'DescribeKey', 'UpdateKeyDescription', 'EnableKey', 'DisableKey', 'ScheduleKeyDeletion', 'CancelKeyDeletion', 'CreateAlias',
  'UpdateAlias', 'DeleteAlias', 'TagResource', 'UntagResource', 'ListResourceTags', 'EnableKeyRotation', 'DisableKeyRotation',
  'GetKeyRotationStatus', 'RotateKeyOnDemand', 'ListKeyRotations', 'Encrypt', 'Decrypt', 'ReEncryptFrom', 'ReEncryptTo',
  'GenerateDataKey', 'GenerateDataKeyWithoutPlaintext', 'GetKeyPolicy', 'PutKeyPolicy', 'ListKeyPolicies', 'CreateGrant',
  'ListGrants', 'RevokeGrant',
])
const ALGORITHM_OPERATIONS = new Set(['Encrypt', 'Decrypt', 'ReEncryptFrom', 'ReEncryptTo', 'GenerateDataKey', 'GenerateDataKeyWithoutPlaintext'])

export async function explainAccess(engine: Engine, now: Date, viewCaller: ResolvedCaller, input: ExplainRequest): Promise<Explanation> {
  if (!input || typeof input.operation !== 'string') throw new ValidationException('explain expects { operation, keyId?, encryptionContext?, caller?, request? }')
  const { operation } = input
  if (operation === 'ReEncrypt') throw new ValidationException('ReEncrypt needs two permissions: explain ReEncryptFrom on the source key and ReEncryptTo on the destination key')
  if (operation === 'RetireGrant') throw new ValidationException('RetireGrant is decided by the grant (its retiring principal and grantee), not by policies: see ListGrants')
  if (!NO_KEY_OPERATIONS.has(operation) && !KEY_OPERATIONS.has(operation)) throw new ValidationException(`explain does not know the operation ${JSON.stringify(operation)}`)
  const caller = input.caller ? resolveCaller(input.caller) : viewCaller
  const request = { ...(input.request ?? {}) }
  if (input.encryptionContext) request.EncryptionContext = input.encryptionContext
  const call: Call = { operation, now, caller, request }
  const conditions: Record<string, { values: string[]; multi?: boolean }> = NO_KEY_OPERATIONS.has(operation) ? noKeyConditions(request) : {}
  if (ALGORITHM_OPERATIONS.has(operation)) conditions['kms:EncryptionAlgorithm'] = { values: ['SYMMETRIC_DEFAULT'] }
  if (operation === 'CreateGrant') {
    if (Array.isArray(request.Operations)) conditions['kms:GrantOperations'] = { values: request.Operations.map(String), multi: true }
    if (typeof request.GranteePrincipal === 'string') conditions['kms:GranteePrincipal'] = { values: [request.GranteePrincipal] }
    if (typeof request.RetiringPrincipal === 'string') conditions['kms:RetiringPrincipal'] = { values: [request.RetiringPrincipal] }
  }
  if (operation === 'PutKeyPolicy' && typeof request.BypassPolicyLockoutSafetyCheck === 'boolean') conditions['kms:BypassPolicyLockoutSafetyCheck'] = { values: [String(request.BypassPolicyLockoutSafetyCheck)] }

  let decision: Decision
  let resource = '*'
  if (NO_KEY_OPERATIONS.has(operation) || input.keyId === undefined) {
    if (!NO_KEY_OPERATIONS.has(operation)) throw new ValidationException(`${operation} acts on a key: give keyId`)
    decision = await engine.authorizer.decide(call, { resource }, { conditions })
  } else {
    const key = await engine.findKey(call, input.keyId, { allowAlias: true, authorize: false })
    resource = key.arn
    const check = { requestKeyId: input.keyId, conditions, ...(input.encryptionContext || ALGORITHM_OPERATIONS.has(operation) ? { encryptionContext: input.encryptionContext ?? {} } : {}) }
    decision = await engine.authorizer.decide(call, { key }, check)
  }
  const out: Explanation = { decision: decision.decision, reason: decision.reason, principal: caller.principal, action: `kms:${operation}`, resource }
  if (decision.decidedBy) out.decidedBy = decision.decidedBy
  return out
}
