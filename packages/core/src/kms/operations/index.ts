/**
 * The table: every operation the engine has, one row each (operation.ts). The `Kms` methods,
 * the worker's methods and the wire protocol's targets are derived from it, so a new row is
 * callable everywhere and none can drift.
 */
import type { Operation } from '../operation.js'
import * as aliases from './aliases.js'
import * as asymmetric from './asymmetric.js'
import * as dataKeyPairs from './dataKeyPairs.js'
import * as importKeyMaterial from './importKeyMaterial.js'
import * as mac from './mac.js'
import * as recovery from './recovery.js'
import * as auditLog from './auditLog.js'
import * as cryptography from './cryptography.js'
import * as grants from './grants.js'
import * as identityPolicies from './identityPolicies.js'
import * as keys from './keys.js'
import * as policies from './policies.js'
import * as rotation from './rotation.js'
import * as tags from './tags.js'

export const operations = [
  keys.createKey,
  keys.describeKey,
  keys.listKeys,
  keys.updateKeyDescription,
  keys.enableKey,
  keys.disableKey,
  keys.scheduleKeyDeletion,
  keys.cancelKeyDeletion,
  aliases.createAlias,
  aliases.updateAlias,
  aliases.deleteAlias,
  aliases.listAliases,
  tags.tagResource,
  tags.untagResource,
  tags.listResourceTags,
  rotation.enableKeyRotation,
  rotation.disableKeyRotation,
  rotation.getKeyRotationStatus,
  rotation.rotateKeyOnDemand,
  rotation.listKeyRotations,
  cryptography.encrypt,
  cryptography.decrypt,
  cryptography.reEncrypt,
  cryptography.generateDataKey,
  cryptography.generateDataKeyWithoutPlaintext,
  cryptography.generateRandom,
  dataKeyPairs.generateDataKeyPair,
  dataKeyPairs.generateDataKeyPairWithoutPlaintext,
  asymmetric.sign,
  asymmetric.verify,
  asymmetric.getPublicKey,
  asymmetric.deriveSharedSecret,
  mac.generateMac,
  mac.verifyMac,
  importKeyMaterial.getParametersForImport,
  importKeyMaterial.importKeyMaterial,
  importKeyMaterial.deleteImportedKeyMaterial,
  policies.getKeyPolicy,
  policies.putKeyPolicy,
  policies.listKeyPolicies,
  grants.createGrant,
  grants.listGrants,
  grants.listRetirableGrants,
  grants.retireGrant,
  grants.revokeGrant,
  identityPolicies.putIdentityPolicy,
  identityPolicies.deleteIdentityPolicy,
  identityPolicies.getIdentityPolicies,
  auditLog.exportAuditLog,
  auditLog.getAuditPublicKeys,
  auditLog.rotateAuditSigningKey,
  recovery.exportRecoveryBundle,
] as const satisfies readonly Operation[]

export type OperationRow = (typeof operations)[number]
export type OperationName = OperationRow['name']

/** Every operation's name, in table order. */
export const operationNames: readonly OperationName[] = operations.map((o) => o.name)

export const operationsByName: ReadonlyMap<string, Operation> = new Map(operations.map((o) => [o.name, o]))

/** `CreateKey` -> `createKey`. */
export const methodName = <N extends string>(name: N) => (name.charAt(0).toLowerCase() + name.slice(1)) as Uncapitalize<N>

/** What a protocol needs to know of each operation: its name, whose API it belongs to, and its request schema. */
export interface OperationDescription {
  readonly name: OperationName
  readonly service: Operation['service']
  readonly readOnly: boolean
  readonly schema: Operation['schema']
}

/** The table as a protocol sees it (the edge's wire targets and JSON codec are derived from it). */
export const operationTable: readonly OperationDescription[] = operations.map(({ name, service, readOnly, schema }) => ({ name, service, readOnly, schema }))
