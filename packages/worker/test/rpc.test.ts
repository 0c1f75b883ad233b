/**
 * The worker protocol tested in one realm over a MessageChannel (as comlink tests its own RPC)
 * before any real Worker: same method shapes as the engine, error classes and codes intact,
 * the envelope methods, streams, progress.
 */
import { DecryptionError, InsecureContextError, KmsKeyring, verifyAuditLog, MemoryKeyStore, NotFoundException, ValidationException, WEBKMS_ENGINE, buildClient } from '@webkms/core'
import { expose } from 'comlink'
import { describe, expect, it } from 'vitest'
import { createWorkerApi, createWorkerKms, registerErrorTransfer, type WorkerKms } from '../src/index.js'

registerErrorTransfer()

async function connect(): Promise<WorkerKms> {
  const { port1, port2 } = new MessageChannel()
  expose(createWorkerApi({ openStore: async () => new MemoryKeyStore() }), port1)
  return createWorkerKms({ worker: port2 })
}

const text = (b: Uint8Array) => new TextDecoder().decode(b)

describe('the worker client over a MessageChannel', () => {
  it('has the engine\'s method shapes: client.encrypt is KMS Encrypt', async () => {
    const kms = await connect()
    const { KeyMetadata } = await kms.createKey({ Description: 'rpc' })
    expect(KeyMetadata.CreationDate).toBeInstanceOf(Date)
    const { CiphertextBlob, KeyId } = await kms.encrypt({ KeyId: KeyMetadata.KeyId, Plaintext: new TextEncoder().encode('hi') })
    expect(KeyId).toBe(KeyMetadata.Arn)
    expect(text((await kms.decrypt({ CiphertextBlob })).Plaintext)).toBe('hi')
    expect(kms.store).toMatchObject({ schemaVersion: 3 })
    const log = await kms.exportAuditLog()
    expect(log.events.map((e) => e.eventName)).toEqual(['CreateKey', 'Encrypt', 'Decrypt'])
    expect((await verifyAuditLog(log)).valid).toBe(true)
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
