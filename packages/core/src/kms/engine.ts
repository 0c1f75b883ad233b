/**
 * The engine's shared machinery: finding keys by any form of KeyId and making the clock's
 * consequences happen (automatic rotation, the end of a deletion window). The operations in
 * ./operations are written on top of it; callPath.ts runs them.
 *
 * Time only moves when the injected clock says so: every call reads `now` once, and before a
 * key is used, whatever fell due by then (a rotation date, a deletion date) is applied, with
 * the date it fell due. Nothing runs on a timer.
 */
import { NotFoundException } from './errors.js'
import type { KeyStore, KeyStoreTransaction } from '../keystore/KeyStore.js'
import type { KeyRecord, KeyVersionRecord, RotationType } from '../keystore/records.js'
import type { VersionMaterial } from './crypto/versionMaterial.js'
import type { RecoveryKey } from './recovery/recoveryKey.js'
import { BlobKeys } from './crypto/blobKeys.js'
import { webCryptoBlobCipher, type BlobCipher } from './crypto/blobCipher.js'
import { nativeAesGcm } from '../util/nativeCrypto.js'
import { toHex, uuidFromRandom } from '../util/bytes.js'
import type { AuditTrail } from './audit/trail.js'
import { serviceEvent } from './audit/events.js'
import type { Authorizer } from './authorization.js'
import type { ResolvedCaller } from './caller.js'
import { aliasArn, keyArn, parseKeyReference, type Account, type KeyReference } from './keyIds.js'

export const DAY_MS = 24 * 60 * 60 * 1000
export const addDays = (d: Date, days: number) => new Date(d.getTime() + days * DAY_MS)

/** One call: its operation, the single instant it happens at, and who makes it. What it asked is the handler's validated request. */
export interface Call {
  operation: string
  now: Date
  caller: ResolvedCaller
}

/** What crypto/versionMaterial.ts gives the engine. */
export type VersionMaterialModule = Pick<typeof import('./crypto/versionMaterial.js'), 'generateVersionMaterial' | 'materialFormat'>

/** What crypto/nativeBlobCipher.ts gives the engine. */
export type NativeBlobCipherModule = Pick<typeof import('./crypto/nativeBlobCipher.js'), 'blobCipherFor'>

/** The modules the engine loads when first needed. The `import()`s are in createKms.ts, not here: policy/parser.ts says why. */
export interface EngineModules {
  /**
   * Making key material, with the first new key or rotation: an engine that only uses the keys
   * it has never loads it. Loaded once, and a failed load tried again by the next call
   * (util/loadOnce.ts), which fails meanwhile.
   */
  versionMaterial: () => Promise<VersionMaterialModule>
  /** The runtime's own AES-GCM for blobs, only where it has one: never in browsers. Loaded as above; while it cannot load, blobs use WebCrypto's. */
  nativeBlobCipher: () => Promise<NativeBlobCipherModule>
}

export class Engine {
  /** The derived keys of blob format 2, this engine's own (crypto/blobKeys.ts). */
  readonly blobKeys: BlobKeys

  constructor(
    readonly store: KeyStore,
    readonly random: (n: number) => Uint8Array,
    readonly account: Account,
    readonly authorizer: Authorizer,
    readonly audit: AuditTrail,
    private readonly modules: EngineModules,
    /** When set, every new key material is also sealed to this key (kms/recovery). */
    readonly recovery?: Promise<RecoveryKey>,
  ) {
    this.blobKeys = new BlobKeys(random)
  }

  /** The native blob cipher's module, once loaded. */
  #nativeBlobCipher: NativeBlobCipherModule | undefined

  /**
   * The cipher for a blob: the runtime's own AES-GCM where it has one (looked up on every call,
   * so a runtime without it, or a test that takes it away, gets WebCrypto's), else WebCrypto's.
   */
  blobCipher(): BlobCipher | Promise<BlobCipher> {
    const native = nativeAesGcm()
    if (!native) return webCryptoBlobCipher
    if (this.#nativeBlobCipher) return this.#nativeBlobCipher.blobCipherFor(native)
    return this.modules.nativeBlobCipher().then(
      (m) => (this.#nativeBlobCipher = m).blobCipherFor(native),
      () => webCryptoBlobCipher,
    )
  }

  keyArn = (keyId: string) => keyArn(this.account, keyId)
  aliasArn = (aliasName: string) => aliasArn(this.account, aliasName)

  /**
   * Resolves a KeyId (key ID, key ARN and, when `allowAlias`, alias name or alias ARN) to its
   * key after applying whatever fell due by `call.now`. Throws NotFoundException when there is
   * no such key, including a key whose deletion window has passed. Decides nothing about access:
   * the call path authorizes what an operation resolves.
   */
  async findKey(call: Call, keyId: string, allowAlias: boolean): Promise<KeyRecord> {
    const ref = parseKeyReference(this.account, keyId, allowAlias)
    let key = await this.store.transaction('readonly', (tx) => this.lookup(tx, ref))
    if (hasDueWork(key, call.now)) {
      await this.settle(call, [key.keyId])
      key = await this.store.transaction('readonly', (tx) => this.lookup(tx, ref))
    }
    return key
  }

  /** Resolves a reference inside a transaction; throws NotFoundException. */
  async lookup(tx: KeyStoreTransaction, ref: KeyReference): Promise<KeyRecord> {
    let keyId: string
    if (ref.kind === 'alias') {
      const alias = await tx.getAlias(ref.aliasName)
      if (!alias) throw new NotFoundException(`Alias ${this.aliasArn(ref.aliasName)} is not found.`)
      keyId = alias.targetKeyId
    } else {
      keyId = ref.keyId
    }
    const key = await tx.getKey(keyId)
    if (!key) throw new NotFoundException(`Key '${this.keyArn(keyId)}' does not exist`)
    return key
  }

  /**
   * Inside a write: re-reads the key (another tab may have changed it since it was resolved),
   * lets `mutate` change it synchronously, and stores it. If `mutate` throws, the write throws.
   */
  async updateKey<R>(tx: KeyStoreTransaction, keyId: string, mutate: (key: KeyRecord) => R): Promise<R> {
    const key = await tx.getKey(keyId)
    if (!key) throw new NotFoundException(`Key '${this.keyArn(keyId)}' does not exist`)
    const result = mutate(key)
    await tx.putKey(key)
    return result
  }

  /** Applies due rotations and deletions to the given keys (all keys when omitted). */
  async settle(call: Call, keyIds?: string[]): Promise<void> {
    const keys = await this.store.transaction('readonly', async (tx) =>
      keyIds ? (await Promise.all(keyIds.map((id) => tx.getKey(id)))).filter((k) => k !== undefined) : tx.listKeys(),
    )
    const due = keys.filter((k) => hasDueWork(k, call.now))
    if (due.length === 0) return
    // WebCrypto first, outside the transaction; then one atomic write.
    const fresh = new Map<string, NewMaterial[]>()
    for (const key of due) {
      const n = dueRotations(key, call.now).length
      fresh.set(key.keyId, await Promise.all(Array.from({ length: n }, () => this.newMaterial(key))))
    }
    await this.audit.appendable()
    await this.store.transaction('readwrite', async (tx) => {
      for (const { keyId } of due) {
        const key = await tx.getKey(keyId) // re-read: another caller may have settled it already
        if (!key) continue
        if (isDeletionDue(key, call.now)) {
          await this.destroyKey(tx, keyId)
          await this.audit.append(tx, serviceEvent(this.account, 'DeleteKey', key.arn, key.deletionDate!, this.eventIds()), call.now)
          continue
        }
        const expired = expiredVersions(key, call.now)
        if (expired.length) {
          // AWS deletes expired imported material; the key is unusable until it is imported again.
          for (const v of expired) dropMaterial(v)
          this.blobKeys.forget(keyId)
          if (key.keyState !== 'PendingDeletion' && lacksMaterial(key)) key.keyState = 'PendingImport'
          await tx.putKey(key)
          for (const v of expired) await this.audit.append(tx, serviceEvent(this.account, 'DeleteExpiredKeyMaterial', key.arn, v.imported!.validTo!, this.eventIds()), call.now)
        }
        const dates = dueRotations(key, call.now)
        const materials = fresh.get(keyId) ?? []
        const n = Math.min(dates.length, materials.length)
        if (n === 0) continue
        for (let i = 0; i < n; i++) this.addVersion(key, materials[i]!, dates[i]!, 'AUTOMATIC')
        key.rotation.nextRotationDate = addDays(dates[n - 1]!, key.rotation.periodInDays)
        await tx.putKey(key)
        for (let i = 0; i < n; i++) await this.audit.append(tx, serviceEvent(this.account, 'RotateKey', key.arn, dates[i]!, this.eventIds()), call.now)
      }
    })
  }

  /** Fresh request and event IDs for an audit event. */
  eventIds() {
    const bytes = this.random(32)
    return { requestID: uuidFromRandom(bytes.subarray(0, 16)), eventID: uuidFromRandom(bytes.subarray(16)) }
  }

  /** The end of a deletion window: the key, all its material, its aliases and its grants are gone. */
  private async destroyKey(tx: KeyStoreTransaction, keyId: string): Promise<void> {
    this.blobKeys.forget(keyId)
    await tx.deleteKey(keyId)
    await tx.deleteMeta(importTokensMetaId(keyId))
    for (const grant of await tx.listGrants(keyId)) await tx.deleteGrant(grant.grantId)
    for (const alias of await tx.listAliases()) {
      if (alias.targetKeyId === keyId) await tx.deleteAlias(alias.aliasName)
    }
  }

  /**
   * New material for a version of `key` (its spec and usage), with a random KeyMaterialId and,
   * when the engine has a recovery key, the recovery copy. Call outside store transactions.
   */
  async newMaterial(key: Pick<KeyRecord, 'arn' | 'keySpec' | 'keyUsage'>): Promise<NewMaterial> {
    const keyMaterialId = toHex(this.random(32))
    const seal = (await this.recovery) && ((bytes: Uint8Array) => this.recoveryCopy(key, keyMaterialId, bytes) as Promise<string>)
    const { generateVersionMaterial } = await this.modules.versionMaterial()
    return { keyMaterialId, ...(await generateVersionMaterial(this.store, key.keySpec, key.keyUsage, seal || undefined)) }
  }

  /** The recovery copy of material's bytes, or undefined when the engine has no recovery key. */
  async recoveryCopy(key: Pick<KeyRecord, 'arn' | 'keySpec'>, keyMaterialId: string, bytes: Uint8Array): Promise<string | undefined> {
    const recovery = await this.recovery
    if (!recovery) return undefined
    const { materialFormat } = await this.modules.versionMaterial()
    return recovery.seal({ key: key.arn, kmid: keyMaterialId, spec: key.keySpec, fmt: materialFormat(key.keySpec) }, bytes)
  }

  newVersion(version: number, made: NewMaterial, createdAt: Date, rotationType?: RotationType): KeyVersionRecord {
    const v: KeyVersionRecord = { version, keyMaterialId: made.keyMaterialId, createdAt }
    if (made.material) v.material = made.material
    if (made.privateKeys) v.privateKeys = made.privateKeys
    if (made.publicKey) v.publicKey = made.publicKey
    if (made.recovery) v.recovery = made.recovery
    if (rotationType) v.rotationType = rotationType
    return v
  }

  /** Appends a new current version to `key` (in memory; the caller stores it). */
  addVersion(key: KeyRecord, made: NewMaterial, createdAt: Date, rotationType: RotationType): void {
    key.versions.push(this.newVersion(nextVersionNumber(key), made, createdAt, rotationType))
  }
}

/** Material for a new version, before it has a number. */
export interface NewMaterial extends VersionMaterial {
  keyMaterialId: string
  recovery?: string
}

/** Where a key's outstanding import parameters (GetParametersForImport) are kept. */
export const importTokensMetaId = (keyId: string) => `import-tokens/${keyId}`

export const nextVersionNumber = (key: KeyRecord) => key.versions.reduce((n, v) => Math.max(n, v.version), 0) + 1

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

const isDeletionDue = (key: KeyRecord, now: Date) =>
  key.keyState === 'PendingDeletion' && key.deletionDate !== undefined && key.deletionDate.getTime() <= now.getTime()

/**
 * The automatic rotations that fell due by `now`, each at its own date. AWS rotates only
 * Enabled keys: a disabled key or one pending deletion keeps its due date, and EnableKey
 * rotates it at once if that date has passed (operations/keys.ts).
 */
export function dueRotations(key: KeyRecord, now: Date): Date[] {
  const { enabled, nextRotationDate, periodInDays } = key.rotation
  if (key.keyState !== 'Enabled' || !enabled || !nextRotationDate) return []
  const dates: Date[] = []
  for (let d = nextRotationDate; d.getTime() <= now.getTime(); d = addDays(d, periodInDays)) dates.push(d)
  return dates
}

const hasDueWork = (key: KeyRecord, now: Date) => isDeletionDue(key, now) || dueRotations(key, now).length > 0 || expiredVersions(key, now).length > 0
