/**
 * Who makes a call: the principal (an IAM ARN), its account, and the request's context
 * (source IP, MFA, the AWS service it came through). Every call carries one; the default is
 * the account root.
 */
import { parseIp } from './policy/ip.js'

/**
 * Who makes a call, as IAM sees a request: the principal's ARN and the request's context. Key
 * policies, identity policies and grants are evaluated for it, and the audit trail records it
 * as CloudTrail's `userIdentity`. An engine calls as `createKms({ caller })` (default: the
 * account root); `kms.as(caller)` is a view of it calling as another. Both throw `TypeError`
 * for a principal that is not an IAM or STS ARN, or for a member of the wrong shape.
 *
 * @example
 * ```ts
 * import { createKms, type Caller } from '@webkms/core'
 *
 * const alice: Caller = { principal: 'arn:aws:iam::111122223333:user/alice', sourceIp: '203.0.113.7', mfa: true }
 * const kms = createKms()
 * const asAlice = kms.as(alice) // same keys; calls decided and audited as alice
 * ```
 */
export interface Caller {
  /**
   * e.g. `arn:aws:iam::111122223333:user/alice`, `arn:aws:iam::111122223333:role/app`,
   * `arn:aws:sts::111122223333:assumed-role/app/session`, `arn:aws:iam::111122223333:root`.
   */
  principal: string
  /** The account in the principal's ARN (another one is refused). */
  accountId?: string
  /** The request's source address, IPv4 or IPv6: the `aws:SourceIp` condition key. */
  sourceIp?: string
  /** Whether the caller authenticated with MFA: `aws:MultiFactorAuthPresent`. */
  mfa?: boolean
  /** The AWS service the request came through, e.g. `s3.amazonaws.com`: `kms:ViaService`. */
  viaService?: string
  /** The access key the request was signed with (the edge), recorded in userIdentity. */
  accessKeyId?: string
  /** The client's User-Agent, recorded as the event's userAgent. */
  userAgent?: string
  /** The request's ID (the edge's x-amzn-RequestId), recorded as the event's requestID. */
  requestId?: string
  /**
   * For an assumed-role session (`arn:aws:sts::111122223333:assumed-role/app/session`): its role's
   * ARN with the role's path, e.g. `arn:aws:iam::111122223333:role/teams/app`. A session's ARN
   * leaves the path out, so without this the session is taken to be of `role/app`, and the
   * policies, grants and `aws:PrincipalArn` conditions that name the role by its pathed ARN do
   * not see it. Same partition, account and role name as the session, or `TypeError`.
   */
  roleArn?: string
}

export type ResolvedCaller = Required<Pick<Caller, 'principal' | 'accountId'>> & Caller

const PRINCIPAL = /^arn:[^:]+:(iam|sts)::(\d{12}):(.+)$/

export function resolveCaller(caller: unknown, name = 'caller'): ResolvedCaller {
  const c = caller as Caller
  if (!c || typeof c !== 'object' || typeof c.principal !== 'string') throw new TypeError(`"${name}" expected { principal: <IAM ARN>, ... }`)
  const m = PRINCIPAL.exec(c.principal)
  if (!m) throw new TypeError(`"${name}.principal" expected an IAM ARN such as arn:aws:iam::111122223333:user/alice, got ${JSON.stringify(c.principal)}`)
  if (c.accountId !== undefined && (typeof c.accountId !== 'string' || !/^\d{12}$/.test(c.accountId))) throw new TypeError(`"${name}.accountId" expected 12 digits`)
  // A principal belongs to the account its ARN names: a caller claiming another account would
  // be judged by that account's policies (and, as `arn:...:root`, be its root).
  if (c.accountId !== undefined && c.accountId !== m[2]) {
    throw new TypeError(`"${name}.accountId" is ${c.accountId}, but the principal ${c.principal} belongs to account ${m[2]}`)
  }
  if (c.sourceIp !== undefined && (typeof c.sourceIp !== 'string' || !parseIp(c.sourceIp))) throw new TypeError(`"${name}.sourceIp" expected an IPv4 or IPv6 address, got ${JSON.stringify(c.sourceIp)}`)
  if (c.mfa !== undefined && typeof c.mfa !== 'boolean') throw new TypeError(`"${name}.mfa" expected a boolean`)
  if (c.viaService !== undefined && (typeof c.viaService !== 'string' || !/^[a-z0-9.-]+$/.test(c.viaService))) throw new TypeError(`"${name}.viaService" expected a service name such as s3.amazonaws.com`)
  // A copy of exactly the members a caller has: later changes to the caller's object change nothing.
  const out: ResolvedCaller = { principal: c.principal, accountId: m[2]! }
  if (c.sourceIp !== undefined) out.sourceIp = c.sourceIp
  if (c.mfa !== undefined) out.mfa = c.mfa
  if (c.viaService !== undefined) out.viaService = c.viaService
  if (c.accessKeyId !== undefined) {
    if (typeof c.accessKeyId !== 'string' || !/^[A-Z0-9]{16,128}$/.test(c.accessKeyId)) throw new TypeError(`"${name}.accessKeyId" expected an access key ID such as AKIAIOSFODNN7EXAMPLE`)
    out.accessKeyId = c.accessKeyId
  }
  if (c.userAgent !== undefined) {
    if (typeof c.userAgent !== 'string') throw new TypeError(`"${name}.userAgent" expected a string`)
    out.userAgent = c.userAgent.slice(0, 1024)
  }
  if (c.requestId !== undefined) {
    if (typeof c.requestId !== 'string' || !/^[\w-]{1,128}$/.test(c.requestId)) throw new TypeError(`"${name}.requestId" expected 1-128 letters, digits, _ or -`)
    out.requestId = c.requestId
  }
  if (c.roleArn !== undefined) {
    const session = SESSION.exec(c.principal)
    const role = typeof c.roleArn === 'string' ? ROLE.exec(c.roleArn) : null
    if (!session || !role || role[1] !== session[1] || role[2] !== session[2] || role[4] !== session[3]) {
      throw new TypeError(`"${name}.roleArn" expected the ARN of the session's own role (arn:<partition>:iam::<account>:role/<path/><name>), for an assumed-role principal`)
    }
    out.roleArn = c.roleArn
  }
  return out
}

/** An assumed-role session: partition, account, role name. */
const SESSION = /^arn:([^:]+):sts::(\d{12}):assumed-role\/([^/]+)\/.+$/
/** A role: partition, account, path (with its slashes), name. */
const ROLE = /^arn:([^:]+):iam::(\d{12}):role\/((?:[^/]+\/)*)([^/]+)$/

/**
 * The role an assumed-role session belongs to, with its path where the caller gave it
 * (`roleArn`); undefined for any other principal.
 */
export function sessionRole(c: ResolvedCaller): string | undefined {
  const session = SESSION.exec(c.principal)
  if (!session) return undefined
  return c.roleArn ?? `arn:${session[1]}:iam::${session[2]}:role/${session[3]}`
}

export const rootCaller = (partition: string, accountId: string): ResolvedCaller => ({ principal: `arn:${partition}:iam::${accountId}:root`, accountId })

/** CloudTrail's userIdentity for a caller. */
export function userIdentity(c: ResolvedCaller): Record<string, unknown> {
  const resource = PRINCIPAL.exec(c.principal)![3]!
  const type = resource === 'root' ? 'Root' : resource.startsWith('assumed-role/') ? 'AssumedRole' : resource.startsWith('role/') ? 'Role' : 'IAMUser'
  const identity: Record<string, unknown> = { type, arn: c.principal, accountId: c.accountId, principalId: resource === 'root' ? c.accountId : resource }
  if (c.accessKeyId !== undefined) identity.accessKeyId = c.accessKeyId
  const sessionContext: Record<string, unknown> = {}
  if (c.mfa !== undefined) sessionContext.attributes = { mfaAuthenticated: String(c.mfa) }
  // CloudTrail names the role an assumed-role session came from (with its path where the
  // caller gave it: roleArn); the role's unique ID (AROA...) is IAM's, unknown here.
  const role = sessionRole(c)
  if (role) sessionContext.sessionIssuer = { type: 'Role', arn: role, accountId: c.accountId, userName: role.slice(role.lastIndexOf('/') + 1) }
  if (Object.keys(sessionContext).length > 0) identity.sessionContext = sessionContext
  if (c.viaService) identity.invokedBy = c.viaService
  return identity
}
