/**
 * What every section gets: the worker client (the demo's own KMS), the language, and a way to
 * tell the page that the engine's clock moved or that the store was started over.
 */
import type { StoreInfo, WorkerKms } from '@webkms/worker'
import type { Lang } from './i18n.js'

export const SECTION_IDS = ['envelope', 'hsm', 'lifecycle', 'policies', 'audit', 'byok', 'files', 'cost'] as const
export type SectionId = 'home' | (typeof SECTION_IDS)[number]

export interface DemoContext {
  /** The KMS in the demo's worker (a store of its own, a movable clock). */
  readonly kms: WorkerKms
  readonly store: StoreInfo
  readonly lang: Lang
  /** Call after moving the engine's clock: the header shows the engine's time. */
  clockChanged(): void
  /** A signal aborted when the learner leaves the section (stop timers, drop listeners). */
  readonly signal: AbortSignal
}

/** A section: builds its content (an element with an <h1>) for the current language. */
export type Section = (ctx: DemoContext) => HTMLElement | Promise<HTMLElement>
