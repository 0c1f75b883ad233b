/**
 * "Try to steal the key": the page opens the demo's IndexedDB database itself, as any script of
 * this origin could, lists every CryptoKey in it (all extractable: false), and tries to export
 * them; the browser refuses. Then, honestly, where a Web Worker is and is not like AWS KMS's
 * HSMs, and what eviction means for keys that cannot be exported (and the opt-in recovery).
 *
 * The export attempts are this page's own code, not webkms: the one place the demo calls
 * crypto.subtle itself, to show it fail.
 */
import type { DemoContext, Section } from '../app/context.js'
import { button, errorView, h, okView, run, svg, uid } from '../app/dom.js'
import { sectionHead, part, fact } from '../app/section.js'
import { common } from '../text/common.js'
import { hsmText } from '../text/hsm.js'
import { keyByAlias } from './keyByAlias.js'
import './hsm.css'

type T = (typeof hsmText)['en']

const SYMMETRIC_ALIAS = 'alias/demo-hsm'
const SIGNING_ALIAS = 'alias/demo-hsm-signing'
const FORMATS = ['raw', 'jwk', 'pkcs8'] as const

export const hsm: Section = async (ctx) => {
  const t = hsmText[ctx.lang]
  const c = common[ctx.lang]
  // Two keys to look for: a symmetric one (an HMAC secret key inside) and an ECC signing one (a private key).
  const symmetric = (await keyByAlias(ctx.kms, SYMMETRIC_ALIAS, { Description: t.symmetricDescription })).Arn
  await keyByAlias(ctx.kms, SIGNING_ALIAS, { Description: t.signingDescription, KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY' })
  return h(
    'article',
    { class: 'section hsm' },
    ...sectionHead(ctx, 'hsm'),
    h('p', { class: 'lead' }, t.lead),
    h('p', {}, t.keysMade(SYMMETRIC_ALIAS, SIGNING_ALIAS)),
    await apiView(ctx, t, symmetric),
    databaseView(ctx, t),
    boundary(ctx, t),
    await storage(ctx, t),
  )
}



/** A two-column comparison that becomes cards on a phone (each cell names its column). */
function comparison(caption: string, columns: [string, string, string], rows: [string, string, string][]): HTMLElement {
  return h(
    'table',
    { class: 'compare' },
    h('caption', {}, caption),
    h('thead', {}, h('tr', {}, columns.map((c) => h('th', { scope: 'col' }, c)))),
    h('tbody', {}, rows.map(([what, a, b]) => h('tr', {}, h('th', { scope: 'row' }, what), h('td', { 'data-label': columns[1] }, a), h('td', { 'data-label': columns[2] }, b)))),
  )
}

// ---------------------------------------------------------------------------------------------
// 1. Ask the KMS: every response is metadata, never key material

async function apiView(ctx: DemoContext, t: T, arn: string): Promise<HTMLElement> {
  const out = h('div', { 'aria-live': 'polite' })
  const ask = button(t.askDescribe, () =>
    run(out, async () => {
      const { KeyMetadata } = await ctx.kms.describeKey({ KeyId: arn })
      const signing = await ctx.kms.getPublicKey({ KeyId: SIGNING_ALIAS })
      return okView(
        t.describeShown,
        h('pre', { class: 'response' }, `DescribeKey ${JSON.stringify({ KeyId: SYMMETRIC_ALIAS })}\n→ ${JSON.stringify({ KeyMetadata }, null, 2)}`),
        h('p', {}, t.fieldsNoMaterial(Object.keys(KeyMetadata).length)),
        h('pre', { class: 'response' }, `GetPublicKey ${JSON.stringify({ KeyId: SIGNING_ALIAS })}\n→ ${JSON.stringify({ KeySpec: signing.KeySpec, PublicKey: `(${signing.PublicKey.length} bytes of SubjectPublicKeyInfo)` })}`),
        h('p', {}, t.publicOnly),
      )
    }, [ask]),
  )
  return part(t.apiTitle, h('p', {}, t.apiIntro), h('div', { class: 'actions' }, ask), out)
}

// ---------------------------------------------------------------------------------------------
// 2. Open IndexedDB from the page and try to export what is there

interface Found {
  path: string
  key: CryptoKey
}

/** Opens the demo's database read-only, as any script of this origin could (no version: nothing is created or upgraded). */
function openDatabase(name: string): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    const r = indexedDB.open(name)
    r.onupgradeneeded = () => r.transaction?.abort() // it did not exist: leave nothing behind
    r.onsuccess = () => resolve(r.result)
    r.onerror = () => reject(r.error)
  })
}

/** Every CryptoKey in a stored value, with where it was found (`versions[0].material`). */
function collect(value: unknown, where: string, path: string, out: Found[], depth = 0): void {
  if (value instanceof CryptoKey) out.push({ path: `${where}${path.replace(/^\./, '')}`, key: value })
  else if (depth > 8 || value === null || typeof value !== 'object' || ArrayBuffer.isView(value) || value instanceof ArrayBuffer || value instanceof Date) return
  else if (Array.isArray(value)) value.forEach((v, i) => collect(v, where, `${path}[${i}]`, out, depth + 1))
  else for (const [k, v] of Object.entries(value)) collect(v, where, `${path}.${k}`, out, depth + 1)
}

/** Walks every record of every object store; returns the stores with their record counts, and the keys found. */
async function walkDatabase(name: string): Promise<{ stores: [string, number][]; found: Found[] }> {
  const db = await openDatabase(name)
  try {
    const names = [...db.objectStoreNames]
    const tx = db.transaction(names, 'readonly')
    const found: Found[] = []
    const stores = await Promise.all(
      names.map(
        (store) =>
          new Promise<[string, number]>((resolve, reject) => {
            let count = 0
            const cursor = tx.objectStore(store).openCursor()
            cursor.onerror = () => reject(cursor.error)
            cursor.onsuccess = () => {
              const c = cursor.result
              if (!c) return resolve([store, count])
              count++
              // Key IDs are UUIDs: their first 8 characters tell records apart.
              const id = String(c.primaryKey)
              collect(c.value, `${store} › ${/^[0-9a-f]{8}-[0-9a-f-]{27}$/.test(id) ? `${id.slice(0, 8)}…` : id} › `, '', found)
              c.continue()
            }
          }),
      ),
    )
    return { stores, found }
  } finally {
    db.close() // never hold the demo's database open ("Start over" deletes it)
  }
}

function algorithmOf(k: CryptoKey): string {
  const a = k.algorithm as KeyAlgorithm & { hash?: { name: string }; namedCurve?: string; length?: number; modulusLength?: number }
  const details = [a.hash?.name, a.namedCurve, a.length ? `${a.length} bits` : undefined, a.modulusLength ? `${a.modulusLength} bits` : undefined].filter(Boolean)
  return details.length ? `${a.name} (${details.join(', ')})` : a.name
}

/** One export attempt from the page: the browser's refusal (its DOMException name), or, if it ever worked, the alarm. */
async function tryExport(key: CryptoKey, format: (typeof FORMATS)[number]): Promise<{ refused: boolean; name: string; message: string }> {
  try {
    await crypto.subtle.exportKey(format, key)
    return { refused: false, name: 'exported', message: '' }
  } catch (e) {
    const err = e as DOMException
    return { refused: true, name: err.name, message: err.message }
  }
}

function databaseView(ctx: DemoContext, t: T): HTMLElement {
  const out = h('div', { 'aria-live': 'polite' })
  const attack = h('div')
  let found: Found[] = []

  const open = button(t.openDatabase, () =>
    run(out, async () => {
      const walked = await walkDatabase(ctx.store.name)
      found = walked.found
      attack.replaceChildren(attackPanel(t, found))
      const allFalse = found.every((f) => !f.key.extractable)
      return h(
        'div',
        {},
        okView(t.walked(ctx.store.name, walked.stores.map(([s, n]) => `${s} (${n})`).join(', '), found.length), h('p', {}, allFalse ? t.noneExtractable(found.length) : t.someExtractable)),
        keysTable(t, found),
      )
    }, [open]),
  )
  return part(
    t.dbTitle,
    h('p', {}, t.dbIntro),
    h('p', { class: 'attack-label' }, h('strong', {}, t.attackLabel), ' ', t.attackWhat),
    h('div', { class: 'actions' }, open),
    out,
    attack,
    h('div', { class: 'honest' }, h('h3', {}, t.useTitle), h('p', {}, t.useText)),
  )
}

function keysTable(t: T, found: Found[]): HTMLElement {
  const cols: [string, string, string, string, string] = [t.colWhere, t.colType, t.colAlgorithm, t.colUsages, 'extractable']
  return h(
    'table',
    { class: 'cryptokeys' },
    h('caption', {}, t.keysCaption),
    h('thead', {}, h('tr', {}, cols.map((c) => h('th', { scope: 'col' }, c)))),
    h(
      'tbody',
      {},
      found.map((f) =>
        h(
          'tr',
          {},
          h('th', { scope: 'row' }, h('code', {}, f.path)),
          h('td', { 'data-label': cols[1] }, f.key.type),
          h('td', { 'data-label': cols[2] }, algorithmOf(f.key)),
          h('td', { 'data-label': cols[3] }, f.key.usages.join(', ')),
          h('td', { 'data-label': cols[4], class: f.key.extractable ? 'bad' : 'good', 'data-extractable': String(f.key.extractable) }, String(f.key.extractable)),
        ),
      ),
    ),
  )
}

function attackPanel(t: T, found: Found[]): HTMLElement {
  if (found.length === 0) return h('p', {}, t.nothingFound)
  const out = h('div', { 'aria-live': 'polite' })
  const select = h('select', { id: uid('target') }, found.map((f, i) => h('option', { value: String(i) }, `${f.path} (${f.key.type}, ${f.key.algorithm.name})`)))
  const busy: HTMLButtonElement[] = []
  const one = (format: (typeof FORMATS)[number]) => {
    const b = button(`exportKey('${format}')`, () =>
      run(out, async () => {
        const target = found[Number(select.value)]!
        const r = await tryExport(target.key, format)
        return r.refused
          ? h('div', { class: 'outcome ok refused', role: 'status' }, h('strong', {}, t.refusedBy, ' ', h('code', { class: 'error-name' }, r.name)), h('p', {}, r.message), h('p', {}, t.refusedWhy))
          : errorView(new Error(t.exported))
      }, busy),
      { class: 'danger' },
    )
    busy.push(b)
    return b
  }
  const all = button(t.tryEverything, () =>
    run(out, async () => {
      const rows: HTMLElement[] = []
      let refused = 0
      for (const f of found) {
        const cells: HTMLElement[] = []
        for (const format of FORMATS) {
          const r = await tryExport(f.key, format)
          if (r.refused) refused++
          cells.push(h('td', { 'data-label': format, class: r.refused ? 'good' : 'bad' }, h('code', { class: 'error-name' }, r.name)))
        }
        rows.push(h('tr', {}, h('th', { scope: 'row' }, h('code', {}, f.path)), ...cells))
      }
      const total = found.length * FORMATS.length
      return h(
        'div',
        {},
        refused === total ? okView(t.allRefused(total)) : errorView(new Error(t.exported)),
        h('table', { class: 'attempts' }, h('caption', {}, t.attemptsCaption), h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, t.colWhere), ...FORMATS.map((f) => h('th', { scope: 'col' }, `exportKey('${f}')`)))), h('tbody', {}, rows)),
      )
    }, busy),
    { class: 'secondary' },
  )
  busy.push(all)
  return h(
    'div',
    { class: 'attack card' },
    h('h3', {}, t.attackTitle),
    h('div', { class: 'field' }, h('label', { for: select.id }, t.targetLabel), select),
    h('div', { class: 'actions' }, ...FORMATS.map(one), all),
    out,
  )
}

// ---------------------------------------------------------------------------------------------
// 3. The worker as the HSM boundary, and how far the analogy goes

function boundary(ctx: DemoContext, t: T): HTMLElement {
  const c = common[ctx.lang]
  return part(
    t.boundaryTitle,
    h('p', {}, t.boundaryIntro),
    diagram(t, c.page, c.worker),
    h('p', {}, t.boundaryText),
    comparison(t.compareCaption, [t.colAspect, t.colAws, t.colBrowser], [
      [t.rowHardware, t.awsHardware, t.browserHardware],
      [t.rowMemory, t.awsMemory, t.browserMemory],
      [t.rowExport, t.awsExport, t.browserExport],
      [t.rowCallers, t.awsCallers, t.browserCallers],
      [t.rowTenants, t.awsTenants, t.browserTenants],
      [t.rowDurability, t.awsDurability, t.browserDurability],
    ]),
    h('p', { class: 'warning' }, h('strong', {}, t.xssTitle), ' ', t.xssText),
    fact(ctx, t.factFips, t.factFipsOld),
    h('h3', {}, t.infraTitle),
    h('ul', {}, h('li', {}, t.infraTls), h('li', {}, t.infraSigv4), h('li', {}, t.infraHsm), h('li', {}, t.infraVolatile)),
    fact(ctx, t.factSource004, t.factSource004Old),
    h('p', { class: 'hint' }, t.infraWebkms),
  )
}

/** Page, worker, IndexedDB, top to bottom (readable at phone width): requests go through the worker; handles, not bytes, are stored. */
function diagram(t: T, pageLabel: string, workerLabel: string): SVGElement {
  const titleId = uid('diagram')
  const box = (y: number, h: number, label: string, sub: string, colour: string) =>
    svg('g', {}, svg('rect', { x: 20, y, width: 220, height: h, rx: 10, fill: '#fff', stroke: colour, 'stroke-width': 3 }), svg('text', { x: 130, y: y + 28, 'text-anchor': 'middle', 'font-weight': 700, fill: colour }, label), svg('text', { x: 130, y: y + 50, 'text-anchor': 'middle', 'font-size': 14, fill: '#4b5563' }, sub))
  const arrow = (y1: number, y2: number, label: string) =>
    svg('g', {}, svg('line', { x1: 130, y1, x2: 130, y2, stroke: '#1b1f24', 'stroke-width': 2, 'marker-end': 'url(#hsm-arrow)' }), svg('text', { x: 140, y: (y1 + y2) / 2 + 4, 'font-size': 14, fill: '#1b1f24' }, label))
  return svg(
    'svg',
    { class: 'diagram boundary', viewBox: '0 0 480 340', role: 'img', 'aria-labelledby': titleId },
    svg('title', { id: titleId }, t.diagramTitle),
    svg('defs', {}, svg('marker', { id: 'hsm-arrow', viewBox: '0 0 10 10', refX: 9, refY: 5, markerWidth: 7, markerHeight: 7, orient: 'auto-start-reverse' }, svg('path', { d: 'M0,0 L10,5 L0,10 z', fill: '#1b1f24' }))),
    box(10, 64, pageLabel, t.diagramPage, '#0b5cad'),
    arrow(78, 136, t.diagramCalls),
    box(140, 64, workerLabel, t.diagramWorker, '#5b3aa6'),
    arrow(208, 266, t.diagramStores),
    box(270, 64, 'IndexedDB', t.diagramDb, '#9a5b00'),
    // A script of the page can open the database too: it gets handles, never bytes.
    svg('path', { d: 'M240,42 C340,42 340,302 244,302', fill: 'none', stroke: '#a4161a', 'stroke-width': 2, 'stroke-dasharray': '6 4', 'marker-end': 'url(#hsm-arrow)' }),
    svg('text', { x: 326, y: 166, 'font-size': 15, fill: '#a4161a' }, t.diagramSide1),
    svg('text', { x: 326, y: 185, 'font-size': 15, fill: '#a4161a' }, t.diagramSide2),
  )
}

// ---------------------------------------------------------------------------------------------
// 4. Storage: persistence, quota, eviction, and the opt-in recovery

async function storage(ctx: DemoContext, t: T): Promise<HTMLElement> {
  const estimate = await navigator.storage?.estimate?.().catch(() => undefined)
  const number = new Intl.NumberFormat(ctx.lang === 'ja' ? 'ja-JP' : 'en-US', { maximumFractionDigits: 1 })
  const mb = (n: number | undefined) => (n === undefined ? '—' : n >= 1e9 ? `${number.format(n / 1e9)} GB` : `${number.format(n / 1e6)} MB`)
  const persistence = ctx.store.persistence
  const out = h('div', { 'aria-live': 'polite' })
  const bundle = button(t.askBundle, () =>
    run(out, async () => {
      try {
        await ctx.kms.exportRecoveryBundle({})
        return okView(t.bundleMade)
      } catch (e) {
        return h('div', {}, errorView(e), h('p', {}, t.bundleWhy))
      }
    }, [bundle]),
    { class: 'secondary' },
  )
  return part(
    t.storageTitle,
    h(
      'dl',
      { class: 'storage-facts' },
      h('dt', {}, t.persistenceLabel),
      h('dd', {}, h('code', { 'data-persistence': persistence }, persistence), ' ', persistence === 'persisted' ? t.persisted : persistence === 'best-effort' ? t.bestEffort : t.unknownPersistence),
      h('dt', {}, t.usageLabel),
      h('dd', {}, t.usage(mb(estimate?.usage), mb(estimate?.quota))),
      h('dt', {}, t.databaseLabel),
      h('dd', {}, h('code', {}, ctx.store.name)),
    ),
    h('h3', {}, t.evictionTitle),
    h('ul', {}, h('li', {}, t.evictSafari), h('li', {}, t.evictUser), h('li', {}, t.evictPressure)),
    h('p', {}, t.evictionMeans),
    h('h3', {}, t.recoveryTitle),
    h('p', {}, t.recoveryIntro),
    h('pre', { class: 'code' }, t.recoveryCode),
    h('ul', {}, h('li', {}, t.recoveryBoth), h('li', {}, t.recoveryBundleAlone), h('li', {}, t.recoveryUnsigned), h('li', {}, t.recoveryBefore)),
    h('p', {}, t.recoveryReadme),
    h('div', { class: 'actions' }, bundle),
    out,
  )
}
