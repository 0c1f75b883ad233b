/** TagResource, UntagResource, ListResourceTags (KMS API Reference). */
import { TagException } from '../../errors.js'
import type { TagRecord } from '../../keystore/records.js'
import { assertKeyState } from '../keyStates.js'
import type { Call, Engine } from '../engine.js'
import { paginate, pageOut } from '../paging.js'
import { optionalStringList, optionalTags, paging, requiredKeyId, TAG_KEY_RULE, fail, type Input } from '../validate.js'
import type { EmptyResponse, ListResourceTagsResponse } from '../types.js'

/** AWS quota: at most 50 tags per key. */
export const MAX_TAGS_PER_KEY = 50

/** Merges `added` into `existing` (a new value replaces the old one for the same key). */
export function mergeTags(existing: TagRecord[], added: TagRecord[]): TagRecord[] {
  for (const t of added) {
    // Tag keys with the reserved prefix belong to AWS (TagResource API reference).
    if (t.TagKey.toLowerCase().startsWith('aws:')) throw new TagException(`Tags beginning with aws: are reserved`)
  }
  if (new Set(added.map((t) => t.TagKey)).size !== added.length) throw new TagException('Duplicate tag keys')
  const merged = new Map(existing.map((t) => [t.TagKey, t.TagValue]))
  for (const t of added) merged.set(t.TagKey, t.TagValue)
  if (merged.size > MAX_TAGS_PER_KEY) throw new TagException(`Too many tags: a key can have at most ${MAX_TAGS_PER_KEY}`)
  return [...merged].map(([TagKey, TagValue]) => ({ TagKey, TagValue }))
}

export async function tagResource(engine: Engine, call: Call, input: Input): Promise<EmptyResponse> {
  const keyId = requiredKeyId(input)
  const tags = optionalTags(input, 'Tags') ?? fail('Tags', 'Member must not be null')
  const key = await engine.findKey(call, keyId, { allowAlias: false })
  await engine.updateKey(key.keyId, (k) => {
    assertKeyState(k, 'TagResource')
    k.tags = mergeTags(k.tags, tags)
  })
  return {}
}

export async function untagResource(engine: Engine, call: Call, input: Input): Promise<EmptyResponse> {
  const keyId = requiredKeyId(input)
  const tagKeys = optionalStringList(input, 'TagKeys', TAG_KEY_RULE) ?? fail('TagKeys', 'Member must not be null')
  const key = await engine.findKey(call, keyId, { allowAlias: false })
  await engine.updateKey(key.keyId, (k) => {
    assertKeyState(k, 'UntagResource')
    k.tags = k.tags.filter((t) => !tagKeys.includes(t.TagKey))
  })
  return {}
}

export async function listResourceTags(engine: Engine, call: Call, input: Input): Promise<ListResourceTagsResponse> {
  const keyId = requiredKeyId(input)
  const { limit, marker } = paging(input, 50, 50)
  const key = await engine.findKey(call, keyId, { allowAlias: false })
  const sorted = [...key.tags].sort((a, b) => (a.TagKey < b.TagKey ? -1 : a.TagKey > b.TagKey ? 1 : 0))
  const page = paginate(sorted, (t) => t.TagKey, limit, marker)
  return { Tags: page.items, ...pageOut(page) }
}
