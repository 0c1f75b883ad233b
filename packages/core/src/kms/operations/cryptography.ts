/**
 * Encrypt, Decrypt, ReEncrypt, GenerateDataKey, GenerateDataKeyWithoutPlaintext, GenerateRandom
 * (KMS API Reference). Ciphertext blobs are described in format/ciphertextBlob.ts.
 */
import {
  IncorrectKeyException,
  InvalidCiphertextException,
  InvalidKeyUsageException,
  NotFoundException,
  UnsupportedOperationException,
  ValidationException,
} from '../errors.js'
import { openBlob, parseBlobHeader, sealBlob, type BlobHeader } from '../format/ciphertextBlob.js'
import type { ContextPairs } from '../format/encryptionContext.js'
import type { KeyRecord } from '../../keystore/records.js'
import { currentVersion, type Call, type Engine } from '../engine.js'
import { assertKeyState } from '../keyStates.js'
import { defineOperation, noTarget } from '../operation.js'
import { blob, enumOf, integer, string, structure, type Infer } from '../request/schema.js'
import type * as T from '../types.js'
import {
  algorithmCondition,
  checkGrantTokens,
  dryRunMember,
  dryRunStop,
  encryptionAlgorithmMember,
  encryptionContextMember,
  grantTokensMember,
  keyIdMember,
  optionalKeyIdMember,
  resolveKey,
  type KeyTarget,
} from './common.js'

/** Encrypt accepts at most 4096 bytes of plaintext; Decrypt at most 6144 bytes of ciphertext. */
export const MAX_ENCRYPT_PLAINTEXT = 4096
export const MAX_CIPHERTEXT_BLOB = 6144

/** RecipientInfo (attested enclaves): accepted by the model, refused by this engine. */
const recipientMember = () => structure({})

function refuseRecipient(r: { Recipient?: unknown }): void {
  if (r.Recipient !== undefined) throw new UnsupportedOperationException('Recipient (attested enclaves) is not supported')
}

/** Symmetric keys use SYMMETRIC_DEFAULT only; asking for another algorithm is a key-usage error. */
function symmetricAlgorithm(alg: string | undefined): 'SYMMETRIC_DEFAULT' {
  const a = alg ?? 'SYMMETRIC_DEFAULT'
  if (a !== 'SYMMETRIC_DEFAULT') throw new InvalidKeyUsageException(`The encryption algorithm ${a} is not supported by a symmetric encryption KMS key`)
  return a
}

async function seal(engine: Engine, key: KeyRecord, plaintext: Uint8Array, context: ContextPairs | undefined) {
  const version = currentVersion(key)
  const sealed = await sealBlob({ keyId: key.keyId, keyVersion: version.version }, version.material, plaintext, context, engine.random)
  return { blob: sealed, version }
}

/**
 * The key a ciphertext names. A KeyId the caller gave only names the key it expects
 * (IncorrectKeyException when the blob names another); access is decided on the key the blob
 * names. A blob naming no key here (never existed, or deleted) is just invalid to the caller.
 */
async function blobKey(engine: Engine, call: Call, ciphertext: Uint8Array, expectedKeyId: string | undefined): Promise<{ key: KeyRecord; header: BlobHeader }> {
  const header = parseBlobHeader(ciphertext)
  if (expectedKeyId !== undefined) {
    const expected = await engine.findKey(call, expectedKeyId, true)
    if (expected.keyId !== header.keyId) {
      throw new IncorrectKeyException('The key ID in the request does not identify a KMS key that can perform this operation.')
    }
  }
  try {
    return { key: await engine.findKey(call, header.keyId, false), header }
  } catch (error) {
    if (error instanceof NotFoundException) throw new InvalidCiphertextException('The ciphertext is invalid.')
    throw error
  }
}

/** Checks the key's state and version, then decrypts; every cryptographic failure is the one opaque error. */
async function open(key: KeyRecord, header: BlobHeader, ciphertext: Uint8Array, context: ContextPairs | undefined, operation: 'Decrypt' | 'ReEncrypt', dryRun: boolean | undefined) {
  assertKeyState(key, operation)
  const version = key.versions.find((v) => v.version === header.keyVersion)
  if (!version) throw new InvalidCiphertextException('The ciphertext is invalid.')
  dryRunStop(dryRun)
  return { version, plaintext: await openBlob(ciphertext, version.material, context) }
}

export const encrypt = defineOperation<T.EncryptRequest, T.EncryptResponse>()({
  name: 'Encrypt',
  schema: {
    KeyId: keyIdMember(),
    Plaintext: blob(1, MAX_ENCRYPT_PLAINTEXT, { required: true, sensitive: true }),
    EncryptionContext: encryptionContextMember(),
    GrantTokens: grantTokensMember(),
    EncryptionAlgorithm: encryptionAlgorithmMember(),
    DryRun: dryRunMember(),
  },
  parse: (r) => (checkGrantTokens(r.GrantTokens), { ...r, algorithm: symmetricAlgorithm(r.EncryptionAlgorithm) }),
  resolve: resolveKey(true),
  permissions: (r, { key }) => [{ on: key, requestKeyId: r.KeyId, encryptionContext: r.EncryptionContext ?? [], conditions: algorithmCondition(r.algorithm) }],
  async run({ engine }, r, { key }) {
    assertKeyState(key, 'Encrypt')
    dryRunStop(r.DryRun)
    try {
      const { blob: out } = await seal(engine, key, r.Plaintext, r.EncryptionContext)
      return { CiphertextBlob: out, KeyId: key.arn, EncryptionAlgorithm: r.algorithm }
    } finally {
      r.Plaintext.fill(0) // the snapshot's copy
    }
  },
})

export const decrypt = defineOperation<T.DecryptRequest, T.DecryptResponse>()({
  name: 'Decrypt',
  schema: {
    CiphertextBlob: blob(1, MAX_CIPHERTEXT_BLOB, { required: true }),
    EncryptionContext: encryptionContextMember(),
    GrantTokens: grantTokensMember(),
    KeyId: optionalKeyIdMember(),
    EncryptionAlgorithm: encryptionAlgorithmMember(),
    DryRun: dryRunMember(),
    Recipient: recipientMember(),
  },
  parse: (r) => (checkGrantTokens(r.GrantTokens), refuseRecipient(r), { ...r, algorithm: symmetricAlgorithm(r.EncryptionAlgorithm) }),
  resolve: (engine, call, r) => blobKey(engine, call, r.CiphertextBlob, r.KeyId),
  permissions: (r, { key }) => [{ on: key, ...(r.KeyId === undefined ? {} : { requestKeyId: r.KeyId }), encryptionContext: r.EncryptionContext ?? [], conditions: algorithmCondition(r.algorithm) }],
  async run(_ctx, r, { key, header }) {
    const { version, plaintext } = await open(key, header, r.CiphertextBlob, r.EncryptionContext, 'Decrypt', r.DryRun)
    return { KeyId: key.arn, Plaintext: plaintext, EncryptionAlgorithm: r.algorithm, KeyMaterialId: version.keyMaterialId }
  },
})

export const reEncrypt = defineOperation<T.ReEncryptRequest, T.ReEncryptResponse>()({
  name: 'ReEncrypt',
  schema: {
    CiphertextBlob: blob(1, MAX_CIPHERTEXT_BLOB, { required: true }),
    SourceEncryptionContext: encryptionContextMember(),
    SourceKeyId: optionalKeyIdMember(),
    DestinationKeyId: keyIdMember(),
    DestinationEncryptionContext: encryptionContextMember(),
    SourceEncryptionAlgorithm: encryptionAlgorithmMember(),
    DestinationEncryptionAlgorithm: encryptionAlgorithmMember(),
    GrantTokens: grantTokensMember(),
    DryRun: dryRunMember(),
  },
  parse: (r) => (
    checkGrantTokens(r.GrantTokens),
    { ...r, sourceAlgorithm: symmetricAlgorithm(r.SourceEncryptionAlgorithm), destinationAlgorithm: symmetricAlgorithm(r.DestinationEncryptionAlgorithm) }
  ),
  async resolve(engine, call, r) {
    const destination = await engine.findKey(call, r.DestinationKeyId, true)
    const { key: source, header } = await blobKey(engine, call, r.CiphertextBlob, r.SourceKeyId)
    return { destination, source, header }
  },
  permissions: (r, { destination, source }) => [
    { on: destination, action: 'kms:ReEncryptTo', requestKeyId: r.DestinationKeyId, encryptionContext: r.DestinationEncryptionContext ?? [], conditions: algorithmCondition(r.destinationAlgorithm) },
    { on: source, action: 'kms:ReEncryptFrom', ...(r.SourceKeyId === undefined ? {} : { requestKeyId: r.SourceKeyId }), encryptionContext: r.SourceEncryptionContext ?? [], conditions: algorithmCondition(r.sourceAlgorithm) },
  ],
  async run({ engine }, r, { destination, source, header }) {
    assertKeyState(destination, 'ReEncrypt')
    const opened = await open(source, header, r.CiphertextBlob, r.SourceEncryptionContext, 'ReEncrypt', r.DryRun)
    try {
      const { blob: out, version } = await seal(engine, destination, opened.plaintext, r.DestinationEncryptionContext)
      return {
        CiphertextBlob: out,
        SourceKeyId: source.arn,
        KeyId: destination.arn,
        SourceEncryptionAlgorithm: r.sourceAlgorithm,
        DestinationEncryptionAlgorithm: r.destinationAlgorithm,
        SourceKeyMaterialId: opened.version.keyMaterialId,
        DestinationKeyMaterialId: version.keyMaterialId,
      }
    } finally {
      opened.plaintext.fill(0) // the plaintext never leaves the engine in ReEncrypt
    }
  },
})

const dataKeySchema = {
  KeyId: keyIdMember(),
  EncryptionContext: encryptionContextMember(),
  NumberOfBytes: integer(1, 1024),
  KeySpec: enumOf(['AES_128', 'AES_256'] as const),
  GrantTokens: grantTokensMember(),
  DryRun: dryRunMember(),
  Recipient: recipientMember(),
}

/** KeySpec or NumberOfBytes (1-1024), exactly one of them (GenerateDataKey API reference). */
function parseDataKeyRequest<R extends { KeySpec?: string; NumberOfBytes?: number; GrantTokens?: string[]; Recipient?: unknown }>(r: R) {
  checkGrantTokens(r.GrantTokens)
  if ((r.KeySpec === undefined) === (r.NumberOfBytes === undefined)) throw new ValidationException('Please specify either number of bytes or key spec.')
  refuseRecipient(r)
  return { ...r, length: r.NumberOfBytes ?? (r.KeySpec === 'AES_128' ? 16 : 32) }
}

async function makeDataKey(engine: Engine, key: KeyRecord, r: { length: number; EncryptionContext?: ContextPairs; DryRun?: boolean }, operation: 'GenerateDataKey' | 'GenerateDataKeyWithoutPlaintext') {
  assertKeyState(key, operation)
  dryRunStop(r.DryRun)
  const plaintext = engine.random(r.length).slice()
  const { blob: out, version } = await seal(engine, key, plaintext, r.EncryptionContext)
  return { plaintext, blob: out, version }
}

/** What the two GenerateDataKey rows share: the request, the key, the permission. */
const dataKeyRow = {
  schema: dataKeySchema,
  parse: (r: Infer<typeof dataKeySchema>) => parseDataKeyRequest(r),
  resolve: resolveKey(true),
  permissions: (r: { KeyId: string; EncryptionContext?: ContextPairs }, { key }: KeyTarget) => [{ on: key, requestKeyId: r.KeyId, encryptionContext: r.EncryptionContext ?? [], conditions: algorithmCondition('SYMMETRIC_DEFAULT') }],
}

export const generateDataKey = defineOperation<T.GenerateDataKeyRequest, T.GenerateDataKeyResponse>()({
  name: 'GenerateDataKey',
  ...dataKeyRow,
  async run({ engine }, r, { key }) {
    const { plaintext, blob: out, version } = await makeDataKey(engine, key, r, 'GenerateDataKey')
    return { CiphertextBlob: out, Plaintext: plaintext, KeyId: key.arn, KeyMaterialId: version.keyMaterialId }
  },
})

export const generateDataKeyWithoutPlaintext = defineOperation<T.GenerateDataKeyWithoutPlaintextRequest, T.GenerateDataKeyWithoutPlaintextResponse>()({
  name: 'GenerateDataKeyWithoutPlaintext',
  ...dataKeyRow,
  async run({ engine }, r, { key }) {
    const { plaintext, blob: out, version } = await makeDataKey(engine, key, r, 'GenerateDataKeyWithoutPlaintext')
    plaintext.fill(0)
    return { CiphertextBlob: out, KeyId: key.arn, KeyMaterialId: version.keyMaterialId }
  },
})

export const generateRandom = defineOperation<T.GenerateRandomRequest, T.GenerateRandomResponse>()({
  name: 'GenerateRandom',
  schema: { NumberOfBytes: integer(1, 1024), CustomKeyStoreId: string({ min: 1, max: 64 }), Recipient: recipientMember() },
  parse: (r) => {
    if (r.NumberOfBytes === undefined) throw new ValidationException('NumberOfBytes is required.')
    if (r.CustomKeyStoreId !== undefined) throw new UnsupportedOperationException('Custom key stores are not supported')
    refuseRecipient(r)
    return { length: r.NumberOfBytes }
  },
  resolve: noTarget,
  permissions: () => [{ on: '*' }],
  run: async ({ engine }, r) => ({ Plaintext: engine.random(r.length).slice() }),
})
