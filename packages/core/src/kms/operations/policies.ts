/**
 * Key policies: GetKeyPolicy, PutKeyPolicy, ListKeyPolicies (KMS API Reference). The policy
 * lockout safety check PutKeyPolicy shares with CreateKey is in common.ts.
 */
import { ValidationException } from '../errors.js'
import { keyPolicyText } from '../authorization.js'
import { defineOperation } from '../operation.js'
import { MAX_KEY_POLICY_BYTES } from '../policy/limits.js'
import { boolean, string } from '../request/schema.js'
import type * as T from '../types.js'
import { checkNewKeyPolicy, keyIdMember, onKey, pagingMembers, resolveKey } from './common.js'

/** Every key has exactly one policy, named "default". */
export const POLICY_NAME_DEFAULT = 'default'
const policyNameMember = () => string({ min: 1, max: 128, pattern: /^[\w]+$/ })

function checkPolicyName<R extends { PolicyName?: string }>(r: R): R {
  if (r.PolicyName !== undefined && r.PolicyName !== POLICY_NAME_DEFAULT) {
    throw new ValidationException(`PolicyName must be "${POLICY_NAME_DEFAULT}": a KMS key has one key policy, named "${POLICY_NAME_DEFAULT}"`)
  }
  return r
}

export const getKeyPolicy = defineOperation<T.GetKeyPolicyRequest, T.GetKeyPolicyResponse>()({
  name: 'GetKeyPolicy',
  schema: { KeyId: keyIdMember(), PolicyName: policyNameMember() },
  parse: checkPolicyName,
  resolve: resolveKey(false),
  permissions: onKey,
  run: async ({ engine }, _r, { key }) => ({ Policy: keyPolicyText(engine.account, key), PolicyName: POLICY_NAME_DEFAULT }),
})

export const putKeyPolicy = defineOperation<T.PutKeyPolicyRequest, T.EmptyResponse>()({
  name: 'PutKeyPolicy',
  schema: {
    KeyId: keyIdMember(),
    PolicyName: policyNameMember(),
    Policy: string({ min: 1, max: MAX_KEY_POLICY_BYTES }, { required: true }),
    BypassPolicyLockoutSafetyCheck: boolean(),
  },
  parse: checkPolicyName,
  resolve: resolveKey(false),
  permissions: (r, { key }) => [{ on: key, requestKeyId: r.KeyId, conditions: { 'kms:BypassPolicyLockoutSafetyCheck': { values: [String(r.BypassPolicyLockoutSafetyCheck ?? false)] } } }],
  async run({ engine, call, commit }, r, { key }) {
    await checkNewKeyPolicy(engine, call, key, r.Policy, r.BypassPolicyLockoutSafetyCheck ?? false)
    await commit((tx) =>
      engine.updateKey(tx, key.keyId, (k) => {
        k.policy = r.Policy
      }),
    )
    return {}
  },
})

export const listKeyPolicies = defineOperation<T.ListKeyPoliciesRequest, T.ListKeyPoliciesResponse>()({
  name: 'ListKeyPolicies',
  schema: { KeyId: keyIdMember(), ...pagingMembers(1000) },
  resolve: resolveKey(false),
  permissions: onKey,
  // One policy per key: a marker past it leaves nothing.
  run: async (_ctx, r) => ({ PolicyNames: r.Marker !== undefined && r.Marker >= POLICY_NAME_DEFAULT ? [] : [POLICY_NAME_DEFAULT], Truncated: false }),
})
