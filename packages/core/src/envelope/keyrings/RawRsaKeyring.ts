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

export type OaepHash = 'SHA-1' | 'SHA-256' | 'SHA-384' | 'SHA-512'

export interface RawRsaKeyringOptions {
  keyNamespace: string
  keyName: string
  /** RSA-OAEP public key (usage encrypt); needed to encrypt. */
  publicKey?: CryptoKey
  /** RSA-OAEP private key (usage decrypt); needed to decrypt. */
  privateKey?: CryptoKey
  oaepHash: OaepHash
  /** For the data key, as generator (OAEP's own seed comes from WebCrypto). Default: the client's random source. */
  random?: RandomSource
}

const HASHES: readonly OaepHash[] = ['SHA-1', 'SHA-256', 'SHA-384', 'SHA-512']

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
