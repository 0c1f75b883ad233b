import type { AlgorithmSuite } from '../suites.js'

/** A fresh data key of the suite's length. */
export const generateDataKey = (suite: AlgorithmSuite): Uint8Array => globalThis.crypto.getRandomValues(new Uint8Array(suite.keyLength))

/**
 * Key namespaces beginning with `aws-kms` are reserved for keyrings that really talk to AWS
 * KMS (framework/keyring-interface.md, "Key Provider ID").
 */
export function assertNamespace(namespace: unknown, name: string): asserts namespace is string {
  if (typeof namespace !== 'string' || namespace.length === 0) throw new TypeError(`"${name}" expected a non-empty string`)
  if (namespace.startsWith('aws-kms')) throw new TypeError(`"${name}" must not begin with the reserved prefix aws-kms`)
}
