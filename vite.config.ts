// Test configuration for the whole workspace (Vitest reads vite.config.ts when there is no
// vitest.config.ts). One suite, two runtimes, as jose and typage do: the core engine uses
// only WebCrypto, so the same packages/core tests run in Node and in Chromium.
//
//   pnpm test:node      vitest run --project node
//   pnpm test:browser   vitest run --project browser   (needs /usr/bin/chromium)
import { createReadStream, existsSync, statSync } from 'node:fs'
import { resolve, sep } from 'node:path'
import type { Plugin } from 'vite'
import { fileURLToPath } from 'node:url'
import { playwright } from '@vitest/browser-playwright'
import { configDefaults, defineConfig } from 'vitest/config'

const repoRoot = fileURLToPath(new URL('.', import.meta.url))
// Third-party vectors live beside the repository, never inside it (../shared/vectors/README.md).
const sharedDir = fileURLToPath(new URL('../shared', import.meta.url))
const vectorsDir = fileURLToPath(new URL('../shared/vectors', import.meta.url))

// Debian's Chromium: browsers that tools download for themselves cannot be fetched here.
// The flags keep it off the network it cannot reach (without them it retries refused
// connections at every start) and let it run as root in a container.
const chromium = {
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  args: [
    '--no-sandbox',
    '--headless',
    '--disable-gpu',
    '--disable-quic',
    '--no-first-run',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
  ],
}

// packages/edge runs on the Workers runtime, with its own config (packages/edge/vitest.config.ts).
const exclude = [...configDefaults.exclude, 'test/e2e/**', 'packages/edge/**']

/**
 * Serves ../shared/vectors, byte for byte, at /__vectors/ to the browser project. (Vite's own
 * /@fs/ route runs files through its transform pipeline, which fails on the extension-less
 * binary ciphertexts.) Read-only, loopback-only, and nothing outside the folder.
 */
function serveVectors(): Plugin {
  return {
    name: 'webkms:serve-vectors',
    configureServer(server) {
      server.middlewares.use('/__vectors/', (req, res) => {
        const path = resolve(vectorsDir, decodeURIComponent((req.url ?? '').split('?')[0]!.replace(/^\/+/, '')))
        if (!path.startsWith(vectorsDir + sep) || !existsSync(path) || !statSync(path).isFile()) {
          res.statusCode = 404
          res.end()
          return
        }
        res.setHeader('Content-Type', 'application/octet-stream')
        createReadStream(path).pipe(res)
      })
    },
  }
}

/**
 * Tests run against the packages' sources, as `pnpm typecheck` does (tsconfig.json paths).
 * Subpaths come before their package: an alias also matches `<name>/...`, and the first match wins.
 */
const packageSources = {
  '@webkms/core/kms': fileURLToPath(new URL('packages/core/src/kms.ts', import.meta.url)),
  '@webkms/core/envelope': fileURLToPath(new URL('packages/core/src/envelope.ts', import.meta.url)),
  '@webkms/core/errors': fileURLToPath(new URL('packages/core/src/errors.ts', import.meta.url)),
  '@webkms/core/internal': fileURLToPath(new URL('packages/core/src/internal.ts', import.meta.url)),
  '@webkms/core': fileURLToPath(new URL('packages/core/src/index.ts', import.meta.url)),
  '@webkms/keystore-idb': fileURLToPath(new URL('packages/keystore-idb/src/index.ts', import.meta.url)),
  '@webkms/worker/worker': fileURLToPath(new URL('packages/worker/src/worker.ts', import.meta.url)),
  '@webkms/worker': fileURLToPath(new URL('packages/worker/src/index.ts', import.meta.url)),
}

export default defineConfig({
  plugins: [serveVectors()],
  resolve: { alias: packageSources },
  // Pre-bundled up front: discovering them mid-run makes Vite reload the browser tests.
  optimizeDeps: { include: ['comlink', 'idb', 'fast-check', '@noble/ciphers/aes.js', '@noble/curves/nist.js', '@noble/hashes/sha2.js'] },
  server: {
    // Loopback only, for the browser project's server too (see browser.api below).
    host: '127.0.0.1',
    fs: {
      // Browser tests read vectors over HTTP as `/@fs${vectorsDir}/...` (see
      // test/support/vectors.ts), so ../shared must be servable; the repository itself
      // stays allowed because listing fs.allow replaces Vite's default.
      allow: [repoRoot, sharedDir],
    },
  },
  test: {
    // Values the test files read with `inject()`; computed here, in Node, so that the
    // vectors helper needs no node:fs and works unchanged in the browser project.
    provide: {
      vectorsDir,
      vectorsPresent: existsSync(vectorsDir),
      ci: process.env.CI === 'true',
    },
    projects: [
      {
        extends: true,
        test: {
          name: 'node',
          environment: 'node',
          include: ['packages/*/test/**/*.test.ts', 'test/**/*.test.ts'],
          setupFiles: ['test/support/nodeIndexedDb.ts'],
          exclude: [...exclude, '**/*.browser.test.ts'],
        },
      },
      {
        extends: true,
        test: {
          name: 'browser',
          include: ['packages/core/test/**/*.test.ts', 'packages/keystore-idb/test/**/*.test.ts', 'packages/worker/test/**/*.test.ts', '**/*.browser.test.ts'],
          // `*.node.test.ts`: the rare test that needs Node itself (e.g. node:fs) opts out here.
          exclude: [...exclude, '**/*.node.test.ts'],
          browser: {
            enabled: true,
            headless: true,
            provider: playwright({ launchOptions: chromium }),
            instances: [{ browser: 'chromium' }],
            // The server the browser loads tests from; Vitest's default host is localhost,
            // which may resolve to ::1 first.
            api: { host: '127.0.0.1', port: 63315, strictPort: false },
          },
        },
      },
    ],
  },
})
