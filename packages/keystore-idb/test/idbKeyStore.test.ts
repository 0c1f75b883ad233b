/**
 * The IndexedDB KeyStore: the shared conformance suite (on fake-indexeddb in Node, on the real
 * IndexedDB in Chromium), plus what only this store does: persistence across reopening,
 * migrations, cross-instance cache invalidation, and refusing browsers that cannot store keys.
 */
import { createKms, DisabledException, NotFoundException, verifyAuditLog, type Kms } from '@webkms/core'
import { describe, expect, it, vi } from 'vitest'
import { describeKeyStoreConformance } from '../../../test/conformance/keyStoreConformance.js'
import { CryptoKeyStorageUnsupportedError, IdbKeyStore, openIdbKeyStore, SCHEMA_VERSION } from '../src/index.js'
import { realmLocks } from '../src/realmLocks.js'

let n = 0
const freshName = () => `webkms-test-${Date.now()}-${++n}`

/** Asserts that `promise` rejects with exactly this KMS error class and its code. */
async function expectKmsError(promise: Promise<unknown>, errorClass: (abstract new (...args: never[]) => Error) & { code: string }): Promise<void> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  )
  expect(error).toBeInstanceOf(errorClass)
  expect((error as { code?: string }).code).toBe(errorClass.code)
}

/** Creates a database at schema version 2 exactly as that release's upgrade did. */
function openV2(name: string): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    const r = indexedDB.open(name, 2)
    r.onupgradeneeded = () => {
      r.result.createObjectStore('keys', { keyPath: 'keyId' })
      r.result.createObjectStore('aliases', { keyPath: 'aliasName' })
      r.result.createObjectStore('meta', { keyPath: 'id' })
      r.result.createObjectStore('audit', { keyPath: 'sequence' })
    }
    r.onsuccess = () => resolve(r.result)
    r.onerror = () => reject(r.error)
  })
}

/** `total` Encrypt calls under `KeyId`, by 8 callers at once spread over `engines` (one per tab). */
async function encryptInFlight(engines: Kms[], KeyId: string, total: number): Promise<void> {
  let left = total
  const caller = async (kms: Kms) => {
    for (; left > 0; left--) await kms.encrypt({ KeyId, Plaintext: new Uint8Array([left & 255]) })
  }
  await Promise.all(Array.from({ length: 8 }, (_, i) => caller(engines[i % engines.length]!)))
}

/** Two tabs: two stores on one new database, an engine on each, and a key made through the first. */
async function twoTabs() {
  const name = freshName()
  const a = await openIdbKeyStore({ name, requestPersistence: false })
  const b = await openIdbKeyStore({ name, requestPersistence: false })
  const kmsA = createKms({ keyStore: a })
  const kmsB = createKms({ keyStore: b })
  const { KeyId } = (await kmsA.createKey()).KeyMetadata
  return { a, b, kmsA, kmsB, KeyId, close: () => (a.close(), b.close()) }
}

/** The trail `kms` exports has a checkpoint at least every 64 events, and verifies. */
async function expectCheckpointsKeptUp(kms: Kms): Promise<void> {
  const log = await kms.exportAuditLog()
  const covered = [0, ...log.checkpoints.map((c) => c.sequence)]
  // Beyond the 64th event, the other 7 callers' events already in flight when it was stored.
  expect(Math.max(...covered.slice(1).map((s, i) => s - covered[i]!))).toBeLessThanOrEqual(64 + 8)
  const { Keys } = await kms.getAuditPublicKeys()
  expect((await verifyAuditLog(log, { trustedKeys: Keys.map((k) => k.Fingerprint) })).valid).toBe(true)
}

describeKeyStoreConformance('IdbKeyStore', () => openIdbKeyStore({ name: freshName(), requestPersistence: false }))

describe('IdbKeyStore', () => {
  it('keys survive closing and reopening the database, and stay non-extractable', async () => {
    const name = freshName()
    const first = await openIdbKeyStore({ name, requestPersistence: false })
    const kms = createKms({ keyStore: first })
    const { KeyId } = (await kms.createKey({ Description: 'persistent' })).KeyMetadata
    await kms.rotateKeyOnDemand({ KeyId })
    const { CiphertextBlob } = await kms.encrypt({ KeyId, Plaintext: new TextEncoder().encode('kept') })
    first.close()

    const second = await openIdbKeyStore({ name, requestPersistence: false })
    const again = createKms({ keyStore: second })
    expect((await again.describeKey({ KeyId })).KeyMetadata.Description).toBe('persistent')
    expect(new TextDecoder().decode((await again.decrypt({ CiphertextBlob })).Plaintext)).toBe('kept')
    const record = await second.transaction('readonly', (tx) => tx.getKey(KeyId))
    for (const v of record!.versions) {
      expect(v.material!.extractable).toBe(false)
      await expect(crypto.subtle.exportKey('raw', v.material!)).rejects.toThrow()
    }
    second.close()
  })

  it('a second store on the same database learns of changes and never serves a stale key', async () => {
    const { b, kmsA, kmsB, KeyId, close } = await twoTabs()
    expect((await kmsB.describeKey({ KeyId })).KeyMetadata.KeyState).toBe('Enabled') // cached in b now
    const changes: string[][] = []
    const seen = new Promise<void>((resolve) => b.onChange((c) => (changes.push(c.keyIds), resolve())))
    await kmsA.disableKey({ KeyId })
    await seen
    expect(changes).toEqual([[KeyId]])
    expect((await kmsB.describeKey({ KeyId })).KeyMetadata.KeyState).toBe('Disabled')
    close()
  })

  it('after another tab deletes the database, a store still hears of changes and serves no key it cached before', async () => {
    const name = freshName()
    const b = await openIdbKeyStore({ name, requestPersistence: false })
    const kmsB = createKms({ keyStore: b })
    const before = (await kmsB.createKey()).KeyMetadata.KeyId
    await kmsB.encrypt({ KeyId: before, Plaintext: new Uint8Array(1) }) // cached in b
    // Another tab starts over: it deletes the database (b is asked to close), then makes a new one.
    await new Promise<void>((resolve, reject) => {
      const r = indexedDB.deleteDatabase(name)
      r.onsuccess = () => resolve()
      r.onerror = () => reject(r.error)
    })
    const c = await openIdbKeyStore({ name, requestPersistence: false })
    const kmsC = createKms({ keyStore: c })
    await expectKmsError(kmsB.encrypt({ KeyId: before, Plaintext: new Uint8Array(1) }), NotFoundException)
    const { KeyId } = (await kmsC.createKey()).KeyMetadata
    await kmsB.encrypt({ KeyId, Plaintext: new Uint8Array(1) }) // cached in b
    const seen = new Promise<void>((resolve) => b.onChange(() => resolve()))
    await kmsC.disableKey({ KeyId })
    await seen
    await expectKmsError(kmsB.encrypt({ KeyId, Plaintext: new Uint8Array(1) }), DisabledException)
    b.close()
    c.close()
  })

  it('a change whose broadcast is lost (a tab dies between commit and postMessage) is seen within a second', async () => {
    const name = freshName()
    const a = await openIdbKeyStore({ name, requestPersistence: false, broadcast: false }) // never tells the others
    const b = await openIdbKeyStore({ name, requestPersistence: false })
    const kmsA = createKms({ keyStore: a })
    const kmsB = createKms({ keyStore: b })
    const { KeyId } = (await kmsA.createKey()).KeyMetadata
    await kmsB.encrypt({ KeyId, Plaintext: new Uint8Array(1) }) // cached in b
    await kmsA.disableKey({ KeyId })
    await new Promise((resolve) => setTimeout(resolve, 1100))
    await expectKmsError(kmsB.encrypt({ KeyId, Plaintext: new Uint8Array(1) }), DisabledException)
    a.close()
    b.close()
  })

  it('a listener that throws neither fails the committed write nor keeps the other tabs or listeners from hearing of it', async () => {
    const { a, b, kmsA, kmsB, KeyId, close } = await twoTabs()
    await kmsB.encrypt({ KeyId, Plaintext: new Uint8Array(1) }) // cached in b
    const reported: unknown[] = []
    const report = (globalThis as { reportError?: (e: unknown) => void }).reportError
    ;(globalThis as { reportError?: (e: unknown) => void }).reportError = (e) => reported.push(e)
    try {
      a.onChange(() => {
        throw new Error('a listener bug')
      })
      const told = new Promise<void>((resolve) => a.onChange(() => resolve()))
      const seen = new Promise<void>((resolve) => b.onChange(() => resolve()))
      await kmsA.disableKey({ KeyId })
      await told
      await seen
    } finally {
      ;(globalThis as { reportError?: (e: unknown) => void }).reportError = report
    }
    expect(reported).toEqual([new Error('a listener bug')])
    expect((await kmsA.describeKey({ KeyId })).KeyMetadata.KeyState).toBe('Disabled')
    await expectKmsError(kmsB.encrypt({ KeyId, Plaintext: new Uint8Array(1) }), DisabledException)
    close()
  })

  it('a read-only transaction opens an IndexedDB transaction only when a read misses the cache', async () => {
    const store = await openIdbKeyStore({ name: freshName(), requestPersistence: false })
    const { KeyId } = (await createKms({ keyStore: store }).createKey()).KeyMetadata
    const opened: IDBTransactionMode[] = []
    const original = IDBDatabase.prototype.transaction
    IDBDatabase.prototype.transaction = function (this: IDBDatabase, ...args: Parameters<IDBDatabase['transaction']>) {
      opened.push(args[1] ?? 'readonly')
      return original.apply(this, args)
    } as IDBDatabase['transaction']
    try {
      expect((await store.transaction('readonly', (tx) => tx.getKey(KeyId)))?.keyId).toBe(KeyId) // a miss: read, then cached
      expect(opened).toEqual(['readonly'])
      expect((await store.transaction('readonly', (tx) => tx.getKey(KeyId)))?.keyId).toBe(KeyId) // a hit
      expect(opened).toEqual(['readonly'])
      expect(await store.transaction('readonly', async (tx) => [(await tx.getKey(KeyId))?.keyId, (await tx.listKeys()).length])).toEqual([KeyId, 1])
      expect(opened).toEqual(['readonly', 'readonly'])
      await store.transaction('readwrite', async () => undefined) // a writer takes its place in line at once
      expect(opened).toEqual(['readonly', 'readonly', 'readwrite'])
    } finally {
      IDBDatabase.prototype.transaction = original
      store.close()
    }
  })

  it('a change is written with strict durability (on disk before it resolves); only the audit events of calls that change nothing are relaxed', async () => {
    const store = await openIdbKeyStore({ name: freshName(), requestPersistence: false })
    const kms = createKms({ keyStore: store })
    const opened: string[] = []
    const original = IDBDatabase.prototype.transaction
    IDBDatabase.prototype.transaction = function (this: IDBDatabase, ...args: Parameters<IDBDatabase['transaction']>) {
      if (args[1] === 'readwrite') opened.push(args[2]?.durability ?? 'browser default')
      return original.apply(this, args)
    } as IDBDatabase['transaction']
    try {
      const { KeyId } = (await kms.createKey()).KeyMetadata
      expect(opened.length).toBeGreaterThan(0)
      expect(new Set(opened)).toEqual(new Set(['strict'])) // the key and its event, the audit trail's keys
      opened.length = 0
      await kms.encrypt({ KeyId, Plaintext: new Uint8Array([1]) })
      await expectKmsError(kms.describeKey({ KeyId: 'alias/none' }), NotFoundException)
      expect(opened).toEqual(['relaxed', 'relaxed']) // an event each, nothing else written
      opened.length = 0
      await kms.disableKey({ KeyId })
      expect(opened).toEqual(['strict'])
      opened.length = 0
      await store.transaction('readwrite', async (tx) => tx.putMeta('x', 1))
      await store.transaction('readwrite', async (tx) => tx.putMeta('x', 2), { durability: 'relaxed' })
      expect(opened).toEqual(['strict', 'relaxed'])
    } finally {
      IDBDatabase.prototype.transaction = original
      store.close()
    }
  })

  it('asks for persistent storage, and opens without waiting on a prompt the user has not answered (Firefox asks)', async () => {
    for (const [persist, persistence] of [
      [async () => true, 'persisted'],
      [async () => false, 'best-effort'],
      [() => new Promise<boolean>(() => undefined), 'unknown'],
    ] as const) {
      vi.stubGlobal('navigator', { storage: { persist } })
      try {
        const store = await openIdbKeyStore({ name: freshName(), locks: null })
        expect(store.persistence).toBe(persistence)
        store.close()
      } finally {
        vi.unstubAllGlobals()
      }
    }
  })

  it('migrates a version 1 database to the current version, keeping its keys', async () => {
    const name = freshName()
    const material = await crypto.subtle.generateKey({ name: 'HMAC', hash: 'SHA-256', length: 256 }, false, ['sign'])
    const keyId = '00000000-0000-4000-8000-00000000abcd'
    await new Promise<void>((resolve, reject) => {
      const r = indexedDB.open(name, 1)
      r.onupgradeneeded = () => {
        r.result.createObjectStore('keys', { keyPath: 'keyId' })
        r.result.createObjectStore('aliases', { keyPath: 'aliasName' })
        r.result.createObjectStore('meta', { keyPath: 'id' })
        r.transaction!.objectStore('keys').put({
          keyId, arn: `arn:aws:kms:us-east-1:111122223333:key/${keyId}`, accountId: '111122223333', region: 'us-east-1',
          creationDate: new Date(), description: 'from v1', keyUsage: 'ENCRYPT_DECRYPT', keySpec: 'SYMMETRIC_DEFAULT', origin: 'AWS_KMS',
          keyState: 'Enabled', rotation: { enabled: false, periodInDays: 365, onDemandCount: 0 }, tags: [],
          versions: [{ version: 1, material, keyMaterialId: 'ab'.repeat(32), createdAt: new Date() }],
        })
      }
      r.onsuccess = () => (r.result.close(), resolve())
      r.onerror = () => reject(r.error)
    })
    const store = await openIdbKeyStore({ name, requestPersistence: false })
    const kms = createKms({ keyStore: store })
    expect((await kms.describeKey({ KeyId: keyId })).KeyMetadata.Description).toBe('from v1')
    const { CiphertextBlob } = await kms.encrypt({ KeyId: keyId, Plaintext: new Uint8Array([7]) })
    expect((await kms.decrypt({ CiphertextBlob })).Plaintext).toEqual(new Uint8Array([7]))
    const { Keys } = await kms.getAuditPublicKeys()
    expect((await verifyAuditLog(await kms.exportAuditLog(), { trustedKeys: Keys.map((k) => k.Fingerprint) })).valid).toBe(true)
    expect(await store.transaction('readonly', (tx) => tx.listAllGrants())).toEqual([])
    store.close()
  })

  it('migrates a version 2 database, keeping its keys, aliases, audit chain and meta, and adds grants', async () => {
    const name = freshName()
    // A version 2 database as the previous release left it, with one key (made by the engine,
    // so its audit chain is real), an alias and a meta value.
    const old = await openV2(name)
    const material = await crypto.subtle.generateKey({ name: 'HMAC', hash: 'SHA-256', length: 256 }, false, ['sign'])
    const keyId = '00000000-0000-4000-8000-00000000beef'
    const when = new Date('2026-03-04T05:06:07.890Z')
    await new Promise<void>((resolve, reject) => {
      const tx = old.transaction(['keys', 'aliases', 'audit', 'meta'], 'readwrite')
      tx.objectStore('keys').put({
        keyId, arn: `arn:aws:kms:us-east-1:111122223333:key/${keyId}`, accountId: '111122223333', region: 'us-east-1',
        creationDate: when, description: 'from v2', keyUsage: 'ENCRYPT_DECRYPT', keySpec: 'SYMMETRIC_DEFAULT', origin: 'AWS_KMS',
        keyState: 'Enabled', rotation: { enabled: false, periodInDays: 365, onDemandCount: 0 }, tags: [],
        versions: [{ version: 1, material, keyMaterialId: 'cd'.repeat(32), createdAt: when }],
      })
      tx.objectStore('aliases').put({ aliasName: 'alias/v2', aliasArn: 'arn:aws:kms:us-east-1:111122223333:alias/v2', targetKeyId: keyId, creationDate: when, lastUpdatedDate: when })
      tx.objectStore('audit').put({ sequence: 1, event: { eventName: 'CreateKey' }, previousHash: '0'.repeat(64), hash: 'a'.repeat(64) })
      tx.objectStore('meta').put({ id: 'm', value: { kept: true } })
      tx.oncomplete = () => resolve()
      tx.onerror = () => reject(tx.error)
    })
    old.close()

    const store = await openIdbKeyStore({ name, requestPersistence: false })
    await store.transaction('readonly', async (tx) => {
      expect((await tx.getKey(keyId))!.description).toBe('from v2')
      expect((await tx.getAlias('alias/v2'))!.targetKeyId).toBe(keyId)
      expect((await tx.listAuditRecords()).map((r) => r.sequence)).toEqual([1])
      expect(await tx.getMeta('m')).toEqual({ kept: true })
      expect(await tx.listAllGrants()).toEqual([])
    })
    const grant = (n: number, k: string) => ({
      grantId: String(n).repeat(64), keyId: k, creationDate: when, granteePrincipal: 'arn:aws:iam::111122223333:root',
      issuingAccount: 'arn:aws:iam::111122223333:root', operations: ['Decrypt'],
    })
    await store.transaction('readwrite', async (tx) => {
      await tx.putGrant(grant(2, keyId))
      await tx.putGrant(grant(1, keyId))
      await tx.putGrant(grant(3, '00000000-0000-4000-8000-000000000000'))
    })
    await store.transaction('readonly', async (tx) => {
      expect(await tx.listGrants(keyId)).toEqual([grant(1, keyId), grant(2, keyId)])
      expect(await tx.getGrant(grant(3, '').grantId)).toMatchObject({ keyId: '00000000-0000-4000-8000-000000000000' })
    })
    // The key still works for the engine after the migration.
    const kms = createKms({ keyStore: store })
    const { CiphertextBlob } = await kms.encrypt({ KeyId: 'alias/v2', Plaintext: new Uint8Array([9]) })
    expect((await kms.decrypt({ CiphertextBlob })).Plaintext).toEqual(new Uint8Array([9]))
    store.close()

    // Reopened, the grants are still there and the database is at the current version.
    const again = await openIdbKeyStore({ name, requestPersistence: false })
    expect(await again.transaction('readonly', (tx) => tx.listGrants(keyId))).toEqual([grant(1, keyId), grant(2, keyId)])
    again.close()
    const db = await new Promise<IDBDatabase>((resolve, reject) => {
      const r = indexedDB.open(name)
      r.onsuccess = () => resolve(r.result)
      r.onerror = () => reject(r.error)
    })
    expect(db.version).toBe(SCHEMA_VERSION)
    db.close()
  })

  it('migrates a version 3 database to version 4, keeping its keys, grants and audit chain, and adds identity policies', async () => {
    const name = freshName()
    // A version 3 database as the previous release left it.
    const old = await new Promise<IDBDatabase>((resolve, reject) => {
      const r = indexedDB.open(name, 3)
      r.onupgradeneeded = () => {
        r.result.createObjectStore('keys', { keyPath: 'keyId' })
        r.result.createObjectStore('aliases', { keyPath: 'aliasName' })
        r.result.createObjectStore('meta', { keyPath: 'id' })
        r.result.createObjectStore('audit', { keyPath: 'sequence' })
        r.result.createObjectStore('grants', { keyPath: 'grantId' }).createIndex('byKey', 'keyId')
      }
      r.onsuccess = () => resolve(r.result)
      r.onerror = () => reject(r.error)
    })
    const material = await crypto.subtle.generateKey({ name: 'HMAC', hash: 'SHA-256', length: 256 }, false, ['sign'])
    const keyId = '00000000-0000-4000-8000-00000000f00d'
    const when = new Date('2026-05-06T07:08:09.000Z')
    const grant = { grantId: '7'.repeat(64), keyId, creationDate: when, granteePrincipal: 'arn:aws:iam::111122223333:role/app', issuingAccount: 'arn:aws:iam::111122223333:root', operations: ['Decrypt'] }
    await new Promise<void>((resolve, reject) => {
      const tx = old.transaction(['keys', 'grants', 'audit'], 'readwrite')
      tx.objectStore('keys').put({
        keyId, arn: `arn:aws:kms:us-east-1:111122223333:key/${keyId}`, accountId: '111122223333', region: 'us-east-1',
        creationDate: when, description: 'from v3', keyUsage: 'ENCRYPT_DECRYPT', keySpec: 'SYMMETRIC_DEFAULT', origin: 'AWS_KMS',
        keyState: 'Enabled', rotation: { enabled: false, periodInDays: 365, onDemandCount: 0 }, tags: [],
        versions: [{ version: 1, material, keyMaterialId: 'ef'.repeat(32), createdAt: when }],
      })
      tx.objectStore('grants').put(grant)
      tx.objectStore('audit').put({ sequence: 1, event: { eventName: 'CreateKey' }, previousHash: '0'.repeat(64), hash: 'b'.repeat(64) })
      tx.oncomplete = () => resolve()
      tx.onerror = () => reject(tx.error)
    })
    old.close()

    const store = await openIdbKeyStore({ name, requestPersistence: false })
    await store.transaction('readonly', async (tx) => {
      expect((await tx.getKey(keyId))!.description).toBe('from v3')
      expect(await tx.listGrants(keyId)).toEqual([grant])
      expect((await tx.listAuditRecords()).map((r) => r.sequence)).toEqual([1])
      expect(await tx.getIdentityPolicies('arn:aws:iam::111122223333:role/app')).toEqual([])
    })
    // Identity policies now persist: set through one engine, they survive a reopen.
    const app = 'arn:aws:iam::111122223333:role/app'
    await createKms({ keyStore: store }).putIdentityPolicy({ Principal: app, PolicyName: 'use', PolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: { Effect: 'Allow', Action: 'kms:Encrypt', Resource: '*' } }) })
    store.close()
    const again = await openIdbKeyStore({ name, requestPersistence: false })
    expect((await createKms({ keyStore: again }).as({ principal: app }).encrypt({ KeyId: keyId, Plaintext: new Uint8Array([1]) })).KeyId).toContain(keyId)
    again.close()
    const db = await new Promise<IDBDatabase>((resolve, reject) => {
      const r = indexedDB.open(name)
      r.onsuccess = () => resolve(r.result)
      r.onerror = () => reject(r.error)
    })
    expect(db.version).toBe(4)
    db.close()
  })

  it('a second store on the same database hears of grant changes', async () => {
    const name = freshName()
    const a = await openIdbKeyStore({ name, requestPersistence: false })
    const b = await openIdbKeyStore({ name, requestPersistence: false })
    const keyId = '00000000-0000-4000-8000-00000000cafe'
    const grant = {
      grantId: 'f'.repeat(64), keyId, creationDate: new Date(), granteePrincipal: 'arn:aws:iam::111122223333:root',
      issuingAccount: 'arn:aws:iam::111122223333:root', operations: ['Encrypt'],
    }
    expect(await b.transaction('readonly', (tx) => tx.listGrants(keyId))).toEqual([])
    const seen = new Promise<{ grantIds: string[]; remote: boolean }>((resolve) => b.onChange(resolve))
    await a.transaction('readwrite', (tx) => tx.putGrant(grant))
    expect(await seen).toMatchObject({ keyIds: [], aliasNames: [], grantIds: [grant.grantId], remote: true })
    expect(await b.transaction('readonly', (tx) => tx.listGrants(keyId))).toEqual([grant])
    a.close()
    b.close()
  })

  it('opens at the current schema version with its stores', async () => {
    const name = freshName()
    const store = await openIdbKeyStore({ name, requestPersistence: false })
    const db = await new Promise<IDBDatabase>((resolve, reject) => {
      const r = indexedDB.open(name)
      r.onsuccess = () => resolve(r.result)
      r.onerror = () => reject(r.error)
    })
    expect(db.version).toBe(SCHEMA_VERSION)
    expect([...db.objectStoreNames].sort()).toEqual(['aliases', 'audit', 'grants', 'identityPolicies', 'keys', 'meta'])
    const grants = db.transaction('grants').objectStore('grants')
    expect(grants.keyPath).toBe('grantId')
    expect([...grants.indexNames]).toEqual(['byKey'])
    expect(grants.index('byKey').keyPath).toBe('keyId')
    const policies = db.transaction('identityPolicies').objectStore('identityPolicies')
    expect(policies.keyPath).toEqual(['principal', 'name'])
    expect(policies.index('byPrincipal').keyPath).toBe('principal')
    db.close()
    store.close()
  })

  it('a browser that cannot store CryptoKeys gets CryptoKeyStorageUnsupportedError at open, never a memory fallback', async () => {
    const original = IDBObjectStore.prototype.put
    IDBObjectStore.prototype.put = function (this: IDBObjectStore, value: unknown, key?: IDBValidKey) {
      if (JSON.stringify(value, (_k, v) => (v instanceof CryptoKey ? '__cryptokey__' : v)).includes('__cryptokey__')) {
        throw new DOMException('CryptoKey could not be cloned', 'DataCloneError')
      }
      return original.call(this, value, key)
    } as typeof original
    try {
      const error = await openIdbKeyStore({ name: freshName(), requestPersistence: false }).catch((e: unknown) => e)
      expect(error).toBeInstanceOf(CryptoKeyStorageUnsupportedError)
      expect((error as CryptoKeyStorageUnsupportedError).code).toBe('ERR_KEYSTORE_CRYPTOKEY_UNSUPPORTED')
    } finally {
      IDBObjectStore.prototype.put = original
    }
  })

  it('is an IdbKeyStore with a persistence report', async () => {
    const store = await openIdbKeyStore({ name: freshName(), requestPersistence: false })
    expect(store).toBeInstanceOf(IdbKeyStore)
    expect(['persisted', 'best-effort', 'unknown']).toContain(store.persistence)
    store.close()
  })

  it('audit checkpoints keep up with calls in flight (one at least every 64 events), and the chain verifies', async () => {
    const store = await openIdbKeyStore({ name: freshName(), requestPersistence: false })
    const kms = createKms({ keyStore: store })
    const { KeyId } = (await kms.createKey()).KeyMetadata
    await encryptInFlight([kms], KeyId, 300)
    await expectCheckpointsKeptUp(kms)
    store.close()
  })

  // Two tabs are two stores on one database. The lock makes the other tab's writers wait while a
  // checkpoint is signed: Web Locks in browsers and Node 24, realmLocks in Node 20.
  it('two tabs calling at once: checkpoints keep up (one at least every 64 events), and the chain verifies', async () => {
    const { kmsA, kmsB, KeyId, close } = await twoTabs()
    await encryptInFlight([kmsA, kmsB], KeyId, 400)
    await expectCheckpointsKeptUp(kmsA)
    close()
  })

  it('exclusively: holds the lock for its work, which resolves or rejects through it; the store\'s own writes inside go on; other stores\' writers wait', async () => {
    const name = freshName()
    const requests: string[] = []
    const queue: (() => void)[] = []
    let held = false
    // A LockManager that records each request and lets the test see who waits.
    const locks = {
      request: async (lockName: string, _options: LockOptions, fn: () => Promise<unknown>) => {
        requests.push(lockName)
        while (held) await new Promise<void>((r) => queue.push(r))
        held = true
        try {
          return await fn()
        } finally {
          held = false
          queue.shift()?.()
        }
      },
    } as unknown as LockManager
    const a = await openIdbKeyStore({ name, requestPersistence: false, locks })
    const b = await openIdbKeyStore({ name, requestPersistence: false, locks })
    const order: string[] = []
    let release!: () => void
    const gate = new Promise<void>((r) => (release = r))
    const inside = a.exclusively(async () => {
      await a.transaction('readwrite', (tx) => tx.putMeta('x', 'from a, inside'))
      order.push('a inside')
      await gate
      return 'result'
    })
    await new Promise((r) => setTimeout(r, 20))
    const other = b.transaction('readwrite', (tx) => tx.putMeta('x', 'from b')).then(() => order.push('b'))
    await new Promise((r) => setTimeout(r, 20))
    expect(order).toEqual(['a inside']) // b waits for the lock a holds
    release()
    expect(await inside).toBe('result')
    await other
    expect(order).toEqual(['a inside', 'b'])
    expect(await a.transaction('readonly', (tx) => tx.getMeta('x'))).toBe('from b')
    expect(requests).toEqual([`webkms-keystore:${name}`, `webkms-keystore:${name}`]) // a's write inside took no lock of its own
    await expect(a.exclusively(async () => Promise.reject(new RangeError('no')))).rejects.toThrow(RangeError)
    a.close()
    b.close()
  })
})

describe('realmLocks (where there are no Web Locks)', () => {
  it('runs the holders of one name one after another, each until its promise settles; other names do not wait; a rejection releases the lock', async () => {
    const order: string[] = []
    const hold = (name: string, label: string, ms: number, fail = false) =>
      realmLocks.request(name, { mode: 'exclusive' }, async () => {
        order.push(`${label} in`)
        await new Promise((r) => setTimeout(r, ms))
        order.push(`${label} out`)
        if (fail) throw new RangeError(label)
        return label
      })
    const first = hold('a', 'a1', 30, true)
    const second = hold('a', 'a2', 5)
    const other = hold('b', 'b1', 5)
    await expect(first).rejects.toThrow(RangeError)
    expect(await second).toBe('a2')
    expect(await other).toBe('b1')
    expect(order).toEqual(['a1 in', 'b1 in', 'b1 out', 'a1 out', 'a2 in', 'a2 out'])
  })
})
