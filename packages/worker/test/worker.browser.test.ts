/**
 * The real thing in Chromium: a dedicated module Worker running the engine over IndexedDB.
 */
import { AccessDeniedException, NotFoundException } from '@webkms/core'
import { describe, expect, it } from 'vitest'
import { aeskwp } from '@noble/ciphers/aes.js'
import { p256 } from '@noble/curves/nist.js'
import { createWorkerKms, type WorkerKms } from '../src/index.js'

/** KMS returns ECDSA signatures in DER; WebCrypto verifies IEEE P1363. */
const derToP1363 = (der: Uint8Array) => p256.Signature.fromBytes(der, 'der').toBytes('compact') as Uint8Array<ArrayBuffer>

const start = (name: string): Promise<WorkerKms> =>
  createWorkerKms({ worker: new Worker(new URL('./fixtures/kms.worker.ts', import.meta.url), { type: 'module' }), name })

let n = 0
const freshName = () => `webkms-worker-test-${Date.now()}-${++n}`

/** Every CryptoKey in every IndexedDB database of this origin, found by walking them all. */
async function allStoredCryptoKeys(): Promise<CryptoKey[]> {
  const found: CryptoKey[] = []
  const walk = (v: unknown, depth = 0): void => {
    if (v instanceof CryptoKey) found.push(v)
    else if (v && typeof v === 'object' && depth < 8) for (const x of Object.values(v)) walk(x, depth + 1)
  }
  for (const { name } of await indexedDB.databases()) {
    const db = await new Promise<IDBDatabase>((resolve, reject) => {
      const r = indexedDB.open(name!)
      r.onsuccess = () => resolve(r.result)
      r.onerror = () => reject(r.error)
    })
    for (const storeName of db.objectStoreNames) {
      const all = await new Promise<unknown[]>((resolve, reject) => {
        const r = db.transaction(storeName).objectStore(storeName).getAll()
        r.onsuccess = () => resolve(r.result)
        r.onerror = () => reject(r.error)
      })
      walk(all)
    }
    db.close()
  }
  return found
}

describe('the webkms worker in Chromium', () => {
  it('keys made in one worker are there for the next, and every stored CryptoKey is non-extractable', async () => {
    const name = freshName()
    const first = await start(name)
    const { KeyMetadata } = await first.createKey({ Description: 'survives' })
    const { CiphertextBlob } = await first.encrypt({ KeyId: KeyMetadata.KeyId, Plaintext: new TextEncoder().encode('same bytes') })
    first.terminate()

    const second = await start(name)
    expect((await second.describeKey({ KeyId: KeyMetadata.KeyId })).KeyMetadata.Description).toBe('survives')
    expect(new TextDecoder().decode((await second.decrypt({ CiphertextBlob })).Plaintext)).toBe('same bytes')
    second.terminate()

    const keys = await allStoredCryptoKeys()
    expect(keys.length).toBeGreaterThan(0)
    for (const key of keys) {
      expect(key.extractable).toBe(false)
      await expect(crypto.subtle.exportKey('raw', key)).rejects.toThrow()
    }
  })

  it('errors keep their class and code', async () => {
    const kms = await start(freshName())
    const error = await kms.describeKey({ KeyId: '00000000-0000-4000-8000-000000000000' }).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(NotFoundException)
    expect((error as NotFoundException).code).toBe('ERR_KMS_NOT_FOUND')
    kms.terminate()
  })

  it('kms.as(caller) across a real worker: refused, allowed by an identity policy, audited as the caller; explain and grants', async () => {
    const ALICE = 'arn:aws:iam::111122223333:user/alice'
    const BOB = 'arn:aws:iam::111122223333:user/bob'
    const kms = await start(freshName())
    const { KeyMetadata } = await kms.createKey()
    const alice = kms.as({ principal: ALICE })
    const Plaintext = new Uint8Array([7])
    const denied = await alice.encrypt({ KeyId: KeyMetadata.KeyId, Plaintext }).catch((e: unknown) => e)
    expect(denied).toBeInstanceOf(AccessDeniedException)
    expect((denied as AccessDeniedException).code).toBe('ERR_KMS_ACCESS_DENIED')
    expect(await alice.explain({ operation: 'Encrypt', keyId: KeyMetadata.KeyId })).toMatchObject({ decision: 'ImplicitDeny', principal: ALICE })

    await kms.putIdentityPolicy({ Principal: ALICE, PolicyName: 'all-kms', PolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: { Effect: 'Allow', Action: 'kms:*', Resource: '*' } }) })
    expect((await alice.explain({ operation: 'Encrypt', keyId: KeyMetadata.KeyId })).decidedBy).toMatchObject({ source: 'identity policy', name: 'all-kms' })
    const { CiphertextBlob } = await alice.encrypt({ KeyId: KeyMetadata.KeyId, Plaintext })
    await expect(kms.as({ principal: ALICE }).as({ principal: BOB }).decrypt({ CiphertextBlob })).rejects.toBeInstanceOf(AccessDeniedException)

    const { GrantId } = await kms.createGrant({ KeyId: KeyMetadata.KeyId, GranteePrincipal: BOB, Operations: ['Decrypt'] })
    expect((await kms.listGrants({ KeyId: KeyMetadata.KeyId })).Grants.map((g) => g.GrantId)).toEqual([GrantId])
    expect((await kms.as({ principal: ALICE }).as({ principal: BOB }).decrypt({ CiphertextBlob })).Plaintext).toEqual(Plaintext)

    const { events } = await kms.exportAuditLog()
    expect(events.map((e) => [e.eventName, (e.userIdentity as { arn?: string }).arn, e.errorCode ?? 'ok'])).toEqual([
      ['CreateKey', 'arn:aws:iam::111122223333:root', 'ok'],
      ['Encrypt', ALICE, 'AccessDeniedException'],
      ['PutIdentityPolicy', 'arn:aws:iam::111122223333:root', 'ok'],
      ['Encrypt', ALICE, 'ok'],
      ['Decrypt', BOB, 'AccessDeniedException'],
      ['CreateGrant', 'arn:aws:iam::111122223333:root', 'ok'],
      ['ListGrants', 'arn:aws:iam::111122223333:root', 'ok'],
      ['Decrypt', BOB, 'ok'],
    ])
    expect(() => kms.as({ principal: 'bob' })).toThrow(/"caller.principal" expected an IAM ARN/)
    kms.terminate()
  })

  it('a worker terminated mid-operation leaves the store consistent: every key there works', async () => {
    const name = freshName()
    const kms = await start(name)
    const { KeyMetadata } = await kms.createKey()
    const pending: Promise<unknown>[] = []
    for (let i = 0; i < 40; i++) {
      pending.push(kms.createKey({ Description: `k${i}` }).catch(() => undefined))
      pending.push(kms.rotateKeyOnDemand({ KeyId: KeyMetadata.KeyId }).catch(() => undefined))
      pending.push(kms.tagResource({ KeyId: KeyMetadata.KeyId, Tags: [{ TagKey: `t${i}`, TagValue: 'v' }] }).catch(() => undefined))
    }
    await new Promise((r) => setTimeout(r, 15))
    kms.terminate()

    const after = await start(name)
    const { Keys } = await after.listKeys({ Limit: 1000 })
    expect(Keys.length).toBeGreaterThanOrEqual(1)
    for (const { KeyId } of Keys) {
      const { CiphertextBlob } = await after.encrypt({ KeyId, Plaintext: new Uint8Array([1, 2, 3]) })
      expect((await after.decrypt({ CiphertextBlob })).Plaintext).toEqual(new Uint8Array([1, 2, 3]))
    }
    const rotations = (await after.listKeyRotations({ KeyId: KeyMetadata.KeyId, Limit: 1000 })).Rotations
    expect(rotations.length).toBeLessThanOrEqual(25)
    const current = (await after.describeKey({ KeyId: KeyMetadata.KeyId })).KeyMetadata.CurrentKeyMaterialId
    expect(rotations.length === 0 || rotations.at(-1)!.KeyMaterialId === current).toBe(true)
    after.terminate()
  })

  it('bring your own key, sign, lose the database, restore from the recovery bundle: old signatures and ciphertexts work again', async () => {
    const name = freshName()
    const recovery = (await crypto.subtle.generateKey({ name: 'RSA-OAEP', hash: 'SHA-256', modulusLength: 3072, publicExponent: new Uint8Array([1, 0, 1]) }, false, ['encrypt', 'decrypt'])) as CryptoKeyPair
    const kms = await createWorkerKms({ worker: new Worker(new URL('./fixtures/kms.worker.ts', import.meta.url), { type: 'module' }), name, recovery: { publicKey: recovery.publicKey } })

    // BYOK: an ECDSA key pair made here, wrapped with RSA_AES_KEY_WRAP_SHA_256 and imported.
    const { KeyMetadata: signer } = await kms.createKey({ Origin: 'EXTERNAL', KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY' })
    expect(signer.KeyState).toBe('PendingImport')
    const own = (await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, ['sign', 'verify'])) as CryptoKeyPair
    const pkcs8 = new Uint8Array(await crypto.subtle.exportKey('pkcs8', own.privateKey))
    const params = await kms.getParametersForImport({ KeyId: signer.KeyId, WrappingAlgorithm: 'RSA_AES_KEY_WRAP_SHA_256', WrappingKeySpec: 'RSA_2048' })
    const wrappingKey = await crypto.subtle.importKey('spki', params.PublicKey as Uint8Array<ArrayBuffer>, { name: 'RSA-OAEP', hash: 'SHA-256' }, false, ['encrypt'])
    const ephemeral = crypto.getRandomValues(new Uint8Array(32))
    const wrapped = new Uint8Array([...new Uint8Array(await crypto.subtle.encrypt({ name: 'RSA-OAEP' }, wrappingKey, ephemeral)), ...aeskwp(ephemeral).encrypt(pkcs8)])
    await kms.importKeyMaterial({ KeyId: signer.KeyId, ImportToken: params.ImportToken, EncryptedKeyMaterial: wrapped, ExpirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE' })
    const message = new TextEncoder().encode('signed before the store was lost')
    const { Signature } = await kms.sign({ KeyId: signer.KeyId, Message: message, SigningAlgorithm: 'ECDSA_SHA_256' })
    // The signature is the imported key's: the page's own public key verifies it (DER -> P1363).
    expect(await crypto.subtle.verify({ name: 'ECDSA', hash: 'SHA-256' }, own.publicKey, derToP1363(Signature), message)).toBe(true)

    const { KeyMetadata: vault } = await kms.createKey({ Description: 'made by the engine' })
    await kms.createAlias({ AliasName: 'alias/vault', TargetKeyId: vault.KeyId })
    await kms.rotateKeyOnDemand({ KeyId: vault.KeyId })
    const { CiphertextBlob } = await kms.encrypt({ KeyId: 'alias/vault', Plaintext: new TextEncoder().encode('kept'), EncryptionContext: { app: 'demo' } })
    const bundleJson = JSON.stringify(await kms.exportRecoveryBundle())
    expect(bundleJson).not.toContain(btoa(String.fromCharCode(...pkcs8)).slice(0, 40))
    kms.terminate()

    // The browser loses the store (site data cleared, or evicted).
    await new Promise<void>((resolve, reject) => {
      const r = indexedDB.deleteDatabase(name)
      r.onsuccess = () => resolve()
      r.onerror = () => reject(r.error)
    })
    const fresh = await start(name)
    expect((await fresh.listKeys()).Keys).toEqual([])
    await expect(fresh.decrypt({ CiphertextBlob, EncryptionContext: { app: 'demo' } })).rejects.toMatchObject({ name: 'InvalidCiphertextException' })

    const restored = await fresh.restoreRecoveryBundle(JSON.parse(bundleJson), recovery.privateKey)
    expect(restored.keys.sort()).toEqual([signer.Arn, vault.Arn].sort())
    expect(restored.unrecoverable).toEqual([])
    expect((await fresh.verify({ KeyId: signer.KeyId, Message: message, Signature, SigningAlgorithm: 'ECDSA_SHA_256' })).SignatureValid).toBe(true)
    const again = await fresh.sign({ KeyId: signer.KeyId, Message: message, SigningAlgorithm: 'ECDSA_SHA_256' })
    expect(await crypto.subtle.verify({ name: 'ECDSA', hash: 'SHA-256' }, own.publicKey, derToP1363(again.Signature), message)).toBe(true)
    expect(new TextDecoder().decode((await fresh.decrypt({ CiphertextBlob, EncryptionContext: { app: 'demo' } })).Plaintext)).toBe('kept')
    expect((await fresh.describeKey({ KeyId: 'alias/vault' })).KeyMetadata.KeyId).toBe(vault.KeyId)
    // A second restore into the same store (its keys as a list, as after a recovery key was
    // replaced: they cross to the worker too) is refused, with its class across the worker boundary.
    await expect(fresh.restoreRecoveryBundle(JSON.parse(bundleJson), [recovery.privateKey])).rejects.toMatchObject({ name: 'RecoveryError', code: 'ERR_WEBKMS_RECOVERY' })
    fresh.terminate()
    for (const key of await allStoredCryptoKeys()) expect(key.extractable).toBe(false)
  })
})
