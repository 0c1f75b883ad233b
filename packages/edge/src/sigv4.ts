/**
 * AWS Signature Version 4 verification (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_sigv-create-signed-request.html),
 * for requests signed in the Authorization header as the AWS SDKs and CLI sign them:
 *
 *   Authorization: AWS4-HMAC-SHA256 Credential=<key id>/<yyyymmdd>/<region>/kms/aws4_request,
 *                  SignedHeaders=<h1;h2;...>, Signature=<hex>
 *
 * Checked, in this order: the header's form; the access key is known; `host` and `x-amz-date`
 * are among the signed headers; the scope names this region, the service `kms` and the
 * request's date; the request is within 15 minutes of now; the payload hash (and
 * x-amz-content-sha256, when sent); then the signature, recomputed from the canonical request
 * and compared in constant time. As AWS does, an identical request sent twice within the window
 * is served twice: a captured request can be replayed for 15 minutes (see the README).
 */
import { AuthenticationError } from './errors.js'

/**
 * AWS's clock skew allowance, in milliseconds (15 minutes): `verifySigV4` refuses a request
 * dated further from its `now`, either way, and serves an identical request again within it.
 *
 * @example
 * ```ts
 * import { MAX_SKEW_MS } from '@webkms/edge'
 *
 * const replayWindowMinutes = MAX_SKEW_MS / 60_000 // 15
 * ```
 */
export const MAX_SKEW_MS = 15 * 60 * 1000

/**
 * What `verifySigV4` checks a request against.
 *
 * @example
 * ```ts
 * import type { VerifyOptions } from '@webkms/edge'
 *
 * const secrets = new Map([['AKIAEXAMPLEALICE0001', 'a-secret-of-16-chars-or-more']])
 * const options: VerifyOptions = { region: 'us-east-1', service: 'kms', now: new Date(), secretOf: (id) => secrets.get(id) }
 * ```
 */
export interface VerifyOptions {
  /** The region the credential scope must name. */
  region: string
  /** The service the credential scope must name (`kms`). */
  service: string
  /** The time the request's date must be within `MAX_SKEW_MS` of. */
  now: Date
  /** The secret of an access key, or undefined when the key is unknown. */
  secretOf: (accessKeyId: string) => string | undefined
}

const encoder = new TextEncoder()
const hex = (b: ArrayBuffer | Uint8Array<ArrayBuffer>) => [...new Uint8Array(b)].map((x) => x.toString(16).padStart(2, '0')).join('')
export const sha256Hex = async (data: Uint8Array<ArrayBuffer> | string) => hex(await crypto.subtle.digest('SHA-256', typeof data === 'string' ? encoder.encode(data) : data))

async function hmac(key: Uint8Array<ArrayBuffer>, data: string): Promise<Uint8Array<ArrayBuffer>> {
  const k = await crypto.subtle.importKey('raw', key, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign'])
  return new Uint8Array(await crypto.subtle.sign('HMAC', k, encoder.encode(data)))
}

/** RFC 3986 encoding as SigV4 wants it: everything but unreserved characters, as %XX in capitals. */
function uriEncode(s: string): string {
  return [...encoder.encode(s)].map((b) => (/[A-Za-z0-9\-._~]/.test(String.fromCharCode(b)) ? String.fromCharCode(b) : `%${b.toString(16).toUpperCase().padStart(2, '0')}`)).join('')
}

const safeDecode = (s: string) => {
  try {
    return decodeURIComponent(s.replace(/\+/g, ' '))
  } catch {
    return s
  }
}

/** Constant time in the signature's length: how much two signatures share must not show. */
function equalConstantTime(a: string, b: string): boolean {
  const x = encoder.encode(a)
  const y = encoder.encode(b)
  const subtle = crypto.subtle as SubtleCrypto & { timingSafeEqual?: (a: ArrayBufferView, b: ArrayBufferView) => boolean }
  if (x.length !== y.length) return false
  if (typeof subtle.timingSafeEqual === 'function') return subtle.timingSafeEqual(x, y)
  let diff = 0
  for (let i = 0; i < x.length; i++) diff |= x[i]! ^ y[i]!
  return diff === 0
}

const AMZ_DATE = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/

function parseAmzDate(value: string): Date | undefined {
  const m = AMZ_DATE.exec(value)
  if (!m) return undefined
  const d = new Date(Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!))
  return Number.isNaN(d.getTime()) ? undefined : d
}

const amzDate = (d: Date) => d.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '')

/** The canonical request of SigV4 step 1, over the signed headers only. */
export function canonicalRequest(request: Request, signedHeaders: readonly string[], payloadHash: string): string {
  const url = new URL(request.url)
  // Non-S3 services: each path segment is URI-encoded (the URL holds it encoded once already).
  const path = url.pathname.split('/').map((segment) => uriEncode(safeDecode(segment))).join('/') || '/'
  const query = [...url.searchParams]
    .map(([k, v]) => [uriEncode(k), uriEncode(v)] as const)
    .sort(([a, x], [b, y]) => (a < b ? -1 : a > b ? 1 : x < y ? -1 : x > y ? 1 : 0))
    .map(([k, v]) => `${k}=${v}`)
    .join('&')
  // A Request made in a Worker has no Host header; its URL has the host the client used.
  const value = (h: string) => request.headers.get(h) ?? (h === 'host' ? url.host : '')
  const headers = signedHeaders.map((h) => `${h}:${value(h).trim().replace(/\s+/g, ' ')}\n`).join('')
  return [request.method, path, query, headers, signedHeaders.join(';'), payloadHash].join('\n')
}

/**
 * A request `verifySigV4` accepted.
 *
 * @example
 * ```ts
 * import type { Verified } from '@webkms/edge'
 *
 * const who = (v: Verified) => `signed by ${v.accessKeyId}`
 * ```
 */
export interface Verified {
  /** The access key that signed the request. */
  accessKeyId: string
}

/**
 * Verifies an AWS Signature Version 4 in the `Authorization` header over `body` (the request's
 * bytes, already read), as AWS documents it
 * (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_sigv-create-signed-request.html).
 * Presigned URLs and temporary credentials (`X-Amz-Security-Token`) are refused.
 *
 * @returns the access key that signed it
 * @throws `AuthenticationError` with AWS's exception name: `MissingAuthenticationTokenException`
 * (no `Authorization`), `IncompleteSignatureException` (a malformed header, scope or date, or
 * `host`, `x-amz-date` or `x-amz-target` unsigned), `UnrecognizedClientException` (an unknown access key),
 * `InvalidSignatureException` (wrong region, service or scope date, a date more than
 * `MAX_SKEW_MS` away, a payload hash that does not match, or the wrong signature).
 *
 * @example
 * ```ts
 * import { AuthenticationError, verifySigV4 } from '@webkms/edge'
 *
 * async function signer(request: Request, secrets: Map<string, string>): Promise<string | undefined> {
 *   const body = new Uint8Array(await request.clone().arrayBuffer())
 *   try {
 *     const { accessKeyId } = await verifySigV4(request, body, { region: 'us-east-1', service: 'kms', now: new Date(), secretOf: (id) => secrets.get(id) })
 *     return accessKeyId
 *   } catch (e) {
 *     if (e instanceof AuthenticationError) return undefined // e.awsName says why
 *     throw e
 *   }
 * }
 * ```
 */
export async function verifySigV4(request: Request, body: Uint8Array<ArrayBuffer>, o: VerifyOptions): Promise<Verified> {
  const authorization = request.headers.get('authorization')
  if (!authorization) {
    if (new URL(request.url).searchParams.has('X-Amz-Signature')) throw new AuthenticationError('IncompleteSignatureException', 'Presigned URLs are not supported: sign the Authorization header.')
    throw new AuthenticationError('MissingAuthenticationTokenException', 'Missing Authentication Token')
  }
  const m = /^AWS4-HMAC-SHA256\s+(.*)$/s.exec(authorization.trim())
  if (!m) throw new AuthenticationError('IncompleteSignatureException', 'Authorization header requires the AWS4-HMAC-SHA256 algorithm.')
  const fields = new Map<string, string>()
  for (const part of m[1]!.split(',')) {
    const eq = part.indexOf('=')
    if (eq > 0) fields.set(part.slice(0, eq).trim(), part.slice(eq + 1).trim())
  }
  const credential = fields.get('Credential')
  const signedHeadersText = fields.get('SignedHeaders')
  const signature = fields.get('Signature')
  if (!credential || !signedHeadersText || !signature) {
    const missing = ['Credential', 'SignedHeaders', 'Signature'].filter((f) => !fields.get(f))
    throw new AuthenticationError('IncompleteSignatureException', `Authorization header requires ${missing.map((f) => `'${f}'`).join(', ')} parameter${missing.length > 1 ? 's' : ''}.`)
  }
  const scope = credential.split('/')
  if (scope.length !== 5 || scope[4] !== 'aws4_request') throw new AuthenticationError('IncompleteSignatureException', 'Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term.')
  const [accessKeyId, scopeDate, region, service] = scope as [string, string, string, string]
  if (request.headers.has('x-amz-security-token')) throw new AuthenticationError('UnrecognizedClientException', 'The security token included in the request is invalid: temporary credentials are not supported here.')
  const secret = o.secretOf(accessKeyId)
  if (secret === undefined) throw new AuthenticationError('UnrecognizedClientException', 'The security token included in the request is invalid.')

  const signedHeaders = signedHeadersText.split(';')
  if (signedHeaders.some((h) => h !== h.toLowerCase() || h === '') || [...signedHeaders].sort().join(';') !== signedHeadersText) {
    throw new AuthenticationError('IncompleteSignatureException', 'SignedHeaders must be lower-case header names, sorted and separated by semicolons.')
  }
  for (const required of ['host', 'x-amz-date']) {
    if (!signedHeaders.includes(required)) throw new AuthenticationError('IncompleteSignatureException', `'${required}' must be a signed header.`)
  }
  // X-Amz-Target names the operation: unsigned, a captured request could be sent again as
  // another operation (a DescribeKey as a ScheduleKeyDeletion). Other headers change nothing the
  // edge does (the body's hash is always computed; both JSON content types are read alike), and
  // clients such as aws4fetch and the AWS SDK for JavaScript v2 leave Content-Type unsigned.
  if (request.headers.has('x-amz-target') && !signedHeaders.includes('x-amz-target')) {
    throw new AuthenticationError('IncompleteSignatureException', `'x-amz-target' must be a signed header.`)
  }
  const dateHeader = request.headers.get('x-amz-date') ?? ''
  const date = parseAmzDate(dateHeader)
  if (!date) throw new AuthenticationError('IncompleteSignatureException', `X-Amz-Date ${JSON.stringify(dateHeader)} is not of the form YYYYMMDDTHHMMSSZ.`)
  if (region !== o.region) throw new AuthenticationError('InvalidSignatureException', `Credential should be scoped to a valid region, not '${region}'.`)
  if (service !== o.service) throw new AuthenticationError('InvalidSignatureException', `Credential should be scoped to correct service: '${o.service}'.`)
  if (scopeDate !== dateHeader.slice(0, 8)) throw new AuthenticationError('InvalidSignatureException', `Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '${scopeDate}' != '${dateHeader.slice(0, 8)}'.`)
  const now = o.now.getTime()
  if (date.getTime() < now - MAX_SKEW_MS) {
    throw new AuthenticationError('InvalidSignatureException', `Signature expired: ${dateHeader} is now earlier than ${amzDate(new Date(now - MAX_SKEW_MS))} (${amzDate(o.now)} - 15 min.)`)
  }
  if (date.getTime() > now + MAX_SKEW_MS) {
    throw new AuthenticationError('InvalidSignatureException', `Signature not yet current: ${dateHeader} is still later than ${amzDate(new Date(now + MAX_SKEW_MS))} (${amzDate(o.now)} + 15 min.)`)
  }

  // The payload hash is always computed from the body; a declared one must agree with it.
  const payloadHash = await sha256Hex(body)
  const declared = request.headers.get('x-amz-content-sha256')
  if (declared !== null && declared !== payloadHash) throw new AuthenticationError('InvalidSignatureException', 'The provided x-amz-content-sha256 header does not match what was computed.')

  const canonical = canonicalRequest(request, signedHeaders, payloadHash)
  const stringToSign = ['AWS4-HMAC-SHA256', dateHeader, `${scopeDate}/${region}/${service}/aws4_request`, await sha256Hex(canonical)].join('\n')
  let key: Uint8Array<ArrayBuffer> = await hmac(encoder.encode(`AWS4${secret}`) as Uint8Array<ArrayBuffer>, scopeDate)
  for (const part of [region, service, 'aws4_request']) key = await hmac(key, part)
  const expected = hex(await hmac(key, stringToSign))
  if (!equalConstantTime(expected, signature.toLowerCase())) {
    throw new AuthenticationError(
      'InvalidSignatureException',
      'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.',
    )
  }
  return { accessKeyId }
}
