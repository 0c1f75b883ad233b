/**
 * Parsed policies by text, for one engine: the same policy is evaluated on every call, so it is
 * parsed once. The grammar (document.ts, with the condition operators) is given as a loader, so
 * it loads on the first text that is neither cached nor known already parsed (the default key
 * policy): an engine whose keys all carry the default policy never loads it.
 *
 * The loader is an `import()` in createKms.ts, not here: rolldown (Vite's bundler) splits the
 * start of an application into more chunks when a module that lazy chunks share holds a dynamic
 * import, and this module is shared with explain, findings and grants.
 */
import type { ConditionClause, ConditionLookup } from './conditions.js'
import type { Policy, PolicyKind } from './document.js'

/** What the grammar module (document.ts) gives. */
export interface PolicyGrammar {
  parsePolicy(text: string, kind: PolicyKind): Policy
  conditionHolds(clause: ConditionClause, lookup: ConditionLookup, effect?: 'Allow' | 'Deny'): boolean
}

const CACHE_LIMIT = 256

export class PolicyParser {
  /** By kind, then by text: a stored policy's text is the same string on every call, and V8 keeps its hash. */
  readonly #cache = { key: new Map<string, Policy>(), identity: new Map<string, Policy>() }

  /** `grammar` is called for every use: it must load once and retry a failed load (util/loadOnce.ts). */
  constructor(private readonly grammar: () => Promise<PolicyGrammar>) {}

  /** Parses and validates a policy; throws MalformedPolicyDocumentException. */
  async parse(text: string, kind: PolicyKind): Promise<Policy> {
    return (await this.grammar()).parsePolicy(text, kind)
  }

  /** `text` parsed: from the cache, from `known` (a text whose parse is known), or by the grammar. */
  async cached(text: string, kind: PolicyKind, known?: () => Policy | undefined): Promise<Policy> {
    const cache = this.#cache[kind]
    let policy = cache.get(text)
    if (!policy) {
      policy = known?.() ?? (await this.parse(text, kind))
      if (cache.size >= CACHE_LIMIT) cache.delete(cache.keys().next().value!)
      cache.set(text, policy)
    }
    return policy
  }

  /** The condition operators, for policies with a Condition block (which the grammar parsed). */
  async conditionHolds(): Promise<PolicyGrammar['conditionHolds']> {
    return (await this.grammar()).conditionHolds
  }
}
