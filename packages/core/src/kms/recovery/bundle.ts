/**
 * Keys that survive a lost store. An engine given a recovery public key (createKms's
 * `recovery`) seals every key material it makes or imports to that key (recovery/jwe.ts) and
 * keeps the copy beside the material. `ExportRecoveryBundle` collects everything a store would
 * need to be rebuilt: keys with their versions' recovery copies (and public keys), key
 * policies, aliases and grants. (Identity policies are the IAM stand-in's configuration, not the
 * store's keys: createKms's `identityPolicies` sets them again.) The bundle holds no usable
 * secret without the recovery private key, so it may be stored outside the browser (an app's
 * server, a download), as it must be: losing the store loses the copies in it. Nothing signs it,
 * though: whoever can change a bundle can change its policies and grants, or seal material of
 * their own under a key ID (the public key is not secret). Keep it where only its owner can
 * change it, as a database backup.
 *
 * `restoreRecoveryBundle` runs where the recovery private key is brought (the worker, or a
 * Node script; the keys, when the engine's recovery key was replaced: `sealedTo` lists the
 * keys a bundle's copies are sealed to): it opens each copy, checks it names the key, KeyMaterialId and spec it is
 * restored as, and writes the records into a store as non-extractable keys, with one audit
 * event, in one transaction: all of it or none. Ciphertexts, signatures and MACs made before
 * work again, since the same material is back under the same key IDs and versions.
 */
import { RecoveryError } from './errors.js'
import type { KeyStore } from '../../keystore/KeyStore.js'
import type { AliasRecord, GrantRecord, KeyRecord, KeyVersionRecord } from '../../keystore/records.js'
import { fromBase64, toBase64, uuidFromRandom } from '../../util/bytes.js'
import { AuditTrail } from '../audit/trail.js'
import { apiCallEvent } from '../audit/events.js'
import { rootCaller } from '../caller.js'
import { importVersionMaterial } from '../crypto/versionMaterial.js'
import { SPECS } from '../keySpecs.js'
import { keyArn, type Account } from '../keyIds.js'
import { openJwe, readJweHeader } from './jwe.js'

/**
 * The `format` of a {@link RecoveryBundle}, `webkms-recovery-1`: {@link restoreRecoveryBundle}
 * refuses a bundle of any other with `RecoveryError` (`ERR_WEBKMS_RECOVERY`).
 */
export const RECOVERY_BUNDLE_FORMAT = 'webkms-recovery-1'


/** A key version as a bundle carries it: metadata, the public key, the recovery copy. */
export interface BundledVersion {
  version: number
  keyMaterialId: string
  createdAt: string
  rotationType?: KeyVersionRecord['rotationType']
  pendingRotation?: boolean
  imported?: { expirationModel: string; validTo?: string; importedAt: string; description?: string }
  /** Base64 DER SubjectPublicKeyInfo (RSA and ECC keys). */
  publicKey?: string
  /** The JWE recovery copy; absent when the version had no material or was made before the engine had a recovery key. */
  recovery?: string
}

/** A key as a bundle carries it: its record, dates as ISO strings, versions without key material. */
export type BundledKey = Omit<KeyRecord, 'creationDate' | 'deletionDate' | 'rotation' | 'versions'> & {
  creationDate: string
  deletionDate?: string
  rotation: Omit<KeyRecord['rotation'], 'nextRotationDate'> & { nextRotationDate?: string }
  versions: BundledVersion[]
}

/**
 * What `kms.exportRecoveryBundle()` returns (webkms's own ExportRecoveryBundle operation): the
 * store's keys with their versions' recovery copies, key policies, tags, aliases and grants, as
 * JSON data, for {@link restoreRecoveryBundle} to rebuild a store from. Without the recovery
 * private key it holds no usable secret, so it may be kept outside the browser; but nothing
 * signs it, so keep it where only its owner can change it. The operation rejects with
 * `UnsupportedOperationException` (`ERR_KMS_UNSUPPORTED_OPERATION`) on an engine created
 * without `recovery`.
 *
 * @example
 * ```ts
 * import { createKms, type RecoveryBundle } from '@webkms/core'
 *
 * declare const recoveryPublicJwk: JsonWebKey
 * const kms = createKms({ recovery: { publicKey: recoveryPublicJwk } })
 * const bundle: RecoveryBundle = await kms.exportRecoveryBundle()
 * if (bundle.unrecoverable.length) console.warn('material made before the recovery key cannot be restored', bundle.unrecoverable)
 * await fetch('/backups/kms', { method: 'PUT', body: JSON.stringify(bundle) })
 * ```
 */
export interface RecoveryBundle {
  /** `webkms-recovery-1`. */
  format: typeof RECOVERY_BUNDLE_FORMAT
  /** When the bundle was made (ISO 8601). */
  exportedAt: string
  /** The account, region and partition the keys' ARNs name. */
  account: Account
  /** Every key with its metadata, policy, tags and versions; material only as recovery copies. */
  keys: BundledKey[]
  aliases: (Omit<AliasRecord, 'creationDate' | 'lastUpdatedDate'> & { creationDate: string; lastUpdatedDate: string })[]
  grants: (Omit<GrantRecord, 'creationDate'> & { creationDate: string })[]
  /** Versions that hold material but have no recovery copy (made before the engine had a recovery key): a restore cannot bring them back. */
  unrecoverable: { keyArn: string; keyMaterialId: string }[]
  /**
   * The recovery keys the copies are sealed to, as RFC 7638 thumbprints (each copy's JWE `kid`),
   * by the first material sealed to each, oldest first: more than one when the engine's recovery key was replaced
   * (material keeps the copy made when it was). A restore needs the private key of each.
   * Absent in bundles made before webkms listed them.
   */
  sealedTo?: string[]
}

const iso = (d: Date) => d.toISOString()
const hasMaterial = (v: KeyVersionRecord) => v.material !== undefined || v.privateKeys !== undefined

/** The bundle of everything in a store (the ExportRecoveryBundle operation). */
export async function exportBundle(store: KeyStore, account: Account, now: Date): Promise<RecoveryBundle> {
  const { keys, aliases, grants } = await store.transaction('readonly', async (tx) => ({ keys: await tx.listKeys(), aliases: await tx.listAliases(), grants: await tx.listAllGrants() }))
  const unrecoverable: RecoveryBundle['unrecoverable'] = []
  /** Each kid, and when the first material sealed to it was made. */
  const sealedTo = new Map<string, number>()
  const bundledKeys = keys.map((k): BundledKey => {
    const { versions, creationDate, deletionDate, rotation, ...rest } = k
    const { nextRotationDate, ...rot } = rotation
    return {
      ...rest,
      creationDate: iso(creationDate),
      ...(deletionDate ? { deletionDate: iso(deletionDate) } : {}),
      rotation: { ...rot, ...(nextRotationDate ? { nextRotationDate: iso(nextRotationDate) } : {}) },
      versions: versions.map((v) => {
        if (hasMaterial(v) && !v.recovery) unrecoverable.push({ keyArn: k.arn, keyMaterialId: v.keyMaterialId })
        const out: BundledVersion = { version: v.version, keyMaterialId: v.keyMaterialId, createdAt: iso(v.createdAt) }
        if (v.rotationType) out.rotationType = v.rotationType
        if (v.pendingRotation) out.pendingRotation = true
        if (v.imported) {
          const { validTo, importedAt, ...imp } = v.imported
          out.imported = { ...imp, importedAt: iso(importedAt), ...(validTo ? { validTo: iso(validTo) } : {}) }
        }
        if (v.publicKey) out.publicKey = toBase64(v.publicKey)
        if (v.recovery && hasMaterial(v)) {
          out.recovery = v.recovery
          try {
            const kid = readJweHeader(v.recovery).kid
            sealedTo.set(kid, Math.min(sealedTo.get(kid) ?? Infinity, v.createdAt.getTime()))
          } catch {
            // A damaged copy names no key: the bundle still carries it, and a restore refuses it.
          }
        }
        return out
      }),
    }
  })
  return {
    format: RECOVERY_BUNDLE_FORMAT,
    exportedAt: iso(now),
    account,
    keys: bundledKeys,
    aliases: aliases.map((a) => ({ ...a, creationDate: iso(a.creationDate), lastUpdatedDate: iso(a.lastUpdatedDate) })),
    grants: grants.map((g) => ({ ...g, creationDate: iso(g.creationDate) })),
    unrecoverable,
    sealedTo: [...sealedTo].sort((x, y) => x[1] - y[1]).map(([kid]) => kid),
  }
}

/** The options of {@link restoreRecoveryBundle}. */
export interface RestoreOptions {
  /**
   * The recovery private key: RSA-OAEP with SHA-256, usage "decrypt" (it may be
   * non-extractable); or several, when the bundle's copies are sealed to several
   * (`bundle.sealedTo`): each copy is opened with the one it was sealed to.
   */
  privateKey: CryptoKey | readonly CryptoKey[]
  /** The store to restore into; none of the bundle's keys or aliases may be in it. */
  keyStore: KeyStore
  /** The clock for the audit event. Default: the system clock. */
  now?: () => Date
}

/** What {@link restoreRecoveryBundle} wrote into the store. */
export interface RestoreResult {
  /** The ARNs of the keys restored. */
  keys: string[]
  /** Versions whose material came back. */
  restoredVersions: number
  /**
   * Versions restored without material (no recovery copy). An imported key with one is
   * PendingImport until the material is imported again; a key KMS made is PendingImport only
   * when its current version is among them (otherwise only these versions' ciphertexts are lost).
   */
  unrecoverable: { keyArn: string; keyMaterialId: string }[]
}

const fail = (message: string, cause?: unknown): never => {
  throw new RecoveryError(message, cause === undefined ? undefined : { cause })
}
/** A bundle is read from outside (a file, a server): every record is checked before it is used. */
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v)
const date = (s: unknown, what: string): Date => {
  const d = typeof s === 'string' ? new Date(s) : new Date(Number.NaN)
  return Number.isFinite(d.getTime()) ? d : fail(`${what} is not an ISO 8601 date`)
}

/**
 * Opens copies with whichever of the private keys they were sealed to. A private key's `kid`
 * cannot be read from it (it may be non-extractable), so each is tried until one opens a copy
 * (RSA-OAEP and then AES-GCM refuse the wrong key); the one that opened a copy is tried first
 * for the next copy naming the same `kid`, then the others (a bundle's `kid`s are not
 * authenticated: a copy that lies about its own must not stop the next one opening).
 */
function copyOpener(privateKeys: CryptoKey[]) {
  const byKid = new Map<string, CryptoKey>()
  return async (jwe: string, kid: string, what: string): Promise<Uint8Array> => {
    const known = byKid.get(kid)
    let last: unknown
    for (const key of known ? [known, ...privateKeys.filter((k) => k !== known)] : privateKeys) {
      try {
        const { plaintext } = await openJwe(jwe, key)
        byKid.set(kid, key)
        return plaintext
      } catch (error) {
        last = error
      }
    }
    const given = privateKeys.length === 1 ? 'this private key' : `any of the ${privateKeys.length} private keys given`
    return fail(`${what} does not open with ${given} (it is sealed to kid ${kid})`, last)
  }
}

/**
 * Rebuilds a store from a recovery bundle with the recovery private key (see the top of this
 * file). Rejects with RecoveryError, having written nothing, when the bundle is malformed, a copy
 * does not open with `privateKey` or names another key, material or spec, or the store already
 * has one of the keys or aliases.
 */
export async function restoreRecoveryBundle(bundle: RecoveryBundle, options: RestoreOptions): Promise<RestoreResult> {
  const { privateKey, keyStore } = options ?? ({} as RestoreOptions)
  // Array.from: a sparse list's holes are undefined, and so refused, not skipped.
  const privateKeys: readonly unknown[] = Array.isArray(privateKey) ? Array.from(privateKey as readonly unknown[]) : [privateKey]
  const isPrivateKey = (k: unknown): k is CryptoKey => typeof CryptoKey !== 'undefined' && k instanceof CryptoKey && k.type === 'private' && k.algorithm.name === 'RSA-OAEP'
  if (privateKeys.length === 0 || !privateKeys.every(isPrivateKey)) {
    throw new TypeError('"privateKey" expected the RSA-OAEP recovery private key (a CryptoKey with usage "decrypt"), or a non-empty list of them')
  }
  const opener = copyOpener(privateKeys as CryptoKey[])
  if (!keyStore || typeof keyStore.transaction !== 'function') throw new TypeError('"keyStore" expected a KeyStore')
  if (!bundle || typeof bundle !== 'object' || bundle.format !== RECOVERY_BUNDLE_FORMAT) fail(`not a recovery bundle (format ${RECOVERY_BUNDLE_FORMAT})`)
  if (![bundle.keys, bundle.aliases, bundle.grants].every(Array.isArray) || typeof bundle.account?.accountId !== 'string') fail('the recovery bundle lacks its account, keys, aliases or grants')
  const now = (options.now ?? (() => new Date()))()

  const keys: KeyRecord[] = []
  const unrecoverable: RestoreResult['unrecoverable'] = []
  let restoredVersions = 0
  // WebCrypto first (opening copies, making non-extractable keys); then one atomic write.
  for (const b of bundle.keys) {
    const spec = isObject(b) ? SPECS[b.keySpec] : undefined
    if (!spec || !spec.usages.includes(b.keyUsage) || typeof b.arn !== 'string' || typeof b.keyId !== 'string' || !Array.isArray(b.versions) || !isObject(b.rotation)) {
      fail(`key ${String(isObject(b) ? b.arn : b)} has no supported spec, usage, ID, rotation or versions`)
    }
    // The copies are bound to the ARN: the key ID they are restored under must be the ARN's.
    if (b.arn !== keyArn(bundle.account, b.keyId)) fail(`key ${b.arn} is listed with key ID ${b.keyId}`)
    const versions: KeyVersionRecord[] = []
    for (const bv of b.versions) {
      if (!isObject(bv) || !Number.isSafeInteger(bv.version) || typeof bv.keyMaterialId !== 'string' || (bv.imported !== undefined && !isObject(bv.imported))) fail(`a version of ${b.arn} has no number or KeyMaterialId`)
      // Each number and each material once: a copy is bound to its KeyMaterialId, not to its
      // number (sealed before the version has one), and blobs name their version by number.
      if (versions.some((v) => v.version === bv.version || v.keyMaterialId === bv.keyMaterialId)) fail(`${b.arn} lists version ${bv.version} or material ${bv.keyMaterialId} twice`)
      const v: KeyVersionRecord = { version: bv.version, keyMaterialId: bv.keyMaterialId, createdAt: date(bv.createdAt, `version ${bv.version} of ${b.arn}: createdAt`) }
      if (bv.rotationType) v.rotationType = bv.rotationType
      if (bv.pendingRotation) v.pendingRotation = true
      if (bv.imported) {
        v.imported = { expirationModel: bv.imported.expirationModel as 'KEY_MATERIAL_EXPIRES', importedAt: date(bv.imported.importedAt, 'importedAt') }
        if (bv.imported.validTo) v.imported.validTo = date(bv.imported.validTo, 'validTo')
        if (bv.imported.description !== undefined) v.imported.description = bv.imported.description
      }
      if (bv.publicKey) v.publicKey = fromBase64(bv.publicKey)
      if (bv.recovery) {
        let header
        try {
          header = readJweHeader(bv.recovery)
        } catch (error) {
          fail(`the recovery copy of ${b.arn} material ${bv.keyMaterialId} is malformed`, error)
        }
        if (header!.key !== b.arn || header!.kmid !== bv.keyMaterialId || header!.spec !== b.keySpec) {
          fail(`the recovery copy listed for ${b.arn} material ${bv.keyMaterialId} is sealed for ${header!.key} material ${header!.kmid} (${header!.spec})`)
        }
        const plaintext = await opener(bv.recovery, header!.kid, `the recovery copy of ${b.arn} material ${bv.keyMaterialId}`)
        try {
          const made = await importVersionMaterial(keyStore, b.keySpec, b.keyUsage, plaintext)
          if (made.publicKey && v.publicKey && toBase64(made.publicKey) !== toBase64(v.publicKey)) fail(`the recovered private key of ${b.arn} does not match its public key`)
          Object.assign(v, made)
          v.recovery = bv.recovery
          restoredVersions++
        } catch (error) {
          if (error instanceof RecoveryError) throw error
          fail(`the recovered material of ${b.arn} is not a ${b.keySpec} key`, error)
        } finally {
          plaintext.fill(0)
        }
      } else {
        unrecoverable.push({ keyArn: b.arn, keyMaterialId: bv.keyMaterialId })
      }
      versions.push(v)
    }
    const { creationDate, deletionDate, rotation, ...rest } = b
    const { nextRotationDate, ...rot } = rotation
    const key: KeyRecord = {
      ...rest,
      creationDate: date(creationDate, `${b.arn}: creationDate`),
      rotation: { ...rot, ...(nextRotationDate ? { nextRotationDate: date(nextRotationDate, 'nextRotationDate') } : {}) },
      versions,
    }
    if (deletionDate) key.deletionDate = date(deletionDate, 'deletionDate')
    // Imported keys without all their material wait for it to be imported again (as after expiry).
    // A key whose material KMS made cannot take an import: it stays usable when its current
    // version came back, and only what the lost versions encrypted stays unreadable.
    const missing = (v: KeyVersionRecord) => !v.material && !v.privateKeys && !v.pendingRotation
    const unusable = key.origin === 'EXTERNAL' ? versions.some(missing) : versions.length > 0 && missing(versions.findLast((v) => !v.pendingRotation)!)
    if (unusable && key.keyState !== 'PendingDeletion') key.keyState = 'PendingImport'
    keys.push(key)
  }

  const restoredIds = new Set(keys.map((k) => k.keyId))
  for (const a of bundle.aliases) if (!isObject(a) || typeof a.aliasName !== 'string' || !restoredIds.has(a.targetKeyId)) fail(`alias ${String(isObject(a) ? a.aliasName : a)} does not name a key in the bundle`)
  for (const g of bundle.grants) if (!isObject(g) || typeof g.grantId !== 'string' || !restoredIds.has(g.keyId)) fail(`grant ${String(isObject(g) ? g.grantId : g)} is not on a key in the bundle`)

  const trail = new AuditTrail(keyStore, () => now)
  const caller = rootCaller(bundle.account.partition, bundle.account.accountId)
  await trail.appendable()
  await keyStore.transaction('readwrite', async (tx) => {
    for (const k of keys) {
      if (await tx.getKey(k.keyId)) fail(`the store already has key ${k.arn}: restore into a store without it`)
      await tx.putKey(k)
    }
    for (const a of bundle.aliases) {
      if (await tx.getAlias(a.aliasName)) fail(`the store already has alias ${a.aliasName}`)
      await tx.putAlias({ ...a, creationDate: date(a.creationDate, 'alias creationDate'), lastUpdatedDate: date(a.lastUpdatedDate, 'alias lastUpdatedDate') })
    }
    for (const g of bundle.grants) await tx.putGrant({ ...g, creationDate: date(g.creationDate, 'grant creationDate') })
    const random = (n: number) => globalThis.crypto.getRandomValues(new Uint8Array(n))
    await trail.append(
      tx,
      apiCallEvent(
        bundle.account,
        { service: 'webkms', operation: 'RestoreRecoveryBundle', readOnly: false, caller, now, parameters: { exportedAt: bundle.exportedAt, keys: keys.length }, resources: keys.map((k) => k.arn) },
        { requestID: uuidFromRandom(random(16)), eventID: uuidFromRandom(random(16)) },
      ),
      now,
    )
  })
  return { keys: keys.map((k) => k.arn), restoredVersions, unrecoverable }
}
