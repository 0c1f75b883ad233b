/**
 * The database schema, as a type (store names and value types checked at compile time), and
 * its migrations. A new version adds a case to `upgrade`; old cases never change, so any old
 * database walks forward one version at a time.
 */
import type { AliasRecord, AuditRecord, GrantRecord, KeyRecord } from '@webkms/core'
import type { DBSchema, IDBPDatabase, IDBPTransaction, StoreNames } from 'idb'

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
}

export const SCHEMA_VERSION = 3

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
}
