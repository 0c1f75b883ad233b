/** Automatic rotation by the injected clock, on-demand rotation, and old versions decrypting. */
import { describe, expect, it } from 'vitest'
import { DisabledException, LimitExceededException, MAX_ON_DEMAND_ROTATIONS, ValidationException } from '../src/index.js'
import { bytes, expectKmsError, setup, text } from './helpers.js'

const DAY = 86_400_000

describe('automatic rotation', () => {
  it('is off by default; EnableKeyRotation defaults to 365 days', async () => {
    const { kms, clock } = setup()
    const { KeyId, Arn } = (await kms.createKey()).KeyMetadata
    expect(await kms.getKeyRotationStatus({ KeyId })).toEqual({ KeyRotationEnabled: false, KeyId: Arn })
    await kms.enableKeyRotation({ KeyId })
    expect(await kms.getKeyRotationStatus({ KeyId })).toEqual({
      KeyRotationEnabled: true,
      KeyId: Arn,
      RotationPeriodInDays: 365,
      NextRotationDate: new Date(clock.now().getTime() + 365 * DAY),
    })
  })

  it('RotationPeriodInDays must be 90 to 2560', async () => {
    const { kms } = setup()
    const { KeyId } = (await kms.createKey()).KeyMetadata
    await expectKmsError(kms.enableKeyRotation({ KeyId, RotationPeriodInDays: 89 }), ValidationException)
    await expectKmsError(kms.enableKeyRotation({ KeyId, RotationPeriodInDays: 2561 }), ValidationException)
    expect((await kms.getKeyRotationStatus({ KeyId })).KeyRotationEnabled).toBe(false)
    await kms.enableKeyRotation({ KeyId, RotationPeriodInDays: 90 })
    await kms.enableKeyRotation({ KeyId, RotationPeriodInDays: 2560 })
  })

  it('rotates when the clock passes the date, and every old version still decrypts', async () => {
    const { kms, clock } = setup()
    const { KeyId } = (await kms.createKey()).KeyMetadata
    await kms.enableKeyRotation({ KeyId, RotationPeriodInDays: 90 })
    const blobs: { blob: Uint8Array; material: string }[] = []
    const materials = new Set<string>()
    for (let period = 0; period < 4; period++) {
      const material = (await kms.describeKey({ KeyId })).KeyMetadata.CurrentKeyMaterialId!
      materials.add(material)
      blobs.push({ blob: (await kms.encrypt({ KeyId, Plaintext: bytes(`period ${period}`) })).CiphertextBlob, material })
      clock.advanceDays(90)
    }
    expect(materials.size).toBe(4)
    for (const [period, { blob, material }] of blobs.entries()) {
      const out = await kms.decrypt({ CiphertextBlob: blob })
      expect(text(out.Plaintext)).toBe(`period ${period}`)
      expect(out.KeyMaterialId).toBe(material)
    }
    const { Rotations } = await kms.listKeyRotations({ KeyId })
    expect(Rotations.map((r) => r.RotationType)).toEqual(['AUTOMATIC', 'AUTOMATIC', 'AUTOMATIC', 'AUTOMATIC'])
    // Each rotation is dated when it fell due, not when it was noticed.
    const start = new Date('2026-01-01T00:00:00Z').getTime()
    expect(Rotations.map((r) => r.RotationDate!.getTime())).toEqual([1, 2, 3, 4].map((n) => start + n * 90 * DAY))
    expect(Rotations.map((r) => r.KeyMaterialState)).toEqual(['NON_CURRENT', 'NON_CURRENT', 'NON_CURRENT', 'CURRENT'])
  })

  it('catches up every period that passed while nobody called', async () => {
    const { kms, clock } = setup()
    const { KeyId } = (await kms.createKey()).KeyMetadata
    await kms.enableKeyRotation({ KeyId, RotationPeriodInDays: 100 })
    clock.advanceDays(350)
    expect((await kms.listKeyRotations({ KeyId })).Rotations).toHaveLength(3)
    const status = await kms.getKeyRotationStatus({ KeyId })
    expect(status.NextRotationDate).toEqual(new Date(new Date('2026-01-01T00:00:00Z').getTime() + 400 * DAY))
  })

  it('a disabled key is not rotated; enabling it after the date rotates it at once', async () => {
    const { kms, clock } = setup()
    const { KeyId } = (await kms.createKey()).KeyMetadata
    await kms.enableKeyRotation({ KeyId, RotationPeriodInDays: 90 })
    await kms.disableKey({ KeyId })
    clock.advanceDays(200)
    expect((await kms.listKeyRotations({ KeyId })).Rotations).toHaveLength(0)
    await kms.enableKey({ KeyId })
    const { Rotations } = await kms.listKeyRotations({ KeyId })
    expect(Rotations).toHaveLength(1)
    expect(Rotations[0]!.RotationDate).toEqual(clock.now())
    expect((await kms.getKeyRotationStatus({ KeyId })).NextRotationDate).toEqual(new Date(clock.now().getTime() + 90 * DAY))
  })

  it('DisableKeyRotation stops the schedule', async () => {
    const { kms, clock } = setup()
    const { KeyId } = (await kms.createKey()).KeyMetadata
    await kms.enableKeyRotation({ KeyId, RotationPeriodInDays: 90 })
    await kms.disableKeyRotation({ KeyId })
    clock.advanceDays(1000)
    expect((await kms.listKeyRotations({ KeyId })).Rotations).toEqual([])
    expect((await kms.getKeyRotationStatus({ KeyId })).KeyRotationEnabled).toBe(false)
  })
})

describe('RotateKeyOnDemand', () => {
  it('rotates now without changing the automatic schedule', async () => {
    const { kms, clock } = setup()
    const { KeyId, Arn } = (await kms.createKey()).KeyMetadata
    await kms.enableKeyRotation({ KeyId })
    const before = await kms.getKeyRotationStatus({ KeyId })
    const old = await kms.encrypt({ KeyId, Plaintext: bytes('before') })
    clock.advanceDays(1)
    expect(await kms.rotateKeyOnDemand({ KeyId })).toEqual({ KeyId: Arn })
    const { Rotations } = await kms.listKeyRotations({ KeyId })
    expect(Rotations).toEqual([
      expect.objectContaining({ KeyId: Arn, RotationType: 'ON_DEMAND', RotationDate: clock.now(), KeyMaterialState: 'CURRENT' }),
    ])
    expect(await kms.getKeyRotationStatus({ KeyId })).toEqual(before)
    expect(text((await kms.decrypt({ CiphertextBlob: old.CiphertextBlob })).Plaintext)).toBe('before')
  })

  it(`allows ${MAX_ON_DEMAND_ROTATIONS} rotations per key, then LimitExceededException`, async () => {
    const { kms } = setup()
    const { KeyId } = (await kms.createKey()).KeyMetadata
    for (let i = 0; i < MAX_ON_DEMAND_ROTATIONS; i++) await kms.rotateKeyOnDemand({ KeyId })
    await expectKmsError(kms.rotateKeyOnDemand({ KeyId }), LimitExceededException, /on-demand rotations limit has been reached/)
    expect((await kms.listKeyRotations({ KeyId, Limit: 1000 })).Rotations).toHaveLength(MAX_ON_DEMAND_ROTATIONS)
  })

  it('refuses a disabled key', async () => {
    const { kms } = setup()
    const { KeyId } = (await kms.createKey()).KeyMetadata
    await kms.disableKey({ KeyId })
    await expectKmsError(kms.rotateKeyOnDemand({ KeyId }), DisabledException)
  })
})

describe('ListKeyRotations', () => {
  it('pages, and lists the original material with IncludeKeyMaterial ALL_KEY_MATERIAL', async () => {
    const { kms } = setup()
    const { KeyId, CurrentKeyMaterialId: original } = (await kms.createKey()).KeyMetadata
    for (let i = 0; i < 5; i++) await kms.rotateKeyOnDemand({ KeyId })
    const first = await kms.listKeyRotations({ KeyId, Limit: 2 })
    expect(first.Rotations).toHaveLength(2)
    expect(first.Truncated).toBe(true)
    const rest = await kms.listKeyRotations({ KeyId, Marker: first.NextMarker! })
    expect(rest.Rotations).toHaveLength(3)
    expect(rest.Truncated).toBe(false)
    const all = await kms.listKeyRotations({ KeyId, IncludeKeyMaterial: 'ALL_KEY_MATERIAL' } as never)
    expect(all.Rotations).toHaveLength(6)
    expect(all.Rotations[0]).toMatchObject({ KeyMaterialId: original, KeyMaterialState: 'NON_CURRENT' })
    expect(all.Rotations[0]!.RotationType).toBeUndefined()
  })
})
