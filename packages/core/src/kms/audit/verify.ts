/**
 * `verifyAuditLog(exported, options)`: checks an exported audit trail offline.
 *
 * What it establishes, and from what:
 * - integrity, from the export alone: every event's hash and place in the chain, every
 *   checkpoint's signature, the checkpoint chain and its contiguous time coverage, and that the
 *   last event is covered by a signed checkpoint (`intact`);
 * - authenticity, only from keys the verifier obtained apart from the export (`trustedKeys`,
 *   from GetAuditPublicKeys): anyone can recompute hashes and sign with a key of their own, so a
 *   log is `valid` only when every checkpoint is signed by a trusted key, or by a key a trusted
 *   key handed over to in a checkpoint of its own (rotation keeps old exports verifiable);
 * - freshness, when asked: the last checkpoint answers the verifier's `challenge` (the export
 *   was made after the challenge was chosen, and not cut at an earlier checkpoint), and/or was
 *   signed at most `maxAgeMs` before `now`;
 * - completeness at the start: every checkpoint signs where the kept trail started (its `base`,
 *   or the trail's beginning), and an export ends with one signing its own start, so events
 *   dropped before a moved `base` are found; with a challenge or maxAgeMs that signature is required. Where
 *   the verified trail starts is reported (`coverage.startsAfter`): a verifier holding archived
 *   segments checks it is 0.
 *
 * Several exports in order (archived segments, then the current export) verify as one trail:
 * each one's `base` must be the previous one's last checkpoint.
 *
 * It never throws: malformed input of any shape is `valid: false` with the position found.
 */
import { fromBase64 } from '../../util/bytes.js'
import { canonicalJson, chainHash, checkpointBytes, GENESIS_HASH, timeSpan, type AuditCheckpoint, type AuditEvent } from './chain.js'
import { checkpointHash, keyFingerprint, sha256Hex } from './hashes.js'
import { AUDIT_FORMAT, type ExportedAuditLog } from './layout.js'

/** One checkpoint's period, as `verifyAuditLog` reports it. */
export interface AuditPeriod {
  from: string
  to: string
  /** The events recorded in the period (0: nothing happened) and the last event's sequence. */
  events: number
  sequence: number
  /** Fingerprint of the key that signed the checkpoint closing the period. */
  key: string
}

/** The options of {@link verifyAuditLog}: what the verifier knows apart from the export. */
export interface VerifyAuditLogOptions {
  /**
   * The signing keys you trust, obtained apart from the export (GetAuditPublicKeys): hex
   * fingerprints or base64 public keys. Without them a log can be `intact`, never `valid`.
   */
  trustedKeys?: readonly string[]
  /** The challenge you passed to ExportAuditLog: the last checkpoint must carry it. */
  challenge?: string
  /** The last checkpoint must be at most this old (ms) at `now`. */
  maxAgeMs?: number
  /** Default: the current time. */
  now?: Date
}

/**
 * What {@link verifyAuditLog} found. `valid` is the verdict; `intact` says the export is
 * consistent with itself even when it is not `valid` (no trusted key given, an untrusted
 * signer, a stale or unanswered challenge), and `problem` says where and why it failed.
 *
 * @example
 * ```ts
 * import { verifyAuditLog, type AuditVerification } from '@webkms/core'
 *
 * declare const exported: unknown // a stored export, parsed from JSON
 * declare const pinned: string // a fingerprint from GetAuditPublicKeys, kept apart from the export
 * const result: AuditVerification = await verifyAuditLog(exported, { trustedKeys: [pinned], maxAgeMs: 24 * 3_600_000 })
 * if (!result.valid) console.log(`rejected at event ${result.problem?.position}: ${result.problem?.reason}`)
 * ```
 */
export interface AuditVerification {
  /** Intact, every checkpoint signed by a trusted key, and fresh as asked. */
  valid: boolean
  /** Consistent with itself and with the keys it lists: nothing edited, removed, inserted or reordered. */
  intact: boolean
  /** Events whose place in the chain was checked. */
  events: number
  /** Checkpoints checked (before the problem, if any). */
  checkpoints: number
  /**
   * When intact: the time covered without a gap, from the trail's (or base's) start to the last
   * checkpoint; the sequence number of the event the first part starts after (0: the trail's
   * beginning; else its events before were pruned, and are in archived segments if any); and
   * whether the last checkpoint signs where its export starts (absent only from checkpoints an
   * older webkms signed).
   */
  coverage?: { from: string; to: string; startsAfter: number; startSigned: boolean }
  /** When intact: each checkpoint's period, oldest first, contiguous (an idle period has 0 events). */
  periods?: AuditPeriod[]
  /** Fingerprints of the keys that signed the checkpoints, oldest first. */
  signers?: string[]
  /** When intact: when the last checkpoint was signed, its age at `now`, and whether it answers the challenge. */
  freshness?: { signedAt: string; ageMs: number; challengeAnswered: boolean }
  /**
   * The first problem: the 1-based sequence number of the event (or of the last event a
   * checkpoint covers; 0 for the export as a whole) and why; `checkpoint` is the 1-based
   * position of the checkpoint at fault among those checked, if any.
   */
  problem?: { position: number; reason: string; checkpoint?: number }
}

class Problem extends Error {
  constructor(
    readonly position: number,
    readonly reason: string,
    readonly checkpoint?: number,
  ) {
    super(reason)
  }
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v)
const isHex64 = (v: unknown): v is string => typeof v === 'string' && /^[0-9a-f]{64}$/.test(v)

function wellFormedCheckpoint(c: unknown): c is AuditCheckpoint {
  if (!isObject(c)) return false
  const optional = (v: unknown) => v === undefined || typeof v === 'string'
  return (
    typeof c.from === 'string' && typeof c.time === 'string' && Number.isSafeInteger(c.sequence) && (c.sequence as number) >= 0 &&
    isHex64(c.hash) && isHex64(c.previousCheckpoint) && typeof c.signature === 'string' && optional(c.key) && optional(c.nextKey) && optional(c.challenge) &&
    (c.start === undefined || isHex64(c.start))
  )
}

interface State {
  /** Event chain: the hash and sequence of the last event checked. */
  hash: string
  sequence: number
  /** Checkpoint chain: the last checkpoint checked (or the base), and its hash. */
  previous?: AuditCheckpoint
  previousHash: string
  /** Keys allowed to sign the next checkpoint; after a handover, only the new one. */
  signers: Set<string> | undefined
  trusted: Set<string>
  /** The sequence the first part starts after, and whether the last part's last checkpoint signed its start. */
  startsAfter: number
  startSigned: boolean
  /** The hashes of where each part so far starts (GENESIS_HASH for a first part without a base). */
  starts: Set<string>
}

async function importKey(publicKey: string): Promise<CryptoKey> {
  return globalThis.crypto.subtle.importKey('raw', fromBase64(publicKey), { name: 'ECDSA', namedCurve: 'P-256' }, false, ['verify'])
}

/** Verifies an export (or several in order) with nothing but the export and the verifier's own options. */
export async function verifyAuditLog(exported: ExportedAuditLog | readonly ExportedAuditLog[] | unknown, options: VerifyAuditLogOptions = {}): Promise<AuditVerification> {
  const counts = { events: 0, checkpoints: 0 }
  const periods: AuditPeriod[] = []
  const signers: string[] = []
  let state: State | undefined
  try {
    const trusted = trustedFingerprints(options.trustedKeys)
    const parts = Array.isArray(exported) ? exported : [exported]
    if (parts.length === 0) throw new Problem(0, 'no export given')
    for (const part of parts) state = await verifyPart(part, state, trusted, counts, periods, signers)
    const last = state!.previous
    if (!last) throw new Problem(0, 'no signed checkpoint: nothing in the export is signed')
    const now = options.now ?? new Date()
    const signedAt = last.time
    const freshness = { signedAt, ageMs: now.getTime() - Date.parse(signedAt), challengeAnswered: options.challenge !== undefined && last.challenge === options.challenge }
    const result: AuditVerification = {
      valid: true,
      intact: true,
      ...counts,
      coverage: { from: periods[0]?.from ?? last.time, to: last.time, startsAfter: state!.startsAfter, startSigned: state!.startSigned },
      periods,
      signers: [...new Set(signers)],
      freshness,
    }
    const problem = (reason: string) => ({ ...result, valid: false, problem: { position: 0, reason } })
    if (!trusted) return problem('no trusted signing key given: the export is intact, but anyone can sign a rewritten trail with a key of their own; pass trustedKeys from GetAuditPublicKeys')
    const untrusted = signers.find((f) => !state!.trusted.has(f))
    if (untrusted) return problem(`checkpoint signed by key ${untrusted}, which is not trusted`)
    if (options.challenge !== undefined && !freshness.challengeAnswered) {
      return problem('the last checkpoint does not answer the challenge: an older export, or one cut before its last checkpoint')
    }
    // A fresh export (what a challenge or an age limit asks for) ends with a checkpoint that signs its start.
    if ((options.challenge !== undefined || options.maxAgeMs !== undefined) && !state!.startSigned) {
      return problem('the last checkpoint does not sign where the export starts: an export from before exports signed their start, or one cut at such a checkpoint')
    }
    if (options.maxAgeMs !== undefined && !(freshness.ageMs <= options.maxAgeMs)) {
      return problem(`stale: the last checkpoint was signed at ${signedAt}, more than ${options.maxAgeMs} ms before ${now.toISOString()}`)
    }
    return result
  } catch (error) {
    const p = error instanceof Problem ? error : new Problem(0, `not a readable webkms audit export (${error instanceof Error ? error.name : typeof error})`)
    const problem: AuditVerification['problem'] = p.checkpoint === undefined ? { position: p.position, reason: p.reason } : { position: p.position, reason: p.reason, checkpoint: p.checkpoint }
    return { valid: false, intact: false, ...counts, problem }
  }
}

function trustedFingerprints(keys: readonly string[] | undefined): Set<string> | undefined {
  if (keys === undefined) return undefined
  if (!Array.isArray(keys)) throw new Problem(0, 'trustedKeys must be a list of key fingerprints or public keys')
  const out = new Set<string>()
  for (const k of keys) {
    if (isHex64(k)) out.add(k)
    else if (typeof k === 'string' && /^[A-Za-z0-9+/]+={0,2}$/.test(k)) out.add(keyFingerprint(fromBase64(k)))
    else throw new Problem(0, 'trustedKeys must be key fingerprints (64 hex digits) or base64 public keys')
  }
  return out
}

async function verifyPart(
  part: unknown,
  before: State | undefined,
  trusted: Set<string> | undefined,
  counts: { events: number; checkpoints: number },
  periods: AuditPeriod[],
  signers: string[],
): Promise<State> {
  if (!isObject(part) || !Array.isArray(part.events) || !Array.isArray(part.checkpoints)) throw new Problem(0, `not a webkms audit export (format ${AUDIT_FORMAT})`)
  // Exports made before keys had identities carry one `publicKey`.
  const legacy = part.format === 'webkms-audit-2' && typeof part.publicKey === 'string'
  if (part.format !== AUDIT_FORMAT && part.format !== 'webkms-audit-3' && !legacy) throw new Problem(0, `not a webkms audit export (format ${AUDIT_FORMAT})`)
  const listed: { fingerprint: string; publicKey: string }[] = legacy
    ? [{ fingerprint: keyFingerprint(fromBase64(part.publicKey as string)), publicKey: part.publicKey as string }]
    : Array.isArray(part.signingKeys) ? (part.signingKeys as unknown[]).filter((k): k is { fingerprint: string; publicKey: string } => isObject(k) && isHex64(k.fingerprint) && typeof k.publicKey === 'string') : []
  const keys = new Map<string, CryptoKey>()
  for (const k of listed) {
    // A listed key is used only if it really has that fingerprint.
    if (keyFingerprint(fromBase64(k.publicKey)) !== k.fingerprint) throw new Problem(0, `signing key ${k.fingerprint} does not match its fingerprint`)
    try {
      keys.set(k.fingerprint, await importKey(k.publicKey))
    } catch {
      throw new Problem(0, `signing key ${k.fingerprint} is not a P-256 public key`)
    }
  }
  const firstKey = listed[0]?.fingerprint
  const state: State = before ?? { hash: GENESIS_HASH, sequence: 0, previousHash: GENESIS_HASH, signers: undefined, trusted: new Set(trusted ?? []), startsAfter: 0, startSigned: false, starts: new Set() }

  const checkSignature = async (c: AuditCheckpoint, at: number, position: number) => {
    const signer = c.key ?? firstKey
    const key = signer === undefined ? undefined : keys.get(signer)
    if (!signer || !key) throw new Problem(position, `checkpoint signed by a key the export does not list (${String(signer)})`, at)
    if (state.signers && !state.signers.has(signer)) throw new Problem(position, `checkpoint signed by key ${signer} after the signing key was handed over to another`, at)
    let ok = false
    try {
      ok = await globalThis.crypto.subtle.verify({ name: 'ECDSA', hash: 'SHA-256' }, key, fromBase64(c.signature), checkpointBytes(c))
    } catch {
      ok = false
    }
    if (!ok) throw new Problem(position, 'checkpoint signature does not verify (forged or edited)', at)
    signers.push(signer)
    if (c.nextKey !== undefined) {
      if (!isHex64(c.nextKey)) throw new Problem(position, 'checkpoint hands over to a malformed key fingerprint', at)
      if (state.trusted.has(signer)) state.trusted.add(c.nextKey)
      state.signers = new Set([c.nextKey])
    }
  }

  // A part that starts after pruned events: its base must be the checkpoint the trail so far ends with.
  if (part.base !== undefined) {
    const base = part.base
    if (!wellFormedCheckpoint(base)) throw new Problem(0, 'base checkpoint malformed')
    if (before) {
      if (!before.previous || checkpointHash(base) !== before.previousHash) throw new Problem(base.sequence, 'segments do not join: the base is not the previous segment\'s last checkpoint')
    } else {
      await checkSignature(base, 0, base.sequence)
      Object.assign(state, { hash: base.hash, sequence: base.sequence, previous: base, previousHash: checkpointHash(base), startsAfter: base.sequence })
    }
  } else if (before) {
    throw new Problem(0, 'a later segment has no base')
  }
  // Where this part starts, as the checkpoint that ends it signs it (`start`).
  const partStart = state.previousHash
  state.starts.add(partStart)

  const start = state.sequence
  const hashes = new Map<number, string>([[start, state.hash]])
  const events: AuditEvent[] = []
  for (const e of part.events as unknown[]) {
    const position = state.sequence + 1
    if (!isObject(e) || !isObject(e.webkms)) throw new Problem(position, 'event malformed')
    const { webkms, ...event } = e
    if (webkms.sequence !== position) throw new Problem(position, 'event out of sequence (inserted, deleted or reordered)')
    if (webkms.previousHash !== state.hash) throw new Problem(position, 'chain broken: previous hash does not match')
    let hash: string
    try {
      hash = chainHash(state.hash, event, sha256Hex)
    } catch {
      throw new Problem(position, 'event cannot be hashed (not JSON data)')
    }
    if (hash !== webkms.hash) throw new Problem(position, 'event edited: its hash does not match')
    state.hash = hash
    state.sequence = position
    hashes.set(position, hash)
    events.push(event)
    counts.events++
  }
  const end = state.sequence

  for (const c of part.checkpoints as unknown[]) {
    const at = counts.checkpoints + 1
    if (!wellFormedCheckpoint(c)) throw new Problem(0, 'checkpoint malformed', at)
    await checkSignature(c, at, c.sequence)
    const previous = state.previous
    const done = previous?.sequence ?? start
    if (c.previousCheckpoint !== state.previousHash) {
      throw new Problem(c.sequence, previous ? 'checkpoint chain broken: a checkpoint before this one was removed, inserted or reordered' : 'checkpoint chain broken: the first checkpoint does not start the chain (one before it was removed)', at)
    }
    const from = Date.parse(c.from)
    const time = Date.parse(c.time)
    if (Number.isNaN(from) || Number.isNaN(time)) throw new Problem(c.sequence, 'checkpoint period unreadable', at)
    if (previous && time < Date.parse(previous.time)) throw new Problem(c.sequence, 'checkpoint times go backwards', at)
    if (previous && from > Date.parse(previous.time)) throw new Problem(c.sequence, `gap in time coverage: nothing covers ${previous.time} to ${c.from}`, at)
    if (previous && from < Date.parse(previous.time)) throw new Problem(c.sequence, `overlap in time coverage: ${c.from} to ${previous.time} is covered twice`, at)
    if (time < from) throw new Problem(c.sequence, 'checkpoint times go backwards: its period ends before it starts', at)
    if (c.sequence < done) throw new Problem(c.sequence, 'checkpoints out of order', at)
    if (c.sequence > end) throw new Problem(end + 1, 'events missing after the last event (tail dropped)', at)
    // A consistent rewrite after `done` is caught here, at the first checkpoint it crosses.
    if (hashes.get(c.sequence) !== c.hash) throw new Problem(done + 1, 'events rewritten: the chain does not match a signed checkpoint', at)
    for (let s = done + 1; s <= c.sequence; s++) {
      const event = events[s - start - 1]!
      if (event.eventTime === undefined) continue
      const span = timeSpan(event.eventTime)
      if (!span) throw new Problem(s, 'event time unreadable', at)
      if (span.start > time) throw new Problem(s, `event time ${String(event.eventTime)} is after the end of its checkpoint's period (${c.time})`, at)
      // Service events carry the time they were due and are recorded when next noticed.
      if (span.end <= from && event.eventType !== 'AwsServiceEvent') {
        throw new Problem(s, `event time ${String(event.eventTime)} is before the start of its checkpoint's period (${c.from})`, at)
      }
    }
    periods.push({ from: c.from, to: c.time, events: c.sequence - done, sequence: c.sequence, key: c.key ?? firstKey! })
    state.previous = c
    state.previousHash = checkpointHash(c)
    counts.checkpoints++
  }
  const covered = state.previous?.sequence ?? start
  if (end > covered) throw new Problem(covered + 1, 'events after the last signed checkpoint (appended or tail replaced)')
  // An export (or archived segment) ends with a checkpoint signed while the trail started where
  // the part does. A part ending at its own base (no checkpoint after it) is no export's: its
  // base signed an earlier start. Joined to the parts before it, a part may end at a checkpoint
  // signed while the trail started where one of them does (an engine from before checkpoints
  // signed their start pruned there): the events since are all in the parts verified.
  const ending = state.previous
  if (ending?.start !== undefined && !(ending.start === partStart || (before && state.starts.has(ending.start)))) {
    throw new Problem(start + 1, 'the export does not start where its last checkpoint says: events before its first were dropped (its base was moved or removed)')
  }
  state.startSigned = ending?.start !== undefined
  return state
}

/** Canonical JSON, re-exported for tools that recompute event hashes. */
export { canonicalJson }
