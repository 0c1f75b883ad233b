/**
 * The layout holds: the KMS engine (src/kms) and the envelope SDK (src/envelope) stand apart
 * (the envelope imports only its own files, the shared leaves below and @noble, plus hash-wasm
 * loaded on demand for signed streams; the engine
 * imports nothing of the envelope), and no source file of @webkms/core depends on itself
 * through others (type-only imports count: they still tie the files together). Read from the
 * source text, so it needs node:fs.
 */
import { readdirSync, readFileSync } from 'node:fs'
import { dirname, join, relative, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'

const src = fileURLToPath(new URL('../src/', import.meta.url))
const files = (readdirSync(src, { recursive: true }) as string[]).filter((f) => f.endsWith('.ts')).map((f) => join(src, f))

/** The source without comments: TSDoc examples import from the package, and are not imports. */
const code = (file: string) => readFileSync(file, 'utf8').replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '')

function specifiers(file: string): string[] {
  const text = code(file)
  const found = [...text.matchAll(/^\s*(?:import|export)\b[^'"]*?from\s*['"]([^'"]+)['"]/gm), ...text.matchAll(/^\s*import\s*['"]([^'"]+)['"]/gm), ...text.matchAll(/\bimport\(\s*['"]([^'"]+)['"]\s*\)/g)]
  return found.map((m) => m[1]!)
}
/** What a file imports with import(): loaded when first needed, a chunk of its own in a bundle. */
function dynamicSpecifiers(file: string): string[] {
  return [...code(file).matchAll(/\bimport\(\s*['"]([^'"]+)['"]\s*\)/g)].map((m) => m[1]!)
}
const resolveTs = (from: string, spec: string) => resolve(dirname(from), spec).replace(/\.js$/, '.ts')
const local = (file: string) => specifiers(file).filter((s) => s.startsWith('.')).map((s) => resolveTs(file, s))
const rel = (f: string) => relative(src, f).split('\\').join('/')
const SHARED = ['util/bytes.ts', 'util/ecdsaDer.ts', 'util/nativeCrypto.ts', 'util/nativeGcm.ts', 'util/nativeSigning.ts', 'codedError.ts', 'engineMarker.ts']
const NOBLE = /^@noble\/(ciphers|curves|hashes)\//

describe('@webkms/core source layout', () => {
  it('finds the sources it checks', () => {
    expect(files.length).toBeGreaterThan(40)
    expect(files).toContain(join(src, 'envelope', 'format', 'encryptionContext.ts'))
  })

  it('the envelope SDK imports only envelope files, the shared leaves and @noble (hash-wasm only on demand)', () => {
    const outside: string[] = []
    for (const file of files.filter((f) => rel(f).startsWith('envelope/'))) {
      const onDemand = dynamicSpecifiers(file)
      for (const spec of specifiers(file)) {
        if (!spec.startsWith('.')) {
          if (!NOBLE.test(spec) && !(spec === 'hash-wasm' && onDemand.includes(spec))) outside.push(`${rel(file)} -> ${spec}`)
          continue
        }
        const target = rel(resolveTs(file, spec))
        if (!target.startsWith('envelope/') && !SHARED.includes(target)) outside.push(`${rel(file)} -> ${target}`)
      }
    }
    expect(outside).toEqual([])
  })

  it('the engine imports nothing of the envelope SDK', () => {
    const crossing = files.filter((f) => rel(f).startsWith('kms/')).flatMap((f) => local(f).filter((t) => rel(t).startsWith('envelope/')).map((t) => `${rel(f)} -> ${rel(t)}`))
    expect(crossing).toEqual([])
  })

  it('has no import cycle', () => {
    const graph = new Map(files.map((f) => [f, local(f)]))
    const cycles: string[] = []
    const state = new Map<string, 'visiting' | 'done'>()
    const visit = (file: string, path: string[]) => {
      if (state.get(file) === 'done') return
      if (state.get(file) === 'visiting') {
        cycles.push([...path.slice(path.indexOf(file)), file].map(rel).join(' -> '))
        return
      }
      state.set(file, 'visiting')
      for (const next of graph.get(file) ?? []) visit(next, [...path, file])
      state.set(file, 'done')
    }
    for (const file of files) visit(file, [])
    expect(cycles).toEqual([])
  })
})
