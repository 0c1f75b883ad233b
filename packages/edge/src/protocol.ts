/**
 * The AWS JSON 1.1 protocol as AWS KMS speaks it (the Smithy `awsJson1_1` protocol):
 *
 *   POST /   Content-Type: application/x-amz-json-1.1   X-Amz-Target: TrentService.<Operation>
 *   body     the request's members as JSON; blobs as base64 strings, timestamps as epoch seconds
 *   200      the response's members as JSON; blobs as base64, timestamps as epoch seconds
 *   4xx/5xx  {"__type": "<ExceptionName>", "message": "..."}, with x-amzn-RequestId on every answer
 *
 * The targets are derived from the engine's operation table: TrentService.<Name> for the KMS
 * rows, WebKms.<Name> for webkms's own (the identity policies and the audit trail). A new row
 * is on the wire without a handler of its own. Blobs are found through each row's schema.
 */
import { operationTable, type Member, type OperationDescription, type Schema } from '@webkms/core/internal'
import { ProtocolError } from './errors.js'

/**
 * The content type of AWS KMS's JSON protocol (the Smithy `awsJson1_1` protocol), sent with every
 * answer; requests may also use `application/x-amz-json-1.0`.
 *
 * @example
 * ```ts
 * import { CONTENT_TYPE } from '@webkms/edge'
 *
 * const headers = { 'content-type': CONTENT_TYPE, 'x-amz-target': 'TrentService.ListKeys' }
 * ```
 */
export const CONTENT_TYPE = 'application/x-amz-json-1.1'
const TARGET_PREFIX = { kms: 'TrentService', iam: 'WebKms', webkms: 'WebKms' } as const

/**
 * Every `X-Amz-Target` the edge answers, to the operation it names: `TrentService.<Name>` for
 * the AWS KMS operations, `WebKms.<Name>` for webkms's own (identity policies, the audit trail).
 * Derived from the engine's operation table.
 *
 * @example
 * ```ts
 * import { targets } from '@webkms/edge'
 *
 * console.log(targets.has('TrentService.GenerateDataKey'), targets.get('WebKms.ExportAuditLog')?.readOnly)
 * ```
 */
export const targets: ReadonlyMap<string, OperationDescription> = new Map(operationTable.map((o) => [`${TARGET_PREFIX[o.service]}.${o.name}`, o]))

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/

function decodeBase64(value: unknown, path: string): Uint8Array {
  if (typeof value !== 'string' || !BASE64.test(value)) throw new ProtocolError('SerializationException', `${path} must be a base64 string`)
  return Uint8Array.from(atob(value), (c) => c.charCodeAt(0))
}

/** Walks a member as the schema describes it, decoding blobs; everything else passes as JSON gave it (the engine validates). */
function decodeMember(m: Member, value: unknown, path: string): unknown {
  if (value === null || value === undefined) return value
  switch (m.kind) {
    case 'blob':
      return decodeBase64(value, path)
    case 'timestamp':
      // awsJson1_1 timestamps are epoch seconds, fractional allowed.
      if (typeof value !== 'number' || !Number.isFinite(value)) throw new ProtocolError('SerializationException', `${path} must be a timestamp in epoch seconds`)
      return new Date(value * 1000)
    case 'list':
      return Array.isArray(value) ? value.map((v, i) => decodeMember(m.item, v, `${path}[${i}]`)) : value
    case 'structure':
      return isObject(value) ? decodeMembers(m.members, value, `${path}.`) : value
    default:
      return value
  }
}

function decodeMembers(schema: Schema, input: Record<string, unknown>, prefix = ''): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  for (const [name, value] of Object.entries(input)) {
    const m = schema[name]
    // Members the schema does not name are left as they are: the engine ignores them.
    Object.defineProperty(out, name, { value: m ? decodeMember(m, value, `${prefix}${name}`) : value, enumerable: true, writable: true, configurable: true })
  }
  return out
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v)

/** The engine's input for an operation, from the request body's bytes. */
export function decodeRequest(operation: OperationDescription, body: Uint8Array): Record<string, unknown> {
  let json: unknown
  try {
    json = body.length === 0 ? {} : JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(body))
  } catch {
    throw new ProtocolError('SerializationException', 'The request body is not valid JSON')
  }
  if (!isObject(json)) throw new ProtocolError('SerializationException', 'The request body must be a JSON object')
  if (nestedDeeperThan(json, MAX_NESTING)) throw new ProtocolError('SerializationException', `The request body is nested more than ${MAX_NESTING} levels deep`)
  return decodeMembers(operation.schema, json)
}

/**
 * Levels of objects and arrays a request body may nest: KMS requests nest 3 (CreateGrant's
 * Constraints.EncryptionContextSubset). A deeper body is the caller's error, refused here: the
 * copy of the request to the Durable Object recurses, and one nested thousands of levels deep ran
 * it out of stack (an internal error, which the AWS SDKs retry).
 */
const MAX_NESTING = 32

/** Whether `json` nests objects or arrays more than `limit` levels deep (the body itself is level 1); iterative, so any depth is safe to check. */
function nestedDeeperThan(json: unknown, limit: number): boolean {
  const pending: [value: unknown, level: number][] = [[json, 1]]
  for (let next = pending.pop(); next; next = pending.pop()) {
    const [value, level] = next
    if (level > limit) return true
    for (const inner of Object.values(value as object)) if (typeof inner === 'object' && inner !== null) pending.push([inner, level + 1])
  }
  return false
}

/** JSON of an engine response: Uint8Array as base64, Date as epoch seconds (with milliseconds). */
export function encodeResponse(value: unknown): string {
  const walk = (v: unknown): unknown => {
    if (v instanceof Uint8Array) {
      let s = ''
      for (let i = 0; i < v.length; i += 0x8000) s += String.fromCharCode(...v.subarray(i, i + 0x8000))
      return btoa(s)
    }
    if (v instanceof Date) return v.getTime() / 1000
    if (Array.isArray(v)) return v.map(walk)
    if (isObject(v)) {
      const out: Record<string, unknown> = {}
      for (const [k, x] of Object.entries(v)) if (x !== undefined) Object.defineProperty(out, k, { value: walk(x), enumerable: true, writable: true, configurable: true })
      return out
    }
    return v
  }
  return JSON.stringify(walk(value))
}

/** An error answer: AWS's body, with the status AWS uses (400 for client faults, 500 for internal). */
export function errorBody(name: string, message: string): string {
  return JSON.stringify({ __type: name, message })
}
