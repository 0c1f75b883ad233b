/**
 * Input and output shapes of the engine's operations: the same as the matching
 * `@aws-sdk/client-kms` commands (PascalCase fields, Uint8Array blobs, Date timestamps), so
 * code written against AWS KMS runs against webkms. Only the members this engine acts on are
 * typed; AWS members it does not support are rejected at run time with a clear error.
 */
import type { KeyState } from '../keystore/records.js'

export type { KeyState }

/**
 * An encryption context: string pairs bound to a ciphertext as additional authenticated data,
 * which Decrypt must present again. See
 * https://docs.aws.amazon.com/kms/latest/developerguide/encrypt_context.html
 *
 * @example
 * ```ts
 * import type { EncryptionContextType } from '@webkms/core'
 *
 * const context: EncryptionContextType = { tenant: 'acme', purpose: 'invoice' }
 * ```
 */
export type EncryptionContextType = Record<string, string>

/**
 * What a key is for (AWS's `KeyUsageType`:
 * https://docs.aws.amazon.com/kms/latest/APIReference/API_KeyMetadata.html).
 *
 * @example
 * ```ts
 * import type { KeyUsageType } from '@webkms/core'
 *
 * const usage: KeyUsageType = 'ENCRYPT_DECRYPT'
 * ```
 */
export type KeyUsageType = 'ENCRYPT_DECRYPT' | 'SIGN_VERIFY' | 'GENERATE_VERIFY_MAC' | 'KEY_AGREEMENT'

/**
 * Every key spec of AWS KMS
 * (https://docs.aws.amazon.com/kms/latest/APIReference/API_KeyMetadata.html); the engine refuses
 * those WebCrypto cannot do (`unsupportedKeySpecs`) with `UnsupportedOperationException`.
 *
 * @example
 * ```ts
 * import type { KeySpec } from '@webkms/core'
 *
 * const spec: KeySpec = 'ECC_NIST_P256'
 * ```
 */
export type KeySpec =
  | 'SYMMETRIC_DEFAULT' | 'HMAC_224' | 'HMAC_256' | 'HMAC_384' | 'HMAC_512'
  | 'RSA_2048' | 'RSA_3072' | 'RSA_4096' | 'ECC_NIST_P256' | 'ECC_NIST_P384' | 'ECC_NIST_P521'
  | 'ECC_SECG_P256K1' | 'ECC_NIST_EDWARDS25519' | 'SM2' | 'ML_DSA_44' | 'ML_DSA_65' | 'ML_DSA_87'

/**
 * Where a key's material comes from (CreateKey's `Origin`:
 * https://docs.aws.amazon.com/kms/latest/APIReference/API_CreateKey.html); the engine has
 * `AWS_KMS` and `EXTERNAL`.
 *
 * @example
 * ```ts
 * import type { OriginType } from '@webkms/core'
 *
 * const origin: OriginType = 'EXTERNAL' // import your own material
 * ```
 */
export type OriginType = 'AWS_KMS' | 'EXTERNAL' | 'AWS_CLOUDHSM' | 'EXTERNAL_KEY_STORE'

/**
 * Encryption algorithms (https://docs.aws.amazon.com/kms/latest/APIReference/API_Encrypt.html):
 * `SYMMETRIC_DEFAULT` for symmetric keys, RSAES-OAEP for RSA keys.
 *
 * @example
 * ```ts
 * import type { EncryptionAlgorithmSpec } from '@webkms/core'
 *
 * const algorithm: EncryptionAlgorithmSpec = 'RSAES_OAEP_SHA_256'
 * ```
 */
export type EncryptionAlgorithmSpec = 'SYMMETRIC_DEFAULT' | 'RSAES_OAEP_SHA_1' | 'RSAES_OAEP_SHA_256' | 'SM2PKE'

/**
 * The length of a data key (GenerateDataKey's `KeySpec`:
 * https://docs.aws.amazon.com/kms/latest/APIReference/API_GenerateDataKey.html).
 *
 * @example
 * ```ts
 * import type { DataKeySpec } from '@webkms/core'
 *
 * const spec: DataKeySpec = 'AES_256'
 * ```
 */
export type DataKeySpec = 'AES_128' | 'AES_256'

/**
 * Signing algorithms (https://docs.aws.amazon.com/kms/latest/APIReference/API_Sign.html); the
 * key's spec decides which it supports.
 *
 * @example
 * ```ts
 * import type { SigningAlgorithmSpec } from '@webkms/core'
 *
 * const algorithm: SigningAlgorithmSpec = 'ECDSA_SHA_256'
 * ```
 */
export type SigningAlgorithmSpec =
  | 'RSASSA_PSS_SHA_256' | 'RSASSA_PSS_SHA_384' | 'RSASSA_PSS_SHA_512'
  | 'RSASSA_PKCS1_V1_5_SHA_256' | 'RSASSA_PKCS1_V1_5_SHA_384' | 'RSASSA_PKCS1_V1_5_SHA_512'
  | 'ECDSA_SHA_256' | 'ECDSA_SHA_384' | 'ECDSA_SHA_512' | 'SM2DSA' | 'ML_DSA_SHAKE_256' | 'ED25519_SHA_512' | 'ED25519_PH_SHA_512'

/**
 * MAC algorithms (https://docs.aws.amazon.com/kms/latest/APIReference/API_GenerateMac.html); an
 * HMAC key supports the one of its spec.
 *
 * @example
 * ```ts
 * import type { MacAlgorithmSpec } from '@webkms/core'
 *
 * const algorithm: MacAlgorithmSpec = 'HMAC_SHA_256'
 * ```
 */
export type MacAlgorithmSpec = 'HMAC_SHA_224' | 'HMAC_SHA_256' | 'HMAC_SHA_384' | 'HMAC_SHA_512'

/**
 * Key agreement algorithms
 * (https://docs.aws.amazon.com/kms/latest/APIReference/API_DeriveSharedSecret.html).
 *
 * @example
 * ```ts
 * import type { KeyAgreementAlgorithmSpec } from '@webkms/core'
 *
 * const algorithm: KeyAgreementAlgorithmSpec = 'ECDH'
 * ```
 */
export type KeyAgreementAlgorithmSpec = 'ECDH'

/**
 * What Sign and Verify are given
 * (https://docs.aws.amazon.com/kms/latest/APIReference/API_Sign.html): the message (`RAW`);
 * `DIGEST` and `EXTERNAL_MU` are refused here with `UnsupportedOperationException`.
 *
 * @example
 * ```ts
 * import type { MessageType } from '@webkms/core'
 *
 * const type: MessageType = 'RAW'
 * ```
 */
export type MessageType = 'RAW' | 'DIGEST' | 'EXTERNAL_MU'

/**
 * Key pair specs of GenerateDataKeyPair
 * (https://docs.aws.amazon.com/kms/latest/APIReference/API_GenerateDataKeyPair.html); the engine
 * makes the RSA and NIST ECC ones and refuses the others with `UnsupportedOperationException`.
 *
 * @example
 * ```ts
 * import type { DataKeyPairSpec } from '@webkms/core'
 *
 * const spec: DataKeyPairSpec = 'RSA_3072'
 * ```
 */
export type DataKeyPairSpec = 'RSA_2048' | 'RSA_3072' | 'RSA_4096' | 'ECC_NIST_P256' | 'ECC_NIST_P384' | 'ECC_NIST_P521' | 'ECC_SECG_P256K1' | 'SM2' | 'ECC_NIST_EDWARDS25519' | 'ML_KEM_512' | 'ML_KEM_768' | 'ML_KEM_1024'

/**
 * Whether imported key material expires
 * (https://docs.aws.amazon.com/kms/latest/APIReference/API_ImportKeyMaterial.html).
 *
 * @example
 * ```ts
 * import type { ExpirationModelType } from '@webkms/core'
 *
 * const model: ExpirationModelType = 'KEY_MATERIAL_EXPIRES'
 * ```
 */
export type ExpirationModelType = 'KEY_MATERIAL_EXPIRES' | 'KEY_MATERIAL_DOES_NOT_EXPIRE'

/**
 * The RSA wrapping key of an import
 * (https://docs.aws.amazon.com/kms/latest/APIReference/API_GetParametersForImport.html); `SM2` is
 * refused here.
 *
 * @example
 * ```ts
 * import type { WrappingKeySpec } from '@webkms/core'
 *
 * const spec: WrappingKeySpec = 'RSA_4096'
 * ```
 */
export type WrappingKeySpec = 'RSA_2048' | 'RSA_3072' | 'RSA_4096' | 'SM2'

/**
 * How key material to import is wrapped
 * (https://docs.aws.amazon.com/kms/latest/APIReference/API_GetParametersForImport.html);
 * `RSAES_PKCS1_V1_5` and `SM2PKE` are refused here.
 *
 * @example
 * ```ts
 * import type { AlgorithmSpec } from '@webkms/core'
 *
 * const algorithm: AlgorithmSpec = 'RSA_AES_KEY_WRAP_SHA_256'
 * ```
 */
export type AlgorithmSpec = 'RSAES_PKCS1_V1_5' | 'RSAES_OAEP_SHA_1' | 'RSAES_OAEP_SHA_256' | 'RSA_AES_KEY_WRAP_SHA_1' | 'RSA_AES_KEY_WRAP_SHA_256' | 'SM2PKE'

/**
 * Whether ImportKeyMaterial brings the key's first (or same) material or new material for
 * on-demand rotation
 * (https://docs.aws.amazon.com/kms/latest/APIReference/API_ImportKeyMaterial.html).
 *
 * @example
 * ```ts
 * import type { ImportType } from '@webkms/core'
 *
 * const type: ImportType = 'NEW_KEY_MATERIAL'
 * ```
 */
export type ImportType = 'NEW_KEY_MATERIAL' | 'EXISTING_KEY_MATERIAL'

/**
 * How a key version came to be
 * (https://docs.aws.amazon.com/kms/latest/APIReference/API_ListKeyRotations.html).
 *
 * @example
 * ```ts
 * import type { RotationType } from '@webkms/core'
 *
 * const type: RotationType = 'AUTOMATIC'
 * ```
 */
export type RotationType = 'AUTOMATIC' | 'ON_DEMAND'

/**
 * A tag on a key (https://docs.aws.amazon.com/kms/latest/APIReference/API_Tag.html).
 *
 * @example
 * ```ts
 * import type { Tag } from '@webkms/core'
 *
 * const tag: Tag = { TagKey: 'team', TagValue: 'payments' }
 * ```
 */
export interface Tag {
  TagKey: string
  TagValue: string
}

/**
 * What DescribeKey, CreateKey and the like report of a key
 * (https://docs.aws.amazon.com/kms/latest/APIReference/API_KeyMetadata.html).
 *
 * @example
 * ```ts
 * import type { KeyMetadata } from '@webkms/core'
 *
 * const usable = (m: KeyMetadata) => m.Enabled && m.KeyState === 'Enabled'
 * ```
 */
export interface KeyMetadata {
  AWSAccountId: string
  KeyId: string
  Arn: string
  CreationDate: Date
  Enabled: boolean
  Description: string
  KeyUsage: KeyUsageType
  KeyState: KeyState
  DeletionDate?: Date
  Origin: 'AWS_KMS' | 'EXTERNAL'
  KeyManager: 'CUSTOMER'
  CustomerMasterKeySpec: KeySpec
  KeySpec: KeySpec
  /** ENCRYPT_DECRYPT keys. */
  EncryptionAlgorithms?: EncryptionAlgorithmSpec[]
  /** SIGN_VERIFY keys. */
  SigningAlgorithms?: SigningAlgorithmSpec[]
  /** GENERATE_VERIFY_MAC keys. */
  MacAlgorithms?: MacAlgorithmSpec[]
  /** KEY_AGREEMENT keys. */
  KeyAgreementAlgorithms?: KeyAgreementAlgorithmSpec[]
  /** EXTERNAL keys: whether the current material expires, and when. */
  ExpirationModel?: ExpirationModelType
  ValidTo?: Date
  MultiRegion: boolean
  /** Absent while a key has no current material (an EXTERNAL key before its first import). */
  CurrentKeyMaterialId?: string
}

/**
 * The `GrantTokens` member of operations that honour grant tokens: a grant just created works at
 * once when its token is passed
 * (https://docs.aws.amazon.com/kms/latest/developerguide/grant-tokens.html).
 *
 * @example
 * ```ts
 * import type { WithGrantTokens } from '@webkms/core'
 *
 * const member: WithGrantTokens = { GrantTokens: ['<the GrantToken of CreateGrant>'] }
 * ```
 */
export interface WithGrantTokens {
  GrantTokens?: string[]
}

/**
 * The `DryRun` member: check a request's validity and permissions without running it; success is
 * reported as `DryRunOperationException`
 * (https://docs.aws.amazon.com/kms/latest/developerguide/programming-dryrun.html).
 *
 * @example
 * ```ts
 * import type { WithDryRun } from '@webkms/core'
 *
 * const member: WithDryRun = { DryRun: true }
 * ```
 */
export interface WithDryRun {
  DryRun?: boolean
}

/**
 * The paging members of a list request: at most `Limit` entries, starting after `Marker` (the
 * `NextMarker` of the previous page).
 *
 * @example
 * ```ts
 * import type { Paged } from '@webkms/core'
 *
 * const firstPage: Paged = { Limit: 10 }
 * ```
 */
export interface Paged {
  Limit?: number
  Marker?: string
}

/**
 * The paging members of a list response: `Truncated` when there is more, then `NextMarker` to ask
 * for it.
 *
 * @example
 * ```ts
 * import type { PageOut } from '@webkms/core'
 *
 * const more = (page: PageOut) => (page.Truncated ? page.NextMarker : undefined)
 * ```
 */
export interface PageOut {
  NextMarker?: string
  Truncated: boolean
}

/**
 * CreateKey's request (https://docs.aws.amazon.com/kms/latest/APIReference/API_CreateKey.html).
 *
 * @example
 * ```ts
 * import type { CreateKeyRequest } from '@webkms/core'
 *
 * const request: CreateKeyRequest = { Description: 'signing', KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY', Tags: [{ TagKey: 'team', TagValue: 'payments' }] }
 * ```
 */
export interface CreateKeyRequest {
  Policy?: string
  Description?: string
  KeyUsage?: KeyUsageType
  KeySpec?: KeySpec
  /** Deprecated AWS alias of KeySpec. */
  CustomerMasterKeySpec?: KeySpec
  Origin?: OriginType
  CustomKeyStoreId?: string
  BypassPolicyLockoutSafetyCheck?: boolean
  Tags?: Tag[]
  MultiRegion?: boolean
  XksKeyId?: string
}

/**
 * CreateKey's response (https://docs.aws.amazon.com/kms/latest/APIReference/API_CreateKey.html).
 *
 * @example
 * ```ts
 * import type { CreateKeyResponse } from '@webkms/core'
 *
 * const keyId = (r: CreateKeyResponse) => r.KeyMetadata.KeyId
 * ```
 */
export interface CreateKeyResponse {
  KeyMetadata: KeyMetadata
}

/**
 * DescribeKey's request
 * (https://docs.aws.amazon.com/kms/latest/APIReference/API_DescribeKey.html).
 *
 * @example
 * ```ts
 * import type { DescribeKeyRequest } from '@webkms/core'
 *
 * const request: DescribeKeyRequest = { KeyId: 'alias/orders' }
 * ```
 */
export interface DescribeKeyRequest extends WithGrantTokens {
  KeyId: string
}

/**
 * DescribeKey's response
 * (https://docs.aws.amazon.com/kms/latest/APIReference/API_DescribeKey.html).
 *
 * @example
 * ```ts
 * import type { DescribeKeyResponse } from '@webkms/core'
 *
 * const state = (r: DescribeKeyResponse) => r.KeyMetadata.KeyState
 * ```
 */
export interface DescribeKeyResponse {
  KeyMetadata: KeyMetadata
}

/**
 * ListKeys's request (https://docs.aws.amazon.com/kms/latest/APIReference/API_ListKeys.html).
 *
 * @example
 * ```ts
 * import type { ListKeysRequest } from '@webkms/core'
 *
 * const request: ListKeysRequest = { Limit: 100 }
 * ```
 */
export interface ListKeysRequest extends Paged {}

/**
 * ListKeys's response (https://docs.aws.amazon.com/kms/latest/APIReference/API_ListKeys.html).
 *
 * @example
 * ```ts
 * import type { ListKeysResponse } from '@webkms/core'
 *
 * const arns = (r: ListKeysResponse) => r.Keys.map((k) => k.KeyArn)
 * ```
 */
export interface ListKeysResponse extends PageOut {
  Keys: { KeyId: string; KeyArn: string }[]
}

/**
 * The request of the operations that take only a key: EnableKey, DisableKey, CancelKeyDeletion,
 * DisableKeyRotation, GetKeyRotationStatus, RotateKeyOnDemand
 * (https://docs.aws.amazon.com/kms/latest/APIReference/API_EnableKey.html).
 *
 * @example
 * ```ts
 * import type { KeyIdRequest } from '@webkms/core'
 *
 * const request: KeyIdRequest = { KeyId: 'alias/orders' }
 * ```
 */
export interface KeyIdRequest {
  KeyId: string
}

/**
 * The response of operations that return nothing (EnableKey, CreateAlias, PutKeyPolicy, ...).
 *
 * @example
 * ```ts
 * import type { EmptyResponse } from '@webkms/core'
 *
 * const nothing: EmptyResponse = {}
 * ```
 */
export type EmptyResponse = Record<string, never>

/**
 * UpdateKeyDescription's request
 * (https://docs.aws.amazon.com/kms/latest/APIReference/API_UpdateKeyDescription.html).
 *
 * @example
 * ```ts
 * import type { UpdateKeyDescriptionRequest } from '@webkms/core'
 *
 * const request: UpdateKeyDescriptionRequest = { KeyId: 'alias/orders', Description: 'orders, 2030 on' }
 * ```
 */
export interface UpdateKeyDescriptionRequest {
  KeyId: string
  Description: string
}

/**
 * ScheduleKeyDeletion's request
 * (https://docs.aws.amazon.com/kms/latest/APIReference/API_ScheduleKeyDeletion.html).
 * `PendingWindowInDays` 7-30, default 30.
 *
 * @example
 * ```ts
 * import type { ScheduleKeyDeletionRequest } from '@webkms/core'
 *
 * const request: ScheduleKeyDeletionRequest = { KeyId: 'alias/old', PendingWindowInDays: 7 }
 * ```
 */
export interface ScheduleKeyDeletionRequest {
  KeyId: string
  PendingWindowInDays?: number
}

/**
 * ScheduleKeyDeletion's response
 * (https://docs.aws.amazon.com/kms/latest/APIReference/API_ScheduleKeyDeletion.html).
 *
 * @example
 * ```ts
 * import type { ScheduleKeyDeletionResponse } from '@webkms/core'
 *
 * const when = (r: ScheduleKeyDeletionResponse) => r.DeletionDate
 * ```
 */
export interface ScheduleKeyDeletionResponse {
  KeyId: string
  DeletionDate: Date
  KeyState: 'PendingDeletion'
  PendingWindowInDays: number
}

/**
 * CancelKeyDeletion's response
 * (https://docs.aws.amazon.com/kms/latest/APIReference/API_CancelKeyDeletion.html). The key is
 * Disabled afterwards, as in AWS.
 *
 * @example
 * ```ts
 * import type { CancelKeyDeletionResponse } from '@webkms/core'
 *
 * const keyArn = (r: CancelKeyDeletionResponse) => r.KeyId
 * ```
 */
export interface CancelKeyDeletionResponse {
  KeyId: string
}

/**
 * CreateAlias's request
 * (https://docs.aws.amazon.com/kms/latest/APIReference/API_CreateAlias.html).
 *
 * @example
 * ```ts
 * import type { CreateAliasRequest } from '@webkms/core'
 *
 * const request: CreateAliasRequest = { AliasName: 'alias/orders', TargetKeyId: '1234abcd-12ab-34cd-56ef-1234567890ab' }
 * ```
 */
export interface CreateAliasRequest {
  AliasName: string
  TargetKeyId: string
}

/**
 * UpdateAlias's request
 * (https://docs.aws.amazon.com/kms/latest/APIReference/API_UpdateAlias.html).
 *
 * @example
 * ```ts
 * import type { UpdateAliasRequest } from '@webkms/core'
 *
 * const request: UpdateAliasRequest = { AliasName: 'alias/orders', TargetKeyId: '0987dcba-09fe-87dc-65ba-ab0987654321' }
 * ```
 */
export interface UpdateAliasRequest {
  AliasName: string
  TargetKeyId: string
}

/**
 * DeleteAlias's request
 * (https://docs.aws.amazon.com/kms/latest/APIReference/API_DeleteAlias.html).
 *
 * @example
 * ```ts
 * import type { DeleteAliasRequest } from '@webkms/core'
 *
 * const request: DeleteAliasRequest = { AliasName: 'alias/orders' }
 * ```
 */
export interface DeleteAliasRequest {
  AliasName: string
}

/**
 * ListAliases's request
 * (https://docs.aws.amazon.com/kms/latest/APIReference/API_ListAliases.html). Without `KeyId`,
 * every alias of the account.
 *
 * @example
 * ```ts
 * import type { ListAliasesRequest } from '@webkms/core'
 *
 * const request: ListAliasesRequest = { KeyId: 'alias/orders', Limit: 50 }
 * ```
 */
export interface ListAliasesRequest extends Paged {
  KeyId?: string
}

/**
 * One alias of a ListAliases response
 * (https://docs.aws.amazon.com/kms/latest/APIReference/API_AliasListEntry.html).
 *
 * @example
 * ```ts
 * import type { AliasListEntry } from '@webkms/core'
 *
 * const line = (a: AliasListEntry) => `${a.AliasName} -> ${a.TargetKeyId}`
 * ```
 */
export interface AliasListEntry {
  AliasName: string
  AliasArn: string
  TargetKeyId: string
  CreationDate: Date
  LastUpdatedDate: Date
}

/**
 * ListAliases's response
 * (https://docs.aws.amazon.com/kms/latest/APIReference/API_ListAliases.html).
 *
 * @example
 * ```ts
 * import type { ListAliasesResponse } from '@webkms/core'
 *
 * const names = (r: ListAliasesResponse) => r.Aliases.map((a) => a.AliasName)
 * ```
 */
export interface ListAliasesResponse extends PageOut {
  Aliases: AliasListEntry[]
}

/**
 * TagResource's request
 * (https://docs.aws.amazon.com/kms/latest/APIReference/API_TagResource.html).
 *
 * @example
 * ```ts
 * import type { TagResourceRequest } from '@webkms/core'
 *
 * const request: TagResourceRequest = { KeyId: 'alias/orders', Tags: [{ TagKey: 'env', TagValue: 'prod' }] }
 * ```
 */
export interface TagResourceRequest {
  KeyId: string
  Tags: Tag[]
}

/**
 * UntagResource's request
 * (https://docs.aws.amazon.com/kms/latest/APIReference/API_UntagResource.html).
 *
 * @example
 * ```ts
 * import type { UntagResourceRequest } from '@webkms/core'
 *
 * const request: UntagResourceRequest = { KeyId: 'alias/orders', TagKeys: ['env'] }
 * ```
 */
export interface UntagResourceRequest {
  KeyId: string
  TagKeys: string[]
}

/**
 * ListResourceTags's request
 * (https://docs.aws.amazon.com/kms/latest/APIReference/API_ListResourceTags.html).
 *
 * @example
 * ```ts
 * import type { ListResourceTagsRequest } from '@webkms/core'
 *
 * const request: ListResourceTagsRequest = { KeyId: 'alias/orders' }
 * ```
 */
export interface ListResourceTagsRequest extends Paged {
  KeyId: string
}

/**
 * ListResourceTags's response
 * (https://docs.aws.amazon.com/kms/latest/APIReference/API_ListResourceTags.html).
 *
 * @example
 * ```ts
 * import type { ListResourceTagsResponse } from '@webkms/core'
 *
 * const tags = (r: ListResourceTagsResponse) => Object.fromEntries(r.Tags.map((t) => [t.TagKey, t.TagValue]))
 * ```
 */
export interface ListResourceTagsResponse extends PageOut {
  Tags: Tag[]
}

/**
 * EnableKeyRotation's request
 * (https://docs.aws.amazon.com/kms/latest/APIReference/API_EnableKeyRotation.html).
 * `RotationPeriodInDays` 90-2560, default 365.
 *
 * @example
 * ```ts
 * import type { EnableKeyRotationRequest } from '@webkms/core'
 *
 * const request: EnableKeyRotationRequest = { KeyId: 'alias/orders', RotationPeriodInDays: 180 }
 * ```
 */
export interface EnableKeyRotationRequest {
  KeyId: string
  RotationPeriodInDays?: number
}

/**
 * GetKeyRotationStatus's response
 * (https://docs.aws.amazon.com/kms/latest/APIReference/API_GetKeyRotationStatus.html).
 *
 * @example
 * ```ts
 * import type { GetKeyRotationStatusResponse } from '@webkms/core'
 *
 * const next = (r: GetKeyRotationStatusResponse) => (r.KeyRotationEnabled ? r.NextRotationDate : undefined)
 * ```
 */
export interface GetKeyRotationStatusResponse {
  KeyRotationEnabled: boolean
  KeyId: string
  RotationPeriodInDays?: number
  NextRotationDate?: Date
  OnDemandRotationStartDate?: Date
}

/**
 * RotateKeyOnDemand's response
 * (https://docs.aws.amazon.com/kms/latest/APIReference/API_RotateKeyOnDemand.html).
 *
 * @example
 * ```ts
 * import type { RotateKeyOnDemandResponse } from '@webkms/core'
 *
 * const keyArn = (r: RotateKeyOnDemandResponse) => r.KeyId
 * ```
 */
export interface RotateKeyOnDemandResponse {
  KeyId: string
}

/**
 * ListKeyRotations's request
 * (https://docs.aws.amazon.com/kms/latest/APIReference/API_ListKeyRotations.html).
 *
 * @example
 * ```ts
 * import type { ListKeyRotationsRequest } from '@webkms/core'
 *
 * const request: ListKeyRotationsRequest = { KeyId: 'alias/orders', IncludeKeyMaterial: 'ALL_KEY_MATERIAL' }
 * ```
 */
export interface ListKeyRotationsRequest extends Paged {
  KeyId: string
  /** ROTATIONS_ONLY (default) or ALL_KEY_MATERIAL (the original material too). */
  IncludeKeyMaterial?: 'ALL_KEY_MATERIAL' | 'ROTATIONS_ONLY'
}

/**
 * One key material of a ListKeyRotations response
 * (https://docs.aws.amazon.com/kms/latest/APIReference/API_RotationsListEntry.html).
 *
 * @example
 * ```ts
 * import type { RotationsListEntry } from '@webkms/core'
 *
 * const current = (e: RotationsListEntry) => e.KeyMaterialState === 'CURRENT'
 * ```
 */
export interface RotationsListEntry {
  KeyId: string
  KeyMaterialId: string
  KeyMaterialState: 'CURRENT' | 'NON_CURRENT' | 'PENDING_ROTATION'
  /** Absent for material imported but not yet rotated in. */
  RotationDate?: Date
  /** Absent for the original key material (listed only with IncludeKeyMaterial ALL_KEY_MATERIAL). */
  RotationType?: RotationType
  /** EXTERNAL symmetric keys: */
  KeyMaterialDescription?: string
  ImportState?: 'IMPORTED' | 'PENDING_IMPORT'
  ExpirationModel?: ExpirationModelType
  ValidTo?: Date
}

/**
 * ListKeyRotations's response
 * (https://docs.aws.amazon.com/kms/latest/APIReference/API_ListKeyRotations.html).
 *
 * @example
 * ```ts
 * import type { ListKeyRotationsResponse } from '@webkms/core'
 *
 * const count = (r: ListKeyRotationsResponse) => r.Rotations.length
 * ```
 */
export interface ListKeyRotationsResponse extends PageOut {
  Rotations: RotationsListEntry[]
}

/**
 * Encrypt's request (https://docs.aws.amazon.com/kms/latest/APIReference/API_Encrypt.html). At
 * most 4096 bytes of `Plaintext` (`MAX_ENCRYPT_PLAINTEXT`).
 *
 * @example
 * ```ts
 * import type { EncryptRequest } from '@webkms/core'
 *
 * const request: EncryptRequest = { KeyId: 'alias/orders', Plaintext: new TextEncoder().encode('4111 1111 1111 1111'), EncryptionContext: { orderId: '42' } }
 * ```
 */
export interface EncryptRequest extends WithGrantTokens, WithDryRun {
  KeyId: string
  Plaintext: Uint8Array
  EncryptionContext?: EncryptionContextType
  EncryptionAlgorithm?: EncryptionAlgorithmSpec
}

/**
 * Encrypt's response (https://docs.aws.amazon.com/kms/latest/APIReference/API_Encrypt.html).
 *
 * @example
 * ```ts
 * import type { EncryptResponse } from '@webkms/core'
 *
 * const blob = (r: EncryptResponse) => r.CiphertextBlob
 * ```
 */
export interface EncryptResponse {
  CiphertextBlob: Uint8Array
  KeyId: string
  EncryptionAlgorithm: EncryptionAlgorithmSpec
}

/**
 * Decrypt's request (https://docs.aws.amazon.com/kms/latest/APIReference/API_Decrypt.html). The
 * key is found from the ciphertext; a `KeyId` that names another key is `IncorrectKeyException`.
 *
 * @example
 * ```ts
 * import type { DecryptRequest } from '@webkms/core'
 *
 * declare const ciphertextBlob: Uint8Array // from Encrypt
 * const request: DecryptRequest = { CiphertextBlob: ciphertextBlob, EncryptionContext: { orderId: '42' } }
 * ```
 */
export interface DecryptRequest extends WithGrantTokens, WithDryRun {
  CiphertextBlob: Uint8Array
  EncryptionContext?: EncryptionContextType
  KeyId?: string
  EncryptionAlgorithm?: EncryptionAlgorithmSpec
}

/**
 * Decrypt's response (https://docs.aws.amazon.com/kms/latest/APIReference/API_Decrypt.html).
 *
 * @example
 * ```ts
 * import type { DecryptResponse } from '@webkms/core'
 *
 * const text = (r: DecryptResponse) => new TextDecoder().decode(r.Plaintext)
 * ```
 */
export interface DecryptResponse {
  KeyId: string
  Plaintext: Uint8Array
  EncryptionAlgorithm: EncryptionAlgorithmSpec
  /** Symmetric keys only. */
  KeyMaterialId?: string
}

/**
 * ReEncrypt's request (https://docs.aws.amazon.com/kms/latest/APIReference/API_ReEncrypt.html).
 *
 * @example
 * ```ts
 * import type { ReEncryptRequest } from '@webkms/core'
 *
 * declare const ciphertextBlob: Uint8Array // from Encrypt
 * const request: ReEncryptRequest = { CiphertextBlob: ciphertextBlob, DestinationKeyId: 'alias/orders-2030' }
 * ```
 */
export interface ReEncryptRequest extends WithGrantTokens, WithDryRun {
  CiphertextBlob: Uint8Array
  SourceEncryptionContext?: EncryptionContextType
  SourceKeyId?: string
  DestinationKeyId: string
  DestinationEncryptionContext?: EncryptionContextType
  SourceEncryptionAlgorithm?: EncryptionAlgorithmSpec
  DestinationEncryptionAlgorithm?: EncryptionAlgorithmSpec
}

/**
 * ReEncrypt's response (https://docs.aws.amazon.com/kms/latest/APIReference/API_ReEncrypt.html).
 *
 * @example
 * ```ts
 * import type { ReEncryptResponse } from '@webkms/core'
 *
 * const moved = (r: ReEncryptResponse) => r.SourceKeyId !== r.KeyId
 * ```
 */
export interface ReEncryptResponse {
  CiphertextBlob: Uint8Array
  SourceKeyId: string
  KeyId: string
  SourceEncryptionAlgorithm: EncryptionAlgorithmSpec
  DestinationEncryptionAlgorithm: EncryptionAlgorithmSpec
  /** Symmetric source keys only. */
  SourceKeyMaterialId?: string
  /** Symmetric destination keys only. */
  DestinationKeyMaterialId?: string
}

/**
 * GenerateDataKey's request
 * (https://docs.aws.amazon.com/kms/latest/APIReference/API_GenerateDataKey.html). `KeySpec` or
 * `NumberOfBytes` (1-1024), not both.
 *
 * @example
 * ```ts
 * import type { GenerateDataKeyRequest } from '@webkms/core'
 *
 * const request: GenerateDataKeyRequest = { KeyId: 'alias/orders', KeySpec: 'AES_256', EncryptionContext: { orderId: '42' } }
 * ```
 */
export interface GenerateDataKeyRequest extends WithGrantTokens, WithDryRun {
  KeyId: string
  EncryptionContext?: EncryptionContextType
  NumberOfBytes?: number
  KeySpec?: DataKeySpec
}

/**
 * GenerateDataKey's response
 * (https://docs.aws.amazon.com/kms/latest/APIReference/API_GenerateDataKey.html). Use `Plaintext`
 * and forget it; store `CiphertextBlob`.
 *
 * @example
 * ```ts
 * import type { GenerateDataKeyResponse } from '@webkms/core'
 *
 * const keep = (r: GenerateDataKeyResponse) => r.CiphertextBlob // and r.Plaintext only in memory
 * ```
 */
export interface GenerateDataKeyResponse {
  CiphertextBlob: Uint8Array
  Plaintext: Uint8Array
  KeyId: string
  KeyMaterialId: string
}

/**
 * GenerateDataKeyWithoutPlaintext's request
 * (https://docs.aws.amazon.com/kms/latest/APIReference/API_GenerateDataKeyWithoutPlaintext.html).
 * The same members as GenerateDataKey's.
 *
 * @example
 * ```ts
 * import type { GenerateDataKeyWithoutPlaintextRequest } from '@webkms/core'
 *
 * const request: GenerateDataKeyWithoutPlaintextRequest = { KeyId: 'alias/orders', NumberOfBytes: 32 }
 * ```
 */
export type GenerateDataKeyWithoutPlaintextRequest = GenerateDataKeyRequest

/**
 * GenerateDataKeyWithoutPlaintext's response
 * (https://docs.aws.amazon.com/kms/latest/APIReference/API_GenerateDataKeyWithoutPlaintext.html).
 *
 * @example
 * ```ts
 * import type { GenerateDataKeyWithoutPlaintextResponse } from '@webkms/core'
 *
 * const blob = (r: GenerateDataKeyWithoutPlaintextResponse) => r.CiphertextBlob
 * ```
 */
export interface GenerateDataKeyWithoutPlaintextResponse {
  CiphertextBlob: Uint8Array
  KeyId: string
  KeyMaterialId: string
}

/**
 * GenerateRandom's request
 * (https://docs.aws.amazon.com/kms/latest/APIReference/API_GenerateRandom.html). `NumberOfBytes`
 * 1-1024.
 *
 * @example
 * ```ts
 * import type { GenerateRandomRequest } from '@webkms/core'
 *
 * const request: GenerateRandomRequest = { NumberOfBytes: 32 }
 * ```
 */
export interface GenerateRandomRequest {
  NumberOfBytes?: number
  CustomKeyStoreId?: string
}

/**
 * GenerateRandom's response
 * (https://docs.aws.amazon.com/kms/latest/APIReference/API_GenerateRandom.html).
 *
 * @example
 * ```ts
 * import type { GenerateRandomResponse } from '@webkms/core'
 *
 * const bytes = (r: GenerateRandomResponse) => r.Plaintext
 * ```
 */
export interface GenerateRandomResponse {
  Plaintext: Uint8Array
}

/**
 * GetKeyPolicy's request
 * (https://docs.aws.amazon.com/kms/latest/APIReference/API_GetKeyPolicy.html).
 *
 * @example
 * ```ts
 * import type { GetKeyPolicyRequest } from '@webkms/core'
 *
 * const request: GetKeyPolicyRequest = { KeyId: 'alias/orders' }
 * ```
 */
export interface GetKeyPolicyRequest {
  KeyId: string
  /** Only "default" exists; the default when omitted. */
  PolicyName?: string
}

/**
 * GetKeyPolicy's response
 * (https://docs.aws.amazon.com/kms/latest/APIReference/API_GetKeyPolicy.html).
 *
 * @example
 * ```ts
 * import type { GetKeyPolicyResponse } from '@webkms/core'
 *
 * const policy = (r: GetKeyPolicyResponse) => JSON.parse(r.Policy) as { Statement: unknown[] }
 * ```
 */
export interface GetKeyPolicyResponse {
  Policy: string
  PolicyName: string
}

/**
 * PutKeyPolicy's request
 * (https://docs.aws.amazon.com/kms/latest/APIReference/API_PutKeyPolicy.html). At most
 * `MAX_KEY_POLICY_BYTES`; refused by the lockout safety check unless
 * `BypassPolicyLockoutSafetyCheck`.
 *
 * @example
 * ```ts
 * import type { PutKeyPolicyRequest } from '@webkms/core'
 *
 * const request: PutKeyPolicyRequest = {
 *   KeyId: 'alias/orders',
 *   Policy: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::111122223333:root' }, Action: 'kms:*', Resource: '*' }] }),
 * }
 * ```
 */
export interface PutKeyPolicyRequest {
  KeyId: string
  PolicyName?: string
  Policy: string
  BypassPolicyLockoutSafetyCheck?: boolean
}

/**
 * ListKeyPolicies's request
 * (https://docs.aws.amazon.com/kms/latest/APIReference/API_ListKeyPolicies.html).
 *
 * @example
 * ```ts
 * import type { ListKeyPoliciesRequest } from '@webkms/core'
 *
 * const request: ListKeyPoliciesRequest = { KeyId: 'alias/orders' }
 * ```
 */
export interface ListKeyPoliciesRequest extends Paged {
  KeyId: string
}

/**
 * ListKeyPolicies's response
 * (https://docs.aws.amazon.com/kms/latest/APIReference/API_ListKeyPolicies.html). The one policy
 * name there is: `default`.
 *
 * @example
 * ```ts
 * import type { ListKeyPoliciesResponse } from '@webkms/core'
 *
 * const names = (r: ListKeyPoliciesResponse) => r.PolicyNames
 * ```
 */
export interface ListKeyPoliciesResponse extends PageOut {
  PolicyNames: string[]
}

/**
 * The operations a grant can allow
 * (https://docs.aws.amazon.com/kms/latest/APIReference/API_CreateGrant.html).
 *
 * @example
 * ```ts
 * import type { GrantOperation } from '@webkms/core'
 *
 * const operations: GrantOperation[] = ['Decrypt', 'GenerateDataKey']
 * ```
 */
export type GrantOperation =
  | 'Decrypt' | 'Encrypt' | 'GenerateDataKey' | 'GenerateDataKeyWithoutPlaintext' | 'ReEncryptFrom' | 'ReEncryptTo'
  | 'Sign' | 'Verify' | 'GetPublicKey' | 'CreateGrant' | 'RetireGrant' | 'DescribeKey' | 'GenerateDataKeyPair'
  | 'GenerateDataKeyPairWithoutPlaintext' | 'GenerateMac' | 'VerifyMac' | 'DeriveSharedSecret'

/**
 * A grant's encryption context constraints
 * (https://docs.aws.amazon.com/kms/latest/APIReference/API_GrantConstraints.html): the grant
 * applies only to requests whose context contains (`EncryptionContextSubset`) or equals
 * (`EncryptionContextEquals`) these pairs.
 *
 * @example
 * ```ts
 * import type { GrantConstraints } from '@webkms/core'
 *
 * const constraints: GrantConstraints = { EncryptionContextSubset: { tenant: 'acme' } }
 * ```
 */
export interface GrantConstraints {
  EncryptionContextSubset?: EncryptionContextType
  EncryptionContextEquals?: EncryptionContextType
}

/**
 * CreateGrant's request
 * (https://docs.aws.amazon.com/kms/latest/APIReference/API_CreateGrant.html). At most
 * `MAX_GRANTS_PER_KEY` grants per key.
 *
 * @example
 * ```ts
 * import type { CreateGrantRequest } from '@webkms/core'
 *
 * const request: CreateGrantRequest = {
 *   KeyId: 'alias/orders',
 *   GranteePrincipal: 'arn:aws:iam::111122223333:role/worker',
 *   Operations: ['Decrypt'],
 *   Constraints: { EncryptionContextSubset: { tenant: 'acme' } },
 * }
 * ```
 */
export interface CreateGrantRequest extends WithGrantTokens, WithDryRun {
  KeyId: string
  GranteePrincipal: string
  RetiringPrincipal?: string
  Operations: GrantOperation[]
  Constraints?: GrantConstraints
  Name?: string
}

/**
 * CreateGrant's response
 * (https://docs.aws.amazon.com/kms/latest/APIReference/API_CreateGrant.html).
 *
 * @example
 * ```ts
 * import type { CreateGrantResponse } from '@webkms/core'
 *
 * const grantTokens = (r: CreateGrantResponse) => [r.GrantToken] // pass as GrantTokens to use the grant at once
 * ```
 */
export interface CreateGrantResponse {
  GrantToken: string
  GrantId: string
}

/**
 * One grant of a ListGrants or ListRetirableGrants response
 * (https://docs.aws.amazon.com/kms/latest/APIReference/API_GrantListEntry.html).
 *
 * @example
 * ```ts
 * import type { GrantListEntry } from '@webkms/core'
 *
 * const allowsDecrypt = (g: GrantListEntry) => g.Operations.includes('Decrypt')
 * ```
 */
export interface GrantListEntry {
  KeyId: string
  GrantId: string
  Name?: string
  CreationDate: Date
  GranteePrincipal: string
  RetiringPrincipal?: string
  IssuingAccount: string
  Operations: GrantOperation[]
  Constraints?: GrantConstraints
}

/**
 * ListGrants's request (https://docs.aws.amazon.com/kms/latest/APIReference/API_ListGrants.html).
 *
 * @example
 * ```ts
 * import type { ListGrantsRequest } from '@webkms/core'
 *
 * const request: ListGrantsRequest = { KeyId: 'alias/orders', GranteePrincipal: 'arn:aws:iam::111122223333:role/worker' }
 * ```
 */
export interface ListGrantsRequest extends Paged {
  KeyId: string
  GrantId?: string
  GranteePrincipal?: string
}

/**
 * ListGrants's response (https://docs.aws.amazon.com/kms/latest/APIReference/API_ListGrants.html).
 * Also the response of ListRetirableGrants.
 *
 * @example
 * ```ts
 * import type { ListGrantsResponse } from '@webkms/core'
 *
 * const ids = (r: ListGrantsResponse) => r.Grants.map((g) => g.GrantId)
 * ```
 */
export interface ListGrantsResponse extends PageOut {
  Grants: GrantListEntry[]
}

/**
 * ListRetirableGrants's request
 * (https://docs.aws.amazon.com/kms/latest/APIReference/API_ListRetirableGrants.html).
 *
 * @example
 * ```ts
 * import type { ListRetirableGrantsRequest } from '@webkms/core'
 *
 * const request: ListRetirableGrantsRequest = { RetiringPrincipal: 'arn:aws:iam::111122223333:role/admin' }
 * ```
 */
export interface ListRetirableGrantsRequest extends Paged {
  RetiringPrincipal: string
}

/**
 * RetireGrant's request
 * (https://docs.aws.amazon.com/kms/latest/APIReference/API_RetireGrant.html). By `GrantToken`, or
 * by `KeyId` and `GrantId`.
 *
 * @example
 * ```ts
 * import type { RetireGrantRequest } from '@webkms/core'
 *
 * const request: RetireGrantRequest = { KeyId: 'arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab', GrantId: '0c237476b39f8bc44e45212e08498fbe3151305030726c0590dd8d3e9f3d6a60' }
 * ```
 */
export interface RetireGrantRequest extends WithDryRun {
  GrantToken?: string
  KeyId?: string
  GrantId?: string
}

/**
 * RevokeGrant's request
 * (https://docs.aws.amazon.com/kms/latest/APIReference/API_RevokeGrant.html).
 *
 * @example
 * ```ts
 * import type { RevokeGrantRequest } from '@webkms/core'
 *
 * const request: RevokeGrantRequest = { KeyId: 'alias/orders', GrantId: '0c237476b39f8bc44e45212e08498fbe3151305030726c0590dd8d3e9f3d6a60' }
 * ```
 */
export interface RevokeGrantRequest extends WithDryRun {
  KeyId: string
  GrantId: string
}

/**
 * Sign's request (https://docs.aws.amazon.com/kms/latest/APIReference/API_Sign.html). `Message` at
 * most `MAX_SIGNED_MESSAGE` bytes; `MessageType` `RAW` only.
 *
 * @example
 * ```ts
 * import type { SignRequest } from '@webkms/core'
 *
 * const request: SignRequest = { KeyId: 'alias/signing', Message: new TextEncoder().encode('release 1.2.3'), SigningAlgorithm: 'ECDSA_SHA_256' }
 * ```
 */
export interface SignRequest extends WithGrantTokens, WithDryRun {
  KeyId: string
  Message: Uint8Array
  MessageType?: MessageType
  SigningAlgorithm: SigningAlgorithmSpec
}

/**
 * Sign's response (https://docs.aws.amazon.com/kms/latest/APIReference/API_Sign.html).
 *
 * @example
 * ```ts
 * import type { SignResponse } from '@webkms/core'
 *
 * const signature = (r: SignResponse) => r.Signature
 * ```
 */
export interface SignResponse {
  KeyId: string
  /** RSA: the signature; ECDSA: DER-encoded (RFC 3279 §2.2.3), as KMS returns it. */
  Signature: Uint8Array
  SigningAlgorithm: SigningAlgorithmSpec
}

/**
 * Verify's request (https://docs.aws.amazon.com/kms/latest/APIReference/API_Verify.html). A
 * signature that does not verify is `KMSInvalidSignatureException`, never `SignatureValid: false`,
 * as AWS does.
 *
 * @example
 * ```ts
 * import type { VerifyRequest } from '@webkms/core'
 *
 * declare const signature: Uint8Array // from Sign
 * const request: VerifyRequest = { KeyId: 'alias/signing', Message: new TextEncoder().encode('release 1.2.3'), Signature: signature, SigningAlgorithm: 'ECDSA_SHA_256' }
 * ```
 */
export interface VerifyRequest extends SignRequest {
  Signature: Uint8Array
}

/**
 * Verify's response (https://docs.aws.amazon.com/kms/latest/APIReference/API_Verify.html).
 *
 * @example
 * ```ts
 * import type { VerifyResponse } from '@webkms/core'
 *
 * const ok = (r: VerifyResponse) => r.SignatureValid
 * ```
 */
export interface VerifyResponse {
  KeyId: string
  SignatureValid: boolean
  SigningAlgorithm: SigningAlgorithmSpec
}

/**
 * GenerateMac's request
 * (https://docs.aws.amazon.com/kms/latest/APIReference/API_GenerateMac.html). `Message` at most
 * `MAX_MAC_MESSAGE` bytes.
 *
 * @example
 * ```ts
 * import type { GenerateMacRequest } from '@webkms/core'
 *
 * const request: GenerateMacRequest = { KeyId: 'alias/mac', Message: new TextEncoder().encode('token'), MacAlgorithm: 'HMAC_SHA_256' }
 * ```
 */
export interface GenerateMacRequest extends WithGrantTokens, WithDryRun {
  Message: Uint8Array
  KeyId: string
  MacAlgorithm: MacAlgorithmSpec
}

/**
 * GenerateMac's response
 * (https://docs.aws.amazon.com/kms/latest/APIReference/API_GenerateMac.html).
 *
 * @example
 * ```ts
 * import type { GenerateMacResponse } from '@webkms/core'
 *
 * const mac = (r: GenerateMacResponse) => r.Mac
 * ```
 */
export interface GenerateMacResponse {
  Mac: Uint8Array
  MacAlgorithm: MacAlgorithmSpec
  KeyId: string
}

/**
 * VerifyMac's request (https://docs.aws.amazon.com/kms/latest/APIReference/API_VerifyMac.html). A
 * MAC that does not verify is `KMSInvalidMacException`.
 *
 * @example
 * ```ts
 * import type { VerifyMacRequest } from '@webkms/core'
 *
 * const request: VerifyMacRequest = { KeyId: 'alias/mac', Message: new TextEncoder().encode('token'), Mac: new Uint8Array(32), MacAlgorithm: 'HMAC_SHA_256' }
 * ```
 */
export interface VerifyMacRequest extends GenerateMacRequest {
  Mac: Uint8Array
}

/**
 * VerifyMac's response (https://docs.aws.amazon.com/kms/latest/APIReference/API_VerifyMac.html).
 *
 * @example
 * ```ts
 * import type { VerifyMacResponse } from '@webkms/core'
 *
 * const ok = (r: VerifyMacResponse) => r.MacValid
 * ```
 */
export interface VerifyMacResponse {
  KeyId: string
  MacValid: boolean
  MacAlgorithm: MacAlgorithmSpec
}

/**
 * GetPublicKey's request
 * (https://docs.aws.amazon.com/kms/latest/APIReference/API_GetPublicKey.html).
 *
 * @example
 * ```ts
 * import type { GetPublicKeyRequest } from '@webkms/core'
 *
 * const request: GetPublicKeyRequest = { KeyId: 'alias/signing' }
 * ```
 */
export interface GetPublicKeyRequest extends WithGrantTokens {
  KeyId: string
}

/**
 * GetPublicKey's response
 * (https://docs.aws.amazon.com/kms/latest/APIReference/API_GetPublicKey.html).
 *
 * @example
 * ```ts
 * import type { GetPublicKeyResponse } from '@webkms/core'
 *
 * const spki = (r: GetPublicKeyResponse) => crypto.subtle.importKey('spki', new Uint8Array(r.PublicKey), { name: 'ECDSA', namedCurve: 'P-256' }, true, ['verify'])
 * ```
 */
export interface GetPublicKeyResponse {
  KeyId: string
  /** DER SubjectPublicKeyInfo (RFC 5280). */
  PublicKey: Uint8Array
  CustomerMasterKeySpec: KeySpec
  KeySpec: KeySpec
  KeyUsage: KeyUsageType
  EncryptionAlgorithms?: EncryptionAlgorithmSpec[]
  SigningAlgorithms?: SigningAlgorithmSpec[]
  KeyAgreementAlgorithms?: KeyAgreementAlgorithmSpec[]
}

/**
 * DeriveSharedSecret's request
 * (https://docs.aws.amazon.com/kms/latest/APIReference/API_DeriveSharedSecret.html).
 *
 * @example
 * ```ts
 * import type { DeriveSharedSecretRequest } from '@webkms/core'
 *
 * declare const peerPublicKey: Uint8Array // the other party's DER SubjectPublicKeyInfo
 * const request: DeriveSharedSecretRequest = { KeyId: 'alias/agreement', KeyAgreementAlgorithm: 'ECDH', PublicKey: peerPublicKey }
 * ```
 */
export interface DeriveSharedSecretRequest extends WithGrantTokens, WithDryRun {
  KeyId: string
  KeyAgreementAlgorithm: KeyAgreementAlgorithmSpec
  /** The other party's public key, DER SubjectPublicKeyInfo on the key's curve. */
  PublicKey: Uint8Array
}

/**
 * DeriveSharedSecret's response
 * (https://docs.aws.amazon.com/kms/latest/APIReference/API_DeriveSharedSecret.html).
 *
 * @example
 * ```ts
 * import type { DeriveSharedSecretResponse } from '@webkms/core'
 *
 * const z = (r: DeriveSharedSecretResponse) => r.SharedSecret // feed it to a KDF
 * ```
 */
export interface DeriveSharedSecretResponse {
  KeyId: string
  /** The raw ECDH shared secret Z (the x-coordinate), to feed a KDF. */
  SharedSecret: Uint8Array
  KeyAgreementAlgorithm: KeyAgreementAlgorithmSpec
  KeyOrigin: 'AWS_KMS' | 'EXTERNAL'
}

/**
 * GenerateDataKeyPair's request
 * (https://docs.aws.amazon.com/kms/latest/APIReference/API_GenerateDataKeyPair.html).
 *
 * @example
 * ```ts
 * import type { GenerateDataKeyPairRequest } from '@webkms/core'
 *
 * const request: GenerateDataKeyPairRequest = { KeyId: 'alias/orders', KeyPairSpec: 'ECC_NIST_P256' }
 * ```
 */
export interface GenerateDataKeyPairRequest extends WithGrantTokens, WithDryRun {
  KeyId: string
  KeyPairSpec: DataKeyPairSpec
  EncryptionContext?: EncryptionContextType
}

/**
 * GenerateDataKeyPair's response
 * (https://docs.aws.amazon.com/kms/latest/APIReference/API_GenerateDataKeyPair.html).
 *
 * @example
 * ```ts
 * import type { GenerateDataKeyPairResponse } from '@webkms/core'
 *
 * const keep = (r: GenerateDataKeyPairResponse) => ({ publicKey: r.PublicKey, encryptedPrivateKey: r.PrivateKeyCiphertextBlob })
 * ```
 */
export interface GenerateDataKeyPairResponse {
  PrivateKeyCiphertextBlob: Uint8Array
  /** PKCS#8 DER. */
  PrivateKeyPlaintext: Uint8Array
  /** DER SubjectPublicKeyInfo. */
  PublicKey: Uint8Array
  KeyId: string
  KeyPairSpec: DataKeyPairSpec
  KeyMaterialId: string
}

/**
 * GenerateDataKeyPairWithoutPlaintext's request
 * (https://docs.aws.amazon.com/kms/latest/APIReference/API_GenerateDataKeyPairWithoutPlaintext.html).
 * The same members as GenerateDataKeyPair's.
 *
 * @example
 * ```ts
 * import type { GenerateDataKeyPairWithoutPlaintextRequest } from '@webkms/core'
 *
 * const request: GenerateDataKeyPairWithoutPlaintextRequest = { KeyId: 'alias/orders', KeyPairSpec: 'RSA_2048' }
 * ```
 */
export type GenerateDataKeyPairWithoutPlaintextRequest = GenerateDataKeyPairRequest

/**
 * GenerateDataKeyPairWithoutPlaintext's response
 * (https://docs.aws.amazon.com/kms/latest/APIReference/API_GenerateDataKeyPairWithoutPlaintext.html).
 * GenerateDataKeyPair's response without `PrivateKeyPlaintext`.
 *
 * @example
 * ```ts
 * import type { GenerateDataKeyPairWithoutPlaintextResponse } from '@webkms/core'
 *
 * const publicKey = (r: GenerateDataKeyPairWithoutPlaintextResponse) => r.PublicKey
 * ```
 */
export type GenerateDataKeyPairWithoutPlaintextResponse = Omit<GenerateDataKeyPairResponse, 'PrivateKeyPlaintext'>

/**
 * GetParametersForImport's request
 * (https://docs.aws.amazon.com/kms/latest/APIReference/API_GetParametersForImport.html). For a key
 * created with `Origin: 'EXTERNAL'`.
 *
 * @example
 * ```ts
 * import type { GetParametersForImportRequest } from '@webkms/core'
 *
 * const request: GetParametersForImportRequest = { KeyId: 'alias/byok', WrappingAlgorithm: 'RSAES_OAEP_SHA_256', WrappingKeySpec: 'RSA_4096' }
 * ```
 */
export interface GetParametersForImportRequest {
  KeyId: string
  WrappingAlgorithm: AlgorithmSpec
  WrappingKeySpec: WrappingKeySpec
}

/**
 * GetParametersForImport's response
 * (https://docs.aws.amazon.com/kms/latest/APIReference/API_GetParametersForImport.html). The token
 * and wrapping key are valid for `IMPORT_PARAMETERS_HOURS`.
 *
 * @example
 * ```ts
 * import type { GetParametersForImportResponse } from '@webkms/core'
 *
 * const expires = (r: GetParametersForImportResponse) => r.ParametersValidTo
 * ```
 */
export interface GetParametersForImportResponse {
  KeyId: string
  ImportToken: Uint8Array
  /** DER SubjectPublicKeyInfo of the RSA wrapping key. */
  PublicKey: Uint8Array
  ParametersValidTo: Date
}

/**
 * ImportKeyMaterial's request
 * (https://docs.aws.amazon.com/kms/latest/APIReference/API_ImportKeyMaterial.html).
 *
 * @example
 * ```ts
 * import type { ImportKeyMaterialRequest } from '@webkms/core'
 *
 * declare const importToken: Uint8Array // from GetParametersForImport
 * declare const encryptedKeyMaterial: Uint8Array // the material, wrapped with its PublicKey
 * const request: ImportKeyMaterialRequest = { KeyId: 'alias/byok', ImportToken: importToken, EncryptedKeyMaterial: encryptedKeyMaterial, ExpirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE' }
 * ```
 */
export interface ImportKeyMaterialRequest {
  KeyId: string
  ImportToken: Uint8Array
  EncryptedKeyMaterial: Uint8Array
  ValidTo?: Date
  ExpirationModel?: ExpirationModelType
  ImportType?: ImportType
  KeyMaterialDescription?: string
  KeyMaterialId?: string
}

/**
 * ImportKeyMaterial's response
 * (https://docs.aws.amazon.com/kms/latest/APIReference/API_ImportKeyMaterial.html).
 *
 * @example
 * ```ts
 * import type { ImportKeyMaterialResponse } from '@webkms/core'
 *
 * const materialId = (r: ImportKeyMaterialResponse) => r.KeyMaterialId
 * ```
 */
export interface ImportKeyMaterialResponse {
  KeyId: string
  KeyMaterialId: string
}

/**
 * DeleteImportedKeyMaterial's request
 * (https://docs.aws.amazon.com/kms/latest/APIReference/API_DeleteImportedKeyMaterial.html).
 * Without `KeyMaterialId`, the current material goes, and the key is PendingImport until it is
 * imported again.
 *
 * @example
 * ```ts
 * import type { DeleteImportedKeyMaterialRequest } from '@webkms/core'
 *
 * const request: DeleteImportedKeyMaterialRequest = { KeyId: 'alias/byok' }
 * ```
 */
export interface DeleteImportedKeyMaterialRequest {
  KeyId: string
  KeyMaterialId?: string
}

/**
 * DeleteImportedKeyMaterial's response
 * (https://docs.aws.amazon.com/kms/latest/APIReference/API_DeleteImportedKeyMaterial.html).
 *
 * @example
 * ```ts
 * import type { DeleteImportedKeyMaterialResponse } from '@webkms/core'
 *
 * const materialId = (r: DeleteImportedKeyMaterialResponse) => r.KeyMaterialId
 * ```
 */
export interface DeleteImportedKeyMaterialResponse {
  KeyId: string
  /** The material deleted; absent when the key had none to delete (never imported into: no effect). */
  KeyMaterialId?: string
}
