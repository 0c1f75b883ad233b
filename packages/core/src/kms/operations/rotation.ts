/**
 * EnableKeyRotation, DisableKeyRotation, GetKeyRotationStatus, RotateKeyOnDemand,
 * ListKeyRotations (KMS API Reference; "Rotate AWS KMS keys" in the developer guide).
 * Rotation adds a key version; every older version keeps decrypting what it encrypted, because
 * the ciphertext blob names its version.
 */
import { LimitExceededException } from '../errors.js'
import { generateMasterKeyMaterial } from '../crypto/keyMaterial.js'
import { addDays, DAY_MS } from '../engine.js'
import { assertKeyState } from '../keyStates.js'
import { defineOperation } from '../operation.js'
import { paginate, pageOut } from '../paging.js'
import { enumOf, integer } from '../request/schema.js'
import type * as T from '../types.js'
import { changeKey, keyIdMember, onKey, pagingMembers, resolveKey } from './common.js'

/** AWS's current limit of on-demand rotations per key. */
export const MAX_ON_DEMAND_ROTATIONS = 25
export const DEFAULT_ROTATION_PERIOD_DAYS = 365

export const enableKeyRotation = defineOperation<T.EnableKeyRotationRequest, T.EmptyResponse>()({
  name: 'EnableKeyRotation',
  schema: { KeyId: keyIdMember(), RotationPeriodInDays: integer(90, 2560) },
  resolve: resolveKey(false),
  permissions: onKey,
  async run(ctx, r, { key }) {
    const period = r.RotationPeriodInDays ?? DEFAULT_ROTATION_PERIOD_DAYS
    const now = ctx.call.now
    await changeKey(ctx, key, 'EnableKeyRotation', (k) => {
      const rot = k.rotation
      if (rot.enabled && rot.nextRotationDate) {
        // A new period on a schedule already running counts from the start of the current
        // period; if that date has already passed, the key rotates at once (on its next use).
        const start = rot.nextRotationDate.getTime() - rot.periodInDays * DAY_MS
        rot.nextRotationDate = new Date(Math.max(start + period * DAY_MS, now.getTime()))
      } else {
        rot.nextRotationDate = addDays(now, period)
      }
      rot.enabled = true
      rot.periodInDays = period
    })
    return {}
  },
})

export const disableKeyRotation = defineOperation<T.KeyIdRequest, T.EmptyResponse>()({
  name: 'DisableKeyRotation',
  schema: { KeyId: keyIdMember() },
  resolve: resolveKey(false),
  permissions: onKey,
  async run(ctx, _r, { key }) {
    await changeKey(ctx, key, 'DisableKeyRotation', (k) => {
      k.rotation.enabled = false
      delete k.rotation.nextRotationDate
    })
    return {}
  },
})

export const getKeyRotationStatus = defineOperation<T.KeyIdRequest, T.GetKeyRotationStatusResponse>()({
  name: 'GetKeyRotationStatus',
  schema: { KeyId: keyIdMember() },
  resolve: resolveKey(false),
  permissions: onKey,
  async run(_ctx, _r, { key }) {
    const { enabled, periodInDays, nextRotationDate } = key.rotation
    const out: T.GetKeyRotationStatusResponse = { KeyRotationEnabled: enabled, KeyId: key.arn }
    if (enabled) {
      out.RotationPeriodInDays = periodInDays
      if (nextRotationDate) out.NextRotationDate = nextRotationDate
    }
    return out
  },
})

/**
 * Rotates now, whether or not automatic rotation is enabled, and leaves the automatic
 * schedule as it was. On-demand rotation completes within the call here, so
 * OnDemandRotationStartDate is never reported as pending.
 */
export const rotateKeyOnDemand = defineOperation<T.KeyIdRequest, T.RotateKeyOnDemandResponse>()({
  name: 'RotateKeyOnDemand',
  schema: { KeyId: keyIdMember() },
  resolve: resolveKey(false),
  permissions: onKey,
  async run(ctx, _r, { key }) {
    assertKeyState(key, 'RotateKeyOnDemand')
    const material = await generateMasterKeyMaterial(ctx.engine.store)
    await changeKey(ctx, key, 'RotateKeyOnDemand', (k) => {
      if (k.rotation.onDemandCount >= MAX_ON_DEMAND_ROTATIONS) {
        throw new LimitExceededException(
          `The on-demand rotations limit has been reached for the given keyId. No more on-demand rotations can be performed for this key: ${k.arn}`,
        )
      }
      k.rotation.onDemandCount += 1
      ctx.engine.addVersion(k, material, ctx.call.now, 'ON_DEMAND')
    })
    return { KeyId: key.arn }
  },
})

/**
 * The key's rotations, oldest first. With IncludeKeyMaterial ALL_KEY_MATERIAL the original
 * material is listed too (it has no rotation date of its own: its creation date is shown).
 */
export const listKeyRotations = defineOperation<T.ListKeyRotationsRequest, T.ListKeyRotationsResponse>()({
  name: 'ListKeyRotations',
  schema: { KeyId: keyIdMember(), IncludeKeyMaterial: enumOf(['ALL_KEY_MATERIAL', 'ROTATIONS_ONLY'] as const), ...pagingMembers(1000) },
  resolve: resolveKey(false),
  permissions: onKey,
  async run(_ctx, r, { key }) {
    const current = key.versions[key.versions.length - 1]!.version
    const listed = (r.IncludeKeyMaterial ?? 'ROTATIONS_ONLY') === 'ROTATIONS_ONLY' ? key.versions.filter((v) => v.rotationType) : key.versions
    const page = paginate(listed, (v) => String(v.version).padStart(10, '0'), r.Limit ?? 100, r.Marker, (m) => /^\d{10}$/.test(m))
    return {
      Rotations: page.items.map((v) => {
        const entry: T.RotationsListEntry = {
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
  },
})
