/**
 * The bytes the audit trail's two chains are made of (see trail.ts):
 *
 *   event hash(n)      = SHA-256(hash(n-1) || canonical JSON of event n), hash(0) = 64 zeros (hex)
 *   checkpoint bytes   = canonical JSON of every checkpoint field but `signature`
 *   checkpoint hash    = SHA-256(checkpoint bytes), what the next checkpoint's `previousCheckpoint` holds
 *   key fingerprint    = hex SHA-256 of the signing key's raw public key (the uncompressed P-256 point)
 *
 * SHA-256 must be synchronous: hashing happens inside store transactions, which must not await
 * anything but the store (KeyStore's invariant). The hashes themselves are in hashes.ts
 * (@noble/hashes) and, for the trail's appends where the runtime has one, `node:crypto`'s
 * (createKms.ts): this module holds the bytes they hash.
 */
import { sortByCodeUnits, utf8 } from '../../util/bytes.js'

export const GENESIS_HASH = '0'.repeat(64)

export type AuditEvent = Record<string, unknown>

/** A signed checkpoint: the period it covers, the last event it covers, and its place in the checkpoint chain. */
export interface AuditCheckpoint {
  /** Start of the covered period: the previous checkpoint's `time`, or the trail's start (its first event's time). */
  from: string
  /** End of the covered period: when the checkpoint was signed (ISO 8601). */
  time: string
  /** The last event covered (0 when none) and its chain hash. */
  sequence: number
  hash: string
  /** Hex SHA-256 of the previous checkpoint's signed bytes; 64 zeros for the first. */
  previousCheckpoint: string
  /** Fingerprint of the key that signed it. Absent in checkpoints made before keys had identities (webkms-audit-2): the trail's first key signed those. */
  key?: string
  /** A key handover: the signing key was rotated, and this key signs the checkpoints after this one. */
  nextKey?: string
  /** The verifier's challenge, in the checkpoint an export made when asked with one (freshness). */
  challenge?: string
  /**
   * Where the kept trail started when this was signed: the hash of the checkpoint its first event
   * follows (the trail's `base`, where retention pruned it), or 64 zeros at the trail's
   * beginning. An export, and an archived segment, ends with a checkpoint whose `start` is its
   * own, so moving an export's start later is caught. Absent in checkpoints made before (webkms
   * 0.x trails stay verifiable).
   */
  start?: string
  /** Base64 ECDSA P-256 / SHA-256 signature (IEEE P1363) over the checkpoint bytes. */
  signature: string
}

export type UnsignedCheckpoint = Omit<AuditCheckpoint, 'signature'>

/**
 * Object keys as JSON strings, kept for the keys events repeat (their own names, contexts' keys):
 * quoting each key was a quarter of canonicalJson's time. Bounded: keys come from callers too.
 */
const quotedKeys = new Map<string, string>()
const QUOTED_KEYS_LIMIT = 4096
function quoted(key: string): string {
  let json = quotedKeys.get(key)
  if (json === undefined) {
    json = JSON.stringify(key)
    if (quotedKeys.size < QUOTED_KEYS_LIMIT) quotedKeys.set(key, json)
  }
  return json
}

/** Strings JSON writes as they are, between quotes: printable ASCII but `"` and `\`. */
const PLAIN_STRING = /^[\x20\x21\x23-\x5b\x5d-\x7e]*$/

/** JSON with object keys sorted, so the same event always hashes the same. Throws on what JSON cannot hold (a BigInt, a cycle). */
export function canonicalJson(value: unknown): string {
  if (typeof value === 'string') return value.length <= 256 && PLAIN_STRING.test(value) ? `"${value}"` : JSON.stringify(value)
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null'
  // Built by concatenation, without intermediate arrays: it runs on every call's audit event.
  let out: string
  if (Array.isArray(value)) {
    out = '['
    for (let i = 0; i < value.length; i++) out += (i ? ',' : '') + canonicalJson(value[i])
    return out + ']'
  }
  // Object.keys gives own enumerable string keys, as Object.entries did; sorted by UTF-16 code
  // units, as the default sort orders them.
  const record = value as Record<string, unknown>
  const keys = sortByCodeUnits(Object.keys(record), (k) => k)
  out = '{'
  let first = true
  for (const k of keys) {
    const v = record[k]
    if (v === undefined) continue
    out += (first ? '' : ',') + quoted(k) + ':' + canonicalJson(v)
    first = false
  }
  return out + '}'
}

/** `sha256Hex`: hex SHA-256 of a string's UTF-8 (hashes.ts, or the runtime's: createKms.ts). */
export const chainHash = (previousHash: string, event: AuditEvent, sha256Hex: (text: string) => string) => sha256Hex(previousHash + canonicalJson(event))

/** What a checkpoint's signature covers. Optional fields are covered when present. */
export function checkpointBytes(c: UnsignedCheckpoint): Uint8Array<ArrayBuffer> {
  const signed: Record<string, unknown> = { from: c.from, time: c.time, sequence: c.sequence, hash: c.hash, previousCheckpoint: c.previousCheckpoint }
  if (c.key !== undefined) signed.key = c.key
  if (c.nextKey !== undefined) signed.nextKey = c.nextKey
  if (c.challenge !== undefined) signed.challenge = c.challenge
  if (c.start !== undefined) signed.start = c.start
  return utf8(canonicalJson(signed))
}


/**
 * The instants an event time string can stand for: `eventTime` is CloudTrail's, to the second,
 * so "12:00:00Z" is [12:00:00.000, 12:00:01.000). Undefined when the time cannot be read.
 */
export function timeSpan(value: unknown): { start: number; end: number } | undefined {
  if (typeof value !== 'string') return undefined
  const start = Date.parse(value)
  if (Number.isNaN(start)) return undefined
  const fraction = /\.(\d+)(?:Z|[+-]\d\d:?\d\d)$/i.exec(value)?.[1]
  return { start, end: start + (fraction ? Math.max(1, 10 ** (3 - Math.min(fraction.length, 3))) : 1000) }
}
