/**
 * The required-encryption-context CMM (framework/required-encryption-context-cmm.md): the
 * listed context keys must be present when encrypting; their pairs are then authenticated
 * but left out of the stored header, so a decryptor must supply them again (the
 * `encryptionContext` option of decrypt).
 */
import { DecryptionError } from '../errors.js'
import { DefaultMaterialsManager } from './DefaultMaterialsManager.js'
import { isKeyring, type DecryptionMaterials, type DecryptionRequest, type EncryptionMaterials, type EncryptionRequest, type Keyring, type MaterialsManager } from './types.js'

export interface RequiredEncryptionContextOptions {
  /** The CMM (or a keyring, wrapped in the default CMM) that makes the materials. */
  underlying: MaterialsManager | Keyring
  requiredEncryptionContextKeys: string[]
}

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
