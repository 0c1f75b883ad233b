/**
 * webkms's own operations on the audit trail (X-Amz-Target `WebKms.<Operation>` at the edge):
 * ExportAuditLog, GetAuditPublicKeys, RotateAuditSigningKey. They are authorized like any
 * operation on no key (identity policies allowing `webkms:<Operation>`; the account root always)
 * and audited like any call.
 *
 * GetAuditPublicKeys is how a verifier learns the signing keys apart from any export, as
 * CloudTrail's digest validation fetches its public keys separately; verifyAuditLog trusts only
 * keys given to it this way.
 */
import { TrailMoved, type AuditPublicKey, type ExportedAuditLog } from '../audit/layout.js'
import { KMSInternalException } from '../errors.js'
import { defineOperation, noTarget } from '../operation.js'
import { string } from '../request/schema.js'

/**
 * ExportAuditLog's request: webkms's own operation (`WebKms.ExportAuditLog` at the edge),
 * allowed to the account root and to identity policies allowing `webkms:ExportAuditLog`. It
 * returns the trail kept so far, ending with a checkpoint signed now, as an
 * {@link ExportedAuditLog}.
 */
export interface ExportAuditLogRequest {
  /**
   * A value of the verifier's choosing (e.g. 16 random bytes in hex): the export's last
   * checkpoint is signed over it, so verifyAuditLog({ challenge }) can tell this export from an
   * older one or one cut at an earlier checkpoint.
   */
  Challenge?: string
}

/** One key that signs the audit trail's checkpoints (ECDSA P-256, non-extractable in the store), as GetAuditPublicKeys lists it. */
export interface AuditPublicKeyEntry {
  /** Hex SHA-256 of the raw public key: what checkpoints name and what verifiers pin. */
  Fingerprint: string
  /** Base64 of the uncompressed P-256 point. */
  PublicKey: string
  /** When the engine made the key. */
  CreationDate: Date
  /** When it handed over to the next key; absent for the current one. */
  RetirementDate?: Date
}
/**
 * GetAuditPublicKeys's response (webkms's own operation, `WebKms.GetAuditPublicKeys` at the
 * edge): the keys that sign the audit trail's checkpoints. Obtain them apart from any export
 * and pass them to {@link verifyAuditLog} as `trustedKeys`, as CloudTrail's log file integrity
 * validation fetches its public keys separately from the digest files.
 *
 * @example
 * ```ts
 * import { createKms, verifyAuditLog } from '@webkms/core'
 *
 * const kms = createKms()
 * const { CurrentKeyFingerprint } = await kms.getAuditPublicKeys() // pinned once, kept by the verifier
 * await kms.createKey({ Description: 'orders' })
 * const verdict = await verifyAuditLog(await kms.exportAuditLog(), { trustedKeys: [CurrentKeyFingerprint] })
 * console.log(verdict.valid) // true
 * ```
 */
export interface GetAuditPublicKeysResponse {
  /** Every signing key the trail has had, oldest first. */
  Keys: AuditPublicKeyEntry[]
  /** The key that signs new checkpoints. */
  CurrentKeyFingerprint: string
}
/**
 * RotateAuditSigningKey's response (webkms's own operation): the new signing key. The old key
 * signs a handover checkpoint naming it, so a verifier that trusts the old key accepts the new
 * one's checkpoints, and older exports still verify. Rejects with `KMSInternalException`
 * (`ERR_KMS_INTERNAL`) when the trail kept changing under five attempts; try again.
 */
export interface RotateAuditSigningKeyResponse {
  /** Hex SHA-256 of the new raw public key. */
  Fingerprint: string
  /** Base64 of the new key's uncompressed P-256 point. */
  PublicKey: string
}

const entry = (k: AuditPublicKey): AuditPublicKeyEntry => {
  const e: AuditPublicKeyEntry = { Fingerprint: k.fingerprint, PublicKey: k.publicKey, CreationDate: new Date(k.createdAt) }
  if (k.retiredAt) e.RetirementDate = new Date(k.retiredAt)
  return e
}

export const exportAuditLog = defineOperation<ExportAuditLogRequest, ExportedAuditLog>()({
  name: 'ExportAuditLog',
  service: 'webkms',
  readOnly: true,
  schema: { Challenge: string({ min: 1, max: 256 }) },
  resolve: noTarget,
  permissions: () => [{ on: '*' }],
  run: ({ engine }, r) => engine.audit.export(r.Challenge === undefined ? {} : { challenge: r.Challenge }),
})

export const getAuditPublicKeys = defineOperation<Record<string, never>, GetAuditPublicKeysResponse>()({
  name: 'GetAuditPublicKeys',
  service: 'webkms',
  schema: {},
  resolve: noTarget,
  permissions: () => [{ on: '*' }],
  async run({ engine }) {
    const keys = await engine.audit.publicKeys()
    return { Keys: keys.map(entry), CurrentKeyFingerprint: keys.at(-1)!.fingerprint }
  },
})

/**
 * A new signing key. The old one signs a handover checkpoint naming the new one, so a verifier
 * that pinned the old key accepts the new one's checkpoints, and old exports keep verifying.
 */
export const rotateAuditSigningKey = defineOperation<Record<string, never>, RotateAuditSigningKeyResponse>()({
  name: 'RotateAuditSigningKey',
  service: 'webkms',
  schema: {},
  resolve: noTarget,
  permissions: () => [{ on: '*' }],
  async run({ engine, commit }) {
    // This engine's other calls append nothing between the handover's signing and its storing.
    for (let attempt = 0; attempt < 5; attempt++) {
      await engine.audit.appendable() // a checkpoint being signed finishes first
      const installed = await engine.audit.holdingAppends(async () => {
        const rotation = await engine.audit.prepareRotation()
        try {
          return await commit((tx) => rotation.install(tx), { heldByCaller: true })
        } catch (error) {
          if (!(error instanceof TrailMoved)) throw error
          return undefined
        }
      })
      if (installed) return { Fingerprint: installed.fingerprint, PublicKey: installed.publicKey }
    }
    throw new KMSInternalException('RotateAuditSigningKey: the trail kept changing; try again')
  },
})
