/**
 * `@webkms/core`: a KMS engine with the semantics of AWS KMS, and an envelope SDK whose
 * messages are byte-compatible with the AWS Encryption SDK, on WebCrypto only.
 *
 * Everything public is exported here. The same exports, in parts, for code that wants less:
 * `@webkms/core/kms` (the engine: `createKms`, its request and response types, its errors, the
 * `KeyStore` interface), `@webkms/core/envelope` (`buildClient`, keyrings, materials managers,
 * envelope errors) and `@webkms/core/errors` (every error class and code type alone).
 *
 * @example
 * ```ts
 * import { buildClient, createKms, KmsKeyring } from '@webkms/core'
 *
 * const kms = createKms() // in-memory key store, system clock
 * const { KeyMetadata } = await kms.createKey({ Description: 'orders' })
 * const keyring = new KmsKeyring({ client: kms, generatorKeyId: KeyMetadata.KeyId })
 * const { result } = await buildClient().encrypt(keyring, 'hello', { encryptionContext: { orderId: '42' } })
 * ```
 *
 * @module @webkms/core
 */
export * from './kms.js'
export * from './envelope.js'
export * from './errors.js'
export { assertWebCrypto } from './platform.js'
