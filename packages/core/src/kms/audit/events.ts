/**
 * CloudTrail-shaped KMS events (CloudTrail "Logging AWS KMS API calls"): who, when, which
 * operation, from where, on which key, the encryption context, the error. The request members
 * an event records come from the operation's schema (request/schema.ts: `auditedParameters`),
 * never the plaintext, ciphertext or any other binary or sensitive member.
 *
 * Building an event cannot fail: everything in it is plain data the engine made.
 */
import { KmsError } from '../errors.js'
import { userIdentity, type ResolvedCaller } from '../caller.js'
import type { Account } from '../keyIds.js'

export interface EventIds {
  requestID: string
  eventID: string
}

const EVENT_SOURCES = { kms: 'kms.amazonaws.com', iam: 'iam.amazonaws.com', webkms: 'webkms' } as const

export interface ApiCall {
  service: keyof typeof EVENT_SOURCES
  operation: string
  readOnly: boolean
  caller: ResolvedCaller
  now: Date
  /** CloudTrail's requestParameters (null when none). */
  parameters: Record<string, unknown> | null
  /** The key ARNs the call acted on. */
  resources: string[]
  /** The error the caller got, if any. */
  error?: KmsError
}

/** To the second, as CloudTrail writes it: toISOString always ends in ".sssZ". */
const cloudTrailTime = (d: Date) => `${d.toISOString().slice(0, -5)}Z`

export function apiCallEvent(account: Account, call: ApiCall, generated: EventIds): Record<string, unknown> {
  // The edge's request ID, when the call came over the wire, so the event and the response agree.
  const ids = call.caller.requestId ? { ...generated, requestID: call.caller.requestId } : generated
  const event: Record<string, unknown> = {
    eventVersion: '1.08',
    userIdentity: userIdentity(call.caller),
    eventTime: cloudTrailTime(call.now),
    eventSource: EVENT_SOURCES[call.service],
    eventName: call.operation,
    awsRegion: account.region,
    sourceIPAddress: call.caller.sourceIp ?? call.caller.viaService ?? null,
    userAgent: call.caller.userAgent ?? 'webkms',
    requestParameters: call.parameters,
    responseElements: null,
    requestID: ids.requestID,
    eventID: ids.eventID,
    readOnly: call.readOnly,
    resources: [...new Set(call.resources)].map((ARN) => ({ accountId: account.accountId, type: 'AWS::KMS::Key', ARN })),
    eventType: 'AwsApiCall',
    managementEvent: true,
    recipientAccountId: account.accountId,
  }
  if (call.error) {
    event.errorCode = call.error.name
    event.errorMessage = call.error.message
  }
  return event
}

/** Events KMS itself causes: automatic rotation, key deletion at the end of the window. */
export function serviceEvent(account: Account, eventName: 'RotateKey' | 'DeleteKey' | 'DeleteExpiredKeyMaterial', keyArnValue: string, now: Date, ids: EventIds): Record<string, unknown> {
  return {
    eventVersion: '1.08',
    userIdentity: { accountId: account.accountId, invokedBy: 'kms.amazonaws.com' },
    eventTime: cloudTrailTime(now),
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
