/**
 * A webkms KeyStore on IndexedDB: the browser HSM's storage. Records are stored by structured
 * clone, so each key version's material stays a non-extractable CryptoKey: IndexedDB keeps the
 * key, JavaScript never sees its bytes.
 *
 * Several tabs (and workers) share one database:
 * - every `transaction` is one IndexedDB transaction over every store (keys, aliases, grants,
 *   identity policies, audit, meta), so a change is all there or not at all, even if the tab dies mid-way
 *   (IndexedDB aborts it);
 * - read-write transactions also hold a Web Lock named after the database, so writers from
 *   every tab and worker of the origin queue up in one line;
 * - key and alias reads are served from a small cache, which learns of other tabs' writes over a
 *   BroadcastChannel (and of its own at commit), so it never outlives a change it was told of.
 *   Grants and identity policies are not cached: every read of them goes to the database. Their
 *   changes are still broadcast, so `onChange` listeners in every tab hear of them.
 */
import type { AliasRecord, KeyRecord, KeyStore, KeyStoreTransaction, TransactionMode, TransactionOptions } from '@webkms/core'
import { cloneRecord } from '@webkms/core/internal'
import { openDB, type IDBPDatabase } from 'idb'
import { CryptoKeyStorageUnsupportedError, IndexedDbUnavailableError } from './errors.js'
import { SCHEMA_VERSION, upgrade, type WebKmsSchema } from './schema.js'
import { realmLocks, type ExclusiveLocks } from './realmLocks.js'

/**
 * Whether the browser promised to keep the origin's storage (`navigator.storage.persist()`):
 * `persisted` (kept until the user clears it), `best-effort` (may be evicted under storage
 * pressure, and non-extractable keys cannot be backed up: see the README on eviction), or
 * `unknown` (the Storage API is missing, or persistence was not asked for).
 *
 * @example
 * ```ts
 * import type { Persistence } from '@webkms/keystore-idb'
 *
 * const safe = (p: Persistence) => p === 'persisted'
 * ```
 */
export type Persistence = 'persisted' | 'best-effort' | 'unknown'

/**
 * One committed change, as `IdbKeyStore.onChange` reports it: the IDs of what a transaction
 * wrote or deleted, in this tab or (`remote`) another.
 *
 * @example
 * ```ts
 * import type { StoreChange } from '@webkms/keystore-idb'
 *
 * const log = (c: StoreChange) => console.log(`${c.remote ? 'another tab' : 'this tab'} changed keys ${c.keyIds.join(', ')}`)
 * ```
 */
export interface StoreChange {
  /** Keys written or deleted. */
  keyIds: string[]
  /** Aliases written or deleted. */
  aliasNames: string[]
  /** Grants written or deleted. */
  grantIds: string[]
  /** Principals whose identity policies changed. */
  principals: string[]
  /** True when the change came from another tab or worker. */
  remote: boolean
}

/**
 * Options of `openIdbKeyStore` and `IdbKeyStore.open`.
 *
 * @example
 * ```ts
 * import type { IdbKeyStoreOptions } from '@webkms/keystore-idb'
 *
 * // One tab only (no cross-tab locking or broadcasts), without asking for persistence.
 * const options: IdbKeyStoreOptions = { name: 'scratch', locks: null, broadcast: false, requestPersistence: false }
 * ```
 */
export interface IdbKeyStoreOptions {
  /** Database name. Default `webkms`. */
  name?: string
  /**
   * Web Locks. Default: `navigator.locks` where it exists; elsewhere (Node 20) locks shared by
   * the stores of this JS realm, the only ones that can share a database there. `null` disables
   * locking.
   */
  locks?: LockManager | null
  /** Broadcast changes to other tabs. Default: true where BroadcastChannel exists. */
  broadcast?: boolean
  /** Ask the browser to keep this origin's storage (`navigator.storage.persist()`). Default true. */
  requestPersistence?: boolean
}

// `grantIds` is absent from messages posted by code older than schema version 3, `principals` (identity policy changes) before 4.
type Message = { keyIds: string[]; aliasNames: string[]; grantIds?: string[]; principals?: string[] }

/**
 * The `KeyStore` of `@webkms/core` on IndexedDB (see the file's comment for how tabs share it).
 * Open it with `openIdbKeyStore` (which also checks WebCrypto) or `IdbKeyStore.open`; give it
 * to `createKms({ keyStore })`.
 *
 * @example
 * ```ts
 * import { createKms } from '@webkms/core'
 * import { IdbKeyStore } from '@webkms/keystore-idb'
 *
 * const store = await IdbKeyStore.open({ name: 'my-app-keys' })
 * const stop = store.onChange((change) => { if (change.remote) console.log('another tab changed', change.keyIds) })
 * const kms = createKms({ keyStore: store })
 * // ...
 * stop()
 * store.close()
 * ```
 */
export class IdbKeyStore implements KeyStore {
  /** The IndexedDB database name. */
  readonly name: string
  /** Whether the browser promised to keep the data (see the README on eviction). */
  persistence: Persistence = 'unknown'
  #db: Promise<IDBPDatabase<WebKmsSchema>> | undefined
  #locks: ExclusiveLocks | null
  #channel: BroadcastChannel | undefined
  #listeners = new Set<(change: StoreChange) => void>()
  // Read cache, with a generation per entry: a read may fill the cache only if no
  // invalidation happened while it was in flight. Other tabs' changes arrive as broadcasts; an
  // entry is also read again once it is CACHE_TTL_MS old, because a broadcast can be lost (a tab
  // or worker that dies between its commit and its postMessage).
  #keys = new Map<string, Cached<KeyRecord>>()
  #aliases = new Map<string, Cached<AliasRecord>>()
  #generation = 0

  private constructor(name: string, locks: ExclusiveLocks | null, broadcast: boolean) {
    this.name = name
    this.#locks = locks
    if (broadcast && typeof BroadcastChannel === 'function') {
      this.#channel = new BroadcastChannel(`webkms-keystore:${name}`)
      this.#channel.onmessage = (e: MessageEvent<Message>) => this.#changed(e.data, true)
    }
  }

  /**
   * Opens (creating or migrating) the database and proves it can hold a CryptoKey by writing
   * and deleting one, then asks for persistent storage unless `requestPersistence: false`.
   *
   * @throws `IndexedDbUnavailableError` without IndexedDB; `CryptoKeyStorageUnsupportedError`
   * where IndexedDB cannot store a `CryptoKey`; the browser's error (a `VersionError` for a
   * database of a newer schema) otherwise.
   */
  static async open(options: IdbKeyStoreOptions = {}): Promise<IdbKeyStore> {
    // The idb wrapper uses the global IndexedDB (in Node tests, fake-indexeddb/auto installs it).
    if (!(globalThis as { indexedDB?: IDBFactory }).indexedDB) throw new IndexedDbUnavailableError('IndexedDB is not available in this context, so keys cannot be persisted')
    const locks = options.locks === undefined ? ((globalThis.navigator as Navigator | undefined)?.locks ?? realmLocks) : options.locks
    const store = new IdbKeyStore(options.name ?? 'webkms', locks, options.broadcast ?? true)
    try {
      await store.#probe()
      if (options.requestPersistence ?? true) store.persistence = await requestPersistence()
      return store
    } catch (error) {
      store.close()
      throw error
    }
  }

  /**
   * Calls `listener` after every committed change, local or from another tab. A listener that
   * throws is reported as an uncaught error (`reportError`); the change stands, and the other
   * listeners and tabs are told.
   *
   * @returns a function that removes the listener
   */
  onChange(listener: (change: StoreChange) => void): () => void {
    this.#listeners.add(listener)
    return () => this.#listeners.delete(listener)
  }

  /** Closes the database connection and stops listening to other tabs. A later transaction reopens the database (without the broadcasts). */
  close(): void {
    this.#channel?.close()
    this.#channel = undefined
    this.#disconnect()
  }

  /** Drops the connection and everything read through it: what is read next comes from the database. */
  #disconnect(): void {
    void this.#db?.then((db) => db.close()).catch(() => undefined)
    this.#db = undefined
    this.#generation++
    this.#keys.clear()
    this.#aliases.clear()
  }

  #database(): Promise<IDBPDatabase<WebKmsSchema>> {
    this.#db ??= openDB<WebKmsSchema>(this.name, SCHEMA_VERSION, {
      upgrade,
      // Another tab deletes the database or opens a newer version: let it go ahead, and reopen
      // on next use. The broadcasts go on: only the connection is closed.
      blocking: () => this.#disconnect(),
      // The browser closed the connection (site data cleared): nothing cached can be trusted.
      terminated: () => this.#disconnect(),
    }).catch((error: unknown) => {
      this.#db = undefined
      throw error
    })
    return this.#db
  }

  async #probe(): Promise<void> {
    const db = await this.#database()
    const key = await globalThis.crypto.subtle.generateKey({ name: 'AES-GCM', length: 128 }, false, ['encrypt'])
    try {
      const tx = db.transaction('meta', 'readwrite')
      await tx.store.put({ id: 'cryptokey-probe', value: key })
      await tx.store.delete('cryptokey-probe')
      await tx.done
    } catch (cause) {
      if ((cause as Error)?.name === 'DataCloneError') {
        throw new CryptoKeyStorageUnsupportedError(
          'This browser cannot store CryptoKey objects in IndexedDB (DataCloneError), so non-extractable keys cannot be kept; ' +
            'webkms does not fall back to memory. Use another browser or leave private browsing.',
          { cause },
        )
      }
      throw cause
    }
  }

  /**
   * `KeyStore.transaction`: one IndexedDB transaction over every object store; a `readwrite`
   * one also holds the database's Web Lock, so writers of every tab queue up.
   *
   * @throws whatever `fn` threw (the transaction is aborted: nothing it wrote is kept), or the
   * browser's error if the commit fails (`QuotaExceededError`, `AbortError`).
   */
  async transaction<T>(mode: TransactionMode, fn: (tx: KeyStoreTransaction) => Promise<T>, options?: TransactionOptions): Promise<T> {
    // Inside `exclusively` this store already holds the lock: its own writes go straight on.
    if (mode === 'readonly' || this.#exclusive > 0) return this.#run(mode, fn, options)
    const run = () => this.#run(mode, fn, options)
    return this.#locks ? this.#locks.request(this.#lockName, { mode: 'exclusive' }, run) : run()
  }

  /**
   * `KeyStore.exclusively`: holds the database's Web Lock while `work` runs, so the writers of
   * every other tab wait; this store's own transactions inside `work` do not. With locking
   * disabled (`locks: null`), runs `work` as it is.
   */
  async exclusively<T>(work: () => Promise<T>): Promise<T> {
    if (!this.#locks) return work()
    return this.#locks.request(this.#lockName, { mode: 'exclusive' }, async () => {
      this.#exclusive++
      try {
        return await work()
      } finally {
        this.#exclusive--
      }
    })
  }

  /** How many `exclusively` calls of this store hold the lock now (0 or 1: the lock is exclusive). */
  #exclusive = 0

  get #lockName(): string {
    return `webkms-keystore:${this.name}`
  }

  async #run<T>(mode: TransactionMode, fn: (tx: KeyStoreTransaction) => Promise<T>, options?: TransactionOptions): Promise<T> {
    const db = await this.#database()
    // A read-only transaction is opened on its first read that misses the cache: a call whose
    // key is cached (most Encrypt and Decrypt calls) then costs no IndexedDB transaction at all.
    // A read-write one is opened at once, to take its place in line. Strict unless asked
    // (TransactionOptions): browsers' own default is relaxed, which acknowledges a commit before
    // it is on disk (Chrome since 121), and a key lost that way takes with it what it encrypted.
    const durability = mode === 'readwrite' ? (options?.durability ?? 'strict') : 'default'
    const begin = () => db.transaction(['keys', 'aliases', 'grants', 'identityPolicies', 'audit', 'meta'], mode, { durability })
    let opened: ReturnType<typeof begin> | undefined
    const open = () => (opened ??= begin())
    if (mode === 'readwrite') open()
    const keys = () => open().objectStore('keys')
    const aliases = () => open().objectStore('aliases')
    const grants = () => open().objectStore('grants')
    const identityPolicies = () => open().objectStore('identityPolicies')
    const audit = () => open().objectStore('audit')
    const meta = () => open().objectStore('meta')
    const changed = { keyIds: [] as string[], aliasNames: [] as string[], grantIds: [] as string[], principals: [] as string[] }
    const generation = this.#generation
    const readonly = mode === 'readonly'
    // Inside a read-write transaction every read goes to the database: it is the transaction
    // that serializes writers, and the cache may lag another tab by one broadcast.
    const cachedRead = async <V>(cache: Map<string, Cached<V>>, id: string, read: () => Promise<V | undefined>) => {
      const hit = readonly ? cache.get(id) : undefined
      if (hit && performance.now() - hit.at < CACHE_TTL_MS) return cloneRecord(hit.value ?? undefined)
      const value = await read()
      if (readonly && generation === this.#generation) cache.set(id, { value: value ?? null, at: performance.now() })
      return cloneRecord(value)
    }
    const api: KeyStoreTransaction = {
      getKey: (id) => cachedRead(this.#keys, id, () => keys().get(id)),
      listKeys: () => keys().getAll(),
      putKey: async (r) => void (changed.keyIds.push(r.keyId), await keys().put!(cloneRecord(r))),
      deleteKey: async (id) => void (changed.keyIds.push(id), await keys().delete!(id)),
      getAlias: (name) => cachedRead(this.#aliases, name, () => aliases().get(name)),
      listAliases: () => aliases().getAll(),
      putAlias: async (r) => void (changed.aliasNames.push(r.aliasName), await aliases().put!(cloneRecord(r))),
      deleteAlias: async (name) => void (changed.aliasNames.push(name), await aliases().delete!(name)),
      // By primary key within equal index keys: one key's grants in ascending grant ID.
      getGrant: (id) => grants().get(id),
      listGrants: (keyId) => grants().index('byKey').getAll(keyId),
      listAllGrants: () => grants().getAll(),
      putGrant: async (r) => void (changed.grantIds.push(r.grantId), await grants().put!(cloneRecord(r))),
      deleteGrant: async (id) => void (changed.grantIds.push(id), await grants().delete!(id)),
      // By primary key within equal index keys: one principal's policies in ascending name.
      getIdentityPolicies: (principal) => identityPolicies().index('byPrincipal').getAll(principal),
      putIdentityPolicy: async (r) => void (changed.principals.push(r.principal), await identityPolicies().put!(cloneRecord(r))),
      deleteIdentityPolicy: async (principal, name) => void (changed.principals.push(principal), await identityPolicies().delete!([principal, name])),
      lastAuditRecord: async () => (await audit().openCursor(null, 'prev'))?.value,
      getAuditRecord: (sequence) => audit().get(sequence),
      listAuditRecords: () => audit().getAll(),
      putAuditRecord: async (r) => void (await audit().put!(r)),
      deleteAuditRecords: async (through) => void (await audit().delete!(IDBKeyRange.upperBound(through))),
      getMeta: async (id) => (await meta().get(id))?.value,
      putMeta: async (id, value) => void (await meta().put!({ id, value })),
      deleteMeta: async (id) => void (await meta().delete!(id)),
    }
    let result: T
    try {
      result = await fn(api)
    } catch (error) {
      try {
        opened?.abort()
      } catch {
        // already finished
      }
      await opened?.done.catch(() => undefined)
      throw error
    }
    await opened?.done
    if (changed.keyIds.length || changed.aliasNames.length || changed.grantIds.length || changed.principals.length) {
      // Other tabs first: nothing that happens here may keep them from hearing of a commit.
      this.#channel?.postMessage(changed)
      this.#changed(changed, false)
    }
    return result
  }

  #changed(change: Message, remote: boolean): void {
    this.#generation++
    for (const id of change.keyIds) this.#keys.delete(id)
    for (const name of change.aliasNames) this.#aliases.delete(name)
    const { keyIds, aliasNames, grantIds = [], principals = [] } = change
    for (const listener of this.#listeners) {
      // A listener's failure is its own: the change is committed, and the other listeners are told.
      try {
        listener({ keyIds, aliasNames, grantIds, principals, remote })
      } catch (error) {
        reportListenerError(error)
      }
    }
  }
}

/** How long a cached key or alias is trusted without a broadcast saying it changed. */
const CACHE_TTL_MS = 1000

interface Cached<V> {
  value: V | null
  /** performance.now() when it was read. */
  at: number
}

/** A listener's error, reported as the platform reports uncaught errors (window.onerror, the console), not thrown into the write. */
function reportListenerError(error: unknown): void {
  const report = (globalThis as { reportError?: (e: unknown) => void }).reportError
  if (typeof report === 'function') report(error)
  else queueMicrotask(() => Promise.reject(error))
}

/**
 * How long `open` waits for the browser's answer to `navigator.storage.persist()`: Firefox asks
 * the user, and its promise waits for the answer (the store then opens with 'unknown').
 */
const PERSIST_ANSWER_MS = 1000

async function requestPersistence(): Promise<Persistence> {
  const storage = (globalThis.navigator as Navigator | undefined)?.storage
  try {
    // persist() exists only in windows; a worker can only ask whether the page obtained it.
    if (typeof storage?.persist === 'function') {
      const answer = await Promise.race([storage.persist(), new Promise<undefined>((resolve) => setTimeout(resolve, PERSIST_ANSWER_MS))])
      return answer === undefined ? 'unknown' : answer ? 'persisted' : 'best-effort'
    }
    if (typeof storage?.persisted === 'function') return (await storage.persisted()) ? 'persisted' : 'best-effort'
  } catch {
    // fall through
  }
  return 'unknown'
}
