/**
 * Project Wycheproof (../shared/vectors/wycheproof) against the engine's asymmetric and HMAC
 * paths, through the public API where a key can be brought in (BYOK) and through
 * crypto/asymmetric.ts where Wycheproof gives only a public key: RSA-OAEP Decrypt, ECDSA
 * verification in DER, VerifyMac, DeriveSharedSecret, and the AES key wrap with padding that
 * ImportKeyMaterial unwraps with. Groups and tests with parameters KMS never uses are skipped by
 * name, with the reason. Runs in Node and Chromium.
 */
import { aeskwp } from '@noble/ciphers/aes.js'
import { describe, expect, it } from 'vitest'
import { IncorrectKeyMaterialException, InvalidCiphertextException, KMSInvalidMacException, ValidationException, type KeySpec, type MacAlgorithmSpec } from '../src/index.js'
import { verifyMessage } from '../src/kms/crypto/asymmetric.js'
import { SPECS, type SigningAlgorithm } from '../src/kms/keySpecs.js'
import { requireVectors } from '../../../test/support/vectors.js'
import { readVectorJson } from '../../../test/support/vectorFiles.js'
import { expectKmsError, setup } from './helpers.js'
import { externalKey, importMaterial } from './importMaterial.js'

/** Vectors KMS never meets: skipped by name, and the reason printed, so the run says why. */
function skipBecause(what: string, reason: string): void {
  console.info(`skipping ${what}: ${reason}`)
  it.skip(`${what} — skipped: ${reason}`, () => {})
}

const dir = requireVectors('wycheproof')
const SLOW = 120_000
const hex = (h: string) => Uint8Array.from(h.match(/../g) ?? [], (b) => parseInt(b, 16))
const fromBase64Url = (s: string) => Uint8Array.from(atob(s.replace(/-/g, '+').replace(/_/g, '/')), (c) => c.charCodeAt(0))
const load = async (file: string) => (dir ? readVectorJson<{ testGroups: any[] }>(`wycheproof/${file}`) : { testGroups: [] })
const count = (groups: { tests: unknown[] }[]) => groups.reduce((n, g) => n + g.tests.length, 0)

/** DER TLV (X.690 §8.1): tag, definite length, body. */
function tlv(tag: number, body: Uint8Array): Uint8Array {
  const n = body.length
  const length = n < 0x80 ? [n] : n < 0x100 ? [0x81, n] : [0x82, n >> 8, n & 0xff]
  return Uint8Array.from([tag, ...length, ...body])
}
const concat = (...parts: Uint8Array[]) => Uint8Array.from(parts.flatMap((p) => [...p]))
/** Named-curve OIDs (RFC 5480 §2.1.1.1, SEC 2 for secp256k1), DER-encoded. */
const CURVE_OIDS: Record<string, { oid: number[]; bytes: number }> = {
  'P-256': { oid: [0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07], bytes: 32 },
  'P-384': { oid: [0x06, 0x05, 0x2b, 0x81, 0x04, 0x00, 0x22], bytes: 48 },
  'P-521': { oid: [0x06, 0x05, 0x2b, 0x81, 0x04, 0x00, 0x23], bytes: 66 },
  'P-256K': { oid: [0x06, 0x05, 0x2b, 0x81, 0x04, 0x00, 0x0a], bytes: 32 },
}
const EC_PUBLIC_KEY_OID = [0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01]
/**
 * A public JWK as SubjectPublicKeyInfo (RFC 5480 §2), built by hand so that points off the curve
 * and keys on other curves reach the engine as they are (WebCrypto would refuse to make them).
 */
function jwkToSpki(jwk: { crv: string; x: string; y: string }): Uint8Array {
  const { oid, bytes } = CURVE_OIDS[jwk.crv]!
  const coordinate = (c: string) => {
    const v = fromBase64Url(c)
    const out = new Uint8Array(Math.max(bytes, v.length))
    out.set(v, out.length - v.length)
    return out
  }
  const algorithm = tlv(0x30, Uint8Array.from([...EC_PUBLIC_KEY_OID, ...oid]))
  const point = concat(Uint8Array.of(0, 4), coordinate(jwk.x), coordinate(jwk.y))
  return tlv(0x30, concat(algorithm, tlv(0x03, point)))
}

describe.skipIf(!dir)('Wycheproof through the KMS engine', async () => {
  const { kms } = setup()

  for (const bits of [2048, 3072, 4096] as const) {
    const file = `rsa_oaep_${bits}_sha256_mgf1sha256_test.json`
    describe(`RSA-OAEP Decrypt, RSAES_OAEP_SHA_256 (${file})`, async () => {
      const { testGroups } = await load(file)
      const labelled = testGroups.flatMap((g: any) => g.tests.filter((t: any) => t.label !== '').map((t: any) => t.tcId))
      it(`${count(testGroups) - labelled.length} tests with an empty label, one imported key per group`, async () => {
        for (const g of testGroups) {
          const { KeyId } = await externalKey(kms, `RSA_${bits}` as KeySpec, 'ENCRYPT_DECRYPT', hex(g.privateKeyPkcs8))
          for (const t of g.tests) {
            if (t.label !== '') continue
            const ct = hex(t.ct)
            const decrypted = kms.decrypt({ KeyId, CiphertextBlob: ct, EncryptionAlgorithm: 'RSAES_OAEP_SHA_256' })
            if (t.result === 'valid') expect((await decrypted).Plaintext, `tcId ${t.tcId}`).toEqual(hex(t.msg))
            // CiphertextBlob is 1 to 6144 bytes (Decrypt API reference): an empty one never reaches the key.
            else if (ct.length === 0) await expectKmsError(decrypted, ValidationException)
            else await expectKmsError(decrypted, InvalidCiphertextException)
          }
        }
      }, SLOW)
      if (labelled.length) skipBecause(`${file} tcId ${labelled.join(', ')}`, "they use an OAEP label, and KMS's RSAES_OAEP uses none")
    })
  }

  for (const [file, spec, algorithm] of [
    ['ecdsa_secp256r1_sha256_test.json', 'ECC_NIST_P256', 'ECDSA_SHA_256'],
    ['ecdsa_secp384r1_sha384_test.json', 'ECC_NIST_P384', 'ECDSA_SHA_384'],
  ] as const) {
    describe(`ECDSA in DER through verifyMessage, ${algorithm} (${file})`, async () => {
      const { testGroups } = await load(file)
      it(`${count(testGroups)} tests with each group's public key as SPKI`, async () => {
        const info = SPECS[spec]!
        const params = info.signing![algorithm as SigningAlgorithm]!
        let checked = 0
        for (const g of testGroups) {
          const spki = hex(g.publicKeyDer)
          for (const t of g.tests) {
            const valid = await verifyMessage(spki, params, info, hex(t.msg), hex(t.sig))
            if (t.result === 'acceptable') continue // either answer is right
            expect(valid, `tcId ${t.tcId} (${t.comment})`).toBe(t.result === 'valid')
            checked++
          }
        }
        expect(checked).toBeGreaterThan(400)
      })
    })
  }

  for (const [file, spec, MacAlgorithm, hashBits] of [
    ['hmac_sha256_test.json', 'HMAC_256', 'HMAC_SHA_256', 256],
    ['hmac_sha512_test.json', 'HMAC_512', 'HMAC_SHA_512', 512],
  ] as const) {
    describe(`VerifyMac and GenerateMac, ${MacAlgorithm} (${file})`, async () => {
      const { testGroups } = await load(file)
      // AWS imports HMAC_256 keys of 32-64 bytes and HMAC_512 keys of 64-128 bytes ("Importing key material"), and returns the full MAC.
      const [min, max] = spec === 'HMAC_256' ? [32, 64] : [64, 128]
      for (const g of testGroups) {
        const title = `key ${g.keySize} bits, tag ${g.tagSize} bits: ${g.tests.length} tests`
        if (g.keySize / 8 < min || g.keySize / 8 > max) {
          skipBecause(`${MacAlgorithm} ${title}`, `AWS imports ${spec} keys of ${min} to ${max} bytes only`)
          continue
        }
        if (g.tagSize !== hashBits) {
          skipBecause(`${MacAlgorithm} ${title}`, `KMS MACs are the full ${hashBits}-bit HMAC, never truncated`)
          continue
        }
        it(`${title}, each key imported once`, async () => {
          const keys = new Map<string, string>()
          for (const t of g.tests) {
            if (!keys.has(t.key)) keys.set(t.key, (await externalKey(kms, spec as KeySpec, 'GENERATE_VERIFY_MAC', hex(t.key))).KeyId)
            const KeyId = keys.get(t.key)!
            const Message = hex(t.msg)
            const verified = kms.verifyMac({ KeyId, Message, Mac: hex(t.tag), MacAlgorithm: MacAlgorithm as MacAlgorithmSpec })
            // Message is 1 to 4096 bytes (VerifyMac API reference): Wycheproof's empty messages are refused before any MAC.
            if (Message.length === 0) await expectKmsError(verified, ValidationException)
            else if (t.result === 'valid') {
              expect((await verified).MacValid, `tcId ${t.tcId}`).toBe(true)
              expect((await kms.generateMac({ KeyId, Message, MacAlgorithm })).Mac, `tcId ${t.tcId}`).toEqual(hex(t.tag))
            } else await expectKmsError(verified, KMSInvalidMacException)
          }
        }, SLOW)
      }
    })
  }

  for (const [file, spec, curve] of [
    ['ecdh_secp256r1_webcrypto_test.json', 'ECC_NIST_P256', 'P-256'],
    ['ecdh_secp384r1_webcrypto_test.json', 'ECC_NIST_P384', 'P-384'],
    ['ecdh_secp521r1_webcrypto_test.json', 'ECC_NIST_P521', 'P-521'],
  ] as const) {
    describe(`DeriveSharedSecret (${file})`, async () => {
      const { testGroups } = await load(file)
      it(`${count(testGroups)} tests, each private key imported once as PKCS#8`, async () => {
        const keys = new Map<string, string>()
        for (const g of testGroups) {
          for (const t of g.tests) {
            if (!keys.has(t.private.d)) {
              const key = await crypto.subtle.importKey('jwk', t.private, { name: 'ECDH', namedCurve: curve }, true, ['deriveBits'])
              const pkcs8 = new Uint8Array(await crypto.subtle.exportKey('pkcs8', key))
              keys.set(t.private.d, (await externalKey(kms, spec, 'KEY_AGREEMENT', pkcs8)).KeyId)
            }
            const derived = kms.deriveSharedSecret({ KeyId: keys.get(t.private.d)!, KeyAgreementAlgorithm: 'ECDH', PublicKey: jwkToSpki(t.public) })
            if (t.result === 'valid') expect((await derived).SharedSecret, `tcId ${t.tcId} (${t.comment})`).toEqual(hex(t.shared))
            else if (t.result === 'invalid') await expectKmsError(derived, ValidationException)
            else await derived.catch(() => undefined)
          }
        }
      }, SLOW)
    })
  }

  describe('AES key wrap with padding, RFC 5649 (aes_kwp_test.json)', async () => {
    const { testGroups } = await load('aes_kwp_test.json')
    for (const g of testGroups) {
      it(`@noble/ciphers aeskwp, ${g.keySize}-bit KEK: ${g.tests.length} tests`, () => {
        for (const t of g.tests) {
          const kwp = aeskwp(hex(t.key))
          if (t.result === 'valid') {
            expect(kwp.decrypt(hex(t.ct)), `tcId ${t.tcId}`).toEqual(hex(t.msg))
            expect(kwp.encrypt(hex(t.msg)), `tcId ${t.tcId}`).toEqual(hex(t.ct))
          } else if (t.result === 'invalid') {
            expect(() => kwp.decrypt(hex(t.ct)), `tcId ${t.tcId} (${t.comment})`).toThrow()
          }
        }
      })
    }

    const aes256 = testGroups.filter((g: any) => g.keySize === 256)
    it(`ImportKeyMaterial (RSA_AES_KEY_WRAP_SHA_256) unwraps every 256-bit KEK test as the primitive does: ${count(aes256)} tests`, async () => {
      // The Wycheproof KEK becomes the ephemeral AES key, RSA-OAEP-encrypted under the import's wrapping key.
      const wrappedFor = async (publicKey: Uint8Array, kek: Uint8Array, ct: Uint8Array) => {
        const wrapping = await crypto.subtle.importKey('spki', new Uint8Array(publicKey), { name: 'RSA-OAEP', hash: 'SHA-256' }, false, ['encrypt'])
        return concat(new Uint8Array(await crypto.subtle.encrypt({ name: 'RSA-OAEP' }, wrapping, new Uint8Array(kek))), ct)
      }
      const parameters = async (KeyId: string) => kms.getParametersForImport({ KeyId, WrappingAlgorithm: 'RSA_AES_KEY_WRAP_SHA_256', WrappingKeySpec: 'RSA_2048' })
      // A refused import spends no token, so one key and one token serve every test that must not import.
      const waiting = (await kms.createKey({ Origin: 'EXTERNAL' })).KeyMetadata.KeyId
      const token = await parameters(waiting)
      let imported = 0
      for (const g of aes256) {
        for (const t of g.tests) {
          if (t.result === 'acceptable') continue
          const [msg, kek] = [hex(t.msg), hex(t.key)]
          if (t.result === 'valid' && msg.length === 32) {
            // 256-bit material: it imports, and the same bytes wrapped our own way are accepted as the same material.
            const { KeyId } = (await kms.createKey({ Origin: 'EXTERNAL' })).KeyMetadata
            const own = await parameters(KeyId)
            await kms.importKeyMaterial({ KeyId, ImportToken: own.ImportToken, EncryptedKeyMaterial: await wrappedFor(own.PublicKey, kek, hex(t.ct)), ExpirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE' })
            await importMaterial(kms, KeyId, msg)
            imported++
            continue
          }
          const attempt = kms.importKeyMaterial({ KeyId: waiting, ImportToken: token.ImportToken, EncryptedKeyMaterial: await wrappedFor(token.PublicKey, kek, hex(t.ct)), ExpirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE' })
          // Unwrapped, but not 256 bits: the material is refused, not the ciphertext.
          if (t.result === 'valid') await expectKmsError(attempt, IncorrectKeyMaterialException, /256 bits/)
          else await expectKmsError(attempt, InvalidCiphertextException)
        }
      }
      expect(imported).toBeGreaterThan(0)
      expect((await kms.describeKey({ KeyId: waiting })).KeyMetadata.KeyState).toBe('PendingImport')
    }, SLOW)
  })
})
