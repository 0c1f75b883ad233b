/**
 * The algorithm suites of the AWS Encryption SDK
 * (https://github.com/awslabs/aws-encryption-sdk-specification/blob/master/framework/algorithm-suites.md).
 * Every suite uses AES-GCM with a 12-byte IV and a 16-byte tag.
 */
export type SuiteId = 0x0014 | 0x0046 | 0x0078 | 0x0114 | 0x0146 | 0x0178 | 0x0214 | 0x0346 | 0x0378 | 0x0478 | 0x0578

export type HashName = 'SHA-256' | 'SHA-384' | 'SHA-512'

/**
 * One algorithm suite of the AWS Encryption SDK (framework/algorithm-suites.md): the data key's
 * length, how the encryption key is derived from it, whether messages are signed, and whether
 * they commit to their key. Every suite encrypts with AES-GCM, a 12-byte IV and a 16-byte tag.
 *
 * @example
 * ```ts
 * import { algorithmSuites, type AlgorithmSuite } from '@webkms/core'
 *
 * const suite: AlgorithmSuite = algorithmSuites[0x0578]
 * console.log(suite.committing, suite.kdfHash, suite.signature?.curve) // true SHA-512 P-384
 * ```
 */
export interface AlgorithmSuite {
  /** The id messages store, e.g. 0x0578. */
  id: SuiteId
  /** 1 for the suites without key commitment, 2 for the committing ones (data-format/message-header.md). */
  messageFormatVersion: 1 | 2
  /** Bytes of the data key and of the derived encryption key. */
  keyLength: 16 | 24 | 32
  ivLength: 12
  tagLength: 16
  /** HKDF hash, or undefined for the identity KDF (the data key encrypts directly). */
  kdfHash?: HashName
  /** ECDSA curve and hash of the message's signature (its footer); absent for suites that do not sign. */
  signature?: { curve: 'P-256' | 'P-384'; hash: 'SHA-256' | 'SHA-384' }
  /** Key commitment (message format v2): a 32-byte commitment key in the header. */
  committing: boolean
}

const suite = (s: AlgorithmSuite) => Object.freeze(s)
const base = { ivLength: 12, tagLength: 16 } as const

/**
 * Every algorithm suite by its id, frozen (framework/algorithm-suites.md, "Supported Algorithm
 * Suites"). The default materials manager encrypts with 0x0578 (committing, signed with ECDSA
 * P-384), or 0x0378 under `FORBID_ENCRYPT_ALLOW_DECRYPT`; `suiteId` picks another.
 *
 * @example
 * ```ts
 * import { algorithmSuites, buildClient, type Keyring } from '@webkms/core'
 *
 * declare const keyring: Keyring
 * // Committing, but not signed: anyone who can decrypt the data key could also have written the message.
 * const suite = algorithmSuites[0x0478]
 * const { result } = await buildClient().encrypt(keyring, 'hello', { suiteId: suite.id })
 * ```
 */
export const algorithmSuites: Readonly<Record<SuiteId, AlgorithmSuite>> = Object.freeze({
  0x0014: suite({ ...base, id: 0x0014, messageFormatVersion: 1, keyLength: 16, committing: false }),
  0x0046: suite({ ...base, id: 0x0046, messageFormatVersion: 1, keyLength: 24, committing: false }),
  0x0078: suite({ ...base, id: 0x0078, messageFormatVersion: 1, keyLength: 32, committing: false }),
  0x0114: suite({ ...base, id: 0x0114, messageFormatVersion: 1, keyLength: 16, kdfHash: 'SHA-256', committing: false }),
  0x0146: suite({ ...base, id: 0x0146, messageFormatVersion: 1, keyLength: 24, kdfHash: 'SHA-256', committing: false }),
  0x0178: suite({ ...base, id: 0x0178, messageFormatVersion: 1, keyLength: 32, kdfHash: 'SHA-256', committing: false }),
  0x0214: suite({ ...base, id: 0x0214, messageFormatVersion: 1, keyLength: 16, kdfHash: 'SHA-256', signature: { curve: 'P-256', hash: 'SHA-256' }, committing: false }),
  0x0346: suite({ ...base, id: 0x0346, messageFormatVersion: 1, keyLength: 24, kdfHash: 'SHA-384', signature: { curve: 'P-384', hash: 'SHA-384' }, committing: false }),
  0x0378: suite({ ...base, id: 0x0378, messageFormatVersion: 1, keyLength: 32, kdfHash: 'SHA-384', signature: { curve: 'P-384', hash: 'SHA-384' }, committing: false }),
  0x0478: suite({ ...base, id: 0x0478, messageFormatVersion: 2, keyLength: 32, kdfHash: 'SHA-512', committing: true }),
  0x0578: suite({ ...base, id: 0x0578, messageFormatVersion: 2, keyLength: 32, kdfHash: 'SHA-512', signature: { curve: 'P-384', hash: 'SHA-384' }, committing: true }),
})

export const suiteIds = Object.keys(algorithmSuites).map(Number) as SuiteId[]

export function isSuiteId(id: unknown): id is SuiteId {
  return typeof id === 'number' && Object.prototype.hasOwnProperty.call(algorithmSuites, id)
}

/** Commitment policies (client-apis/client.md). */
export const CommitmentPolicy = Object.freeze({
  REQUIRE_ENCRYPT_REQUIRE_DECRYPT: 'REQUIRE_ENCRYPT_REQUIRE_DECRYPT',
  REQUIRE_ENCRYPT_ALLOW_DECRYPT: 'REQUIRE_ENCRYPT_ALLOW_DECRYPT',
  FORBID_ENCRYPT_ALLOW_DECRYPT: 'FORBID_ENCRYPT_ALLOW_DECRYPT',
} as const)
export type CommitmentPolicy = (typeof CommitmentPolicy)[keyof typeof CommitmentPolicy]

/** The default suite for each policy, as the AWS SDKs choose it. */
export function defaultSuite(policy: CommitmentPolicy): AlgorithmSuite {
  return algorithmSuites[policy === 'FORBID_ENCRYPT_ALLOW_DECRYPT' ? 0x0378 : 0x0578]
}

export const policyAllowsEncrypt = (policy: CommitmentPolicy, s: AlgorithmSuite) =>
  policy === 'FORBID_ENCRYPT_ALLOW_DECRYPT' ? !s.committing : s.committing

export const policyAllowsDecrypt = (policy: CommitmentPolicy, s: AlgorithmSuite) =>
  policy === 'REQUIRE_ENCRYPT_REQUIRE_DECRYPT' ? s.committing : true
