/**
 * "Try to steal the key", in English and Japanese at desktop and phone sizes: the KMS answers
 * with metadata only; the page opens the demo's IndexedDB itself and finds CryptoKeys (a
 * symmetric key's secret, an ECC private key; the audit trail's signing key only once it has
 * signed a checkpoint, which these few calls do not reach), every one extractable: false; every export attempt, in every format, is refused by the browser with
 * InvalidAccessError; the storage facts and the recovery refusal are shown.
 */
import { expect, expectAccessible, expectTouchTargets, LANGS, openDemo, SIZES, test, type Lang, type Size } from './support.js'

const L = {
  en: { describe: 'Call DescribeKey and GetPublicKey', open: 'Open the demo database and list every CryptoKey', every: 'Try every format on every key', bundle: 'Ask this demo for a recovery bundle' },
  ja: { describe: 'DescribeKey と GetPublicKey を呼ぶ', open: 'デモのデータベースを開き、CryptoKey をすべて列挙', every: 'すべてのキーをすべての形式で試す', bundle: 'このデモに復旧バンドルを求める' },
} as const

for (const lang of LANGS) {
  for (const size of Object.keys(SIZES) as Size[]) {
    test(`hsm (${lang}, ${size}): CryptoKeys found, none extractable, every export refused`, async ({ page, errors }) => {
      void errors
      const l = L[lang as Lang]
      await page.setViewportSize(SIZES[size])
      await openDemo(page, lang, 'hsm')
      const main = page.locator('main')

      // The API answers with metadata: no field of DescribeKey holds key bytes.
      await main.getByRole('button', { name: l.describe }).click()
      await expect(main.locator('pre.response').first()).toContainText('"KeyManager": "CUSTOMER"')
      await expect(main.locator('pre.response').first()).not.toContainText('Plaintext')

      // IndexedDB from the page: the section's two keys, both non-extractable.
      await main.getByRole('button', { name: l.open }).click()
      const rows = main.locator('table.cryptokeys tbody tr')
      await expect(rows).toHaveCount(2)
      await expect(main.locator('table.cryptokeys [data-extractable="false"]')).toHaveCount(2)
      await expect(main.locator('table.cryptokeys [data-extractable="true"]')).toHaveCount(0)
      await expect(rows.filter({ hasText: 'HMAC' })).toHaveCount(1)
      await expect(rows.filter({ hasText: 'secret' })).toHaveCount(1)
      await expect(rows.filter({ hasText: 'private' })).toHaveCount(1)

      // One attempt on the selected key, then every format on every key: all InvalidAccessError.
      for (const format of ['raw', 'jwk', 'pkcs8']) {
        await main.getByRole('button', { name: `exportKey('${format}')` }).click()
        await expect(main.locator('.refused .error-name')).toHaveText('InvalidAccessError')
      }
      await main.getByRole('button', { name: l.every }).click()
      await expect(main.locator('table.attempts .error-name')).toHaveCount(6)
      for (const name of await main.locator('table.attempts .error-name').allTextContents()) expect(name).toBe('InvalidAccessError')

      // Storage facts; this demo has no recovery key, and says so with the engine's answer.
      await expect(main.locator('[data-persistence]')).toHaveText(/^(persisted|best-effort|unknown)$/)
      await main.getByRole('button', { name: l.bundle }).click()
      await expect(main.getByRole('alert')).toContainText('UnsupportedOperationException')

      await expectAccessible(page)
      if (size === 'phone') await expectTouchTargets(page)
      expect(await page.evaluate(() => document.documentElement.scrollWidth <= document.documentElement.clientWidth)).toBe(true)
    })
  }
}

test('hsm: the page leaves the demo database closed, so start over still deletes it', async ({ page, errors }) => {
  void errors
  await openDemo(page, 'en', 'hsm')
  await page.getByRole('button', { name: L.en.open }).click()
  await expect(page.locator('table.cryptokeys tbody tr')).toHaveCount(2)
  page.once('dialog', (d) => d.accept())
  await page.getByRole('button', { name: 'Start over' }).click()
  // (From a section the frame's "store was deleted" notice is replaced by the hash change's render: check the store itself.)
  await expect(page.locator('main h1')).toHaveText('webkms: AWS KMS you can touch')
  await expect.poll(() => page.evaluate(async () => (await (globalThis as any).webkms.listKeys()).Keys.length)).toBe(0)
})
