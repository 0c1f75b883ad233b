import type { KeyRecord } from '../keystore/records.js'
import { currentVersion, hasMaterial } from './keyTimeline.js'
import { keyAlgorithms } from './keySpecs.js'
import type { KeyMetadata } from './types.js'

/** DescribeKey's KeyMetadata for a key: the fields AWS returns for its spec, usage and origin. */
export function keyMetadata(key: KeyRecord): KeyMetadata {
  const current = currentVersion(key)
  const m: KeyMetadata = {
    AWSAccountId: key.accountId,
    KeyId: key.keyId,
    Arn: key.arn,
    CreationDate: key.creationDate,
    Enabled: key.keyState === 'Enabled',
    Description: key.description,
    KeyUsage: key.keyUsage,
    KeyState: key.keyState,
    Origin: key.origin,
    KeyManager: 'CUSTOMER',
    CustomerMasterKeySpec: key.keySpec,
    KeySpec: key.keySpec,
    ...(keyAlgorithms(key.keySpec, key.keyUsage) as Partial<KeyMetadata>),
    MultiRegion: false,
  }
  if (key.deletionDate) m.DeletionDate = key.deletionDate
  // KeyMetadata.ValidTo: "The earliest time at which any imported key material permanently
  // associated with this KMS key expires" (AWS KMS API Reference); the model says whether any does.
  if (key.origin === 'EXTERNAL' && current?.imported) {
    const expiring = key.versions
      .filter((v) => !v.pendingRotation && hasMaterial(v) && v.imported?.validTo)
      .map((v) => v.imported!.validTo!)
      .sort((a, b) => a.getTime() - b.getTime())
    m.ExpirationModel = expiring.length ? 'KEY_MATERIAL_EXPIRES' : current.imported.expirationModel
    if (expiring.length) m.ValidTo = expiring[0]!
  }
  if (current) m.CurrentKeyMaterialId = current.keyMaterialId
  return m
}
