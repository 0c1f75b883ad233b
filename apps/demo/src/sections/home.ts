// The home page: what the demo is, and each section with the best practice it teaches.
import { SECTION_IDS, type Section } from '../app/context.js'
import { h } from '../app/dom.js'
import { PRACTICE } from '../app/section.js'
import { common } from '../text/common.js'

const learn = { envelope: 'learnEnvelope', hsm: 'learnHsm', lifecycle: 'learnLifecycle', policies: 'learnPolicies', audit: 'learnAudit', byok: 'learnByok', files: 'learnFiles', cost: 'learnCost' } as const

export const home: Section = ({ lang, store }) => {
  const t = common[lang]
  return h(
    'article',
    { class: 'section home' },
    h('h1', {}, t.appTitle),
    h('p', { class: 'lead' }, t.homeIntro),
    h('p', {}, t.runsReal),
    h(
      'table',
      { class: 'map' },
      h('caption', {}, t.homeTable),
      h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, t.homeSection), h('th', { scope: 'col' }, t.homeLearn), h('th', { scope: 'col' }, t.homePractice))),
      h(
        'tbody',
        {},
        SECTION_IDS.map((id) => h('tr', {}, h('th', { scope: 'row' }, h('a', { href: `#${id}` }, t[id])), h('td', {}, t[learn[id]]), h('td', {}, t[PRACTICE[id]]))),
      ),
    ),
    h('p', { class: 'hint' }, t.homeStore, ' ', t.persistence(store.persistence)),
  )
}
