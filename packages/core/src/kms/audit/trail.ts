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
 * A checkpoint is signed outside any transaction and stored only if the chain has not moved
 * since it was read, so this engine's own appends, and other tabs' writes where the store can
 * hold them (`KeyStore.exclusively`), wait while it signs (`holdingAppends`): calls in flight
 * would otherwise move the chain during every signature and starve it.
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
import type { KeyStore, KeyStoreTransaction, TransactionOptions } from '../../keystore/KeyStore.js'
import type { AuditRecord } from '../../keystore/records.js'
import { chainHash, GENESIS_HASH, timeSpan, type AuditEvent } from './chain.js'
import { BASE, CHECKPOINT_HEAD, CHECKPOINT_INTERVAL, CHECKPOINT_PERIOD_MS, DEFAULT_RETENTION_DAYS, DEFAULT_RETENTION_EVENTS, type AuditPublicKey, type AuditRetention, type AuditTrailOptions, type Base, type CheckpointGoal, type CheckpointHead, type ExportedAuditLog } from './layout.js'
import { loadOnce } from '../../util/loadOnce.js'
import type { Checkpoints } from './checkpoints.js'

/**
 * The transactions that append only events (of reads and refused calls; a change appends its own
 * in its transaction, callPath.ts): relaxed durability, as IndexedDB calls it (TransactionOptions).
 * A power cut may lose the last of them; the trail that remains is still a verifying prefix.
 */
const EVENTS_ONLY: TransactionOptions = { durability: 'relaxed' }

export class AuditTrail {
  private readonly periodMs: number
  private readonly maxEvents: number
  private readonly maxAgeMs: number
  private readonly archive: AuditRetention['archive']
  /** The chain hash, once loaded (`#hashReady`): appends run inside transactions and cannot wait for it. */
  #sha256Hex: ((text: string) => string) | undefined
  readonly #loadSha256Hex: () => Promise<(text: string) => string>
  /** The newest checkpoint time this engine has seen: skips the store read before most calls. */
  #seenCheckpointTime = Number.NEGATIVE_INFINITY
  /**
   * Signing checkpoints, exports, retention and key rotation (checkpoints.ts), imported when
   * first needed: every CHECKPOINT_INTERVAL events, once a period, or on an export.
   */
  readonly #checkpoints = loadOnce(() =>
    import('./checkpoints.js').then(
      ({ Checkpoints }) =>
        new Checkpoints(this.store, this.now, { periodMs: this.periodMs, maxEvents: this.maxEvents, maxAgeMs: this.maxAgeMs, archive: this.archive }, (time) => {
          this.#seenCheckpointTime = Math.max(this.#seenCheckpointTime, time)
        }),
    ),
  )

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
    this.#loadSha256Hex = loadOnce(options.loadSha256Hex ?? (() => import('./hashes.js').then((m) => m.sha256Hex)))
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
    const sha256Hex = this.#sha256Hex
    if (!sha256Hex) throw new Error('AuditTrail.append: the chain hash is not loaded yet (await beforeCall or appendable before the transaction)')
    const record: AuditRecord = { sequence, event, previousHash, hash: chainHash(previousHash, event, sha256Hex) }
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
        try {
          await this.appendable()
        } catch (error) {
          // The chain hash could not load: no event can be appended now (a later call tries again).
          for (const queued of this.#queued.splice(0)) queued.reject(error)
          break
        }
        const batch = this.#queued.splice(0)
        try {
          const records = await this.store.transaction(
            'readwrite',
            async (tx) => {
              const out: AuditRecord[] = []
              for (const { event } of batch) out.push(await this.append(tx, event))
              return out
            },
            EVENTS_ONLY,
          )
          batch.forEach((queued, i) => queued.resolve(records[i]!))
        } catch (error) {
          if (batch.length === 1) batch[0]!.reject(error)
          else for (const queued of batch) await this.store.transaction('readwrite', (tx) => this.append(tx, queued.event), EVENTS_ONLY).then(queued.resolve, queued.reject)
        }
      }
    } finally {
      this.#writing = undefined
    }
  }

  /**
   * Before a call: when the last checkpoint is a period old, sign one covering the time since.
   * Most calls read nothing: the checkpoint time seen last is recent enough.
   */
  async beforeCall(now: Date): Promise<void> {
    if (!this.#sha256Hex) await this.#hashReady()
    if (now.getTime() - this.#seenCheckpointTime < this.periodMs) return
    const head = (await this.store.transaction('readonly', (tx) => tx.getMeta(CHECKPOINT_HEAD))) as CheckpointHead | undefined
    if (!head) return // an empty trail: its first event starts the first period
    // The head's time only moves forward (every writer checks the chain it extends), so it bounds the period from below.
    this.#seenCheckpointTime = Math.max(this.#seenCheckpointTime, Date.parse(head.time))
    if (now.getTime() - Date.parse(head.time) < this.periodMs) return
    await this.checkpoint({ kind: 'period' })
  }

  /** After an event was appended: a checkpoint every CHECKPOINT_INTERVAL events, and retention. */
  async afterAppend(record: AuditRecord): Promise<void> {
    if (record.sequence % CHECKPOINT_INTERVAL !== 0) return
    await this.checkpoint({ kind: 'sequence', sequence: record.sequence })
    await this.prune()
  }

  /**
   * Signs and appends the next checkpoint unless `goal` is already met; resolves to the number
   * of the checkpoint that meets it (Checkpoints.checkpoint). This engine's appends wait
   * meanwhile (see `appendable`).
   */
  async checkpoint(goal: CheckpointGoal): Promise<number> {
    // Held from before the first one's code loads: events appended meanwhile would make it late.
    return this.holdingAppends(async () => (await this.#checkpoints()).checkpoint(goal))
  }

  /**
   * Work that must not be overtaken by this engine's own events: a checkpoint is signed outside
   * any transaction and stored only if the chain did not move since it was read (else it tries
   * again, a few times). Without a hold, calls in flight append an event during every signature
   * and no checkpoint is ever stored. Writes that append events wait for `appendable()` before
   * they open their transaction; one already open finishes, and the store orders it before the
   * checkpoint's read. Other tabs' writers wait too where the store can make them
   * (`KeyStore.exclusively`, IndexedDB's Web Lock).
   */
  async holdingAppends<T>(work: () => Promise<T>): Promise<T> {
    const done = this.store.exclusively ? this.store.exclusively(work) : work()
    const settled = done.then(
      () => undefined,
      () => undefined,
    )
    this.#holds.add(settled)
    try {
      return await done
    } finally {
      this.#holds.delete(settled)
    }
  }

  /**
   * Resolves when no `holdingAppends` work of this engine is running: await it before opening a
   * write that appends events (never inside a transaction, and never from inside held work).
   */
  async appendable(): Promise<void> {
    if (!this.#sha256Hex) await this.#hashReady()
    while (this.#holds.size) await Promise.all(this.#holds)
  }

  /** Loads the chain hash (a failed load is tried again by the next call). */
  async #hashReady(): Promise<void> {
    this.#sha256Hex ??= await this.#loadSha256Hex()
  }

  #holds = new Set<Promise<void>>()

  /** The signing keys, oldest first (creating the first one if the trail has none). */
  async publicKeys(): Promise<AuditPublicKey[]> {
    return (await this.#checkpoints()).publicKeys()
  }

  /** A signing key rotation, prepared outside any transaction (Checkpoints.prepareRotation). */
  async prepareRotation(): Promise<{ install: (tx: KeyStoreTransaction) => Promise<AuditPublicKey> }> {
    return (await this.#checkpoints()).prepareRotation()
  }

  /** The trail kept so far, ending with a checkpoint signed now (over `challenge`, if given). */
  async export(options: { challenge?: string } = {}): Promise<ExportedAuditLog> {
    return (await this.#checkpoints()).export(options)
  }

  /** Applies retention (Checkpoints.prune). */
  async prune(): Promise<void> {
    return (await this.#checkpoints()).prune()
  }
}
