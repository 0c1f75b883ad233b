// Where the third-party test vectors are, and what to do when they are missing.
// They are read in place from ../shared/vectors (see its README), never copied in.
// Works in both Vitest projects: the values come from `test.provide` in vite.config.ts.
//
//   const esdk = requireVectors('esdk')
//   describe.skipIf(!esdk)('AWS Encryption SDK vectors', () => { ... })
//
// Node reads files under `vectorsDir` with node:fs; the browser project fetches
// `${vectorsUrl}/esdk/manifest.json` (served by the serveVectors plugin in vite.config.ts).
import { inject } from 'vitest'

declare module 'vitest' {
  export interface ProvidedContext {
    vectorsDir: string
    vectorsPresent: boolean
    ci: boolean
  }
}

/** Absolute path of ../shared/vectors on the machine running Vitest. */
export const vectorsDir: string = inject('vectorsDir')

/** The same folder as a URL path on the Vite server, for `fetch` in the browser project. */
export const vectorsUrl = '/__vectors'

/**
 * Returns the absolute path of the vectors folder (or of `subdir` inside it), or
 * `undefined` when the folder is absent so the caller can skip its tests; the reason is
 * printed. Throws instead when CI=true: in CI a missing folder is a broken setup, and
 * silently skipped vector suites would make a green run mean nothing.
 */
export function requireVectors(subdir?: string): string | undefined {
  const dir = subdir ? `${vectorsDir}/${subdir}` : vectorsDir
  if (inject('vectorsPresent')) return dir
  const reason = `test vectors not found at ${vectorsDir} (expected ../shared/vectors beside the repository)`
  if (inject('ci')) throw new Error(`${reason}; CI=true, so this is an error, not a skip`)
  console.warn(`skipping: ${reason}`)
  return undefined
}
