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

export interface EncryptionMaterials {
  suite: AlgorithmSuite
  /** The whole context: what the header stores plus the required pairs it leaves out. */
  encryptionContext: EncryptionContext
  plaintextDataKey?: Uint8Array
  encryptedDataKeys: EncryptedDataKey[]
  signer?: MessageSigner
  /** Keys of pairs that are authenticated but not stored in the header. */
  requiredEncryptionContextKeys: string[]
  /** The client's random source: keyrings make data keys and IVs with it, unless given their own. */
  random?: RandomSource
}

export interface DecryptionMaterials {
  suite: AlgorithmSuite
  /** The header's context plus the reproduced pairs the header left out. */
  encryptionContext: EncryptionContext
  plaintextDataKey?: Uint8Array
  verifier?: MessageVerifier
  requiredEncryptionContextKeys: string[]
}

export interface Keyring {
  /** Adds a data key (if none yet) and this keyring's wrapped copy of it. Throws KeyringError. */
  onEncrypt(materials: EncryptionMaterials): Promise<EncryptionMaterials>
  /**
   * Sets the data key if this keyring can unwrap one of `encryptedDataKeys`; returns the
   * materials unchanged (no data key) when it cannot. Never reveals why.
   */
  onDecrypt(materials: DecryptionMaterials, encryptedDataKeys: readonly EncryptedDataKey[]): Promise<DecryptionMaterials>
}

export interface EncryptionRequest {
  encryptionContext: EncryptionContext
  commitmentPolicy: CommitmentPolicy
  suiteId?: SuiteId
  /** Known for one-shot encryption; absent for streams of unknown length. */
  plaintextLength?: number
  /** The client's random source, for the materials (see EncryptionMaterials). */
  random?: RandomSource
}

export interface DecryptionRequest {
  suite: AlgorithmSuite
  encryptedDataKeys: readonly EncryptedDataKey[]
  /** The context stored in the header. */
  encryptionContext: EncryptionContext
  /** The context the caller supplied to decrypt, if any. */
  reproducedEncryptionContext?: EncryptionContext
  commitmentPolicy: CommitmentPolicy
}

export interface MaterialsManager {
  getEncryptionMaterials(request: EncryptionRequest): Promise<EncryptionMaterials>
  decryptMaterials(request: DecryptionRequest): Promise<DecryptionMaterials>
}

export function isMaterialsManager(x: unknown): x is MaterialsManager {
  return typeof (x as MaterialsManager)?.getEncryptionMaterials === 'function' && typeof (x as MaterialsManager)?.decryptMaterials === 'function'
}

export function isKeyring(x: unknown): x is Keyring {
  return typeof (x as Keyring)?.onEncrypt === 'function' && typeof (x as Keyring)?.onDecrypt === 'function'
}
