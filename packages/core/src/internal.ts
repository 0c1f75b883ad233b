/**
 * `@webkms/core/internal`: what the other webkms packages (`@webkms/worker`,
 * `@webkms/keystore-idb`, `@webkms/edge`) share with the engine and that is not part of its
 * public API. No compatibility promise: it changes with the packages of this repository that
 * import it. Applications import `@webkms/core` (or `/kms`, `/envelope`, `/errors`) instead.
 *
 * - `cloneRecord`: the deep copy a `KeyStore` makes of the records it hands out and takes in
 *   (structured-clone semantics; CryptoKeys shared).
 * - `canonicalJson`: JSON with sorted keys, as the audit hash chain hashes events.
 * - `WEBKMS_ENGINE`: the mark of a webkms engine or client, which tells the envelope SDK's
 *   `KmsKeyring` which provider id to write.
 * - `operationTable`, `OperationDescription`, `Member`, `Schema`: each operation's name, API and
 *   request schema, from which the edge derives its wire targets and JSON codec.
 * - `resolveCaller`, `ResolvedCaller`: checks a `Caller` (throws TypeError naming the bad member)
 *   and fills in its account, as `kms.as(caller)` does.
 * - `recordOtherAccountEvent`: appends to an engine's trail the event of a call its principal made
 *   on a key of another account kept elsewhere (`KmsOptions.otherAccounts`: the edge).
 *
 * @example
 * ```ts
 * import { cloneRecord } from '@webkms/core/internal'
 *
 * const copy = cloneRecord({ created: new Date(0), bytes: new Uint8Array([1, 2]) })
 * ```
 *
 * @module
 */
export { cloneRecord } from './keystore/cloneRecord.js'
export { canonicalJson } from './kms/audit/chain.js'
export { WEBKMS_ENGINE } from './engineMarker.js'
export { operationTable, type OperationDescription } from './kms/operations/table.js'
export type { Member, Schema } from './kms/request/schema.js'
export { resolveCaller, type ResolvedCaller } from './kms/caller.js'
export { recordOtherAccountEvent } from './kms/otherAccounts.js'
