/**
 * English and Japanese. Every section keeps its strings in a `text/<section>.ts` module as one
 * dictionary per language; the Japanese one is typed as the English one, so a string missing in
 * either language does not compile, and test/demo/i18n.test.ts checks the same at run time
 * (same keys, nothing empty, Japanese prose written in Japanese).
 *
 * The language: `?lang=en|ja` when given, else the last choice (localStorage), else the
 * browser's languages (Japanese when the first one is).
 */
export type Lang = 'en' | 'ja'
export const LANGS: readonly Lang[] = ['en', 'ja']

// Strings, or functions of the values they show (counts, sizes, names).
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Text = string | ((...args: any[]) => string)
export type Dictionary = Record<string, Text>
export interface Bilingual<D extends Dictionary> {
  en: D
  ja: { [K in keyof D]: D[K] }
}

/** Declares a section's strings: the Japanese must have every key the English has, of the same shape. */
export const bilingual = <D extends Dictionary>(en: D, ja: { [K in keyof D]: D[K] }): Bilingual<D> => ({ en, ja })

const STORAGE_KEY = 'webkms-demo-lang'

export function detectLanguage(): Lang {
  const asked = new URLSearchParams(location.search).get('lang')
  if (asked === 'en' || asked === 'ja') return asked
  try {
    const kept = localStorage.getItem(STORAGE_KEY)
    if (kept === 'en' || kept === 'ja') return kept
  } catch {
    // storage may be off; fall through to the browser's languages
  }
  const first = (navigator.languages?.[0] ?? navigator.language ?? 'en').toLowerCase()
  return first.startsWith('ja') ? 'ja' : 'en'
}

/** Makes `lang` the page's language: the URL (so a link keeps it), <html lang>, and the stored choice. */
export function applyLanguage(lang: Lang): void {
  const url = new URL(location.href)
  url.searchParams.set('lang', lang)
  history.replaceState(history.state, '', url)
  document.documentElement.lang = lang
  try {
    localStorage.setItem(STORAGE_KEY, lang)
  } catch {
    // not kept: the URL still says it
  }
}
