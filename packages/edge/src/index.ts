/**
 * `@webkms/edge`: webkms as a Cloudflare Worker that speaks the AWS KMS JSON 1.1 protocol, with
 * SigV4 authentication and keys held in Durable Objects. The package's own Worker
 * (`wrangler.toml`) is ready to deploy; embed the KMS route in a Worker of your own with
 * `createKmsHandler`, exporting `KmsDurableObject` and binding it as `KMS`.
 *
 * @example
 * ```ts
 * import { createKmsHandler, KmsDurableObject, type EdgeEnv } from '@webkms/edge'
 *
 * export { KmsDurableObject } // wrangler.toml: durable_objects.bindings KMS -> KmsDurableObject
 * const kms = createKmsHandler()
 * export default {
 *   fetch: (request: Request, env: EdgeEnv) =>
 *     new URL(request.url).pathname === '/' ? kms(request, env) : new Response('not found', { status: 404 }),
 * }
 * ```
 *
 * @module @webkms/edge
 */
export { createKmsHandler, MAX_BODY_BYTES, type EdgeEnv, type KmsHandler, type KmsHandlerOptions } from './handler.js'
export { KmsDurableObject, type EngineCall, type EngineOutcome } from './KmsDurableObject.js'
export { DurableObjectKeyStore, type DurableStorage } from './store/DurableObjectKeyStore.js'
export { deriveWrappingKey, KeyWrapper, type StoredCryptoKey } from './store/keyWrapping.js'
export { ConfigurationError, parseCredentials, parseRootKey, type Credential, type EdgeConfig, type EdgeVars } from './config.js'
export { AuthenticationError, ProtocolError } from './errors.js'
export { verifySigV4, MAX_SKEW_MS, type Verified, type VerifyOptions } from './sigv4.js'
export { targets, CONTENT_TYPE } from './protocol.js'
