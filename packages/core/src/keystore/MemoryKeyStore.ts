/**
 * A KeyStore in memory: for tests, Node scripts and short-lived engines. Nothing survives the
 * process. Transactions run one at a time (a promise chain as the lock) and write to a staging
 * area that is applied only when `fn` resolves, so a throw leaves the store untouched.
 */
import type { KeyStore, KeyStoreTransaction, TransactionMode, TransactionOptions } from './KeyStore.js'
import type { AliasRecord, AuditRecord, GrantRecord, IdentityPolicyRecord, KeyRecord } from './records.js'
import { cloneRecord, copyMembers } from './cloneRecord.js'

const DELETED = Symbol('deleted')
type Staged<V> = Map<string, V | typeof DELETED>

/**
 * A `KeyStore` in memory: `createKms`'s default. For tests, Node scripts and short-lived
 * engines; nothing survives the process. Transactions run one at a time, and one whose function
 * throws leaves the store untouched.
 *
 * @example
 * ```ts
 * import { createKms, MemoryKeyStore } from '@webkms/core'
 *
 * const keyStore = new MemoryKeyStore()
 * const kms = createKms({ keyStore, now: () => new Date('2030-01-01T00:00:00Z') })
 * ```
 */
export class MemoryKeyStore implements KeyStore {
  #keys = new Map<string, KeyRecord>()
  #aliases = new Map<string, AliasRecord>()
  #grants = new Map<string, GrantRecord>()
  /** keyId -> IDs of that key's grants in `#grants`, so listGrants never scans every grant. */
  #grantsByKey = new Map<string, Set<string>>()
  /** `${principal}\u0000${name}` -> policy; the separator cannot appear in an ARN or a policy name. */
  #identityPolicies = new Map<string, IdentityPolicyRecord>()
  #audit = new Map<string, AuditRecord>()
  #meta = new Map<string, unknown>()
  /** The newest audit record, kept so appending stays O(1) however long the trail. */
  #auditLast: AuditRecord | undefined
  #queue: Promise<unknown> = Promise.resolve()

  /**
   * `KeyStore.transaction`, queued behind the transactions before it (of either mode).
   *
   * @throws whatever `fn` threw (nothing it wrote is kept); an `Error` from a write in a
   * `readonly` transaction, or from any write once the transaction has finished.
   */
  // `TransactionOptions` change nothing here: memory has no disk to flush.
  transaction<T>(mode: TransactionMode, fn: (tx: KeyStoreTransaction) => Promise<T>, _options?: TransactionOptions): Promise<T> {
    const run = this.#queue.then(() => this.#run(mode, fn))
    // The next transaction waits for this one to settle, whether it succeeds or not.
    this.#queue = run.catch(() => undefined)
    return run
  }

  async #run<T>(mode: TransactionMode, fn: (tx: KeyStoreTransaction) => Promise<T>): Promise<T> {
    // What this transaction wrote, applied when `fn` resolves. Each map is made by the first
    // write to it: most transactions read, or write one kind of record.
    let keys: Staged<KeyRecord> | undefined
    let aliases: Staged<AliasRecord> | undefined
    let grants: Staged<GrantRecord> | undefined
    // keyId -> IDs of grants this transaction put on that key (they may since have been
    // deleted or moved; listGrants checks each against what the transaction now reads).
    let grantsByKey: Map<string, Set<string>> | undefined
    let identityPolicies: Staged<IdentityPolicyRecord> | undefined
    let audit: Staged<AuditRecord> | undefined
    /** Set by deleteAuditRecords: every record up to it is gone, staged or not. */
    let auditDeletedThrough = 0
    let meta: Staged<unknown> | undefined
    const policyId = (principal: string, name: string) => `${principal}\u0000${name}`
    const auditRead = (r: AuditRecord | typeof DELETED | undefined) => (r === undefined || r === DELETED || r.sequence <= auditDeletedThrough ? undefined : r)
    const seq = (n: number) => String(n).padStart(16, '0') // sorts as numbers do
    let open = true
    const writable = () => {
      if (!open) throw new Error('KeyStore transaction has already finished')
      if (mode !== 'readwrite') throw new Error('KeyStore transaction is readonly')
    }
    const tx: KeyStoreTransaction = {
      getKey: async (id) => cloneRecord(read(this.#keys, keys, id)),
      listKeys: async () => list(this.#keys, keys).map(cloneRecord),
      putKey: async (r) => void (writable(), (keys ??= new Map()).set(r.keyId, cloneRecord(r))),
      deleteKey: async (id) => void (writable(), (keys ??= new Map()).set(id, DELETED)),
      getAlias: async (name) => cloneRecord(read(this.#aliases, aliases, name)),
      listAliases: async () => list(this.#aliases, aliases).map(cloneRecord),
      putAlias: async (r) => void (writable(), (aliases ??= new Map()).set(r.aliasName, cloneRecord(r))),
      deleteAlias: async (name) => void (writable(), (aliases ??= new Map()).set(name, DELETED)),
      getGrant: async (id) => cloneRecord(read(this.#grants, grants, id)),
      listGrants: async (keyId) => {
        const ids = new Set([...(this.#grantsByKey.get(keyId) ?? []), ...(grantsByKey?.get(keyId) ?? [])])
        return [...ids]
          .sort()
          .map((id) => read(this.#grants, grants, id))
          .filter((r): r is GrantRecord => r !== undefined && r.keyId === keyId)
          .map(cloneRecord)
      },
      listAllGrants: async () => list(this.#grants, grants).map(cloneRecord),
      putGrant: async (r) => {
        writable()
        ;(grants ??= new Map()).set(r.grantId, cloneRecord(r))
        index((grantsByKey ??= new Map()), r.keyId, r.grantId)
      },
      deleteGrant: async (id) => void (writable(), (grants ??= new Map()).set(id, DELETED)),
      getIdentityPolicies: async (principal) =>
        list(this.#identityPolicies, identityPolicies)
          .filter((r) => r.principal === principal)
          .map(cloneRecord),
      putIdentityPolicy: async (r) => void (writable(), (identityPolicies ??= new Map()).set(policyId(r.principal, r.name), cloneRecord(r))),
      deleteIdentityPolicy: async (principal, name) => void (writable(), (identityPolicies ??= new Map()).set(policyId(principal, name), DELETED)),
      lastAuditRecord: async () => {
        let last = auditRead(this.#auditLast)
        for (const r of audit?.values() ?? []) if (auditRead(r) && (!last || (r as AuditRecord).sequence > last.sequence)) last = r as AuditRecord
        return last
      },
      // Audit records are append-only: kept frozen and handed out as they are (a caller cannot
      // change them, so no copy is needed), which spares a deep copy of an event on every call.
      getAuditRecord: async (sequence) => auditRead(read(this.#audit, audit, seq(sequence))),
      listAuditRecords: async () => list(this.#audit, audit).filter((r) => r.sequence > auditDeletedThrough),
      putAuditRecord: async (r) => void (writable(), (audit ??= new Map()).set(seq(r.sequence), frozenCopy(r))),
      deleteAuditRecords: async (through) => {
        writable()
        auditDeletedThrough = Math.max(auditDeletedThrough, through)
        for (const r of audit?.values() ?? []) if (r !== DELETED && r.sequence <= through) audit!.set(seq(r.sequence), DELETED)
      },
      getMeta: async (id) => cloneRecord(read(this.#meta, meta, id)),
      putMeta: async (id, v) => void (writable(), (meta ??= new Map()).set(id, cloneRecord(v))),
      deleteMeta: async (id) => void (writable(), (meta ??= new Map()).set(id, DELETED)),
    }
    try {
      const result = await fn(tx)
      apply(this.#keys, keys)
      apply(this.#aliases, aliases)
      for (const [id, r] of grants ?? []) {
        const old = this.#grants.get(id)
        if (old) unindex(this.#grantsByKey, old.keyId, id)
        if (r !== DELETED) index(this.#grantsByKey, r.keyId, id)
      }
      apply(this.#grants, grants)
      apply(this.#identityPolicies, identityPolicies)
      if (auditDeletedThrough > 0) {
        // Records are kept in sequence order (keys are zero-padded), so the oldest come first.
        for (const [id, r] of this.#audit) {
          if (r.sequence > auditDeletedThrough) break
          this.#audit.delete(id)
        }
        if (this.#auditLast && this.#auditLast.sequence <= auditDeletedThrough) this.#auditLast = undefined
      }
      apply(this.#audit, audit)
      for (const r of audit?.values() ?? []) if (r !== DELETED && (!this.#auditLast || r.sequence > this.#auditLast.sequence)) this.#auditLast = r
      apply(this.#meta, meta)
      return result
    } finally {
      open = false
    }
  }
}

function read<V>(base: Map<string, V>, staged: Staged<V> | undefined, id: string): V | undefined {
  const s = staged?.get(id)
  if (s === DELETED) return undefined
  return s ?? base.get(id)
}

function list<V>(base: Map<string, V>, staged: Staged<V> | undefined): V[] {
  const ids = new Set([...base.keys(), ...(staged?.keys() ?? [])])
  return [...ids]
    .sort()
    .map((id) => read(base, staged, id))
    .filter((v): v is V => v !== undefined)
}

function apply<V>(base: Map<string, V>, staged: Staged<V> | undefined): void {
  if (!staged) return
  for (const [id, v] of staged) {
    if (v === DELETED) base.delete(id)
    else base.set(id, v)
  }
}

function index(byKey: Map<string, Set<string>>, keyId: string, id: string): void {
  let ids = byKey.get(keyId)
  if (!ids) byKey.set(keyId, (ids = new Set()))
  ids.add(id)
}

function unindex(byKey: Map<string, Set<string>>, keyId: string, id: string): void {
  const ids = byKey.get(keyId)
  if (ids?.delete(id) && ids.size === 0) byKey.delete(keyId)
}

/**
 * `deepFreeze(cloneRecord(value))` in one pass for what audit records hold (plain objects,
 * arrays, primitives): each copy is frozen as it is made. Anything else goes the long way.
 */
function frozenCopy<T>(value: T): T {
  if (value === null || typeof value !== 'object') return value
  if (Array.isArray(value)) return Object.freeze(value.map(frozenCopy)) as T
  const proto = Object.getPrototypeOf(value) as unknown
  if (proto !== Object.prototype && proto !== null) return deepFreeze(cloneRecord(value))
  return Object.freeze(copyMembers(value, frozenCopy)) as T
}

/** Freezes a record and everything in it (objects and arrays; Dates are not in audit records). */
function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value)
    for (const v of Object.values(value)) deepFreeze(v)
  }
  return value
}
