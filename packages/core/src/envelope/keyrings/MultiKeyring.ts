/**
 * The multi-keyring (framework/multi-keyring.md): the generator makes (and wraps) the data
 * key, every child wraps it too; on decrypt the first keyring that unwraps a key wins.
 * Without a generator it can only wrap a data key something else made, or decrypt.
 */
import { KeyringError } from '../errors.js'
import type { EncryptedDataKey } from '../format/header.js'
import { isKeyring, type DecryptionMaterials, type EncryptionMaterials, type Keyring } from '../materials/types.js'

/** The options of {@link MultiKeyring} (framework/multi-keyring.md): a generator, children, or both. */
export interface MultiKeyringOptions {
  /** Makes the data key and wraps it; tried first on decrypt. */
  generator?: Keyring
  /** Each wraps the data key too; tried in order on decrypt. */
  children?: Keyring[]
}

/**
 * The multi-keyring (framework/multi-keyring.md): wraps one data key with several keyrings, so
 * any of them can decrypt the message. The generator makes the data key and every child wraps
 * it too; decrypting, the generator and then each child is tried until one unwraps a data key
 * (a keyring that throws is skipped; if none unwraps one, what they threw is thrown together as
 * a KeyringError whose cause is an `AggregateError`). Without a generator it can only decrypt,
 * or wrap a data key made before it.
 *
 * @throws `TypeError` from the constructor when `generator` or a child is not a keyring, or
 * neither is given. Encrypting, {@link KeyringError} `ERR_ENVELOPE_KEYRING` when there is no
 * generator and no data key yet, and whatever the generator or a child throws.
 *
 * @example
 * ```ts
 * import { buildClient, createKms, KmsKeyring, MultiKeyring, RawRsaKeyring } from '@webkms/core'
 *
 * declare const escrowKey: CryptoKey // RSA-OAEP SHA-256 public key; its private key stays offline
 * const kms = createKms()
 * const { KeyMetadata } = await kms.createKey({})
 * const keyring = new MultiKeyring({
 *   generator: new KmsKeyring({ client: kms, generatorKeyId: KeyMetadata.Arn }),
 *   children: [new RawRsaKeyring({ keyNamespace: 'escrow', keyName: 'rsa-1', publicKey: escrowKey, oaepHash: 'SHA-256' })],
 * })
 * const { messageHeader } = await buildClient().encrypt(keyring, 'hello')
 * console.log(messageHeader.encryptedDataKeys.map((k) => k.providerId)) // ['webkms', 'escrow']
 * ```
 */
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
    // multi-keyring.md, OnEncrypt: with a generator, "If the input encryption materials already
    // include a plaintext data key, OnEncrypt MUST fail."
    if (this.generator && materials.plaintextDataKey) throw new KeyringError('a multi-keyring with a generator makes the data key: the materials already have one')
    if (this.generator) materials = await this.generator.onEncrypt(materials)
    if (!materials.plaintextDataKey) throw new KeyringError('a multi-keyring without a generator needs a data key made before it')
    for (const child of this.children) materials = await child.onEncrypt(materials)
    return materials
  }

  async onDecrypt(materials: DecryptionMaterials, encryptedDataKeys: readonly EncryptedDataKey[]): Promise<DecryptionMaterials> {
    if (materials.plaintextDataKey) throw new KeyringError('the decryption materials already hold a data key')
    const errors: unknown[] = []
    for (const keyring of this.generator ? [this.generator, ...this.children] : this.children) {
      if (materials.plaintextDataKey) return materials
      try {
        materials = await keyring.onDecrypt(materials, encryptedDataKeys)
      } catch (error) {
        // A failing child must not stop the others; if none decrypts, their errors are the
        // multi-keyring's (multi-keyring.md, OnDecrypt).
        errors.push(error)
      }
    }
    // Children that merely found nothing (a raw keyring: which check failed stays untold,
    // errors.ts) leave no error to report, and then neither does the multi-keyring.
    if (!materials.plaintextDataKey && errors.length) throw new KeyringError('no keyring of the multi-keyring decrypted a data key', { cause: new AggregateError(errors, 'the keyrings\' errors') })
    return materials
  }
}
