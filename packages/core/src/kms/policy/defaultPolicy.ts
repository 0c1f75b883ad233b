/**
 * The default key policy, as text and already parsed: most keys carry it, so most engines never
 * load the policy grammar (document.ts, loaded on demand: parser.ts).
 */
import type { Policy } from './document.js'

const DEFAULT_POLICY_ID = 'key-default-1'
const DEFAULT_STATEMENT_SID = 'Enable IAM User Permissions'
const rootArn = (partition: string, accountId: string) => `arn:${partition}:iam::${accountId}:root`

/**
 * The policy CreateKey attaches when given none ("Default key policy" in the KMS developer
 * guide): the account root may do everything, which lets IAM policies in the account grant
 * access to the key.
 *
 * @example
 * ```ts
 * import { defaultKeyPolicy } from '@webkms/core'
 *
 * const policy = JSON.parse(defaultKeyPolicy('aws', '111122223333'))
 * console.log(policy.Statement[0].Principal.AWS) // arn:aws:iam::111122223333:root
 * ```
 */
export function defaultKeyPolicy(partition: string, accountId: string): string {
  const id = `${partition}:${accountId}`
  let text = defaultTexts.get(id)
  if (text === undefined) {
    text = defaultPolicyText(partition, accountId)
    // Compared with each key's policy on every call: kept for the few accounts an engine serves.
    if (defaultTexts.size >= 64) defaultTexts.clear()
    defaultTexts.set(id, text)
  }
  return text
}

const defaultTexts = new Map<string, string>()

function defaultPolicyText(partition: string, accountId: string): string {
  return JSON.stringify(
    {
      Version: '2012-10-17',
      Id: DEFAULT_POLICY_ID,
      Statement: [{ Sid: DEFAULT_STATEMENT_SID, Effect: 'Allow', Principal: { AWS: rootArn(partition, accountId) }, Action: 'kms:*', Resource: '*' }],
    },
    null,
    2,
  )
}

/** {@link defaultKeyPolicy} as document.ts parses it (a test holds the two equal). */
export function parsedDefaultKeyPolicy(partition: string, accountId: string): Policy {
  return {
    version: '2012-10-17',
    id: DEFAULT_POLICY_ID,
    statements: [
      { index: 0, sid: DEFAULT_STATEMENT_SID, effect: 'Allow', principal: { any: false, aws: [rootArn(partition, accountId)], service: [] }, action: ['kms:*'], resource: ['*'], conditions: [] },
    ],
  }
}
