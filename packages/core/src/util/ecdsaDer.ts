/**
 * ECDSA signature encodings: WebCrypto signs and verifies IEEE P1363 (r || s, each the field's
 * width), while AWS KMS and the AWS Encryption SDK write DER (ECDSA-Sig-Value, RFC 3279
 * §2.2.3). Converted with @noble/curves' DER helpers only (the curves are not needed for it),
 * and only strict DER is accepted: the one encoding of (r, s), nothing else.
 */
import { DER } from '@noble/curves/abstract/der.js'
import { concatBytes, fromHex, toHex } from './bytes.js'

const bigintOf = (b: Uint8Array) => (b.length ? BigInt(`0x${toHex(b)}`) : 0n)
const fixedWidth = (n: bigint, width: number): Uint8Array | undefined => {
  const hex = n.toString(16).padStart(width * 2, '0')
  return hex.length > width * 2 ? undefined : fromHex(hex)
}

/** P1363 (r || s, each half the input) to DER. */
export function p1363ToDer(p1363: Uint8Array): Uint8Array {
  const half = p1363.length / 2
  return fromHex(DER.hexFromSig({ r: bigintOf(p1363.subarray(0, half)), s: bigintOf(p1363.subarray(half)) }))
}

/** Strict DER to P1363 of `width`-byte halves; undefined for anything else (BER variants, trailing bytes, integers wider than the field). */
export function derToP1363(der: Uint8Array, width: number): Uint8Array | undefined {
  try {
    const { r, s } = DER.toSig(der)
    // Re-encoding must give the same bytes: only the one DER form of (r, s) is accepted.
    if (toHex(fromHex(DER.hexFromSig({ r, s }))) !== toHex(der)) return undefined
    const rb = fixedWidth(r, width)
    const sb = fixedWidth(s, width)
    return rb && sb ? concatBytes(rb, sb) : undefined
  } catch {
    return undefined
  }
}
