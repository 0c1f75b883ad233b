// Placeholder until this section is built.
import type { Section } from '../app/context.js'
import { h } from '../app/dom.js'
import { common } from '../text/common.js'

export const envelope: Section = ({ lang }) => h('article', { class: 'section' }, h('h1', {}, common[lang].envelope))
