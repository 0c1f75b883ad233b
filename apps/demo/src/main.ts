/**
 * The teaching demo: a header (sections, language, the engine's clock, start over) and one
 * section at a time, chosen by the URL hash (`#envelope`, `#policies`, ...). Every action
 * runs the real webkms in its worker; this page has no cryptography of its own.
 *
 * For the console and for end-to-end tests, as on every page: `globalThis.webkms` (the worker
 * client), `webkmsReady` (resolves when it is), `webkmsErrors` (the error classes).
 */
import { createWorkerKms, DecryptionError, EnvelopeError, KeyringError, kmsErrorClasses, RecoveryError, type WorkerKms } from '@webkms/worker'
import { SECTION_IDS, type DemoContext, type SectionId } from './app/context.js'
import { button, errorView, h } from './app/dom.js'
import { applyLanguage, detectLanguage, type Lang } from './app/i18n.js'
import { sections } from './sections/index.js'
import { common } from './text/common.js'

/** The demo's own database: "start over" deletes it and nothing else of this origin. */
export const DEMO_DATABASE = 'webkms-demo'

let lang: Lang = detectLanguage()
let kms: WorkerKms
let leave = new AbortController()
const app = document.getElementById('app')!

const startWorker = () =>
  createWorkerKms({ worker: new Worker(new URL('./kms.worker.ts', import.meta.url), { type: 'module' }), name: DEMO_DATABASE, movableClock: true })

const currentSection = (): SectionId => {
  const id = location.hash.slice(1)
  return (SECTION_IDS as readonly string[]).includes(id) ? (id as SectionId) : 'home'
}

const clock = h('span', { class: 'clock', 'aria-live': 'off' })
async function showClock(): Promise<void> {
  const now = await kms.clockNow()
  const t = common[lang]
  clock.textContent = `${t.engineClock}: ${now.toLocaleString(lang === 'ja' ? 'ja-JP' : 'en-US', { dateStyle: 'medium', timeStyle: 'short' })}`
}

function header(): HTMLElement {
  const t = common[lang]
  const current = currentSection()
  const link = (id: SectionId) =>
    h('li', {}, h('a', { href: id === 'home' ? '#' : `#${id}`, 'aria-current': id === current ? 'page' : false }, t[id]))
  const other: Lang = lang === 'en' ? 'ja' : 'en'
  return h(
    'header',
    { class: 'site' },
    h('a', { class: 'skip', href: '#content' }, t.skipToContent),
    h('div', { class: 'bar' },
      h('a', { class: 'brand', href: '#' }, t.appTitle),
      h('div', { class: 'tools' },
        clock,
        button(other === 'ja' ? t.japanese : t.english, () => setLanguage(other), { lang: other, 'aria-label': `${t.language}: ${other === 'ja' ? t.japanese : t.english}`, class: 'lang' }),
        button(t.startOver, startOver, { class: 'secondary' }),
      ),
    ),
    h('nav', { 'aria-label': t.nav }, h('ul', {}, link('home'), ...SECTION_IDS.map(link), h('li', {}, h('a', { href: 'playground.html' }, t.playground)))),
  )
}

async function render(): Promise<void> {
  leave.abort()
  leave = new AbortController()
  const id = currentSection()
  const ctx: DemoContext = { kms, store: kms.store, lang, clockChanged: () => void showClock(), signal: leave.signal }
  const main = h('main', { id: 'content', tabindex: '-1' })
  app.replaceChildren(header(), main)
  document.title = id === 'home' ? common[lang].appTitle : `${common[lang][id]} · webkms`
  void showClock()
  try {
    // A section not yet shown is fetched first (sections/index.ts); a failed fetch shows as any error does.
    const section = await sections[id]()
    if (ctx.signal.aborted) return // left while its code loaded: a later render shows what is current
    main.append(await section(ctx))
  } catch (e) {
    main.append(errorView(e))
  }
}

function setLanguage(next: Lang): void {
  lang = next
  applyLanguage(lang)
  void render()
}

async function startOver(): Promise<void> {
  if (!confirm(common[lang].startOverConfirm)) return
  kms.terminate()
  await new Promise<void>((resolve, reject) => {
    const r = indexedDB.deleteDatabase(DEMO_DATABASE)
    r.onsuccess = () => resolve()
    r.onerror = () => reject(r.error)
    r.onblocked = () => resolve() // the worker's connection closes as it terminates
  })
  kms = await startWorker()
  Object.assign(globalThis, { webkms: kms })
  // Back to the home page without a hashchange (whose render would drop the notice below).
  history.replaceState(history.state, '', `${location.pathname}${location.search}`)
  await render()
  app.querySelector('main')?.prepend(h('p', { class: 'notice', role: 'status' }, common[lang].startedOver))
}

async function main(): Promise<WorkerKms> {
  applyLanguage(lang)
  kms = await startWorker()
  addEventListener('hashchange', () => {
    void render().then(() => document.getElementById('content')?.focus())
  })
  await render()
  return kms
}

const ready = main()
Object.assign(globalThis, { webkmsReady: ready, webkmsErrors: { ...kmsErrorClasses, DecryptionError, EnvelopeError, KeyringError, RecoveryError } })
ready.then(
  (client) => Object.assign(globalThis, { webkms: client }),
  (e) => app.replaceChildren(errorView(e)),
)
