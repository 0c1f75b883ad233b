/**
 * The IAM side, as rows like any other: PutIdentityPolicy, DeleteIdentityPolicy,
 * GetIdentityPolicies. Identity policies are named policies attached to IAM users and roles
 * (IAM's PutUserPolicy / PutRolePolicy); a role's also apply to its assumed-role sessions. They
 * live in the KeyStore, so they survive a reload and reach every tab and engine on the store.
 * Only the root of the principal's account may read or change them; calls are audited with
 * eventSource iam.amazonaws.com.
 */
import { NotFoundException, ValidationException } from '../errors.js'
import type { ResolvedCaller } from '../caller.js'
import { requestPrincipal } from '../authorization.js'
import { defineOperation, noTarget } from '../operation.js'
import { MAX_IDENTITY_POLICY_LENGTH } from '../policy/limits.js'
import { parsePolicy } from '../policy/document.js'
import type { Decision } from '../policy/evaluate.js'
import { string } from '../request/schema.js'
import type { EmptyResponse } from '../types.js'

const PRINCIPAL = /^arn:[a-z-]+:iam::(\d{12}):(user|role)\/[\w+=,.@/-]+$/
const principalMember = () => string({ min: 20, max: 2048 }, { required: true })
const policyNameMember = () => string({ min: 1, max: 128, pattern: /^[\w+=,.@-]+$/ }, { required: true })

/**
 * DeleteIdentityPolicy's request, and the base of PutIdentityPolicy's: one named policy of an
 * IAM user or role (as IAM's DeleteUserPolicy / DeleteRolePolicy name it). Only the root of the
 * principal's account may call the identity policy operations (`AccessDeniedException`
 * otherwise); a `Principal` that is not an IAM user or role ARN is `ValidationException`, and
 * deleting a policy that is not attached is `NotFoundException`.
 */
export interface IdentityPolicyRequest {
  /** The IAM user or role ARN the policy is attached to. */
  Principal: string
  /** 1 to 128 letters, digits or `+=,.@_-`. */
  PolicyName: string
}
/**
 * PutIdentityPolicy's request: attaches a named policy to an IAM user or role, replacing one of
 * the same name, as IAM's PutUserPolicy / PutRolePolicy do; a role's policies apply to its
 * assumed-role sessions too. The policy is stored in the key store and decides the principal's
 * calls wherever a key policy lets identity policies decide. An invalid policy is
 * `MalformedPolicyDocumentException` (`ERR_KMS_MALFORMED_POLICY_DOCUMENT`).
 *
 * @example
 * ```ts
 * import { createKms } from '@webkms/core'
 *
 * const kms = createKms() // calls as the account root
 * await kms.putIdentityPolicy({
 *   Principal: 'arn:aws:iam::111122223333:user/alice',
 *   PolicyName: 'encrypt-only',
 *   PolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'kms:Encrypt', Resource: '*' }] }),
 * })
 * const { Policies } = await kms.getIdentityPolicies({ Principal: 'arn:aws:iam::111122223333:user/alice' })
 * ```
 */
export interface PutIdentityPolicyRequest extends IdentityPolicyRequest {
  /** The policy as JSON text, at most 6144 characters (IAM's limit for a managed policy). */
  PolicyDocument: string
}
/** GetIdentityPolicies's response: every policy attached to the principal (only the root of its account may ask). */
export interface GetIdentityPoliciesResponse {
  /** Policy name to JSON text. */
  Policies: Record<string, string>
}

/** The principal's account, after checking it is an IAM user or role ARN. */
function ownerAccount(principal: string): string {
  const m = PRINCIPAL.exec(principal)
  if (!m) throw new ValidationException(`Principal must be an IAM user or role ARN such as arn:aws:iam::111122223333:user/alice, got ${principal.slice(0, 256)}`)
  return m[1]!
}

/** Only the root of the principal's account. */
function rootOf(operation: string, principal: string, caller: ResolvedCaller) {
  const account = ownerAccount(principal)
  return [
    {
      on: principal,
      async decide(): Promise<Decision> {
        if (requestPrincipal(caller).isRoot && caller.accountId === account) return { decision: 'Allow', decidedBy: { source: 'account root' }, reason: `${caller.principal} is the root of account ${account}` }
        return { decision: 'ImplicitDeny', reason: `User: ${caller.principal} is not authorized to perform: iam:${operation} on resource: ${principal}: only the root of account ${account} may change its identity policies` }
      },
    },
  ]
}

export const putIdentityPolicy = defineOperation<PutIdentityPolicyRequest, EmptyResponse>()({
  name: 'PutIdentityPolicy',
  service: 'iam',
  schema: { Principal: principalMember(), PolicyName: policyNameMember(), PolicyDocument: string({ min: 1, max: MAX_IDENTITY_POLICY_LENGTH }, { required: true }) },
  parse: (r) => (ownerAccount(r.Principal), parsePolicy(r.PolicyDocument, 'identity'), r),
  resolve: noTarget,
  permissions: (r, _t, call) => rootOf('PutIdentityPolicy', r.Principal, call.caller),
  async run({ call, commit }, r) {
    await commit((tx) => tx.putIdentityPolicy({ principal: r.Principal, name: r.PolicyName, document: r.PolicyDocument, updatedDate: call.now }))
    return {}
  },
})

export const deleteIdentityPolicy = defineOperation<IdentityPolicyRequest, EmptyResponse>()({
  name: 'DeleteIdentityPolicy',
  service: 'iam',
  schema: { Principal: principalMember(), PolicyName: policyNameMember() },
  parse: (r) => (ownerAccount(r.Principal), r),
  resolve: noTarget,
  permissions: (r, _t, call) => rootOf('DeleteIdentityPolicy', r.Principal, call.caller),
  async run({ commit }, r) {
    await commit(async (tx) => {
      const attached = await tx.getIdentityPolicies(r.Principal)
      if (!attached.some((p) => p.name === r.PolicyName)) throw new NotFoundException(`Identity policy ${r.PolicyName} is not attached to ${r.Principal}`)
      await tx.deleteIdentityPolicy(r.Principal, r.PolicyName)
    })
    return {}
  },
})

export const getIdentityPolicies = defineOperation<{ Principal: string }, GetIdentityPoliciesResponse>()({
  name: 'GetIdentityPolicies',
  service: 'iam',
  schema: { Principal: principalMember() },
  parse: (r) => (ownerAccount(r.Principal), r),
  resolve: noTarget,
  permissions: (r, _t, call) => rootOf('GetIdentityPolicies', r.Principal, call.caller),
  async run({ engine }, r) {
    const attached = await engine.store.transaction('readonly', (tx) => tx.getIdentityPolicies(r.Principal))
    return { Policies: Object.fromEntries(attached.map((p) => [p.name, p.document])) }
  },
})
