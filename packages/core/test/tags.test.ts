/** TagResource, UntagResource, ListResourceTags. */
import { describe, expect, it } from 'vitest'
import { MAX_TAGS_PER_KEY, NotFoundException, TagException } from '../src/index.js'
import { expectKmsError, setup } from './helpers.js'

describe('tags', () => {
  it('adds, replaces, removes and lists tags', async () => {
    const { kms } = setup()
    const { KeyId } = (await kms.createKey({ Tags: [{ TagKey: 'env', TagValue: 'dev' }] })).KeyMetadata
    await kms.tagResource({ KeyId, Tags: [{ TagKey: 'env', TagValue: 'prod' }, { TagKey: 'team', TagValue: 'pay' }, { TagKey: 'empty', TagValue: '' }] })
    expect((await kms.listResourceTags({ KeyId })).Tags).toEqual([
      { TagKey: 'empty', TagValue: '' },
      { TagKey: 'env', TagValue: 'prod' },
      { TagKey: 'team', TagValue: 'pay' },
    ])
    await kms.untagResource({ KeyId, TagKeys: ['env', 'not-there'] })
    expect((await kms.listResourceTags({ KeyId })).Tags.map((t) => t.TagKey)).toEqual(['empty', 'team'])
  })

  it(`at most ${MAX_TAGS_PER_KEY} tags; aws: is reserved; nothing changes on refusal`, async () => {
    const { kms } = setup()
    const { KeyId } = (await kms.createKey()).KeyMetadata
    const fifty = Array.from({ length: MAX_TAGS_PER_KEY }, (_, i) => ({ TagKey: `k${i}`, TagValue: 'v' }))
    await kms.tagResource({ KeyId, Tags: fifty })
    await expectKmsError(kms.tagResource({ KeyId, Tags: [{ TagKey: 'one-more', TagValue: 'v' }] }), TagException)
    await kms.tagResource({ KeyId, Tags: [{ TagKey: 'k0', TagValue: 'replaced' }] })
    await expectKmsError(kms.tagResource({ KeyId, Tags: [{ TagKey: 'aws:x', TagValue: 'v' }] }), TagException, /reserved/)
    await expectKmsError(kms.tagResource({ KeyId, Tags: [{ TagKey: 'AWS:x', TagValue: 'v' }] }), TagException, /reserved/)
    await expectKmsError(kms.tagResource({ KeyId, Tags: [{ TagKey: 'd', TagValue: '1' }, { TagKey: 'd', TagValue: '2' }] }), TagException, /Duplicate tag keys/)
    const page1 = await kms.listResourceTags({ KeyId, Limit: 30 })
    const page2 = await kms.listResourceTags({ KeyId, Limit: 30, Marker: page1.NextMarker! })
    expect(page1.Tags.length + page2.Tags.length).toBe(MAX_TAGS_PER_KEY)
    expect(page2.Truncated).toBe(false)
    expect([...page1.Tags, ...page2.Tags].find((t) => t.TagKey === 'k0')?.TagValue).toBe('replaced')
  })

  it('tagging an unknown key is NotFoundException', async () => {
    const { kms } = setup()
    await expectKmsError(kms.tagResource({ KeyId: '00000000-0000-4000-8000-000000000000', Tags: [] }), NotFoundException)
  })
})
