/**
 * EnableKeyRotation, DisableKeyRotation, GetKeyRotationStatus, RotateKeyOnDemand,
 * ListKeyRotations (KMS API Reference; "Rotate AWS KMS keys" in the developer guide).
 * Rotation adds a key version; every older version keeps decrypting what it encrypted, because
 * the ciphertext blob names its version.
 */
import { KMSInvalidStateException, LimitExceededException, UnsupportedOperationException } from '../errors.js'
import type { KeyRecord } from '../../keystore/records.js'
import { addDays, currentVersion, DAY_MS, hasMaterial } from '../keyTimeline.js'
import { addVersion, newMaterial } from '../keyVersions.js'
import { assertKeyState } from '../keyStates.js'
import { defineOperation } from '../operation.js'
import { paginate, pageOut } from '../paging.js'
import { enumOf, integer } from '../request/schema.js'
import type * as T from '../types.js'
import { changeKey, keyIdMember, onKey, pagingMembers, resolveKey } from './common.js'

/** AWS's current limit of on-demand rotations per key. */
export const MAX_ON_DEMAND_ROTATIONS = 25
export const DEFAULT_ROTATION_PERIOD_DAYS = 365

/**
 * Only symmetric encryption keys rotate; automatic rotation only when KMS made the material
 * ("Rotate AWS KMS keys": asymmetric, HMAC and imported keys cannot rotate automatically;
 * imported symmetric keys rotate on demand to new imported material).
 */
function rotatable(key: KeyRecord, what: 'Automatic rotation' | 'On-demand rotation'): void {
  if (key.keySpec !== 'SYMMETRIC_DEFAULT') throw new UnsupportedOperationException(`${what} is supported only for symmetric encryption KMS keys; ${key.arn} is ${key.keySpec}`)
  if (what === 'Automatic rotation' && key.origin !== 'AWS_KMS') throw new UnsupportedOperationException(`${what} is not supported for KMS keys with imported key material (${key.arn}); rotate on demand after importing new key material`)
}

export const enableKeyRotation = defineOperation<T.EnableKeyRotationRequest, T.EmptyResponse>()({
  name: 'EnableKeyRotation',
  schema: { KeyId: keyIdMember(), RotationPeriodInDays: integer(90, 2560) },
  resolve: resolveKey(false),
  permissions: onKey,
  async run(ctx, r, { key }) {
    rotatable(key, 'Automatic rotation')
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
    rotatable(key, 'Automatic rotation')
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
    rotatable(key, 'On-demand rotation')
    // AWS_KMS keys get new material; EXTERNAL keys rotate to the material imported as NEW_KEY_MATERIAL.
    const material = key.origin === 'AWS_KMS' ? await newMaterial(ctx.engine, key) : undefined
    await changeKey(ctx, key, 'RotateKeyOnDemand', (k) => {
      if (k.rotation.onDemandCount >= MAX_ON_DEMAND_ROTATIONS) {
        throw new LimitExceededException(
          `The on-demand rotations limit has been reached for the given keyId. No more on-demand rotations can be performed for this key: ${k.arn}`,
        )
      }
      if (material) {
        addVersion(k, material, ctx.call.now, 'ON_DEMAND')
      } else {
        const pending = k.versions.find((v) => v.pendingRotation)
        if (!pending) throw new KMSInvalidStateException(`${k.arn} has no key material in PENDING_ROTATION state: import new key material (ImportType NEW_KEY_MATERIAL) first`)
        // Pending material that expired (or was never re-imported) cannot become current: nothing could encrypt.
        if (!hasMaterial(pending)) throw new KMSInvalidStateException(`The key material ${pending.keyMaterialId} in PENDING_ROTATION state of ${k.arn} has expired: import it again first`)
        // The pending material becomes current: it moves to the end of the list, keeping its version number.
        k.versions = [...k.versions.filter((v) => v !== pending), pending]
        delete pending.pendingRotation
        pending.rotationType = 'ON_DEMAND'
        pending.createdAt = ctx.call.now
      }
      k.rotation.onDemandCount += 1
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
    if (key.keySpec !== 'SYMMETRIC_DEFAULT') throw new UnsupportedOperationException(`ListKeyRotations is supported only for symmetric encryption KMS keys; ${key.arn} is ${key.keySpec}`)
    const current = currentVersion(key)?.version
    const listed = (r.IncludeKeyMaterial ?? 'ROTATIONS_ONLY') === 'ROTATIONS_ONLY' ? key.versions.filter((v) => v.rotationType) : key.versions
    const page = paginate(listed, (v) => String(v.version).padStart(10, '0'), r.Limit ?? 100, r.Marker, (m) => /^\d{10}$/.test(m))
    return {
      Rotations: page.items.map((v) => {
        const entry: T.RotationsListEntry = {
          KeyId: key.arn,
          KeyMaterialId: v.keyMaterialId,
          KeyMaterialState: v.pendingRotation ? 'PENDING_ROTATION' : v.version === current ? 'CURRENT' : 'NON_CURRENT',
        }
        if (!v.pendingRotation) entry.RotationDate = v.createdAt
        if (v.rotationType) entry.RotationType = v.rotationType
        if (key.origin === 'EXTERNAL' && v.imported) {
          entry.ImportState = hasMaterial(v) ? 'IMPORTED' : 'PENDING_IMPORT'
          entry.ExpirationModel = v.imported.expirationModel
          if (v.imported.validTo) entry.ValidTo = v.imported.validTo
          if (v.imported.description !== undefined) entry.KeyMaterialDescription = v.imported.description
        }
        return entry
      }),
      ...pageOut(page),
    }
  },
})
