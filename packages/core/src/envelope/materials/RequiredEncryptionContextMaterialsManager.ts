/**
 * The required-encryption-context CMM (framework/required-encryption-context-cmm.md): the
 * listed context keys must be present when encrypting; their pairs are then authenticated
 * but left out of the stored header, so a decryptor must supply them again (the
 * `encryptionContext` option of decrypt).
 */
import { DecryptionError } from '../errors.js'
import { DefaultMaterialsManager } from './DefaultMaterialsManager.js'
import { isKeyring, type DecryptionMaterials, type DecryptionRequest, type EncryptionMaterials, type EncryptionRequest, type Keyring, type MaterialsManager } from './types.js'

/** The options of {@link RequiredEncryptionContextMaterialsManager}. */
export interface RequiredEncryptionContextOptions {
  /** The CMM (or a keyring, wrapped in the default CMM) that makes the materials. */
  underlying: MaterialsManager | Keyring
  /** Context keys every message must have; their pairs are authenticated but not stored in the header. */
  requiredEncryptionContextKeys: string[]
}

/**
 * The required-encryption-context materials manager
 * (framework/required-encryption-context-cmm.md): the listed context keys must be present when
 * encrypting, and their pairs are authenticated but left out of the stored header, so whoever
 * decrypts must supply them again (the `encryptionContext` option of `decrypt`).
 *
 * @throws `TypeError` from the constructor when `requiredEncryptionContextKeys` is not an array
 * of strings.
 *
 * @example
 * ```ts
 * import { buildClient, RawAesKeyring, RequiredEncryptionContextMaterialsManager } from '@webkms/core/envelope'
 *
 * const keyring = new RawAesKeyring({ keyNamespace: 'app', keyName: 'k1', wrappingKey: crypto.getRandomValues(new Uint8Array(32)) })
 * const cmm = new RequiredEncryptionContextMaterialsManager({ underlying: keyring, requiredEncryptionContextKeys: ['tenant'] })
 * const { encrypt, decrypt } = buildClient()
 * const { result, messageHeader } = await encrypt(cmm, 'hello', { encryptionContext: { tenant: 'acme', purpose: 'demo' } })
 * console.log(messageHeader.encryptionContext.tenant) // undefined: authenticated, not stored
 * const { plaintext } = await decrypt(cmm, result, { encryptionContext: { tenant: 'acme' } })
 * ```
 */
export class RequiredEncryptionContextMaterialsManager implements MaterialsManager {
  readonly underlying: MaterialsManager
  readonly requiredEncryptionContextKeys: readonly string[]

  constructor({ underlying, requiredEncryptionContextKeys }: RequiredEncryptionContextOptions) {
    if (!Array.isArray(requiredEncryptionContextKeys) || requiredEncryptionContextKeys.some((k) => typeof k !== 'string')) {
      throw new TypeError('"requiredEncryptionContextKeys" expected an array of strings')
    }
    this.underlying = isKeyring(underlying) ? new DefaultMaterialsManager(underlying) : underlying
    this.requiredEncryptionContextKeys = [...requiredEncryptionContextKeys]
  }

  /**
   * Checks that the context has every required key, has the underlying manager make the
   * materials, and marks those keys required (framework/required-encryption-context-cmm.md,
   * "Get Encryption Materials").
   *
   * @throws `TypeError` naming a required key the context lacks; whatever the underlying manager throws.
   */
  async getEncryptionMaterials(request: EncryptionRequest): Promise<EncryptionMaterials> {
    for (const k of this.requiredEncryptionContextKeys) {
      if (!Object.hasOwn(request.encryptionContext, k)) {
        throw new TypeError(`"encryptionContext" is missing the required key "${k}"`)
      }
    }
    const materials = await this.underlying.getEncryptionMaterials(request)
    materials.requiredEncryptionContextKeys = union(materials.requiredEncryptionContextKeys, this.requiredEncryptionContextKeys)
    return materials
  }

  /**
   * Checks that the caller reproduced every required key, then has the underlying manager make
   * the materials (framework/required-encryption-context-cmm.md, "Decrypt Materials").
   *
   * @throws {@link DecryptionError} `ERR_ENVELOPE_DECRYPTION_FAILED` when a required key was not
   * reproduced; whatever the underlying manager throws.
   */
  async decryptMaterials(request: DecryptionRequest): Promise<DecryptionMaterials> {
    const reproduced = request.reproducedEncryptionContext ?? {}
    if (this.requiredEncryptionContextKeys.some((k) => !Object.hasOwn(reproduced, k))) throw new DecryptionError()
    const materials = await this.underlying.decryptMaterials(request)
    const stored = request.encryptionContext
    // Required pairs the header did store are checked (equal values) by the underlying CMM.
    materials.requiredEncryptionContextKeys = union(
      materials.requiredEncryptionContextKeys,
      this.requiredEncryptionContextKeys.filter((k) => !Object.hasOwn(stored, k)),
    )
    return materials
  }
}

const union = (a: readonly string[], b: readonly string[]) => [...new Set([...a, ...b])]
