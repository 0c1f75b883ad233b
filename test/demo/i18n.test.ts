/**
 * Every string of the teaching demo exists in English and in Japanese: each `text/*.ts`
 * module's dictionaries have the same keys, of the same kind (text or a function of values),
 * none empty, and Japanese prose written in Japanese (kana or kanji), so a string forgotten in
 * one language, or left in English, fails here.
 */
import { readdirSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'

const dir = join(import.meta.dirname, '../../apps/demo/src/text')
const files = readdirSync(dir).filter((f) => f.endsWith('.ts'))

/** Keys whose Japanese may be written without Japanese characters (names, codes, language names). */
const LATIN_ALLOWED = /^(english|japanese|appTitle.*|.*(Code|Arn|Json|Example|Name|Id|Sid|Action|Unit))$/
const JAPANESE = /[\u3040-\u30ff\u3400-\u9fff]/

type Dict = Record<string, unknown>
const isBilingual = (v: unknown): v is { en: Dict; ja: Dict } => !!v && typeof v === 'object' && 'en' in v && 'ja' in v

describe('the demo speaks English and Japanese everywhere', () => {
  it('has text modules', () => {
    expect(files.length).toBeGreaterThan(0)
  })
  for (const file of files) {
    it(`${file}: same keys and kinds in both languages, nothing empty, Japanese in Japanese`, async () => {
      const mod = (await import(join(dir, file))) as Record<string, unknown>
      const dictionaries = Object.entries(mod).filter(([, v]) => isBilingual(v))
      expect(dictionaries.length, `${file} exports no bilingual({...}, {...}) dictionary`).toBeGreaterThan(0)
      for (const [name, { en, ja }] of dictionaries as [string, { en: Dict; ja: Dict }][]) {
        expect(Object.keys(ja).sort(), `${file} ${name}: keys`).toEqual(Object.keys(en).sort())
        for (const key of Object.keys(en)) {
          const where = `${file} ${name}.${key}`
          expect(typeof ja[key], `${where}: kind`).toBe(typeof en[key])
          if (typeof en[key] === 'string') {
            expect((en[key] as string).trim(), `${where}: English empty`).not.toBe('')
            expect((ja[key] as string).trim(), `${where}: Japanese empty`).not.toBe('')
            if (!LATIN_ALLOWED.test(key) && JAPANESE.test(ja[key] as string) === false && /[a-z]{4,}\s+[a-z]{3,}/i.test(en[key] as string)) {
              throw new Error(`${where}: the Japanese text has no Japanese in it: ${JSON.stringify(ja[key])}`)
            }
          } else if (typeof en[key] === 'function') {
            expect((ja[key] as () => string).length, `${where}: arity`).toBe((en[key] as () => string).length)
          }
        }
      }
    })
  }
})
