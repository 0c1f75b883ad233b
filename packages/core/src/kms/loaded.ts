/**
 * Code loaded on demand outside the call path, whose failure must look like any engine failure.
 * Apart from operation.ts and errors.ts: the engine imports it, and errors.ts is public.
 */
import { KMSInternalException } from './errors.js'

/**
 * `module`, or KMSInternalException when it cannot load (a lost chunk), as a call fails when its
 * row cannot (callPath.ts): for what loads code outside the call path (`explain`, `findings`,
 * the clock's due work). The next call tries again.
 */
export const loaded = <M>(what: string, module: Promise<M>): Promise<M> =>
  module.catch((cause: unknown) => {
    throw new KMSInternalException(`${what}: its code could not load`, { cause })
  })
