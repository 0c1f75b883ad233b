/**
 * EnableKeyRotation, DisableKeyRotation, GetKeyRotationStatus, RotateKeyOnDemand,
 * ListKeyRotations (KMS API Reference; "Rotate AWS KMS keys" in the developer guide).
 * Rotation adds a key version; every older version keeps decrypting what it encrypted, because
 * the ciphertext blob names its version.
 */
import { LimitExceededException } from '../../errors.js'
import { generateMasterKeyMaterial } from '../../crypto/keyMaterial.js'
import { addDays, DAY_MS, type Call, type Engine } from '../engine.js'
import { assertKeyState } from '../keyStates.js'
import { paginate, pageOut } from '../paging.js'
import type { EmptyResponse, GetKeyRotationStatusResponse, ListKeyRotationsResponse, RotateKeyOnDemandResponse, RotationsListEntry } from '../types.js'
import { optionalEnum, optionalInteger, paging, requiredKeyId, type Input } from '../validate.js'

/** AWS's current limit of on-demand rotations per key. */
export const MAX_ON_DEMAND_ROTATIONS = 25
export const DEFAULT_ROTATION_PERIOD_DAYS = 365

export async function enableKeyRotation(engine: Engine, call: Call, input: Input): Promise<EmptyResponse> {
  const keyId = requiredKeyId(input)
  const period = optionalInteger(input, 'RotationPeriodInDays', 90, 2560) ?? DEFAULT_ROTATION_PERIOD_DAYS
  const key = await engine.findKey(call, keyId, { allowAlias: false })
  await engine.updateKey(key.keyId, (k) => {
    assertKeyState(k, 'EnableKeyRotation')
    const r = k.rotation
    if (r.enabled && r.nextRotationDate) {
      // A new period on a schedule already running counts from the start of the current
      // period; if that date has already passed, the key rotates at once (on its next use).
      const start = r.nextRotationDate.getTime() - r.periodInDays * DAY_MS
      r.nextRotationDate = new Date(Math.max(start + period * DAY_MS, call.now.getTime()))
    } else {
      r.nextRotationDate = addDays(call.now, period)
    }
    r.enabled = true
    r.periodInDays = period
  })
  return {}
}

export async function disableKeyRotation(engine: Engine, call: Call, input: Input): Promise<EmptyResponse> {
  const keyId = requiredKeyId(input)
  const key = await engine.findKey(call, keyId, { allowAlias: false })
  await engine.updateKey(key.keyId, (k) => {
    assertKeyState(k, 'DisableKeyRotation')
    k.rotation.enabled = false
    delete k.rotation.nextRotationDate
  })
  return {}
}

export async function getKeyRotationStatus(engine: Engine, call: Call, input: Input): Promise<GetKeyRotationStatusResponse> {
  const keyId = requiredKeyId(input)
  const key = await engine.findKey(call, keyId, { allowAlias: false })
  const { enabled, periodInDays, nextRotationDate } = key.rotation
  const out: GetKeyRotationStatusResponse = { KeyRotationEnabled: enabled, KeyId: key.arn }
  if (enabled) {
    out.RotationPeriodInDays = periodInDays
    if (nextRotationDate) out.NextRotationDate = nextRotationDate
  }
  return out
}

/**
 * Rotates now, whether or not automatic rotation is enabled, and leaves the automatic
 * schedule as it was. On-demand rotation completes within the call here, so
 * OnDemandRotationStartDate is never reported as pending.
 */
export async function rotateKeyOnDemand(engine: Engine, call: Call, input: Input): Promise<RotateKeyOnDemandResponse> {
  const keyId = requiredKeyId(input)
  const key = await engine.findKey(call, keyId, { allowAlias: false })
  assertKeyState(key, 'RotateKeyOnDemand')
  const material = await generateMasterKeyMaterial()
  await engine.updateKey(key.keyId, (k) => {
    assertKeyState(k, 'RotateKeyOnDemand')
    if (k.rotation.onDemandCount >= MAX_ON_DEMAND_ROTATIONS) {
      throw new LimitExceededException(
        `The on-demand rotations limit has been reached for the given keyId. No more on-demand rotations can be performed for this key: ${k.arn}`,
      )
    }
    k.rotation.onDemandCount += 1
    engine.addVersion(k, material, call.now, 'ON_DEMAND')
  })
  return { KeyId: key.arn }
}

/**
 * The key's rotations, oldest first. With IncludeKeyMaterial ALL_KEY_MATERIAL the original
 * material is listed too (it has no rotation date of its own: its creation date is shown).
 */
export async function listKeyRotations(engine: Engine, call: Call, input: Input): Promise<ListKeyRotationsResponse> {
  const keyId = requiredKeyId(input)
  const include = optionalEnum(input, 'IncludeKeyMaterial', ['ALL_KEY_MATERIAL', 'ROTATIONS_ONLY'] as const) ?? 'ROTATIONS_ONLY'
  const { limit, marker } = paging(input, 1000, 100)
  const key = await engine.findKey(call, keyId, { allowAlias: false })
  const current = key.versions[key.versions.length - 1]!.version
  const listed = include === 'ROTATIONS_ONLY' ? key.versions.filter((v) => v.rotationType) : key.versions
  const page = paginate(listed, (v) => String(v.version).padStart(10, '0'), limit, marker, (m) => /^\d{10}$/.test(m))
  return {
    Rotations: page.items.map((v) => {
      const entry: RotationsListEntry = {
        KeyId: key.arn,
        KeyMaterialId: v.keyMaterialId,
        KeyMaterialState: v.version === current ? 'CURRENT' : 'NON_CURRENT',
        RotationDate: v.createdAt,
      }
      if (v.rotationType) entry.RotationType = v.rotationType
      return entry
    }),
    ...pageOut(page),
  }
}
