/** TagResource, UntagResource, ListResourceTags (KMS API Reference). */
import { defineOperation } from '../operation.js'
import { paginate, pageOut } from '../paging.js'
import { list, string } from '../request/schema.js'
import type * as T from '../types.js'
import { changeKey, keyIdMember, mergeTags, onKey, pagingMembers, resolveKey, tagMember } from './common.js'

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
