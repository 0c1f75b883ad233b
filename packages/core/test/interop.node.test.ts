/**
 * Asymmetric and HMAC keys against node:crypto (OpenSSL), an implementation the engine shares
 * no code with: its signatures, ciphertexts, MACs and shared secrets are the ones OpenSSL makes
 * and accepts, both ways. Keys made by node:crypto come in through BYOK, wrapped by node:crypto
 * too (RSA_AES_KEY_WRAP_SHA_256: RSA-OAEP-SHA256 of an AES-256 key, then AES key wrap with
 * padding, RFC 5649, OpenSSL's id-aes256-wrap-pad). Node only: it needs node:crypto.
 */
import {
  constants,
  createCipheriv,
  createECDH,
  createHmac,
  createPrivateKey,
  createPublicKey,
  diffieHellman,
  generateKeyPairSync,
  privateDecrypt,
  publicEncrypt,
  randomBytes,
  sign as nodeSign,
  verify as nodeVerify,
  type KeyObject,
} from 'node:crypto'
import { beforeAll, describe, expect, it } from 'vitest'
import { KMSInvalidSignatureException, type KeySpec, type KeyUsageType, type MacAlgorithmSpec, type SigningAlgorithmSpec } from '../src/index.js'
import { bytes, expectKmsError, setup } from './helpers.js'

const SLOW = 120_000
const { kms } = setup()

/** RFC 5649 §3: the alternative initial value's first half; OpenSSL takes it as the 4-byte IV. */
const KWP_AIV = Buffer.from('a65959a6', 'hex')

/** BYOK with node:crypto doing the wrapping: a new EXTERNAL key holding `material`. */
async function importedKey(KeySpec: KeySpec, KeyUsage: KeyUsageType, material: Uint8Array) {
  const { KeyMetadata } = await kms.createKey({ KeySpec, KeyUsage, Origin: 'EXTERNAL' })
  const { ImportToken, PublicKey } = await kms.getParametersForImport({ KeyId: KeyMetadata.KeyId, WrappingAlgorithm: 'RSA_AES_KEY_WRAP_SHA_256', WrappingKeySpec: 'RSA_2048' })
  const aesKey = randomBytes(32)
  const wrappingKey = createPublicKey({ key: Buffer.from(PublicKey), format: 'der', type: 'spki' })
  const encryptedAesKey = publicEncrypt({ key: wrappingKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256' }, aesKey)
  const kwp = createCipheriv('id-aes256-wrap-pad', aesKey, KWP_AIV)
  const wrapped = Buffer.concat([kwp.update(material), kwp.final()])
  await kms.importKeyMaterial({ KeyId: KeyMetadata.KeyId, ImportToken, EncryptedKeyMaterial: new Uint8Array(Buffer.concat([encryptedAesKey, wrapped])), ExpirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE' })
  return KeyMetadata
}

const pkcs8 = (key: KeyObject) => new Uint8Array(key.export({ format: 'der', type: 'pkcs8' }))
const spki = (key: KeyObject) => new Uint8Array(key.export({ format: 'der', type: 'spki' }))
const fromSpki = (der: Uint8Array) => createPublicKey({ key: Buffer.from(der), format: 'der', type: 'spki' })
/** An uncompressed point (SEC 1 §2.3.3) as SPKI, and back, through JWK. */
function pointToSpki(crv: string, point: Buffer): Uint8Array {
  const size = (point.length - 1) / 2
  const jwk = { kty: 'EC', crv, x: point.subarray(1, 1 + size).toString('base64url'), y: point.subarray(1 + size).toString('base64url') }
  return spki(createPublicKey({ key: jwk, format: 'jwk' }))
}
function spkiToPoint(der: Uint8Array): Buffer {
  const { x, y } = fromSpki(der).export({ format: 'jwk' })
  return Buffer.concat([Buffer.from([4]), Buffer.from(x!, 'base64url'), Buffer.from(y!, 'base64url')])
}

/** How node:crypto signs and verifies as each KMS signing algorithm: PSS with a salt as long as the hash, ECDSA in DER. */
function nodeParams(algorithm: SigningAlgorithmSpec): { hash: string; options: { padding?: number; saltLength?: number; dsaEncoding?: 'der' } } {
  const hash = `sha${algorithm.slice(-3)}`
  if (algorithm.startsWith('RSASSA_PSS')) return { hash, options: { padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: Number(algorithm.slice(-3)) / 8 } }
  if (algorithm.startsWith('RSASSA_PKCS1')) return { hash, options: { padding: constants.RSA_PKCS1_PADDING } }
  return { hash, options: { dsaEncoding: 'der' } }
}

const RSA_SIGNING: SigningAlgorithmSpec[] = ['RSASSA_PKCS1_V1_5_SHA_256', 'RSASSA_PKCS1_V1_5_SHA_384', 'RSASSA_PKCS1_V1_5_SHA_512', 'RSASSA_PSS_SHA_256', 'RSASSA_PSS_SHA_384', 'RSASSA_PSS_SHA_512']
const ECC = [
  ['ECC_NIST_P256', 'P-256', 'prime256v1', 'ECDSA_SHA_256'],
  ['ECC_NIST_P384', 'P-384', 'secp384r1', 'ECDSA_SHA_384'],
  ['ECC_NIST_P521', 'P-521', 'secp521r1', 'ECDSA_SHA_512'],
] as const
const SIGNING: [KeySpec, SigningAlgorithmSpec[]][] = [['RSA_2048', RSA_SIGNING], ['RSA_3072', RSA_SIGNING], ...ECC.map(([spec, , , alg]): [KeySpec, SigningAlgorithmSpec[]] => [spec, [alg]])]

const made: Record<string, string> = {}
beforeAll(async () => {
  const wanted: [KeySpec, KeyUsageType][] = [...SIGNING.map(([spec]): [KeySpec, KeyUsageType] => [spec, 'SIGN_VERIFY']), ['RSA_2048', 'ENCRYPT_DECRYPT'], ['RSA_4096', 'ENCRYPT_DECRYPT'], ...ECC.map(([spec]): [KeySpec, KeyUsageType] => [spec, 'KEY_AGREEMENT'])]
  const keys = await Promise.all(wanted.map(([KeySpec, KeyUsage]) => kms.createKey({ KeySpec, KeyUsage })))
  wanted.forEach(([spec, usage], i) => (made[`${spec}/${usage}`] = keys[i]!.KeyMetadata.KeyId))
}, SLOW)

describe('signatures', () => {
  for (const [spec, algorithms] of SIGNING) {
    it(`${spec}: node:crypto verifies the engine's ${algorithms.join(', ')} signatures with the key from GetPublicKey`, async () => {
      const KeyId = made[`${spec}/SIGN_VERIFY`]!
      const publicKey = fromSpki((await kms.getPublicKey({ KeyId })).PublicKey)
      for (const SigningAlgorithm of algorithms) {
        const Message = bytes(`${SigningAlgorithm} over a message`)
        const { Signature } = await kms.sign({ KeyId, Message, SigningAlgorithm })
        const { hash, options } = nodeParams(SigningAlgorithm)
        expect(nodeVerify(hash, Message, { key: publicKey, ...options }, Signature), SigningAlgorithm).toBe(true)
        expect(nodeVerify(hash, bytes('another message'), { key: publicKey, ...options }, Signature), SigningAlgorithm).toBe(false)
      }
    })
  }

  const NODE_PAIRS: [KeySpec, () => { privateKey: KeyObject; publicKey: KeyObject }, SigningAlgorithmSpec[]][] = [
    ['RSA_2048', () => generateKeyPairSync('rsa', { modulusLength: 2048 }), RSA_SIGNING],
    ['RSA_3072', () => generateKeyPairSync('rsa', { modulusLength: 3072, publicExponent: 65537 }), ['RSASSA_PSS_SHA_512', 'RSASSA_PKCS1_V1_5_SHA_256']],
    ...ECC.map(([spec, , named, alg]): [KeySpec, () => { privateKey: KeyObject; publicKey: KeyObject }, SigningAlgorithmSpec[]] => [spec, () => generateKeyPairSync('ec', { namedCurve: named }), [alg]]),
  ]
  for (const [spec, generate, algorithms] of NODE_PAIRS) {
    it(`${spec}: a node:crypto key pair imported through BYOK; the engine verifies node's signatures, node verifies the engine's`, async () => {
      const { privateKey, publicKey } = generate()
      const key = await importedKey(spec, 'SIGN_VERIFY', pkcs8(privateKey))
      expect((await kms.getPublicKey({ KeyId: key.KeyId })).PublicKey).toEqual(spki(publicKey))
      for (const SigningAlgorithm of algorithms) {
        const Message = bytes(`signed by OpenSSL with ${SigningAlgorithm}`)
        const { hash, options } = nodeParams(SigningAlgorithm)
        const Signature = new Uint8Array(nodeSign(hash, Message, { key: privateKey, ...options }))
        expect((await kms.verify({ KeyId: key.KeyId, Message, Signature, SigningAlgorithm })).SignatureValid, SigningAlgorithm).toBe(true)
        await expectKmsError(kms.verify({ KeyId: key.KeyId, Message: bytes('changed'), Signature, SigningAlgorithm }), KMSInvalidSignatureException)
        const ours = await kms.sign({ KeyId: key.KeyId, Message, SigningAlgorithm })
        expect(nodeVerify(hash, Message, { key: publicKey, ...options }, ours.Signature), SigningAlgorithm).toBe(true)
      }
      if (spec.startsWith('ECC')) {
        // OpenSSL's P1363 form is not what KMS takes: Verify wants DER.
        const [alg] = algorithms as [SigningAlgorithmSpec]
        const Message = bytes('p1363')
        const p1363 = new Uint8Array(nodeSign(nodeParams(alg).hash, Message, { key: privateKey, dsaEncoding: 'ieee-p1363' }))
        await expectKmsError(kms.verify({ KeyId: key.KeyId, Message, Signature: p1363, SigningAlgorithm: alg }), KMSInvalidSignatureException)
      }
    }, SLOW)
  }
})

describe('HMAC', () => {
  const SIZES: [KeySpec, MacAlgorithmSpec, string, number[]][] = [
    ['HMAC_256', 'HMAC_SHA_256', 'sha256', [32, 64]],
    ['HMAC_384', 'HMAC_SHA_384', 'sha384', [48, 128]],
    ['HMAC_512', 'HMAC_SHA_512', 'sha512', [64, 128]],
  ]
  for (const [spec, MacAlgorithm, hash, lengths] of SIZES) {
    it(`${spec}: GenerateMac over an imported key of ${lengths.join(' and ')} bytes equals node's createHmac, and VerifyMac accepts node's`, async () => {
      for (const length of lengths) {
        const secret = randomBytes(length)
        const { KeyId } = await importedKey(spec, 'GENERATE_VERIFY_MAC', secret)
        for (const Message of [bytes('x'), new Uint8Array(randomBytes(4096))]) {
          const expected = new Uint8Array(createHmac(hash, secret).update(Message).digest())
          expect((await kms.generateMac({ KeyId, Message, MacAlgorithm })).Mac).toEqual(expected)
          expect((await kms.verifyMac({ KeyId, Message, Mac: expected, MacAlgorithm })).MacValid).toBe(true)
        }
      }
    })
  }
})

describe('RSA encryption', () => {
  for (const spec of ['RSA_2048', 'RSA_4096'] as const) {
    for (const [EncryptionAlgorithm, oaepHash] of [['RSAES_OAEP_SHA_1', 'sha1'], ['RSAES_OAEP_SHA_256', 'sha256']] as const) {
      it(`${spec} ${EncryptionAlgorithm}: node's publicEncrypt (OAEP, ${oaepHash}) under the key from GetPublicKey decrypts in the engine`, async () => {
        const KeyId = made[`${spec}/ENCRYPT_DECRYPT`]!
        const publicKey = fromSpki((await kms.getPublicKey({ KeyId })).PublicKey)
        for (const length of [1, 32, spec === 'RSA_2048' ? (oaepHash === 'sha1' ? 214 : 190) : oaepHash === 'sha1' ? 470 : 446]) {
          const plaintext = randomBytes(length)
          const CiphertextBlob = new Uint8Array(publicEncrypt({ key: publicKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash }, plaintext))
          expect((await kms.decrypt({ KeyId, CiphertextBlob, EncryptionAlgorithm })).Plaintext).toEqual(new Uint8Array(plaintext))
        }
      })
    }
  }

  it('an imported node:crypto RSA key: the engine\'s ciphertexts decrypt with node\'s privateDecrypt', async () => {
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 })
    const { KeyId } = await importedKey('RSA_2048', 'ENCRYPT_DECRYPT', pkcs8(privateKey))
    for (const [EncryptionAlgorithm, oaepHash] of [['RSAES_OAEP_SHA_1', 'sha1'], ['RSAES_OAEP_SHA_256', 'sha256']] as const) {
      const Plaintext = new Uint8Array(randomBytes(100))
      const { CiphertextBlob } = await kms.encrypt({ KeyId, Plaintext, EncryptionAlgorithm })
      expect(new Uint8Array(privateDecrypt({ key: privateKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash }, CiphertextBlob))).toEqual(Plaintext)
    }
  })
})

describe('ECDH', () => {
  for (const [spec, crv, named] of ECC) {
    it(`${spec}: DeriveSharedSecret equals node's diffieHellman and ECDH.computeSecret from the other side`, async () => {
      const KeyId = made[`${spec}/KEY_AGREEMENT`]!
      const ours = (await kms.getPublicKey({ KeyId })).PublicKey
      const peer = generateKeyPairSync('ec', { namedCurve: named })
      const { SharedSecret } = await kms.deriveSharedSecret({ KeyId, KeyAgreementAlgorithm: 'ECDH', PublicKey: spki(peer.publicKey) })
      expect(SharedSecret).toEqual(new Uint8Array(diffieHellman({ privateKey: peer.privateKey, publicKey: fromSpki(ours) })))

      // The other way in: node's ECDH class, which works on bare uncompressed points.
      const ecdh = createECDH(named)
      const derived = await kms.deriveSharedSecret({ KeyId, KeyAgreementAlgorithm: 'ECDH', PublicKey: pointToSpki(crv, ecdh.generateKeys()) })
      expect(derived.SharedSecret).toEqual(new Uint8Array(ecdh.computeSecret(spkiToPoint(ours))))
    })
  }

  it('an imported node:crypto key pair: the engine derives the secret node derives for the same two keys', async () => {
    const mine = generateKeyPairSync('ec', { namedCurve: 'secp384r1' })
    const peer = generateKeyPairSync('ec', { namedCurve: 'secp384r1' })
    const { KeyId } = await importedKey('ECC_NIST_P384', 'KEY_AGREEMENT', pkcs8(mine.privateKey))
    const derived = await kms.deriveSharedSecret({ KeyId, KeyAgreementAlgorithm: 'ECDH', PublicKey: spki(peer.publicKey) })
    expect(derived.KeyOrigin).toBe('EXTERNAL')
    expect(derived.SharedSecret).toEqual(new Uint8Array(diffieHellman({ privateKey: mine.privateKey, publicKey: peer.publicKey })))
  })
})

describe('data key pairs', () => {
  for (const [KeyPairSpec, algorithm] of [
    ['RSA_2048', 'RSASSA_PSS_SHA_256'],
    ['RSA_3072', 'RSASSA_PKCS1_V1_5_SHA_384'],
    ['ECC_NIST_P256', 'ECDSA_SHA_256'],
    ['ECC_NIST_P384', 'ECDSA_SHA_384'],
    ['ECC_NIST_P521', 'ECDSA_SHA_512'],
  ] as const) {
    it(`${KeyPairSpec}: node:crypto reads the PKCS#8 private key, signs, and verifies with the SPKI public key`, async () => {
      const { KeyId } = (await kms.createKey()).KeyMetadata
      const pair = await kms.generateDataKeyPair({ KeyId, KeyPairSpec })
      const privateKey = createPrivateKey({ key: Buffer.from(pair.PrivateKeyPlaintext), format: 'der', type: 'pkcs8' })
      const publicKey = fromSpki(pair.PublicKey)
      expect(spki(createPublicKey(privateKey))).toEqual(pair.PublicKey)
      const { hash, options } = nodeParams(algorithm)
      const message = bytes('signed with a data key pair')
      const signature = nodeSign(hash, message, { key: privateKey, ...options })
      expect(nodeVerify(hash, message, { key: publicKey, ...options }, signature)).toBe(true)
    }, SLOW)
  }
})
