/**
 * One account's KMS: a Durable Object holding the account's keys, aliases, grants, identity
 * policies and audit chain (DurableObjectKeyStore), and the webkms engine over them. The front
 * Worker (handler.ts) authenticates a request, decodes it and calls `call` here over RPC; the
 * engine's call path does the rest (validation, the key, authorization, the audit event).
 *
 * Partitioning: one object per account (`idFromName(accountId)`), so an account's aliases, key
 * listings and its one audit chain stay in one transactional store. See the README for the
 * measured throughput of one object and how the design grows past it.
 */
import { DurableObject } from 'cloudflare:workers'
import { createKms, operationNames, type Caller, type Kms, type OtherAccounts } from '@webkms/core'
import { recordOtherAccountEvent } from '@webkms/core/internal'
import { parseRegion, parseRootKey, type EdgeVars } from './config.js'
import { DurableObjectKeyStore } from './store/DurableObjectKeyStore.js'
import { deriveWrappingKey, KeyWrapper } from './store/keyWrapping.js'

/**
 * What the front Worker sends to `KmsDurableObject.call`: the operation, its decoded input, and
 * who calls.
 *
 * @example
 * ```ts
 * import type { EngineCall } from '@webkms/edge'
 *
 * const call: EngineCall = {
 *   accountId: '111122223333',
 *   operation: 'DescribeKey',
 *   input: { KeyId: 'alias/orders' },
 *   caller: { principal: 'arn:aws:iam::111122223333:user/alice' },
 * }
 * ```
 */
export interface EngineCall {
  /** The account whose object this is (pinned on first use). */
  accountId: string
  /** The AWS operation name (`Encrypt`), or webkms's own (`ExportAuditLog`). */
  operation: string
  /** The request, as the engine takes it (blobs as `Uint8Array`, timestamps as `Date`). */
  input: unknown
  /** Who calls, from the access key's principal, and the request's context. */
  caller: Caller
}

/**
 * The engine's answer to an `EngineCall`, as plain data that crosses Durable Object RPC: the
 * response, or the error by AWS exception name, message and fault.
 *
 * @example
 * ```ts
 * import type { EngineOutcome } from '@webkms/edge'
 *
 * const status = (o: EngineOutcome) => (o.ok ? 200 : o.error.fault === 'server' ? 500 : 400)
 * ```
 */
export type EngineOutcome = { ok: true; output: unknown } | { ok: false; error: { name: string; message: string; fault: 'client' | 'server' } }

const ACCOUNT = 'account'
/** Audit events an account's object keeps (older ones are pruned at a checkpoint). */
export const AUDIT_EVENTS_KEPT = 5000
const known = new Set<string>(operationNames)
const methodName = (op: string) => op.charAt(0).toLowerCase() + op.slice(1)

/**
 * One account's KMS as a Durable Object: the account's keys, aliases, grants, identity policies
 * and audit chain in its storage (`DurableObjectKeyStore`, key material wrapped under a key
 * derived from `WEBKMS_ROOT_KEY`), and the engine over them. Export it from your Worker and bind
 * it as `KMS`; `createKmsHandler` addresses one object per account (`idFromName(accountId)`).
 *
 * @example
 * ```ts
 * // worker.ts, with wrangler.toml:
 * //   [[durable_objects.bindings]]  name = "KMS"  class_name = "KmsDurableObject"
 * //   [[migrations]]  tag = "v1"  new_sqlite_classes = ["KmsDurableObject"]
 * export { KmsDurableObject } from '@webkms/edge'
 * ```
 */
export class KmsDurableObject extends DurableObject<EdgeVars> {
  #kms: Promise<Kms> | undefined
  #store: DurableObjectKeyStore | undefined

  /**
   * Another account's object, for a call one of its principals makes on a key of this account:
   * its identity policies decide the call with this key's policy, and the call is recorded in
   * its trail too (only there when refused). The namespace bound as `KMS`; a Worker that binds
   * it under another name (`createKmsHandler({ namespace })`) overrides this. Without it, calls
   * from another account's users fail (their identity policies are out of reach), its root's
   * still work, and refused calls are recorded here.
   */
  protected accountObject(accountId: string): DurableObjectStub<KmsDurableObject> {
    const namespace = (this.env as EdgeVars & { KMS?: DurableObjectNamespace<KmsDurableObject> }).KMS
    if (!namespace) throw new Error('the KMS Durable Object namespace is not bound as KMS: a call from another account cannot reach its account')
    return namespace.get(namespace.idFromName(accountId))
  }

  /**
   * The identity policies this account keeps for `principals` (over RPC, from the object of an
   * account whose key one of them calls). Not a KMS call: nothing is recorded.
   */
  async identityPoliciesOf(accountId: string, principals: string[]): Promise<{ principal: string; name: string; document: string }[]> {
    await this.#engine(accountId)
    const records = await this.#store!.transaction('readonly', async (tx) => (await Promise.all(principals.map((p) => tx.getIdentityPolicies(p)))).flat())
    return records.map(({ principal, name, document }) => ({ principal, name, document }))
  }

  /** Appends to this account's trail the event of a call one of its principals made on a key of another account (over RPC, from that account's object). */
  async recordOtherAccountEvent(accountId: string, event: Record<string, unknown>): Promise<void> {
    await recordOtherAccountEvent(await this.#engine(accountId), event)
  }

  /**
   * Runs one call on this account's engine (over Durable Object RPC, from `createKmsHandler`).
   * Never rejects: the engine's errors come back by name in the outcome, anything else as
   * `KMSInternalException` (details logged here, not returned), an operation the engine does
   * not have as `UnknownOperationException`.
   */
  async call(request: EngineCall): Promise<EngineOutcome> {
    try {
      if (!known.has(request.operation)) return { ok: false, error: { name: 'UnknownOperationException', message: `Unknown operation ${request.operation}`, fault: 'client' } }
      const kms = await this.#engine(request.accountId)
      const method = (kms.as(request.caller) as unknown as Record<string, (input: unknown) => Promise<unknown>>)[methodName(request.operation)]!
      return { ok: true, output: await method(request.input) }
    } catch (error) {
      const e = error as Error & { $fault?: string }
      // Engine errors are KmsErrors (client or server fault); anything else is internal, its detail kept here.
      if (typeof e?.name === 'string' && typeof e.$fault === 'string') return { ok: false, error: { name: e.name, message: e.message, fault: e.$fault === 'server' ? 'server' : 'client' } }
      console.error('webkms-edge: internal error', e?.name, e?.message)
      return { ok: false, error: { name: 'KMSInternalException', message: 'An internal error occurred.', fault: 'server' } }
    }
  }

  #engine(accountId: string): Promise<Kms> {
    this.#kms ??= (async () => {
      // An object belongs to one account for good: a request routed to the wrong one is refused.
      const pinned = (await this.ctx.storage.get(ACCOUNT)) as string | undefined
      if (pinned === undefined) await this.ctx.storage.put(ACCOUNT, accountId)
      else if (pinned !== accountId) throw new Error(`this object holds account ${pinned}, not ${accountId}`)
      const keys = new KeyWrapper(await deriveWrappingKey(parseRootKey(this.env.WEBKMS_ROOT_KEY), accountId))
      this.#store = new DurableObjectKeyStore(this.ctx.storage, keys)
      const otherAccounts: OtherAccounts = {
        identityPolicies: (account, principals) => this.accountObject(account).identityPoliciesOf(account, principals),
        record: (account, event) => this.accountObject(account).recordOtherAccountEvent(account, event),
      }
      return createKms({
        keyStore: this.#store,
        otherAccounts,
        accountId,
        region: parseRegion(this.env.WEBKMS_REGION),
        // ExportAuditLog answers the whole trail kept in one response: keep it well under the
        // platform's message limits (about 12 MB at CloudTrail-sized events), 90 days at most.
        auditRetention: { maxEvents: AUDIT_EVENTS_KEPT },
      })
    })()
    // A failed start (a missing secret) is tried again by the next request.
    this.#kms.catch(() => (this.#kms = undefined))
    return this.#kms
  }
}
