/**
 * The browser HSM end to end, in Debian Chromium against the built demo: keys made in the
 * worker persist across reloads and browser restarts, are non-extractable wherever they are
 * found in IndexedDB, two pages racing lose no update, and errors arrive typed.
 */
import { chromium, expect, test, type Page } from '@playwright/test'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { chromiumLaunch } from '../../playwright.config.js'

declare global {
  // What the demo page exposes (apps/demo/src/main.ts).
  var webkms: import('@webkms/worker').WorkerKms
  var webkmsReady: Promise<unknown>
  var webkmsErrors: typeof import('@webkms/core/errors')
}

async function open(page: Page): Promise<void> {
  await page.goto('/')
  await page.evaluate(() => globalThis.webkmsReady)
}

test('a key survives a reload and a browser restart with the same profile; encrypt, reload, decrypt gives the same bytes', async ({ baseURL }) => {
  const profile = mkdtempSync(join(tmpdir(), 'webkms-profile-'))
  try {
    let context = await chromium.launchPersistentContext(profile, { ...chromiumLaunch, headless: true, baseURL })
    let page = context.pages()[0] ?? (await context.newPage())
    await open(page)
    const { keyId, blob } = await page.evaluate(async () => {
      const { KeyMetadata } = await webkms.createKey({ Description: 'survivor' })
      const { CiphertextBlob } = await webkms.encrypt({ KeyId: KeyMetadata.KeyId, Plaintext: new TextEncoder().encode('same bytes') })
      return { keyId: KeyMetadata.KeyId, blob: Array.from(CiphertextBlob) }
    })
    await page.reload()
    await page.evaluate(() => globalThis.webkmsReady)
    const afterReload = await page.evaluate(
      async ({ keyId, blob }) => ({
        description: (await webkms.describeKey({ KeyId: keyId })).KeyMetadata.Description,
        text: new TextDecoder().decode((await webkms.decrypt({ CiphertextBlob: new Uint8Array(blob) })).Plaintext),
      }),
      { keyId, blob },
    )
    expect(afterReload).toEqual({ description: 'survivor', text: 'same bytes' })
    await context.close()

    context = await chromium.launchPersistentContext(profile, { ...chromiumLaunch, headless: true, baseURL })
    page = context.pages()[0] ?? (await context.newPage())
    await open(page)
    const afterRestart = await page.evaluate(
      async ({ keyId, blob }) => new TextDecoder().decode((await webkms.decrypt({ CiphertextBlob: new Uint8Array(blob), KeyId: keyId })).Plaintext),
      { keyId, blob },
    )
    expect(afterRestart).toBe('same bytes')
    await context.close()
  } finally {
    rmSync(profile, { recursive: true, force: true })
  }
})

test('every CryptoKey found by walking all IndexedDB databases from the page is non-extractable and exportKey fails', async ({ page }) => {
  await open(page)
  await page.evaluate(async () => {
    const { KeyMetadata } = await webkms.createKey()
    await webkms.rotateKeyOnDemand({ KeyId: KeyMetadata.KeyId })
  })
  const report = await page.evaluate(async () => {
    const found: CryptoKey[] = []
    const walk = (v: unknown, depth = 0): void => {
      if (v instanceof CryptoKey) found.push(v)
      else if (v && typeof v === 'object' && depth < 8) for (const x of Object.values(v)) walk(x, depth + 1)
    }
    for (const { name } of await indexedDB.databases()) {
      const db = await new Promise<IDBDatabase>((resolve, reject) => {
        const r = indexedDB.open(name!)
        r.onsuccess = () => resolve(r.result)
        r.onerror = () => reject(r.error)
      })
      for (const store of db.objectStoreNames) {
        walk(await new Promise((resolve, reject) => {
          const r = db.transaction(store).objectStore(store).getAll()
          r.onsuccess = () => resolve(r.result)
          r.onerror = () => reject(r.error)
        }))
      }
      db.close()
    }
    const exports = await Promise.all(found.map((k) => crypto.subtle.exportKey('raw', k).then(() => 'exported', (e: Error) => e.name)))
    return { count: found.length, extractable: found.filter((k) => k.extractable).length, exports: [...new Set(exports)] }
  })
  expect(report.count).toBeGreaterThanOrEqual(2)
  expect(report.extractable).toBe(0)
  expect(report.exports).toEqual(['InvalidAccessError'])
})

test('two pages racing to create keys, rotate the same key and change aliases lose no update', async ({ context }) => {
  const [a, b] = [await context.newPage(), await context.newPage()]
  await Promise.all([open(a), open(b)])
  const { keyId, before } = await a.evaluate(async () => {
    const { KeyMetadata } = await webkms.createKey({ Description: 'shared' })
    return { keyId: KeyMetadata.KeyId, before: (await webkms.listKeys({ Limit: 1000 })).Keys.length }
  })
  const race = (page: Page, tag: string) =>
    page.evaluate(
      async ({ keyId, tag }) => {
        await Promise.all([
          ...Array.from({ length: 10 }, (_, i) => webkms.createKey({ Description: `${tag}-${i}` })),
          ...Array.from({ length: 5 }, () => webkms.rotateKeyOnDemand({ KeyId: keyId })),
          ...Array.from({ length: 5 }, (_, i) => webkms.createAlias({ AliasName: `alias/${tag}-${i}`, TargetKeyId: keyId })),
        ])
      },
      { keyId, tag },
    )
  await Promise.all([race(a, 'a'), race(b, 'b')])
  const after = await b.evaluate(async (keyId) => ({
    keys: (await webkms.listKeys({ Limit: 1000 })).Keys.length,
    rotations: (await webkms.listKeyRotations({ KeyId: keyId, Limit: 1000 })).Rotations.length,
    aliases: (await webkms.listAliases({ KeyId: keyId, Limit: 100 })).Aliases.map((x) => x.AliasName).sort(),
  }), keyId)
  expect(after.keys).toBe(before + 20)
  expect(after.rotations).toBe(10)
  expect(after.aliases).toEqual([...Array.from({ length: 5 }, (_, i) => `alias/a-${i}`), ...Array.from({ length: 5 }, (_, i) => `alias/b-${i}`)].sort())
})

test('a NotFoundException thrown in the worker arrives on the page as a NotFoundException with its code', async ({ page }) => {
  await open(page)
  const error = await page.evaluate(async () => {
    try {
      await webkms.describeKey({ KeyId: 'alias/does-not-exist' })
      return undefined
    } catch (e) {
      return { name: (e as Error).name, code: (e as { code?: string }).code, isClass: e instanceof webkmsErrors.NotFoundException }
    }
  })
  expect(error).toEqual({ name: 'NotFoundException', code: 'ERR_KMS_NOT_FOUND', isClass: true })
})
