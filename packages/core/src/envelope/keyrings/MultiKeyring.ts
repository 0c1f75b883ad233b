/**
 * The multi-keyring (framework/multi-keyring.md): the generator makes (and wraps) the data
 * key, every child wraps it too; on decrypt the first keyring that unwraps a key wins.
 * Without a generator it can only wrap a data key something else made, or decrypt.
 */
import { KeyringError } from '../errors.js'
import type { EncryptedDataKey } from '../format/header.js'
import { isKeyring, type DecryptionMaterials, type EncryptionMaterials, type Keyring } from '../materials/types.js'

export interface MultiKeyringOptions {
  generator?: Keyring
  children?: Keyring[]
}

export class MultiKeyring implements Keyring {
  readonly generator: Keyring | undefined
  readonly children: readonly Keyring[]

  constructor({ generator, children = [] }: MultiKeyringOptions) {
    if (generator !== undefined && !isKeyring(generator)) throw new TypeError('"generator" expected a keyring')
    if (!Array.isArray(children) || !children.every(isKeyring)) throw new TypeError('"children" expected an array of keyrings')
    if (!generator && children.length === 0) throw new TypeError('"generator" or "children" expected')
    this.generator = generator
    this.children = [...children]
  }

  async onEncrypt(materials: EncryptionMaterials): Promise<EncryptionMaterials> {
    if (this.generator) materials = await this.generator.onEncrypt(materials)
    if (!materials.plaintextDataKey) throw new KeyringError('a multi-keyring without a generator needs a data key made before it')
    for (const child of this.children) materials = await child.onEncrypt(materials)
    return materials
  }

  async onDecrypt(materials: DecryptionMaterials, encryptedDataKeys: readonly EncryptedDataKey[]): Promise<DecryptionMaterials> {
    for (const keyring of this.generator ? [this.generator, ...this.children] : this.children) {
      if (materials.plaintextDataKey) break
      try {
        materials = await keyring.onDecrypt(materials, encryptedDataKeys)
      } catch {
        // A failing child must not stop the others (multi-keyring.md, OnDecrypt).
      }
    }
    return materials
  }
}
