/**
 * Group commit of audit events (AuditTrail.record): while one event's transaction is being
 * written, the events of other calls queue and share the next transaction. Every call's event
 * is still in the chain, in order, before the call returns; one event that cannot be stored
 * fails its own call only. The store here is slow to write, as IndexedDB's commits are.
 */
import { describe, expect, it } from 'vitest'
import { createKms, KMSInternalException, MemoryKeyStore, verifyAuditLog, type AuditRecord, type KeyStore, type KeyStoreTransaction, type TransactionMode } from '../src/index.js'
import { expectKmsError, testClock } from './helpers.js'

class SlowStore implements KeyStore {
  readonly inner = new MemoryKeyStore()
  /** Read-write transactions that appended audit records, and how many each appended. */
  readonly auditWrites: number[] = []
  failWhen?: (record: AuditRecord) => boolean

  async transaction<T>(mode: TransactionMode, fn: (tx: KeyStoreTransaction) => Promise<T>): Promise<T> {
    if (mode === 'readwrite') await new Promise((r) => setTimeout(r, 5))
    let appended = 0
    const result = await this.inner.transaction(mode, (tx) =>
      fn({
        ...tx,
        putAuditRecord: async (record) => {
          if (this.failWhen?.(record)) throw new Error('the disk is full')
          appended++
          return tx.putAuditRecord(record)
        },
      }),
    )
    if (appended) this.auditWrites.push(appended)
    return result
  }
}

describe('audit group commit', () => {
  it('calls in flight share transactions; every event is in the chain, in order, and verifies', async () => {
    const keyStore = new SlowStore()
    const kms = createKms({ keyStore })
    const { KeyMetadata } = await kms.createKey()
    const KeyId = KeyMetadata!.KeyId!
    keyStore.auditWrites.length = 0
    const calls = await Promise.all(Array.from({ length: 16 }, (_, i) => kms.encrypt({ KeyId, Plaintext: new Uint8Array([i]) })))
    expect(calls).toHaveLength(16)
    // 16 events, fewer transactions: at least one carried several.
    expect(keyStore.auditWrites.reduce((a, b) => a + b, 0)).toBe(16)
    expect(Math.max(...keyStore.auditWrites)).toBeGreaterThan(1)
    const log = await kms.exportAuditLog()
    const encrypts = log.events.filter((e) => e.eventName === 'Encrypt')
    expect(encrypts).toHaveLength(16)
    const { Keys } = await kms.getAuditPublicKeys()
    expect((await verifyAuditLog(log, { trustedKeys: Keys.map((k) => k.Fingerprint) })).valid).toBe(true)
  })

  it('an event that cannot be stored fails its own call only', async () => {
    const keyStore = new SlowStore()
    const kms = createKms({ keyStore })
    const { KeyMetadata } = await kms.createKey()
    const KeyId = KeyMetadata!.KeyId!
    keyStore.failWhen = (record) => record.event.eventName === 'GenerateRandom'
    const encrypt = () => kms.encrypt({ KeyId, Plaintext: new Uint8Array([1]) })
    const [a, b, random, c] = [encrypt(), encrypt(), kms.generateRandom({ NumberOfBytes: 16 }), encrypt()]
    await expectKmsError(random, KMSInternalException, /audit event could not be recorded/)
    for (const call of [a, b, c]) expect((await call).CiphertextBlob).toBeInstanceOf(Uint8Array)
    keyStore.failWhen = undefined
    const { events } = await kms.exportAuditLog()
    expect(events.filter((e) => e.eventName === 'Encrypt')).toHaveLength(3)
    expect(events.some((e) => e.eventName === 'GenerateRandom')).toBe(false)
  })

  // Signing a checkpoint happens outside any transaction, and it is stored only if no event
  // slipped in since the chain was read. Calls that keep appending must not starve it: this
  // engine's own appends wait while it signs.
  it('checkpoints keep up with calls in flight: one at least every 64 events, reads and writes alike', async () => {
    const kms = createKms()
    const { KeyMetadata } = await kms.createKey()
    const KeyId = KeyMetadata!.KeyId!
    let left = 1000
    const caller = async (write: boolean) => {
      for (; left > 0; left--) {
        if (write) await kms.updateKeyDescription({ KeyId, Description: `d${left}` })
        else await kms.encrypt({ KeyId, Plaintext: new Uint8Array([left & 255]) })
      }
    }
    await Promise.all([...Array.from({ length: 6 }, () => caller(false)), caller(true), caller(true)])
    const log = await kms.exportAuditLog()
    const covered = [0, ...log.checkpoints.map((c) => c.sequence)]
    const gaps = covered.slice(1).map((s, i) => s - covered[i]!)
    expect(log.events.length).toBeGreaterThan(1000)
    // Beyond the 64th event, the other 7 callers' events already in flight when it was stored.
    expect(Math.max(...gaps)).toBeLessThanOrEqual(64 + 8)
    const { Keys } = await kms.getAuditPublicKeys()
    expect((await verifyAuditLog(log, { trustedKeys: Keys.map((k) => k.Fingerprint) })).valid).toBe(true)
  })

  it('a checkpoint period that ends while calls are in flight fails none of them', async () => {
    const clock = testClock()
    const kms = createKms({ now: clock.now, keyStore: new SlowStore() })
    const { KeyMetadata } = await kms.createKey()
    const KeyId = KeyMetadata!.KeyId!
    await kms.exportAuditLog() // the first checkpoint: periods are counted from it
    let left = 200
    const caller = async () => {
      for (; left > 0; left--) {
        if (left % 50 === 0) clock.advanceMs(3_600_000) // a period ends every 50 calls
        await kms.encrypt({ KeyId, Plaintext: new Uint8Array([1]) })
      }
    }
    await Promise.all(Array.from({ length: 8 }, caller))
    const log = await kms.exportAuditLog()
    expect(log.events.filter((e) => e.errorCode !== undefined)).toEqual([])
    const { Keys } = await kms.getAuditPublicKeys()
    expect((await verifyAuditLog(log, { trustedKeys: Keys.map((k) => k.Fingerprint) })).valid).toBe(true)
  })

  it('the audit signing key rotates while calls are in flight', async () => {
    const kms = createKms()
    const { KeyMetadata } = await kms.createKey()
    const KeyId = KeyMetadata!.KeyId!
    const before = await kms.getAuditPublicKeys()
    // A first rotation loads the operation's code: in Chromium, a loop of calls holds off the
    // tasks a dynamic import (and a timer) waits for, so the calls are bounded too.
    await kms.rotateAuditSigningKey()
    let left = 2000
    const caller = async () => {
      for (; left > 0; left--) await kms.encrypt({ KeyId, Plaintext: new Uint8Array([1]) })
    }
    const callers = Array.from({ length: 8 }, caller)
    const rotated = await kms.rotateAuditSigningKey()
    const leftWhenRotated = left
    await Promise.all(callers)
    expect(leftWhenRotated).toBeGreaterThan(0) // the calls were still going
    expect(rotated.Fingerprint).not.toBe(before.CurrentKeyFingerprint)
    const log = await kms.exportAuditLog()
    expect(log.checkpoints.some((c) => c.nextKey === rotated.Fingerprint)).toBe(true)
    expect((await verifyAuditLog(log, { trustedKeys: [before.CurrentKeyFingerprint] })).valid).toBe(true)
  })

  it('retention keeps the trail within its bound while calls are in flight', async () => {
    let archived = 0
    const kms = createKms({ auditRetention: { maxEvents: 200, archive: (segment) => void (archived += segment.events.length) } })
    const { KeyMetadata } = await kms.createKey()
    const KeyId = KeyMetadata!.KeyId!
    let left = 1500
    const caller = async () => {
      for (; left > 0; left--) await kms.encrypt({ KeyId, Plaintext: new Uint8Array([1]) })
    }
    await Promise.all(Array.from({ length: 8 }, caller))
    const log = await kms.exportAuditLog()
    // Cut at checkpoints: at most maxEvents, plus the events since the last cut.
    expect(log.events.length).toBeLessThanOrEqual(200 + 64 + 8)
    expect(archived + log.events.length).toBeGreaterThan(1500)
    const { Keys } = await kms.getAuditPublicKeys()
    expect((await verifyAuditLog(log, { trustedKeys: Keys.map((k) => k.Fingerprint) })).valid).toBe(true)
  })
})
