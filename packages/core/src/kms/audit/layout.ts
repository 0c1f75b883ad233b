/**
 * What the audit trail keeps in the store beside its records (the meta entries' names and
 * shapes), the shapes it hands out (exports, public keys), and its limits: shared by the trail
 * (trail.ts), its checkpoints (checkpoints.ts) and the verifier (verify.ts).
 */
import type { AuditCheckpoint, AuditEvent } from './chain.js'

/** webkms-audit-4: checkpoints sign where the trail starts (`start`). 3 did not; 2 had one unnamed signing key. */
export const AUDIT_FORMAT = 'webkms-audit-4'
/** A checkpoint is signed at least every this many events, besides the one every export adds. */
export const CHECKPOINT_INTERVAL = 64
/** The default checkpoint period: a call recorded this long after the last checkpoint is preceded by a new one. */
export const CHECKPOINT_PERIOD_MS = 3_600_000
/** Default retention: CloudTrail's 90 days of event history, and a bound on the events kept. */
export const DEFAULT_RETENTION_DAYS = 90
export const DEFAULT_RETENTION_EVENTS = 20_000
/** Attempts at appending a checkpoint when other writers (tabs) keep changing the trail meanwhile. */
export const ATTEMPTS = 5

/** Meta keys. Checkpoint n (1-based, counting pruned ones) is stored under `${CHECKPOINT_PREFIX}n`. */
export const SIGNING_KEYS = 'audit-signing-keys'
export const LEGACY_SIGNING_KEY = 'audit-signing-key'
export const CHECKPOINT_HEAD = 'audit-checkpoint-head'
export const CHECKPOINT_PREFIX = 'audit-checkpoint:'
export const BASE = 'audit-base'

/** One signing key as a verifier sees it. */
export interface AuditPublicKey {
  /** Hex SHA-256 of the raw public key. */
  fingerprint: string
  /** Base64 of the uncompressed P-256 point. */
  publicKey: string
  createdAt: string
  /** When a handover to the next key was signed; absent for the current key. */
  retiredAt?: string
}

/**
 * The audit trail as `kms.exportAuditLog` returns it, and as `AuditRetention.archive` receives
 * each pruned segment: CloudTrail-shaped events in a hash chain, and the checkpoints that sign
 * it, as CloudTrail's log file integrity validation signs digest files. Plain JSON data: store
 * it anywhere, and check it offline with {@link verifyAuditLog} against keys obtained apart
 * from it (GetAuditPublicKeys).
 *
 * @example
 * ```ts
 * import { createKms, verifyAuditLog, type ExportedAuditLog } from '@webkms/core'
 *
 * const kms = createKms()
 * const { CurrentKeyFingerprint } = await kms.getAuditPublicKeys() // pinned by the verifier beforehand
 * const challenge = crypto.randomUUID()
 * const log: ExportedAuditLog = await kms.exportAuditLog({ Challenge: challenge })
 * const stored = JSON.stringify(log)
 * const verdict = await verifyAuditLog(JSON.parse(stored), { trustedKeys: [CurrentKeyFingerprint], challenge })
 * ```
 */
export interface ExportedAuditLog {
  /** The export format and its version, `webkms-audit-4` (verifyAuditLog also reads exports of webkms-audit-3 and -2). */
  format: typeof AUDIT_FORMAT
  /** CloudTrail-shaped events, oldest first; `webkms` holds each one's place in the chain. */
  events: (AuditEvent & { webkms: { sequence: number; previousHash: string; hash: string } })[]
  /** The checkpoint chain, oldest first; the last covers the last event. */
  checkpoints: AuditCheckpoint[]
  /** The keys that signed these checkpoints, oldest first, as the exporter states them: a verifier pins its own (`trustedKeys`). */
  signingKeys: { fingerprint: string; publicKey: string }[]
  /** When older events were pruned (or this is a later segment): the signed checkpoint the first event follows. */
  base?: AuditCheckpoint
}

/**
 * How much of the audit trail the key store keeps (createKms's `auditRetention`), and where
 * pruned events go. Events are pruned up to a checkpoint, which stays as the trail's `base`,
 * so what remains still verifies. createKms throws `RangeError` for a `maxEvents` below
 * 64 or a `maxAgeDays` below 1, and `TypeError` for an `archive` that is not a function.
 *
 * @example
 * ```ts
 * import { createKms } from '@webkms/core'
 *
 * const kms = createKms({
 *   auditRetention: {
 *     maxEvents: 5000,
 *     maxAgeDays: 30,
 *     // Kept by a server; if this throws, nothing is deleted and pruning is tried again later.
 *     archive: async (segment) => {
 *       await fetch('/audit/segments', { method: 'POST', body: JSON.stringify(segment) })
 *     },
 *   },
 * })
 * ```
 */
export interface AuditRetention {
  /** Keep at most this many events (cut at a checkpoint, so a few more may stay). Default 20,000. */
  maxEvents?: number
  /** Keep no event older than this many days (cut at a checkpoint). Default 90. */
  maxAgeDays?: number
  /**
   * Receives each pruned segment before it is deleted: an export of its own that verifies with
   * the same keys, and whose last checkpoint is the next segment's `base`. If it throws, nothing
   * is deleted and pruning is tried again later. Without it, pruned events are dropped.
   */
  archive?: (segment: ExportedAuditLog) => void | Promise<void>
}

export interface AuditTrailOptions {
  /**
   * A call recorded when the last checkpoint is at least this old (ms) is preceded by a new
   * checkpoint covering the time since, idle or not. Default CHECKPOINT_PERIOD_MS (one hour).
   */
  checkpointPeriodMs?: number
  retention?: AuditRetention
  /**
   * Loads the chain hash of appends (hex SHA-256 of a string's UTF-8), before the first call.
   * Default: @noble/hashes' (hashes.ts); createKms gives the runtime's where it has one.
   */
  loadSha256Hex?: () => Promise<(text: string) => string>
}

export interface StoredKey {
  fingerprint: string
  publicKey: string
  privateKey: CryptoKey
  createdAt: string
  retiredAt?: string
}

/** Where the checkpoint chain ends; stored beside the checkpoints so appending stays O(1). */
export interface CheckpointHead {
  /** Checkpoints so far (pruned ones included). */
  count: number
  /** The end of the covered time: the last checkpoint's `time`, or the trail's start before the first. */
  time: string
  /** The last checkpoint's hash (GENESIS_HASH before the first). */
  hash: string
  /** The last event covered (0 before the first checkpoint). */
  sequence: number
}

export interface Base {
  /** The checkpoint number of `checkpoint`. */
  index: number
  checkpoint: AuditCheckpoint
}

/** What a checkpoint must achieve; checked again after losing a race to another writer. */
export type CheckpointGoal =
  /** Cover the events up to this sequence. */
  | { kind: 'sequence'; sequence: number }
  /** Cover every event so far and the time up to now, with this challenge (an export). */
  | { kind: 'now'; challenge?: string }
  /** Leave no checkpoint older than the period (before recording a call). */
  | { kind: 'period' }

/** Thrown inside a write when another writer changed the trail since it was read: try again. */
export class TrailMoved extends Error {}
