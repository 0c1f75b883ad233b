/**
 * The Condition element (IAM JSON policy reference, "Condition operators" and "Single-valued vs.
 * multivalued context keys"):
 * - operators String*, Numeric*, Date*, Bool, BinaryEquals, IpAddress/NotIpAddress, Arn*, Null;
 *   any but Null may end in `IfExists` and be prefixed `ForAllValues:` / `ForAnyValue:`;
 * - several values for one key: any of them may match (OR); several keys or operators: all
 *   must hold (AND);
 * - a key absent from the request: the condition is false, except for negated operators
 *   (StringNotEquals ...), which are then true, and `...IfExists`, which is true;
 * - ForAllValues: every request value matches (true when the key is absent or empty);
 *   ForAnyValue: at least one does (false when absent).
 * Condition key names are case-insensitive; values are case-sensitive unless the operator says
 * IgnoreCase.
 */
import { MalformedPolicyDocumentException } from '../errors.js'
import { globMatch } from './glob.js'
import { parseCidr, parseIp, cidrContains } from './ip.js'

export interface ConditionClause {
  /** As written, e.g. `ForAnyValue:StringLikeIfExists`. */
  operator: string
  base: BaseOperator
  ifExists: boolean
  set?: 'ForAllValues' | 'ForAnyValue'
  /** The condition key as written (matched case-insensitively). */
  key: string
  values: string[]
}

/**
 * The request's side: a key's values, and whether the key is multivalued. `variants`: a
 * single-valued key with several values because several of the caller's keys differ only in
 * case (an encryption context's, a tag's), each of which alone could be the key.
 */
export interface ConditionValue {
  values: string[]
  multi?: boolean
  variants?: boolean
}
export type ConditionLookup = (key: string) => ConditionValue | undefined

type Comparator = (requestValue: string, policyValue: string) => boolean

const stringOps: Record<string, Comparator> = {
  StringEquals: (r, p) => r === p,
  StringEqualsIgnoreCase: (r, p) => r.toLowerCase() === p.toLowerCase(),
  StringLike: (r, p) => globMatch(p, r),
}
const number = (s: string) => (/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(s.trim()) ? Number(s) : Number.NaN)
const numericOps: Record<string, (a: number, b: number) => boolean> = {
  Equals: (a, b) => a === b,
  LessThan: (a, b) => a < b,
  LessThanEquals: (a, b) => a <= b,
  GreaterThan: (a, b) => a > b,
  GreaterThanEquals: (a, b) => a >= b,
}
/** ISO 8601 dates or epoch seconds, as IAM accepts for Date* operators. */
function date(s: string): number {
  if (/^\d+$/.test(s)) return Number(s) * 1000
  const m = /^(\d{4})-(\d{2})-(\d{2})(T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?(Z|[+-]\d{2}:?\d{2})?$/.exec(s)
  if (!m) return Number.NaN
  // No calendar roll-over (2021-02-30 is not 2021-03-02).
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])]
  const day = new Date(Date.UTC(y, mo - 1, d))
  if (day.getUTCFullYear() !== y || day.getUTCMonth() !== mo - 1 || day.getUTCDate() !== d) return Number.NaN
  // A time without a zone is UTC, as AWS reads it, whatever the host's zone.
  return Date.parse(m[4] && !m[5] ? `${s}Z` : s)
}

/** ARN* operators compare the six colon-separated parts one by one, each with wildcards. */
function arnMatch(pattern: string, value: string): boolean {
  const split = (arn: string) => {
    const parts = arn.split(':')
    return parts.length < 6 ? undefined : [...parts.slice(0, 5), parts.slice(5).join(':')]
  }
  const p = split(pattern)
  const v = split(value)
  return !!p && !!v && p[0] === 'arn' && p.every((part, i) => globMatch(part, v[i]!))
}

type BaseOperator = string

interface OperatorSpec {
  compare: Comparator
  negated: boolean
  /** Checks a policy value when the policy is stored; returns an error text or undefined. */
  check?: (policyValue: string) => string | undefined
}

const operators = new Map<string, OperatorSpec>()
const define = (name: string, compare: Comparator, negatedName?: string, check?: OperatorSpec['check']) => {
  operators.set(name, { compare, negated: false, check })
  if (negatedName) operators.set(negatedName, { compare, negated: true, check })
}
define('StringEquals', stringOps.StringEquals!, 'StringNotEquals')
define('StringEqualsIgnoreCase', stringOps.StringEqualsIgnoreCase!, 'StringNotEqualsIgnoreCase')
define('StringLike', stringOps.StringLike!, 'StringNotLike')
const numericCheck = (v: string) => (Number.isNaN(number(v)) ? `${JSON.stringify(v)} is not a number` : undefined)
const dateCheck = (v: string) => (Number.isNaN(date(v)) ? `${JSON.stringify(v)} is not a date (ISO 8601 or epoch seconds)` : undefined)
for (const [suffix, op] of Object.entries(numericOps)) {
  define(`Numeric${suffix}`, (r, p) => op(number(r), number(p)), suffix === 'Equals' ? 'NumericNotEquals' : undefined, numericCheck)
  define(`Date${suffix}`, (r, p) => op(date(r), date(p)), suffix === 'Equals' ? 'DateNotEquals' : undefined, dateCheck)
}
define('Bool', (r, p) => r.toLowerCase() === p.toLowerCase(), undefined, (v) => (/^(true|false)$/i.test(v) ? undefined : `${JSON.stringify(v)} is not "true" or "false"`))
define('BinaryEquals', (r, p) => r === p)
define(
  'IpAddress',
  (r, p) => {
    const ip = parseIp(r)
    const cidr = parseCidr(p)
    return !!ip && !!cidr && cidrContains(cidr, ip)
  },
  'NotIpAddress',
  (v) => (parseCidr(v) ? undefined : `${JSON.stringify(v)} is not an IP address or CIDR block`),
)
define('ArnEquals', (r, p) => arnMatch(p, r), 'ArnNotEquals')
define('ArnLike', (r, p) => arnMatch(p, r), 'ArnNotLike')

const fail = (message: string): never => {
  throw new MalformedPolicyDocumentException(message)
}

/** Parses one `"Operator": { "key": value(s), ... }` entry into clauses (one per key). */
/**
 * The condition keys webkms puts in a request context (requestContext.ts, and the conditions
 * each operation's permissions add), lower case. Any other key is absent from every request, and
 * a condition on an absent key is false (IAM: "If the key that you specify in a policy condition
 * is not present in the request context, the values do not match"), so a Deny on it would never
 * apply: a policy naming one is refused, as policy variables are, not accepted and ignored.
 */
const SUPPORTED_KEYS = new Set([
  'kms:bypasspolicylockoutsafetycheck', 'kms:calleraccount', 'kms:datakeypairspec', 'kms:encryptionalgorithm',
  'kms:encryptioncontextkeys', 'kms:expirationmodel', 'kms:grantisforawsresource', 'kms:grantoperations',
  'kms:granteeprincipal', 'kms:keyagreementalgorithm', 'kms:keyorigin', 'kms:keyspec', 'kms:keyusage',
  'kms:macalgorithm', 'kms:messagetype', 'kms:multiregion', 'kms:requestalias', 'kms:retiringprincipal',
  'kms:signingalgorithm', 'kms:validto', 'kms:viaservice', 'kms:wrappingalgorithm', 'kms:wrappingkeyspec',
  'aws:currenttime', 'aws:epochtime', 'aws:multifactorauthpresent', 'aws:principalaccount', 'aws:principalarn',
  'aws:sourceip', 'aws:viaawsservice',
])
/** Keys whose name ends with a caller's key (an encryption context key, a tag key). */
const SUPPORTED_PREFIXES = ['kms:encryptioncontext:', 'aws:resourcetag/']

export const supportedConditionKey = (key: string): boolean => {
  const lower = key.toLowerCase()
  return SUPPORTED_KEYS.has(lower) || SUPPORTED_PREFIXES.some((p) => lower.startsWith(p) && lower.length > p.length)
}

export function parseCondition(operator: string, block: unknown, where: string): ConditionClause[] {
  const m = /^(?:(ForAllValues|ForAnyValue):)?(.+?)(IfExists)?$/.exec(operator)!
  const set = m[1] as ConditionClause['set']
  const base = m[2]!
  const ifExists = m[3] !== undefined
  const isNull = base === 'Null'
  if (!isNull && !operators.has(base)) fail(`${where}: unknown condition operator ${JSON.stringify(operator)}`)
  if (isNull && (ifExists || set)) fail(`${where}: the Null operator takes neither IfExists nor ForAllValues/ForAnyValue`)
  if (typeof block !== 'object' || block === null || Array.isArray(block) || Object.keys(block).length === 0) {
    fail(`${where}.${operator} must be an object of condition keys and values`)
  }
  const clauses: ConditionClause[] = []
  for (const [key, raw] of Object.entries(block as Record<string, unknown>)) {
    if (!/^[a-z0-9-]+:.+$/i.test(key)) fail(`${where}.${operator}: ${JSON.stringify(key)} is not a condition key (expected "prefix:name", e.g. "kms:CallerAccount")`)
    const list = Array.isArray(raw) ? raw : [raw]
    if (list.length === 0 || !list.every((v) => ['string', 'number', 'boolean'].includes(typeof v))) {
      fail(`${where}.${operator}.${key} must be a string, number, boolean or a non-empty array of them`)
    }
    const values = list.map(String)
    for (const v of values) if (v.includes('${')) fail(`${where}.${operator}.${key}: policy variables (${v}) are not supported`)
    const problem = isNull ? values.map((v) => (/^(true|false)$/i.test(v) ? undefined : `${JSON.stringify(v)} is not "true" or "false"`)).find(Boolean) : values.map((v) => operators.get(base)!.check?.(v)).find(Boolean)
    if (problem) fail(`${where}.${operator}.${key}: ${problem}`)
    const clause: ConditionClause = { operator, base, ifExists, key, values }
    if (set) clause.set = set
    clauses.push(clause)
  }
  return clauses
}

/**
 * Whether one clause holds for the request, in a statement of `effect`. A key with case
 * variants is read each way, and the answer is the one that refuses: a Deny applies if any
 * variant meets it, an Allow only if every variant does. Else a Deny on
 * `StringNotEquals kms:EncryptionContext:class: public` was dodged by sending `class: secret`
 * with `Class: public` (AWS asks callers not to send such pairs, and does not say what it does).
 */
export function conditionHolds(clause: ConditionClause, lookup: ConditionLookup, effect: 'Allow' | 'Deny' = 'Allow'): boolean {
  const entry = lookup(clause.key)
  const absent = entry === undefined || entry.values.length === 0
  if (clause.base === 'Null') {
    return clause.values.some((v) => (v.toLowerCase() === 'true') === absent)
  }
  const spec = operators.get(clause.base)!
  const positive = (requestValue: string) => clause.values.some((p) => spec.compare(requestValue, p))
  const satisfied = (requestValue: string) => (spec.negated ? !positive(requestValue) : positive(requestValue))
  // Each variant read alone is a single value, for which ForAllValues and ForAnyValue also come
  // down to `satisfied`: so the set operators cannot dodge the rule either.
  if (!absent && entry.variants) return effect === 'Deny' ? entry.values.some(satisfied) : entry.values.every(satisfied)
  if (clause.set === 'ForAllValues') return absent || entry.values.every(satisfied)
  if (clause.set === 'ForAnyValue') return !absent && entry.values.some(satisfied)
  if (absent) return clause.ifExists || spec.negated
  return spec.negated ? !entry.values.some(positive) : entry.values.some(positive)
}
