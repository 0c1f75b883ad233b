/**
 * A recovery copy is a standard JWE (RFC 7516 compact serialization, RFC 7518 RSA-OAEP-256 and
 * A256GCM): Node's own crypto (OpenSSL), holding the recovery private key, opens it to the exact
 * key material, with nothing of webkms. Node only.
 */
import crypto from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { createKms, type Kms } from '../src/index.js'
import { bytes } from './helpers.js'

const b64u = (s: string) => Buffer.from(s, 'base64url')

/** Opens a JWE compact serialization with RSA-OAEP-256 / A256GCM (RFC 7516 §5.2), OpenSSL only. */
function openWithNode(jwe: string, privateKey: crypto.KeyObject): { header: Record<string, unknown>; plaintext: Buffer } {
  const parts = jwe.split('.')
  expect(parts).toHaveLength(5)
  const [protectedB64, encryptedKey, iv, ciphertext, tag] = parts as [string, string, string, string, string]
  const header = JSON.parse(b64u(protectedB64).toString('utf8')) as Record<string, unknown>
  const cek = crypto.privateDecrypt({ key: privateKey, padding: crypto.constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256' }, b64u(encryptedKey))
  const decipher = crypto.createDecipheriv('aes-256-gcm', cek, b64u(iv))
  decipher.setAAD(Buffer.from(protectedB64, 'ascii')) // §5.2 step 14: the ASCII of the encoded protected header
  decipher.setAuthTag(b64u(tag))
  return { header, plaintext: Buffer.concat([decipher.update(b64u(ciphertext)), decipher.final()]) }
}

/** Imports material wrapped by node:crypto with RSA_AES_KEY_WRAP_SHA_256. */
async function nodeImport(kms: Kms, KeyId: string, material: Uint8Array) {
  const params = await kms.getParametersForImport({ KeyId, WrappingAlgorithm: 'RSA_AES_KEY_WRAP_SHA_256', WrappingKeySpec: 'RSA_2048' })
  const key = crypto.createPublicKey({ key: Buffer.from(params.PublicKey), format: 'der', type: 'spki' })
  const kek = crypto.randomBytes(32)
  const kwp = crypto.createCipheriv('id-aes256-wrap-pad', kek, Buffer.from('A65959A6', 'hex'))
  const EncryptedKeyMaterial = Buffer.concat([crypto.publicEncrypt({ key, padding: crypto.constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256' }, kek), kwp.update(material), kwp.final()])
  return kms.importKeyMaterial({ KeyId, ImportToken: params.ImportToken, EncryptedKeyMaterial, ExpirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE' })
}

describe('recovery copies are standard JWE', () => {
  it('node:crypto opens each copy to the key material, bound to its key, version and spec', async () => {
    // The recovery key pair is made by OpenSSL; the engine gets its public JWK.
    const pair = crypto.generateKeyPairSync('rsa', { modulusLength: 3072 })
    const jwk = pair.publicKey.export({ format: 'jwk' })
    const kms = createKms({ recovery: { publicKey: jwk } })

    const symMaterial = crypto.randomBytes(32)
    const sym = (await kms.createKey({ Origin: 'EXTERNAL' })).KeyMetadata
    const symImport = await nodeImport(kms, sym.KeyId, symMaterial)
    const signer = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 })
    const signerPkcs8 = signer.privateKey.export({ format: 'der', type: 'pkcs8' })
    const rsa = (await kms.createKey({ Origin: 'EXTERNAL', KeySpec: 'RSA_2048', KeyUsage: 'SIGN_VERIFY' })).KeyMetadata
    const rsaImport = await nodeImport(kms, rsa.KeyId, signerPkcs8)
    const hmac = (await kms.createKey({ KeySpec: 'HMAC_256', KeyUsage: 'GENERATE_VERIFY_MAC' })).KeyMetadata
    const ecc = (await kms.createKey({ KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY' })).KeyMetadata

    const bundle = JSON.parse(JSON.stringify(await kms.exportRecoveryBundle())) as Awaited<ReturnType<Kms['exportRecoveryBundle']>>
    const copy = (keyId: string) => {
      const k = bundle.keys.find((b) => b.keyId === keyId)!
      expect(k.versions).toHaveLength(1)
      return { jwe: k.versions[0]!.recovery!, keyMaterialId: k.versions[0]!.keyMaterialId }
    }
    // RFC 7638 thumbprint of the recovery public key, computed here.
    const kid = crypto.createHash('sha256').update(JSON.stringify({ e: jwk.e, kty: 'RSA', n: jwk.n })).digest('base64url')

    const symCopy = openWithNode(copy(sym.KeyId).jwe, pair.privateKey)
    expect(symCopy.plaintext.equals(symMaterial)).toBe(true)
    expect(symCopy.header).toEqual({ alg: 'RSA-OAEP-256', enc: 'A256GCM', kid, cty: 'webkms-key-material', key: sym.Arn, kmid: symImport.KeyMaterialId, spec: 'SYMMETRIC_DEFAULT', fmt: 'raw' })

    const rsaCopy = openWithNode(copy(rsa.KeyId).jwe, pair.privateKey)
    expect(rsaCopy.plaintext.equals(signerPkcs8)).toBe(true)
    expect(rsaCopy.header).toMatchObject({ key: rsa.Arn, kmid: rsaImport.KeyMaterialId, spec: 'RSA_2048', fmt: 'pkcs8' })

    // Material the engine generated: the opened HMAC key computes the engine's MACs ...
    const hmacCopy = openWithNode(copy(hmac.KeyId).jwe, pair.privateKey)
    expect(hmacCopy.header).toMatchObject({ key: hmac.Arn, kmid: copy(hmac.KeyId).keyMaterialId, spec: 'HMAC_256', fmt: 'raw' })
    const Message = bytes('mac me')
    const { Mac } = await kms.generateMac({ KeyId: hmac.KeyId, Message, MacAlgorithm: 'HMAC_SHA_256' })
    expect(crypto.createHmac('sha256', hmacCopy.plaintext).update(Message).digest().equals(Buffer.from(Mac))).toBe(true)
    // ... and the opened EC private key is the one behind the engine's public key and signatures.
    const eccCopy = openWithNode(copy(ecc.KeyId).jwe, pair.privateKey)
    expect(eccCopy.header).toMatchObject({ key: ecc.Arn, spec: 'ECC_NIST_P256', fmt: 'pkcs8' })
    const eccPrivate = crypto.createPrivateKey({ key: eccCopy.plaintext, format: 'der', type: 'pkcs8' })
    const spki = crypto.createPublicKey(eccPrivate).export({ format: 'der', type: 'spki' })
    expect(spki.equals(Buffer.from((await kms.getPublicKey({ KeyId: ecc.KeyId })).PublicKey))).toBe(true)
    const signature = crypto.sign('sha256', Message, eccPrivate)
    expect((await kms.verify({ KeyId: ecc.KeyId, Message, Signature: signature, SigningAlgorithm: 'ECDSA_SHA_256' })).SignatureValid).toBe(true)

    // The protected header is authenticated: an edited one no longer opens.
    const [head, ...rest] = copy(sym.KeyId).jwe.split('.')
    const edited = Buffer.from(JSON.stringify({ ...JSON.parse(b64u(head!).toString('utf8')), kmid: '0'.repeat(64) })).toString('base64url')
    expect(() => openWithNode([edited, ...rest].join('.'), pair.privateKey)).toThrow()
    // Another private key does not open it.
    expect(() => openWithNode(copy(sym.KeyId).jwe, crypto.generateKeyPairSync('rsa', { modulusLength: 3072 }).privateKey)).toThrow()
  })
})
