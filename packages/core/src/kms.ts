/**
 * `@webkms/core/kms`: the KMS engine alone. `createKms` and the shapes of its operations (those
 * of the matching `@aws-sdk/client-kms` commands), its errors, the `KeyStore` it runs on, the
 * audit trail's verifier, recovery, and AWS's limits as constants. Nothing of the envelope SDK.
 *
 * @example
 * ```ts
 * import { createKms, NotFoundException } from '@webkms/core/kms'
 *
 * const kms = createKms()
 * const { KeyMetadata } = await kms.createKey({ Description: 'orders' })
 * try {
 *   await kms.describeKey({ KeyId: 'alias/missing' })
 * } catch (e) {
 *   if (e instanceof NotFoundException) console.log(e.code) // ERR_KMS_NOT_FOUND
 * }
 * ```
 *
 * @module
 */
export { createKms, operationNames, type Kms, type KmsOperations, type KmsOptions, type OperationName } from './kms/createKms.js'
export type { OtherAccounts } from './kms/otherAccounts.js'
export type * from './kms/types.js'
export type { IdentityPolicyRequest, PutIdentityPolicyRequest, GetIdentityPoliciesResponse } from './kms/operations/identityPolicies.js'
export type { AuditPublicKeyEntry, ExportAuditLogRequest, GetAuditPublicKeysResponse, RotateAuditSigningKeyResponse } from './kms/operations/auditLog.js'
export * from './kms/errors.js'
export type { KeyStore, KeyStoreTransaction, TransactionMode, TransactionOptions } from './keystore/KeyStore.js'
export type { AliasRecord, AuditRecord, ExpirationModel, GrantRecord, IdentityPolicyRecord, ImportRecord, KeyOrigin, KeyRecord, KeyState, KeyVersionRecord, RotationRecord, TagRecord } from './keystore/records.js'
export { MemoryKeyStore } from './keystore/MemoryKeyStore.js'
export { MAX_ENCRYPT_PLAINTEXT, MAX_CIPHERTEXT_BLOB } from './kms/operations/cryptography.js'
export { MAX_ON_DEMAND_ROTATIONS } from './kms/operations/rotation.js'
export { MAX_ALIASES_PER_KEY } from './kms/operations/aliases.js'
export { MAX_TAGS_PER_KEY } from './kms/operations/common.js'
export { verifyAuditLog, type AuditPeriod, type AuditVerification, type VerifyAuditLogOptions } from './kms/audit/verify.js'
export type { AuditCheckpoint } from './kms/audit/chain.js'
export type { AuditPublicKey, AuditRetention, ExportedAuditLog } from './kms/audit/layout.js'
export type { Caller } from './kms/caller.js'
export type { ExplainRequest, Explanation } from './kms/explain.js'
export type { Finding, FindingType, FindingsOptions } from './kms/findings.js'
export type { DecidedBy } from './kms/policy/evaluate.js'
export { defaultKeyPolicy } from './kms/policy/defaultPolicy.js'
export { MAX_KEY_POLICY_BYTES } from './kms/policy/limits.js'
export { MAX_GRANTS_PER_KEY } from './kms/operations/grants.js'
export { MAX_SIGNED_MESSAGE } from './kms/operations/asymmetric.js'
export { MAX_MAC_MESSAGE } from './kms/operations/mac.js'
export { IMPORT_PARAMETERS_HOURS, MAX_VALID_TO_DAYS } from './kms/operations/importKeyMaterial.js'
export { restoreRecoveryBundle, RECOVERY_BUNDLE_FORMAT, type RecoveryBundle, type RestoreOptions, type RestoreResult } from './kms/recovery/bundle.js'
export { RecoveryError } from './kms/recovery/errors.js'
export type { RecoveryOptions } from './kms/recovery/option.js'
export { SPECS as keySpecs, UNSUPPORTED_SPECS as unsupportedKeySpecs, type SpecInfo } from './kms/keySpecs.js'
