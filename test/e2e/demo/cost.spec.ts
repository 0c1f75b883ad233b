/**
 * Cost and quotas, in English and Japanese at desktop and phone sizes: the cost table counts
 * what the engine recorded (requests rise after calls, keys and rotations are counted, a key
 * pending deletion drops out of key storage); the quiz checks answers; three quotas are hit
 * live (the 51st alias, a 32,769-byte key policy, 4,097 bytes to Encrypt).
 */
import type { Page } from '@playwright/test'
import { expect, expectAccessible, expectTouchTargets, LANGS, openDemo, SIZES, test, type Lang, type Size } from './support.js'

const L = {
  en: { recount: 'Count again', hundred: 'Make 100 Encrypt requests', check: 'Check the answer', correct: 'Correct.', notQuite: 'Not quite: the answer is 50.', aliases: 'Give alias/demo-cost aliases until refused', policy: 'PutKeyPolicy with 32,768 and 32,769 bytes', encrypt: 'Encrypt 4,096 and 4,097 bytes' },
  ja: { recount: 'もう一度数える', hundred: 'Encrypt を 100 回呼ぶ', check: '答えを確かめる', correct: '正解です。', notQuite: '残念、正解は 50 です。', aliases: '拒否されるまで alias/demo-cost にエイリアスを付ける', policy: '32,768 バイトと 32,769 バイトで PutKeyPolicy', encrypt: '4,096 バイトと 4,097 バイトを Encrypt' },
} as const

/** The number in a cost table cell (grouping separators removed). */
const count = async (page: Page, line: string) => Number((await page.locator(`[data-count="${line}"]`).textContent())!.replace(/[^\d]/g, ''))
const encrypts = async (page: Page) => Number(((await page.locator('tr[data-operation="Encrypt"] td').first().textContent()) ?? '0').replace(/[^\d]/g, ''))

for (const lang of LANGS) {
  for (const size of Object.keys(SIZES) as Size[]) {
    test(`cost (${lang}, ${size}): counted from the engine, quiz checked, quotas hit live`, async ({ page, errors }) => {
      void errors
      const l = L[lang as Lang]
      await page.setViewportSize(SIZES[size])
      await openDemo(page, lang, 'cost')
      const main = page.locator('main')

      // The section's own key is counted; 100 Encrypt calls show up in the request count and the Encrypt row.
      expect(await count(page, 'keys')).toBe(1)
      const before = await count(page, 'requests')
      await main.getByRole('button', { name: l.hundred }).click()
      await expect(main.getByRole('status').first()).toBeVisible()
      await expect.poll(() => encrypts(page)).toBe(100)
      expect(await count(page, 'requests')).toBeGreaterThanOrEqual(before + 100)

      // Calls made elsewhere (a key, a rotation, a key scheduled for deletion) are counted after a recount.
      await page.evaluate(async () => {
        const kms = (globalThis as any).webkms
        const a = (await kms.createKey({})).KeyMetadata.KeyId
        await kms.rotateKeyOnDemand({ KeyId: a })
        const b = (await kms.createKey({})).KeyMetadata.KeyId
        await kms.scheduleKeyDeletion({ KeyId: b, PendingWindowInDays: 7 })
      })
      await main.getByRole('button', { name: l.recount }).click()
      await expect.poll(() => count(page, 'keys')).toBe(2) // the third is pending deletion: not billed
      expect(await count(page, 'rotations')).toBe(1)
      await expect(main.locator('[data-state="PendingDeletion"]')).toContainText(/PendingDeletion:\s*1\b/)
      await expect(main.locator('tr[data-operation="RotateKeyOnDemand"]')).toBeVisible()
      await expect(main.locator('[data-total]')).toContainText('3.00') // two keys and one rotation

      // The quiz: a wrong answer is corrected, the right one confirmed.
      const aliases = main.locator('[data-question="aliases"]')
      await aliases.getByRole('radio', { name: '10', exact: true }).check()
      await aliases.getByRole('button', { name: l.check }).click()
      await expect(aliases.getByText(l.notQuite)).toBeVisible()
      await aliases.getByRole('radio', { name: '50', exact: true }).check()
      await aliases.getByRole('button', { name: l.check }).click()
      await expect(aliases.getByText(l.correct)).toBeVisible()

      // Live: the 51st alias, a policy one byte too big, a plaintext one byte too big.
      await aliases.getByRole('button', { name: l.aliases }).click()
      await expect(aliases.getByRole('alert')).toContainText('LimitExceededException', { timeout: 15_000 })
      const aliasCount = await page.evaluate(async () => {
        const kms = (globalThis as any).webkms
        const { KeyMetadata } = await kms.describeKey({ KeyId: 'alias/demo-cost' })
        return (await kms.listAliases({ KeyId: KeyMetadata.KeyId, Limit: 100 })).Aliases.length
      })
      expect(aliasCount).toBe(50)
      const policy = main.locator('[data-question="policy"]')
      await policy.getByRole('button', { name: l.policy }).click()
      await expect(policy.getByRole('status')).toContainText('32,768')
      await expect(policy.getByRole('alert')).toContainText('ValidationException')
      const encrypt = main.locator('[data-question="encrypt"]')
      await encrypt.getByRole('button', { name: l.encrypt }).click()
      await expect(encrypt.getByRole('status')).toContainText('4,096')
      await expect(encrypt.getByRole('alert')).toContainText('ValidationException')

      await expectAccessible(page)
      if (size === 'phone') await expectTouchTargets(page)
      expect(await page.evaluate(() => document.documentElement.scrollWidth <= document.documentElement.clientWidth)).toBe(true)
    })
  }
}
