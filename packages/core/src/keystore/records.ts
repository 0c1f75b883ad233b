/**
 * What a KeyStore keeps. Records are plain data (strings, numbers, booleans, Dates, arrays,
 * plain objects) plus `CryptoKey`s, so every backend can persist them: IndexedDB by structured
 * clone, the edge store by wrapping the material under its root key.
 */

export type KeyState = 'Creating' | 'Enabled' | 'Disabled' | 'PendingDeletion' | 'PendingImport' | 'Unavailable' | 'Updating'

export type RotationType = 'AUTOMATIC' | 'ON_DEMAND'

/** One generation of a key's material. Version 1 is the original; rotations add the next. */
export interface KeyVersionRecord {
  version: number
  /** Non-extractable HMAC-SHA256 secret (see crypto/keyMaterial.ts). */
  material: CryptoKey
  /** AWS's `KeyMaterialId`: an opaque identifier, 64 hex digits. */
  keyMaterialId: string
  createdAt: Date
  /** How this version came to be; absent for the original material. */
  rotationType?: RotationType
}

export interface TagRecord {
  TagKey: string
  TagValue: string
}

export interface RotationRecord {
  enabled: boolean
  periodInDays: number
  /** When automatic rotation next falls due; set only while enabled. */
  nextRotationDate?: Date
  /** Number of RotateKeyOnDemand calls so far (AWS allows a fixed number per key). */
  onDemandCount: number
}

export interface KeyRecord {
  keyId: string
  arn: string
  accountId: string
  region: string
  creationDate: Date
  description: string
  keyUsage: 'ENCRYPT_DECRYPT'
  keySpec: 'SYMMETRIC_DEFAULT'
  origin: 'AWS_KMS'
  keyState: KeyState
  /** Set while PendingDeletion: when the material is destroyed. */
  deletionDate?: Date
  pendingWindowInDays?: number
  rotation: RotationRecord
  tags: TagRecord[]
  /** Every version, oldest first; the last one encrypts, all of them decrypt. */
  versions: KeyVersionRecord[]
  /** JSON key policy document (enforced by a later access-control layer). */
  policy?: string
}

export interface AliasRecord {
  /** `alias/...` */
  aliasName: string
  aliasArn: string
  targetKeyId: string
  creationDate: Date
  lastUpdatedDate: Date
}

/** One link of the audit hash chain (see kms/audit.ts). */
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
