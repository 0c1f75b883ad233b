/** Argument checks for the envelope API: misuse is a TypeError or RangeError naming the argument. */
import { assertEncryptionContext, type EncryptionContext } from './format/encryptionContext.js'
import { DefaultMaterialsManager } from './materials/DefaultMaterialsManager.js'
import { isKeyring, isMaterialsManager, type Keyring, type MaterialsManager } from './materials/types.js'
import { CommitmentPolicy, isSuiteId, type SuiteId } from './suites.js'

/**
 * The default frame length. WebCrypto has a per-call cost, so the AWS SDKs' 4096 bytes would
 * pay ~16k calls for 64 MiB; at 256 KiB the per-call cost is noise while a streamed frame
 * stays small enough to hold in memory. Messages with any frame length decrypt.
 */
export const DEFAULT_FRAME_LENGTH = 256 * 1024
export const MAX_FRAME_LENGTH = 0xffffffff

export function materialsManager(keyring: unknown): MaterialsManager {
  if (isMaterialsManager(keyring)) return keyring
  if (isKeyring(keyring)) return new DefaultMaterialsManager(keyring as Keyring)
  throw new TypeError('"keyring" expected a keyring or a materials manager')
}

export function commitmentPolicy(value: unknown): CommitmentPolicy {
  if (value === undefined) return CommitmentPolicy.REQUIRE_ENCRYPT_REQUIRE_DECRYPT
  if (typeof value !== 'string' || !(value in CommitmentPolicy)) {
    throw new TypeError(`"commitmentPolicy" expected one of ${Object.keys(CommitmentPolicy).join(', ')}`)
  }
  return value as CommitmentPolicy
}

export function bytesArgument(value: unknown, name: string): Uint8Array {
  if (typeof value === 'string') return new TextEncoder().encode(value)
  if (value instanceof Uint8Array) return value
  if (value instanceof ArrayBuffer) return new Uint8Array(value)
  throw new TypeError(`"${name}" expected a Uint8Array, an ArrayBuffer or a string`)
}

export function optionsObject(value: unknown, name = 'options'): Record<string, unknown> {
  if (value === undefined) return {}
  if (value === null || typeof value !== 'object') throw new TypeError(`"${name}" expected an object`)
  return value as Record<string, unknown>
}

export function encryptionContextOption(value: unknown, forEncrypt: boolean): EncryptionContext | undefined {
  if (value === undefined) return undefined
  assertEncryptionContext(value)
  if (forEncrypt) {
    // Keys with the aws-crypto- prefix are the SDK's own (client-apis/encrypt.md).
    const reserved = Object.keys(value).find((k) => k.startsWith('aws-crypto-'))
    if (reserved) throw new TypeError(`"encryptionContext" must not use the reserved key prefix aws-crypto- (got "${reserved}")`)
  }
  return { ...value }
}

export function suiteIdOption(value: unknown): SuiteId | undefined {
  if (value === undefined) return undefined
  if (!isSuiteId(value)) throw new RangeError(`"suiteId" expected an AWS Encryption SDK suite id such as 0x0578, got ${String(value)}`)
  return value
}

export function integerOption(value: unknown, name: string, min: number, max: number, fallback: number): number {
  if (value === undefined) return fallback
  if (typeof value !== 'number' || !Number.isInteger(value)) throw new TypeError(`"${name}" expected an integer`)
  if (value < min || value > max) throw new RangeError(`"${name}" expected ${min} to ${max}, got ${value}`)
  return value
}

export type ProgressCallback = (bytesDone: number, bytesTotal?: number) => void

export function progressOption(value: unknown): ProgressCallback | undefined {
  if (value === undefined) return undefined
  if (typeof value !== 'function') throw new TypeError('"onProgress" expected a function')
  return value as ProgressCallback
}
