// Node: the vectors folder is found where the tests expect it, and is readable.
import { readFile } from 'node:fs/promises'
import { describe, expect, it } from 'vitest'
import { requireVectors } from './vectors.js'

const dir = requireVectors()

describe.skipIf(!dir)('test vectors (node)', () => {
  it('reads ../shared/vectors/README.md from disk', async () => {
    const readme = await readFile(`${dir}/README.md`, 'utf8')
    expect(readme).toMatch(/^# Test vectors/)
  })
})
