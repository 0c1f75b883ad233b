/**
 * #audit, as a learner uses it: calls land in the trail with who, from where, which API and
 * the result; the export verifies against pinned keys; each kind of tampering with the copy
 * (edit, delete, reorder) breaks verification at the right event, and without pinned keys a
 * copy is never valid; posture findings appear when caused and go when fixed.
 */
import type { Page } from '@playwright/test'
import { auditText } from '../../../apps/demo/src/text/audit.js'
import { expect, expectAccessible, expectTouchTargets, LANGS, openDemo, SIZES, test, type Lang, type Size } from './support.js'

async function open(page: Page, lang: Lang, size: Size = 'desktop') {
  await page.setViewportSize(SIZES[size])
  await openDemo(page, lang, 'audit')
  await expect(page.locator('.live table.trail tbody tr').first()).toBeVisible()
  return auditText[lang]
}
const lastLiveRow = (page: Page) => page.locator('.live table.trail tbody tr').last()
const cells = (page: Page) => lastLiveRow(page).locator('th, td')

async function exportAndVerify(page: Page, t: (typeof auditText)['en']) {
  await page.getByRole('button', { name: t.pin }).click()
  await expect(page.getByText(t.pinned(1))).toBeVisible()
  await page.getByRole('button', { name: t.exportVerify }).click()
  await expect(page.getByRole('status').filter({ hasText: /^(Valid|有効)/ })).toBeVisible()
}
/** Tampers with the chosen event of the copy; the position verification reports, and the broken row's own number. */
async function tamper(page: Page, t: (typeof auditText)['en'], how: 'editName' | 'editIp' | 'remove' | 'swap' | 'dropBefore', index: number) {
  await page.getByLabel(t.target).selectOption(String(index))
  await page.getByRole('button', { name: t[how], exact: true }).click()
  const alert = page.locator('.copy-out [role=alert]')
  await expect(alert).toBeVisible()
  const position = Number(await alert.getAttribute('data-position'))
  const broken = page.locator('.copy tr.broken')
  await expect(broken).toContainText(t.brokenMark)
  return { position, brokenSequence: Number(await broken.getAttribute('data-sequence')) }
}

for (const lang of LANGS) {
  for (const size of Object.keys(SIZES) as Size[]) {
    test(`audit (${lang}, ${size}): calls fill the trail, it verifies, an edited event breaks it`, async ({ page, errors }) => {
      void errors
      const t = await open(page, lang, size)
      await page.getByRole('button', { name: t.callEncrypt }).click()
      await expect(page.getByText(t.called('Encrypt'))).toBeVisible()
      await expect(cells(page).nth(1)).toHaveText('111122223333:root')
      await expect(cells(page).nth(3)).toHaveText('Encrypt')
      await expect(cells(page).nth(4)).toHaveText('198.51.100.7')
      await expect(cells(page).nth(6)).toHaveText(t.ok)

      await page.getByRole('button', { name: t.callDenied }).click()
      await expect(page.getByText(t.refused('Decrypt'))).toBeVisible()
      await expect(cells(page).nth(1)).toHaveText('111122223333:user/alice')
      await expect(cells(page).nth(3)).toHaveText('Decrypt')
      await expect(cells(page).nth(4)).toHaveText('192.0.2.10')
      await expect(cells(page).nth(5)).toHaveText(/^key\/[0-9a-f]{8}…$/)
      await expect(cells(page).nth(6)).toHaveText('AccessDeniedException')

      await exportAndVerify(page, t)
      // The refused Decrypt is chosen first: rename it and the chain breaks right there.
      const chosen = await page.getByLabel(t.target).inputValue()
      const seq = Number((await page.getByLabel(t.target).locator('option:checked').textContent())!.match(/^#(\d+) Decrypt/)![1])
      const { position, brokenSequence } = await tamper(page, t, 'editName', Number(chosen))
      expect(position).toBe(seq)
      expect(brokenSequence).toBe(seq)
      await expect(page.getByText(t.tamperedName(seq, 'Decrypt', 'Encrypt'))).toBeVisible()

      await expectAccessible(page)
      if (size === 'phone') await expectTouchTargets(page)
      expect(await page.evaluate(() => document.documentElement.scrollWidth <= innerWidth)).toBe(true)
    })
  }
}

test('each tamper breaks verification at the right event; reset verifies again; unpinned is never valid', async ({ page, errors }) => {
  void errors
  const t = await open(page, 'en')
  for (let i = 0; i < 3; i++) await page.getByRole('button', { name: t.callEncrypt }).click()
  await expect(page.getByText(t.called('Encrypt'))).toBeVisible()

  // Before pinning, an export is not valid: nothing says whose signature to trust.
  await page.getByRole('button', { name: t.exportVerify }).click()
  await expect(page.getByRole('alert')).toContainText('no trusted signing key given')
  await exportAndVerify(page, t)

  const options = page.getByLabel(t.target).locator('option')
  const index = Number(await options.nth(3).getAttribute('value'))
  const seq = Number((await options.nth(3).textContent())!.match(/^#(\d+)/)![1])

  for (const how of ['editName', 'editIp', 'remove', 'swap'] as const) {
    await page.getByRole('button', { name: t.reset }).click()
    await expect(page.locator('.copy-out [role=status]')).toContainText(t.valid(0, 0).slice(0, 6))
    await expect(page.locator('.copy tr.broken')).toHaveCount(0)
    const { position, brokenSequence } = await tamper(page, t, how, index)
    expect(position, how).toBe(seq)
    // Edited: that event. Deleted or swapped: the event now standing where #seq should be.
    expect(brokenSequence, how).toBe(how === 'editName' || how === 'editIp' ? seq : seq + 1)
  }
  await expect(page.locator('.copy-out [role=alert]')).toContainText('event out of sequence')

  // Starting the copy at a later signed checkpoint, as a pruned trail starts, is caught too:
  // every checkpoint signs where the trail starts. The copy's first row is where it breaks.
  await page.getByRole('button', { name: t.reset }).click()
  const { position, brokenSequence } = await tamper(page, t, 'dropBefore', index)
  expect(position).toBeLessThanOrEqual(seq)
  expect(brokenSequence).toBe(position)
  await expect(page.locator('.copy tbody tr').first()).toHaveAttribute('data-sequence', String(position))
  await expect(page.getByText(t.tamperedDropBefore(position))).toBeVisible()
  await expect(page.locator('.copy-out [role=alert]')).toContainText('does not start where its last checkpoint says')

  await page.getByRole('button', { name: t.reset }).click()
  await page.getByRole('button', { name: t.verifyUnpinned }).click()
  await expect(page.locator('.copy-out [role=alert]')).toContainText(t.intactOnly)
  await expect(page.locator('.copy-out [role=alert]')).toContainText('anyone can sign a rewritten trail')
})

test('posture findings appear when caused and go when fixed (ja, phone)', async ({ page, errors }) => {
  void errors
  const t = await open(page, 'ja', 'phone')
  const arn = (await page.locator('code.arn').textContent())!
  const finding = (type: string, resource = arn) => page.locator(`table.findings tr[data-type="${type}"][data-resource="${resource}"]`)

  // The posture key was made without rotation.
  await expect(finding('KEY_ROTATION_DISABLED')).toContainText(t.KEY_ROTATION_DISABLED)
  await page.getByRole('button', { name: t.fixRotation }).click()
  await expect(page.getByText(t.actionDone('EnableKeyRotation'))).toBeVisible()
  await expect(finding('KEY_ROTATION_DISABLED')).toHaveCount(0)

  await page.getByRole('button', { name: t.causeOpen }).click()
  await expect(finding('POLICY_ALLOWS_ANYONE')).toBeVisible()
  await page.getByRole('button', { name: t.fixOpen }).click()
  await expect(page.getByText(t.actionDone('PutKeyPolicy'))).toBeVisible()
  await expect(finding('POLICY_ALLOWS_ANYONE')).toHaveCount(0)

  await page.getByRole('button', { name: t.causeDeletion }).click()
  await expect(finding('KEY_PENDING_DELETION')).toBeVisible()
  await expect(finding('KEY_DESTRUCTION_EVENT')).toBeVisible() // from the trail: it stays
  await page.getByRole('button', { name: t.fixDeletion }).click()
  await expect(page.getByText(t.actionDone('CancelKeyDeletion'))).toBeVisible()
  await expect(finding('KEY_PENDING_DELETION')).toHaveCount(0)

  await page.getByRole('button', { name: t.causeDenied }).click()
  await expect(page.getByText(t.deniedDone(5))).toBeVisible()
  await expect(finding('REPEATED_ACCESS_DENIED', 'arn:aws:iam::111122223333:user/alice')).toBeVisible()
  await expectAccessible(page)
  await expectTouchTargets(page)
})
