/**
 * ReEncrypt (KMS API Reference): decrypts under one key and encrypts under another inside the
 * engine, so the plaintext never leaves it. A lazy row (operations/index.ts): rarer than the
 * other cryptographic operations, whose helpers it uses (cryptography.ts).
 */
import { assertKeyState } from '../keyStates.js'
import { defineOperation } from '../operation.js'
import type * as T from '../types.js'
import { algorithmCondition, checkGrantTokens, dryRunMember, encryptionAlgorithmMember, encryptionContextMember, grantTokensMember, keyIdMember, optionalKeyIdMember } from './common.js'
import { algorithmFor, ciphertextKey, decryptWith, encryptUnder, isAsymmetric, MAX_CIPHERTEXT_BLOB } from './cryptography.js'
import { blob } from '../request/schema.js'

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
    { ...r, sourceAlgorithm: r.SourceEncryptionAlgorithm ?? 'SYMMETRIC_DEFAULT', destinationAlgorithm: r.DestinationEncryptionAlgorithm ?? 'SYMMETRIC_DEFAULT' }
  ),
  async resolve(engine, call, r) {
    const destination = await engine.findKey(call, r.DestinationKeyId, true)
    const source = await ciphertextKey(engine, call, r.CiphertextBlob, r.SourceKeyId, r.sourceAlgorithm)
    return { destination, source: source.key, from: source }
  },
  permissions: (r, { destination, source }) => [
    { on: destination, action: 'kms:ReEncryptTo', requestKeyId: r.DestinationKeyId, encryptionContext: r.DestinationEncryptionContext ?? [], conditions: algorithmCondition(r.destinationAlgorithm) },
    { on: source, action: 'kms:ReEncryptFrom', ...(r.SourceKeyId === undefined ? {} : { requestKeyId: r.SourceKeyId }), encryptionContext: r.SourceEncryptionContext ?? [], conditions: algorithmCondition(r.sourceAlgorithm) },
  ],
  async run({ engine }, r, { destination, from }) {
    assertKeyState(destination, 'ReEncrypt')
    const destinationAlgorithm = await algorithmFor(engine, destination, r.destinationAlgorithm, r.DestinationEncryptionContext)
    const opened = await decryptWith(engine, from, r.CiphertextBlob, r.sourceAlgorithm, r.SourceEncryptionContext, 'ReEncrypt', r.DryRun)
    try {
      const { blob: out, version } = await encryptUnder(engine, destination, destinationAlgorithm, opened.plaintext, r.DestinationEncryptionContext)
      return {
        CiphertextBlob: out,
        SourceKeyId: from.key.arn,
        KeyId: destination.arn,
        SourceEncryptionAlgorithm: r.sourceAlgorithm,
        DestinationEncryptionAlgorithm: destinationAlgorithm,
        ...(opened.symmetric ? { SourceKeyMaterialId: opened.version.keyMaterialId } : {}),
        ...(isAsymmetric(destination) ? {} : { DestinationKeyMaterialId: version.keyMaterialId }),
      }
    } finally {
      opened.plaintext.fill(0) // the plaintext never leaves the engine in ReEncrypt
    }
  },
})
