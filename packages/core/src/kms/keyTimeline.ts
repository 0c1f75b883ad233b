/**
 * A key's versions over time, as pure functions of its record and an instant: which version is
 * current, which hold material, and what the clock has made due (automatic rotations, imported
 * material past its ValidTo, the end of a deletion window). engine.settle finds what is due, and
 * dueWork.ts applies it.
 */
import type { KeyRecord, KeyVersionRecord } from '../keystore/records.js'

export const DAY_MS = 24 * 60 * 60 * 1000
export const addDays = (d: Date, days: number) => new Date(d.getTime() + days * DAY_MS)

/** Where a key's outstanding import parameters (GetParametersForImport) are kept. */
export const importTokensMetaId = (keyId: string) => `import-tokens/${keyId}`

/** The version that encrypts, signs and computes MACs: the newest not waiting for a rotation. Undefined before an EXTERNAL key's first import. */
export const currentVersion = (key: KeyRecord): KeyVersionRecord | undefined => key.versions.findLast((v) => !v.pendingRotation)

/** Whether a version holds material (imported material may have expired or been deleted). */
export const hasMaterial = (v: KeyVersionRecord) => v.material !== undefined || v.privateKeys !== undefined

/**
 * Whether material permanently associated with the key (every version not in PENDING_ROTATION)
 * is missing: then the key is PendingImport. The deletion or expiry of material pending rotation
 * changes no key state ("Delete imported key material" in the KMS developer guide).
 */
export const lacksMaterial = (key: KeyRecord) => key.versions.some((v) => !v.pendingRotation && !hasMaterial(v))

/** Forgets a version's material (expiry, DeleteImportedKeyMaterial); its ID stays, so the same material can come back. */
export function dropMaterial(v: KeyVersionRecord): void {
  delete v.material
  delete v.privateKeys
}

/** Imported versions whose material has passed its ValidTo. */
export const expiredVersions = (key: KeyRecord, now: Date) =>
  key.versions.filter((v) => hasMaterial(v) && v.imported?.expirationModel === 'KEY_MATERIAL_EXPIRES' && v.imported.validTo !== undefined && v.imported.validTo.getTime() <= now.getTime())

export const isDeletionDue = (key: KeyRecord, now: Date) =>
  key.keyState === 'PendingDeletion' && key.deletionDate !== undefined && key.deletionDate.getTime() <= now.getTime()

/**
 * The automatic rotations that fell due by `now`, each at its own date. AWS rotates only
 * Enabled keys: a disabled key or one pending deletion keeps its due date, and EnableKey
 * rotates it at once if that date has passed (operations/lifecycle.ts).
 */
export function dueRotations(key: KeyRecord, now: Date): Date[] {
  const { enabled, nextRotationDate, periodInDays } = key.rotation
  if (key.keyState !== 'Enabled' || !enabled || !nextRotationDate) return []
  const dates: Date[] = []
  for (let d = nextRotationDate; d.getTime() <= now.getTime(); d = addDays(d, periodInDays)) dates.push(d)
  return dates
}

/** Whether the clock has made anything due on `key` by `now` (engine.settle applies it). */
export const hasDueWork = (key: KeyRecord, now: Date) => isDeletionDue(key, now) || dueRotations(key, now).length > 0 || expiredVersions(key, now).length > 0
