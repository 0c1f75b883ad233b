/**
 * Cost and quotas: what this session would cost on AWS KMS, counted from the engine's own
 * records (the audit trail for requests, ListKeys/DescribeKey for keys and their states,
 * ListKeyRotations for rotations), priced as AWS prices them; then the quota quiz from the study
 * notes, each answer tried live where the engine enforces it.
 */
import type { KeyMetadata, KeyState } from '@webkms/core'
import type { WorkerKms } from '@webkms/worker'
import type { DemoContext, Section } from '../app/context.js'
import { button, errorView, h, okView, run, uid } from '../app/dom.js'
import { sectionHead, part, fact } from '../app/section.js'
import { common } from '../text/common.js'
import { costText } from '../text/cost.js'
import { keyByAlias } from './keyByAlias.js'
import './cost.css'

type T = (typeof costText)['en']

/** AWS KMS prices (USD, as the pricing page states them): key storage, rotations, symmetric requests. */
const PRICE = { keyMonth: 1, rotationMonth: 1, billedRotationsPerKey: 2, freeRequests: 20_000, per10k: 0.03 }
const COST_ALIAS = 'alias/demo-cost'
/** Operations priced apart from symmetric requests (and, for asymmetric keys, outside the free tier). */
const ASYMMETRIC_OPERATIONS = new Set(['Sign', 'Verify', 'GetPublicKey', 'GenerateDataKeyPair', 'GenerateDataKeyPairWithoutPlaintext', 'DeriveSharedSecret'])
const HMAC_OPERATIONS = new Set(['GenerateMac', 'VerifyMac'])
type Kind = 'symmetric' | 'asymmetric' | 'hmac'

export const cost: Section = async (ctx) => {
  const t = costText[ctx.lang]
  const c = common[ctx.lang]
  await keyByAlias(ctx.kms, COST_ALIAS, { Description: t.keyDescription })
  return h(
    'article',
    { class: 'section cost' },
    ...sectionHead(ctx, 'cost'),
    h('p', { class: 'lead' }, t.lead),
    await meter(ctx, t),
    quiz(ctx, t),
  )
}



const link = (href: string, text: string) => h('a', { href, target: '_blank', rel: 'noopener noreferrer' }, text)

// ---------------------------------------------------------------------------------------------
// The cost meter

interface Count {
  operation: string
  kind: Kind
  requests: number
  refused: number
}
interface Session {
  keys: KeyMetadata[]
  rotations: Map<string, number>
  operations: Count[]
  totals: Record<Kind, number>
}

/** Everything the estimate needs, read from the engine; the reads are requests too, and the trail, read last, includes them. */
async function readSession(kms: WorkerKms): Promise<Session> {
  const keys: KeyMetadata[] = []
  let Marker: string | undefined
  do {
    const page = await kms.listKeys({ Limit: 1000, ...(Marker ? { Marker } : {}) })
    for (const k of page.Keys) keys.push((await kms.describeKey({ KeyId: k.KeyId })).KeyMetadata)
    Marker = page.Truncated ? page.NextMarker : undefined
  } while (Marker)
  const rotations = new Map<string, number>()
  for (const k of keys.filter((k) => k.KeySpec === 'SYMMETRIC_DEFAULT')) {
    const { Rotations } = await kms.listKeyRotations({ KeyId: k.Arn, Limit: 1000 })
    rotations.set(k.Arn, Rotations.length)
  }

  // Requests by operation, from the audit trail: KMS API calls only (not KMS's own service events, not webkms's trail operations).
  const specs = new Map(keys.map((k) => [k.Arn, k.KeySpec]))
  const kindOf = (operation: string, resources: { ARN?: string }[]): Kind => {
    if (ASYMMETRIC_OPERATIONS.has(operation)) return 'asymmetric'
    if (HMAC_OPERATIONS.has(operation)) return 'hmac'
    const spec = specs.get(resources[0]?.ARN ?? '') ?? 'SYMMETRIC_DEFAULT'
    if (['Encrypt', 'Decrypt', 'ReEncrypt'].includes(operation) && /^(RSA|ECC|SM2)/.test(spec)) return 'asymmetric'
    return 'symmetric'
  }
  const counts = new Map<string, Count>()
  const { events } = await kms.exportAuditLog({})
  for (const e of events) {
    if (e.eventSource !== 'kms.amazonaws.com' || e.eventType !== 'AwsApiCall') continue
    const operation = String(e.eventName)
    const kind = kindOf(operation, (e.resources as { ARN?: string }[] | undefined) ?? [])
    const id = `${operation}/${kind}`
    const c = counts.get(id) ?? { operation, kind, requests: 0, refused: 0 }
    c.requests++
    if (e.errorCode) c.refused++
    counts.set(id, c)
  }
  const operations = [...counts.values()].sort((a, b) => b.requests - a.requests || a.operation.localeCompare(b.operation))
  const totals: Record<Kind, number> = { symmetric: 0, asymmetric: 0, hmac: 0 }
  for (const c of operations) totals[c.kind] += c.requests
  return { keys, rotations, operations, totals }
}

async function meter(ctx: DemoContext, t: T): Promise<HTMLElement> {
  const usd = new Intl.NumberFormat(ctx.lang === 'ja' ? 'ja-JP' : 'en-US', { style: 'currency', currency: 'USD', currencyDisplay: 'code', minimumFractionDigits: 2, maximumFractionDigits: 4 })
  const n = (x: number) => x.toLocaleString(ctx.lang === 'ja' ? 'ja-JP' : 'en-US')
  const tables = h('div')
  const out = h('div', { 'aria-live': 'polite' })
  const kinds: Record<Kind, string> = { symmetric: t.kindSymmetric, asymmetric: t.kindAsymmetric, hmac: t.kindHmac }

  const draw = async () => {
    const s = await readSession(ctx.kms)
    const states = new Map<KeyState, number>()
    for (const k of s.keys) states.set(k.KeyState, (states.get(k.KeyState) ?? 0) + 1)
    // Keys pending deletion are not billed; every other key is, enabled or not.
    const billedKeys = s.keys.filter((k) => k.KeyState !== 'PendingDeletion')
    const rotations = billedKeys.reduce((sum, k) => sum + (s.rotations.get(k.Arn) ?? 0), 0)
    const billedRotations = billedKeys.reduce((sum, k) => sum + Math.min(PRICE.billedRotationsPerKey, s.rotations.get(k.Arn) ?? 0), 0)
    const billable = Math.max(0, s.totals.symmetric - PRICE.freeRequests)
    const lines: [string, string, string, number | undefined, string][] = [
      ['keys', t.lineKeys, n(billedKeys.length), billedKeys.length * PRICE.keyMonth, t.unitKey],
      ['rotations', t.lineRotations(n(rotations)), n(billedRotations), billedRotations * PRICE.rotationMonth, t.unitRotation],
      ['requests', t.lineRequests(n(PRICE.freeRequests)), n(s.totals.symmetric), (billable / 10_000) * PRICE.per10k, t.unitRequests],
      ['asymmetric', t.lineAsymmetric, n(s.totals.asymmetric), undefined, t.unitSeePricing],
      ['hmac', t.lineHmac, n(s.totals.hmac), undefined, t.unitSeePricing],
    ]
    const total = lines.reduce((sum, [, , , usdValue]) => sum + (usdValue ?? 0), 0)
    tables.replaceChildren(
      h(
        'div',
        { class: 'scroll', role: 'region', tabindex: '0', 'aria-label': t.costCaption },
        h(
          'table',
          { class: 'cost-table' },
          h('caption', {}, t.costCaption),
          h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, t.colItem), h('th', { scope: 'col' }, t.colCount), h('th', { scope: 'col' }, t.colUnit), h('th', { scope: 'col' }, t.colMonth))),
          h(
            'tbody',
            {},
            lines.map(([id, label, count, value, unit]) =>
              h(
                'tr',
                { 'data-line': id },
                h('th', { scope: 'row' }, label),
                h('td', { class: 'num', 'data-count': id, 'data-label': t.colCount }, count),
                h('td', { 'data-label': t.colUnit }, unit),
                h('td', { class: 'num', 'data-label': t.colMonth }, value === undefined ? '—' : usd.format(value)),
              ),
            ),
          ),
          h('tfoot', {}, h('tr', {}, h('th', { scope: 'row', colspan: '3' }, t.total), h('td', { class: 'num total', 'data-total': '', 'data-label': t.colMonth }, usd.format(total)))),
        ),
      ),
      h('h3', {}, t.keysTitle),
      h(
        'ul',
        { class: 'states' },
        (['Enabled', 'Disabled', 'PendingDeletion', 'PendingImport'] as KeyState[]).map((state) =>
          h('li', { 'data-state': state }, h('code', {}, state), `: ${n(states.get(state) ?? 0)} `, h('span', { class: 'hint' }, state === 'PendingDeletion' ? t.notBilled : t.billed)),
        ),
      ),
      h('h3', {}, t.requestsTitle),
      s.operations.length === 0
        ? h('p', {}, t.noRequests)
        : h(
            'div',
            { class: 'scroll', role: 'region', tabindex: '0', 'aria-label': t.requestsCaption },
            h(
              'table',
              { class: 'requests' },
              h('caption', {}, t.requestsCaption),
              h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, t.colOperation), h('th', { scope: 'col' }, t.colRequests), h('th', { scope: 'col' }, t.colRefused), h('th', { scope: 'col' }, t.colKind))),
              h(
                'tbody',
                {},
                s.operations.map((o) =>
                  h('tr', { 'data-operation': o.operation }, h('th', { scope: 'row' }, h('code', {}, o.operation)), h('td', { class: 'num' }, n(o.requests)), h('td', { class: 'num' }, n(o.refused)), h('td', {}, kinds[o.kind])),
                ),
              ),
            ),
          ),
    )
    return s
  }

  const busy: HTMLButtonElement[] = []
  const recount = button(t.recount, () =>
    run(out, async () => {
      const s = await draw()
      return okView(t.counted(s.totals.symmetric + s.totals.asymmetric + s.totals.hmac, s.keys.length))
    }, busy),
  )
  const hundred = button(t.makeRequests, () =>
    run(out, async () => {
      for (let i = 0; i < 100; i++) await ctx.kms.encrypt({ KeyId: COST_ALIAS, Plaintext: new Uint8Array([i]) })
      const s = await draw()
      return okView(t.made, h('p', {}, t.counted(s.totals.symmetric + s.totals.asymmetric + s.totals.hmac, s.keys.length)))
    }, busy),
    { class: 'secondary' },
  )
  busy.push(recount, hundred)
  await draw()

  return part(
    t.meterTitle,
    h('p', {}, t.meterIntro),
    h('ul', { class: 'assumptions' }, h('li', {}, t.assumeMonth), h('li', {}, t.assumeRegion), h('li', {}, t.assumeTrail), h('li', {}, t.assumeReads)),
    h('div', { class: 'actions' }, recount, hundred),
    out,
    tables,
    h('p', {}, t.pricingCheck, ' ', link(t.pricingUrl, t.pricingLink)),
    fact(ctx, t.factRotation, t.factRotationOld),
    fact(ctx, t.factDeletion),
    fact(ctx, t.factAsymmetric),
  )
}

// ---------------------------------------------------------------------------------------------
// The quota quiz

interface Question {
  id: string
  question: string
  choices: string[]
  answer: number
  explain: string
  live: (ctx: DemoContext, t: T) => HTMLElement
}

function quiz(ctx: DemoContext, t: T): HTMLElement {
  const questions: Question[] = [
    { id: 'keys', question: t.qKeys, choices: ['1,000', '10,000', '100,000', t.unlimited], answer: 2, explain: t.aKeys, live: (_c, tt) => h('p', { class: 'not-live' }, tt.liveKeys) },
    { id: 'aliases', question: t.qAliases, choices: ['10', '50', '100', '1,000'], answer: 1, explain: t.aAliases, live: liveAliases },
    { id: 'grants', question: t.qGrants, choices: ['500', '10,000', '50,000', '100,000'], answer: 2, explain: t.aGrants, live: (_c, tt) => h('p', { class: 'not-live' }, tt.liveGrants) },
    { id: 'policy', question: t.qPolicy, choices: ['4 KB', '8 KB', '32 KB', '64 KB'], answer: 2, explain: t.aPolicy, live: livePolicy },
    { id: 'encrypt', question: t.qEncrypt, choices: ['1 KB', '4 KB', '64 KB', '1 MB'], answer: 1, explain: t.aEncrypt, live: liveEncrypt },
  ]
  return part(
    t.quizTitle,
    h('p', {}, t.quizIntro),
    h('div', { class: 'grid quiz' }, questions.map((q) => card(ctx, t, q))),
    h('p', { class: 'hint' }, t.requestQuotas),
    h('p', {}, t.quotasCheck, ' ', link(t.quotasUrl, t.quotasLink)),
  )
}

function card(ctx: DemoContext, t: T, q: Question): HTMLElement {
  const name = uid(`quiz-${q.id}`)
  const result = h('div', { 'aria-live': 'polite' })
  const radios = q.choices.map((choice, i) => h('input', { type: 'radio', name, value: String(i) }))
  const check = button(t.check, () => {
    const picked = radios.findIndex((r) => r.checked)
    result.replaceChildren(
      picked < 0
        ? h('p', { role: 'status' }, t.pickFirst)
        : picked === q.answer
          ? okView(t.correct, h('p', {}, q.explain))
          : h('div', { class: 'outcome error', role: 'status' }, h('strong', {}, t.notQuite(q.choices[q.answer]!)), h('p', {}, q.explain)),
    )
  })
  return h(
    'div',
    { class: 'card', 'data-question': q.id },
    h('fieldset', {}, h('legend', {}, q.question), radios.map((r, i) => h('label', { class: 'check' }, r, q.choices[i]!))),
    h('div', { class: 'actions' }, check),
    result,
    h('h3', {}, t.tryLive),
    q.live(ctx, t),
  )
}

/** A live try: a button, and an outcome area under it. */
function live(label: string, work: () => Promise<Node>): HTMLElement {
  const out = h('div', { 'aria-live': 'polite' })
  const b = button(label, () => run(out, work, [b]), { class: 'secondary' })
  return h('div', { class: 'live' }, h('div', { class: 'actions' }, b), out)
}

/** The refusal, and a sentence saying which limit refused it. */
const refusal = (e: unknown, why: string) => h('div', {}, errorView(e), h('p', {}, why))

function liveAliases(ctx: DemoContext, t: T): HTMLElement {
  return live(t.liveAliasesButton, async () => {
    const { KeyMetadata } = await ctx.kms.describeKey({ KeyId: COST_ALIAS })
    const count = async () => {
      let total = 0
      let Marker: string | undefined
      do {
        const page = await ctx.kms.listAliases({ KeyId: KeyMetadata.KeyId, Limit: 100, ...(Marker ? { Marker } : {}) })
        total += page.Aliases.length
        Marker = page.Truncated ? page.NextMarker : undefined
      } while (Marker)
      return total
    }
    // One more each time until the engine refuses: it, not this page, knows the limit.
    for (let i = (await count()) + 1; i <= 60; i++) {
      try {
        await ctx.kms.createAlias({ AliasName: `${COST_ALIAS}/quota-${String(i).padStart(2, '0')}`, TargetKeyId: KeyMetadata.KeyId })
      } catch (e) {
        if ((e as Error).name === 'AlreadyExistsException') continue // a name left from an earlier try
        return refusal(e, t.aliasesRefused(await count()))
      }
    }
    return h('p', {}, t.noLimit)
  })
}

function livePolicy(ctx: DemoContext, t: T): HTMLElement {
  return live(t.livePolicyButton, async () => {
    const arn = (await ctx.kms.describeKey({ KeyId: COST_ALIAS })).KeyMetadata.Arn
    const { Policy } = await ctx.kms.getKeyPolicy({ KeyId: arn })
    // The same policy padded with JSON whitespace before its last brace to an exact size (it is ASCII: bytes = characters).
    const body = Policy.replace(/\s*\}\s*$/, '')
    const sized = (bytes: number) => `${body}${' '.repeat(bytes - body.length - 1)}}`
    const attempt = async (bytes: number) => {
      try {
        await ctx.kms.putKeyPolicy({ KeyId: arn, Policy: sized(bytes) })
        return okView(t.policyAccepted(bytes.toLocaleString('en')))
      } catch (e) {
        return refusal(e, t.policyRefused(bytes.toLocaleString('en')))
      }
    }
    const shown = h('div', {}, await attempt(32_768), await attempt(32_769))
    await ctx.kms.putKeyPolicy({ KeyId: arn, Policy }) // put the original back
    return shown
  })
}

function liveEncrypt(ctx: DemoContext, t: T): HTMLElement {
  return live(t.liveEncryptButton, async () => {
    const attempt = async (bytes: number) => {
      try {
        const { CiphertextBlob } = await ctx.kms.encrypt({ KeyId: COST_ALIAS, Plaintext: new Uint8Array(bytes).fill(0x61) })
        return okView(t.encryptAccepted(bytes.toLocaleString('en'), CiphertextBlob.length.toLocaleString('en')))
      } catch (e) {
        return refusal(e, t.encryptRefused(bytes.toLocaleString('en')))
      }
    }
    return h('div', {}, await attempt(4_096), await attempt(4_097))
  })
}
