/**
 * Accounts kept in stores of their own (the edge: one Durable Object per account). A call by a
 * principal of another account on a key of this one is decided with that account's identity
 * policies and recorded in that account's trail too ("Cross-account operations on KMS keys are
 * logged in both the caller account and the KMS key owner account. However, cross-account AWS
 * KMS requests that are rejected because access is denied are logged only in the caller's
 * account": AWS KMS Developer Guide, Logging with AWS CloudTrail). An engine whose store holds
 * every account (the browser) needs none of this.
 */
import type { AuditEvent } from './audit/chain.js'
import type { AuditTrail } from './audit/trail.js'

/**
 * How an engine reaches the other accounts of its host (`createKms({ otherAccounts })`).
 *
 * @example
 * ```ts
 * import { createKms, type OtherAccounts } from '@webkms/core'
 * import { recordOtherAccountEvent } from '@webkms/core/internal'
 *
 * // Two accounts, each an engine of its own, in one process.
 * const engines = new Map<string, ReturnType<typeof createKms>>()
 * const otherAccounts: OtherAccounts = {
 *   identityPolicies: async (accountId, principals) => {
 *     const owner = engines.get(accountId)!
 *     const each = await Promise.all(principals.map(async (principal) => Object.entries((await owner.getIdentityPolicies({ Principal: principal })).Policies).map(([name, document]) => ({ principal, name, document }))))
 *     return each.flat()
 *   },
 *   record: (accountId, event) => recordOtherAccountEvent(engines.get(accountId)!, event),
 * }
 * engines.set('111122223333', createKms({ accountId: '111122223333', otherAccounts }))
 * engines.set('444455556666', createKms({ accountId: '444455556666', otherAccounts }))
 * ```
 */
export interface OtherAccounts {
  /** The identity policies account `accountId` keeps for these principals (a user or role; a session's role too). */
  identityPolicies(accountId: string, principals: string[]): Promise<{ principal: string; name: string; document: string }[]>
  /**
   * Records, in the trail of account `accountId`, a call one of its principals made on a key of
   * this account: every such call, whether or not this engine records it too (it does not when
   * the call was refused, before it ran or denied access, unless this fails). Rejects when the
   * account cannot be written.
   */
  record(accountId: string, event: Record<string, unknown>): Promise<void>
}

/** What of the engine behind each `Kms` object createKms makes recordOtherAccountEvent needs. */
export const enginesOf = new WeakMap<object, { account: { accountId: string }; audit: Pick<AuditTrail, 'record' | 'afterAppend'> }>()

/**
 * Appends to `kms`'s audit trail the event of a call one of its principals made on a key of
 * another account, as that account's engine wrote it (`OtherAccounts.record`). The event is
 * chained and checkpointed like the engine's own. Throws TypeError for an object createKms did
 * not make, or an event whose caller is not of this engine's account.
 */
export async function recordOtherAccountEvent(kms: object, event: Record<string, unknown>): Promise<void> {
  const engine = enginesOf.get(kms)
  if (!engine) throw new TypeError('recordOtherAccountEvent expected an engine made by createKms')
  const identity = event.userIdentity as { accountId?: unknown } | undefined
  if (identity?.accountId !== engine.account.accountId) throw new TypeError(`recordOtherAccountEvent: the event's caller is not of account ${engine.account.accountId}`)
  const record = await engine.audit.record(event as AuditEvent)
  try {
    await engine.audit.afterAppend(record)
  } catch {
    // A checkpoint that failed now is made by a later call or export; the event is stored.
  }
}
