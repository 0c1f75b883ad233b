/** Errors of the IndexedDB key store: classes with stable codes, as everywhere in webkms. */
import { CodedError } from '@webkms/core/errors'

/**
 * Every key store error code, so `switch (e.code)` on a KeyStoreError narrows.
 *
 * @example
 * ```ts
 * import type { KeyStoreError, KeyStoreErrorCode } from '@webkms/keystore-idb'
 *
 * function advice(e: KeyStoreError): string {
 *   const code: KeyStoreErrorCode = e.code
 *   switch (code) {
 *     case 'ERR_KEYSTORE_CRYPTOKEY_UNSUPPORTED': return 'this browser cannot keep CryptoKeys'
 *     case 'ERR_KEYSTORE_INDEXEDDB_UNAVAILABLE': return 'no IndexedDB here'
 *     default: return e.message
 *   }
 * }
 * ```
 */
export type KeyStoreErrorCode = 'ERR_KEYSTORE' | 'ERR_KEYSTORE_CRYPTOKEY_UNSUPPORTED' | 'ERR_KEYSTORE_INDEXEDDB_UNAVAILABLE'

/**
 * The base of the IndexedDB store's errors (code `ERR_KEYSTORE`). Its subclasses say why the
 * store cannot be opened here; catch this to handle both.
 *
 * @example
 * ```ts
 * import { KeyStoreError, openIdbKeyStore } from '@webkms/keystore-idb'
 *
 * const store = await openIdbKeyStore().catch((e: unknown) => {
 *   if (e instanceof KeyStoreError) console.log(e.code) // ERR_KEYSTORE_CRYPTOKEY_UNSUPPORTED or ERR_KEYSTORE_INDEXEDDB_UNAVAILABLE
 *   throw e
 * })
 * ```
 */
export class KeyStoreError extends CodedError {
  static override code: KeyStoreErrorCode = 'ERR_KEYSTORE'
  declare readonly code: KeyStoreErrorCode
  static override errorName = 'KeyStoreError'
}

/**
 * Raised by `openIdbKeyStore` (and `IdbKeyStore.open`) when this browser cannot store a
 * CryptoKey in IndexedDB (some Safari modes throw `DataCloneError`; the `cause`). webkms
 * refuses to fall back to memory: keys would silently vanish with the tab. Code
 * `ERR_KEYSTORE_CRYPTOKEY_UNSUPPORTED`.
 *
 * @example
 * ```ts
 * import { CryptoKeyStorageUnsupportedError } from '@webkms/keystore-idb'
 *
 * const explain = (e: unknown) => (e instanceof CryptoKeyStorageUnsupportedError ? 'use another browser or leave private browsing' : undefined)
 * ```
 */
export class CryptoKeyStorageUnsupportedError extends KeyStoreError {
  static override code = 'ERR_KEYSTORE_CRYPTOKEY_UNSUPPORTED' as const
  declare readonly code: 'ERR_KEYSTORE_CRYPTOKEY_UNSUPPORTED'
  static override errorName = 'CryptoKeyStorageUnsupportedError'
}

/**
 * Raised by `openIdbKeyStore` (and `IdbKeyStore.open`) when there is no IndexedDB at all (some
 * private modes, some embedded browsers). Code `ERR_KEYSTORE_INDEXEDDB_UNAVAILABLE`.
 *
 * @example
 * ```ts
 * import { IndexedDbUnavailableError } from '@webkms/keystore-idb'
 *
 * const explain = (e: unknown) => (e instanceof IndexedDbUnavailableError ? 'this browser offers no IndexedDB here' : undefined)
 * ```
 */
export class IndexedDbUnavailableError extends KeyStoreError {
  static override code = 'ERR_KEYSTORE_INDEXEDDB_UNAVAILABLE' as const
  declare readonly code: 'ERR_KEYSTORE_INDEXEDDB_UNAVAILABLE'
  static override errorName = 'IndexedDbUnavailableError'
}
