/**
 * The audit trail's SHA-256 in JavaScript (@noble/hashes): the chain hash where the runtime has
 * no native one (browsers: createKms.ts loads this module with the first call there), and
 * everywhere for checkpoints, key fingerprints and verification, which load on demand anyway.
 * Synchronous, as hashing inside store transactions must be (KeyStore's invariant).
 */
import { sha256 } from '@noble/hashes/sha2.js'
import { toHex, utf8 } from '../../util/bytes.js'
import { checkpointBytes, type UnsignedCheckpoint } from './chain.js'

/** Hex SHA-256 of a string's UTF-8 (TextEncoder's: lone surrogates as U+FFFD). */
export const sha256Hex = (text: string): string => toHex(sha256(utf8(text)))

export const checkpointHash = (c: UnsignedCheckpoint) => toHex(sha256(checkpointBytes(c)))

export const keyFingerprint = (rawPublicKey: Uint8Array) => toHex(sha256(rawPublicKey))
