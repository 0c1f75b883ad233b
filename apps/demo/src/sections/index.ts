// Every section by its URL hash.
import type { Section, SectionId } from '../app/context.js'
import { audit } from './audit.js'
import { byok } from './byok.js'
import { cost } from './cost.js'
import { envelope } from './envelope.js'
import { files } from './files.js'
import { home } from './home.js'
import { hsm } from './hsm.js'
import { lifecycle } from './lifecycle.js'
import { policies } from './policies.js'

export const sections: Record<SectionId, Section> = { home, envelope, hsm, lifecycle, policies, audit, byok, files, cost }
