/**
 * `@webkms/core/errors`: every error class webkms's core raises, and their code types, and
 * nothing else. A page that only needs to recognise errors (`instanceof`, `switch (e.code)`)
 * imports this and none of the engine.
 *
 * - {@link KmsError} and its subclasses: the engine's errors, named as AWS KMS names its
 *   exceptions (`NotFoundException`, ...), with codes `ERR_KMS_*` ({@link KmsErrorCode}).
 * - {@link EnvelopeError}, {@link DecryptionError}, {@link KeyringError}: the envelope SDK's.
 * - {@link RecoveryError}: `restoreRecoveryBundle`'s.
 * - {@link InsecureContextError}: no WebCrypto here.
 * - {@link CodedError}: the base of them all.
 *
 * @example
 * ```ts
 * import { DecryptionError, KmsError, type KmsErrorCode } from '@webkms/core/errors'
 *
 * function describe(e: unknown): string {
 *   if (e instanceof DecryptionError) return 'the message did not decrypt'
 *   if (e instanceof KmsError) {
 *     const code: KmsErrorCode = e.code
 *     return `${e.name} (${code})`
 *   }
 *   return String(e)
 * }
 * ```
 *
 * @module
 */
export { CodedError } from './codedError.js'
export * from './kms/errors.js'
export { DecryptionError, EnvelopeError, KeyringError, type EnvelopeErrorCode } from './envelope/errors.js'
export { RecoveryError } from './kms/recovery/errors.js'
export { InsecureContextError } from './platform.js'
