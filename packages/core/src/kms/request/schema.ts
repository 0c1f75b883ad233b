/**
 * Request schemas: each operation declares its members once, with AWS's model constraints
 * (type, length, pattern, enum, range, required), and that one declaration
 * - validates the request snapshot, collecting every violation into one ValidationException
 *   worded as AWS words it ("2 validation errors detected: Value 'x' at 'keyId' failed to
 *   satisfy constraint: Member must have length less than or equal to 2048; ..."), quoting the
 *   rejected value except for sensitive members;
 * - says which members the audit event records (never a sensitive or binary one, and only
 *   values that are of the declared type, so refused input is never copied into the trail);
 * - types the validated request (Infer<S>), so handlers read typed members, never raw input.
 * Members the schema does not name are ignored, as AWS ignores unknown members.
 */
import { ValidationException } from '../errors.js'
import { Unsupported, type SnapshotRecord, type SnapshotValue } from './snapshot.js'

interface MemberBase {
  readonly required: boolean
  /** Never quoted in error messages, never recorded. */
  readonly sensitive: boolean
  /** Recorded in the audit event (CloudTrail's requestParameters). */
  readonly audited: boolean
}
export interface StringMember extends MemberBase {
  readonly kind: 'string'
  readonly min?: number
  readonly max?: number
  readonly pattern?: RegExp
}
export interface IntegerMember extends MemberBase {
  readonly kind: 'integer'
  readonly min: number
  readonly max: number
}
export interface BooleanMember extends MemberBase {
  readonly kind: 'boolean'
}
export interface EnumMember extends MemberBase {
  readonly kind: 'enum'
  readonly values: readonly string[]
}
export interface BlobMember extends MemberBase {
  readonly kind: 'blob'
  readonly min: number
  readonly max: number
}
/** A timestamp: a `Date` (the wire protocol turns epoch seconds into one). */
export interface TimestampMember extends MemberBase {
  readonly kind: 'timestamp'
}
/** A string-to-string map (EncryptionContext), validated into its entries, so no key can be lost. */
export interface MapMember extends MemberBase {
  readonly kind: 'map'
}
export interface ListMember extends MemberBase {
  readonly kind: 'list'
  readonly item: Member
  readonly min?: number
  readonly max?: number
}
export interface StructureMember extends MemberBase {
  readonly kind: 'structure'
  readonly members: Schema
}
export type Member = StringMember | IntegerMember | BooleanMember | EnumMember | BlobMember | TimestampMember | MapMember | ListMember | StructureMember

export interface Schema {
  readonly [member: string]: Member
}

/** Phantom: the validated type of a member. */
export interface Typed<T> {
  readonly __type?: T
}
type TypeOf<M> = M extends Typed<infer T> ? T : unknown
type RequiredKeys<S> = { [K in keyof S]: S[K] extends { readonly required: true } ? K : never }[keyof S]
type OptionalKeys<S> = Exclude<keyof S, RequiredKeys<S>>
/** The validated request a schema describes. */
export type Infer<S> = { readonly [K in RequiredKeys<S>]: TypeOf<S[K]> } & { readonly [K in OptionalKeys<S>]?: TypeOf<S[K]> }

type Options = { required?: boolean; sensitive?: boolean; audited?: boolean }
const base = (o: Options = {}) => ({ required: o.required ?? false, sensitive: o.sensitive ?? false, audited: o.audited ?? !(o.sensitive ?? false) })
export type Member_<M, T, O> = M & Typed<T> & { readonly required: O extends { required: true } ? true : false }

export const string = <O extends Options>(rule: { min?: number; max?: number; pattern?: RegExp } = {}, o?: O) =>
  ({ kind: 'string', ...rule, ...base(o) }) as unknown as Member_<StringMember, string, O>
export const integer = <O extends Options>(min: number, max: number, o?: O) => ({ kind: 'integer', min, max, ...base(o) }) as unknown as Member_<IntegerMember, number, O>
export const boolean = <O extends Options>(o?: O) => ({ kind: 'boolean', ...base(o) }) as unknown as Member_<BooleanMember, boolean, O>
export const enumOf = <const E extends string, O extends Options>(values: readonly E[], o?: O) => ({ kind: 'enum', values, ...base(o) }) as unknown as Member_<EnumMember, E, O>
/** Binary members are never recorded, whatever `audited` says. */
export const blob = <O extends Options>(min: number, max: number, o?: O) => ({ kind: 'blob', min, max, ...base(o), audited: false }) as unknown as Member_<BlobMember, Uint8Array, O>
export const timestamp = <O extends Options>(o?: O) => ({ kind: 'timestamp', ...base(o) }) as unknown as Member_<TimestampMember, Date, O>
export const map = <O extends Options>(o?: O) => ({ kind: 'map', ...base(o) }) as unknown as Member_<MapMember, readonly (readonly [string, string])[], O>
export const list = <I extends Member, O extends Options>(item: I, rule: { min?: number; max?: number } = {}, o?: O) =>
  ({ kind: 'list', item, ...rule, ...base(o) }) as unknown as Member_<ListMember, TypeOf<I>[], O>
export const structure = <S extends Schema, O extends Options>(members: S, o?: O) => ({ kind: 'structure', members, ...base(o) }) as unknown as Member_<StructureMember, Infer<S>, O>

/** AWS names members in lower camel case, path segments included: `tags.1.member.tagKey`. */
export const memberPath = (path: string) =>
  path
    .split('.')
    .map((s) => s.charAt(0).toLowerCase() + s.slice(1))
    .join('.')

/** Error messages quote at most this much of a rejected value (the trail records the message). */
const MAX_QUOTED = 256

function quote(value: SnapshotValue): string {
  if (value === null || value === undefined) return 'null'
  let text: string
  if (typeof value === 'string') text = value
  else if (typeof value === 'number' || typeof value === 'boolean') text = String(value)
  else if (Array.isArray(value)) text = `[${value.map((v) => (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' ? String(v) : '...')).join(', ')}]`
  else return ''
  return `'${text.length > MAX_QUOTED ? `${text.slice(0, MAX_QUOTED)}...` : text}'`
}

/** One violation, worded as AWS's model validation words it. */
function violation(path: string, member: Member, value: SnapshotValue, constraint: string): string {
  const shown = member.sensitive ? '' : quote(value)
  return `Value${shown ? ` ${shown}` : ''} at '${memberPath(path)}' failed to satisfy constraint: ${constraint}`
}

/** Throws the one ValidationException AWS would: every violation, counted, joined by "; ". */
export function raiseViolations(violations: string[]): never {
  const n = violations.length
  throw new ValidationException(`${n} validation error${n === 1 ? '' : 's'} detected: ${violations.join('; ')}`)
}

const isRecord = (v: SnapshotValue): v is SnapshotRecord =>
  typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Uint8Array) && !(v instanceof Date) && !(v instanceof Unsupported)

/** Checks one value; returns its validated form, or undefined after adding violations. */
function check(path: string, m: Member, v: SnapshotValue, out: string[]): unknown {
  const bad = (constraint: string) => {
    out.push(violation(path, m, v, constraint))
    return undefined
  }
  switch (m.kind) {
    case 'string': {
      if (typeof v !== 'string') return bad('Member must be a string')
      // AWS counts length in characters (UTF-16 code units for the JS SDK's shapes).
      if (m.min !== undefined && v.length < m.min) return bad(`Member must have length greater than or equal to ${m.min}`)
      if (m.max !== undefined && v.length > m.max) return bad(`Member must have length less than or equal to ${m.max}`)
      if (m.pattern && !m.pattern.test(v)) return bad(`Member must satisfy regular expression pattern: ${m.pattern.source}`)
      return v
    }
    case 'integer': {
      if (typeof v !== 'number' || !Number.isInteger(v)) return bad('Member must be an integer')
      if (v < m.min) return bad(`Member must have value greater than or equal to ${m.min}`)
      if (v > m.max) return bad(`Member must have value less than or equal to ${m.max}`)
      return v
    }
    case 'boolean':
      return typeof v === 'boolean' ? v : bad('Member must be a boolean')
    case 'enum':
      return typeof v === 'string' && m.values.includes(v) ? v : bad(`Member must satisfy enum value set: [${m.values.join(', ')}]`)
    case 'blob': {
      if (!(v instanceof Uint8Array)) return bad('Member must be a Uint8Array')
      if (v.byteLength < m.min) return bad(`Member must have length greater than or equal to ${m.min}`)
      if (v.byteLength > m.max) return bad(`Member must have length less than or equal to ${m.max}`)
      return v
    }
    case 'timestamp':
      return v instanceof Date && Number.isFinite(v.getTime()) ? v : bad('Member must be a timestamp (a valid Date)')
    case 'map': {
      if (!isRecord(v)) return bad('Member must be a map of string keys to string values')
      const entries = Object.entries(v)
      const wrong = entries.find(([, value]) => typeof value !== 'string')
      if (wrong) return bad(`Member must be a map of string keys to string values (key '${wrong[0].slice(0, MAX_QUOTED)}')`)
      return entries as [string, string][]
    }
    case 'list': {
      if (!Array.isArray(v)) return bad('Member must be a list')
      if (m.min !== undefined && v.length < m.min) return bad(`Member must have length greater than or equal to ${m.min}`)
      if (m.max !== undefined && v.length > m.max) return bad(`Member must have length less than or equal to ${m.max}`)
      const before = out.length
      const items = v.map((item, i) => check(`${path}.${i + 1}.member`, m.item, item, out))
      return out.length === before ? items : undefined
    }
    case 'structure': {
      if (!isRecord(v)) return bad('Member must be a structure')
      const before = out.length
      const value = checkMembers(m.members, v, out, `${path}.`)
      return out.length === before ? value : undefined
    }
  }
}

function checkMembers(schema: Schema, input: SnapshotRecord, out: string[], prefix: string): Record<string, unknown> {
  const value = Object.create(null) as Record<string, unknown>
  for (const [name, m] of Object.entries(schema)) {
    const v = input[name]
    if (v === undefined || v === null) {
      if (m.required) out.push(violation(`${prefix}${name}`, m, null, 'Member must not be null'))
      continue
    }
    const checked = check(`${prefix}${name}`, m, v, out)
    if (checked !== undefined) value[name] = checked
  }
  return value
}

/**
 * Validates a snapshot against a schema: the typed request, or one ValidationException listing
 * every violation.
 */
export function validateRequest<S extends Schema>(schema: S, input: SnapshotRecord): Infer<S> {
  const violations: string[] = []
  const value = checkMembers(schema, input, violations, '')
  if (violations.length) raiseViolations(violations)
  return value as Infer<S>
}

/**
 * CloudTrail's requestParameters for a request: the audited members (camelCase) whose values
 * are of their declared type; secrets, binary members and refused values are left out. Total:
 * it cannot throw, whatever the snapshot holds, so every call can be recorded.
 */
export function auditedParameters(schema: Schema, input: SnapshotRecord): Record<string, unknown> | null {
  const out = recordAudited(schema, input)
  return Object.keys(out).length ? out : null
}

/** Each schema's recorded members and their camelCase names, worked out once: every call's event needs them. */
const recordedMembers = new WeakMap<Schema, readonly (readonly [name: string, member: Member, recordedAs: string])[]>()

function recordAudited(schema: Schema, input: SnapshotRecord): Record<string, unknown> {
  let members = recordedMembers.get(schema)
  if (!members) {
    members = Object.entries(schema)
      .filter(([, m]) => m.audited && !m.sensitive && m.kind !== 'blob')
      .map(([name, m]) => [name, m, memberPath(name)] as const)
    recordedMembers.set(schema, members)
  }
  const out: Record<string, unknown> = {}
  for (const [name, m, recordedAs] of members) {
    const v = input[name]
    if (v === undefined || v === null) continue
    const recorded = auditedValue(m, v)
    if (recorded !== undefined) setOwn(out, recordedAs, recorded)
  }
  return out
}

/** Assignment, but a key named `__proto__` (an encryption context's) becomes an own member, not a prototype. */
function setOwn(out: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__') Object.defineProperty(out, key, { value, enumerable: true, writable: true, configurable: true })
  else out[key] = value
}

function auditedValue(m: Member, v: SnapshotValue): unknown {
  if (m.sensitive || !m.audited) return undefined
  switch (m.kind) {
    case 'blob':
      return undefined
    case 'map': {
      // As `check` takes a map: a record whose values are all strings, else nothing is recorded.
      if (!isRecord(v)) return undefined
      const out: Record<string, string> = {}
      for (const key of Object.keys(v)) {
        const value = v[key]
        if (typeof value !== 'string') return undefined
        setOwn(out, key, value)
      }
      return out
    }
    case 'list': {
      if (!Array.isArray(v) || (m.max !== undefined && v.length > m.max)) return undefined
      const items = v.map((item) => auditedValue(m.item, item))
      return items.every((i) => i !== undefined) ? items : undefined
    }
    case 'structure':
      return isRecord(v) ? recordAudited(m.members, v) : undefined
    case 'timestamp':
      return v instanceof Date && Number.isFinite(v.getTime()) ? v.toISOString() : undefined
    default:
      return check('', m, v, [])
  }
}
