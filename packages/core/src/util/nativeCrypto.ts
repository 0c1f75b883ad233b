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
  update(data: Uint8Array): NativeHash
  digest(): Uint8Array
  digest(encoding: 'hex'): string
}

/** `node:crypto`'s names of the AES-GCM ciphers. */
export type NativeGcmName = 'aes-128-gcm' | 'aes-192-gcm' | 'aes-256-gcm'

/** An AES-GCM cipher or decipher of `node:crypto` (what this package uses of it). */
interface NativeGcm {
  setAAD(data: Uint8Array): unknown
  update(data: Uint8Array): Uint8Array
  final(): Uint8Array
}

/** What this package uses of `node:crypto`. */
export interface NativeCrypto {
  createHash(algorithm: 'sha256' | 'sha384'): NativeHash
  /** One-shot digest (Node 20.12+); strings are hashed as UTF-8. Checked before use (sha256HexWith). */
  hash?(algorithm: 'sha256', data: string, outputEncoding: 'hex'): string
  /** Checked before use (nativeAesGcm, nativeMessageCipher): runtimes that imitate Node may leave them out. */
  createCipheriv?(algorithm: NativeGcmName, key: unknown, iv: Uint8Array, options: { authTagLength: 16 }): NativeGcm & { getAuthTag(): Uint8Array }
  createDecipheriv?(algorithm: NativeGcmName, key: unknown, iv: Uint8Array, options: { authTagLength: 16 }): NativeGcm & { setAuthTag(tag: Uint8Array): unknown }
  /** A secret key held by the module (OpenSSL's memory), not by a JavaScript buffer. Checked before use. */
  createSecretKey?(key: Uint8Array): unknown
  /** RFC 5869 HKDF (Node 15+); checked before use. */
  hkdfSync?(digest: 'sha256' | 'sha384' | 'sha512', ikm: unknown, salt: Uint8Array, info: Uint8Array, length: number): ArrayBuffer
  /** `KeyObject.from(cryptoKey)`: OpenSSL's handle of a WebCrypto key (of a non-extractable one only where `lendsNonExtractableKeys`). */
  KeyObject?: { from(key: CryptoKey): unknown }
  /** Checked before use (nativeSigning). ECDSA signatures are DER in messages, IEEE P1363 in audit checkpoints. */
  createSign?(algorithm: 'sha256' | 'sha384'): { update(data: Uint8Array): unknown; sign(key: { key: unknown; dsaEncoding: 'der' | 'ieee-p1363' }): Uint8Array }
  createVerify?(algorithm: 'sha256' | 'sha384'): { update(data: Uint8Array): unknown; verify(key: { key: unknown; dsaEncoding: 'der' }, signature: Uint8Array): boolean }
}

/**
 * One of the runtime's own modules (`node:crypto`, `node:timers`, ...) through
 * `process.getBuiltinModule`: undefined in browsers, and in a runtime that imitates Node's
 * process without it. Callers check what they use of it.
 */
export function builtinModule(id: string): unknown {
  const runtime = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process
  try {
    return typeof runtime?.getBuiltinModule === 'function' ? runtime.getBuiltinModule(id) : undefined
  } catch {
    return undefined
  }
}

export const nativeCrypto = (): NativeCrypto | undefined => {
  const module = builtinModule('node:crypto') as Partial<NativeCrypto> | undefined
  return typeof module?.createHash === 'function' ? (module as NativeCrypto) : undefined
}

/**
 * Whether this runtime may be lent a non-extractable WebCrypto key (`KeyObject.from`). Node
 * deprecates that from 24 (DEP0204: a runtime warning now, an error later), because the
 * KeyObject it gives can always be exported. There, and in any runtime that says it is Node 24
 * or later, or does not say which Node it imitates, non-extractable keys stay with WebCrypto.
 */
export function lendsNonExtractableKeys(nodeVersion = (globalThis as { process?: { versions?: { node?: unknown } } }).process?.versions?.node): boolean {
  const major = typeof nodeVersion === 'string' ? Number.parseInt(nodeVersion, 10) : Number.NaN
  return major < 24
}

/** `node:crypto` when it has everything AES-GCM needs with a WebCrypto key. */
export type NativeAesGcm = Required<Pick<NativeCrypto, 'createCipheriv' | 'createDecipheriv' | 'KeyObject'>>

/** `node:crypto` for AES-GCM with WebCrypto's keys, where it has it and may be lent non-extractable keys (blob keys are). */
export function nativeAesGcm(native = nativeCrypto(), lends = lendsNonExtractableKeys()): NativeAesGcm | undefined {
  return lends && typeof native?.createCipheriv === 'function' && typeof native.createDecipheriv === 'function' && typeof native.KeyObject?.from === 'function'
    ? (native as NativeAesGcm)
    : undefined
}

const utf8 = new TextEncoder()

/**
 * Hex SHA-256 of a string's UTF-8 with this module, of TextEncoder's bytes (lone surrogates as
 * U+FFFD) in every runtime. Node's one-shot `hash` (20.12+) takes the string itself, and is
 * used where it hashes the same bytes as TextEncoder gives (checked once: UTF8_PROBE): ~0.7 µs
 * an audit event against ~2 µs.
 */
export function sha256HexWith(native: NativeCrypto): (text: string) => string {
  const viaEncoder = (text: string): string => native.createHash('sha256').update(utf8.encode(text)).digest('hex')
  if (typeof native.hash === 'function') {
    const oneShot = (text: string): string => native.hash!('sha256', text, 'hex')
    try {
      if (oneShot(UTF8_PROBE) === viaEncoder(UTF8_PROBE)) return oneShot
    } catch {
      // A `hash` that takes no strings: the encoder's bytes below.
    }
  }
  return viaEncoder
}

/** ASCII, a Latin-1 character (V8 keeps such strings one byte a character), a lone surrogate (TextEncoder writes U+FFFD), a pair (4 bytes) and a 3-byte character. */
const UTF8_PROBE = 'webkms \u00e9 \ud800 \ud83d\udd11 \u9375'
