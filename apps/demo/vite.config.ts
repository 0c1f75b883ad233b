import { defineConfig } from 'vite'

// `npm start` serves this app; loopback only (no other interface is reachable here, and a
// KMS demo has no business listening on the network). 5173 is the usual port; if it is taken
// Vite picks the next free one and prints it.
export default defineConfig({
  // Relative asset URLs: the built site works from any static host under any base path.
  base: './',
  server: { host: '127.0.0.1', port: 5173, strictPort: false },
  preview: { host: '127.0.0.1', port: 4173, strictPort: false },
  // The KMS worker is an ES module worker (it imports the engine).
  worker: { format: 'es' },
  // index.html: the teaching demo; playground.html: the minimal playground; bench.html: the
  // worker round-trip benchmark page (bench/worker-roundtrip.mjs).
  build: { rollupOptions: { input: { main: 'index.html', playground: 'playground.html', bench: 'bench.html' } } },
})
