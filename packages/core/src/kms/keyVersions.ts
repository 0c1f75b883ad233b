/**
 * Making a key's versions: new key material, with its recovery copy when the engine has a
 * recovery key, and the version records that hold it. CreateKey, rotations (on demand,
 * automatic, and the one EnableKey finds overdue) and ImportKeyMaterial use them; each loads on
 * demand, and so does this module with the first of them.
 */
import type { KeyRecord, KeyVersionRecord, RotationType } from '../keystore/records.js'
import { toHex } from '../util/bytes.js'
import type { VersionMaterial } from './crypto/versionMaterial.js'
import type { Engine } from './engine.js'

/** Material for a new version, before it has a number. */
export interface NewMaterial extends VersionMaterial {
  keyMaterialId: string
  recovery?: string
}

/**
 * New material for a version of `key` (its spec and usage), with a random KeyMaterialId and,
 * when the engine has a recovery key, the recovery copy. Call outside store transactions.
 */
export async function newMaterial(engine: Engine, key: Pick<KeyRecord, 'arn' | 'keySpec' | 'keyUsage'>): Promise<NewMaterial> {
  const keyMaterialId = toHex(engine.random(32))
  const seal = (await engine.recovery) && ((bytes: Uint8Array) => recoveryCopy(engine, key, keyMaterialId, bytes) as Promise<string>)
  const { generateVersionMaterial } = await engine.modules.versionMaterial()
  return { keyMaterialId, ...(await generateVersionMaterial(engine.store, key.keySpec, key.keyUsage, seal || undefined)) }
}

/** The recovery copy of material's bytes, or undefined when the engine has no recovery key. */
export async function recoveryCopy(engine: Engine, key: Pick<KeyRecord, 'arn' | 'keySpec'>, keyMaterialId: string, bytes: Uint8Array): Promise<string | undefined> {
  const recovery = await engine.recovery
  if (!recovery) return undefined
  const { materialFormat } = await engine.modules.versionMaterial()
  return recovery.seal({ key: key.arn, kmid: keyMaterialId, spec: key.keySpec, fmt: materialFormat(key.keySpec) }, bytes)
}

/** The number the next version of `key` gets. */
export const nextVersionNumber = (key: KeyRecord) => key.versions.reduce((n, v) => Math.max(n, v.version), 0) + 1

/** The record of version `version` holding `made`. */
export function newVersion(version: number, made: NewMaterial, createdAt: Date, rotationType?: RotationType): KeyVersionRecord {
  const v: KeyVersionRecord = { version, keyMaterialId: made.keyMaterialId, createdAt }
  if (made.material) v.material = made.material
  if (made.privateKeys) v.privateKeys = made.privateKeys
  if (made.publicKey) v.publicKey = made.publicKey
  if (made.recovery) v.recovery = made.recovery
  if (rotationType) v.rotationType = rotationType
  return v
}

/** Appends a new current version to `key` (in memory; the caller stores it). */
export function addVersion(key: KeyRecord, made: NewMaterial, createdAt: Date, rotationType: RotationType): void {
  key.versions.push(newVersion(nextVersionNumber(key), made, createdAt, rotationType))
}
