/**
 * Project Wycheproof (../shared/vectors/wycheproof) against every primitive the envelope SDK
 * wraps or supplies itself: AES-GCM on every path (WebCrypto, @noble/ciphers which serves
 * the 192-bit suites in browsers, and node:crypto where the runtime has it), HKDF-SHA256/512 on
 * WebCrypto and node:crypto, ECDSA P-256/P-384 signatures in DER through our
 * DER<->P1363 conversion and message verifier, and RSA-OAEP. Groups with parameters the
 * message format never uses are skipped by name, with the reason.
 */
import { describe, expect, it } from 'vitest'
import { nativeSigning } from '../../src/util/nativeSigning.js'
import { importAesGcmKey, nobleKey } from '../../src/envelope/crypto/aesGcm.js'
import { hkdf } from '../../src/envelope/crypto/kdf.js'
import { nativeMessageCipher } from '../../src/envelope/crypto/nativeMessageCipher.js'
import { createMessageVerifier, derToP1363, p1363ToDer } from '../../src/envelope/crypto/signature.js'
import { requireVectors } from '../../../../test/support/vectors.js'
import { readVectorJson } from '../../../../test/support/vectorFiles.js'

const dir = requireVectors('wycheproof')
const hex = (h: string) => Uint8Array.from(h.match(/../g) ?? [], (b) => parseInt(b, 16))
const concat = (a: Uint8Array, b: Uint8Array) => {
  const out = new Uint8Array(a.length + b.length)
  out.set(a)
  out.set(b, a.length)
  return out
}
const load = async (file: string) => (dir ? readVectorJson<{ testGroups: any[] }>(`wycheproof/${file}`) : { testGroups: [] })
const concatAll = (pieces: Uint8Array[]) => pieces.reduce((a, b) => concat(a, b), new Uint8Array(0))
const b64 = (b: Uint8Array) => btoa(String.fromCharCode(...b))

describe.skipIf(!dir)('Wycheproof', async () => {
  // node:crypto's HKDF and AES-GCM for messages (Node, Deno, Bun; none in browsers).
  const native = await nativeMessageCipher()
  describe('AES-GCM (aes_gcm_test.json)', async () => {
    const { testGroups } = await load('aes_gcm_test.json')
    const unused = testGroups.filter((g: any) => g.ivSize !== 96 || g.tagSize !== 128).length
    if (unused) console.info(`skipping ${unused} AES-GCM groups with IV or tag sizes the message format never uses (it uses only 96-bit IVs and 128-bit tags)`)
    for (const g of testGroups) {
      const title = `key ${g.keySize} bits, IV ${g.ivSize} bits, tag ${g.tagSize} bits`
      if (g.ivSize !== 96 || g.tagSize !== 128) {
        it.skip(`${title} — skipped: the message format uses only 96-bit IVs and 128-bit tags`, () => {})
        continue
      }
      const paths = [
        ['@noble/ciphers', nobleKey] as const,
        ...(g.keySize === 192 ? [] : [['WebCrypto', importAesGcmKey] as const]),
        ...(native ? [['node:crypto', async (raw: Uint8Array) => native.importKey(raw)] as const] : []),
      ]
      for (const [path, make] of paths) {
        it(`${title}, ${path}: ${g.tests.length} tests`, async () => {
          for (const t of g.tests) {
            const key = await make(hex(t.key))
            const sealed = concat(hex(t.ct), hex(t.tag))
            const opened = key.decrypt(hex(t.iv), sealed, hex(t.aad))
            if (t.result === 'valid') {
              expect(await opened, `tcId ${t.tcId}`).toEqual(hex(t.msg))
              expect(await key.encrypt(hex(t.iv), hex(t.msg), hex(t.aad)), `tcId ${t.tcId}`).toEqual(sealed)
              if (key.encryptInPieces) expect(concatAll(await key.encryptInPieces(hex(t.iv), hex(t.msg), hex(t.aad))), `tcId ${t.tcId}`).toEqual(sealed)
            } else {
              await expect(opened, `tcId ${t.tcId}`).rejects.toThrow()
            }
          }
        })
      }
    }
  })

  for (const [file, hash] of [['hkdf_sha256_test.json', 'SHA-256'], ['hkdf_sha512_test.json', 'SHA-512']] as const) {
    describe(`HKDF (${file})`, async () => {
      const { testGroups } = await load(file)
      const paths = [['WebCrypto', hkdf] as const, ...(native ? [['node:crypto', native.hkdf] as const] : [])]
      for (const [path, derive] of paths) {
        it(`${testGroups.reduce((n: number, g: any) => n + g.tests.length, 0)} tests, ${path}`, async () => {
          for (const g of testGroups) {
            for (const t of g.tests) {
              const okm = Promise.resolve().then(() => derive(hash, hex(t.ikm), hex(t.salt), hex(t.info), t.size))
              if (t.result === 'valid') expect(await okm, `tcId ${t.tcId}`).toEqual(hex(t.okm))
              else await expect(okm, `tcId ${t.tcId}`).rejects.toThrow()
            }
          }
        })
      }
    })
  }

  for (const [file, curve, hash] of [
    ['ecdsa_secp256r1_sha256_test.json', 'P-256', 'SHA-256'],
    ['ecdsa_secp384r1_sha384_test.json', 'P-384', 'SHA-384'],
  ] as const) {
    describe(`ECDSA ${curve} in DER (${file})`, async () => {
      const { testGroups } = await load(file)
      const spec = { curve, hash }
      it(`${testGroups.reduce((n: number, g: any) => n + g.tests.length, 0)} tests through the one-shot and streaming verifiers`, async () => {
        for (const g of testGroups) {
          const uncompressed = hex(g.publicKey.uncompressed)
          const size = (uncompressed.length - 1) / 2
          const compressed = new Uint8Array(1 + size)
          compressed[0] = 2 + (uncompressed[uncompressed.length - 1]! & 1)
          compressed.set(uncompressed.subarray(1, 1 + size), 1)
          const verifier = await createMessageVerifier(spec, b64(compressed))
          for (const t of g.tests) {
            const msg = hex(t.msg)
            const sig = hex(t.sig)
            const oneShot = await verifier.verify(msg, sig)
            // @noble/curves', and node:crypto's where the runtime has it.
            const incremental: boolean[] = []
            for (const native of (await nativeSigning()) ? [null, undefined] : [null]) {
              const streaming = await verifier.incremental(native)
              streaming.update(msg)
              incremental.push(streaming.verify(sig))
            }
            if (t.result === 'acceptable') continue
            expect(oneShot, `tcId ${t.tcId} (${t.comment})`).toBe(t.result === 'valid')
            for (const result of incremental) expect(result, `tcId ${t.tcId} (${t.comment})`).toBe(t.result === 'valid')
            if (t.result === 'valid') expect(p1363ToDer(spec, derToP1363(spec, sig))).toEqual(sig)
          }
        }
      })
    })
  }

  for (const bits of [2048, 3072, 4096]) {
    const file = `rsa_oaep_${bits}_sha256_mgf1sha256_test.json`
    describe(`RSA-OAEP SHA-256 (${file})`, async () => {
      const { testGroups } = await load(file)
      it(`${testGroups.reduce((n: number, g: any) => n + g.tests.length, 0)} tests`, async () => {
        for (const g of testGroups) {
          const key = await crypto.subtle.importKey('pkcs8', hex(g.privateKeyPkcs8), { name: 'RSA-OAEP', hash: 'SHA-256' }, false, ['decrypt'])
          for (const t of g.tests) {
            const params: RsaOaepParams = t.label ? { name: 'RSA-OAEP', label: hex(t.label) } : { name: 'RSA-OAEP' }
            const out = crypto.subtle.decrypt(params, key, hex(t.ct))
            if (t.result === 'valid') expect(new Uint8Array(await out), `tcId ${t.tcId}`).toEqual(hex(t.msg))
            else if (t.result === 'invalid') await expect(out, `tcId ${t.tcId}`).rejects.toThrow()
          }
        }
      })
    })
  }
})
