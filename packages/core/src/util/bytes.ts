/** Small byte helpers. Views are always read through their byteOffset/byteLength. */

const utf8Encoder = new TextEncoder()
// ignoreBOM: a leading U+FEFF is part of the text (an encryption context key may start with one), not a
// marker to drop: decoding must give back exactly the string that was encoded.
const utf8Decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true })

export const utf8 = (s: string): Uint8Array<ArrayBuffer> => utf8Encoder.encode(s)
export const fromUtf8 = (b: Uint8Array): string => utf8Decoder.decode(b)

export function concatBytes(...parts: Uint8Array[]): Uint8Array<ArrayBuffer> {
  let length = 0
  for (const p of parts) length += p.byteLength
  const out = new Uint8Array(length)
  let offset = 0
  for (const p of parts) {
    out.set(p, offset)
    offset += p.byteLength
  }
  return out
}

export function uint32be(n: number): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(4)
  new DataView(out.buffer).setUint32(0, n)
  return out
}

export function uint16be(n: number): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(2)
  new DataView(out.buffer).setUint16(0, n)
  return out
}

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'))

export function toHex(bytes: Uint8Array): string {
  let s = ''
  for (let i = 0; i < bytes.length; i++) s += HEX[bytes[i]!]
  return s
}

export function fromHex(hex: string): Uint8Array {
  const out = new Uint8Array(hex.length / 2)
  for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.slice(i * 2, i * 2 + 2), 16)
  return out
}

/** An exact copy in a fresh ArrayBuffer, so WebCrypto and callers never share memory with ours. */
export const copyBytes = (b: Uint8Array): Uint8Array<ArrayBuffer> => {
  const out = new Uint8Array(b.byteLength)
  out.set(b)
  return out
}

/** `b` itself when it views an ArrayBuffer (as WebCrypto takes it: a SharedArrayBuffer view it refuses), otherwise a copy. */
export const arrayBufferView = (b: Uint8Array): Uint8Array<ArrayBuffer> => (b.buffer instanceof ArrayBuffer ? (b as Uint8Array<ArrayBuffer>) : copyBytes(b))

/** RFC 9562 §5.4: a version 4 UUID from 16 random bytes. */
export function uuidFromRandom(random: Uint8Array): string {
  // Written byte by byte (two per audit event): no copy, no slices.
  let s = ''
  for (let i = 0; i < 16; i++) {
    const b = random[i]!
    s += HEX[i === 6 ? (b & 0x0f) | 0x40 : i === 8 ? (b & 0x3f) | 0x80 : b]
    if (i === 3 || i === 5 || i === 7 || i === 9) s += '-'
  }
  return s
}

export const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/

export const uuidToBytes = (uuid: string): Uint8Array => fromHex(uuid.replace(/-/g, ''))

export function uuidFromBytes(b: Uint8Array): string {
  const h = toHex(b)
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`
}

export function toBase64(b: Uint8Array): string {
  let s = ''
  for (const x of b) s += String.fromCharCode(x)
  return btoa(s)
}

export const fromBase64 = (s: string): Uint8Array<ArrayBuffer> => Uint8Array.from(atob(s), (c) => c.charCodeAt(0))

/** base64url without padding (RFC 4648 §5), as JOSE writes it. */
export const toBase64Url = (b: Uint8Array) => toBase64(b).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '')

/** base64url without padding; RangeError for any other character. */
export function fromBase64Url(s: string): Uint8Array<ArrayBuffer> {
  if (!/^[A-Za-z0-9_-]*$/.test(s)) throw new RangeError('not base64url')
  return fromBase64(s.replace(/-/g, '+').replace(/_/g, '/') + '='.repeat((4 - (s.length % 4)) % 4))
}

/** Constant-time comparison: how far two secrets agree must not show in the timing. */
export function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.byteLength !== b.byteLength) return false
  let diff = 0
  for (let i = 0; i < a.byteLength; i++) diff |= a[i]! ^ b[i]!
  return diff === 0
}

/**
 * Sorts `items` in place by `key`, comparing UTF-16 code units as the default sort orders
 * strings (stable, as it is). Short arrays are sorted by insertion: V8's sort allocates working
 * storage on every call, and this runs on every call's audit event and encryption context.
 */
export function sortByCodeUnits<T>(items: T[], key: (item: T) => string): T[] {
  if (items.length > 32) return items.sort((a, b) => compareCodeUnits(key(a), key(b)))
  for (let i = 1; i < items.length; i++) {
    const item = items[i]!
    const k = key(item)
    let j = i - 1
    for (; j >= 0 && key(items[j]!) > k; j--) items[j + 1] = items[j]!
    items[j + 1] = item
  }
  return items
}

const compareCodeUnits = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0)
