/** TagResource, UntagResource, ListResourceTags (KMS API Reference). */
import { TagException } from '../errors.js'
import type { TagRecord } from '../../keystore/records.js'
import { defineOperation } from '../operation.js'
import { paginate, pageOut } from '../paging.js'
import { list, string } from '../request/schema.js'
import type * as T from '../types.js'
import { changeKey, keyIdMember, onKey, pagingMembers, resolveKey, tagMember } from './common.js'

/** AWS quota: at most 50 tags per key. */
export const MAX_TAGS_PER_KEY = 50

/** Merges `added` into `existing` (a new value replaces the old one for the same key). */
export function mergeTags(existing: readonly TagRecord[], added: readonly TagRecord[]): TagRecord[] {
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

export const tagResource = defineOperation<T.TagResourceRequest, T.EmptyResponse>()({
  name: 'TagResource',
  schema: { KeyId: keyIdMember(), Tags: list(tagMember(), {}, { required: true }) },
  resolve: resolveKey(false),
  permissions: onKey,
  async run(ctx, r, { key }) {
    await changeKey(ctx, key, 'TagResource', (k) => {
      k.tags = mergeTags(k.tags, r.Tags)
    })
    return {}
  },
})

export const untagResource = defineOperation<T.UntagResourceRequest, T.EmptyResponse>()({
  name: 'UntagResource',
  schema: { KeyId: keyIdMember(), TagKeys: list(string({ min: 1, max: 128 }), {}, { required: true }) },
  resolve: resolveKey(false),
  permissions: onKey,
  async run(ctx, r, { key }) {
    await changeKey(ctx, key, 'UntagResource', (k) => {
      k.tags = k.tags.filter((t) => !r.TagKeys.includes(t.TagKey))
    })
    return {}
  },
})

export const listResourceTags = defineOperation<T.ListResourceTagsRequest, T.ListResourceTagsResponse>()({
  name: 'ListResourceTags',
  schema: { KeyId: keyIdMember(), ...pagingMembers(50) },
  resolve: resolveKey(false),
  permissions: onKey,
  async run(_ctx, r, { key }) {
    const sorted = [...key.tags].sort((a, b) => (a.TagKey < b.TagKey ? -1 : a.TagKey > b.TagKey ? 1 : 0))
    const page = paginate(sorted, (t) => t.TagKey, r.Limit ?? 50, r.Marker)
    return { Tags: page.items, ...pageOut(page) }
  },
})
