/**
 * Errors raised by the KMS engine.
 *
 * Every error is a class whose `name` is the exception name AWS KMS uses (so code written
 * against `@aws-sdk/client-kms` can `switch (err.name)`), and which carries a stable `code`
 * (`ERR_KMS_<CONDITION>`) on both the class and the instance, as panva/jose does.
 * `$fault` mirrors the AWS SDK's client/server split.
 */
import { CodedError } from '../codedError.js'

/**
 * Every KMS error code, so `switch (e.code)` on a KmsError narrows.
 *
 * @example
 * ```ts
 * import { KmsError, type KmsErrorCode } from '@webkms/core'
 *
 * function retryable(e: KmsError): boolean {
 *   const code: KmsErrorCode = e.code
 *   return code === 'ERR_KMS_INTERNAL'
 * }
 * ```
 */
export type KmsErrorCode = 'ERR_KMS' | 'ERR_KMS_NOT_FOUND' | 'ERR_KMS_DISABLED' | 'ERR_KMS_INVALID_STATE' | 'ERR_KMS_INVALID_CIPHERTEXT' | 'ERR_KMS_INCORRECT_KEY' | 'ERR_KMS_ACCESS_DENIED' | 'ERR_KMS_MALFORMED_POLICY_DOCUMENT' | 'ERR_KMS_INVALID_GRANT_TOKEN' | 'ERR_KMS_INVALID_GRANT_ID' | 'ERR_KMS_VALIDATION' | 'ERR_KMS_LIMIT_EXCEEDED' | 'ERR_KMS_ALREADY_EXISTS' | 'ERR_KMS_UNSUPPORTED_OPERATION' | 'ERR_KMS_INVALID_ALIAS_NAME' | 'ERR_KMS_INVALID_ARN' | 'ERR_KMS_INVALID_MARKER' | 'ERR_KMS_INVALID_KEY_USAGE' | 'ERR_KMS_TAG' | 'ERR_KMS_DRY_RUN' | 'ERR_KMS_INVALID_SIGNATURE' | 'ERR_KMS_INVALID_MAC' | 'ERR_KMS_INCORRECT_KEY_MATERIAL' | 'ERR_KMS_INVALID_IMPORT_TOKEN' | 'ERR_KMS_EXPIRED_IMPORT_TOKEN' | 'ERR_KMS_INTERNAL'

/**
 * The base of every error the engine raises (code `ERR_KMS`): catch it to tell the engine's
 * refusals from anything else. Never thrown itself. `name` is the AWS exception name, `code` the
 * stable webkms code, `$fault` `client` (the request's fault) or `server` (`KMSInternalException`).
 *
 * @see the Errors section of each operation in the AWS KMS API reference,
 * https://docs.aws.amazon.com/kms/latest/APIReference/API_Operations.html
 *
 * @example
 * ```ts
 * import { createKms, KmsError } from '@webkms/core'
 *
 * const kms = createKms()
 * try {
 *   await kms.encrypt({ KeyId: 'alias/missing', Plaintext: new Uint8Array(1) })
 * } catch (e) {
 *   if (e instanceof KmsError) console.log(e.name, e.code, e.$fault) // NotFoundException ERR_KMS_NOT_FOUND client
 * }
 * ```
 */
export class KmsError extends CodedError {
  static override code: KmsErrorCode = 'ERR_KMS'
  declare readonly code: KmsErrorCode
  static override errorName = 'KmsError'
  $fault: 'client' | 'server' = 'client'
}

/**
 * The key, alias, grant or identity policy a request names does not exist (any more: a key
 * past its deletion date is gone), or a `KeyId` is not a key ID, key ARN, alias name or alias ARN
 * at all. Code `ERR_KMS_NOT_FOUND`. Decrypt reports a ciphertext whose key is gone as
 * `InvalidCiphertextException` instead, as AWS does.
 *
 * @see the Errors section of each operation in the AWS KMS API reference,
 * https://docs.aws.amazon.com/kms/latest/APIReference/API_Operations.html
 *
 * @example
 * ```ts
 * import { createKms, NotFoundException } from '@webkms/core'
 *
 * const kms = createKms()
 * const exists = await kms.describeKey({ KeyId: 'alias/orders' }).then(() => true, (e) => {
 *   if (e instanceof NotFoundException) return false
 *   throw e
 * })
 * ```
 */
export class NotFoundException extends KmsError {
  static override code = 'ERR_KMS_NOT_FOUND' as const
  declare readonly code: 'ERR_KMS_NOT_FOUND'
  static override errorName = 'NotFoundException'
}
/**
 * The key is Disabled (DisableKey, or CancelKeyDeletion, which leaves a key Disabled) and the
 * operation needs an enabled key: cryptographic operations, GenerateDataKey, ... (AWS's key state
 * table: https://docs.aws.amazon.com/kms/latest/developerguide/key-state.html). Code
 * `ERR_KMS_DISABLED`.
 *
 * @see the Errors section of each operation in the AWS KMS API reference,
 * https://docs.aws.amazon.com/kms/latest/APIReference/API_Operations.html
 *
 * @example
 * ```ts
 * import { createKms, DisabledException } from '@webkms/core'
 *
 * const kms = createKms()
 * const { KeyMetadata } = await kms.createKey({})
 * await kms.disableKey({ KeyId: KeyMetadata.KeyId })
 * await kms.encrypt({ KeyId: KeyMetadata.KeyId, Plaintext: new Uint8Array(1) }).catch((e) => {
 *   if (e instanceof DisabledException) console.log('enable the key first')
 * })
 * ```
 */
export class DisabledException extends KmsError {
  static override code = 'ERR_KMS_DISABLED' as const
  declare readonly code: 'ERR_KMS_DISABLED'
  static override errorName = 'DisabledException'
}
/**
 * The key's state does not allow the operation (AWS's key state table:
 * https://docs.aws.amazon.com/kms/latest/developerguide/key-state.html): the key is
 * PendingDeletion, or PendingImport (no key material yet, or it expired or was deleted), or
 * CancelKeyDeletion named a key that is not pending deletion. Code `ERR_KMS_INVALID_STATE`.
 *
 * @see the Errors section of each operation in the AWS KMS API reference,
 * https://docs.aws.amazon.com/kms/latest/APIReference/API_Operations.html
 *
 * @example
 * ```ts
 * import { createKms, KMSInvalidStateException } from '@webkms/core'
 *
 * const kms = createKms()
 * const { KeyMetadata } = await kms.createKey({})
 * await kms.scheduleKeyDeletion({ KeyId: KeyMetadata.KeyId, PendingWindowInDays: 7 })
 * await kms.encrypt({ KeyId: KeyMetadata.KeyId, Plaintext: new Uint8Array(1) }).catch((e) => {
 *   if (e instanceof KMSInvalidStateException) console.log('pending deletion: cancel it to use the key')
 * })
 * ```
 */
export class KMSInvalidStateException extends KmsError {
  static override code = 'ERR_KMS_INVALID_STATE' as const
  declare readonly code: 'ERR_KMS_INVALID_STATE'
  static override errorName = 'KMSInvalidStateException'
}
/**
 * The ciphertext could not be decrypted (Decrypt, ReEncrypt): malformed, tampered with, made under
 * a different encryption context, or its key is gone. Deliberately one opaque error whatever the
 * cause: which check failed is not an attacker's business. ImportKeyMaterial raises it too for
 * key material that does not unwrap with the import's wrapping key. Code
 * `ERR_KMS_INVALID_CIPHERTEXT`.
 *
 * @see the Errors section of each operation in the AWS KMS API reference,
 * https://docs.aws.amazon.com/kms/latest/APIReference/API_Operations.html
 *
 * @example
 * ```ts
 * import { createKms, InvalidCiphertextException } from '@webkms/core'
 *
 * const kms = createKms()
 * const { KeyMetadata } = await kms.createKey({})
 * const { CiphertextBlob } = await kms.encrypt({ KeyId: KeyMetadata.KeyId, Plaintext: new Uint8Array([1]), EncryptionContext: { user: 'ada' } })
 * await kms.decrypt({ CiphertextBlob, EncryptionContext: { user: 'bob' } }).catch((e) => {
 *   if (e instanceof InvalidCiphertextException) console.log('wrong context, or not our ciphertext')
 * })
 * ```
 */
export class InvalidCiphertextException extends KmsError {
  static override code = 'ERR_KMS_INVALID_CIPHERTEXT' as const
  declare readonly code: 'ERR_KMS_INVALID_CIPHERTEXT'
  static override errorName = 'InvalidCiphertextException'
}
/**
 * The `KeyId` given to Decrypt (or `SourceKeyId` to ReEncrypt) is not the key that encrypted
 * the ciphertext. Code `ERR_KMS_INCORRECT_KEY`.
 *
 * @see the Errors section of each operation in the AWS KMS API reference,
 * https://docs.aws.amazon.com/kms/latest/APIReference/API_Operations.html
 *
 * @example
 * ```ts
 * import { createKms, IncorrectKeyException } from '@webkms/core'
 *
 * const kms = createKms()
 * const a = (await kms.createKey({})).KeyMetadata.KeyId
 * const b = (await kms.createKey({})).KeyMetadata.KeyId
 * const { CiphertextBlob } = await kms.encrypt({ KeyId: a, Plaintext: new Uint8Array([1]) })
 * await kms.decrypt({ CiphertextBlob, KeyId: b }).catch((e) => {
 *   if (e instanceof IncorrectKeyException) console.log('encrypted under another key')
 * })
 * ```
 */
export class IncorrectKeyException extends KmsError {
  static override code = 'ERR_KMS_INCORRECT_KEY' as const
  declare readonly code: 'ERR_KMS_INCORRECT_KEY'
  static override errorName = 'IncorrectKeyException'
}
/**
 * The caller is not allowed the operation: no key policy statement, identity policy or grant
 * allows it, or one denies it explicitly (AWS's evaluation: implicit deny < allow < explicit
 * deny), or a grant would give more than its creator holds. The message names the caller, the
 * action and the resource; `kms.explain` says which statement decided. Code
 * `ERR_KMS_ACCESS_DENIED`.
 *
 * @see AWS KMS API reference, common errors: https://docs.aws.amazon.com/kms/latest/APIReference/CommonErrors.html
 *
 * @example
 * ```ts
 * import { AccessDeniedException, createKms } from '@webkms/core'
 *
 * const kms = createKms()
 * const { KeyMetadata } = await kms.createKey({})
 * const alice = kms.as({ principal: 'arn:aws:iam::111122223333:user/alice' }) // no policy allows her anything
 * await alice.encrypt({ KeyId: KeyMetadata.KeyId, Plaintext: new Uint8Array(1) }).catch((e) => {
 *   if (e instanceof AccessDeniedException) console.log(e.message)
 * })
 * ```
 */
export class AccessDeniedException extends KmsError {
  static override code = 'ERR_KMS_ACCESS_DENIED' as const
  declare readonly code: 'ERR_KMS_ACCESS_DENIED'
  static override errorName = 'AccessDeniedException'
}
/**
 * The policy is not valid JSON or not a valid policy (the message says where and why), or
 * PutKeyPolicy/CreateKey's policy would lock the caller out of the key (the policy lockout
 * safety check; `BypassPolicyLockoutSafetyCheck` skips it). Raised by CreateKey, PutKeyPolicy and
 * PutIdentityPolicy. Code `ERR_KMS_MALFORMED_POLICY_DOCUMENT`.
 *
 * @see the Errors section of each operation in the AWS KMS API reference,
 * https://docs.aws.amazon.com/kms/latest/APIReference/API_Operations.html
 *
 * @example
 * ```ts
 * import { createKms, MalformedPolicyDocumentException } from '@webkms/core'
 *
 * const kms = createKms()
 * await kms.createKey({ Policy: '{"Version":"2012-10-17","Statement":[{"Effect":"Maybe"}]}' }).catch((e) => {
 *   if (e instanceof MalformedPolicyDocumentException) console.log(e.message)
 * })
 * ```
 */
export class MalformedPolicyDocumentException extends KmsError {
  static override code = 'ERR_KMS_MALFORMED_POLICY_DOCUMENT' as const
  declare readonly code: 'ERR_KMS_MALFORMED_POLICY_DOCUMENT'
  static override errorName = 'MalformedPolicyDocumentException'
}
/**
 * A grant token (in `GrantTokens`, or RetireGrant's `GrantToken`) is malformed, or names no
 * grant. Code `ERR_KMS_INVALID_GRANT_TOKEN`.
 *
 * @see the Errors section of each operation in the AWS KMS API reference,
 * https://docs.aws.amazon.com/kms/latest/APIReference/API_Operations.html
 *
 * @example
 * ```ts
 * import { createKms, InvalidGrantTokenException } from '@webkms/core'
 *
 * const kms = createKms()
 * await kms.retireGrant({ GrantToken: 'not-a-token' }).catch((e) => {
 *   if (e instanceof InvalidGrantTokenException) console.log('no such grant token')
 * })
 * ```
 */
export class InvalidGrantTokenException extends KmsError {
  static override code = 'ERR_KMS_INVALID_GRANT_TOKEN' as const
  declare readonly code: 'ERR_KMS_INVALID_GRANT_TOKEN'
  static override errorName = 'InvalidGrantTokenException'
}
/**
 * A grant ID is malformed (AWS's grant IDs are 64 hex digits). Code `ERR_KMS_INVALID_GRANT_ID`;
 * a well-formed ID that names no grant of the key is `NotFoundException`.
 *
 * @see the Errors section of each operation in the AWS KMS API reference,
 * https://docs.aws.amazon.com/kms/latest/APIReference/API_Operations.html
 *
 * @example
 * ```ts
 * import { createKms, InvalidGrantIdException } from '@webkms/core'
 *
 * const kms = createKms()
 * const { KeyMetadata } = await kms.createKey({})
 * await kms.revokeGrant({ KeyId: KeyMetadata.KeyId, GrantId: 'nope' }).catch((e) => {
 *   if (e instanceof InvalidGrantIdException) console.log('not a grant ID')
 * })
 * ```
 */
export class InvalidGrantIdException extends KmsError {
  static override code = 'ERR_KMS_INVALID_GRANT_ID' as const
  declare readonly code: 'ERR_KMS_INVALID_GRANT_ID'
  static override errorName = 'InvalidGrantIdException'
}
/**
 * The request fails a constraint of AWS's model (type, length, range, pattern) or of the
 * operation (KeySpec and NumberOfBytes together, a KeyUsage the KeySpec does not have, ...). One
 * error lists every violation, as AWS words it (`2 validation errors detected: Value ... at
 * 'keyId' failed to satisfy constraint: ...`), the value quoted except for secrets such as
 * `Plaintext`. Code `ERR_KMS_VALIDATION`.
 *
 * @see the Errors section of each operation in the AWS KMS API reference,
 * https://docs.aws.amazon.com/kms/latest/APIReference/API_Operations.html
 *
 * @example
 * ```ts
 * import { createKms, ValidationException } from '@webkms/core'
 *
 * const kms = createKms()
 * await kms.generateRandom({ NumberOfBytes: 0 }).catch((e) => {
 *   if (e instanceof ValidationException) console.log(e.message) // 1 validation error detected: ...
 * })
 * ```
 */
export class ValidationException extends KmsError {
  static override code = 'ERR_KMS_VALIDATION' as const
  declare readonly code: 'ERR_KMS_VALIDATION'
  static override errorName = 'ValidationException'
}
/**
 * A quota AWS has would be passed: aliases per key (`MAX_ALIASES_PER_KEY`), grants per key
 * (`MAX_GRANTS_PER_KEY`), on-demand rotations per key (`MAX_ON_DEMAND_ROTATIONS`). Code
 * `ERR_KMS_LIMIT_EXCEEDED`.
 *
 * @see the Errors section of each operation in the AWS KMS API reference,
 * https://docs.aws.amazon.com/kms/latest/APIReference/API_Operations.html
 *
 * @example
 * ```ts
 * import { createKms, LimitExceededException, MAX_ON_DEMAND_ROTATIONS } from '@webkms/core'
 *
 * const kms = createKms()
 * const { KeyMetadata } = await kms.createKey({})
 * try {
 *   for (let i = 0; i <= MAX_ON_DEMAND_ROTATIONS; i++) await kms.rotateKeyOnDemand({ KeyId: KeyMetadata.KeyId })
 * } catch (e) {
 *   if (e instanceof LimitExceededException) console.log('no more on-demand rotations for this key')
 * }
 * ```
 */
export class LimitExceededException extends KmsError {
  static override code = 'ERR_KMS_LIMIT_EXCEEDED' as const
  declare readonly code: 'ERR_KMS_LIMIT_EXCEEDED'
  static override errorName = 'LimitExceededException'
}
/**
 * CreateAlias named an alias that already exists (UpdateAlias moves one). Code
 * `ERR_KMS_ALREADY_EXISTS`.
 *
 * @see the Errors section of each operation in the AWS KMS API reference,
 * https://docs.aws.amazon.com/kms/latest/APIReference/API_Operations.html
 *
 * @example
 * ```ts
 * import { AlreadyExistsException, createKms } from '@webkms/core'
 *
 * const kms = createKms()
 * const { KeyMetadata } = await kms.createKey({})
 * await kms.createAlias({ AliasName: 'alias/app', TargetKeyId: KeyMetadata.KeyId })
 * await kms.createAlias({ AliasName: 'alias/app', TargetKeyId: KeyMetadata.KeyId }).catch((e) => {
 *   if (e instanceof AlreadyExistsException) console.log('use updateAlias to repoint it')
 * })
 * ```
 */
export class AlreadyExistsException extends KmsError {
  static override code = 'ERR_KMS_ALREADY_EXISTS' as const
  declare readonly code: 'ERR_KMS_ALREADY_EXISTS'
  static override errorName = 'AlreadyExistsException'
}
/**
 * A valid AWS request this engine does not support, the reason in the message: multi-Region
 * keys, custom key stores, key specs WebCrypto lacks (`unsupportedKeySpecs`), `MessageType:
 * 'DIGEST'`, the `RSAES_PKCS1_V1_5` wrapping algorithm, `Recipient`, rotation of keys AWS does
 * not rotate, ExportRecoveryBundle without a recovery key. Code `ERR_KMS_UNSUPPORTED_OPERATION`.
 *
 * @see the Errors section of each operation in the AWS KMS API reference,
 * https://docs.aws.amazon.com/kms/latest/APIReference/API_Operations.html
 *
 * @example
 * ```ts
 * import { createKms, UnsupportedOperationException } from '@webkms/core'
 *
 * const kms = createKms()
 * await kms.createKey({ MultiRegion: true }).catch((e) => {
 *   if (e instanceof UnsupportedOperationException) console.log(e.message) // Multi-Region keys are not supported
 * })
 * ```
 */
export class UnsupportedOperationException extends KmsError {
  static override code = 'ERR_KMS_UNSUPPORTED_OPERATION' as const
  declare readonly code: 'ERR_KMS_UNSUPPORTED_OPERATION'
  static override errorName = 'UnsupportedOperationException'
}
/**
 * CreateAlias or UpdateAlias named an alias with characters AWS does not allow, or in the
 * reserved `alias/aws/` namespace. Code `ERR_KMS_INVALID_ALIAS_NAME`.
 *
 * @see the Errors section of each operation in the AWS KMS API reference,
 * https://docs.aws.amazon.com/kms/latest/APIReference/API_Operations.html
 *
 * @example
 * ```ts
 * import { createKms, InvalidAliasNameException } from '@webkms/core'
 *
 * const kms = createKms()
 * const { KeyMetadata } = await kms.createKey({})
 * await kms.createAlias({ AliasName: 'alias/aws/mine', TargetKeyId: KeyMetadata.KeyId }).catch((e) => {
 *   if (e instanceof InvalidAliasNameException) console.log('alias/aws/ is reserved')
 * })
 * ```
 */
export class InvalidAliasNameException extends KmsError {
  static override code = 'ERR_KMS_INVALID_ALIAS_NAME' as const
  declare readonly code: 'ERR_KMS_INVALID_ALIAS_NAME'
  static override errorName = 'InvalidAliasNameException'
}
/**
 * AWS's error for a malformed ARN. Part of the AWS error set, so code that handles it compiles
 * against webkms; the engine itself reports a `KeyId` it cannot parse as `NotFoundException`, as
 * AWS does for key IDs. Code `ERR_KMS_INVALID_ARN`.
 *
 * @see the Errors section of each operation in the AWS KMS API reference,
 * https://docs.aws.amazon.com/kms/latest/APIReference/API_Operations.html
 *
 * @example
 * ```ts
 * import { InvalidArnException } from '@webkms/core'
 *
 * const isArnError = (e: unknown) => e instanceof InvalidArnException
 * ```
 */
export class InvalidArnException extends KmsError {
  static override code = 'ERR_KMS_INVALID_ARN' as const
  declare readonly code: 'ERR_KMS_INVALID_ARN'
  static override errorName = 'InvalidArnException'
}
/**
 * A list operation's `Marker` is not one this engine returned as `NextMarker`. Code
 * `ERR_KMS_INVALID_MARKER`.
 *
 * @see the Errors section of each operation in the AWS KMS API reference,
 * https://docs.aws.amazon.com/kms/latest/APIReference/API_Operations.html
 *
 * @example
 * ```ts
 * import { createKms, InvalidMarkerException } from '@webkms/core'
 *
 * const kms = createKms()
 * await kms.listKeys({ Marker: 'made-up' }).catch((e) => {
 *   if (e instanceof InvalidMarkerException) console.log('start again without a Marker')
 * })
 * ```
 */
export class InvalidMarkerException extends KmsError {
  static override code = 'ERR_KMS_INVALID_MARKER' as const
  declare readonly code: 'ERR_KMS_INVALID_MARKER'
  static override errorName = 'InvalidMarkerException'
}
/**
 * The key cannot do this operation or algorithm: its KeyUsage does not allow it (Sign with an
 * ENCRYPT_DECRYPT key, GenerateDataKey with an asymmetric key), or its KeySpec does not support
 * the algorithm asked for. Code `ERR_KMS_INVALID_KEY_USAGE`.
 *
 * @see the Errors section of each operation in the AWS KMS API reference,
 * https://docs.aws.amazon.com/kms/latest/APIReference/API_Operations.html
 *
 * @example
 * ```ts
 * import { createKms, InvalidKeyUsageException } from '@webkms/core'
 *
 * const kms = createKms()
 * const { KeyMetadata } = await kms.createKey({ KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY' })
 * await kms.encrypt({ KeyId: KeyMetadata.KeyId, Plaintext: new Uint8Array(1) }).catch((e) => {
 *   if (e instanceof InvalidKeyUsageException) console.log('a signing key does not encrypt')
 * })
 * ```
 */
export class InvalidKeyUsageException extends KmsError {
  static override code = 'ERR_KMS_INVALID_KEY_USAGE' as const
  declare readonly code: 'ERR_KMS_INVALID_KEY_USAGE'
  static override errorName = 'InvalidKeyUsageException'
}
/**
 * TagResource (or CreateKey's `Tags`) was refused: a tag key beginning with `aws:`, the same
 * tag key twice, or more than `MAX_TAGS_PER_KEY` tags on the key. Code `ERR_KMS_TAG`.
 *
 * @see the Errors section of each operation in the AWS KMS API reference,
 * https://docs.aws.amazon.com/kms/latest/APIReference/API_Operations.html
 *
 * @example
 * ```ts
 * import { createKms, TagException } from '@webkms/core'
 *
 * const kms = createKms()
 * await kms.createKey({ Tags: [{ TagKey: 'aws:owner', TagValue: 'me' }] }).catch((e) => {
 *   if (e instanceof TagException) console.log('aws: tag keys are reserved')
 * })
 * ```
 */
export class TagException extends KmsError {
  static override code = 'ERR_KMS_TAG' as const
  declare readonly code: 'ERR_KMS_TAG'
  static override errorName = 'TagException'
}
/**
 * A request with `DryRun: true` would have succeeded (it was validated and authorized, and
 * nothing was done). Code `ERR_KMS_DRY_RUN`; a dry run that would fail raises that failure.
 *
 * @see the Errors section of each operation in the AWS KMS API reference,
 * https://docs.aws.amazon.com/kms/latest/APIReference/API_Operations.html
 *
 * @example
 * ```ts
 * import { createKms, DryRunOperationException } from '@webkms/core'
 *
 * const kms = createKms()
 * const { KeyMetadata } = await kms.createKey({})
 * const allowed = await kms.encrypt({ KeyId: KeyMetadata.KeyId, Plaintext: new Uint8Array(1), DryRun: true }).catch((e) => e instanceof DryRunOperationException)
 * ```
 */
export class DryRunOperationException extends KmsError {
  static override code = 'ERR_KMS_DRY_RUN' as const
  declare readonly code: 'ERR_KMS_DRY_RUN'
  static override errorName = 'DryRunOperationException'
}
/**
 * Verify: the signature is not valid for the message, key and algorithm. Code
 * `ERR_KMS_INVALID_SIGNATURE`.
 *
 * @see the Errors section of each operation in the AWS KMS API reference,
 * https://docs.aws.amazon.com/kms/latest/APIReference/API_Operations.html
 *
 * @example
 * ```ts
 * import { createKms, KMSInvalidSignatureException } from '@webkms/core'
 *
 * const kms = createKms()
 * const { KeyMetadata } = await kms.createKey({ KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY' })
 * const Message = new TextEncoder().encode('hello')
 * await kms
 *   .verify({ KeyId: KeyMetadata.KeyId, Message, Signature: new Uint8Array(70), SigningAlgorithm: 'ECDSA_SHA_256' })
 *   .catch((e) => { if (e instanceof KMSInvalidSignatureException) console.log('not signed by this key') })
 * ```
 */
export class KMSInvalidSignatureException extends KmsError {
  static override code = 'ERR_KMS_INVALID_SIGNATURE' as const
  declare readonly code: 'ERR_KMS_INVALID_SIGNATURE'
  static override errorName = 'KMSInvalidSignatureException'
}
/**
 * VerifyMac: the MAC is not valid for the message, key and algorithm. Code
 * `ERR_KMS_INVALID_MAC`.
 *
 * @see the Errors section of each operation in the AWS KMS API reference,
 * https://docs.aws.amazon.com/kms/latest/APIReference/API_Operations.html
 *
 * @example
 * ```ts
 * import { createKms, KMSInvalidMacException } from '@webkms/core'
 *
 * const kms = createKms()
 * const { KeyMetadata } = await kms.createKey({ KeySpec: 'HMAC_256', KeyUsage: 'GENERATE_VERIFY_MAC' })
 * await kms
 *   .verifyMac({ KeyId: KeyMetadata.KeyId, Message: new Uint8Array([1]), Mac: new Uint8Array(32), MacAlgorithm: 'HMAC_SHA_256' })
 *   .catch((e) => { if (e instanceof KMSInvalidMacException) console.log('MAC does not match') })
 * ```
 */
export class KMSInvalidMacException extends KmsError {
  static override code = 'ERR_KMS_INVALID_MAC' as const
  declare readonly code: 'ERR_KMS_INVALID_MAC'
  static override errorName = 'KMSInvalidMacException'
}
/**
 * ImportKeyMaterial: the material is not what the key needs. The key already had other material
 * (only the same material may be imported again, except `NEW_KEY_MATERIAL` for a symmetric
 * key's rotation), the material does not match `KeyMaterialId`, or it is not valid for the
 * key's KeySpec. Code `ERR_KMS_INCORRECT_KEY_MATERIAL`.
 *
 * @see the Errors section of each operation in the AWS KMS API reference,
 * https://docs.aws.amazon.com/kms/latest/APIReference/API_Operations.html
 *
 * @example
 * ```ts
 * import { IncorrectKeyMaterialException } from '@webkms/core'
 *
 * const wrongMaterial = (e: unknown) => e instanceof IncorrectKeyMaterialException
 * ```
 */
export class IncorrectKeyMaterialException extends KmsError {
  static override code = 'ERR_KMS_INCORRECT_KEY_MATERIAL' as const
  declare readonly code: 'ERR_KMS_INCORRECT_KEY_MATERIAL'
  static override errorName = 'IncorrectKeyMaterialException'
}
/**
 * ImportKeyMaterial: the import token is malformed, was already used, or was issued for another
 * key (GetParametersForImport issues one per key). Code `ERR_KMS_INVALID_IMPORT_TOKEN`.
 *
 * @see the Errors section of each operation in the AWS KMS API reference,
 * https://docs.aws.amazon.com/kms/latest/APIReference/API_Operations.html
 *
 * @example
 * ```ts
 * import { InvalidImportTokenException } from '@webkms/core'
 *
 * const askForNewParameters = (e: unknown) => e instanceof InvalidImportTokenException
 * ```
 */
export class InvalidImportTokenException extends KmsError {
  static override code = 'ERR_KMS_INVALID_IMPORT_TOKEN' as const
  declare readonly code: 'ERR_KMS_INVALID_IMPORT_TOKEN'
  static override errorName = 'InvalidImportTokenException'
}
/**
 * ImportKeyMaterial: the import token (and its wrapping key) is past its `ParametersValidTo`
 * (`IMPORT_PARAMETERS_HOURS` after GetParametersForImport). Code `ERR_KMS_EXPIRED_IMPORT_TOKEN`.
 *
 * @see the Errors section of each operation in the AWS KMS API reference,
 * https://docs.aws.amazon.com/kms/latest/APIReference/API_Operations.html
 *
 * @example
 * ```ts
 * import { ExpiredImportTokenException } from '@webkms/core'
 *
 * const askForNewParameters = (e: unknown) => e instanceof ExpiredImportTokenException
 * ```
 */
export class ExpiredImportTokenException extends KmsError {
  static override code = 'ERR_KMS_EXPIRED_IMPORT_TOKEN' as const
  declare readonly code: 'ERR_KMS_EXPIRED_IMPORT_TOKEN'
  static override errorName = 'ExpiredImportTokenException'
}
/**
 * Something failed inside the engine or its store, never because of the caller's input: the
 * store's commit failed, the clock returned an invalid Date, the audit event could not be
 * recorded (then the call's effect is not kept). `$fault` is `server`; the cause is kept in
 * `cause`, not in the message. Code `ERR_KMS_INTERNAL`.
 *
 * @see the Errors section of each operation in the AWS KMS API reference,
 * https://docs.aws.amazon.com/kms/latest/APIReference/API_Operations.html
 *
 * @example
 * ```ts
 * import { KMSInternalException } from '@webkms/core'
 *
 * const retry = (e: unknown) => e instanceof KMSInternalException // the request itself was fine
 * ```
 */
export class KMSInternalException extends KmsError {
  static override code = 'ERR_KMS_INTERNAL' as const
  declare readonly code: 'ERR_KMS_INTERNAL'
  static override errorName = 'KMSInternalException'
  override $fault: 'client' | 'server' = 'server'
}

/**
 * Every KMS error class by its AWS exception name: to rebuild an error that crossed a boundary
 * as plain data (`@webkms/worker` does), or to map an `@aws-sdk/client-kms` error's `name` to
 * webkms's class.
 *
 * @example
 * ```ts
 * import { kmsErrorClasses } from '@webkms/core'
 *
 * function revive(name: string, message: string): Error {
 *   const ErrorClass = kmsErrorClasses[name as keyof typeof kmsErrorClasses]
 *   return ErrorClass ? new ErrorClass(message) : new Error(message)
 * }
 * ```
 */
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
