/** Errors of the IndexedDB key store: classes with stable codes, as everywhere in webkms. */
export class KeyStoreError extends Error {
  static code = 'ERR_KEYSTORE'
  static errorName = 'KeyStoreError'
  code: string
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options)
    // Explicit, not new.target.name: minifiers rename classes.
    this.name = (new.target as typeof KeyStoreError).errorName
    this.code = (new.target as typeof KeyStoreError).code
  }
}

/**
 * This browser cannot store a CryptoKey in IndexedDB (some Safari modes throw DataCloneError).
 * webkms refuses to fall back to memory: keys would silently vanish with the tab.
 */
export class CryptoKeyStorageUnsupportedError extends KeyStoreError {
  static override code = 'ERR_KEYSTORE_CRYPTOKEY_UNSUPPORTED'
  static override errorName = 'CryptoKeyStorageUnsupportedError'
}

/** No IndexedDB at all (some private modes, some embedded browsers). */
export class IndexedDbUnavailableError extends KeyStoreError {
  static override code = 'ERR_KEYSTORE_INDEXEDDB_UNAVAILABLE'
  static override errorName = 'IndexedDbUnavailableError'
}
