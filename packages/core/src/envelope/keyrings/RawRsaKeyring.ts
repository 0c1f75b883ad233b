/**
 * The raw RSA keyring (framework/raw-rsa-keyring.md): wraps the data key with RSA-OAEP, MGF1
 * with the same hash, empty label. The encryption context is not bound by this keyring (the
 * message header authenticates it). RSAES-PKCS1-v1_5 is not offered: it is deprecated and
 * WebCrypto does not implement it.
 *
 *   provider id: the key namespace; provider info: the key name; ciphertext: RSA-OAEP(data key)
 */
import { utf8 } from '../../util/bytes.js'
import { edk, type EncryptedDataKey } from '../format/header.js'
import { KeyringError } from '../errors.js'
import type { DecryptionMaterials, EncryptionMaterials, Keyring } from '../materials/types.js'
import { randomOption, type RandomSource } from '../random.js'
import { assertNamespace, dataKeyFor, keyringRandom } from './common.js'

/**
 * The hashes a {@link RawRsaKeyring} can use for RSA-OAEP, and for its MGF1 alike
 * (framework/raw-rsa-keyring.md, "Supported Padding Schemes").
 */
export type OaepHash = 'SHA-1' | 'SHA-256' | 'SHA-384' | 'SHA-512'

/**
 * The options of {@link RawRsaKeyring} (framework/raw-rsa-keyring.md, "Inputs"): a public key
 * to encrypt, a private key to decrypt, or both.
 */
export interface RawRsaKeyringOptions {
  /** Stored as each wrapped data key's provider id; must not begin with the reserved `aws-kms`. */
  keyNamespace: string
  /** Stored as the provider info. Decrypt needs the same namespace and name. */
  keyName: string
  /** RSA-OAEP public key (usage encrypt); needed to encrypt. */
  publicKey?: CryptoKey
  /** RSA-OAEP private key (usage decrypt); needed to decrypt. */
  privateKey?: CryptoKey
  /** The OAEP hash; both keys must have been imported for RSA-OAEP with it. */
  oaepHash: OaepHash
  /** For the data key, as generator (OAEP's own seed comes from WebCrypto). Default: the client's random source. */
  random?: RandomSource
}

const HASHES: readonly OaepHash[] = ['SHA-1', 'SHA-256', 'SHA-384', 'SHA-512']

/**
 * The raw RSA keyring (framework/raw-rsa-keyring.md): wraps each message's data key with
 * RSA-OAEP (MGF1 with the same hash, empty label) under the application's public key, and
 * unwraps it with the private key. The encryption context is not bound by the keyring (the
 * message header authenticates it). PKCS #1 v1.5 padding is not offered.
 *
 * @throws `TypeError` from the constructor for an empty or `aws-kms` namespace, an empty name,
 * an unknown `oaepHash`, no key, or a key that is not an RSA-OAEP key of its type imported for
 * `oaepHash`. Encrypting, {@link KeyringError} `ERR_ENVELOPE_KEYRING` without a public key or
 * when WebCrypto cannot wrap the data key.
 *
 * @example
 * ```ts
 * import { buildClient, RawRsaKeyring } from '@webkms/core/envelope'
 *
 * const { publicKey, privateKey } = await crypto.subtle.generateKey(
 *   { name: 'RSA-OAEP', modulusLength: 3072, publicExponent: new Uint8Array([1, 0, 1]), hash: 'SHA-256' },
 *   false,
 *   ['encrypt', 'decrypt'],
 * )
 * // Whoever writes holds only the public key; the private key decrypts elsewhere.
 * const writer = new RawRsaKeyring({ keyNamespace: 'backups', keyName: 'rsa-2025', publicKey, oaepHash: 'SHA-256' })
 * const reader = new RawRsaKeyring({ keyNamespace: 'backups', keyName: 'rsa-2025', privateKey, oaepHash: 'SHA-256' })
 * const { encrypt, decrypt } = buildClient()
 * const { result } = await encrypt(writer, 'backup')
 * const { plaintext } = await decrypt(reader, result)
 * ```
 */
export class RawRsaKeyring implements Keyring {
  readonly keyNamespace: string
  readonly keyName: string
  readonly oaepHash: OaepHash
  #publicKey: CryptoKey | undefined
  #privateKey: CryptoKey | undefined
  #random: RandomSource | undefined

  constructor({ keyNamespace, keyName, publicKey, privateKey, oaepHash, random }: RawRsaKeyringOptions) {
    assertNamespace(keyNamespace, 'keyNamespace')
    if (typeof keyName !== 'string' || keyName.length === 0) throw new TypeError('"keyName" expected a non-empty string')
    if (!HASHES.includes(oaepHash)) throw new TypeError(`"oaepHash" expected one of ${HASHES.join(', ')}`)
    if (!publicKey && !privateKey) throw new TypeError('"publicKey" or "privateKey" expected')
    for (const [name, key, type] of [['publicKey', publicKey, 'public'], ['privateKey', privateKey, 'private']] as const) {
      if (!key) continue
      const alg = key.algorithm as RsaHashedKeyAlgorithm
      if (alg?.name !== 'RSA-OAEP' || key.type !== type) throw new TypeError(`"${name}" expected an RSA-OAEP ${type} CryptoKey`)
      if (alg.hash?.name !== oaepHash) throw new TypeError(`"${name}" was imported for ${alg.hash?.name}, not "oaepHash" ${oaepHash}`)
    }
    this.keyNamespace = keyNamespace
    this.keyName = keyName
    this.oaepHash = oaepHash
    this.#publicKey = publicKey
    this.#privateKey = privateKey
    this.#random = randomOption(random)
  }

  async onEncrypt(materials: EncryptionMaterials): Promise<EncryptionMaterials> {
    if (!this.#publicKey) throw new KeyringError('the raw RSA keyring has no public key to encrypt with')
    const dataKey = dataKeyFor(materials, keyringRandom(this.#random, materials))
    let wrapped: ArrayBuffer
    try {
      wrapped = await globalThis.crypto.subtle.encrypt({ name: 'RSA-OAEP' }, this.#publicKey, dataKey.slice())
    } catch (cause) {
      throw new KeyringError('the raw RSA keyring could not wrap the data key', { cause })
    }
    materials.plaintextDataKey = dataKey
    materials.encryptedDataKeys.push(edk(this.keyNamespace, utf8(this.keyName), new Uint8Array(wrapped)))
    return materials
  }

  async onDecrypt(materials: DecryptionMaterials, encryptedDataKeys: readonly EncryptedDataKey[]): Promise<DecryptionMaterials> {
    if (materials.plaintextDataKey || !this.#privateKey) return materials
    for (const k of encryptedDataKeys) {
      if (k.providerId !== this.keyNamespace || k.providerInfo !== this.keyName) continue
      try {
        const key = new Uint8Array(await globalThis.crypto.subtle.decrypt({ name: 'RSA-OAEP' }, this.#privateKey, k.encryptedDataKey.slice()))
        if (key.byteLength !== materials.suite.keyLength) continue
        materials.plaintextDataKey = key
        return materials
      } catch {
        // Not ours, or tampered: try the next one.
      }
    }
    return materials
  }
}
