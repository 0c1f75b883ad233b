/**
 * The edge's configuration, from Worker secrets and variables:
 *
 *   WEBKMS_CREDENTIALS   secret, JSON: { "<accessKeyId>": { "secretAccessKey": "...", "principal": "arn:aws:iam::<account>:user/<name>" } }
 *   WEBKMS_ROOT_KEY      secret, base64 of 32 random bytes: what key material is wrapped under
 *   WEBKMS_REGION        variable, default us-east-1: the region in key ARNs and in SigV4 scopes
 *   WEBKMS_CORS_ORIGINS  variable, optional: origins allowed to call from a browser, comma separated
 *
 * A missing or malformed value is a ConfigurationError naming it, at the first request that
 * needs it: never a silent default for a secret.
 */
import { CodedError, resolveCaller } from '@webkms/core'

export class ConfigurationError extends CodedError {
  static override code = 'ERR_EDGE_CONFIGURATION'
  static override errorName = 'ConfigurationError'
}

/** One access key, as WEBKMS_CREDENTIALS maps it. */
export interface Credential {
  accessKeyId: string
  secretAccessKey: string
  /** The IAM principal the key signs as. */
  principal: string
  accountId: string
}

export interface EdgeConfig {
  credentials: ReadonlyMap<string, Credential>
  region: string
  /** Origins allowed to call from a browser; `*` for any. */
  corsOrigins: readonly string[]
}

export interface EdgeVars {
  WEBKMS_CREDENTIALS?: string
  WEBKMS_ROOT_KEY?: string
  WEBKMS_REGION?: string
  WEBKMS_CORS_ORIGINS?: string
}

const ACCESS_KEY_ID = /^[A-Z0-9]{16,128}$/
const REGION = /^[a-z]{2}(-[a-z0-9]+)+-\d+$/

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
    const e = entry as { secretAccessKey?: unknown; principal?: unknown }
    if (typeof e?.secretAccessKey !== 'string' || e.secretAccessKey.length < 16) throw new ConfigurationError(`WEBKMS_CREDENTIALS: ${accessKeyId} needs a secretAccessKey of at least 16 characters`)
    if (typeof e.principal !== 'string') throw new ConfigurationError(`WEBKMS_CREDENTIALS: ${accessKeyId} needs a principal (an IAM ARN)`)
    let caller
    try {
      caller = resolveCaller({ principal: e.principal }, `WEBKMS_CREDENTIALS ${accessKeyId}`)
    } catch (cause) {
      throw new ConfigurationError(`WEBKMS_CREDENTIALS: ${(cause as Error).message}`)
    }
    out.set(accessKeyId, { accessKeyId, secretAccessKey: e.secretAccessKey, principal: caller.principal, accountId: caller.accountId })
  }
  if (out.size === 0) throw new ConfigurationError('WEBKMS_CREDENTIALS has no access keys')
  return out
}

/** The root key's 32 bytes. */
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
  const config: EdgeConfig = { credentials: parseCredentials(vars.WEBKMS_CREDENTIALS), region: parseRegion(vars.WEBKMS_REGION), corsOrigins: parseCorsOrigins(vars.WEBKMS_CORS_ORIGINS) }
  cached = { key, config }
  return config
}
