// Browser: Vite serves ../shared to the test page (server.fs.allow in vite.config.ts), so
// browser tests can fetch the same vectors that Node reads from disk.
import { describe, expect, it } from 'vitest'
import { requireVectors, vectorsUrl } from './vectors.js'

const dir = requireVectors()

describe.skipIf(!dir)('test vectors (browser)', () => {
  it('fetches ../shared/vectors/README.md through the Vite server', async () => {
    const response = await fetch(`${vectorsUrl}/README.md`)
    expect(response.status).toBe(200)
    expect(await response.text()).toMatch(/^# Test vectors/)
  })
})
