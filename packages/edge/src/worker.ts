/**
 * The default Worker of @webkms/edge (wrangler.toml's `main`): the KMS endpoint at `/`, and the
 * Durable Object class that holds each account's keys.
 */
import { createKmsHandler, type EdgeEnv } from './handler.js'

export { KmsDurableObject } from './KmsDurableObject.js'

const kms = createKmsHandler()

export default {
  fetch: (request: Request, env: EdgeEnv) => kms(request, env),
} satisfies ExportedHandler<EdgeEnv>
