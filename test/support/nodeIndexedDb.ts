// Node has no IndexedDB: the node project installs fake-indexeddb's globals before each test
// file (vite.config.ts, setupFiles). The browser project uses the real thing.
import 'fake-indexeddb/auto'
