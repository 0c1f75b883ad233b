/**
 * Known key material into the engine, the way an AWS KMS user imports it (BYOK, "Importing key
 * material" in the KMS developer guide), with WebCrypto only so it runs in every runtime:
 * GetParametersForImport with RSA_AES_KEY_WRAP_SHA_256, a fresh AES-256 key encrypted with
 * RSA-OAEP-SHA256 under the wrapping public key, the material wrapped under that AES key with
 * AES key wrap with padding (RFC 5649, @noble/ciphers: WebCrypto's AES-KW has no padding), then
 * ImportKeyMaterial with material that does not expire.
 */
import { aeskwp } from '@noble/ciphers/aes.js'
import type { KeyMetadata, KeySpec, Kms, KeyUsageType } from '../src/index.js'

/** Wraps `material` (raw secret or PKCS#8 DER) for the import parameters `publicKey` (SPKI) belongs to. */
export async function wrapForImport(publicKey: Uint8Array, material: Uint8Array): Promise<Uint8Array> {
  const wrappingKey = await crypto.subtle.importKey('spki', new Uint8Array(publicKey), { name: 'RSA-OAEP', hash: 'SHA-256' }, false, ['encrypt'])
  const aesKey = crypto.getRandomValues(new Uint8Array(32))
  const encryptedAesKey = new Uint8Array(await crypto.subtle.encrypt({ name: 'RSA-OAEP' }, wrappingKey, aesKey))
  const wrapped = aeskwp(aesKey).encrypt(material)
  const out = new Uint8Array(encryptedAesKey.length + wrapped.length)
  out.set(encryptedAesKey)
  out.set(wrapped, encryptedAesKey.length)
  return out
}

/** Imports `material` into the EXTERNAL key `KeyId` (which must be waiting for it). */
export async function importMaterial(kms: Kms, KeyId: string, material: Uint8Array): Promise<void> {
  const { ImportToken, PublicKey } = await kms.getParametersForImport({ KeyId, WrappingAlgorithm: 'RSA_AES_KEY_WRAP_SHA_256', WrappingKeySpec: 'RSA_2048' })
  await kms.importKeyMaterial({ KeyId, ImportToken, EncryptedKeyMaterial: await wrapForImport(PublicKey, material), ExpirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE' })
}

/** A new EXTERNAL key of this spec and usage holding `material`. */
export async function externalKey(kms: Kms, KeySpec: KeySpec, KeyUsage: KeyUsageType, material: Uint8Array): Promise<KeyMetadata> {
  const { KeyMetadata } = await kms.createKey({ KeySpec, KeyUsage, Origin: 'EXTERNAL' })
  await importMaterial(kms, KeyMetadata.KeyId, material)
  return KeyMetadata
}
