/**
 * The default CMM (framework/default-cmm.md): picks the suite (the commitment policy's default
 * unless asked for another), creates the per-message signing key for signing suites and puts
 * its public key in the context under `aws-crypto-public-key`, and asks the keyring for the
 * data key. On decrypt it merges the reproduced context into the header's: pairs present in
 * both must agree; pairs only reproduced become required (authenticated, not stored).
 *
 * Contexts are merged as lists of pairs (Object.entries, Object.fromEntries): assigning
 * `context[key] = value` would set the prototype for a key named `__proto__`, not add the pair,
 * and a required pair silently dropped would go unauthenticated.
 */
import { createMessageSigner, createMessageVerifier } from '../crypto/signature.js'
import { DecryptionError, KeyringError } from '../errors.js'
import { algorithmSuites, defaultSuite, policyAllowsEncrypt } from '../suites.js'
import type { DecryptionMaterials, DecryptionRequest, EncryptionMaterials, EncryptionRequest, Keyring, MaterialsManager } from './types.js'

export const PUBLIC_KEY_CONTEXT_KEY = 'aws-crypto-public-key'

/**
 * The default materials manager (framework/default-cmm.md): what the client wraps around a
 * keyring passed on its own. Encrypting, it picks the suite (the `suiteId` asked for, else
 * 0x0578, or 0x0378 under `FORBID_ENCRYPT_ALLOW_DECRYPT`), makes a per-message ECDSA key for
 * signing suites and puts its public key in the context as `aws-crypto-public-key`, then has
 * the keyring make and wrap the data key. Decrypting, it merges the caller's context into the
 * header's: pairs in both must agree; pairs only the caller gave become required
 * (authenticated, not stored).
 *
 * @throws `TypeError` from the constructor when `keyring` is not a keyring.
 *
 * @example
 * ```ts
 * import { buildClient, DefaultMaterialsManager, RawAesKeyring } from '@webkms/core/envelope'
 *
 * const keyring = new RawAesKeyring({ keyNamespace: 'app', keyName: 'k1', wrappingKey: crypto.getRandomValues(new Uint8Array(32)) })
 * const cmm = new DefaultMaterialsManager(keyring) // what buildClient().encrypt(keyring, ...) does itself
 * const { result } = await buildClient().encrypt(cmm, 'hello', { encryptionContext: { tenant: 'acme' } })
 * ```
 */
export class DefaultMaterialsManager implements MaterialsManager {
  constructor(readonly keyring: Keyring) {
    if (typeof keyring?.onEncrypt !== 'function') throw new TypeError('"keyring" expected a keyring')
  }

  /**
   * Picks the suite, makes the signing key for a signing suite, and has the keyring make and
   * wrap the data key (framework/default-cmm.md, "Get Encryption Materials").
   *
   * @throws `RangeError` for a `suiteId` the commitment policy forbids; `TypeError` for a context
   * that already has `aws-crypto-public-key`; {@link KeyringError} `ERR_ENVELOPE_KEYRING` when
   * the keyring returns no data key of the suite's length or no wrapped copy (and whatever the
   * keyring's `onEncrypt` throws).
   */
  async getEncryptionMaterials(request: EncryptionRequest): Promise<EncryptionMaterials> {
    const suite = request.suiteId === undefined ? defaultSuite(request.commitmentPolicy) : algorithmSuites[request.suiteId]
    if (!policyAllowsEncrypt(request.commitmentPolicy, suite)) {
      throw new RangeError(`"suiteId" 0x${suite.id.toString(16).padStart(4, '0')} is not allowed by the commitment policy ${request.commitmentPolicy}`)
    }
    if (Object.hasOwn(request.encryptionContext, PUBLIC_KEY_CONTEXT_KEY)) {
      throw new TypeError(`"encryptionContext" must not contain the reserved key ${PUBLIC_KEY_CONTEXT_KEY}`)
    }
    const pairs = Object.entries(request.encryptionContext)
    let signer
    if (suite.signature) {
      signer = await createMessageSigner(suite.signature)
      pairs.push([PUBLIC_KEY_CONTEXT_KEY, signer.publicKey])
    }
    const materials: EncryptionMaterials = { suite, encryptionContext: Object.fromEntries(pairs), encryptedDataKeys: [], requiredEncryptionContextKeys: [] }
    if (signer) materials.signer = signer
    if (request.random) materials.random = request.random
    const out = await this.keyring.onEncrypt(materials)
    if (out.plaintextDataKey?.byteLength !== suite.keyLength || out.encryptedDataKeys.length === 0) {
      throw new KeyringError('the keyring produced no usable data key')
    }
    return out
  }

  /**
   * Merges the reproduced context into the header's, takes the verification key from
   * `aws-crypto-public-key` for a signing suite, and has the keyring unwrap a data key
   * (framework/default-cmm.md, "Decrypt Materials").
   *
   * @throws {@link DecryptionError} `ERR_ENVELOPE_DECRYPTION_FAILED` when a reproduced pair
   * disagrees with the header, the public key is missing or invalid for a signing suite (or
   * present for another), or the keyring unwraps no data key of the suite's length.
   */
  async decryptMaterials(request: DecryptionRequest): Promise<DecryptionMaterials> {
    const { suite } = request
    const stored = new Map(Object.entries(request.encryptionContext))
    const pairs = [...stored]
    const requiredEncryptionContextKeys: string[] = []
    for (const [k, v] of Object.entries(request.reproducedEncryptionContext ?? {})) {
      if (stored.has(k)) {
        if (stored.get(k) !== v) throw new DecryptionError()
      } else {
        pairs.push([k, v])
        requiredEncryptionContextKeys.push(k)
      }
    }
    const encryptionContext = Object.fromEntries(pairs)
    const publicKey = Object.hasOwn(encryptionContext, PUBLIC_KEY_CONTEXT_KEY) ? encryptionContext[PUBLIC_KEY_CONTEXT_KEY] : undefined
    const materials: DecryptionMaterials = { suite, encryptionContext, requiredEncryptionContextKeys }
    if (suite.signature) {
      if (publicKey === undefined) throw new DecryptionError()
      try {
        materials.verifier = await createMessageVerifier(suite.signature, publicKey)
      } catch {
        // The message's public key is not a point on the curve: a check of its bytes, no cause (errors.ts).
        throw new DecryptionError()
      }
    } else if (publicKey !== undefined) {
      throw new DecryptionError()
    }
    const out = await this.keyring.onDecrypt(materials, request.encryptedDataKeys)
    if (out.plaintextDataKey?.byteLength !== suite.keyLength) throw new DecryptionError()
    return out
  }
}
