/**
 * #policies, as a learner uses it: alice denied, then allowed by a statement naming her; an
 * explicit Deny winning over an Allow (and MFA lifting it); the 004 example refused by the
 * lockout check and its corrected version deciding by source IP; IAM policies the root
 * statement delegates to, across accounts; grants created, used, retired and revoked. Each in
 * the language and size given, then axe and (phone) touch targets.
 */
import type { Page } from '@playwright/test'
import { policiesText } from '../../../apps/demo/src/text/policies.js'
import { expect, expectAccessible, expectTouchTargets, LANGS, openDemo, SIZES, test, type Lang, type Size } from './support.js'

const row = (page: Page, op: string) => page.locator(`table.decisions tr[data-operation="${op}"]`)
const expectDecision = (page: Page, op: string, decision: 'Allow' | 'ImplicitDeny' | 'ExplicitDeny') => expect(row(page, op)).toHaveAttribute('data-decision', decision)

async function open(page: Page, lang: Lang, size: Size = 'desktop') {
  await page.setViewportSize(SIZES[size])
  await openDemo(page, lang, 'policies')
  await expectDecision(page, 'Encrypt', 'Allow') // the root, under the default policy
  return policiesText[lang]
}
const callAs = (page: Page, t: (typeof policiesText)['en'], caller: 'root' | 'alice' | 'role' | 'eve') => page.getByLabel(t.caller, { exact: true }).selectOption(caller)
async function savePreset(page: Page, t: (typeof policiesText)['en'], preset: 'presetAlice' | 'presetDeny' | 'presetAccount' | 'preset004' | 'preset004Fixed' | 'presetDefault') {
  await page.getByRole('button', { name: t[preset], exact: true }).click()
  await page.getByRole('button', { name: t.save }).click()
}
const tryIt = (page: Page, op: string) => row(page, op).getByRole('button').click()

for (const lang of LANGS) {
  for (const size of Object.keys(SIZES) as Size[]) {
    test(`policies (${lang}, ${size}): alice is denied until a key policy statement names her`, async ({ page, errors }) => {
      void errors
      const t = await open(page, lang, size)
      await callAs(page, t, 'alice')
      await expectDecision(page, 'Encrypt', 'ImplicitDeny')
      await expect(row(page, 'Encrypt')).toContainText(t.byNothing)
      await tryIt(page, 'Encrypt')
      await expect(page.locator('.tried [role=alert]')).toContainText('AccessDeniedException')

      await savePreset(page, t, 'presetAlice')
      await expect(page.getByRole('status').filter({ hasText: t.saved })).toBeVisible()
      await expectDecision(page, 'Encrypt', 'Allow')
      await expect(row(page, 'Encrypt')).toContainText('Allow alice to use the key')
      await expectDecision(page, 'PutKeyPolicy', 'ImplicitDeny') // a user, not an administrator
      await tryIt(page, 'Encrypt')
      await expect(page.locator('.tried [role=status]')).toContainText(t.triedOk('Encrypt', t.callerAlice))

      await expectAccessible(page)
      if (size === 'phone') await expectTouchTargets(page)
      expect(await page.evaluate(() => document.documentElement.scrollWidth <= innerWidth)).toBe(true)
    })
  }
}

test('an explicit Deny wins over an Allow; with MFA the Deny no longer applies', async ({ page, errors }) => {
  void errors
  const t = await open(page, 'en')
  await savePreset(page, t, 'presetDeny')
  await expect(page.getByText(t.saved)).toBeVisible()
  await callAs(page, t, 'alice')
  await expectDecision(page, 'Encrypt', 'Allow')
  await expectDecision(page, 'Decrypt', 'ExplicitDeny')
  await expect(row(page, 'Decrypt')).toContainText('Deny Decrypt without MFA')
  await tryIt(page, 'Decrypt')
  await expect(page.locator('.tried [role=alert]')).toContainText('explicit deny')
  await page.getByLabel(t.mfa).check()
  await expectDecision(page, 'Decrypt', 'Allow')
  await tryIt(page, 'Decrypt')
  await expect(page.locator('.tried [role=status]')).toContainText(t.decrypted(t.sample))
})

test('the 004 example pasted as is is refused by the lockout check; corrected, the source IP decides (ja)', async ({ page, errors }) => {
  void errors
  const t = await open(page, 'ja')
  await savePreset(page, t, 'preset004')
  await expect(page.getByRole('alert')).toContainText('MalformedPolicyDocumentException')
  await expect(page.getByRole('alert')).toContainText('will not allow you to update the key policy in the future')
  await expect(page.getByText(t.lockout)).toBeVisible()
  // Nothing changed: the policy in force is still the default one.
  await page.getByRole('button', { name: t.reload }).click()
  await expect(page.getByLabel(t.editor)).toHaveValue(/Enable IAM User Permissions/)

  await savePreset(page, t, 'preset004Fixed')
  await expect(page.getByText(t.saved)).toBeVisible()
  await callAs(page, t, 'role')
  const ip = page.getByLabel(t.sourceIp)
  await ip.fill('198.51.100.7')
  await expectDecision(page, 'Encrypt', 'Allow')
  await ip.fill('192.0.2.10')
  await expectDecision(page, 'Encrypt', 'ImplicitDeny')
  await tryIt(page, 'Encrypt')
  await expect(page.locator('.tried [role=alert]')).toContainText('AccessDeniedException')
  await expectAccessible(page)
})

test('the root statement delegates to IAM: alice by an IAM policy; eve needs her account named too', async ({ page, errors }) => {
  void errors
  const t = await open(page, 'en')
  await callAs(page, t, 'alice')
  await expectDecision(page, 'Encrypt', 'ImplicitDeny')
  await page.getByRole('button', { name: t.attachAlice }).click()
  await expectDecision(page, 'Encrypt', 'Allow')
  await expect(row(page, 'Encrypt')).toContainText('UseDemoPoliciesKey')
  await page.getByRole('button', { name: t.detachAlice }).click()
  await expectDecision(page, 'Encrypt', 'ImplicitDeny')

  await callAs(page, t, 'eve')
  await page.getByRole('button', { name: t.attachEve }).click()
  await expect(page.getByText(t.attached('UseDemoPoliciesKey', '444455556666:user/eve'))).toBeVisible()
  await expectDecision(page, 'Encrypt', 'ImplicitDeny') // the key policy does not name her account
  await savePreset(page, t, 'presetAccount')
  await expectDecision(page, 'Encrypt', 'Allow')
  await tryIt(page, 'Encrypt')
  await expect(page.locator('.tried [role=status]')).toContainText(t.triedOk('Encrypt', t.callerEve))
})

test('grants: the five parts, a list not a string, create, use, retire, revoke (phone)', async ({ page, errors }) => {
  void errors
  const t = await open(page, 'en', 'phone')
  await callAs(page, t, 'alice')
  await expectDecision(page, 'Encrypt', 'ImplicitDeny')

  await page.getByRole('button', { name: t.createAsString }).click()
  await expect(page.getByRole('alert')).toContainText('ValidationException')
  await expect(page.getByRole('alert')).toContainText('must be a list')

  await page.getByRole('button', { name: t.createGrant, exact: true }).click()
  await expect(page.getByText(/CreateGrant: grant [0-9a-f]{12}/)).toBeVisible()
  await expect(page.locator('table.grants tbody tr')).toHaveCount(1)
  await expectDecision(page, 'Encrypt', 'Allow')
  await expect(row(page, 'Encrypt')).toContainText('grant ')
  await page.getByRole('button', { name: t.useGrant }).click()
  await expect(page.getByRole('status').filter({ hasText: 'Allowed: 111122223333:user/alice encrypted' })).toContainText('decided by grant')

  await page.getByRole('button', { name: /^Retire grant/ }).click()
  await expect(page.getByText(t.retired(t.byToken, '111122223333:role/app'))).toBeVisible()
  await expect(page.locator('table.grants tbody tr')).toHaveCount(0)
  await expectDecision(page, 'Encrypt', 'ImplicitDeny')
  await page.getByRole('button', { name: t.useGrant }).click()
  await expect(page.getByRole('alert')).toContainText('AccessDeniedException')

  await page.getByRole('button', { name: t.createGrant, exact: true }).click()
  await expectDecision(page, 'Encrypt', 'Allow')
  await page.getByRole('button', { name: /^Revoke grant/ }).click()
  await expect(page.getByText(t.revoked)).toBeVisible()
  await expectDecision(page, 'Encrypt', 'ImplicitDeny')
  await expectAccessible(page)
  await expectTouchTargets(page)
})
