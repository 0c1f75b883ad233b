/**
 * #files, in both languages at desktop and phone sizes, as a learner uses it: a generated 3 MB
 * file is encrypted with a progress bar that reaches 100%, downloaded as an AWS Encryption SDK
 * message (first byte: format version 2), decrypted back and downloaded again, equal to the
 * original; a tampered copy and a file that is no message are refused with an error. Then axe
 * and touch targets.
 */
import { readFile } from 'node:fs/promises'
import type { Download, Locator, Page } from '@playwright/test'
import { filesText } from '../../../apps/demo/src/text/files.js'
import { buildClient, RawAesKeyring } from '../../../packages/core/src/index.js'
import { expect, expectAccessible, expectTouchTargets, LANGS, openDemo, SIZES, test, type Size } from './support.js'

/** A file's bytes: not all one value, so a shifted or mixed-up frame would show. */
function generated(size: number): Buffer {
  const b = Buffer.alloc(size)
  for (let i = 0; i < size; i++) b[i] = (i * 31 + (i >> 11)) & 0xff
  return b
}

async function download(page: Page, link: Locator): Promise<{ name: string; bytes: Buffer }> {
  const [d] = (await Promise.all([page.waitForEvent('download'), link.click()])) as [Download, unknown]
  return { name: d.suggestedFilename(), bytes: await readFile((await d.path())!) }
}

const MB3 = 3 * 1024 * 1024

for (const lang of LANGS) {
  const t = filesText[lang]
  for (const size of Object.keys(SIZES) as Size[]) {
    test(`files (${lang}, ${size}): encrypt, download, decrypt back, refuse a tampered file`, async ({ page, errors }) => {
      void errors
      test.setTimeout(90_000)
      await page.setViewportSize(SIZES[size])
      await openDemo(page, lang, 'files')
      const original = generated(MB3)
      const encrypt = page.getByRole('button', { name: t.encrypt, exact: true })
      await expect(encrypt).toBeDisabled()
      await page.getByLabel(t.fileLabel).setInputFiles({ name: 'report.bin', mimeType: 'application/octet-stream', buffer: original })
      await expect(page.locator('.file-picker').first()).toContainText('report.bin')
      await encrypt.click()

      // The progress bar ends full, and the message is offered for download.
      const bar = page.getByLabel(t.progressEncrypt)
      const link = page.getByRole('link', { name: t.download('report.bin.encrypted'), exact: true })
      await expect(link).toBeVisible({ timeout: 30_000 })
      expect(await bar.evaluate((p: HTMLProgressElement) => [p.value, p.max])).toEqual([MB3, MB3])
      await expect(page.locator('.progress-text').first()).toContainText('(100%)')
      await expect(page.locator('table.message-header').first()).toContainText('0x0578')
      await expect(page.locator('table.message-header').first()).toContainText('report.bin')

      const message = await download(page, link)
      expect(message.name).toBe('report.bin.encrypted')
      expect(message.bytes[0]).toBe(0x02) // message format version 2
      expect(message.bytes.readUInt16BE(1)).toBe(0x0578) // the committing, signed suite
      expect(message.bytes.length).toBeGreaterThan(MB3)
      expect(message.bytes.includes(original.subarray(1000, 1064))).toBe(false)

      // Decrypt the message just made: progress to 100%, the original back, byte for byte.
      await page.getByRole('button', { name: t.decryptThis }).click()
      const back = page.getByRole('link', { name: t.download('report.bin'), exact: true })
      await expect(back).toBeVisible({ timeout: 30_000 })
      await expect(page.locator('.files .match')).toHaveText(t.matchBytes)
      expect(await page.getByLabel(t.progressDecrypt).evaluate((p: HTMLProgressElement) => [p.value, p.max])).toEqual([message.bytes.length, message.bytes.length])
      const plain = await download(page, back)
      expect(plain.name).toBe('report.bin')
      expect(plain.bytes.equals(original)).toBe(true)

      // The downloaded message, chosen again, decrypts too (recognised as the one made here).
      await page.getByLabel(t.decryptFileLabel).setInputFiles({ name: 'report.bin.encrypted', mimeType: 'application/octet-stream', buffer: message.bytes })
      await page.getByRole('button', { name: t.decryptFile }).click()
      await expect(page.locator('.files .match')).toHaveText(t.matchBytes, { timeout: 30_000 })

      // One changed byte in the body: refused, and no download of a partial plaintext.
      const tampered = Buffer.from(message.bytes)
      tampered[tampered.length >> 1]! ^= 0x01
      await page.getByLabel(t.decryptFileLabel).setInputFiles({ name: 'tampered.encrypted', mimeType: 'application/octet-stream', buffer: tampered })
      await page.getByRole('button', { name: t.decryptFile }).click()
      const alert = page.locator('.decrypt-out [role="alert"]')
      await expect(alert.locator('strong')).toHaveText('DecryptionError', { timeout: 30_000 })
      await expect(alert).toContainText('ERR_ENVELOPE_DECRYPTION_FAILED')
      await expect(alert.locator('.causes')).toHaveCount(0) // a failed check of the message tells nothing more
      await expect(page.getByText(t.refused)).toBeVisible()
      await expect(page.locator('.decrypt-out a')).toHaveCount(0)

      // A message made elsewhere, by a raw AES keyring: the error says why, down its causes.
      const keyring = new RawAesKeyring({ keyNamespace: 'my-app', keyName: 'laptop-key', wrappingKey: crypto.getRandomValues(new Uint8Array(32)) })
      const { result: foreign } = await buildClient().encrypt(keyring, Buffer.from('not for this KMS'))
      await page.getByLabel(t.decryptFileLabel).setInputFiles({ name: 'foreign.encrypted', mimeType: 'application/octet-stream', buffer: Buffer.from(foreign) })
      await page.getByRole('button', { name: t.decryptFile }).click()
      await expect(alert.locator('.causes li').last()).toContainText('the message has no data key this keyring may use', { timeout: 30_000 })
      await expect(alert.locator('.causes li').last()).toContainText('its data keys: my-app')

      // A file that is not a message at all: refused with the envelope's error class.
      await page.getByLabel(t.decryptFileLabel).setInputFiles({ name: 'notes.txt', mimeType: 'text/plain', buffer: Buffer.from('just some notes, not a message') })
      await page.getByRole('button', { name: t.decryptFile }).click()
      await expect(alert.locator('strong')).toHaveText('DecryptionError')
      await expect(page.locator('.decrypt-out a')).toHaveCount(0)

      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(SIZES[size].width)
      await expectAccessible(page)
      if (size === 'phone') await expectTouchTargets(page)
    })
  }
}

test('a file dropped on the drop zone is chosen; the keyboard reaches the file input and the buttons', async ({ page, errors }) => {
  void errors
  const t = filesText.en
  await openDemo(page, 'en', 'files')
  // A drop carries a DataTransfer with the file: built in the page, as a browser builds it.
  await page.locator('.dropzone').evaluate((zone) => {
    const data = new DataTransfer()
    data.items.add(new File([new Uint8Array(5000).fill(65)], 'dropped.txt', { type: 'text/plain' }))
    zone.dispatchEvent(new DragEvent('dragover', { dataTransfer: data, bubbles: true, cancelable: true }))
    zone.dispatchEvent(new DragEvent('drop', { dataTransfer: data, bubbles: true, cancelable: true }))
  })
  await expect(page.locator('.file-picker').first()).toContainText('dropped.txt')
  const encrypt = page.getByRole('button', { name: t.encrypt, exact: true })
  await expect(encrypt).toBeEnabled()
  await page.getByLabel(t.fileLabel).focus()
  await expect(page.getByLabel(t.fileLabel)).toBeFocused()
  await encrypt.focus()
  await page.keyboard.press('Enter')
  await expect(page.getByRole('link', { name: t.download('dropped.txt.encrypted'), exact: true })).toBeVisible()
  await expect(encrypt).toBeFocused()
})
