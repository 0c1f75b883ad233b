/**
 * The runtime's own AES-256-GCM for ciphertext blobs (blobCipher.ts has the interface and
 * WebCrypto's). The engine loads this module only where the runtime has `node:crypto` and may
 * lend it non-extractable keys (Node before 24, Deno, Bun: util/nativeCrypto.ts), so browsers
 * never do (Engine.blobCipher).
 *
 * There a blob is sealed and opened synchronously: the same OpenSSL that runtime's WebCrypto
 * calls, without WebCrypto's hop to the thread pool. A blob holds at most 4 KiB of plaintext
 * (6 KiB of ciphertext), so the hop (waking a pool thread, then resolving a promise) cost
 * several times the cipher's ~2 µs, and with calls in flight it was about 40% of the main
 * thread's time per Encrypt (profiled; bench/kms-operations.mjs has the figures).
 *
 * The key stays a non-extractable CryptoKey. `KeyObject.from` lends OpenSSL's handle of it for
 * one call, and the handle is dropped; in these runtimes any code holding a CryptoKey can do
 * the same, so this widens nothing. Node 24 deprecates it (DEP0204: the handle can be
 * exported) and will refuse it: there blobs stay with WebCrypto. The handle ignores WebCrypto's
 * usages, so they are checked here as WebCrypto would. Each runtime's module is checked once
 * before it is trusted (selfTest).
 */
import type { NativeAesGcm } from '../../util/nativeCrypto.js'
import { gcmOpen, gcmSeal } from '../../util/nativeGcm.js'
import { GCM_TAG_LENGTH, webCryptoBlobCipher, type BlobCipher } from './blobCipher.js'

const usable = (key: CryptoKey, usage: KeyUsage) => key.algorithm.name === 'AES-GCM' && key.usages.includes(usage)

/** Native AES-GCM; throws where the module refuses (the caller falls back). */
function sealWith(native: NativeAesGcm, key: CryptoKey, iv: Uint8Array, aad: Uint8Array, plaintext: Uint8Array, out: Uint8Array): void {
  const [ciphertext, tag] = gcmSeal(native, 'aes-256-gcm', native.KeyObject.from(key), iv, aad, plaintext)
  out.set(ciphertext)
  out.set(tag, plaintext.length)
}

/** Native AES-GCM open: `undefined` where the module refuses the key; throws when the tag does not verify. */
function openWith(native: NativeAesGcm, key: CryptoKey, iv: Uint8Array, aad: Uint8Array, sealed: Uint8Array): Uint8Array | undefined {
  let handle: unknown
  try {
    handle = native.KeyObject.from(key)
  } catch {
    return undefined
  }
  return gcmOpen(native, 'aes-256-gcm', handle, iv, aad, sealed)
}

/** Modules that passed the self-test, and those that failed it or refused a key since. */
const passed = new WeakSet<NativeAesGcm>()
const refused = new WeakSet<NativeAesGcm>()
const checks = new WeakMap<NativeAesGcm, Promise<void>>()

/**
 * Once per module, before its first use: a blob sealed by it under a fresh non-extractable key
 * (as derived keys are) must be WebCrypto's, and open again; a changed tag must fail. A runtime
 * whose module gets any of it wrong, or refuses the key (Cloudflare Workers'), is not used.
 */
function checked(native: NativeAesGcm): Promise<void> {
  let check = checks.get(native)
  if (!check) {
    check = selfTest(native).then((ok) => void (ok ? passed : refused).add(native))
    checks.set(native, check)
  }
  return check
}

async function selfTest(native: NativeAesGcm): Promise<boolean> {
  try {
    const subtle = globalThis.crypto.subtle
    const key = await subtle.importKey('raw', globalThis.crypto.getRandomValues(new Uint8Array(32)), 'AES-GCM', false, ['encrypt', 'decrypt'])
    const [iv, aad, plaintext] = [globalThis.crypto.getRandomValues(new Uint8Array(12)), new Uint8Array([1, 2, 3]), new Uint8Array([4, 5, 6, 7, 8])]
    const sealed = new Uint8Array(plaintext.length + GCM_TAG_LENGTH)
    sealWith(native, key, iv, aad, plaintext, sealed)
    const expected = new Uint8Array(sealed.length)
    await webCryptoBlobCipher.seal(key, iv, aad, plaintext, expected)
    const opened = openWith(native, key, iv, aad, sealed)
    const tampered = sealed.slice()
    tampered[tampered.length - 1]! ^= 1
    let rejected = false
    try {
      openWith(native, key, iv, aad, tampered)
    } catch {
      rejected = true
    }
    return sealed.every((b, i) => b === expected[i]) && !!opened && opened.every((b, i) => b === plaintext[i]) && rejected
  } catch {
    return false
  }
}

function nativeBlobCipher(native: NativeAesGcm): BlobCipher {
  const cipher: BlobCipher = {
    seal(key, iv, aad, plaintext, out) {
      if (!passed.has(native)) return refused.has(native) ? webCryptoBlobCipher.seal(key, iv, aad, plaintext, out) : checked(native).then(() => cipher.seal(key, iv, aad, plaintext, out))
      // A key WebCrypto would refuse: WebCrypto decides (and throws).
      if (!usable(key, 'encrypt')) return webCryptoBlobCipher.seal(key, iv, aad, plaintext, out)
      try {
        sealWith(native, key, iv, aad, plaintext, out)
      } catch {
        refused.add(native)
        return webCryptoBlobCipher.seal(key, iv, aad, plaintext, out)
      }
    },
    open(key, iv, aad, sealed) {
      if (!passed.has(native)) return refused.has(native) ? webCryptoBlobCipher.open(key, iv, aad, sealed) : checked(native).then(() => cipher.open(key, iv, aad, sealed))
      if (sealed.length < GCM_TAG_LENGTH) throw new RangeError('shorter than a tag')
      if (!usable(key, 'decrypt')) return webCryptoBlobCipher.open(key, iv, aad, sealed)
      const opened = openWith(native, key, iv, aad, sealed)
      if (opened) return opened
      refused.add(native)
      return webCryptoBlobCipher.open(key, iv, aad, sealed)
    },
  }
  return cipher
}

let lastNative: NativeAesGcm | undefined
let lastCipher: BlobCipher | undefined

/** The blob cipher of `native` (util/nativeCrypto.ts: nativeAesGcm); WebCrypto's once the module failed its self-test or refused a key. */
export function blobCipherFor(native: NativeAesGcm): BlobCipher {
  if (refused.has(native)) return webCryptoBlobCipher
  if (native !== lastNative) {
    lastNative = native
    lastCipher = nativeBlobCipher(native)
  }
  return lastCipher!
}
