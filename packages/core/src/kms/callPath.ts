/**
 * The one way into the engine. Every call of every operation, from the `Kms` object, the
 * worker or the wire, runs `runCall`, which takes these steps in this order:
 *
 *   1. snapshot   copy the request once (request/snapshot.ts); nothing reads the caller's object again
 *   2. validate   the operation's schema, then its own rules (ValidationException and friends)
 *   3. resolve    find the key(s) it acts on (NotFoundException, InvalidCiphertextException ...)
 *   4. authorize  every permission the operation declares (AccessDeniedException)
 *   5. run        the handler; a change is committed together with the call's audit event
 *   6. record     exactly one audit event, whatever happened: in the change's own transaction,
 *                 or, for reads and failures, in a transaction of its own before the caller
 *                 hears back. Its parameters come from the schema and the snapshot, so no input,
 *                 however malformed, can stop it from being written or put a secret in it.
 *
 * A failure that is not the caller's (a store that breaks, a bug) becomes KMSInternalException,
 * never a raw TypeError.
 */
import { AccessDeniedException, KmsError, KMSInternalException, ValidationException } from './errors.js'
import type { KeyStoreTransaction } from '../keystore/KeyStore.js'
import type { AuditRecord } from '../keystore/records.js'
import { UUID_PATTERN } from '../util/bytes.js'
import { apiCallEvent } from './audit/events.js'
import type { ResolvedCaller } from './caller.js'
import type { Call, Engine } from './engine.js'
import { keyArn } from './keyIds.js'
import { loadRow, targetKeyArns, type Operation, type RunContext, type TableRow } from './operation.js'
import type { Decision } from './policy/evaluate.js'
import { auditedParameters, validateRequest } from './request/schema.js'
import { snapshotRequest, UnreadableRequest, type SnapshotRecord } from './request/snapshot.js'

const IAM_NAMESPACE = { kms: 'kms', iam: 'iam', webkms: 'webkms' } as const

/**
 * Runs one call of `operation` as `caller`, start to finish. The request is copied before the
 * first await, so a caller may reuse its buffers as soon as the call returns its promise.
 * `ready` is awaited before anything else runs (the engine's start-up writes).
 */
export async function runCall(engine: Engine, clock: () => Date, caller: ResolvedCaller, tableRow: TableRow, input: unknown, ready?: Promise<void>): Promise<unknown> {
  // The row's code, once loaded (a lazy row's name, service and readOnly are known before).
  let operation: Operation | undefined = 'load' in tableRow ? undefined : tableRow
  const { name, service, readOnly } = tableRow
  const now = readClock(clock)
  const call: Call = { operation: name, now: now ?? new Date(0), caller }
  // 1. snapshot, synchronously
  let snapshot: SnapshotRecord = Object.create(null) as SnapshotRecord
  let unreadable: ValidationException | undefined
  try {
    snapshot = snapshotRequest(input)
  } catch (error) {
    unreadable = error instanceof UnreadableRequest
      ? new ValidationException(`${name}: the request could not be read`, { cause: error.cause })
      : new ValidationException(`${name} expects a request object`)
  }
  let target: unknown
  let committed: AuditRecord | undefined
  let outcome: { output: unknown } | { error: KmsError }
  /** Whether the call got past its checks to its handler. */
  let ran = false

  const event = (error: KmsError | undefined, extraResources: string[] = []) =>
    apiCallEvent(
      engine.account,
      {
        service,
        operation: name,
        readOnly,
        caller,
        now: call.now,
        // Before a lazy row's module is loaded no member is known to be safe to record: none is.
        parameters: operation ? auditedParameters(operation.schema, snapshot) : null,
        resources: [...(target === undefined ? requestedKeyArns(engine, snapshot) : targetKeyArns(target)), ...extraResources],
        ...(error ? { error } : {}),
      },
      engine.eventIds(),
    )

  const ctx: RunContext = {
    engine,
    call,
    async commit<R>(write: (tx: KeyStoreTransaction) => Promise<R>, options: { resources?: (result: R) => string[]; heldByCaller?: boolean } = {}): Promise<R> {
      if (committed) throw new Error(`${name}: a call commits at most once`)
      if (!options.heldByCaller) await engine.audit.appendable()
      let record: AuditRecord | undefined
      const result = await engine.store.transaction('readwrite', async (tx) => {
        const r = await write(tx)
        record = await engine.audit.append(tx, event(undefined, options.resources?.(r) ?? []), call.now)
        return r
      })
      committed = record
      return result
    },
  }

  try {
    await ready
    if (!now) throw new KMSInternalException(`${name} failed inside the engine: the clock returned an invalid Date`)
    await engine.audit.beforeCall(now)
    if (unreadable) throw unreadable
    operation ??= await loadRow(tableRow)
    // 2. validate
    const request = operation.parse(validateRequest(operation.schema, snapshot) as never, engine)
    // 3. resolve
    target = await operation.resolve(engine, call, request as never)
    // 4. authorize
    const defaultAction = `${IAM_NAMESPACE[service]}:${name}`
    const decisions: Decision[] = []
    for (const permission of operation.permissions(request as never, target as never, call)) {
      decisions.push(await engine.authorizer.authorize(call, permission, defaultAction))
    }
    // 5. run
    ran = true
    outcome = { output: await operation.run(ctx, request as never, target as never, decisions) }
  } catch (error) {
    outcome = { error: error instanceof KmsError ? error : new KMSInternalException(`${name} failed inside the engine`, { cause: error }) }
  }

  // 6. record: once. A committed change already carries its event (a handler that fails after
  // committing has still made its change, and the caller learns of the failure). A principal of
  // another account kept elsewhere (otherAccounts.ts) has the event in its own account's trail
  // too. A call of its that was refused (before it ran, or denied access) is recorded only there
  // ("logged only in the caller's account"), so that no other account can fill this trail with
  // calls it may not make; should that account's trail be out of reach, here, so that no event is lost.
  const other = engine.otherAccounts && caller.accountId !== engine.account.accountId ? engine.otherAccounts : undefined
  const recordThere = (e: Record<string, unknown>) => other!.record(caller.accountId, { ...e, recipientAccountId: caller.accountId })
  let record = committed
  if (!record) {
    let e: Record<string, unknown>
    try {
      e = event('error' in outcome ? outcome.error : undefined)
    } catch (cause) {
      throw new KMSInternalException(`${name}: the audit event could not be recorded`, { cause })
    }
    const refused = !ran || ('error' in outcome && outcome.error instanceof AccessDeniedException)
    if (other && refused && (await recordThere(e).then(() => true, () => false))) {
      if ('error' in outcome) throw outcome.error
      return outcome.output
    }
    try {
      record = await engine.audit.record(e)
    } catch (cause) {
      throw new KMSInternalException(`${name}: the audit event could not be recorded`, { cause })
    }
  }
  // The caller's account's copy of a call that ran here: the call is done and recorded here, so
  // its outcome stands even if that copy cannot be written now.
  if (other) await recordThere(record.event).catch(() => undefined)
  try {
    await engine.audit.afterAppend(record)
  } catch {
    // A checkpoint that failed now is made by a later call or export; the event is stored.
  }
  if ('error' in outcome) throw outcome.error
  return outcome.output
}

function readClock(clock: () => Date): Date | undefined {
  try {
    const now = clock()
    return now instanceof Date && !Number.isNaN(now.getTime()) ? new Date(now.getTime()) : undefined
  } catch {
    return undefined
  }
}

/** For a call refused before its key was found: the key ARN its request names, if it names one by ID or ARN. */
function requestedKeyArns(engine: Engine, snapshot: SnapshotRecord): string[] {
  for (const member of ['KeyId', 'TargetKeyId', 'DestinationKeyId']) {
    const v = snapshot[member]
    if (typeof v !== 'string' || v.length > 2048) continue
    if (/^arn:[^:]+:kms:[^:]*:\d{12}:key\/.+$/.test(v)) return [v]
    if (UUID_PATTERN.test(v)) return [keyArn(engine.account, v)]
  }
  return []
}
