/**
 * The KeyStore conformance suite every backend passes, here on a real Durable Object's
 * storage in workerd: every transaction runs inside the object's own context, as the
 * KmsDurableObject runs them.
 */
import { runInDurableObject } from 'cloudflare:test'
import { env } from 'cloudflare:workers'
import type { KeyStore } from '@webkms/core'
import { describeKeyStoreConformance } from '../../../test/conformance/keyStoreConformance.js'
import { DurableObjectKeyStore } from '../src/store/DurableObjectKeyStore.js'
import { deriveWrappingKey, KeyWrapper } from '../src/store/keyWrapping.js'
import { TEST_VARS } from './support/testVars.js'

const rootKey = Uint8Array.from(atob(TEST_VARS.WEBKMS_ROOT_KEY), (c) => c.charCodeAt(0))

async function openStore(): Promise<KeyStore> {
  const namespace = (env as { KMS: DurableObjectNamespace }).KMS
  const stub = namespace.get(namespace.newUniqueId())
  const store = await runInDurableObject(stub, async (_object: unknown, state: DurableObjectState) => new DurableObjectKeyStore(state.storage, new KeyWrapper(await deriveWrappingKey(rootKey, '111122223333'))))
  return {
    makeKey: (make) => runInDurableObject(stub, () => store.makeKey(make)),
    transaction: (mode, fn) => runInDurableObject(stub, () => store.transaction(mode, fn)),
  }
}

describeKeyStoreConformance('DurableObjectKeyStore (workerd)', openStore)
