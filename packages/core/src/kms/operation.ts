/**
 * An operation is one row of the table in operations/index.ts: its name, its request schema
 * (validation and what the audit event records), which key it acts on, the permissions it
 * needs, and its handler. callPath.ts runs every row the same way, in one order:
 *
 *   snapshot the request -> validate -> resolve the key -> authorize -> run -> one audit event
 *
 * Each step is a member of the row, and `permissions` is required, so adding an operation
 * cannot skip authorization, validation or the audit record. The `Kms` interface, the worker's
 * methods and the wire protocol's targets are all derived from the table.
 */
import { loadOnce } from '../util/loadOnce.js'
import type { KeyStoreTransaction } from '../keystore/KeyStore.js'
import type { KeyRecord } from '../keystore/records.js'
import type { Permission } from './authorization.js'
import type { Call, Engine } from './engine.js'
import type { Decision } from './policy/evaluate.js'
import type { Infer, Schema } from './request/schema.js'

/** Whose API an operation belongs to: AWS KMS, the IAM stand-in (identity policies), or webkms's own (the audit trail). */
export type Service = 'kms' | 'iam' | 'webkms'

/** What a handler may do beyond reading: its one atomic write, recorded with the call's audit event. */
export interface RunContext {
  readonly engine: Engine
  readonly call: Call
  /**
   * Runs `write` in one read-write store transaction that also appends this call's audit event,
   * so the change and its record are kept together or not at all. A handler that changes
   * anything changes it only here, once (it may try again after a commit that threw).
   * `resources` names key ARNs the event should list beyond the resolved keys (a new key).
   * The write waits while the audit trail signs a checkpoint (AuditTrail.appendable), unless
   * `heldByCaller`: the handler itself holds the trail's appends (AuditTrail.holdingAppends).
   */
  commit<R>(write: (tx: KeyStoreTransaction) => Promise<R>, options?: { resources?: (result: R) => string[]; heldByCaller?: boolean }): Promise<R>
}

export interface OperationSpec<Name extends string, S extends Schema, Parsed, Target, Response> {
  /** AWS's name: the camelCase method name, CloudTrail's eventName, the wire target. */
  name: Name
  /** Default 'kms'. */
  service?: Service
  /** CloudTrail's readOnly. Default: the name starts with Describe, List or Get. */
  readOnly?: boolean
  /** The request's members with AWS's model constraints (request/schema.ts). */
  schema: S
  /** Rules beyond the model, on the validated request (throws KmsErrors). Default: the request as is. */
  parse?: (request: Infer<S>, engine: Engine) => Parsed
  /** The key(s) or other resources the call acts on (NotFoundException etc.). */
  resolve: (engine: Engine, call: Call, request: NoInfer<Parsed>) => Promise<Target>
  /** The permissions the call needs on what `resolve` found; every one must allow. */
  permissions: (request: NoInfer<Parsed>, target: NoInfer<Target>, call: Call) => Permission[]
  /** The work; changes go through `ctx.commit`. */
  run: (ctx: RunContext, request: NoInfer<Parsed>, target: NoInfer<Target>, decisions: Decision[]) => Promise<Response>
}

export interface Operation<Name extends string = string, Request = unknown, Response = unknown> {
  readonly name: Name
  readonly service: Service
  readonly readOnly: boolean
  readonly schema: Schema
  readonly parse: (request: never, engine: Engine) => unknown
  readonly resolve: (engine: Engine, call: Call, request: never) => Promise<unknown>
  readonly permissions: (request: never, target: never, call: Call) => Permission[]
  readonly run: (ctx: RunContext, request: never, target: never, decisions: Decision[]) => Promise<Response>
  /** Phantom: the `@aws-sdk/client-kms` input shape callers pass. */
  readonly __request?: Request
}

/** CloudTrail's readOnly by default: Describe*, List* and Get* calls. */
const READ_ONLY_NAME = /^(Describe|List|Get)/

/**
 * Defines a row. Curried so the public request and response types are given and the rest is
 * inferred: `defineOperation<EncryptRequest, EncryptResponse>()({ name: 'Encrypt', ... })`.
 */
export function defineOperation<Request, Response>() {
  return <const Name extends string, S extends Schema, Parsed = Infer<S>, Target = NoTarget>(
    spec: OperationSpec<Name, S, Parsed, Target, Response>,
  ): Operation<Name, Request, Response> => ({
    name: spec.name,
    service: spec.service ?? 'kms',
    readOnly: spec.readOnly ?? READ_ONLY_NAME.test(spec.name),
    schema: spec.schema,
    parse: (spec.parse ?? ((r: Infer<S>) => r)) as Operation['parse'],
    resolve: spec.resolve as Operation['resolve'],
    permissions: spec.permissions as Operation['permissions'],
    run: spec.run as Operation<Name, Request, Response>['run'],
  })
}

/**
 * A row whose module is imported on its first call: the operations most applications never
 * make (grants, import, asymmetric and HMAC keys, recovery ...), so that the code `createKms`
 * loads at start stays small (a bundler puts each such module in a chunk of its own). What a
 * call needs before the row is loaded (its name, service and readOnly for the audit event) is
 * here; `load` checks that the module agrees.
 */
export interface LazyOperation<O extends Operation = Operation> {
  readonly name: O['name']
  readonly service: Service
  readonly readOnly: boolean
  /** The row itself (imported once; a failed import is tried again on the next call). */
  readonly load: () => Promise<O>
}

/** The table holds rows and lazy rows alike. */
export type TableRow = Operation | LazyOperation

/** The row a lazy row stands for: what the `Kms` types are derived from. */
export type Loaded<R> = R extends LazyOperation<infer O> ? O : R

export function lazyOperation<O extends Operation>(name: NoInfer<O['name']>, load: () => Promise<O>, options: { service?: Service; readOnly?: boolean } = {}): LazyOperation<O> {
  const service = options.service ?? 'kms'
  const readOnly = options.readOnly ?? READ_ONLY_NAME.test(name)
  return {
    name,
    service,
    readOnly,
    load: loadOnce(() =>
      load().then((row) => {
        if (row.name !== name || row.service !== service || row.readOnly !== readOnly) throw new Error(`the table's lazy row ${name} does not match its module's row ${row.name}`)
        return row
      }),
    ),
  }
}

/** The row itself, loaded if it is lazy. */
export const loadRow = (row: TableRow): Operation | Promise<Operation> => ('load' in row ? row.load() : row)

/** The target of operations on no key. */
export type NoTarget = Record<string, never>
export const noTarget = async (): Promise<NoTarget> => ({})

/** Key ARNs a target names (for the audit event's resources). */
export function targetKeyArns(target: unknown): string[] {
  if (!target || typeof target !== 'object') return []
  return Object.values(target as Record<string, unknown>).flatMap((v) => (isKeyRecord(v) ? [v.arn] : []))
}

const isKeyRecord = (v: unknown): v is KeyRecord => !!v && typeof v === 'object' && typeof (v as KeyRecord).arn === 'string' && Array.isArray((v as KeyRecord).versions)

export type { Permission }
