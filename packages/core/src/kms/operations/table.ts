/**
 * Every row of the table loaded (operations/index.ts holds the rarely used ones as lazy rows):
 * for what needs every operation's schema at once: the wire protocol's JSON codec. Importing
 * this module loads every operation's code.
 */
import type { Operation } from '../operation.js'
import * as aliases from './aliases.js'
import * as asymmetric from './asymmetric.js'
import * as auditLog from './auditLog.js'
import * as cryptography from './cryptography.js'
import * as dataKeyPairs from './dataKeyPairs.js'
import * as grants from './grants.js'
import * as identityPolicies from './identityPolicies.js'
import * as importKeyMaterial from './importKeyMaterial.js'
import { operationNames, type OperationName } from './index.js'
import * as keys from './keys.js'
import * as lifecycle from './lifecycle.js'
import * as mac from './mac.js'
import * as policies from './policies.js'
import * as reEncrypt from './reEncrypt.js'
import * as recovery from './recovery.js'
import * as rotation from './rotation.js'
import * as tags from './tags.js'

const isOperation = (v: unknown): v is Operation => !!v && typeof v === 'object' && typeof (v as Operation).name === 'string' && typeof (v as Operation).run === 'function'
const byName = new Map<string, Operation>(
  [aliases, asymmetric, auditLog, cryptography, dataKeyPairs, grants, identityPolicies, importKeyMaterial, keys, lifecycle, mac, policies, reEncrypt, recovery, rotation, tags]
    .flatMap((m) => Object.values(m))
    .filter(isOperation)
    .map((row) => [row.name, row]),
)

/** Every row, loaded, in table order. */
export const allOperations: readonly Operation[] = operationNames.map((name) => {
  const row = byName.get(name)
  if (!row) throw new Error(`operations/table.ts: no module exports the row ${name}`)
  return row
})

/** What a protocol needs to know of each operation: its name, whose API it belongs to, and its request schema. */
export interface OperationDescription {
  readonly name: OperationName
  readonly service: Operation['service']
  readonly readOnly: boolean
  readonly schema: Operation['schema']
}

/** The table as a protocol sees it (the edge's wire targets and JSON codec are derived from it). */
export const operationTable: readonly OperationDescription[] = allOperations.map(({ name, service, readOnly, schema }) => ({ name: name as OperationName, service, readOnly, schema }))
