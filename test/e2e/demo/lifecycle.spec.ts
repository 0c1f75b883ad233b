/**
 * The key lifecycle section, in English and Japanese at desktop and phone sizes, as a learner
 * uses it: create and alias a key and see DescribeKey; disable it and see Encrypt refused;
 * rotate on the movable clock (89 days refused, a year later a new AUTOMATIC version, the old
 * note still decrypting with its own material); use up the 25 on-demand rotations; schedule
 * deletion (6 days refused), cancel it (the key comes back Disabled), then let the window run
 * out (the key is gone and its note cannot be decrypted).
 */
import type { Locator, Page } from '@playwright/test'
import { expect, expectAccessible, expectTouchTargets, LANGS, openDemo, SIZES, test, type Lang, type Size } from './support.js'

/** The button labels and texts the test relies on, per language. */
const L = {
  en: { create: 'CreateKey and CreateAlias', disable: 'DisableKey', enable: 'EnableKey', encryptTest: 'Encrypt a test message', encryptNote: 'Encrypt a note now', advanceYear: 'Advance the clock 1 year', decryptAll: 'Decrypt every kept note', rest: 'Rotate until the limit', victim: 'Encrypt a note under this key', decryptKept: 'Decrypt the kept notes', past: 'Advance the clock past the deletion date', used: (n: number) => `On-demand rotations used: ${n} of 25` },
  ja: { create: 'CreateKey と CreateAlias', disable: 'DisableKey (無効化)', enable: 'EnableKey (有効化)', encryptTest: 'テストメッセージを暗号化', encryptNote: '今メモを暗号化する', advanceYear: '時計を 1 年進める', decryptAll: '保管したメモをすべて復号', rest: '上限までローテーションする', victim: 'このキーでメモを暗号化', decryptKept: '保管したメモを復号', past: '削除日を過ぎるまで時計を進める', used: (n: number) => `使ったオンデマンドローテーション: 25 回中 ${n} 回` },
} as const

const part = (page: Page, n: number): Locator => page.locator('main section').nth(n)
const click = (scope: Locator, name: string) => scope.getByRole('button', { name, exact: true }).click()

for (const lang of LANGS) {
  for (const size of Object.keys(SIZES) as Size[]) {
    test(`lifecycle (${lang}, ${size}): create, disable, rotate on the clock, delete`, async ({ page, errors }) => {
      void errors
      const l = L[lang as Lang]
      await page.setViewportSize(SIZES[size])
      await openDemo(page, lang, 'lifecycle')

      // The key types table and the customer managed note.
      await expect(part(page, 0).locator('tbody tr')).toHaveCount(3)

      // Create, describe, disable: Encrypt is refused with DisabledException; enable again.
      const yours = part(page, 2)
      await click(yours, l.create)
      await expect(yours.locator('tr[data-field="KeyState"] .value')).toHaveText('Enabled')
      await expect(yours.locator('tr[data-field="KeyManager"] .value')).toHaveText('CUSTOMER')
      await expect(yours.locator('tr[data-field="CurrentKeyMaterialId"] .value')).toHaveText(/^[0-9a-f]{64}$/)
      await click(yours, l.disable)
      await expect(yours.locator('tr[data-field="KeyState"] .value')).toHaveText('Disabled')
      await click(yours, l.encryptTest)
      await expect(yours.getByRole('alert')).toContainText('DisabledException')
      await click(yours, l.enable)
      await click(yours, l.encryptTest)
      await expect(yours.getByText('CiphertextBlob')).toBeVisible()

      // Rotation: 89 days is refused by the engine, 365 accepted.
      const rot = part(page, 3)
      const period = rot.getByLabel(/RotationPeriodInDays/)
      await period.fill('89')
      await click(rot, 'EnableKeyRotation')
      await expect(rot.getByRole('alert')).toContainText('ValidationException')
      await period.fill('365')
      await click(rot, 'EnableKeyRotation')
      await expect(rot.getByRole('status').first()).toContainText('EnableKeyRotation')

      // A note now, a year on the clock: a new AUTOMATIC version; the old note still decrypts with its own material.
      await click(rot, l.encryptNote)
      await expect(rot.locator('table.notes tbody tr')).toHaveCount(1)
      const firstMaterial = (await rot.locator('table.notes tbody tr td code').first().textContent())!
      await click(rot, l.advanceYear)
      await expect(rot.locator('ol.timeline li')).toHaveCount(2)
      await expect(rot.locator('ol.timeline li').nth(1)).toContainText('AUTOMATIC')
      await expect(rot.locator('ol.timeline li.current')).toHaveCount(1)
      await click(rot, l.encryptNote)
      await expect(rot.locator('table.notes tbody tr')).toHaveCount(2)
      const secondMaterial = (await rot.locator('table.notes tbody tr').nth(1).locator('td code').textContent())!
      expect(secondMaterial).not.toBe(firstMaterial)
      await click(rot, l.decryptAll)
      const rows = rot.locator('table.notes tbody tr')
      await expect(rows.nth(0).locator('.decrypted')).toContainText(firstMaterial)
      await expect(rows.nth(1).locator('.decrypted')).toContainText(secondMaterial)

      // On demand: one, then the rest until the engine refuses the 26th.
      await click(rot, 'RotateKeyOnDemand')
      await expect(rot.getByText(l.used(1))).toBeVisible()
      await click(rot, l.rest)
      await expect(rot.getByRole('alert')).toContainText('LimitExceededException')
      await expect(rot.getByText(l.used(25))).toBeVisible()
      await expect(rot.locator('ol.timeline li')).toHaveCount(27)

      // Deletion: a note under the key; 6 days refused; 7 scheduled; cancel leaves it Disabled.
      const del = part(page, 4)
      await click(del, l.victim)
      await expect(del.locator('table.notes tbody tr')).toHaveCount(1)
      const window = del.getByLabel(/PendingWindowInDays/)
      await window.fill('6')
      await click(del, 'ScheduleKeyDeletion')
      await expect(del.getByRole('alert')).toContainText('ValidationException')
      await window.fill('7')
      await click(del, 'ScheduleKeyDeletion')
      await expect(del.locator('[data-state="PendingDeletion"]')).toBeVisible()
      await expect(del.locator('.days-left')).toContainText(lang === 'en' ? '6 days 23 hours' : '6 日 23 時間')
      await click(del, l.decryptKept)
      await expect(del.getByRole('alert')).toContainText('KMSInvalidStateException')
      await click(del, 'CancelKeyDeletion')
      await expect(del.locator('[data-state="Disabled"]')).toBeVisible()
      await click(del, l.enable)
      await expect(del.locator('[data-state="Enabled"]')).toBeVisible()

      // Scheduled again and the clock past the date: the key is gone, and its note with it.
      await click(del, 'ScheduleKeyDeletion')
      await click(del, l.past)
      await expect(del.getByRole('alert')).toContainText('NotFoundException')
      await expect(del.locator('table.notes .lost')).toHaveText('InvalidCiphertextException')
      const gone = await page.evaluate(async () => {
        const kms = (globalThis as any).webkms
        try {
          await kms.describeKey({ KeyId: 'alias/demo-lifecycle-deletion' })
          return 'still there'
        } catch (e) {
          return (e as Error).name
        }
      })
      expect(gone).toBe('NotFoundException')

      await expectAccessible(page)
      if (size === 'phone') await expectTouchTargets(page)
      expect(await page.evaluate(() => document.documentElement.scrollWidth <= document.documentElement.clientWidth)).toBe(true)
    })
  }
}

test('lifecycle: coming back shows the engine state (the key found by its alias, rotation still on)', async ({ page, errors }) => {
  void errors
  await openDemo(page, 'en', 'lifecycle')
  await click(part(page, 2), L.en.create)
  await click(part(page, 3), 'EnableKeyRotation')
  // Leave only once the change is stored: leaving the page ends the worker, and IndexedDB
  // rightly drops a transaction the worker did not live to commit.
  await expect(part(page, 3).locator('.status').first()).toContainText('rotation: on')
  await page.goto('./?lang=ja#home')
  await openDemo(page, 'ja', 'lifecycle')
  await expect(part(page, 2).locator('tr[data-field="Description"] .value')).toHaveText('My first KMS key')
  await expect(part(page, 3).locator('.status').first()).toContainText('オン')
})
