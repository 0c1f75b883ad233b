/**
 * A message's keys derived and used by the runtime's own crypto where it has `node:crypto`
 * (Node, Deno, Bun: util/nativeCrypto.ts): HKDF (RFC 5869) and AES-GCM (SP 800-38D), the same
 * OpenSSL their WebCrypto calls, synchronously on this thread.
 *
 * Why: Node's WebCrypto sends every call to its thread pool, copying the input there, and a
 * message makes several small calls before its first frame (HKDF, the key's import, the header's
 * tag). OpenSSL seals a 256 KiB frame here in ~80 µs, about a third of what the same frame costs
 * through WebCrypto, so the frames of a 64 MiB message take ~20 ms of one core where the pool
 * took both cores for longer, and a signed message's SHA-384 (~55 ms, this thread) is what is
 * left to wait for (bench/envelope.mjs, BENCHMARKS.md).
 *
 * Keys: the derived key's bytes are handed to `createSecretKey` (OpenSSL keeps its own copy) and
 * zeroed, as the WebCrypto path zeroes them after `importKey`. The data key they come from is in
 * JavaScript memory on either path (the materials hold it), so nothing is exposed that was not.
 * Each runtime's module is checked once against the other path before it is trusted (selfTest),
 * key size by key size.
 *
 * node:crypto works on this thread, so the event loop gets a turn after every TURN_EVERY bytes
 * (turnToWait). A signed message hashes each frame in the same synchronous step as it is
 * opened (`beforeRead`), after any wait, so the bytes hashed are the bytes opened.
 */
import { builtinModule, nativeCrypto, type NativeCrypto, type NativeGcmName } from '../../util/nativeCrypto.js'
import type { HashName } from '../suites.js'
import { gcmOpen, gcmSeal, GCM_TAG } from '../../util/nativeGcm.js'
import { importAesGcmKey, type AesGcmKey } from './aesGcm.js'

/**
 * Bytes sealed or opened here (by every message together) before the event loop gets a turn:
 * node:crypto works on this thread, so a 64 MiB message would otherwise hold it for ~100 ms
 * (timers, I/O and other requests waiting). 1 MiB is about a millisecond of work.
 */
const TURN_EVERY = 1024 * 1024
let sinceTurn = 0
/** The turn being waited for: every frame waits for it, or the frames in flight would go on without it. */
let awaitedTurn: Promise<void> | undefined

type SetImmediate = (callback: () => void) => unknown

/**
 * `node:timers`' setImmediate (which fake timers in tests leave alone, so a turn always comes),
 * else the global one (Deno, Bun); undefined where there is neither: then no turns.
 */
function immediateScheduler(): SetImmediate | undefined {
  const timers = builtinModule('node:timers') as { setImmediate?: unknown } | undefined
  if (typeof timers?.setImmediate === 'function') return timers.setImmediate as SetImmediate
  const global = (globalThis as { setImmediate?: unknown }).setImmediate
  return typeof global === 'function' ? (global as SetImmediate) : undefined
}

/**
 * The turn of the event loop to wait for before more work, once TURN_EVERY bytes were worked
 * since the last one: one turn, shared by every frame waiting; undefined when none is due (or
 * the runtime has no scheduler). Callers wait in a loop, checking again right before their work
 * (`for (let t = turnToWait(); t; t = turnToWait()) await t`), so the frames that waited take at
 * most another TURN_EVERY between them. A turn always settles: a scheduler that throws ends it at
 * once.
 */
function turnToWait(): Promise<void> | undefined {
  if (awaitedTurn) return awaitedTurn
  if (sinceTurn < TURN_EVERY) return undefined
  sinceTurn = 0
  const schedule = immediateScheduler()
  if (!schedule) return undefined
  let resolve!: () => void
  const turn = new Promise<void>((r) => (resolve = r))
  awaitedTurn = turn
  const done = () => {
    if (awaitedTurn === turn) awaitedTurn = undefined
    resolve()
  }
  try {
    schedule(done)
  } catch {
    done() // synchronously: the turn is already awaitedTurn, so it is cleared
  }
  return awaitedTurn
}

/** What the message's key derivation needs: HKDF and a key from its bytes. */
export interface MessageCipher {
  hkdf(hash: HashName, ikm: Uint8Array, salt: Uint8Array, info: Uint8Array, length: number): Uint8Array | Promise<Uint8Array>
  /** A key from 16, 24 or 32 bytes; the caller keeps (and may zero) `raw`. */
  importKey(raw: Uint8Array): AesGcmKey | Promise<AesGcmKey>
}

type NativeModule = Required<Pick<NativeCrypto, 'createCipheriv' | 'createDecipheriv' | 'createSecretKey' | 'hkdfSync'>>

const KEY_SIZES = [16, 24, 32] as const
const GCM_NAMES: Record<number, NativeGcmName> = { 16: 'aes-128-gcm', 24: 'aes-192-gcm', 32: 'aes-256-gcm' }
const HASH_NAMES = { 'SHA-256': 'sha256', 'SHA-384': 'sha384', 'SHA-512': 'sha512' } as const

/** The cipher of `native`, for keys of the `sizes` it passed the self-test with (others: aesGcm.ts, WebCrypto or @noble/ciphers). */
function nativeCipher(native: NativeModule, sizes: ReadonlySet<number> = new Set(KEY_SIZES)): MessageCipher {
  return {
    hkdf: (hash, ikm, salt, info, length) => new Uint8Array(native.hkdfSync(HASH_NAMES[hash], ikm, salt, info, length)),
    importKey(raw) {
      const name = GCM_NAMES[raw.byteLength]
      if (!name) throw new RangeError(`AES key expected 16, 24 or 32 bytes, got length=${raw.byteLength}`)
      if (!sizes.has(raw.byteLength)) return importAesGcmKey(raw)
      const key = native.createSecretKey(raw) // OpenSSL's own copy: the caller zeroes `raw`
      const seal = (iv: Uint8Array, plaintext: Uint8Array, aad: Uint8Array) => {
        const pieces = gcmSeal(native, name, key, iv, aad, plaintext)
        sinceTurn += plaintext.byteLength
        return pieces
      }
      return {
        async encrypt(iv, plaintext, aad) {
          for (let turn = turnToWait(); turn; turn = turnToWait()) await turn
          const [ciphertext, tag] = seal(iv, plaintext, aad)
          const sealed = new Uint8Array(plaintext.byteLength + GCM_TAG)
          sealed.set(ciphertext)
          sealed.set(tag, plaintext.byteLength)
          return sealed
        },
        async encryptInPieces(iv, plaintext, aad) {
          for (let turn = turnToWait(); turn; turn = turnToWait()) await turn
          const [ciphertext, tag] = seal(iv, plaintext, aad)
          return ciphertext.byteLength === 0 ? [tag] : [ciphertext, tag]
        },
        async decrypt(iv, sealed, aad, beforeRead) {
          if (sealed.byteLength < GCM_TAG) throw new RangeError('shorter than a tag')
          for (let turn = turnToWait(); turn; turn = turnToWait()) await turn
          beforeRead?.() // a signed message hashes the frame here, in the same step as it is read
          const plaintext = gcmOpen(native, name, key, iv, aad, sealed)
          if (!plaintext) throw new Error('node:crypto refused the key it took at the self-test')
          sinceTurn += sealed.byteLength - GCM_TAG
          return plaintext
        },
      }
    },
  }
}

const checks = new WeakMap<object, Promise<MessageCipher | undefined>>()

/**
 * `node:crypto`'s HKDF and AES-GCM for messages, where the runtime has them and they passed the
 * self-test; otherwise undefined (WebCrypto's path).
 */
export function nativeMessageCipher(native = nativeCrypto()): Promise<MessageCipher | undefined> {
  if (!(typeof native?.createCipheriv === 'function' && typeof native.createDecipheriv === 'function' && typeof native.createSecretKey === 'function' && typeof native.hkdfSync === 'function')) {
    return Promise.resolve(undefined)
  }
  let check = checks.get(native)
  if (!check) {
    check = selfTest(nativeCipher(native as NativeModule)).then((sizes) => (sizes ? nativeCipher(native as NativeModule, sizes) : undefined))
    checks.set(native, check)
  }
  return check
}

/**
 * Once per module: HKDF with each suite's hash, with a salt and without one (the v1 suites'),
 * must give WebCrypto's bytes; AES-GCM with each key size must give the bytes of this package's
 * other path (WebCrypto, or @noble/ciphers for 192-bit keys), open what it sealed, and refuse a
 * changed tag. Returns the key sizes that passed, or undefined (the module is not used) when
 * HKDF or 256-bit keys fail, or anything throws (a runtime imitating Node in part). A size that
 * fails alone (a runtime without AES-192) stays with the other path.
 */
async function selfTest(cipher: MessageCipher): Promise<Set<number> | undefined> {
  try {
    const subtle = globalThis.crypto.subtle
    const random = (n: number) => globalThis.crypto.getRandomValues(new Uint8Array(n))
    const [ikm, salt, info] = [random(32), random(32), random(8)]
    const hkdfKey = await subtle.importKey('raw', ikm, 'HKDF', false, ['deriveBits'])
    for (const hash of ['SHA-256', 'SHA-384', 'SHA-512'] as const) {
      for (const s of [salt, new Uint8Array(0)]) {
        const expected = new Uint8Array(await subtle.deriveBits({ name: 'HKDF', hash, salt: s, info }, hkdfKey, 256))
        if (!sameBytes(await cipher.hkdf(hash, ikm, s, info, 32), expected)) return undefined
      }
    }
    const sizes = new Set<number>()
    for (const size of KEY_SIZES) if (await sealsAsExpected(cipher, size)) sizes.add(size)
    return sizes.has(32) ? sizes : undefined
  } catch {
    return undefined
  }
}

async function sealsAsExpected(cipher: MessageCipher, size: number): Promise<boolean> {
  try {
    const random = (n: number) => globalThis.crypto.getRandomValues(new Uint8Array(n))
    const [raw, iv, aad, plaintext] = [random(size), random(12), random(5), random(37)]
    const key = await cipher.importKey(raw)
    const sealed = await key.encrypt(iv, plaintext, aad)
    const expected = await (await importAesGcmKey(raw)).encrypt(iv, plaintext, aad)
    if (!sameBytes(sealed, expected) || !sameBytes(await key.decrypt(iv, sealed, aad), plaintext)) return false
    const tampered = sealed.slice()
    tampered[tampered.length - 1]! ^= 1
    return await key.decrypt(iv, tampered, aad).then(
      () => false,
      () => true,
    )
  } catch {
    return false
  }
}

const sameBytes = (a: Uint8Array, b: Uint8Array) => a.byteLength === b.byteLength && a.every((x, i) => x === b[i])

