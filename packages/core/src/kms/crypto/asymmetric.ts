/**
 * The asymmetric primitives behind Sign, Verify, RSA Encrypt/Decrypt and DeriveSharedSecret,
 * on WebCrypto. Private keys are the version's non-extractable keys; public keys are imported
 * from the version's SubjectPublicKeyInfo (cached per SPKI and algorithm, as they are public).
 *
 * ECDSA: WebCrypto signs and verifies IEEE P1363 (r || s); KMS returns and accepts DER
 * (ECDSA-Sig-Value, RFC 3279 §2.2.3), so signatures are converted (util/ecdsaDer.ts), and a
 * signature that is not strict DER is invalid.
 */
import { arrayBufferView, toHex } from '../../util/bytes.js'
import { derToP1363, p1363ToDer } from '../../util/ecdsaDer.js'
import type { SigningParams, SpecInfo } from '../keySpecs.js'

const subtle = () => globalThis.crypto.subtle

/** WebCrypto takes views of ArrayBuffers; anything else is copied. */

const publicKeys = new Map<string, Promise<CryptoKey>>()
const MAX_CACHED = 256

/** The public key of a version for one algorithm (cached: public keys are not secret). */
export function publicKeyFor(spki: Uint8Array, params: AlgorithmIdentifier | RsaHashedImportParams | EcKeyImportParams, usages: KeyUsage[]): Promise<CryptoKey> {
  const id = `${JSON.stringify(params)}:${usages.join()}:${toHex(spki)}`
  let key = publicKeys.get(id)
  if (!key) {
    if (publicKeys.size >= MAX_CACHED) publicKeys.delete(publicKeys.keys().next().value!)
    key = subtle().importKey('spki', arrayBufferView(spki), params, true, usages)
    key.catch(() => publicKeys.delete(id))
    publicKeys.set(id, key)
  }
  return key
}

/** Signs a message (RAW): the signature as KMS returns it (DER for ECDSA). */
export async function signMessage(privateKey: CryptoKey, params: SigningParams, info: SpecInfo, message: Uint8Array): Promise<Uint8Array> {
  const signature = new Uint8Array(await subtle().sign(params.sign, privateKey, arrayBufferView(message)))
  return info.family === 'ecc' ? p1363ToDer(signature) : signature
}

/** Verifies a signature made by `signMessage` (or anyone holding the private key). Never throws for a malformed signature: false. */
export async function verifyMessage(spki: Uint8Array, params: SigningParams, info: SpecInfo, message: Uint8Array, signature: Uint8Array): Promise<boolean> {
  let raw: Uint8Array = signature
  if (info.family === 'ecc') {
    const p1363 = derToP1363(signature, info.fieldBytes!)
    if (!p1363) return false
    raw = p1363
  } else if (signature.byteLength !== info.modulusLength! / 8) {
    return false
  }
  const key = await publicKeyFor(spki, params.key, ['verify'])
  return subtle().verify(params.sign, key, arrayBufferView(raw), arrayBufferView(message))
}

/** RSAES-OAEP encryption under a version's public key. */
export async function oaepEncrypt(spki: Uint8Array, params: RsaHashedImportParams, plaintext: Uint8Array): Promise<Uint8Array> {
  const key = await publicKeyFor(spki, params, ['encrypt'])
  return new Uint8Array(await subtle().encrypt({ name: 'RSA-OAEP' }, key, arrayBufferView(plaintext)))
}

/** RSAES-OAEP decryption; undefined when the ciphertext does not decrypt (the caller raises the one opaque error). */
export async function oaepDecrypt(privateKey: CryptoKey, ciphertext: Uint8Array): Promise<Uint8Array | undefined> {
  try {
    return new Uint8Array(await subtle().decrypt({ name: 'RSA-OAEP' }, privateKey, arrayBufferView(ciphertext)))
  } catch {
    return undefined
  }
}

/**
 * ECDH (SP 800-56A §5.7.1.2): the shared secret Z, the x-coordinate of the shared point, as
 * many bytes as the curve's field. Undefined when `peerSpki` is not a valid public key on the
 * key's curve (WebCrypto checks the point is on the curve).
 */
export async function deriveSharedSecret(privateKey: CryptoKey, info: SpecInfo, peerSpki: Uint8Array): Promise<Uint8Array | undefined> {
  let peer: CryptoKey
  try {
    peer = await subtle().importKey('spki', arrayBufferView(peerSpki), { name: 'ECDH', namedCurve: info.curve! }, true, [])
  } catch {
    return undefined
  }
  if ((peer.algorithm as EcKeyAlgorithm).namedCurve !== info.curve) return undefined
  try {
    return new Uint8Array(await subtle().deriveBits({ name: 'ECDH', public: peer }, privateKey, info.fieldBytes! * 8))
  } catch {
    return undefined
  }
}
