/**
 * The database schema, as a type (store names and value types checked at compile time), and
 * its migrations. A new version adds a case to `upgrade`; old cases never change, so any old
 * database walks forward one version at a time.
 */
import type { AliasRecord, AuditRecord, GrantRecord, IdentityPolicyRecord, KeyRecord } from '@webkms/core'
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
  /** Identity (IAM) policies, by [principal, name] (version 4). */
  identityPolicies: { key: [string, string]; value: IdentityPolicyRecord; indexes: { byPrincipal: string } }
}

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
