/** A page needs nothing but `@webkms/worker`: it re-exports every error class a call can reject with. */
import * as coreErrors from '@webkms/core/errors'
import * as storeErrors from '@webkms/keystore-idb'
import { describe, expect, it } from 'vitest'
import * as worker from '../src/index.js'

describe('@webkms/worker exports', () => {
  it("re-exports every error class of @webkms/core/errors and the key store's, the same classes", () => {
    for (const [name, value] of Object.entries(coreErrors)) expect(worker, name).toHaveProperty(name, value)
    for (const name of ['KeyStoreError', 'CryptoKeyStorageUnsupportedError', 'IndexedDbUnavailableError'] as const) expect(worker).toHaveProperty(name, storeErrors[name])
  })

  it('does not re-export the engine', () => {
    expect(worker).not.toHaveProperty('createKms')
    expect(worker).not.toHaveProperty('buildClient')
  })
})
