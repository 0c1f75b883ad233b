/**
 * The `recovery` option's checks, apart from the code that seals copies: createKms runs them
 * at once (a TypeError at createKms) and loads the rest when the first material is made.
 */
import { fromBase64Url } from '../../util/bytes.js'

/**
 * createKms's `recovery` option: the public key every key material the engine makes or imports
 * from then on is also sealed to (a JWE, RSA-OAEP-256 with A256GCM, kept beside the material),
 * so that {@link restoreRecoveryBundle} can rebuild the keys after the store is lost. createKms
 * throws `TypeError` for a key that is not an RSA-OAEP SHA-256 public key of at least 3072
 * bits with usage `encrypt` (a CryptoKey must be extractable, as a public key may be), or a JWK
 * with a private part or declared for another use.
 *
 * @example
 * ```ts
 * import { createKms } from '@webkms/core'
 *
 * // The key pair is made once, offline; only the public JWK ships with the page.
 * declare const recoveryPublicJwk: JsonWebKey // { kty: 'RSA', n, e, alg: 'RSA-OAEP-256' }
 * const kms = createKms({ recovery: { publicKey: recoveryPublicJwk } })
 * ```
 */
export interface RecoveryOptions {
  /**
   * An RSA-OAEP public key with SHA-256, at least 3072 bits: a CryptoKey
   * (`{ name: 'RSA-OAEP', hash: 'SHA-256' }`) or its public JWK.
   */
  publicKey: CryptoKey | JsonWebKey
}

export const MIN_RECOVERY_MODULUS = 3072

/** The bit length of a JWK's base64url modulus (RFC 7518 §6.3.1.1: big-endian, no leading zero octets). */
function modulusBits(n: string): number {
  let bytes: Uint8Array
  try {
    bytes = fromBase64Url(n)
  } catch {
    return 0
  }
  let i = 0
  while (i < bytes.length && bytes[i] === 0) i++
  return i === bytes.length ? 0 : (bytes.length - i - 1) * 8 + (32 - Math.clz32(bytes[i]!))
}

/** Throws TypeError unless `option` is a usable recovery option (see RecoveryOptions). */
export function checkRecoveryOption(option: RecoveryOptions): { key: CryptoKey | JsonWebKey; isCryptoKey: boolean } {
  const key = option?.publicKey
  const isCryptoKey = typeof CryptoKey !== 'undefined' && key instanceof CryptoKey
  if (isCryptoKey) {
    const a = key.algorithm as RsaHashedKeyAlgorithm
    if (key.type !== 'public' || a.name !== 'RSA-OAEP' || a.hash?.name !== 'SHA-256' || a.modulusLength < MIN_RECOVERY_MODULUS || !key.usages.includes('encrypt')) {
      throw new TypeError(`"recovery.publicKey" expected an RSA-OAEP SHA-256 public key of at least ${MIN_RECOVERY_MODULUS} bits with usage "encrypt"`)
    }
    if (!key.extractable) throw new TypeError('"recovery.publicKey" must be extractable (a public key; its thumbprint names the copies)')
  } else {
    const jwk = key as JsonWebKey | undefined
    if (!jwk || typeof jwk !== 'object' || jwk.kty !== 'RSA' || typeof jwk.n !== 'string' || typeof jwk.e !== 'string') {
      throw new TypeError('"recovery.publicKey" expected a CryptoKey or an RSA public JWK')
    }
    if ('d' in jwk) throw new TypeError('"recovery.publicKey" is a private key: give the engine the public key only and keep the private key offline')
    // A JWK that declares another use (RFC 7517 §4.2-4.4) is not used for RSA-OAEP-256 encryption, as a CryptoKey bound to another algorithm is not.
    if ((jwk.alg !== undefined && jwk.alg !== 'RSA-OAEP-256') || (jwk.use !== undefined && jwk.use !== 'enc') || (jwk.key_ops !== undefined && !(Array.isArray(jwk.key_ops) && jwk.key_ops.includes('encrypt')))) {
      throw new TypeError(`"recovery.publicKey" expected a JWK for RSA-OAEP-256 encryption, got alg ${String(jwk.alg)}, use ${String(jwk.use)}, key_ops ${JSON.stringify(jwk.key_ops)}`)
    }
    if (modulusBits(jwk.n) < MIN_RECOVERY_MODULUS) throw new TypeError(`"recovery.publicKey" must be at least ${MIN_RECOVERY_MODULUS} bits`)
  }
  return { key: key!, isCryptoKey }
}
