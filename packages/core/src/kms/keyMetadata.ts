import type { KeyRecord } from '../keystore/records.js'
import { currentVersion } from './keyTimeline.js'
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
  // The expiration of EXTERNAL keys is that of the current material (DescribeKey API reference).
  if (key.origin === 'EXTERNAL' && current?.imported) {
    m.ExpirationModel = current.imported.expirationModel
    if (current.imported.validTo) m.ValidTo = current.imported.validTo
  }
  if (current) m.CurrentKeyMaterialId = current.keyMaterialId
  return m
}
