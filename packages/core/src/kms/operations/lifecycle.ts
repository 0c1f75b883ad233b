/**
 * Key lifecycle: ListKeys, UpdateKeyDescription, EnableKey, DisableKey, ScheduleKeyDeletion,
 * CancelKeyDeletion (KMS API Reference; states per kms/keyStates.ts). Administration, not the
 * path of every call: its module loads on first call (operations/index.ts).
 */
import type { KeyRecord } from '../../keystore/records.js'
import { UUID_PATTERN } from '../../util/bytes.js'
import { addDays, lacksMaterial } from '../keyTimeline.js'
import { addVersion, newMaterial } from '../keyVersions.js'
import { defineOperation, noTarget } from '../operation.js'
import { paginate, pageOut } from '../paging.js'
import { integer, string } from '../request/schema.js'
import type * as T from '../types.js'
import { changeKey, DESCRIPTION, keyIdMember, onKey, pagingMembers, resolveKey } from './common.js'

export const listKeys = defineOperation<T.ListKeysRequest, T.ListKeysResponse>()({
  name: 'ListKeys',
  schema: pagingMembers(1000),
  resolve: noTarget,
  permissions: () => [{ on: '*' }],
  async run({ engine, call }, r) {
    await engine.settle(call)
    const keys = await engine.store.transaction('readonly', (tx) => tx.listKeys())
    const page = paginate(keys, (k) => k.keyId, r.Limit ?? 100, r.Marker, (m) => UUID_PATTERN.test(m))
    return { Keys: page.items.map((k) => ({ KeyId: k.keyId, KeyArn: k.arn })), ...pageOut(page) }
  },
})

export const updateKeyDescription = defineOperation<T.UpdateKeyDescriptionRequest, T.EmptyResponse>()({
  name: 'UpdateKeyDescription',
  schema: { KeyId: keyIdMember(), Description: string(DESCRIPTION, { required: true }) },
  resolve: resolveKey(false),
  permissions: onKey,
  async run(ctx, r, { key }) {
    await changeKey(ctx, key, 'UpdateKeyDescription', (k) => {
      k.description = r.Description
    })
    return {}
  },
})

export const enableKey = defineOperation<T.KeyIdRequest, T.EmptyResponse>()({
  name: 'EnableKey',
  schema: { KeyId: keyIdMember() },
  resolve: resolveKey(false),
  permissions: onKey,
  async run(ctx, _r, { key }) {
    const { engine, call } = ctx
    // AWS does not rotate a disabled key; when it is enabled again after its rotation date has
    // passed, it is rotated at once. Make the material now, outside the store transaction.
    const overdue = (k: KeyRecord) => k.rotation.enabled && !!k.rotation.nextRotationDate && k.rotation.nextRotationDate <= call.now
    const material = overdue(key) ? await newMaterial(engine, key) : undefined
    await changeKey(ctx, key, 'EnableKey', (k) => {
      if (k.keyState === 'Enabled') return
      k.keyState = 'Enabled'
      if (material && overdue(k)) {
        addVersion(k, material, call.now, 'AUTOMATIC')
        k.rotation.nextRotationDate = addDays(call.now, k.rotation.periodInDays)
      }
    })
    return {}
  },
})

export const disableKey = defineOperation<T.KeyIdRequest, T.EmptyResponse>()({
  name: 'DisableKey',
  schema: { KeyId: keyIdMember() },
  resolve: resolveKey(false),
  permissions: onKey,
  async run(ctx, _r, { key }) {
    await changeKey(ctx, key, 'DisableKey', (k) => {
      k.keyState = 'Disabled'
    })
    return {}
  },
})

/** The waiting period is 7 to 30 days, 30 by default (ScheduleKeyDeletion API reference). */
export const scheduleKeyDeletion = defineOperation<T.ScheduleKeyDeletionRequest, T.ScheduleKeyDeletionResponse>()({
  name: 'ScheduleKeyDeletion',
  schema: { KeyId: keyIdMember(), PendingWindowInDays: integer(7, 30) },
  resolve: resolveKey(false),
  permissions: onKey,
  async run(ctx, r, { key }) {
    const days = r.PendingWindowInDays ?? 30
    const deletionDate = addDays(ctx.call.now, days)
    await changeKey(ctx, key, 'ScheduleKeyDeletion', (k) => {
      k.keyState = 'PendingDeletion'
      k.deletionDate = deletionDate
      k.pendingWindowInDays = days
    })
    return { KeyId: key.arn, DeletionDate: deletionDate, KeyState: 'PendingDeletion', PendingWindowInDays: days }
  },
})

/**
 * A key whose deletion is cancelled is left Disabled, as in AWS: enable it explicitly. A key
 * with imported material it no longer has (never imported, or deleted meanwhile) goes back to
 * PendingImport instead: "The PendingImport state applies only to KMS keys with imported key
 * material" whose material is missing (Key states, AWS KMS Developer Guide), and it cannot be
 * enabled before material is imported.
 */
export const cancelKeyDeletion = defineOperation<T.KeyIdRequest, T.CancelKeyDeletionResponse>()({
  name: 'CancelKeyDeletion',
  schema: { KeyId: keyIdMember() },
  resolve: resolveKey(false),
  permissions: onKey,
  async run(ctx, _r, { key }) {
    await changeKey(ctx, key, 'CancelKeyDeletion', (k) => {
      k.keyState = k.origin === 'EXTERNAL' && (k.versions.length === 0 || lacksMaterial(k)) ? 'PendingImport' : 'Disabled'
      delete k.deletionDate
      delete k.pendingWindowInDays
    })
    return { KeyId: key.arn }
  },
})
