/**
 * Builds CloudTrail-shaped KMS events (CloudTrail "Logging AWS KMS API calls"): who, when,
 * which operation, from where, on which key, the encryption context, the error. Request
 * members are logged in CloudTrail's camelCase, and never the plaintext, ciphertext or any
 * other binary member.
 */
import { KmsError } from '../errors.js'
import { UUID_PATTERN } from '../util/bytes.js'
import { userIdentity, type ResolvedCaller } from './caller.js'
import type { Account } from './keyIds.js'
import { keyArn } from './keyIds.js'

const READ_ONLY = /^(Describe|List|Get)/

const camel = (k: string) => k.charAt(0).toLowerCase() + k.slice(1)

/** Request members, minus anything binary (Plaintext, CiphertextBlob) and tag values. */
function requestParameters(input: Record<string, unknown>): Record<string, unknown> | null {
  const out: Record<string, unknown> = {}
  for (const [k, v] of Object.entries(input)) {
    if (v === undefined || v instanceof Uint8Array || v instanceof ArrayBuffer || typeof v === 'function') continue
    out[camel(k)] = v
  }
  return Object.keys(out).length ? JSON.parse(JSON.stringify(out)) : null
}

function keyArnOf(account: Account, input: Record<string, unknown>, output: unknown): string | undefined {
  const o = output as { KeyId?: unknown; KeyMetadata?: { Arn?: string } } | undefined
  if (o?.KeyMetadata?.Arn) return o.KeyMetadata.Arn
  if (typeof o?.KeyId === 'string' && o.KeyId.startsWith('arn:')) return o.KeyId
  for (const field of ['KeyId', 'TargetKeyId', 'DestinationKeyId']) {
    const v = input[field]
    if (typeof v === 'string' && v.includes(':key/')) return v
    if (typeof v === 'string' && UUID_PATTERN.test(v)) return keyArn(account, v)
  }
  return undefined
}

export interface EventIds {
  requestID: string
  eventID: string
}

export function apiCallEvent(
  account: Account,
  caller: ResolvedCaller,
  operation: string,
  now: Date,
  input: Record<string, unknown>,
  outcome: { output: unknown } | { error: unknown },
  ids: EventIds,
): Record<string, unknown> {
  const arn = keyArnOf(account, input, 'output' in outcome ? outcome.output : undefined)
  const event: Record<string, unknown> = {
    eventVersion: '1.08',
    userIdentity: userIdentity(caller),
    eventTime: now.toISOString().replace(/\.\d{3}Z$/, 'Z'),
    eventSource: 'kms.amazonaws.com',
    eventName: operation,
    awsRegion: account.region,
    sourceIPAddress: caller.sourceIp ?? caller.viaService ?? null,
    userAgent: 'webkms',
    requestParameters: requestParameters(input),
    responseElements: null,
    requestID: ids.requestID,
    eventID: ids.eventID,
    readOnly: READ_ONLY.test(operation),
    resources: arn ? [{ accountId: account.accountId, type: 'AWS::KMS::Key', ARN: arn }] : [],
    eventType: 'AwsApiCall',
    managementEvent: true,
    recipientAccountId: account.accountId,
  }
  if ('error' in outcome) {
    const e = outcome.error as Error
    event.errorCode = e instanceof KmsError ? e.name : 'InternalFailure'
    event.errorMessage = e instanceof KmsError ? e.message : 'internal error'
  }
  return event
}

/** Events KMS itself causes: automatic rotation, key deletion at the end of the window. */
export function serviceEvent(account: Account, eventName: 'RotateKey' | 'DeleteKey', keyArnValue: string, now: Date, ids: EventIds): Record<string, unknown> {
  return {
    eventVersion: '1.08',
    userIdentity: { accountId: account.accountId, invokedBy: 'kms.amazonaws.com' },
    eventTime: now.toISOString().replace(/\.\d{3}Z$/, 'Z'),
    eventSource: 'kms.amazonaws.com',
    eventName,
    awsRegion: account.region,
    sourceIPAddress: 'kms.amazonaws.com',
    userAgent: 'kms.amazonaws.com',
    requestParameters: null,
    responseElements: null,
    requestID: ids.requestID,
    eventID: ids.eventID,
    readOnly: false,
    resources: [{ accountId: account.accountId, type: 'AWS::KMS::Key', ARN: keyArnValue }],
    eventType: 'AwsServiceEvent',
    managementEvent: true,
    recipientAccountId: account.accountId,
  }
}
