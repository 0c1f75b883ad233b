/**
 * GenerateDataKeyPair and GenerateDataKeyPairWithoutPlaintext (KMS API Reference): a fresh RSA
 * or ECC key pair for use outside KMS, its private key (PKCS#8 DER) encrypted under a symmetric
 * encryption key as a ciphertext blob that Decrypt opens, with the encryption context bound to
 * it; the public key as DER SubjectPublicKeyInfo.
 */
import { UnsupportedOperationException } from '../errors.js'
import { generateExtractablePair } from '../crypto/versionMaterial.js'
import type { KeyRecord } from '../../keystore/records.js'
import { assertKeyState } from '../keyStates.js'
import { ALL_KEY_PAIR_SPECS, SPECS } from '../keySpecs.js'
import { defineOperation } from '../operation.js'
import { enumOf, type Infer } from '../request/schema.js'
import type * as T from '../types.js'
import { algorithmCondition, checkGrantTokens, dryRunMember, dryRunStop, encryptionContextMember, grantTokensMember, keyIdMember, resolveKey, type KeyTarget } from './common.js'
import { recipientMember, refuseRecipient, sealUnder, symmetricKeyFor } from './cryptography.js'
import type { ContextPairs } from '../format/encryptionContext.js'
import type { Engine } from '../engine.js'

const subtle = () => globalThis.crypto.subtle

const schema = {
  EncryptionContext: encryptionContextMember(),
  KeyId: keyIdMember(),
  KeyPairSpec: enumOf([...ALL_KEY_PAIR_SPECS, 'ML_KEM_512', 'ML_KEM_768', 'ML_KEM_1024'] as const, { required: true }),
  GrantTokens: grantTokensMember(),
  Recipient: recipientMember(),
  DryRun: dryRunMember(),
}

function parse(r: Infer<typeof schema>) {
  checkGrantTokens(r.GrantTokens)
  refuseRecipient(r)
  const info = SPECS[r.KeyPairSpec as keyof typeof SPECS]
  if (!info || (info.family !== 'rsa' && info.family !== 'ecc')) {
    throw new UnsupportedOperationException(`KeyPairSpec ${r.KeyPairSpec} is not supported: webkms makes RSA_2048, RSA_3072, RSA_4096, ECC_NIST_P256, ECC_NIST_P384 and ECC_NIST_P521 data key pairs`)
  }
  return { ...r, info }
}

async function makePair(engine: Engine, key: KeyRecord, r: ReturnType<typeof parse>, operation: 'GenerateDataKeyPair' | 'GenerateDataKeyPairWithoutPlaintext') {
  assertKeyState(key, operation)
  symmetricKeyFor(key, operation)
  dryRunStop(r.DryRun)
  const { info } = r
  const pair = await generateExtractablePair(info)
  const privateKey = new Uint8Array(await subtle().exportKey('pkcs8', pair.privateKey))
  const publicKey = new Uint8Array(await subtle().exportKey('spki', pair.publicKey))
  const sealed = await sealUnder(engine, key, privateKey, r.EncryptionContext as ContextPairs | undefined)
  return { privateKey, publicKey, sealed }
}

const row = {
  schema,
  parse,
  resolve: resolveKey(true),
  permissions: (r: ReturnType<typeof parse>, { key }: KeyTarget) => [
    {
      on: key,
      requestKeyId: r.KeyId,
      encryptionContext: r.EncryptionContext ?? [],
      conditions: { ...algorithmCondition('SYMMETRIC_DEFAULT'), 'kms:DataKeyPairSpec': { values: [r.KeyPairSpec] } },
    },
  ],
}

export const generateDataKeyPair = defineOperation<T.GenerateDataKeyPairRequest, T.GenerateDataKeyPairResponse>()({
  name: 'GenerateDataKeyPair',
  ...row,
  async run({ engine }, r, { key }) {
    const { privateKey, publicKey, sealed } = await makePair(engine, key, r, 'GenerateDataKeyPair')
    return { PrivateKeyCiphertextBlob: sealed.blob, PrivateKeyPlaintext: privateKey, PublicKey: publicKey, KeyId: key.arn, KeyPairSpec: r.KeyPairSpec, KeyMaterialId: sealed.version.keyMaterialId }
  },
})

export const generateDataKeyPairWithoutPlaintext = defineOperation<T.GenerateDataKeyPairWithoutPlaintextRequest, T.GenerateDataKeyPairWithoutPlaintextResponse>()({
  name: 'GenerateDataKeyPairWithoutPlaintext',
  ...row,
  async run({ engine }, r, { key }) {
    const { privateKey, publicKey, sealed } = await makePair(engine, key, r, 'GenerateDataKeyPairWithoutPlaintext')
    privateKey.fill(0)
    return { PrivateKeyCiphertextBlob: sealed.blob, PublicKey: publicKey, KeyId: key.arn, KeyPairSpec: r.KeyPairSpec, KeyMaterialId: sealed.version.keyMaterialId }
  },
})
