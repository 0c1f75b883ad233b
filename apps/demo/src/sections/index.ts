// Every section by its URL hash. The home page comes with the frame; every other section (its
// code, its strings in both languages and its styles) is a chunk of its own, loaded when it is
// first shown, so the page starts with what its first view needs.
import type { Section, SectionId } from '../app/context.js'
import { home } from './home.js'

export const sections: Record<SectionId, () => Promise<Section>> = {
  home: async () => home,
  envelope: async () => (await import('./envelope.js')).envelope,
  hsm: async () => (await import('./hsm.js')).hsm,
  lifecycle: async () => (await import('./lifecycle.js')).lifecycle,
  policies: async () => (await import('./policies.js')).policies,
  audit: async () => (await import('./audit.js')).audit,
  byok: async () => (await import('./byok.js')).byok,
  files: async () => (await import('./files.js')).files,
  cost: async () => (await import('./cost.js')).cost,
}
