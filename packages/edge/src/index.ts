/**
 * @webkms/edge: webkms as a Cloudflare Worker that speaks the AWS KMS JSON 1.1 protocol, with
 * SigV4 authentication and keys held in Durable Objects.
 */
export { createKmsHandler, MAX_BODY_BYTES, type EdgeEnv, type KmsHandler, type KmsHandlerOptions } from './handler.js'
export { KmsDurableObject, type EngineCall, type EngineOutcome } from './KmsDurableObject.js'
export { DurableObjectKeyStore, type DurableStorage } from './store/DurableObjectKeyStore.js'
export { deriveWrappingKey, KeyWrapper, type StoredCryptoKey } from './store/keyWrapping.js'
export { ConfigurationError, parseCredentials, parseRootKey, type Credential, type EdgeConfig, type EdgeVars } from './config.js'
export { AuthenticationError, ProtocolError } from './errors.js'
export { verifySigV4, MAX_SKEW_MS } from './sigv4.js'
export { targets, CONTENT_TYPE } from './protocol.js'
