/**
 * `node:crypto`'s ECDSA with WebCrypto's keys, apart from nativeCrypto.ts: signed envelope
 * messages and audit checkpoints use it, while an engine's every call needs only the rest of
 * nativeCrypto.ts (what `createKms` loads at start stays small: scripts/bundle-budget.mjs).
 */
import { nativeCrypto, type NativeCrypto } from './nativeCrypto.js'

/** `node:crypto` when it can sign and verify ECDSA incrementally with WebCrypto's keys. */
export type NativeSigning = Required<Pick<NativeCrypto, 'createSign' | 'createVerify' | 'KeyObject'>>

const signingChecks = new WeakMap<object, Promise<boolean>>()

/**
 * `node:crypto` when it signs and verifies with WebCrypto's keys, checked once per runtime by
 * signing and verifying a few bytes with a fresh P-256 pair: Cloudflare Workers' `node:crypto`
 * (with a recent compatibility date) has `createSign` and `KeyObject.from`, but refuses the key
 * when it signs, after the message is hashed, too late to fall back.
 */
export async function nativeSigning(native = nativeCrypto()): Promise<NativeSigning | undefined> {
  if (!(typeof native?.createSign === 'function' && typeof native.createVerify === 'function' && typeof native.KeyObject?.from === 'function')) return undefined
  let check = signingChecks.get(native)
  if (!check) {
    check = signsWithWebCryptoKeys(native as NativeSigning)
    signingChecks.set(native, check)
  }
  return (await check) ? (native as NativeSigning) : undefined
}

async function signsWithWebCryptoKeys(native: NativeSigning): Promise<boolean> {
  try {
    const pair = (await globalThis.crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, ['sign', 'verify'])) as CryptoKeyPair
    const data = new Uint8Array([0x77, 0x65, 0x62, 0x6b, 0x6d, 0x73])
    const signing = native.createSign('sha256')
    signing.update(data)
    const signature = signing.sign({ key: native.KeyObject.from(pair.privateKey), dsaEncoding: 'der' })
    const verifying = native.createVerify('sha256')
    verifying.update(data)
    return verifying.verify({ key: native.KeyObject.from(pair.publicKey), dsaEncoding: 'der' }, signature) === true
  } catch {
    return false
  }
}
