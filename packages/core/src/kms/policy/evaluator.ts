/**
 * The policy evaluator as the engine loads it, on demand (createKms.ts): the decision
 * (evaluate.ts) and the request context it reads (requestContext.ts). Calls of the account root
 * on no key, or on keys with the default key policy, never load it (authorization.ts).
 */
export { evaluateAccess, hasConditions } from './evaluate.js'
export { conditionLookup } from './requestContext.js'
