/**
 * The home page and the page frame, in both languages at desktop and phone sizes: every
 * section is one link away, the language toggle and `?lang=` agree, the playground stays
 * reachable, `globalThis.webkms` is there, and "start over" clears the demo's store only.
 */
import { expect, expectAccessible, expectTouchTargets, LANGS, openDemo, SIZES, test, type Size } from './support.js'

for (const lang of LANGS) {
  for (const size of Object.keys(SIZES) as Size[]) {
    test(`home (${lang}, ${size}): sections mapped to practices, accessible, touchable`, async ({ page, errors }) => {
      void errors
      await page.setViewportSize(SIZES[size])
      await openDemo(page, lang)
      await expect(page.locator('html')).toHaveAttribute('lang', lang)
      await expect(page.locator('table.map tbody tr')).toHaveCount(8)
      await expect(page.getByText('SEC08-BP01').first()).toBeVisible()
      await expectAccessible(page)
      if (size === 'phone') await expectTouchTargets(page)
    })
  }
}

test('the language toggle switches every string and keeps the section; ?lang= wins over the browser', async ({ page, errors }) => {
  void errors
  await openDemo(page, 'en', 'envelope')
  await expect(page.locator('nav a[aria-current="page"]')).toHaveText('Envelope encryption')
  await page.getByRole('button', { name: /日本語/ }).click()
  await expect(page.locator('nav a[aria-current="page"]')).toHaveText('エンベロープ暗号化')
  await expect(page.locator('html')).toHaveAttribute('lang', 'ja')
  expect(new URL(page.url()).searchParams.get('lang')).toBe('ja')
  expect(new URL(page.url()).hash).toBe('#envelope')
})

test('keyboard only: skip link, then every section through the navigation', async ({ page, errors }) => {
  void errors
  await openDemo(page, 'en')
  await page.keyboard.press('Tab')
  await expect(page.getByRole('link', { name: 'Skip to the content' })).toBeFocused()
  await page.getByRole('navigation').getByRole('link', { name: 'Audit trail' }).focus()
  await page.keyboard.press('Enter')
  await expect(page).toHaveURL(/#audit$/)
  await expect(page.locator('main')).toBeFocused()
})

test('start over deletes the demo store only; the playground and globalThis.webkms stay', async ({ page, errors }) => {
  void errors
  await openDemo(page, 'en')
  await page.evaluate(() => (globalThis as any).webkms.createKey({ Description: 'to be cleared' }))
  // Another store of the same origin (an app's own) must survive.
  await page.evaluate(() => new Promise((resolve) => {
    const r = indexedDB.open('someone-else')
    r.onsuccess = () => (r.result.close(), resolve(null))
  }))
  page.once('dialog', (d) => d.accept())
  await page.getByRole('button', { name: 'Start over' }).click()
  await expect(page.getByRole('status')).toContainText('The demo store was deleted')
  expect(await page.evaluate(async () => (await (globalThis as any).webkms.listKeys()).Keys.length)).toBe(0)
  expect(await page.evaluate(async () => (await indexedDB.databases()).map((d) => d.name))).toContain('someone-else')
  await page.goto('./playground.html')
  await page.evaluate(() => (globalThis as any).webkmsReady)
  expect(await page.evaluate(() => typeof (globalThis as any).webkms.createKey)).toBe('function')
})
