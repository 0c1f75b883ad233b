/** Policy size limits, which request schemas check before the policy grammar (document.ts) loads. */

/** IAM's limit for a managed policy document, in characters. */
export const MAX_IDENTITY_POLICY_LENGTH = 6144
/** A key policy is at most 32 KiB (KMS quotas: "Key policy document size"). */
export const MAX_KEY_POLICY_BYTES = 32768
