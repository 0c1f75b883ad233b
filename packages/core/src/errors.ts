/**
 * Errors raised by the KMS engine.
 *
 * Every error is a class whose `name` is the exception name AWS KMS uses (so code written
 * against `@aws-sdk/client-kms` can `switch (err.name)`), and which carries a stable `code`
 * (`ERR_KMS_<CONDITION>`) on both the class and the instance, as panva/jose does.
 * `$fault` mirrors the AWS SDK's client/server split.
 */
export class KmsError extends Error {
  static code = 'ERR_KMS'
  code: string
  $fault: 'client' | 'server' = 'client'

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.name = new.target.name
    this.code = (new.target as typeof KmsError).code
  }
}

/** The key, alias or grant does not exist (or the key ID is malformed). */
export class NotFoundException extends KmsError {
  static override code = 'ERR_KMS_NOT_FOUND'
}
/** The key is disabled. */
export class DisabledException extends KmsError {
  static override code = 'ERR_KMS_DISABLED'
}
/** The key's state does not allow the operation (see the key-state table). */
export class KMSInvalidStateException extends KmsError {
  static override code = 'ERR_KMS_INVALID_STATE'
}
/**
 * The ciphertext could not be decrypted: malformed, tampered with, or a different encryption
 * context. Deliberately one opaque error whatever the cause.
 */
export class InvalidCiphertextException extends KmsError {
  static override code = 'ERR_KMS_INVALID_CIPHERTEXT'
}
/** The `KeyId` given to Decrypt/ReEncrypt is not the key that encrypted the ciphertext. */
export class IncorrectKeyException extends KmsError {
  static override code = 'ERR_KMS_INCORRECT_KEY'
}
export class AccessDeniedException extends KmsError {
  static override code = 'ERR_KMS_ACCESS_DENIED'
}
/** Input failed a constraint (type, length, range, pattern, combination of fields). */
export class ValidationException extends KmsError {
  static override code = 'ERR_KMS_VALIDATION'
}
export class LimitExceededException extends KmsError {
  static override code = 'ERR_KMS_LIMIT_EXCEEDED'
}
export class AlreadyExistsException extends KmsError {
  static override code = 'ERR_KMS_ALREADY_EXISTS'
}
/** A valid request this engine does not support (asymmetric keys, custom key stores, ...). */
export class UnsupportedOperationException extends KmsError {
  static override code = 'ERR_KMS_UNSUPPORTED_OPERATION'
}
export class InvalidAliasNameException extends KmsError {
  static override code = 'ERR_KMS_INVALID_ALIAS_NAME'
}
export class InvalidArnException extends KmsError {
  static override code = 'ERR_KMS_INVALID_ARN'
}
export class InvalidMarkerException extends KmsError {
  static override code = 'ERR_KMS_INVALID_MARKER'
}
export class InvalidKeyUsageException extends KmsError {
  static override code = 'ERR_KMS_INVALID_KEY_USAGE'
}
export class TagException extends KmsError {
  static override code = 'ERR_KMS_TAG'
}
/** A request with `DryRun: true` would have succeeded. */
export class DryRunOperationException extends KmsError {
  static override code = 'ERR_KMS_DRY_RUN'
}
/** Something failed inside the engine or its store; never caused by the caller's input. */
export class KMSInternalException extends KmsError {
  static override code = 'ERR_KMS_INTERNAL'
  override $fault: 'client' | 'server' = 'server'
}

/** Every error class by its AWS exception name (used to rebuild errors across boundaries). */
export const kmsErrorClasses = {
  KmsError,
  NotFoundException,
  DisabledException,
  KMSInvalidStateException,
  InvalidCiphertextException,
  IncorrectKeyException,
  AccessDeniedException,
  ValidationException,
  LimitExceededException,
  AlreadyExistsException,
  UnsupportedOperationException,
  InvalidAliasNameException,
  InvalidArnException,
  InvalidMarkerException,
  InvalidKeyUsageException,
  TagException,
  DryRunOperationException,
  KMSInternalException,
} as const
