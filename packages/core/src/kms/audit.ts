/**
 * The audit trail: every call becomes an event shaped like a CloudTrail KMS event, never with
 * plaintext or key material, and the events form a hash chain in the KeyStore:
 *
 *   hash(n) = SHA-256(hash(n-1) || canonical JSON of event n), hash(0) = 64 zeros (hex)
 *
 * Checkpoints sign (sequence, hash, time) with the trail's own ECDSA P-256 key, created
 * non-extractable on first use and kept in the store; an export always ends with a checkpoint
 * over its last event. `verifyAuditLog` needs nothing but the export: an edited, inserted,
 * deleted or reordered event, a forged checkpoint or a dropped tail is found, with the position
 * of the first problem. (CloudTrail, by contrast, chains only hourly digest files.)
 *
 * Hashing inside a store transaction must not await (KeyStore's invariant), so the chain uses
 * @noble/hashes' synchronous SHA-256.
 */
import { sha256 } from '@noble/hashes/sha2.js'
import type { KeyStore, KeyStoreTransaction } from '../keystore/KeyStore.js'
import type { AuditRecord } from '../keystore/records.js'
import { fromBase64 as unb64, toBase64 as b64, toHex, utf8 } from '../util/bytes.js'

export const GENESIS_HASH = '0'.repeat(64)
const SIGNING_KEY = 'audit-signing-key'
const CHECKPOINTS = 'audit-checkpoints'
/** A checkpoint is signed at least every this many events, besides the one every export adds. */
export const CHECKPOINT_INTERVAL = 64

export type AuditEvent = Record<string, unknown>

export interface AuditCheckpoint {
  sequence: number
  hash: string
  time: string
  /** Base64 ECDSA P-256 / SHA-256 signature (IEEE P1363) over the canonical JSON of the three fields above. */
  signature: string
}

export interface ExportedAuditLog {
  format: 'webkms-audit-1'
  /** CloudTrail-shaped events, oldest first; `webkms` holds each one's place in the chain. */
  events: (AuditEvent & { webkms: { sequence: number; previousHash: string; hash: string } })[]
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

const checkpointBytes = (c: Omit<AuditCheckpoint, 'signature'>) => utf8(canonicalJson({ sequence: c.sequence, hash: c.hash, time: c.time }))

/** Appends one event inside an open read-write transaction (no await but the store's). */
export async function appendAuditEvent(tx: KeyStoreTransaction, event: AuditEvent): Promise<AuditRecord> {
  const last = await tx.lastAuditRecord()
  const previousHash = last?.hash ?? GENESIS_HASH
  const record: AuditRecord = { sequence: (last?.sequence ?? 0) + 1, event, previousHash, hash: chainHash(previousHash, event) }
  await tx.putAuditRecord(record)
  return record
}

interface SigningKey {
  privateKey: CryptoKey
  publicKey: string
}

export class AuditTrail {
  constructor(
    private readonly store: KeyStore,
    private readonly now: () => Date,
  ) {}

  /** Appends an event in its own transaction; signs a checkpoint every CHECKPOINT_INTERVAL events. */
  async record(event: AuditEvent): Promise<void> {
    const record = await this.store.transaction('readwrite', (tx) => appendAuditEvent(tx, event))
    if (record.sequence % CHECKPOINT_INTERVAL === 0) await this.checkpoint()
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

  /** Signs a checkpoint over the newest event (if it has none yet). */
  async checkpoint(): Promise<void> {
    const key = await this.signingKey()
    const last = await this.store.transaction('readonly', (tx) => tx.lastAuditRecord())
    if (!last) return
    const unsigned = { sequence: last.sequence, hash: last.hash, time: this.now().toISOString() }
    const signature = b64(new Uint8Array(await globalThis.crypto.subtle.sign({ name: 'ECDSA', hash: 'SHA-256' }, key.privateKey, checkpointBytes(unsigned))))
    await this.store.transaction('readwrite', async (tx) => {
      const list = ((await tx.getMeta(CHECKPOINTS)) as AuditCheckpoint[] | undefined) ?? []
      if (list.at(-1)?.sequence !== unsigned.sequence) await tx.putMeta(CHECKPOINTS, [...list, { ...unsigned, signature }])
    })
  }

  async export(): Promise<ExportedAuditLog> {
    await this.checkpoint()
    const key = await this.signingKey()
    const { records, checkpoints } = await this.store.transaction('readonly', async (tx) => ({
      records: await tx.listAuditRecords(),
      checkpoints: ((await tx.getMeta(CHECKPOINTS)) as AuditCheckpoint[] | undefined) ?? [],
    }))
    return {
      format: 'webkms-audit-1',
      events: records.map((r) => ({ ...r.event, webkms: { sequence: r.sequence, previousHash: r.previousHash, hash: r.hash } })),
      checkpoints: checkpoints.filter((c) => c.sequence <= (records.at(-1)?.sequence ?? 0)),
      publicKey: key.publicKey,
    }
  }
}

export interface AuditVerification {
  valid: boolean
  /** Events whose place in the chain was checked. */
  events: number
  checkpoints: number
  /** The first problem: the 1-based position of the event (or checkpoint's event) and why. */
  problem?: { position: number; reason: string }
}

/** Verifies an exported audit log with nothing but the export itself. */
export async function verifyAuditLog(exported: ExportedAuditLog): Promise<AuditVerification> {
  const fail = (position: number, reason: string, events: number, checkpoints: number): AuditVerification => ({ valid: false, events, checkpoints, problem: { position, reason } })
  if (!exported || exported.format !== 'webkms-audit-1' || !Array.isArray(exported.events) || !Array.isArray(exported.checkpoints)) {
    return fail(0, 'not a webkms audit export', 0, 0)
  }
  const hashes = [GENESIS_HASH]
  for (const [i, e] of exported.events.entries()) {
    const { webkms, ...event } = e
    const position = i + 1
    if (webkms?.sequence !== position) return fail(position, 'event out of sequence (inserted, deleted or reordered)', i, 0)
    if (webkms.previousHash !== hashes[i]) return fail(position, 'chain broken: previous hash does not match', i, 0)
    const hash = chainHash(hashes[i]!, event)
    if (hash !== webkms.hash) return fail(position, 'event edited: its hash does not match', i, 0)
    hashes.push(hash)
  }
  const n = exported.events.length
  let key: CryptoKey
  try {
    key = await globalThis.crypto.subtle.importKey('raw', unb64(exported.publicKey), { name: 'ECDSA', namedCurve: 'P-256' }, false, ['verify'])
  } catch {
    return fail(0, 'invalid checkpoint public key', n, 0)
  }
  let previous = 0
  for (const [j, c] of exported.checkpoints.entries()) {
    let ok = false
    try {
      ok = await globalThis.crypto.subtle.verify({ name: 'ECDSA', hash: 'SHA-256' }, key, unb64(c.signature), checkpointBytes(c))
    } catch {
      ok = false
    }
    if (!ok) return fail(c.sequence, 'checkpoint signature does not verify (forged or edited)', n, j)
    if (c.sequence <= previous) return fail(c.sequence, 'checkpoints out of order', n, j)
    if (c.sequence > n) return fail(n + 1, 'events missing after the last event (tail dropped)', n, j)
    // A consistent rewrite after position `previous` is caught here, at the first checkpoint it crosses.
    if (hashes[c.sequence] !== c.hash) return fail(previous + 1, 'events rewritten: the chain does not match a signed checkpoint', n, j)
    previous = c.sequence
  }
  if (n > 0 && previous !== n) return fail(previous + 1, 'events after the last signed checkpoint (appended or tail replaced)', n, exported.checkpoints.length)
  return { valid: true, events: n, checkpoints: exported.checkpoints.length }
}
