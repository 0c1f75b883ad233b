/**
 * Errors raised by the KMS engine.
 *
 * Every error is a class whose `name` is the exception name AWS KMS uses (so code written
 * against `@aws-sdk/client-kms` can `switch (err.name)`), and which carries a stable `code`
 * (`ERR_KMS_<CONDITION>`) on both the class and the instance, as panva/jose does.
 * `$fault` mirrors the AWS SDK's client/server split.
 */
import { CodedError } from '../codedError.js'

/** Every KMS error code, so `switch (e.code)` on a KmsError narrows. */
export type KmsErrorCode = 'ERR_KMS' | 'ERR_KMS_NOT_FOUND' | 'ERR_KMS_DISABLED' | 'ERR_KMS_INVALID_STATE' | 'ERR_KMS_INVALID_CIPHERTEXT' | 'ERR_KMS_INCORRECT_KEY' | 'ERR_KMS_ACCESS_DENIED' | 'ERR_KMS_MALFORMED_POLICY_DOCUMENT' | 'ERR_KMS_INVALID_GRANT_TOKEN' | 'ERR_KMS_INVALID_GRANT_ID' | 'ERR_KMS_VALIDATION' | 'ERR_KMS_LIMIT_EXCEEDED' | 'ERR_KMS_ALREADY_EXISTS' | 'ERR_KMS_UNSUPPORTED_OPERATION' | 'ERR_KMS_INVALID_ALIAS_NAME' | 'ERR_KMS_INVALID_ARN' | 'ERR_KMS_INVALID_MARKER' | 'ERR_KMS_INVALID_KEY_USAGE' | 'ERR_KMS_TAG' | 'ERR_KMS_DRY_RUN' | 'ERR_KMS_INVALID_SIGNATURE' | 'ERR_KMS_INVALID_MAC' | 'ERR_KMS_INCORRECT_KEY_MATERIAL' | 'ERR_KMS_INVALID_IMPORT_TOKEN' | 'ERR_KMS_EXPIRED_IMPORT_TOKEN' | 'ERR_KMS_INTERNAL'

export class KmsError extends CodedError {
  static override code: KmsErrorCode = 'ERR_KMS'
  declare readonly code: KmsErrorCode
  static override errorName = 'KmsError'
  $fault: 'client' | 'server' = 'client'
}

/** The key, alias or grant does not exist (or the key ID is malformed). */
export class NotFoundException extends KmsError {
  static override code = 'ERR_KMS_NOT_FOUND' as const
  declare readonly code: 'ERR_KMS_NOT_FOUND'
  static override errorName = 'NotFoundException'
}
/** The key is disabled. */
export class DisabledException extends KmsError {
  static override code = 'ERR_KMS_DISABLED' as const
  declare readonly code: 'ERR_KMS_DISABLED'
  static override errorName = 'DisabledException'
}
/** The key's state does not allow the operation (see the key-state table). */
export class KMSInvalidStateException extends KmsError {
  static override code = 'ERR_KMS_INVALID_STATE' as const
  declare readonly code: 'ERR_KMS_INVALID_STATE'
  static override errorName = 'KMSInvalidStateException'
}
/**
 * The ciphertext could not be decrypted: malformed, tampered with, or a different encryption
 * context. Deliberately one opaque error whatever the cause.
 */
export class InvalidCiphertextException extends KmsError {
  static override code = 'ERR_KMS_INVALID_CIPHERTEXT' as const
  declare readonly code: 'ERR_KMS_INVALID_CIPHERTEXT'
  static override errorName = 'InvalidCiphertextException'
}
/** The `KeyId` given to Decrypt/ReEncrypt is not the key that encrypted the ciphertext. */
export class IncorrectKeyException extends KmsError {
  static override code = 'ERR_KMS_INCORRECT_KEY' as const
  declare readonly code: 'ERR_KMS_INCORRECT_KEY'
  static override errorName = 'IncorrectKeyException'
}
export class AccessDeniedException extends KmsError {
  static override code = 'ERR_KMS_ACCESS_DENIED' as const
  declare readonly code: 'ERR_KMS_ACCESS_DENIED'
  static override errorName = 'AccessDeniedException'
}
/** The policy is not valid JSON or not a valid policy (the message says where and why). */
export class MalformedPolicyDocumentException extends KmsError {
  static override code = 'ERR_KMS_MALFORMED_POLICY_DOCUMENT' as const
  declare readonly code: 'ERR_KMS_MALFORMED_POLICY_DOCUMENT'
  static override errorName = 'MalformedPolicyDocumentException'
}
/** A grant token is malformed, or names no grant. */
export class InvalidGrantTokenException extends KmsError {
  static override code = 'ERR_KMS_INVALID_GRANT_TOKEN' as const
  declare readonly code: 'ERR_KMS_INVALID_GRANT_TOKEN'
  static override errorName = 'InvalidGrantTokenException'
}
/** A grant ID is malformed, or names no grant of the key. */
export class InvalidGrantIdException extends KmsError {
  static override code = 'ERR_KMS_INVALID_GRANT_ID' as const
  declare readonly code: 'ERR_KMS_INVALID_GRANT_ID'
  static override errorName = 'InvalidGrantIdException'
}
/** Input failed a constraint (type, length, range, pattern, combination of fields). */
export class ValidationException extends KmsError {
  static override code = 'ERR_KMS_VALIDATION' as const
  declare readonly code: 'ERR_KMS_VALIDATION'
  static override errorName = 'ValidationException'
}
export class LimitExceededException extends KmsError {
  static override code = 'ERR_KMS_LIMIT_EXCEEDED' as const
  declare readonly code: 'ERR_KMS_LIMIT_EXCEEDED'
  static override errorName = 'LimitExceededException'
}
export class AlreadyExistsException extends KmsError {
  static override code = 'ERR_KMS_ALREADY_EXISTS' as const
  declare readonly code: 'ERR_KMS_ALREADY_EXISTS'
  static override errorName = 'AlreadyExistsException'
}
/** A valid request this engine does not support (asymmetric keys, custom key stores, ...). */
export class UnsupportedOperationException extends KmsError {
  static override code = 'ERR_KMS_UNSUPPORTED_OPERATION' as const
  declare readonly code: 'ERR_KMS_UNSUPPORTED_OPERATION'
  static override errorName = 'UnsupportedOperationException'
}
export class InvalidAliasNameException extends KmsError {
  static override code = 'ERR_KMS_INVALID_ALIAS_NAME' as const
  declare readonly code: 'ERR_KMS_INVALID_ALIAS_NAME'
  static override errorName = 'InvalidAliasNameException'
}
export class InvalidArnException extends KmsError {
  static override code = 'ERR_KMS_INVALID_ARN' as const
  declare readonly code: 'ERR_KMS_INVALID_ARN'
  static override errorName = 'InvalidArnException'
}
export class InvalidMarkerException extends KmsError {
  static override code = 'ERR_KMS_INVALID_MARKER' as const
  declare readonly code: 'ERR_KMS_INVALID_MARKER'
  static override errorName = 'InvalidMarkerException'
}
export class InvalidKeyUsageException extends KmsError {
  static override code = 'ERR_KMS_INVALID_KEY_USAGE' as const
  declare readonly code: 'ERR_KMS_INVALID_KEY_USAGE'
  static override errorName = 'InvalidKeyUsageException'
}
export class TagException extends KmsError {
  static override code = 'ERR_KMS_TAG' as const
  declare readonly code: 'ERR_KMS_TAG'
  static override errorName = 'TagException'
}
/** A request with `DryRun: true` would have succeeded. */
export class DryRunOperationException extends KmsError {
  static override code = 'ERR_KMS_DRY_RUN' as const
  declare readonly code: 'ERR_KMS_DRY_RUN'
  static override errorName = 'DryRunOperationException'
}
/** Verify: the signature is not valid for the message, key and algorithm. */
export class KMSInvalidSignatureException extends KmsError {
  static override code = 'ERR_KMS_INVALID_SIGNATURE' as const
  declare readonly code: 'ERR_KMS_INVALID_SIGNATURE'
  static override errorName = 'KMSInvalidSignatureException'
}
/** VerifyMac: the MAC is not valid for the message, key and algorithm. */
export class KMSInvalidMacException extends KmsError {
  static override code = 'ERR_KMS_INVALID_MAC' as const
  declare readonly code: 'ERR_KMS_INVALID_MAC'
  static override errorName = 'KMSInvalidMacException'
}
/** ImportKeyMaterial: the key had other material; only the same material may be imported again. */
export class IncorrectKeyMaterialException extends KmsError {
  static override code = 'ERR_KMS_INCORRECT_KEY_MATERIAL' as const
  declare readonly code: 'ERR_KMS_INCORRECT_KEY_MATERIAL'
  static override errorName = 'IncorrectKeyMaterialException'
}
/** ImportKeyMaterial: the import token is malformed, used, or was issued for another key. */
export class InvalidImportTokenException extends KmsError {
  static override code = 'ERR_KMS_INVALID_IMPORT_TOKEN' as const
  declare readonly code: 'ERR_KMS_INVALID_IMPORT_TOKEN'
  static override errorName = 'InvalidImportTokenException'
}
/** ImportKeyMaterial: the import token (and its wrapping key) is past its ParametersValidTo. */
export class ExpiredImportTokenException extends KmsError {
  static override code = 'ERR_KMS_EXPIRED_IMPORT_TOKEN' as const
  declare readonly code: 'ERR_KMS_EXPIRED_IMPORT_TOKEN'
  static override errorName = 'ExpiredImportTokenException'
}
/** Something failed inside the engine or its store; never caused by the caller's input. */
export class KMSInternalException extends KmsError {
  static override code = 'ERR_KMS_INTERNAL' as const
  declare readonly code: 'ERR_KMS_INTERNAL'
  static override errorName = 'KMSInternalException'
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
  MalformedPolicyDocumentException,
  InvalidGrantTokenException,
  InvalidGrantIdException,
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
  KMSInvalidSignatureException,
  KMSInvalidMacException,
  IncorrectKeyMaterialException,
  InvalidImportTokenException,
  ExpiredImportTokenException,
  KMSInternalException,
} as const
