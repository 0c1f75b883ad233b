/**
 * The first step of every call: the request is copied once, member by member, into plain data
 * the caller can no longer reach. Everything after (validation, authorization, the handler, the
 * audit event) reads only this copy, so a getter or a Proxy cannot show the policy one context
 * and the cipher another, and a caller changing its object mid-call changes nothing.
 *
 * - Objects become frozen null-prototype records of own data properties: a member named
 *   `__proto__` (as `JSON.parse` and structured clone produce it) is an ordinary key here.
 * - `Uint8Array` views (Node's `Buffer` included) are copied into fresh `Uint8Array`s of exactly
 *   the view's bytes, so `byteOffset` is respected.
 * - `Date`s (timestamps such as ImportKeyMaterial's ValidTo) are copied by their time value.
 * - Anything that is not JSON-like data, bytes or a date (a BigInt, a function, a Map, another typed
 *   array, a cycle, nesting deeper than any KMS request) becomes an `Unsupported` marker: the
 *   schema then refuses it if the operation has such a member, and ignores it otherwise. The
 *   copy is bounded in depth and in the number of values, so no input makes it hang or recurse.
 */

/** A value the snapshot could not keep as data; `type` says what it was. */
export class Unsupported {
  constructor(readonly type: string) {}
}

export type SnapshotValue = string | number | boolean | null | undefined | Uint8Array | Date | Unsupported | SnapshotValue[] | SnapshotRecord
export interface SnapshotRecord {
  readonly [member: string]: SnapshotValue
}

/** KMS requests nest at most four levels (Constraints.EncryptionContextSubset.<key>); eight is ample. */
const MAX_DEPTH = 8
/** Values copied per request; far above any valid request (50 tags, 10 grant tokens ...). */
const MAX_VALUES = 100_000

/** Thrown when the caller's object cannot be read at all (a throwing getter or Proxy trap). */
export class UnreadableRequest extends Error {}

/**
 * Copies `input` (the caller's request object; `undefined` for none) into a snapshot.
 * Throws UnreadableRequest when reading it throws, TypeError when it is not a plain object.
 */
export function snapshotRequest(input: unknown): SnapshotRecord {
  if (input === undefined) return Object.create(null) as SnapshotRecord
  if (input === null || typeof input !== 'object' || Array.isArray(input) || input instanceof Uint8Array) {
    throw new TypeError('expects a request object')
  }
  let budget = MAX_VALUES
  const copy = (value: unknown, depth: number): SnapshotValue => {
    if (--budget < 0) return new Unsupported('too many values')
    switch (typeof value) {
      case 'string':
      case 'number':
      case 'boolean':
      case 'undefined':
        return value
      case 'object':
        break
      default:
        return new Unsupported(typeof value)
    }
    if (value === null) return null
    if (depth >= MAX_DEPTH) return new Unsupported('nested too deeply')
    if (value instanceof Uint8Array) return new Uint8Array(value)
    if (value instanceof Date) return new Date(Date.prototype.getTime.call(value))
    if (Array.isArray(value)) {
      // By index, with the length read once: no iterator of the caller's runs.
      const length = value.length
      if (length > budget) return new Unsupported('too many values')
      const out: SnapshotValue[] = []
      for (let i = 0; i < length; i++) out.push(copy(value[i], depth + 1))
      return out
    }
    const tag = Object.prototype.toString.call(value)
    return tag === '[object Object]' ? record(value, depth) : new Unsupported(tag.slice(8, -1))
  }
  const record = (value: object, depth: number): SnapshotRecord => {
    // No prototype, so a member named `__proto__` is assigned as an own member like any other.
    const out = Object.create(null) as Record<string, SnapshotValue>
    // Object.entries reads each own enumerable member once (a getter runs once).
    for (const [key, member] of Object.entries(value)) out[key] = copy(member, depth + 1)
    return Object.freeze(out)
  }
  try {
    if (Object.prototype.toString.call(input) !== '[object Object]') throw new Unsupported('request')
    return record(input, 0)
  } catch (error) {
    if (error instanceof Unsupported) throw new TypeError('expects a request object')
    throw new UnreadableRequest('the request could not be read', { cause: error })
  }
}

/** Own members of a snapshot record (never inherited ones: it has no prototype). */
export const members = (r: SnapshotRecord): [string, SnapshotValue][] => Object.entries(r)
