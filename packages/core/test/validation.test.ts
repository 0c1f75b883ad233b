/**
 * Bad input of any shape gets a typed KmsError (ValidationException for malformed members),
 * never a TypeError from inside the engine, and changes nothing.
 */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { KmsError, KMSInternalException, operationNames, ValidationException, type Kms } from '../src/index.js'
import { bytes, expectKmsError, setup } from './helpers.js'

const methodOf = (op: string) => (op.charAt(0).toLowerCase() + op.slice(1)) as keyof Kms

/** Members AWS defines across the operations, so the fuzzer hits real code paths. */
const members = [
  'KeyId', 'Plaintext', 'CiphertextBlob', 'EncryptionContext', 'GrantTokens', 'KeySpec', 'NumberOfBytes', 'Description',
  'Tags', 'TagKeys', 'AliasName', 'TargetKeyId', 'Limit', 'Marker', 'PendingWindowInDays', 'RotationPeriodInDays',
  'DestinationKeyId', 'SourceKeyId', 'SourceEncryptionContext', 'DestinationEncryptionContext', 'EncryptionAlgorithm',
  'KeyUsage', 'Origin', 'MultiRegion', 'DryRun', 'IncludeKeyMaterial',
]

describe('validation', () => {
  it('wrong types are ValidationException naming the member', async () => {
    const { kms } = setup()
    const { KeyId } = (await kms.createKey()).KeyMetadata
    await expectKmsError(kms.encrypt({ KeyId, Plaintext: 'text' as never }), ValidationException, /'plaintext'/)
    await expectKmsError(kms.encrypt({ KeyId: 42 as never, Plaintext: bytes('x') }), ValidationException, /'keyId'/)
    await expectKmsError(kms.encrypt({ Plaintext: bytes('x') } as never), ValidationException, /'keyId'.*must not be null/)
    await expectKmsError(kms.describeKey({ KeyId: '' }), ValidationException)
    await expectKmsError(kms.describeKey({ KeyId: 'k'.repeat(2049) }), ValidationException)
    await expectKmsError(kms.createKey({ Tags: 'x' as never }), ValidationException)
    await expectKmsError(kms.createKey({ Tags: [{ TagKey: '', TagValue: 'v' }] }), ValidationException)
    await expectKmsError(kms.createKey({ Tags: [{ TagKey: 'k', TagValue: 'v'.repeat(257) }] }), ValidationException, /at 'tags\.1\.member\.tagValue' failed to satisfy constraint: Member must have length less than or equal to 256/)
    await expectKmsError(kms.listKeys({ Limit: '5' as never }), ValidationException)
    await expectKmsError(kms.scheduleKeyDeletion({ KeyId, PendingWindowInDays: Number.NaN }), ValidationException)
    await expectKmsError(kms.createKey(null as never), ValidationException)
    await expectKmsError(kms.createKey('x' as never), ValidationException)
  })

  it('a validation error does not echo secret values', async () => {
    const { kms } = setup()
    const { KeyId } = (await kms.createKey()).KeyMetadata
    const e = await expectKmsError(kms.encrypt({ KeyId, Plaintext: bytes('s3cr3t'.repeat(1000)) }), ValidationException)
    expect(e.message).not.toContain('s3cr3t')
  })

  it('no input of any shape to any operation escapes as anything but a KmsError (property)', async () => {
    const { kms } = setup()
    const { KeyId } = (await kms.createKey()).KeyMetadata
    await kms.createAlias({ AliasName: 'alias/fuzz', TargetKeyId: KeyId })
    const value = fc.oneof(
      fc.anything({ maxDepth: 2 }),
      fc.constantFrom(KeyId, 'alias/fuzz', `arn:aws:kms:us-east-1:111122223333:key/${KeyId}`, 'AES_256', 'SYMMETRIC_DEFAULT'),
      fc.uint8Array({ maxLength: 80 }),
      fc.integer({ min: -2, max: 5000 }),
    )
    const request = fc.dictionary(fc.constantFrom(...members), value, { maxKeys: 5 })
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...operationNames), request, async (op, input) => {
        const method = kms[methodOf(op)] as (i: unknown) => Promise<unknown>
        const error = await method(input).then(
          () => undefined,
          (e: unknown) => e,
        )
        if (error !== undefined) {
          expect(error).toBeInstanceOf(KmsError)
          expect(error).not.toBeInstanceOf(KMSInternalException)
        }
      }),
      { numRuns: 400 },
    )
  })

  it('every method rejects rather than throwing synchronously', () => {
    const { kms } = setup()
    for (const op of operationNames) {
      const method = kms[methodOf(op)] as (i: unknown) => Promise<unknown>
      const result = method(42)
      expect(result).toBeInstanceOf(Promise)
      result.catch(() => undefined)
    }
  })
})
