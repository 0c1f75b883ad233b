/**
 * The raw AES keyring (framework/raw-aes-keyring.md): wraps the data key with AES-GCM under a
 * key the application holds, binding the encryption context as AAD.
 *
 *   provider id:   the key namespace
 *   provider info: key name || tag length in bits (u32, 128) || IV length (u32, 12) || IV (12)
 *   ciphertext:    AES-GCM(data key) || tag (16)
 *   AAD:           the encryption context, serialized (pairs sorted by UTF-8 key bytes)
 *
 * A wrapping key given as bytes is imported non-extractable; 192-bit keys stay bytes for
 * @noble/ciphers, as Chromium's WebCrypto has no AES-192.
 */
import { concatBytes, equalBytes, uint32be, utf8 } from '../../util/bytes.js'
import { aesGcmFromCryptoKey, importAesGcmKey, type AesGcmKey } from '../crypto/aesGcm.js'
import { serializeEncryptionContext, serializeEncryptionContextLegacyOrder } from '../format/encryptionContext.js'
import { edk, type EncryptedDataKey } from '../format/header.js'
import { KeyringError } from '../errors.js'
import type { DecryptionMaterials, EncryptionMaterials, Keyring } from '../materials/types.js'
import { randomBytes, randomOption, type RandomSource } from '../random.js'
import { assertNamespace, dataKeyFor, keyringRandom } from './common.js'

/** The options of {@link RawAesKeyring} (framework/raw-aes-keyring.md, "Initialization"). */
export interface RawAesKeyringOptions {
  /** Stored as each wrapped data key's provider id; must not begin with the reserved `aws-kms`. */
  keyNamespace: string
  /** Stored at the start of the provider info. Decrypt needs the same namespace, name and key. */
  keyName: string
  /** An AES-GCM CryptoKey (usages encrypt and decrypt), or 16, 24 or 32 bytes. */
  wrappingKey: CryptoKey | Uint8Array
  /** For the data key (as generator) and the wrapping IVs. Default: the client's random source. */
  random?: RandomSource
}

const TAG_BITS = 128
const IV_LENGTH = 12

/**
 * The raw AES keyring (framework/raw-aes-keyring.md): wraps each message's data key with
 * AES-GCM (a random 12-byte IV, a 16-byte tag) under a key the application holds, binding the
 * encryption context as AAD. The AWS Encryption SDKs' raw AES keyrings with the same namespace,
 * name and key decrypt its messages, and it decrypts theirs.
 *
 * @throws `TypeError` from the constructor for an empty `keyName` or `keyNamespace`, a namespace
 * beginning with `aws-kms`, or a `wrappingKey` that is neither bytes nor an AES-GCM CryptoKey;
 * `RangeError` for key bytes that are not 16, 24 or 32 long. Encrypting, {@link KeyringError}
 * `ERR_ENVELOPE_KEYRING` when the wrapping key cannot encrypt (e.g. a CryptoKey without that usage).
 *
 * @example
 * ```ts
 * import { buildClient, RawAesKeyring } from '@webkms/core/envelope'
 *
 * // Non-extractable: the page can use the wrapping key but never read it.
 * const wrappingKey = await crypto.subtle.generateKey({ name: 'AES-GCM', length: 256 }, false, ['encrypt', 'decrypt'])
 * const keyring = new RawAesKeyring({ keyNamespace: 'notes-app', keyName: 'notes-2025', wrappingKey })
 * const { encrypt, decrypt } = buildClient()
 * const { result } = await encrypt(keyring, 'a note', { encryptionContext: { user: 'ada' } })
 * const { plaintext } = await decrypt(keyring, result)
 * ```
 */
export class RawAesKeyring implements Keyring {
  readonly keyNamespace: string
  readonly keyName: string
  #key: Promise<AesGcmKey>
  #keyName: Uint8Array
  #random: RandomSource | undefined

  constructor({ keyNamespace, keyName, wrappingKey, random }: RawAesKeyringOptions) {
    assertNamespace(keyNamespace, 'keyNamespace')
    if (typeof keyName !== 'string' || keyName.length === 0) throw new TypeError('"keyName" expected a non-empty string')
    this.keyNamespace = keyNamespace
    this.keyName = keyName
    this.#keyName = utf8(keyName)
    this.#random = randomOption(random)
    if (wrappingKey instanceof Uint8Array) {
      if (![16, 24, 32].includes(wrappingKey.byteLength)) {
        throw new RangeError(`"wrappingKey" expected 16, 24 or 32 bytes, got length=${wrappingKey.byteLength}`)
      }
      this.#key = importAesGcmKey(wrappingKey)
    } else if (isAesGcmCryptoKey(wrappingKey)) {
      this.#key = Promise.resolve(aesGcmFromCryptoKey(wrappingKey))
    } else {
      throw new TypeError('"wrappingKey" expected an AES-GCM CryptoKey or a Uint8Array')
    }
    this.#key.catch(() => undefined) // surfaced on first use
  }

  async onEncrypt(materials: EncryptionMaterials): Promise<EncryptionMaterials> {
    const random = keyringRandom(this.#random, materials)
    const dataKey = dataKeyFor(materials, random)
    // raw-aes-keyring.md, OnEncrypt: "a cryptographically random generated IV" (the wrapping key is long-lived).
    const iv = randomBytes(random, IV_LENGTH)
    let sealed: Uint8Array
    try {
      sealed = await (await this.#key).encrypt(iv, dataKey, serializeEncryptionContext(materials.encryptionContext))
    } catch (cause) {
      throw new KeyringError('the raw AES keyring could not wrap the data key', { cause })
    }
    const info = concatBytes(this.#keyName, uint32be(TAG_BITS), uint32be(IV_LENGTH), iv)
    materials.plaintextDataKey = dataKey
    materials.encryptedDataKeys.push(edk(this.keyNamespace, info, sealed))
    return materials
  }

  async onDecrypt(materials: DecryptionMaterials, encryptedDataKeys: readonly EncryptedDataKey[]): Promise<DecryptionMaterials> {
    if (materials.plaintextDataKey) return materials
    const key = await this.#key
    const aad = serializeEncryptionContext(materials.encryptionContext)
    // The AWS JavaScript SDK's raw AES keyring orders the pairs its own way by default; where
    // that order differs from the specification's, try it too. Both orders bind the same pairs.
    const legacy = serializeEncryptionContextLegacyOrder(materials.encryptionContext)
    const aads = equalBytes(aad, legacy) ? [aad] : [aad, legacy]
    for (const k of encryptedDataKeys) {
      const iv = this.#ivIfOurs(k, materials.suite.keyLength)
      if (!iv) continue
      for (const a of aads) {
        try {
          materials.plaintextDataKey = await key.decrypt(iv, k.encryptedDataKey, a)
          return materials
        } catch {
          // Not ours after all (or tampered): try the next one.
        }
      }
    }
    return materials
  }

  /** The IV from the provider info when the EDK is this keyring's, else undefined. */
  #ivIfOurs(k: EncryptedDataKey, keyLength: number): Uint8Array | undefined {
    const name = this.#keyName
    const info = k.rawInfo
    if (k.providerId !== this.keyNamespace || info.byteLength !== name.byteLength + 8 + IV_LENGTH) return undefined
    for (let i = 0; i < name.byteLength; i++) if (info[i] !== name[i]) return undefined
    const view = new DataView(info.buffer, info.byteOffset + name.byteLength, 8)
    if (view.getUint32(0) !== TAG_BITS || view.getUint32(4) !== IV_LENGTH) return undefined
    if (k.encryptedDataKey.byteLength !== keyLength + TAG_BITS / 8) return undefined
    return info.subarray(name.byteLength + 8)
  }
}

function isAesGcmCryptoKey(k: unknown): k is CryptoKey {
  const key = k as CryptoKey
  return typeof key === 'object' && key !== null && (key.algorithm as { name?: string } | undefined)?.name === 'AES-GCM'
}
