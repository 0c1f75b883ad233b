/**
 * Recovery copies of key material: JWE compact serialization (RFC 7516 §7.1) with
 * `alg: RSA-OAEP-256` (RFC 7518 §4.3) and `enc: A256GCM` (RFC 7518 §5.3), so any JOSE library
 * holding the recovery private key can open one, and webkms's own restore does the same.
 *
 * The protected header (authenticated as the AES-GCM additional data, §5.1 step 14) names what
 * the bytes are: the key ARN, the version's KeyMaterialId, the key spec, and the format of the
 * bytes. A copy therefore cannot be passed off as another key's material, or under another
 * KeyMaterialId. Not its version number (the copy is sealed before the version has one): which
 * number it restores as is what the bundle says, and bundles are not signed (SECURITY.md).
 */
import { concatBytes, fromBase64Url as unb64url, fromUtf8, toBase64Url as b64url, utf8 } from '../../util/bytes.js'

const subtle = () => globalThis.crypto.subtle


/** What a recovery copy's protected header says of the material it holds. */
export interface RecoveryHeader {
  alg: 'RSA-OAEP-256'
  enc: 'A256GCM'
  /** The recovery key's JWK thumbprint (RFC 7638), so a restore can tell which key it needs. */
  kid: string
  cty: 'webkms-key-material'
  /** The key ARN. */
  key: string
  /** The version's KeyMaterialId (known before the version gets its number). */
  kmid: string
  /** The key spec, and the bytes' format: raw secret or PKCS#8. */
  spec: string
  fmt: 'raw' | 'pkcs8'
}

/** RFC 7638 thumbprint of an RSA public key: SHA-256 over {"e","kty","n"} in that order, base64url. */
export async function rsaThumbprint(jwk: JsonWebKey): Promise<string> {
  const canonical = JSON.stringify({ e: jwk.e, kty: 'RSA', n: jwk.n })
  return b64url(new Uint8Array(await subtle().digest('SHA-256', utf8(canonical))))
}

/** Seals `plaintext` to an RSA-OAEP-256 public key as a JWE compact string. */
export async function sealJwe(publicKey: CryptoKey, header: RecoveryHeader, plaintext: Uint8Array): Promise<string> {
  const protectedB64 = b64url(utf8(JSON.stringify(header)))
  const cek = globalThis.crypto.getRandomValues(new Uint8Array(32))
  try {
    const iv = globalThis.crypto.getRandomValues(new Uint8Array(12))
    const encryptedKey = new Uint8Array(await subtle().encrypt({ name: 'RSA-OAEP' }, publicKey, cek))
    const aesKey = await subtle().importKey('raw', cek, 'AES-GCM', false, ['encrypt'])
    const sealed = new Uint8Array(await subtle().encrypt({ name: 'AES-GCM', iv, additionalData: utf8(protectedB64), tagLength: 128 }, aesKey, concatBytes(plaintext)))
    const ciphertext = sealed.subarray(0, sealed.byteLength - 16)
    const tag = sealed.subarray(sealed.byteLength - 16)
    return [protectedB64, b64url(encryptedKey), b64url(iv), b64url(ciphertext), b64url(tag)].join('.')
  } finally {
    cek.fill(0)
  }
}

/** The header of a recovery copy, read without opening it; RangeError when it is not one. */
export function readJweHeader(jwe: string): RecoveryHeader {
  const parts = typeof jwe === 'string' ? jwe.split('.') : []
  if (parts.length !== 5) throw new RangeError('a recovery copy is a JWE in compact serialization (five base64url parts)')
  let header: RecoveryHeader
  try {
    header = JSON.parse(fromUtf8(unb64url(parts[0]!))) as RecoveryHeader
  } catch {
    throw new RangeError('the JWE protected header is not base64url JSON')
  }
  if (header?.alg !== 'RSA-OAEP-256' || header.enc !== 'A256GCM' || header.cty !== 'webkms-key-material') {
    throw new RangeError('a recovery copy uses alg RSA-OAEP-256, enc A256GCM and cty webkms-key-material')
  }
  if (typeof header.key !== 'string' || typeof header.kmid !== 'string' || typeof header.spec !== 'string' || (header.fmt !== 'raw' && header.fmt !== 'pkcs8') || typeof header.kid !== 'string') {
    throw new RangeError('the JWE protected header does not name the key, version, spec and format')
  }
  return header
}

/** Opens a recovery copy with the recovery private key (RSA-OAEP, SHA-256). Throws if it was altered or sealed to another key. */
export async function openJwe(jwe: string, privateKey: CryptoKey): Promise<{ header: RecoveryHeader; plaintext: Uint8Array }> {
  const header = readJweHeader(jwe)
  const [protectedB64, encryptedKey, iv, ciphertext, tag] = jwe.split('.') as [string, string, string, string, string]
  const cek = new Uint8Array(await subtle().decrypt({ name: 'RSA-OAEP' }, privateKey, unb64url(encryptedKey)))
  try {
    if (cek.byteLength !== 32) throw new RangeError('the JWE content encryption key is not 256 bits')
    const aesKey = await subtle().importKey('raw', cek, 'AES-GCM', false, ['decrypt'])
    const plaintext = new Uint8Array(
      await subtle().decrypt({ name: 'AES-GCM', iv: unb64url(iv), additionalData: utf8(protectedB64), tagLength: 128 }, aesKey, concatBytes(unb64url(ciphertext), unb64url(tag))),
    )
    return { header, plaintext }
  } finally {
    cek.fill(0)
  }
}
