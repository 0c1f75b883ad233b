import { describe, expect, it } from 'vitest'
import { MemoryKeyStore } from '../src/index.js'
import type { AuditRecord } from '../src/keystore/records.js'
import { describeKeyStoreConformance } from '../../../test/conformance/keyStoreConformance.js'

describeKeyStoreConformance('MemoryKeyStore', () => new MemoryKeyStore())

describe('MemoryKeyStore audit records', () => {
  // Kept frozen and handed out as they are (no copy on read), so the copy made on write must be
  // whole: nothing the writer still holds may reach what is stored.
  it('are stored as frozen copies, at every depth: changing what was put changes nothing stored', async () => {
    const store = new MemoryKeyStore()
    const context = JSON.parse('{"__proto__":"p","tenant":"acme"}') as Record<string, string>
    const bare = Object.assign(Object.create(null) as Record<string, unknown>, { a: 1 })
    const event = { eventName: 'Encrypt', requestParameters: { encryptionContext: context, bare }, resources: [{ ARN: 'arn:1' }], when: new Date(0), skipped: undefined }
    const record = { sequence: 1, event, previousHash: '0'.repeat(64), hash: '1'.repeat(64) } as unknown as AuditRecord
    await store.transaction('readwrite', (tx) => tx.putAuditRecord(record))
    context.tenant = 'changed'
    ;(event.resources[0] as { ARN: string }).ARN = 'arn:changed'
    bare.a = 2
    event.when.setTime(1)
    const stored = (await store.transaction('readonly', (tx) => tx.getAuditRecord(1)))!
    const e = stored.event as typeof event
    expect(e.requestParameters.encryptionContext).toEqual(JSON.parse('{"__proto__":"p","tenant":"acme"}'))
    expect(Object.hasOwn(e.requestParameters.encryptionContext, '__proto__')).toBe(true)
    expect(e.resources).toEqual([{ ARN: 'arn:1' }])
    expect(e.requestParameters.bare).toEqual({ a: 1 })
    expect(e.when.getTime()).toBe(0)
    expect('skipped' in e).toBe(false)
    for (const part of [stored, e, e.requestParameters, e.requestParameters.encryptionContext, e.requestParameters.bare, e.resources, e.resources[0]]) expect(Object.isFrozen(part)).toBe(true)
    expect(() => {
      ;(e.resources as unknown[]).push({})
    }).toThrow(TypeError)
  })
})
