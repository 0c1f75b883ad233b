import type { KeyRecord } from '../keystore/records.js'
import { currentVersion } from './engine.js'
import type { KeyMetadata } from './types.js'

/** DescribeKey's KeyMetadata for a key, with the fields AWS returns for a symmetric AWS_KMS key. */
export function keyMetadata(key: KeyRecord): KeyMetadata {
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
    EncryptionAlgorithms: ['SYMMETRIC_DEFAULT'],
    MultiRegion: false,
    CurrentKeyMaterialId: currentVersion(key).keyMaterialId,
  }
  if (key.deletionDate) m.DeletionDate = key.deletionDate
  return m
}
