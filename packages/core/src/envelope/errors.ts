/**
 * Errors of the envelope SDK. As in panva/jose, every failure to decrypt a message is one
 * opaque error: telling a caller which check failed — the format, a tag, the key commitment,
 * the signature, the padding of a wrapped key — would hand an attacker an oracle, so neither
 * the message nor a `cause` says it. A refusal that is not about the message's secret parts
 * (the commitment policy forbids its suite, signed messages are forbidden, a materials manager
 * or keyring throws) is kept as `cause`, for the developer's logs. A raw keyring that cannot
 * unwrap any data key leaves no cause (which check failed is the oracle); a KMS keyring whose KMS
 * refused every data key it tried throws their errors as one KeyringError (aws-kms-keyring.md),
 * kept as the cause: the KMS's answers (access denied, a disabled key) are the caller's own.
 * Misuse of the API is a TypeError or RangeError naming the argument.
 */
import { CodedError } from '../codedError.js'

/** Every envelope error code, so `switch (e.code)` on an EnvelopeError narrows. */
export type EnvelopeErrorCode = 'ERR_ENVELOPE' | 'ERR_ENVELOPE_DECRYPTION_FAILED' | 'ERR_ENVELOPE_KEYRING'

/**
 * The base class of the envelope SDK's errors: {@link DecryptionError} and {@link KeyringError}
 * extend it, so `e instanceof EnvelopeError` catches both. Never thrown itself.
 *
 * @example
 * ```ts
 * import { buildClient, EnvelopeError, RawAesKeyring } from '@webkms/core/envelope'
 *
 * const keyring = new RawAesKeyring({ keyNamespace: 'app', keyName: 'k', wrappingKey: crypto.getRandomValues(new Uint8Array(32)) })
 * try {
 *   await buildClient().decrypt(keyring, new Uint8Array(10))
 * } catch (e) {
 *   if (e instanceof EnvelopeError) console.log(e.code) // ERR_ENVELOPE_DECRYPTION_FAILED
 * }
 * ```
 */
export class EnvelopeError extends CodedError {
  static override code: EnvelopeErrorCode = 'ERR_ENVELOPE'
  declare readonly code: EnvelopeErrorCode
  static override errorName = 'EnvelopeError'
}

/** The message could not be decrypted and authenticated. Nothing was released. */
export class DecryptionError extends EnvelopeError {
  static override code = 'ERR_ENVELOPE_DECRYPTION_FAILED' as const
  declare readonly code: 'ERR_ENVELOPE_DECRYPTION_FAILED'
  static override errorName = 'DecryptionError'
  constructor(options?: { cause?: unknown }) {
    super('decryption operation failed', options)
  }
}

/** A keyring could not produce or wrap a data key when encrypting (e.g. its KMS refused). */
export class KeyringError extends EnvelopeError {
  static override code = 'ERR_ENVELOPE_KEYRING' as const
  declare readonly code: 'ERR_ENVELOPE_KEYRING'
  static override errorName = 'KeyringError'
}
