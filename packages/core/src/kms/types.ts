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
export type KeySpec =
  | 'SYMMETRIC_DEFAULT' | 'HMAC_224' | 'HMAC_256' | 'HMAC_384' | 'HMAC_512'
  | 'RSA_2048' | 'RSA_3072' | 'RSA_4096' | 'ECC_NIST_P256' | 'ECC_NIST_P384' | 'ECC_NIST_P521'
  | 'ECC_SECG_P256K1' | 'ECC_NIST_EDWARDS25519' | 'SM2' | 'ML_DSA_44' | 'ML_DSA_65' | 'ML_DSA_87'
export type OriginType = 'AWS_KMS' | 'EXTERNAL' | 'AWS_CLOUDHSM' | 'EXTERNAL_KEY_STORE'
export type EncryptionAlgorithmSpec = 'SYMMETRIC_DEFAULT' | 'RSAES_OAEP_SHA_1' | 'RSAES_OAEP_SHA_256' | 'SM2PKE'
export type DataKeySpec = 'AES_128' | 'AES_256'
export type SigningAlgorithmSpec =
  | 'RSASSA_PSS_SHA_256' | 'RSASSA_PSS_SHA_384' | 'RSASSA_PSS_SHA_512'
  | 'RSASSA_PKCS1_V1_5_SHA_256' | 'RSASSA_PKCS1_V1_5_SHA_384' | 'RSASSA_PKCS1_V1_5_SHA_512'
  | 'ECDSA_SHA_256' | 'ECDSA_SHA_384' | 'ECDSA_SHA_512' | 'SM2DSA' | 'ML_DSA_SHAKE_256' | 'ED25519_SHA_512' | 'ED25519_PH_SHA_512'
export type MacAlgorithmSpec = 'HMAC_SHA_224' | 'HMAC_SHA_256' | 'HMAC_SHA_384' | 'HMAC_SHA_512'
export type KeyAgreementAlgorithmSpec = 'ECDH'
export type MessageType = 'RAW' | 'DIGEST' | 'EXTERNAL_MU'
export type DataKeyPairSpec = 'RSA_2048' | 'RSA_3072' | 'RSA_4096' | 'ECC_NIST_P256' | 'ECC_NIST_P384' | 'ECC_NIST_P521' | 'ECC_SECG_P256K1' | 'SM2' | 'ECC_NIST_EDWARDS25519' | 'ML_KEM_512' | 'ML_KEM_768' | 'ML_KEM_1024'
export type ExpirationModelType = 'KEY_MATERIAL_EXPIRES' | 'KEY_MATERIAL_DOES_NOT_EXPIRE'
export type WrappingKeySpec = 'RSA_2048' | 'RSA_3072' | 'RSA_4096' | 'SM2'
export type AlgorithmSpec = 'RSAES_PKCS1_V1_5' | 'RSAES_OAEP_SHA_1' | 'RSAES_OAEP_SHA_256' | 'RSA_AES_KEY_WRAP_SHA_1' | 'RSA_AES_KEY_WRAP_SHA_256' | 'SM2PKE'
export type ImportType = 'NEW_KEY_MATERIAL' | 'EXISTING_KEY_MATERIAL'
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
  /** ROTATIONS_ONLY (default) or ALL_KEY_MATERIAL (the original material too). */
  IncludeKeyMaterial?: 'ALL_KEY_MATERIAL' | 'ROTATIONS_ONLY'
}
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
  /** Symmetric keys only. */
  KeyMaterialId?: string
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
  /** Symmetric source keys only. */
  SourceKeyMaterialId?: string
  /** Symmetric destination keys only. */
  DestinationKeyMaterialId?: string
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

export interface SignRequest extends WithGrantTokens, WithDryRun {
  KeyId: string
  Message: Uint8Array
  MessageType?: MessageType
  SigningAlgorithm: SigningAlgorithmSpec
}
export interface SignResponse {
  KeyId: string
  /** RSA: the signature; ECDSA: DER-encoded (RFC 3279 §2.2.3), as KMS returns it. */
  Signature: Uint8Array
  SigningAlgorithm: SigningAlgorithmSpec
}
export interface VerifyRequest extends SignRequest {
  Signature: Uint8Array
}
export interface VerifyResponse {
  KeyId: string
  SignatureValid: boolean
  SigningAlgorithm: SigningAlgorithmSpec
}

export interface GenerateMacRequest extends WithGrantTokens, WithDryRun {
  Message: Uint8Array
  KeyId: string
  MacAlgorithm: MacAlgorithmSpec
}
export interface GenerateMacResponse {
  Mac: Uint8Array
  MacAlgorithm: MacAlgorithmSpec
  KeyId: string
}
export interface VerifyMacRequest extends GenerateMacRequest {
  Mac: Uint8Array
}
export interface VerifyMacResponse {
  KeyId: string
  MacValid: boolean
  MacAlgorithm: MacAlgorithmSpec
}

export interface GetPublicKeyRequest extends WithGrantTokens {
  KeyId: string
}
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

export interface DeriveSharedSecretRequest extends WithGrantTokens, WithDryRun {
  KeyId: string
  KeyAgreementAlgorithm: KeyAgreementAlgorithmSpec
  /** The other party's public key, DER SubjectPublicKeyInfo on the key's curve. */
  PublicKey: Uint8Array
}
export interface DeriveSharedSecretResponse {
  KeyId: string
  /** The raw ECDH shared secret Z (the x-coordinate), to feed a KDF. */
  SharedSecret: Uint8Array
  KeyAgreementAlgorithm: KeyAgreementAlgorithmSpec
  KeyOrigin: 'AWS_KMS' | 'EXTERNAL'
}

export interface GenerateDataKeyPairRequest extends WithGrantTokens, WithDryRun {
  KeyId: string
  KeyPairSpec: DataKeyPairSpec
  EncryptionContext?: EncryptionContextType
}
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
export type GenerateDataKeyPairWithoutPlaintextRequest = GenerateDataKeyPairRequest
export type GenerateDataKeyPairWithoutPlaintextResponse = Omit<GenerateDataKeyPairResponse, 'PrivateKeyPlaintext'>

export interface GetParametersForImportRequest {
  KeyId: string
  WrappingAlgorithm: AlgorithmSpec
  WrappingKeySpec: WrappingKeySpec
}
export interface GetParametersForImportResponse {
  KeyId: string
  ImportToken: Uint8Array
  /** DER SubjectPublicKeyInfo of the RSA wrapping key. */
  PublicKey: Uint8Array
  ParametersValidTo: Date
}
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
export interface ImportKeyMaterialResponse {
  KeyId: string
  KeyMaterialId: string
}
export interface DeleteImportedKeyMaterialRequest {
  KeyId: string
  KeyMaterialId?: string
}
export interface DeleteImportedKeyMaterialResponse {
  KeyId: string
  KeyMaterialId: string
}
