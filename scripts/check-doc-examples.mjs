// Type-checks every `@example` in the TSDoc of the packages' sources, as a reader pasting it
// would compile it: each ```ts block becomes a module of its own (in memory, beside the
// package's sources, so it resolves that package's dependencies), importing the packages by
// name through tsconfig.json's paths. Run by `pnpm docs` (and so by `pnpm build`) before TypeDoc.
//
//   node scripts/check-doc-examples.mjs
import { readdirSync, readFileSync } from 'node:fs'
import { join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'
import ts from 'typescript'

const repoRoot = fileURLToPath(new URL('..', import.meta.url))
const PACKAGES = ['core', 'keystore-idb', 'worker', 'edge']

/** Every ```ts block that follows an @example tag in a /** comment, with the line it starts on. */
function examples(file) {
  const text = readFileSync(file, 'utf8')
  const found = []
  for (const comment of text.matchAll(/\/\*\*[\s\S]*?\*\//g)) {
    const lines = comment[0].split('\n').map((l) => l.replace(/^\s*\*(?: |$)/, '').replace(/^\/\*\*\s?/, ''))
    const startLine = text.slice(0, comment.index).split('\n').length
    for (let i = 0; i < lines.length; i++) {
      if (!/^@example\b/.test(lines[i].trim())) continue
      const open = lines.findIndex((l, j) => j > i && /^```ts\s*$/.test(l.trim()))
      const close = lines.findIndex((l, j) => j > open && /^```\s*$/.test(l.trim()))
      if (open < 0 || close < 0) throw new Error(`${relative(repoRoot, file)}:${startLine + i}: @example without a \`\`\`ts block`)
      found.push({ line: startLine + open + 1, code: lines.slice(open + 1, close).join('\n') })
    }
  }
  return found
}

const walk = (dir) => readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : []))

const { config, error } = ts.readConfigFile(join(repoRoot, 'tsconfig.json'), ts.sys.readFile)
if (error) throw new Error(ts.flattenDiagnosticMessageText(error.messageText, '\n'))
const base = ts.parseJsonConfigFileContent(config, ts.sys, repoRoot).options
const options = {
  ...base,
  noEmit: true,
  types: [],
  // The examples import @webkms/edge by name too; the other packages are mapped already.
  paths: { ...base.paths, '@webkms/edge': ['./packages/edge/src/index.ts'] },
}

// One program for every package's examples: each example sits in memory beside its package's
// sources (so it resolves that package's dependencies); the edge's Workers runtime types are
// ambient declarations beside its sources.
const virtual = new Map()
for (const name of PACKAGES) {
  const pkg = join(repoRoot, 'packages', name)
  for (const file of walk(join(pkg, 'src'))) {
    for (const { line, code } of examples(file)) {
      virtual.set(join(pkg, '__doc_examples__', `${relative(join(pkg, 'src'), file).replace(/[\\/]/g, '_')}_${line}.ts`), { file, line, code: `${code}\nexport {}\n` })
    }
  }
}
const host = ts.createCompilerHost(options)
const { getSourceFile, fileExists, readFile } = host
host.fileExists = (f) => virtual.has(f) || fileExists(f)
host.readFile = (f) => virtual.get(f)?.code ?? readFile(f)
host.getSourceFile = (f, lang, ...rest) => (virtual.has(f) ? ts.createSourceFile(f, virtual.get(f).code, lang, true) : getSourceFile(f, lang, ...rest))
const program = ts.createProgram([...virtual.keys(), join(repoRoot, 'packages', 'edge', 'src', 'workers.d.ts')], options, host)

// Only the examples' own errors: the sources are `pnpm typecheck`'s business.
const problems = []
for (const [file, example] of virtual) {
  const source = program.getSourceFile(file)
  for (const d of [...program.getSyntacticDiagnostics(source), ...program.getSemanticDiagnostics(source)]) {
    const { line } = source.getLineAndCharacterOfPosition(d.start ?? 0)
    problems.push(`${relative(repoRoot, example.file)}:${example.line + line}: (example) ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`)
  }
}

if (problems.length) {
  console.error(problems.join('\n'))
  console.error(`\n${problems.length} problem(s) in the TSDoc examples`)
  process.exit(1)
}
console.log(`${virtual.size} TSDoc examples type-check`)
