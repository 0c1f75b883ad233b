/**
 * Encrypt and Decrypt with RSA keys (RSAES-OAEP, RFC 8017 §7.1), apart from cryptography.ts:
 * RSA keys are rare, so this module and the key spec table it reads load with the first call
 * on one, and an engine that only has symmetric keys never loads them.
 */
import type { KeyRecord, KeyVersionRecord } from '../../keystore/records.js'
import { oaepDecrypt, oaepEncrypt } from '../crypto/asymmetric.js'
import { InvalidKeyUsageException, ValidationException } from '../errors.js'
import type { ContextPairs } from '../format/encryptionContext.js'
import { oaepMaxPlaintext, SPECS, type AsymmetricEncryptionAlgorithm } from '../keySpecs.js'
import type * as T from '../types.js'

/**
 * Checks an RSA key's algorithm against its spec (InvalidKeyUsageException unless it is one of
 * the spec's RSAES_OAEP algorithms, as AWS) and refuses an encryption context, which only
 * symmetric keys authenticate (ValidationException).
 */
export function checkRsaAlgorithm(key: KeyRecord, algorithm: T.EncryptionAlgorithmSpec, context: ContextPairs | undefined): void {
  if (!SPECS[key.keySpec]?.encryption?.[algorithm as AsymmetricEncryptionAlgorithm]) {
    throw new InvalidKeyUsageException(`The encryption algorithm ${algorithm} is not supported by ${key.arn} (${key.keySpec}); use RSAES_OAEP_SHA_1 or RSAES_OAEP_SHA_256`)
  }
  if (context !== undefined) throw new ValidationException('EncryptionContext is supported only with symmetric encryption KMS keys')
}

/** An OAEP ciphertext under the version's public key; ValidationException for a plaintext longer than the spec and algorithm allow. */
export async function rsaEncrypt(key: KeyRecord, version: KeyVersionRecord, algorithm: AsymmetricEncryptionAlgorithm, plaintext: Uint8Array): Promise<Uint8Array> {
  const info = SPECS[key.keySpec]!
  const max = oaepMaxPlaintext(info.modulusLength!, algorithm)
  if (plaintext.byteLength > max) throw new ValidationException(`Plaintext is ${plaintext.byteLength} bytes; ${key.keySpec} with ${algorithm} encrypts at most ${max} bytes`)
  return oaepEncrypt(version.publicKey!, info.encryption![algorithm]!, plaintext)
}

export { oaepDecrypt as rsaDecrypt }
