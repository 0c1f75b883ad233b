/**
 * What the clock made due, applied (engine.settle): automatic rotations, each at its own date;
 * imported material past its ValidTo, deleted; and the end of a deletion window, when the key,
 * all its material, its aliases and its grants are gone. Each is audited as AWS's service
 * events are. Rare by nature, so this module loads the first time a call finds such work.
 */
import type { KeyStoreTransaction } from '../keystore/KeyStore.js'
import type { KeyRecord } from '../keystore/records.js'
import { serviceEvent } from './audit/events.js'
import type { Call, Engine } from './engine.js'
import { addDays, dropMaterial, dueRotations, expiredVersions, importTokensMetaId, isDeletionDue, lacksMaterial } from './keyTimeline.js'
import { addVersion, newMaterial, type NewMaterial } from './keyVersions.js'

/** Applies what is due on `due` (the keys engine.settle found work on) in one atomic write. */
export async function settleDue(engine: Engine, call: Call, due: KeyRecord[]): Promise<void> {
  // WebCrypto first, outside the transaction; then one atomic write.
  const fresh = new Map<string, NewMaterial[]>()
  for (const key of due) {
    const n = dueRotations(key, call.now).length
    fresh.set(key.keyId, await Promise.all(Array.from({ length: n }, () => newMaterial(engine, key))))
  }
  const { account, audit } = engine
  await audit.appendable()
  await engine.store.transaction('readwrite', async (tx) => {
    for (const { keyId } of due) {
      const key = await tx.getKey(keyId) // re-read: another caller may have settled it already
      if (!key) continue
      if (isDeletionDue(key, call.now)) {
        await destroyKey(engine, tx, keyId)
        await audit.append(tx, serviceEvent(account, 'DeleteKey', key.arn, key.deletionDate!, engine.eventIds()), call.now)
        continue
      }
      const expired = expiredVersions(key, call.now)
      if (expired.length) {
        // AWS deletes expired imported material; the key is unusable until it is imported again.
        for (const v of expired) dropMaterial(v)
        engine.blobKeys.forget(keyId)
        if (key.keyState !== 'PendingDeletion' && lacksMaterial(key)) key.keyState = 'PendingImport'
        await tx.putKey(key)
        for (const v of expired) await audit.append(tx, serviceEvent(account, 'DeleteExpiredKeyMaterial', key.arn, v.imported!.validTo!, engine.eventIds()), call.now)
      }
      const dates = dueRotations(key, call.now)
      const materials = fresh.get(keyId) ?? []
      const n = Math.min(dates.length, materials.length)
      if (n === 0) continue
      for (let i = 0; i < n; i++) addVersion(key, materials[i]!, dates[i]!, 'AUTOMATIC')
      key.rotation.nextRotationDate = addDays(dates[n - 1]!, key.rotation.periodInDays)
      await tx.putKey(key)
      for (let i = 0; i < n; i++) await audit.append(tx, serviceEvent(account, 'RotateKey', key.arn, dates[i]!, engine.eventIds()), call.now)
    }
  })
}

/** The end of a deletion window: the key, all its material, its aliases and its grants are gone. */
async function destroyKey(engine: Engine, tx: KeyStoreTransaction, keyId: string): Promise<void> {
  engine.blobKeys.forget(keyId)
  await tx.deleteKey(keyId)
  await tx.deleteMeta(importTokensMetaId(keyId))
  for (const grant of await tx.listGrants(keyId)) await tx.deleteGrant(grant.grantId)
  for (const alias of await tx.listAliases()) {
    if (alias.targetKeyId === keyId) await tx.deleteAlias(alias.aliasName)
  }
}
