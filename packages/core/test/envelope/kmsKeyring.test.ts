/** The KMS keyring over a webkms engine. */
import { describe, expect, it } from 'vitest'
import { buildClient, createKms, DecryptionError, KeyringError, KmsKeyring, MultiKeyring, WEBKMS_PROVIDER_ID } from '../../src/index.js'
import { bytes, expectError } from './helpers.js'

const client = buildClient()

async function setup() {
  const kms = createKms()
  const a = (await kms.createKey({ Description: 'generator' })).KeyMetadata
  const b = (await kms.createKey({ Description: 'second' })).KeyMetadata
  await kms.createAlias({ AliasName: 'alias/gen', TargetKeyId: a.KeyId })
  return { kms, a, b }
}

describe('KmsKeyring over a webkms engine', () => {
  it('GenerateDataKey under the generator, Encrypt under the others; provider id webkms, info the key ARN', async () => {
    const { kms, a, b } = await setup()
    const keyring = new KmsKeyring({ client: kms, generatorKeyId: 'alias/gen', keyIds: [b.Arn] })
    const { result, messageHeader } = await client.encrypt(keyring, bytes(100), { encryptionContext: { tenant: 't1' } })
    expect(keyring.providerId).toBe(WEBKMS_PROVIDER_ID)
    expect(messageHeader.encryptedDataKeys.map((k) => [k.providerId, k.providerInfo])).toEqual([
      ['webkms', a.Arn],
      ['webkms', b.Arn],
    ])
    // Either key decrypts; the keyring needs key ARNs to recognise its keys.
    expect((await client.decrypt(new KmsKeyring({ client: kms, keyIds: [a.Arn] }), result)).plaintext).toEqual(bytes(100))
    expect((await client.decrypt(new KmsKeyring({ client: kms, keyIds: [b.Arn] }), result)).plaintext).toEqual(bytes(100))
  })

  it('the KMS sees the encryption context, so a key it refuses fails decryption', async () => {
    const { kms, a } = await setup()
    const keyring = new KmsKeyring({ client: kms, generatorKeyId: a.Arn })
    const { result } = await client.encrypt(keyring, bytes(10), { encryptionContext: { tenant: 't1' } })
    await kms.disableKey({ KeyId: a.KeyId })
    await expectError(client.decrypt(keyring, result), DecryptionError)
    await kms.enableKey({ KeyId: a.KeyId })
    expect((await client.decrypt(keyring, result)).plaintext).toEqual(bytes(10))
  })

  it('when the KMS decrypts no data key, decryption fails with the KMS errors, one per key tried, as its cause', async () => {
    const { kms, a, b } = await setup()
    const keyring = new KmsKeyring({ client: kms, generatorKeyId: a.Arn, keyIds: [b.Arn] })
    const { result } = await client.encrypt(keyring, bytes(10), { encryptionContext: { tenant: 't1' } })
    await kms.disableKey({ KeyId: a.KeyId })
    await kms.scheduleKeyDeletion({ KeyId: b.KeyId, PendingWindowInDays: 7 })
    const error = await expectError(client.decrypt(keyring, result), DecryptionError)
    expect(error.message).toBe('decryption operation failed')
    const keyringError = error.cause as KeyringError
    expect(keyringError).toBeInstanceOf(KeyringError)
    expect(keyringError.message).toMatch(/decrypted none of the 2 data key/)
    const tried = keyringError.cause as AggregateError
    expect(tried).toBeInstanceOf(AggregateError)
    expect(tried.errors.map((e: Error) => e.name)).toEqual(['DisabledException', 'KMSInvalidStateException'])
    // A keyring with no data key it may use tries nothing, and says so (aws-kms-keyring.md):
    // a keyring configured with other key ARNs is the usual mistake. The message's keys are in its header anyway.
    const other = (await kms.createKey()).KeyMetadata
    const unrelated = await expectError(client.decrypt(new KmsKeyring({ client: kms, keyIds: [other.Arn] }), result), DecryptionError)
    expect(unrelated.cause).toBeInstanceOf(KeyringError)
    expect((unrelated.cause as Error).message).toContain(`no data key this keyring may use (provider id webkms, keys ${other.Arn}); its data keys: webkms ${a.Arn}; webkms ${b.Arn}`)
  })

  it('materials that already hold a data key: a KeyringError, the materials unchanged (aws-kms-keyring.md, multi-keyring.md)', async () => {
    const { kms, a } = await setup()
    const dataKey = new Uint8Array(32).fill(7)
    const materials = { encryptionContext: {}, requiredEncryptionContextKeys: [], plaintextDataKey: dataKey } as never
    for (const keyring of [new KmsKeyring({ client: kms, keyIds: [a.Arn] }), new MultiKeyring({ children: [new KmsKeyring({ client: kms, keyIds: [a.Arn] })] })]) {
      await expect(keyring.onDecrypt(materials, [])).rejects.toThrow(/already hold a data key/)
    }
    expect(dataKey.every((b) => b === 7)).toBe(true)
  })

  it('a multi-keyring whose children all fail: their errors, as one KeyringError; one that succeeds: no error', async () => {
    const { kms, a, b } = await setup()
    const { result } = await client.encrypt(new KmsKeyring({ client: kms, generatorKeyId: a.Arn }), bytes(10))
    await kms.disableKey({ KeyId: a.KeyId })
    const failing = new KmsKeyring({ client: kms, keyIds: [a.Arn] })
    const error = await expectError(client.decrypt(new MultiKeyring({ children: [failing, new KmsKeyring({ client: kms, keyIds: [b.Arn] }), failing] }), result), DecryptionError)
    const multi = error.cause as KeyringError
    expect(multi.message).toMatch(/no keyring of the multi-keyring/)
    // Both failing children's KMS errors, and the child with no data key of its own saying so.
    const errors = (multi.cause as AggregateError).errors as KeyringError[]
    expect(errors.map((e) => e.message)).toEqual([expect.stringMatching(/decrypted none/), expect.stringMatching(/no data key this keyring may use/), expect.stringMatching(/decrypted none/)])
    await kms.enableKey({ KeyId: a.KeyId })
    expect((await client.decrypt(new MultiKeyring({ children: [new KmsKeyring({ client: kms, keyIds: [b.Arn] }), failing] }), result)).plaintext).toEqual(bytes(10))
  })

  it('a KMS failure when encrypting is a KeyringError naming the KMS error', async () => {
    const { kms, a } = await setup()
    await kms.disableKey({ KeyId: a.KeyId })
    const error = await expectError(client.encrypt(new KmsKeyring({ client: kms, generatorKeyId: a.Arn }), bytes(1)), KeyringError, 'ERR_ENVELOPE_KEYRING')
    expect(error.message).toContain('DisabledException')
  })

  it('never claims the aws-kms provider id for a local engine', async () => {
    const { kms, a } = await setup()
    expect(() => new KmsKeyring({ client: kms, generatorKeyId: a.Arn, providerId: 'aws-kms' })).toThrow(/reserved/)
    expect(() => new KmsKeyring({ client: { generateDataKey() {}, encrypt() {}, decrypt() {} }, generatorKeyId: a.Arn })).toThrow(/"providerId"/)
    expect(() => new KmsKeyring({ client: kms })).toThrow(/"generatorKeyId" or "keyIds"/)
  })
})
