/**
 * Input validation with AWS-shaped errors. Every check throws ValidationException with the
 * message AWS's service-side validation uses ("1 validation error detected: Value at
 * 'plaintext' failed to satisfy constraint: Member must ..."), naming the member but never
 * echoing secret values. Nothing from the caller reaches the engine unchecked, so bad input
 * is always a typed KmsError, never a TypeError from deep inside.
 */
import { ValidationException } from '../errors.js'
import type { EncryptionContextType, Tag } from './types.js'

export type Input = Record<string, unknown>

/** AWS names members in lower camel case, path segments included: `tags.1.member.tagKey`. */
const member = (field: string) =>
  field
    .split('.')
    .map((s) => s.charAt(0).toLowerCase() + s.slice(1))
    .join('.')

export function fail(field: string, constraint: string, value?: string | number): never {
  const shown = value === undefined ? '' : ` '${value}'`
  throw new ValidationException(
    `1 validation error detected: Value${shown} at '${member(field)}' failed to satisfy constraint: ${constraint}`,
  )
}

export function requestObject(input: unknown, operation: string): Input {
  if (input === undefined) return {}
  if (input === null || typeof input !== 'object' || Array.isArray(input)) {
    throw new ValidationException(`${operation} expects a request object`)
  }
  return input as Input
}

interface StringRule {
  min?: number
  max?: number
  pattern?: RegExp
}

export function optionalString(input: Input, field: string, rule: StringRule = {}): string | undefined {
  const v = input[field]
  if (v === undefined) return undefined
  if (typeof v !== 'string') fail(field, 'Member must be a string')
  if (rule.min !== undefined && v.length < rule.min) fail(field, `Member must have length greater than or equal to ${rule.min}`)
  if (rule.max !== undefined && v.length > rule.max) fail(field, `Member must have length less than or equal to ${rule.max}`)
  if (rule.pattern && !rule.pattern.test(v)) fail(field, `Member must satisfy regular expression pattern: ${rule.pattern.source}`, v)
  return v
}

export function requiredString(input: Input, field: string, rule: StringRule = {}): string {
  const v = optionalString(input, field, rule)
  if (v === undefined) fail(field, 'Member must not be null')
  return v
}

/** Key IDs, key ARNs, alias names and alias ARNs: 1 to 2048 characters. */
export const requiredKeyId = (input: Input, field = 'KeyId') => requiredString(input, field, { min: 1, max: 2048 })
export const optionalKeyId = (input: Input, field = 'KeyId') => optionalString(input, field, { min: 1, max: 2048 })

export function optionalInteger(input: Input, field: string, min: number, max: number): number | undefined {
  const v = input[field]
  if (v === undefined) return undefined
  if (typeof v !== 'number' || !Number.isInteger(v)) fail(field, 'Member must be an integer')
  if (v < min) fail(field, `Member must have value greater than or equal to ${min}`, v)
  if (v > max) fail(field, `Member must have value less than or equal to ${max}`, v)
  return v
}

export function optionalBoolean(input: Input, field: string): boolean | undefined {
  const v = input[field]
  if (v === undefined) return undefined
  if (typeof v !== 'boolean') fail(field, 'Member must be a boolean')
  return v
}

export function optionalEnum<T extends string>(input: Input, field: string, values: readonly T[]): T | undefined {
  const v = input[field]
  if (v === undefined) return undefined
  if (typeof v !== 'string' || !(values as readonly string[]).includes(v)) {
    fail(field, `Member must satisfy enum value set: [${values.join(', ')}]`, typeof v === 'string' ? v : undefined)
  }
  return v as T
}

/**
 * A binary member: any Uint8Array view (Node's Buffer included). Returns a copy of exactly the
 * view's bytes, so byteOffset is respected and later changes by the caller cannot race us.
 */
export function requiredBytes(input: Input, field: string, min: number, max: number): Uint8Array {
  const v = input[field]
  if (v === undefined || v === null) fail(field, 'Member must not be null')
  if (!(v instanceof Uint8Array)) fail(field, 'Member must be a Uint8Array')
  if (v.byteLength < min) fail(field, `Member must have length greater than or equal to ${min}`)
  if (v.byteLength > max) fail(field, `Member must have length less than or equal to ${max}`)
  return v.slice()
}

export function optionalEncryptionContext(input: Input, field: string): EncryptionContextType | undefined {
  const v = input[field]
  if (v === undefined) return undefined
  if (v === null || typeof v !== 'object' || Array.isArray(v) || v instanceof Uint8Array) {
    fail(field, 'Member must be a map of string keys to string values')
  }
  const out: EncryptionContextType = {}
  for (const [k, value] of Object.entries(v)) {
    if (typeof value !== 'string') fail(field, `Member must be a map of string keys to string values (key '${k}')`)
    out[k] = value
  }
  return out
}

export function optionalStringList(input: Input, field: string, rule: StringRule & { maxItems?: number } = {}): string[] | undefined {
  const v = input[field]
  if (v === undefined) return undefined
  if (!Array.isArray(v)) fail(field, 'Member must be a list of strings')
  if (rule.maxItems !== undefined && v.length > rule.maxItems) {
    fail(field, `Member must have length less than or equal to ${rule.maxItems}`)
  }
  return v.map((item, i) => {
    const path = `${field}.${i + 1}.member`
    return requiredString({ [path]: item }, path, rule)
  })
}

export const TAG_KEY_RULE = { min: 1, max: 128 }
export const TAG_VALUE_RULE = { min: 0, max: 256 }

export function optionalTags(input: Input, field: string): Tag[] | undefined {
  const v = input[field]
  if (v === undefined) return undefined
  if (!Array.isArray(v)) fail(field, 'Member must be a list of tags')
  return v.map((tag, i) => {
    if (tag === null || typeof tag !== 'object') fail(`${field}.${i + 1}.member`, 'Member must be a tag object')
    const t = tag as Input
    const path = `${field}.${i + 1}.member`
    return {
      TagKey: requiredString({ [`${path}.TagKey`]: t.TagKey }, `${path}.TagKey`, TAG_KEY_RULE),
      TagValue: requiredString({ [`${path}.TagValue`]: t.TagValue }, `${path}.TagValue`, TAG_VALUE_RULE),
    }
  })
}

/** Paging members shared by the List operations. */
export function paging(input: Input, maxLimit: number, defaultLimit: number): { limit: number; marker?: string } {
  const limit = optionalInteger(input, 'Limit', 1, maxLimit) ?? defaultLimit
  const marker = optionalString(input, 'Marker', { min: 1, max: 1024, pattern: /^[\u0020-\u00FF]*$/ })
  return marker === undefined ? { limit } : { limit, marker }
}
