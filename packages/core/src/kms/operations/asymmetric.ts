/**
 * Operations of asymmetric keys: Sign, Verify, GetPublicKey, DeriveSharedSecret (KMS API
 * Reference). RSA and ECC keys; the algorithms each spec allows are in kms/keySpecs.ts.
 *
 * MessageType DIGEST is refused (UnsupportedOperationException): signing a digest someone else
 * computed needs the raw signature primitive, which WebCrypto does not offer for a
 * non-extractable key (it always hashes the message itself), and webkms does not take private
 * keys out of WebCrypto to do it in JavaScript. Verify refuses it too, so a signature made here
 * always verifies here. Send the message itself (up to 4096 bytes), or verify a digest's
 * signature offline with the key from GetPublicKey.
 */
import { InvalidKeyUsageException, KMSInvalidSignatureException, UnsupportedOperationException, ValidationException } from '../errors.js'
import { deriveSharedSecret as ecdh, signMessage, verifyMessage } from '../crypto/asymmetric.js'
import type { KeyRecord } from '../../keystore/records.js'
import { assertKeyState } from '../keyStates.js'
import { ALL_SIGNING_ALGORITHMS, keyAlgorithms, SPECS, type SigningAlgorithm, type SpecInfo } from '../keySpecs.js'
import { defineOperation } from '../operation.js'
import { blob, enumOf, type Infer } from '../request/schema.js'
import type * as T from '../types.js'
import { checkGrantTokens, dryRunMember, dryRunStop, grantTokensMember, keyIdMember, requireUsage, resolveKey, usableVersion, type KeyTarget } from './common.js'
import { recipientMember, refuseRecipient } from './cryptography.js'

/** Sign and Verify take a message of at most 4096 bytes. */
export const MAX_SIGNED_MESSAGE = 4096

const signingSchema = {
  KeyId: keyIdMember(),
  Message: blob(1, MAX_SIGNED_MESSAGE, { required: true, sensitive: true }),
  MessageType: enumOf(['RAW', 'DIGEST', 'EXTERNAL_MU'] as const),
  GrantTokens: grantTokensMember(),
  SigningAlgorithm: enumOf(ALL_SIGNING_ALGORITHMS, { required: true }),
  DryRun: dryRunMember(),
}

const verifySchema = { ...signingSchema, Signature: blob(1, 6144, { required: true }) }

function parseSigning<R extends { MessageType?: string; GrantTokens?: string[] }>(r: R) {
  checkGrantTokens(r.GrantTokens)
  const messageType = r.MessageType ?? 'RAW'
  if (messageType === 'DIGEST') {
    throw new UnsupportedOperationException('MessageType DIGEST is not supported: WebCrypto cannot sign a precomputed digest with a non-extractable key. Send the message (RAW, up to 4096 bytes).')
  }
  if (messageType === 'EXTERNAL_MU') throw new UnsupportedOperationException('MessageType EXTERNAL_MU is for ML-DSA keys, which webkms does not support')
  return { ...r, messageType }
}

/** The spec's parameters for the requested algorithm (InvalidKeyUsageException when the key cannot do it). */
function signingParams(key: KeyRecord, algorithm: string): { info: SpecInfo; params: NonNullable<SpecInfo['signing']>[SigningAlgorithm] & object } {
  requireUsage(key, 'SIGN_VERIFY')
  const info = SPECS[key.keySpec]!
  const params = info.signing?.[algorithm as SigningAlgorithm]
  if (!params) throw new InvalidKeyUsageException(`The signing algorithm ${algorithm} is not supported by ${key.arn} (${key.keySpec}); it supports ${Object.keys(info.signing ?? {}).join(', ')}`)
  return { info, params }
}

const signingPermissions = (r: { KeyId: string; SigningAlgorithm: string; messageType: string }, { key }: KeyTarget) => [
  { on: key, requestKeyId: r.KeyId, conditions: { 'kms:SigningAlgorithm': { values: [r.SigningAlgorithm] }, 'kms:MessageType': { values: [r.messageType] } } },
]

export const sign = defineOperation<T.SignRequest, T.SignResponse>()({
  name: 'Sign',
  schema: signingSchema,
  parse: (r: Infer<typeof signingSchema>) => parseSigning(r),
  resolve: resolveKey(true),
  permissions: signingPermissions,
  async run(_ctx, r, { key }) {
    try {
      assertKeyState(key, 'Sign')
      const { info, params } = signingParams(key, r.SigningAlgorithm)
      const version = usableVersion(key)
      dryRunStop(r.DryRun)
      const signature = await signMessage(version.privateKeys![r.SigningAlgorithm]!, params, info, r.Message)
      return { KeyId: key.arn, Signature: signature, SigningAlgorithm: r.SigningAlgorithm }
    } finally {
      r.Message.fill(0)
    }
  },
})

export const verify = defineOperation<T.VerifyRequest, T.VerifyResponse>()({
  name: 'Verify',
  schema: verifySchema,
  parse: (r: Infer<typeof verifySchema>) => parseSigning(r),
  resolve: resolveKey(true),
  permissions: signingPermissions,
  async run(_ctx, r, { key }) {
    try {
      assertKeyState(key, 'Verify')
      const { info, params } = signingParams(key, r.SigningAlgorithm)
      const version = usableVersion(key)
      dryRunStop(r.DryRun)
      if (!(await verifyMessage(version.publicKey!, params, info, r.Message, r.Signature))) {
        throw new KMSInvalidSignatureException('The signature is not valid for this message, key and signing algorithm.')
      }
      return { KeyId: key.arn, SignatureValid: true, SigningAlgorithm: r.SigningAlgorithm }
    } finally {
      r.Message.fill(0)
    }
  },
})

export const getPublicKey = defineOperation<T.GetPublicKeyRequest, T.GetPublicKeyResponse>()({
  name: 'GetPublicKey',
  schema: { KeyId: keyIdMember(), GrantTokens: grantTokensMember() },
  parse: (r) => (checkGrantTokens(r.GrantTokens), r),
  resolve: resolveKey(true),
  permissions: (r, { key }) => [{ on: key, requestKeyId: r.KeyId }],
  async run(_ctx, _r, { key }) {
    assertKeyState(key, 'GetPublicKey')
    const family = SPECS[key.keySpec]?.family
    if (family !== 'rsa' && family !== 'ecc') throw new UnsupportedOperationException(`${key.arn} is a ${key.keySpec} key: only asymmetric KMS keys have a public key`)
    const version = usableVersion(key)
    return {
      KeyId: key.arn,
      PublicKey: version.publicKey!.slice(),
      CustomerMasterKeySpec: key.keySpec,
      KeySpec: key.keySpec,
      KeyUsage: key.keyUsage,
      ...(keyAlgorithms(key.keySpec, key.keyUsage) as Pick<T.GetPublicKeyResponse, 'EncryptionAlgorithms' | 'SigningAlgorithms' | 'KeyAgreementAlgorithms'>),
    }
  },
})

export const deriveSharedSecret = defineOperation<T.DeriveSharedSecretRequest, T.DeriveSharedSecretResponse>()({
  name: 'DeriveSharedSecret',
  schema: {
    KeyId: keyIdMember(),
    KeyAgreementAlgorithm: enumOf(['ECDH'] as const, { required: true }),
    PublicKey: blob(1, 8192, { required: true }),
    GrantTokens: grantTokensMember(),
    DryRun: dryRunMember(),
    Recipient: recipientMember(),
  },
  parse: (r) => (checkGrantTokens(r.GrantTokens), refuseRecipient(r), r),
  resolve: resolveKey(true),
  permissions: (r, { key }) => [{ on: key, requestKeyId: r.KeyId, conditions: { 'kms:KeyAgreementAlgorithm': { values: [r.KeyAgreementAlgorithm] } } }],
  async run(_ctx, r, { key }) {
    assertKeyState(key, 'DeriveSharedSecret')
    requireUsage(key, 'KEY_AGREEMENT')
    const version = usableVersion(key)
    dryRunStop(r.DryRun)
    const info = SPECS[key.keySpec]!
    const secret = await ecdh(version.privateKeys!.ECDH!, info, r.PublicKey)
    if (!secret) throw new ValidationException(`PublicKey is not a DER-encoded SubjectPublicKeyInfo of a valid point on ${info.curve} (the curve of ${key.keySpec})`)
    return { KeyId: key.arn, SharedSecret: secret, KeyAgreementAlgorithm: 'ECDH', KeyOrigin: key.origin }
  },
})
