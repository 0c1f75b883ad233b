/**
 * The audit trail: every call becomes an event shaped like a CloudTrail KMS event, never with
 * plaintext or key material, and the events form a hash chain in the KeyStore:
 *
 *   hash(n) = SHA-256(hash(n-1) || canonical JSON of event n), hash(0) = 64 zeros (hex)
 *
 * Checkpoints, signed with the trail's own ECDSA P-256 key (created non-extractable on first use
 * and kept in the store), form a second chain with contiguous time coverage, like CloudTrail's
 * hourly digest files: each states the period it covers (`from`, the previous checkpoint's
 * `time`, or the trail's start for the first; to `time`), the event sequence and hash it covers,
 * and the hash of the previous checkpoint. One is signed every CHECKPOINT_INTERVAL events, on
 * every export, and, when a call is recorded more than a checkpoint period (an hour by default)
 * after the last one, before that call's event: one checkpoint then covers the whole idle span,
 * so a verifier can tell "nothing happened from t1 to t2" from "the events of t1..t2 were
 * deleted". `verifyAuditLog` needs nothing but the export: an edited, inserted, deleted or
 * reordered event, a forged, removed or reordered checkpoint, a gap or overlap in the coverage
 * or a dropped tail is found, with the position of the first problem.
 *
 * Periods are periods of recording: an event belongs to the first checkpoint signed after it was
 * appended. Its `eventTime` is never after that checkpoint's `time`, nor before its `from`, with
 * one exception: service events (scheduled rotations and deletions, eventType AwsServiceEvent)
 * carry the time they were due, and the engine records them when it next touches the key.
 *
 * Hashing inside a store transaction must not await (KeyStore's invariant), so the chain uses
 * @noble/hashes' synchronous SHA-256, and checkpoints are signed between transactions.
 */
import { sha256 } from '@noble/hashes/sha2.js'
import type { KeyStore, KeyStoreTransaction } from '../keystore/KeyStore.js'
import type { AuditRecord } from '../keystore/records.js'
import { fromBase64 as unb64, toBase64 as b64, toHex, utf8 } from '../util/bytes.js'

export const GENESIS_HASH = '0'.repeat(64)
export const AUDIT_FORMAT = 'webkms-audit-2'
const SIGNING_KEY = 'audit-signing-key'
/** Meta keys: the head of the checkpoint chain, and checkpoint n under `${CHECKPOINT_PREFIX}n`. */
const CHECKPOINT_HEAD = 'audit-checkpoint-head'
const CHECKPOINT_PREFIX = 'audit-checkpoint:'
/** A checkpoint is signed at least every this many events, besides the one every export adds. */
export const CHECKPOINT_INTERVAL = 64
/** The default checkpoint period: a call recorded this long after the last checkpoint is preceded by a new one. */
export const CHECKPOINT_PERIOD_MS = 3_600_000
/** Attempts at appending a checkpoint when other writers (tabs) keep changing the trail meanwhile. */
const CHECKPOINT_ATTEMPTS = 5

export type AuditEvent = Record<string, unknown>

export interface AuditCheckpoint {
  /** Start of the covered period: the previous checkpoint's `time`, or the trail's start (its first event's time). */
  from: string
  /** End of the covered period: when the checkpoint was signed (ISO 8601). */
  time: string
  /** The last event covered (0 when none) and its chain hash. */
  sequence: number
  hash: string
  /** Hex SHA-256 of the previous checkpoint's signed bytes; 64 zeros for the first. */
  previousCheckpoint: string
  /** Base64 ECDSA P-256 / SHA-256 signature (IEEE P1363) over the canonical JSON of the five fields above. */
  signature: string
}

export interface ExportedAuditLog {
  format: typeof AUDIT_FORMAT
  /** CloudTrail-shaped events, oldest first; `webkms` holds each one's place in the chain. */
  events: (AuditEvent & { webkms: { sequence: number; previousHash: string; hash: string } })[]
  /** The checkpoint chain, oldest first; the last covers the last event. */
  checkpoints: AuditCheckpoint[]
  /** The checkpoint key: base64 of the uncompressed P-256 point. */
  publicKey: string
}

/** JSON with object keys sorted, so the same event always hashes the same. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null'
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`
  const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined)
  entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`
}

export const chainHash = (previousHash: string, event: AuditEvent) => toHex(sha256(utf8(previousHash + canonicalJson(event))))

type UnsignedCheckpoint = Omit<AuditCheckpoint, 'signature'>

/** What a checkpoint's signature covers: every field but the signature, as canonical JSON. */
const checkpointBytes = (c: UnsignedCheckpoint) =>
  utf8(canonicalJson({ from: c.from, time: c.time, sequence: c.sequence, hash: c.hash, previousCheckpoint: c.previousCheckpoint }))

/** The hash the next checkpoint's `previousCheckpoint` holds. */
export const checkpointHash = (c: UnsignedCheckpoint) => toHex(sha256(checkpointBytes(c)))

/** Where the checkpoint chain ends; stored beside the checkpoints so appending stays O(1). */
interface CheckpointHead {
  /** Checkpoints so far. */
  count: number
  /** The end of the covered time: the last checkpoint's `time`, or the trail's start before the first. */
  time: string
  /** The last checkpoint's hash (GENESIS_HASH before the first). */
  hash: string
  /** The last event covered (0 before the first checkpoint). */
  sequence: number
}

/**
 * The instants an event time string can stand for: `eventTime` is CloudTrail's, to the second,
 * so "12:00:00Z" is [12:00:00.000, 12:00:01.000). Undefined when the time cannot be read.
 */
function timeSpan(value: unknown): { start: number; end: number } | undefined {
  if (typeof value !== 'string') return undefined
  const start = Date.parse(value)
  if (Number.isNaN(start)) return undefined
  const fraction = /\.(\d+)(?:Z|[+-]\d\d:?\d\d)$/i.exec(value)?.[1]
  return { start, end: start + (fraction ? Math.max(1, 10 ** (3 - Math.min(fraction.length, 3))) : 1000) }
}

const later = (a: Date, ...isoTimes: (string | undefined)[]) =>
  new Date(Math.max(a.getTime(), ...isoTimes.map((t) => (t === undefined ? Number.NaN : Date.parse(t))).filter((t) => !Number.isNaN(t))))

/** Appends one event inside an open read-write transaction (no await but the store's). */
export async function appendAuditEvent(tx: KeyStoreTransaction, event: AuditEvent, now?: Date): Promise<AuditRecord> {
  const last = await tx.lastAuditRecord()
  if (!last && !(await tx.getMeta(CHECKPOINT_HEAD))) {
    // The first event starts the trail, and the first checkpoint's period with it.
    const span = timeSpan(event.eventTime)
    const start = span ? new Date(span.start) : (now ?? new Date())
    await tx.putMeta(CHECKPOINT_HEAD, { count: 0, time: start.toISOString(), hash: GENESIS_HASH, sequence: 0 } satisfies CheckpointHead)
  }
  const previousHash = last?.hash ?? GENESIS_HASH
  const record: AuditRecord = { sequence: (last?.sequence ?? 0) + 1, event, previousHash, hash: chainHash(previousHash, event) }
  await tx.putAuditRecord(record)
  return record
}

interface SigningKey {
  privateKey: CryptoKey
  publicKey: string
}

export interface AuditTrailOptions {
  /**
   * A call recorded when the last checkpoint is at least this old (ms) is preceded by a new
   * checkpoint covering the time since, idle or not. Default CHECKPOINT_PERIOD_MS (one hour).
   */
  checkpointPeriodMs?: number
}

/** What a checkpoint must achieve; checked again after losing a race to another writer. */
type CheckpointGoal =
  /** Cover the events up to this sequence. */
  | { kind: 'sequence'; sequence: number }
  /** Cover every event so far, and the time up to now (an export). */
  | { kind: 'now' }
  /** Leave no checkpoint older than the period (before recording a call). */
  | { kind: 'period' }

export class AuditTrail {
  private readonly periodMs: number

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
  }

  /**
   * Appends an event in its own transaction. When the last checkpoint is a checkpoint period old
   * (or there is none yet and the trail is that old), a checkpoint covering the time up to now
   * is signed first, however long the trail has been idle; and one every CHECKPOINT_INTERVAL events.
   */
  async record(event: AuditEvent): Promise<void> {
    let record: AuditRecord | undefined
    for (let attempt = 0; !record; attempt++) {
      const now = this.now()
      // Once a checkpoint was tried (whoever's got stored), the event goes in: one checkpoint
      // covers the whole idle span, and a record never fails or loops for a checkpoint.
      const mayCheckpoint = attempt === 0
      record = await this.store.transaction('readwrite', async (tx) => {
        const head = (await tx.getMeta(CHECKPOINT_HEAD)) as CheckpointHead | undefined
        const last = await tx.lastAuditRecord()
        if (mayCheckpoint && last && (!head || now.getTime() - Date.parse(head.time) >= this.periodMs)) return undefined
        // A call that began before the last checkpoint was signed (by a concurrent call or tab)
        // is recorded in the next period: its eventTime moves up to that period's start.
        const span = timeSpan(event.eventTime)
        if (head && span && span.end <= Date.parse(head.time)) {
          const start = new Date(head.time).toISOString()
          event = { ...event, eventTime: /\.\d+Z$/.test(event.eventTime as string) ? start : start.replace(/\.\d{3}Z$/, 'Z') }
        }
        return appendAuditEvent(tx, event, now)
      })
      if (!record) await this.checkpoint({ kind: 'period' })
    }
    if (record.sequence % CHECKPOINT_INTERVAL === 0) await this.checkpoint({ kind: 'sequence', sequence: record.sequence })
  }

  /** The trail's key: made non-extractable on first use; the first tab to store one wins. */
  private async signingKey(): Promise<SigningKey> {
    const stored = (await this.store.transaction('readonly', (tx) => tx.getMeta(SIGNING_KEY))) as SigningKey | undefined
    if (stored) return stored
    const pair = (await globalThis.crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, false, ['sign', 'verify'])) as CryptoKeyPair
    const candidate: SigningKey = { privateKey: pair.privateKey, publicKey: b64(new Uint8Array(await globalThis.crypto.subtle.exportKey('raw', pair.publicKey))) }
    return this.store.transaction('readwrite', async (tx) => {
      const existing = (await tx.getMeta(SIGNING_KEY)) as SigningKey | undefined
      if (existing) return existing
      await tx.putMeta(SIGNING_KEY, candidate)
      return candidate
    })
  }

  /**
   * Signs and appends the next checkpoint unless `goal` is already met. The signature is made
   * outside any transaction; the write then appends it only if neither the checkpoint chain nor
   * the event chain moved since it was read (first writer wins: a loser drops its checkpoint and,
   * if the winner's does not meet its goal, tries again). So the chain never forks, and no
   * event is appended between a checkpoint's reading of the trail and its storing.
   */
  private async checkpoint(goal: CheckpointGoal): Promise<void> {
    const key = await this.signingKey()
    for (let attempt = 0; attempt < CHECKPOINT_ATTEMPTS; attempt++) {
      const now = this.now()
      const state = await this.store.transaction('readonly', async (tx) => {
        const last = await tx.lastAuditRecord()
        if (!last) return undefined
        const stored = (await tx.getMeta(CHECKPOINT_HEAD)) as CheckpointHead | undefined
        // A trail recorded before checkpoints had heads: it starts at its first event.
        const head = stored ?? { count: 0, time: startOf((await tx.listAuditRecords())[0]!.event) ?? now.toISOString(), hash: GENESIS_HASH, sequence: 0 }
        return { last, head, stored: stored !== undefined }
      })
      if (!state) return
      const { last, head } = state
      const covered = head.sequence >= last.sequence
      if (goal.kind === 'sequence' && head.sequence >= goal.sequence) return
      if (goal.kind === 'now' && covered && Date.parse(head.time) >= now.getTime()) return
      if (goal.kind === 'period' && state.stored && now.getTime() - Date.parse(head.time) < this.periodMs) return
      const unsigned: UnsignedCheckpoint = {
        from: head.time,
        // Never before the period's start nor the last event, even if the clock went back.
        time: later(now, head.time, startOf(last.event)).toISOString(),
        sequence: last.sequence,
        hash: last.hash,
        previousCheckpoint: head.hash,
      }
      const signature = b64(new Uint8Array(await globalThis.crypto.subtle.sign({ name: 'ECDSA', hash: 'SHA-256' }, key.privateKey, checkpointBytes(unsigned))))
      const appended = await this.store.transaction('readwrite', async (tx) => {
        const current = (await tx.getMeta(CHECKPOINT_HEAD)) as CheckpointHead | undefined
        const sameChain = state.stored ? current?.count === head.count && current.hash === head.hash : current === undefined
        if (!sameChain || (await tx.lastAuditRecord())?.sequence !== last.sequence) return false
        const count = head.count + 1
        await tx.putMeta(`${CHECKPOINT_PREFIX}${count}`, { ...unsigned, signature } satisfies AuditCheckpoint)
        await tx.putMeta(CHECKPOINT_HEAD, { count, time: unsigned.time, hash: checkpointHash(unsigned), sequence: unsigned.sequence } satisfies CheckpointHead)
        return true
      })
      if (appended) return
    }
  }

  /** The events and checkpoints so far, ending with a checkpoint signed now over the last event. */
  async export(): Promise<ExportedAuditLog> {
    await this.checkpoint({ kind: 'now' })
    const key = await this.signingKey()
    const { records, checkpoints } = await this.store.transaction('readonly', async (tx) => {
      const head = (await tx.getMeta(CHECKPOINT_HEAD)) as CheckpointHead | undefined
      const checkpoints: AuditCheckpoint[] = []
      for (let n = 1; n <= (head?.count ?? 0); n++) checkpoints.push((await tx.getMeta(`${CHECKPOINT_PREFIX}${n}`)) as AuditCheckpoint)
      // Events another tab appended after the last checkpoint belong to the next export.
      const records = (await tx.listAuditRecords()).filter((r) => r.sequence <= (head?.sequence ?? 0))
      return { records, checkpoints }
    })
    return {
      format: AUDIT_FORMAT,
      events: records.map((r) => ({ ...r.event, webkms: { sequence: r.sequence, previousHash: r.previousHash, hash: r.hash } })),
      checkpoints,
      publicKey: key.publicKey,
    }
  }
}

const startOf = (event: AuditEvent): string | undefined => {
  const span = timeSpan(event.eventTime)
  return span && new Date(span.start).toISOString()
}

/** One checkpoint's period, as `verifyAuditLog` reports it. */
export interface AuditPeriod {
  from: string
  to: string
  /** The events recorded in the period (0: nothing happened) and the last event's sequence. */
  events: number
  sequence: number
}

export interface AuditVerification {
  valid: boolean
  /** Events whose place in the chain was checked. */
  events: number
  /** Checkpoints checked (before the problem, if any). */
  checkpoints: number
  /** When valid and checkpointed: the time the export covers without a gap, from the trail's start to the last checkpoint. */
  coverage?: { from: string; to: string }
  /** When valid: each checkpoint's period, oldest first, contiguous (an idle period has 0 events). */
  periods?: AuditPeriod[]
  /**
   * The first problem: the 1-based position of the event (or of the last event a checkpoint
   * covers) and why; `checkpoint` is the 1-based position of the checkpoint at fault, if any.
   */
  problem?: { position: number; reason: string; checkpoint?: number }
}

/** Verifies an exported audit log with nothing but the export itself. */
export async function verifyAuditLog(exported: ExportedAuditLog): Promise<AuditVerification> {
  const fail = (position: number, reason: string, events: number, checkpoints: number, checkpoint?: number): AuditVerification => ({
    valid: false,
    events,
    checkpoints,
    problem: checkpoint === undefined ? { position, reason } : { position, reason, checkpoint },
  })
  if (!exported || exported.format !== AUDIT_FORMAT || !Array.isArray(exported.events) || !Array.isArray(exported.checkpoints)) {
    return fail(0, 'not a webkms audit export (format webkms-audit-2)', 0, 0)
  }
  const hashes = [GENESIS_HASH]
  const events: AuditEvent[] = []
  for (const [i, e] of exported.events.entries()) {
    const { webkms, ...event } = e
    const position = i + 1
    if (webkms?.sequence !== position) return fail(position, 'event out of sequence (inserted, deleted or reordered)', i, 0)
    if (webkms.previousHash !== hashes[i]) return fail(position, 'chain broken: previous hash does not match', i, 0)
    const hash = chainHash(hashes[i]!, event)
    if (hash !== webkms.hash) return fail(position, 'event edited: its hash does not match', i, 0)
    hashes.push(hash)
    events.push(event)
  }
  const n = exported.events.length
  let key: CryptoKey
  try {
    key = await globalThis.crypto.subtle.importKey('raw', unb64(exported.publicKey), { name: 'ECDSA', namedCurve: 'P-256' }, false, ['verify'])
  } catch {
    return fail(0, 'invalid checkpoint public key', n, 0)
  }
  const periods: AuditPeriod[] = []
  let previous: AuditCheckpoint | undefined
  for (const [j, c] of exported.checkpoints.entries()) {
    const at = (position: number, reason: string) => fail(position, reason, n, j, j + 1)
    if (!c || typeof c !== 'object' || !Number.isSafeInteger(c.sequence) || c.sequence < 0) return at(0, 'checkpoint malformed')
    let ok = false
    try {
      ok = await globalThis.crypto.subtle.verify({ name: 'ECDSA', hash: 'SHA-256' }, key, unb64(c.signature), checkpointBytes(c))
    } catch {
      ok = false
    }
    if (!ok) return at(c.sequence, 'checkpoint signature does not verify (forged or edited)')
    const done = previous?.sequence ?? 0
    if (c.previousCheckpoint !== (previous ? checkpointHash(previous) : GENESIS_HASH)) {
      return at(c.sequence, previous ? 'checkpoint chain broken: a checkpoint before this one was removed, inserted or reordered' : 'checkpoint chain broken: the first checkpoint does not start the chain (one before it was removed)')
    }
    const from = Date.parse(c.from)
    const time = Date.parse(c.time)
    if (Number.isNaN(from) || Number.isNaN(time)) return at(c.sequence, 'checkpoint period unreadable')
    if (previous && time < Date.parse(previous.time)) return at(c.sequence, 'checkpoint times go backwards')
    if (previous && from > Date.parse(previous.time)) return at(c.sequence, `gap in time coverage: nothing covers ${previous.time} to ${c.from}`)
    if (previous && from < Date.parse(previous.time)) return at(c.sequence, `overlap in time coverage: ${c.from} to ${previous.time} is covered twice`)
    if (time < from) return at(c.sequence, 'checkpoint times go backwards: its period ends before it starts')
    if (c.sequence < done) return at(c.sequence, 'checkpoints out of order')
    if (c.sequence > n) return fail(n + 1, 'events missing after the last event (tail dropped)', n, j, j + 1)
    // A consistent rewrite after position `done` is caught here, at the first checkpoint it crosses.
    if (hashes[c.sequence] !== c.hash) return fail(done + 1, 'events rewritten: the chain does not match a signed checkpoint', n, j, j + 1)
    for (let s = done + 1; s <= c.sequence; s++) {
      const event = events[s - 1]!
      if (event.eventTime === undefined) continue
      const span = timeSpan(event.eventTime)
      if (!span) return fail(s, 'event time unreadable', n, j, j + 1)
      if (span.start > time) return fail(s, `event time ${String(event.eventTime)} is after the end of its checkpoint's period (${c.time})`, n, j, j + 1)
      // Service events carry the time they were due and are recorded when next noticed.
      if (span.end <= from && event.eventType !== 'AwsServiceEvent') {
        return fail(s, `event time ${String(event.eventTime)} is before the start of its checkpoint's period (${c.from})`, n, j, j + 1)
      }
    }
    periods.push({ from: c.from, to: c.time, events: c.sequence - done, sequence: c.sequence })
    previous = c
  }
  const covered = previous?.sequence ?? 0
  if (n > 0 && covered !== n) return fail(covered + 1, 'events after the last signed checkpoint (appended or tail replaced)', n, exported.checkpoints.length)
  const result: AuditVerification = { valid: true, events: n, checkpoints: exported.checkpoints.length }
  if (periods.length) {
    result.coverage = { from: periods[0]!.from, to: periods.at(-1)!.to }
    result.periods = periods
  }
  return result
}
