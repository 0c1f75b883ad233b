/**
 * The worker protocol tested in one realm over a MessageChannel (as comlink tests its own RPC)
 * before any real Worker: same method shapes as the engine, error classes and codes intact,
 * the envelope methods, streams, progress.
 */
import {
  AccessDeniedException,
  DecryptionError,
  DisabledException,
  InsecureContextError,
  KeyringError,
  KmsKeyring,
  verifyAuditLog,
  MemoryKeyStore,
  NotFoundException,
  ValidationException,
  buildClient,
} from '@webkms/core'
import { WEBKMS_ENGINE } from '@webkms/core/internal'
import { expose } from 'comlink'
import { describe, expect, it, vi } from 'vitest'
import { createWorkerApi, createWorkerKms, registerErrorTransfer, type WorkerKms } from '../src/index.js'

registerErrorTransfer()

async function connect(init: { movableClock?: boolean } = {}): Promise<WorkerKms> {
  const { port1, port2 } = new MessageChannel()
  expose(createWorkerApi({ openStore: async () => new MemoryKeyStore() }), port1)
  return createWorkerKms({ worker: port2, ...init })
}

const text = (b: Uint8Array) => new TextDecoder().decode(b)

describe('the worker client over a MessageChannel', () => {
  it('starts without waiting on a persistence prompt the user has not answered (Firefox asks)', async () => {
    let asked = 0
    vi.stubGlobal('navigator', { storage: { persist: () => (asked++, new Promise<boolean>(() => undefined)) } })
    try {
      const kms = await connect()
      expect(asked).toBe(1)
      expect((await kms.createKey()).KeyMetadata.Enabled).toBe(true)
    } finally {
      vi.unstubAllGlobals()
    }
  })

  it('one worker, one engine: clients with the same options share it, at once or later; other options are refused', async () => {
    const { port1, port2 } = new MessageChannel()
    let opened = 0
    expose(
      createWorkerApi({
        openStore: async () => {
          if (++opened === 1) throw new Error('the first open fails')
          return new MemoryKeyStore()
        },
      }),
      port1,
    )
    const pair = await crypto.subtle.generateKey({ name: 'RSA-OAEP', modulusLength: 3072, publicExponent: new Uint8Array([1, 0, 1]), hash: 'SHA-256' }, true, ['encrypt', 'decrypt'])
    const options = { worker: port2, name: 'one', recovery: { publicKey: pair.publicKey } }
    await expect(createWorkerKms(options)).rejects.toThrow('the first open fails')
    // Tried again, by two clients at once: one store, one engine.
    const [a, b] = await Promise.all([createWorkerKms(options), createWorkerKms(options)])
    expect(opened).toBe(2)
    const { KeyMetadata } = await a.createKey()
    expect((await b.describeKey({ KeyId: KeyMetadata.KeyId })).KeyMetadata.Arn).toBe(KeyMetadata.Arn)
    expect((await createWorkerKms(options)).store).toEqual(a.store)
    // Another database, no recovery key, or another one: refused, never an engine that ignores them.
    const jwk = await crypto.subtle.exportKey('jwk', pair.publicKey)
    const otherKey = { ...jwk, n: `${jwk.n!.slice(0, -2)}AA` }
    for (const [other, named] of [
      [{ ...options, name: 'two' }, 'name'],
      [{ worker: port2, name: 'one' }, 'recovery'],
      [{ ...options, recovery: { publicKey: otherKey } }, 'recovery'],
    ] as const) {
      const error = await createWorkerKms(other).catch((e: unknown) => e)
      expect(error).toBeInstanceOf(TypeError)
      expect((error as Error).message).toBe(`this worker's engine was made with other options (${named}): start another Worker for another engine`)
    }
    // The same key as a JWK is the same option.
    expect((await createWorkerKms({ ...options, recovery: { publicKey: jwk } })).store).toEqual(a.store)
    expect(opened).toBe(2)
  })

  it('has the engine\'s method shapes: client.encrypt is KMS Encrypt', async () => {
    const kms = await connect()
    const { KeyMetadata } = await kms.createKey({ Description: 'rpc' })
    expect(KeyMetadata.CreationDate).toBeInstanceOf(Date)
    const { CiphertextBlob, KeyId } = await kms.encrypt({ KeyId: KeyMetadata.KeyId, Plaintext: new TextEncoder().encode('hi') })
    expect(KeyId).toBe(KeyMetadata.Arn)
    expect(text((await kms.decrypt({ CiphertextBlob })).Plaintext)).toBe('hi')
    expect(kms.store).toMatchObject({ schemaVersion: 4 })
    const { Keys } = await kms.getAuditPublicKeys()
    const log = await kms.exportAuditLog()
    expect(log.events.map((e) => e.eventName)).toEqual(['CreateKey', 'Encrypt', 'Decrypt', 'GetAuditPublicKeys'])
    expect((await verifyAuditLog(log, { trustedKeys: Keys.map((k) => k.Fingerprint) })).valid).toBe(true)
  })

  it('a movable clock (opt-in) moves the engine\'s time: a rotation falls due; without the option the clock stays put', async () => {
    const kms = await connect({ movableClock: true })
    const { KeyMetadata } = await kms.createKey()
    await kms.enableKeyRotation({ KeyId: KeyMetadata.KeyId, RotationPeriodInDays: 90 })
    const before = await kms.clockNow()
    const after = await kms.advanceClock(91 * 86_400_000)
    expect(after.getTime() - before.getTime()).toBeGreaterThanOrEqual(91 * 86_400_000)
    const { Rotations } = await kms.listKeyRotations({ KeyId: KeyMetadata.KeyId })
    expect(Rotations.map((r) => r.RotationType)).toEqual(['AUTOMATIC'])
    await expect(kms.advanceClock(-1)).rejects.toBeInstanceOf(RangeError)
    // Past the year 9000: refused, and the clock stays usable.
    await expect(kms.advanceClock(1e17)).rejects.toBeInstanceOf(RangeError)
    await kms.describeKey({ KeyId: KeyMetadata.KeyId })
    const fixed = await connect()
    await expect(fixed.advanceClock(1000)).rejects.toThrow(/not movable/)
    // verifyAuditLog runs in the worker too.
    const { Keys } = await kms.getAuditPublicKeys()
    expect((await kms.verifyAuditLog(await kms.exportAuditLog(), { trustedKeys: Keys.map((k) => k.Fingerprint) })).valid).toBe(true)
  })

  it('a NotFoundException thrown in the worker arrives as a NotFoundException with its code', async () => {
    const kms = await connect()
    const error = await kms.describeKey({ KeyId: 'alias/missing' }).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(NotFoundException)
    expect((error as NotFoundException).name).toBe('NotFoundException')
    expect((error as NotFoundException).code).toBe('ERR_KMS_NOT_FOUND')
    const validation = await kms.generateRandom({ NumberOfBytes: 5000 }).catch((e: unknown) => e)
    expect(validation).toBeInstanceOf(ValidationException)
  })

  it('envelope messages are made and opened in the worker; failures stay one DecryptionError', async () => {
    const kms = await connect()
    const { KeyMetadata } = await kms.createKey()
    const { result, messageHeader } = await kms.encryptMessage('envelope', { keyId: KeyMetadata.KeyId, encryptionContext: { a: 'b' } })
    expect(messageHeader.encryptedDataKeys[0]).toMatchObject({ providerId: 'webkms', providerInfo: KeyMetadata.Arn })
    expect(text((await kms.decryptMessage(result)).plaintext)).toBe('envelope')
    expect(text((await kms.decryptMessage(result, { keyIds: [KeyMetadata.Arn] })).plaintext)).toBe('envelope')
    const bad = result.slice()
    bad[bad.length - 1]! ^= 1
    const error = await kms.decryptMessage(bad).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(DecryptionError)
    expect((error as DecryptionError).code).toBe('ERR_ENVELOPE_DECRYPTION_FAILED')
    expect((error as DecryptionError).cause).toBeUndefined() // a failed check of the message tells nothing, here too
    // The KMS's refusal is the caller's to see: it crosses as the cause, classes and all.
    await kms.disableKey({ KeyId: KeyMetadata.KeyId })
    const refused = (await kms.decryptMessage(result).catch((e: unknown) => e)) as DecryptionError
    expect(refused).toBeInstanceOf(DecryptionError)
    expect(refused.cause).toBeInstanceOf(KeyringError)
    // Down the causes (the worker's multi-keyring, its KMS keyring, the KMS's errors): the KMS's own.
    const found: Error[] = []
    const walk = (e: unknown): void => {
      if (!(e instanceof Error)) return
      found.push(e)
      walk(e.cause)
      if (e instanceof AggregateError) e.errors.forEach(walk)
    }
    walk(refused)
    expect(found.some((e) => e instanceof AggregateError)).toBe(true)
    expect(found.filter((e) => e instanceof DisabledException)).toHaveLength(1)
  })

  it('messages in pieces cross the boundary, their buffers moved; the pieces joined are the same message', async () => {
    const kms = await connect()
    const { KeyMetadata } = await kms.createKey()
    const plaintext = new Uint8Array(50_000).map((_, i) => (i * 7) & 0xff)
    const progress: number[] = []
    const sealed = await kms.encryptMessageToChunks(plaintext, { keyId: KeyMetadata.KeyId, frameLength: 10_000, encryptionContext: { a: 'b' }, onProgress: (d) => progress.push(d) })
    // head, 5 frames as (fields, sealed bytes in one piece or, from node:crypto, two), the default suite's footer
    expect(sealed.chunks.length).toBeGreaterThanOrEqual(1 + 2 * 5 + 1)
    expect(sealed.chunks.every((c) => c.byteLength > 0)).toBe(true)
    expect(Math.max(...progress)).toBe(50_000) // every report has run when the call resolves
    const message = new Uint8Array(await new Blob(sealed.chunks).arrayBuffer())
    expect(message.byteLength).toBe(sealed.byteLength)
    expect(sealed.messageHeader.encryptionContext.a).toBe('b')
    const reports: number[] = []
    expect((await kms.decryptMessage(message, { onProgress: (d) => reports.push(d) })).plaintext).toEqual(plaintext)
    expect(Math.max(...reports)).toBe(50_000)

    const opened = await kms.decryptMessageToChunks(message, { encryptionContext: { a: 'b' } })
    expect(opened.chunks).toHaveLength(5)
    expect(opened.byteLength).toBe(50_000)
    expect(new Uint8Array(await new Blob(opened.chunks).arrayBuffer())).toEqual(plaintext)
    expect(text(new Uint8Array(await new Blob((await kms.decryptMessageToChunks((await kms.encryptMessage('hi', { keyId: KeyMetadata.KeyId })).result)).chunks).arrayBuffer()))).toBe('hi')

    const bad = message.slice()
    bad[bad.length - 1]! ^= 1
    const error = await kms.decryptMessageToChunks(bad).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(DecryptionError)
    expect((error as DecryptionError).code).toBe('ERR_ENVELOPE_DECRYPTION_FAILED')
  })

  it('streams cross the boundary, with progress and the header', async () => {
    const kms = await connect()
    const { KeyMetadata } = await kms.createKey()
    const plaintext = new Uint8Array(100_000).map((_, i) => i & 0xff)
    const progress: number[] = []
    const enc = await kms.encryptMessageStream({ keyId: KeyMetadata.KeyId, frameLength: 10_000, onProgress: (d) => progress.push(d) })
    const encrypted = new Uint8Array(await new Response(new Blob([plaintext]).stream().pipeThrough(enc)).arrayBuffer())
    expect((await enc.messageHeader).frameLength).toBe(10_000)
    expect(progress.at(-1)).toBe(100_000)
    const dec = await kms.decryptMessageStream()
    const decrypted = new Uint8Array(await new Response(new Blob([encrypted]).stream().pipeThrough(dec)).arrayBuffer())
    expect(decrypted).toEqual(plaintext)
  })

  it('a stream failing in the message body arrives as a DecryptionError with its code', async () => {
    const kms = await connect()
    const { KeyMetadata } = await kms.createKey()
    const enc = await kms.encryptMessageStream({ keyId: KeyMetadata.KeyId, frameLength: 1024 })
    const encrypted = new Uint8Array(await new Response(new Blob([new Uint8Array(10_000)]).stream().pipeThrough(enc)).arrayBuffer())
    encrypted[encrypted.length - 200]! ^= 1 // a byte of the last frames: the header is fine, the body is not
    const dec = await kms.decryptMessageStream()
    // The readable fails with the class and code (read directly: a Response over a failed stream
    // reports its own TypeError), and so does the writable if it fails.
    const piped = new Blob([encrypted]).stream().pipeTo(dec.writable).then(() => undefined, (e: unknown) => e)
    const reader = dec.readable.getReader()
    let error: unknown
    try {
      while (!(await reader.read()).done);
    } catch (e) {
      error = e
    }
    const pipeError = await piped
    // The writable may already have taken every byte when the frame fails; if it fails, it says so the same way.
    for (const e of pipeError === undefined ? [error] : [error, pipeError]) {
      expect(e).toBeInstanceOf(DecryptionError)
      expect((e as DecryptionError).code).toBe('ERR_ENVELOPE_DECRYPTION_FAILED')
    }
  })

  // In Chromium a transferred writable errors when the worker's stream fails; Node's does not tell the page.
  it.runIf(typeof document !== 'undefined')('in a browser, a stream failing on its input (a changed header) fails the writable with the class and code', async () => {
    const kms = await connect()
    const { KeyMetadata } = await kms.createKey()
    const { result } = await kms.encryptMessage(new Uint8Array(100), { keyId: KeyMetadata.KeyId })
    result[30]! ^= 1
    const dec = await kms.decryptMessageStream()
    dec.messageHeader.catch(() => undefined)
    void dec.readable.getReader().read().catch(() => undefined)
    const writer = dec.writable.getWriter()
    // The writable fails as soon as the worker's stream does, whether or not a write is pending.
    const failed = writer.closed.then(() => undefined, (e: unknown) => e)
    void writer.write(result).catch(() => undefined)
    const error = await failed
    expect(error).toBeInstanceOf(DecryptionError)
    expect((error as DecryptionError).code).toBe('ERR_ENVELOPE_DECRYPTION_FAILED')
  })

  it('the client counts as a webkms engine for a page-side KmsKeyring (provider id webkms)', async () => {
    const kms = await connect()
    const { KeyMetadata } = await kms.createKey()
    expect((kms as unknown as Record<symbol, unknown>)[WEBKMS_ENGINE]).toBe(true)
    const keyring = new KmsKeyring({ client: kms, generatorKeyId: KeyMetadata.Arn })
    expect(keyring.providerId).toBe('webkms')
    const { result } = await buildClient().encrypt(keyring, 'page side')
    expect(text((await kms.decryptMessage(result)).plaintext)).toBe('page side')
  })
})

const ALICE = 'arn:aws:iam::111122223333:user/alice'
const BOB = 'arn:aws:iam::111122223333:user/bob'
const ROOT = 'arn:aws:iam::111122223333:root'
const ALLOW_ALL = { Version: '2012-10-17', Statement: { Effect: 'Allow', Action: 'kms:*', Resource: '*' } }
const bytes = (s: string) => new TextEncoder().encode(s)

/** The audit events' callers, by operation, in order. */
async function callers(kms: WorkerKms) {
  const { events } = await kms.exportAuditLog()
  return events.map((e) => [e.eventName, (e.userIdentity as { arn?: string }).arn, e.errorCode ?? 'ok'])
}

describe('kms.as(caller) and access control through the worker', () => {
  it('a caller without permission gets AccessDeniedException (class and code); an identity policy put through the worker lets the same call succeed', async () => {
    const kms = await connect()
    const { KeyMetadata } = await kms.createKey()
    const alice = kms.as({ principal: ALICE })
    const denied = await alice.encrypt({ KeyId: KeyMetadata.KeyId, Plaintext: bytes('x') }).catch((e: unknown) => e)
    expect(denied).toBeInstanceOf(AccessDeniedException)
    expect((denied as AccessDeniedException).name).toBe('AccessDeniedException')
    expect((denied as AccessDeniedException).code).toBe('ERR_KMS_ACCESS_DENIED')
    expect((denied as Error).message).toContain(ALICE)

    await kms.putIdentityPolicy({ Principal: ALICE, PolicyName: 'all-kms', PolicyDocument: JSON.stringify(ALLOW_ALL) })
    expect(await kms.getIdentityPolicies({ Principal: ALICE })).toEqual({ Policies: { 'all-kms': JSON.stringify(ALLOW_ALL) } })
    const { CiphertextBlob } = await alice.encrypt({ KeyId: KeyMetadata.KeyId, Plaintext: bytes('x') })
    expect(text((await alice.decrypt({ CiphertextBlob })).Plaintext)).toBe('x')

    // Only the account root may change identity policies: alice may not, even allowed kms:*.
    const notRoot = await alice.deleteIdentityPolicy({ Principal: ALICE, PolicyName: 'all-kms' }).catch((e: unknown) => e)
    expect(notRoot).toBeInstanceOf(AccessDeniedException)
    await kms.deleteIdentityPolicy({ Principal: ALICE, PolicyName: 'all-kms' })
    expect(await kms.getIdentityPolicies({ Principal: ALICE })).toEqual({ Policies: {} })
    await expect(alice.decrypt({ CiphertextBlob })).rejects.toBeInstanceOf(AccessDeniedException)

    expect(await callers(kms)).toEqual([
      ['CreateKey', ROOT, 'ok'],
      ['Encrypt', ALICE, 'AccessDeniedException'],
      ['PutIdentityPolicy', ROOT, 'ok'],
      ['GetIdentityPolicies', ROOT, 'ok'],
      ['Encrypt', ALICE, 'ok'],
      ['Decrypt', ALICE, 'ok'],
      ['DeleteIdentityPolicy', ALICE, 'AccessDeniedException'],
      ['DeleteIdentityPolicy', ROOT, 'ok'],
      ['GetIdentityPolicies', ROOT, 'ok'],
      ['Decrypt', ALICE, 'AccessDeniedException'],
    ])
    // Reading the trail needs permission too (webkms:ExportAuditLog): alice has none now.
    await expect(alice.exportAuditLog()).rejects.toBeInstanceOf(AccessDeniedException)
  })

  it('the caller context reaches the worker: sourceIp, mfa and viaService are in the audit event', async () => {
    const kms = await connect()
    await kms.putIdentityPolicy({ Principal: ALICE, PolicyName: 'p', PolicyDocument: JSON.stringify(ALLOW_ALL) })
    await kms.as({ principal: ALICE, sourceIp: '192.0.2.7', mfa: true, viaService: 'ec2.amazonaws.com' }).generateRandom({ NumberOfBytes: 8 })
    const event = (await kms.exportAuditLog()).events.at(-1)!
    expect(event.userIdentity).toMatchObject({ type: 'IAMUser', arn: ALICE, accountId: '111122223333', invokedBy: 'ec2.amazonaws.com' })
    expect(event.sourceIPAddress).toBe('192.0.2.7')
  })

  it('explain through the worker returns the decision and what decided it, for the view\'s caller by default', async () => {
    const kms = await connect()
    const { KeyMetadata } = await kms.createKey()
    const before = await kms.as({ principal: ALICE }).explain({ operation: 'Encrypt', keyId: KeyMetadata.KeyId })
    expect(before).toMatchObject({ decision: 'ImplicitDeny', principal: ALICE, action: 'kms:Encrypt', resource: KeyMetadata.Arn })
    expect(before.decidedBy).toBeUndefined()
    await kms.putIdentityPolicy({ Principal: ALICE, PolicyName: 'all-kms', PolicyDocument: JSON.stringify(ALLOW_ALL) })
    const after = await kms.explain({ operation: 'Encrypt', keyId: KeyMetadata.KeyId, caller: { principal: ALICE } })
    expect(after).toMatchObject({ decision: 'Allow', principal: ALICE, decidedBy: { source: 'identity policy', owner: ALICE, name: 'all-kms' } })
    expect(await kms.explain({ operation: 'CreateKey' })).toMatchObject({ decision: 'Allow', principal: ROOT, decidedBy: { source: 'account root' } })
    await expect(kms.explain({ operation: 'Nope' })).rejects.toBeInstanceOf(ValidationException)
  })

  it('findings through the worker, including the refusals of a view\'s caller', async () => {
    const kms = await connect()
    const { KeyMetadata } = await kms.createKey()
    const alice = kms.as({ principal: ALICE })
    for (let i = 0; i < 2; i++) await alice.describeKey({ KeyId: KeyMetadata.KeyId }).catch(() => undefined)
    const findings = await alice.findings({ deniedThreshold: 2 })
    expect(findings).toContainEqual(expect.objectContaining({ type: 'KEY_ROTATION_DISABLED', resource: KeyMetadata.Arn }))
    expect(findings).toContainEqual(expect.objectContaining({ type: 'REPEATED_ACCESS_DENIED', resource: ALICE, count: 2 }))
    const error = await kms.findings({ deniedThreshold: 0 }).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(TypeError)
    expect((error as Error).message).toBe('"deniedThreshold" expected a positive integer')
  })

  it('the new operations flow through: key policies and a CreateGrant/ListGrants round trip that lets a grantee in', async () => {
    const kms = await connect()
    const { KeyMetadata } = await kms.createKey()
    expect((await kms.listKeyPolicies({ KeyId: KeyMetadata.KeyId })).PolicyNames).toEqual(['default'])
    const { Policy } = await kms.getKeyPolicy({ KeyId: KeyMetadata.KeyId, PolicyName: 'default' })
    expect(JSON.parse(Policy!)).toMatchObject({ Version: '2012-10-17' })
    await kms.putKeyPolicy({ KeyId: KeyMetadata.KeyId, PolicyName: 'default', Policy: Policy! })

    const bob = kms.as({ principal: BOB })
    await expect(bob.encrypt({ KeyId: KeyMetadata.KeyId, Plaintext: bytes('g') })).rejects.toBeInstanceOf(AccessDeniedException)
    const { GrantId, GrantToken } = await kms.createGrant({ KeyId: KeyMetadata.KeyId, GranteePrincipal: BOB, RetiringPrincipal: ALICE, Operations: ['Encrypt', 'Decrypt'], Name: 'bob' })
    expect(GrantId).toMatch(/\S/)
    expect(GrantToken).toMatch(/\S/)
    const { Grants } = await kms.listGrants({ KeyId: KeyMetadata.KeyId })
    expect(Grants).toEqual([expect.objectContaining({ GrantId, GranteePrincipal: BOB, RetiringPrincipal: ALICE, Operations: ['Encrypt', 'Decrypt'], Name: 'bob', KeyId: KeyMetadata.Arn })])
    expect(Grants[0]!.CreationDate).toBeInstanceOf(Date)
    expect((await kms.listRetirableGrants({ RetiringPrincipal: ALICE })).Grants.map((g) => g.GrantId)).toEqual([GrantId])

    const { CiphertextBlob } = await bob.encrypt({ KeyId: KeyMetadata.KeyId, Plaintext: bytes('g') })
    expect(text((await bob.decrypt({ CiphertextBlob })).Plaintext)).toBe('g')
    expect((await kms.as({ principal: BOB }).explain({ operation: 'Decrypt', keyId: KeyMetadata.KeyId })).decidedBy).toEqual({ source: 'grant', grantId: GrantId, name: 'bob' })

    await kms.as({ principal: ALICE }).retireGrant({ KeyId: KeyMetadata.KeyId, GrantId })
    expect((await kms.listGrants({ KeyId: KeyMetadata.KeyId })).Grants).toEqual([])
    await expect(bob.decrypt({ CiphertextBlob })).rejects.toBeInstanceOf(AccessDeniedException)
    const revoked = await kms.revokeGrant({ KeyId: KeyMetadata.KeyId, GrantId }).catch((e: unknown) => e)
    expect(revoked).toBeInstanceOf(NotFoundException)
  })

  it('as(a).as(b) calls as b; a view does not change when the caller object does', async () => {
    const kms = await connect()
    await kms.putIdentityPolicy({ Principal: ALICE, PolicyName: 'p', PolicyDocument: JSON.stringify(ALLOW_ALL) })
    const aliceCaller = { principal: ALICE }
    const alice = kms.as(aliceCaller)
    aliceCaller.principal = BOB
    await alice.generateRandom({ NumberOfBytes: 1 })
    await expect(kms.as({ principal: ALICE }).as({ principal: BOB }).generateRandom({ NumberOfBytes: 1 })).rejects.toBeInstanceOf(AccessDeniedException)
    await kms.as({ principal: BOB }).as({ principal: ALICE }).generateRandom({ NumberOfBytes: 1 })
    expect((await kms.as({ principal: BOB }).as({ principal: ALICE }).explain({ operation: 'ListKeys' })).principal).toBe(ALICE)
    // The default client is untouched by its views.
    await kms.generateRandom({ NumberOfBytes: 1 })
    expect((await callers(kms)).slice(1)).toEqual([
      ['GenerateRandom', ALICE, 'ok'],
      ['GenerateRandom', BOB, 'AccessDeniedException'],
      ['GenerateRandom', ALICE, 'ok'],
      ['GenerateRandom', ROOT, 'ok'],
    ])
    const view = kms.as({ principal: ALICE })
    expect(view.store).toBe(kms.store)
    expect((view as unknown as Record<symbol, unknown>)[WEBKMS_ENGINE]).toBe(true)
  })

  it('an invalid caller is refused at once with core\'s TypeError and message', async () => {
    const kms = await connect()
    await kms.createKey()
    expect(() => kms.as({ principal: 'alice' })).toThrow(new TypeError('"caller.principal" expected an IAM ARN such as arn:aws:iam::111122223333:user/alice, got "alice"'))
    expect(() => kms.as(undefined as never)).toThrow(new TypeError('"caller" expected { principal: <IAM ARN>, ... }'))
    expect(() => kms.as({ principal: ALICE, mfa: 'yes' as never })).toThrow(TypeError)
    // A valid view of the same client still works.
    expect((await kms.listKeys()).Keys).toHaveLength(1)
  })

  it('envelope messages are made and opened as the view\'s caller, streams included', async () => {
    const kms = await connect()
    const { KeyMetadata } = await kms.createKey()
    const alice = kms.as({ principal: ALICE })
    const refused = await alice.encryptMessage('m', { keyId: KeyMetadata.KeyId }).catch((e: unknown) => e)
    expect((refused as Error).message).toContain('AccessDeniedException')
    await kms.putIdentityPolicy({ Principal: ALICE, PolicyName: 'p', PolicyDocument: JSON.stringify(ALLOW_ALL) })
    const { result } = await alice.encryptMessage('m', { keyId: KeyMetadata.KeyId })
    expect(text((await alice.decryptMessage(result)).plaintext)).toBe('m')

    const enc = await alice.encryptMessageStream({ keyId: KeyMetadata.KeyId })
    const encrypted = new Uint8Array(await new Response(new Blob([bytes('streamed')]).stream().pipeThrough(enc)).arrayBuffer())
    const dec = await kms.as({ principal: BOB }).decryptMessageStream()
    // The stream errors (its error crosses as a plain Error); the header promise keeps the class.
    await expect(new Response(new Blob([encrypted]).stream().pipeThrough(dec)).arrayBuffer()).rejects.toThrow()
    await expect(dec.messageHeader).rejects.toBeInstanceOf(DecryptionError)
    const ok = await alice.decryptMessageStream()
    expect(text(new Uint8Array(await new Response(new Blob([encrypted]).stream().pipeThrough(ok)).arrayBuffer()))).toBe('streamed')

    expect((await callers(kms)).filter(([op]) => op !== 'PutIdentityPolicy' && op !== 'CreateKey')).toEqual([
      ['GenerateDataKey', ALICE, 'AccessDeniedException'],
      ['GenerateDataKey', ALICE, 'ok'],
      ['Decrypt', ALICE, 'ok'],
      ['GenerateDataKey', ALICE, 'ok'],
      ['Decrypt', BOB, 'AccessDeniedException'],
      ['Decrypt', ALICE, 'ok'],
    ])
  })
})

describe('platform checks', () => {
  it('a page without crypto.subtle (an insecure http: page) gets InsecureContextError naming the fix', async () => {
    // Shadow the platform's getter with an own property (the browser's is read-only).
    const own = Object.getOwnPropertyDescriptor(globalThis, 'isSecureContext')
    Object.defineProperty(globalThis, 'isSecureContext', { value: false, configurable: true, writable: true })
    try {
      const { port2 } = new MessageChannel()
      const error = await createWorkerKms({ worker: port2 }).catch((e: unknown) => e)
      expect(error).toBeInstanceOf(InsecureContextError)
      expect((error as InsecureContextError).code).toBe('ERR_WEBCRYPTO_UNAVAILABLE')
      expect((error as Error).message).toMatch(/https:\/\/.*localhost/)
    } finally {
      if (own) Object.defineProperty(globalThis, 'isSecureContext', own)
      else delete (globalThis as { isSecureContext?: boolean }).isSecureContext
    }
  })
})

describe('errors crossing the boundary', () => {
  it('keep their causes and aggregated errors, a bounded depth of them (a cycle ends)', async () => {
    const { serializeError, reviveError } = await import('../src/errorTransfer.js')
    const looped = new Error('loops')
    Object.defineProperty(looped, 'cause', { value: looped })
    const wire = JSON.parse(JSON.stringify(serializeError(new DecryptionError({ cause: new AggregateError([new NotFoundException('gone'), 'not an error', looped], 'tried') }))))
    const revived = reviveError(wire) as DecryptionError
    expect(revived).toBeInstanceOf(DecryptionError)
    const aggregate = revived.cause as AggregateError
    expect(aggregate).toBeInstanceOf(AggregateError)
    expect(aggregate.message).toBe('tried')
    expect(aggregate.errors).toHaveLength(2) // only errors cross
    expect(aggregate.errors[0]).toBeInstanceOf(NotFoundException)
    let depth = 0
    for (let e: unknown = aggregate.errors[1]; e instanceof Error; e = e.cause) depth++
    expect(depth).toBeLessThanOrEqual(8)
    expect(Object.keys(revived)).not.toContain('cause') // as Error defines it: not enumerable
  })
})
