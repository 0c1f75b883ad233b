/**
 * What a KeyStore keeps. Records are plain data (strings, numbers, booleans, Dates, arrays,
 * plain objects) plus `CryptoKey`s, so every backend can persist them: IndexedDB by structured
 * clone, the edge store by wrapping the material under its root key.
 */

/**
 * A key's state, as AWS KMS names them (https://docs.aws.amazon.com/kms/latest/developerguide/key-state.html).
 * The engine uses Enabled, Disabled, PendingDeletion and PendingImport; the others exist in
 * AWS's type and never occur here.
 *
 * @example
 * ```ts
 * import type { KeyState } from '@webkms/core'
 *
 * const usable = (state: KeyState) => state === 'Enabled'
 * ```
 */
export type KeyState = 'Creating' | 'Enabled' | 'Disabled' | 'PendingDeletion' | 'PendingImport' | 'Unavailable' | 'Updating'

/**
 * How a key version came to be: automatic rotation, or `RotateKeyOnDemand`.
 *
 * @example
 * ```ts
 * import type { RotationType } from '@webkms/core'
 *
 * const onDemand: RotationType = 'ON_DEMAND'
 * ```
 */
export type RotationType = 'AUTOMATIC' | 'ON_DEMAND'

/**
 * The key specs a stored key can have: the part of the API's `KeySpec` (AWS's whole list) that
 * the engine supports.
 *
 * @example
 * ```ts
 * import type { KeyRecord } from '@webkms/core'
 *
 * const isAsymmetric = (r: KeyRecord) => r.keySpec.startsWith('RSA_') || r.keySpec.startsWith('ECC_')
 * ```
 */
export type KeySpec =
  | 'SYMMETRIC_DEFAULT'
  | 'HMAC_256' | 'HMAC_384' | 'HMAC_512'
  | 'RSA_2048' | 'RSA_3072' | 'RSA_4096'
  | 'ECC_NIST_P256' | 'ECC_NIST_P384' | 'ECC_NIST_P521'
/**
 * What a key is for, as AWS's `KeyUsage`.
 *
 * @example
 * ```ts
 * import type { KeyRecord } from '@webkms/core'
 *
 * const signs = (r: KeyRecord) => r.keyUsage === 'SIGN_VERIFY'
 * ```
 */
export type KeyUsage = 'ENCRYPT_DECRYPT' | 'SIGN_VERIFY' | 'GENERATE_VERIFY_MAC' | 'KEY_AGREEMENT'
/**
 * Where a key's material comes from. AWS_KMS: the engine made the material; EXTERNAL: the owner
 * imports it (ImportKeyMaterial).
 *
 * @example
 * ```ts
 * import type { KeyOrigin } from '@webkms/core'
 *
 * const byok = (origin: KeyOrigin) => origin === 'EXTERNAL'
 * ```
 */
export type KeyOrigin = 'AWS_KMS' | 'EXTERNAL'
/**
 * Whether imported key material expires (ImportKeyMaterial's `ExpirationModel`).
 *
 * @example
 * ```ts
 * import type { ExpirationModel } from '@webkms/core'
 *
 * const model: ExpirationModel = 'KEY_MATERIAL_DOES_NOT_EXPIRE'
 * ```
 */
export type ExpirationModel = 'KEY_MATERIAL_EXPIRES' | 'KEY_MATERIAL_DOES_NOT_EXPIRE'

/**
 * How imported material came, and when it goes.
 *
 * @example
 * ```ts
 * import type { ImportRecord } from '@webkms/core'
 *
 * const expired = (r: ImportRecord, now: Date) => r.expirationModel === 'KEY_MATERIAL_EXPIRES' && r.validTo !== undefined && r.validTo <= now
 * ```
 */
export interface ImportRecord {
  expirationModel: ExpirationModel
  /** When the material expires (KEY_MATERIAL_EXPIRES only). */
  validTo?: Date
  importedAt: Date
  /** ImportKeyMaterial's KeyMaterialDescription (symmetric keys). */
  description?: string
}

/**
 * One generation of a key's material. Version 1 is the original; rotations add the next.
 * The material is held by exactly one of `material` (symmetric and HMAC keys) or `privateKeys`
 * (RSA and ECC keys); neither is present while imported material is missing (never imported,
 * expired, or deleted), and the version keeps its ID so the same material can come back.
 *
 * @example
 * ```ts
 * import type { KeyRecord } from '@webkms/core'
 *
 * const materialIds = (r: KeyRecord) => r.versions.map((v) => `${v.version}: ${v.keyMaterialId}${v.rotationType ? ` (${v.rotationType})` : ''}`)
 * ```
 */
export interface KeyVersionRecord {
  version: number
  /** SYMMETRIC_DEFAULT: the non-extractable HMAC-SHA256 master secret (see crypto/keyMaterial.ts); HMAC keys: the HMAC key. */
  material?: CryptoKey
  /**
   * RSA and ECC keys: the non-extractable private key, once per algorithm name it serves
   * (signing algorithm, encryption algorithm, or ECDH), since WebCrypto binds a key to one.
   */
  privateKeys?: Record<string, CryptoKey>
  /** RSA and ECC keys: the public key, DER SubjectPublicKeyInfo. */
  publicKey?: Uint8Array
  /** AWS's `KeyMaterialId`: an opaque identifier, 64 hex digits. */
  keyMaterialId: string
  createdAt: Date
  /** How this version came to be; absent for the original material. */
  rotationType?: RotationType
  /** EXTERNAL keys: the import that brought the material (kept while the material is missing). */
  imported?: ImportRecord
  /** EXTERNAL symmetric keys: imported as new material, current after the next RotateKeyOnDemand. */
  pendingRotation?: boolean
  /**
   * The material sealed to the store's recovery public key (JWE compact serialization,
   * RSA-OAEP-256 + A256GCM): present when the engine was given a recovery key (kms/recovery).
   */
  recovery?: string
}

/**
 * A tag on a key (TagResource), with AWS's member names.
 *
 * @example
 * ```ts
 * import type { TagRecord } from '@webkms/core'
 *
 * const team: TagRecord = { TagKey: 'team', TagValue: 'payments' }
 * ```
 */
export interface TagRecord {
  TagKey: string
  TagValue: string
}

/**
 * A key's automatic rotation settings and on-demand count (EnableKeyRotation, RotateKeyOnDemand).
 *
 * @example
 * ```ts
 * import type { RotationRecord } from '@webkms/core'
 *
 * const due = (r: RotationRecord, now: Date) => r.enabled && r.nextRotationDate !== undefined && r.nextRotationDate <= now
 * ```
 */
export interface RotationRecord {
  enabled: boolean
  periodInDays: number
  /** When automatic rotation next falls due; set only while enabled. */
  nextRotationDate?: Date
  /** Number of RotateKeyOnDemand calls so far (AWS allows a fixed number per key). */
  onDemandCount: number
}

/**
 * A key as the store keeps it: its metadata (what DescribeKey reports, in the store's own member
 * names), its rotation settings, tags, key policy and every version of its material.
 *
 * @example
 * ```ts
 * import { MemoryKeyStore, type KeyRecord } from '@webkms/core'
 *
 * const store = new MemoryKeyStore()
 * const enabled: KeyRecord[] = await store.transaction('readonly', async (tx) => (await tx.listKeys()).filter((k) => k.keyState === 'Enabled'))
 * ```
 */
export interface KeyRecord {
  keyId: string
  arn: string
  accountId: string
  region: string
  creationDate: Date
  description: string
  keyUsage: KeyUsage
  keySpec: KeySpec
  origin: KeyOrigin
  keyState: KeyState
  /** Set while PendingDeletion: when the material is destroyed. */
  deletionDate?: Date
  pendingWindowInDays?: number
  rotation: RotationRecord
  tags: TagRecord[]
  /**
   * Every version, oldest first; the last one not pending rotation is current (it encrypts,
   * signs, ...), all of them decrypt. Empty for an EXTERNAL key before its first import.
   */
  versions: KeyVersionRecord[]
  /**
   * The key policy, as the JSON text CreateKey or PutKeyPolicy stored (kms/policy evaluates
   * it). Absent on keys made before policies existed: they have the default key policy.
   */
  policy?: string
}

/**
 * An alias (CreateAlias) and the key it points to.
 *
 * @example
 * ```ts
 * import type { AliasRecord } from '@webkms/core'
 *
 * const describe = (a: AliasRecord) => `${a.aliasName} -> ${a.targetKeyId}`
 * ```
 */
export interface AliasRecord {
  /** `alias/...` */
  aliasName: string
  aliasArn: string
  targetKeyId: string
  creationDate: Date
  lastUpdatedDate: Date
}

/**
 * A grant on a key (CreateGrant). Grants live beside their key and go when it is destroyed.
 *
 * @example
 * ```ts
 * import type { GrantRecord } from '@webkms/core'
 *
 * const allowsDecrypt = (g: GrantRecord, principal: string) => g.granteePrincipal === principal && g.operations.includes('Decrypt')
 * ```
 */
export interface GrantRecord {
  /** 64 hex digits, as AWS's grant IDs. */
  grantId: string
  keyId: string
  /** Optional name; a CreateGrant with the same name and parameters returns this grant. */
  name?: string
  creationDate: Date
  granteePrincipal: string
  retiringPrincipal?: string
  /** `arn:<partition>:iam::<account>:root` of the account that created it. */
  issuingAccount: string
  operations: string[]
  constraints?: { encryptionContextSubset?: Record<string, string>; encryptionContextEquals?: Record<string, string> }
}

/**
 * An identity (IAM) policy attached to a principal: the engine's stand-in for IAM. Kept in the
 * store, so every tab and every engine on the store enforces the same ones.
 *
 * @example
 * ```ts
 * import type { IdentityPolicyRecord } from '@webkms/core'
 *
 * const statements = (r: IdentityPolicyRecord) => (JSON.parse(r.document) as { Statement: unknown[] }).Statement.length
 * ```
 */
export interface IdentityPolicyRecord {
  /** The IAM user or role ARN it is attached to. */
  principal: string
  /** Its name, unique per principal. */
  name: string
  /** The policy, as the JSON text that was attached. */
  document: string
  updatedDate: Date
}

/**
 * One link of the audit hash chain (see kms/audit/trail.ts): an event and the hashes that tie
 * it to the one before. Append-only: records are never changed, only pruned (retention).
 *
 * @example
 * ```ts
 * import type { AuditRecord } from '@webkms/core'
 *
 * const follows = (prev: AuditRecord, next: AuditRecord) => next.sequence === prev.sequence + 1 && next.previousHash === prev.hash
 * ```
 */
export interface AuditRecord {
  /** 1, 2, 3, ... with no gaps. */
  sequence: number
  /** The CloudTrail-shaped event, as JSON-compatible data. */
  event: Record<string, unknown>
  /** Hex SHA-256 of the previous record (64 zeros for the first). */
  previousHash: string
  /** Hex SHA-256 over previousHash and the event's canonical JSON. */
  hash: string
}
