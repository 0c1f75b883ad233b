/**
 * A section's own key, found by its alias (`alias/demo-<section>-...`) and made only when it is
 * missing, so a section shows what the engine holds however often it is rebuilt (language
 * switch, coming back). A key another section's clock left disabled or pending deletion is
 * brought back to Enabled, so the section's buttons work (unless the section shows that state).
 */
import type { CreateKeyRequest, KeyMetadata } from '@webkms/core'
import type { WorkerKms } from '@webkms/worker'

export interface KeyByAliasOptions {
  /** Called once on a key just made (enable rotation, import material ...). */
  made?: (key: KeyMetadata) => Promise<unknown>
  /** Bring a disabled or pending-deletion key back to Enabled (default true). */
  revive?: boolean
}

export async function keyByAlias(kms: WorkerKms, alias: string, create: CreateKeyRequest, { made, revive = true }: KeyByAliasOptions = {}): Promise<KeyMetadata> {
  try {
    const key = (await kms.describeKey({ KeyId: alias })).KeyMetadata!
    if (!revive) return key
    if (key.KeyState === 'PendingDeletion') await kms.cancelKeyDeletion({ KeyId: key.KeyId })
    if (key.KeyState === 'PendingDeletion' || key.KeyState === 'Disabled') {
      await kms.enableKey({ KeyId: key.KeyId })
      return (await kms.describeKey({ KeyId: key.KeyId })).KeyMetadata!
    }
    return key
  } catch (e) {
    if ((e as Error).name !== 'NotFoundException') throw e
  }
  const key = (await kms.createKey(create)).KeyMetadata!
  try {
    await kms.createAlias({ AliasName: alias, TargetKeyId: key.KeyId })
  } catch (e) {
    // Another rendering of the section made it first: use that one.
    if ((e as Error).name === 'AlreadyExistsException') return (await kms.describeKey({ KeyId: alias })).KeyMetadata!
    throw e
  }
  await made?.(key)
  return key
}
