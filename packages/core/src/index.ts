/**
 * @webkms/core: a KMS engine with the semantics of AWS KMS, on WebCrypto only.
 */
export { createKms, operationNames, type Kms, type KmsOptions, type OperationName } from './kms/createKms.js'
export type * from './kms/types.js'
export * from './errors.js'
export type { KeyStore, KeyStoreTransaction, TransactionMode } from './keystore/KeyStore.js'
export type { AliasRecord, KeyRecord, KeyState, KeyVersionRecord, RotationRecord, TagRecord } from './keystore/records.js'
export { MemoryKeyStore } from './keystore/MemoryKeyStore.js'
export { encodeEncryptionContext } from './format/encryptionContext.js'
export { MAX_ENCRYPT_PLAINTEXT, MAX_CIPHERTEXT_BLOB } from './kms/operations/cryptography.js'
export { MAX_ON_DEMAND_ROTATIONS } from './kms/operations/rotation.js'
export { MAX_ALIASES_PER_KEY } from './kms/operations/aliases.js'
export { MAX_TAGS_PER_KEY } from './kms/operations/tags.js'
