import { describe, expect, it } from 'vitest'
import { buildClient, RawAesKeyring, type SuiteId } from '../../src/index.js'

const keyring = () => new RawAesKeyring({ keyNamespace: 'ns', keyName: 'k', wrappingKey: new Uint8Array(32).fill(1) })

describe('smoke', () => {
  it('round trips every suite', async () => {
    for (const [policy, suites] of [
      ['FORBID_ENCRYPT_ALLOW_DECRYPT', [0x0014, 0x0046, 0x0078, 0x0114, 0x0146, 0x0178, 0x0214, 0x0346, 0x0378]],
      ['REQUIRE_ENCRYPT_REQUIRE_DECRYPT', [0x0478, 0x0578]],
    ] as const) {
      const client = buildClient(policy)
      for (const suiteId of suites) {
        const pt = new Uint8Array(1000).map((_, i) => i)
        const { result } = await client.encrypt(keyring(), pt, { suiteId: suiteId as SuiteId, frameLength: 100, encryptionContext: { a: 'b' } })
        const { plaintext } = await buildClient('REQUIRE_ENCRYPT_ALLOW_DECRYPT').decrypt(keyring(), result)
        expect(plaintext).toEqual(pt)
      }
    }
  })
})
