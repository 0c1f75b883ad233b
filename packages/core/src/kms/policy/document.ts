/**
 * The AWS policy language (IAM JSON policy reference, "IAM JSON policy elements"): a policy
 * text is parsed once into statements that evaluate.ts can match quickly. Anything that is not
 * a valid policy is refused here with MalformedPolicyDocumentException and a message naming
 * the statement and element, so a bad PutKeyPolicy changes nothing.
 *
 * Supported: Version 2012-10-17 / 2008-10-17, Id, Statement (object or array) with Sid,
 * Effect, Principal / NotPrincipal ("*" or { AWS, Service, Federated, CanonicalUser }),
 * Action / NotAction, Resource / NotResource, Condition (see conditions.ts).
 * Not supported (refused, not ignored): policy variables such as ${aws:username}.
 *
 * Loaded on demand (parser.ts): an engine whose keys carry the default policy never loads it.
 */
import { MalformedPolicyDocumentException } from '../errors.js'
import { parseCondition, supportedConditionKey, type ConditionClause } from './conditions.js'
import { MAX_KEY_POLICY_BYTES } from './limits.js'

// The operators a parsed Condition block is evaluated with come with the grammar (parser.ts).
export { conditionHolds } from './conditions.js'

export type PolicyKind = 'key' | 'identity'

export interface PrincipalSet {
  /** `"*"` or `{ "AWS": "*" }`: everyone. */
  any: boolean
  /** AWS principals as written: ARNs or 12-digit account IDs (meaning that account's root). */
  aws: string[]
  /** Service principals (`s3.amazonaws.com`): valid, but no webkms caller is a service, so they never match. */
  service: string[]
}

export interface Statement {
  /** Position in the Statement array, 0-based (explain reports it). */
  index: number
  sid?: string
  effect: 'Allow' | 'Deny'
  principal?: PrincipalSet
  notPrincipal?: PrincipalSet
  /** Lower-cased action patterns; exactly one of action / notAction is set. */
  action?: string[]
  notAction?: string[]
  resource?: string[]
  notResource?: string[]
  conditions: ConditionClause[]
}

export interface Policy {
  version: string
  id?: string
  statements: Statement[]
}

const fail = (message: string): never => {
  throw new MalformedPolicyDocumentException(message)
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v)

const STATEMENT_ELEMENTS = new Set(['Sid', 'Effect', 'Principal', 'NotPrincipal', 'Action', 'NotAction', 'Resource', 'NotResource', 'Condition'])

/** A string or a non-empty list of strings, as most elements allow. */
function stringList(value: unknown, where: string): string[] {
  const list = typeof value === 'string' ? [value] : value
  if (!Array.isArray(list) || list.length === 0 || !list.every((v) => typeof v === 'string' && v.length > 0)) {
    fail(`${where} must be a string or a non-empty array of strings`)
  }
  for (const v of list as string[]) if (v.includes('${')) fail(`${where}: policy variables (${v}) are not supported`)
  return list as string[]
}

const ACCOUNT_ID = /^\d{12}$/
const PRINCIPAL_ARN = /^arn:[a-z-]+:(iam|sts)::\d{12}:[^*?]+$/

function principalSet(value: unknown, where: string): PrincipalSet {
  if (value === '*') return { any: true, aws: [], service: [] }
  if (!isObject(value) || Object.keys(value).length === 0) fail(`${where} must be "*" or an object such as { "AWS": "arn:aws:iam::111122223333:root" }`)
  const set: PrincipalSet = { any: false, aws: [], service: [] }
  for (const [type, v] of Object.entries(value as Record<string, unknown>)) {
    const list = stringList(v, `${where}.${type}`)
    switch (type) {
      case 'AWS':
        for (const p of list) {
          if (p === '*') set.any = true
          else if (ACCOUNT_ID.test(p) || PRINCIPAL_ARN.test(p)) set.aws.push(p)
          else if (/[*?]/.test(p)) fail(`${where}.AWS: ${JSON.stringify(p)}: wildcards cannot match part of a principal (use "*" alone, or a condition on aws:PrincipalArn)`)
          else fail(`${where}.AWS: ${JSON.stringify(p)} is not a valid principal (an IAM ARN, an account ID, or "*")`)
        }
        break
      case 'Service':
        set.service.push(...list.map((s) => s.toLowerCase()))
        break
      case 'Federated':
      case 'CanonicalUser':
        break // valid, but no webkms caller is ever such a principal
      default:
        fail(`${where}: unknown principal type ${JSON.stringify(type)} (expected AWS, Service, Federated or CanonicalUser)`)
    }
  }
  return set
}

const ACTION = /^(\*|[a-z0-9-]+:[a-z0-9*?]+)$/i

function actions(value: unknown, where: string): string[] {
  const list = stringList(value, where)
  for (const a of list) if (!ACTION.test(a)) fail(`${where}: ${JSON.stringify(a)} is not an action (expected "service:Action", wildcards allowed, e.g. "kms:Encrypt" or "kms:*")`)
  return list.map((a) => a.toLowerCase())
}

const RESOURCE = /^(\*|arn:.+)$/

function resources(value: unknown, where: string): string[] {
  const list = stringList(value, where)
  for (const r of list) if (!RESOURCE.test(r)) fail(`${where}: ${JSON.stringify(r)} is not a resource (expected "*" or an ARN)`)
  return list
}

function statement(raw: unknown, index: number, kind: PolicyKind): Statement {
  const where = `Statement[${index}]`
  if (!isObject(raw)) return fail(`${where} must be an object`)
  for (const element of Object.keys(raw)) if (!STATEMENT_ELEMENTS.has(element)) fail(`${where}: unknown element ${JSON.stringify(element)}`)
  const s: Statement = { index, effect: 'Allow', conditions: [] }
  if (raw.Sid !== undefined) {
    if (typeof raw.Sid !== 'string') fail(`${where}.Sid must be a string`)
    s.sid = raw.Sid as string
  }
  if (raw.Effect !== 'Allow' && raw.Effect !== 'Deny') fail(`${where}.Effect must be "Allow" or "Deny", got ${JSON.stringify(raw.Effect)}`)
  s.effect = raw.Effect as 'Allow' | 'Deny'

  if (raw.Principal !== undefined && raw.NotPrincipal !== undefined) fail(`${where} cannot have both Principal and NotPrincipal`)
  if (kind === 'key' && raw.Principal === undefined && raw.NotPrincipal === undefined) fail(`${where} has no Principal: a key policy statement must name one`)
  if (kind === 'identity' && (raw.Principal !== undefined || raw.NotPrincipal !== undefined)) fail(`${where}: an identity policy cannot have Principal or NotPrincipal`)
  if (raw.Principal !== undefined) s.principal = principalSet(raw.Principal, `${where}.Principal`)
  if (raw.NotPrincipal !== undefined) {
    if (s.effect !== 'Deny') fail(`${where}: NotPrincipal can only be used with "Effect": "Deny"`)
    s.notPrincipal = principalSet(raw.NotPrincipal, `${where}.NotPrincipal`)
  }

  if ((raw.Action === undefined) === (raw.NotAction === undefined)) fail(`${where} must have exactly one of Action or NotAction`)
  if (raw.Action !== undefined) s.action = actions(raw.Action, `${where}.Action`)
  if (raw.NotAction !== undefined) s.notAction = actions(raw.NotAction, `${where}.NotAction`)

  if (raw.Resource !== undefined && raw.NotResource !== undefined) fail(`${where} cannot have both Resource and NotResource`)
  if (raw.Resource === undefined && raw.NotResource === undefined) fail(`${where} has no Resource (use "*" for this key)`)
  if (raw.Resource !== undefined) s.resource = resources(raw.Resource, `${where}.Resource`)
  if (raw.NotResource !== undefined) s.notResource = resources(raw.NotResource, `${where}.NotResource`)

  if (raw.Condition !== undefined) {
    if (!isObject(raw.Condition)) fail(`${where}.Condition must be an object of operators`)
    for (const [operator, block] of Object.entries(raw.Condition as Record<string, unknown>)) {
      const clauses = parseCondition(operator, block, `${where}.Condition`)
      // A key no request carries could never hold: a Deny on it would never apply (conditions.ts).
      const unsupported = clauses.find((c) => !supportedConditionKey(c.key))
      if (unsupported) fail(`${where}.Condition.${operator}: condition key ${JSON.stringify(unsupported.key)} is not supported here: no request carries it, so the condition could never hold (the README lists the supported keys)`)
      s.conditions.push(...clauses)
    }
  }
  return s
}

/** Parses and validates a policy; throws MalformedPolicyDocumentException. */
export function parsePolicy(text: string, kind: PolicyKind): Policy {
  if (new TextEncoder().encode(text).length > MAX_KEY_POLICY_BYTES) fail(`The policy is larger than ${MAX_KEY_POLICY_BYTES} bytes`)
  let raw: unknown
  try {
    raw = JSON.parse(text)
  } catch (error) {
    return fail(`The policy is not valid JSON: ${(error as Error).message}`)
  }
  if (!isObject(raw)) return fail('The policy must be a JSON object')
  for (const element of Object.keys(raw)) if (!['Version', 'Id', 'Statement'].includes(element)) fail(`Unknown top-level element ${JSON.stringify(element)}`)
  const version = raw.Version ?? '2008-10-17'
  if (version !== '2012-10-17' && version !== '2008-10-17') fail(`Version must be "2012-10-17" (or the older "2008-10-17"), got ${JSON.stringify(version)}`)
  if (raw.Id !== undefined && typeof raw.Id !== 'string') fail('Id must be a string')
  const list = isObject(raw.Statement) ? [raw.Statement] : raw.Statement
  if (!Array.isArray(list) || list.length === 0) return fail('Statement must be a statement object or a non-empty array of them')
  const statements = list.map((s, i) => statement(s, i, kind))
  const sids = statements.map((s) => s.sid).filter((sid) => sid !== undefined && sid !== '')
  const duplicate = sids.find((sid, i) => sids.indexOf(sid) !== i)
  if (duplicate !== undefined) fail(`Statement IDs (Sid) must be unique: ${JSON.stringify(duplicate)} appears twice`)
  const policy: Policy = { version: version as string, statements }
  if (typeof raw.Id === 'string') policy.id = raw.Id
  return policy
}
