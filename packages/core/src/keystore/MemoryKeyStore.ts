/**
 * A KeyStore in memory: for tests, Node scripts and short-lived engines. Nothing survives the
 * process. Transactions run one at a time (a promise chain as the lock) and write to a staging
 * area that is applied only when `fn` resolves, so a throw leaves the store untouched.
 */
import type { KeyStore, KeyStoreTransaction, TransactionMode } from './KeyStore.js'
import type { AliasRecord, AuditRecord, GrantRecord, KeyRecord } from './records.js'
import { cloneRecord } from './cloneRecord.js'

const DELETED = Symbol('deleted')
type Staged<V> = Map<string, V | typeof DELETED>

export class MemoryKeyStore implements KeyStore {
  #keys = new Map<string, KeyRecord>()
  #aliases = new Map<string, AliasRecord>()
  #grants = new Map<string, GrantRecord>()
  /** keyId -> IDs of that key's grants in `#grants`, so listGrants never scans every grant. */
  #grantsByKey = new Map<string, Set<string>>()
  #audit = new Map<string, AuditRecord>()
  #meta = new Map<string, unknown>()
  /** The newest audit record, kept so appending stays O(1) however long the trail. */
  #auditLast: AuditRecord | undefined
  #queue: Promise<unknown> = Promise.resolve()

  transaction<T>(mode: TransactionMode, fn: (tx: KeyStoreTransaction) => Promise<T>): Promise<T> {
    const run = this.#queue.then(() => this.#run(mode, fn))
    // The next transaction waits for this one to settle, whether it succeeds or not.
    this.#queue = run.catch(() => undefined)
    return run
  }

  async #run<T>(mode: TransactionMode, fn: (tx: KeyStoreTransaction) => Promise<T>): Promise<T> {
    const keys: Staged<KeyRecord> = new Map()
    const aliases: Staged<AliasRecord> = new Map()
    const grants: Staged<GrantRecord> = new Map()
    // keyId -> IDs of grants this transaction put on that key (they may since have been
    // deleted or moved; listGrants checks each against what the transaction now reads).
    const grantsByKey = new Map<string, Set<string>>()
    const audit: Staged<AuditRecord> = new Map()
    const meta: Staged<unknown> = new Map()
    const seq = (n: number) => String(n).padStart(16, '0') // sorts as numbers do
    let open = true
    const writable = () => {
      if (!open) throw new Error('KeyStore transaction has already finished')
      if (mode !== 'readwrite') throw new Error('KeyStore transaction is readonly')
    }
    const tx: KeyStoreTransaction = {
      getKey: async (id) => cloneRecord(read(this.#keys, keys, id)),
      listKeys: async () => list(this.#keys, keys).map(cloneRecord),
      putKey: async (r) => void (writable(), keys.set(r.keyId, cloneRecord(r))),
      deleteKey: async (id) => void (writable(), keys.set(id, DELETED)),
      getAlias: async (name) => cloneRecord(read(this.#aliases, aliases, name)),
      listAliases: async () => list(this.#aliases, aliases).map(cloneRecord),
      putAlias: async (r) => void (writable(), aliases.set(r.aliasName, cloneRecord(r))),
      deleteAlias: async (name) => void (writable(), aliases.set(name, DELETED)),
      getGrant: async (id) => cloneRecord(read(this.#grants, grants, id)),
      listGrants: async (keyId) => {
        const ids = new Set([...(this.#grantsByKey.get(keyId) ?? []), ...(grantsByKey.get(keyId) ?? [])])
        return [...ids]
          .sort()
          .map((id) => read(this.#grants, grants, id))
          .filter((r): r is GrantRecord => r !== undefined && r.keyId === keyId)
          .map(cloneRecord)
      },
      listAllGrants: async () => list(this.#grants, grants).map(cloneRecord),
      putGrant: async (r) => {
        writable()
        grants.set(r.grantId, cloneRecord(r))
        index(grantsByKey, r.keyId, r.grantId)
      },
      deleteGrant: async (id) => void (writable(), grants.set(id, DELETED)),
      lastAuditRecord: async () => {
        let last = this.#auditLast
        for (const r of audit.values()) if (r !== DELETED && (!last || r.sequence > last.sequence)) last = r
        return cloneRecord(last)
      },
      listAuditRecords: async () => list(this.#audit, audit).map(cloneRecord),
      putAuditRecord: async (r) => void (writable(), audit.set(seq(r.sequence), cloneRecord(r))),
      getMeta: async (id) => cloneRecord(read(this.#meta, meta, id)),
      putMeta: async (id, v) => void (writable(), meta.set(id, cloneRecord(v))),
    }
    try {
      const result = await fn(tx)
      apply(this.#keys, keys)
      apply(this.#aliases, aliases)
      for (const [id, r] of grants) {
        const old = this.#grants.get(id)
        if (old) unindex(this.#grantsByKey, old.keyId, id)
        if (r !== DELETED) index(this.#grantsByKey, r.keyId, id)
      }
      apply(this.#grants, grants)
      apply(this.#audit, audit)
      for (const r of audit.values()) if (r !== DELETED && (!this.#auditLast || r.sequence > this.#auditLast.sequence)) this.#auditLast = r
      apply(this.#meta, meta)
      return result
    } finally {
      open = false
    }
  }
}

function read<V>(base: Map<string, V>, staged: Staged<V>, id: string): V | undefined {
  const s = staged.get(id)
  if (s === DELETED) return undefined
  return s ?? base.get(id)
}

function list<V>(base: Map<string, V>, staged: Staged<V>): V[] {
  const ids = new Set([...base.keys(), ...staged.keys()])
  return [...ids]
    .sort()
    .map((id) => read(base, staged, id))
    .filter((v): v is V => v !== undefined)
}

function apply<V>(base: Map<string, V>, staged: Staged<V>): void {
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
