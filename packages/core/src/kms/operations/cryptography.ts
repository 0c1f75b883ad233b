/**
 * Encrypt, Decrypt, GenerateDataKey, GenerateDataKeyWithoutPlaintext, GenerateRandom (KMS API
 * Reference; ReEncrypt, rarer, is reEncrypt.ts, on these helpers). Symmetric keys make the
 * ciphertext blobs of format/ciphertextBlob.ts; RSA keys with ENCRYPT_DECRYPT usage make
 * RSAES-OAEP ciphertexts (RFC 8017 §7.1) under their public key, which anyone can also make
 * from GetPublicKey.
 */
import {
  IncorrectKeyException,
  InvalidCiphertextException,
  InvalidKeyUsageException,
  KMSInvalidStateException,
  NotFoundException,
  UnsupportedOperationException,
  ValidationException,
} from '../errors.js'
import { openBlob, parseBlobHeader, sealBlob, type BlobHeader } from '../format/ciphertextBlob.js'
import type { ContextPairs } from '../format/encryptionContext.js'
import type { KeyRecord } from '../../keystore/records.js'
import type { Call, Engine } from '../engine.js'
import { assertKeyState } from '../keyStates.js'
import type { AsymmetricEncryptionAlgorithm } from '../keySpecs.js'
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
  requireUsage,
  usableVersion,
  resolveKey,
  type KeyTarget,
} from './common.js'

/** Encrypt accepts at most 4096 bytes of plaintext; Decrypt at most 6144 bytes of ciphertext. */
export const MAX_ENCRYPT_PLAINTEXT = 4096
/**
 * The longest `CiphertextBlob` Decrypt and ReEncrypt accept, 6144 bytes, as AWS KMS
 * (https://docs.aws.amazon.com/kms/latest/APIReference/API_Decrypt.html); a longer one is
 * `ValidationException` (`ERR_KMS_VALIDATION`).
 *
 * @example
 * ```ts
 * import { MAX_CIPHERTEXT_BLOB } from '@webkms/core'
 *
 * const decryptable = (blob: Uint8Array) => blob.byteLength >= 1 && blob.byteLength <= MAX_CIPHERTEXT_BLOB
 * ```
 */
export const MAX_CIPHERTEXT_BLOB = 6144

/** RecipientInfo (attested enclaves): accepted by the model, refused by this engine. */
export const recipientMember = () => structure({})

export function refuseRecipient(r: { Recipient?: unknown }): void {
  if (r.Recipient !== undefined) throw new UnsupportedOperationException('Recipient (attested enclaves) is not supported')
}

type EncryptionAlgorithm = T.EncryptionAlgorithmSpec
export const isAsymmetric = (key: KeyRecord) => key.keySpec !== 'SYMMETRIC_DEFAULT'

/**
 * The algorithm a key encrypts or decrypts with, checked against its spec: symmetric keys use
 * SYMMETRIC_DEFAULT only, RSA keys the RSAES_OAEP algorithms (InvalidKeyUsageException
 * otherwise, as AWS). An encryption context is authenticated by symmetric keys only.
 *
 * RSA keys are rare: their checks and OAEP calls (rsaEncryption.ts, with the key spec table)
 * load with the first call on one (EngineModules). While that module cannot load, every
 * Encrypt, Decrypt and ReEncrypt on an RSA key fails as KMSInternalException, before any other
 * check, and changes nothing; the next call loads it.
 */
export async function algorithmFor(engine: Engine, key: KeyRecord, algorithm: EncryptionAlgorithm, context: ContextPairs | undefined): Promise<EncryptionAlgorithm> {
  requireUsage(key, 'ENCRYPT_DECRYPT')
  if (!isAsymmetric(key)) {
    if (algorithm !== 'SYMMETRIC_DEFAULT') throw new InvalidKeyUsageException(`The encryption algorithm ${algorithm} is not supported by a symmetric encryption KMS key`)
    return algorithm
  }
  ;(await engine.modules.rsaEncryption()).checkRsaAlgorithm(key, algorithm, context)
  return algorithm
}

/** Encrypts under `key` with a checked algorithm: a blob (symmetric) or an OAEP ciphertext (RSA). */
export async function encryptUnder(engine: Engine, key: KeyRecord, algorithm: EncryptionAlgorithm, plaintext: Uint8Array, context: ContextPairs | undefined) {
  const version = usableVersion(key)
  if (isAsymmetric(key)) return { blob: await (await engine.modules.rsaEncryption()).rsaEncrypt(key, version, algorithm as AsymmetricEncryptionAlgorithm, plaintext), version }
  const derived = await engine.blobKeys.forSealing(key.keyId, version)
  const cipher = engine.blobCipher()
  const sealed = await sealBlob(derived, plaintext, context, engine.random, cipher instanceof Promise ? await cipher : cipher)
  return { blob: sealed, version }
}

/** Where a ciphertext's key comes from: the blob's header (symmetric), or the KeyId the caller gave (RSA). */
type Source = { key: KeyRecord; header: BlobHeader } | { key: KeyRecord; header?: undefined }

/**
 * The key a ciphertext is for. An RSA ciphertext names no key, so the caller's KeyId decides
 * (KeyId is required for asymmetric keys). A symmetric blob names its key: a KeyId the caller
 * gave only names the key it expects (IncorrectKeyException when the blob names another);
 * access is decided on the key the blob names. A blob naming no key here (never existed, or
 * deleted) is just invalid to the caller.
 */
export async function ciphertextKey(engine: Engine, call: Call, ciphertext: Uint8Array, keyId: string | undefined, algorithm: EncryptionAlgorithm): Promise<Source> {
  const expected = keyId === undefined ? undefined : await engine.findKey(call, keyId, true)
  if (expected && isAsymmetric(expected)) return { key: expected }
  if (!expected && algorithm !== 'SYMMETRIC_DEFAULT') throw new ValidationException(`KeyId is required to decrypt with an asymmetric KMS key (EncryptionAlgorithm ${algorithm})`)
  const header = parseBlobHeader(ciphertext)
  if (expected && expected.keyId !== header.keyId) {
    throw new IncorrectKeyException('The key ID in the request does not identify a KMS key that can perform this operation.')
  }
  try {
    return { key: expected ?? (await engine.findKey(call, header.keyId, false)), header }
  } catch (error) {
    if (error instanceof NotFoundException) throw new InvalidCiphertextException('The ciphertext is invalid.')
    throw error
  }
}

/** Checks the key's state, algorithm and version, then decrypts; every cryptographic failure is the one opaque error. */
export async function decryptWith(engine: Engine, source: Source, ciphertext: Uint8Array, algorithm: EncryptionAlgorithm, context: ContextPairs | undefined, operation: 'Decrypt' | 'ReEncrypt', dryRun: boolean | undefined) {
  const { key, header } = source
  assertKeyState(key, operation)
  await algorithmFor(engine, key, algorithm, context)
  if (!header) {
    const version = usableVersion(key)
    dryRunStop(dryRun)
    const plaintext = await (await engine.modules.rsaEncryption()).rsaDecrypt(version.privateKeys![algorithm]!, ciphertext)
    if (!plaintext) throw new InvalidCiphertextException('The ciphertext is invalid.')
    return { version, plaintext, symmetric: false }
  }
  const version = key.versions.find((v) => v.version === header.keyVersion)
  if (!version) throw new InvalidCiphertextException('The ciphertext is invalid.')
  if (!version.material) throw new KMSInvalidStateException(`${key.arn} is pending import.`)
  dryRunStop(dryRun)
  const cipher = engine.blobCipher()
  return { version, plaintext: await openBlob(ciphertext, version.material, context, (salt) => engine.blobKeys.derived(key.keyId, version, salt), cipher instanceof Promise ? await cipher : cipher), symmetric: true }
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
  parse: (r) => (checkGrantTokens(r.GrantTokens), { ...r, algorithm: r.EncryptionAlgorithm ?? 'SYMMETRIC_DEFAULT' }),
  resolve: resolveKey(true),
  permissions: (r, { key }) => [{ on: key, requestKeyId: r.KeyId, encryptionContext: r.EncryptionContext ?? [], conditions: algorithmCondition(r.algorithm) }],
  async run({ engine }, r, { key }) {
    try {
      assertKeyState(key, 'Encrypt')
      const algorithm = await algorithmFor(engine, key, r.algorithm, r.EncryptionContext)
      dryRunStop(r.DryRun)
      const { blob: out } = await encryptUnder(engine, key, algorithm, r.Plaintext, r.EncryptionContext)
      return { CiphertextBlob: out, KeyId: key.arn, EncryptionAlgorithm: algorithm }
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
  parse: (r) => (checkGrantTokens(r.GrantTokens), refuseRecipient(r), { ...r, algorithm: r.EncryptionAlgorithm ?? 'SYMMETRIC_DEFAULT' }),
  resolve: (engine, call, r) => ciphertextKey(engine, call, r.CiphertextBlob, r.KeyId, r.algorithm),
  permissions: (r, { key }) => [{ on: key, ...(r.KeyId === undefined ? {} : { requestKeyId: r.KeyId }), encryptionContext: r.EncryptionContext ?? [], conditions: algorithmCondition(r.algorithm) }],
  async run({ engine }, r, source) {
    const { version, plaintext, symmetric } = await decryptWith(engine, source, r.CiphertextBlob, r.algorithm, r.EncryptionContext, 'Decrypt', r.DryRun)
    return { KeyId: source.key.arn, Plaintext: plaintext, EncryptionAlgorithm: r.algorithm, ...(symmetric ? { KeyMaterialId: version.keyMaterialId } : {}) }
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
  symmetricKeyFor(key, operation)
  dryRunStop(r.DryRun)
  const plaintext = engine.random(r.length).slice()
  const { blob: out, version } = await encryptUnder(engine, key, 'SYMMETRIC_DEFAULT', plaintext, r.EncryptionContext)
  return { plaintext, blob: out, version }
}

/** Data keys and data key pairs are encrypted under a symmetric encryption key only. */
export function symmetricKeyFor(key: KeyRecord, operation: string): void {
  if (key.keyUsage !== 'ENCRYPT_DECRYPT' || isAsymmetric(key)) {
    throw new InvalidKeyUsageException(`${key.arn} is a ${key.keySpec} key with KeyUsage ${key.keyUsage}; ${operation} needs a symmetric encryption KMS key`)
  }
}

/** A plaintext sealed under a symmetric key's current version (GenerateDataKeyPair). */
export const sealUnder = (engine: Engine, key: KeyRecord, plaintext: Uint8Array, context: ContextPairs | undefined) => encryptUnder(engine, key, 'SYMMETRIC_DEFAULT', plaintext, context)

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
