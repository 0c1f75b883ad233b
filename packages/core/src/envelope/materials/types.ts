/**
 * Cryptographic materials and the two interfaces that produce them
 * (framework/structures.md, keyring-interface.md, cmm-interface.md of the AWS Encryption SDK
 * specification): a keyring wraps and unwraps data keys; a materials manager (CMM) decides
 * the suite, the signing key and the encryption context around the keyring.
 */
import type { MessageSigner, MessageVerifier } from '../crypto/signature.js'
import type { EncryptionContext } from '../format/encryptionContext.js'
import type { EncryptedDataKey } from '../format/header.js'
import type { RandomSource } from '../random.js'
import type { AlgorithmSuite, CommitmentPolicy, SuiteId } from '../suites.js'

/**
 * What a materials manager returns to encrypt one message (framework/structures.md,
 * "Encryption Materials"), and what keyrings fill in: `onEncrypt` sets `plaintextDataKey` when
 * none is set yet and appends its wrapped copy to `encryptedDataKeys`.
 */
export interface EncryptionMaterials {
  /** The message's algorithm suite. */
  suite: AlgorithmSuite
  /** The whole context: what the header stores plus the required pairs it leaves out. */
  encryptionContext: EncryptionContext
  /** The data key, `suite.keyLength` bytes; set by the first keyring (the generator). */
  plaintextDataKey?: Uint8Array
  /** The data key wrapped by each keyring (or KMS key), in the order the header stores them. */
  encryptedDataKeys: EncryptedDataKey[]
  /** The message's signing key, for signing suites: the default materials manager makes one per message. */
  signer?: MessageSigner
  /** Keys of pairs that are authenticated but not stored in the header. */
  requiredEncryptionContextKeys: string[]
  /** The client's random source: keyrings make data keys and IVs with it, unless given their own. */
  random?: RandomSource
}

/**
 * What a materials manager returns to decrypt one message (framework/structures.md,
 * "Decryption Materials"): a keyring's `onDecrypt` sets `plaintextDataKey` when it can unwrap
 * one of the message's encrypted data keys.
 */
export interface DecryptionMaterials {
  /** The message's algorithm suite, from its header. */
  suite: AlgorithmSuite
  /** The header's context plus the reproduced pairs the header left out. */
  encryptionContext: EncryptionContext
  /** The data key; absent until a keyring unwraps one. */
  plaintextDataKey?: Uint8Array
  /** Checks the message's signature, for signing suites (its key is the context's `aws-crypto-public-key`). */
  verifier?: MessageVerifier
  /** Keys of the pairs that are authenticated but were not stored in the header. */
  requiredEncryptionContextKeys: string[]
}

/**
 * Wraps and unwraps data keys (framework/keyring-interface.md). The client calls it through a
 * materials manager: `onEncrypt` once per message, `onDecrypt` with the message's encrypted data
 * keys. Any object with these two methods is a keyring; webkms has {@link KmsKeyring},
 * {@link RawAesKeyring}, {@link RawRsaKeyring} and {@link MultiKeyring}.
 *
 * @example
 * ```ts
 * import type { Keyring } from '@webkms/core/envelope'
 *
 * // Logs which keys a message offers, then lets `inner` unwrap one.
 * function logged(inner: Keyring): Keyring {
 *   return {
 *     onEncrypt: (materials) => inner.onEncrypt(materials),
 *     onDecrypt: (materials, encryptedDataKeys) => {
 *       console.log(encryptedDataKeys.map((k) => `${k.providerId} ${k.providerInfo}`))
 *       return inner.onDecrypt(materials, encryptedDataKeys)
 *     },
 *   }
 * }
 * ```
 */
export interface Keyring {
  /** Adds a data key (if none yet) and this keyring's wrapped copy of it. Throws KeyringError. */
  onEncrypt(materials: EncryptionMaterials): Promise<EncryptionMaterials>
  /**
   * Sets the data key if this keyring can unwrap one of `encryptedDataKeys`; returns the
   * materials unchanged (no data key) when it cannot. Never reveals why.
   */
  onDecrypt(materials: DecryptionMaterials, encryptedDataKeys: readonly EncryptedDataKey[]): Promise<DecryptionMaterials>
}

/**
 * What the client asks a materials manager for when it encrypts a message
 * (framework/cmm-interface.md, "Encryption Materials Request").
 */
export interface EncryptionRequest {
  /** The caller's `encryptionContext` option (`{}` if none). */
  encryptionContext: EncryptionContext
  /** The client's policy: the suite chosen must be one it allows. */
  commitmentPolicy: CommitmentPolicy
  /** The caller's `suiteId` option; absent to let the materials manager choose. */
  suiteId?: SuiteId
  /** Known for one-shot encryption; absent for streams of unknown length. */
  plaintextLength?: number
  /** The client's random source, for the materials (see EncryptionMaterials). */
  random?: RandomSource
}

/**
 * What the client asks a materials manager for when it decrypts a message, from the message's
 * header (framework/cmm-interface.md, "Decrypt Materials Request").
 */
export interface DecryptionRequest {
  /** The header's algorithm suite. */
  suite: AlgorithmSuite
  /** The header's encrypted data keys (at least one). */
  encryptedDataKeys: readonly EncryptedDataKey[]
  /** The context stored in the header. */
  encryptionContext: EncryptionContext
  /** The context the caller supplied to decrypt, if any. */
  reproducedEncryptionContext?: EncryptionContext
  /** The client's policy (it has already checked the header's suite against it). */
  commitmentPolicy: CommitmentPolicy
}

/**
 * A cryptographic materials manager, or CMM (framework/cmm-interface.md): decides the suite,
 * the encryption context and the signing key around a keyring, and hands the client the data
 * key. Pass one to the client instead of a keyring to change how materials are made:
 * {@link DefaultMaterialsManager} (what a bare keyring gets),
 * {@link RequiredEncryptionContextMaterialsManager}, {@link CachingMaterialsManager}, or your own.
 *
 * @example
 * ```ts
 * import { buildClient, DefaultMaterialsManager, type Keyring, type MaterialsManager } from '@webkms/core/envelope'
 *
 * // Refuses to encrypt without a tenant in the context; otherwise the default behaviour.
 * function tenantOnly(keyring: Keyring): MaterialsManager {
 *   const cmm = new DefaultMaterialsManager(keyring)
 *   return {
 *     async getEncryptionMaterials(request) {
 *       if (!Object.hasOwn(request.encryptionContext, 'tenant')) throw new TypeError('"encryptionContext" expected a tenant')
 *       return cmm.getEncryptionMaterials(request)
 *     },
 *     decryptMaterials: (request) => cmm.decryptMaterials(request),
 *   }
 * }
 * declare const keyring: Keyring
 * const { result } = await buildClient().encrypt(tenantOnly(keyring), 'hello', { encryptionContext: { tenant: 'acme' } })
 * ```
 */
export interface MaterialsManager {
  /**
   * Materials to encrypt one message (framework/cmm-interface.md, "Get Encryption Materials"):
   * the suite, the whole encryption context, the data key and at least one wrapped copy of it,
   * and a signing key for signing suites.
   *
   * @throws {@link KeyringError} `ERR_ENVELOPE_KEYRING` when no data key can be made or
   * wrapped; `TypeError` or `RangeError` for a request it refuses (webkms's managers: a
   * reserved or missing context key, a suite the commitment policy forbids). The client's
   * `encrypt` rejects with the same error.
   */
  getEncryptionMaterials(request: EncryptionRequest): Promise<EncryptionMaterials>
  /**
   * Materials to decrypt one message (framework/cmm-interface.md, "Decrypt Materials"): the
   * data key unwrapped from one of `request.encryptedDataKeys`, the context to authenticate,
   * and the signature's verification key for signing suites.
   *
   * @throws {@link DecryptionError} `ERR_ENVELOPE_DECRYPTION_FAILED` from webkms's managers when
   * no keyring unwraps a data key or the reproduced context disagrees with the header. The
   * client reports any failure here as `DecryptionError`, whatever was thrown.
   */
  decryptMaterials(request: DecryptionRequest): Promise<DecryptionMaterials>
}

export function isMaterialsManager(x: unknown): x is MaterialsManager {
  return typeof (x as MaterialsManager)?.getEncryptionMaterials === 'function' && typeof (x as MaterialsManager)?.decryptMaterials === 'function'
}

export function isKeyring(x: unknown): x is Keyring {
  return typeof (x as Keyring)?.onEncrypt === 'function' && typeof (x as Keyring)?.onDecrypt === 'function'
}
