/**
 * Data-key derivation for the AWS Encryption SDK suites
 * (framework/algorithm-suites.md, "Key Derivation"; HKDF is RFC 5869):
 * - identity suites (0x0014, 0x0046, 0x0078): the data key encrypts directly;
 * - v1 HKDF suites: HKDF(hash, salt = none, IKM = data key, info = suite id (u16) || message id);
 * - committing v2 suites: HKDF-SHA512 with salt = message id (32 bytes):
 *   encryption key: info = suite id (u16) || "DERIVEKEY"; commitment key: info = "COMMITKEY".
 */
import { concatBytes, uint16be, utf8 } from '../../util/bytes.js'
import type { AlgorithmSuite } from '../suites.js'
import { importAesGcmKey, type AesGcmKey } from './aesGcm.js'

const DERIVEKEY = utf8('DERIVEKEY')
const COMMITKEY = utf8('COMMITKEY')

export async function hkdf(hash: string, ikm: Uint8Array, salt: Uint8Array, info: Uint8Array, length: number): Promise<Uint8Array> {
  const subtle = globalThis.crypto.subtle
  const key = await subtle.importKey('raw', concatBytes(ikm), 'HKDF', false, ['deriveBits'])
  // An empty salt is RFC 5869's "not provided" (HashLen zeros): HMAC pads keys with zeros.
  return new Uint8Array(await subtle.deriveBits({ name: 'HKDF', hash, salt: concatBytes(salt), info: concatBytes(info) }, key, length * 8))
}

export interface DerivedKeys {
  key: AesGcmKey
  /** Committing suites: the commitment key the header must carry. */
  commitment?: Uint8Array
}

export async function deriveMessageKeys(suite: AlgorithmSuite, dataKey: Uint8Array, messageId: Uint8Array): Promise<DerivedKeys> {
  if (!suite.kdfHash) return { key: await importAesGcmKey(dataKey) }
  if (!suite.committing) {
    const raw = await hkdf(suite.kdfHash, dataKey, new Uint8Array(0), concatBytes(uint16be(suite.id), messageId), suite.keyLength)
    return { key: await importKeyAndWipe(raw) }
  }
  const [raw, commitment] = await Promise.all([
    hkdf(suite.kdfHash, dataKey, messageId, concatBytes(uint16be(suite.id), DERIVEKEY), suite.keyLength),
    hkdf(suite.kdfHash, dataKey, messageId, COMMITKEY, 32),
  ])
  return { key: await importKeyAndWipe(raw), commitment }
}

async function importKeyAndWipe(raw: Uint8Array): Promise<AesGcmKey> {
  try {
    return await importAesGcmKey(raw)
  } finally {
    raw.fill(0)
  }
}
