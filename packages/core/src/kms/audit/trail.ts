/**
 * The audit trail: every call becomes an event shaped like a CloudTrail KMS event (events.ts),
 * never with plaintext or key material, and the events form a hash chain in the KeyStore
 * (chain.ts). Checkpoints, signed with the trail's own non-extractable ECDSA P-256 key, form a
 * second chain with contiguous time coverage, like CloudTrail's hourly digest files: each states
 * the period it covers (`from`, the previous checkpoint's `time`, to its own `time`), the last
 * event and its hash, the hash of the previous checkpoint and the fingerprint of its signing key.
 *
 * When checkpoints are made:
 * - every CHECKPOINT_INTERVAL events;
 * - before a call when the last one is a checkpoint period (an hour by default) old, so an idle
 *   span gets one checkpoint covering it, and "nothing happened" stays distinguishable from
 *   "events were deleted";
 * - on every export, carrying the verifier's challenge when one is given (freshness);
 * - when the signing key is rotated: the old key signs a handover naming the new key.
 *
 * The signing key has an identity a verifier obtains apart from any export (`publicKeys()`,
 * the GetAuditPublicKeys operation), as CloudTrail's digest validation fetches its public keys
 * separately: `verifyAuditLog` trusts only the keys it is given, never the ones an export lists.
 *
 * Retention: the trail keeps at most `maxEvents` events and none older than `maxAgeDays` (90 by
 * default, as CloudTrail's event history). Older events are cut at a checkpoint boundary into a
 * segment, an export of its own that verifies alone and joins the next one, handed to the
 * `archive` callback when there is one, then deleted; the checkpoint they end at stays as the
 * trail's `base`, so what remains still verifies.
 *
 * Periods are periods of recording: an event belongs to the first checkpoint signed after it was
 * appended. A call that began before a concurrent checkpoint was signed is recorded with its
 * eventTime moved up to that checkpoint's time. Service events (scheduled rotations and
 * deletions, eventType AwsServiceEvent) keep the time they were due, though they are recorded
 * when the engine next touches the key.
 */
import type { KeyStore, KeyStoreTransaction } from '../../keystore/KeyStore.js'
import type { AuditRecord } from '../../keystore/records.js'
import { toBase64 as b64 } from '../../util/bytes.js'
import { cloneRecord } from '../../keystore/cloneRecord.js'
import { makeStoredKey } from '../crypto/keyMaterial.js'
import { checkpointBytes, checkpointHash, chainHash, GENESIS_HASH, keyFingerprint, timeSpan, type AuditCheckpoint, type AuditEvent, type UnsignedCheckpoint } from './chain.js'

export const AUDIT_FORMAT = 'webkms-audit-3'
/** A checkpoint is signed at least every this many events, besides the one every export adds. */
export const CHECKPOINT_INTERVAL = 64
/** The default checkpoint period: a call recorded this long after the last checkpoint is preceded by a new one. */
export const CHECKPOINT_PERIOD_MS = 3_600_000
/** Default retention: CloudTrail's 90 days of event history, and a bound on the events kept. */
export const DEFAULT_RETENTION_DAYS = 90
export const DEFAULT_RETENTION_EVENTS = 20_000
/** Attempts at appending a checkpoint when other writers (tabs) keep changing the trail meanwhile. */
const ATTEMPTS = 5

/** Meta keys. Checkpoint n (1-based, counting pruned ones) is stored under `${CHECKPOINT_PREFIX}n`. */
const SIGNING_KEYS = 'audit-signing-keys'
const LEGACY_SIGNING_KEY = 'audit-signing-key'
const CHECKPOINT_HEAD = 'audit-checkpoint-head'
const CHECKPOINT_PREFIX = 'audit-checkpoint:'
const BASE = 'audit-base'

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
  /** The export format and its version, `webkms-audit-3`. */
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
}

interface StoredKey {
  fingerprint: string
  publicKey: string
  privateKey: CryptoKey
  createdAt: string
  retiredAt?: string
}

/** Where the checkpoint chain ends; stored beside the checkpoints so appending stays O(1). */
interface CheckpointHead {
  /** Checkpoints so far (pruned ones included). */
  count: number
  /** The end of the covered time: the last checkpoint's `time`, or the trail's start before the first. */
  time: string
  /** The last checkpoint's hash (GENESIS_HASH before the first). */
  hash: string
  /** The last event covered (0 before the first checkpoint). */
  sequence: number
}

interface Base {
  /** The checkpoint number of `checkpoint`. */
  index: number
  checkpoint: AuditCheckpoint
}

/** What a checkpoint must achieve; checked again after losing a race to another writer. */
type CheckpointGoal =
  /** Cover the events up to this sequence. */
  | { kind: 'sequence'; sequence: number }
  /** Cover every event so far and the time up to now, with this challenge (an export). */
  | { kind: 'now'; challenge?: string }
  /** Leave no checkpoint older than the period (before recording a call). */
  | { kind: 'period' }

/** Thrown inside a write when another writer changed the trail since it was read: try again. */
export class TrailMoved extends Error {}

const later = (a: Date, ...isoTimes: (string | undefined)[]) =>
  new Date(Math.max(a.getTime(), ...isoTimes.map((t) => (t === undefined ? Number.NaN : Date.parse(t))).filter((t) => !Number.isNaN(t))))

const startOf = (event: AuditEvent): string | undefined => {
  const span = timeSpan(event.eventTime)
  return span && new Date(span.start).toISOString()
}

/** The checkpoint that would follow the chain as read: it covers the time since the last one and every event since. */
function nextCheckpoint(s: { head: CheckpointHead; last: AuditRecord | undefined; lastSequence: number; lastHash: string }, now: Date, key: StoredKey): UnsignedCheckpoint {
  return {
    from: s.head.time,
    // Never before the period's start nor the last event, even if the clock went back.
    time: later(now, s.head.time, s.last && startOf(s.last.event)).toISOString(),
    sequence: s.lastSequence,
    hash: s.lastHash,
    previousCheckpoint: s.head.hash,
    key: key.fingerprint,
  }
}

const sign = async (key: StoredKey, c: UnsignedCheckpoint) =>
  b64(new Uint8Array(await globalThis.crypto.subtle.sign({ name: 'ECDSA', hash: 'SHA-256' }, key.privateKey, checkpointBytes(c))))

async function readKeys(tx: KeyStoreTransaction): Promise<StoredKey[]> {
  const keys = (await tx.getMeta(SIGNING_KEYS)) as StoredKey[] | undefined
  if (keys) return keys
  // A trail made before keys had identities: its one key, named by its fingerprint.
  const legacy = (await tx.getMeta(LEGACY_SIGNING_KEY)) as { privateKey: CryptoKey; publicKey: string } | undefined
  if (!legacy) return []
  const raw = Uint8Array.from(atob(legacy.publicKey), (ch) => ch.charCodeAt(0))
  return [{ fingerprint: keyFingerprint(raw), publicKey: legacy.publicKey, privateKey: legacy.privateKey, createdAt: new Date(0).toISOString() }]
}

async function newKey(store: KeyStore, now: Date): Promise<StoredKey> {
  const pair = await makeStoredKey(store, (extractable) => globalThis.crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, extractable, ['sign', 'verify']) as Promise<CryptoKeyPair>)
  const raw = new Uint8Array(await globalThis.crypto.subtle.exportKey('raw', pair.publicKey))
  return { fingerprint: keyFingerprint(raw), publicKey: b64(raw), privateKey: pair.privateKey, createdAt: now.toISOString() }
}

export class AuditTrail {
  private readonly periodMs: number
  private readonly maxEvents: number
  private readonly maxAgeMs: number
  private readonly archive: AuditRetention['archive']
  /** The newest checkpoint time this engine has seen: skips the store read before most calls. */
  #seenCheckpointTime = Number.NEGATIVE_INFINITY

  constructor(
    private readonly store: KeyStore,
    private readonly now: () => Date,
    options: AuditTrailOptions = {},
  ) {
    const period = options.checkpointPeriodMs ?? CHECKPOINT_PERIOD_MS
    if (typeof period !== 'number' || !Number.isFinite(period) || period <= 0) {
      throw new TypeError(`"checkpointPeriodMs" expected a positive number of milliseconds, got ${String(period)}`)
    }
    this.periodMs = period
    const r = options.retention ?? {}
    const maxEvents = r.maxEvents ?? DEFAULT_RETENTION_EVENTS
    const maxAgeDays = r.maxAgeDays ?? DEFAULT_RETENTION_DAYS
    if (!Number.isSafeInteger(maxEvents) || maxEvents < CHECKPOINT_INTERVAL) throw new RangeError(`"auditRetention.maxEvents" expected an integer of at least ${CHECKPOINT_INTERVAL}, got ${String(maxEvents)}`)
    if (typeof maxAgeDays !== 'number' || !(maxAgeDays >= 1)) throw new RangeError(`"auditRetention.maxAgeDays" expected at least 1 day, got ${String(maxAgeDays)}`)
    if (r.archive !== undefined && typeof r.archive !== 'function') throw new TypeError('"auditRetention.archive" expected a function')
    this.maxEvents = maxEvents
    this.maxAgeMs = maxAgeDays * 86_400_000
    this.archive = r.archive
  }

  /**
   * Appends one event inside an open read-write transaction (no await but the store's). An API
   * call's event dated before the last checkpoint (it began before a concurrent one was signed)
   * is moved up to that checkpoint's time.
   */
  async append(tx: KeyStoreTransaction, event: AuditEvent, now: Date = this.now()): Promise<AuditRecord> {
    // Both reads at once: on IndexedDB each is a round trip to the browser's storage process.
    const [head, last] = (await Promise.all([tx.getMeta(CHECKPOINT_HEAD), tx.lastAuditRecord()])) as [CheckpointHead | undefined, AuditRecord | undefined]
    const span = timeSpan(event.eventTime)
    if (!head) {
      // The first event starts the trail, and the first checkpoint's period with it.
      const start = span ? new Date(span.start) : now
      await tx.putMeta(CHECKPOINT_HEAD, { count: 0, time: start.toISOString(), hash: GENESIS_HASH, sequence: 0 } satisfies CheckpointHead)
    } else if (event.eventType === 'AwsApiCall' && span && span.end <= Date.parse(head.time)) {
      const start = new Date(head.time).toISOString()
      event = { ...event, eventTime: /\.\d+Z$/.test(event.eventTime as string) ? start : start.replace(/\.\d{3}Z$/, 'Z') }
    }
    const base = last ? undefined : ((await tx.getMeta(BASE)) as Base | undefined)
    const previousHash = last?.hash ?? base?.checkpoint.hash ?? GENESIS_HASH
    const sequence = (last?.sequence ?? base?.checkpoint.sequence ?? 0) + 1
    const record: AuditRecord = { sequence, event, previousHash, hash: chainHash(previousHash, event) }
    await tx.putAuditRecord(record)
    return record
  }

  /**
   * Appends an event in a transaction of its own, or shared (group commit): while one such
   * transaction is being written, the events of other calls queue, and the next transaction
   * appends them all. A lone call waits for nothing more than before; calls in flight pay one
   * store transaction between them instead of one each (on IndexedDB, a commit costs far more
   * than the append). Each record still resolves only once its transaction committed. If a
   * shared transaction fails, its events are tried again one per transaction, so one event's
   * failure is never another's.
   */
  record(event: AuditEvent): Promise<AuditRecord> {
    return new Promise((resolve, reject) => {
      this.#queued.push({ event, resolve, reject })
      this.#writing ??= this.#writeQueued()
    })
  }

  #queued: { event: AuditEvent; resolve: (record: AuditRecord) => void; reject: (error: unknown) => void }[] = []
  #writing: Promise<void> | undefined

  async #writeQueued(): Promise<void> {
    try {
      while (this.#queued.length) {
        const batch = this.#queued.splice(0)
        try {
          const records = await this.store.transaction('readwrite', async (tx) => {
            const out: AuditRecord[] = []
            for (const { event } of batch) out.push(await this.append(tx, event))
            return out
          })
          batch.forEach((queued, i) => queued.resolve(records[i]!))
        } catch (error) {
          if (batch.length === 1) batch[0]!.reject(error)
          else for (const queued of batch) await this.store.transaction('readwrite', (tx) => this.append(tx, queued.event)).then(queued.resolve, queued.reject)
        }
      }
    } finally {
      this.#writing = undefined
    }
  }

  /** Before a call: when the last checkpoint is a period old, sign one covering the time since. */
  async beforeCall(now: Date): Promise<void> {
    if (now.getTime() - this.#seenCheckpointTime < this.periodMs) return
    await this.checkpoint({ kind: 'period' })
  }

  /** After an event was appended: a checkpoint every CHECKPOINT_INTERVAL events, and retention. */
  async afterAppend(record: AuditRecord): Promise<void> {
    if (record.sequence % CHECKPOINT_INTERVAL !== 0) return
    await this.checkpoint({ kind: 'sequence', sequence: record.sequence })
    await this.prune()
  }

  /** The signing keys, oldest first (creating the first one if the trail has none). */
  async publicKeys(): Promise<AuditPublicKey[]> {
    await this.currentKey()
    const keys = await this.store.transaction('readonly', readKeys)
    return keys.map(({ fingerprint, publicKey, createdAt, retiredAt }) => (retiredAt ? { fingerprint, publicKey, createdAt, retiredAt } : { fingerprint, publicKey, createdAt }))
  }

  /** The current signing key: made non-extractable on first use; the first tab to store one wins. */
  private async currentKey(): Promise<StoredKey> {
    const stored = await this.store.transaction('readonly', readKeys)
    if (stored.length) return stored.at(-1)!
    const candidate = await newKey(this.store, this.now())
    return this.store.transaction('readwrite', async (tx) => {
      const existing = await readKeys(tx)
      if (existing.length) return existing.at(-1)!
      await tx.putMeta(SIGNING_KEYS, [candidate])
      return candidate
    })
  }

  /** Reads the chain's head and last event (and the trail's start when it has no head yet). */
  private async state(tx: KeyStoreTransaction, now: Date) {
    const last = await tx.lastAuditRecord()
    const stored = (await tx.getMeta(CHECKPOINT_HEAD)) as CheckpointHead | undefined
    const head = stored ?? { count: 0, time: now.toISOString(), hash: GENESIS_HASH, sequence: 0 }
    const base = (await tx.getMeta(BASE)) as Base | undefined
    return { last, head, stored: stored !== undefined, lastSequence: last?.sequence ?? base?.checkpoint.sequence ?? 0, lastHash: last?.hash ?? base?.checkpoint.hash ?? GENESIS_HASH }
  }

  /** Appends a signed checkpoint inside a write, if the chain is still as `expected` says; else TrailMoved. */
  private async putCheckpoint(tx: KeyStoreTransaction, expected: { head: CheckpointHead; stored: boolean; lastSequence: number }, checkpoint: AuditCheckpoint): Promise<number> {
    const current = (await tx.getMeta(CHECKPOINT_HEAD)) as CheckpointHead | undefined
    const sameChain = expected.stored ? current?.count === expected.head.count && current.hash === expected.head.hash : current === undefined
    const last = await tx.lastAuditRecord()
    if (!sameChain || (last?.sequence ?? expected.lastSequence) !== expected.lastSequence) throw new TrailMoved()
    const count = expected.head.count + 1
    await tx.putMeta(`${CHECKPOINT_PREFIX}${count}`, checkpoint)
    await tx.putMeta(CHECKPOINT_HEAD, { count, time: checkpoint.time, hash: checkpointHash(checkpoint), sequence: checkpoint.sequence } satisfies CheckpointHead)
    return count
  }

  /**
   * Signs and appends the next checkpoint unless `goal` is already met; resolves to the number
   * of the checkpoint that meets it. The signature is made outside any transaction; the write
   * appends it only if neither chain moved since it was read (first writer wins: a loser drops
   * its checkpoint and, if the winner's does not meet its goal, tries again). So the chain never
   * forks, and no event slips between a checkpoint's reading of the trail and its storing.
   */
  async checkpoint(goal: CheckpointGoal): Promise<number> {
    const key = await this.currentKey()
    for (let attempt = 0; ; attempt++) {
      const now = this.now()
      const s = await this.store.transaction('readonly', (tx) => this.state(tx, now))
      this.#seenCheckpointTime = Math.max(this.#seenCheckpointTime, s.stored && s.head.count > 0 ? Date.parse(s.head.time) : Number.NEGATIVE_INFINITY)
      const covered = s.head.sequence >= s.lastSequence
      if (goal.kind === 'sequence' && s.head.sequence >= goal.sequence) return s.head.count
      if (goal.kind === 'period' && (!s.stored || now.getTime() - Date.parse(s.head.time) < this.periodMs)) return s.head.count
      if (goal.kind === 'now' && goal.challenge === undefined && covered && s.head.count > 0 && Date.parse(s.head.time) >= now.getTime()) return s.head.count
      const unsigned = nextCheckpoint(s, now, key)
      if (goal.kind === 'now' && goal.challenge !== undefined) unsigned.challenge = goal.challenge
      const checkpoint = { ...unsigned, signature: await sign(key, unsigned) }
      try {
        const count = await this.store.transaction('readwrite', async (tx) => {
          // An empty trail gets its head with the first checkpoint.
          return this.putCheckpoint(tx, s, checkpoint)
        })
        this.#seenCheckpointTime = Math.max(this.#seenCheckpointTime, Date.parse(checkpoint.time))
        return count
      } catch (error) {
        if (!(error instanceof TrailMoved) || attempt + 1 >= ATTEMPTS) throw error
      }
    }
  }

  /**
   * A key rotation, prepared outside any transaction: a new key, and a handover checkpoint
   * signed by the current key naming it. `install` stores both inside the caller's write (with
   * the call's own event), or throws TrailMoved if the trail moved meanwhile (prepare again).
   */
  async prepareRotation(): Promise<{ install: (tx: KeyStoreTransaction) => Promise<AuditPublicKey> }> {
    const current = await this.currentKey()
    const next = await newKey(this.store, this.now())
    const now = this.now()
    const s = await this.store.transaction('readonly', (tx) => this.state(tx, now))
    const unsigned = { ...nextCheckpoint(s, now, current), nextKey: next.fingerprint }
    const handover = { ...unsigned, signature: await sign(current, unsigned) }
    return {
      install: async (tx) => {
        const keys = await readKeys(tx)
        if (keys.at(-1)?.fingerprint !== current.fingerprint) throw new TrailMoved()
        await this.putCheckpoint(tx, s, handover)
        await tx.putMeta(SIGNING_KEYS, [...keys.slice(0, -1), { ...current, retiredAt: handover.time }, next])
        return { fingerprint: next.fingerprint, publicKey: next.publicKey, createdAt: next.createdAt }
      },
    }
  }

  /** The events and checkpoints from `fromIndex` (exclusive) to checkpoint `toIndex`, as an export. */
  private async segment(tx: KeyStoreTransaction, toIndex: number): Promise<ExportedAuditLog> {
    const base = (await tx.getMeta(BASE)) as Base | undefined
    const checkpoints: AuditCheckpoint[] = []
    for (let n = (base?.index ?? 0) + 1; n <= toIndex; n++) checkpoints.push((await tx.getMeta(`${CHECKPOINT_PREFIX}${n}`)) as AuditCheckpoint)
    const through = checkpoints.at(-1)?.sequence ?? base?.checkpoint.sequence ?? 0
    // Events another tab appended after the last checkpoint belong to the next export.
    const records = (await tx.listAuditRecords()).filter((r) => r.sequence <= through)
    const keys = await readKeys(tx)
    const out: ExportedAuditLog = {
      format: AUDIT_FORMAT,
      // Copies: the caller owns the export (a store may hand out its records frozen).
      events: records.map((r) => ({ ...cloneRecord(r.event), webkms: { sequence: r.sequence, previousHash: r.previousHash, hash: r.hash } })),
      checkpoints,
      signingKeys: keys.map(({ fingerprint, publicKey }) => ({ fingerprint, publicKey })),
    }
    if (base) out.base = base.checkpoint
    return out
  }

  /** The trail kept so far, ending with a checkpoint signed now (over `challenge`, if given). */
  async export(options: { challenge?: string } = {}): Promise<ExportedAuditLog> {
    const index = await this.checkpoint(options.challenge === undefined ? { kind: 'now' } : { kind: 'now', challenge: options.challenge })
    return this.store.transaction('readonly', (tx) => this.segment(tx, index))
  }

  /**
   * Applies retention: finds the newest checkpoint up to which events may go (too many, or too
   * old), hands that segment to `archive`, then deletes it, keeping its last checkpoint as the
   * trail's base. A race with another writer leaves it for the next time.
   */
  async prune(): Promise<void> {
    const now = this.now().getTime()
    const plan = await this.store.transaction('readonly', async (tx) => {
      const head = (await tx.getMeta(CHECKPOINT_HEAD)) as CheckpointHead | undefined
      const base = (await tx.getMeta(BASE)) as Base | undefined
      if (!head || head.count === 0) return undefined
      const baseSequence = base?.checkpoint.sequence ?? 0
      const kept = head.sequence - baseSequence
      // An event's age is its eventTime's: a checkpoint closing an idle span is signed long after the events it covers.
      const old = async (sequence: number) => {
        const record = await tx.getAuditRecord(sequence)
        return !record || now - (timeSpan(record.event.eventTime)?.start ?? now) > this.maxAgeMs
      }
      if (kept <= this.maxEvents && !(await old(baseSequence + 1))) return undefined
      // By age: the newest checkpoint whose last event is older than the limit (times only grow).
      // By count: the first checkpoint after which at most 3/4 of maxEvents remain, so a trail
      // at its bound is not cut again every CHECKPOINT_INTERVAL events.
      const target = kept > this.maxEvents ? Math.floor((this.maxEvents * 3) / 4) : undefined
      let cut: Base | undefined
      for (let n = (base?.index ?? 0) + 1; n <= head.count; n++) {
        const c = (await tx.getMeta(`${CHECKPOINT_PREFIX}${n}`)) as AuditCheckpoint
        const aged = c.sequence <= baseSequence || (await old(c.sequence)) // an idle checkpoint loses no event
        const enough = target !== undefined && head.sequence - c.sequence <= target
        if (aged || enough) cut = { index: n, checkpoint: c }
        if (!aged && (target === undefined || enough)) break
      }
      // The pruned segment is read only for an archive to keep.
      return cut && { cut, base, segment: this.archive ? await this.segment(tx, cut.index) : undefined }
    })
    if (!plan) return
    if (this.archive && plan.segment) await this.archive(plan.segment)
    await this.store.transaction('readwrite', async (tx) => {
      const base = (await tx.getMeta(BASE)) as Base | undefined
      if ((base?.index ?? 0) !== (plan.base?.index ?? 0)) return // another tab pruned meanwhile
      await tx.deleteAuditRecords(plan.cut.checkpoint.sequence)
      for (let n = (base?.index ?? 0) + 1; n <= plan.cut.index; n++) await tx.deleteMeta(`${CHECKPOINT_PREFIX}${n}`)
      await tx.putMeta(BASE, plan.cut satisfies Base)
    })
  }
}
