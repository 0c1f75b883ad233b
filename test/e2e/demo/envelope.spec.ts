/**
 * #envelope, in both languages at desktop and phone sizes, as a learner uses it: the six steps
 * of GenerateDataKey (two key copies, the data encrypted, the plaintext key wiped to zeros, the
 * data back from the encrypted pieces), the 4,096-byte limit (1,366 kana refused, envelope
 * encryption taking them), ReEncrypt (data bytes unchanged, key B), and the encryption context
 * (a wrong value refused like a tampered byte). Then axe and touch targets.
 */
import { envelopeText } from '../../../apps/demo/src/text/envelope.js'
import { expect, expectAccessible, expectTouchTargets, LANGS, openDemo, SIZES, test, type Size } from './support.js'
import type { Page } from '@playwright/test'

const stepper = (page: Page) => page.locator('.stepper')
const figure = (page: Page, caption: string) => page.locator('figure.bytes').filter({ has: page.locator('figcaption strong', { hasText: caption }) })
const hexOf = async (page: Page, caption: string) => (await figure(page, caption).locator('code.hex').innerText()).trim()

for (const lang of LANGS) {
  const t = envelopeText[lang]
  const bytes = (n: number) => (lang === 'en' ? `${n.toLocaleString('en')} bytes` : `${n.toLocaleString('ja')} バイト`)
  for (const size of Object.keys(SIZES) as Size[]) {
    test(`envelope (${lang}, ${size}): six steps, the 4 KB limit, ReEncrypt, the encryption context`, async ({ page, errors }) => {
      void errors
      await page.setViewportSize(SIZES[size])
      await openDemo(page, lang, 'envelope')
      const next = page.getByRole('button', { name: t.next, exact: true })
      const status = stepper(page).locator('.step-status')
      await expect(status).toContainText(t.step0Title)

      // 1–2: GenerateDataKey returns a 32-byte plaintext key and its encrypted copy.
      await next.click()
      await expect(status).toContainText(t.stepOf(1, 6))
      await expect(stepper(page).locator('pre')).toContainText('"KeySpec": "AES_256"')
      await next.click()
      await expect(status).toContainText(t.step2Title)
      await expect(figure(page, t.bPlainKey).locator('.size')).toHaveText(bytes(32))
      const plainHex = await hexOf(page, t.bPlainKey)
      expect(plainHex).toMatch(/^([0-9a-f]{2} ){31}[0-9a-f]{2}$/)
      expect(plainHex).not.toMatch(/^(00 )+00$/)
      const blobHex = await hexOf(page, t.bEncKey)
      await expect(page.locator('.envelope-diagram .k-plainkey')).not.toHaveClass(/hidden/)

      // 3: the data becomes an AWS Encryption SDK message (format version 2) carrying an encrypted data key.
      await next.click()
      await expect(status).toContainText(t.step3Title)
      expect(await hexOf(page, t.bMessage)).toMatch(/^02 04 78 /)
      expect(await hexOf(page, t.bHeaderKey)).toMatch(/^02 /) // the KMS ciphertext blob, format 2

      // 4: the page's plaintext data key is zeroed and drawn as wiped.
      await next.click()
      await expect(status).toContainText(t.step4Title)
      await expect(page.locator('.step-body .wiped figure.bytes')).toBeVisible()
      expect(await hexOf(page, t.bPlainKey)).toMatch(/^(00 ){31}00$/)
      await expect(page.locator('.envelope-diagram .k-plainkey')).toHaveClass(/wiped/)

      // 5: what is stored is the encrypted data key (the same bytes as step 2) and the encrypted data.
      await next.click()
      expect(await hexOf(page, t.bStoredKey)).toBe(blobHex)

      // 6: Decrypt of the encrypted key gives the data key back; decryptMessage gives the data back.
      await next.click()
      await expect(status).toContainText(t.step6Title)
      expect(await hexOf(page, t.bDecryptedKey)).toBe(plainHex)
      await expect(page.locator('.step-body .outcome.ok')).toContainText(t.dataDefault)
      await expect(next).toBeDisabled()

      // The 4 KB limit: 1,366 kana are 4,098 bytes, refused by KMS Encrypt, taken by envelope encryption.
      await page.getByRole('button', { name: t.fillKana }).click()
      await expect(page.locator('.counter')).toContainText(t.counter(4098))
      await expect(page.locator('.counter')).toContainText(t.overLimit)
      await page.getByRole('button', { name: t.kmsEncrypt, exact: true }).click()
      const limitSection = page.locator('section[aria-labelledby="envelope-limit"]')
      await expect(limitSection.getByRole('alert')).toContainText('ValidationException')
      await expect(limitSection).toContainText(t.kmsRefused(4098))
      await page.getByRole('button', { name: t.envelopeEncrypt }).click()
      await expect(limitSection.locator('.outcome.ok')).toContainText(t.envelopeDone(4098, 0).split('(')[0]!.trim())
      // Within the limit, KMS Encrypt accepts it.
      await limitSection.getByRole('textbox').fill('abc')
      await expect(page.locator('.counter')).toContainText(t.counter(3))
      await page.getByRole('button', { name: t.kmsEncrypt, exact: true }).click()
      await expect(limitSection.locator('.outcome.ok')).toContainText(t.kmsAccepted(3))

      // ReEncrypt: the encrypted data key changes, the encrypted data does not, Decrypt names key B.
      const re = page.locator('section[aria-labelledby="envelope-reencrypt"]')
      await page.getByRole('button', { name: t.reButton }).click()
      await expect(re.locator('.outcome.ok')).toContainText(t.reSameKey)
      const [beforeKey, afterKey] = [await re.locator('.card').nth(0).locator('code.hex').first().innerText(), await re.locator('.card').nth(1).locator('code.hex').first().innerText()]
      expect(afterKey).not.toBe(beforeKey)
      const [beforeData, afterData] = [await re.locator('.card').nth(0).locator('code.hex').nth(1).innerText(), await re.locator('.card').nth(1).locator('code.hex').nth(1).innerText()]
      expect(afterData).toBe(beforeData)
      await expect(re).toContainText(t.reUnchanged)
      expect(await re.textContent()).not.toMatch(/Plaintext,|, Plaintext/)
      const keyB = await page.evaluate(async () => (await (globalThis as any).webkms.describeKey({ KeyId: 'alias/demo-envelope-b' })).KeyMetadata.Arn)
      await expect(re.locator('code.arn')).toHaveText(keyB)

      // The encryption context: right value decrypts; a wrong one and a tampered byte get the same error.
      const cx = page.locator('section[aria-labelledby="envelope-context"]')
      await page.getByRole('button', { name: t.ctxDecrypt }).click()
      await expect(cx.locator('.outcome.ok')).toContainText(t.ctxSecret)
      await page.getByRole('button', { name: t.ctxWrong }).click()
      await expect(cx.getByRole('alert')).toContainText('InvalidCiphertextException')
      await expect(cx.locator('pre').last()).toContainText('"record": "invoice-43"')
      await expect(cx.locator('pre').last()).toContainText('InvalidCiphertextException')
      await page.getByRole('button', { name: t.ctxTamper }).click()
      await expect(cx.locator('pre').last()).toContainText('"record": "invoice-42"')
      await expect(cx.getByRole('alert')).toContainText('InvalidCiphertextException')

      // Nothing wider than the screen.
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(SIZES[size].width)
      await expectAccessible(page)
      if (size === 'phone') await expectTouchTargets(page)
    })
  }
}

test('Back keeps a wiped key wiped; Restart makes a new data key; the keyboard drives the steps', async ({ page, errors }) => {
  void errors
  const t = envelopeText.en
  await openDemo(page, 'en', 'envelope')
  const next = page.getByRole('button', { name: t.next, exact: true })
  await next.focus()
  for (let i = 0; i < 4; i++) {
    await page.keyboard.press('Enter')
    await expect(stepper(page).locator('.step-status')).toContainText(t.stepOf(i + 1, 6))
  }
  await page.getByRole('button', { name: t.back }).click()
  await page.getByRole('button', { name: t.back }).click()
  await expect(stepper(page).locator('.step-status')).toContainText(t.step2Title)
  expect(await hexOf(page, t.bPlainKey)).toMatch(/^(00 ){31}00$/)
  await expect(page.locator('.envelope-diagram .k-plainkey')).toHaveClass(/wiped/)
  const oldBlob = await hexOf(page, t.bEncKey)
  await page.getByRole('button', { name: t.restart }).click()
  await expect(stepper(page).locator('.step-status')).toContainText(t.step0Title)
  await next.click()
  await next.click()
  expect(await hexOf(page, t.bPlainKey)).not.toMatch(/^(00 )+00$/)
  expect(await hexOf(page, t.bEncKey)).not.toBe(oldBlob)
  // A button pressed with the keyboard keeps the focus after its call (it is disabled meanwhile).
  const kmsEncrypt = page.getByRole('button', { name: t.kmsEncrypt, exact: true })
  await kmsEncrypt.focus()
  await page.keyboard.press('Enter')
  await expect(page.locator('section[aria-labelledby="envelope-limit"] .outcome.ok')).toBeVisible()
  await expect(kmsEncrypt).toBeFocused()
  // About 1 MB of text: far over the limit for KMS Encrypt, and envelope encryption takes it.
  await page.getByRole('button', { name: t.fill1mb }).click()
  const n = Math.floor((1 << 20) / t.filler.length) * t.filler.length
  await expect(page.locator('.counter')).toContainText(t.counter(n))
  await page.getByRole('button', { name: t.envelopeEncrypt }).click()
  await expect(page.locator('section[aria-labelledby="envelope-limit"] .outcome.ok')).toContainText(`took ${n.toLocaleString('en')} bytes`)
})

test('coming back and switching language reuse the two keys (found by alias, not made again)', async ({ page, errors }) => {
  void errors
  await openDemo(page, 'en', 'envelope')
  await page.getByRole('button', { name: /日本語/ }).click()
  await expect(page.locator('main h1')).toHaveText('エンベロープ暗号化')
  await page.getByRole('button', { name: 'English' }).click()
  await expect(page.locator('main h1')).toHaveText('Envelope encryption')
  const { keys, aliases } = await page.evaluate(async () => {
    const kms = (globalThis as any).webkms
    const aliases = (await kms.listAliases({})).Aliases.filter((a: { AliasName: string }) => a.AliasName.startsWith('alias/demo-envelope-'))
    return { keys: (await kms.listKeys({})).Keys.length, aliases: aliases.map((a: { AliasName: string }) => a.AliasName).sort() }
  })
  expect(aliases).toEqual(['alias/demo-envelope-a', 'alias/demo-envelope-b'])
  expect(keys).toBe(2)
})
