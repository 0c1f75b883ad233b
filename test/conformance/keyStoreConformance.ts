/**
 * The KeyStore conformance suite: one set of tests that every backend must pass (the memory
 * store in core, IndexedDB in the browser, Durable Objects at the edge). A backend's test file
 * calls `describeKeyStoreConformance('name', () => freshEmptyStore())`.
 */
import { describe, expect, it } from 'vitest'
import { createKms, verifyAuditLog, type AliasRecord, type GrantRecord, type KeyRecord, type KeyStore } from '../../packages/core/src/index.js'

const subtle = () => globalThis.crypto.subtle

/** The store the running test opened: key material is made through it (KeyStore.makeKey). */
let current: KeyStore | undefined

async function material(): Promise<CryptoKey> {
  const make = (extractable: boolean) => subtle().generateKey({ name: 'HMAC', hash: 'SHA-256', length: 256 }, extractable, ['sign']) as Promise<CryptoKey>
  return current?.makeKey ? current.makeKey(make) : make(false)
}

let counter = 0
async function keyRecord(overrides: Partial<KeyRecord> = {}): Promise<KeyRecord> {
  const n = (++counter).toString(16).padStart(12, '0')
  const keyId = `00000000-0000-4000-8000-${n}`
  return {
    keyId,
    arn: `arn:aws:kms:us-east-1:111122223333:key/${keyId}`,
    accountId: '111122223333',
    region: 'us-east-1',
    creationDate: new Date('2026-01-02T03:04:05.678Z'),
    description: 'conformance',
    keyUsage: 'ENCRYPT_DECRYPT',
    keySpec: 'SYMMETRIC_DEFAULT',
    origin: 'AWS_KMS',
    keyState: 'Enabled',
    rotation: { enabled: true, periodInDays: 365, nextRotationDate: new Date('2027-01-02T00:00:00Z'), onDemandCount: 0 },
    tags: [{ TagKey: 'k', TagValue: 'v' }],
    policy: '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"kms:*","Resource":"*"}]}',
    versions: [{ version: 1, material: await material(), keyMaterialId: 'ab'.repeat(32), createdAt: new Date('2026-01-02T03:04:05.678Z') }],
    ...overrides,
  }
}

const aliasRecord = (aliasName: string, targetKeyId: string): AliasRecord => ({
  aliasName,
  aliasArn: `arn:aws:kms:us-east-1:111122223333:${aliasName}`,
  targetKeyId,
  creationDate: new Date('2026-01-01T00:00:00Z'),
  lastUpdatedDate: new Date('2026-01-01T00:00:00Z'),
})

/** A grant whose ID is `n` as 64 hex digits, so IDs sort as the numbers do. */
const grantRecord = (n: number, keyId: string, overrides: Partial<GrantRecord> = {}): GrantRecord => ({
  grantId: n.toString(16).padStart(64, '0'),
  keyId,
  creationDate: new Date('2026-02-03T04:05:06.789Z'),
  granteePrincipal: 'arn:aws:iam::111122223333:role/grantee',
  issuingAccount: 'arn:aws:iam::111122223333:root',
  operations: ['Encrypt', 'Decrypt'],
  ...overrides,
})

const ids = (grants: GrantRecord[]) => grants.map((g) => g.grantId)

/** Signs with the stored key: proves it came back as a working CryptoKey. */
async function sameSecret(a: CryptoKey, b: CryptoKey): Promise<boolean> {
  const data = new TextEncoder().encode('probe')
  const [x, y] = await Promise.all([subtle().sign('HMAC', a, data), subtle().sign('HMAC', b, data)])
  return new Uint8Array(x).every((v, i) => v === new Uint8Array(y)[i])
}

export function describeKeyStoreConformance(name: string, openStore: () => Promise<KeyStore> | KeyStore): void {
  const makeStore = async () => (current = await openStore())
  describe(`KeyStore conformance: ${name}`, () => {
    it('a key comes back equal, with Dates as Dates and a working, non-extractable CryptoKey', async () => {
      const store = await makeStore()
      const record = await keyRecord()
      await store.transaction('readwrite', (tx) => tx.putKey(record))
      const back = await store.transaction('readonly', (tx) => tx.getKey(record.keyId))
      expect(back).toBeDefined()
      const { versions, ...rest } = back!
      const { versions: originalVersions, ...originalRest } = record
      expect(rest).toEqual(originalRest)
      expect(back!.creationDate).toBeInstanceOf(Date)
      expect(back!.rotation.nextRotationDate).toBeInstanceOf(Date)
      expect(versions).toHaveLength(1)
      expect(versions[0]!.material!.extractable).toBe(false)
      expect(await sameSecret(versions[0]!.material!, originalVersions[0]!.material!)).toBe(true)
      await expect(subtle().exportKey('raw', versions[0]!.material!)).rejects.toThrow()
    })

    it('unknown IDs resolve to undefined; deleting a missing record is not an error', async () => {
      const store = await makeStore()
      await store.transaction('readwrite', async (tx) => {
        expect(await tx.getKey('00000000-0000-4000-8000-ffffffffffff')).toBeUndefined()
        expect(await tx.getAlias('alias/none')).toBeUndefined()
        await tx.deleteKey('00000000-0000-4000-8000-ffffffffffff')
        await tx.deleteAlias('alias/none')
      })
    })

    it('records read are copies: changing one changes nothing stored', async () => {
      const store = await makeStore()
      const record = await keyRecord()
      await store.transaction('readwrite', (tx) => tx.putKey(record))
      record.description = 'changed after put'
      const read = await store.transaction('readonly', (tx) => tx.getKey(record.keyId))
      read!.description = 'changed after get'
      read!.tags.push({ TagKey: 'x', TagValue: 'y' })
      const again = await store.transaction('readonly', (tx) => tx.getKey(record.keyId))
      expect(again!.description).toBe('conformance')
      expect(again!.tags).toEqual([{ TagKey: 'k', TagValue: 'v' }])
    })

    it('lists keys by key ID and aliases by name, and deletes them', async () => {
      const store = await makeStore()
      const records = [await keyRecord(), await keyRecord(), await keyRecord()]
      await store.transaction('readwrite', async (tx) => {
        for (const r of [records[2]!, records[0]!, records[1]!]) await tx.putKey(r)
        for (const n of ['alias/b', 'alias/a', 'alias/c']) await tx.putAlias(aliasRecord(n, records[0]!.keyId))
      })
      await store.transaction('readonly', async (tx) => {
        expect((await tx.listKeys()).map((k) => k.keyId)).toEqual(records.map((r) => r.keyId))
        expect((await tx.listAliases()).map((a) => a.aliasName)).toEqual(['alias/a', 'alias/b', 'alias/c'])
        expect(await tx.getAlias('alias/b')).toEqual(aliasRecord('alias/b', records[0]!.keyId))
      })
      await store.transaction('readwrite', async (tx) => {
        await tx.deleteKey(records[1]!.keyId)
        await tx.deleteAlias('alias/b')
      })
      await store.transaction('readonly', async (tx) => {
        expect((await tx.listKeys()).map((k) => k.keyId)).toEqual([records[0]!.keyId, records[2]!.keyId])
        expect((await tx.listAliases()).map((a) => a.aliasName)).toEqual(['alias/a', 'alias/c'])
      })
    })

    it('a transaction sees its own writes', async () => {
      const store = await makeStore()
      const record = await keyRecord()
      await store.transaction('readwrite', async (tx) => {
        await tx.putKey(record)
        expect((await tx.getKey(record.keyId))?.keyId).toBe(record.keyId)
        expect((await tx.listKeys()).map((k) => k.keyId)).toContain(record.keyId)
        await tx.deleteKey(record.keyId)
        expect(await tx.getKey(record.keyId)).toBeUndefined()
      })
    })

    it('a transaction that throws keeps none of its writes and rejects with that error', async () => {
      const store = await makeStore()
      const kept = await keyRecord()
      await store.transaction('readwrite', (tx) => tx.putKey(kept))
      const boom = new Error('boom')
      const lost = await keyRecord()
      await expect(
        store.transaction('readwrite', async (tx) => {
          await tx.putKey(lost)
          await tx.putAlias(aliasRecord('alias/lost', lost.keyId))
          await tx.putKey({ ...kept, description: 'half-written' })
          await tx.deleteAlias('alias/none')
          throw boom
        }),
      ).rejects.toBe(boom)
      await store.transaction('readonly', async (tx) => {
        expect(await tx.getKey(lost.keyId)).toBeUndefined()
        expect(await tx.getAlias('alias/lost')).toBeUndefined()
        expect((await tx.getKey(kept.keyId))!.description).toBe('conformance')
      })
    })

    it('a readonly transaction cannot write', async () => {
      const store = await makeStore()
      const record = await keyRecord()
      await expect(store.transaction('readonly', (tx) => tx.putKey(record))).rejects.toThrow()
      expect(await store.transaction('readonly', (tx) => tx.getKey(record.keyId))).toBeUndefined()
    })

    it('concurrent read-modify-write transactions lose no update', async () => {
      const store = await makeStore()
      const record = await keyRecord()
      await store.transaction('readwrite', (tx) => tx.putKey(record))
      const n = 25
      await Promise.all(
        Array.from({ length: n }, () =>
          store.transaction('readwrite', async (tx) => {
            const k = (await tx.getKey(record.keyId))!
            k.rotation.onDemandCount += 1
            await tx.putKey(k)
          }),
        ),
      )
      const final = await store.transaction('readonly', (tx) => tx.getKey(record.keyId))
      expect(final!.rotation.onDemandCount).toBe(n)
    })

    it('engines racing on one store lose no update and take a name only once', async () => {
      const store = await makeStore()
      const a = createKms({ keyStore: store })
      const b = createKms({ keyStore: store })
      const { KeyId } = (await a.createKey()).KeyMetadata
      const results = await Promise.allSettled([
        ...Array.from({ length: 6 }, (_, i) => (i % 2 ? a : b).rotateKeyOnDemand({ KeyId })),
        ...Array.from({ length: 6 }, (_, i) => (i % 2 ? a : b).tagResource({ KeyId, Tags: [{ TagKey: `t${i}`, TagValue: String(i) }] })),
        a.createAlias({ AliasName: 'alias/race', TargetKeyId: KeyId }),
        b.createAlias({ AliasName: 'alias/race', TargetKeyId: KeyId }),
      ])
      const rejected = results.filter((r) => r.status === 'rejected') as PromiseRejectedResult[]
      expect(rejected.map((r) => (r.reason as Error).name)).toEqual(['AlreadyExistsException'])
      expect((await a.listKeyRotations({ KeyId })).Rotations).toHaveLength(6)
      expect((await b.listResourceTags({ KeyId })).Tags).toHaveLength(6)
      expect((await a.listAliases({ KeyId })).Aliases.map((x) => x.AliasName)).toEqual(['alias/race'])
    })

    it("grants: put, get, list one key's grants and all grants in ascending grant ID, delete", async () => {
      const store = await makeStore()
      const keyA = (await keyRecord()).keyId
      const keyB = (await keyRecord()).keyId
      const full = grantRecord(5, keyA, {
        name: 'named',
        retiringPrincipal: 'arn:aws:iam::111122223333:role/retirer',
        constraints: { encryptionContextSubset: { dept: 'x' }, encryptionContextEquals: { a: '1', b: '2' } },
      })
      await store.transaction('readwrite', async (tx) => {
        for (const g of [grantRecord(9, keyA), grantRecord(2, keyB), full, grantRecord(1, keyA), grantRecord(7, keyB), grantRecord(3, keyA)]) await tx.putGrant(g)
      })
      await store.transaction('readonly', async (tx) => {
        const back = await tx.getGrant(full.grantId)
        expect(back).toEqual(full)
        expect(back!.creationDate).toBeInstanceOf(Date)
        expect(await tx.getGrant(grantRecord(1, keyA).grantId)).toEqual(grantRecord(1, keyA))
        expect(await tx.getGrant(grantRecord(4, keyA).grantId)).toBeUndefined()
        expect(await tx.listGrants(keyA)).toEqual([grantRecord(1, keyA), grantRecord(3, keyA), full, grantRecord(9, keyA)])
        expect(ids(await tx.listGrants(keyB))).toEqual([grantRecord(2, keyB), grantRecord(7, keyB)].map((g) => g.grantId))
        expect(await tx.listGrants('00000000-0000-4000-8000-ffffffffffff')).toEqual([])
        expect(ids(await tx.listAllGrants())).toEqual([1, 2, 3, 5, 7, 9].map((n) => grantRecord(n, keyA).grantId))
      })
      await store.transaction('readwrite', async (tx) => {
        await tx.deleteGrant(full.grantId)
        await tx.deleteGrant(grantRecord(7, keyB).grantId)
        await tx.deleteGrant(grantRecord(404, keyB).grantId) // missing: not an error
        // Replacing a grant keeps one record; here it also moves to the other key.
        await tx.putGrant(grantRecord(9, keyB, { operations: ['Decrypt'] }))
      })
      await store.transaction('readonly', async (tx) => {
        expect(await tx.getGrant(full.grantId)).toBeUndefined()
        expect(ids(await tx.listGrants(keyA))).toEqual([1, 3].map((n) => grantRecord(n, keyA).grantId))
        expect(await tx.listGrants(keyB)).toEqual([grantRecord(2, keyB), grantRecord(9, keyB, { operations: ['Decrypt'] })])
        expect(ids(await tx.listAllGrants())).toEqual([1, 2, 3, 9].map((n) => grantRecord(n, keyA).grantId))
      })
    })

    it('grants: a transaction sees its own grant writes, in every list', async () => {
      const store = await makeStore()
      const keyA = (await keyRecord()).keyId
      const keyB = (await keyRecord()).keyId
      await store.transaction('readwrite', (tx) => tx.putGrant(grantRecord(2, keyA)))
      await store.transaction('readwrite', async (tx) => {
        await tx.putGrant(grantRecord(1, keyA))
        await tx.putGrant(grantRecord(3, keyB))
        expect(ids(await tx.listGrants(keyA))).toEqual([1, 2].map((n) => grantRecord(n, keyA).grantId))
        await tx.putGrant(grantRecord(2, keyB)) // moves the stored grant to key B
        await tx.deleteGrant(grantRecord(1, keyA).grantId)
        expect(await tx.listGrants(keyA)).toEqual([])
        expect(await tx.listGrants(keyB)).toEqual([grantRecord(2, keyB), grantRecord(3, keyB)])
        await tx.putGrant(grantRecord(1, keyA))
        expect(await tx.getGrant(grantRecord(1, keyA).grantId)).toEqual(grantRecord(1, keyA))
        expect(ids(await tx.listAllGrants())).toEqual([1, 2, 3].map((n) => grantRecord(n, keyA).grantId))
      })
      await store.transaction('readonly', async (tx) => {
        expect(await tx.listGrants(keyA)).toEqual([grantRecord(1, keyA)])
        expect(await tx.listGrants(keyB)).toEqual([grantRecord(2, keyB), grantRecord(3, keyB)])
      })
    })

    it('grants: a transaction that throws keeps none of its grant writes', async () => {
      const store = await makeStore()
      const keyA = (await keyRecord()).keyId
      const keyB = (await keyRecord()).keyId
      await store.transaction('readwrite', async (tx) => {
        await tx.putGrant(grantRecord(1, keyA))
        await tx.putGrant(grantRecord(2, keyA))
      })
      const boom = new Error('boom')
      await expect(
        store.transaction('readwrite', async (tx) => {
          await tx.putGrant(grantRecord(3, keyA))
          await tx.putGrant(grantRecord(4, keyB))
          await tx.putGrant(grantRecord(1, keyB, { operations: ['Sign'] }))
          await tx.deleteGrant(grantRecord(2, keyA).grantId)
          throw boom
        }),
      ).rejects.toBe(boom)
      await store.transaction('readonly', async (tx) => {
        expect(await tx.listGrants(keyA)).toEqual([grantRecord(1, keyA), grantRecord(2, keyA)])
        expect(await tx.listGrants(keyB)).toEqual([])
        expect(await tx.getGrant(grantRecord(3, keyA).grantId)).toBeUndefined()
        expect(ids(await tx.listAllGrants())).toEqual([1, 2].map((n) => grantRecord(n, keyA).grantId))
      })
    })

    it('grants: a readonly transaction cannot put or delete one', async () => {
      const store = await makeStore()
      const keyId = (await keyRecord()).keyId
      await store.transaction('readwrite', (tx) => tx.putGrant(grantRecord(1, keyId)))
      await expect(store.transaction('readonly', (tx) => tx.putGrant(grantRecord(2, keyId)))).rejects.toThrow()
      await expect(store.transaction('readonly', (tx) => tx.deleteGrant(grantRecord(1, keyId).grantId))).rejects.toThrow()
      await store.transaction('readonly', async (tx) => {
        expect(await tx.getGrant(grantRecord(2, keyId).grantId)).toBeUndefined()
        expect(await tx.listGrants(keyId)).toEqual([grantRecord(1, keyId)])
      })
    })

    it('grants: records read are copies: changing one changes nothing stored', async () => {
      const store = await makeStore()
      const keyId = (await keyRecord()).keyId
      const record = grantRecord(1, keyId, { constraints: { encryptionContextSubset: { a: '1' } } })
      await store.transaction('readwrite', (tx) => tx.putGrant(record))
      record.operations.push('put-mutated')
      record.constraints!.encryptionContextSubset!.a = 'put-mutated'
      const got = (await store.transaction('readonly', (tx) => tx.getGrant(record.grantId)))!
      got.operations.push('get-mutated')
      got.creationDate.setTime(0)
      const [listed] = await store.transaction('readonly', (tx) => tx.listGrants(keyId))
      listed!.operations.push('list-mutated')
      const [all] = await store.transaction('readonly', (tx) => tx.listAllGrants())
      all!.constraints!.encryptionContextSubset!.a = 'all-mutated'
      const again = await store.transaction('readonly', (tx) => tx.getGrant(record.grantId))
      expect(again).toEqual(grantRecord(1, keyId, { constraints: { encryptionContextSubset: { a: '1' } } }))
    })

    it('grants: deleting a key does not by itself delete its grants (the engine does that)', async () => {
      const store = await makeStore()
      const key = await keyRecord()
      await store.transaction('readwrite', async (tx) => {
        await tx.putKey(key)
        await tx.putGrant(grantRecord(1, key.keyId))
      })
      await store.transaction('readwrite', (tx) => tx.deleteKey(key.keyId))
      await store.transaction('readonly', async (tx) => {
        expect(await tx.getKey(key.keyId)).toBeUndefined()
        expect(await tx.listGrants(key.keyId)).toEqual([grantRecord(1, key.keyId)])
        expect(await tx.getGrant(grantRecord(1, key.keyId).grantId)).toEqual(grantRecord(1, key.keyId))
      })
    })

    it('grants: many grants on one key list in order, apart from other keys', async () => {
      const store = await makeStore()
      const keyA = (await keyRecord()).keyId
      const keyB = (await keyRecord()).keyId
      const n = 1000
      // Put in a scrambled order (a multiplicative step coprime to n), across two transactions.
      const order = Array.from({ length: n }, (_, i) => (i * 617) % n)
      for (const half of [order.slice(0, n / 2), order.slice(n / 2)]) {
        await store.transaction('readwrite', async (tx) => {
          for (const i of half) await tx.putGrant(grantRecord(i, i % 10 === 0 ? keyB : keyA))
        })
      }
      await store.transaction('readonly', async (tx) => {
        const a = await tx.listGrants(keyA)
        expect(a).toHaveLength(900)
        expect(ids(a)).toEqual(ids(a).slice().sort())
        expect(a.every((g) => g.keyId === keyA)).toBe(true)
        expect(ids(await tx.listGrants(keyB))).toEqual(Array.from({ length: 100 }, (_, i) => grantRecord(i * 10, keyB).grantId))
        expect(ids(await tx.listAllGrants())).toEqual(Array.from({ length: n }, (_, i) => grantRecord(i, keyA).grantId))
      })
    })

    it('stores the audit chain and meta values: ordered by sequence, last record, rollback', async () => {
      const store = await makeStore()
      const rec = (sequence: number) => ({ sequence, event: { eventName: `e${sequence}`, nested: { a: [1, 2] } }, previousHash: 'p'.repeat(64), hash: String(sequence).repeat(64).slice(0, 64) })
      await store.transaction('readonly', async (tx) => expect(await tx.lastAuditRecord()).toBeUndefined())
      await store.transaction('readwrite', async (tx) => {
        for (const n of [1, 2, 10, 3]) await tx.putAuditRecord(rec(n))
        await tx.putMeta('m', { when: new Date('2026-01-01T00:00:00Z'), list: [1] })
      })
      await expect(store.transaction('readwrite', async (tx) => {
        await tx.putAuditRecord(rec(11))
        throw new Error('abort')
      })).rejects.toThrow('abort')
      await store.transaction('readonly', async (tx) => {
        expect((await tx.listAuditRecords()).map((r) => r.sequence)).toEqual([1, 2, 3, 10])
        expect(await tx.lastAuditRecord()).toEqual(rec(10))
        expect(await tx.getMeta('m')).toEqual({ when: new Date('2026-01-01T00:00:00Z'), list: [1] })
        expect(await tx.getMeta('absent')).toBeUndefined()
      })
    })

    it('engines sharing the store write one verifiable audit chain', async () => {
      const store = await makeStore()
      const a = createKms({ keyStore: store })
      const b = createKms({ keyStore: store })
      const { Keys } = await a.getAuditPublicKeys()
      const { KeyId } = (await a.createKey()).KeyMetadata
      await Promise.all([...Array.from({ length: 10 }, () => a.describeKey({ KeyId })), ...Array.from({ length: 10 }, () => b.generateRandom({ NumberOfBytes: 8 }))])
      const log = await b.exportAuditLog()
      expect(log.events).toHaveLength(22)
      expect(await verifyAuditLog(log, { trustedKeys: Keys.map((k) => k.Fingerprint) })).toMatchObject({ valid: true, events: 22 })
    })

    it('identity policies: put, list one principal\'s by name, replace, delete, roll back', async () => {
      const store = await makeStore()
      const alice = 'arn:aws:iam::111122223333:user/alice'
      const bob = 'arn:aws:iam::111122223333:role/bob'
      const at = new Date('2026-03-04T05:06:07.890Z')
      await store.transaction('readwrite', async (tx) => {
        await tx.putIdentityPolicy({ principal: alice, name: 'b', document: '{"b":1}', updatedDate: at })
        await tx.putIdentityPolicy({ principal: alice, name: 'a', document: '{"a":1}', updatedDate: at })
        await tx.putIdentityPolicy({ principal: bob, name: 'a', document: '{"bob":1}', updatedDate: at })
        // A transaction sees its own writes.
        expect((await tx.getIdentityPolicies(alice)).map((p) => p.name)).toEqual(['a', 'b'])
      })
      const read = await store.transaction('readonly', (tx) => tx.getIdentityPolicies(alice))
      expect(read).toEqual([
        { principal: alice, name: 'a', document: '{"a":1}', updatedDate: at },
        { principal: alice, name: 'b', document: '{"b":1}', updatedDate: at },
      ])
      expect(read[0]!.updatedDate).toBeInstanceOf(Date)
      await store.transaction('readwrite', (tx) => tx.putIdentityPolicy({ principal: alice, name: 'a', document: '{"a":2}', updatedDate: at }))
      await expect(
        store.transaction('readwrite', async (tx) => {
          await tx.deleteIdentityPolicy(alice, 'b')
          throw new Error('rolled back')
        }),
      ).rejects.toThrow('rolled back')
      expect((await store.transaction('readonly', (tx) => tx.getIdentityPolicies(alice))).map((p) => [p.name, p.document])).toEqual([['a', '{"a":2}'], ['b', '{"b":1}']])
      await store.transaction('readwrite', (tx) => tx.deleteIdentityPolicy(alice, 'b'))
      await store.transaction('readwrite', (tx) => tx.deleteIdentityPolicy(alice, 'missing'))
      expect((await store.transaction('readonly', (tx) => tx.getIdentityPolicies(alice))).map((p) => p.name)).toEqual(['a'])
      expect((await store.transaction('readonly', (tx) => tx.getIdentityPolicies(bob))).map((p) => p.document)).toEqual(['{"bob":1}'])
      await expect(store.transaction('readonly', (tx) => tx.putIdentityPolicy({ principal: bob, name: 'x', document: '{}', updatedDate: at }))).rejects.toThrow()
    })

    it('identity policies set through one engine are enforced by another on the same store', async () => {
      const store = await makeStore()
      const alice = 'arn:aws:iam::111122223333:user/alice'
      const a = createKms({ keyStore: store })
      const b = createKms({ keyStore: store })
      await expect(b.as({ principal: alice }).generateRandom({ NumberOfBytes: 4 })).rejects.toMatchObject({ name: 'AccessDeniedException' })
      await a.putIdentityPolicy({ Principal: alice, PolicyName: 'random', PolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: { Effect: 'Allow', Action: 'kms:GenerateRandom', Resource: '*' } }) })
      expect((await b.as({ principal: alice }).generateRandom({ NumberOfBytes: 4 })).Plaintext).toHaveLength(4)
      expect(await b.getIdentityPolicies({ Principal: alice })).toEqual({ Policies: { random: expect.stringContaining('kms:GenerateRandom') } })
    })

    it('audit records up to a sequence number and meta values can be deleted (retention), atomically', async () => {
      const store = await makeStore()
      const record = (sequence: number) => ({ sequence, event: { n: sequence }, previousHash: '0'.repeat(64), hash: String(sequence).padStart(64, '0') })
      await store.transaction('readwrite', async (tx) => {
        for (let n = 1; n <= 5; n++) await tx.putAuditRecord(record(n))
        await tx.putMeta('m1', { v: 1 })
        await tx.putMeta('m2', { v: 2 })
      })
      await expect(
        store.transaction('readwrite', async (tx) => {
          await tx.deleteAuditRecords(3)
          await tx.deleteMeta('m1')
          throw new Error('rolled back')
        }),
      ).rejects.toThrow('rolled back')
      expect((await store.transaction('readonly', (tx) => tx.listAuditRecords())).map((r) => r.sequence)).toEqual([1, 2, 3, 4, 5])
      await store.transaction('readwrite', async (tx) => {
        await tx.deleteAuditRecords(3)
        await tx.deleteMeta('m1')
        expect((await tx.listAuditRecords()).map((r) => r.sequence)).toEqual([4, 5])
        expect(await tx.getAuditRecord(3)).toBeUndefined()
        expect(await tx.getAuditRecord(4)).toEqual(record(4))
        expect(await tx.getMeta('m1')).toBeUndefined()
      })
      expect(await store.transaction('readonly', (tx) => tx.getAuditRecord(2))).toBeUndefined()
      expect(await store.transaction('readonly', (tx) => tx.getAuditRecord(5))).toEqual(record(5))
      expect(await store.transaction('readonly', (tx) => tx.getAuditRecord(99))).toBeUndefined()
      const after = await store.transaction('readonly', async (tx) => ({ records: await tx.listAuditRecords(), last: await tx.lastAuditRecord(), m1: await tx.getMeta('m1'), m2: await tx.getMeta('m2') }))
      expect(after.records.map((r) => r.sequence)).toEqual([4, 5])
      expect(after.last?.sequence).toBe(5)
      expect(after).toMatchObject({ m1: undefined, m2: { v: 2 } })
      await store.transaction('readwrite', (tx) => tx.deleteAuditRecords(5))
      expect(await store.transaction('readonly', (tx) => tx.lastAuditRecord())).toBeUndefined()
      await store.transaction('readwrite', (tx) => tx.putAuditRecord(record(6)))
      expect((await store.transaction('readonly', (tx) => tx.listAuditRecords())).map((r) => r.sequence)).toEqual([6])
    })

    it('a key named __proto__ is kept as a key in every record (grant constraints, events)', async () => {
      const store = await makeStore()
      const key = await keyRecord()
      const constraint = JSON.parse('{"__proto__":"tenant-a","k":"v"}') as Record<string, string>
      await store.transaction('readwrite', async (tx) => {
        await tx.putKey(key)
        await tx.putGrant(grantRecord(1, key.keyId, { constraints: { encryptionContextEquals: constraint } }))
        await tx.putAuditRecord({ sequence: 1, event: { requestParameters: { encryptionContext: constraint } }, previousHash: '0'.repeat(64), hash: '1'.repeat(64) })
      })
      const { grant, audit } = await store.transaction('readonly', async (tx) => ({ grant: await tx.getGrant(grantRecord(1, key.keyId).grantId), audit: await tx.listAuditRecords() }))
      const stored = grant!.constraints!.encryptionContextEquals!
      expect(Object.hasOwn(stored, '__proto__')).toBe(true)
      expect(Object.entries(stored)).toEqual([['__proto__', 'tenant-a'], ['k', 'v']])
      expect(Object.getPrototypeOf(stored)).toBe(Object.prototype)
      const context = (audit[0]!.event.requestParameters as { encryptionContext: object }).encryptionContext
      expect(Object.keys(context)).toEqual(['__proto__', 'k'])
    })

    it('runs the engine: keys, rotation, aliases and decryption across engine instances', async () => {
      const store = await makeStore()
      const a = createKms({ keyStore: store })
      const { KeyId } = (await a.createKey({ Description: 'shared' })).KeyMetadata
      await a.createAlias({ AliasName: 'alias/shared', TargetKeyId: KeyId })
      const before = await a.encrypt({ KeyId: 'alias/shared', Plaintext: new TextEncoder().encode('v1'), EncryptionContext: { c: '1' } })
      await a.rotateKeyOnDemand({ KeyId })
      // A second engine over the same store plays the part of another tab or request.
      const b = createKms({ keyStore: store })
      const after = await b.encrypt({ KeyId: 'alias/shared', Plaintext: new TextEncoder().encode('v2') })
      expect(new TextDecoder().decode((await b.decrypt({ CiphertextBlob: before.CiphertextBlob, EncryptionContext: { c: '1' } })).Plaintext)).toBe('v1')
      expect(new TextDecoder().decode((await a.decrypt({ CiphertextBlob: after.CiphertextBlob })).Plaintext)).toBe('v2')
      expect((await b.listKeyRotations({ KeyId })).Rotations).toHaveLength(1)
      expect((await b.describeKey({ KeyId: 'alias/shared' })).KeyMetadata.Description).toBe('shared')
    })

    it('key policies and grants set through one engine are kept and enforced by another on the same store', async () => {
      const store = await makeStore()
      const a = createKms({ keyStore: store })
      const b = createKms({ keyStore: store })
      const carol = 'arn:aws:iam::111122223333:user/carol'
      const { KeyId } = (await a.createKey()).KeyMetadata
      const Policy = JSON.stringify({
        Version: '2012-10-17',
        Statement: [
          { Sid: 'root', Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::111122223333:root' }, Action: 'kms:*', Resource: '*' },
          { Sid: 'carol-describes', Effect: 'Allow', Principal: { AWS: carol }, Action: 'kms:DescribeKey', Resource: '*' },
        ],
      })
      await a.putKeyPolicy({ KeyId, Policy })
      const { GrantId } = await a.createGrant({ KeyId, GranteePrincipal: carol, Operations: ['Encrypt'], Constraints: { EncryptionContextEquals: { app: 'x' } } })
      expect((await b.getKeyPolicy({ KeyId })).Policy).toBe(Policy)
      expect((await b.listGrants({ KeyId })).Grants).toMatchObject([{ GrantId, GranteePrincipal: carol, Operations: ['Encrypt'], Constraints: { EncryptionContextEquals: { app: 'x' } } }])
      const asCarol = b.as({ principal: carol })
      await asCarol.describeKey({ KeyId })
      await asCarol.encrypt({ KeyId, Plaintext: new Uint8Array([1]), EncryptionContext: { app: 'x' } })
      await expect(asCarol.encrypt({ KeyId, Plaintext: new Uint8Array([1]) })).rejects.toMatchObject({ name: 'AccessDeniedException' })
      await b.revokeGrant({ KeyId, GrantId })
      await expect(a.as({ principal: carol }).encrypt({ KeyId, Plaintext: new Uint8Array([1]), EncryptionContext: { app: 'x' } })).rejects.toMatchObject({ name: 'AccessDeniedException' })
    })
  })
}
