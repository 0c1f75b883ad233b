/**
 * `createKmsHandler(options)`: the KMS route of a Worker. It answers the AWS KMS JSON 1.1
 * protocol (protocol.ts) for requests signed with SigV4 (sigv4.ts) by an access key of
 * WEBKMS_CREDENTIALS, and runs each call in the Durable Object of the account it concerns
 * (KmsDurableObject), as the principal the access key maps to, from the client's address
 * (CF-Connecting-IP). Embed it in an existing Worker, or use the package's default Worker.
 *
 *   const kms = createKmsHandler()
 *   export default { fetch: (request, env, ctx) => new URL(request.url).pathname === '/' ? kms(request, env) : app(request, env, ctx) }
 */
import type { Caller } from '@webkms/core'
import { resolveCaller } from '@webkms/core/internal'
import { ConfigurationError, edgeConfig, parseRootKey, type EdgeConfig, type EdgeVars } from './config.js'
import { ProtocolError } from './errors.js'
import type { EngineCall, EngineOutcome, KmsDurableObject } from './KmsDurableObject.js'
import type { OperationDescription } from '@webkms/core/internal'
import { CONTENT_TYPE, decodeRequest, encodeResponse, errorBody, targets } from './protocol.js'
import { verifySigV4 } from './sigv4.js'

/**
 * The Worker's environment: the configuration (`EdgeVars`: secrets and variables) and the
 * Durable Object namespace bound as `KMS`.
 *
 * @example
 * ```ts
 * import { createKmsHandler, type EdgeEnv } from '@webkms/edge'
 *
 * const kms = createKmsHandler()
 * export default { fetch: (request: Request, env: EdgeEnv) => kms(request, env) }
 * ```
 */
export interface EdgeEnv extends EdgeVars {
  /** The namespace of `KmsDurableObject` (wrangler.toml: `durable_objects.bindings`, name `KMS`). */
  KMS?: DurableObjectNamespace<KmsDurableObject>
}

/**
 * Options of `createKmsHandler`.
 *
 * @example
 * ```ts
 * import { createKmsHandler, type EdgeEnv, type KmsDurableObject } from '@webkms/edge'
 *
 * // The namespace bound under another name than KMS.
 * const kms = createKmsHandler({ namespace: (env) => (env as EdgeEnv & { KEYS?: DurableObjectNamespace<KmsDurableObject> }).KEYS })
 * ```
 */
export interface KmsHandlerOptions {
  /**
   * The namespace of KmsDurableObject. Default: `env.KMS`. Bound under another name, also
   * subclass KmsDurableObject and override `accountObject`, by which an account's object reaches
   * another's (for calls across accounts).
   */
  namespace?: (env: EdgeEnv) => DurableObjectNamespace<KmsDurableObject> | undefined
  /** The clock SigV4 checks request dates against. Default: the system clock. */
  now?: () => Date
}

/**
 * The largest request body read, in bytes (KMS's largest request, a 32 KiB policy, fits many
 * times): a larger one is refused with `SerializationException` and status 413, unread.
 *
 * @example
 * ```ts
 * import { MAX_BODY_BYTES } from '@webkms/edge'
 *
 * const fits = (body: Uint8Array) => body.byteLength <= MAX_BODY_BYTES
 * ```
 */
export const MAX_BODY_BYTES = 1024 * 1024
/** Request headers a browser may send with a signed request (CORS). */
const ALLOWED_HEADERS = ['authorization', 'content-type', 'x-amz-date', 'x-amz-target', 'x-amz-user-agent', 'x-amz-content-sha256', 'amz-sdk-invocation-id', 'amz-sdk-request']
/** Request members that may name a key of another account (by ARN). */
const KEY_MEMBERS = ['KeyId', 'TargetKeyId', 'DestinationKeyId', 'SourceKeyId']
const IP = /^(?:\d{1,3}(?:\.\d{1,3}){3}|[0-9a-fA-F:.]+)$/

/**
 * The KMS route of a Worker (`createKmsHandler`): answers one HTTP request with AWS KMS's
 * response. Failures are responses, as AWS sends them (`{"__type", "message"}`): a refused
 * request is a 400, 403, 405 or 413; an unconfigured Worker is a 500 `KMSInternalException`
 * naming what is missing; any other internal failure a 500 `KMSInternalException` without detail.
 *
 * @example
 * ```ts
 * import { createKmsHandler, type EdgeEnv, type KmsHandler } from '@webkms/edge'
 *
 * const kms: KmsHandler = createKmsHandler()
 * export default { fetch: (request: Request, env: EdgeEnv) => kms(request, env) }
 * ```
 */
export type KmsHandler = (request: Request, env: EdgeEnv, ctx?: unknown) => Promise<Response>

/**
 * The KMS route of a Worker: the AWS KMS JSON 1.1 protocol (`POST /`, `X-Amz-Target:
 * TrentService.<Operation>`; see the AWS KMS API reference,
 * https://docs.aws.amazon.com/kms/latest/APIReference/CommonParameters.html) for requests signed
 * with SigV4 by an access key of `WEBKMS_CREDENTIALS`, each call run in the Durable Object of the
 * account it concerns as the principal the key maps to. Answers CORS preflights from
 * `WEBKMS_CORS_ORIGINS`. The configuration is read (and checked) at each request, not here.
 *
 * @returns the handler, which answers every failure as AWS does (see `KmsHandler`)
 *
 * @example
 * ```ts
 * import { createKmsHandler, KmsDurableObject, type EdgeEnv } from '@webkms/edge'
 *
 * export { KmsDurableObject }
 * const kms = createKmsHandler()
 * export default {
 *   fetch: (request: Request, env: EdgeEnv) => (new URL(request.url).pathname === '/' ? kms(request, env) : new Response(null, { status: 404 })),
 * }
 * ```
 */
export function createKmsHandler(options: KmsHandlerOptions = {}): KmsHandler {
  const namespace = options.namespace ?? ((env: EdgeEnv) => env.KMS)
  const now = options.now ?? (() => new Date())

  return async (request, env) => {
    const requestId = crypto.randomUUID()
    const origin = request.headers.get('origin')
    let config: EdgeConfig | undefined
    const respond = (status: number, body: string | null, extra: Record<string, string> = {}) => {
      const headers = new Headers({ 'x-amzn-RequestId': requestId, ...extra })
      if (body !== null) headers.set('content-type', CONTENT_TYPE)
      if (origin && config && allowed(config, origin)) {
        headers.set('access-control-allow-origin', origin)
        headers.set('access-control-expose-headers', 'x-amzn-RequestId, x-amzn-ErrorType')
        headers.append('vary', 'Origin')
      }
      return new Response(body, { status, headers })
    }
    const fail = (status: number, name: string, message: string) => respond(status, errorBody(name, message), { 'x-amzn-ErrorType': name })

    try {
      config = edgeConfig(env)
      parseRootKey(env.WEBKMS_ROOT_KEY) // checked here too, so a missing secret is clear at the first request
      if (!namespace(env)) throw new ConfigurationError('the KMS Durable Object namespace is not bound (wrangler.toml: durable_objects.bindings KMS)')
    } catch (error) {
      if (error instanceof ConfigurationError) return fail(500, 'KMSInternalException', `webkms-edge is not configured: ${error.message}`)
      throw error
    }

    if (request.method === 'OPTIONS') return preflight(request, config, respond)
    try {
      if (request.method !== 'POST') throw new ProtocolError('UnknownOperationException', 'The KMS endpoint takes POST requests (AWS JSON 1.1 protocol)', 405)
      const target = request.headers.get('x-amz-target') ?? ''
      const operation = targets.get(target)
      if (!operation) throw new ProtocolError('UnknownOperationException', target ? `Unknown operation ${target}` : 'X-Amz-Target is missing')
      const contentType = (request.headers.get('content-type') ?? '').split(';')[0]!.trim().toLowerCase()
      if (contentType !== CONTENT_TYPE && contentType !== 'application/x-amz-json-1.0') throw new ProtocolError('SerializationException', `Content-Type must be ${CONTENT_TYPE}`)
      const body = await readBody(request)
      const credentials = config.credentials
      const { accessKeyId } = await verifySigV4(request, body, { region: config.region, service: 'kms', now: now(), secretOf: (id) => credentials.get(id)?.secretAccessKey })
      const credential = credentials.get(accessKeyId)!
      const input = decodeRequest(operation, body)
      const caller: Caller = { principal: credential.principal, accessKeyId, requestId, ...(credential.roleArn ? { roleArn: credential.roleArn } : {}) }
      const ip = request.headers.get('cf-connecting-ip')
      if (ip && IP.test(ip)) caller.sourceIp = ip
      const agent = request.headers.get('user-agent') ?? request.headers.get('x-amz-user-agent')
      if (agent) caller.userAgent = agent
      try {
        resolveCaller(caller)
      } catch {
        // Cloudflare sets CF-Connecting-IP; a value that is no address (a local client's own header) is not recorded.
        delete caller.sourceIp
      }
      const accountId = routeAccount(operation, input, credential.accountId, config.accounts)
      const stub = namespace(env)!.get(namespace(env)!.idFromName(accountId))
      const outcome = (await stub.call({ accountId, operation: operation.name, input, caller } satisfies EngineCall)) as EngineOutcome
      if (outcome.ok) return respond(200, encodeResponse(outcome.output))
      return fail(outcome.error.fault === 'server' ? 500 : 400, outcome.error.name, outcome.error.message)
    } catch (error) {
      if (error instanceof ProtocolError) return fail(error.status, error.awsName, error.message)
      console.error('webkms-edge: internal error', (error as Error)?.name, (error as Error)?.message)
      return fail(500, 'KMSInternalException', 'An internal error occurred.')
    }
  }
}

const allowed = (config: EdgeConfig, origin: string) => config.corsOrigins.includes('*') || config.corsOrigins.includes(origin)

/** A CORS preflight: allowed origins may POST signed requests; others get no CORS headers. */
function preflight(request: Request, config: EdgeConfig, respond: (status: number, body: null, extra?: Record<string, string>) => Response): Response {
  const origin = request.headers.get('origin')
  if (!origin || !allowed(config, origin)) return respond(403, null)
  const asked = (request.headers.get('access-control-request-headers') ?? '').split(',').map((h) => h.trim().toLowerCase()).filter(Boolean)
  const headers = asked.filter((h) => ALLOWED_HEADERS.includes(h))
  return respond(204, null, {
    'access-control-allow-methods': 'POST',
    'access-control-allow-headers': (headers.length ? headers : ALLOWED_HEADERS).join(', '),
    'access-control-max-age': '600',
  })
}

/** The body's bytes, refused past MAX_BODY_BYTES without reading further. */
async function readBody(request: Request): Promise<Uint8Array<ArrayBuffer>> {
  const declared = Number(request.headers.get('content-length') ?? '0')
  if (declared > MAX_BODY_BYTES) throw new ProtocolError('SerializationException', `The request body is larger than ${MAX_BODY_BYTES} bytes`, 413)
  if (!request.body) return new Uint8Array(0)
  const chunks: Uint8Array<ArrayBuffer>[] = []
  let length = 0
  const reader = request.body.getReader()
  for (;;) {
    const { done, value } = await reader.read()
    if (done) break
    length += value.byteLength
    if (length > MAX_BODY_BYTES) {
      await reader.cancel()
      throw new ProtocolError('SerializationException', `The request body is larger than ${MAX_BODY_BYTES} bytes`, 413)
    }
    chunks.push(value as Uint8Array<ArrayBuffer>)
  }
  return new Uint8Array(await new Blob(chunks).arrayBuffer())
}

/**
 * The account whose object serves the call: the one a key ARN in the request names (a
 * cross-account call), else the caller's own. Only the operation's own key members count (the
 * engine ignores any other, so neither may route); a bare key ID or alias names a key of the
 * caller's account. An account no access key belongs to has no keys here: the caller's own
 * object answers (NotFoundException, in the caller's trail), so no made-up ARN creates an
 * object. A request naming keys of two accounts (a ReEncrypt across accounts) cannot be served
 * by one object.
 */
function routeAccount(operation: OperationDescription, input: Record<string, unknown>, callerAccount: string, knownAccounts: ReadonlySet<string>): string {
  const accounts = new Set<string>()
  for (const member of KEY_MEMBERS) {
    const v = input[member]
    if (!Object.hasOwn(operation.schema, member) || typeof v !== 'string') continue
    const named = /^arn:[^:]+:kms:[^:]*:(\d{12}):/.exec(v)?.[1]
    accounts.add(named !== undefined && knownAccounts.has(named) ? named : callerAccount)
  }
  if (accounts.size > 1) throw new ProtocolError('UnsupportedOperationException', 'A request that names keys of two different accounts is not supported here')
  return accounts.values().next().value ?? callerAccount
}
