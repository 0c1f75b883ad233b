/**
 * Key identifiers, as the KMS API Reference describes the `KeyId` member: a key ID
 * (`1234abcd-12ab-34cd-56ef-1234567890ab`), a key ARN
 * (`arn:aws:kms:us-east-2:111122223333:key/1234abcd-...`), an alias name (`alias/ExampleAlias`)
 * or an alias ARN (`arn:aws:kms:us-east-2:111122223333:alias/ExampleAlias`). Operations that
 * manage a key itself accept only the first two.
 */
import { NotFoundException } from './errors.js'
import { UUID_PATTERN } from '../util/bytes.js'

export interface Account {
  partition: string
  accountId: string
  region: string
}

export const keyArn = (a: Account, keyId: string) => `arn:${a.partition}:kms:${a.region}:${a.accountId}:key/${keyId}`
export const aliasArn = (a: Account, aliasName: string) => `arn:${a.partition}:kms:${a.region}:${a.accountId}:${aliasName}`

export type KeyReference = { kind: 'key'; keyId: string } | { kind: 'alias'; aliasName: string }

const MULTI_REGION_KEY_ID = /^mrk-[0-9a-f]{32}$/

const ARN = /^arn:([^:]+):kms:([^:]*):([^:]*):(key\/.+|alias\/.+)$/

/**
 * Parses what the caller wrote. A well-formed ARN for another account or region names a key
 * that does not exist here: NotFoundException, as for any unknown key.
 */
export function parseKeyReference(account: Account, value: string, allowAlias: boolean): KeyReference {
  let resource = value
  const arn = ARN.exec(value)
  if (arn) {
    const [, partition, region, accountId, rest] = arn
    if (partition !== account.partition || region !== account.region || accountId !== account.accountId) {
      throw new NotFoundException(`Invalid arn ${region}`)
    }
    resource = rest!.startsWith('key/') ? rest!.slice(4) : rest!
  } else if (value.startsWith('arn:')) {
    throw new NotFoundException(`Invalid arn ${value}`)
  }
  if (resource.startsWith('alias/')) {
    if (!allowAlias) throw new NotFoundException(`Invalid keyId '${value}'`)
    return { kind: 'alias', aliasName: resource }
  }
  // Multi-Region key IDs (`mrk-` and 32 hex digits) are key IDs too: well-formed, and not here.
  if (UUID_PATTERN.test(resource) || MULTI_REGION_KEY_ID.test(resource)) return { kind: 'key', keyId: resource }
  throw new NotFoundException(`Invalid keyId '${value}'`)
}
