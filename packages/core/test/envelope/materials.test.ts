/** The caching materials manager. */
import { describe, expect, it } from 'vitest'
import { buildClient, CachingMaterialsManager, type EncryptionMaterials, type Keyring } from '../../src/index.js'
import { aesKeyring, bytes } from './helpers.js'

/** A keyring that counts how often it is asked for a data key. */
function counting(): { keyring: Keyring; calls: { encrypt: number; decrypt: number } } {
  const inner = aesKeyring()
  const calls = { encrypt: 0, decrypt: 0 }
  return {
    calls,
    keyring: {
      onEncrypt: (m: EncryptionMaterials) => (calls.encrypt++, inner.onEncrypt(m)),
      onDecrypt: (m, edks) => (calls.decrypt++, inner.onDecrypt(m, edks)),
    },
  }
}

const client = buildClient()

describe('CachingMaterialsManager', () => {
  it('reuses a data key up to maxMessagesEncrypted, then makes a new one', async () => {
    const { keyring, calls } = counting()
    const cmm = new CachingMaterialsManager({ underlying: keyring, maxAge: 60_000, maxMessagesEncrypted: 3 })
    const messages = []
    for (let i = 0; i < 7; i++) messages.push((await client.encrypt(cmm, bytes(10), { encryptionContext: { a: 'b' } })).result)
    expect(calls.encrypt).toBe(3) // messages 1-3, 4-6, 7
    for (const m of messages) expect((await client.decrypt(cmm, m)).plaintext).toEqual(bytes(10))
    expect(calls.decrypt).toBe(3) // one per distinct data key
  })

  it('respects maxBytesEncrypted, maxAge (by its clock) and the context', async () => {
    const { keyring, calls } = counting()
    let now = 0
    const cmm = new CachingMaterialsManager({ underlying: keyring, maxAge: 1000, maxBytesEncrypted: 25, now: () => now })
    await client.encrypt(cmm, bytes(10))
    await client.encrypt(cmm, bytes(10))
    expect(calls.encrypt).toBe(1)
    await client.encrypt(cmm, bytes(10)) // 30 bytes > 25
    expect(calls.encrypt).toBe(2)
    now = 1001
    await client.encrypt(cmm, bytes(1))
    expect(calls.encrypt).toBe(3)
    await client.encrypt(cmm, bytes(1), { encryptionContext: { other: 'context' } })
    expect(calls.encrypt).toBe(4)
  })

  it('never caches for streams of unknown length or identity-KDF suites', async () => {
    const { keyring, calls } = counting()
    const cmm = new CachingMaterialsManager({ underlying: keyring, maxAge: 60_000 })
    const forbid = buildClient('FORBID_ENCRYPT_ALLOW_DECRYPT')
    await forbid.encrypt(cmm, bytes(1), { suiteId: 0x0078 })
    await forbid.encrypt(cmm, bytes(1), { suiteId: 0x0078 })
    expect(calls.encrypt).toBe(2)
    for (let i = 0; i < 2; i++) {
      const s = client.encryptStream(cmm)
      await new Response(new Blob([bytes(5)]).stream().pipeThrough(s)).arrayBuffer()
    }
    expect(calls.encrypt).toBe(4)
  })

  it('messages with cached data keys are still unique (fresh message ids)', async () => {
    const cmm = new CachingMaterialsManager({ underlying: aesKeyring(), maxAge: 60_000 })
    const a = await client.encrypt(cmm, bytes(10))
    const b = await client.encrypt(cmm, bytes(10))
    expect(a.messageHeader.messageId).not.toEqual(b.messageHeader.messageId)
    expect(a.result).not.toEqual(b.result)
  })

  it('rejects bad limits with RangeError', () => {
    expect(() => new CachingMaterialsManager({ underlying: aesKeyring(), maxAge: 0 })).toThrow(/"maxAge"/)
    expect(() => new CachingMaterialsManager({ underlying: aesKeyring(), maxAge: 1, maxMessagesEncrypted: 2 ** 33 })).toThrow(/"maxMessagesEncrypted"/)
  })
})
