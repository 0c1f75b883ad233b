/**
 * Keys: CreateKey and DescribeKey (KMS API Reference), loaded with the first of them. Changing
 * a key's state or description, and ListKeys, are in lifecycle.ts, loaded on first call.
 */
import { UnsupportedOperationException, ValidationException } from '../errors.js'
import type { KeyRecord, KeySpec } from '../../keystore/records.js'
import { uuidFromRandom } from '../../util/bytes.js'
import { ALL_KEY_SPECS, SPECS, UNSUPPORTED_SPECS } from '../keySpecs.js'
import { keyMetadata } from '../keyMetadata.js'
import { newMaterial, newVersion } from '../keyVersions.js'
import { defineOperation, noTarget } from '../operation.js'
import { defaultKeyPolicy } from '../policy/defaultPolicy.js'
import { MAX_KEY_POLICY_BYTES } from '../policy/limits.js'
import { boolean, enumOf, list, string } from '../request/schema.js'
import type * as T from '../types.js'
import { checkGrantTokens, checkNewKeyPolicy, DESCRIPTION, grantTokensMember, keyIdMember, mergeTags, onKey, resolveKey, tagMember } from './common.js'

const KEY_USAGES = ['ENCRYPT_DECRYPT', 'SIGN_VERIFY', 'GENERATE_VERIFY_MAC', 'KEY_AGREEMENT'] as const
const ORIGINS = ['AWS_KMS', 'EXTERNAL', 'AWS_CLOUDHSM', 'EXTERNAL_KEY_STORE'] as const

/** Request members that become condition keys of CreateKey (an operation on no key). */
export function createKeyConditions(r: { KeySpec?: string; CustomerMasterKeySpec?: string; KeyUsage?: string; Origin?: string; BypassPolicyLockoutSafetyCheck?: boolean; MultiRegion?: boolean }) {
  // kms:KeySpec, kms:KeyUsage, kms:KeyOrigin and kms:MultiRegion are properties "of the KMS key
  // that is created" (the condition keys' reference): a request that leaves them out makes a key
  // with the defaults, and its conditions see those (a Deny on StringNotEquals SYMMETRIC_DEFAULT
  // does not refuse CreateKey({})).
  const spec = r.KeySpec ?? r.CustomerMasterKeySpec ?? 'SYMMETRIC_DEFAULT'
  const usage = r.KeyUsage ?? (spec === 'SYMMETRIC_DEFAULT' ? 'ENCRYPT_DECRYPT' : undefined)
  const c: Record<string, { values: string[] }> = {
    'kms:KeySpec': { values: [spec] },
    'kms:KeyOrigin': { values: [r.Origin ?? 'AWS_KMS'] },
    'kms:MultiRegion': { values: [String(r.MultiRegion ?? false)] },
  }
  if (usage !== undefined) c['kms:KeyUsage'] = { values: [usage] }
  if (r.BypassPolicyLockoutSafetyCheck !== undefined) c['kms:BypassPolicyLockoutSafetyCheck'] = { values: [String(r.BypassPolicyLockoutSafetyCheck)] }
  return c
}

export const createKey = defineOperation<T.CreateKeyRequest, T.CreateKeyResponse>()({
  name: 'CreateKey',
  schema: {
    Policy: string({ min: 1, max: MAX_KEY_POLICY_BYTES }),
    Description: string(DESCRIPTION),
    KeyUsage: enumOf(KEY_USAGES),
    KeySpec: enumOf(ALL_KEY_SPECS),
    CustomerMasterKeySpec: enumOf(ALL_KEY_SPECS),
    Origin: enumOf(ORIGINS),
    CustomKeyStoreId: string({ min: 1, max: 64 }),
    BypassPolicyLockoutSafetyCheck: boolean(),
    Tags: list(tagMember()),
    MultiRegion: boolean(),
    XksKeyId: string({ min: 1, max: 128 }),
  },
  parse: (r) => {
    if (r.KeySpec && r.CustomerMasterKeySpec) {
      throw new ValidationException('You cannot specify KeySpec and CustomerMasterKeySpec in the same request. CustomerMasterKeySpec is deprecated.')
    }
    const requested = r.KeySpec ?? r.CustomerMasterKeySpec ?? 'SYMMETRIC_DEFAULT'
    const info = SPECS[requested as KeySpec]
    if (!info) throw new UnsupportedOperationException(`KeySpec ${requested} is not supported: ${UNSUPPORTED_SPECS[requested] ?? 'unknown key spec'}`)
    // KeyUsage "is optional when you are creating a symmetric encryption KMS key; otherwise, it is
    // required" (CreateKey API reference): HMAC keys name GENERATE_VERIFY_MAC, as asymmetric keys name theirs.
    const usage = r.KeyUsage ?? (info.family === 'symmetric' ? info.usages[0]! : undefined)
    if (usage === undefined) throw new ValidationException(`KeyUsage is required for KeySpec ${info.spec}: one of ${info.usages.join(', ')}`)
    if (!info.usages.includes(usage)) throw new ValidationException(`KeyUsage ${usage} is not compatible with KeySpec ${info.spec}`)
    const origin = r.Origin ?? 'AWS_KMS'
    if (origin !== 'AWS_KMS' && origin !== 'EXTERNAL') throw new UnsupportedOperationException(`Origin ${origin} is not supported: webkms makes key material (AWS_KMS) or imports yours (EXTERNAL)`)
    if (r.CustomKeyStoreId !== undefined || r.XksKeyId !== undefined) throw new UnsupportedOperationException('Custom key stores are not supported')
    if (r.MultiRegion) throw new UnsupportedOperationException('Multi-Region keys are not supported')
    return { ...r, spec: info.spec, usage, origin, tags: mergeTags([], r.Tags ?? []) }
  },
  resolve: noTarget,
  permissions: (r) => [{ on: '*', conditions: createKeyConditions(r) }],
  async run({ engine, call, commit }, r) {
    const keyId = uuidFromRandom(engine.random(16))
    const arn = engine.keyArn(keyId)
    // An EXTERNAL key has no material until ImportKeyMaterial: it waits in PendingImport.
    const made = r.origin === 'AWS_KMS' ? await newMaterial(engine, { arn, keySpec: r.spec, keyUsage: r.usage }) : undefined
    const key: KeyRecord = {
      keyId,
      arn,
      accountId: engine.account.accountId,
      region: engine.account.region,
      creationDate: call.now,
      description: r.Description ?? '',
      keyUsage: r.usage,
      keySpec: r.spec,
      origin: r.origin,
      keyState: made ? 'Enabled' : 'PendingImport',
      rotation: { enabled: false, periodInDays: 365, onDemandCount: 0 },
      tags: r.tags,
      versions: made ? [newVersion(1, made, call.now)] : [],
      policy: r.Policy ?? defaultKeyPolicy(engine.account.partition, engine.account.accountId),
    }
    if (r.Policy !== undefined) await checkNewKeyPolicy(engine, call, key, r.Policy, r.BypassPolicyLockoutSafetyCheck ?? false)
    await commit((tx) => tx.putKey(key), { resources: () => [key.arn] })
    return { KeyMetadata: keyMetadata(key) }
  },
})

export const describeKey = defineOperation<T.DescribeKeyRequest, T.DescribeKeyResponse>()({
  name: 'DescribeKey',
  schema: { KeyId: keyIdMember(), GrantTokens: grantTokensMember() },
  parse: (r) => (checkGrantTokens(r.GrantTokens), r),
  resolve: resolveKey(true),
  permissions: onKey,
  run: async (_ctx, _r, { key }) => ({ KeyMetadata: keyMetadata(key) }),
})
