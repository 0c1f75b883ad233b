/**
 * Findings like a security posture service reports (AWS Security Hub's KMS controls, IAM
 * Access Analyzer), computed on demand from the keys, their policies and the audit trail:
 * - KEY_ROTATION_DISABLED: a symmetric key whose material KMS made (the only kind that can
 *   rotate automatically), not pending deletion, without automatic rotation (KMS.4);
 * - KEY_PENDING_IMPORT: an imported-material key that cannot be used until material is imported;
 * - IMPORTED_MATERIAL_EXPIRING: imported material that expires within 30 days;
 * - POLICY_ALLOWS_ANYONE: a key policy Allow for principal `*` with no condition;
 * - KEY_PENDING_DELETION: a key scheduled for deletion (KMS.3: keys should not be deleted unintentionally);
 * - KEY_DESTRUCTION_EVENT: ScheduleKeyDeletion calls and DeleteKey events in the trail;
 * - POLICY_CHANGE_EVENT: PutKeyPolicy, CreateKey with a policy, identity policy changes;
 * - REPEATED_ACCESS_DENIED: a principal refused at least `deniedThreshold` times.
 */
import { rootCaller } from './caller.js'
import type { Engine } from './engine.js'

/**
 * The kinds of {@link Finding}, after AWS Security Hub's KMS controls and IAM Access Analyzer:
 * - `KEY_ROTATION_DISABLED`: a symmetric key whose material KMS made, without automatic rotation (KMS.4);
 * - `KEY_PENDING_IMPORT`: an imported-material key with no usable material;
 * - `IMPORTED_MATERIAL_EXPIRING`: imported material that expires within 30 days;
 * - `POLICY_ALLOWS_ANYONE`: a key policy statement that allows principal `*` without conditions;
 * - `KEY_PENDING_DELETION`: a key scheduled for deletion (KMS.3);
 * - `KEY_DESTRUCTION_EVENT`: a ScheduleKeyDeletion call or DeleteKey event in the audit trail;
 * - `POLICY_CHANGE_EVENT`: PutKeyPolicy, CreateKey with a policy, or an identity policy change in the trail;
 * - `REPEATED_ACCESS_DENIED`: a principal refused at least `deniedThreshold` times in the trail.
 */
export type FindingType =
  | 'KEY_ROTATION_DISABLED'
  | 'KEY_PENDING_IMPORT'
  | 'IMPORTED_MATERIAL_EXPIRING'
  | 'POLICY_ALLOWS_ANYONE'
  | 'KEY_PENDING_DELETION'
  | 'KEY_DESTRUCTION_EVENT'
  | 'POLICY_CHANGE_EVENT'
  | 'REPEATED_ACCESS_DENIED'

/**
 * One finding of `kms.findings()`, computed on demand from the keys, their policies and the
 * audit trail, like a security posture service reports them.
 *
 * @example
 * ```ts
 * import { createKms, type Finding } from '@webkms/core'
 *
 * const kms = createKms()
 * await kms.createKey({}) // automatic rotation off: a KEY_ROTATION_DISABLED finding
 * const urgent: Finding[] = (await kms.findings({ deniedThreshold: 3 })).filter((f) => f.severity === 'HIGH')
 * ```
 */
export interface Finding {
  type: FindingType
  severity: 'HIGH' | 'MEDIUM' | 'LOW' | 'INFORMATIONAL'
  /** The key ARN, or the principal ARN for denials. */
  resource: string
  /** A sentence for people. */
  title: string
  /** When it happened, for findings from the trail (ISO 8601). */
  time?: string
  /** Audit sequence number of the event, for findings from the trail. */
  sequence?: number
  /** REPEATED_ACCESS_DENIED: how many calls were denied. */
  count?: number
}

/** The options of `kms.findings()`, which rejects with `TypeError` for a `deniedThreshold` that is not a positive integer. */
export interface FindingsOptions {
  /** Refusals of one principal that make a finding. Default 5. */
  deniedThreshold?: number
}

const EXPIRY_WARNING_DAYS = 30
const POLICY_EVENTS = new Set(['PutKeyPolicy', 'PutIdentityPolicy', 'DeleteIdentityPolicy'])

export async function computeFindings(engine: Engine, now: Date, options: FindingsOptions = {}): Promise<Finding[]> {
  const threshold = options.deniedThreshold ?? 5
  if (!Number.isInteger(threshold) || threshold < 1) throw new TypeError('"deniedThreshold" expected a positive integer')
  await engine.settle({ operation: 'Findings', now, caller: rootCaller(engine.account.partition, engine.account.accountId) })
  const { keys, records } = await engine.store.transaction('readonly', async (tx) => ({ keys: await tx.listKeys(), records: await tx.listAuditRecords() }))
  const findings: Finding[] = []

  for (const key of keys) {
    if (key.keyState === 'PendingDeletion') {
      findings.push({ type: 'KEY_PENDING_DELETION', severity: 'HIGH', resource: key.arn, title: `Key is scheduled for deletion on ${key.deletionDate?.toISOString()}; data it encrypted becomes unrecoverable then` })
    } else if (!key.rotation.enabled && key.keySpec === 'SYMMETRIC_DEFAULT' && key.origin === 'AWS_KMS') {
      findings.push({ type: 'KEY_ROTATION_DISABLED', severity: 'MEDIUM', resource: key.arn, title: 'Automatic key rotation is not enabled' })
    }
    if (key.keyState === 'PendingImport') {
      findings.push({ type: 'KEY_PENDING_IMPORT', severity: 'MEDIUM', resource: key.arn, title: 'Key has no usable key material: import it (again) to use the key' })
    }
    for (const v of key.versions) {
      const validTo = v.imported?.validTo
      if (validTo && (v.material || v.privateKeys) && validTo.getTime() - now.getTime() <= EXPIRY_WARNING_DAYS * 86_400_000) {
        findings.push({ type: 'IMPORTED_MATERIAL_EXPIRING', severity: 'MEDIUM', resource: key.arn, time: validTo.toISOString(), title: `Imported key material ${v.keyMaterialId.slice(0, 12)}... expires on ${validTo.toISOString()}; import it again with a later ValidTo to keep the key usable` })
      }
    }
    for (const s of (await engine.authorizer.keyPolicy(key)).statements) {
      if (s.effect === 'Allow' && s.principal?.any && s.conditions.length === 0) {
        findings.push({ type: 'POLICY_ALLOWS_ANYONE', severity: 'HIGH', resource: key.arn, title: `Key policy statement ${s.sid ? `"${s.sid}"` : s.index} allows any principal (*) without conditions` })
      }
    }
  }

  const denied = new Map<string, { count: number; last: string }>()
  for (const { sequence, event } of records) {
    const name = event.eventName as string
    const time = event.eventTime as string
    const ok = event.errorCode === undefined
    const resource = ((event.resources as { ARN: string }[] | undefined) ?? [])[0]?.ARN ?? (event.requestParameters as { principal?: string } | null)?.principal ?? ''
    if (ok && (name === 'ScheduleKeyDeletion' || name === 'DeleteKey')) {
      findings.push({ type: 'KEY_DESTRUCTION_EVENT', severity: name === 'DeleteKey' ? 'HIGH' : 'MEDIUM', resource, time, sequence, title: name === 'DeleteKey' ? 'Key material was destroyed at the end of its deletion window' : 'Key deletion was scheduled' })
    }
    const params = event.requestParameters as { policy?: unknown } | null
    if (ok && (POLICY_EVENTS.has(name) || (name === 'CreateKey' && params?.policy !== undefined))) {
      findings.push({ type: 'POLICY_CHANGE_EVENT', severity: 'LOW', resource, time, sequence, title: `${name} changed who may use keys` })
    }
    if (event.errorCode === 'AccessDeniedException') {
      const arn = (event.userIdentity as { arn?: string } | undefined)?.arn ?? 'unknown'
      const entry = denied.get(arn) ?? { count: 0, last: time }
      entry.count++
      entry.last = time
      denied.set(arn, entry)
    }
  }
  for (const [arn, { count, last }] of denied) {
    if (count >= threshold) findings.push({ type: 'REPEATED_ACCESS_DENIED', severity: 'HIGH', resource: arn, time: last, count, title: `${count} calls by this principal were denied` })
  }
  return findings
}
