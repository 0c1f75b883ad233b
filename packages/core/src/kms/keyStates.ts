/**
 * Which key states allow which operation, and the error each refusal raises: AWS's table in
 * "Key states of AWS KMS keys" (https://docs.aws.amazon.com/kms/latest/developerguide/key-state.html).
 * Operations not listed (DescribeKey, ListResourceTags, DeleteAlias, GetKeyRotationStatus,
 * ListKeyRotations, the List* operations) work in every state.
 *
 * The table leaves "DisabledException or KMSInvalidStateException" open for cryptographic
 * operations on a key pending deletion; we raise KMSInvalidStateException, as AWS does today.
 * RotateKeyOnDemand is newer than the table; its errors follow EnableKeyRotation's.
 * DeleteImportedKeyMaterial works in every state (in PendingDeletion it leaves the state as it is;
 * on a key with no material, in PendingImport, it has no effect).
 */
import { DisabledException, KMSInvalidStateException } from './errors.js'
import type { KeyRecord, KeyState } from '../keystore/records.js'

type Refusal = 'disabled' | 'pendingDeletion' | 'pendingImport' | 'notPendingDeletion'
type Rule = Partial<Record<KeyState, Refusal>>

const cryptographic: Rule = { Disabled: 'disabled', PendingDeletion: 'pendingDeletion', PendingImport: 'pendingImport' }
const management: Rule = { PendingDeletion: 'pendingDeletion' }
const enableDisable: Rule = { PendingDeletion: 'pendingDeletion', PendingImport: 'pendingImport' }
const rotation: Rule = { Disabled: 'disabled', PendingDeletion: 'pendingDeletion', PendingImport: 'pendingImport' }
/** GetParametersForImport and ImportKeyMaterial: any state but PendingDeletion (a reimport may come while the key is in use). */
const importing: Rule = { PendingDeletion: 'pendingDeletion' }

export const keyStateRules = {
  UpdateKeyDescription: management,
  EnableKey: enableDisable,
  DisableKey: enableDisable,
  ScheduleKeyDeletion: management,
  CancelKeyDeletion: { Enabled: 'notPendingDeletion', Disabled: 'notPendingDeletion', PendingImport: 'notPendingDeletion' },
  CreateAlias: management,
  /** Applies to the alias's new target only; the old target may be in any state. */
  UpdateAlias: management,
  TagResource: management,
  UntagResource: management,
  EnableKeyRotation: rotation,
  DisableKeyRotation: rotation,
  RotateKeyOnDemand: rotation,
  Encrypt: cryptographic,
  Decrypt: cryptographic,
  ReEncrypt: cryptographic,
  GenerateDataKey: cryptographic,
  GenerateDataKeyWithoutPlaintext: cryptographic,
  GenerateDataKeyPair: cryptographic,
  GenerateDataKeyPairWithoutPlaintext: cryptographic,
  Sign: cryptographic,
  Verify: cryptographic,
  GenerateMac: cryptographic,
  VerifyMac: cryptographic,
  GetPublicKey: cryptographic,
  DeriveSharedSecret: cryptographic,
  GetParametersForImport: importing,
  ImportKeyMaterial: importing,
  DeleteImportedKeyMaterial: {},
  CreateGrant: { Disabled: 'disabled', PendingDeletion: 'pendingDeletion', PendingImport: 'pendingImport' },
} satisfies Record<string, Rule>

export type StateCheckedOperation = keyof typeof keyStateRules

/** Throws the error AWS raises when `operation` meets a key in its current state. */
export function assertKeyState(key: KeyRecord, operation: StateCheckedOperation): void {
  const refusal = (keyStateRules[operation] as Rule)[key.keyState]
  switch (refusal) {
    case undefined:
      return
    case 'disabled':
      throw new DisabledException(`${key.arn} is disabled.`)
    case 'pendingDeletion':
      throw new KMSInvalidStateException(`${key.arn} is pending deletion.`)
    case 'pendingImport':
      throw new KMSInvalidStateException(`${key.arn} is pending import.`)
    case 'notPendingDeletion':
      throw new KMSInvalidStateException(`${key.arn} is not pending deletion.`)
  }
}
