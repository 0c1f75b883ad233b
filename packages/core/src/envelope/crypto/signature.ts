/**
 * ECDSA message signatures for the signing suites (0x0214: P-256/SHA-256; 0x0346, 0x0378,
 * 0x0578: P-384/SHA-384). The message format wants the signature DER-encoded
 * (data-format/message-footer.md) and the public key as a compressed point, base64, in the
 * encryption context under `aws-crypto-public-key` (framework/structures.md).
 *
 * One-shot messages are signed and verified with WebCrypto over the whole message (native
 * hashing); WebCrypto speaks IEEE P1363 (r || s), so signatures are converted to and from DER.
 * WebCrypto cannot sign or verify a digest hashed incrementally. Where the runtime's
 * `node:crypto` signs with WebCrypto's keys (util/nativeCrypto.ts: Node, Deno, Bun), OpenSSL
 * hashes and signs incrementally, for streams and for one-shot messages hashed while their
 * frames seal or open; elsewhere streams use @noble/curves over an incremental digest (see
 * incrementalHash).
 */
import { derToP1363 as strictDerToP1363, p1363ToDer as toDer } from '../../util/ecdsaDer.js'
import { arrayBufferView, fromBase64 as unb64, fromBase64Url, toBase64 as b64 } from '../../util/bytes.js'
import type { AlgorithmSuite } from '../suites.js'
import { lendsNonExtractableKeys, nativeCrypto, type NativeCrypto } from '../../util/nativeCrypto.js'
import { nativeSigning, type NativeSigning } from '../../util/nativeSigning.js'
import type { ThreadHash } from './hashThread.js'

type SignatureSpec = NonNullable<AlgorithmSuite['signature']>

/** The hashing thread's module (Node): loaded only where a large signed message asks for it. */
let hashThreadModule: Promise<typeof import('./hashThread.js') | undefined> | undefined
async function threadHash(kind: 'sign' | 'verify', hash: SignatureSpec['hash']) {
  // A module that cannot load (a bundle without its chunk) leaves messages to hash here.
  hashThreadModule ??= import('./hashThread.js').catch(() => undefined)
  return (await hashThreadModule)?.threadHash(kind, NATIVE_HASH[hash])
}

/** A message's hash fed to the hashing thread (hashThread.ts), before its signature or verify. */
export type ThreadedHash = Pick<ThreadHash, 'update' | 'room' | 'abandon'>

/**
 * The module's handle of a WebCrypto key, taken before anything is hashed: a runtime that refuses
 * this key (a kind its self-test did not try) leaves the message to @noble/curves, not to fail
 * after the hash. Undefined when refused, and for a non-extractable key where the runtime may
 * not be lent one (lendsNonExtractableKeys).
 */
function lend(native: NativeSigning, key: CryptoKey): unknown {
  if (!key.extractable && !lendsNonExtractableKeys()) return undefined
  try {
    return native.KeyObject.from(key)
  } catch {
    return undefined
  }
}

/** `node:crypto`'s names of the suites' hashes. */
const NATIVE_HASH = { 'SHA-256': 'sha256', 'SHA-384': 'sha384' } as const

/** Field width in bytes. */
const SIZES: Record<SignatureSpec['curve'], number> = { 'P-256': 32, 'P-384': 48 }

/**
 * The curve in JavaScript, for what WebCrypto cannot do: sign or verify an incrementally hashed
 * digest (streams) and decompress a point where importKey refuses compressed points. Imported
 * on first need, so one-shot messages never load @noble/curves (a chunk of its own in a bundle).
 */
async function nobleCurve(name: SignatureSpec['curve']) {
  const { p256, p384 } = await import('@noble/curves/nist.js')
  return name === 'P-256' ? p256 : p384
}

/** A digest fed in pieces: what a stream's signature needs. */
export interface IncrementalHash {
  update(bytes: Uint8Array): void
  digest(): Uint8Array
}

type HashWasm = Pick<typeof import('hash-wasm'), 'createSHA384'>
// Destructured where it is imported, so that a bundler keeps only the SHA-384 module.
const importHashWasm = async (): Promise<HashWasm> => {
  const { createSHA384 } = await import('hash-wasm')
  return { createSHA384 }
}

/** Where an incremental hash comes from; tests and the benchmark choose. */
export interface HashSources {
  /** Default: `node:crypto` where the runtime has it (util/nativeCrypto.ts). */
  native?: () => NativeCrypto | undefined
  /** Default: hash-wasm's SHA-384, imported. */
  loadWasm?: () => Promise<HashWasm>
}

/**
 * An incremental SHA-256 or SHA-384 for signed streams. WebCrypto has no incremental digest,
 * and a stream's signature covers every byte of the message (data-format/message-footer.md),
 * so the hash runs here, on the thread that streams.
 *
 * Where the runtime has a native one (`node:crypto`: util/nativeCrypto.ts), that. Otherwise SHA-384 (every
 * signed suite but the legacy 0x0214) uses hash-wasm (MIT; WebAssembly built
 * from C, no dependencies, maintained and released through 2026, ~2.5M downloads a month):
 * ~345 MB/s against ~108 MB/s for @noble/hashes on the benchmark machine, and signed streams
 * run about twice as fast with it (BENCHMARKS.md). It is imported only when a signed stream starts, so
 * one-shot users and unsigned streams never load it; a bundler puts it in a chunk of its own.
 * Where WebAssembly cannot be compiled (no WebAssembly, a Content-Security-Policy without
 * 'wasm-unsafe-eval', runtimes that refuse code generation such as Cloudflare Workers),
 * loading fails and the stream hashes with @noble/hashes instead: both are plain SHA-2
 * (FIPS 180-4), so the signature is the same. `sources` lets tests take every path.
 */
export async function incrementalHash(name: SignatureSpec['hash'], sources: HashSources = {}): Promise<IncrementalHash> {
  const native = (sources.native ?? nativeCrypto)()
  if (native) {
    const h = native.createHash(NATIVE_HASH[name])
    return { update: (bytes) => void h.update(bytes), digest: () => new Uint8Array(h.digest()) }
  }
  const loadWasm = sources.loadWasm ?? importHashWasm
  if (name === 'SHA-384') {
    try {
      const h = await (await loadWasm()).createSHA384()
      h.init()
      return { update: (bytes) => void h.update(bytes), digest: () => h.digest('binary') }
    } catch {
      // Only "WebAssembly cannot load here" lands here: the input is not involved yet.
    }
  }
  const { sha256, sha384 } = await import('@noble/hashes/sha2.js')
  const h = (name === 'SHA-384' ? sha384 : sha256).create()
  return { update: (bytes) => void h.update(bytes), digest: () => h.digest() }
}

/** P1363 (r || s, each padded to the curve size) to DER. Throws on a malformed input. */
export function p1363ToDer(spec: SignatureSpec, p1363: Uint8Array): Uint8Array {
  const size = SIZES[spec.curve]
  if (p1363.byteLength !== 2 * size) throw new RangeError(`"signature" expected ${2 * size} bytes, got length=${p1363.byteLength}`)
  return toDer(p1363)
}

/** DER to P1363. Throws on anything but the strict DER encoding of two integers of the curve's width. */
export function derToP1363(spec: SignatureSpec, der: Uint8Array): Uint8Array {
  const p1363 = strictDerToP1363(der, SIZES[spec.curve])
  if (!p1363) throw new RangeError('signature is not canonical DER')
  return p1363
}

/** SEC1 point compression of an uncompressed point (0x04 || x || y): prefix 2 + parity of y, then x. */
function compress(uncompressed: Uint8Array, size: number): Uint8Array {
  const out = new Uint8Array(1 + size)
  out[0] = 2 + (uncompressed[2 * size]! & 1)
  out.set(uncompressed.subarray(1, 1 + size), 1)
  return out
}

/** A fresh per-message signing key. */
export interface MessageSigner {
  /** The compressed public key, base64, for the encryption context. */
  publicKey: string
  /** Signs the whole message so far (one-shot): DER. */
  sign(data: Uint8Array): Promise<Uint8Array>
  /**
   * For streaming: feed bytes as they are written, then sign the digest: DER. `native`
   * (default: `node:crypto` where the runtime has it) signs natively; `null` takes @noble/curves.
   */
  incremental(native?: NativeSigning | null): Promise<{ update(bytes: Uint8Array): void; sign(): Uint8Array }>
  /**
   * As `incremental`, hashed and signed by the hashing thread (hashThread.ts) where one is online
   * and the runtime signs natively; undefined otherwise (the caller hashes here).
   */
  threaded(): Promise<(ThreadedHash & { sign(): Promise<Uint8Array> }) | undefined>
}

/**
 * Key generation is the costliest step of a small signed message, so the next message's key
 * pair is generated as soon as one is taken (WebCrypto does it off the main thread where the
 * runtime can). Each pair still signs exactly one message.
 */
const nextPair = new Map<string, Promise<CryptoKeyPair>>()
const generatePair = (namedCurve: string) =>
  globalThis.crypto.subtle.generateKey({ name: 'ECDSA', namedCurve }, true, ['sign', 'verify']) as Promise<CryptoKeyPair>

function takeKeyPair(namedCurve: string): Promise<CryptoKeyPair> {
  const pair = nextPair.get(namedCurve) ?? generatePair(namedCurve)
  const next = generatePair(namedCurve)
  next.catch(() => nextPair.delete(namedCurve)) // a failure surfaces on the next take
  nextPair.set(namedCurve, next)
  return pair
}

/**
 * The key pair comes from WebCrypto (native, fast). An incremental signature is `node:crypto`'s
 * where the runtime has it (OpenSSL hashes and signs; the key is lent as a KeyObject), else
 * @noble/curves' over an incremental digest: the private half is extractable only so that it
 * can be handed to @noble/curves there. It lives for one message and is never stored or returned.
 */
export async function createMessageSigner(spec: SignatureSpec): Promise<MessageSigner> {
  const size = SIZES[spec.curve]
  const subtle = globalThis.crypto.subtle
  const pair = await takeKeyPair(spec.curve)
  const uncompressed = new Uint8Array(await subtle.exportKey('raw', pair.publicKey))
  return {
    publicKey: b64(compress(uncompressed, size)),
    async sign(data) {
      const p1363 = await subtle.sign({ name: 'ECDSA', hash: spec.hash }, pair.privateKey, arrayBufferView(data))
      return p1363ToDer(spec, new Uint8Array(p1363))
    },
    async incremental(choice) {
      const native = choice === undefined ? await nativeSigning() : choice
      const handle = native && lend(native, pair.privateKey)
      if (native && handle) {
        const signing = native.createSign(NATIVE_HASH[spec.hash])
        return {
          update: (bytes) => void signing.update(bytes),
          sign: () => new Uint8Array(signing.sign({ key: handle, dsaEncoding: 'der' })),
        }
      }
      const { d } = await subtle.exportKey('jwk', pair.privateKey)
      const secretKey = fromBase64Url(d!)
      const [curve, h] = await Promise.all([nobleCurve(spec.curve), incrementalHash(spec.hash)])
      return {
        update: (bytes) => h.update(bytes),
        sign: () => curve.sign(h.digest(), secretKey, { prehash: false, format: 'der', lowS: false }),
      }
    },
    async threaded() {
      const native = await nativeSigning()
      const handle = native && lend(native, pair.privateKey)
      const job = handle ? await threadHash('sign', spec.hash) : undefined
      return job && { update: job.update, room: job.room, abandon: job.abandon, sign: () => job.sign(handle) }
    },
  }
}

export interface MessageVerifier {
  verify(data: Uint8Array, derSignature: Uint8Array): Promise<boolean>
  /** As MessageSigner.incremental: `node:crypto` where the runtime has it, `null` for @noble/curves. */
  incremental(native?: NativeSigning | null): Promise<{ update(bytes: Uint8Array): void; verify(derSignature: Uint8Array): boolean }>
  /** As MessageSigner.threaded: the hashing thread verifies, where one is online. */
  threaded(): Promise<(ThreadedHash & { verify(derSignature: Uint8Array): Promise<boolean> }) | undefined>
}

/**
 * Parses the `aws-crypto-public-key` value. Throws on anything but a valid point on the curve.
 * WebCrypto imports the compressed point where the runtime can (Node); elsewhere @noble/curves
 * decompresses it first.
 */
export async function createMessageVerifier(spec: SignatureSpec, publicKeyBase64: string): Promise<MessageVerifier> {
  const size = SIZES[spec.curve]
  const subtle = globalThis.crypto.subtle
  const compressed = unb64(publicKeyBase64)
  if (compressed.byteLength !== 1 + size || (compressed[0] !== 2 && compressed[0] !== 3)) throw new RangeError('public key is not a compressed point')
  const algorithm = { name: 'ECDSA', namedCurve: spec.curve }
  // Extractable: it is public (the message's header holds it), and Node 24 will not lend
  // node:crypto a non-extractable key (DEP0204).
  let key: CryptoKey
  try {
    key = await subtle.importKey('raw', compressed, algorithm, true, ['verify'])
  } catch {
    const curve = await nobleCurve(spec.curve)
    key = await subtle.importKey('raw', curve.Point.fromBytes(compressed).toBytes(false), algorithm, true, ['verify'])
  }
  const p1363 = (der: Uint8Array) => {
    try {
      return derToP1363(spec, der)
    } catch {
      return undefined
    }
  }
  return {
    async verify(data, der) {
      const sig = p1363(der)
      return !!sig && subtle.verify({ name: 'ECDSA', hash: spec.hash }, key, arrayBufferView(sig), arrayBufferView(data))
    },
    async incremental(choice) {
      const native = choice === undefined ? await nativeSigning() : choice
      const handle = native && lend(native, key)
      if (native && handle) {
        const verifying = native.createVerify(NATIVE_HASH[spec.hash])
        return {
          update: (bytes) => void verifying.update(bytes),
          // The same strict DER as everywhere else (p1363), then OpenSSL's verify.
          verify: (der) => !!p1363(der) && verifying.verify({ key: handle, dsaEncoding: 'der' }, der),
        }
      }
      const [curve, h] = await Promise.all([nobleCurve(spec.curve), incrementalHash(spec.hash)])
      return {
        update: (bytes) => h.update(bytes),
        verify: (der) => {
          const sig = p1363(der)
          return !!sig && curve.verify(sig, h.digest(), compressed, { prehash: false, lowS: false, format: 'compact' })
        },
      }
    },
    async threaded() {
      const native = await nativeSigning()
      const handle = native && lend(native, key)
      const job = handle ? await threadHash('verify', spec.hash) : undefined
      // The same strict DER as everywhere else (p1363), then OpenSSL's verify in the thread.
      return (
        job && {
          update: job.update,
          room: job.room,
          abandon: job.abandon,
          async verify(der) {
            if (p1363(der)) return job.verify(handle, der)
            job.abandon()
            return false
          },
        }
      )
    },
  }
}
