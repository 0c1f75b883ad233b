/**
 * `@webkms/keystore-idb`: the browser HSM's store. Keys live in IndexedDB as non-extractable
 * CryptoKeys, shared safely by every tab and worker of the origin. `@webkms/worker` opens one
 * for you; open one yourself to run the engine (`createKms` of `@webkms/core`) on it elsewhere.
 *
 * @example
 * ```ts
 * import { createKms } from '@webkms/core'
 * import { openIdbKeyStore } from '@webkms/keystore-idb'
 *
 * const kms = createKms({ keyStore: await openIdbKeyStore({ name: 'my-app-keys' }) })
 * ```
 *
 * @module @webkms/keystore-idb
 */
export { IdbKeyStore, type IdbKeyStoreOptions, type Persistence, type StoreChange } from './IdbKeyStore.js'
export { CryptoKeyStorageUnsupportedError, IndexedDbUnavailableError, KeyStoreError, type KeyStoreErrorCode } from './errors.js'
export { SCHEMA_VERSION, type WebKmsSchema } from './schema.js'

import { IdbKeyStore, type IdbKeyStoreOptions } from './IdbKeyStore.js'
import { assertWebCrypto } from '@webkms/core'

/**
 * Opens (creating or migrating to `SCHEMA_VERSION`) the IndexedDB database `options.name`
 * (default `webkms`) as a `KeyStore`, after checking that WebCrypto is there and proving the
 * database can hold a non-extractable `CryptoKey`. Never falls back to memory.
 *
 * @throws `InsecureContextError` without `crypto.subtle` (an `http:` page other than localhost;
 * the message names the fix), `IndexedDbUnavailableError` without IndexedDB,
 * `CryptoKeyStorageUnsupportedError` where IndexedDB cannot store a `CryptoKey`
 * (`DataCloneError`, some Safari modes).
 *
 * @example
 * ```ts
 * import { CryptoKeyStorageUnsupportedError, openIdbKeyStore } from '@webkms/keystore-idb'
 *
 * try {
 *   const store = await openIdbKeyStore({ name: 'my-app-keys' })
 *   console.log(store.persistence) // 'persisted' once the browser promised to keep the data
 * } catch (e) {
 *   if (e instanceof CryptoKeyStorageUnsupportedError) console.log('this browser cannot keep non-extractable keys')
 * }
 * ```
 */
export async function openIdbKeyStore(options?: IdbKeyStoreOptions): Promise<IdbKeyStore> {
  assertWebCrypto()
  return IdbKeyStore.open(options)
}
