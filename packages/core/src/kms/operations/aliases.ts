/** CreateAlias, UpdateAlias, DeleteAlias, ListAliases (KMS API Reference). */
import { AlreadyExistsException, InvalidAliasNameException, LimitExceededException, NotFoundException, ValidationException } from '../../errors.js'
import type { KeyStoreTransaction } from '../../keystore/KeyStore.js'
import type { AliasRecord, KeyRecord } from '../../keystore/records.js'
import type { Call, Engine } from '../engine.js'
import { assertKeyState } from '../keyStates.js'
import { paginate, pageOut } from '../paging.js'
import type { EmptyResponse, ListAliasesResponse } from '../types.js'
import { optionalKeyId, paging, requiredKeyId, requiredString, type Input } from '../validate.js'

/** AWS quota "Aliases per KMS key". */
export const MAX_ALIASES_PER_KEY = 50

/**
 * AliasName: 1-256 characters; AWS's model pattern, then the rules CreateAlias documents:
 * `alias/` followed by letters, digits, `/`, `_`, `-`; `alias/aws/` is reserved for AWS managed keys.
 */
function aliasName(input: Input): string {
  const name = requiredString(input, 'AliasName', { min: 1, max: 256, pattern: /^[a-zA-Z0-9:/_-]+$/ })
  if (!name.startsWith('alias/')) {
    throw new ValidationException('Alias must start with the prefix "alias/". Please see https://docs.aws.amazon.com/kms/latest/developerguide/kms-alias.html')
  }
  // The model's pattern admits ':', the documentation does not.
  if (!/^alias\/[a-zA-Z0-9/_-]+$/.test(name)) {
    throw new InvalidAliasNameException(`Alias name ${name} contains invalid characters for an alias: use letters, digits, /, _ and -`)
  }
  if (name.startsWith('alias/aws/')) {
    throw new InvalidAliasNameException(`Alias name ${name} is reserved: the alias/aws/ prefix is reserved for AWS managed keys`)
  }
  return name
}

async function targetKey(engine: Engine, call: Call, input: Input, operation: 'CreateAlias' | 'UpdateAlias'): Promise<KeyRecord> {
  const key = await engine.findKey(call, requiredKeyId(input, 'TargetKeyId'), { allowAlias: false })
  assertKeyState(key, operation)
  return key
}

async function countAliases(tx: KeyStoreTransaction, keyId: string): Promise<number> {
  return (await tx.listAliases()).filter((a) => a.targetKeyId === keyId).length
}

/** Re-reads the target inside the write transaction, so a key deleted or scheduled meanwhile is refused. */
async function assertTargetStill(engine: Engine, tx: KeyStoreTransaction, keyId: string, operation: 'CreateAlias' | 'UpdateAlias') {
  const key = await tx.getKey(keyId)
  if (!key) throw new NotFoundException(`Key '${engine.keyArn(keyId)}' does not exist`)
  assertKeyState(key, operation)
  if ((await countAliases(tx, keyId)) >= MAX_ALIASES_PER_KEY) {
    throw new LimitExceededException(`A key can have at most ${MAX_ALIASES_PER_KEY} aliases`)
  }
}

/**
 * Alias operations need permission on the alias too, which only identity policies can give
 * (an alias has no policy of its own); the account root always has it ("Controlling access
 * to aliases" in the KMS developer guide).
 */
const authorizeAlias = (engine: Engine, call: Call, name: string) => engine.authorizer.authorize(call, { resource: engine.aliasArn(name) })

export async function createAlias(engine: Engine, call: Call, input: Input): Promise<EmptyResponse> {
  const name = aliasName(input)
  await authorizeAlias(engine, call, name)
  const key = await targetKey(engine, call, input, 'CreateAlias')
  await engine.store.transaction('readwrite', async (tx) => {
    if (await tx.getAlias(name)) throw new AlreadyExistsException(`An alias with the name ${engine.aliasArn(name)} already exists`)
    await assertTargetStill(engine, tx, key.keyId, 'CreateAlias')
    const alias: AliasRecord = {
      aliasName: name,
      aliasArn: engine.aliasArn(name),
      targetKeyId: key.keyId,
      creationDate: call.now,
      lastUpdatedDate: call.now,
    }
    await tx.putAlias(alias)
  })
  return {}
}

/** Points an existing alias at another key; the old target may be in any state (AWS key-state table, note 10). */
export async function updateAlias(engine: Engine, call: Call, input: Input): Promise<EmptyResponse> {
  const name = aliasName(input)
  await authorizeAlias(engine, call, name)
  const key = await targetKey(engine, call, input, 'UpdateAlias')
  const current = await engine.store.transaction('readonly', (tx) => tx.getAlias(name))
  if (!current) throw new NotFoundException(`Alias ${engine.aliasArn(name)} is not found.`)
  // The key the alias leaves must allow UpdateAlias too.
  const old = await engine.store.transaction('readonly', (tx) => tx.getKey(current.targetKeyId))
  if (old) await engine.authorizer.authorize(call, { key: old })
  await engine.store.transaction('readwrite', async (tx) => {
    const alias = await tx.getAlias(name)
    if (!alias) throw new NotFoundException(`Alias ${engine.aliasArn(name)} is not found.`)
    if (alias.targetKeyId === key.keyId) return
    await assertTargetStill(engine, tx, key.keyId, 'UpdateAlias')
    await tx.putAlias({ ...alias, targetKeyId: key.keyId, lastUpdatedDate: call.now })
  })
  return {}
}

export async function deleteAlias(engine: Engine, call: Call, input: Input): Promise<EmptyResponse> {
  const name = aliasName(input)
  await authorizeAlias(engine, call, name)
  const alias = await engine.store.transaction('readonly', (tx) => tx.getAlias(name))
  if (!alias) throw new NotFoundException(`Alias ${engine.aliasArn(name)} is not found.`)
  const target = await engine.store.transaction('readonly', (tx) => tx.getKey(alias.targetKeyId))
  if (target) await engine.authorizer.authorize(call, { key: target })
  await engine.store.transaction('readwrite', async (tx) => {
    if (!(await tx.getAlias(name))) throw new NotFoundException(`Alias ${engine.aliasArn(name)} is not found.`)
    await tx.deleteAlias(name)
  })
  return {}
}

export async function listAliases(engine: Engine, call: Call, input: Input): Promise<ListAliasesResponse> {
  const keyId = optionalKeyId(input)
  const { limit, marker } = paging(input, 100, 50)
  await engine.settle(call) // aliases of keys whose deletion window has passed are gone
  const target = keyId === undefined ? undefined : (await engine.findKey(call, keyId, { allowAlias: false, authorize: false })).keyId
  const aliases = await engine.store.transaction('readonly', (tx) => tx.listAliases())
  const selected = target === undefined ? aliases : aliases.filter((a) => a.targetKeyId === target)
  const page = paginate(selected, (a) => a.aliasName, limit, marker)
  return {
    Aliases: page.items.map((a) => ({
      AliasName: a.aliasName,
      AliasArn: a.aliasArn,
      TargetKeyId: a.targetKeyId,
      CreationDate: a.creationDate,
      LastUpdatedDate: a.lastUpdatedDate,
    })),
    ...pageOut(page),
  }
}
