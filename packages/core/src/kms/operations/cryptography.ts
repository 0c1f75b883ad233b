/**
 * Encrypt, Decrypt, ReEncrypt, GenerateDataKey, GenerateDataKeyWithoutPlaintext, GenerateRandom
 * (KMS API Reference). Ciphertext blobs are described in format/ciphertextBlob.ts.
 */
import {
  DryRunOperationException,
  IncorrectKeyException,
  InvalidCiphertextException,
  InvalidKeyUsageException,
  NotFoundException,
  UnsupportedOperationException,
  ValidationException,
} from '../../errors.js'
import { openBlob, parseBlobHeader, sealBlob } from '../../format/ciphertextBlob.js'
import type { KeyRecord, KeyVersionRecord } from '../../keystore/records.js'
import type { AccessCheck } from '../authorization.js'
import { currentVersion, type Call, type Engine } from '../engine.js'
import { grantTokens } from './grants.js'
import { assertKeyState, type StateCheckedOperation } from '../keyStates.js'
import type {
  DecryptResponse,
  EncryptionContextType,
  EncryptResponse,
  GenerateDataKeyResponse,
  GenerateDataKeyWithoutPlaintextResponse,
  GenerateRandomResponse,
  ReEncryptResponse,
} from '../types.js'
import {
  optionalBoolean,
  optionalEncryptionContext,
  optionalEnum,
  optionalInteger,
  optionalKeyId,
  optionalString,
  requiredBytes,
  requiredKeyId,
  type Input,
} from '../validate.js'

/** Encrypt accepts at most 4096 bytes of plaintext; Decrypt at most 6144 bytes of ciphertext. */
export const MAX_ENCRYPT_PLAINTEXT = 4096
export const MAX_CIPHERTEXT_BLOB = 6144

const ALGORITHMS = ['SYMMETRIC_DEFAULT', 'RSAES_OAEP_SHA_1', 'RSAES_OAEP_SHA_256', 'SM2PKE'] as const

/** Members every cryptographic operation shares: GrantTokens, DryRun, and no Recipient. */
function commonMembers(input: Input): { dryRun: boolean } {
  grantTokens(input)
  if (input.Recipient !== undefined) {
    throw new UnsupportedOperationException('Recipient (attested enclaves) is not supported')
  }
  return { dryRun: optionalBoolean(input, 'DryRun') ?? false }
}

/** Symmetric keys use SYMMETRIC_DEFAULT only; asking for another algorithm is a key-usage error. */
function algorithm(input: Input, field: string): 'SYMMETRIC_DEFAULT' {
  const alg = optionalEnum(input, field, ALGORITHMS) ?? 'SYMMETRIC_DEFAULT'
  if (alg !== 'SYMMETRIC_DEFAULT') {
    throw new InvalidKeyUsageException(`The encryption algorithm ${alg} is not supported by a symmetric encryption KMS key`)
  }
  return alg
}

/** kms:EncryptionAlgorithm, for the operations that take one (and GenerateDataKey*, which use SYMMETRIC_DEFAULT). */
const algorithmCondition = (alg: string) => ({ 'kms:EncryptionAlgorithm': { values: [alg] } })

function dryRunStop(dryRun: boolean): void {
  if (dryRun) throw new DryRunOperationException('The request would have succeeded, but the DryRun option is set.')
}

async function usableKey(engine: Engine, call: Call, keyId: string, operation: StateCheckedOperation, authorize: AccessCheck = {}): Promise<KeyRecord> {
  const key = await engine.findKey(call, keyId, { allowAlias: true, authorize })
  assertKeyState(key, operation)
  return key
}

async function seal(engine: Engine, key: KeyRecord, plaintext: Uint8Array, context: EncryptionContextType | undefined) {
  const version = currentVersion(key)
  const blob = await sealBlob({ keyId: key.keyId, keyVersion: version.version }, version.material, plaintext, context, engine.random)
  return { blob, version }
}

/**
 * Finds the key and version a blob names, checks the caller's KeyId (if any) against it and
 * the key's state, and only then decrypts.
 */
async function open(
  engine: Engine,
  call: Call,
  blob: Uint8Array,
  context: EncryptionContextType | undefined,
  expectedKeyId: string | undefined,
  operation: 'Decrypt' | 'ReEncrypt',
  dryRun: boolean,
  authorize: AccessCheck,
): Promise<{ key: KeyRecord; version: KeyVersionRecord; plaintext: Uint8Array }> {
  const header = parseBlobHeader(blob)
  if (expectedKeyId !== undefined) {
    // Only names the key the caller expects; access is decided on the key the blob names.
    const expected = await engine.findKey(call, expectedKeyId, { allowAlias: true, authorize: false })
    if (expected.keyId !== header.keyId) {
      throw new IncorrectKeyException('The key ID in the request does not identify a KMS key that can perform this operation.')
    }
  }
  let key: KeyRecord
  try {
    key = await engine.findKey(call, header.keyId, { allowAlias: false, authorize: false })
  } catch (error) {
    // No key here made this blob (never existed, or deleted): to the caller it is just invalid.
    if (error instanceof NotFoundException) throw new InvalidCiphertextException('The ciphertext is invalid.')
    throw error
  }
  await engine.authorizer.authorize(call, { key }, { ...(expectedKeyId === undefined ? {} : { requestKeyId: expectedKeyId }), ...authorize })
  assertKeyState(key, operation)
  const version = key.versions.find((v) => v.version === header.keyVersion)
  if (!version) throw new InvalidCiphertextException('The ciphertext is invalid.')
  dryRunStop(dryRun)
  return { key, version, plaintext: await openBlob(blob, version.material, context) }
}

export async function encrypt(engine: Engine, call: Call, input: Input): Promise<EncryptResponse> {
  const keyId = requiredKeyId(input)
  const plaintext = requiredBytes(input, 'Plaintext', 1, MAX_ENCRYPT_PLAINTEXT)
  const context = optionalEncryptionContext(input, 'EncryptionContext')
  const alg = algorithm(input, 'EncryptionAlgorithm')
  const { dryRun } = commonMembers(input)
  try {
    const key = await usableKey(engine, call, keyId, 'Encrypt', { conditions: algorithmCondition(alg) })
    dryRunStop(dryRun)
    const { blob } = await seal(engine, key, plaintext, context)
    return { CiphertextBlob: blob, KeyId: key.arn, EncryptionAlgorithm: alg }
  } finally {
    plaintext.fill(0) // our private copy
  }
}

export async function decrypt(engine: Engine, call: Call, input: Input): Promise<DecryptResponse> {
  const blob = requiredBytes(input, 'CiphertextBlob', 1, MAX_CIPHERTEXT_BLOB)
  const context = optionalEncryptionContext(input, 'EncryptionContext')
  const keyId = optionalKeyId(input)
  const alg = algorithm(input, 'EncryptionAlgorithm')
  const { dryRun } = commonMembers(input)
  const { key, version, plaintext } = await open(engine, call, blob, context, keyId, 'Decrypt', dryRun, {
    encryptionContext: context ?? {},
    conditions: algorithmCondition(alg),
  })
  return { KeyId: key.arn, Plaintext: plaintext, EncryptionAlgorithm: alg, KeyMaterialId: version.keyMaterialId }
}

export async function reEncrypt(engine: Engine, call: Call, input: Input): Promise<ReEncryptResponse> {
  const blob = requiredBytes(input, 'CiphertextBlob', 1, MAX_CIPHERTEXT_BLOB)
  const sourceContext = optionalEncryptionContext(input, 'SourceEncryptionContext')
  const sourceKeyId = optionalKeyId(input, 'SourceKeyId')
  const destinationKeyId = requiredKeyId(input, 'DestinationKeyId')
  const destinationContext = optionalEncryptionContext(input, 'DestinationEncryptionContext')
  const sourceAlg = algorithm(input, 'SourceEncryptionAlgorithm')
  const destinationAlg = algorithm(input, 'DestinationEncryptionAlgorithm')
  const { dryRun } = commonMembers(input)
  const destination = await usableKey(engine, call, destinationKeyId, 'ReEncrypt', {
    action: 'ReEncryptTo',
    encryptionContext: destinationContext ?? {},
    conditions: algorithmCondition(destinationAlg),
  })
  const source = await open(engine, call, blob, sourceContext, sourceKeyId, 'ReEncrypt', dryRun, {
    action: 'ReEncryptFrom',
    encryptionContext: sourceContext ?? {},
    conditions: algorithmCondition(sourceAlg),
  })
  try {
    const { blob: out, version } = await seal(engine, destination, source.plaintext, destinationContext)
    return {
      CiphertextBlob: out,
      SourceKeyId: source.key.arn,
      KeyId: destination.arn,
      SourceEncryptionAlgorithm: sourceAlg,
      DestinationEncryptionAlgorithm: destinationAlg,
      SourceKeyMaterialId: source.version.keyMaterialId,
      DestinationKeyMaterialId: version.keyMaterialId,
    }
  } finally {
    source.plaintext.fill(0) // the plaintext never leaves the engine in ReEncrypt
  }
}

/** KeySpec or NumberOfBytes (1-1024), exactly one of them (GenerateDataKey API reference). */
function dataKeyLength(input: Input): number {
  const keySpec = optionalEnum(input, 'KeySpec', ['AES_128', 'AES_256'] as const)
  const numberOfBytes = optionalInteger(input, 'NumberOfBytes', 1, 1024)
  if ((keySpec === undefined) === (numberOfBytes === undefined)) {
    throw new ValidationException('Please specify either number of bytes or key spec.')
  }
  return numberOfBytes ?? (keySpec === 'AES_128' ? 16 : 32)
}

async function generateDataKeyCommon(engine: Engine, call: Call, input: Input, operation: 'GenerateDataKey' | 'GenerateDataKeyWithoutPlaintext') {
  const keyId = requiredKeyId(input)
  const context = optionalEncryptionContext(input, 'EncryptionContext')
  const length = dataKeyLength(input)
  const { dryRun } = commonMembers(input)
  const key = await usableKey(engine, call, keyId, operation, { conditions: algorithmCondition('SYMMETRIC_DEFAULT') })
  dryRunStop(dryRun)
  const plaintext = engine.random(length).slice()
  const { blob, version } = await seal(engine, key, plaintext, context)
  return { plaintext, blob, key, version }
}

export async function generateDataKey(engine: Engine, call: Call, input: Input): Promise<GenerateDataKeyResponse> {
  const { plaintext, blob, key, version } = await generateDataKeyCommon(engine, call, input, 'GenerateDataKey')
  return { CiphertextBlob: blob, Plaintext: plaintext, KeyId: key.arn, KeyMaterialId: version.keyMaterialId }
}

export async function generateDataKeyWithoutPlaintext(engine: Engine, call: Call, input: Input): Promise<GenerateDataKeyWithoutPlaintextResponse> {
  const { plaintext, blob, key, version } = await generateDataKeyCommon(engine, call, input, 'GenerateDataKeyWithoutPlaintext')
  plaintext.fill(0)
  return { CiphertextBlob: blob, KeyId: key.arn, KeyMaterialId: version.keyMaterialId }
}

export async function generateRandom(engine: Engine, _call: Call, input: Input): Promise<GenerateRandomResponse> {
  const n = optionalInteger(input, 'NumberOfBytes', 1, 1024)
  if (n === undefined) throw new ValidationException('NumberOfBytes is required.')
  if (optionalString(input, 'CustomKeyStoreId', { min: 1, max: 64 }) !== undefined) {
    throw new UnsupportedOperationException('Custom key stores are not supported')
  }
  if (input.Recipient !== undefined) throw new UnsupportedOperationException('Recipient (attested enclaves) is not supported')
  return { Plaintext: engine.random(n).slice() }
}
