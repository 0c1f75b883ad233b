/**
 * The edge's configuration, from Worker secrets and variables:
 *
 *   WEBKMS_CREDENTIALS   secret, JSON: { "<accessKeyId>": { "secretAccessKey": "...", "principal": "arn:aws:iam::<account>:user/<name>" } }
 *                        (an assumed-role principal may add "roleArn": its role's ARN with the role's path)
 *   WEBKMS_ROOT_KEY      secret, base64 of 32 random bytes: what key material is wrapped under
 *   WEBKMS_REGION        variable, default us-east-1: the region in key ARNs and in SigV4 scopes
 *   WEBKMS_CORS_ORIGINS  variable, optional: origins allowed to call from a browser, comma separated
 *
 * A missing or malformed value is a ConfigurationError naming it, at the first request that
 * needs it: never a silent default for a secret.
 */
import { CodedError } from '@webkms/core/errors'
import { resolveCaller } from '@webkms/core/internal'

/**
 * A Worker secret or variable is missing or malformed (code `ERR_EDGE_CONFIGURATION`); the
 * message names it. Thrown by `parseCredentials` and `parseRootKey`; `createKmsHandler`
 * answers it as a 500 `KMSInternalException` carrying the message.
 *
 * @example
 * ```ts
 * import { ConfigurationError, parseRootKey } from '@webkms/edge'
 *
 * try {
 *   parseRootKey('')
 * } catch (e) {
 *   if (e instanceof ConfigurationError) console.log(e.message) // WEBKMS_ROOT_KEY is not set: ...
 * }
 * ```
 */
export class ConfigurationError extends CodedError {
  static override code = 'ERR_EDGE_CONFIGURATION'
  static override errorName = 'ConfigurationError'
}

/**
 * One access key, as `WEBKMS_CREDENTIALS` maps it (`parseCredentials`).
 *
 * @example
 * ```ts
 * import { parseCredentials, type Credential } from '@webkms/edge'
 *
 * const alice: Credential | undefined = parseCredentials(
 *   '{"AKIAEXAMPLEALICE0001": {"secretAccessKey": "a-secret-of-16-chars-or-more", "principal": "arn:aws:iam::111122223333:user/alice"}}',
 * ).get('AKIAEXAMPLEALICE0001')
 * ```
 */
export interface Credential {
  /** The access key ID: 16 to 128 capital letters and digits. */
  accessKeyId: string
  /** The secret SigV4 signatures are made with (at least 16 characters). */
  secretAccessKey: string
  /** The IAM principal the key signs as. */
  principal: string
  /** The principal's account (from its ARN): the Durable Object its calls go to. */
  accountId: string
  /** For an assumed-role principal, its role's ARN with the role's path (core's `Caller.roleArn`). */
  roleArn?: string
}

/**
 * The front Worker's configuration, parsed from `EdgeVars`.
 *
 * @example
 * ```ts
 * import type { EdgeConfig } from '@webkms/edge'
 *
 * const allowsAnyOrigin = (c: EdgeConfig) => c.corsOrigins.includes('*')
 * ```
 */
export interface EdgeConfig {
  /** Every access key, by access key ID. */
  credentials: ReadonlyMap<string, Credential>
  /** The accounts those access keys belong to: the only ones that can own keys here. */
  accounts: ReadonlySet<string>
  /** The region in key ARNs and SigV4 scopes. */
  region: string
  /** Origins allowed to call from a browser; `*` for any. */
  corsOrigins: readonly string[]
}

/**
 * The Worker's secrets and variables, as the runtime passes them in `env` (see the file's
 * comment and the README for their formats).
 *
 * @example
 * ```ts
 * import type { EdgeVars } from '@webkms/edge'
 *
 * const vars: EdgeVars = {
 *   WEBKMS_CREDENTIALS: '{"AKIAEXAMPLEALICE0001": {"secretAccessKey": "a-secret-of-16-chars-or-more", "principal": "arn:aws:iam::111122223333:user/alice"}}',
 *   WEBKMS_ROOT_KEY: btoa(String.fromCharCode(...crypto.getRandomValues(new Uint8Array(32)))),
 *   WEBKMS_REGION: 'eu-west-1',
 *   WEBKMS_CORS_ORIGINS: 'https://app.example.com',
 * }
 * ```
 */
export interface EdgeVars {
  /** Secret, JSON: `{ "<accessKeyId>": { "secretAccessKey": "...", "principal": "<IAM ARN>" } }`. */
  WEBKMS_CREDENTIALS?: string
  /** Secret, base64 of 32 random bytes: what key material is wrapped under. */
  WEBKMS_ROOT_KEY?: string
  /** Variable, default `us-east-1`: the region in key ARNs and in SigV4 scopes. */
  WEBKMS_REGION?: string
  /** Variable, optional: origins allowed to call from a browser, comma separated (`*` for any). */
  WEBKMS_CORS_ORIGINS?: string
}

const ACCESS_KEY_ID = /^[A-Z0-9]{16,128}$/
const REGION = /^[a-z]{2}(-[a-z0-9]+)+-\d+$/

/**
 * Parses `WEBKMS_CREDENTIALS`: a JSON object mapping access key IDs to
 * `{ secretAccessKey, principal }`, the principal an IAM ARN whose account the key's calls
 * belong to.
 *
 * @returns every credential, by access key ID
 * @throws `ConfigurationError` naming the problem: unset, not JSON, an invalid access key ID, a
 * secret shorter than 16 characters, a principal that is not an IAM ARN, no keys at all.
 *
 * @example
 * ```ts
 * import { parseCredentials } from '@webkms/edge'
 *
 * const credentials = parseCredentials('{"AKIAEXAMPLEROOT00001": {"secretAccessKey": "a-secret-of-16-chars-or-more", "principal": "arn:aws:iam::111122223333:root"}}')
 * console.log(credentials.get('AKIAEXAMPLEROOT00001')?.accountId) // 111122223333
 * ```
 */
export function parseCredentials(text: string | undefined): Map<string, Credential> {
  if (text === undefined || text === '') throw new ConfigurationError('WEBKMS_CREDENTIALS is not set: give it as a Worker secret (see the README of @webkms/edge)')
  let parsed: unknown
  try {
    parsed = JSON.parse(text)
  } catch {
    throw new ConfigurationError('WEBKMS_CREDENTIALS is not valid JSON')
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new ConfigurationError('WEBKMS_CREDENTIALS must be a JSON object of access key IDs')
  const out = new Map<string, Credential>()
  for (const [accessKeyId, entry] of Object.entries(parsed)) {
    if (!ACCESS_KEY_ID.test(accessKeyId)) throw new ConfigurationError(`WEBKMS_CREDENTIALS: ${JSON.stringify(accessKeyId.slice(0, 40))} is not an access key ID (16-128 capital letters and digits)`)
    const e = entry as { secretAccessKey?: unknown; principal?: unknown; roleArn?: unknown }
    if (typeof e?.secretAccessKey !== 'string' || e.secretAccessKey.length < 16) throw new ConfigurationError(`WEBKMS_CREDENTIALS: ${accessKeyId} needs a secretAccessKey of at least 16 characters`)
    if (typeof e.principal !== 'string') throw new ConfigurationError(`WEBKMS_CREDENTIALS: ${accessKeyId} needs a principal (an IAM ARN)`)
    let caller
    try {
      caller = resolveCaller({ principal: e.principal, ...(e.roleArn !== undefined ? { roleArn: e.roleArn as string } : {}) }, `WEBKMS_CREDENTIALS ${accessKeyId}`)
    } catch (cause) {
      throw new ConfigurationError(`WEBKMS_CREDENTIALS: ${(cause as Error).message}`)
    }
    out.set(accessKeyId, { accessKeyId, secretAccessKey: e.secretAccessKey, principal: caller.principal, accountId: caller.accountId, ...(caller.roleArn ? { roleArn: caller.roleArn } : {}) })
  }
  if (out.size === 0) throw new ConfigurationError('WEBKMS_CREDENTIALS has no access keys')
  return out
}

/**
 * Parses `WEBKMS_ROOT_KEY`, the secret every account's wrapping key is derived from
 * (`deriveWrappingKey`).
 *
 * @returns the root key's 32 bytes
 * @throws `ConfigurationError` when it is unset, not base64, or not 32 bytes long.
 *
 * @example
 * ```ts
 * import { deriveWrappingKey, parseRootKey } from '@webkms/edge'
 *
 * const rootKey = parseRootKey('AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=') // a test value, not a secret
 * const wrappingKey = await deriveWrappingKey(rootKey, '111122223333')
 * ```
 */
export function parseRootKey(text: string | undefined): Uint8Array<ArrayBuffer> {
  if (text === undefined || text === '') throw new ConfigurationError('WEBKMS_ROOT_KEY is not set: give it as a Worker secret (base64 of 32 random bytes)')
  let bytes: Uint8Array<ArrayBuffer>
  try {
    bytes = Uint8Array.from(atob(text.trim()), (c) => c.charCodeAt(0))
  } catch {
    throw new ConfigurationError('WEBKMS_ROOT_KEY is not base64')
  }
  if (bytes.length !== 32) throw new ConfigurationError(`WEBKMS_ROOT_KEY must be 32 bytes, got ${bytes.length}`)
  return bytes
}

export function parseRegion(text: string | undefined): string {
  const region = text === undefined || text === '' ? 'us-east-1' : text
  if (!REGION.test(region)) throw new ConfigurationError(`WEBKMS_REGION ${JSON.stringify(region)} is not a region name such as us-east-1`)
  return region
}

export function parseCorsOrigins(text: string | undefined): string[] {
  if (!text) return []
  const origins = text.split(',').map((o) => o.trim()).filter(Boolean)
  for (const o of origins) {
    if (o !== '*' && !/^https?:\/\/[^/\s]+$/.test(o)) throw new ConfigurationError(`WEBKMS_CORS_ORIGINS: ${JSON.stringify(o)} is not an origin such as https://app.example.com`)
  }
  return origins
}

let cached: { key: string; config: EdgeConfig } | undefined

/** The front Worker's configuration (the root key is the Durable Object's business). Cached per isolate. */
export function edgeConfig(vars: EdgeVars): EdgeConfig {
  const key = `${vars.WEBKMS_CREDENTIALS}\u0000${vars.WEBKMS_REGION}\u0000${vars.WEBKMS_CORS_ORIGINS}`
  if (cached?.key === key) return cached.config
  const credentials = parseCredentials(vars.WEBKMS_CREDENTIALS)
  const accounts = new Set([...credentials.values()].map((c) => c.accountId))
  const config: EdgeConfig = { credentials, accounts, region: parseRegion(vars.WEBKMS_REGION), corsOrigins: parseCorsOrigins(vars.WEBKMS_CORS_ORIGINS) }
  cached = { key, config }
  return config
}
