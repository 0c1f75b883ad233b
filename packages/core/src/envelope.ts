/**
 * `@webkms/core/envelope`: the envelope SDK alone. Messages in the AWS Encryption SDK message
 * format (https://github.com/awslabs/aws-encryption-sdk-specification), one-shot or as WHATWG
 * streams; keyrings (KMS, raw AES, raw RSA, multi), materials managers and the envelope errors.
 * Nothing of the KMS engine: a `KmsKeyring` works with any client that has the
 * `@aws-sdk/client-kms` shapes.
 *
 * @example
 * ```ts
 * import { buildClient, RawAesKeyring } from '@webkms/core/envelope'
 *
 * const { encrypt, decrypt } = buildClient()
 * const keyring = new RawAesKeyring({
 *   keyNamespace: 'app',
 *   keyName: 'aes-256',
 *   wrappingKey: crypto.getRandomValues(new Uint8Array(32)),
 * })
 * const { result } = await encrypt(keyring, 'hello', { encryptionContext: { purpose: 'demo' } })
 * const { plaintext } = await decrypt(keyring, result)
 * ```
 *
 * @module
 */
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
export { CachingMaterialsManager, type CachingMaterialsManagerOptions } from './envelope/materials/CachingMaterialsManager.js'
export { RawAesKeyring, type RawAesKeyringOptions } from './envelope/keyrings/RawAesKeyring.js'
export { RawRsaKeyring, type OaepHash, type RawRsaKeyringOptions } from './envelope/keyrings/RawRsaKeyring.js'
export { MultiKeyring, type MultiKeyringOptions } from './envelope/keyrings/MultiKeyring.js'
export { KmsKeyring, AWS_KMS_PROVIDER_ID, WEBKMS_PROVIDER_ID, type KmsCommands, type KmsKeyringOptions } from './envelope/keyrings/KmsKeyring.js'
