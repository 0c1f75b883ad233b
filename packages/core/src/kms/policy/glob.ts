/**
 * IAM wildcards: `*` matches any run of characters (including none), `?` exactly one.
 * Everything else is literal. Compiled patterns are cached: policies repeat on every call.
 */
const compiled = new Map<string, RegExp>()

export function globMatch(pattern: string, value: string, ignoreCase = false): boolean {
  if (!pattern.includes('*') && !pattern.includes('?')) return ignoreCase ? pattern.toLowerCase() === value.toLowerCase() : pattern === value
  const cacheKey = (ignoreCase ? 'i' : 's') + pattern
  let re = compiled.get(cacheKey)
  if (!re) {
    const source = pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')
    re = new RegExp(`^${source}$`, ignoreCase ? 'isu' : 'su') // u: `?` is one character, not one UTF-16 unit
    if (compiled.size > 1024) compiled.clear()
    compiled.set(cacheKey, re)
  }
  return re.test(value)
}
