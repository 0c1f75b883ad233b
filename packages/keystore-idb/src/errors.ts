/** Errors of the IndexedDB key store: classes with stable codes, as everywhere in webkms. */
import { CodedError } from '@webkms/core'

/** Every key store error code, so `switch (e.code)` on a KeyStoreError narrows. */
export type KeyStoreErrorCode = 'ERR_KEYSTORE' | 'ERR_KEYSTORE_CRYPTOKEY_UNSUPPORTED' | 'ERR_KEYSTORE_INDEXEDDB_UNAVAILABLE'

export class KeyStoreError extends CodedError {
  static override code: KeyStoreErrorCode = 'ERR_KEYSTORE'
  declare readonly code: KeyStoreErrorCode
  static override errorName = 'KeyStoreError'
}

/**
 * This browser cannot store a CryptoKey in IndexedDB (some Safari modes throw DataCloneError).
 * webkms refuses to fall back to memory: keys would silently vanish with the tab.
 */
export class CryptoKeyStorageUnsupportedError extends KeyStoreError {
  static override code = 'ERR_KEYSTORE_CRYPTOKEY_UNSUPPORTED' as const
  declare readonly code: 'ERR_KEYSTORE_CRYPTOKEY_UNSUPPORTED'
  static override errorName = 'CryptoKeyStorageUnsupportedError'
}

/** No IndexedDB at all (some private modes, some embedded browsers). */
export class IndexedDbUnavailableError extends KeyStoreError {
  static override code = 'ERR_KEYSTORE_INDEXEDDB_UNAVAILABLE' as const
  declare readonly code: 'ERR_KEYSTORE_INDEXEDDB_UNAVAILABLE'
  static override errorName = 'IndexedDbUnavailableError'
}
