/**
 * #byok, as a learner uses it: the four import steps end to end (a key without material that
 * refuses to encrypt, the wrapping public key and import token, the material wrapped on the
 * customer side, the import that enables the key); deleting the material and importing the
 * same material again brings old ciphertext back, different material is refused; a signature
 * and a MAC verify, and fail when one character changes.
 */
import type { Page } from '@playwright/test'
import { byokText } from '../../../apps/demo/src/text/byok.js'
import { common } from '../../../apps/demo/src/text/common.js'
import { expect, expectAccessible, expectTouchTargets, LANGS, openDemo, SIZES, test, type Lang, type Size } from './support.js'

type Text = (typeof byokText)['en']
async function open(page: Page, lang: Lang, size: Size = 'desktop') {
  await page.setViewportSize(SIZES[size])
  await openDemo(page, lang, 'byok')
  await expect(page.getByText(byokText[lang].noKeyYet)).toBeVisible()
  return byokText[lang]
}
const state = (page: Page) => page.locator('.key-state code.arn')
const step = (page: Page, n: number) => page.locator('ol.steps > li').nth(n - 1)

/** Steps 1 to 4, checking what each one shows. */
async function importSteps(page: Page, t: Text, lang: Lang, create: 'createKey' | 'createAgain' = 'createKey') {
  const bytes = common[lang].bytes
  await page.getByRole('button', { name: t[create] }).click()
  await expect(state(page)).toHaveAttribute('data-state', 'PendingImport')
  await page.getByRole('button', { name: t.tryEncrypt }).click()
  await expect(step(page, 1).getByRole('alert')).toContainText('KMSInvalidStateException')

  await page.getByRole('button', { name: t.getParams }).click()
  await expect(step(page, 2).getByRole('status')).toContainText(`${t.publicKey} ${bytes(294)}`) // an RSA_2048 SPKI
  await expect(step(page, 2).getByRole('status')).toContainText('ParametersValidTo')

  await page.getByRole('button', { name: t.generate }).click()
  await expect(step(page, 3).locator('figure.bytes')).toContainText(`${t.material} ${bytes(32)}`)
  await page.getByRole('button', { name: t.wrap }).click()
  await expect(step(page, 3).locator('figure.bytes').nth(1)).toContainText(`${t.wrapped} ${bytes(256)}`)

  await page.getByRole('button', { name: t.importButton }).click()
  await expect(step(page, 4).getByRole('status')).toContainText(t.imported('Enabled'))
  await expect(state(page)).toHaveAttribute('data-state', 'Enabled')
}
const useArea = (page: Page) => page.locator('ol.steps ~ .actions + div')

for (const lang of LANGS) {
  for (const size of Object.keys(SIZES) as Size[]) {
    test(`byok (${lang}, ${size}): the four steps end to end, then the key encrypts and decrypts`, async ({ page, errors }) => {
      void errors
      const t = await open(page, lang, size)
      await importSteps(page, t, lang)
      await page.getByRole('button', { name: t.encrypt, exact: true }).click()
      await expect(useArea(page).getByRole('status')).toContainText(t.ciphertext)
      await page.getByRole('button', { name: t.decrypt, exact: true }).click()
      await expect(useArea(page).getByRole('status')).toContainText(t.decrypted(t.messageDefault))
      await expectAccessible(page)
      if (size === 'phone') await expectTouchTargets(page)
      expect(await page.evaluate(() => document.documentElement.scrollWidth <= innerWidth)).toBe(true)
    })
  }
}

test('deleting the material loses the ciphertext until the same material is imported again; other material is refused', async ({ page, errors }) => {
  void errors
  const t = await open(page, 'en')
  // RSA_AES_KEY_WRAP needs AES key wrap with padding, which the page's WebCrypto lacks: it says so.
  await page.getByRole('button', { name: t.createKey }).click()
  await page.getByLabel(t.wrappingAlgorithm).selectOption('RSA_AES_KEY_WRAP_SHA_256')
  await page.getByRole('button', { name: t.getParams }).click()
  await expect(step(page, 2).getByRole('status')).toBeVisible()
  await page.getByRole('button', { name: t.generate }).click()
  await page.getByRole('button', { name: t.wrap }).click()
  await expect(step(page, 3).getByRole('alert')).toHaveText(t.aesKeyWrap)
  await page.getByLabel(t.wrappingAlgorithm).selectOption('RSAES_OAEP_SHA_256')

  // Starting again: a new key, the abandoned one scheduled for deletion.
  const first = await state(page).textContent()
  await importSteps(page, t, 'en', 'createAgain')
  expect(await state(page).textContent()).not.toBe(first)
  const previousState = await page.evaluate(async (arn) => (await (globalThis as any).webkms.describeKey({ KeyId: arn })).KeyMetadata.KeyState, first)
  expect(previousState).toBe('PendingDeletion')
  await page.getByRole('button', { name: t.encrypt, exact: true }).click()
  await expect(useArea(page).getByRole('status')).toContainText(t.ciphertext)

  await page.getByRole('button', { name: t.deleteMaterial }).click()
  await expect(useArea(page).getByRole('status')).toHaveText(new RegExp(t.deleted('PendingImport').slice(0, 40)))
  await expect(state(page)).toHaveAttribute('data-state', 'PendingImport')
  await page.getByRole('button', { name: t.decrypt, exact: true }).click()
  await expect(useArea(page).getByRole('alert')).toContainText('KMSInvalidStateException')

  await page.getByRole('button', { name: t.reimport }).click()
  await expect(useArea(page)).toContainText(t.reimported('Enabled'))
  await expect(useArea(page)).toContainText(t.decrypted(t.messageDefault))

  await page.getByRole('button', { name: t.importOther }).click()
  await expect(useArea(page).getByRole('alert')).toContainText('IncorrectKeyMaterialException')
  await expect(useArea(page)).toContainText(t.otherRefused)
  await page.getByRole('button', { name: t.decrypt, exact: true }).click()
  await expect(useArea(page).getByRole('status')).toContainText(t.decrypted(t.messageDefault))
})

test('a signature and a MAC verify, and are refused when one character changes (ja, phone)', async ({ page, errors }) => {
  void errors
  const t = await open(page, 'ja', 'phone')
  const bytes = common.ja.bytes
  const signing = page.locator('section.signing')
  await signing.getByRole('button', { name: t.verify }).click()
  await expect(signing.getByRole('alert')).toHaveText(t.needSignature)
  await signing.getByRole('button', { name: t.sign }).click()
  await expect(signing.getByRole('status')).toContainText(t.signed('ECDSA_SHA_256'))
  await signing.getByRole('button', { name: t.verify }).click()
  await expect(signing.getByRole('status')).toHaveText(t.verified)
  await signing.getByRole('button', { name: t.tamperVerify }).click()
  await expect(signing).toContainText(t.changed('200 円を支払うことに同意します。'))
  await expect(signing.getByRole('alert')).toContainText('KMSInvalidSignatureException')
  await signing.getByRole('button', { name: t.getPublicKey }).click()
  await expect(signing.getByRole('status')).toContainText(`${t.publicKeyOut} ${bytes(91)}`) // a P-256 SPKI

  const macs = page.locator('section.mac')
  await macs.getByRole('button', { name: t.generateMac }).click()
  await expect(macs.getByRole('status')).toContainText(`${t.mac} ${bytes(32)}`)
  await macs.getByRole('button', { name: t.verifyMac }).click()
  await expect(macs.getByRole('status')).toHaveText(t.macValid)
  await macs.getByRole('button', { name: t.tamperVerify }).click()
  await expect(macs).toContainText(t.changed('order=52&amount=100'))
  await expect(macs.getByRole('alert')).toContainText('KMSInvalidMacException')
  await expectAccessible(page)
  await expectTouchTargets(page)
})
