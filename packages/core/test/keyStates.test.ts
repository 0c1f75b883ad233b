/**
 * The key-state matrix: every state-checked operation against a key in each state, and the
 * exact error AWS raises (developer guide, "Key states of AWS KMS keys").
 */
import { describe, expect, it } from 'vitest'
import { DisabledException, KMSInvalidStateException, type Kms, type KeyState, type KmsError } from '../src/index.js'
import { bytes, expectKmsError, setup } from './helpers.js'

type Outcome = 'ok' | typeof KmsError
const ok = 'ok' as const
const D = DisabledException
const S = KMSInvalidStateException

interface Ctx {
  kms: Kms
  keyId: string
  other: string
  blob: Uint8Array
}

// operation -> [Enabled, Disabled, PendingDeletion]
const matrix: [string, (c: Ctx) => Promise<unknown>, [Outcome, Outcome, Outcome]][] = [
  ['DescribeKey', (c) => c.kms.describeKey({ KeyId: c.keyId }), [ok, ok, ok]],
  ['UpdateKeyDescription', (c) => c.kms.updateKeyDescription({ KeyId: c.keyId, Description: 'x' }), [ok, ok, S]],
  ['EnableKey', (c) => c.kms.enableKey({ KeyId: c.keyId }), [ok, ok, S]],
  ['DisableKey', (c) => c.kms.disableKey({ KeyId: c.keyId }), [ok, ok, S]],
  ['ScheduleKeyDeletion', (c) => c.kms.scheduleKeyDeletion({ KeyId: c.keyId }), [ok, ok, S]],
  ['CancelKeyDeletion', (c) => c.kms.cancelKeyDeletion({ KeyId: c.keyId }), [S, S, ok]],
  ['CreateAlias', (c) => c.kms.createAlias({ AliasName: 'alias/new', TargetKeyId: c.keyId }), [ok, ok, S]],
  ['UpdateAlias (key as new target)', (c) => c.kms.updateAlias({ AliasName: 'alias/other', TargetKeyId: c.keyId }), [ok, ok, S]],
  ['DeleteAlias', (c) => c.kms.deleteAlias({ AliasName: 'alias/mine' }), [ok, ok, ok]],
  ['ListAliases', (c) => c.kms.listAliases({ KeyId: c.keyId }), [ok, ok, ok]],
  ['TagResource', (c) => c.kms.tagResource({ KeyId: c.keyId, Tags: [{ TagKey: 'k', TagValue: 'v' }] }), [ok, ok, S]],
  ['UntagResource', (c) => c.kms.untagResource({ KeyId: c.keyId, TagKeys: ['k'] }), [ok, ok, S]],
  ['ListResourceTags', (c) => c.kms.listResourceTags({ KeyId: c.keyId }), [ok, ok, ok]],
  ['EnableKeyRotation', (c) => c.kms.enableKeyRotation({ KeyId: c.keyId }), [ok, D, S]],
  ['DisableKeyRotation', (c) => c.kms.disableKeyRotation({ KeyId: c.keyId }), [ok, D, S]],
  ['GetKeyRotationStatus', (c) => c.kms.getKeyRotationStatus({ KeyId: c.keyId }), [ok, ok, ok]],
  ['RotateKeyOnDemand', (c) => c.kms.rotateKeyOnDemand({ KeyId: c.keyId }), [ok, D, S]],
  ['ListKeyRotations', (c) => c.kms.listKeyRotations({ KeyId: c.keyId }), [ok, ok, ok]],
  ['Encrypt', (c) => c.kms.encrypt({ KeyId: c.keyId, Plaintext: bytes('x') }), [ok, D, S]],
  ['Decrypt', (c) => c.kms.decrypt({ CiphertextBlob: c.blob }), [ok, D, S]],
  ['ReEncrypt (source key)', (c) => c.kms.reEncrypt({ CiphertextBlob: c.blob, DestinationKeyId: c.other }), [ok, D, S]],
  ['ReEncrypt (destination key)', async (c) => {
    const { CiphertextBlob } = await c.kms.encrypt({ KeyId: c.other, Plaintext: bytes('x') })
    return c.kms.reEncrypt({ CiphertextBlob, DestinationKeyId: c.keyId })
  }, [ok, D, S]],
  ['GenerateDataKey', (c) => c.kms.generateDataKey({ KeyId: c.keyId, KeySpec: 'AES_256' }), [ok, D, S]],
  ['GenerateDataKeyWithoutPlaintext', (c) => c.kms.generateDataKeyWithoutPlaintext({ KeyId: c.keyId, NumberOfBytes: 32 }), [ok, D, S]],
]

const states: KeyState[] = ['Enabled', 'Disabled', 'PendingDeletion']

async function keyIn(state: KeyState): Promise<Ctx> {
  const { kms } = setup()
  const keyId = (await kms.createKey()).KeyMetadata.KeyId
  const other = (await kms.createKey()).KeyMetadata.KeyId
  await kms.createAlias({ AliasName: 'alias/mine', TargetKeyId: keyId })
  await kms.createAlias({ AliasName: 'alias/other', TargetKeyId: other })
  const { CiphertextBlob: blob } = await kms.encrypt({ KeyId: keyId, Plaintext: bytes('secret') })
  if (state === 'Disabled') await kms.disableKey({ KeyId: keyId })
  if (state === 'PendingDeletion') await kms.scheduleKeyDeletion({ KeyId: keyId })
  expect((await kms.describeKey({ KeyId: keyId })).KeyMetadata.KeyState).toBe(state)
  return { kms, keyId, other, blob }
}

describe('key state matrix', () => {
  for (const [name, call, outcomes] of matrix) {
    states.forEach((state, i) => {
      const expected = outcomes[i]!
      const title = `${name} on a ${state} key ${expected === ok ? 'succeeds' : `fails with ${expected.name}`}`
      it(title, async () => {
        const c = await keyIn(state)
        if (expected === ok) {
          await call(c)
        } else {
          const error = await expectKmsError(call(c), expected)
          expect(error.message).toContain(`:key/${c.keyId}`)
        }
      })
    })
  }

  it('a refused operation changes nothing', async () => {
    const c = await keyIn('PendingDeletion')
    const before = (await c.kms.describeKey({ KeyId: c.keyId })).KeyMetadata
    await expectKmsError(c.kms.updateKeyDescription({ KeyId: c.keyId, Description: 'changed' }), S)
    await expectKmsError(c.kms.tagResource({ KeyId: c.keyId, Tags: [{ TagKey: 'a', TagValue: 'b' }] }), S)
    expect((await c.kms.describeKey({ KeyId: c.keyId })).KeyMetadata).toEqual(before)
    expect((await c.kms.listResourceTags({ KeyId: c.keyId })).Tags).toEqual([])
  })
})
