import type { EncryptionMaterials } from '../materials/types.js'
import { defaultRandom, randomBytes, type RandomSource } from '../random.js'

/** The random source a keyring uses: its own if it was given one, else the client's (in the materials). */
export const keyringRandom = (own: RandomSource | undefined, materials: EncryptionMaterials): RandomSource => own ?? materials.random ?? defaultRandom

/** The materials' data key, or a fresh one of the suite's length. */
export const dataKeyFor = (materials: EncryptionMaterials, random: RandomSource): Uint8Array =>
  materials.plaintextDataKey ?? randomBytes(random, materials.suite.keyLength)

/**
 * Key namespaces beginning with `aws-kms` are reserved for keyrings that really talk to AWS
 * KMS (framework/keyring-interface.md, "Key Provider ID").
 */
export function assertNamespace(namespace: unknown, name: string): asserts namespace is string {
  if (typeof namespace !== 'string' || namespace.length === 0) throw new TypeError(`"${name}" expected a non-empty string`)
  if (namespace.startsWith('aws-kms')) throw new TypeError(`"${name}" must not begin with the reserved prefix aws-kms`)
}
