/**
 * The storage interface every backend implements: the in-memory store here, IndexedDB in the
 * browser (`@webkms/keystore-idb`), Durable Objects at the edge (`@webkms/edge`).
 *
 * All access goes through `transaction`, which is atomic: either every write made in it is
 * kept, or, if its function throws, none is. This is what lets two tabs (or two requests) race
 * on the same key without losing an update.
 *
 * Invariant for callers: inside `fn`, await only the transaction's own methods. IndexedDB
 * commits a transaction as soon as it is idle, so awaiting WebCrypto (or anything else) inside
 * would end it early. Do the cryptography first, then open the transaction to store the result.
 */
import type { AliasRecord, AuditRecord, GrantRecord, IdentityPolicyRecord, KeyRecord } from './records.js'

/**
 * A transaction's mode: `readonly` reads only (a write throws); `readwrite` transactions are
 * serialized among everyone who shares the store (every tab, for IndexedDB).
 *
 * @example
 * ```ts
 * import { MemoryKeyStore, type TransactionMode } from '@webkms/core'
 *
 * const mode: TransactionMode = 'readonly'
 * const count = await new MemoryKeyStore().transaction(mode, async (tx) => (await tx.listKeys()).length)
 * ```
 */
export type TransactionMode = 'readonly' | 'readwrite'

/**
 * How a read-write transaction is kept. `durability: 'strict'` (the default): once it resolves,
 * its writes survive a power cut or an operating-system crash. `'relaxed'`: a tab or worker dying
 * still loses nothing, but the last transactions may be lost to a power cut or an OS crash (what
 * survives is still every transaction up to some point, in order); the store skips its flush to
 * disk. The engine asks `'relaxed'` only for the audit events of calls that change nothing (an
 * Encrypt, a refused call): a key or a change is never acknowledged before it is on disk.
 * IndexedDB maps it to its own `durability` (browsers made `'relaxed'` their default); the memory
 * store has no disk, and Durable Objects confirm every write, so they ignore it.
 *
 * @example
 * ```ts
 * import { MemoryKeyStore, type TransactionOptions } from '@webkms/core'
 *
 * const relaxed: TransactionOptions = { durability: 'relaxed' }
 * await new MemoryKeyStore().transaction('readwrite', async (tx) => tx.putMeta('note', 'may be lost on a power cut'), relaxed)
 * ```
 */
export interface TransactionOptions {
  durability?: 'strict' | 'relaxed'
}

/**
 * What a `KeyStore.transaction` function is given: reads and writes of every kind of record,
 * all inside the one atomic transaction. Reads see the transaction's own writes. Records read
 * are copies (or frozen); a record written is copied, so changing it afterwards changes nothing
 * stored. A write throws in a `readonly` transaction, and once the transaction has finished.
 *
 * @example
 * ```ts
 * import type { KeyStoreTransaction } from '@webkms/core'
 *
 * // Renames an alias's target, atomically with whatever else the transaction does.
 * async function retarget(tx: KeyStoreTransaction, aliasName: string, keyId: string): Promise<void> {
 *   const alias = await tx.getAlias(aliasName)
 *   if (alias) await tx.putAlias({ ...alias, targetKeyId: keyId, lastUpdatedDate: new Date() })
 * }
 * ```
 */
export interface KeyStoreTransaction {
  /** Resolves to the key, or `undefined` when no key has that ID. */
  getKey(keyId: string): Promise<KeyRecord | undefined>
  /** Every key, in ascending order of key ID. */
  listKeys(): Promise<KeyRecord[]>
  /** Creates or replaces the key with `record.keyId`. Throws in a readonly transaction. */
  putKey(record: KeyRecord): Promise<void>
  /** Removes the key; resolves even when it did not exist. */
  deleteKey(keyId: string): Promise<void>

  /** Resolves to the alias, or `undefined` when none has that name. */
  getAlias(aliasName: string): Promise<AliasRecord | undefined>
  /** Every alias, in ascending order of name. */
  listAliases(): Promise<AliasRecord[]>
  /** Creates or replaces the alias with `record.aliasName`. */
  putAlias(record: AliasRecord): Promise<void>
  /** Removes the alias; resolves even when it did not exist. */
  deleteAlias(aliasName: string): Promise<void>

  /** Resolves to the grant, or `undefined` when none has that ID. */
  getGrant(grantId: string): Promise<GrantRecord | undefined>
  /** The grants on one key, in ascending order of grant ID. */
  listGrants(keyId: string): Promise<GrantRecord[]>
  /** Every grant of every key, in ascending order of grant ID (ListRetirableGrants, findings). */
  listAllGrants(): Promise<GrantRecord[]>
  /** Creates or replaces the grant with `record.grantId`. */
  putGrant(record: GrantRecord): Promise<void>
  /** Removes the grant; resolves even when it did not exist. */
  deleteGrant(grantId: string): Promise<void>

  /** The identity policies attached to one principal, in ascending order of name. */
  getIdentityPolicies(principal: string): Promise<IdentityPolicyRecord[]>
  /** Creates or replaces the policy with `record.principal` and `record.name`. */
  putIdentityPolicy(record: IdentityPolicyRecord): Promise<void>
  /** Removes the policy; resolves even when it did not exist. */
  deleteIdentityPolicy(principal: string, name: string): Promise<void>

  /** The audit record with the highest sequence number, or `undefined` when there is none. */
  lastAuditRecord(): Promise<AuditRecord | undefined>
  /** The audit record with this sequence number, or `undefined` when there is none (never written, or pruned). */
  getAuditRecord(sequence: number): Promise<AuditRecord | undefined>
  /** Every audit record, in ascending sequence order. */
  listAuditRecords(): Promise<AuditRecord[]>
  /** Appends (or, never in practice, replaces) the record with `record.sequence`. */
  putAuditRecord(record: AuditRecord): Promise<void>
  /** Removes every audit record with a sequence number up to `sequence` (retention). */
  deleteAuditRecords(throughSequence: number): Promise<void>
  /** Store-level values (the audit signing keys, checkpoints); `undefined` when absent. */
  getMeta(id: string): Promise<unknown>
  /** Creates or replaces a store-level value (plain data and CryptoKeys, as records). */
  putMeta(id: string, value: unknown): Promise<void>
  /** Removes a store-level value; resolves even when it did not exist. */
  deleteMeta(id: string): Promise<void>
}

/**
 * Where an engine keeps everything: keys and their material, aliases, grants, identity
 * policies, the audit trail. `createKms({ keyStore })` takes one; webkms has three
 * (`MemoryKeyStore`, `IdbKeyStore` of `@webkms/keystore-idb`, `DurableObjectKeyStore` of
 * `@webkms/edge`), and every one passes the same conformance suite (`test/conformance`).
 *
 * @example
 * ```ts
 * import { createKms, MemoryKeyStore, type KeyStore } from '@webkms/core'
 *
 * // Two engines on one store see the same keys (as two tabs on one IndexedDB do).
 * const store: KeyStore = new MemoryKeyStore()
 * const a = createKms({ keyStore: store })
 * const b = createKms({ keyStore: store })
 * const { KeyMetadata } = await a.createKey({})
 * await b.describeKey({ KeyId: KeyMetadata.KeyId })
 * ```
 */
export interface KeyStore {
  /**
   * Makes a key this store will keep (key material, the audit trail's signing key pair).
   * `make(extractable)` creates it with WebCrypto. A store that persists CryptoKeys as they are
   * (IndexedDB, memory) leaves this out, and the engine calls `make(false)`. A store that cannot
   * (Durable Objects) makes it extractable once, keeps its bytes wrapped, and returns keys that
   * are not extractable: the only ones the engine ever holds.
   */
  makeKey?<K extends CryptoKey | CryptoKeyPair>(make: (extractable: boolean) => Promise<K>): Promise<K>

  /**
   * Runs `work` while the writers of every other context that shares this store (other tabs,
   * for IndexedDB) wait: their read-write transactions begin only once `work` has settled. This
   * store object's own transactions inside `work` do not wait. Resolves or rejects as `work`
   * does. The audit trail signs its checkpoints inside it: a checkpoint is signed outside any
   * transaction and stored only if no event was appended after the chain was read, so other
   * tabs' calls in flight would otherwise overtake every one. A store that no other context
   * shares (memory, a Durable Object) leaves this out.
   */
  exclusively?<T>(work: () => Promise<T>): Promise<T>

  /**
   * Runs `fn` atomically and resolves to its result. Rejects with whatever `fn` threw (and
   * then nothing it wrote is kept), or with a backend error if the commit fails. Inside `fn`,
   * await only the transaction's own methods (see the file's comment).
   * Records read are copies, or (audit records, which are append-only) frozen: changing one
   * changes nothing until it is put back. `options`: how a read-write transaction is kept
   * ({@link TransactionOptions}; strict by default).
   */
  transaction<T>(mode: TransactionMode, fn: (tx: KeyStoreTransaction) => Promise<T>, options?: TransactionOptions): Promise<T>
}
