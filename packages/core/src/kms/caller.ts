/**
 * Who makes a call: the principal (an IAM ARN), its account, and the request's context
 * (source IP, MFA, the AWS service it came through). Every call carries one; the default is
 * the account root.
 */
export interface Caller {
  /** e.g. `arn:aws:iam::111122223333:user/alice`, `arn:aws:iam::111122223333:root`. */
  principal: string
  /** Defaults to the account in the principal's ARN. */
  accountId?: string
  sourceIp?: string
  mfa?: boolean
  viaService?: string
}

export type ResolvedCaller = Required<Pick<Caller, 'principal' | 'accountId'>> & Caller

const PRINCIPAL = /^arn:[^:]+:(iam|sts)::(\d{12}):(.+)$/

export function resolveCaller(caller: unknown, name = 'caller'): ResolvedCaller {
  const c = caller as Caller
  if (!c || typeof c !== 'object' || typeof c.principal !== 'string') throw new TypeError(`"${name}" expected { principal: <IAM ARN>, ... }`)
  const m = PRINCIPAL.exec(c.principal)
  if (!m) throw new TypeError(`"${name}.principal" expected an IAM ARN such as arn:aws:iam::111122223333:user/alice, got ${JSON.stringify(c.principal)}`)
  if (c.accountId !== undefined && !/^\d{12}$/.test(c.accountId)) throw new TypeError(`"${name}.accountId" expected 12 digits`)
  if (c.sourceIp !== undefined && typeof c.sourceIp !== 'string') throw new TypeError(`"${name}.sourceIp" expected a string`)
  if (c.mfa !== undefined && typeof c.mfa !== 'boolean') throw new TypeError(`"${name}.mfa" expected a boolean`)
  return { ...c, accountId: c.accountId ?? m[2]! }
}

export const rootCaller = (partition: string, accountId: string): ResolvedCaller => ({ principal: `arn:${partition}:iam::${accountId}:root`, accountId })

/** CloudTrail's userIdentity for a caller. */
export function userIdentity(c: ResolvedCaller): Record<string, unknown> {
  const resource = PRINCIPAL.exec(c.principal)![3]!
  const type = resource === 'root' ? 'Root' : resource.startsWith('assumed-role/') ? 'AssumedRole' : resource.startsWith('role/') ? 'Role' : 'IAMUser'
  const identity: Record<string, unknown> = { type, arn: c.principal, accountId: c.accountId, principalId: resource === 'root' ? c.accountId : resource }
  if (c.mfa !== undefined) identity.sessionContext = { attributes: { mfaAuthenticated: String(c.mfa) } }
  if (c.viaService) identity.invokedBy = c.viaService
  return identity
}
