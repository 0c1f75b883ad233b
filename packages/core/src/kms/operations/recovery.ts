/**
 * ExportRecoveryBundle (webkms's own, X-Amz-Target `WebKms.ExportRecoveryBundle` at the edge):
 * the store's keys, with their versions' recovery copies, key policies, aliases and grants, as a
 * bundle `restoreRecoveryBundle` rebuilds a store from (kms/recovery/bundle.ts). Authorized like
 * any operation on no key (identity policies allowing `webkms:ExportRecoveryBundle`; the account
 * root always) and audited.
 */
import { UnsupportedOperationException } from '../errors.js'
import { defineOperation, noTarget } from '../operation.js'
import { exportBundle, type RecoveryBundle } from '../recovery/bundle.js'

export const exportRecoveryBundle = defineOperation<Record<string, never>, RecoveryBundle>()({
  name: 'ExportRecoveryBundle',
  service: 'webkms',
  readOnly: true,
  schema: {},
  resolve: noTarget,
  permissions: () => [{ on: '*' }],
  async run({ engine, call }) {
    if (!engine.recovery) throw new UnsupportedOperationException('This engine has no recovery key: create it with createKms({ recovery: { publicKey } }) to keep recovery copies of key material')
    await engine.settle(call)
    return exportBundle(engine.store, engine.account, call.now)
  },
})
