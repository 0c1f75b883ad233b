/**
 * @webkms/core: a KMS engine with the semantics of AWS KMS, on WebCrypto only.
 */
export { createKms, operationNames, type Kms, type KmsOperations, type KmsOptions, type OperationName } from './kms/createKms.js'
export { operationTable, type OperationDescription } from './kms/operations/index.js'
export type { Member, Schema } from './kms/request/schema.js'
export type * from './kms/types.js'
export type { IdentityPolicyRequest, PutIdentityPolicyRequest, GetIdentityPoliciesResponse } from './kms/operations/identityPolicies.js'
export type { AuditPublicKeyEntry, ExportAuditLogRequest, GetAuditPublicKeysResponse, RotateAuditSigningKeyResponse } from './kms/operations/auditLog.js'
export * from './kms/errors.js'
export { CodedError } from './codedError.js'
export type { KeyStore, KeyStoreTransaction, TransactionMode } from './keystore/KeyStore.js'
export type { AliasRecord, AuditRecord, ExpirationModel, GrantRecord, IdentityPolicyRecord, ImportRecord, KeyOrigin, KeyRecord, KeyState, KeyVersionRecord, RotationRecord, TagRecord } from './keystore/records.js'
export { MemoryKeyStore } from './keystore/MemoryKeyStore.js'
export { MAX_ENCRYPT_PLAINTEXT, MAX_CIPHERTEXT_BLOB } from './kms/operations/cryptography.js'
export { MAX_ON_DEMAND_ROTATIONS } from './kms/operations/rotation.js'
export { MAX_ALIASES_PER_KEY } from './kms/operations/aliases.js'
export { MAX_TAGS_PER_KEY } from './kms/operations/tags.js'

// The envelope SDK: messages in the AWS Encryption SDK message format.
export { buildClient, type EnvelopeClient } from './envelope/client.js'
export type { MessageStream } from './envelope/stream.js'
export {
  DEFAULT_FRAME_LENGTH,
  DEFAULT_MAX_HEADER_LENGTH,
  type ClientOptions,
  type DecryptOptions,
  type DecryptStreamOptions,
  type EncryptOptions,
  type EncryptStreamOptions,
  type ProgressCallback,
} from './envelope/options.js'
export type { RandomSource } from './envelope/random.js'
export { algorithmSuites, CommitmentPolicy, type AlgorithmSuite, type SuiteId } from './envelope/suites.js'
export { DecryptionError, EnvelopeError, KeyringError, type EnvelopeErrorCode } from './envelope/errors.js'
export type { EncryptedDataKey, MessageHeader } from './envelope/format/header.js'
export type { DecryptionMaterials, DecryptionRequest, EncryptionMaterials, EncryptionRequest, Keyring, MaterialsManager } from './envelope/materials/types.js'
export { DefaultMaterialsManager } from './envelope/materials/DefaultMaterialsManager.js'
export { RequiredEncryptionContextMaterialsManager, type RequiredEncryptionContextOptions } from './envelope/materials/RequiredEncryptionContextMaterialsManager.js'
export { RawAesKeyring, type RawAesKeyringOptions } from './envelope/keyrings/RawAesKeyring.js'
export { RawRsaKeyring, type OaepHash, type RawRsaKeyringOptions } from './envelope/keyrings/RawRsaKeyring.js'
export { MultiKeyring, type MultiKeyringOptions } from './envelope/keyrings/MultiKeyring.js'
export { KmsKeyring, AWS_KMS_PROVIDER_ID, WEBKMS_PROVIDER_ID, type KmsCommands, type KmsKeyringOptions } from './envelope/keyrings/KmsKeyring.js'
export { WEBKMS_ENGINE } from './engineMarker.js'
export { CachingMaterialsManager, type CachingMaterialsManagerOptions } from './envelope/materials/CachingMaterialsManager.js'
export { assertWebCrypto, InsecureContextError } from './platform.js'
export { cloneRecord } from './keystore/cloneRecord.js'
export { verifyAuditLog, type AuditPeriod, type AuditVerification, type VerifyAuditLogOptions } from './kms/audit/verify.js'
export { canonicalJson, type AuditCheckpoint } from './kms/audit/chain.js'
export type { AuditPublicKey, AuditRetention, ExportedAuditLog } from './kms/audit/trail.js'
export { resolveCaller, type Caller } from './kms/caller.js'
export type { ExplainRequest, Explanation } from './kms/explain.js'
export type { Finding, FindingType, FindingsOptions } from './kms/findings.js'
export type { DecidedBy } from './kms/policy/evaluate.js'
export { defaultKeyPolicy, MAX_KEY_POLICY_BYTES } from './kms/policy/document.js'
export { MAX_GRANTS_PER_KEY } from './kms/operations/grants.js'
export { MAX_SIGNED_MESSAGE } from './kms/operations/asymmetric.js'
export { MAX_MAC_MESSAGE } from './kms/operations/mac.js'
export { IMPORT_PARAMETERS_HOURS, MAX_VALID_TO_DAYS } from './kms/operations/importKeyMaterial.js'
export { restoreRecoveryBundle, RecoveryError, RECOVERY_BUNDLE_FORMAT, type RecoveryBundle, type RestoreOptions, type RestoreResult } from './kms/recovery/bundle.js'
export type { RecoveryOptions } from './kms/recovery/recoveryKey.js'
export { SPECS as keySpecs, UNSUPPORTED_SPECS as unsupportedKeySpecs, type SpecInfo } from './kms/keySpecs.js'
