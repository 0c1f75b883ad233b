/** CreateKey, DescribeKey, ListKeys, descriptions, enable/disable, and the deletion window. */
import { describe, expect, it } from 'vitest'
import {
  createKms,
  InvalidCiphertextException,
  InvalidGrantTokenException,
  InvalidMarkerException,
  KMSInvalidStateException,
  MalformedPolicyDocumentException,
  NotFoundException,
  TagException,
  UnsupportedOperationException,
  ValidationException,
} from '../src/index.js'
import { bytes, expectKmsError, setup } from './helpers.js'

describe('CreateKey and DescribeKey', () => {
  it('creates an enabled symmetric key with the KeyMetadata AWS returns', async () => {
    const { kms, clock } = setup({ accountId: '444455556666', region: 'eu-west-1' })
    const { KeyMetadata: m } = await kms.createKey({ Description: 'orders', Tags: [{ TagKey: 'team', TagValue: 'a' }] })
    expect(m.KeyId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/)
    expect(m).toEqual({
      AWSAccountId: '444455556666',
      KeyId: m.KeyId,
      Arn: `arn:aws:kms:eu-west-1:444455556666:key/${m.KeyId}`,
      CreationDate: clock.now(),
      Enabled: true,
      Description: 'orders',
      KeyUsage: 'ENCRYPT_DECRYPT',
      KeyState: 'Enabled',
      Origin: 'AWS_KMS',
      KeyManager: 'CUSTOMER',
      CustomerMasterKeySpec: 'SYMMETRIC_DEFAULT',
      KeySpec: 'SYMMETRIC_DEFAULT',
      EncryptionAlgorithms: ['SYMMETRIC_DEFAULT'],
      MultiRegion: false,
      CurrentKeyMaterialId: expect.stringMatching(/^[0-9a-f]{64}$/),
    })
    expect((await kms.describeKey({ KeyId: m.Arn })).KeyMetadata).toEqual(m)
    expect((await kms.listResourceTags({ KeyId: m.KeyId })).Tags).toEqual([{ TagKey: 'team', TagValue: 'a' }])
  })

  it('rejects what the engine cannot honour, with AWS exception names', async () => {
    const { kms } = setup()
    await expectKmsError(kms.createKey({ KeySpec: 'ECC_SECG_P256K1', KeyUsage: 'SIGN_VERIFY' }), UnsupportedOperationException, /secp256k1/)
    await expectKmsError(kms.createKey({ KeySpec: 'RSA_2048' }), ValidationException, /KeyUsage is required/)
    await expectKmsError(kms.createKey({ KeySpec: 'NOT_A_SPEC' as never }), ValidationException, /enum value set/)
    await expectKmsError(kms.createKey({ KeyUsage: 'SIGN_VERIFY' }), ValidationException)
    await expectKmsError(kms.createKey({ KeySpec: 'SYMMETRIC_DEFAULT', CustomerMasterKeySpec: 'SYMMETRIC_DEFAULT' }), ValidationException)
    await expectKmsError(kms.createKey({ Origin: 'AWS_CLOUDHSM' }), UnsupportedOperationException)
    await expectKmsError(kms.createKey({ MultiRegion: true }), UnsupportedOperationException)
    await expectKmsError(kms.createKey({ Policy: '{"Version":"2012-10-17","Statement":[]}' }), MalformedPolicyDocumentException, /Statement must be/)
    await expectKmsError(kms.createKey({ Description: 'x'.repeat(8193) }), ValidationException, /less than or equal to 8192/)
    await expectKmsError(kms.createKey({ Tags: [{ TagKey: 'aws:reserved', TagValue: 'v' }] }), TagException)
    const tooMany = Array.from({ length: 51 }, (_, i) => ({ TagKey: `k${i}`, TagValue: 'v' }))
    await expectKmsError(kms.createKey({ Tags: tooMany }), TagException)
    expect((await kms.listKeys()).Keys).toEqual([])
  })

  it('DescribeKey of an unknown or malformed key is NotFoundException', async () => {
    const { kms } = setup()
    await expectKmsError(kms.describeKey({ KeyId: '00000000-0000-4000-8000-000000000000' }), NotFoundException, /does not exist/)
    await expectKmsError(kms.describeKey({ KeyId: 'not-a-key' }), NotFoundException, /Invalid keyId 'not-a-key'/)
    await expectKmsError(kms.describeKey({ KeyId: 'alias/none' }), NotFoundException, /is not found/)
  })

  it('UpdateKeyDescription changes the description', async () => {
    const { kms } = setup()
    const { KeyId } = (await kms.createKey({ Description: 'a' })).KeyMetadata
    await kms.updateKeyDescription({ KeyId, Description: 'b' })
    expect((await kms.describeKey({ KeyId })).KeyMetadata.Description).toBe('b')
  })
})

describe('ListKeys', () => {
  it('pages with Limit and Marker through every key exactly once', async () => {
    const { kms } = setup()
    const created = new Set<string>()
    for (let i = 0; i < 7; i++) created.add((await kms.createKey()).KeyMetadata.KeyId)
    const seen: string[] = []
    let Marker: string | undefined
    let pages = 0
    do {
      const page = await kms.listKeys({ Limit: 3, ...(Marker ? { Marker } : {}) })
      seen.push(...page.Keys.map((k) => k.KeyId))
      expect(page.Keys.every((k) => k.KeyArn.endsWith(`:key/${k.KeyId}`))).toBe(true)
      Marker = page.Truncated ? page.NextMarker : undefined
      pages++
    } while (Marker)
    expect(pages).toBe(3)
    expect(new Set(seen)).toEqual(created)
    expect(seen.length).toBe(7)
  })

  it('rejects a bad Limit or Marker', async () => {
    const { kms } = setup()
    await expectKmsError(kms.listKeys({ Limit: 0 }), ValidationException)
    await expectKmsError(kms.listKeys({ Limit: 1001 }), ValidationException)
    await expectKmsError(kms.listKeys({ Marker: 'garbage' }), InvalidMarkerException)
  })
})

describe('EnableKey and DisableKey', () => {
  it('a disabled key reports Enabled false and works again once enabled', async () => {
    const { kms } = setup()
    const { KeyId } = (await kms.createKey()).KeyMetadata
    await kms.disableKey({ KeyId })
    expect((await kms.describeKey({ KeyId })).KeyMetadata).toMatchObject({ KeyState: 'Disabled', Enabled: false })
    await kms.enableKey({ KeyId })
    expect((await kms.describeKey({ KeyId })).KeyMetadata).toMatchObject({ KeyState: 'Enabled', Enabled: true })
    await kms.encrypt({ KeyId, Plaintext: bytes('ok') })
  })

  it('only key IDs and key ARNs are accepted, not aliases', async () => {
    const { kms } = setup()
    const { KeyId } = (await kms.createKey()).KeyMetadata
    await kms.createAlias({ AliasName: 'alias/a', TargetKeyId: KeyId })
    await expectKmsError(kms.disableKey({ KeyId: 'alias/a' }), NotFoundException)
  })
})

describe('ScheduleKeyDeletion and CancelKeyDeletion', () => {
  it('waits 30 days by default and reports the deletion date', async () => {
    const { kms, clock } = setup()
    const { KeyId, Arn } = (await kms.createKey()).KeyMetadata
    const out = await kms.scheduleKeyDeletion({ KeyId })
    const expected = new Date(clock.now().getTime() + 30 * 86_400_000)
    expect(out).toEqual({ KeyId: Arn, DeletionDate: expected, KeyState: 'PendingDeletion', PendingWindowInDays: 30 })
    expect((await kms.describeKey({ KeyId })).KeyMetadata).toMatchObject({ KeyState: 'PendingDeletion', DeletionDate: expected, Enabled: false })
  })

  it('accepts 7 to 30 days only', async () => {
    const { kms } = setup()
    const { KeyId } = (await kms.createKey()).KeyMetadata
    await expectKmsError(kms.scheduleKeyDeletion({ KeyId, PendingWindowInDays: 6 }), ValidationException)
    await expectKmsError(kms.scheduleKeyDeletion({ KeyId, PendingWindowInDays: 31 }), ValidationException)
    await expectKmsError(kms.scheduleKeyDeletion({ KeyId, PendingWindowInDays: 7.5 }), ValidationException)
    expect((await kms.describeKey({ KeyId })).KeyMetadata.KeyState).toBe('Enabled')
    expect((await kms.scheduleKeyDeletion({ KeyId, PendingWindowInDays: 7 })).PendingWindowInDays).toBe(7)
  })

  it('CancelKeyDeletion leaves the key Disabled, not Enabled', async () => {
    const { kms } = setup()
    const { KeyId, Arn } = (await kms.createKey()).KeyMetadata
    await kms.scheduleKeyDeletion({ KeyId })
    expect(await kms.cancelKeyDeletion({ KeyId })).toEqual({ KeyId: Arn })
    const m = (await kms.describeKey({ KeyId })).KeyMetadata
    expect(m.KeyState).toBe('Disabled')
    expect(m.DeletionDate).toBeUndefined()
    await expectKmsError(kms.cancelKeyDeletion({ KeyId }), KMSInvalidStateException, /is not pending deletion/)
  })

  it('after the window the key, its material and its aliases are gone', async () => {
    const { kms, clock } = setup()
    const { KeyId } = (await kms.createKey()).KeyMetadata
    const keep = (await kms.createKey()).KeyMetadata.KeyId
    await kms.createAlias({ AliasName: 'alias/doomed', TargetKeyId: KeyId })
    await kms.createAlias({ AliasName: 'alias/kept', TargetKeyId: keep })
    const { CiphertextBlob } = await kms.encrypt({ KeyId, Plaintext: bytes('gone') })
    await kms.scheduleKeyDeletion({ KeyId, PendingWindowInDays: 7 })

    clock.advanceDays(7)
    clock.advanceMs(-1)
    expect((await kms.describeKey({ KeyId })).KeyMetadata.KeyState).toBe('PendingDeletion')
    clock.advanceMs(1)
    await expectKmsError(kms.describeKey({ KeyId }), NotFoundException)
    await expectKmsError(kms.describeKey({ KeyId: 'alias/doomed' }), NotFoundException)
    expect((await kms.listKeys()).Keys.map((k) => k.KeyId)).toEqual([keep])
    expect((await kms.listAliases()).Aliases.map((a) => a.AliasName)).toEqual(['alias/kept'])
    await expectKmsError(kms.decrypt({ CiphertextBlob }), InvalidCiphertextException)
    await expectKmsError(kms.cancelKeyDeletion({ KeyId }), NotFoundException)
  })

  it('the deletion happens when the clock passes, whichever call comes next', async () => {
    const { kms, clock } = setup()
    const { KeyId } = (await kms.createKey()).KeyMetadata
    await kms.scheduleKeyDeletion({ KeyId, PendingWindowInDays: 7 })
    clock.advanceDays(8)
    expect((await kms.listKeys()).Keys).toEqual([])
  })

  it('a deleted key takes its grants with it, for the calls that name no key too (ListRetirableGrants, RetireGrant by token)', async () => {
    const retiring = 'arn:aws:iam::111122223333:user/ops'
    for (const call of ['ListRetirableGrants', 'RetireGrant'] as const) {
      const { kms, clock } = setup()
      const { KeyId } = (await kms.createKey()).KeyMetadata
      const grant = await kms.createGrant({ KeyId, GranteePrincipal: 'arn:aws:iam::111122223333:user/app', RetiringPrincipal: retiring, Operations: ['Encrypt'] })
      expect((await kms.listRetirableGrants({ RetiringPrincipal: retiring })).Grants).toHaveLength(1)
      await kms.scheduleKeyDeletion({ KeyId, PendingWindowInDays: 7 })
      clock.advanceDays(8)
      // The first call after the window, whichever of the two it is.
      if (call === 'ListRetirableGrants') expect((await kms.listRetirableGrants({ RetiringPrincipal: retiring })).Grants).toEqual([])
      else await expectKmsError(kms.retireGrant({ GrantToken: grant.GrantToken }), InvalidGrantTokenException)
      await expectKmsError(kms.describeKey({ KeyId }), NotFoundException)
    }
  })
})

describe('createKms options', () => {
  it('misuse of the options is a TypeError naming the option', () => {
    expect(() => createKms({ accountId: '12' })).toThrow(/"accountId"/)
    expect(() => createKms({ region: 'US East' })).toThrow(/"region"/)
  })
})
