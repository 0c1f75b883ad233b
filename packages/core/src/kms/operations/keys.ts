/**
 * Key lifecycle: CreateKey, DescribeKey, ListKeys, UpdateKeyDescription, EnableKey, DisableKey,
 * ScheduleKeyDeletion, CancelKeyDeletion (KMS API Reference; states per kms/keyStates.ts).
 */
import { UnsupportedOperationException, ValidationException } from '../../errors.js'
import { generateMasterKeyMaterial } from '../../crypto/keyMaterial.js'
import type { KeyRecord } from '../../keystore/records.js'
import { uuidFromRandom, UUID_PATTERN } from '../../util/bytes.js'
import { addDays, type Call, type Engine } from '../engine.js'
import { keyMetadata } from '../keyMetadata.js'
import { assertKeyState } from '../keyStates.js'
import { paginate, pageOut } from '../paging.js'
import type {
  CancelKeyDeletionResponse,
  CreateKeyResponse,
  DescribeKeyResponse,
  EmptyResponse,
  ListKeysResponse,
  ScheduleKeyDeletionResponse,
} from '../types.js'
import {
  optionalBoolean,
  optionalEnum,
  optionalInteger,
  optionalString,
  optionalTags,
  paging,
  requiredKeyId,
  requiredString,
  type Input,
} from '../validate.js'
import { defaultKeyPolicy } from '../policy/document.js'
import { grantTokens } from './grants.js'
import { checkNewKeyPolicy } from './policies.js'
import { mergeTags } from './tags.js'

const KEY_USAGES = ['ENCRYPT_DECRYPT', 'SIGN_VERIFY', 'GENERATE_VERIFY_MAC', 'KEY_AGREEMENT'] as const
const KEY_SPECS = [
  'RSA_2048', 'RSA_3072', 'RSA_4096', 'ECC_NIST_P256', 'ECC_NIST_P384', 'ECC_NIST_P521', 'ECC_SECG_P256K1',
  'ECC_NIST_EDWARDS25519', 'SYMMETRIC_DEFAULT', 'HMAC_224', 'HMAC_256', 'HMAC_384', 'HMAC_512', 'SM2',
  'ML_DSA_44', 'ML_DSA_65', 'ML_DSA_87',
] as const
const ORIGINS = ['AWS_KMS', 'EXTERNAL', 'AWS_CLOUDHSM', 'EXTERNAL_KEY_STORE'] as const
const DESCRIPTION_RULE = { min: 0, max: 8192 }

export async function createKey(engine: Engine, call: Call, input: Input): Promise<CreateKeyResponse> {
  const policy = optionalString(input, 'Policy', { min: 1, max: 32768 })
  const description = optionalString(input, 'Description', DESCRIPTION_RULE) ?? ''
  const keyUsage = optionalEnum(input, 'KeyUsage', KEY_USAGES) ?? 'ENCRYPT_DECRYPT'
  const keySpec = optionalEnum(input, 'KeySpec', KEY_SPECS)
  const legacySpec = optionalEnum(input, 'CustomerMasterKeySpec', KEY_SPECS)
  const origin = optionalEnum(input, 'Origin', ORIGINS) ?? 'AWS_KMS'
  const customKeyStoreId = optionalString(input, 'CustomKeyStoreId', { min: 1, max: 64 })
  const xksKeyId = optionalString(input, 'XksKeyId', { min: 1, max: 128 })
  const bypass = optionalBoolean(input, 'BypassPolicyLockoutSafetyCheck') ?? false
  const multiRegion = optionalBoolean(input, 'MultiRegion') ?? false
  const tags = optionalTags(input, 'Tags') ?? []

  if (keySpec && legacySpec) {
    throw new ValidationException('You cannot specify KeySpec and CustomerMasterKeySpec in the same request. CustomerMasterKeySpec is deprecated.')
  }
  const spec = keySpec ?? legacySpec ?? 'SYMMETRIC_DEFAULT'
  if (spec !== 'SYMMETRIC_DEFAULT') {
    throw new UnsupportedOperationException(`KeySpec ${spec} is not supported: webkms creates symmetric encryption keys (SYMMETRIC_DEFAULT)`)
  }
  if (keyUsage !== 'ENCRYPT_DECRYPT') {
    throw new ValidationException(`KeyUsage ${keyUsage} is not compatible with KeySpec SYMMETRIC_DEFAULT`)
  }
  if (origin !== 'AWS_KMS') throw new UnsupportedOperationException(`Origin ${origin} is not supported: webkms generates its own key material (AWS_KMS)`)
  if (customKeyStoreId !== undefined || xksKeyId !== undefined) throw new UnsupportedOperationException('Custom key stores are not supported')
  if (multiRegion) throw new UnsupportedOperationException('Multi-Region keys are not supported')
  const mergedTags = mergeTags([], tags)

  const material = await generateMasterKeyMaterial()
  const keyId = uuidFromRandom(engine.random(16))
  const key: KeyRecord = {
    keyId,
    arn: engine.keyArn(keyId),
    accountId: engine.account.accountId,
    region: engine.account.region,
    creationDate: call.now,
    description,
    keyUsage: 'ENCRYPT_DECRYPT',
    keySpec: 'SYMMETRIC_DEFAULT',
    origin: 'AWS_KMS',
    keyState: 'Enabled',
    rotation: { enabled: false, periodInDays: 365, onDemandCount: 0 },
    tags: mergedTags,
    versions: [engine.newVersion(1, material, call.now)],
  }
  if (policy !== undefined) {
    await checkNewKeyPolicy(engine, call, key, policy, bypass)
    key.policy = policy
  } else {
    key.policy = defaultKeyPolicy(engine.account.partition, engine.account.accountId)
  }
  await engine.store.transaction('readwrite', (tx) => tx.putKey(key))
  return { KeyMetadata: keyMetadata(key) }
}

export async function describeKey(engine: Engine, call: Call, input: Input): Promise<DescribeKeyResponse> {
  const keyId = requiredKeyId(input)
  grantTokens(input)
  return { KeyMetadata: keyMetadata(await engine.findKey(call, keyId, { allowAlias: true })) }
}

export async function listKeys(engine: Engine, call: Call, input: Input): Promise<ListKeysResponse> {
  const { limit, marker } = paging(input, 1000, 100)
  await engine.settle(call)
  const keys = await engine.store.transaction('readonly', (tx) => tx.listKeys())
  const page = paginate(keys, (k) => k.keyId, limit, marker, (m) => UUID_PATTERN.test(m))
  return { Keys: page.items.map((k) => ({ KeyId: k.keyId, KeyArn: k.arn })), ...pageOut(page) }
}

export async function updateKeyDescription(engine: Engine, call: Call, input: Input): Promise<EmptyResponse> {
  const keyId = requiredKeyId(input)
  const description = requiredString(input, 'Description', DESCRIPTION_RULE)
  const key = await engine.findKey(call, keyId, { allowAlias: false })
  await engine.updateKey(key.keyId, (k) => {
    assertKeyState(k, 'UpdateKeyDescription')
    k.description = description
  })
  return {}
}

export async function enableKey(engine: Engine, call: Call, input: Input): Promise<EmptyResponse> {
  const keyId = requiredKeyId(input)
  const key = await engine.findKey(call, keyId, { allowAlias: false })
  // AWS does not rotate a disabled key; when it is enabled again after its rotation date has
  // passed, it is rotated at once. Make the material now, outside the store transaction.
  const overdue = (k: KeyRecord) => k.rotation.enabled && !!k.rotation.nextRotationDate && k.rotation.nextRotationDate <= call.now
  const material = overdue(key) ? await generateMasterKeyMaterial() : undefined
  await engine.updateKey(key.keyId, (k) => {
    assertKeyState(k, 'EnableKey')
    if (k.keyState === 'Enabled') return
    k.keyState = 'Enabled'
    if (material && overdue(k)) {
      engine.addVersion(k, material, call.now, 'AUTOMATIC')
      k.rotation.nextRotationDate = addDays(call.now, k.rotation.periodInDays)
    }
  })
  return {}
}

export async function disableKey(engine: Engine, call: Call, input: Input): Promise<EmptyResponse> {
  const keyId = requiredKeyId(input)
  const key = await engine.findKey(call, keyId, { allowAlias: false })
  await engine.updateKey(key.keyId, (k) => {
    assertKeyState(k, 'DisableKey')
    k.keyState = 'Disabled'
  })
  return {}
}

/** The waiting period is 7 to 30 days, 30 by default (ScheduleKeyDeletion API reference). */
export async function scheduleKeyDeletion(engine: Engine, call: Call, input: Input): Promise<ScheduleKeyDeletionResponse> {
  const keyId = requiredKeyId(input)
  const days = optionalInteger(input, 'PendingWindowInDays', 7, 30) ?? 30
  const key = await engine.findKey(call, keyId, { allowAlias: false })
  const deletionDate = addDays(call.now, days)
  await engine.updateKey(key.keyId, (k) => {
    assertKeyState(k, 'ScheduleKeyDeletion')
    k.keyState = 'PendingDeletion'
    k.deletionDate = deletionDate
    k.pendingWindowInDays = days
  })
  return { KeyId: key.arn, DeletionDate: deletionDate, KeyState: 'PendingDeletion', PendingWindowInDays: days }
}

/** A key whose deletion is cancelled is left Disabled, as in AWS: enable it explicitly. */
export async function cancelKeyDeletion(engine: Engine, call: Call, input: Input): Promise<CancelKeyDeletionResponse> {
  const keyId = requiredKeyId(input)
  const key = await engine.findKey(call, keyId, { allowAlias: false })
  await engine.updateKey(key.keyId, (k) => {
    assertKeyState(k, 'CancelKeyDeletion')
    k.keyState = 'Disabled'
    delete k.deletionDate
    delete k.pendingWindowInDays
  })
  return { KeyId: key.arn }
}
