/**
 * Recovery from a lost store: createKms({ recovery: { publicKey } }) seals every new key material
 * to the recovery key (a JWE, RFC 7516), exportRecoveryBundle collects the keys, aliases, grants
 * and policies, and restoreRecoveryBundle with the private key rebuilds them in a new store, so
 * what was encrypted, signed or MACed before works again.
 */
import { aeskwp } from '@noble/ciphers/aes.js'
import { beforeAll, describe, expect, it } from 'vitest'
import {
  AccessDeniedException,
  createKms,
  MemoryKeyStore,
  RECOVERY_BUNDLE_FORMAT,
  RecoveryError,
  restoreRecoveryBundle,
  UnsupportedOperationException,
  verifyAuditLog,
  type KeyRecord,
  type Kms,
  type RecoveryBundle,
} from '../src/index.js'
import { fromBase64Url as unb64url, toBase64Url as b64url } from '../src/util/bytes.js'
import { readJweHeader, rsaThumbprint, sealJwe } from '../src/kms/recovery/jwe.js'
import { bytes, expectKmsError, testClock, text } from './helpers.js'

const subtle = globalThis.crypto.subtle
const ACCOUNT = '111122223333'
const ROOT = `arn:aws:iam::${ACCOUNT}:root`
const ALICE = `arn:aws:iam::${ACCOUNT}:user/alice`
const random = (n: number) => globalThis.crypto.getRandomValues(new Uint8Array(n))

const rsaOaep = (modulusLength: number, extractable = false) =>
  subtle.generateKey({ name: 'RSA-OAEP', hash: 'SHA-256', modulusLength, publicExponent: new Uint8Array([1, 0, 1]) }, extractable, ['encrypt', 'decrypt']) as Promise<CryptoKeyPair>

/** Wraps material for GetParametersForImport's public key with RSA_AES_KEY_WRAP_SHA_256. */
async function importInto(kms: Kms, KeyId: string, material: Uint8Array) {
  const params = await kms.getParametersForImport({ KeyId, WrappingAlgorithm: 'RSA_AES_KEY_WRAP_SHA_256', WrappingKeySpec: 'RSA_2048' })
  const rsa = await subtle.importKey('spki', params.PublicKey as Uint8Array<ArrayBuffer>, { name: 'RSA-OAEP', hash: 'SHA-256' }, false, ['encrypt'])
  const ephemeral = random(32)
  const EncryptedKeyMaterial = new Uint8Array([...new Uint8Array(await subtle.encrypt({ name: 'RSA-OAEP' }, rsa, ephemeral)), ...aeskwp(ephemeral).encrypt(material)])
  return kms.importKeyMaterial({ KeyId, ImportToken: params.ImportToken, EncryptedKeyMaterial, ExpirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE' })
}

/** Everything a store holds, without CryptoKeys: to show a failed restore wrote nothing. */
async function contents(store: MemoryKeyStore) {
  return store.transaction('readonly', async (tx) => ({
    keys: (await tx.listKeys()).map((k) => k.arn),
    aliases: (await tx.listAliases()).map((a) => a.aliasName),
    grants: (await tx.listAllGrants()).map((g) => g.grantId),
    audit: (await tx.listAuditRecords()).length,
  }))
}
const empty = { keys: [], aliases: [], grants: [], audit: 0 }
const clone = (b: RecoveryBundle): RecoveryBundle => JSON.parse(JSON.stringify(b))

let recovery: CryptoKeyPair
beforeAll(async () => {
  recovery = await rsaOaep(3072)
})

describe('the recovery option', () => {
  it('is checked at createKms: a private key, a key under 3072 bits or for another algorithm is a TypeError', async () => {
    const extractable = await rsaOaep(3072, true)
    const privateJwk = await subtle.exportKey('jwk', extractable.privateKey)
    const publicJwk = await subtle.exportKey('jwk', extractable.publicKey)
    expect(() => createKms({ recovery: { publicKey: privateJwk } })).toThrow(TypeError)
    expect(() => createKms({ recovery: { publicKey: extractable.privateKey } })).toThrow(TypeError)
    const small = await rsaOaep(2048)
    expect(() => createKms({ recovery: { publicKey: small.publicKey } })).toThrow(TypeError)
    const smallJwk = await subtle.exportKey('jwk', (await rsaOaep(2048, true)).publicKey)
    expect(() => createKms({ recovery: { publicKey: smallJwk } })).toThrow(TypeError)
    // The same 3072-bit public key, bound to another hash or algorithm.
    const { n, e } = publicJwk
    const sha1 = await subtle.importKey('jwk', { kty: 'RSA', n, e }, { name: 'RSA-OAEP', hash: 'SHA-1' }, true, ['encrypt'])
    expect(() => createKms({ recovery: { publicKey: sha1 } })).toThrow(TypeError)
    const pss = await subtle.importKey('jwk', { kty: 'RSA', n, e }, { name: 'RSA-PSS', hash: 'SHA-256' }, true, ['verify'])
    expect(() => createKms({ recovery: { publicKey: pss } })).toThrow(TypeError)
    // A JWK that says it is for something else (RFC 7517 §4.2-4.4).
    expect(() => createKms({ recovery: { publicKey: { ...publicJwk, alg: 'RSA-OAEP' } } })).toThrow(TypeError)
    expect(() => createKms({ recovery: { publicKey: { ...publicJwk, alg: 'RS256' } } })).toThrow(TypeError)
    expect(() => createKms({ recovery: { publicKey: { ...publicJwk, use: 'sig' } } })).toThrow(TypeError)
    expect(() => createKms({ recovery: { publicKey: { ...publicJwk, key_ops: ['verify'] } } })).toThrow(TypeError)
    expect(() => createKms({ recovery: { publicKey: { kty: 'EC', crv: 'P-256', x: 'a', y: 'b' } } })).toThrow(TypeError)
    expect(() => createKms({ recovery: {} as never })).toThrow(TypeError)
    // The public key itself, as a CryptoKey or a JWK, is accepted.
    createKms({ recovery: { publicKey: extractable.publicKey } })
    const viaJwk = createKms({ recovery: { publicKey: publicJwk } })
    await viaJwk.createKey()
    expect((await viaJwk.exportRecoveryBundle()).unrecoverable).toEqual([])
  })

  it('exportRecoveryBundle on an engine without a recovery key: UnsupportedOperationException', async () => {
    const kms = createKms()
    await kms.createKey()
    await expectKmsError(kms.exportRecoveryBundle(), UnsupportedOperationException)
  })

  it('a caller other than the root needs an identity policy allowing webkms:ExportRecoveryBundle', async () => {
    const allowKms = { Version: '2012-10-17', Statement: { Effect: 'Allow', Action: 'kms:*', Resource: '*' } }
    const allowExport = { Version: '2012-10-17', Statement: { Effect: 'Allow', Action: 'webkms:ExportRecoveryBundle', Resource: '*' } }
    const kms = createKms({ recovery: { publicKey: recovery.publicKey }, identityPolicies: { [ALICE]: { kms: allowKms } } })
    await kms.createKey()
    // kms:* does not reach webkms's own action.
    await expectKmsError(kms.as({ principal: ALICE }).exportRecoveryBundle(), AccessDeniedException)
    await expectKmsError(kms.as({ principal: `arn:aws:iam::${ACCOUNT}:user/bob` }).exportRecoveryBundle(), AccessDeniedException)
    await kms.putIdentityPolicy({ Principal: ALICE, PolicyName: 'export', PolicyDocument: JSON.stringify(allowExport) })
    expect((await kms.as({ principal: ALICE }).exportRecoveryBundle()).keys).toHaveLength(1)
    const log = await kms.exportAuditLog()
    expect(log.events.filter((e) => e.eventName === 'ExportRecoveryBundle').map((e) => e.errorCode ?? 'ok')).toEqual(['AccessDeniedException', 'AccessDeniedException', 'ok'])
  })
})

describe('export and restore', () => {
  const clock = testClock()
  const store = new MemoryKeyStore()
  let kms: Kms
  let bundle: RecoveryBundle
  const made = {} as {
    sym: string
    symArn: string
    hmac: string
    rsa: string
    ecc: string
    ext: string
    extMaterial: Uint8Array
    ciphertexts: { blob: Uint8Array; plaintext: string; KeyMaterialId?: string }[]
    signature: Uint8Array
    mac: Uint8Array
    peer: Uint8Array
    sharedSecret: Uint8Array
    policy: string
    grantId: string
  }
  const message = bytes('the message that was signed and MACed')

  beforeAll(async () => {
    kms = createKms({ now: clock.now, keyStore: store, recovery: { publicKey: recovery.publicKey } })
    const encrypt = async (KeyId: string, plaintext: string) => {
      const { CiphertextBlob } = await kms.encrypt({ KeyId, Plaintext: bytes(plaintext), EncryptionContext: { purpose: 'recovery test' } })
      made.ciphertexts.push({ blob: CiphertextBlob, plaintext, KeyMaterialId: (await kms.describeKey({ KeyId })).KeyMetadata.CurrentKeyMaterialId })
    }
    made.ciphertexts = []

    // A symmetric key rotated twice: once on demand, once automatically by the clock.
    const sym = (await kms.createKey({ Description: 'symmetric' })).KeyMetadata
    made.sym = sym.KeyId
    made.symArn = sym.Arn
    await encrypt(sym.KeyId, 'before any rotation')
    await kms.rotateKeyOnDemand({ KeyId: sym.KeyId })
    await encrypt(sym.KeyId, 'after the on-demand rotation')
    await kms.enableKeyRotation({ KeyId: sym.KeyId, RotationPeriodInDays: 90 })
    clock.advanceDays(91)
    await encrypt(sym.KeyId, 'after the automatic rotation')

    made.hmac = (await kms.createKey({ KeySpec: 'HMAC_256', KeyUsage: 'GENERATE_VERIFY_MAC' })).KeyMetadata.KeyId
    made.mac = (await kms.generateMac({ KeyId: made.hmac, Message: message, MacAlgorithm: 'HMAC_SHA_256' })).Mac

    made.policy = JSON.stringify({
      Version: '2012-10-17',
      Statement: [
        { Sid: 'Enable IAM User Permissions', Effect: 'Allow', Principal: { AWS: ROOT }, Action: 'kms:*', Resource: '*' },
        { Sid: 'Alice verifies', Effect: 'Allow', Principal: { AWS: ALICE }, Action: ['kms:Verify', 'kms:GetPublicKey'], Resource: '*' },
      ],
    })
    made.rsa = (await kms.createKey({ KeySpec: 'RSA_2048', KeyUsage: 'SIGN_VERIFY', Policy: made.policy })).KeyMetadata.KeyId
    made.signature = (await kms.sign({ KeyId: made.rsa, Message: message, SigningAlgorithm: 'RSASSA_PSS_SHA_256' })).Signature

    made.ecc = (await kms.createKey({ KeySpec: 'ECC_NIST_P256', KeyUsage: 'KEY_AGREEMENT' })).KeyMetadata.KeyId
    const peer = (await subtle.generateKey({ name: 'ECDH', namedCurve: 'P-256' }, true, ['deriveBits'])) as CryptoKeyPair
    made.peer = new Uint8Array(await subtle.exportKey('spki', peer.publicKey))
    made.sharedSecret = (await kms.deriveSharedSecret({ KeyId: made.ecc, KeyAgreementAlgorithm: 'ECDH', PublicKey: made.peer })).SharedSecret

    made.ext = (await kms.createKey({ Origin: 'EXTERNAL', Description: 'imported' })).KeyMetadata.KeyId
    made.extMaterial = random(32)
    await importInto(kms, made.ext, made.extMaterial)
    await encrypt(made.ext, 'under imported material')

    await kms.createAlias({ AliasName: 'alias/app-data', TargetKeyId: made.sym })
    await kms.createAlias({ AliasName: 'alias/imported', TargetKeyId: made.ext })
    made.grantId = (await kms.createGrant({ KeyId: made.sym, GranteePrincipal: ALICE, Operations: ['Decrypt'], Constraints: { EncryptionContextSubset: { purpose: 'recovery test' } }, Name: 'alice-decrypts' })).GrantId

    // The bundle is plain JSON: it survives being written out and read back.
    bundle = JSON.parse(JSON.stringify(await kms.exportRecoveryBundle()))
  })

  it('the bundle lists every key with a recovery copy of each version, and nothing unrecoverable', () => {
    expect(bundle.format).toBe(RECOVERY_BUNDLE_FORMAT)
    expect(bundle.keys.map((k) => k.keyId).sort()).toEqual([made.sym, made.hmac, made.rsa, made.ecc, made.ext].sort())
    expect(bundle.unrecoverable).toEqual([])
    const sym = bundle.keys.find((k) => k.keyId === made.sym)!
    expect(sym.versions).toHaveLength(3)
    for (const k of bundle.keys) for (const v of k.versions) expect(v.recovery).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+\.[\w-]+\.[\w-]+$/)
    expect(bundle.aliases.map((a) => a.aliasName).sort()).toEqual(['alias/app-data', 'alias/imported'])
    expect(bundle.grants.map((g) => g.grantId)).toEqual([made.grantId])
    // No usable secret: the imported material's bytes appear nowhere.
    const json = JSON.stringify(bundle)
    expect(json).not.toContain(b64url(made.extMaterial))
  })

  it('restores into a new store: the same keys, aliases, grants and policies, and old ciphertexts, signatures, MACs and shared secrets work', async () => {
    const target = new MemoryKeyStore()
    const result = await restoreRecoveryBundle(bundle, { privateKey: recovery.privateKey, keyStore: target, now: clock.now })
    expect(result.keys.sort()).toEqual(bundle.keys.map((k) => k.arn).sort())
    expect(result.restoredVersions).toBe(7)
    expect(result.unrecoverable).toEqual([])

    const restored = createKms({ now: clock.now, keyStore: target })
    for (const { blob, plaintext, KeyMaterialId } of made.ciphertexts) {
      const out = await restored.decrypt({ CiphertextBlob: blob, EncryptionContext: { purpose: 'recovery test' } })
      expect(text(out.Plaintext)).toBe(plaintext)
      expect(out.KeyMaterialId).toBe(KeyMaterialId)
    }
    expect((await restored.verify({ KeyId: made.rsa, Message: message, Signature: made.signature, SigningAlgorithm: 'RSASSA_PSS_SHA_256' })).SignatureValid).toBe(true)
    expect((await restored.verifyMac({ KeyId: made.hmac, Message: message, MacAlgorithm: 'HMAC_SHA_256', Mac: made.mac })).MacValid).toBe(true)
    expect((await restored.generateMac({ KeyId: made.hmac, Message: message, MacAlgorithm: 'HMAC_SHA_256' })).Mac).toEqual(made.mac)
    expect((await restored.deriveSharedSecret({ KeyId: made.ecc, KeyAgreementAlgorithm: 'ECDH', PublicKey: made.peer })).SharedSecret).toEqual(made.sharedSecret)

    // Same identities and configuration.
    for (const KeyId of [made.sym, made.hmac, made.rsa, made.ecc, made.ext]) {
      expect((await restored.describeKey({ KeyId })).KeyMetadata).toEqual((await kms.describeKey({ KeyId })).KeyMetadata)
      expect(await restored.getKeyPolicy({ KeyId })).toEqual(await kms.getKeyPolicy({ KeyId }))
    }
    expect((await restored.getKeyPolicy({ KeyId: made.rsa })).Policy).toBe(made.policy)
    expect(await restored.listAliases()).toEqual(await kms.listAliases())
    expect(await restored.listGrants({ KeyId: made.sym })).toEqual(await kms.listGrants({ KeyId: made.sym }))
    expect(await restored.listKeyRotations({ KeyId: made.sym })).toEqual(await kms.listKeyRotations({ KeyId: made.sym }))
    expect(await restored.getKeyRotationStatus({ KeyId: made.sym })).toEqual(await kms.getKeyRotationStatus({ KeyId: made.sym }))
    expect((await restored.describeKey({ KeyId: 'alias/app-data' })).KeyMetadata.Arn).toBe(made.symArn)
    // The grant and the custom key policy still decide access.
    const alice = restored.as({ principal: ALICE })
    expect(text((await alice.decrypt({ CiphertextBlob: made.ciphertexts[0]!.blob, EncryptionContext: { purpose: 'recovery test' } })).Plaintext)).toBe('before any rotation')
    expect((await alice.verify({ KeyId: made.rsa, Message: message, Signature: made.signature, SigningAlgorithm: 'RSASSA_PSS_SHA_256' })).SignatureValid).toBe(true)
    await expectKmsError(alice.sign({ KeyId: made.rsa, Message: message, SigningAlgorithm: 'RSASSA_PSS_SHA_256' }), AccessDeniedException)
    // Keys keep working: new encryptions, and the next automatic rotation still comes.
    const fresh = await restored.encrypt({ KeyId: 'alias/imported', Plaintext: bytes('after restore') })
    expect(text((await restored.decrypt({ CiphertextBlob: fresh.CiphertextBlob })).Plaintext)).toBe('after restore')
    expect(text((await kms.decrypt({ CiphertextBlob: fresh.CiphertextBlob })).Plaintext)).toBe('after restore')

    // Restored material is non-extractable.
    const keys = await target.transaction('readonly', (tx) => tx.listKeys())
    const cryptoKeys = keys.flatMap((k: KeyRecord) => k.versions.flatMap((v) => [...(v.material ? [v.material] : []), ...Object.values(v.privateKeys ?? {})]))
    expect(cryptoKeys.length).toBeGreaterThanOrEqual(7)
    for (const key of cryptoKeys) {
      expect(key.extractable).toBe(false)
      await expect(subtle.exportKey(key.type === 'private' ? 'pkcs8' : 'raw', key)).rejects.toThrow()
    }

    // One audit event for the restore, first in the new store's trail, which verifies.
    const log = await restored.exportAuditLog()
    expect(log.events[0]).toMatchObject({ eventName: 'RestoreRecoveryBundle', eventSource: 'webkms', userIdentity: { type: 'Root' } })
    expect(log.events.filter((e) => e.eventName === 'RestoreRecoveryBundle')).toHaveLength(1)
    expect((log.events[0]!.resources as { ARN: string }[]).map((r) => r.ARN).sort()).toEqual(result.keys.sort())
    const verification = await verifyAuditLog(log, { trustedKeys: log.signingKeys.map((k) => k.fingerprint), now: clock.now() })
    expect(verification.intact).toBe(true)
    expect(verification.valid).toBe(true)
  })

  it('with another private key: RecoveryError, and nothing is written', async () => {
    const target = new MemoryKeyStore()
    const other = await rsaOaep(3072)
    const error = await restoreRecoveryBundle(clone(bundle), { privateKey: other.privateKey, keyStore: target, now: clock.now }).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(RecoveryError)
    expect(error).toMatchObject({ name: 'RecoveryError', code: 'ERR_WEBKMS_RECOVERY' })
    expect(await contents(target)).toEqual(empty)
  })

  const expectRecoveryError = async (b: RecoveryBundle, target = new MemoryKeyStore()) => {
    const before = await contents(target)
    const error = await restoreRecoveryBundle(b, { privateKey: recovery.privateKey, keyStore: target, now: clock.now }).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(RecoveryError)
    expect((error as RecoveryError).code).toBe(RecoveryError.code)
    expect(await contents(target)).toEqual(before)
  }

  it('a recovery copy moved to another version: RecoveryError, nothing written', async () => {
    const swapped = clone(bundle)
    const versions = swapped.keys.find((k) => k.keyId === made.sym)!.versions
    ;[versions[0]!.recovery, versions[1]!.recovery] = [versions[1]!.recovery, versions[0]!.recovery]
    await expectRecoveryError(swapped)
    // Another key's copy in its place.
    const moved = clone(bundle)
    moved.keys.find((k) => k.keyId === made.ext)!.versions[0]!.recovery = moved.keys.find((k) => k.keyId === made.sym)!.versions[0]!.recovery
    await expectRecoveryError(moved)
  })

  it('an edited protected header: RecoveryError, nothing written', async () => {
    const editHeader = (jwe: string, edit: (h: Record<string, unknown>) => void) => {
      const [head, ...rest] = jwe.split('.')
      const header = JSON.parse(text(unb64url(head!))) as Record<string, unknown>
      edit(header)
      return [b64url(bytes(JSON.stringify(header))), ...rest].join('.')
    }
    // A harmless-looking edit still breaks the AES-GCM tag (the header is the additional data).
    const kid = clone(bundle)
    const v = kid.keys.find((k) => k.keyId === made.hmac)!.versions[0]!
    v.recovery = editHeader(v.recovery!, (h) => void (h.kid = 'someone-else'))
    await expectRecoveryError(kid)
    // Swapping two versions' copies and rewriting each header to match its new place.
    const relabelled = clone(bundle)
    const versions = relabelled.keys.find((k) => k.keyId === made.sym)!.versions
    const [a, b] = [versions[0]!, versions[1]!]
    ;[a.recovery, b.recovery] = [editHeader(b.recovery!, (h) => void (h.kmid = a.keyMaterialId)), editHeader(a.recovery!, (h) => void (h.kmid = b.keyMaterialId))]
    await expectRecoveryError(relabelled)
    // A copy of an HMAC key presented as another spec.
    const spec = clone(bundle)
    const hmac = spec.keys.find((k) => k.keyId === made.hmac)!
    hmac.keySpec = 'HMAC_512'
    await expectRecoveryError(spec)
  })

  it('malformed bundles: RecoveryError, nothing written', async () => {
    const cases: ((b: RecoveryBundle) => void)[] = [
      (b) => void ((b as { format: string }).format = 'something-else'),
      (b) => void ((b as { keys: unknown }).keys = null),
      (b) => void (b.keys[0]!.versions[0]!.recovery = 'not.a.jwe'),
      (b) => void (b.keys[0]!.versions[0]!.createdAt = 'yesterday'),
      (b) => void ((b.keys[0] as { rotation?: unknown }).rotation = undefined),
      (b) => void ((b.keys[0]!.versions as unknown[])[0] = null),
      (b) => void ((b.keys as unknown[])[0] = null),
      (b) => void ((b.aliases as unknown[])[0] = null),
      // Records that do not fit together: a key ID that is not its ARN's, an alias or a grant on no key in the bundle.
      (b) => void (b.keys.find((k) => k.keyId === made.ext)!.keyId = '00000000-0000-4000-8000-000000000001'),
      (b) => void (b.aliases[0]!.targetKeyId = '00000000-0000-4000-8000-000000000000'),
      (b) => void (b.grants[0]!.keyId = '00000000-0000-4000-8000-000000000000'),
      // A version listed twice, by number or by material (the copies are bound to their material, not their number).
      (b) => void (b.keys.find((k) => k.keyId === made.sym)!.versions[1]!.version = b.keys.find((k) => k.keyId === made.sym)!.versions[0]!.version),
      (b) => void b.keys.find((k) => k.keyId === made.sym)!.versions.push(clone(b).keys.find((k) => k.keyId === made.sym)!.versions[0]!),
    ]
    for (const tamper of cases) {
      const b = clone(bundle)
      tamper(b)
      await expectRecoveryError(b)
    }
  })

  it('restoring into a store that already holds the keys: RecoveryError, nothing more written', async () => {
    const target = new MemoryKeyStore()
    await restoreRecoveryBundle(clone(bundle), { privateKey: recovery.privateKey, keyStore: target, now: clock.now })
    const after = await contents(target)
    await expectRecoveryError(clone(bundle), target)
    expect(await contents(target)).toEqual(after)
  })
})

describe('keys made before the engine had a recovery key', () => {
  it('are listed as unrecoverable and restore as PendingImport; the others restore', async () => {
    const clock = testClock()
    const store = new MemoryKeyStore()
    const before = createKms({ now: clock.now, keyStore: store })
    const old = (await before.createKey({ Origin: 'EXTERNAL' })).KeyMetadata
    const oldMaterial = random(32)
    const { KeyMaterialId: oldMaterialId } = await importInto(before, old.KeyId, oldMaterial)
    const oldCiphertext = (await before.encrypt({ KeyId: old.KeyId, Plaintext: bytes('old key') })).CiphertextBlob

    const after = createKms({ now: clock.now, keyStore: store, recovery: { publicKey: recovery.publicKey } })
    const fresh = (await after.createKey()).KeyMetadata
    const freshCiphertext = (await after.encrypt({ KeyId: fresh.KeyId, Plaintext: bytes('new key') })).CiphertextBlob
    const bundle = clone(await after.exportRecoveryBundle())
    expect(bundle.unrecoverable).toEqual([{ keyArn: old.Arn, keyMaterialId: oldMaterialId }])

    const target = new MemoryKeyStore()
    const result = await restoreRecoveryBundle(bundle, { privateKey: recovery.privateKey, keyStore: target, now: clock.now })
    expect(result.unrecoverable).toEqual([{ keyArn: old.Arn, keyMaterialId: oldMaterialId }])
    expect(result.restoredVersions).toBe(1)
    const restored = createKms({ now: clock.now, keyStore: target })
    expect((await restored.describeKey({ KeyId: old.KeyId })).KeyMetadata.KeyState).toBe('PendingImport')
    expect((await restored.describeKey({ KeyId: fresh.KeyId })).KeyMetadata.KeyState).toBe('Enabled')
    expect(text((await restored.decrypt({ CiphertextBlob: freshCiphertext })).Plaintext)).toBe('new key')
    // Imported material can be imported again by its owner, and the old ciphertexts come back.
    await importInto(restored, old.KeyId, oldMaterial)
    expect(text((await restored.decrypt({ CiphertextBlob: oldCiphertext })).Plaintext)).toBe('old key')
  })
})

describe('a store whose recovery key was replaced', () => {
  it('its bundle names both keys; a restore with one names the other and writes nothing; with both it restores everything', async () => {
    const clock = testClock()
    const store = new MemoryKeyStore()
    const second = await rsaOaep(3072)
    const kid = async (k: CryptoKey) => rsaThumbprint(await subtle.exportKey('jwk', k))
    const kids = [await kid(recovery.publicKey), await kid(second.publicKey)]

    const first = createKms({ now: clock.now, keyStore: store, recovery: { publicKey: recovery.publicKey } })
    const a = (await first.createKey()).KeyMetadata
    const before = (await first.encrypt({ KeyId: a.KeyId, Plaintext: bytes('sealed to the first key') })).CiphertextBlob
    clock.advanceDays(1)
    const then = createKms({ now: clock.now, keyStore: store, recovery: { publicKey: second.publicKey } })
    await then.rotateKeyOnDemand({ KeyId: a.KeyId }) // a's new material is sealed to the second key
    const after = (await then.encrypt({ KeyId: a.KeyId, Plaintext: bytes('sealed to the second key') })).CiphertextBlob
    const b = (await then.createKey()).KeyMetadata
    const other = (await then.encrypt({ KeyId: b.KeyId, Plaintext: bytes('another key') })).CiphertextBlob

    const bundle = clone(await then.exportRecoveryBundle())
    expect(bundle.sealedTo).toEqual(kids)
    expect(bundle.unrecoverable).toEqual([])
    for (const [only, missing] of [[recovery.privateKey, kids[1]], [second.privateKey, kids[0]]] as const) {
      const target = new MemoryKeyStore()
      const error = await restoreRecoveryBundle(clone(bundle), { privateKey: only, keyStore: target, now: clock.now }).catch((e: unknown) => e)
      expect(error).toBeInstanceOf(RecoveryError)
      expect((error as RecoveryError).message).toContain(`sealed to kid ${missing}`)
      expect(await contents(target)).toEqual(empty)
    }

    const target = new MemoryKeyStore()
    const result = await restoreRecoveryBundle(bundle, { privateKey: [second.privateKey, recovery.privateKey], keyStore: target, now: clock.now })
    expect(result).toMatchObject({ restoredVersions: 3, unrecoverable: [] })
    const restored = createKms({ now: clock.now, keyStore: target })
    expect(text((await restored.decrypt({ CiphertextBlob: before })).Plaintext)).toBe('sealed to the first key')
    expect(text((await restored.decrypt({ CiphertextBlob: after })).Plaintext)).toBe('sealed to the second key')
    expect(text((await restored.decrypt({ CiphertextBlob: other })).Plaintext)).toBe('another key')
  })

  it('an empty list of private keys, or one that is not a private RSA-OAEP key: TypeError', async () => {
    const keyStore = new MemoryKeyStore()
    const bundle = clone(await createKms({ recovery: { publicKey: recovery.publicKey } }).exportRecoveryBundle())
    await expect(restoreRecoveryBundle(bundle, { privateKey: [], keyStore })).rejects.toThrow(TypeError)
    await expect(restoreRecoveryBundle(bundle, { privateKey: [recovery.privateKey, recovery.publicKey], keyStore })).rejects.toThrow(TypeError)
    await expect(restoreRecoveryBundle(bundle, { privateKey: new Array(2) as CryptoKey[], keyStore })).rejects.toThrow(TypeError) // holes are not skipped
  })

  it('a copy whose header names another recovery key than the one it is sealed to does not stop the next copy opening', async () => {
    const second = await rsaOaep(3072)
    const kms = createKms({ recovery: { publicKey: recovery.publicKey } })
    const a = (await kms.createKey()).KeyMetadata
    const b = (await kms.createKey()).KeyMetadata
    const bundle = clone(await kms.exportRecoveryBundle())
    // Whoever can change a bundle re-seals a's copy to the second key, its header still naming the first (kids are not authenticated).
    const forged = bundle.keys.find((k) => k.keyId === bundle.keys[0]!.keyId)!.versions[0]!
    const header = readJweHeader(forged.recovery!)
    forged.recovery = await sealJwe(second.publicKey, header, random(32))
    const result = await restoreRecoveryBundle(bundle, { privateKey: [second.privateKey, recovery.privateKey], keyStore: new MemoryKeyStore() })
    expect(result.keys.sort()).toEqual([a.Arn, b.Arn].sort())
    expect(result.restoredVersions).toBe(2)
  })
})
