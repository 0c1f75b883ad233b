// Reads vector files in either Vitest project: node:fs in Node, fetch from the Vite server
// (which serves ../shared, see vite.config.ts) in the browser.
import { vectorsDir, vectorsUrl } from './vectors.js'

const inBrowser = typeof window !== 'undefined' && typeof document !== 'undefined'

/** The bytes of `relative` (a path under ../shared/vectors). */
export async function readVectorBytes(relative: string): Promise<Uint8Array> {
  if (inBrowser) {
    const response = await fetch(`${vectorsUrl}/${relative}`)
    if (!response.ok) throw new Error(`cannot fetch vector ${relative}: HTTP ${response.status}`)
    return new Uint8Array(await response.arrayBuffer())
  }
  const fs = (await import(/* @vite-ignore */ 'node:' + 'fs/promises')) as typeof import('node:fs/promises')
  return new Uint8Array(await fs.readFile(`${vectorsDir}/${relative}`))
}

export async function readVectorJson<T = unknown>(relative: string): Promise<T> {
  return JSON.parse(new TextDecoder().decode(await readVectorBytes(relative))) as T
}

export const base64ToBytes = (b64: string) => Uint8Array.from(atob(b64), (c) => c.charCodeAt(0))

/** A PEM body (PKCS#8 or SPKI) as DER bytes. */
export const pemToDer = (pem: string) => base64ToBytes(pem.replace(/-----[^-]+-----/g, '').replace(/\s+/g, ''))
