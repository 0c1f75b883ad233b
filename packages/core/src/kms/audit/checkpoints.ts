/**
 * The audit trail's signed checkpoints (see trail.ts for when they are made), its exports,
 * retention and signing key rotation: the part of the trail a call needs only every
 * CHECKPOINT_INTERVAL events, once a checkpoint period, or when asked, so it is imported then.
 */
import type { KeyStore, KeyStoreTransaction } from '../../keystore/KeyStore.js'
import type { AuditRecord } from '../../keystore/records.js'
import { toBase64 as b64 } from '../../util/bytes.js'
import { cloneRecord } from '../../keystore/cloneRecord.js'
import { makeStoredKey } from '../crypto/keyMaterial.js'
import { lendsNonExtractableKeys } from '../../util/nativeCrypto.js'
import { nativeSigning } from '../../util/nativeSigning.js'
import { checkpointBytes, GENESIS_HASH, timeSpan, type AuditCheckpoint, type AuditEvent, type UnsignedCheckpoint } from './chain.js'
import { checkpointHash, keyFingerprint } from './hashes.js'
import {
  ATTEMPTS,
  AUDIT_FORMAT,
  BASE,
  CHECKPOINT_HEAD,
  CHECKPOINT_PREFIX,
  LEGACY_SIGNING_KEY,
  SIGNING_KEYS,
  TrailMoved,
  type AuditPublicKey,
  type AuditRetention,
  type Base,
  type CheckpointGoal,
  type CheckpointHead,
  type ExportedAuditLog,
  type StoredKey,
} from './layout.js'

const later = (a: Date, ...isoTimes: (string | undefined)[]) =>
  new Date(Math.max(a.getTime(), ...isoTimes.map((t) => (t === undefined ? Number.NaN : Date.parse(t))).filter((t) => !Number.isNaN(t))))

/** Where a trail (or an export) starting after this base checkpoint starts, as a checkpoint's `start` signs it. */
const startOf = (base: AuditCheckpoint | undefined): string => (base ? checkpointHash(base) : GENESIS_HASH)

const periodStartOf = (event: AuditEvent): string | undefined => {
  const span = timeSpan(event.eventTime)
  return span && new Date(span.start).toISOString()
}

/** The checkpoint that would follow the chain as read: it covers the time since the last one and every event since, and signs where the kept trail starts. */
function nextCheckpoint(s: { head: CheckpointHead; last: AuditRecord | undefined; lastSequence: number; lastHash: string; start: string }, now: Date, key: StoredKey): UnsignedCheckpoint {
  return {
    from: s.head.time,
    // Never before the period's start nor the last event, even if the clock went back.
    time: later(now, s.head.time, s.last && periodStartOf(s.last.event)).toISOString(),
    sequence: s.lastSequence,
    hash: s.lastHash,
    previousCheckpoint: s.head.hash,
    key: key.fingerprint,
    start: s.start,
  }
}

/** IEEE P1363 ECDSA over P-256 is r || s: 64 bytes. */
const P256_P1363_LENGTH = 64

/**
 * ECDSA P-256 / SHA-256 over the checkpoint's bytes, IEEE P1363. Where `node:crypto` signs with
 * WebCrypto's keys (nativeSigning), OpenSSL signs on this thread: this engine's appends wait
 * while a checkpoint is signed, and under load WebCrypto's round trip to its thread pool left
 * the engine idle for most of it (a checkpoint every 64 events). Else, and if the runtime
 * refuses the key, may not be lent a non-extractable one (Node 24 on: lendsNonExtractableKeys),
 * or answers in another encoding, WebCrypto signs. The key's algorithm and usages are checked
 * as WebCrypto would.
 */
async function sign(key: StoredKey, c: UnsignedCheckpoint): Promise<string> {
  const bytes = checkpointBytes(c)
  const { algorithm, usages, extractable } = key.privateKey
  const lendable = algorithm.name === 'ECDSA' && usages.includes('sign') && (extractable || lendsNonExtractableKeys())
  const native = lendable ? await nativeSigning() : undefined
  if (native) {
    try {
      const signing = native.createSign('sha256')
      signing.update(bytes)
      const signature = new Uint8Array(signing.sign({ key: native.KeyObject.from(key.privateKey), dsaEncoding: 'ieee-p1363' }))
      // A runtime that ignores dsaEncoding answers DER: WebCrypto signs then.
      if (signature.byteLength === P256_P1363_LENGTH) return b64(signature)
    } catch {
      // A key this runtime will not lend: WebCrypto signs it below.
    }
  }
  return b64(new Uint8Array(await globalThis.crypto.subtle.sign({ name: 'ECDSA', hash: 'SHA-256' }, key.privateKey, bytes)))
}

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

/** The trail's limits, as AuditTrail checked them. */
export interface TrailLimits {
  periodMs: number
  maxEvents: number
  maxAgeMs: number
  archive: AuditRetention['archive']
}

export class Checkpoints {
  constructor(
    private readonly store: KeyStore,
    private readonly now: () => Date,
    private readonly limits: TrailLimits,
    /** Told the time of every checkpoint read or written, so the trail can skip reading it before a call. */
    private readonly seen: (time: number) => void,
  ) {}

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

  /**
   * Reads the chain's head and last event (and the trail's start when it has no head yet), and
   * where the kept trail starts (`start`, which every checkpoint signs). With `headCheckpoint`,
   * also the last checkpoint itself.
   */
  private async state(tx: KeyStoreTransaction, now: Date, headCheckpoint = false) {
    const last = await tx.lastAuditRecord()
    const stored = (await tx.getMeta(CHECKPOINT_HEAD)) as CheckpointHead | undefined
    const head = stored ?? { count: 0, time: now.toISOString(), hash: GENESIS_HASH, sequence: 0 }
    const base = (await tx.getMeta(BASE)) as Base | undefined
    return {
      last,
      head,
      stored: stored !== undefined,
      lastSequence: last?.sequence ?? base?.checkpoint.sequence ?? 0,
      lastHash: last?.hash ?? base?.checkpoint.hash ?? GENESIS_HASH,
      start: startOf(base?.checkpoint),
      headCheckpoint: headCheckpoint && head.count > 0 ? ((await tx.getMeta(`${CHECKPOINT_PREFIX}${head.count}`)) as AuditCheckpoint | undefined) : undefined,
    }
  }

  /** Appends a signed checkpoint inside a write, if the chain and the trail's start are still as `expected` says; else TrailMoved. */
  private async putCheckpoint(tx: KeyStoreTransaction, expected: { head: CheckpointHead; stored: boolean; lastSequence: number }, checkpoint: AuditCheckpoint): Promise<number> {
    const current = (await tx.getMeta(CHECKPOINT_HEAD)) as CheckpointHead | undefined
    const sameChain = expected.stored ? current?.count === expected.head.count && current.hash === expected.head.hash : current === undefined
    const last = await tx.lastAuditRecord()
    if (!sameChain || (last?.sequence ?? expected.lastSequence) !== expected.lastSequence) throw new TrailMoved()
    if (checkpoint.start !== undefined && checkpoint.start !== startOf(((await tx.getMeta(BASE)) as Base | undefined)?.checkpoint)) throw new TrailMoved()
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
      const s = await this.store.transaction('readonly', (tx) => this.state(tx, now, goal.kind === 'now'))
      this.seen(s.stored && s.head.count > 0 ? Date.parse(s.head.time) : Number.NEGATIVE_INFINITY)
      const covered = s.head.sequence >= s.lastSequence
      if (goal.kind === 'sequence' && s.head.sequence >= goal.sequence) return s.head.count
      if (goal.kind === 'period' && (!s.stored || now.getTime() - Date.parse(s.head.time) < this.limits.periodMs)) return s.head.count
      if (goal.kind === 'now' && goal.challenge === undefined && covered && s.headCheckpoint?.start === s.start && Date.parse(s.head.time) >= now.getTime()) return s.head.count
      const unsigned = nextCheckpoint(s, now, key)
      if (goal.kind === 'now' && goal.challenge !== undefined) unsigned.challenge = goal.challenge
      const checkpoint = { ...unsigned, signature: await sign(key, unsigned) }
      try {
        const count = await this.store.transaction('readwrite', async (tx) => {
          // An empty trail gets its head with the first checkpoint.
          return this.putCheckpoint(tx, s, checkpoint)
        })
        this.seen(Date.parse(checkpoint.time))
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

  /**
   * The trail kept so far, ending with a checkpoint signed now (over `challenge`, if given) that
   * signs where the export starts. The checkpoint is signed outside any transaction, so a prune
   * (another tab's) between its signing and the export's reading moves the start it signed: it
   * is then signed again.
   */
  async export(options: { challenge?: string } = {}): Promise<ExportedAuditLog> {
    for (let attempt = 0; ; attempt++) {
      const index = await this.checkpoint(options.challenge === undefined ? { kind: 'now' } : { kind: 'now', challenge: options.challenge })
      const out = await this.store.transaction('readonly', (tx) => this.segment(tx, index))
      const last = out.checkpoints.at(-1)
      if (last?.start !== undefined && last.start === startOf(out.base)) return out
      if (attempt + 1 >= ATTEMPTS) throw new TrailMoved()
    }
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
      const start = startOf(base?.checkpoint)
      const baseSequence = base?.checkpoint.sequence ?? 0
      const kept = head.sequence - baseSequence
      // An event's age is its eventTime's: a checkpoint closing an idle span is signed long after the events it covers.
      const old = async (sequence: number) => {
        const record = await tx.getAuditRecord(sequence)
        return !record || now - (timeSpan(record.event.eventTime)?.start ?? now) > this.limits.maxAgeMs
      }
      if (kept <= this.limits.maxEvents && !(await old(baseSequence + 1))) return undefined
      // By age: the newest checkpoint whose last event is older than the limit (times only grow).
      // By count: the first checkpoint after which at most half of maxEvents remain, so a trail
      // at its bound is not cut again every CHECKPOINT_INTERVAL events. Half, not more: the cut
      // must be a checkpoint signed since the last prune (below), which under steady traffic
      // begins half a bound after that prune's cut; a larger target would overshoot to a quarter
      // on every other cut.
      const target = kept > this.limits.maxEvents ? Math.floor(this.limits.maxEvents / 2) : undefined
      // A segment ends at a checkpoint that signs its own start (or none, if made before
      // checkpoints signed one), so each archived segment verifies alone: checkpoints signed
      // before the last prune signed an earlier start.
      let cut: Base | undefined
      for (let n = (base?.index ?? 0) + 1; n <= head.count; n++) {
        const c = (await tx.getMeta(`${CHECKPOINT_PREFIX}${n}`)) as AuditCheckpoint
        const aged = c.sequence <= baseSequence || (await old(c.sequence)) // an idle checkpoint loses no event
        const enough = target !== undefined && head.sequence - c.sequence <= target
        const endsSegment = c.start === undefined || c.start === start
        if ((aged || enough) && endsSegment) cut = { index: n, checkpoint: c }
        if (!aged && (target === undefined || (enough && endsSegment))) break
      }
      // The pruned segment is read only for an archive to keep.
      return cut && { cut, base, segment: this.limits.archive ? await this.segment(tx, cut.index) : undefined }
    })
    if (!plan) return
    if (this.limits.archive && plan.segment) await this.limits.archive(plan.segment)
    await this.store.transaction('readwrite', async (tx) => {
      const base = (await tx.getMeta(BASE)) as Base | undefined
      if ((base?.index ?? 0) !== (plan.base?.index ?? 0)) return // another tab pruned meanwhile
      await tx.deleteAuditRecords(plan.cut.checkpoint.sequence)
      for (let n = (base?.index ?? 0) + 1; n <= plan.cut.index; n++) await tx.deleteMeta(`${CHECKPOINT_PREFIX}${n}`)
      await tx.putMeta(BASE, plan.cut satisfies Base)
    })
  }
}
