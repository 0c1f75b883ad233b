/** Encrypt, Decrypt, ReEncrypt, GenerateDataKey*, GenerateRandom and the ciphertext blob. */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  DisabledException,
  DryRunOperationException,
  IncorrectKeyException,
  InvalidCiphertextException,
  InvalidKeyUsageException,
  MemoryKeyStore,
  NotFoundException,
  UnsupportedOperationException,
  ValidationException,
  type Kms,
} from '../src/index.js'
import { bytes, expectKmsError, setup, text } from './helpers.js'

async function withKey(): Promise<{ kms: Kms; KeyId: string; Arn: string; store: MemoryKeyStore }> {
  const store = new MemoryKeyStore()
  const { kms } = setup({ keyStore: store })
  const { KeyId, Arn } = (await kms.createKey()).KeyMetadata
  return { kms, KeyId, Arn, store }
}

describe('Encrypt and Decrypt', () => {
  it('round-trips, and Decrypt finds the key from the blob alone', async () => {
    const { kms, KeyId, Arn } = await withKey()
    const enc = await kms.encrypt({ KeyId, Plaintext: bytes('hello'), EncryptionContext: { purpose: 'test' } })
    expect(enc).toEqual({ CiphertextBlob: expect.any(Uint8Array), KeyId: Arn, EncryptionAlgorithm: 'SYMMETRIC_DEFAULT' })
    const dec = await kms.decrypt({ CiphertextBlob: enc.CiphertextBlob, EncryptionContext: { purpose: 'test' } })
    expect(text(dec.Plaintext)).toBe('hello')
    expect(dec.KeyId).toBe(Arn)
    expect(dec.EncryptionAlgorithm).toBe('SYMMETRIC_DEFAULT')
  })

  it('encrypting the same plaintext twice gives different blobs', async () => {
    const { kms, KeyId } = await withKey()
    const a = await kms.encrypt({ KeyId, Plaintext: bytes('same') })
    const b = await kms.encrypt({ KeyId, Plaintext: bytes('same') })
    expect(a.CiphertextBlob).not.toEqual(b.CiphertextBlob)
  })

  it('accepts 1 to 4096 bytes of plaintext', async () => {
    const { kms, KeyId } = await withKey()
    await kms.encrypt({ KeyId, Plaintext: new Uint8Array(4096).fill(7) })
    await expectKmsError(kms.encrypt({ KeyId, Plaintext: new Uint8Array(4097) }), ValidationException, /less than or equal to 4096/)
    await expectKmsError(kms.encrypt({ KeyId, Plaintext: new Uint8Array(0) }), ValidationException)
  })

  it("respects a view's byteOffset and byteLength", async () => {
    const { kms, KeyId } = await withKey()
    const buffer = bytes('XXXXmiddleYYYY')
    const view = buffer.subarray(4, 10)
    const dec = await kms.decrypt({ CiphertextBlob: (await kms.encrypt({ KeyId, Plaintext: view })).CiphertextBlob })
    expect(text(dec.Plaintext)).toBe('middle')
    const blob = (await kms.encrypt({ KeyId, Plaintext: bytes('inner') })).CiphertextBlob
    const padded = new Uint8Array(blob.length + 8)
    padded.set(blob, 3)
    expect(text((await kms.decrypt({ CiphertextBlob: padded.subarray(3, 3 + blob.length) })).Plaintext)).toBe('inner')
  })

  it('does not read the caller\'s buffer after the call returns', async () => {
    const { kms, KeyId } = await withKey()
    const plaintext = bytes('stable')
    const pending = kms.encrypt({ KeyId, Plaintext: plaintext })
    plaintext.fill(0)
    expect(text((await kms.decrypt({ CiphertextBlob: (await pending).CiphertextBlob })).Plaintext)).toBe('stable')
  })

  it('rejects asymmetric algorithms and unsupported members with AWS exception names', async () => {
    const { kms, KeyId } = await withKey()
    await expectKmsError(kms.encrypt({ KeyId, Plaintext: bytes('x'), EncryptionAlgorithm: 'RSAES_OAEP_SHA_256' }), InvalidKeyUsageException)
    await expectKmsError(kms.encrypt({ KeyId, Plaintext: bytes('x'), EncryptionAlgorithm: 'ROT13' as never }), ValidationException)
    const { CiphertextBlob } = await kms.encrypt({ KeyId, Plaintext: bytes('x') })
    await expectKmsError(kms.decrypt({ CiphertextBlob, Recipient: {} } as never), UnsupportedOperationException)
  })

  it('DryRun checks everything and does nothing', async () => {
    const { kms, KeyId } = await withKey()
    await expectKmsError(kms.encrypt({ KeyId, Plaintext: bytes('x'), DryRun: true }), DryRunOperationException)
    const blob = (await kms.encrypt({ KeyId, Plaintext: bytes('x') })).CiphertextBlob
    await expectKmsError(kms.decrypt({ CiphertextBlob: blob, DryRun: true }), DryRunOperationException)
    await kms.disableKey({ KeyId })
    await expectKmsError(kms.encrypt({ KeyId, Plaintext: bytes('x'), DryRun: true }), DisabledException)
  })
})

describe('the encryption context is authenticated', () => {
  it('a missing, extra or different context fails with InvalidCiphertextException', async () => {
    const { kms, KeyId } = await withKey()
    const ctx = { tenant: 'a', purpose: 'invoice' }
    const { CiphertextBlob } = await kms.encrypt({ KeyId, Plaintext: bytes('x'), EncryptionContext: ctx })
    const wrongs: (Record<string, string> | undefined)[] = [undefined, {}, { tenant: 'a' }, { ...ctx, extra: '' }, { tenant: 'b', purpose: 'invoice' }, { Tenant: 'a', purpose: 'invoice' }]
    for (const wrong of wrongs) {
      await expectKmsError(kms.decrypt({ CiphertextBlob, ...(wrong ? { EncryptionContext: wrong } : {}) }), InvalidCiphertextException)
    }
    // Order of the pairs does not matter: the encoding sorts them.
    const reordered = { purpose: 'invoice', tenant: 'a' }
    expect(text((await kms.decrypt({ CiphertextBlob, EncryptionContext: reordered })).Plaintext)).toBe('x')
  })

  it('{"ab":"c"} and {"a":"bc"} are different contexts', async () => {
    const { kms, KeyId } = await withKey()
    const { CiphertextBlob } = await kms.encrypt({ KeyId, Plaintext: bytes('x'), EncryptionContext: { ab: 'c' } })
    await expectKmsError(kms.decrypt({ CiphertextBlob, EncryptionContext: { a: 'bc' } }), InvalidCiphertextException)
    await expectKmsError(kms.decrypt({ CiphertextBlob, EncryptionContext: { abc: '' } }), InvalidCiphertextException)
  })

  it('any context round-trips and any change to it is refused (property)', async () => {
    const { kms, KeyId } = await withKey()
    const context = fc.dictionary(fc.string({ unit: 'grapheme', maxLength: 8 }), fc.string({ unit: 'grapheme', maxLength: 8 }), { maxKeys: 4 })
    await fc.assert(
      fc.asyncProperty(context, context, async (a, b) => {
        const { CiphertextBlob } = await kms.encrypt({ KeyId, Plaintext: bytes('p'), EncryptionContext: a })
        expect(text((await kms.decrypt({ CiphertextBlob, EncryptionContext: { ...a } })).Plaintext)).toBe('p')
        const same = JSON.stringify(Object.entries(a).sort()) === JSON.stringify(Object.entries(b).sort())
        if (!same) await expectKmsError(kms.decrypt({ CiphertextBlob, EncryptionContext: b }), InvalidCiphertextException)
      }),
      { numRuns: 40 },
    )
  })

  it('rejects a context that is not a map of strings', async () => {
    const { kms, KeyId } = await withKey()
    await expectKmsError(kms.encrypt({ KeyId, Plaintext: bytes('x'), EncryptionContext: { n: 1 } as never }), ValidationException)
    await expectKmsError(kms.encrypt({ KeyId, Plaintext: bytes('x'), EncryptionContext: ['a'] as never }), ValidationException)
  })
})

describe('tampered and truncated ciphertext blobs', () => {
  it('a changed bit anywhere in the blob fails with InvalidCiphertextException', async () => {
    const { kms, KeyId } = await withKey()
    const { CiphertextBlob } = await kms.encrypt({ KeyId, Plaintext: bytes('tamper me'), EncryptionContext: { k: 'v' } })
    for (let i = 0; i < CiphertextBlob.length; i++) {
      const bad = CiphertextBlob.slice()
      bad[i]! ^= 0x01
      await expectKmsError(kms.decrypt({ CiphertextBlob: bad, EncryptionContext: { k: 'v' } }), InvalidCiphertextException)
    }
  })

  it('truncated, extended, empty-bodied or foreign blobs fail with InvalidCiphertextException', async () => {
    const { kms, KeyId } = await withKey()
    const { CiphertextBlob } = await kms.encrypt({ KeyId, Plaintext: bytes('short') })
    for (const n of [1, 10, 52, 53, 68, CiphertextBlob.length - 1]) {
      await expectKmsError(kms.decrypt({ CiphertextBlob: CiphertextBlob.subarray(0, n) }), InvalidCiphertextException)
    }
    const extended = new Uint8Array(CiphertextBlob.length + 1)
    extended.set(CiphertextBlob)
    await expectKmsError(kms.decrypt({ CiphertextBlob: extended }), InvalidCiphertextException)
    await expectKmsError(kms.decrypt({ CiphertextBlob: new Uint8Array(200) }), InvalidCiphertextException)
    await expectKmsError(kms.decrypt({ CiphertextBlob: new Uint8Array(0) }), ValidationException)
    await expectKmsError(kms.decrypt({ CiphertextBlob: new Uint8Array(6145) }), ValidationException)
  })

  it('a blob from another engine is refused', async () => {
    const a = await withKey()
    const b = await withKey()
    const { CiphertextBlob } = await a.kms.encrypt({ KeyId: a.KeyId, Plaintext: bytes('x') })
    await expectKmsError(b.kms.decrypt({ CiphertextBlob }), InvalidCiphertextException)
  })
})

describe('Decrypt with a KeyId', () => {
  it('IncorrectKeyException when the KeyId is not the key that encrypted', async () => {
    const { kms, KeyId } = await withKey()
    const other = (await kms.createKey()).KeyMetadata.KeyId
    await kms.createAlias({ AliasName: 'alias/other', TargetKeyId: other })
    const { CiphertextBlob } = await kms.encrypt({ KeyId, Plaintext: bytes('x') })
    await expectKmsError(kms.decrypt({ CiphertextBlob, KeyId: other }), IncorrectKeyException)
    await expectKmsError(kms.decrypt({ CiphertextBlob, KeyId: 'alias/other' }), IncorrectKeyException)
    await expectKmsError(kms.decrypt({ CiphertextBlob, KeyId: 'alias/missing' }), NotFoundException)
  })
})

describe('ReEncrypt', () => {
  it('moves a ciphertext to another key and context without revealing the plaintext', async () => {
    const { kms, KeyId, Arn } = await withKey()
    const dest = (await kms.createKey()).KeyMetadata
    const { CiphertextBlob } = await kms.encrypt({ KeyId, Plaintext: bytes('moved'), EncryptionContext: { a: '1' } })
    const re = await kms.reEncrypt({
      CiphertextBlob,
      SourceEncryptionContext: { a: '1' },
      DestinationKeyId: dest.KeyId,
      DestinationEncryptionContext: { b: '2' },
    })
    expect(re).toMatchObject({ SourceKeyId: Arn, KeyId: dest.Arn, SourceEncryptionAlgorithm: 'SYMMETRIC_DEFAULT', DestinationEncryptionAlgorithm: 'SYMMETRIC_DEFAULT' })
    expect(re).not.toHaveProperty('Plaintext')
    const dec = await kms.decrypt({ CiphertextBlob: re.CiphertextBlob, EncryptionContext: { b: '2' } })
    expect(text(dec.Plaintext)).toBe('moved')
    expect(dec.KeyId).toBe(dest.Arn)
    await expectKmsError(kms.reEncrypt({ CiphertextBlob, DestinationKeyId: dest.KeyId }), InvalidCiphertextException)
    await expectKmsError(kms.reEncrypt({ CiphertextBlob, SourceEncryptionContext: { a: '1' }, SourceKeyId: dest.KeyId, DestinationKeyId: dest.KeyId }), IncorrectKeyException)
  })
})

describe('GenerateDataKey', () => {
  it('KeySpec AES_256 and AES_128, or NumberOfBytes 1 to 1024', async () => {
    const { kms, KeyId, Arn } = await withKey()
    for (const [req, n] of [[{ KeySpec: 'AES_256' }, 32], [{ KeySpec: 'AES_128' }, 16], [{ NumberOfBytes: 1 }, 1], [{ NumberOfBytes: 1024 }, 1024]] as const) {
      const out = await kms.generateDataKey({ KeyId, ...req, EncryptionContext: { f: 'x' } })
      expect(out.Plaintext.length).toBe(n)
      expect(out.KeyId).toBe(Arn)
      const dec = await kms.decrypt({ CiphertextBlob: out.CiphertextBlob, EncryptionContext: { f: 'x' } })
      expect(dec.Plaintext).toEqual(out.Plaintext)
    }
  })

  it('KeySpec xor NumberOfBytes: both or neither is a ValidationException', async () => {
    const { kms, KeyId } = await withKey()
    await expectKmsError(kms.generateDataKey({ KeyId }), ValidationException)
    await expectKmsError(kms.generateDataKey({ KeyId, KeySpec: 'AES_256', NumberOfBytes: 32 }), ValidationException)
    await expectKmsError(kms.generateDataKey({ KeyId, NumberOfBytes: 0 }), ValidationException)
    await expectKmsError(kms.generateDataKey({ KeyId, NumberOfBytes: 1025 }), ValidationException)
    await expectKmsError(kms.generateDataKey({ KeyId, KeySpec: 'AES_512' as never }), ValidationException)
  })

  it('WithoutPlaintext returns only the encrypted copy, which decrypts', async () => {
    const { kms, KeyId } = await withKey()
    const out = await kms.generateDataKeyWithoutPlaintext({ KeyId, KeySpec: 'AES_256' })
    expect(Object.keys(out).sort()).toEqual(['CiphertextBlob', 'KeyId', 'KeyMaterialId'])
    expect((await kms.decrypt({ CiphertextBlob: out.CiphertextBlob })).Plaintext.length).toBe(32)
  })
})

describe('GenerateRandom', () => {
  it('returns 1 to 1024 random bytes', async () => {
    const { kms } = await withKey()
    const a = await kms.generateRandom({ NumberOfBytes: 1024 })
    const b = await kms.generateRandom({ NumberOfBytes: 1024 })
    expect(a.Plaintext.length).toBe(1024)
    expect(a.Plaintext).not.toEqual(b.Plaintext)
    await expectKmsError(kms.generateRandom({ NumberOfBytes: 0 }), ValidationException)
    await expectKmsError(kms.generateRandom({ NumberOfBytes: 1025 }), ValidationException)
    await expectKmsError(kms.generateRandom({}), ValidationException)
  })

  it('uses the injected random source', async () => {
    const { kms } = setup({ random: (n) => new Uint8Array(n).fill(0xab) })
    expect((await kms.generateRandom({ NumberOfBytes: 3 })).Plaintext).toEqual(new Uint8Array([0xab, 0xab, 0xab]))
  })
})

describe('key material is never extractable', () => {
  it('every stored version is a non-extractable CryptoKey that exportKey refuses', async () => {
    const { kms, KeyId, store } = await withKey()
    await kms.rotateKeyOnDemand({ KeyId })
    const key = await store.transaction('readonly', (tx) => tx.getKey(KeyId))
    expect(key!.versions).toHaveLength(2)
    for (const v of key!.versions) {
      expect(v.material!.extractable).toBe(false)
      await expect(globalThis.crypto.subtle.exportKey('raw', v.material!)).rejects.toThrow()
      await expect(globalThis.crypto.subtle.exportKey('jwk', v.material!)).rejects.toThrow()
    }
  })

  it('no response of any operation carries key material', async () => {
    const { kms, KeyId } = await withKey()
    const m = (await kms.describeKey({ KeyId })).KeyMetadata
    const seen = JSON.stringify([m, await kms.listKeys(), await kms.listKeyRotations({ KeyId }), await kms.getKeyRotationStatus({ KeyId })])
    expect(seen).not.toMatch(/material"\s*:\s*\{/i)
  })
})
