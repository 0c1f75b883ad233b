// The edge's tests, run by `npm test` on Node 24 (wrangler and miniflare need Node 22.12+):
//
//   edge-workerd  inside the Workers runtime (workerd, through @cloudflare/vitest-plugin):
//                 the KeyStore conformance suite on a real Durable Object, key wrapping, the
//                 protocol and SigV4 units, the Worker through its fetch handler
//   edge-node     in Node against `wrangler dev` on 127.0.0.1: the real @aws-sdk/client-kms, the
//                 AWS CLI and the AWS Encryption SDK as clients, restarts and concurrency
//
//   node scripts/edge-test.mjs [vitest args]   (what npm test runs)
import { fileURLToPath } from 'node:url'
import { cloudflareTest } from '@cloudflare/vitest-plugin'
import { defineConfig } from 'vitest/config'
import { TEST_VARS } from './test/support/testVars.js'

/** @webkms/core's sources: each subpath export before the package (an alias also matches `<name>/...`; the first match wins). */
const core = (file: string) => fileURLToPath(new URL(`../core/src/${file}`, import.meta.url))
const coreSources = {
  '@webkms/core/kms': core('kms.ts'),
  '@webkms/core/envelope': core('envelope.ts'),
  '@webkms/core/errors': core('errors.ts'),
  '@webkms/core/internal': core('internal.ts'),
  '@webkms/core': core('index.ts'),
}

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  resolve: { alias: coreSources },
  test: {
    provide: { ci: process.env.CI === 'true' },
    projects: [
      {
        extends: true,
        plugins: [
          cloudflareTest({
            wrangler: { configPath: './wrangler.toml' },
            // Test secrets, and no Request.cf download at start-up.
            miniflare: { bindings: { ...TEST_VARS }, cf: false },
          }),
        ],
        test: { name: 'edge-workerd', include: ['test/**/*.workerd.test.ts'] },
      },
      {
        extends: true,
        test: { name: 'edge-node', include: ['test/**/*.node.test.ts'], environment: 'node', testTimeout: 120_000, hookTimeout: 120_000, fileParallelism: false },
      },
    ],
  },
})
