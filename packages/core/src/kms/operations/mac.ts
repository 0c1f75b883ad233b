/**
 * GenerateMac and VerifyMac (KMS API Reference): HMAC (RFC 2104) with an HMAC key's
 * non-extractable secret. VerifyMac recomputes and compares inside WebCrypto, whose comparison
 * is constant-time, so the time taken says nothing about how much of a MAC was right.
 */
import { InvalidKeyUsageException, KMSInvalidMacException } from '../errors.js'
import type { KeyRecord } from '../../keystore/records.js'
import { assertKeyState } from '../keyStates.js'
import { ALL_MAC_ALGORITHMS, SPECS } from '../keySpecs.js'
import { defineOperation } from '../operation.js'
import { blob, enumOf, type Infer } from '../request/schema.js'
import type * as T from '../types.js'
import { checkGrantTokens, dryRunMember, dryRunStop, grantTokensMember, keyIdMember, requireUsage, resolveKey, usableVersion, type KeyTarget } from './common.js'

/** GenerateMac and VerifyMac take a message of at most 4096 bytes. */
export const MAX_MAC_MESSAGE = 4096

const macSchema = {
  Message: blob(1, MAX_MAC_MESSAGE, { required: true, sensitive: true }),
  KeyId: keyIdMember(),
  MacAlgorithm: enumOf(ALL_MAC_ALGORITHMS, { required: true }),
  GrantTokens: grantTokensMember(),
  DryRun: dryRunMember(),
}

/** The key's secret, once its state, usage and algorithm are right for the request. */
function macKey(key: KeyRecord, operation: 'GenerateMac' | 'VerifyMac', algorithm: string): CryptoKey {
  assertKeyState(key, operation)
  requireUsage(key, 'GENERATE_VERIFY_MAC')
  const expected = SPECS[key.keySpec]?.hmac?.algorithm
  if (algorithm !== expected) throw new InvalidKeyUsageException(`The MAC algorithm ${algorithm} is not supported by ${key.arn} (${key.keySpec}); it supports ${expected}`)
  return usableVersion(key).material!
}

const verifyMacSchema = { ...macSchema, Mac: blob(1, 6144, { required: true }) }

const macRow = {
  resolve: resolveKey(true),
  permissions: (r: { KeyId: string; MacAlgorithm: string }, { key }: KeyTarget) => [{ on: key, requestKeyId: r.KeyId, conditions: { 'kms:MacAlgorithm': { values: [r.MacAlgorithm] } } }],
}

export const generateMac = defineOperation<T.GenerateMacRequest, T.GenerateMacResponse>()({
  name: 'GenerateMac',
  schema: macSchema,
  parse: (r: Infer<typeof macSchema>) => (checkGrantTokens(r.GrantTokens), r),
  ...macRow,
  async run(_ctx, r, { key }) {
    try {
      const secret = macKey(key, 'GenerateMac', r.MacAlgorithm)
      dryRunStop(r.DryRun)
      const mac = new Uint8Array(await globalThis.crypto.subtle.sign('HMAC', secret, r.Message as Uint8Array<ArrayBuffer>))
      return { Mac: mac, MacAlgorithm: r.MacAlgorithm, KeyId: key.arn }
    } finally {
      r.Message.fill(0)
    }
  },
})

export const verifyMac = defineOperation<T.VerifyMacRequest, T.VerifyMacResponse>()({
  name: 'VerifyMac',
  schema: verifyMacSchema,
  parse: (r: Infer<typeof verifyMacSchema>) => (checkGrantTokens(r.GrantTokens), r),
  ...macRow,
  async run(_ctx, r, { key }) {
    try {
      const secret = macKey(key, 'VerifyMac', r.MacAlgorithm)
      dryRunStop(r.DryRun)
      const valid = await globalThis.crypto.subtle.verify('HMAC', secret, r.Mac as Uint8Array<ArrayBuffer>, r.Message as Uint8Array<ArrayBuffer>)
      if (!valid) throw new KMSInvalidMacException('The MAC is not valid for this message, key and MAC algorithm.')
      return { KeyId: key.arn, MacValid: true, MacAlgorithm: r.MacAlgorithm }
    } finally {
      r.Message.fill(0)
    }
  },
})
