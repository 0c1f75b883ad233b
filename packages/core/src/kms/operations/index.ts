/**
 * The table: every operation the engine has, one row each (operation.ts). The `Kms` methods,
 * the worker's methods and the wire protocol's targets are derived from it, so a new row is
 * callable everywhere and none can drift.
 *
 * Rows most applications call (keys, cryptography, key policies) are here as they are; the
 * rest are lazy rows, their modules imported on first call, to keep what `createKms` loads at
 * start within its bundle budget (scripts/bundle-budget.mjs). table.ts has every row loaded,
 * for protocols and explain.
 */
import { lazyOperation as lazy, type Loaded, type TableRow } from '../operation.js'
import * as cryptography from './cryptography.js'
import * as keys from './keys.js'
import * as policies from './policies.js'

const aliases = () => import('./aliases.js')
const tags = () => import('./tags.js')
const rotation = () => import('./rotation.js')
const dataKeyPairs = () => import('./dataKeyPairs.js')
const asymmetric = () => import('./asymmetric.js')
const mac = () => import('./mac.js')
const importKeyMaterial = () => import('./importKeyMaterial.js')
const grants = () => import('./grants.js')
const identityPolicies = () => import('./identityPolicies.js')
const auditLog = () => import('./auditLog.js')
const recovery = () => import('./recovery.js')

export const operations = [
  keys.createKey,
  keys.describeKey,
  keys.listKeys,
  keys.updateKeyDescription,
  keys.enableKey,
  keys.disableKey,
  keys.scheduleKeyDeletion,
  keys.cancelKeyDeletion,
  lazy('CreateAlias', () => aliases().then((m) => m.createAlias)),
  lazy('UpdateAlias', () => aliases().then((m) => m.updateAlias)),
  lazy('DeleteAlias', () => aliases().then((m) => m.deleteAlias)),
  lazy('ListAliases', () => aliases().then((m) => m.listAliases)),
  lazy('TagResource', () => tags().then((m) => m.tagResource)),
  lazy('UntagResource', () => tags().then((m) => m.untagResource)),
  lazy('ListResourceTags', () => tags().then((m) => m.listResourceTags)),
  lazy('EnableKeyRotation', () => rotation().then((m) => m.enableKeyRotation)),
  lazy('DisableKeyRotation', () => rotation().then((m) => m.disableKeyRotation)),
  lazy('GetKeyRotationStatus', () => rotation().then((m) => m.getKeyRotationStatus)),
  lazy('RotateKeyOnDemand', () => rotation().then((m) => m.rotateKeyOnDemand)),
  lazy('ListKeyRotations', () => rotation().then((m) => m.listKeyRotations)),
  cryptography.encrypt,
  cryptography.decrypt,
  cryptography.reEncrypt,
  cryptography.generateDataKey,
  cryptography.generateDataKeyWithoutPlaintext,
  cryptography.generateRandom,
  lazy('GenerateDataKeyPair', () => dataKeyPairs().then((m) => m.generateDataKeyPair)),
  lazy('GenerateDataKeyPairWithoutPlaintext', () => dataKeyPairs().then((m) => m.generateDataKeyPairWithoutPlaintext)),
  lazy('Sign', () => asymmetric().then((m) => m.sign)),
  lazy('Verify', () => asymmetric().then((m) => m.verify)),
  lazy('GetPublicKey', () => asymmetric().then((m) => m.getPublicKey)),
  lazy('DeriveSharedSecret', () => asymmetric().then((m) => m.deriveSharedSecret)),
  lazy('GenerateMac', () => mac().then((m) => m.generateMac)),
  lazy('VerifyMac', () => mac().then((m) => m.verifyMac)),
  lazy('GetParametersForImport', () => importKeyMaterial().then((m) => m.getParametersForImport), { readOnly: false }),
  lazy('ImportKeyMaterial', () => importKeyMaterial().then((m) => m.importKeyMaterial)),
  lazy('DeleteImportedKeyMaterial', () => importKeyMaterial().then((m) => m.deleteImportedKeyMaterial)),
  policies.getKeyPolicy,
  policies.putKeyPolicy,
  policies.listKeyPolicies,
  lazy('CreateGrant', () => grants().then((m) => m.createGrant)),
  lazy('ListGrants', () => grants().then((m) => m.listGrants)),
  lazy('ListRetirableGrants', () => grants().then((m) => m.listRetirableGrants)),
  lazy('RetireGrant', () => grants().then((m) => m.retireGrant), { readOnly: false }),
  lazy('RevokeGrant', () => grants().then((m) => m.revokeGrant)),
  lazy('PutIdentityPolicy', () => identityPolicies().then((m) => m.putIdentityPolicy), { service: 'iam' }),
  lazy('DeleteIdentityPolicy', () => identityPolicies().then((m) => m.deleteIdentityPolicy), { service: 'iam' }),
  lazy('GetIdentityPolicies', () => identityPolicies().then((m) => m.getIdentityPolicies), { service: 'iam' }),
  lazy('ExportAuditLog', () => auditLog().then((m) => m.exportAuditLog), { service: 'webkms', readOnly: true }),
  lazy('GetAuditPublicKeys', () => auditLog().then((m) => m.getAuditPublicKeys), { service: 'webkms' }),
  lazy('RotateAuditSigningKey', () => auditLog().then((m) => m.rotateAuditSigningKey), { service: 'webkms' }),
  lazy('ExportRecoveryBundle', () => recovery().then((m) => m.exportRecoveryBundle), { service: 'webkms', readOnly: true }),
] as const
// Checked apart: as a `satisfies` it would widen what TypeScript infers for each lazy row.
operations satisfies readonly TableRow[]

/** Each row as loaded: the `Kms` method types are derived from these. */
export type OperationRow = Loaded<(typeof operations)[number]>
/**
 * The name of every operation the engine has: AWS KMS's (`CreateKey`, `Encrypt`, ...) and
 * webkms's own (`PutIdentityPolicy`, `ExportAuditLog`, `ExportRecoveryBundle`, ...). With a
 * lower-case first letter it is the {@link Kms} method; at the edge, the `X-Amz-Target` is
 * `TrentService.<Name>` or `WebKms.<Name>`. {@link operationNames} lists them in table order.
 *
 * @example
 * ```ts
 * import { operationNames, type OperationName } from '@webkms/core'
 *
 * const isOperation = (name: string): name is OperationName => (operationNames as readonly string[]).includes(name)
 * console.log(isOperation('Encrypt'), isOperation('DeleteEverything')) // true false
 * ```
 */
export type OperationName = OperationRow['name']

/** Every operation's name, in table order. */
export const operationNames: readonly OperationName[] = operations.map((o) => o.name)

/** `CreateKey` -> `createKey`. */
export const methodName = <N extends string>(name: N) => (name.charAt(0).toLowerCase() + name.slice(1)) as Uncapitalize<N>

