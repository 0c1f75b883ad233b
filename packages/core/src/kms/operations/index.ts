/**
 * The table: every operation the engine has, one row each (operation.ts). The `Kms` methods,
 * the worker's methods and the wire protocol's targets are derived from it, so a new row is
 * callable everywhere and none can drift.
 *
 * The rows an application calls over and over (the cryptographic operations but the rarer
 * ReEncrypt) are here as they are; the rest are lazy rows, their modules imported on first call,
 * to keep what `createKms` loads at start within its bundle budget (scripts/bundle-budget.mjs).
 * CreateKey and DescribeKey are lazy too: a key is made once, and an engine that reopens a store
 * of keys may never make one. table.ts has every row loaded, for protocols.
 */
import { lazyOperation, type Loaded, type Operation, type Service, type TableRow } from '../operation.js'
import * as cryptography from './cryptography.js'

const keys = () => import('./keys.js')
const lifecycle = () => import('./lifecycle.js')
const policies = () => import('./policies.js')
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
const reEncrypt = () => import('./reEncrypt.js')

/** `CreateKey` -> `createKey`: a row's method name, and the name its module exports it by. */
export const methodName = <N extends string>(name: N) => (name.charAt(0).toLowerCase() + name.slice(1)) as Uncapitalize<N>

/** The lazy row `name`, exported by its module under its method name. */
const lazy = <M, N extends Capitalize<keyof M & string>>(load: () => Promise<M>, name: N, options?: { service?: Service; readOnly?: boolean }) =>
  lazyOperation<Extract<M[Uncapitalize<N> & keyof M], Operation>>(name, () => load().then((m) => m[methodName(name) as Uncapitalize<N> & keyof M] as Extract<M[Uncapitalize<N> & keyof M], Operation>), options)

export const operations = [
  lazy(keys, 'CreateKey'),
  lazy(keys, 'DescribeKey'),
  lazy(lifecycle, 'ListKeys'),
  lazy(lifecycle, 'UpdateKeyDescription'),
  lazy(lifecycle, 'EnableKey'),
  lazy(lifecycle, 'DisableKey'),
  lazy(lifecycle, 'ScheduleKeyDeletion'),
  lazy(lifecycle, 'CancelKeyDeletion'),
  lazy(aliases, 'CreateAlias'),
  lazy(aliases, 'UpdateAlias'),
  lazy(aliases, 'DeleteAlias'),
  lazy(aliases, 'ListAliases'),
  lazy(tags, 'TagResource'),
  lazy(tags, 'UntagResource'),
  lazy(tags, 'ListResourceTags'),
  lazy(rotation, 'EnableKeyRotation'),
  lazy(rotation, 'DisableKeyRotation'),
  lazy(rotation, 'GetKeyRotationStatus'),
  lazy(rotation, 'RotateKeyOnDemand'),
  lazy(rotation, 'ListKeyRotations'),
  cryptography.encrypt,
  cryptography.decrypt,
  lazy(reEncrypt, 'ReEncrypt'),
  cryptography.generateDataKey,
  cryptography.generateDataKeyWithoutPlaintext,
  cryptography.generateRandom,
  lazy(dataKeyPairs, 'GenerateDataKeyPair'),
  lazy(dataKeyPairs, 'GenerateDataKeyPairWithoutPlaintext'),
  lazy(asymmetric, 'Sign'),
  lazy(asymmetric, 'Verify'),
  lazy(asymmetric, 'GetPublicKey'),
  lazy(asymmetric, 'DeriveSharedSecret'),
  lazy(mac, 'GenerateMac'),
  lazy(mac, 'VerifyMac'),
  lazy(importKeyMaterial, 'GetParametersForImport', { readOnly: false }),
  lazy(importKeyMaterial, 'ImportKeyMaterial'),
  lazy(importKeyMaterial, 'DeleteImportedKeyMaterial'),
  lazy(policies, 'GetKeyPolicy'),
  lazy(policies, 'PutKeyPolicy'),
  lazy(policies, 'ListKeyPolicies'),
  lazy(grants, 'CreateGrant'),
  lazy(grants, 'ListGrants'),
  lazy(grants, 'ListRetirableGrants'),
  lazy(grants, 'RetireGrant', { readOnly: false }),
  lazy(grants, 'RevokeGrant'),
  lazy(identityPolicies, 'PutIdentityPolicy', { service: 'iam' }),
  lazy(identityPolicies, 'DeleteIdentityPolicy', { service: 'iam' }),
  lazy(identityPolicies, 'GetIdentityPolicies', { service: 'iam' }),
  lazy(auditLog, 'ExportAuditLog', { service: 'webkms', readOnly: true }),
  lazy(auditLog, 'GetAuditPublicKeys', { service: 'webkms' }),
  lazy(auditLog, 'RotateAuditSigningKey', { service: 'webkms' }),
  lazy(recovery, 'ExportRecoveryBundle', { service: 'webkms', readOnly: true }),
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

