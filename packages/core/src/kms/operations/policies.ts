/**
 * Key policies: GetKeyPolicy, PutKeyPolicy, ListKeyPolicies (KMS API Reference), and the policy
 * lockout safety check CreateKey shares: unless BypassPolicyLockoutSafetyCheck is set, a new
 * policy must still let the caller make a later PutKeyPolicy on the key.
 */
import { MalformedPolicyDocumentException, ValidationException } from '../../errors.js'
import type { KeyRecord } from '../../keystore/records.js'
import { keyPolicyText } from '../authorization.js'
import type { Call, Engine } from '../engine.js'
import { MAX_KEY_POLICY_BYTES, parsePolicy } from '../policy/document.js'
import type { EmptyResponse, GetKeyPolicyResponse, ListKeyPoliciesResponse } from '../types.js'
import { optionalBoolean, optionalString, paging, requiredKeyId, requiredString, type Input } from '../validate.js'

const POLICY_NAME = { min: 1, max: 128, pattern: /^[\w]+$/ }
/** Every key has exactly one policy, named "default". */
export const POLICY_NAME_DEFAULT = 'default'

function policyName(input: Input): string {
  const name = optionalString(input, 'PolicyName', POLICY_NAME) ?? POLICY_NAME_DEFAULT
  if (name !== POLICY_NAME_DEFAULT) throw new ValidationException(`PolicyName must be "${POLICY_NAME_DEFAULT}": a KMS key has one key policy, named "${POLICY_NAME_DEFAULT}"`)
  return name
}

export const policyText = (input: Input) => requiredString(input, 'Policy', { min: 1, max: MAX_KEY_POLICY_BYTES })

/** Parses a new key policy and runs the lockout safety check against `key` carrying it. */
export async function checkNewKeyPolicy(engine: Engine, call: Call, key: KeyRecord, text: string, bypass: boolean): Promise<void> {
  parsePolicy(text, 'key')
  if (bypass) return
  const decision = await engine.authorizer.decide(call, { key: { ...key, policy: text } }, { action: 'PutKeyPolicy', conditions: { 'kms:BypassPolicyLockoutSafetyCheck': { values: ['false'] } } })
  if (decision.decision !== 'Allow') {
    throw new MalformedPolicyDocumentException(`The new key policy will not allow you to update the key policy in the future. (${decision.reason})`)
  }
}

export async function getKeyPolicy(engine: Engine, call: Call, input: Input): Promise<GetKeyPolicyResponse> {
  const keyId = requiredKeyId(input)
  const name = policyName(input)
  const key = await engine.findKey(call, keyId, { allowAlias: false })
  return { Policy: keyPolicyText(engine.account, key), PolicyName: name }
}

export async function putKeyPolicy(engine: Engine, call: Call, input: Input): Promise<EmptyResponse> {
  const keyId = requiredKeyId(input)
  policyName(input)
  const text = policyText(input)
  const bypass = optionalBoolean(input, 'BypassPolicyLockoutSafetyCheck') ?? false
  const key = await engine.findKey(call, keyId, {
    allowAlias: false,
    authorize: { conditions: { 'kms:BypassPolicyLockoutSafetyCheck': { values: [String(bypass)] } } },
  })
  await checkNewKeyPolicy(engine, call, key, text, bypass)
  await engine.updateKey(key.keyId, (k) => {
    k.policy = text
  })
  return {}
}

export async function listKeyPolicies(engine: Engine, call: Call, input: Input): Promise<ListKeyPoliciesResponse> {
  const keyId = requiredKeyId(input)
  const { marker } = paging(input, 1000, 100)
  await engine.findKey(call, keyId, { allowAlias: false })
  // One policy per key: a marker past it leaves nothing.
  return { PolicyNames: marker !== undefined && marker >= POLICY_NAME_DEFAULT ? [] : [POLICY_NAME_DEFAULT], Truncated: false }
}
