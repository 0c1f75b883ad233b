/**
 * `createKms(options)`: the KMS engine, one camelCase method per AWS KMS operation, each taking
 * and returning the shapes of the matching `@aws-sdk/client-kms` command.
 *
 * Every method returns a Promise and reports every failure by rejecting it, with a KmsError
 * subclass named as AWS names it. A failure that is not the caller's (a store that breaks, a
 * bug) becomes KMSInternalException rather than leaking a raw TypeError.
 */
import { WEBKMS_ENGINE } from '../engineMarker.js'
import { KmsError, KMSInternalException } from '../errors.js'
import type { KeyStore } from '../keystore/KeyStore.js'
import { MemoryKeyStore } from '../keystore/MemoryKeyStore.js'
import { AuditTrail, type ExportedAuditLog } from './audit.js'
import { apiCallEvent } from './auditEvents.js'
import { resolveCaller, rootCaller, type Caller, type ResolvedCaller } from './caller.js'
import { Engine, type Call } from './engine.js'
import type { Account } from './keyIds.js'
import { requestObject, type Input } from './validate.js'
import * as aliases from './operations/aliases.js'
import * as cryptography from './operations/cryptography.js'
import * as keys from './operations/keys.js'
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
  const engine = new Engine(store, options.random ?? defaultRandom, account)
  const audit = new AuditTrail(store, () => clock())
  const defaultCaller = options.caller ? resolveCaller(options.caller) : rootCaller(account.partition, account.accountId)

  const bind = (caller: ResolvedCaller): Kms => {
    const kms: Record<string, unknown> = {}
    for (const [operation, handler] of Object.entries(operations) as [OperationName, Handler][]) {
      kms[methodName(operation)] = async (input?: unknown) => {
        const now = clock()
        let request: Input = {}
        let outcome: { output: unknown } | { error: KmsError }
        try {
          if (!(now instanceof Date) || Number.isNaN(now.getTime())) throw new TypeError('the clock returned an invalid Date')
          request = requestObject(input, operation)
          outcome = { output: await handler(engine, { operation, now }, request) }
        } catch (error) {
          outcome = { error: error instanceof KmsError ? error : new KMSInternalException(`${operation} failed inside the engine`, { cause: error }) }
        }
        // Every call, allowed or refused, is recorded before its result is returned.
        try {
          await audit.record(apiCallEvent(account, caller, operation, now instanceof Date && !Number.isNaN(now.getTime()) ? now : new Date(0), request, outcome, engine.eventIds()))
        } catch (cause) {
          throw new KMSInternalException(`${operation}: the audit event could not be recorded`, { cause })
        }
        if ('error' in outcome) throw outcome.error
        return outcome.output
      }
    }
    kms.as = (c: Caller) => bind(resolveCaller(c))
    kms.exportAuditLog = () => audit.export()
    Object.defineProperty(kms, WEBKMS_ENGINE, { value: true })
    return kms as unknown as Kms
  }
  return bind(defaultCaller)
}
