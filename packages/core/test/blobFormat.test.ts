/**
 * The ciphertext blob's two formats (format/ciphertextBlob.ts), checked against an independent
 * implementation of what the file documents, with key material the test knows (imported):
 * - format 2, written by Encrypt: parsed and decrypted here with HMAC-SHA256 SP 800-108 and
 *   AES-GCM from the documented layout; one salt per engine and key version, a random IV per
 *   blob; another engine on the same store draws its own salt and reads the first one's blobs;
 *   a new salt after the usage limit;
 * - format 1, written by earlier releases: built here, still decrypted by the engine.
 */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { BlobKeys } from '../src/kms/crypto/blobKeys.js'
import { encodeEncryptionContext } from '../src/kms/format/encryptionContext.js'
import { createKms, InvalidCiphertextException, MemoryKeyStore } from '../src/index.js'
import { expectKmsError } from './helpers.js'
import { externalKey } from './importMaterial.js'

const subtle = crypto.subtle
const enc = new TextEncoder()
const u32 = (n: number) => new Uint8Array([n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255])
const cat = (...parts: Uint8Array[]) => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0))
  let o = 0
  for (const p of parts) out.set(p, (o += p.length) - p.length)
  return out
}
const uuidBytes = (id: string) => Uint8Array.from(id.replace(/-/g, '').match(/../g)!, (h) => parseInt(h, 16))
/** The encryption context encoding of format/encryptionContext.ts for one pair: count, then length-prefixed key and value. */
const contextBytes = (pairs: [string, string][]) => {
  const sorted = [...pairs].sort(([a], [b]) => (a < b ? -1 : 1))
  const u16 = (n: number) => new Uint8Array([n >> 8, n & 255])
  return pairs.length === 0 ? new Uint8Array() : cat(u16(sorted.length), ...sorted.flatMap(([k, v]) => [u16(enc.encode(k).length), enc.encode(k), u16(enc.encode(v).length), enc.encode(v)]))
}

/** SP 800-108r1 counter-mode KDF, one HMAC-SHA256 block, as the file documents it. */
async function kdf(material: Uint8Array, label: string, context: Uint8Array): Promise<CryptoKey> {
  const hmac = await subtle.importKey('raw', material as Uint8Array<ArrayBuffer>, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign'])
  const bytes = new Uint8Array(await subtle.sign('HMAC', hmac, cat(u32(1), enc.encode(label), new Uint8Array([0]), context, u32(256))))
  return subtle.importKey('raw', bytes, 'AES-GCM', false, ['encrypt', 'decrypt'])
}

async function setup() {
  const store = new MemoryKeyStore()
  const kms = createKms({ keyStore: store })
  const material = crypto.getRandomValues(new Uint8Array(32))
  const { KeyId } = await externalKey(kms, 'SYMMETRIC_DEFAULT', 'ENCRYPT_DECRYPT', material)
  return { store, kms, material, KeyId }
}

describe('blob format 2 (what Encrypt writes)', () => {
  it('follows the documented layout: an independent implementation decrypts it', async () => {
    const { kms, material, KeyId } = await setup()
    const context: [string, string][] = [['tenant', 'acme']]
    const { CiphertextBlob: blob } = await kms.encrypt({ KeyId, Plaintext: enc.encode('format two'), EncryptionContext: Object.fromEntries(context) })
    expect(blob[0]).toBe(0x02)
    expect(blob.subarray(1, 17)).toEqual(uuidBytes(KeyId))
    expect(blob.subarray(17, 21)).toEqual(u32(1))
    expect(blob.length).toBe(49 + 10 + 16)
    const key = await kdf(material, 'webkms ciphertext blob key v2', blob.subarray(0, 37))
    const plain = await subtle.decrypt({ name: 'AES-GCM', iv: blob.slice(37, 49), additionalData: cat(blob.subarray(0, 49), contextBytes(context)) }, key, blob.slice(49))
    expect(new TextDecoder().decode(plain)).toBe('format two')
  })

  it('one salt per engine and key version, a fresh IV per blob; another engine on the same store has its own salt and reads the first one\'s blobs', async () => {
    const { store, kms, KeyId } = await setup()
    const blobs = await Promise.all([1, 2, 3].map(async (i) => (await kms.encrypt({ KeyId, Plaintext: new Uint8Array([i]) })).CiphertextBlob))
    const salts = new Set(blobs.map((b) => b.subarray(21, 37).join()))
    const ivs = new Set(blobs.map((b) => b.subarray(37, 49).join()))
    expect(salts.size).toBe(1)
    expect(ivs.size).toBe(3)
    const other = createKms({ keyStore: store })
    const theirs = (await other.encrypt({ KeyId, Plaintext: new Uint8Array([9]) })).CiphertextBlob
    expect(theirs.subarray(21, 37).join()).not.toBe(blobs[0]!.subarray(21, 37).join())
    expect((await other.decrypt({ CiphertextBlob: blobs[2]! })).Plaintext).toEqual(new Uint8Array([3]))
    expect((await kms.decrypt({ CiphertextBlob: theirs })).Plaintext).toEqual(new Uint8Array([9]))
  })

  it('a derived key seals at most its limit of blobs, then a new salt is drawn', async () => {
    const { store, KeyId } = await setup()
    const version = (await store.transaction('readonly', (tx) => tx.getKey(KeyId)))!.versions[0]!
    const keys = new BlobKeys((n) => crypto.getRandomValues(new Uint8Array(n)), 3)
    const salts: string[] = []
    for (let i = 0; i < 7; i++) salts.push((await keys.forSealing(KeyId, version)).salt.join())
    expect(new Set(salts.slice(0, 3)).size).toBe(1)
    expect(new Set(salts.slice(3, 6)).size).toBe(1)
    expect(new Set(salts).size).toBe(3)
  })

  it('every byte of the header (salt and IV included) and of the ciphertext is authenticated', async () => {
    const { kms, KeyId } = await setup()
    const { CiphertextBlob } = await kms.encrypt({ KeyId, Plaintext: enc.encode('x') })
    for (const at of [0, 1, 17, 21, 36, 37, 48, 49, CiphertextBlob.length - 1]) {
      const bad = CiphertextBlob.slice()
      bad[at]! ^= 1
      await expectKmsError(kms.decrypt({ CiphertextBlob: bad }), InvalidCiphertextException)
    }
  })

  it('deleted material stops decryption at once, though the derived key was cached', async () => {
    const { kms, KeyId, material } = await setup()
    const { CiphertextBlob } = await kms.encrypt({ KeyId, Plaintext: enc.encode('cached') })
    await kms.decrypt({ CiphertextBlob })
    await kms.deleteImportedKeyMaterial({ KeyId })
    await expect(kms.decrypt({ CiphertextBlob })).rejects.toMatchObject({ name: 'KMSInvalidStateException' })
  })
})

describe('the encryption context in the additional data', () => {
  /** The spec's key-value pairs: a count, then each pair length-prefixed, sorted by the UTF-8 bytes of the keys. */
  const reference = (pairs: [string, string][]) => {
    const u16 = (n: number) => new Uint8Array([n >> 8, n & 255])
    const utf8 = pairs.map(([k, v]) => [enc.encode(k), enc.encode(v)] as const)
    utf8.sort(([a], [b]) => {
      for (let i = 0; i < Math.min(a.length, b.length); i++) if (a[i] !== b[i]) return a[i]! - b[i]!
      return a.length - b.length
    })
    return cat(u16(pairs.length), ...utf8.flatMap(([k, v]) => [u16(k.length), k, u16(v.length), v]))
  }

  it('is the key-value pair encoding, keys sorted by UTF-8 bytes, for ASCII contexts and others (property)', () => {
    // ASCII keys (the fast path), any Unicode (the general one), and keys that sort differently
    // by UTF-16 code units than by UTF-8 bytes (U+FF61 against U+1F600).
    const text = fc.oneof(fc.string({ maxLength: 6 }), fc.string({ unit: 'grapheme', maxLength: 6 }), fc.constantFrom('\uff61', '\u{1f600}', 'a\u0000', 'A', ''))
    fc.assert(
      fc.property(fc.uniqueArray(fc.tuple(text, text), { selector: ([k]) => k, maxLength: 6 }), (pairs) => {
        expect(encodeEncryptionContext(pairs)).toEqual(reference(pairs))
      }),
      { numRuns: 500 },
    )
  })
})

describe('blob format 1 (written by earlier releases)', () => {
  it('still decrypts, with its context checked', async () => {
    const { kms, material, KeyId } = await setup()
    const context: [string, string][] = [['purpose', 'old']]
    const head = cat(new Uint8Array([0x01]), uuidBytes(KeyId), u32(1), crypto.getRandomValues(new Uint8Array(32)))
    const key = await kdf(material, 'webkms ciphertext blob key v1', head)
    const sealed = new Uint8Array(await subtle.encrypt({ name: 'AES-GCM', iv: new Uint8Array(12), additionalData: cat(head, contextBytes(context)) }, key, enc.encode('from an older release')))
    const blob = cat(head, sealed)
    const out = await kms.decrypt({ CiphertextBlob: blob, EncryptionContext: Object.fromEntries(context) })
    expect(new TextDecoder().decode(out.Plaintext)).toBe('from an older release')
    await expectKmsError(kms.decrypt({ CiphertextBlob: blob, EncryptionContext: { purpose: 'new' } }), InvalidCiphertextException)
    // ReEncrypt moves it to format 2.
    const moved = await kms.reEncrypt({ CiphertextBlob: blob, SourceEncryptionContext: Object.fromEntries(context), DestinationKeyId: KeyId })
    expect(moved.CiphertextBlob[0]).toBe(0x02)
  })
})
