/**
 * The blob cipher (kms/crypto/blobCipher.ts): WebCrypto's AES-256-GCM, and the runtime's own
 * (`node:crypto`) where it has one. Both against Project Wycheproof's AES-GCM vectors (the
 * shapes a blob uses: 256-bit key, 96-bit IV, 128-bit tag), against each other, and the native
 * one's fallbacks. In browsers only WebCrypto's runs; the native cases say they are skipped.
 */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { webCryptoBlobCipher, type BlobCipher } from '../src/kms/crypto/blobCipher.js'
import { blobCipherFor } from '../src/kms/crypto/nativeBlobCipher.js'
import { sha256Hex } from '../src/kms/audit/hashes.js'
import { lendsNonExtractableKeys, nativeAesGcm, nativeCrypto, sha256HexWith, type NativeAesGcm } from '../src/util/nativeCrypto.js'
import { buildClient, createKms, InvalidCiphertextException, MemoryKeyStore, RawAesKeyring, verifyAuditLog } from '../src/index.js'
import { requireVectors } from '../../../test/support/vectors.js'
import { readVectorJson } from '../../../test/support/vectorFiles.js'
import { expectKmsError } from './helpers.js'

const native = nativeAesGcm()
const ciphers: [string, BlobCipher | undefined][] = [
  ['WebCrypto', webCryptoBlobCipher],
  ['node:crypto', native && blobCipherFor(native)],
]
const hex = (h: string) => Uint8Array.from(h.match(/../g) ?? [], (b) => parseInt(b, 16))
const aesKey = (raw: Uint8Array, usages: KeyUsage[] = ['encrypt', 'decrypt']) => crypto.subtle.importKey('raw', raw as Uint8Array<ArrayBuffer>, 'AES-GCM', false, usages)

async function seal(cipher: BlobCipher, key: CryptoKey, iv: Uint8Array, aad: Uint8Array, plaintext: Uint8Array) {
  const out = new Uint8Array(plaintext.length + 16)
  await cipher.seal(key, iv, aad, plaintext, out)
  return out
}

const dir = requireVectors('wycheproof')

describe.each(ciphers)('the blob cipher: %s', (name, cipher) => {
  it.skipIf(!cipher)('passes Wycheproof AES-GCM (256-bit key, 96-bit IV, 128-bit tag): valid vectors seal and open, invalid ones fail to open', async () => {
    if (!dir) return
    const { testGroups } = await readVectorJson<{ testGroups: any[] }>('wycheproof/aes_gcm_test.json')
    const groups = testGroups.filter((g) => g.keySize === 256 && g.ivSize === 96 && g.tagSize === 128)
    let valid = 0
    let invalid = 0
    for (const g of groups) {
      for (const t of g.tests) {
        const key = await aesKey(hex(t.key))
        const [iv, aad, msg, expected] = [hex(t.iv), hex(t.aad), hex(t.msg), hex(t.ct + t.tag)]
        if (t.result === 'invalid') {
          await expect(Promise.resolve().then(() => cipher!.open(key, iv, aad, expected)), `tcId ${t.tcId}`).rejects.toThrow()
          invalid++
        } else {
          expect(await seal(cipher!, key, iv, aad, msg), `tcId ${t.tcId}`).toEqual(expected)
          expect(await cipher!.open(key, iv, aad, expected), `tcId ${t.tcId}`).toEqual(msg)
          valid++
        }
      }
    }
    expect(valid).toBeGreaterThan(20)
    expect(invalid).toBeGreaterThan(10)
  })

  it.skipIf(!cipher)('refuses a key without the usage, as WebCrypto does', async () => {
    const raw = crypto.getRandomValues(new Uint8Array(32))
    const [encryptOnly, decryptOnly] = [await aesKey(raw, ['encrypt']), await aesKey(raw, ['decrypt'])]
    const [iv, aad, plaintext] = [new Uint8Array(12), new Uint8Array(), new Uint8Array(4)]
    const sealed = await seal(cipher!, encryptOnly, iv, aad, plaintext)
    expect(await cipher!.open(decryptOnly, iv, aad, sealed)).toEqual(plaintext)
    await expect(Promise.resolve().then(() => cipher!.open(encryptOnly, iv, aad, sealed))).rejects.toMatchObject({ name: 'InvalidAccessError' })
    await expect(Promise.resolve().then(() => seal(cipher!, decryptOnly, iv, aad, plaintext))).rejects.toMatchObject({ name: 'InvalidAccessError' })
  })
})

describe.skipIf(!native)('the native blob cipher against WebCrypto', () => {
  it('each opens what the other sealed, and both refuse a changed byte (property)', async () => {
    const nativeCipher = blobCipherFor(native!)
    const key = await aesKey(crypto.getRandomValues(new Uint8Array(32)))
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ minLength: 12, maxLength: 12 }), fc.uint8Array({ maxLength: 200 }), fc.uint8Array({ maxLength: 300 }), fc.nat(), async (iv, aad, plaintext, flip) => {
        const byNative = await seal(nativeCipher, key, iv, aad, plaintext)
        expect(byNative).toEqual(await seal(webCryptoBlobCipher, key, iv, aad, plaintext))
        expect(await webCryptoBlobCipher.open(key, iv, aad, byNative)).toEqual(plaintext)
        expect(await nativeCipher.open(key, iv, aad, byNative)).toEqual(plaintext)
        const changed = byNative.slice()
        changed[flip % changed.length]! ^= 1 << flip % 8
        expect(() => nativeCipher.open(key, iv, aad, changed)).toThrow()
      }),
      { numRuns: 200 },
    )
  })

  it('a runtime whose module cannot make a cipher from a WebCrypto key (Cloudflare Workers\') gets WebCrypto\'s results, and is not asked again', async () => {
    let asked = 0
    const refuse = () => {
      asked++
      throw new Error('Failed to get raw secret key data')
    }
    const broken: NativeAesGcm = { ...native!, createCipheriv: refuse, createDecipheriv: refuse }
    const key = await aesKey(crypto.getRandomValues(new Uint8Array(32)))
    const [iv, aad, plaintext] = [new Uint8Array(12).fill(7), new Uint8Array([1, 2]), new Uint8Array([3, 4, 5])]
    const sealed = await seal(blobCipherFor(broken), key, iv, aad, plaintext)
    expect(sealed).toEqual(await seal(webCryptoBlobCipher, key, iv, aad, plaintext))
    expect(await blobCipherFor(broken).open(key, iv, aad, sealed)).toEqual(plaintext)
    expect(blobCipherFor(broken)).toBe(webCryptoBlobCipher)
    expect(asked).toBe(1)
  })

  it('a runtime whose module seals wrongly (here: a zero tag) fails the self-test before its first use, and WebCrypto seals', async () => {
    const real = native!
    const wrong: NativeAesGcm = {
      ...real,
      createCipheriv: (...args: Parameters<NativeAesGcm['createCipheriv']>) => {
        const c = real.createCipheriv(...args)
        return { setAAD: (d: Uint8Array) => c.setAAD(d), update: (d: Uint8Array) => c.update(d), final: () => c.final(), getAuthTag: () => new Uint8Array(16) }
      },
    }
    const key = await aesKey(crypto.getRandomValues(new Uint8Array(32)))
    const [iv, aad, plaintext] = [new Uint8Array(12).fill(9), new Uint8Array([1]), new Uint8Array([2, 3])]
    expect(await seal(blobCipherFor(wrong), key, iv, aad, plaintext)).toEqual(await seal(webCryptoBlobCipher, key, iv, aad, plaintext))
    expect(blobCipherFor(wrong)).toBe(webCryptoBlobCipher)
  })

  it('blobs from an engine without node:crypto decrypt with it, and the other way round; a changed context fails in both', async () => {
    const store = new MemoryKeyStore()
    const kms = createKms({ keyStore: store })
    const { KeyId } = (await kms.createKey()).KeyMetadata
    const context = { tenant: 'acme' }
    const withoutNative = async <T>(fn: () => Promise<T>): Promise<T> => {
      const runtime = globalThis.process as { getBuiltinModule?: unknown }
      const original = runtime.getBuiltinModule
      runtime.getBuiltinModule = undefined
      try {
        expect(nativeAesGcm()).toBeUndefined()
        return await fn()
      } finally {
        runtime.getBuiltinModule = original
      }
    }
    const plaintext = new Uint8Array([9, 8, 7])
    const portable = await withoutNative(() => kms.encrypt({ KeyId, Plaintext: plaintext, EncryptionContext: context }))
    const byNative = await kms.encrypt({ KeyId, Plaintext: plaintext, EncryptionContext: context })
    expect((await kms.decrypt({ CiphertextBlob: portable.CiphertextBlob, EncryptionContext: context })).Plaintext).toEqual(plaintext)
    expect((await withoutNative(() => kms.decrypt({ CiphertextBlob: byNative.CiphertextBlob, EncryptionContext: context }))).Plaintext).toEqual(plaintext)
    await expectKmsError(kms.decrypt({ CiphertextBlob: portable.CiphertextBlob, EncryptionContext: { tenant: 'other' } }), InvalidCiphertextException)
    await expectKmsError(withoutNative(() => kms.decrypt({ CiphertextBlob: byNative.CiphertextBlob, EncryptionContext: { tenant: 'other' } })), InvalidCiphertextException)
  })
})

describe('the audit chain\'s SHA-256', () => {
  // The trail appends with node:crypto's where the runtime has it, and verify.ts checks with
  // @noble/hashes': the audit tests' exports verifying is the end-to-end check of this.
  it.skipIf(!nativeCrypto())('is the same from node:crypto and @noble/hashes for any string, lone surrogates included (property)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 300 }), (text) => {
        expect(sha256HexWith(nativeCrypto()!)(text)).toBe(sha256Hex(text))
      }),
      { numRuns: 500 },
    )
    expect(sha256HexWith(nativeCrypto()!)('abc')).toBe(sha256Hex('abc'))
    expect(sha256Hex('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad') // FIPS 180-4 example
  })

  // Node's one-shot hash(string) is used only where it hashes TextEncoder's bytes; a module
  // without it, or whose strings hash otherwise, or that throws, gets the encoder's bytes.
  it.skipIf(typeof nativeCrypto()?.hash !== 'function')('takes TextEncoder\'s bytes whichever way the module hashes strings', () => {
    const native = nativeCrypto()!
    const withoutOneShot = { createHash: native.createHash.bind(native) }
    const latin1 = { ...withoutOneShot, hash: (a: 'sha256', data: string) => native.createHash(a).update(Buffer.from(data, 'latin1')).digest('hex') }
    let thrown = 0
    const refusing = { ...withoutOneShot, hash: () => { thrown++; throw new TypeError('no strings here') } }
    let oneShots = 0
    const counting = { ...withoutOneShot, hash: (a: 'sha256', data: string, encoding: 'hex') => (oneShots++, native.hash!(a, data, encoding)) }
    for (const module of [native, withoutOneShot, latin1, refusing, counting]) {
      const hex = sha256HexWith(module)
      for (const text of ['abc', '鍵 \ud800', '\ud83d\udd11', '']) expect(hex(text)).toBe(sha256Hex(text))
    }
    expect(thrown).toBe(1) // the probe only: refused once, never asked again
    expect(oneShots).toBe(1 + 4) // the probe, then every string (where Node has hash(): 20.12+)
  })
})

describe('checkpoint signatures', () => {
  // Where node:crypto signs with WebCrypto's keys, OpenSSL signs checkpoints on the engine's
  // thread; WebCrypto verifies them (verify.ts). A trail signed both ways verifies, and a runtime
  // that refuses the key when it signs leaves the checkpoint to WebCrypto.
  const withModule = async <T>(module: unknown, fn: () => Promise<T>): Promise<T> => {
    const runtime = globalThis.process as { getBuiltinModule?: unknown }
    const original = runtime.getBuiltinModule
    runtime.getBuiltinModule = module === undefined ? undefined : () => module
    try {
      return await fn()
    } finally {
      runtime.getBuiltinModule = original
    }
  }

  it.skipIf(!nativeCrypto()?.createSign || !lendsNonExtractableKeys())('are made by node:crypto, and by WebCrypto where there is none, where the runtime refuses the key or answers DER; the trail verifies', async () => {
    const native = nativeCrypto()!
    // Counts the checkpoints' P1363 signatures; `refusing` signs the self-test's DER but refuses
    // them, as a runtime might refuse a kind of key.
    // `derOnly` ignores dsaEncoding and answers DER, as Deno's did before denoland/deno#24981.
    const counted = (behaviour: 'signs' | 'refuses' | 'derOnly') => {
      const module = {
        ...native,
        signed: 0,
        createSign: (algorithm: 'sha256') => {
          const signing = native.createSign!(algorithm)
          return {
            update: (data: Uint8Array) => signing.update(data),
            sign: (key: { key: unknown; dsaEncoding: 'der' | 'ieee-p1363' }) => {
              if (key.dsaEncoding === 'ieee-p1363') {
                module.signed++
                if (behaviour === 'refuses') throw new TypeError('key refused')
                if (behaviour === 'derOnly') return signing.sign({ ...key, dsaEncoding: 'der' })
              }
              return signing.sign(key)
            },
          }
        },
      }
      return module
    }
    const [byOpenSsl, picky, derOnly] = [counted('signs'), counted('refuses'), counted('derOnly')]
    const kms = createKms({ keyStore: new MemoryKeyStore() })
    const { KeyId } = (await kms.createKey()).KeyMetadata
    await kms.encrypt({ KeyId, Plaintext: new Uint8Array([1]) })
    const byNative = await withModule(byOpenSsl, () => kms.exportAuditLog())
    await kms.encrypt({ KeyId, Plaintext: new Uint8Array([2]) })
    await withModule(undefined, () => kms.exportAuditLog())
    await kms.encrypt({ KeyId, Plaintext: new Uint8Array([3]) })
    await withModule(picky, () => kms.exportAuditLog())
    await kms.encrypt({ KeyId, Plaintext: new Uint8Array([4]) })
    const log = await withModule(derOnly, () => kms.exportAuditLog())
    expect([byOpenSsl.signed, picky.signed, derOnly.signed]).toEqual([1, 1, 1])
    expect(log.checkpoints).toHaveLength(4)
    for (const c of log.checkpoints) expect(Buffer.from(c.signature, 'base64')).toHaveLength(64)
    expect(log.checkpoints[0]).toEqual(byNative.checkpoints[0])
    const verified = await verifyAuditLog(log, { trustedKeys: log.signingKeys.map((k) => k.fingerprint) })
    expect(verified).toMatchObject({ valid: true, intact: true, checkpoints: 4 })
    // A changed byte of the natively signed checkpoint's signature fails.
    const signature = Buffer.from(log.checkpoints[0]!.signature, 'base64')
    signature[5]! ^= 1
    const tampered = { ...log, checkpoints: [{ ...log.checkpoints[0]!, signature: signature.toString('base64') }, ...log.checkpoints.slice(1)] }
    expect((await verifyAuditLog(tampered, { trustedKeys: log.signingKeys.map((k) => k.fingerprint) })).valid).toBe(false)
  })
})

describe('non-extractable keys and node:crypto (Node\'s DEP0204)', () => {
  // Node 24 deprecates KeyObject.from of a non-extractable key (the KeyObject can be exported)
  // and will refuse it: there, blob keys and the trail's signing key are never lent.
  it('Node before 24 may be lent them; Node 24 on, or a runtime that names no Node version, may not', () => {
    for (const version of ['20.16.0', '20.20.2', '22.12.0', '23.11.1']) expect(lendsNonExtractableKeys(version)).toBe(true)
    for (const version of ['24.0.0', '24.21.0', '26.1.0', '', 'deno', null, 24]) expect(lendsNonExtractableKeys(version)).toBe(false)
    if (nativeCrypto()) expect(nativeAesGcm(nativeCrypto(), false)).toBeUndefined()
  })

  it.skipIf(!nativeCrypto()?.KeyObject)('where they may not be lent, none is: blobs and checkpoints go through WebCrypto, and the trail verifies', async () => {
    const native = nativeCrypto()!
    const lent: boolean[] = []
    const counting = { ...native, KeyObject: { from: (key: CryptoKey) => (lent.push(key.extractable), native.KeyObject!.from(key)) } }
    const runtime = globalThis.process as { getBuiltinModule?: unknown }
    const [getBuiltinModule, versions] = [runtime.getBuiltinModule, process.versions]
    runtime.getBuiltinModule = () => counting
    Object.defineProperty(process, 'versions', { value: { ...versions, node: '24.0.0' }, configurable: true, enumerable: true })
    try {
      expect(nativeAesGcm()).toBeUndefined()
      const kms = createKms({ keyStore: new MemoryKeyStore() })
      const { KeyId } = (await kms.createKey()).KeyMetadata
      const { CiphertextBlob } = await kms.encrypt({ KeyId, Plaintext: new Uint8Array([1, 2, 3]), EncryptionContext: { tenant: 'acme' } })
      expect((await kms.decrypt({ CiphertextBlob, EncryptionContext: { tenant: 'acme' } })).Plaintext).toEqual(new Uint8Array([1, 2, 3]))
      const log = await kms.exportAuditLog()
      expect(await verifyAuditLog(log, { trustedKeys: log.signingKeys.map((k) => k.fingerprint) })).toMatchObject({ valid: true, checkpoints: 1 })
      expect(lent.filter((extractable) => !extractable)).toEqual([])
      // A signed message's keys are extractable (a fresh pair; a public key): node:crypto still
      // signs and verifies them in pieces.
      const client = buildClient()
      const keyring = new RawAesKeyring({ keyNamespace: 'ns', keyName: 'k', wrappingKey: new Uint8Array(32).fill(7) })
      const plaintext = new Uint8Array(5000).fill(1)
      const { chunks } = await client.encryptToChunks(keyring, plaintext, { frameLength: 1024 })
      const message = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0))
      chunks.reduce((at, c) => (message.set(c, at), at + c.length), 0)
      const pieces = await client.decryptToChunks(keyring, message)
      expect(new Uint8Array(pieces.chunks.flatMap((c) => [...c]))).toEqual(plaintext)
      expect(lent).toContain(true)
      expect(lent.filter((extractable) => !extractable)).toEqual([])
    } finally {
      runtime.getBuiltinModule = getBuiltinModule
      Object.defineProperty(process, 'versions', { value: versions, configurable: true, enumerable: true })
    }
  })
})
