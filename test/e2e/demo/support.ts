/**
 * What every test of the teaching demo shares: opening a section in a language at a size,
 * failing on any console error or uncaught exception, and an axe-core check that fails on
 * serious or critical findings.
 */
import AxeBuilder from '@axe-core/playwright'
import { expect, test as base, type Page } from '@playwright/test'

export type Lang = 'en' | 'ja'
export const SIZES = { desktop: { width: 1280, height: 900 }, phone: { width: 390, height: 844 } } as const
export type Size = keyof typeof SIZES
export const LANGS: Lang[] = ['en', 'ja']

/** A page that records console errors and page errors; the test fails if there were any. */
export const test = base.extend<{ errors: string[] }>({
  errors: async ({ page }, use) => {
    const errors: string[] = []
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(`console: ${m.text()}`)
    })
    page.on('pageerror', (e) => errors.push(`page: ${e.message}`))
    await use(errors)
    expect(errors, 'console errors or uncaught exceptions').toEqual([])
  },
})
export { expect }

/** Opens the demo at `#section` (home when omitted) in `lang`, and waits for the worker. */
export async function openDemo(page: Page, lang: Lang, section?: string): Promise<void> {
  await page.goto(`./?lang=${lang}${section ? `#${section}` : ''}`)
  await page.evaluate(() => (globalThis as unknown as { webkmsReady: Promise<unknown> }).webkmsReady)
  await expect(page.locator('main h1')).toBeVisible()
}

/** axe-core on the current page: no serious or critical finding. */
export async function expectAccessible(page: Page): Promise<void> {
  const { violations } = await new AxeBuilder({ page }).analyze()
  const bad = violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')
  expect(bad.map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.map((n) => n.target.join(' ')).slice(0, 3).join(', ')}`)).toEqual([])
}

/** Every button and link that is visible is at least 44 x 44 CSS pixels (phone widths). */
export async function expectTouchTargets(page: Page): Promise<void> {
  const small = await page.evaluate(() =>
    [...document.querySelectorAll('main button, main a, main input, main select, main summary, header button, header nav a')]
      .filter((el) => {
        const r = el.getBoundingClientRect()
        const style = getComputedStyle(el)
        if (r.width === 0 || r.height === 0 || style.visibility === 'hidden') return false
        // Links inside running text are exempt (WCAG 2.5.8 inline exception).
        if (el.tagName === 'A' && el.closest('p, li:not(nav li), td, figcaption')) return false
        if (el instanceof HTMLInputElement && (el.type === 'checkbox' || el.type === 'radio')) return (el.closest('label')?.getBoundingClientRect().height ?? 0) < 44
        return r.height < 44 || r.width < 44
      })
      .map((el) => `${el.tagName.toLowerCase()} "${(el.textContent ?? '').trim().slice(0, 30)}"`),
  )
  expect(small, 'touch targets smaller than 44 px').toEqual([])
}

/** The texts a section shows in `lang` (for "no string missing" checks at run time). */
export async function visibleText(page: Page): Promise<string> {
  return page.locator('main').innerText()
}
