/**
 * The database schema, as a type (store names and value types checked at compile time), and
 * its migrations. A new version adds a case to `upgrade`; old cases never change, so any old
 * database walks forward one version at a time.
 */
import type { AliasRecord, AuditRecord, GrantRecord, IdentityPolicyRecord, KeyRecord } from '@webkms/core'
import type { DBSchema, IDBPDatabase, IDBPTransaction, StoreNames } from 'idb'

/**
 * The database's schema as an `idb` `DBSchema`: each object store's key and value types, so a
 * tool that opens the database with `idb` (a debugging page, a migration) is type-checked
 * against it. Records are those of `@webkms/core`'s `KeyStore`.
 *
 * @example
 * ```ts
 * import { openDB } from 'idb'
 * import { SCHEMA_VERSION, type WebKmsSchema } from '@webkms/keystore-idb'
 *
 * // Inspection: the IDs of the keys stored (a database webkms has already created).
 * const db = await openDB<WebKmsSchema>('webkms', SCHEMA_VERSION)
 * const keyIds = await db.getAllKeys('keys')
 * ```
 */
export interface WebKmsSchema extends DBSchema {
  /** Key metadata and versions; each version's material is a non-extractable CryptoKey. */
  keys: { key: string; value: KeyRecord }
  aliases: { key: string; value: AliasRecord }
  /** Store-level facts, such as the CryptoKey storage probe. */
  meta: { key: string; value: { id: string; value: unknown } }
  /** The audit hash chain, by sequence number (version 2). */
  audit: { key: number; value: AuditRecord }
  /** Grants, by grant ID, with the index `byKey` on their key's ID (version 3). */
  grants: { key: string; value: GrantRecord; indexes: { byKey: string } }
  /** Identity (IAM) policies, by [principal, name] (version 4). */
  identityPolicies: { key: [string, string]; value: IdentityPolicyRecord; indexes: { byPrincipal: string } }
}

/**
 * The IndexedDB schema version this package opens and migrates to (version 2 added the audit
 * chain, 3 grants, 4 identity policies). An older database is migrated one version at a time
 * on open. When another tab opens the database at a newer version, this store closes its
 * connection so that tab can migrate, and reopens at its next use.
 *
 * @example
 * ```ts
 * import { SCHEMA_VERSION } from '@webkms/keystore-idb'
 *
 * console.log(`webkms database schema v${SCHEMA_VERSION}`)
 * ```
 */
export const SCHEMA_VERSION = 4

export function upgrade(
  db: IDBPDatabase<WebKmsSchema>,
  oldVersion: number,
  _newVersion: number | null,
  _tx: IDBPTransaction<WebKmsSchema, StoreNames<WebKmsSchema>[], 'versionchange'>,
): void {
  // Precondition: versions only go up; each step runs inside the one versionchange transaction.
  if (oldVersion < 1) {
    db.createObjectStore('keys', { keyPath: 'keyId' })
    db.createObjectStore('aliases', { keyPath: 'aliasName' })
    db.createObjectStore('meta', { keyPath: 'id' })
  }
  if (oldVersion < 2) {
    db.createObjectStore('audit', { keyPath: 'sequence' })
  }
  if (oldVersion < 3) {
    db.createObjectStore('grants', { keyPath: 'grantId' }).createIndex('byKey', 'keyId')
  }
  if (oldVersion < 4) {
    // Before version 4 identity policies lived in each engine's memory: there is nothing to move.
    db.createObjectStore('identityPolicies', { keyPath: ['principal', 'name'] }).createIndex('byPrincipal', 'principal')
  }
}
