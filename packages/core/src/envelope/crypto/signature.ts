/**
 * ECDSA message signatures for the signing suites (0x0214: P-256/SHA-256; 0x0346, 0x0378,
 * 0x0578: P-384/SHA-384). The message format wants the signature DER-encoded
 * (data-format/message-footer.md) and the public key as a compressed point, base64, in the
 * encryption context under `aws-crypto-public-key` (framework/structures.md).
 *
 * One-shot messages are signed and verified with WebCrypto over the whole message (native
 * hashing); WebCrypto speaks IEEE P1363 (r || s), so signatures are converted to and from DER.
 * WebCrypto cannot import a compressed point, nor sign a digest hashed incrementally, so
 * @noble/curves decompresses public keys and does the streaming sign and verify over an
 * incremental @noble/hashes digest.
 */
import { p256, p384 } from '@noble/curves/nist.js'
import { sha256, sha384 } from '@noble/hashes/sha2.js'
import { concatBytes } from '../../util/bytes.js'
import type { AlgorithmSuite } from '../suites.js'

type Curve = typeof p384
type SignatureSpec = NonNullable<AlgorithmSuite['signature']>

interface IncrementalHash {
  create(): { update(b: Uint8Array): unknown; digest(): Uint8Array }
}

const curves: Record<SignatureSpec['curve'], { curve: Curve; hash: IncrementalHash; size: number }> = {
  'P-256': { curve: p256, hash: sha256, size: 32 },
  'P-384': { curve: p384, hash: sha384, size: 48 },
}

/** P1363 (r || s, each padded to the curve size) to DER. Throws on a malformed input. */
export function p1363ToDer(spec: SignatureSpec, p1363: Uint8Array): Uint8Array {
  const { curve, size } = curves[spec.curve]
  if (p1363.byteLength !== 2 * size) throw new RangeError(`"signature" expected ${2 * size} bytes, got length=${p1363.byteLength}`)
  return curve.Signature.fromBytes(p1363, 'compact').toBytes('der')
}

/** DER to P1363. Throws on anything but a strict DER encoding of two integers in range. */
export function derToP1363(spec: SignatureSpec, der: Uint8Array): Uint8Array {
  const { curve } = curves[spec.curve]
  const sig = curve.Signature.fromBytes(der, 'der')
  // Reject non-canonical encodings: the DER we would write for (r, s) must be these bytes.
  const canonical = sig.toBytes('der')
  if (canonical.byteLength !== der.byteLength || canonical.some((b, i) => b !== der[i])) throw new RangeError('signature is not canonical DER')
  return sig.toBytes('compact')
}

const b64 = (b: Uint8Array) => btoa(String.fromCharCode(...b))
const unb64 = (s: string) => Uint8Array.from(atob(s), (c) => c.charCodeAt(0))
const b64url = (b: Uint8Array) => b64(b).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '')

/** A fresh per-message signing key. */
export interface MessageSigner {
  /** The compressed public key, base64, for the encryption context. */
  publicKey: string
  /** Signs the whole message so far (one-shot): DER. */
  sign(data: Uint8Array): Promise<Uint8Array>
  /** For streaming: feed bytes as they are written, then sign the digest: DER. */
  incremental(): { update(bytes: Uint8Array): void; sign(): Uint8Array }
}

export async function createMessageSigner(spec: SignatureSpec): Promise<MessageSigner> {
  const { curve, hash, size } = curves[spec.curve]
  const secretKey = curve.utils.randomSecretKey()
  const uncompressed = curve.getPublicKey(secretKey, false)
  // Import once into WebCrypto, non-extractable, for native one-shot signing.
  const jwk: JsonWebKey = {
    kty: 'EC',
    crv: spec.curve,
    x: b64url(uncompressed.subarray(1, 1 + size)),
    y: b64url(uncompressed.subarray(1 + size)),
    d: b64url(secretKey),
    ext: false,
  }
  const key = await globalThis.crypto.subtle.importKey('jwk', jwk, { name: 'ECDSA', namedCurve: spec.curve }, false, ['sign'])
  return {
    publicKey: b64(curve.getPublicKey(secretKey, true)),
    async sign(data) {
      const p1363 = await globalThis.crypto.subtle.sign({ name: 'ECDSA', hash: spec.hash }, key, concatBytes(data))
      return p1363ToDer(spec, new Uint8Array(p1363))
    },
    incremental() {
      const h = hash.create()
      return {
        update: (bytes) => void h.update(bytes),
        sign: () => curve.sign(h.digest(), secretKey, { prehash: false, format: 'der', lowS: false }),
      }
    },
  }
}

export interface MessageVerifier {
  verify(data: Uint8Array, derSignature: Uint8Array): Promise<boolean>
  incremental(): { update(bytes: Uint8Array): void; verify(derSignature: Uint8Array): boolean }
}

/** Parses the `aws-crypto-public-key` value. Throws on anything but a valid point on the curve. */
export async function createMessageVerifier(spec: SignatureSpec, publicKeyBase64: string): Promise<MessageVerifier> {
  const { curve, hash } = curves[spec.curve]
  const compressed = unb64(publicKeyBase64)
  const point = curve.Point.fromBytes(compressed) // validates the point
  const key = await globalThis.crypto.subtle.importKey('raw', point.toBytes(false), { name: 'ECDSA', namedCurve: spec.curve }, false, ['verify'])
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
      return !!sig && globalThis.crypto.subtle.verify({ name: 'ECDSA', hash: spec.hash }, key, concatBytes(sig), concatBytes(data))
    },
    incremental() {
      const h = hash.create()
      return {
        update: (bytes) => void h.update(bytes),
        verify: (der) => {
          const sig = p1363(der)
          return !!sig && curve.verify(sig, h.digest(), compressed, { prehash: false, lowS: false, format: 'compact' })
        },
      }
    },
  }
}
