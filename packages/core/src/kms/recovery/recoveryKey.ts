/**
 * The recovery public key an engine seals every new key material to (createKms's `recovery`
 * option). Only its owner, holding the private half offline, can open the copies; the engine,
 * the page and anyone who reads the store or an exported bundle cannot.
 */
import { rsaThumbprint, sealJwe, unb64url, type RecoveryHeader } from './jwe.js'

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
    bytes = unb64url(n)
  } catch {
    return 0
  }
  let i = 0
  while (i < bytes.length && bytes[i] === 0) i++
  return i === bytes.length ? 0 : (bytes.length - i - 1) * 8 + (32 - Math.clz32(bytes[i]!))
}

export class RecoveryKey {
  private constructor(
    private readonly key: CryptoKey,
    /** RFC 7638 thumbprint: the `kid` of every copy sealed to it. */
    readonly kid: string,
  ) {}

  /** Checks the option at once (a TypeError at createKms); the import finishes in the promise. */
  static from(option: RecoveryOptions): Promise<RecoveryKey> {
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
    return (async () => {
      const imported = isCryptoKey
        ? (key as CryptoKey)
        : await globalThis.crypto.subtle.importKey('jwk', { kty: 'RSA', n: (key as JsonWebKey).n!, e: (key as JsonWebKey).e!, ext: true }, { name: 'RSA-OAEP', hash: 'SHA-256' }, true, ['encrypt'])
      const jwk = await globalThis.crypto.subtle.exportKey('jwk', imported)
      return new RecoveryKey(imported, await rsaThumbprint(jwk))
    })()
  }

  /** A recovery copy of material, bound to its key, KeyMaterialId and spec. */
  seal(what: Pick<RecoveryHeader, 'key' | 'kmid' | 'spec' | 'fmt'>, bytes: Uint8Array): Promise<string> {
    return sealJwe(this.key, { alg: 'RSA-OAEP-256', enc: 'A256GCM', kid: this.kid, cty: 'webkms-key-material', ...what }, bytes)
  }
}
