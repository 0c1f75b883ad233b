/**
 * @webkms/keystore-idb: the browser HSM's store. Keys live in IndexedDB as non-extractable
 * CryptoKeys, shared safely by every tab and worker of the origin.
 */
export { IdbKeyStore, type IdbKeyStoreOptions, type Persistence, type StoreChange } from './IdbKeyStore.js'
export { CryptoKeyStorageUnsupportedError, IndexedDbUnavailableError, KeyStoreError, type KeyStoreErrorCode } from './errors.js'
export { SCHEMA_VERSION, type WebKmsSchema } from './schema.js'

import { IdbKeyStore, type IdbKeyStoreOptions } from './IdbKeyStore.js'
import { assertWebCrypto } from '@webkms/core'

/** Opens the store, after checking WebCrypto is there (InsecureContextError names the fix). */
export async function openIdbKeyStore(options?: IdbKeyStoreOptions): Promise<IdbKeyStore> {
  assertWebCrypto()
  return IdbKeyStore.open(options)
}
