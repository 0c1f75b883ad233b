/** Aliases, and every accepted form of KeyId (key ID, key ARN, alias name, alias ARN). */
import { describe, expect, it } from 'vitest'
import {
  AlreadyExistsException,
  InvalidAliasNameException,
  KMSInvalidStateException,
  LimitExceededException,
  MAX_ALIASES_PER_KEY,
  NotFoundException,
  ValidationException,
} from '../src/index.js'
import { bytes, expectKmsError, setup, text } from './helpers.js'

describe('aliases', () => {
  it('create, list, update and delete', async () => {
    const { kms, clock } = setup()
    const a = (await kms.createKey()).KeyMetadata.KeyId
    const b = (await kms.createKey()).KeyMetadata.KeyId
    await kms.createAlias({ AliasName: 'alias/app/orders', TargetKeyId: a })
    const created = clock.now()
    clock.advanceDays(1)
    await kms.updateAlias({ AliasName: 'alias/app/orders', TargetKeyId: b })
    expect((await kms.listAliases()).Aliases).toEqual([
      {
        AliasName: 'alias/app/orders',
        AliasArn: 'arn:aws:kms:us-east-1:111122223333:alias/app/orders',
        TargetKeyId: b,
        CreationDate: created,
        LastUpdatedDate: clock.now(),
      },
    ])
    expect((await kms.listAliases({ KeyId: a })).Aliases).toEqual([])
    expect((await kms.listAliases({ KeyId: b })).Aliases).toHaveLength(1)
    await kms.deleteAlias({ AliasName: 'alias/app/orders' })
    expect((await kms.listAliases()).Aliases).toEqual([])
    await expectKmsError(kms.deleteAlias({ AliasName: 'alias/app/orders' }), NotFoundException)
  })

  it('validates names: alias/ prefix, characters, the reserved alias/aws/', async () => {
    const { kms } = setup()
    const KeyId = (await kms.createKey()).KeyMetadata.KeyId
    await expectKmsError(kms.createAlias({ AliasName: 'orders', TargetKeyId: KeyId }), ValidationException, /must start with the prefix "alias\/"/)
    await expectKmsError(kms.createAlias({ AliasName: 'alias/a:b', TargetKeyId: KeyId }), InvalidAliasNameException)
    await expectKmsError(kms.createAlias({ AliasName: 'alias/aws/s3', TargetKeyId: KeyId }), InvalidAliasNameException)
    await expectKmsError(kms.createAlias({ AliasName: 'alias/has space', TargetKeyId: KeyId }), ValidationException)
    await expectKmsError(kms.createAlias({ AliasName: `alias/${'x'.repeat(251)}`, TargetKeyId: KeyId }), ValidationException)
    await expectKmsError(kms.createAlias({ AliasName: 'alias/ok', TargetKeyId: 'alias/other' }), NotFoundException)
    expect((await kms.listAliases()).Aliases).toEqual([])
  })

  it('a name is taken only once', async () => {
    const { kms } = setup()
    const KeyId = (await kms.createKey()).KeyMetadata.KeyId
    await kms.createAlias({ AliasName: 'alias/one', TargetKeyId: KeyId })
    await expectKmsError(kms.createAlias({ AliasName: 'alias/one', TargetKeyId: KeyId }), AlreadyExistsException)
  })

  it(`a key has at most ${MAX_ALIASES_PER_KEY} aliases`, async () => {
    const { kms } = setup()
    const KeyId = (await kms.createKey()).KeyMetadata.KeyId
    for (let i = 0; i < MAX_ALIASES_PER_KEY; i++) await kms.createAlias({ AliasName: `alias/a${i}`, TargetKeyId: KeyId })
    await expectKmsError(kms.createAlias({ AliasName: 'alias/one-too-many', TargetKeyId: KeyId }), LimitExceededException)
    expect((await kms.listAliases({ KeyId, Limit: 100 })).Aliases).toHaveLength(MAX_ALIASES_PER_KEY)
  })

  it('cannot point at a key pending deletion, but may leave one', async () => {
    const { kms } = setup()
    const live = (await kms.createKey()).KeyMetadata.KeyId
    const doomed = (await kms.createKey()).KeyMetadata.KeyId
    await kms.createAlias({ AliasName: 'alias/x', TargetKeyId: doomed })
    await kms.scheduleKeyDeletion({ KeyId: doomed })
    await expectKmsError(kms.createAlias({ AliasName: 'alias/y', TargetKeyId: doomed }), KMSInvalidStateException)
    await kms.updateAlias({ AliasName: 'alias/x', TargetKeyId: live })
    await expectKmsError(kms.updateAlias({ AliasName: 'alias/x', TargetKeyId: doomed }), KMSInvalidStateException)
    await expectKmsError(kms.updateAlias({ AliasName: 'alias/missing', TargetKeyId: live }), NotFoundException)
  })

  it('UpdateAlias points an alias only to a key of the same type and key usage', async () => {
    const { kms } = setup()
    const symmetric = (await kms.createKey()).KeyMetadata.KeyId
    const otherSymmetric = (await kms.createKey()).KeyMetadata.KeyId
    const hmac = (await kms.createKey({ KeySpec: 'HMAC_256', KeyUsage: 'GENERATE_VERIFY_MAC' })).KeyMetadata.KeyId
    const rsaEncrypt = (await kms.createKey({ KeySpec: 'RSA_2048', KeyUsage: 'ENCRYPT_DECRYPT' })).KeyMetadata.KeyId
    const rsaSign = (await kms.createKey({ KeySpec: 'RSA_2048', KeyUsage: 'SIGN_VERIFY' })).KeyMetadata.KeyId
    const eccSign = (await kms.createKey({ KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY' })).KeyMetadata.KeyId
    await kms.createAlias({ AliasName: 'alias/app', TargetKeyId: symmetric })
    await kms.createAlias({ AliasName: 'alias/signer', TargetKeyId: rsaSign })
    const target = async (AliasName: string) => (await kms.listAliases()).Aliases.find((a) => a.AliasName === AliasName)!.TargetKeyId
    for (const other of [hmac, rsaEncrypt, eccSign]) {
      await expectKmsError(kms.updateAlias({ AliasName: 'alias/app', TargetKeyId: other }), ValidationException, /same type and key usage/)
    }
    expect(await target('alias/app')).toBe(symmetric)
    await kms.updateAlias({ AliasName: 'alias/app', TargetKeyId: otherSymmetric })
    expect(await target('alias/app')).toBe(otherSymmetric)
    // Asymmetric to asymmetric of the same usage, whatever the spec; not to another usage.
    await expectKmsError(kms.updateAlias({ AliasName: 'alias/signer', TargetKeyId: rsaEncrypt }), ValidationException)
    await kms.updateAlias({ AliasName: 'alias/signer', TargetKeyId: eccSign })
    expect(await target('alias/signer')).toBe(eccSign)
  })

  it('ListAliases pages by name', async () => {
    const { kms } = setup()
    const KeyId = (await kms.createKey()).KeyMetadata.KeyId
    for (const n of ['c', 'a', 'd', 'b', 'e']) await kms.createAlias({ AliasName: `alias/${n}`, TargetKeyId: KeyId })
    const p1 = await kms.listAliases({ Limit: 2 })
    const p2 = await kms.listAliases({ Limit: 2, Marker: p1.NextMarker! })
    const p3 = await kms.listAliases({ Limit: 2, Marker: p2.NextMarker! })
    expect([p1, p2, p3].flatMap((p) => p.Aliases.map((a) => a.AliasName))).toEqual(['a', 'b', 'c', 'd', 'e'].map((n) => `alias/${n}`))
    expect(p3.Truncated).toBe(false)
  })
})

describe('KeyId forms', () => {
  it('key ID, key ARN, alias name and alias ARN all work in cryptographic operations', async () => {
    const { kms } = setup()
    const { KeyId, Arn } = (await kms.createKey()).KeyMetadata
    await kms.createAlias({ AliasName: 'alias/app', TargetKeyId: Arn })
    const forms = [KeyId, Arn, 'alias/app', 'arn:aws:kms:us-east-1:111122223333:alias/app']
    for (const form of forms) {
      expect((await kms.describeKey({ KeyId: form })).KeyMetadata.KeyId).toBe(KeyId)
      const enc = await kms.encrypt({ KeyId: form, Plaintext: bytes(form) })
      expect(enc.KeyId).toBe(Arn)
      for (const decryptForm of forms) {
        const dec = await kms.decrypt({ CiphertextBlob: enc.CiphertextBlob, KeyId: decryptForm })
        expect(text(dec.Plaintext)).toBe(form)
      }
      const gdk = await kms.generateDataKey({ KeyId: form, KeySpec: 'AES_256' })
      const re = await kms.reEncrypt({ CiphertextBlob: gdk.CiphertextBlob, SourceKeyId: form, DestinationKeyId: form })
      expect((await kms.decrypt({ CiphertextBlob: re.CiphertextBlob })).Plaintext).toEqual(gdk.Plaintext)
    }
  })

  it('management operations take key IDs and key ARNs', async () => {
    const { kms } = setup()
    const { KeyId, Arn } = (await kms.createKey()).KeyMetadata
    await kms.updateKeyDescription({ KeyId: Arn, Description: 'via arn' })
    await kms.tagResource({ KeyId: Arn, Tags: [{ TagKey: 'a', TagValue: 'b' }] })
    await kms.enableKeyRotation({ KeyId: Arn })
    expect((await kms.getKeyRotationStatus({ KeyId: Arn })).KeyRotationEnabled).toBe(true)
    expect((await kms.describeKey({ KeyId })).KeyMetadata.Description).toBe('via arn')
  })

  it('an ARN of another account or region, or a malformed one, is NotFoundException', async () => {
    const { kms } = setup()
    const { KeyId } = (await kms.createKey()).KeyMetadata
    await expectKmsError(kms.describeKey({ KeyId: `arn:aws:kms:us-east-1:999999999999:key/${KeyId}` }), NotFoundException)
    await expectKmsError(kms.describeKey({ KeyId: `arn:aws:kms:eu-west-1:111122223333:key/${KeyId}` }), NotFoundException)
    await expectKmsError(kms.describeKey({ KeyId: `arn:aws:kms:us-east-1:111122223333:key` }), NotFoundException)
    await expectKmsError(kms.describeKey({ KeyId: KeyId.toUpperCase() }), NotFoundException)
  })
})
