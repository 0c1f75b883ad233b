/**
 * The random source of the envelope SDK, a parameter as in noble-ciphers
 * (`managedNonce(fn, randomBytes_)`): message ids (data-format/message-header.md, "Message ID":
 * "implementations MUST use a good source of randomness"), and the data keys and wrapping IVs
 * the raw keyrings make. `buildClient({ random })` sets it for a client (keyrings get it in the
 * encryption materials); a keyring constructed with its own `random` uses that instead.
 */
import { copyBytes } from '../util/bytes.js'

/** Returns `length` fresh random bytes. */
export type RandomSource = (length: number) => Uint8Array

/** Reads `globalThis.crypto` when called, so importing never throws where it is missing. */
export const defaultRandom: RandomSource = (length) => globalThis.crypto.getRandomValues(new Uint8Array(length))

export function randomOption(value: unknown): RandomSource | undefined {
  if (value === undefined) return undefined
  if (typeof value !== 'function') throw new TypeError('"random" expected a function (length: number) => Uint8Array')
  return value as RandomSource
}

/**
 * `length` bytes from `random`, copied (the source may reuse its buffer). Anything but exactly
 * `length` bytes is refused: a short message id or IV would make a weaker message, silently.
 */
export function randomBytes(random: RandomSource, length: number): Uint8Array<ArrayBuffer> {
  const bytes: unknown = random(length)
  if (!(bytes instanceof Uint8Array)) throw new TypeError(`"random" expected to return a Uint8Array of length ${length}`)
  if (bytes.byteLength !== length) throw new RangeError(`"random" expected to return a Uint8Array of length ${length}, got length=${bytes.byteLength}`)
  return copyBytes(bytes)
}
