/**
 * What each key spec is and does ("Key spec reference" in the AWS KMS developer guide): the key
 * usages it allows, and for each usage the algorithms a call may name, with the WebCrypto
 * parameters that do the work. Every key spec webkms supports is here; anything else is refused
 * at CreateKey with a reason.
 *
 * WebCrypto binds a key to one algorithm and one hash, so an RSA or ECC key version holds its
 * private key once per algorithm AWS allows for it (all imported from the same private key when
 * the version is made; see crypto/keyMaterial.ts).
 */
import type { KeySpec, KeyUsage } from '../keystore/records.js'

export type SigningAlgorithm =
  | 'RSASSA_PSS_SHA_256' | 'RSASSA_PSS_SHA_384' | 'RSASSA_PSS_SHA_512'
  | 'RSASSA_PKCS1_V1_5_SHA_256' | 'RSASSA_PKCS1_V1_5_SHA_384' | 'RSASSA_PKCS1_V1_5_SHA_512'
  | 'ECDSA_SHA_256' | 'ECDSA_SHA_384' | 'ECDSA_SHA_512'
export type AsymmetricEncryptionAlgorithm = 'RSAES_OAEP_SHA_1' | 'RSAES_OAEP_SHA_256'
export type MacAlgorithm = 'HMAC_SHA_224' | 'HMAC_SHA_256' | 'HMAC_SHA_384' | 'HMAC_SHA_512'
export type KeyAgreementAlgorithm = 'ECDH'

/** Every value AWS's model allows, whether or not webkms supports it (the schema's enums). */
export const ALL_KEY_SPECS = [
  'RSA_2048', 'RSA_3072', 'RSA_4096', 'ECC_NIST_P256', 'ECC_NIST_P384', 'ECC_NIST_P521', 'ECC_SECG_P256K1',
  'ECC_NIST_EDWARDS25519', 'SYMMETRIC_DEFAULT', 'HMAC_224', 'HMAC_256', 'HMAC_384', 'HMAC_512', 'SM2',
  'ML_DSA_44', 'ML_DSA_65', 'ML_DSA_87',
] as const
export const ALL_SIGNING_ALGORITHMS = [
  'RSASSA_PSS_SHA_256', 'RSASSA_PSS_SHA_384', 'RSASSA_PSS_SHA_512', 'RSASSA_PKCS1_V1_5_SHA_256', 'RSASSA_PKCS1_V1_5_SHA_384',
  'RSASSA_PKCS1_V1_5_SHA_512', 'ECDSA_SHA_256', 'ECDSA_SHA_384', 'ECDSA_SHA_512', 'SM2DSA', 'ML_DSA_SHAKE_256', 'ED25519_SHA_512', 'ED25519_PH_SHA_512',
] as const
export const ALL_MAC_ALGORITHMS = ['HMAC_SHA_224', 'HMAC_SHA_256', 'HMAC_SHA_384', 'HMAC_SHA_512'] as const
export const ALL_KEY_PAIR_SPECS = ['RSA_2048', 'RSA_3072', 'RSA_4096', 'ECC_NIST_P256', 'ECC_NIST_P384', 'ECC_NIST_P521', 'ECC_SECG_P256K1', 'SM2', 'ECC_NIST_EDWARDS25519'] as const

/** WebCrypto's parameters for one algorithm on one key. */
export interface SigningParams {
  /** For importKey / generateKey. */
  key: RsaHashedImportParams | EcKeyImportParams
  /** For sign / verify. */
  sign: AlgorithmIdentifier | RsaPssParams | EcdsaParams
}

const rsaPss = (hash: string, saltLength: number): SigningParams => ({ key: { name: 'RSA-PSS', hash }, sign: { name: 'RSA-PSS', saltLength } })
const rsaPkcs1 = (hash: string): SigningParams => ({ key: { name: 'RSASSA-PKCS1-v1_5', hash }, sign: { name: 'RSASSA-PKCS1-v1_5' } })
const ecdsa = (namedCurve: string, hash: string): SigningParams => ({ key: { name: 'ECDSA', namedCurve }, sign: { name: 'ECDSA', hash } })

/** AWS KMS's RSASSA-PSS uses a salt as long as the hash (the "Key spec reference"). */
const RSA_SIGNING: Partial<Record<SigningAlgorithm, SigningParams>> = {
  RSASSA_PSS_SHA_256: rsaPss('SHA-256', 32),
  RSASSA_PSS_SHA_384: rsaPss('SHA-384', 48),
  RSASSA_PSS_SHA_512: rsaPss('SHA-512', 64),
  RSASSA_PKCS1_V1_5_SHA_256: rsaPkcs1('SHA-256'),
  RSASSA_PKCS1_V1_5_SHA_384: rsaPkcs1('SHA-384'),
  RSASSA_PKCS1_V1_5_SHA_512: rsaPkcs1('SHA-512'),
}
const RSA_ENCRYPTION: Record<AsymmetricEncryptionAlgorithm, RsaHashedImportParams> = {
  RSAES_OAEP_SHA_1: { name: 'RSA-OAEP', hash: 'SHA-1' },
  RSAES_OAEP_SHA_256: { name: 'RSA-OAEP', hash: 'SHA-256' },
}

/** One key spec as {@link keySpecs} describes it. */
export interface SpecInfo {
  spec: KeySpec
  /** What CreateKey may ask for, the first being the default when KeyUsage is omitted (only symmetric keys have one). */
  usages: readonly KeyUsage[]
  /** The kind of key, which decides the members below. */
  family: 'symmetric' | 'hmac' | 'rsa' | 'ecc'
  /** RSA: modulus bits; ECC: the WebCrypto curve and its field size in bytes. */
  modulusLength?: number
  curve?: 'P-256' | 'P-384' | 'P-521'
  fieldBytes?: number
  /** HMAC: the WebCrypto hash, the one MAC algorithm, and the key sizes AWS accepts for import (bytes). */
  hmac?: { hash: string; algorithm: MacAlgorithm; importBytes: [number, number] }
  /** SIGN_VERIFY: the signing algorithms the spec allows, with WebCrypto's parameters for each. */
  signing?: Partial<Record<SigningAlgorithm, SigningParams>>
  /** ENCRYPT_DECRYPT (RSA): the RSAES-OAEP algorithms, with WebCrypto's import parameters for each. */
  encryption?: Partial<Record<AsymmetricEncryptionAlgorithm, RsaHashedImportParams>>
  /** ECDH parameters for KEY_AGREEMENT. */
  agreement?: EcKeyImportParams
}

const rsa = (bits: number): SpecInfo => ({ spec: `RSA_${bits}` as KeySpec, usages: ['ENCRYPT_DECRYPT', 'SIGN_VERIFY'], family: 'rsa', modulusLength: bits, signing: RSA_SIGNING, encryption: RSA_ENCRYPTION })
const ecc = (spec: KeySpec, curve: 'P-256' | 'P-384' | 'P-521', hash: string, algorithm: SigningAlgorithm, fieldBytes: number): SpecInfo => ({
  spec,
  usages: ['SIGN_VERIFY', 'KEY_AGREEMENT'],
  family: 'ecc',
  curve,
  fieldBytes,
  signing: { [algorithm]: ecdsa(curve, hash) },
  agreement: { name: 'ECDH', namedCurve: curve },
})
const hmac = (bits: 256 | 384 | 512, importBytes: [number, number]): SpecInfo => ({
  spec: `HMAC_${bits}` as KeySpec,
  usages: ['GENERATE_VERIFY_MAC'],
  family: 'hmac',
  hmac: { hash: `SHA-${bits}`, algorithm: `HMAC_SHA_${bits}` as MacAlgorithm, importBytes },
})

/**
 * Every key spec webkms supports, and what it is and does ("Key spec reference" in the AWS KMS
 * developer guide, https://docs.aws.amazon.com/kms/latest/developerguide/symm-asymm-choose-key-spec.html):
 * the key usages CreateKey may ask for, and for each usage the algorithms a call may name, with
 * the WebCrypto parameters that do the work. CreateKey refuses a spec missing here with
 * `UnsupportedOperationException`; `unsupportedKeySpecs` says why.
 *
 * @example
 * ```ts
 * import { keySpecs } from '@webkms/core'
 *
 * for (const [spec, info] of Object.entries(keySpecs)) console.log(spec, info?.usages.join(' ')) // SYMMETRIC_DEFAULT ENCRYPT_DECRYPT ...
 * console.log(Object.keys(keySpecs.ECC_NIST_P256?.signing ?? {})) // ['ECDSA_SHA_256']
 * ```
 */
export const SPECS: Readonly<Partial<Record<KeySpec, SpecInfo>>> = {
  SYMMETRIC_DEFAULT: { spec: 'SYMMETRIC_DEFAULT', usages: ['ENCRYPT_DECRYPT'], family: 'symmetric' },
  HMAC_256: hmac(256, [32, 64]),
  HMAC_384: hmac(384, [48, 128]),
  HMAC_512: hmac(512, [64, 128]),
  RSA_2048: rsa(2048),
  RSA_3072: rsa(3072),
  RSA_4096: rsa(4096),
  ECC_NIST_P256: ecc('ECC_NIST_P256', 'P-256', 'SHA-256', 'ECDSA_SHA_256', 32),
  ECC_NIST_P384: ecc('ECC_NIST_P384', 'P-384', 'SHA-384', 'ECDSA_SHA_384', 48),
  ECC_NIST_P521: ecc('ECC_NIST_P521', 'P-521', 'SHA-512', 'ECDSA_SHA_512', 66),
}

/** Why a spec AWS has is not here. */
export const UNSUPPORTED_SPECS: Readonly<Partial<Record<string, string>>> = {
  HMAC_224: 'WebCrypto has no SHA-224, and webkms keeps no key material in JavaScript where a non-extractable key cannot hold it',
  ECC_SECG_P256K1: 'WebCrypto has no secp256k1 curve',
  ECC_NIST_EDWARDS25519: 'Ed25519 keys are not supported yet',
  SM2: 'WebCrypto has no SM2',
  ML_DSA_44: 'WebCrypto has no ML-DSA',
  ML_DSA_65: 'WebCrypto has no ML-DSA',
  ML_DSA_87: 'WebCrypto has no ML-DSA',
}

/** The largest plaintext RSAES-OAEP takes: k - 2·hLen - 2 bytes (RFC 8017 §7.1.1). */
export function oaepMaxPlaintext(modulusLength: number, algorithm: AsymmetricEncryptionAlgorithm): number {
  return modulusLength / 8 - 2 * (algorithm === 'RSAES_OAEP_SHA_1' ? 20 : 32) - 2
}

/** The algorithms DescribeKey and GetPublicKey list for a key of this spec and usage. */
export function keyAlgorithms(spec: KeySpec, usage: KeyUsage): { EncryptionAlgorithms?: string[]; SigningAlgorithms?: string[]; MacAlgorithms?: string[]; KeyAgreementAlgorithms?: string[] } {
  const info = SPECS[spec]
  if (!info) return {}
  switch (usage) {
    case 'ENCRYPT_DECRYPT':
      return { EncryptionAlgorithms: info.family === 'symmetric' ? ['SYMMETRIC_DEFAULT'] : Object.keys(info.encryption ?? {}) }
    case 'SIGN_VERIFY':
      return { SigningAlgorithms: Object.keys(info.signing ?? {}) }
    case 'GENERATE_VERIFY_MAC':
      return { MacAlgorithms: info.hmac ? [info.hmac.algorithm] : [] }
    case 'KEY_AGREEMENT':
      return { KeyAgreementAlgorithms: ['ECDH'] }
  }
}
