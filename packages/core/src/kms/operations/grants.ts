/**
 * Grants: CreateGrant, ListGrants, ListRetirableGrants, RetireGrant, RevokeGrant (KMS API
 * Reference; "Grants in AWS KMS"). A grant lets its grantee call the listed operations on one
 * key, optionally only with an encryption context that equals or contains the constraint's.
 * Grants take effect at once here (there is no eventual consistency to bridge), so grant
 * tokens are checked for form and accepted.
 */
import {
  AccessDeniedException,
  DryRunOperationException,
  InvalidGrantIdException,
  InvalidGrantTokenException,
  LimitExceededException,
  NotFoundException,
  ValidationException,
} from '../../errors.js'
import type { GrantRecord, KeyRecord } from '../../keystore/records.js'
import { fromBase64, toBase64, toHex, utf8 } from '../../util/bytes.js'
import { GRANT_OPERATIONS, requestPrincipal } from '../authorization.js'
import type { Call, Engine } from '../engine.js'
import { assertKeyState } from '../keyStates.js'
import { paginate, pageOut } from '../paging.js'
import { granteeMatches } from '../policy/evaluate.js'
import type {
  CreateGrantResponse,
  EmptyResponse,
  EncryptionContextType,
  GrantListEntry,
  GrantOperation,
  ListGrantsResponse,
} from '../types.js'
import {
  fail,
  optionalBoolean,
  optionalEncryptionContext,
  optionalString,
  optionalStringList,
  paging,
  requiredKeyId,
  requiredString,
  type Input,
} from '../validate.js'

/** KMS quota "Grants per KMS key". */
export const MAX_GRANTS_PER_KEY = 50_000
/** Operations a grant may name on a symmetric encryption key (the others need asymmetric or HMAC keys). */
const SYMMETRIC_GRANT_OPERATIONS = new Set<string>([
  'Decrypt', 'Encrypt', 'GenerateDataKey', 'GenerateDataKeyWithoutPlaintext', 'ReEncryptFrom', 'ReEncryptTo',
  'CreateGrant', 'RetireGrant', 'DescribeKey', 'GenerateDataKeyPair', 'GenerateDataKeyPairWithoutPlaintext',
])
const PRINCIPAL = { min: 1, max: 256, pattern: /^[\w+=,.@:/-]+$/ }
const PRINCIPAL_ARN = /^arn:[a-z-]+:(iam|sts)::\d{12}:.+$/
const GRANT_ID = { min: 1, max: 128 }
const GRANT_ID_FORMAT = /^[0-9a-f]{64}$/
const GRANT_NAME = { min: 1, max: 256, pattern: /^[a-zA-Z0-9:/_-]+$/ }
const TOKEN_PREFIX = 'webkms-grant-token-1'

function principal(input: Input, field: string, required: true): string
function principal(input: Input, field: string, required: false): string | undefined
function principal(input: Input, field: string, required: boolean): string | undefined {
  const value = required ? requiredString(input, field, PRINCIPAL) : optionalString(input, field, PRINCIPAL)
  if (value !== undefined && !PRINCIPAL_ARN.test(value)) {
    throw new ValidationException(`${field} ${value} is not a valid principal: use an IAM ARN such as arn:aws:iam::111122223333:role/ExampleRole`)
  }
  return value
}

/**
 * Grant tokens are base64 text naming the key and grant; checked for form wherever AWS takes
 * GrantTokens (a malformed one is InvalidGrantTokenException).
 */
function encodeToken(keyId: string, grantId: string, nonce: Uint8Array): string {
  return toBase64(utf8(`${TOKEN_PREFIX}:${keyId}:${grantId}:${toHex(nonce)}`))
}

function decodeToken(token: string): { keyId: string; grantId: string } {
  let text = ''
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(fromBase64(token))
  } catch {
    // fall through to the refusal below
  }
  const m = /^webkms-grant-token-1:([0-9a-f-]{36}):([0-9a-f]{64}):[0-9a-f]{32}$/.exec(text)
  if (!m) throw new InvalidGrantTokenException('The grant token is not valid.')
  return { keyId: m[1]!, grantId: m[2]! }
}

/** Validates the GrantTokens member (up to 10 tokens of 1-8192 characters, each well-formed). */
export function grantTokens(input: Input): string[] {
  const tokens = optionalStringList(input, 'GrantTokens', { min: 1, max: 8192, maxItems: 10 }) ?? []
  for (const t of tokens) decodeToken(t)
  return tokens
}

function constraints(input: Input): GrantRecord['constraints'] {
  const raw = input.Constraints
  if (raw === undefined) return undefined
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) fail('Constraints', 'Member must be a GrantConstraints object')
  const c = raw as Input
  for (const k of Object.keys(c)) {
    if (k !== 'EncryptionContextSubset' && k !== 'EncryptionContextEquals') throw new ValidationException(`Constraints.${k} is not supported: use EncryptionContextSubset or EncryptionContextEquals`)
  }
  const subset = optionalEncryptionContext(c, 'EncryptionContextSubset')
  const equals = optionalEncryptionContext(c, 'EncryptionContextEquals')
  if (subset && equals) throw new ValidationException('More than one constraint supplied')
  const context = subset ?? equals
  if (!context) return undefined
  if (Object.keys(context).length > 8) throw new ValidationException('A grant constraint can have at most 8 encryption context pairs')
  for (const [k, v] of Object.entries(context)) {
    if (k.length === 0 || v.length > 384) throw new ValidationException(`Grant constraint pair ${JSON.stringify(k)} is invalid: keys must be non-empty and values at most 384 characters`)
  }
  return subset ? { encryptionContextSubset: subset } : { encryptionContextEquals: equals! }
}

const sameContext = (a: Record<string, string> | undefined, b: Record<string, string> | undefined) =>
  JSON.stringify(Object.entries(a ?? {}).sort()) === JSON.stringify(Object.entries(b ?? {}).sort())

/** Same grantee, retiring principal, operations and constraints: a retry, per CreateGrant's Name. */
function sameGrant(g: GrantRecord, wanted: Omit<GrantRecord, 'grantId' | 'creationDate'>): boolean {
  return (
    g.name === wanted.name &&
    g.granteePrincipal === wanted.granteePrincipal &&
    g.retiringPrincipal === wanted.retiringPrincipal &&
    [...g.operations].sort().join() === [...wanted.operations].sort().join() &&
    sameContext(g.constraints?.encryptionContextEquals, wanted.constraints?.encryptionContextEquals) &&
    sameContext(g.constraints?.encryptionContextSubset, wanted.constraints?.encryptionContextSubset) &&
    !!g.constraints?.encryptionContextEquals === !!wanted.constraints?.encryptionContextEquals &&
    !!g.constraints?.encryptionContextSubset === !!wanted.constraints?.encryptionContextSubset
  )
}

const contains = (outer: Record<string, string>, inner: Record<string, string>) => Object.entries(inner).every(([k, v]) => Object.hasOwn(outer, k) && outer[k] === v)

/**
 * A grantee creating a grant through its own grant's CreateGrant may give no more than it has:
 * a subset of the operations, and constraints at least as strict ("Granting CreateGrant
 * permission" in the KMS developer guide).
 */
function narrowerThan(parent: GrantRecord, child: Omit<GrantRecord, 'grantId' | 'creationDate'>): boolean {
  if (!child.operations.every((op) => parent.operations.includes(op))) return false
  const p = parent.constraints
  if (!p) return true
  const c = child.constraints ?? {}
  if (p.encryptionContextEquals) return !!c.encryptionContextEquals && sameContext(c.encryptionContextEquals, p.encryptionContextEquals)
  const need = p.encryptionContextSubset!
  return (!!c.encryptionContextSubset && contains(c.encryptionContextSubset, need)) || (!!c.encryptionContextEquals && contains(c.encryptionContextEquals, need))
}

export async function createGrant(engine: Engine, call: Call, input: Input): Promise<CreateGrantResponse> {
  const keyId = requiredKeyId(input)
  const granteePrincipal = principal(input, 'GranteePrincipal', true)
  const retiringPrincipal = principal(input, 'RetiringPrincipal', false)
  const operations = optionalStringList(input, 'Operations') ?? fail('Operations', 'Member must not be null')
  if (operations.length === 0) fail('Operations', 'Member must have length greater than or equal to 1')
  for (const [i, op] of operations.entries()) {
    if (!(GRANT_OPERATIONS as readonly string[]).includes(op)) fail(`Operations.${i + 1}.member`, `Member must satisfy enum value set: [${GRANT_OPERATIONS.join(', ')}]`, op)
    if (!SYMMETRIC_GRANT_OPERATIONS.has(op)) throw new ValidationException(`Grant operation ${op} is not valid for a symmetric encryption KMS key`)
  }
  if (operations.every((op) => op === 'CreateGrant')) throw new ValidationException('Grants must not contain only the CreateGrant operation.')
  const grantConstraints = constraints(input)
  const name = optionalString(input, 'Name', GRANT_NAME)
  grantTokens(input)
  const dryRun = optionalBoolean(input, 'DryRun') ?? false
  const unique = [...new Set(operations)] as GrantOperation[]

  const key = await engine.findKey(call, keyId, { allowAlias: false, authorize: false })
  const context = grantConstraints?.encryptionContextEquals ?? grantConstraints?.encryptionContextSubset
  const check = {
    requestKeyId: keyId,
    conditions: {
      'kms:GrantOperations': { values: unique, multi: true },
      'kms:GranteePrincipal': { values: [granteePrincipal] },
      ...(retiringPrincipal ? { 'kms:RetiringPrincipal': { values: [retiringPrincipal] } } : {}),
      'kms:GrantIsForAWSResource': { values: [String(call.caller.viaService !== undefined)] },
    },
    ...(context ? { encryptionContext: context } : {}),
  }
  const decision = await engine.authorizer.authorize(call, { key }, check)
  const wanted: Omit<GrantRecord, 'grantId' | 'creationDate'> = {
    keyId: key.keyId,
    granteePrincipal,
    issuingAccount: `arn:${engine.account.partition}:iam::${engine.account.accountId}:root`,
    operations: unique,
  }
  if (name !== undefined) wanted.name = name
  if (retiringPrincipal !== undefined) wanted.retiringPrincipal = retiringPrincipal
  if (grantConstraints) wanted.constraints = grantConstraints
  if (decision.decidedBy?.source === 'grant') {
    const p = requestPrincipal(call.caller)
    const own = await engine.store.transaction('readonly', (tx) => tx.listGrants(key.keyId))
    if (!own.some((g) => granteeMatches(g, p) && g.operations.includes('CreateGrant') && narrowerThan(g, wanted))) {
      throw new AccessDeniedException(`User: ${call.caller.principal} is not authorized to create this grant: a grant can only give a subset of the operations, with constraints at least as strict, of the grant that allows CreateGrant`)
    }
  }
  assertKeyState(key, 'CreateGrant')
  if (dryRun) throw new DryRunOperationException('The request would have succeeded, but the DryRun option is set.')

  const grantId = toHex(engine.random(32))
  const nonce = engine.random(16).slice()
  return engine.store.transaction('readwrite', async (tx) => {
    const current = await tx.getKey(key.keyId)
    if (!current) throw new NotFoundException(`Key '${key.arn}' does not exist`)
    assertKeyState(current, 'CreateGrant')
    const grants = await tx.listGrants(key.keyId)
    const retry = name === undefined ? undefined : grants.find((g) => sameGrant(g, wanted))
    if (retry) return { GrantToken: encodeToken(key.keyId, retry.grantId, nonce), GrantId: retry.grantId }
    if (grants.length >= MAX_GRANTS_PER_KEY) throw new LimitExceededException(`A KMS key can have at most ${MAX_GRANTS_PER_KEY} grants`)
    await tx.putGrant({ ...wanted, grantId, creationDate: call.now })
    return { GrantToken: encodeToken(key.keyId, grantId, nonce), GrantId: grantId }
  })
}

export function grantEntry(key: Pick<KeyRecord, 'arn'>, g: GrantRecord): GrantListEntry {
  const entry: GrantListEntry = {
    KeyId: key.arn,
    GrantId: g.grantId,
    CreationDate: g.creationDate,
    GranteePrincipal: g.granteePrincipal,
    IssuingAccount: g.issuingAccount,
    Operations: g.operations as GrantOperation[],
  }
  if (g.name !== undefined) entry.Name = g.name
  if (g.retiringPrincipal !== undefined) entry.RetiringPrincipal = g.retiringPrincipal
  if (g.constraints?.encryptionContextEquals) entry.Constraints = { EncryptionContextEquals: { ...g.constraints.encryptionContextEquals } as EncryptionContextType }
  if (g.constraints?.encryptionContextSubset) entry.Constraints = { EncryptionContextSubset: { ...g.constraints.encryptionContextSubset } as EncryptionContextType }
  return entry
}

const isGrantIdMarker = (m: string) => GRANT_ID_FORMAT.test(m)

export async function listGrants(engine: Engine, call: Call, input: Input): Promise<ListGrantsResponse> {
  const keyId = requiredKeyId(input)
  const { limit, marker } = paging(input, 100, 50)
  const grantId = optionalString(input, 'GrantId', GRANT_ID)
  const grantee = principal(input, 'GranteePrincipal', false)
  const key = await engine.findKey(call, keyId, { allowAlias: false })
  const all = await engine.store.transaction('readonly', (tx) => tx.listGrants(key.keyId))
  const selected = all.filter((g) => (grantId === undefined || g.grantId === grantId) && (grantee === undefined || g.granteePrincipal === grantee))
  const page = paginate(selected, (g) => g.grantId, limit, marker, isGrantIdMarker)
  return { Grants: page.items.map((g) => grantEntry(key, g)), ...pageOut(page) }
}

/** Operation on no key: needs kms:ListRetirableGrants in an identity policy (createKms checks it). */
export async function listRetirableGrants(engine: Engine, _call: Call, input: Input): Promise<ListGrantsResponse> {
  const retiring = principal(input, 'RetiringPrincipal', true)
  const { limit, marker } = paging(input, 100, 50)
  const { grants, keys } = await engine.store.transaction('readonly', async (tx) => ({ grants: await tx.listAllGrants(), keys: await tx.listKeys() }))
  const arns = new Map(keys.map((k) => [k.keyId, k.arn]))
  const selected = grants.filter((g) => g.retiringPrincipal === retiring && arns.has(g.keyId))
  const page = paginate(selected, (g) => g.grantId, limit, marker, isGrantIdMarker)
  return { Grants: page.items.map((g) => grantEntry({ arn: arns.get(g.keyId)! }, g)), ...pageOut(page) }
}

function grantIdMember(input: Input): string {
  const id = requiredString(input, 'GrantId', GRANT_ID)
  if (!GRANT_ID_FORMAT.test(id)) throw new InvalidGrantIdException(`Invalid grant ID ${id}`)
  return id
}

/**
 * RetireGrant: by the grant's retiring principal, by its grantee when the grant includes
 * RetireGrant, or by the account that issued it. `kms:RetireGrant` in a key policy has no
 * effect; an identity policy of the issuing account may allow (or deny) it.
 */
export async function retireGrant(engine: Engine, call: Call, input: Input): Promise<EmptyResponse> {
  const token = optionalString(input, 'GrantToken', { min: 1, max: 8192 })
  const keyIdInput = optionalString(input, 'KeyId', { min: 1, max: 2048 })
  const grantIdInput = input.GrantId === undefined ? undefined : grantIdMember(input)
  const dryRun = optionalBoolean(input, 'DryRun') ?? false
  let target: { keyId: string; grantId: string }
  if (token !== undefined) {
    target = decodeToken(token)
    if (grantIdInput !== undefined && grantIdInput !== target.grantId) {
      throw new ValidationException('The grant token and the grant ID name different grants')
    }
  } else if (keyIdInput !== undefined && grantIdInput !== undefined) {
    const key = await engine.findKey(call, keyIdInput, { allowAlias: false, authorize: false })
    target = { keyId: key.keyId, grantId: grantIdInput }
  } else {
    throw new ValidationException('Grant token OR (grant ID, key ID) must be specified')
  }
  const grant = await engine.store.transaction('readonly', (tx) => tx.getGrant(target.grantId))
  if (!grant || grant.keyId !== target.keyId) {
    if (token !== undefined) throw new InvalidGrantTokenException('The grant token is not valid.')
    throw new NotFoundException(`Grant ${target.grantId} does not exist on key ${engine.keyArn(target.keyId)}`)
  }
  const p = requestPrincipal(call.caller)
  const issuer = /^arn:[^:]+:iam::(\d{12}):root$/.exec(grant.issuingAccount)?.[1]
  const key = await engine.store.transaction('readonly', (tx) => tx.getKey(grant.keyId))
  const viaIdentity = await engine.authorizer.decide(call, { resource: key?.arn ?? engine.keyArn(grant.keyId) }, { action: 'RetireGrant' })
  if (viaIdentity.decision === 'ExplicitDeny') {
    throw new AccessDeniedException(`User: ${call.caller.principal} is not authorized to perform: kms:RetireGrant on resource: ${engine.keyArn(grant.keyId)} with an explicit deny in an identity-based policy`)
  }
  const allowed =
    (grant.retiringPrincipal !== undefined && (grant.retiringPrincipal === p.arn || grant.retiringPrincipal === p.roleArn)) ||
    (granteeMatches(grant, p) && grant.operations.includes('RetireGrant')) ||
    (p.accountId === issuer && (p.isRoot || viaIdentity.decision === 'Allow'))
  if (!allowed) {
    throw new AccessDeniedException(`User: ${call.caller.principal} is not authorized to perform: kms:RetireGrant on resource: ${engine.keyArn(grant.keyId)}: only the grant's retiring principal, its grantee (when the grant includes RetireGrant) or the issuing account may retire it`)
  }
  if (dryRun) throw new DryRunOperationException('The request would have succeeded, but the DryRun option is set.')
  await engine.store.transaction('readwrite', (tx) => tx.deleteGrant(grant.grantId))
  return {}
}

export async function revokeGrant(engine: Engine, call: Call, input: Input): Promise<EmptyResponse> {
  const keyId = requiredKeyId(input)
  const grantId = grantIdMember(input)
  const dryRun = optionalBoolean(input, 'DryRun') ?? false
  const key = await engine.findKey(call, keyId, { allowAlias: false })
  const grant = await engine.store.transaction('readonly', (tx) => tx.getGrant(grantId))
  if (!grant || grant.keyId !== key.keyId) throw new NotFoundException(`Grant ${grantId} does not exist on key ${key.arn}`)
  if (dryRun) throw new DryRunOperationException('The request would have succeeded, but the DryRun option is set.')
  await engine.store.transaction('readwrite', (tx) => tx.deleteGrant(grantId))
  return {}
}
