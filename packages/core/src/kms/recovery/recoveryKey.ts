/**
 * The recovery public key an engine seals every new key material to (createKms's `recovery`
 * option). Only its owner, holding the private half offline, can open the copies; the engine,
 * the page and anyone who reads the store or an exported bundle cannot.
 */
import { rsaThumbprint, sealJwe, type RecoveryHeader } from './jwe.js'
import { checkRecoveryOption, type RecoveryOptions } from './option.js'

export type { RecoveryOptions }

export class RecoveryKey {
  private constructor(
    private readonly key: CryptoKey,
    /** RFC 7638 thumbprint: the `kid` of every copy sealed to it. */
    readonly kid: string,
  ) {}

  /** Checks the option at once (a TypeError at createKms); the import finishes in the promise. */
  static from(option: RecoveryOptions): Promise<RecoveryKey> {
    const { key, isCryptoKey } = checkRecoveryOption(option)
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
