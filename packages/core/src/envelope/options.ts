/**
 * The options of the envelope API, shared by one-shot and streaming calls, and their checks:
 * misuse is a TypeError or RangeError naming the argument.
 */
import { assertEncryptionContext, type EncryptionContext } from './format/encryptionContext.js'
import { DefaultMaterialsManager } from './materials/DefaultMaterialsManager.js'
import { isKeyring, isMaterialsManager, type Keyring, type MaterialsManager } from './materials/types.js'
import { defaultRandom, randomOption, type RandomSource } from './random.js'
import { CommitmentPolicy, isSuiteId, type SuiteId } from './suites.js'

/**
 * Called once per frame as a message is sealed or opened: `bytesDone` plaintext bytes so far
 * (only ever growing), of `bytesTotal` when it is known: always for one-shot `encrypt` and
 * `decrypt`, for `encryptStream` when `plaintextLength` was given, never for `decryptStream`.
 *
 * @example
 * ```ts
 * import type { ProgressCallback } from '@webkms/core'
 *
 * const onProgress: ProgressCallback = (done, total) =>
 *   console.log(total === undefined ? `${done} bytes` : `${Math.floor((100 * done) / Math.max(total, 1))}%`)
 * ```
 */
export type ProgressCallback = (bytesDone: number, bytesTotal?: number) => void

/**
 * What `buildClient` fixes for every call of the client it returns (client-apis/client.md,
 * "Initialization"). An invalid option throws `TypeError` or `RangeError` naming it.
 */
export interface ClientOptions {
  /**
   * Which suites the client encrypts with and accepts (framework/commitment-policy.md).
   * Default `REQUIRE_ENCRYPT_REQUIRE_DECRYPT`: key-committing suites only.
   */
  commitmentPolicy?: CommitmentPolicy
  /**
   * At most this many encrypted data keys per message, 1 to 65535 (client-apis/client.md,
   * "Maximum Number Of Encrypted Data Keys"): decrypt refuses a header with more before reading
   * them; encrypt throws `RangeError` when the keyring wrapped more. Default 65535, the format's
   * own limit.
   */
  maxEncryptedDataKeys?: number
  /** Every random value the client makes itself: message ids, and the raw keyrings' data keys and IVs. Default: WebCrypto. */
  random?: RandomSource
}

/**
 * The options of `encrypt` (client-apis/encrypt.md, "Input"). An invalid option throws
 * `TypeError` or `RangeError` naming it.
 */
export interface EncryptOptions {
  /**
   * String pairs authenticated with the message and stored in its header (except the pairs a
   * `RequiredEncryptionContextMaterialsManager` requires, which are authenticated only). Keys
   * must not begin with the reserved prefix `aws-crypto-`; at most 65535 bytes serialized.
   */
  encryptionContext?: Record<string, string>
  /**
   * The algorithm suite (framework/algorithm-suites.md); `RangeError` if the client's
   * commitment policy forbids it. Default: the materials manager's choice, which for the default
   * one is 0x0578 (0x0378 under `FORBID_ENCRYPT_ALLOW_DECRYPT`).
   */
  suiteId?: SuiteId
  /** Plaintext bytes per frame, 1 to 2^32 - 1. Default {@link DEFAULT_FRAME_LENGTH} (256 KiB). */
  frameLength?: number
  /** This call's limit on the data keys the keyring may wrap, 1 to 65535. Default: the client's. */
  maxEncryptedDataKeys?: number
  /** Called as frames are sealed. */
  onProgress?: ProgressCallback
}

/** The options of `encryptStream`: those of `encrypt`, and the plaintext's length when it is known. */
export interface EncryptStreamOptions extends EncryptOptions {
  /** The plaintext's length, if known: lets a caching materials manager work, and is checked. */
  plaintextLength?: number
}

/**
 * The options of `decrypt` (client-apis/decrypt.md, "Input"). An invalid option throws
 * `TypeError` or `RangeError` naming it; a message that breaks a limit fails as any other,
 * with `DecryptionError`.
 */
export interface DecryptOptions {
  /** Pairs to check against the header and, where the header left them out, to authenticate. */
  encryptionContext?: Record<string, string>
  /** This call's limit on the header's encrypted data keys, 1 to 65535. Default: the client's. */
  maxEncryptedDataKeys?: number
  /** Refuse messages whose body (plaintext) would be larger than this, before buffering the frame that would pass it. */
  maxBodySize?: number
  /** Refuse messages whose header (with its authentication) is longer than this. Default 1 MiB. */
  maxHeaderLength?: number
  /** Refuse signed messages right after reading the header (client-apis/decrypt.md). */
  forbidSignedMessages?: boolean
  /** Called as frames are opened and authenticated. */
  onProgress?: ProgressCallback
}

/** The options of `decryptStream`: those of `decrypt`, and whether to hold plaintext until the signature verifies. */
export interface DecryptStreamOptions extends DecryptOptions {
  /** Hold all plaintext until the signature verifies (signed suites). */
  waitForSignature?: boolean
}

/**
 * The default frame length. WebCrypto has a per-call cost, so the AWS SDKs' 4096 bytes would
 * pay ~16k calls for 64 MiB; at 256 KiB the per-call cost is noise while a streamed frame
 * stays small enough to hold in memory. Messages with any frame length decrypt.
 */
export const DEFAULT_FRAME_LENGTH = 256 * 1024
export const MAX_FRAME_LENGTH = 0xffffffff

/**
 * The default maxHeaderLength. A header states no total length, and the format allows about
 * 12 GiB of encrypted data keys (65535 of up to 3 × 65535 bytes), which a stream would have
 * to buffer before it could refuse them. Real headers are small: the context is at most 64 KiB
 * and a KMS or RSA-4096 data key takes 300 to 600 bytes, so 1 MiB holds the largest context
 * and over 1,500 keys. The "Max Header Size" of the specification's proposal
 * (proposals/2020-06-26_decrypt-max-header-size-max-body-size); AWS SDKs leave it unset.
 */
export const DEFAULT_MAX_HEADER_LENGTH = 1024 * 1024

/** What `buildClient` fixes for every call of a client. */
export interface ClientConfig {
  commitmentPolicy: CommitmentPolicy
  maxEncryptedDataKeys: number
  random: RandomSource
}

export function clientConfig(policyOrOptions: unknown): ClientConfig {
  const o = typeof policyOrOptions === 'object' ? optionsObject(policyOrOptions, 'buildClient options') : { commitmentPolicy: policyOrOptions }
  return {
    commitmentPolicy: commitmentPolicy(o.commitmentPolicy),
    maxEncryptedDataKeys: integerOption(o.maxEncryptedDataKeys, 'maxEncryptedDataKeys', 1, 0xffff, 0xffff),
    random: randomOption(o.random) ?? defaultRandom,
  }
}

/** Encrypt options, checked, with the client's defaults. */
export function encryptOptions(value: unknown, client: ClientConfig) {
  const o = optionsObject(value)
  return {
    encryptionContext: encryptionContextOption(o.encryptionContext, true) ?? {},
    suiteId: suiteIdOption(o.suiteId),
    frameLength: integerOption(o.frameLength, 'frameLength', 1, MAX_FRAME_LENGTH, DEFAULT_FRAME_LENGTH),
    maxEncryptedDataKeys: integerOption(o.maxEncryptedDataKeys, 'maxEncryptedDataKeys', 1, 0xffff, client.maxEncryptedDataKeys),
    onProgress: progressOption(o.onProgress),
  }
}

/** Decrypt options, checked, with the client's defaults: the same for one-shot and streams. */
export function decryptOptions(value: unknown, client: ClientConfig) {
  const o = optionsObject(value)
  return {
    reproducedEncryptionContext: encryptionContextOption(o.encryptionContext, false),
    maxEncryptedDataKeys: integerOption(o.maxEncryptedDataKeys, 'maxEncryptedDataKeys', 1, 0xffff, client.maxEncryptedDataKeys),
    maxBodySize: integerOption(o.maxBodySize, 'maxBodySize', 0, Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER),
    maxHeaderLength: integerOption(o.maxHeaderLength, 'maxHeaderLength', 1, Number.MAX_SAFE_INTEGER, DEFAULT_MAX_HEADER_LENGTH),
    forbidSignedMessages: o.forbidSignedMessages === true,
    waitForSignature: o.waitForSignature === true,
    onProgress: progressOption(o.onProgress),
  }
}

export function materialsManager(keyring: unknown): MaterialsManager {
  if (isMaterialsManager(keyring)) return keyring
  if (isKeyring(keyring)) return new DefaultMaterialsManager(keyring as Keyring)
  throw new TypeError('"keyring" expected a keyring or a materials manager')
}

const POLICIES: readonly string[] = Object.values(CommitmentPolicy)

export function commitmentPolicy(value: unknown): CommitmentPolicy {
  if (value === undefined) return CommitmentPolicy.REQUIRE_ENCRYPT_REQUIRE_DECRYPT
  // Not `value in CommitmentPolicy`: "toString" or "__proto__" would pass as a policy.
  if (typeof value !== 'string' || !POLICIES.includes(value)) throw new TypeError(`"commitmentPolicy" expected one of ${POLICIES.join(', ')}`)
  return value as CommitmentPolicy
}

export function bytesArgument(value: unknown, name: string): Uint8Array {
  if (typeof value === 'string') return new TextEncoder().encode(value)
  if (value instanceof Uint8Array) return value
  if (value instanceof ArrayBuffer) return new Uint8Array(value)
  throw new TypeError(`"${name}" expected a Uint8Array, an ArrayBuffer or a string`)
}

export function optionsObject(value: unknown, name = 'options'): Record<string, unknown> {
  if (value === undefined) return {}
  if (value === null || typeof value !== 'object') throw new TypeError(`"${name}" expected an object`)
  return value as Record<string, unknown>
}

/** A copy of the caller's context, every own pair kept (spread defines `__proto__` as a pair). */
export function encryptionContextOption(value: unknown, forEncrypt: boolean): EncryptionContext | undefined {
  if (value === undefined) return undefined
  assertEncryptionContext(value)
  if (forEncrypt) {
    // Keys with the aws-crypto- prefix are the SDK's own (client-apis/encrypt.md).
    const reserved = Object.keys(value).find((k) => k.startsWith('aws-crypto-'))
    if (reserved) throw new TypeError(`"encryptionContext" must not use the reserved key prefix aws-crypto- (got "${reserved}")`)
  }
  return Object.fromEntries(Object.entries(value))
}

export function suiteIdOption(value: unknown): SuiteId | undefined {
  if (value === undefined) return undefined
  if (!isSuiteId(value)) throw new RangeError(`"suiteId" expected an AWS Encryption SDK suite id such as 0x0578, got ${String(value)}`)
  return value
}

export function integerOption(value: unknown, name: string, min: number, max: number, fallback: number): number {
  if (value === undefined) return fallback
  if (typeof value !== 'number' || !Number.isInteger(value)) throw new TypeError(`"${name}" expected an integer`)
  if (value < min || value > max) throw new RangeError(`"${name}" expected ${min} to ${max}, got ${value}`)
  return value
}

export function progressOption(value: unknown): ProgressCallback | undefined {
  if (value === undefined) return undefined
  if (typeof value !== 'function') throw new TypeError('"onProgress" expected a function')
  return value as ProgressCallback
}
