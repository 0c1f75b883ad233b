/**
 * CreateAlias, UpdateAlias, DeleteAlias, ListAliases (KMS API Reference). Alias operations need
 * permission on the alias too, which only identity policies can give (an alias has no policy of
 * its own); the account root always has it ("Controlling access to aliases" in the developer guide).
 */
import { AlreadyExistsException, InvalidAliasNameException, LimitExceededException, NotFoundException, ValidationException } from '../errors.js'
import type { KeyStoreTransaction } from '../../keystore/KeyStore.js'
import type { AliasRecord, KeyRecord } from '../../keystore/records.js'
import type { Engine } from '../engine.js'
import { assertKeyState } from '../keyStates.js'
import { defineOperation, noTarget } from '../operation.js'
import { paginate, pageOut } from '../paging.js'
import { string } from '../request/schema.js'
import type * as T from '../types.js'
import { keyIdMember, optionalKeyIdMember, pagingMembers } from './common.js'

/** AWS quota "Aliases per KMS key". */
export const MAX_ALIASES_PER_KEY = 50

/** AliasName: AWS's model (1-256 characters of `[a-zA-Z0-9:/_-]`). */
const aliasNameMember = () => string({ min: 1, max: 256, pattern: /^[a-zA-Z0-9:/_-]+$/ }, { required: true })

/**
 * The rules CreateAlias documents beyond the model: `alias/` followed by letters, digits, `/`,
 * `_`, `-`; `alias/aws/` is reserved for AWS managed keys.
 */
function checkAliasName<R extends { AliasName: string }>(r: R): R {
  const name = r.AliasName
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
  return r
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

const aliasNotFound = (engine: Engine, name: string) => new NotFoundException(`Alias ${engine.aliasArn(name)} is not found.`)

export const createAlias = defineOperation<T.CreateAliasRequest, T.EmptyResponse>()({
  name: 'CreateAlias',
  schema: { AliasName: aliasNameMember(), TargetKeyId: keyIdMember() },
  parse: checkAliasName,
  resolve: async (engine, call, r) => ({ aliasArn: engine.aliasArn(r.AliasName), key: await engine.findKey(call, r.TargetKeyId, false) }),
  permissions: (r, { aliasArn, key }) => [{ on: aliasArn }, { on: key, requestKeyId: r.TargetKeyId }],
  async run({ engine, call, commit }, r, { key }) {
    assertKeyState(key, 'CreateAlias')
    await commit(async (tx) => {
      if (await tx.getAlias(r.AliasName)) throw new AlreadyExistsException(`An alias with the name ${engine.aliasArn(r.AliasName)} already exists`)
      await assertTargetStill(engine, tx, key.keyId, 'CreateAlias')
      const alias: AliasRecord = { aliasName: r.AliasName, aliasArn: engine.aliasArn(r.AliasName), targetKeyId: key.keyId, creationDate: call.now, lastUpdatedDate: call.now }
      await tx.putAlias(alias)
    })
    return {}
  },
})

/** Points an existing alias at another key; the old target may be in any state (AWS key-state table, note 10). */
export const updateAlias = defineOperation<T.UpdateAliasRequest, T.EmptyResponse>()({
  name: 'UpdateAlias',
  schema: { AliasName: aliasNameMember(), TargetKeyId: keyIdMember() },
  parse: checkAliasName,
  async resolve(engine, call, r) {
    const key = await engine.findKey(call, r.TargetKeyId, false)
    const { alias, old } = await engine.store.transaction('readonly', async (tx) => {
      const alias = await tx.getAlias(r.AliasName)
      return { alias, old: alias && (await tx.getKey(alias.targetKeyId)) }
    })
    if (!alias) throw aliasNotFound(engine, r.AliasName)
    // The key the alias leaves must allow UpdateAlias too.
    const aliasArn = engine.aliasArn(r.AliasName)
    return old ? { aliasArn, key, old } : { aliasArn, key }
  },
  permissions: (r, t: { aliasArn: string; key: KeyRecord; old?: KeyRecord }) => [
    { on: t.aliasArn },
    { on: t.key, requestKeyId: r.TargetKeyId },
    ...(t.old ? [{ on: t.old }] : []),
  ],
  async run({ engine, call, commit }, r, { key, old }) {
    assertKeyState(key, 'UpdateAlias')
    // "The current and new KMS key must be the same type (both symmetric or both asymmetric or
    // both HMAC), and they must have the same key usage" (UpdateAlias, AWS KMS API Reference).
    if (old && (keyType(old) !== keyType(key) || old.keyUsage !== key.keyUsage)) {
      throw new ValidationException(
        `${r.AliasName} points to a ${keyType(old)} ${old.keyUsage} key; UpdateAlias can point it only to a key of the same type and key usage, and ${key.arn} is a ${keyType(key)} ${key.keyUsage} key. Delete the alias and create it again to point it to another kind of key.`,
      )
    }
    await commit(async (tx) => {
      const alias = await tx.getAlias(r.AliasName)
      if (!alias) throw aliasNotFound(engine, r.AliasName)
      if (alias.targetKeyId === key.keyId) return
      await assertTargetStill(engine, tx, key.keyId, 'UpdateAlias')
      await tx.putAlias({ ...alias, targetKeyId: key.keyId, lastUpdatedDate: call.now })
    })
    return {}
  },
})

const keyType = (k: KeyRecord) => (k.keySpec === 'SYMMETRIC_DEFAULT' ? 'symmetric' : k.keySpec.startsWith('HMAC_') ? 'HMAC' : 'asymmetric')

export const deleteAlias = defineOperation<T.DeleteAliasRequest, T.EmptyResponse>()({
  name: 'DeleteAlias',
  schema: { AliasName: aliasNameMember() },
  parse: checkAliasName,
  async resolve(engine, _call, r): Promise<{ aliasArn: string; key?: KeyRecord }> {
    const { alias, key } = await engine.store.transaction('readonly', async (tx) => {
      const alias = await tx.getAlias(r.AliasName)
      return { alias, key: alias && (await tx.getKey(alias.targetKeyId)) }
    })
    if (!alias) throw aliasNotFound(engine, r.AliasName)
    const aliasArn = engine.aliasArn(r.AliasName)
    return key ? { aliasArn, key } : { aliasArn }
  },
  permissions: (_r, { aliasArn, key }) => [{ on: aliasArn }, ...(key ? [{ on: key }] : [])],
  async run({ engine, commit }, r) {
    await commit(async (tx) => {
      if (!(await tx.getAlias(r.AliasName))) throw aliasNotFound(engine, r.AliasName)
      await tx.deleteAlias(r.AliasName)
    })
    return {}
  },
})

export const listAliases = defineOperation<T.ListAliasesRequest, T.ListAliasesResponse>()({
  name: 'ListAliases',
  schema: { KeyId: optionalKeyIdMember(), ...pagingMembers(100) },
  resolve: noTarget,
  permissions: () => [{ on: '*' }],
  async run({ engine, call }, r) {
    await engine.settle(call) // aliases of keys whose deletion window has passed are gone
    const target = r.KeyId === undefined ? undefined : (await engine.findKey(call, r.KeyId, false)).keyId
    const aliases = await engine.store.transaction('readonly', (tx) => tx.listAliases())
    const selected = target === undefined ? aliases : aliases.filter((a) => a.targetKeyId === target)
    const page = paginate(selected, (a) => a.aliasName, r.Limit ?? 50, r.Marker)
    return {
      Aliases: page.items.map((a) => ({ AliasName: a.aliasName, AliasArn: a.aliasArn, TargetKeyId: a.targetKeyId, CreationDate: a.creationDate, LastUpdatedDate: a.lastUpdatedDate })),
      ...pageOut(page),
    }
  },
})
