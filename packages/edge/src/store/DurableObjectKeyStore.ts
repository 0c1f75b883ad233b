/**
 * A webkms KeyStore on a Durable Object's storage: everything one account has (keys, aliases,
 * grants, identity policies, the audit chain and its checkpoints) in one object's
 * transactional key-value storage.
 *
 *   k/<keyId>   a key        a/<alias name>   an alias      g/<grantId>   a grant
 *   gk/<keyId>/<grantId>   the index of a key's grants      p/<principal>\0<name>   an identity policy
 *   e/<sequence, 16 digits>   an audit record                m/<id>   a meta value
 *
 * Transactions run one at a time (a Durable Object is one thread, but a transaction's awaits
 * would otherwise let another request's interleave): writes are staged and applied at the end
 * in one storage transaction, so a change is all there or not at all, and nothing a failed
 * transaction wrote is kept. CryptoKeys cannot be stored: they are kept in the stored form
 * keyWrapping.ts makes (key material wrapped under the account's wrapping key) and rebuilt as
 * non-extractable keys when read.
 */
import type { AliasRecord, AuditRecord, GrantRecord, IdentityPolicyRecord, KeyRecord, KeyStore, KeyStoreTransaction, TransactionMode } from '@webkms/core'
import { cloneRecord } from '@webkms/core/internal'
import { isStoredCryptoKey, type KeyWrapper } from './keyWrapping.js'

/**
 * What `DurableObjectKeyStore` needs of Durable Object storage: the key-value part of
 * `DurableObjectStorage` (`ctx.storage` in a Durable Object), nothing else, so tests can pass a
 * stand-in.
 *
 * @example
 * ```ts
 * import type { DurableStorage } from '@webkms/edge'
 *
 * // In a Durable Object: `this.ctx.storage` satisfies it.
 * const countKeys = async (storage: DurableStorage) => (await storage.list({ prefix: 'k/' })).size
 * ```
 */
export interface DurableStorage {
  /** The value stored under `key`, or `undefined`. */
  get(key: string): Promise<unknown>
  /** The values stored under `keys` (those that exist), by key. */
  get(keys: string[]): Promise<Map<string, unknown>>
  /** The entries whose keys match, in key order. */
  list(options: { prefix?: string; start?: string; end?: string; reverse?: boolean; limit?: number }): Promise<Map<string, unknown>>
  /** Runs `closure` as one storage transaction: all its puts and deletes, or none. */
  transaction<T>(closure: (txn: { put(entries: Record<string, unknown>): Promise<void>; delete(keys: string[]): Promise<number> }) => Promise<T>): Promise<T>
}

const DELETED = Symbol('deleted')
const seq = (n: number) => String(n).padStart(16, '0')
const K = (id: string) => `k/${id}`
const A = (name: string) => `a/${name}`
const G = (id: string) => `g/${id}`
const GK = (keyId: string, grantId?: string) => `gk/${keyId}/${grantId ?? ''}`
const P = (principal: string, name?: string) => `p/${principal}\u0000${name ?? ''}`
const E = (n: number) => `e/${seq(n)}`
const M = (id: string) => `m/${id}`
/** Storage takes at most 128 keys per put or delete. */
const BATCH = 128

/**
 * The `KeyStore` of `@webkms/core` on a Durable Object's storage: one account's keys, aliases,
 * grants, identity policies and audit chain (see the file's comment for the layout). Key
 * material is kept wrapped by `keys` (a `KeyWrapper`); the engine only ever holds
 * non-extractable keys. `KmsDurableObject` makes one; make your own to run the engine in a
 * Durable Object of yours.
 *
 * @example
 * ```ts
 * import { createKms } from '@webkms/core'
 * import { deriveWrappingKey, DurableObjectKeyStore, KeyWrapper, parseRootKey, type DurableStorage } from '@webkms/edge'
 *
 * async function engineFor(storage: DurableStorage, rootKeyBase64: string, accountId: string) {
 *   const keys = new KeyWrapper(await deriveWrappingKey(parseRootKey(rootKeyBase64), accountId))
 *   return createKms({ keyStore: new DurableObjectKeyStore(storage, keys), accountId })
 * }
 * ```
 */
export class DurableObjectKeyStore implements KeyStore {
  #queue: Promise<unknown> = Promise.resolve()

  /**
   * @param storage - the object's storage (`ctx.storage`)
   * @param keys - wraps the key material stored, and rebuilds keys read
   */
  constructor(
    private readonly storage: DurableStorage,
    private readonly keys: KeyWrapper,
  ) {}

  /** `KeyStore.makeKey`: `KeyWrapper.makeKey` (made extractable once, kept wrapped, handed out non-extractable). */
  makeKey<K extends CryptoKey | CryptoKeyPair>(make: (extractable: boolean) => Promise<K>): Promise<K> {
    return this.keys.makeKey(make)
  }

  /**
   * `KeyStore.transaction`: transactions run one at a time; writes are staged and applied in one
   * storage transaction when `fn` resolves.
   *
   * @throws whatever `fn` threw (nothing it wrote is kept); an `Error` when a `CryptoKey` to store
   * was not made by this store's `makeKey` (a `TypeError`, from the put); the storage's error if
   * the commit fails.
   */
  transaction<T>(mode: TransactionMode, fn: (tx: KeyStoreTransaction) => Promise<T>): Promise<T> {
    const run = this.#queue.then(() => this.#run(mode, fn))
    // The next transaction waits for this one to settle, whether it succeeds or not.
    this.#queue = run.catch(() => undefined)
    return run
  }

  /** A value for storage: CryptoKeys replaced by their stored form (a key not made by this store cannot be kept). */
  #encode(value: unknown): unknown {
    if (value === null || typeof value !== 'object') return value
    if (value instanceof Date || value instanceof Uint8Array) return value
    if (typeof CryptoKey !== 'undefined' && value instanceof CryptoKey) {
      const stored = this.keys.storedFormOf(value)
      if (!stored) throw new TypeError('this Durable Object store can keep only keys it made (KeyStore.makeKey)')
      return stored
    }
    if (Array.isArray(value)) return value.map((v) => this.#encode(v))
    const out: Record<string, unknown> = {}
    for (const [k, v] of Object.entries(value)) if (v !== undefined) Object.defineProperty(out, k, { value: this.#encode(v), enumerable: true, writable: true, configurable: true })
    return out
  }

  /** A value from storage: stored forms rebuilt into keys. */
  async #decode(value: unknown): Promise<unknown> {
    if (value === null || typeof value !== 'object' || value instanceof Date || value instanceof Uint8Array) return value
    if (isStoredCryptoKey(value)) return this.keys.rebuild(value)
    if (Array.isArray(value)) return Promise.all(value.map((v) => this.#decode(v)))
    const out: Record<string, unknown> = {}
    for (const [k, v] of Object.entries(value)) Object.defineProperty(out, k, { value: await this.#decode(v), enumerable: true, writable: true, configurable: true })
    return out
  }

  async #run<T>(mode: TransactionMode, fn: (tx: KeyStoreTransaction) => Promise<T>): Promise<T> {
    const staged = new Map<string, unknown>()
    let open = true
    const writable = () => {
      if (!open) throw new Error('KeyStore transaction has already finished')
      if (mode !== 'readwrite') throw new Error('KeyStore transaction is readonly')
    }
    const put = (key: string, value: unknown) => {
      writable()
      staged.set(key, this.#encode(cloneRecord(value)))
    }
    const remove = (key: string) => {
      writable()
      staged.set(key, DELETED)
    }
    const get = async <V>(key: string): Promise<V | undefined> => {
      const value = staged.has(key) ? staged.get(key) : await this.storage.get(key)
      return value === DELETED || value === undefined ? undefined : ((await this.#decode(value)) as V)
    }
    /** Entries under a prefix, stored and staged, in key order. */
    const entries = async (prefix: string, range: { end?: string } = {}): Promise<[string, unknown][]> => {
      const stored = await this.storage.list({ prefix, ...range })
      const merged = new Map(stored)
      for (const [k, v] of staged) if (k.startsWith(prefix) && (range.end === undefined || k < range.end)) merged.set(k, v)
      return [...merged].filter(([, v]) => v !== DELETED).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    }
    const values = async <V>(prefix: string): Promise<V[]> => Promise.all((await entries(prefix)).map(async ([, v]) => (await this.#decode(v)) as V))

    const tx: KeyStoreTransaction = {
      getKey: (id) => get<KeyRecord>(K(id)),
      listKeys: () => values<KeyRecord>('k/'),
      putKey: async (r) => put(K(r.keyId), r),
      deleteKey: async (id) => remove(K(id)),
      getAlias: (name) => get<AliasRecord>(A(name)),
      listAliases: () => values<AliasRecord>('a/'),
      putAlias: async (r) => put(A(r.aliasName), r),
      deleteAlias: async (name) => remove(A(name)),
      getGrant: (id) => get<GrantRecord>(G(id)),
      listGrants: async (keyId) => {
        const ids = (await entries(GK(keyId))).map(([k]) => k.slice(GK(keyId).length))
        const grants = await Promise.all(ids.map((id) => get<GrantRecord>(G(id))))
        return grants.filter((g): g is GrantRecord => g !== undefined && g.keyId === keyId)
      },
      listAllGrants: () => values<GrantRecord>('g/'),
      putGrant: async (r) => {
        const old = await get<GrantRecord>(G(r.grantId))
        if (old && old.keyId !== r.keyId) remove(GK(old.keyId, r.grantId))
        put(G(r.grantId), r)
        put(GK(r.keyId, r.grantId), true)
      },
      deleteGrant: async (id) => {
        const old = await get<GrantRecord>(G(id))
        if (old) remove(GK(old.keyId, id))
        remove(G(id))
      },
      getIdentityPolicies: (principal) => values<IdentityPolicyRecord>(P(principal)),
      putIdentityPolicy: async (r) => put(P(r.principal, r.name), r),
      deleteIdentityPolicy: async (principal, name) => remove(P(principal, name)),
      lastAuditRecord: async () => {
        let best: [string, unknown] | undefined
        for (const [k, v] of staged) if (k.startsWith('e/') && v !== DELETED && (!best || k > best[0])) best = [k, v]
        // The newest stored record this transaction has not deleted (retention deletes the oldest).
        for (let end: string | undefined; ; ) {
          const page = [...(await this.storage.list({ prefix: 'e/', reverse: true, limit: 16, ...(end === undefined ? {} : { end }) }))]
          if (page.length === 0) break
          const found = page.find(([k]) => staged.get(k) !== DELETED)
          if (found) {
            if (!best || found[0] > best[0]) best = found
            break
          }
          end = page.at(-1)![0]
        }
        return best && ((await this.#decode(best[1])) as AuditRecord)
      },
      getAuditRecord: (sequence) => get<AuditRecord>(E(sequence)),
      listAuditRecords: () => values<AuditRecord>('e/'),
      putAuditRecord: async (r) => put(E(r.sequence), r),
      deleteAuditRecords: async (through) => {
        writable()
        for (const [k] of await entries('e/', { end: E(through + 1) })) staged.set(k, DELETED)
      },
      getMeta: (id) => get(M(id)),
      putMeta: async (id, value) => put(M(id), value),
      deleteMeta: async (id) => remove(M(id)),
    }
    try {
      const result = await fn(tx)
      open = false
      if (staged.size) await this.#commit(staged)
      return result
    } finally {
      open = false
    }
  }

  /** Applies a transaction's writes in one storage transaction: all of them, or none. */
  async #commit(staged: Map<string, unknown>): Promise<void> {
    const puts = [...staged].filter(([, v]) => v !== DELETED)
    const deletes = [...staged].filter(([, v]) => v === DELETED).map(([k]) => k)
    await this.storage.transaction(async (txn) => {
      for (let i = 0; i < puts.length; i += BATCH) await txn.put(Object.fromEntries(puts.slice(i, i + BATCH)))
      for (let i = 0; i < deletes.length; i += BATCH) await txn.delete(deletes.slice(i, i + BATCH))
    })
  }
}
