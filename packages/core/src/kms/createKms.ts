/**
 * `createKms(options)`: the KMS engine, one camelCase method per AWS KMS operation, each taking
 * and returning the shapes of the matching `@aws-sdk/client-kms` command.
 *
 * Every method returns a Promise and reports every failure by rejecting it, with a KmsError
 * subclass named as AWS names it. A failure that is not the caller's (a store that breaks, a
 * bug) becomes KMSInternalException rather than leaking a raw TypeError.
 */
import { WEBKMS_ENGINE } from '../engineMarker.js'
import { AccessDeniedException, KmsError, KMSInternalException, NotFoundException, ValidationException } from '../errors.js'
import type { KeyStore } from '../keystore/KeyStore.js'
import { MemoryKeyStore } from '../keystore/MemoryKeyStore.js'
import { AuditTrail, type ExportedAuditLog } from './audit.js'
import { apiCallEvent } from './auditEvents.js'
import { resolveCaller, rootCaller, type Caller, type ResolvedCaller } from './caller.js'
import { Engine, type Call } from './engine.js'
import type { Account } from './keyIds.js'
import { requestObject, type Input } from './validate.js'
import { Authorizer, IdentityPolicies, NO_KEY_OPERATIONS, noKeyConditions, requestPrincipal } from './authorization.js'
import { explainAccess, type ExplainRequest, type Explanation } from './explain.js'
import { computeFindings, type Finding, type FindingsOptions } from './findings.js'
import * as aliases from './operations/aliases.js'
import * as cryptography from './operations/cryptography.js'
import * as grants from './operations/grants.js'
import * as keys from './operations/keys.js'
import * as policies from './operations/policies.js'
import * as rotation from './operations/rotation.js'
import * as tags from './operations/tags.js'
import type * as T from './types.js'

export interface KmsOptions {
  /** Where keys live. Default: a new in-memory store (nothing persists). */
  keyStore?: KeyStore
  /** The engine's clock. Rotation and deletion windows follow it. Default: the system clock. */
  now?: () => Date
  /** Random bytes (key IDs, nonces, data keys, GenerateRandom). Default: crypto.getRandomValues. */
  random?: (length: number) => Uint8Array
  /** Account ID in key ARNs. Default: '111122223333' (the AWS documentation's example). */
  accountId?: string
  /** Region in key ARNs. Default: 'us-east-1'. */
  region?: string
  /** ARN partition. Default: 'aws'. */
  partition?: string
  /** Who calls when no other caller is given (`kms.as(caller)`). Default: the account root. */
  caller?: Caller
  /**
   * Identity (IAM) policies by principal ARN, then by policy name: the policy as JSON text or
   * as an object. They apply where a key policy lets the account's IAM policies decide (the
   * default key policy does). Change them later with `kms.putIdentityPolicy`.
   */
  identityPolicies?: Record<string, Record<string, string | object>>
  /** A signed audit checkpoint is made at least this often while calls arrive. Default: 1 hour. */
  auditCheckpointPeriodMs?: number
}

export interface IdentityPolicyRequest {
  /** The IAM principal (user or role ARN) the policy is attached to. */
  Principal: string
  PolicyName: string
}

export interface Kms {
  createKey(input?: T.CreateKeyRequest): Promise<T.CreateKeyResponse>
  describeKey(input: T.DescribeKeyRequest): Promise<T.DescribeKeyResponse>
  listKeys(input?: T.ListKeysRequest): Promise<T.ListKeysResponse>
  updateKeyDescription(input: T.UpdateKeyDescriptionRequest): Promise<T.EmptyResponse>
  enableKey(input: T.KeyIdRequest): Promise<T.EmptyResponse>
  disableKey(input: T.KeyIdRequest): Promise<T.EmptyResponse>
  scheduleKeyDeletion(input: T.ScheduleKeyDeletionRequest): Promise<T.ScheduleKeyDeletionResponse>
  cancelKeyDeletion(input: T.KeyIdRequest): Promise<T.CancelKeyDeletionResponse>
  createAlias(input: T.CreateAliasRequest): Promise<T.EmptyResponse>
  updateAlias(input: T.UpdateAliasRequest): Promise<T.EmptyResponse>
  deleteAlias(input: T.DeleteAliasRequest): Promise<T.EmptyResponse>
  listAliases(input?: T.ListAliasesRequest): Promise<T.ListAliasesResponse>
  tagResource(input: T.TagResourceRequest): Promise<T.EmptyResponse>
  untagResource(input: T.UntagResourceRequest): Promise<T.EmptyResponse>
  listResourceTags(input: T.ListResourceTagsRequest): Promise<T.ListResourceTagsResponse>
  enableKeyRotation(input: T.EnableKeyRotationRequest): Promise<T.EmptyResponse>
  disableKeyRotation(input: T.KeyIdRequest): Promise<T.EmptyResponse>
  getKeyRotationStatus(input: T.KeyIdRequest): Promise<T.GetKeyRotationStatusResponse>
  rotateKeyOnDemand(input: T.KeyIdRequest): Promise<T.RotateKeyOnDemandResponse>
  listKeyRotations(input: T.ListKeyRotationsRequest): Promise<T.ListKeyRotationsResponse>
  encrypt(input: T.EncryptRequest): Promise<T.EncryptResponse>
  decrypt(input: T.DecryptRequest): Promise<T.DecryptResponse>
  reEncrypt(input: T.ReEncryptRequest): Promise<T.ReEncryptResponse>
  generateDataKey(input: T.GenerateDataKeyRequest): Promise<T.GenerateDataKeyResponse>
  generateDataKeyWithoutPlaintext(input: T.GenerateDataKeyWithoutPlaintextRequest): Promise<T.GenerateDataKeyWithoutPlaintextResponse>
  generateRandom(input: T.GenerateRandomRequest): Promise<T.GenerateRandomResponse>
  getKeyPolicy(input: T.GetKeyPolicyRequest): Promise<T.GetKeyPolicyResponse>
  putKeyPolicy(input: T.PutKeyPolicyRequest): Promise<T.EmptyResponse>
  listKeyPolicies(input: T.ListKeyPoliciesRequest): Promise<T.ListKeyPoliciesResponse>
  createGrant(input: T.CreateGrantRequest): Promise<T.CreateGrantResponse>
  listGrants(input: T.ListGrantsRequest): Promise<T.ListGrantsResponse>
  listRetirableGrants(input: T.ListRetirableGrantsRequest): Promise<T.ListGrantsResponse>
  retireGrant(input: T.RetireGrantRequest): Promise<T.EmptyResponse>
  revokeGrant(input: T.RevokeGrantRequest): Promise<T.EmptyResponse>
  /**
   * Attaches (or replaces) a named identity policy to a principal. Only the root of the
   * principal's account may; audited as an IAM event.
   */
  putIdentityPolicy(input: IdentityPolicyRequest & { PolicyDocument: string | object }): Promise<T.EmptyResponse>
  deleteIdentityPolicy(input: IdentityPolicyRequest): Promise<T.EmptyResponse>
  /** The identity policies attached to a principal: `{ Policies: { name: JSON text } }`. */
  getIdentityPolicies(input: { Principal: string }): Promise<{ Policies: Record<string, string> }>
  /**
   * Would `caller` (default: this view's caller) be allowed `Operation` on `KeyId` with this
   * request? The decision and the statement or grant that decided it. Changes nothing; not audited.
   */
  explain(input: ExplainRequest): Promise<Explanation>
  /** Security findings computed now from the keys, their policies and grants, and the audit trail. */
  findings(options?: FindingsOptions): Promise<Finding[]>
  /** The same engine, its calls made (and audited) as `caller`. */
  as(caller: Caller): Kms
  /** The audit trail, ending with a fresh signed checkpoint; check it with `verifyAuditLog`. */
  exportAuditLog(): Promise<ExportedAuditLog>
}

type Handler = (engine: Engine, call: Call, input: Input) => Promise<unknown>

/** Operation name (as in AWS and in CloudTrail's eventName) to its implementation. */
const operations = {
  CreateKey: keys.createKey,
  DescribeKey: keys.describeKey,
  ListKeys: keys.listKeys,
  UpdateKeyDescription: keys.updateKeyDescription,
  EnableKey: keys.enableKey,
  DisableKey: keys.disableKey,
  ScheduleKeyDeletion: keys.scheduleKeyDeletion,
  CancelKeyDeletion: keys.cancelKeyDeletion,
  CreateAlias: aliases.createAlias,
  UpdateAlias: aliases.updateAlias,
  DeleteAlias: aliases.deleteAlias,
  ListAliases: aliases.listAliases,
  TagResource: tags.tagResource,
  UntagResource: tags.untagResource,
  ListResourceTags: tags.listResourceTags,
  EnableKeyRotation: rotation.enableKeyRotation,
  DisableKeyRotation: rotation.disableKeyRotation,
  GetKeyRotationStatus: rotation.getKeyRotationStatus,
  RotateKeyOnDemand: rotation.rotateKeyOnDemand,
  ListKeyRotations: rotation.listKeyRotations,
  Encrypt: cryptography.encrypt,
  Decrypt: cryptography.decrypt,
  ReEncrypt: cryptography.reEncrypt,
  GenerateDataKey: cryptography.generateDataKey,
  GenerateDataKeyWithoutPlaintext: cryptography.generateDataKeyWithoutPlaintext,
  GenerateRandom: cryptography.generateRandom,
  GetKeyPolicy: policies.getKeyPolicy,
  PutKeyPolicy: policies.putKeyPolicy,
  ListKeyPolicies: policies.listKeyPolicies,
  CreateGrant: grants.createGrant,
  ListGrants: grants.listGrants,
  ListRetirableGrants: grants.listRetirableGrants,
  RetireGrant: grants.retireGrant,
  RevokeGrant: grants.revokeGrant,
} satisfies Record<string, Handler>


export type OperationName = keyof typeof operations
export const operationNames = Object.keys(operations) as OperationName[]

const methodName = (op: string) => op.charAt(0).toLowerCase() + op.slice(1)

const defaultRandom = (length: number) => globalThis.crypto.getRandomValues(new Uint8Array(length))

export function createKms(options: KmsOptions = {}): Kms {
  const account: Account = {
    partition: options.partition ?? 'aws',
    accountId: options.accountId ?? '111122223333',
    region: options.region ?? 'us-east-1',
  }
  if (!/^\d{12}$/.test(account.accountId)) throw new TypeError(`"accountId" expected 12 digits, got ${JSON.stringify(account.accountId)}`)
  if (!/^[a-z0-9-]+$/.test(account.region)) throw new TypeError(`"region" expected a region name such as us-east-1, got ${JSON.stringify(account.region)}`)
  const clock = options.now ?? (() => new Date())
  const store = options.keyStore ?? new MemoryKeyStore()
  const identityPolicies = new IdentityPolicies()
  for (const [principal, named] of Object.entries(options.identityPolicies ?? {})) {
    resolveCaller({ principal }, 'identityPolicies principal')
    for (const [name, policy] of Object.entries(named)) identityPolicies.put(principal, name, typeof policy === 'string' ? policy : JSON.stringify(policy))
  }
  const engine = new Engine(store, options.random ?? defaultRandom, account, new Authorizer(account, store, identityPolicies))
  const audit = new AuditTrail(store, () => clock(), options.auditCheckpointPeriodMs === undefined ? {} : { checkpointPeriodMs: options.auditCheckpointPeriodMs })
  const defaultCaller = options.caller ? resolveCaller(options.caller) : rootCaller(account.partition, account.accountId)

  /** Runs one call as `caller` and audits it, allowed or refused, before its result is returned. */
  const audited = async (caller: ResolvedCaller, operation: string, input: unknown, run: (call: Call) => Promise<unknown>, eventSource?: string) => {
        const now = clock()
        let request: Input = {}
        let outcome: { output: unknown } | { error: KmsError }
        try {
          if (!(now instanceof Date) || Number.isNaN(now.getTime())) throw new TypeError('the clock returned an invalid Date')
          request = requestObject(input, operation)
          outcome = { output: await run({ operation, now, caller, request }) }
        } catch (error) {
          outcome = { error: error instanceof KmsError ? error : new KMSInternalException(`${operation} failed inside the engine`, { cause: error }) }
        }
        try {
          const event = apiCallEvent(account, caller, operation, now instanceof Date && !Number.isNaN(now.getTime()) ? now : new Date(0), request, outcome, engine.eventIds())
          if (eventSource) event.eventSource = eventSource
          await audit.record(event)
        } catch (cause) {
          throw new KMSInternalException(`${operation}: the audit event could not be recorded`, { cause })
        }
        if ('error' in outcome) throw outcome.error
        return outcome.output
  }

  const bind = (caller: ResolvedCaller): Kms => {
    const kms: Record<string, unknown> = {}
    for (const [operation, handler] of Object.entries(operations) as [OperationName, Handler][]) {
      kms[methodName(operation)] = (input?: unknown) =>
        audited(caller, operation, input, async (call) => {
          if (NO_KEY_OPERATIONS.has(operation)) await engine.authorizer.authorize(call, { resource: '*' }, { conditions: noKeyConditions(call.request) })
          return handler(engine, call, call.request)
        })
    }
    // The IAM side: identity policies, changed only by the root of the principal's account.
    const iam = (operation: 'PutIdentityPolicy' | 'DeleteIdentityPolicy' | 'GetIdentityPolicies', change: (call: Call, principal: string) => unknown) => (input?: unknown) =>
      audited(caller, operation, input, async (call) => {
        const principal = call.request.Principal
        if (typeof principal !== 'string') throw new ValidationException('Principal must be an IAM ARN such as arn:aws:iam::111122223333:user/alice')
        let owner: ResolvedCaller
        try {
          owner = resolveCaller({ principal }, 'Principal')
        } catch (error) {
          throw new ValidationException((error as Error).message)
        }
        if (!requestPrincipal(caller).isRoot || caller.accountId !== owner.accountId) {
          throw new AccessDeniedException(`User: ${caller.principal} is not authorized to perform: iam:${operation} on resource: ${principal}: only the root of account ${owner.accountId} may change its identity policies`)
        }
        return change(call, principal)
      }, 'iam.amazonaws.com')
    const policyName = (call: Call) => {
      const name = call.request.PolicyName
      if (typeof name !== 'string') throw new ValidationException('PolicyName must be a string')
      return name
    }
    kms.putIdentityPolicy = iam('PutIdentityPolicy', (call, principal) => {
      const doc = call.request.PolicyDocument
      if (typeof doc !== 'string' && (typeof doc !== 'object' || doc === null)) throw new ValidationException('PolicyDocument must be a policy as JSON text or an object')
      identityPolicies.put(principal, policyName(call), typeof doc === 'string' ? doc : JSON.stringify(doc))
      return {}
    })
    kms.deleteIdentityPolicy = iam('DeleteIdentityPolicy', (call, principal) => {
      const name = policyName(call)
      if (!identityPolicies.delete(principal, name)) throw new NotFoundException(`Identity policy ${name} is not attached to ${principal}`)
      return {}
    })
    kms.getIdentityPolicies = iam('GetIdentityPolicies', (_call, principal) => ({ Policies: identityPolicies.list(principal) }))
    kms.explain = (input: ExplainRequest) => explainAccess(engine, clock(), caller, input)
    kms.findings = (opts?: FindingsOptions) => computeFindings(engine, clock(), opts)
    kms.as = (c: Caller) => bind(resolveCaller(c))
    kms.exportAuditLog = () => audit.export()
    Object.defineProperty(kms, WEBKMS_ENGINE, { value: true })
    return kms as unknown as Kms
  }
  return bind(defaultCaller)
}
