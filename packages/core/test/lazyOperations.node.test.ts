/**
 * Lazy rows (operation.ts, operations/index.ts): the rarely used operations' modules are
 * imported on their first call. A lazy row must stand for exactly its module's row, and a
 * module that cannot load (a chunk the network lost) must fail the call as any engine failure
 * does (KMSInternalException, audited), then load on a later call. Node only: it replaces a
 * module with vi.doMock.
 */
import { afterEach, describe, expect, it, vi } from 'vitest'
import { lazyOperation } from '../src/kms/operation.js'
import { operations } from '../src/kms/operations/index.js'
import { allOperations } from '../src/kms/operations/table.js'
import { nativeAesGcm } from '../src/util/nativeCrypto.js'

/** Makes the module at `path` fail to import (a chunk the network lost) until `available` is set; counts the attempts. */
function loseModule(path: string): { available: boolean; imports: number } {
  const state = { available: false, imports: 0 }
  vi.doMock(path, async (importOriginal) => {
    state.imports++
    if (!state.available) throw new TypeError('Failed to fetch dynamically imported module')
    return importOriginal()
  })
  return state
}

describe('lazy rows', () => {
  afterEach(() => {
    vi.doUnmock('../src/kms/operations/grants.js')
    vi.doUnmock('../src/keystore/MemoryKeyStore.js')
    vi.doUnmock('../src/kms/audit/checkpoints.js')
    vi.doUnmock('../src/kms/policy/document.js')
    vi.doUnmock('../src/kms/policy/conditions.js')
    vi.doUnmock('../src/kms/policy/evaluate.js')
    vi.doUnmock('../src/kms/audit/hashes.js')
    vi.doUnmock('../src/kms/crypto/versionMaterial.js')
    vi.doUnmock('../src/kms/crypto/nativeBlobCipher.js')
    vi.doUnmock('../src/kms/operations/rsaEncryption.js')
    vi.doUnmock('../src/kms/dueWork.js')
    vi.doUnmock('../src/kms/operations/keys.js')
    vi.restoreAllMocks()
    vi.resetModules()
  })

  it('each loads its module\'s row, with the name, service and readOnly the table gave it', async () => {
    const lazy = operations.filter((row) => 'load' in row)
    expect(lazy.length).toBeGreaterThan(30)
    for (const [i, row] of operations.entries()) {
      const loaded = 'load' in row ? await row.load() : row
      expect(loaded).toBe(allOperations[i])
      expect([loaded.name, loaded.service, loaded.readOnly]).toEqual([row.name, row.service, row.readOnly])
    }
  })

  it('a row that does not match its module is refused when loaded', async () => {
    const { createGrant } = await import('../src/kms/operations/grants.js')
    await expect(lazyOperation('CreateGrant', async () => createGrant, { readOnly: true }).load()).rejects.toThrow(/does not match/)
    await expect(lazyOperation('CreateGrant', async () => createGrant, { service: 'iam' }).load()).rejects.toThrow(/does not match/)
  })

  it('a failed import is tried again on the next load; a successful one is not repeated', async () => {
    let calls = 0
    const { createGrant } = await import('../src/kms/operations/grants.js')
    const row = lazyOperation('CreateGrant', async () => {
      if (++calls === 1) throw new TypeError('Failed to fetch dynamically imported module')
      return createGrant
    })
    await expect(row.load()).rejects.toThrow(TypeError)
    expect(await row.load()).toBe(createGrant)
    expect(await row.load()).toBe(createGrant)
    expect(calls).toBe(2)
  })

  it('through createKms: a call whose code cannot load is KMSInternalException and audited, and a later call loads it', async () => {
    const lost = loseModule('../src/kms/operations/grants.js')
    // Not through index.ts: it re-exports grants.ts's constants, so it imports grants.ts itself.
    const { createKms } = await import('../src/kms/createKms.js')
    const { KMSInternalException } = await import('../src/kms/errors.js')
    const kms = createKms()
    const { KeyMetadata } = await kms.createKey()
    const grant = { KeyId: KeyMetadata!.KeyId!, GranteePrincipal: 'arn:aws:iam::111122223333:role/app', Operations: ['Decrypt' as const] }
    const error = await kms.createGrant(grant).then(() => undefined, (e: unknown) => e)
    expect(error).toBeInstanceOf(KMSInternalException)
    const { events } = await kms.exportAuditLog()
    const failed = events.at(-1)!
    expect([failed.eventName, failed.errorCode, failed.requestParameters]).toEqual(['CreateGrant', 'KMSInternalException', null])
    lost.available = true
    vi.resetModules()
    const { GrantId } = await kms.createGrant(grant)
    expect(GrantId).toMatch(/^[0-9a-f]{64}$/)
  })

  it("createKms's default store loads on its first transaction: a failed load fails the calls waiting for it, and the next call loads it", async () => {
    const lost = loseModule('../src/keystore/MemoryKeyStore.js')
    const { createKms } = await import('../src/kms/createKms.js')
    const { KMSInternalException } = await import('../src/kms/errors.js')
    const kms = createKms()
    const error = await kms.createKey().then(() => undefined, (e: unknown) => e)
    expect(error).toBeInstanceOf(KMSInternalException)
    expect((error as InstanceType<typeof KMSInternalException>).code).toBe('ERR_KMS_INTERNAL')

    lost.available = true
    vi.resetModules()
    // Issued together before the store has loaded: every one is stored.
    const created = await Promise.all(['a', 'b', 'c'].map((Description) => kms.createKey({ Description })))
    const { Keys } = await kms.listKeys()
    expect(Keys!.map((k) => k.KeyId).sort()).toEqual(created.map((c) => c.KeyMetadata!.KeyId).sort())
    const { KeyMetadata } = created[0]!
    const { CiphertextBlob } = await kms.encrypt({ KeyId: KeyMetadata!.KeyId!, Plaintext: new Uint8Array([1, 2, 3]) })
    expect((await kms.decrypt({ CiphertextBlob })).Plaintext).toEqual(new Uint8Array([1, 2, 3]))
  })

  it('the policy grammar loads with the first policy that is not the default: keys with the default policy never import it, and a failed load is tried again', async () => {
    const grammar = loseModule('../src/kms/policy/document.js')
    const operators = loseModule('../src/kms/policy/conditions.js')
    const { createKms } = await import('../src/kms/createKms.js')
    const { AccessDeniedException, KMSInternalException } = await import('../src/kms/errors.js')
    const kms = createKms()
    const { KeyMetadata } = await kms.createKey()
    const KeyId = KeyMetadata!.KeyId!
    const { CiphertextBlob } = await kms.encrypt({ KeyId, Plaintext: new Uint8Array([7]), EncryptionContext: { app: 'orders' } })
    expect((await kms.decrypt({ CiphertextBlob, EncryptionContext: { app: 'orders' } })).Plaintext).toEqual(new Uint8Array([7]))
    expect([grammar.imports, operators.imports]).toEqual([0, 0])

    // A policy with a Condition block: Encrypt only with the app's context.
    const Policy = JSON.stringify({
      Version: '2012-10-17',
      Statement: [
        { Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::111122223333:root' }, Action: 'kms:*', Resource: '*' },
        { Effect: 'Deny', Principal: '*', Action: 'kms:Encrypt', Resource: '*', Condition: { StringNotEquals: { 'kms:EncryptionContext:app': 'orders' } } },
      ],
    })
    const error = await kms.putKeyPolicy({ KeyId, Policy }).then(() => undefined, (e: unknown) => e)
    expect(error).toBeInstanceOf(KMSInternalException)
    expect((error as InstanceType<typeof KMSInternalException>).code).toBe('ERR_KMS_INTERNAL')
    expect(grammar.imports).toBe(1)
    // Nothing changed: the key still has its default policy, and Encrypt needs no context.
    expect(JSON.parse((await kms.getKeyPolicy({ KeyId })).Policy!).Id).toBe('key-default-1')
    await kms.encrypt({ KeyId, Plaintext: new Uint8Array([1]) })

    grammar.available = true
    operators.available = true
    vi.resetModules()
    await kms.putKeyPolicy({ KeyId, Policy })
    await expect(kms.encrypt({ KeyId, Plaintext: new Uint8Array([1]) })).rejects.toBeInstanceOf(AccessDeniedException)
    await kms.encrypt({ KeyId, Plaintext: new Uint8Array([1]), EncryptionContext: { app: 'orders' } })
  })

  it('key material loads with the first new key: an engine using the keys it has never imports it; a failed load fails CreateKey (audited, nothing stored) and the next one loads it', async () => {
    const first = await import('../src/kms/createKms.js')
    const { MemoryKeyStore } = await import('../src/keystore/MemoryKeyStore.js')
    const store = new MemoryKeyStore()
    const KeyId = (await first.createKms({ keyStore: store }).createKey()).KeyMetadata!.KeyId!
    vi.resetModules()
    const material = loseModule('../src/kms/crypto/versionMaterial.js')
    const { createKms } = await import('../src/kms/createKms.js')
    const { KMSInternalException } = await import('../src/kms/errors.js')
    const kms = createKms({ keyStore: store })
    const { CiphertextBlob } = await kms.encrypt({ KeyId, Plaintext: new Uint8Array([7]) })
    expect((await kms.decrypt({ CiphertextBlob })).Plaintext).toEqual(new Uint8Array([7]))
    expect(material.imports).toBe(0)

    await expect(kms.createKey()).rejects.toBeInstanceOf(KMSInternalException)
    expect(material.imports).toBe(1)
    expect((await kms.listKeys()).Keys).toHaveLength(1)
    material.available = true
    vi.resetModules()
    const second = (await kms.createKey()).KeyMetadata!.KeyId!
    expect(material.imports).toBe(2)
    expect((await kms.listKeys()).Keys).toHaveLength(2)
    await kms.encrypt({ KeyId: second, Plaintext: new Uint8Array([1]) })
    const events = (await kms.exportAuditLog()).events.map((e) => [e.eventName, e.errorCode])
    expect(events).toContainEqual(['CreateKey', 'KMSInternalException'])
  })

  it.skipIf(!nativeAesGcm())('the native blob cipher loads only where the runtime has node:crypto; while it cannot load, blobs use WebCrypto, and a later call loads it', async () => {
    const cipher = loseModule('../src/kms/crypto/nativeBlobCipher.js')
    const { createKms } = await import('../src/kms/createKms.js')
    const kms = createKms()
    const KeyId = (await kms.createKey()).KeyMetadata!.KeyId!
    const roundTrip = async () => {
      const { CiphertextBlob } = await kms.encrypt({ KeyId, Plaintext: new Uint8Array([7]) })
      expect((await kms.decrypt({ CiphertextBlob })).Plaintext).toEqual(new Uint8Array([7]))
    }
    // A runtime without node:crypto (a browser) never imports it.
    const runtime = globalThis.process as { getBuiltinModule?: unknown }
    const getBuiltinModule = runtime.getBuiltinModule
    runtime.getBuiltinModule = undefined
    try {
      await roundTrip()
    } finally {
      runtime.getBuiltinModule = getBuiltinModule
    }
    expect(cipher.imports).toBe(0)
    // With node:crypto but the chunk lost: the calls still work, with WebCrypto's cipher.
    await roundTrip()
    expect(cipher.imports).toBe(2) // once per call: each tried again
    cipher.available = true
    vi.resetModules()
    await roundTrip()
    await roundTrip()
    expect(cipher.imports).toBe(3)
  })

  it('RSA Encrypt and Decrypt load with the first call on an RSA key: symmetric keys never import them; while they cannot load, calls on RSA keys fail (KMSInternalException, audited, no plaintext) and a later one loads them', async () => {
    // An engine that made an RSA key and a ciphertext under it...
    const { MemoryKeyStore } = await import('../src/keystore/MemoryKeyStore.js')
    const keyStore = new MemoryKeyStore()
    const maker = (await import('../src/kms/createKms.js')).createKms({ keyStore })
    const KeyId = (await maker.createKey({ KeySpec: 'RSA_2048', KeyUsage: 'ENCRYPT_DECRYPT' })).KeyMetadata!.KeyId!
    const plaintext = new Uint8Array([1, 2, 3])
    const sealed = (await maker.encrypt({ KeyId, Plaintext: plaintext, EncryptionAlgorithm: 'RSAES_OAEP_SHA_256' })).CiphertextBlob!
    // ...then an engine (a new page) whose chunk for them is lost.
    vi.resetModules()
    const rsa = loseModule('../src/kms/operations/rsaEncryption.js')
    const { createKms } = await import('../src/kms/createKms.js')
    const { KMSInternalException } = await import('../src/kms/errors.js')
    const kms = createKms({ keyStore })
    const symmetric = (await kms.createKey()).KeyMetadata!.KeyId!
    const { CiphertextBlob } = await kms.encrypt({ KeyId: symmetric, Plaintext: new Uint8Array([7]) })
    expect((await kms.decrypt({ CiphertextBlob })).Plaintext).toEqual(new Uint8Array([7]))
    await kms.generateDataKey({ KeyId: symmetric, KeySpec: 'AES_256' })
    expect(rsa.imports).toBe(0)

    const encrypt = { KeyId, Plaintext: plaintext, EncryptionAlgorithm: 'RSAES_OAEP_SHA_256' as const }
    const decrypt = { KeyId, CiphertextBlob: sealed, EncryptionAlgorithm: 'RSAES_OAEP_SHA_256' as const }
    const reEncrypt = { CiphertextBlob: sealed, SourceKeyId: KeyId, SourceEncryptionAlgorithm: 'RSAES_OAEP_SHA_256' as const, DestinationKeyId: symmetric }
    await expect(kms.encrypt(encrypt)).rejects.toBeInstanceOf(KMSInternalException)
    await expect(kms.decrypt(decrypt)).rejects.toBeInstanceOf(KMSInternalException)
    await expect(kms.reEncrypt(reEncrypt)).rejects.toBeInstanceOf(KMSInternalException)
    expect(rsa.imports).toBeGreaterThan(0)

    rsa.available = true
    vi.resetModules()
    expect((await kms.decrypt({ KeyId, CiphertextBlob: (await kms.encrypt(encrypt)).CiphertextBlob!, EncryptionAlgorithm: 'RSAES_OAEP_SHA_256' })).Plaintext).toEqual(plaintext)
    expect((await kms.decrypt(decrypt)).Plaintext).toEqual(plaintext)
    const moved = (await kms.reEncrypt(reEncrypt)).CiphertextBlob!
    expect((await kms.decrypt({ CiphertextBlob: moved })).Plaintext).toEqual(plaintext)
    const events = (await kms.exportAuditLog()).events.map((e) => [e.eventName, e.errorCode ?? null])
    expect(events.filter(([, error]) => error !== null)).toEqual([['Encrypt', 'KMSInternalException'], ['Decrypt', 'KMSInternalException'], ['ReEncrypt', 'KMSInternalException']])
  })

  it('an engine that reopens a store of keys encrypts and decrypts without loading CreateKey and DescribeKey', async () => {
    const { MemoryKeyStore } = await import('../src/keystore/MemoryKeyStore.js')
    const keyStore = new MemoryKeyStore()
    const KeyId = (await (await import('../src/kms/createKms.js')).createKms({ keyStore }).createKey()).KeyMetadata!.KeyId!
    vi.resetModules()
    const keys = loseModule('../src/kms/operations/keys.js')
    const { createKms } = await import('../src/kms/createKms.js')
    const { KMSInternalException } = await import('../src/kms/errors.js')
    const kms = createKms({ keyStore })
    const { CiphertextBlob } = await kms.encrypt({ KeyId, Plaintext: new Uint8Array([7]), EncryptionContext: { app: 'orders' } })
    expect((await kms.decrypt({ CiphertextBlob, EncryptionContext: { app: 'orders' } })).Plaintext).toEqual(new Uint8Array([7]))
    await kms.generateDataKey({ KeyId, NumberOfBytes: 32 })
    expect(keys.imports).toBe(0)
    await expect(kms.describeKey({ KeyId })).rejects.toBeInstanceOf(KMSInternalException)
    keys.available = true
    vi.resetModules()
    expect((await kms.describeKey({ KeyId })).KeyMetadata!.KeyId).toBe(KeyId)
  })

  it('explain loads only the row it is asked about; while that row cannot load, explain fails as KMSInternalException, and a later call loads it', async () => {
    const grants = loseModule('../src/kms/operations/grants.js')
    const { createKms } = await import('../src/kms/createKms.js')
    const { KMSInternalException } = await import('../src/kms/errors.js')
    const kms = createKms()
    const KeyId = (await kms.createKey()).KeyMetadata!.KeyId!
    expect(await kms.explain({ operation: 'ListKeys' })).toMatchObject({ decision: 'Allow' })
    expect(await kms.explain({ operation: 'Decrypt', keyId: KeyId })).toMatchObject({ decision: 'Allow' })
    expect(grants.imports).toBe(0)
    await expect(kms.explain({ operation: 'CreateGrant', keyId: KeyId })).rejects.toBeInstanceOf(KMSInternalException)
    grants.available = true
    vi.resetModules()
    expect(await kms.explain({ operation: 'CreateGrant', keyId: KeyId })).toMatchObject({ decision: 'Allow', action: 'kms:CreateGrant' })
  })

  it('what the clock made due (a deletion, a rotation) is applied by code loaded the first time a call finds some; a failed load fails that call and changes nothing, and the next call applies it', async () => {
    const due = loseModule('../src/kms/dueWork.js')
    const { createKms } = await import('../src/kms/createKms.js')
    const { KMSInternalException, NotFoundException } = await import('../src/kms/errors.js')
    const { MemoryKeyStore } = await import('../src/keystore/MemoryKeyStore.js')
    const keyStore = new MemoryKeyStore()
    let now = new Date('2026-01-01T00:00:00Z')
    const kms = createKms({ keyStore, now: () => now })
    const leaving = (await kms.createKey()).KeyMetadata!.KeyId!
    const rotating = (await kms.createKey()).KeyMetadata!.KeyId!
    await kms.enableKeyRotation({ KeyId: rotating, RotationPeriodInDays: 90 })
    await kms.scheduleKeyDeletion({ KeyId: leaving, PendingWindowInDays: 7 })
    await kms.encrypt({ KeyId: rotating, Plaintext: new Uint8Array([7]) })
    await kms.listKeys()
    expect(due.imports).toBe(0)

    now = new Date('2026-04-02T00:00:00Z') // past the deletion date and the rotation date
    await expect(kms.describeKey({ KeyId: leaving })).rejects.toBeInstanceOf(KMSInternalException)
    await expect(kms.encrypt({ KeyId: rotating, Plaintext: new Uint8Array([7]) })).rejects.toBeInstanceOf(KMSInternalException)
    // Outside the call path too: explain finds the key as a call would.
    await expect(kms.explain({ operation: 'Encrypt', keyId: rotating })).rejects.toBeInstanceOf(KMSInternalException)
    expect(due.imports).toBe(3)
    const stored = await keyStore.transaction('readonly', async (tx) => [await tx.getKey(leaving), await tx.getKey(rotating)])
    expect(stored.map((k) => [k?.keyState, k?.versions.length])).toEqual([['PendingDeletion', 1], ['Enabled', 1]])

    due.available = true
    vi.resetModules()
    await expect(kms.describeKey({ KeyId: leaving })).rejects.toBeInstanceOf(NotFoundException)
    const { KeyId } = await kms.encrypt({ KeyId: rotating, Plaintext: new Uint8Array([7]) })
    expect(KeyId).toContain(rotating)
    const { Rotations } = await kms.listKeyRotations({ KeyId: rotating })
    expect(Rotations!.map((r) => r.RotationType)).toEqual(['AUTOMATIC'])
    const service = (await kms.exportAuditLog()).events.filter((e) => e.eventType === 'AwsServiceEvent').map((e) => e.eventName)
    expect(service.sort()).toEqual(['DeleteKey', 'RotateKey'])
  })

  it('the policy evaluator loads with the first decision the default policy\'s root statement does not make, and a failed load is tried again', async () => {
    const evaluator = loseModule('../src/kms/policy/evaluate.js')
    const { createKms } = await import('../src/kms/createKms.js')
    const { AccessDeniedException, KMSInternalException } = await import('../src/kms/errors.js')
    const kms = createKms()
    const KeyId = (await kms.createKey()).KeyMetadata!.KeyId!
    // The root on keys with the default policy: decided without the evaluator.
    const { CiphertextBlob } = await kms.encrypt({ KeyId, Plaintext: new Uint8Array([7]) })
    await kms.decrypt({ CiphertextBlob })
    await kms.describeKey({ KeyId })
    expect(evaluator.imports).toBe(0)

    // Another principal: IAM decides through the root statement, so the evaluator is needed.
    const alice = kms.as({ principal: 'arn:aws:iam::111122223333:user/alice' })
    const error = await alice.encrypt({ KeyId, Plaintext: new Uint8Array([1]) }).then(() => undefined, (e: unknown) => e)
    expect(error).toBeInstanceOf(KMSInternalException)
    expect(evaluator.imports).toBe(1)
    evaluator.available = true
    vi.resetModules()
    await expect(alice.encrypt({ KeyId, Plaintext: new Uint8Array([1]) })).rejects.toBeInstanceOf(AccessDeniedException)
  })

  it("the audit chain's JavaScript SHA-256 loads only where the runtime has no native one, before the first append; a failed load changes nothing and is tried again", async () => {
    const hashes = loseModule('../src/kms/audit/hashes.js')
    const { createKms } = await import('../src/kms/createKms.js')
    const { KMSInternalException } = await import('../src/kms/errors.js')
    const { MemoryKeyStore } = await import('../src/keystore/MemoryKeyStore.js')
    // Node: node:crypto hashes the chain, and the module is never imported.
    const kms = createKms()
    await kms.createKey()
    await kms.generateRandom({ NumberOfBytes: 8 })
    expect(hashes.imports).toBe(0)

    // A runtime without node:crypto (a browser): the first call needs the module.
    vi.spyOn(process, 'getBuiltinModule').mockReturnValue(undefined as never)
    const keyStore = new MemoryKeyStore()
    const browserLike = createKms({ keyStore })
    await expect(browserLike.createKey()).rejects.toBeInstanceOf(KMSInternalException)
    expect(hashes.imports).toBeGreaterThan(0)
    expect(await keyStore.transaction('readonly', (tx) => tx.listKeys())).toEqual([])
    hashes.available = true
    vi.resetModules()
    const KeyId = (await browserLike.createKey()).KeyMetadata!.KeyId!
    await browserLike.encrypt({ KeyId, Plaintext: new Uint8Array([1]) })
    vi.restoreAllMocks()
    const { verifyAuditLog } = await import('../src/kms/audit/verify.js')
    const log = await browserLike.exportAuditLog()
    const pinned = (await browserLike.getAuditPublicKeys()).Keys.map((k) => k.Fingerprint)
    expect((await verifyAuditLog(log, { trustedKeys: pinned })).valid).toBe(true)
  })

  it("the audit trail's checkpoints load when first needed: calls between checkpoints never import them, and a failed load is tried again", async () => {
    const lost = loseModule('../src/kms/audit/checkpoints.js')
    const { createKms } = await import('../src/kms/createKms.js')
    const { KMSInternalException } = await import('../src/kms/errors.js')
    const kms = createKms()
    // Fewer events than a checkpoint interval, within one period: no checkpoint is due.
    const { KeyMetadata } = await kms.createKey()
    const { CiphertextBlob } = await kms.encrypt({ KeyId: KeyMetadata!.KeyId!, Plaintext: new Uint8Array([7]) })
    expect((await kms.decrypt({ CiphertextBlob })).Plaintext).toEqual(new Uint8Array([7]))
    expect(lost.imports).toBe(0)

    // An export signs a checkpoint: it needs them, and fails as an engine failure does.
    const error = await kms.exportAuditLog().then(() => undefined, (e: unknown) => e)
    expect(error).toBeInstanceOf(KMSInternalException)
    expect((error as InstanceType<typeof KMSInternalException>).code).toBe('ERR_KMS_INTERNAL')
    expect(lost.imports).toBe(1)

    lost.available = true
    vi.resetModules()
    const { events, checkpoints } = await kms.exportAuditLog()
    expect(events.map((e) => e.eventName)).toEqual(['CreateKey', 'Encrypt', 'Decrypt', 'ExportAuditLog'])
    expect(events.at(-1)!.errorCode).toBe('KMSInternalException')
    expect(checkpoints.at(-1)!.sequence).toBe(4)
  })
})
