/**
 * What every section's page is made of: its heading with the best practice it teaches, parts
 * headed by an <h2>, and "current AWS fact / older study material says" notes.
 */
import type { SectionId } from './context.js'
import { h, uid } from './dom.js'
import type { Lang } from './i18n.js'
import { common } from '../text/common.js'

type Id = Exclude<SectionId, 'home'>

/** Each section's best-practice line in text/common.ts. */
export const PRACTICE = {
  envelope: 'practiceEnvelope',
  hsm: 'practiceHsm',
  lifecycle: 'practiceLifecycle',
  policies: 'practicePolicies',
  audit: 'practiceAudit',
  byok: 'practiceByok',
  files: 'practiceFiles',
  cost: 'practiceCost',
} as const satisfies Record<Id, keyof (typeof common)['en']>

/** The section's <h1> and the best practice it teaches. */
export function sectionHead(ctx: { lang: Lang }, id: Id): HTMLElement[] {
  const c = common[ctx.lang]
  return [h('h1', {}, c[id]), h('p', { class: 'practice' }, c.practice, ': ', c[PRACTICE[id]])]
}

/** A section part: an <h2> and its content, labelled by the heading. */
export function part(title: string, ...children: (Node | string | null)[]): HTMLElement {
  const id = uid('part')
  return h('section', { 'aria-labelledby': id }, h('h2', { id }, title), ...children)
}

/** A "current AWS fact / older study material says" note. */
export function fact(ctx: { lang: Lang }, current: string, older?: string): HTMLElement {
  const c = common[ctx.lang]
  return h('div', { class: 'fact' }, h('strong', {}, c.currentFact), h('p', {}, current), older ? h('p', {}, h('em', {}, `${c.olderMaterial}: `), older) : null)
}
