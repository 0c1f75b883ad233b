/**
 * The material of one key version, for every key spec (kms/keySpecs.ts): made by the engine
 * (AWS_KMS origin) or from bytes the owner imported (EXTERNAL origin, ImportKeyMaterial).
 *
 * What the engine keeps is never extractable. Two paths lead there:
 * - A symmetric or HMAC key the engine makes, with no recovery key configured, is generated
 *   non-extractable: its bytes never exist in JavaScript.
 * - Otherwise the bytes exist for a moment (generated extractable and exported, or imported):
 *   RSA and ECC keys need them because WebCrypto binds a key to one algorithm and a version
 *   holds its private key once per algorithm; imports start from bytes; a recovery copy is
 *   sealed from them. Each usable key is imported from those bytes non-extractable, and the
 *   bytes are zeroed before the function returns.
 *
 * Every key goes through `store.makeKey` (KeyStore.makeKey), so a store that must keep keys
 * wrapped (the edge's Durable Object store) gets them in a form it can keep.
 */
import type { KeyStore } from '../../keystore/KeyStore.js'
import type { KeySpec, KeyUsage } from '../../keystore/records.js'
import { concatBytes, toHex, utf8 } from '../../util/bytes.js'
import { SPECS, type SpecInfo } from '../keySpecs.js'
import { makeStoredKey } from './keyMaterial.js'

const subtle = () => globalThis.crypto.subtle

/** What a key version holds (KeyVersionRecord's material members). */
export interface VersionMaterial {
  material?: CryptoKey
  privateKeys?: Record<string, CryptoKey>
  /** DER SubjectPublicKeyInfo (RSA and ECC). */
  publicKey?: Uint8Array
}

/** The bytes a version's material is made from: raw for symmetric and HMAC keys, PKCS#8 DER for RSA and ECC. */
export type MaterialFormat = 'raw' | 'pkcs8'
export const materialFormat = (spec: KeySpec): MaterialFormat => (specInfo(spec).family === 'symmetric' || specInfo(spec).family === 'hmac' ? 'raw' : 'pkcs8')

export function specInfo(spec: KeySpec): SpecInfo {
  const info = SPECS[spec]
  if (!info) throw new TypeError(`key spec ${spec} has no material`)
  return info
}

/** WebCrypto import parameters and usages of every key a version of this spec and usage holds. */
function privateKeyParams(info: SpecInfo, usage: KeyUsage): [string, AlgorithmIdentifier | RsaHashedImportParams | EcKeyImportParams, globalThis.KeyUsage[]][] {
  switch (usage) {
    case 'SIGN_VERIFY':
      return Object.entries(info.signing ?? {}).map(([name, p]) => [name, p.key, ['sign']])
    case 'ENCRYPT_DECRYPT':
      return Object.entries(info.encryption ?? {}).map(([name, p]) => [name, p, ['decrypt']])
    case 'KEY_AGREEMENT':
      return [['ECDH', info.agreement!, ['deriveBits']]]
    default:
      return []
  }
}

const SYMMETRIC_SECRET = { name: 'HMAC', hash: 'SHA-256', length: 256 } as const
const hmacParams = (info: SpecInfo, bytes?: number) => ({ name: 'HMAC', hash: info.hmac!.hash, ...(bytes === undefined ? {} : { length: bytes * 8 }) })

/**
 * New material for a version of a key of this spec and usage. With `sealRecovery`, the bytes
 * are handed to it before they are zeroed, and its result comes back as `recovery`.
 */
export async function generateVersionMaterial(
  store: KeyStore,
  spec: KeySpec,
  usage: KeyUsage,
  sealRecovery?: (bytes: Uint8Array, format: MaterialFormat) => Promise<string>,
): Promise<VersionMaterial & { recovery?: string }> {
  const info = specInfo(spec)
  if (info.family === 'symmetric' || info.family === 'hmac') {
    const algorithm = info.family === 'symmetric' ? SYMMETRIC_SECRET : { ...hmacParams(info), length: Number(info.hmac!.hash.slice(4)) }
    if (!sealRecovery) return { material: await makeStoredKey(store, (ext) => subtle().generateKey(algorithm, ext, ['sign', 'verify']) as Promise<CryptoKey>) }
    const made = await subtle().generateKey(algorithm, true, ['sign', 'verify'])
    const bytes = new Uint8Array(await subtle().exportKey('raw', made))
    try {
      return { ...(await importVersionMaterial(store, spec, usage, bytes)), recovery: await sealRecovery(bytes, 'raw') }
    } finally {
      bytes.fill(0)
    }
  }
  const pair = await generateExtractablePair(info)
  const pkcs8 = new Uint8Array(await subtle().exportKey('pkcs8', pair.privateKey))
  try {
    const made = await importVersionMaterial(store, spec, usage, pkcs8)
    return sealRecovery ? { ...made, recovery: await sealRecovery(pkcs8, 'pkcs8') } : made
  } finally {
    pkcs8.fill(0)
  }
}

/**
 * A fresh RSA or ECC key pair whose private key can be exported as PKCS#8 (rsaEncryption or
 * id-ecPublicKey, whichever WebCrypto algorithm made it), for a version's material or a data key pair.
 */
export function generateExtractablePair(info: SpecInfo): Promise<CryptoKeyPair> {
  return subtle().generateKey(
    info.family === 'rsa'
      ? { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256', modulusLength: info.modulusLength!, publicExponent: new Uint8Array([1, 0, 1]) }
      : { name: 'ECDSA', namedCurve: info.curve! },
    true,
    ['sign', 'verify'],
  ) as Promise<CryptoKeyPair>
}

/**
 * The material of a version from its bytes (raw secret, or PKCS#8 private key). Throws
 * RangeError when the bytes are not a key of this spec; the caller turns that into AWS's error
 * and zeroes the bytes.
 */
export async function importVersionMaterial(store: KeyStore, spec: KeySpec, usage: KeyUsage, bytes: Uint8Array): Promise<VersionMaterial> {
  const info = specInfo(spec)
  const data = concatBytes(bytes)
  try {
    if (info.family === 'symmetric') {
      if (data.byteLength !== 32) throw new RangeError('symmetric key material must be 256 bits')
      return { material: await makeStoredKey(store, (ext) => subtle().importKey('raw', data, SYMMETRIC_SECRET, ext, ['sign', 'verify'])) }
    }
    if (info.family === 'hmac') {
      const [min, max] = info.hmac!.importBytes
      if (data.byteLength < min || data.byteLength > max) throw new RangeError(`${spec} key material must be ${min} to ${max} bytes`)
      return { material: await makeStoredKey(store, (ext) => subtle().importKey('raw', data, hmacParams(info, data.byteLength), ext, ['sign', 'verify'])) }
    }
    const publicKey = await publicKeyOfPkcs8(info, data)
    const privateKeys: Record<string, CryptoKey> = {}
    for (const [name, params, usages] of privateKeyParams(info, usage)) {
      privateKeys[name] = await makeStoredKey(store, (ext) => subtle().importKey('pkcs8', data, params, ext, usages))
    }
    return { privateKeys, publicKey }
  } finally {
    data.fill(0)
  }
}

/**
 * The SPKI of a PKCS#8 private key of this spec; RangeError when it is not one (wrong type,
 * curve or modulus size). The private key goes through JWK to drop its private members.
 */
async function publicKeyOfPkcs8(info: SpecInfo, pkcs8: Uint8Array<ArrayBuffer>): Promise<Uint8Array> {
  const algorithm = info.family === 'rsa' ? { name: 'RSA-PSS', hash: 'SHA-256' } : { name: 'ECDSA', namedCurve: info.curve! }
  let jwk: JsonWebKey
  try {
    jwk = await subtle().exportKey('jwk', await subtle().importKey('pkcs8', pkcs8, algorithm, true, ['sign']))
  } catch {
    throw new RangeError(`the key material is not a PKCS#8 ${info.family === 'rsa' ? 'RSA' : info.curve} private key`)
  }
  const pub: JsonWebKey = info.family === 'rsa' ? { kty: 'RSA', n: jwk.n!, e: jwk.e! } : { kty: 'EC', crv: jwk.crv!, x: jwk.x!, y: jwk.y! }
  const key = await subtle().importKey('jwk', pub, algorithm, true, ['verify'])
  if (info.family === 'rsa' && (key.algorithm as RsaHashedKeyAlgorithm).modulusLength !== info.modulusLength) {
    throw new RangeError(`the key material is a ${(key.algorithm as RsaHashedKeyAlgorithm).modulusLength}-bit RSA key, not ${info.modulusLength}-bit`)
  }
  return new Uint8Array(await subtle().exportKey('spki', key))
}

const MATERIAL_ID_LABEL = utf8('webkms key material id v1')

/**
 * AWS's KeyMaterialId for imported material: derived from the key ID and the material (ImportKeyMaterial
 * API reference), so importing the same material again is recognised. For secrets, HMAC-SHA256
 * keyed by the material (nothing about it can be learned from the ID); for key pairs, SHA-256 of
 * the public key.
 */
export async function importedKeyMaterialId(keyId: string, bytes: Uint8Array, made: VersionMaterial): Promise<string> {
  const label = concatBytes(MATERIAL_ID_LABEL, new Uint8Array([0]), utf8(keyId))
  if (made.publicKey) return toHex(new Uint8Array(await subtle().digest('SHA-256', concatBytes(label, new Uint8Array([0]), made.publicKey))))
  const secret = await subtle().importKey('raw', concatBytes(bytes), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign'])
  return toHex(new Uint8Array(await subtle().sign('HMAC', secret, label)))
}
