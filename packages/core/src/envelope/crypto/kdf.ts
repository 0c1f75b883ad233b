/**
 * Data-key derivation for the AWS Encryption SDK suites
 * (framework/algorithm-suites.md, "Key Derivation"; HKDF is RFC 5869):
 * - identity suites (0x0014, 0x0046, 0x0078): the data key encrypts directly;
 * - v1 HKDF suites: HKDF(hash, salt = none, IKM = data key, info = suite id (u16) || message id);
 * - committing v2 suites: HKDF-SHA512 with salt = message id (32 bytes):
 *   encryption key: info = suite id (u16) || "DERIVEKEY"; commitment key: info = "COMMITKEY".
 */
import { concatBytes, uint16be, utf8 } from '../../util/bytes.js'
import type { AlgorithmSuite, HashName } from '../suites.js'
import { importAesGcmKey, type AesGcmKey } from './aesGcm.js'
import { nativeCrypto } from '../../util/nativeCrypto.js'
import type { MessageCipher } from './nativeMessageCipher.js'

const DERIVEKEY = utf8('DERIVEKEY')
const COMMITKEY = utf8('COMMITKEY')

export async function hkdf(hash: HashName, ikm: Uint8Array, salt: Uint8Array, info: Uint8Array, length: number): Promise<Uint8Array> {
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

let nativeModule: Promise<typeof import('./nativeMessageCipher.js')> | undefined

/** node:crypto's, where the runtime has it: its module is loaded only there (browsers never do). */
async function runtimeCipher(): Promise<MessageCipher | undefined> {
  const native = nativeCrypto()
  if (!native) return undefined
  nativeModule ??= import('./nativeMessageCipher.js')
  return (await nativeModule).nativeMessageCipher(native)
}

/** WebCrypto's HKDF and AES-GCM: every runtime's, and the only ones in browsers. */
const webCrypto: MessageCipher = { hkdf, importKey: importAesGcmKey }

/**
 * The message's keys, with the runtime's own crypto where it has `node:crypto`
 * (nativeMessageCipher.ts), else WebCrypto's: the same bytes either way.
 */
export async function deriveMessageKeys(suite: AlgorithmSuite, dataKey: Uint8Array, messageId: Uint8Array): Promise<DerivedKeys> {
  const cipher = (await runtimeCipher()) ?? webCrypto
  if (!suite.kdfHash) return { key: await cipher.importKey(dataKey) }
  if (!suite.committing) {
    const raw = await cipher.hkdf(suite.kdfHash, dataKey, new Uint8Array(0), concatBytes(uint16be(suite.id), messageId), suite.keyLength)
    return { key: await importKeyAndWipe(cipher, raw) }
  }
  const [raw, commitment] = await Promise.all([
    cipher.hkdf(suite.kdfHash, dataKey, messageId, concatBytes(uint16be(suite.id), DERIVEKEY), suite.keyLength),
    cipher.hkdf(suite.kdfHash, dataKey, messageId, COMMITKEY, 32),
  ])
  return { key: await importKeyAndWipe(cipher, raw), commitment }
}

async function importKeyAndWipe(cipher: MessageCipher, raw: Uint8Array): Promise<AesGcmKey> {
  try {
    return await cipher.importKey(raw)
  } finally {
    raw.fill(0)
  }
}
