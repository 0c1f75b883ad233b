/**
 * The runtime's own crypto module where it has one: Node, Deno and Bun give `node:crypto`
 * through `process.getBuiltinModule` (Node since 20.16). It is OpenSSL (BoringSSL in some
 * runtimes), the same code their WebCrypto runs, but synchronous and incremental.
 *
 * Not an import: browsers and bundlers never see it. Looked up on every use (~50 ns), so a
 * runtime without it, or a test that takes it away, always gets the portable path.
 */

/** A hash of `node:crypto` (what this package uses of it). */
export interface NativeHash {
  update(data: Uint8Array | string, encoding?: 'utf8'): NativeHash
  digest(): Uint8Array
  digest(encoding: 'hex'): string
}

/** An AES-GCM cipher or decipher of `node:crypto` (what this package uses of it). */
interface NativeGcm {
  setAAD(data: Uint8Array): unknown
  update(data: Uint8Array): Uint8Array
  final(): Uint8Array
}

/** What this package uses of `node:crypto`. */
export interface NativeCrypto {
  createHash(algorithm: 'sha256' | 'sha384'): NativeHash
  /** Checked before use (nativeAesGcm): runtimes that imitate Node may leave them out. */
  createCipheriv?(algorithm: 'aes-256-gcm', key: unknown, iv: Uint8Array, options: { authTagLength: 16 }): NativeGcm & { getAuthTag(): Uint8Array }
  createDecipheriv?(algorithm: 'aes-256-gcm', key: unknown, iv: Uint8Array, options: { authTagLength: 16 }): NativeGcm & { setAuthTag(tag: Uint8Array): unknown }
  /** `KeyObject.from(cryptoKey)`: OpenSSL's handle of a WebCrypto key, extractable or not. */
  KeyObject?: { from(key: CryptoKey): unknown }
  /** Checked before use (nativeSigning). ECDSA signatures here are DER (`dsaEncoding: 'der'`). */
  createSign?(algorithm: 'sha256' | 'sha384'): { update(data: Uint8Array): unknown; sign(key: { key: unknown; dsaEncoding: 'der' }): Uint8Array }
  createVerify?(algorithm: 'sha256' | 'sha384'): { update(data: Uint8Array): unknown; verify(key: { key: unknown; dsaEncoding: 'der' }, signature: Uint8Array): boolean }
}

export const nativeCrypto = (): NativeCrypto | undefined => {
  const runtime = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process
  let module: Partial<NativeCrypto> | undefined
  try {
    module = typeof runtime?.getBuiltinModule === 'function' ? (runtime.getBuiltinModule('node:crypto') as Partial<NativeCrypto> | undefined) : undefined
  } catch {
    module = undefined // a runtime that imitates Node's process without the module
  }
  return typeof module?.createHash === 'function' ? (module as NativeCrypto) : undefined
}

/** `node:crypto` when it has everything AES-GCM needs with a WebCrypto key. */
export type NativeAesGcm = Required<Pick<NativeCrypto, 'createCipheriv' | 'createDecipheriv' | 'KeyObject'>>

export function nativeAesGcm(native = nativeCrypto()): NativeAesGcm | undefined {
  return typeof native?.createCipheriv === 'function' && typeof native.createDecipheriv === 'function' && typeof native.KeyObject?.from === 'function'
    ? (native as NativeAesGcm)
    : undefined
}

/** `node:crypto` when it can sign and verify ECDSA incrementally with WebCrypto's keys. */
export type NativeSigning = Required<Pick<NativeCrypto, 'createSign' | 'createVerify' | 'KeyObject'>>

export function nativeSigning(native = nativeCrypto()): NativeSigning | undefined {
  return typeof native?.createSign === 'function' && typeof native.createVerify === 'function' && typeof native.KeyObject?.from === 'function'
    ? (native as NativeSigning)
    : undefined
}

/** Hex SHA-256 of a string's UTF-8 (lone surrogates as U+FFFD, as TextEncoder writes them), or undefined without `node:crypto`. */
export const nativeSha256Hex = (text: string): string | undefined => nativeCrypto()?.createHash('sha256').update(text, 'utf8').digest('hex')
