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

export class DefaultMaterialsManager implements MaterialsManager {
  constructor(readonly keyring: Keyring) {
    if (typeof keyring?.onEncrypt !== 'function') throw new TypeError('"keyring" expected a keyring')
  }

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
      } catch (cause) {
        throw new DecryptionError({ cause })
      }
    } else if (publicKey !== undefined) {
      throw new DecryptionError()
    }
    const out = await this.keyring.onDecrypt(materials, request.encryptedDataKeys)
    if (out.plaintextDataKey?.byteLength !== suite.keyLength) throw new DecryptionError()
    return out
  }
}
