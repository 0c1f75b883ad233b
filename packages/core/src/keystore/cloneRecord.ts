/**
 * Deep copy of store records, with the semantics of structured clone for the types records
 * hold: plain objects, arrays, Dates and Uint8Arrays are copied; CryptoKeys (immutable, and not
 * copyable when non-extractable) are shared. Keeps the memory store honest: a caller that
 * changes a record it read changes nothing stored.
 */
export function cloneRecord<T>(value: T): T {
  if (value === null || typeof value !== 'object') return value
  if (value instanceof Date) return new Date(value.getTime()) as T
  if (value instanceof Uint8Array) return value.slice() as T
  if (Array.isArray(value)) return value.map(cloneRecord) as T
  if (isCryptoKey(value)) return value
  const out: Record<string, unknown> = {}
  for (const [k, v] of Object.entries(value)) if (v !== undefined) out[k] = cloneRecord(v)
  return out as T
}

const isCryptoKey = (v: object): v is CryptoKey =>
  typeof CryptoKey !== 'undefined' ? v instanceof CryptoKey : Object.prototype.toString.call(v) === '[object CryptoKey]'
