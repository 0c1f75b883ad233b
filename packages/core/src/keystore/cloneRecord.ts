/**
 * Deep copy of store records, with the semantics of structured clone for the types records
 * hold: plain objects, arrays, Dates and Uint8Arrays are copied; CryptoKeys (immutable, and not
 * copyable when non-extractable) are shared. Keeps the memory store honest: a caller that
 * changes a record it read changes nothing stored. Every own member is defined as an own
 * property, as structured clone does, so a key named `__proto__` (an encryption context's, a
 * grant constraint's) is copied, not turned into a prototype.
 */
export function cloneRecord<T>(value: T): T {
  if (value === null || typeof value !== 'object') return value
  if (value instanceof Date) return new Date(value.getTime()) as T
  if (value instanceof Uint8Array) return value.slice() as T
  if (Array.isArray(value)) return value.map(cloneRecord) as T
  if (isCryptoKey(value)) return value
  return copyMembers(value, cloneRecord) as T
}

/**
 * A plain object of `value`'s own enumerable members, each passed through `copy`; undefined
 * members are left out, as structured clone leaves them. A member named `__proto__` is defined
 * as an own property, not turned into a prototype.
 */
export function copyMembers(value: object, copy: (member: unknown) => unknown): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  for (const k of Object.keys(value)) {
    const v = (value as Record<string, unknown>)[k]
    if (v === undefined) continue
    // Assignment is several times faster than defineProperty; only `__proto__` needs the latter.
    if (k === '__proto__') Object.defineProperty(out, k, { value: copy(v), enumerable: true, writable: true, configurable: true })
    else out[k] = copy(v)
  }
  return out
}

const isCryptoKey = (v: object): v is CryptoKey =>
  typeof CryptoKey !== 'undefined' ? v instanceof CryptoKey : Object.prototype.toString.call(v) === '[object CryptoKey]'
