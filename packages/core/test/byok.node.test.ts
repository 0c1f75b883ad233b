/**
 * Bring your own key with material made and wrapped outside webkms, by Node's own `crypto`
 * (OpenSSL), as the AWS developer guide's OpenSSL steps do ("Encrypt key material"):
 *   RSAES_OAEP_SHA_1 / _256          publicEncrypt with RSA_PKCS1_OAEP_PADDING and oaepHash (OAEP and MGF1 hash)
 *   RSA_AES_KEY_WRAP_SHA_1 / _256    publicEncrypt of a fresh 32-byte AES key, then the material under it
 *                                    with OpenSSL's id-aes256-wrap-pad (AES-KWP, RFC 5649; the IV is the
 *                                    alternative initial value A65959A6 of §3, the length appended by OpenSSL)
 * Node only: this is the evidence that webkms accepts what another implementation produces.
 */
import crypto from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { createKms, IncorrectKeyMaterialException, KMSInvalidStateException, type AlgorithmSpec, type ImportKeyMaterialRequest, type Kms, type WrappingKeySpec } from '../src/index.js'
import { bytes, expectKmsError, testClock, text } from './helpers.js'

const DAY = 86_400_000
const KWP_IV = Buffer.from('A65959A6', 'hex') // RFC 5649 §3: the alternative initial value

/** Wraps `material` with node:crypto for the public key (DER SPKI) GetParametersForImport returned. */
function nodeWrap(publicKeyDer: Uint8Array, algorithm: AlgorithmSpec, material: Uint8Array): Uint8Array {
  const key = crypto.createPublicKey({ key: Buffer.from(publicKeyDer), format: 'der', type: 'spki' })
  const oaepHash = algorithm.endsWith('SHA_1') ? 'sha1' : 'sha256'
  const oaep = (data: Uint8Array) => crypto.publicEncrypt({ key, padding: crypto.constants.RSA_PKCS1_OAEP_PADDING, oaepHash }, data)
  if (algorithm.startsWith('RSAES_OAEP')) return oaep(material)
  const kek = crypto.randomBytes(32)
  const kwp = crypto.createCipheriv('id-aes256-wrap-pad', kek, KWP_IV)
  return Buffer.concat([oaep(kek), kwp.update(material), kwp.final()])
}

async function nodeImport(kms: Kms, KeyId: string, material: Uint8Array, algorithm: AlgorithmSpec, spec: WrappingKeySpec, expiry: Pick<ImportKeyMaterialRequest, 'ValidTo' | 'ExpirationModel'> = { ExpirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE' }) {
  const params = await kms.getParametersForImport({ KeyId, WrappingAlgorithm: algorithm, WrappingKeySpec: spec })
  return kms.importKeyMaterial({ KeyId, ImportToken: params.ImportToken, EncryptedKeyMaterial: nodeWrap(params.PublicKey, algorithm, material), ...expiry })
}

function engine() {
  const clock = testClock()
  return { kms: createKms({ now: clock.now }), clock }
}
const externalKey = async (kms: Kms, request: Parameters<Kms['createKey']>[0] = {}) => (await kms.createKey({ ...request, Origin: 'EXTERNAL' })).KeyMetadata

describe('key material wrapped by node:crypto', () => {
  it('node:crypto’s id-aes256-wrap-pad with IV A65959A6 is AES-KWP (RFC 5649 §6 test vector, 20 octets)', () => {
    const kek = Buffer.from('5840df6e29b02af1ab493b705bf16ea1ae8338f4dcc176a8', 'hex') // the RFC's vector is AES-192
    const kwp = crypto.createCipheriv('id-aes192-wrap-pad', kek, KWP_IV)
    const wrapped = Buffer.concat([kwp.update(Buffer.from('c37b7e6492584340bed12207808941155068f738', 'hex')), kwp.final()])
    expect(wrapped.toString('hex')).toBe('138bdeaa9b8fa7fc61f97742e72248ee5ae6ae5360d1ae6a5f54f373fa543b6a')
  })

  const algorithms: AlgorithmSpec[] = ['RSAES_OAEP_SHA_1', 'RSAES_OAEP_SHA_256', 'RSA_AES_KEY_WRAP_SHA_1', 'RSA_AES_KEY_WRAP_SHA_256']
  const specs: WrappingKeySpec[] = ['RSA_2048', 'RSA_3072', 'RSA_4096']
  for (const algorithm of algorithms) {
    for (const spec of specs) {
      it(`${algorithm} with a ${spec} wrapping key: the symmetric key is Enabled and encrypts`, async () => {
        const { kms } = engine()
        const { KeyId } = await externalKey(kms)
        const { KeyMaterialId } = await nodeImport(kms, KeyId, crypto.randomBytes(32), algorithm, spec)
        expect((await kms.describeKey({ KeyId })).KeyMetadata).toMatchObject({ KeyState: 'Enabled', Origin: 'EXTERNAL', CurrentKeyMaterialId: KeyMaterialId })
        const { CiphertextBlob } = await kms.encrypt({ KeyId, Plaintext: bytes(`${algorithm} ${spec}`), EncryptionContext: { by: 'node' } })
        const out = await kms.decrypt({ CiphertextBlob, EncryptionContext: { by: 'node' } })
        expect(text(out.Plaintext)).toBe(`${algorithm} ${spec}`)
        expect(out.KeyMaterialId).toBe(KeyMaterialId)
      })
    }
  }

  it('the same material after expiry, and after deletion, brings old ciphertexts back; other material is refused', async () => {
    const { kms, clock } = engine()
    const { KeyId } = await externalKey(kms)
    const material = crypto.randomBytes(32)
    const first = await nodeImport(kms, KeyId, material, 'RSA_AES_KEY_WRAP_SHA_256', 'RSA_4096', { ValidTo: new Date(clock.now().getTime() + 7 * DAY) })
    const { CiphertextBlob } = await kms.encrypt({ KeyId, Plaintext: bytes('made before expiry') })

    clock.advanceDays(8)
    expect((await kms.describeKey({ KeyId })).KeyMetadata.KeyState).toBe('PendingImport')
    await expectKmsError(kms.decrypt({ CiphertextBlob }), KMSInvalidStateException)
    await expectKmsError(nodeImport(kms, KeyId, crypto.randomBytes(32), 'RSAES_OAEP_SHA_256', 'RSA_2048'), IncorrectKeyMaterialException)
    expect((await kms.describeKey({ KeyId })).KeyMetadata.KeyState).toBe('PendingImport')
    const again = await nodeImport(kms, KeyId, material, 'RSAES_OAEP_SHA_1', 'RSA_3072')
    expect(again.KeyMaterialId).toBe(first.KeyMaterialId)
    expect(text((await kms.decrypt({ CiphertextBlob })).Plaintext)).toBe('made before expiry')

    await kms.deleteImportedKeyMaterial({ KeyId })
    await expectKmsError(kms.decrypt({ CiphertextBlob }), KMSInvalidStateException)
    await expectKmsError(nodeImport(kms, KeyId, crypto.randomBytes(32), 'RSA_AES_KEY_WRAP_SHA_1', 'RSA_2048'), IncorrectKeyMaterialException)
    await nodeImport(kms, KeyId, material, 'RSA_AES_KEY_WRAP_SHA_1', 'RSA_2048')
    expect(text((await kms.decrypt({ CiphertextBlob })).Plaintext)).toBe('made before expiry')
  })

  it('an HMAC_256 key from node:crypto bytes computes the MACs createHmac computes', async () => {
    const { kms } = engine()
    const { KeyId } = await externalKey(kms, { KeySpec: 'HMAC_256', KeyUsage: 'GENERATE_VERIFY_MAC' })
    const material = crypto.randomBytes(48)
    await nodeImport(kms, KeyId, material, 'RSAES_OAEP_SHA_256', 'RSA_2048')
    const Message = bytes('authenticate me')
    const { Mac } = await kms.generateMac({ KeyId, Message, MacAlgorithm: 'HMAC_SHA_256' })
    expect(Buffer.from(Mac).toString('hex')).toBe(crypto.createHmac('sha256', material).update(Message).digest('hex'))
  })

  it('an RSA_2048 key pair made by node:crypto (PKCS#8 DER, RSA_AES_KEY_WRAP_SHA_256) signs what node:crypto verifies', async () => {
    const { kms } = engine()
    const { KeyId } = await externalKey(kms, { KeySpec: 'RSA_2048', KeyUsage: 'SIGN_VERIFY' })
    const pair = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 })
    const pkcs8 = pair.privateKey.export({ format: 'der', type: 'pkcs8' })
    await nodeImport(kms, KeyId, pkcs8, 'RSA_AES_KEY_WRAP_SHA_256', 'RSA_2048')
    expect((await kms.describeKey({ KeyId })).KeyMetadata.KeyState).toBe('Enabled')
    expect(Buffer.from((await kms.getPublicKey({ KeyId })).PublicKey).equals(pair.publicKey.export({ format: 'der', type: 'spki' }))).toBe(true)
    const Message = bytes('signed inside webkms, verified by OpenSSL')
    const pss = await kms.sign({ KeyId, Message, SigningAlgorithm: 'RSASSA_PSS_SHA_256' })
    expect(crypto.verify('sha256', Message, { key: pair.publicKey, padding: crypto.constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 }, pss.Signature)).toBe(true)
    const pkcs1 = await kms.sign({ KeyId, Message, SigningAlgorithm: 'RSASSA_PKCS1_V1_5_SHA_384' })
    expect(crypto.verify('sha384', Message, pair.publicKey, pkcs1.Signature)).toBe(true)
    expect(crypto.verify('sha384', bytes('another message'), pair.publicKey, pkcs1.Signature)).toBe(false)
    // A different key pair is different material.
    const other = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'der', type: 'pkcs8' })
    await expectKmsError(nodeImport(kms, KeyId, other, 'RSA_AES_KEY_WRAP_SHA_256', 'RSA_2048'), IncorrectKeyMaterialException)
  })

  it('an ECC_NIST_P256 key pair made by node:crypto signs DER ECDSA signatures node:crypto verifies', async () => {
    const { kms } = engine()
    const { KeyId } = await externalKey(kms, { KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY' })
    const pair = crypto.generateKeyPairSync('ec', { namedCurve: 'prime256v1' })
    await nodeImport(kms, KeyId, pair.privateKey.export({ format: 'der', type: 'pkcs8' }), 'RSA_AES_KEY_WRAP_SHA_1', 'RSA_3072')
    const Message = bytes('ecdsa')
    const { Signature } = await kms.sign({ KeyId, Message, SigningAlgorithm: 'ECDSA_SHA_256' })
    expect(crypto.verify('sha256', Message, pair.publicKey, Signature)).toBe(true)
  })
})
