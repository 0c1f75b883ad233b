/**
 * Input and output shapes of the engine's operations: the same as the matching
 * `@aws-sdk/client-kms` commands (PascalCase fields, Uint8Array blobs, Date timestamps), so
 * code written against AWS KMS runs against webkms. Only the members this engine acts on are
 * typed; AWS members it does not support are rejected at run time with a clear error.
 */
import type { KeyState } from '../keystore/records.js'

export type { KeyState }
export type EncryptionContextType = Record<string, string>
export type KeyUsageType = 'ENCRYPT_DECRYPT' | 'SIGN_VERIFY' | 'GENERATE_VERIFY_MAC' | 'KEY_AGREEMENT'
export type KeySpec = 'SYMMETRIC_DEFAULT' | (string & {})
export type OriginType = 'AWS_KMS' | 'EXTERNAL' | 'AWS_CLOUDHSM' | 'EXTERNAL_KEY_STORE'
export type EncryptionAlgorithmSpec = 'SYMMETRIC_DEFAULT' | 'RSAES_OAEP_SHA_1' | 'RSAES_OAEP_SHA_256' | 'SM2PKE'
export type DataKeySpec = 'AES_128' | 'AES_256'
export type RotationType = 'AUTOMATIC' | 'ON_DEMAND'

export interface Tag {
  TagKey: string
  TagValue: string
}

export interface KeyMetadata {
  AWSAccountId: string
  KeyId: string
  Arn: string
  CreationDate: Date
  Enabled: boolean
  Description: string
  KeyUsage: 'ENCRYPT_DECRYPT'
  KeyState: KeyState
  DeletionDate?: Date
  Origin: 'AWS_KMS'
  KeyManager: 'CUSTOMER'
  CustomerMasterKeySpec: 'SYMMETRIC_DEFAULT'
  KeySpec: 'SYMMETRIC_DEFAULT'
  EncryptionAlgorithms: EncryptionAlgorithmSpec[]
  MultiRegion: boolean
  CurrentKeyMaterialId: string
}

interface WithGrantTokens {
  GrantTokens?: string[]
}
interface WithDryRun {
  DryRun?: boolean
}
interface Paged {
  Limit?: number
  Marker?: string
}
interface PageOut {
  NextMarker?: string
  Truncated: boolean
}

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
export interface CreateKeyResponse {
  KeyMetadata: KeyMetadata
}

export interface DescribeKeyRequest extends WithGrantTokens {
  KeyId: string
}
export interface DescribeKeyResponse {
  KeyMetadata: KeyMetadata
}

export interface ListKeysRequest extends Paged {}
export interface ListKeysResponse extends PageOut {
  Keys: { KeyId: string; KeyArn: string }[]
}

export interface KeyIdRequest {
  KeyId: string
}
export type EmptyResponse = Record<string, never>

export interface UpdateKeyDescriptionRequest {
  KeyId: string
  Description: string
}

export interface ScheduleKeyDeletionRequest {
  KeyId: string
  PendingWindowInDays?: number
}
export interface ScheduleKeyDeletionResponse {
  KeyId: string
  DeletionDate: Date
  KeyState: 'PendingDeletion'
  PendingWindowInDays: number
}
export interface CancelKeyDeletionResponse {
  KeyId: string
}

export interface CreateAliasRequest {
  AliasName: string
  TargetKeyId: string
}
export interface UpdateAliasRequest {
  AliasName: string
  TargetKeyId: string
}
export interface DeleteAliasRequest {
  AliasName: string
}
export interface ListAliasesRequest extends Paged {
  KeyId?: string
}
export interface AliasListEntry {
  AliasName: string
  AliasArn: string
  TargetKeyId: string
  CreationDate: Date
  LastUpdatedDate: Date
}
export interface ListAliasesResponse extends PageOut {
  Aliases: AliasListEntry[]
}

export interface TagResourceRequest {
  KeyId: string
  Tags: Tag[]
}
export interface UntagResourceRequest {
  KeyId: string
  TagKeys: string[]
}
export interface ListResourceTagsRequest extends Paged {
  KeyId: string
}
export interface ListResourceTagsResponse extends PageOut {
  Tags: Tag[]
}

export interface EnableKeyRotationRequest {
  KeyId: string
  RotationPeriodInDays?: number
}
export interface GetKeyRotationStatusResponse {
  KeyRotationEnabled: boolean
  KeyId: string
  RotationPeriodInDays?: number
  NextRotationDate?: Date
  OnDemandRotationStartDate?: Date
}
export interface RotateKeyOnDemandResponse {
  KeyId: string
}
export interface ListKeyRotationsRequest extends Paged {
  KeyId: string
}
export interface RotationsListEntry {
  KeyId: string
  KeyMaterialId: string
  KeyMaterialState: 'CURRENT' | 'NON_CURRENT'
  RotationDate: Date
  /** Absent for the original key material (listed only with IncludeKeyMaterial ALL_KEY_MATERIAL). */
  RotationType?: RotationType
}
export interface ListKeyRotationsResponse extends PageOut {
  Rotations: RotationsListEntry[]
}

export interface EncryptRequest extends WithGrantTokens, WithDryRun {
  KeyId: string
  Plaintext: Uint8Array
  EncryptionContext?: EncryptionContextType
  EncryptionAlgorithm?: EncryptionAlgorithmSpec
}
export interface EncryptResponse {
  CiphertextBlob: Uint8Array
  KeyId: string
  EncryptionAlgorithm: EncryptionAlgorithmSpec
}

export interface DecryptRequest extends WithGrantTokens, WithDryRun {
  CiphertextBlob: Uint8Array
  EncryptionContext?: EncryptionContextType
  KeyId?: string
  EncryptionAlgorithm?: EncryptionAlgorithmSpec
}
export interface DecryptResponse {
  KeyId: string
  Plaintext: Uint8Array
  EncryptionAlgorithm: EncryptionAlgorithmSpec
  KeyMaterialId: string
}

export interface ReEncryptRequest extends WithGrantTokens, WithDryRun {
  CiphertextBlob: Uint8Array
  SourceEncryptionContext?: EncryptionContextType
  SourceKeyId?: string
  DestinationKeyId: string
  DestinationEncryptionContext?: EncryptionContextType
  SourceEncryptionAlgorithm?: EncryptionAlgorithmSpec
  DestinationEncryptionAlgorithm?: EncryptionAlgorithmSpec
}
export interface ReEncryptResponse {
  CiphertextBlob: Uint8Array
  SourceKeyId: string
  KeyId: string
  SourceEncryptionAlgorithm: EncryptionAlgorithmSpec
  DestinationEncryptionAlgorithm: EncryptionAlgorithmSpec
  SourceKeyMaterialId: string
  DestinationKeyMaterialId: string
}

export interface GenerateDataKeyRequest extends WithGrantTokens, WithDryRun {
  KeyId: string
  EncryptionContext?: EncryptionContextType
  NumberOfBytes?: number
  KeySpec?: DataKeySpec
}
export interface GenerateDataKeyResponse {
  CiphertextBlob: Uint8Array
  Plaintext: Uint8Array
  KeyId: string
  KeyMaterialId: string
}
export type GenerateDataKeyWithoutPlaintextRequest = GenerateDataKeyRequest
export interface GenerateDataKeyWithoutPlaintextResponse {
  CiphertextBlob: Uint8Array
  KeyId: string
  KeyMaterialId: string
}

export interface GenerateRandomRequest {
  NumberOfBytes?: number
  CustomKeyStoreId?: string
}
export interface GenerateRandomResponse {
  Plaintext: Uint8Array
}

export interface GetKeyPolicyRequest {
  KeyId: string
  /** Only "default" exists; the default when omitted. */
  PolicyName?: string
}
export interface GetKeyPolicyResponse {
  Policy: string
  PolicyName: string
}
export interface PutKeyPolicyRequest {
  KeyId: string
  PolicyName?: string
  Policy: string
  BypassPolicyLockoutSafetyCheck?: boolean
}
export interface ListKeyPoliciesRequest extends Paged {
  KeyId: string
}
export interface ListKeyPoliciesResponse extends PageOut {
  PolicyNames: string[]
}

export type GrantOperation =
  | 'Decrypt' | 'Encrypt' | 'GenerateDataKey' | 'GenerateDataKeyWithoutPlaintext' | 'ReEncryptFrom' | 'ReEncryptTo'
  | 'Sign' | 'Verify' | 'GetPublicKey' | 'CreateGrant' | 'RetireGrant' | 'DescribeKey' | 'GenerateDataKeyPair'
  | 'GenerateDataKeyPairWithoutPlaintext' | 'GenerateMac' | 'VerifyMac' | 'DeriveSharedSecret'
export interface GrantConstraints {
  EncryptionContextSubset?: EncryptionContextType
  EncryptionContextEquals?: EncryptionContextType
}
export interface CreateGrantRequest extends WithGrantTokens, WithDryRun {
  KeyId: string
  GranteePrincipal: string
  RetiringPrincipal?: string
  Operations: GrantOperation[]
  Constraints?: GrantConstraints
  Name?: string
}
export interface CreateGrantResponse {
  GrantToken: string
  GrantId: string
}
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
export interface ListGrantsRequest extends Paged {
  KeyId: string
  GrantId?: string
  GranteePrincipal?: string
}
export interface ListGrantsResponse extends PageOut {
  Grants: GrantListEntry[]
}
export interface ListRetirableGrantsRequest extends Paged {
  RetiringPrincipal: string
}
export interface RetireGrantRequest extends WithDryRun {
  GrantToken?: string
  KeyId?: string
  GrantId?: string
}
export interface RevokeGrantRequest extends WithDryRun {
  KeyId: string
  GrantId: string
}
