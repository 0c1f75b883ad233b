/**
 * Importing key material (BYOK): GetParametersForImport, ImportKeyMaterial and
 * DeleteImportedKeyMaterial as the KMS API Reference and "Importing key material" describe them,
 * with the material wrapped on the caller's side by WebCrypto (RSA-OAEP) and @noble/ciphers
 * (AES key wrap with padding, RFC 5649), as an app in a browser would.
 */
import { aeskwp } from '@noble/ciphers/aes.js'
import { describe, expect, it } from 'vitest'
import {
  AccessDeniedException,
  createKms,
  ExpiredImportTokenException,
  IMPORT_PARAMETERS_HOURS,
  IncorrectKeyMaterialException,
  InvalidCiphertextException,
  InvalidImportTokenException,
  KMSInvalidStateException,
  MemoryKeyStore,
  UnsupportedOperationException,
  ValidationException,
  type AlgorithmSpec,
  type ImportKeyMaterialRequest,
  type Kms,
  type KeyRecord,
  type WrappingKeySpec,
} from '../src/index.js'
import { importTokensMetaId } from '../src/kms/keyTimeline.js'
import { toBase64, toHex } from '../src/util/bytes.js'
import { bytes, expectKmsError, testClock, text } from './helpers.js'

const subtle = globalThis.crypto.subtle
const DAY = 86_400_000
const ROOT = 'arn:aws:iam::111122223333:root'
const random = (n: number) => globalThis.crypto.getRandomValues(new Uint8Array(n))

function engine() {
  const clock = testClock()
  const store = new MemoryKeyStore()
  return { kms: createKms({ now: clock.now, keyStore: store }), clock, store }
}

/**
 * Wraps material as the owner does, from GetParametersForImport's public key (DER SPKI):
 * RSAES_OAEP_* is RSA-OAEP of the material; RSA_AES_KEY_WRAP_* is RSA-OAEP of a fresh 256-bit
 * AES key followed by the material under AES-KWP with that key ("Encrypt key material").
 */
async function wrap(publicKey: Uint8Array, algorithm: AlgorithmSpec, material: Uint8Array): Promise<Uint8Array> {
  const hash = algorithm.endsWith('SHA_1') ? 'SHA-1' : 'SHA-256'
  const rsa = await subtle.importKey('spki', publicKey as Uint8Array<ArrayBuffer>, { name: 'RSA-OAEP', hash }, false, ['encrypt'])
  const oaep = async (b: Uint8Array) => new Uint8Array(await subtle.encrypt({ name: 'RSA-OAEP' }, rsa, b as Uint8Array<ArrayBuffer>))
  if (algorithm.startsWith('RSAES_OAEP')) return oaep(material)
  const ephemeral = random(32)
  const out = [await oaep(ephemeral), aeskwp(ephemeral).encrypt(material)]
  return new Uint8Array([...out[0]!, ...out[1]!])
}

type ImportOptions = Omit<ImportKeyMaterialRequest, 'KeyId' | 'ImportToken' | 'EncryptedKeyMaterial'> & { algorithm?: AlgorithmSpec; spec?: WrappingKeySpec }

/** GetParametersForImport, wrap, ImportKeyMaterial. Without ValidTo or ExpirationModel the material does not expire. */
async function importMaterial(kms: Kms, KeyId: string, material: Uint8Array, options: ImportOptions = {}) {
  const { algorithm = 'RSAES_OAEP_SHA_256', spec = 'RSA_2048', ...rest } = options
  const params = await kms.getParametersForImport({ KeyId, WrappingAlgorithm: algorithm, WrappingKeySpec: spec })
  const request: ImportKeyMaterialRequest = {
    KeyId,
    ImportToken: params.ImportToken,
    EncryptedKeyMaterial: await wrap(params.PublicKey, algorithm, material),
    ...(rest.ValidTo === undefined && rest.ExpirationModel === undefined ? { ExpirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE' as const } : {}),
    ...rest,
  }
  return kms.importKeyMaterial(request)
}

async function externalKey(kms: Kms, request: Parameters<Kms['createKey']>[0] = {}) {
  return (await kms.createKey({ ...request, Origin: 'EXTERNAL' })).KeyMetadata
}

/** A PKCS#8 private key made by WebCrypto, with its public key. */
async function rsaPkcs8(bits = 2048) {
  const pair = (await subtle.generateKey({ name: 'RSA-PSS', hash: 'SHA-256', modulusLength: bits, publicExponent: new Uint8Array([1, 0, 1]) }, true, ['sign', 'verify'])) as CryptoKeyPair
  return { pkcs8: new Uint8Array(await subtle.exportKey('pkcs8', pair.privateKey)), publicKey: pair.publicKey, spki: new Uint8Array(await subtle.exportKey('spki', pair.publicKey)) }
}
async function ecPkcs8() {
  const pair = (await subtle.generateKey({ name: 'ECDH', namedCurve: 'P-256' }, true, ['deriveBits'])) as CryptoKeyPair
  return { pkcs8: new Uint8Array(await subtle.exportKey('pkcs8', pair.privateKey)), privateKey: pair.privateKey, spki: new Uint8Array(await subtle.exportKey('spki', pair.publicKey)) }
}

/** What the store holds for a key, without the CryptoKeys: enough to see that nothing changed. */
async function stored(store: MemoryKeyStore, keyId: string) {
  const key = (await store.transaction('readonly', (tx) => tx.getKey(keyId))) as KeyRecord
  return {
    keyState: key.keyState,
    versions: key.versions.map((v) => ({
      version: v.version,
      keyMaterialId: v.keyMaterialId,
      hasMaterial: v.material !== undefined || v.privateKeys !== undefined,
      imported: v.imported,
      pendingRotation: v.pendingRotation,
    })),
  }
}
const storedKey = async (store: MemoryKeyStore, keyId: string) => (await store.transaction('readonly', (tx) => tx.getKey(keyId))) as KeyRecord

describe('an EXTERNAL key before its first import', () => {
  it('is PendingImport, has no key material ID, and refuses to encrypt', async () => {
    const { kms } = engine()
    const meta = await externalKey(kms, { Description: 'byok' })
    expect(meta).toMatchObject({ Origin: 'EXTERNAL', KeyState: 'PendingImport', Enabled: false, KeySpec: 'SYMMETRIC_DEFAULT' })
    expect(meta.CurrentKeyMaterialId).toBeUndefined()
    expect((await kms.describeKey({ KeyId: meta.KeyId })).KeyMetadata.CurrentKeyMaterialId).toBeUndefined()
    await expectKmsError(kms.encrypt({ KeyId: meta.KeyId, Plaintext: bytes('x') }), KMSInvalidStateException)
    await expectKmsError(kms.generateDataKey({ KeyId: meta.KeyId, KeySpec: 'AES_256' }), KMSInvalidStateException)
  })

  it('scheduled for deletion and cancelled, it goes back to PendingImport, not Disabled: EnableKey cannot make it Enabled without material', async () => {
    const { kms } = engine()
    const { KeyId } = await externalKey(kms)
    await kms.scheduleKeyDeletion({ KeyId, PendingWindowInDays: 7 })
    await kms.cancelKeyDeletion({ KeyId })
    expect((await kms.describeKey({ KeyId })).KeyMetadata.KeyState).toBe('PendingImport')
    await expectKmsError(kms.enableKey({ KeyId }), KMSInvalidStateException)
    expect((await kms.describeKey({ KeyId })).KeyMetadata.KeyState).toBe('PendingImport')
    // The same for a key whose material was deleted while its deletion was pending.
    const imported = await externalKey(kms)
    await importMaterial(kms, imported.KeyId, random(32))
    await kms.scheduleKeyDeletion({ KeyId: imported.KeyId, PendingWindowInDays: 7 })
    await kms.deleteImportedKeyMaterial({ KeyId: imported.KeyId })
    await kms.cancelKeyDeletion({ KeyId: imported.KeyId })
    expect((await kms.describeKey({ KeyId: imported.KeyId })).KeyMetadata.KeyState).toBe('PendingImport')
    // With its material, a cancelled key is Disabled, as any other.
    const kept = await externalKey(kms)
    await importMaterial(kms, kept.KeyId, random(32))
    await kms.scheduleKeyDeletion({ KeyId: kept.KeyId, PendingWindowInDays: 7 })
    await kms.cancelKeyDeletion({ KeyId: kept.KeyId })
    expect((await kms.describeKey({ KeyId: kept.KeyId })).KeyMetadata.KeyState).toBe('Disabled')
  })

  it('GetParametersForImport hands out an RSA public key of the asked size and an import token valid for 24 hours', async () => {
    const { kms, clock } = engine()
    const { KeyId, Arn } = await externalKey(kms)
    const params = await kms.getParametersForImport({ KeyId, WrappingAlgorithm: 'RSA_AES_KEY_WRAP_SHA_256', WrappingKeySpec: 'RSA_3072' })
    expect(params.KeyId).toBe(Arn)
    expect(IMPORT_PARAMETERS_HOURS).toBe(24)
    expect(params.ParametersValidTo).toEqual(new Date(clock.now().getTime() + 24 * 3600_000))
    const rsa = await subtle.importKey('spki', params.PublicKey as Uint8Array<ArrayBuffer>, { name: 'RSA-OAEP', hash: 'SHA-256' }, true, ['encrypt'])
    expect((rsa.algorithm as RsaHashedKeyAlgorithm).modulusLength).toBe(3072)
    expect(params.ImportToken.byteLength).toBeGreaterThan(0)
  })

  it('GetParametersForImport and ImportKeyMaterial on a key whose material KMS made: UnsupportedOperationException', async () => {
    const { kms } = engine()
    const { KeyId } = (await kms.createKey()).KeyMetadata
    await expectKmsError(kms.getParametersForImport({ KeyId, WrappingAlgorithm: 'RSAES_OAEP_SHA_256', WrappingKeySpec: 'RSA_2048' }), UnsupportedOperationException)
    const other = await externalKey(kms)
    const params = await kms.getParametersForImport({ KeyId: other.KeyId, WrappingAlgorithm: 'RSAES_OAEP_SHA_256', WrappingKeySpec: 'RSA_2048' })
    const EncryptedKeyMaterial = await wrap(params.PublicKey, 'RSAES_OAEP_SHA_256', random(32))
    await expectKmsError(kms.importKeyMaterial({ KeyId, ImportToken: params.ImportToken, EncryptedKeyMaterial, ExpirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE' }), UnsupportedOperationException)
    await expectKmsError(kms.deleteImportedKeyMaterial({ KeyId }), UnsupportedOperationException)
    // In any state: a key KMS made pending deletion is still refused as such (the key-state table's [9]), not as pending deletion.
    await kms.scheduleKeyDeletion({ KeyId, PendingWindowInDays: 7 })
    await expectKmsError(kms.getParametersForImport({ KeyId, WrappingAlgorithm: 'RSAES_OAEP_SHA_256', WrappingKeySpec: 'RSA_2048' }), UnsupportedOperationException)
    await expectKmsError(kms.importKeyMaterial({ KeyId, ImportToken: params.ImportToken, EncryptedKeyMaterial, ExpirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE' }), UnsupportedOperationException)
  })

  it('DeleteImportedKeyMaterial before any import has no effect; CreateGrant waits for the material (the key-state table)', async () => {
    const { kms } = engine()
    const { KeyId, Arn } = await externalKey(kms)
    expect(await kms.deleteImportedKeyMaterial({ KeyId })).toEqual({ KeyId: Arn })
    expect((await kms.describeKey({ KeyId })).KeyMetadata.KeyState).toBe('PendingImport')
    await expectKmsError(kms.deleteImportedKeyMaterial({ KeyId, KeyMaterialId: 'ab'.repeat(32) }), ValidationException) // a material it never had
    await expectKmsError(kms.createGrant({ KeyId, GranteePrincipal: ROOT, Operations: ['Encrypt'] }), KMSInvalidStateException)
    await importMaterial(kms, KeyId, random(32))
    expect((await kms.createGrant({ KeyId, GranteePrincipal: ROOT, Operations: ['Encrypt'] })).GrantId).toMatch(/^[0-9a-f]{64}$/)
    const events = (await kms.exportAuditLog()).events.filter((e) => e.eventName === 'DeleteImportedKeyMaterial')
    expect(events.map((e) => e.errorCode ?? 'ok')).toEqual(['ok', 'ValidationException'])
  })

  it('the SM2 and PKCS#1 v1.5 wrapping options are refused', async () => {
    const { kms } = engine()
    const { KeyId } = await externalKey(kms)
    await expectKmsError(kms.getParametersForImport({ KeyId, WrappingAlgorithm: 'RSAES_PKCS1_V1_5', WrappingKeySpec: 'RSA_2048' }), UnsupportedOperationException)
    await expectKmsError(kms.getParametersForImport({ KeyId, WrappingAlgorithm: 'SM2PKE', WrappingKeySpec: 'SM2' }), UnsupportedOperationException)
  })
})

describe('importing material, wrapped by WebCrypto', () => {
  const algorithms: AlgorithmSpec[] = ['RSAES_OAEP_SHA_1', 'RSAES_OAEP_SHA_256', 'RSA_AES_KEY_WRAP_SHA_1', 'RSA_AES_KEY_WRAP_SHA_256']
  for (const algorithm of algorithms) {
    it(`symmetric key, ${algorithm}: Enabled, encrypts and decrypts, and the key material ID is the import's`, async () => {
      const { kms } = engine()
      const { KeyId, Arn } = await externalKey(kms)
      const imported = await importMaterial(kms, KeyId, random(32), { algorithm })
      expect(imported.KeyId).toBe(Arn)
      expect(imported.KeyMaterialId).toMatch(/^[0-9a-f]{64}$/)
      const meta = (await kms.describeKey({ KeyId })).KeyMetadata
      expect(meta).toMatchObject({ KeyState: 'Enabled', Enabled: true, Origin: 'EXTERNAL', ExpirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE', CurrentKeyMaterialId: imported.KeyMaterialId })
      expect(meta.ValidTo).toBeUndefined()
      const { CiphertextBlob } = await kms.encrypt({ KeyId, Plaintext: bytes('hello byok'), EncryptionContext: { app: 'test' } })
      const out = await kms.decrypt({ CiphertextBlob, EncryptionContext: { app: 'test' } })
      expect(text(out.Plaintext)).toBe('hello byok')
      expect(out.KeyMaterialId).toBe(imported.KeyMaterialId)
    })
  }

  it('KEY_MATERIAL_EXPIRES (the default model) with ValidTo: DescribeKey reports both', async () => {
    const { kms, clock } = engine()
    const { KeyId } = await externalKey(kms)
    const ValidTo = new Date(clock.now().getTime() + 30 * DAY)
    await importMaterial(kms, KeyId, random(32), { ValidTo })
    expect((await kms.describeKey({ KeyId })).KeyMetadata).toMatchObject({ KeyState: 'Enabled', ExpirationModel: 'KEY_MATERIAL_EXPIRES', ValidTo })
  })

  it('HMAC_256 key: its MACs are HMAC-SHA-256 under exactly the imported bytes', async () => {
    const { kms } = engine()
    const { KeyId } = await externalKey(kms, { KeySpec: 'HMAC_256', KeyUsage: 'GENERATE_VERIFY_MAC' })
    const material = random(32)
    await importMaterial(kms, KeyId, material, { algorithm: 'RSA_AES_KEY_WRAP_SHA_256' })
    expect((await kms.describeKey({ KeyId })).KeyMetadata).toMatchObject({ KeyState: 'Enabled', Origin: 'EXTERNAL', KeySpec: 'HMAC_256' })
    const Message = bytes('message to authenticate')
    const { Mac } = await kms.generateMac({ KeyId, Message, MacAlgorithm: 'HMAC_SHA_256' })
    const local = await subtle.importKey('raw', material as Uint8Array<ArrayBuffer>, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign'])
    expect(toHex(Mac)).toBe(toHex(new Uint8Array(await subtle.sign('HMAC', local, Message as Uint8Array<ArrayBuffer>))))
    expect((await kms.verifyMac({ KeyId, Message, MacAlgorithm: 'HMAC_SHA_256', Mac })).MacValid).toBe(true)
  })

  it('RSA_2048 signing key (PKCS#8 with RSA_AES_KEY_WRAP_SHA_256): the public key is the owner’s, and its signatures verify with it', async () => {
    const { kms } = engine()
    const { KeyId } = await externalKey(kms, { KeySpec: 'RSA_2048', KeyUsage: 'SIGN_VERIFY' })
    const rsa = await rsaPkcs8()
    // A PKCS#8 RSA key is larger than RSA-OAEP can wrap: AWS requires RSA_AES_KEY_WRAP for it.
    await importMaterial(kms, KeyId, rsa.pkcs8, { algorithm: 'RSA_AES_KEY_WRAP_SHA_256' })
    expect(toHex((await kms.getPublicKey({ KeyId })).PublicKey)).toBe(toHex(rsa.spki))
    const Message = bytes('signed by imported key')
    const { Signature } = await kms.sign({ KeyId, Message, SigningAlgorithm: 'RSASSA_PSS_SHA_256' })
    expect(await subtle.verify({ name: 'RSA-PSS', saltLength: 32 }, rsa.publicKey, Signature as Uint8Array<ArrayBuffer>, Message as Uint8Array<ArrayBuffer>)).toBe(true)
    expect((await kms.verify({ KeyId, Message, Signature, SigningAlgorithm: 'RSASSA_PSS_SHA_256' })).SignatureValid).toBe(true)
  })

  it('ECC_NIST_P256 key agreement key: DeriveSharedSecret gives the secret the owner’s private key gives', async () => {
    const { kms } = engine()
    const { KeyId } = await externalKey(kms, { KeySpec: 'ECC_NIST_P256', KeyUsage: 'KEY_AGREEMENT' })
    const ec = await ecPkcs8()
    await importMaterial(kms, KeyId, ec.pkcs8, { algorithm: 'RSA_AES_KEY_WRAP_SHA_1' })
    const peer = (await subtle.generateKey({ name: 'ECDH', namedCurve: 'P-256' }, true, ['deriveBits'])) as CryptoKeyPair
    const peerSpki = new Uint8Array(await subtle.exportKey('spki', peer.publicKey))
    const { SharedSecret, KeyOrigin } = await kms.deriveSharedSecret({ KeyId, KeyAgreementAlgorithm: 'ECDH', PublicKey: peerSpki })
    expect(KeyOrigin).toBe('EXTERNAL')
    const local = new Uint8Array(await subtle.deriveBits({ name: 'ECDH', public: peer.publicKey }, ec.privateKey, 256))
    expect(toHex(SharedSecret)).toBe(toHex(local))
  })

  it('the stored material is non-extractable, and so is the wrapping private key', async () => {
    const { kms, store } = engine()
    const sym = await externalKey(kms)
    await importMaterial(kms, sym.KeyId, random(32))
    const rsaKey = await externalKey(kms, { KeySpec: 'RSA_2048', KeyUsage: 'SIGN_VERIFY' })
    await importMaterial(kms, rsaKey.KeyId, (await rsaPkcs8()).pkcs8, { algorithm: 'RSA_AES_KEY_WRAP_SHA_256' })
    const symVersion = (await storedKey(store, sym.KeyId)).versions[0]!
    expect(symVersion.material!.extractable).toBe(false)
    await expect(subtle.exportKey('raw', symVersion.material!)).rejects.toThrow()
    const privateKeys = Object.values((await storedKey(store, rsaKey.KeyId)).versions[0]!.privateKeys!)
    expect(privateKeys.length).toBeGreaterThan(0)
    for (const k of privateKeys) {
      expect(k.extractable).toBe(false)
      await expect(subtle.exportKey('pkcs8', k)).rejects.toThrow()
    }
    // An outstanding import's RSA private key lives in the store too, and cannot leave it either.
    await kms.getParametersForImport({ KeyId: sym.KeyId, WrappingAlgorithm: 'RSAES_OAEP_SHA_256', WrappingKeySpec: 'RSA_2048' })
    const tokens = (await store.transaction('readonly', (tx) => tx.getMeta(importTokensMetaId(sym.KeyId))))! as { privateKey: CryptoKey }[]
    expect(tokens).toHaveLength(1)
    expect(tokens[0]!.privateKey.extractable).toBe(false)
    await expect(subtle.exportKey('pkcs8', tokens[0]!.privateKey)).rejects.toThrow()
  })
})

describe('import tokens', () => {
  it('a token imports once: the second use is InvalidImportTokenException', async () => {
    const { kms } = engine()
    const { KeyId } = await externalKey(kms)
    const material = random(32)
    const params = await kms.getParametersForImport({ KeyId, WrappingAlgorithm: 'RSAES_OAEP_SHA_256', WrappingKeySpec: 'RSA_2048' })
    const request = { KeyId, ImportToken: params.ImportToken, EncryptedKeyMaterial: await wrap(params.PublicKey, 'RSAES_OAEP_SHA_256', material), ExpirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE' as const }
    await kms.importKeyMaterial(request)
    await expectKmsError(kms.importKeyMaterial(request), InvalidImportTokenException)
  })

  it('another key’s token, or bytes that are no token: InvalidImportTokenException', async () => {
    const { kms } = engine()
    const a = await externalKey(kms)
    const b = await externalKey(kms)
    const params = await kms.getParametersForImport({ KeyId: a.KeyId, WrappingAlgorithm: 'RSAES_OAEP_SHA_256', WrappingKeySpec: 'RSA_2048' })
    const EncryptedKeyMaterial = await wrap(params.PublicKey, 'RSAES_OAEP_SHA_256', random(32))
    const common = { EncryptedKeyMaterial, ExpirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE' as const }
    await expectKmsError(kms.importKeyMaterial({ KeyId: b.KeyId, ImportToken: params.ImportToken, ...common }), InvalidImportTokenException)
    await expectKmsError(kms.importKeyMaterial({ KeyId: a.KeyId, ImportToken: random(64), ...common }), InvalidImportTokenException)
    // Well formed, names the right key, but never issued.
    const forged = bytes(text(params.ImportToken).replace(/[0-9a-f]{64}$/, '0'.repeat(64)))
    await expectKmsError(kms.importKeyMaterial({ KeyId: a.KeyId, ImportToken: forged, ...common }), InvalidImportTokenException)
    expect((await kms.describeKey({ KeyId: b.KeyId })).KeyMetadata.KeyState).toBe('PendingImport')
    // The right key still takes its own token.
    await kms.importKeyMaterial({ KeyId: a.KeyId, ImportToken: params.ImportToken, ...common })
    expect((await kms.describeKey({ KeyId: a.KeyId })).KeyMetadata.KeyState).toBe('Enabled')
  })

  it('a token works within 24 hours and is ExpiredImportTokenException after', async () => {
    const { kms, clock } = engine()
    const { KeyId } = await externalKey(kms)
    const material = random(32)
    const late = await kms.getParametersForImport({ KeyId, WrappingAlgorithm: 'RSAES_OAEP_SHA_256', WrappingKeySpec: 'RSA_2048' })
    const lateRequest = { KeyId, ImportToken: late.ImportToken, EncryptedKeyMaterial: await wrap(late.PublicKey, 'RSAES_OAEP_SHA_256', material), ExpirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE' as const }
    clock.advanceMs(23 * 3600_000)
    const onTime = await kms.getParametersForImport({ KeyId, WrappingAlgorithm: 'RSAES_OAEP_SHA_256', WrappingKeySpec: 'RSA_2048' })
    clock.advanceMs(3600_000 + 60_000) // 24 h 1 min after the first token, 1 h 1 min after the second
    await expectKmsError(kms.importKeyMaterial(lateRequest), ExpiredImportTokenException)
    expect((await kms.describeKey({ KeyId })).KeyMetadata.KeyState).toBe('PendingImport')
    await kms.importKeyMaterial({ KeyId, ImportToken: onTime.ImportToken, EncryptedKeyMaterial: await wrap(onTime.PublicKey, 'RSAES_OAEP_SHA_256', material), ExpirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE' })
    expect((await kms.describeKey({ KeyId })).KeyMetadata.KeyState).toBe('Enabled')
  })

  it('material wrapped under another import’s public key, or corrupted: InvalidCiphertextException', async () => {
    const { kms } = engine()
    const { KeyId } = await externalKey(kms)
    for (const algorithm of ['RSAES_OAEP_SHA_256', 'RSA_AES_KEY_WRAP_SHA_256'] as const) {
      const params = await kms.getParametersForImport({ KeyId, WrappingAlgorithm: algorithm, WrappingKeySpec: 'RSA_2048' })
      const good = await wrap(params.PublicKey, algorithm, random(32))
      const base = { KeyId, ImportToken: params.ImportToken, ExpirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE' as const }
      const flipped = good.slice()
      flipped[10]! ^= 1
      await expectKmsError(kms.importKeyMaterial({ ...base, EncryptedKeyMaterial: flipped }), InvalidCiphertextException)
      const tailFlipped = good.slice()
      tailFlipped[tailFlipped.length - 1]! ^= 1
      await expectKmsError(kms.importKeyMaterial({ ...base, EncryptedKeyMaterial: tailFlipped }), InvalidCiphertextException)
      await expectKmsError(kms.importKeyMaterial({ ...base, EncryptedKeyMaterial: good.subarray(0, good.length - 8) }), InvalidCiphertextException)
      const other = await kms.getParametersForImport({ KeyId, WrappingAlgorithm: algorithm, WrappingKeySpec: 'RSA_2048' })
      await expectKmsError(kms.importKeyMaterial({ ...base, EncryptedKeyMaterial: await wrap(other.PublicKey, algorithm, random(32)) }), InvalidCiphertextException)
      expect((await kms.describeKey({ KeyId })).KeyMetadata.KeyState).toBe('PendingImport')
    }
  })
})

describe('ValidTo and ExpirationModel', () => {
  it('ValidTo is required by the default model, refused with DOES_NOT_EXPIRE, and must be in the next 365 days', async () => {
    const { kms, clock } = engine()
    const { KeyId } = await externalKey(kms)
    const params = await kms.getParametersForImport({ KeyId, WrappingAlgorithm: 'RSAES_OAEP_SHA_256', WrappingKeySpec: 'RSA_2048' })
    const base = { KeyId, ImportToken: params.ImportToken, EncryptedKeyMaterial: await wrap(params.PublicKey, 'RSAES_OAEP_SHA_256', random(32)) }
    const now = clock.now().getTime()
    await expectKmsError(kms.importKeyMaterial(base), ValidationException)
    await expectKmsError(kms.importKeyMaterial({ ...base, ExpirationModel: 'KEY_MATERIAL_EXPIRES' }), ValidationException)
    await expectKmsError(kms.importKeyMaterial({ ...base, ExpirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE', ValidTo: new Date(now + DAY) }), ValidationException)
    await expectKmsError(kms.importKeyMaterial({ ...base, ValidTo: new Date(now - 60_000) }), ValidationException)
    await expectKmsError(kms.importKeyMaterial({ ...base, ValidTo: new Date(now) }), ValidationException)
    await expectKmsError(kms.importKeyMaterial({ ...base, ValidTo: new Date(now + 366 * DAY) }), ValidationException)
    expect((await kms.describeKey({ KeyId })).KeyMetadata.KeyState).toBe('PendingImport')
    // None of these spent the token.
    await kms.importKeyMaterial({ ...base, ValidTo: new Date(now + 365 * DAY) })
    expect((await kms.describeKey({ KeyId })).KeyMetadata).toMatchObject({ KeyState: 'Enabled', ValidTo: new Date(now + 365 * DAY), ExpirationModel: 'KEY_MATERIAL_EXPIRES' })
  })
})

describe('material that does not fit the key: IncorrectKeyMaterialException', () => {
  it('16 bytes for SYMMETRIC_DEFAULT, 16 bytes for HMAC_256, an EC key for an RSA key, a 3072-bit key for RSA_2048', async () => {
    const { kms } = engine()
    const sym = await externalKey(kms)
    await expectKmsError(importMaterial(kms, sym.KeyId, random(16)), IncorrectKeyMaterialException)
    await expectKmsError(importMaterial(kms, sym.KeyId, random(33), { algorithm: 'RSA_AES_KEY_WRAP_SHA_256' }), IncorrectKeyMaterialException)
    const mac = await externalKey(kms, { KeySpec: 'HMAC_256', KeyUsage: 'GENERATE_VERIFY_MAC' })
    await expectKmsError(importMaterial(kms, mac.KeyId, random(16)), IncorrectKeyMaterialException)
    const rsa = await externalKey(kms, { KeySpec: 'RSA_2048', KeyUsage: 'SIGN_VERIFY' })
    await expectKmsError(importMaterial(kms, rsa.KeyId, (await ecPkcs8()).pkcs8, { algorithm: 'RSA_AES_KEY_WRAP_SHA_256' }), IncorrectKeyMaterialException)
    await expectKmsError(importMaterial(kms, rsa.KeyId, (await rsaPkcs8(3072)).pkcs8, { algorithm: 'RSA_AES_KEY_WRAP_SHA_256' }), IncorrectKeyMaterialException)
    await expectKmsError(importMaterial(kms, rsa.KeyId, random(300), { algorithm: 'RSA_AES_KEY_WRAP_SHA_256' }), IncorrectKeyMaterialException)
    for (const { KeyId } of [sym, mac, rsa]) expect((await kms.describeKey({ KeyId })).KeyMetadata.KeyState).toBe('PendingImport')
  })
})

describe('expiry, deletion and re-import', () => {
  it('expired material is deleted when the clock passes ValidTo; the same material brings old ciphertexts back', async () => {
    const { kms, clock, store } = engine()
    const { KeyId, Arn } = await externalKey(kms)
    const material = random(32)
    const first = await importMaterial(kms, KeyId, material, { ValidTo: new Date(clock.now().getTime() + 10 * DAY) })
    const { CiphertextBlob } = await kms.encrypt({ KeyId, Plaintext: bytes('before expiry') })

    clock.advanceDays(10)
    const expired = (await kms.describeKey({ KeyId })).KeyMetadata
    expect(expired).toMatchObject({ KeyState: 'PendingImport', Enabled: false })
    await expectKmsError(kms.decrypt({ CiphertextBlob }), KMSInvalidStateException)
    await expectKmsError(kms.encrypt({ KeyId, Plaintext: bytes('x') }), KMSInvalidStateException)
    expect((await stored(store, KeyId)).versions[0]!.hasMaterial).toBe(false)
    const events = (await kms.exportAuditLog()).events.filter((e) => e.eventName === 'DeleteExpiredKeyMaterial')
    expect(events).toHaveLength(1)
    expect(events[0]).toMatchObject({ eventType: 'AwsServiceEvent', resources: [{ ARN: Arn }], eventTime: '2026-01-11T00:00:00Z' })

    // Different material is refused, and nothing changes.
    const before = { described: (await kms.describeKey({ KeyId })).KeyMetadata, stored: await stored(store, KeyId) }
    await expectKmsError(importMaterial(kms, KeyId, random(32), { ValidTo: new Date(clock.now().getTime() + 5 * DAY) }), IncorrectKeyMaterialException)
    expect((await kms.describeKey({ KeyId })).KeyMetadata).toEqual(before.described)
    expect(await stored(store, KeyId)).toEqual(before.stored)

    const ValidTo = new Date(clock.now().getTime() + 20 * DAY)
    const again = await importMaterial(kms, KeyId, material, { ValidTo })
    expect(again.KeyMaterialId).toBe(first.KeyMaterialId)
    expect((await kms.describeKey({ KeyId })).KeyMetadata).toMatchObject({ KeyState: 'Enabled', ValidTo, CurrentKeyMaterialId: first.KeyMaterialId })
    expect(text((await kms.decrypt({ CiphertextBlob })).Plaintext)).toBe('before expiry')
  })

  it('on an Enabled key, different material is refused and the key keeps working', async () => {
    const { kms, store } = engine()
    const { KeyId } = await externalKey(kms)
    await importMaterial(kms, KeyId, random(32))
    const before = { described: (await kms.describeKey({ KeyId })).KeyMetadata, stored: await stored(store, KeyId) }
    await expectKmsError(importMaterial(kms, KeyId, random(32)), IncorrectKeyMaterialException)
    await expectKmsError(importMaterial(kms, KeyId, random(32), { ImportType: 'EXISTING_KEY_MATERIAL' }), IncorrectKeyMaterialException)
    expect((await kms.describeKey({ KeyId })).KeyMetadata).toEqual(before.described)
    expect(await stored(store, KeyId)).toEqual(before.stored)
    const { CiphertextBlob } = await kms.encrypt({ KeyId, Plaintext: bytes('still fine') })
    expect(text((await kms.decrypt({ CiphertextBlob })).Plaintext)).toBe('still fine')
  })

  it('DeleteImportedKeyMaterial: PendingImport at once; the same material brings old ciphertexts back', async () => {
    const { kms } = engine()
    const { KeyId, Arn } = await externalKey(kms)
    const material = random(32)
    const { KeyMaterialId } = await importMaterial(kms, KeyId, material)
    const { CiphertextBlob } = await kms.encrypt({ KeyId, Plaintext: bytes('keep me') })
    expect(await kms.deleteImportedKeyMaterial({ KeyId })).toEqual({ KeyId: Arn, KeyMaterialId })
    expect((await kms.describeKey({ KeyId })).KeyMetadata.KeyState).toBe('PendingImport')
    await expectKmsError(kms.decrypt({ CiphertextBlob }), KMSInvalidStateException)
    await expectKmsError(importMaterial(kms, KeyId, random(32)), IncorrectKeyMaterialException)
    await importMaterial(kms, KeyId, material, { algorithm: 'RSA_AES_KEY_WRAP_SHA_1', spec: 'RSA_4096' })
    expect((await kms.describeKey({ KeyId })).KeyMetadata.KeyState).toBe('Enabled')
    expect(text((await kms.decrypt({ CiphertextBlob })).Plaintext)).toBe('keep me')
  })

  it('an asymmetric key gets its material back too: old signatures verify, new ones are made', async () => {
    const { kms, clock } = engine()
    const { KeyId } = await externalKey(kms, { KeySpec: 'RSA_2048', KeyUsage: 'SIGN_VERIFY' })
    const rsa = await rsaPkcs8()
    await importMaterial(kms, KeyId, rsa.pkcs8, { algorithm: 'RSA_AES_KEY_WRAP_SHA_256', ValidTo: new Date(clock.now().getTime() + DAY) })
    const Message = bytes('m')
    const { Signature } = await kms.sign({ KeyId, Message, SigningAlgorithm: 'RSASSA_PKCS1_V1_5_SHA_256' })
    clock.advanceDays(2)
    await expectKmsError(kms.sign({ KeyId, Message, SigningAlgorithm: 'RSASSA_PKCS1_V1_5_SHA_256' }), KMSInvalidStateException)
    await expectKmsError(importMaterial(kms, KeyId, (await rsaPkcs8()).pkcs8, { algorithm: 'RSA_AES_KEY_WRAP_SHA_256' }), IncorrectKeyMaterialException)
    await importMaterial(kms, KeyId, rsa.pkcs8, { algorithm: 'RSA_AES_KEY_WRAP_SHA_256' })
    expect((await kms.verify({ KeyId, Message, Signature, SigningAlgorithm: 'RSASSA_PKCS1_V1_5_SHA_256' })).SignatureValid).toBe(true)
    await kms.sign({ KeyId, Message, SigningAlgorithm: 'RSASSA_PKCS1_V1_5_SHA_256' })
  })
})

describe('rotation of imported keys', () => {
  it('NEW_KEY_MATERIAL waits in PENDING_ROTATION; RotateKeyOnDemand makes it current; old ciphertexts still decrypt', async () => {
    const { kms, clock } = engine()
    const { KeyId } = await externalKey(kms)
    const first = await importMaterial(kms, KeyId, random(32))
    const old = (await kms.encrypt({ KeyId, Plaintext: bytes('old') })).CiphertextBlob

    await expectKmsError(kms.rotateKeyOnDemand({ KeyId }), KMSInvalidStateException)
    const ValidTo = new Date(clock.now().getTime() + 100 * DAY)
    const second = await importMaterial(kms, KeyId, random(32), { ImportType: 'NEW_KEY_MATERIAL', ValidTo, KeyMaterialDescription: 'second' })
    expect(second.KeyMaterialId).not.toBe(first.KeyMaterialId)
    const listed = (await kms.listKeyRotations({ KeyId, IncludeKeyMaterial: 'ALL_KEY_MATERIAL' })).Rotations
    expect(listed).toHaveLength(2)
    expect(listed[0]).toMatchObject({ KeyMaterialId: first.KeyMaterialId, KeyMaterialState: 'CURRENT', ImportState: 'IMPORTED', ExpirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE' })
    expect(listed[1]).toMatchObject({ KeyMaterialId: second.KeyMaterialId, KeyMaterialState: 'PENDING_ROTATION', ImportState: 'IMPORTED', ExpirationModel: 'KEY_MATERIAL_EXPIRES', ValidTo, KeyMaterialDescription: 'second' })
    // Until the rotation, the first material is current.
    expect((await kms.describeKey({ KeyId })).KeyMetadata.CurrentKeyMaterialId).toBe(first.KeyMaterialId)
    const stillOld = (await kms.encrypt({ KeyId, Plaintext: bytes('still old') })).CiphertextBlob
    expect((await kms.decrypt({ CiphertextBlob: stillOld })).KeyMaterialId).toBe(first.KeyMaterialId)
    // Only one material may wait.
    await expectKmsError(importMaterial(kms, KeyId, random(32), { ImportType: 'NEW_KEY_MATERIAL' }), KMSInvalidStateException)

    await kms.rotateKeyOnDemand({ KeyId })
    expect((await kms.describeKey({ KeyId })).KeyMetadata).toMatchObject({ CurrentKeyMaterialId: second.KeyMaterialId, ExpirationModel: 'KEY_MATERIAL_EXPIRES', ValidTo })
    const rotations = (await kms.listKeyRotations({ KeyId })).Rotations
    expect(rotations).toHaveLength(1)
    expect(rotations[0]).toMatchObject({ KeyMaterialId: second.KeyMaterialId, KeyMaterialState: 'CURRENT', RotationType: 'ON_DEMAND', RotationDate: clock.now() })
    const fresh = (await kms.encrypt({ KeyId, Plaintext: bytes('new') })).CiphertextBlob
    const out = await kms.decrypt({ CiphertextBlob: fresh })
    expect(text(out.Plaintext)).toBe('new')
    expect(out.KeyMaterialId).toBe(second.KeyMaterialId)
    expect(await kms.decrypt({ CiphertextBlob: old })).toMatchObject({ KeyMaterialId: first.KeyMaterialId, Plaintext: bytes('old') })
    // Nothing is pending now.
    await expectKmsError(kms.rotateKeyOnDemand({ KeyId }), KMSInvalidStateException)
  })

  it('DescribeKey reports the earliest expiry of any material permanently associated, not only the current one', async () => {
    const { kms, clock } = engine()
    const { KeyId } = await externalKey(kms)
    const ValidTo = new Date(clock.now().getTime() + 10 * DAY)
    await importMaterial(kms, KeyId, random(32), { ValidTo })
    await importMaterial(kms, KeyId, random(32), { ImportType: 'NEW_KEY_MATERIAL', ExpirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE' })
    // Pending rotation, the second does not count: the first is current and expires.
    expect((await kms.describeKey({ KeyId })).KeyMetadata).toMatchObject({ ExpirationModel: 'KEY_MATERIAL_EXPIRES', ValidTo })
    await kms.rotateKeyOnDemand({ KeyId })
    // The current material never expires, but the first is still associated and does.
    expect((await kms.describeKey({ KeyId })).KeyMetadata).toMatchObject({ ExpirationModel: 'KEY_MATERIAL_EXPIRES', ValidTo })
    clock.advanceDays(11)
    expect((await kms.describeKey({ KeyId })).KeyMetadata).toMatchObject({ KeyState: 'PendingImport' })
  })

  it('material pending rotation that expires leaves the key usable; it must be imported again before a rotation', async () => {
    const { kms, clock } = engine()
    const { KeyId } = await externalKey(kms)
    const first = await importMaterial(kms, KeyId, random(32))
    const pendingMaterial = random(32)
    const pending = await importMaterial(kms, KeyId, pendingMaterial, { ImportType: 'NEW_KEY_MATERIAL', ValidTo: new Date(clock.now().getTime() + DAY) })
    clock.advanceDays(2)
    // Material in PENDING_ROTATION is not yet permanently associated with the key ("Importing key material").
    expect((await kms.describeKey({ KeyId })).KeyMetadata).toMatchObject({ KeyState: 'Enabled', CurrentKeyMaterialId: first.KeyMaterialId })
    const listed = (await kms.listKeyRotations({ KeyId, IncludeKeyMaterial: 'ALL_KEY_MATERIAL' })).Rotations
    expect(listed[1]).toMatchObject({ KeyMaterialId: pending.KeyMaterialId, KeyMaterialState: 'PENDING_ROTATION', ImportState: 'PENDING_IMPORT' })
    const { CiphertextBlob } = await kms.encrypt({ KeyId, Plaintext: bytes('still usable') })
    expect((await kms.decrypt({ CiphertextBlob })).KeyMaterialId).toBe(first.KeyMaterialId)
    await expectKmsError(kms.rotateKeyOnDemand({ KeyId }), KMSInvalidStateException)
    expect((await kms.describeKey({ KeyId })).KeyMetadata.CurrentKeyMaterialId).toBe(first.KeyMaterialId)
    await importMaterial(kms, KeyId, pendingMaterial, { ImportType: 'EXISTING_KEY_MATERIAL' })
    await kms.rotateKeyOnDemand({ KeyId })
    const fresh = (await kms.encrypt({ KeyId, Plaintext: bytes('rotated') })).CiphertextBlob
    expect((await kms.decrypt({ CiphertextBlob: fresh })).KeyMaterialId).toBe(pending.KeyMaterialId)
  })

  it('a key whose current material expired stays PendingImport after new material is imported for rotation', async () => {
    const { kms, clock } = engine()
    const { KeyId } = await externalKey(kms)
    const material = random(32)
    await importMaterial(kms, KeyId, material, { ValidTo: new Date(clock.now().getTime() + DAY) })
    clock.advanceDays(2)
    expect((await kms.describeKey({ KeyId })).KeyMetadata.KeyState).toBe('PendingImport')
    await importMaterial(kms, KeyId, random(32), { ImportType: 'NEW_KEY_MATERIAL' })
    expect((await kms.describeKey({ KeyId })).KeyMetadata.KeyState).toBe('PendingImport')
    await importMaterial(kms, KeyId, material)
    expect((await kms.describeKey({ KeyId })).KeyMetadata.KeyState).toBe('Enabled')
  })

  it('material already in the key cannot come again as NEW_KEY_MATERIAL', async () => {
    const { kms } = engine()
    const { KeyId } = await externalKey(kms)
    const material = random(32)
    await importMaterial(kms, KeyId, material)
    await expectKmsError(importMaterial(kms, KeyId, material, { ImportType: 'NEW_KEY_MATERIAL' }), IncorrectKeyMaterialException)
  })

  it('NEW_KEY_MATERIAL on an HMAC or an asymmetric key: IncorrectKeyMaterialException', async () => {
    const { kms } = engine()
    const mac = await externalKey(kms, { KeySpec: 'HMAC_256', KeyUsage: 'GENERATE_VERIFY_MAC' })
    await importMaterial(kms, mac.KeyId, random(32))
    await expectKmsError(importMaterial(kms, mac.KeyId, random(32), { ImportType: 'NEW_KEY_MATERIAL' }), IncorrectKeyMaterialException)
    const ec = await externalKey(kms, { KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY' })
    await importMaterial(kms, ec.KeyId, (await ecPkcs8()).pkcs8, { algorithm: 'RSA_AES_KEY_WRAP_SHA_256' })
    await expectKmsError(importMaterial(kms, ec.KeyId, (await ecPkcs8()).pkcs8, { algorithm: 'RSA_AES_KEY_WRAP_SHA_256', ImportType: 'NEW_KEY_MATERIAL' }), IncorrectKeyMaterialException)
    await expectKmsError(kms.rotateKeyOnDemand({ KeyId: ec.KeyId }), UnsupportedOperationException)
  })

  it('automatic rotation is refused for imported keys', async () => {
    const { kms } = engine()
    const { KeyId } = await externalKey(kms)
    await importMaterial(kms, KeyId, random(32))
    await expectKmsError(kms.enableKeyRotation({ KeyId }), UnsupportedOperationException)
    expect((await kms.getKeyRotationStatus({ KeyId })).KeyRotationEnabled).toBe(false)
  })
})

describe('audit and access control', () => {
  it('the audit events of GetParametersForImport and ImportKeyMaterial hold no key material and no token', async () => {
    const { kms } = engine()
    const { KeyId, Arn } = await externalKey(kms)
    const material = random(32)
    const params = await kms.getParametersForImport({ KeyId, WrappingAlgorithm: 'RSA_AES_KEY_WRAP_SHA_256', WrappingKeySpec: 'RSA_2048' })
    const EncryptedKeyMaterial = await wrap(params.PublicKey, 'RSA_AES_KEY_WRAP_SHA_256', material)
    await kms.importKeyMaterial({ KeyId, ImportToken: params.ImportToken, EncryptedKeyMaterial, ValidTo: new Date('2026-06-01T00:00:00Z') })
    const log = await kms.exportAuditLog()
    const events = log.events.filter((e) => e.eventName === 'GetParametersForImport' || e.eventName === 'ImportKeyMaterial')
    expect(events.map((e) => e.eventName)).toEqual(['GetParametersForImport', 'ImportKeyMaterial'])
    for (const e of events) expect(e).toMatchObject({ resources: [{ ARN: Arn }], responseElements: null })
    expect(events[0]!.requestParameters).toMatchObject({ wrappingAlgorithm: 'RSA_AES_KEY_WRAP_SHA_256', wrappingKeySpec: 'RSA_2048' })
    expect(events[1]!.requestParameters).toMatchObject({ validTo: '2026-06-01T00:00:00.000Z' })
    const json = JSON.stringify(log)
    const tokenId = /([0-9a-f]{64})$/.exec(text(params.ImportToken))![1]!
    for (const secret of [toHex(material), toBase64(material), toBase64(params.ImportToken), text(params.ImportToken), tokenId, toBase64(EncryptedKeyMaterial), toHex(EncryptedKeyMaterial)]) {
      expect(json).not.toContain(secret)
    }
    expect(json).not.toMatch(/importToken|encryptedKeyMaterial/i)
  })

  it('a key policy can deny by kms:WrappingAlgorithm and by kms:ExpirationModel', async () => {
    const { kms, clock } = engine()
    const Policy = JSON.stringify({
      Version: '2012-10-17',
      Statement: [
        { Sid: 'Enable IAM User Permissions', Effect: 'Allow', Principal: { AWS: ROOT }, Action: 'kms:*', Resource: '*' },
        { Sid: 'No SHA-1 wrapping', Effect: 'Deny', Principal: { AWS: '*' }, Action: 'kms:GetParametersForImport', Resource: '*', Condition: { StringEquals: { 'kms:WrappingAlgorithm': ['RSAES_OAEP_SHA_1', 'RSA_AES_KEY_WRAP_SHA_1'] } } },
        { Sid: 'Material must expire', Effect: 'Deny', Principal: { AWS: '*' }, Action: 'kms:ImportKeyMaterial', Resource: '*', Condition: { StringEquals: { 'kms:ExpirationModel': 'KEY_MATERIAL_DOES_NOT_EXPIRE' } } },
      ],
    })
    const { KeyId } = await externalKey(kms, { Policy })
    await expectKmsError(kms.getParametersForImport({ KeyId, WrappingAlgorithm: 'RSAES_OAEP_SHA_1', WrappingKeySpec: 'RSA_2048' }), AccessDeniedException)
    await expectKmsError(kms.getParametersForImport({ KeyId, WrappingAlgorithm: 'RSA_AES_KEY_WRAP_SHA_1', WrappingKeySpec: 'RSA_2048' }), AccessDeniedException)
    const params = await kms.getParametersForImport({ KeyId, WrappingAlgorithm: 'RSAES_OAEP_SHA_256', WrappingKeySpec: 'RSA_2048' })
    const base = { KeyId, ImportToken: params.ImportToken, EncryptedKeyMaterial: await wrap(params.PublicKey, 'RSAES_OAEP_SHA_256', random(32)) }
    await expectKmsError(kms.importKeyMaterial({ ...base, ExpirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE' }), AccessDeniedException)
    expect((await kms.describeKey({ KeyId })).KeyMetadata.KeyState).toBe('PendingImport')
    await kms.importKeyMaterial({ ...base, ValidTo: new Date(clock.now().getTime() + 30 * DAY) })
    expect((await kms.describeKey({ KeyId })).KeyMetadata.KeyState).toBe('Enabled')
  })
})
