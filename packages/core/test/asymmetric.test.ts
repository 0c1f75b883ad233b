/**
 * Asymmetric and HMAC keys through the public API, checked against WebCrypto as an outside
 * party would check them (KMS API Reference: CreateKey, DescribeKey, Sign, Verify, GetPublicKey,
 * Encrypt/Decrypt/ReEncrypt with RSAES_OAEP, GenerateMac, VerifyMac, DeriveSharedSecret,
 * GenerateDataKeyPair; "Key spec reference" for what each spec does). Runs in Node and Chromium.
 */
import { beforeAll, describe, expect, it } from 'vitest'
import {
  AccessDeniedException,
  DisabledException,
  InvalidCiphertextException,
  InvalidKeyUsageException,
  KMSInvalidMacException,
  KMSInvalidSignatureException,
  KMSInvalidStateException,
  MemoryKeyStore,
  UnsupportedOperationException,
  ValidationException,
  type DataKeyPairSpec,
  type KeyMetadata,
  type KeySpec,
  type KeyUsageType,
  type MacAlgorithmSpec,
  type SigningAlgorithmSpec,
} from '../src/index.js'
import { bytes, expectKmsError, setup } from './helpers.js'
import { externalKey } from './importMaterial.js'

const subtle = crypto.subtle
const SLOW = 120_000
const ACCOUNT = '111122223333'
const ROOT = `arn:aws:iam::${ACCOUNT}:root`
const ALICE = `arn:aws:iam::${ACCOUNT}:user/alice`
const CAROL = `arn:aws:iam::${ACCOUNT}:user/carol`
const policy = (...Statement: object[]) => JSON.stringify({ Version: '2012-10-17', Statement })
const rootStatement = { Sid: 'Enable IAM User Permissions', Effect: 'Allow', Principal: { AWS: ROOT }, Action: 'kms:*', Resource: '*' }

/** A private copy WebCrypto accepts (a view of an ArrayBuffer). */
const buf = (b: Uint8Array) => new Uint8Array(b)
const flipBit = (b: Uint8Array, index: number) => {
  const out = buf(b)
  out[index < 0 ? out.length + index : index]! ^= 0x01
  return out
}
const filled = (n: number, seed = 7) => Uint8Array.from({ length: n }, (_, i) => (i * 31 + seed) & 0xff)
const toHex = (b: Uint8Array) => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('')
const toBase64 = (b: Uint8Array) => btoa(String.fromCharCode(...b))

// What AWS KMS documents for each spec ("Key spec reference"), written out here, apart from the engine's own table.
const RSA_BITS = { RSA_2048: 2048, RSA_3072: 3072, RSA_4096: 4096 } as const
type RsaSpec = keyof typeof RSA_BITS
const RSA_SPECS = Object.keys(RSA_BITS) as RsaSpec[]
const RSA_SIGNING: SigningAlgorithmSpec[] = [
  'RSASSA_PKCS1_V1_5_SHA_256', 'RSASSA_PKCS1_V1_5_SHA_384', 'RSASSA_PKCS1_V1_5_SHA_512',
  'RSASSA_PSS_SHA_256', 'RSASSA_PSS_SHA_384', 'RSASSA_PSS_SHA_512',
]
const ECC = {
  ECC_NIST_P256: { curve: 'P-256', algorithm: 'ECDSA_SHA_256', fieldBytes: 32 },
  ECC_NIST_P384: { curve: 'P-384', algorithm: 'ECDSA_SHA_384', fieldBytes: 48 },
  ECC_NIST_P521: { curve: 'P-521', algorithm: 'ECDSA_SHA_512', fieldBytes: 66 },
} as const
type EccSpec = keyof typeof ECC
const ECC_SPECS = Object.keys(ECC) as EccSpec[]
const HMAC = {
  HMAC_256: { algorithm: 'HMAC_SHA_256', macBytes: 32 },
  HMAC_384: { algorithm: 'HMAC_SHA_384', macBytes: 48 },
  HMAC_512: { algorithm: 'HMAC_SHA_512', macBytes: 64 },
} as const
type HmacSpec = keyof typeof HMAC
const HMAC_SPECS = Object.keys(HMAC) as HmacSpec[]
const OAEP = { RSAES_OAEP_SHA_1: { hash: 'SHA-1', hashBytes: 20 }, RSAES_OAEP_SHA_256: { hash: 'SHA-256', hashBytes: 32 } } as const
type OaepAlgorithm = keyof typeof OAEP

/** The WebCrypto algorithm that verifies a KMS signing algorithm (PSS salt = hash length, as KMS uses). */
function webCryptoVerifier(algorithm: SigningAlgorithmSpec, curve?: string): { key: RsaHashedImportParams | EcKeyImportParams; verify: AlgorithmIdentifier | RsaPssParams | EcdsaParams } {
  const hash = `SHA-${algorithm.slice(-3)}`
  if (algorithm.startsWith('RSASSA_PSS')) return { key: { name: 'RSA-PSS', hash }, verify: { name: 'RSA-PSS', saltLength: Number(algorithm.slice(-3)) / 8 } }
  if (algorithm.startsWith('RSASSA_PKCS1')) return { key: { name: 'RSASSA-PKCS1-v1_5', hash }, verify: { name: 'RSASSA-PKCS1-v1_5' } }
  return { key: { name: 'ECDSA', namedCurve: curve! }, verify: { name: 'ECDSA', hash } }
}

/**
 * Parses a DER ECDSA-Sig-Value (RFC 3279 §2.2.3: SEQUENCE { r INTEGER, s INTEGER }) and asserts
 * it is strict DER (X.690 §10: definite, minimal lengths; minimal, positive integers; nothing
 * after). Returns IEEE P1363 r || s, each `fieldBytes` long, for WebCrypto.
 */
function strictDerToP1363(der: Uint8Array, fieldBytes: number): Uint8Array<ArrayBuffer> {
  let i = 0
  const length = () => {
    const first = der[i++]!
    if (first < 0x80) return first
    expect(first, 'one length byte at most (P-521 signatures are under 256 bytes)').toBe(0x81)
    const n = der[i++]!
    expect(n, 'long form only when the short form cannot say it').toBeGreaterThanOrEqual(0x80)
    return n
  }
  const integer = () => {
    expect(der[i++], 'INTEGER tag').toBe(0x02)
    const n = length()
    const v = der.subarray(i, i + n)
    i += n
    expect(n).toBeGreaterThan(0)
    expect(v[0]! & 0x80, 'r and s are positive').toBe(0)
    if (n > 1 && v[0] === 0) expect(v[1]! & 0x80, 'no needless leading zero').not.toBe(0)
    const trimmed = v[0] === 0 ? v.subarray(1) : v
    expect(trimmed.length).toBeLessThanOrEqual(fieldBytes)
    const out = new Uint8Array(fieldBytes)
    out.set(trimmed, fieldBytes - trimmed.length)
    return out
  }
  expect(der[i++], 'SEQUENCE tag').toBe(0x30)
  expect(length(), 'SEQUENCE length covers the rest exactly').toBe(der.length - i)
  const r = integer()
  const s = integer()
  expect(i).toBe(der.length)
  const out = new Uint8Array(2 * fieldBytes)
  out.set(r)
  out.set(s, fieldBytes)
  return out
}

/** A DER INTEGER of an unsigned big-endian value; `pad` needless zero bytes in front make it non-minimal (not DER). */
function derInteger(v: Uint8Array, pad = 0): number[] {
  let i = 0
  while (i < v.length - 1 && v[i] === 0) i++
  const body = [...new Array<number>(pad + ((v[i]! & 0x80) !== 0 ? 1 : 0)).fill(0), ...v.subarray(i)]
  return [0x02, ...(body.length < 0x80 ? [body.length] : [0x81, body.length]), ...body]
}
/** A DER SEQUENCE; `longForm` writes a short length in the long form (BER, not DER). */
const derSequence = (body: number[], longForm = false) => Uint8Array.from([0x30, ...(body.length < 0x80 && !longForm ? [body.length] : [0x81, body.length]), ...body])
/** IEEE P1363 r || s (WebCrypto's form) as a DER ECDSA-Sig-Value (KMS's form). */
const p1363ToDer = (p: Uint8Array) => derSequence([...derInteger(p.subarray(0, p.length / 2)), ...derInteger(p.subarray(p.length / 2))])

const store = new MemoryKeyStore()
const { kms } = setup({ keyStore: store })

/** Every spec and usage webkms supports, with what DescribeKey must list for it. */
const CASES: [KeySpec, KeyUsageType, Partial<KeyMetadata>][] = [
  ...RSA_SPECS.flatMap((spec): [KeySpec, KeyUsageType, Partial<KeyMetadata>][] => [
    [spec, 'SIGN_VERIFY', { SigningAlgorithms: RSA_SIGNING }],
    [spec, 'ENCRYPT_DECRYPT', { EncryptionAlgorithms: ['RSAES_OAEP_SHA_1', 'RSAES_OAEP_SHA_256'] }],
  ]),
  ...ECC_SPECS.flatMap((spec): [KeySpec, KeyUsageType, Partial<KeyMetadata>][] => [
    [spec, 'SIGN_VERIFY', { SigningAlgorithms: [ECC[spec].algorithm] }],
    [spec, 'KEY_AGREEMENT', { KeyAgreementAlgorithms: ['ECDH'] }],
  ]),
  ...HMAC_SPECS.map((spec): [KeySpec, KeyUsageType, Partial<KeyMetadata>] => [spec, 'GENERATE_VERIFY_MAC', { MacAlgorithms: [HMAC[spec].algorithm] }]),
]
const ALGORITHM_LISTS = ['SigningAlgorithms', 'EncryptionAlgorithms', 'MacAlgorithms', 'KeyAgreementAlgorithms'] as const

/** One key per case, made once (RSA_4096 generation is slow), and one symmetric key. */
const keys: Record<string, KeyMetadata> = {}
const keyOf = (spec: KeySpec, usage: KeyUsageType) => keys[`${spec}/${usage}`]!
let symmetric: KeyMetadata

beforeAll(async () => {
  const made = await Promise.all(CASES.map(([KeySpec, KeyUsage]) => kms.createKey({ KeySpec, KeyUsage })))
  CASES.forEach(([spec, usage], i) => (keys[`${spec}/${usage}`] = made[i]!.KeyMetadata))
  symmetric = (await kms.createKey()).KeyMetadata
}, SLOW)

describe('CreateKey and DescribeKey for every supported key spec and usage', () => {
  for (const [spec, usage, lists] of CASES) {
    it(`${spec} ${usage}: DescribeKey lists the spec's algorithms and no others`, async () => {
      const { KeyMetadata } = await kms.describeKey({ KeyId: keyOf(spec, usage).KeyId })
      expect(KeyMetadata).toMatchObject({ KeySpec: spec, CustomerMasterKeySpec: spec, KeyUsage: usage, KeyState: 'Enabled', Enabled: true, Origin: 'AWS_KMS' })
      for (const list of ALGORITHM_LISTS) {
        if (lists[list]) expect([...(KeyMetadata[list] as string[])].sort(), list).toEqual([...(lists[list] as string[])].sort())
        else expect(KeyMetadata[list], list).toBeUndefined()
      }
      if (spec.startsWith('RSA') || spec.startsWith('ECC')) {
        const pub = await kms.getPublicKey({ KeyId: keyOf(spec, usage).KeyId })
        expect(pub).toMatchObject({ KeyId: KeyMetadata.Arn, KeySpec: spec, CustomerMasterKeySpec: spec, KeyUsage: usage })
        for (const list of ALGORITHM_LISTS.filter((l) => l !== 'MacAlgorithms')) expect(pub[list as Exclude<typeof list, 'MacAlgorithms'>], list).toEqual(KeyMetadata[list])
      }
    })
  }

  it('an asymmetric key needs a KeyUsage its spec allows', async () => {
    await expectKmsError(kms.createKey({ KeySpec: 'ECC_NIST_P256' }), ValidationException, /KeyUsage is required/)
    await expectKmsError(kms.createKey({ KeySpec: 'ECC_NIST_P256', KeyUsage: 'ENCRYPT_DECRYPT' }), ValidationException)
    await expectKmsError(kms.createKey({ KeySpec: 'RSA_2048', KeyUsage: 'KEY_AGREEMENT' }), ValidationException)
    await expectKmsError(kms.createKey({ KeySpec: 'HMAC_256', KeyUsage: 'SIGN_VERIFY' }), ValidationException)
    // "Optional when you are creating a symmetric encryption KMS key; otherwise, it is required" (CreateKey): HMAC keys too.
    await expectKmsError(kms.createKey({ KeySpec: 'HMAC_256' }), ValidationException, /KeyUsage is required for KeySpec HMAC_256/)
    await expectKmsError(kms.createKey({ KeySpec: 'HMAC_224' }), UnsupportedOperationException)
  })
})

/** Every (signing spec, algorithm) pair KMS allows. */
const SIGNING_CASES: [KeySpec, SigningAlgorithmSpec, { bits?: number; curve?: string; fieldBytes?: number }][] = [
  ...RSA_SPECS.flatMap((spec) => RSA_SIGNING.map((a): [KeySpec, SigningAlgorithmSpec, { bits: number }] => [spec, a, { bits: RSA_BITS[spec] }])),
  ...ECC_SPECS.map((spec): [KeySpec, SigningAlgorithmSpec, { curve: string; fieldBytes: number }] => [spec, ECC[spec].algorithm, ECC[spec]]),
]

describe('Sign and Verify', () => {
  for (const [spec, algorithm, shape] of SIGNING_CASES) {
    it(`${spec} ${algorithm}: Sign, Verify, and WebCrypto verifies with the key from GetPublicKey`, async () => {
      const { KeyId, Arn } = keyOf(spec, 'SIGN_VERIFY')
      const Message = bytes(`a message signed with ${algorithm}`)
      const signed = await kms.sign({ KeyId, Message, SigningAlgorithm: algorithm })
      expect(signed).toMatchObject({ KeyId: Arn, SigningAlgorithm: algorithm })
      if (shape.bits) expect(signed.Signature.length).toBe(shape.bits / 8)
      expect(await kms.verify({ KeyId, Message, Signature: signed.Signature, SigningAlgorithm: algorithm })).toEqual({ KeyId: Arn, SignatureValid: true, SigningAlgorithm: algorithm })
      expect(Message).toEqual(bytes(`a message signed with ${algorithm}`)) // the caller's buffer is left alone

      const { PublicKey } = await kms.getPublicKey({ KeyId })
      const params = webCryptoVerifier(algorithm, shape.curve)
      const publicKey = await subtle.importKey('spki', buf(PublicKey), params.key, false, ['verify'])
      const raw = shape.fieldBytes ? strictDerToP1363(signed.Signature, shape.fieldBytes) : buf(signed.Signature)
      expect(await subtle.verify(params.verify, publicKey, raw, buf(Message))).toBe(true)
      expect(await subtle.verify(params.verify, publicKey, raw, bytes('another message'))).toBe(false)
    }, SLOW)
  }

  it('Verify refuses a tampered signature, a tampered message and another key\'s signature: KMSInvalidSignatureException', async () => {
    const other = (await kms.createKey({ KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY' })).KeyMetadata
    for (const [spec, SigningAlgorithm] of [['RSA_2048', 'RSASSA_PSS_SHA_256'], ['RSA_2048', 'RSASSA_PKCS1_V1_5_SHA_256'], ['ECC_NIST_P256', 'ECDSA_SHA_256'], ['ECC_NIST_P521', 'ECDSA_SHA_512']] as const) {
      const { KeyId } = keyOf(spec, 'SIGN_VERIFY')
      const Message = bytes('pay 10 to bob')
      const { Signature } = await kms.sign({ KeyId, Message, SigningAlgorithm })
      await expectKmsError(kms.verify({ KeyId, Message, Signature: flipBit(Signature, -1), SigningAlgorithm }), KMSInvalidSignatureException)
      await expectKmsError(kms.verify({ KeyId, Message: bytes('pay 99 to bob'), Signature, SigningAlgorithm }), KMSInvalidSignatureException)
      await expectKmsError(kms.verify({ KeyId, Message, Signature: Signature.subarray(0, Signature.length - 1), SigningAlgorithm }), KMSInvalidSignatureException)
      if (spec === 'ECC_NIST_P256') {
        const { Signature: theirs } = await kms.sign({ KeyId: other.KeyId, Message, SigningAlgorithm })
        await expectKmsError(kms.verify({ KeyId, Message, Signature: theirs, SigningAlgorithm }), KMSInvalidSignatureException)
      }
    }
  })

  it('a signature made with one algorithm does not verify as another: KMSInvalidSignatureException', async () => {
    const { KeyId } = keyOf('RSA_2048', 'SIGN_VERIFY')
    const Message = bytes('one algorithm per signature')
    for (const [made, claimed] of [
      ['RSASSA_PKCS1_V1_5_SHA_256', 'RSASSA_PSS_SHA_256'],
      ['RSASSA_PSS_SHA_256', 'RSASSA_PKCS1_V1_5_SHA_256'],
      ['RSASSA_PSS_SHA_256', 'RSASSA_PSS_SHA_384'],
      ['RSASSA_PKCS1_V1_5_SHA_512', 'RSASSA_PKCS1_V1_5_SHA_384'],
    ] as const) {
      const { Signature } = await kms.sign({ KeyId, Message, SigningAlgorithm: made })
      await expectKmsError(kms.verify({ KeyId, Message, Signature, SigningAlgorithm: claimed }), KMSInvalidSignatureException)
    }
  })

  it('an algorithm the key spec does not support: InvalidKeyUsageException, for Sign and Verify', async () => {
    const Message = bytes('m')
    const Signature = new Uint8Array(64)
    for (const [spec, SigningAlgorithm] of [
      ['ECC_NIST_P256', 'ECDSA_SHA_384'],
      ['ECC_NIST_P384', 'ECDSA_SHA_256'],
      ['ECC_NIST_P256', 'RSASSA_PSS_SHA_256'],
      ['RSA_2048', 'ECDSA_SHA_256'],
      ['RSA_2048', 'SM2DSA'],
      ['ECC_NIST_P256', 'ED25519_SHA_512'],
    ] as const) {
      const { KeyId } = keyOf(spec, 'SIGN_VERIFY')
      await expectKmsError(kms.sign({ KeyId, Message, SigningAlgorithm }), InvalidKeyUsageException)
      await expectKmsError(kms.verify({ KeyId, Message, Signature, SigningAlgorithm }), InvalidKeyUsageException)
    }
  })

  it('Sign and Verify need a SIGN_VERIFY key: InvalidKeyUsageException otherwise', async () => {
    for (const key of [keyOf('RSA_2048', 'ENCRYPT_DECRYPT'), keyOf('ECC_NIST_P256', 'KEY_AGREEMENT'), keyOf('HMAC_256', 'GENERATE_VERIFY_MAC'), symmetric]) {
      const SigningAlgorithm = key.KeySpec === 'ECC_NIST_P256' ? 'ECDSA_SHA_256' : 'RSASSA_PSS_SHA_256'
      await expectKmsError(kms.sign({ KeyId: key.KeyId, Message: bytes('m'), SigningAlgorithm }), InvalidKeyUsageException)
      await expectKmsError(kms.verify({ KeyId: key.KeyId, Message: bytes('m'), Signature: new Uint8Array(256), SigningAlgorithm }), InvalidKeyUsageException)
    }
  })

  it('MessageType DIGEST is refused (UnsupportedOperationException); RAW is the default and may be named', async () => {
    const { KeyId } = keyOf('ECC_NIST_P256', 'SIGN_VERIFY')
    const digest = new Uint8Array(await subtle.digest('SHA-256', bytes('m')))
    await expectKmsError(kms.sign({ KeyId, Message: digest, MessageType: 'DIGEST', SigningAlgorithm: 'ECDSA_SHA_256' }), UnsupportedOperationException, /DIGEST/)
    const { Signature } = await kms.sign({ KeyId, Message: bytes('m'), MessageType: 'RAW', SigningAlgorithm: 'ECDSA_SHA_256' })
    await expectKmsError(kms.verify({ KeyId, Message: digest, MessageType: 'DIGEST', Signature, SigningAlgorithm: 'ECDSA_SHA_256' }), UnsupportedOperationException, /DIGEST/)
    expect((await kms.verify({ KeyId, Message: bytes('m'), MessageType: 'RAW', Signature, SigningAlgorithm: 'ECDSA_SHA_256' })).SignatureValid).toBe(true)
  })

  it('a message of 4096 bytes is signed; 4097 bytes or none is a ValidationException', async () => {
    const { KeyId } = keyOf('ECC_NIST_P256', 'SIGN_VERIFY')
    const { Signature } = await kms.sign({ KeyId, Message: filled(4096), SigningAlgorithm: 'ECDSA_SHA_256' })
    expect((await kms.verify({ KeyId, Message: filled(4096), Signature, SigningAlgorithm: 'ECDSA_SHA_256' })).SignatureValid).toBe(true)
    await expectKmsError(kms.sign({ KeyId, Message: filled(4097), SigningAlgorithm: 'ECDSA_SHA_256' }), ValidationException)
    await expectKmsError(kms.verify({ KeyId, Message: filled(4097), Signature, SigningAlgorithm: 'ECDSA_SHA_256' }), ValidationException)
    await expectKmsError(kms.sign({ KeyId, Message: new Uint8Array(0), SigningAlgorithm: 'ECDSA_SHA_256' }), ValidationException)
  })

  it('ECDSA signatures are strict DER; a BER or padded encoding of a valid signature does not verify', async () => {
    for (const spec of ECC_SPECS) {
      const { KeyId } = keyOf(spec, 'SIGN_VERIFY')
      const SigningAlgorithm = ECC[spec].algorithm
      for (let n = 0; n < 8; n++) {
        const Message = bytes(`message ${n}`)
        const { Signature } = await kms.sign({ KeyId, Message, SigningAlgorithm })
        const p1363 = strictDerToP1363(Signature, ECC[spec].fieldBytes)
        expect(p1363ToDer(p1363)).toEqual(Signature)
        if (n > 0) continue
        // The same (r, s) encoded loosely: each must be refused.
        const [r, s] = [p1363.subarray(0, p1363.length / 2), p1363.subarray(p1363.length / 2)]
        const loose = [
          derSequence([...derInteger(r, 1), ...derInteger(s)]), // a needless leading zero
          derSequence([...derInteger(r), ...derInteger(s, 1)]),
          Uint8Array.from([...Signature, 0]), // a trailing byte
          ...(Signature[1]! < 0x80 ? [derSequence([...derInteger(r), ...derInteger(s)], true)] : []), // a long-form length where the short form fits
        ]
        for (const bad of loose) await expectKmsError(kms.verify({ KeyId, Message, Signature: bad, SigningAlgorithm }), KMSInvalidSignatureException)
      }
    }
  })

  it('inputs that are views into larger buffers are read at their offset, and the caller\'s buffers are left as they were', async () => {
    const backing = filled(600, 3)
    const Message = backing.subarray(100, 140)
    const copy = Message.slice()
    const { KeyId } = keyOf('ECC_NIST_P256', 'SIGN_VERIFY')
    const { Signature } = await kms.sign({ KeyId, Message, SigningAlgorithm: 'ECDSA_SHA_256' })
    const framed = new Uint8Array(Signature.length + 20)
    framed.set(Signature, 10)
    expect((await kms.verify({ KeyId, Message: copy, Signature: framed.subarray(10, 10 + Signature.length), SigningAlgorithm: 'ECDSA_SHA_256' })).SignatureValid).toBe(true)
    const publicKey = await subtle.importKey('spki', buf((await kms.getPublicKey({ KeyId })).PublicKey), { name: 'ECDSA', namedCurve: 'P-256' }, false, ['verify'])
    expect(await subtle.verify({ name: 'ECDSA', hash: 'SHA-256' }, publicKey, strictDerToP1363(Signature, 32), copy)).toBe(true)

    const hmac = keyOf('HMAC_256', 'GENERATE_VERIFY_MAC').KeyId
    const { Mac } = await kms.generateMac({ KeyId: hmac, Message, MacAlgorithm: 'HMAC_SHA_256' })
    expect((await kms.generateMac({ KeyId: hmac, Message: copy, MacAlgorithm: 'HMAC_SHA_256' })).Mac).toEqual(Mac)

    const rsa = keyOf('RSA_2048', 'ENCRYPT_DECRYPT').KeyId
    const { CiphertextBlob } = await kms.encrypt({ KeyId: rsa, Plaintext: Message, EncryptionAlgorithm: 'RSAES_OAEP_SHA_256' })
    const framedCiphertext = new Uint8Array(CiphertextBlob.length + 7)
    framedCiphertext.set(CiphertextBlob, 7)
    expect((await kms.decrypt({ KeyId: rsa, CiphertextBlob: framedCiphertext.subarray(7), EncryptionAlgorithm: 'RSAES_OAEP_SHA_256' })).Plaintext).toEqual(copy)

    const peer = (await subtle.generateKey({ name: 'ECDH', namedCurve: 'P-256' }, true, ['deriveBits'])) as CryptoKeyPair
    const peerSpki = new Uint8Array(await subtle.exportKey('spki', peer.publicKey))
    const framedSpki = new Uint8Array(peerSpki.length + 5)
    framedSpki.set(peerSpki, 5)
    const agreement = keyOf('ECC_NIST_P256', 'KEY_AGREEMENT').KeyId
    expect((await kms.deriveSharedSecret({ KeyId: agreement, KeyAgreementAlgorithm: 'ECDH', PublicKey: framedSpki.subarray(5) })).SharedSecret).toEqual(
      (await kms.deriveSharedSecret({ KeyId: agreement, KeyAgreementAlgorithm: 'ECDH', PublicKey: peerSpki })).SharedSecret,
    )
    expect(backing).toEqual(filled(600, 3))
  })

  it('GetPublicKey on a symmetric or HMAC key: UnsupportedOperationException', async () => {
    await expectKmsError(kms.getPublicKey({ KeyId: symmetric.KeyId }), UnsupportedOperationException)
    await expectKmsError(kms.getPublicKey({ KeyId: keyOf('HMAC_256', 'GENERATE_VERIFY_MAC').KeyId }), UnsupportedOperationException)
  })

  it('an EXTERNAL key holding a WebCrypto-made private key: WebCrypto\'s signatures verify in the engine and the engine\'s in WebCrypto', async () => {
    const pair = (await subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-384' }, true, ['sign', 'verify'])) as CryptoKeyPair
    const key = await externalKey(kms, 'ECC_NIST_P384', 'SIGN_VERIFY', new Uint8Array(await subtle.exportKey('pkcs8', pair.privateKey)))
    expect((await kms.getPublicKey({ KeyId: key.KeyId })).PublicKey).toEqual(new Uint8Array(await subtle.exportKey('spki', pair.publicKey)))
    const Message = bytes('signed outside')
    const p1363 = new Uint8Array(await subtle.sign({ name: 'ECDSA', hash: 'SHA-384' }, pair.privateKey, buf(Message)))
    const { Signature: engineSig } = await kms.sign({ KeyId: key.KeyId, Message, SigningAlgorithm: 'ECDSA_SHA_384' })
    expect(await subtle.verify({ name: 'ECDSA', hash: 'SHA-384' }, pair.publicKey, strictDerToP1363(engineSig, 48), buf(Message))).toBe(true)
    const der = p1363ToDer(p1363)
    expect((await kms.verify({ KeyId: key.KeyId, Message, Signature: der, SigningAlgorithm: 'ECDSA_SHA_384' })).SignatureValid).toBe(true)
    await expectKmsError(kms.verify({ KeyId: key.KeyId, Message, Signature: p1363, SigningAlgorithm: 'ECDSA_SHA_384' }), KMSInvalidSignatureException) // P1363 is not what KMS takes
  })
})

describe('RSA encryption (RSAES_OAEP_SHA_1, RSAES_OAEP_SHA_256)', () => {
  for (const spec of RSA_SPECS) {
    for (const algorithm of Object.keys(OAEP) as OaepAlgorithm[]) {
      // RFC 8017 §7.1.1: at most k - 2·hLen - 2 bytes (214/190, 342/318, 470/446).
      const max = RSA_BITS[spec] / 8 - 2 * OAEP[algorithm].hashBytes - 2
      it(`${spec} ${algorithm}: ${max} bytes encrypt (here and with WebCrypto) and decrypt; ${max + 1} bytes are refused`, async () => {
        const { KeyId, Arn } = keyOf(spec, 'ENCRYPT_DECRYPT')
        const EncryptionAlgorithm = algorithm
        const { PublicKey } = await kms.getPublicKey({ KeyId })
        const publicKey = await subtle.importKey('spki', buf(PublicKey), { name: 'RSA-OAEP', hash: OAEP[algorithm].hash }, false, ['encrypt'])
        const plaintext = filled(max, RSA_BITS[spec])
        const theirs = new Uint8Array(await subtle.encrypt({ name: 'RSA-OAEP' }, publicKey, plaintext))
        expect(await kms.decrypt({ KeyId, CiphertextBlob: theirs, EncryptionAlgorithm })).toEqual({ KeyId: Arn, Plaintext: plaintext, EncryptionAlgorithm })

        const ours = await kms.encrypt({ KeyId, Plaintext: plaintext, EncryptionAlgorithm })
        expect(ours).toMatchObject({ KeyId: Arn, EncryptionAlgorithm })
        expect(ours.CiphertextBlob.length).toBe(RSA_BITS[spec] / 8)
        expect((await kms.decrypt({ KeyId, CiphertextBlob: ours.CiphertextBlob, EncryptionAlgorithm })).Plaintext).toEqual(plaintext)
        expect(max).toBe({ RSA_2048: { RSAES_OAEP_SHA_1: 214, RSAES_OAEP_SHA_256: 190 }, RSA_3072: { RSAES_OAEP_SHA_1: 342, RSAES_OAEP_SHA_256: 318 }, RSA_4096: { RSAES_OAEP_SHA_1: 470, RSAES_OAEP_SHA_256: 446 } }[spec][algorithm])
        await expectKmsError(kms.encrypt({ KeyId, Plaintext: filled(max + 1), EncryptionAlgorithm }), ValidationException)
      })
    }
  }

  it('Decrypt of an RSA ciphertext needs KeyId (ValidationException) and the right algorithm; a bad ciphertext is InvalidCiphertextException', async () => {
    const { KeyId } = keyOf('RSA_2048', 'ENCRYPT_DECRYPT')
    const { CiphertextBlob } = await kms.encrypt({ KeyId, Plaintext: bytes('secret'), EncryptionAlgorithm: 'RSAES_OAEP_SHA_256' })
    await expectKmsError(kms.decrypt({ CiphertextBlob, EncryptionAlgorithm: 'RSAES_OAEP_SHA_256' }), ValidationException, /KeyId is required/)
    await expectKmsError(kms.decrypt({ KeyId, CiphertextBlob }), InvalidKeyUsageException) // SYMMETRIC_DEFAULT, the default, is not an RSA algorithm
    await expectKmsError(kms.decrypt({ KeyId, CiphertextBlob, EncryptionAlgorithm: 'RSAES_OAEP_SHA_1' }), InvalidCiphertextException)
    await expectKmsError(kms.decrypt({ KeyId, CiphertextBlob: flipBit(CiphertextBlob, 100), EncryptionAlgorithm: 'RSAES_OAEP_SHA_256' }), InvalidCiphertextException)
    // One byte short. Not the first byte: when it is 0x00 (1 time in 256) the rest is the same integer, which RSA decrypts.
    await expectKmsError(kms.decrypt({ KeyId, CiphertextBlob: CiphertextBlob.subarray(0, -1), EncryptionAlgorithm: 'RSAES_OAEP_SHA_256' }), InvalidCiphertextException)
    await expectKmsError(kms.decrypt({ KeyId: keyOf('RSA_3072', 'ENCRYPT_DECRYPT').KeyId, CiphertextBlob, EncryptionAlgorithm: 'RSAES_OAEP_SHA_256' }), InvalidCiphertextException)
    await expectKmsError(kms.encrypt({ KeyId: symmetric.KeyId, Plaintext: bytes('x'), EncryptionAlgorithm: 'RSAES_OAEP_SHA_256' }), InvalidKeyUsageException)
    await expectKmsError(kms.encrypt({ KeyId, Plaintext: bytes('x') }), InvalidKeyUsageException)
    await expectKmsError(kms.encrypt({ KeyId: keyOf('RSA_2048', 'SIGN_VERIFY').KeyId, Plaintext: bytes('x'), EncryptionAlgorithm: 'RSAES_OAEP_SHA_256' }), InvalidKeyUsageException)
    await expectKmsError(kms.decrypt({ KeyId: keyOf('RSA_2048', 'SIGN_VERIFY').KeyId, CiphertextBlob, EncryptionAlgorithm: 'RSAES_OAEP_SHA_256' }), InvalidKeyUsageException)
  })

  it('an EncryptionContext with an RSA key: ValidationException (only symmetric keys bind one)', async () => {
    const { KeyId } = keyOf('RSA_2048', 'ENCRYPT_DECRYPT')
    const EncryptionAlgorithm = 'RSAES_OAEP_SHA_256'
    await expectKmsError(kms.encrypt({ KeyId, Plaintext: bytes('x'), EncryptionAlgorithm, EncryptionContext: { tenant: 't1' } }), ValidationException)
    const { CiphertextBlob } = await kms.encrypt({ KeyId, Plaintext: bytes('x'), EncryptionAlgorithm })
    await expectKmsError(kms.decrypt({ KeyId, CiphertextBlob, EncryptionAlgorithm, EncryptionContext: { tenant: 't1' } }), ValidationException)
  })

  it('ReEncrypt from an RSA key to a symmetric key, and from a symmetric key to an RSA key', async () => {
    const rsa = keyOf('RSA_2048', 'ENCRYPT_DECRYPT')
    const { PublicKey } = await kms.getPublicKey({ KeyId: rsa.KeyId })
    const publicKey = await subtle.importKey('spki', buf(PublicKey), { name: 'RSA-OAEP', hash: 'SHA-256' }, false, ['encrypt'])
    const secret = bytes('moves between keys')
    const fromRsa = await kms.reEncrypt({
      CiphertextBlob: new Uint8Array(await subtle.encrypt({ name: 'RSA-OAEP' }, publicKey, buf(secret))),
      SourceKeyId: rsa.KeyId,
      SourceEncryptionAlgorithm: 'RSAES_OAEP_SHA_256',
      DestinationKeyId: symmetric.KeyId,
      DestinationEncryptionContext: { purpose: 'test' },
    })
    expect(fromRsa).toMatchObject({ SourceKeyId: rsa.Arn, KeyId: symmetric.Arn, SourceEncryptionAlgorithm: 'RSAES_OAEP_SHA_256', DestinationEncryptionAlgorithm: 'SYMMETRIC_DEFAULT' })
    expect((await kms.decrypt({ CiphertextBlob: fromRsa.CiphertextBlob, EncryptionContext: { purpose: 'test' } })).Plaintext).toEqual(secret)
    await expectKmsError(kms.reEncrypt({ CiphertextBlob: fromRsa.CiphertextBlob, DestinationKeyId: rsa.KeyId, DestinationEncryptionAlgorithm: 'RSAES_OAEP_SHA_1' }), InvalidCiphertextException) // the context is missing

    const toRsa = await kms.reEncrypt({ CiphertextBlob: fromRsa.CiphertextBlob, SourceEncryptionContext: { purpose: 'test' }, DestinationKeyId: rsa.KeyId, DestinationEncryptionAlgorithm: 'RSAES_OAEP_SHA_1' })
    expect(toRsa).toMatchObject({ SourceKeyId: symmetric.Arn, KeyId: rsa.Arn, SourceEncryptionAlgorithm: 'SYMMETRIC_DEFAULT', DestinationEncryptionAlgorithm: 'RSAES_OAEP_SHA_1' })
    expect(toRsa.CiphertextBlob.length).toBe(256)
    expect((await kms.decrypt({ KeyId: rsa.KeyId, CiphertextBlob: toRsa.CiphertextBlob, EncryptionAlgorithm: 'RSAES_OAEP_SHA_1' })).Plaintext).toEqual(secret)
    await expectKmsError(kms.reEncrypt({ CiphertextBlob: toRsa.CiphertextBlob, SourceEncryptionAlgorithm: 'RSAES_OAEP_SHA_1', DestinationKeyId: symmetric.KeyId }), ValidationException, /KeyId is required/)
  })
})

describe('GenerateMac and VerifyMac', () => {
  for (const spec of HMAC_SPECS) {
    const { algorithm, macBytes } = HMAC[spec]
    it(`${spec}: ${algorithm} MACs of ${macBytes} bytes verify; a changed MAC or message is KMSInvalidMacException`, async () => {
      const { KeyId, Arn } = keyOf(spec, 'GENERATE_VERIFY_MAC')
      const Message = bytes('authenticate me')
      const made = await kms.generateMac({ KeyId, Message, MacAlgorithm: algorithm })
      expect(made).toMatchObject({ KeyId: Arn, MacAlgorithm: algorithm })
      expect(made.Mac.length).toBe(macBytes)
      expect((await kms.generateMac({ KeyId, Message, MacAlgorithm: algorithm })).Mac).toEqual(made.Mac) // HMAC is deterministic
      expect(await kms.verifyMac({ KeyId, Message, Mac: made.Mac, MacAlgorithm: algorithm })).toEqual({ KeyId: Arn, MacValid: true, MacAlgorithm: algorithm })
      await expectKmsError(kms.verifyMac({ KeyId, Message, Mac: flipBit(made.Mac, 0), MacAlgorithm: algorithm }), KMSInvalidMacException)
      await expectKmsError(kms.verifyMac({ KeyId, Message, Mac: made.Mac.subarray(0, macBytes - 1), MacAlgorithm: algorithm }), KMSInvalidMacException)
      await expectKmsError(kms.verifyMac({ KeyId, Message: bytes('authenticate mE'), Mac: made.Mac, MacAlgorithm: algorithm }), KMSInvalidMacException)
      const other = HMAC_SPECS.find((s) => s !== spec)!
      const theirs = await kms.generateMac({ KeyId: keyOf(other, 'GENERATE_VERIFY_MAC').KeyId, Message, MacAlgorithm: HMAC[other].algorithm })
      await expectKmsError(kms.verifyMac({ KeyId, Message, Mac: theirs.Mac.subarray(0, macBytes), MacAlgorithm: algorithm }), KMSInvalidMacException)
    })
  }

  it('the message is 1 to 4096 bytes: 4097 bytes is a ValidationException', async () => {
    const { KeyId } = keyOf('HMAC_384', 'GENERATE_VERIFY_MAC')
    const MacAlgorithm = 'HMAC_SHA_384'
    const { Mac } = await kms.generateMac({ KeyId, Message: filled(4096), MacAlgorithm })
    expect((await kms.verifyMac({ KeyId, Message: filled(4096), Mac, MacAlgorithm })).MacValid).toBe(true)
    await expectKmsError(kms.generateMac({ KeyId, Message: filled(4097), MacAlgorithm }), ValidationException)
    await expectKmsError(kms.verifyMac({ KeyId, Message: filled(4097), Mac, MacAlgorithm }), ValidationException)
    await expectKmsError(kms.generateMac({ KeyId, Message: new Uint8Array(0), MacAlgorithm }), ValidationException)
  })

  it('a MacAlgorithm the key does not have, or a key that is not an HMAC key: InvalidKeyUsageException', async () => {
    const { KeyId } = keyOf('HMAC_256', 'GENERATE_VERIFY_MAC')
    for (const MacAlgorithm of ['HMAC_SHA_224', 'HMAC_SHA_384', 'HMAC_SHA_512'] as MacAlgorithmSpec[]) {
      await expectKmsError(kms.generateMac({ KeyId, Message: bytes('m'), MacAlgorithm }), InvalidKeyUsageException)
      await expectKmsError(kms.verifyMac({ KeyId, Message: bytes('m'), Mac: new Uint8Array(32), MacAlgorithm }), InvalidKeyUsageException)
    }
    for (const key of [symmetric, keyOf('ECC_NIST_P256', 'SIGN_VERIFY')]) {
      await expectKmsError(kms.generateMac({ KeyId: key.KeyId, Message: bytes('m'), MacAlgorithm: 'HMAC_SHA_256' }), InvalidKeyUsageException)
    }
    await expectKmsError(kms.encrypt({ KeyId, Plaintext: bytes('m') }), InvalidKeyUsageException)
  })
})

describe('DeriveSharedSecret (ECDH)', () => {
  for (const spec of ECC_SPECS) {
    const { curve, fieldBytes } = ECC[spec]
    it(`${spec}: the engine's shared secret equals the one a WebCrypto peer computes from GetPublicKey`, async () => {
      const { KeyId, Arn } = keyOf(spec, 'KEY_AGREEMENT')
      const peer = (await subtle.generateKey({ name: 'ECDH', namedCurve: curve }, true, ['deriveBits'])) as CryptoKeyPair
      const peerSpki = new Uint8Array(await subtle.exportKey('spki', peer.publicKey))
      const derived = await kms.deriveSharedSecret({ KeyId, KeyAgreementAlgorithm: 'ECDH', PublicKey: peerSpki })
      expect(derived).toMatchObject({ KeyId: Arn, KeyAgreementAlgorithm: 'ECDH', KeyOrigin: 'AWS_KMS' })
      expect(derived.SharedSecret.length).toBe(fieldBytes)
      const { PublicKey } = await kms.getPublicKey({ KeyId })
      const ours = await subtle.importKey('spki', buf(PublicKey), { name: 'ECDH', namedCurve: curve }, false, [])
      const expected = new Uint8Array(await subtle.deriveBits({ name: 'ECDH', public: ours }, peer.privateKey, fieldBytes * 8))
      expect(derived.SharedSecret).toEqual(expected)
    })
  }

  it('a public key that is not a valid point on the key\'s curve: ValidationException', async () => {
    const { KeyId } = keyOf('ECC_NIST_P256', 'KEY_AGREEMENT')
    const p384 = (await subtle.generateKey({ name: 'ECDH', namedCurve: 'P-384' }, true, ['deriveBits'])) as CryptoKeyPair
    const p256 = (await subtle.generateKey({ name: 'ECDH', namedCurve: 'P-256' }, true, ['deriveBits'])) as CryptoKeyPair
    const good = new Uint8Array(await subtle.exportKey('spki', p256.publicKey))
    const rsa = (await kms.getPublicKey({ KeyId: keyOf('RSA_2048', 'ENCRYPT_DECRYPT').KeyId })).PublicKey
    for (const PublicKey of [
      new Uint8Array(await subtle.exportKey('spki', p384.publicKey)), // another curve
      flipBit(good, -1), // y changed: off the curve
      new Uint8Array(await subtle.exportKey('raw', p256.publicKey)), // a bare point, not an SPKI
      rsa,
      Uint8Array.from([0x30, 0x03, 0x02, 0x01, 0x01]),
    ]) {
      await expectKmsError(kms.deriveSharedSecret({ KeyId, KeyAgreementAlgorithm: 'ECDH', PublicKey }), ValidationException)
    }
    expect((await kms.deriveSharedSecret({ KeyId, KeyAgreementAlgorithm: 'ECDH', PublicKey: good })).SharedSecret.length).toBe(32)
  })

  it('DeriveSharedSecret needs a KEY_AGREEMENT key: InvalidKeyUsageException otherwise', async () => {
    const peer = (await subtle.generateKey({ name: 'ECDH', namedCurve: 'P-256' }, true, ['deriveBits'])) as CryptoKeyPair
    const PublicKey = new Uint8Array(await subtle.exportKey('spki', peer.publicKey))
    for (const key of [keyOf('ECC_NIST_P256', 'SIGN_VERIFY'), symmetric]) {
      await expectKmsError(kms.deriveSharedSecret({ KeyId: key.KeyId, KeyAgreementAlgorithm: 'ECDH', PublicKey }), InvalidKeyUsageException)
    }
    await expectKmsError(kms.sign({ KeyId: keyOf('ECC_NIST_P256', 'KEY_AGREEMENT').KeyId, Message: bytes('m'), SigningAlgorithm: 'ECDSA_SHA_256' }), InvalidKeyUsageException)
  })
})

describe('GenerateDataKeyPair and GenerateDataKeyPairWithoutPlaintext', () => {
  const PAIRS: [DataKeyPairSpec, RsaHashedImportParams | EcKeyImportParams, AlgorithmIdentifier | EcdsaParams][] = [
    ...RSA_SPECS.map((spec): [DataKeyPairSpec, RsaHashedImportParams, AlgorithmIdentifier] => [spec, { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' }, 'RSASSA-PKCS1-v1_5']),
    ...ECC_SPECS.map((spec): [DataKeyPairSpec, EcKeyImportParams, EcdsaParams] => [spec, { name: 'ECDSA', namedCurve: ECC[spec].curve }, { name: 'ECDSA', hash: 'SHA-256' }]),
  ]
  for (const [KeyPairSpec, importParams, signParams] of PAIRS) {
    it(`${KeyPairSpec}: the PKCS#8 private key signs what the SPKI public key verifies, and its ciphertext decrypts to it under the same context`, async () => {
      const EncryptionContext = { purpose: 'data key pair', spec: KeyPairSpec }
      const pair = await kms.generateDataKeyPair({ KeyId: symmetric.KeyId, KeyPairSpec, EncryptionContext })
      expect(pair).toMatchObject({ KeyId: symmetric.Arn, KeyPairSpec })
      const privateKey = await subtle.importKey('pkcs8', buf(pair.PrivateKeyPlaintext), importParams, false, ['sign'])
      const publicKey = await subtle.importKey('spki', buf(pair.PublicKey), importParams, false, ['verify'])
      if (KeyPairSpec.startsWith('RSA')) expect((publicKey.algorithm as RsaHashedKeyAlgorithm).modulusLength).toBe(RSA_BITS[KeyPairSpec as RsaSpec])
      const message = bytes('signed with a data key pair')
      const signature = await subtle.sign(signParams, privateKey, message)
      expect(await subtle.verify(signParams, publicKey, signature, message)).toBe(true)
      const opened = await kms.decrypt({ CiphertextBlob: pair.PrivateKeyCiphertextBlob, EncryptionContext })
      expect(opened.Plaintext).toEqual(pair.PrivateKeyPlaintext)
      expect(opened.KeyId).toBe(symmetric.Arn)
      await expectKmsError(kms.decrypt({ CiphertextBlob: pair.PrivateKeyCiphertextBlob }), InvalidCiphertextException)
      await expectKmsError(kms.decrypt({ CiphertextBlob: pair.PrivateKeyCiphertextBlob, EncryptionContext: { ...EncryptionContext, purpose: 'other' } }), InvalidCiphertextException)
    }, SLOW)
  }

  it('WithoutPlaintext returns no private key; its ciphertext decrypts to the pair of the public key', async () => {
    const pair = await kms.generateDataKeyPairWithoutPlaintext({ KeyId: symmetric.KeyId, KeyPairSpec: 'ECC_NIST_P256' })
    expect(pair).not.toHaveProperty('PrivateKeyPlaintext')
    expect(pair).toMatchObject({ KeyId: symmetric.Arn, KeyPairSpec: 'ECC_NIST_P256' })
    const { Plaintext } = await kms.decrypt({ CiphertextBlob: pair.PrivateKeyCiphertextBlob })
    const params = { name: 'ECDSA', namedCurve: 'P-256' }
    const privateKey = await subtle.importKey('pkcs8', buf(Plaintext), params, false, ['sign'])
    const publicKey = await subtle.importKey('spki', buf(pair.PublicKey), params, false, ['verify'])
    const signature = await subtle.sign({ name: 'ECDSA', hash: 'SHA-256' }, privateKey, bytes('m'))
    expect(await subtle.verify({ name: 'ECDSA', hash: 'SHA-256' }, publicKey, signature, bytes('m'))).toBe(true)
  })

  it('a data key pair under a key that is not a symmetric encryption key: InvalidKeyUsageException', async () => {
    for (const key of [keyOf('RSA_2048', 'ENCRYPT_DECRYPT'), keyOf('ECC_NIST_P256', 'SIGN_VERIFY'), keyOf('HMAC_256', 'GENERATE_VERIFY_MAC')]) {
      await expectKmsError(kms.generateDataKeyPair({ KeyId: key.KeyId, KeyPairSpec: 'ECC_NIST_P256' }), InvalidKeyUsageException)
      await expectKmsError(kms.generateDataKeyPairWithoutPlaintext({ KeyId: key.KeyId, KeyPairSpec: 'ECC_NIST_P256' }), InvalidKeyUsageException)
    }
  })

  it('a KeyPairSpec webkms cannot make: UnsupportedOperationException', async () => {
    for (const KeyPairSpec of ['ECC_SECG_P256K1', 'SM2', 'ECC_NIST_EDWARDS25519', 'ML_KEM_768'] as DataKeyPairSpec[]) {
      await expectKmsError(kms.generateDataKeyPair({ KeyId: symmetric.KeyId, KeyPairSpec }), UnsupportedOperationException)
    }
    await expectKmsError(kms.generateDataKeyPair({ KeyId: symmetric.KeyId, KeyPairSpec: 'RSA_1024' as DataKeyPairSpec }), ValidationException)
  })
})

describe('key states', () => {
  /** Each operation that uses an asymmetric or HMAC key, on a fresh key of its kind. */
  const CALLS: [string, () => Promise<[string, () => Promise<unknown>]>][] = [
    ['Sign', async () => {
      const { KeyId } = (await kms.createKey({ KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY' })).KeyMetadata
      return [KeyId, () => kms.sign({ KeyId, Message: bytes('m'), SigningAlgorithm: 'ECDSA_SHA_256' })]
    }],
    ['Verify', async () => {
      const { KeyId } = (await kms.createKey({ KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY' })).KeyMetadata
      const { Signature } = await kms.sign({ KeyId, Message: bytes('m'), SigningAlgorithm: 'ECDSA_SHA_256' })
      return [KeyId, () => kms.verify({ KeyId, Message: bytes('m'), Signature, SigningAlgorithm: 'ECDSA_SHA_256' })]
    }],
    ['GetPublicKey', async () => {
      const { KeyId } = (await kms.createKey({ KeySpec: 'ECC_NIST_P384', KeyUsage: 'KEY_AGREEMENT' })).KeyMetadata
      return [KeyId, () => kms.getPublicKey({ KeyId })]
    }],
    ['GenerateMac', async () => {
      const { KeyId } = (await kms.createKey({ KeySpec: 'HMAC_256', KeyUsage: 'GENERATE_VERIFY_MAC' })).KeyMetadata
      return [KeyId, () => kms.generateMac({ KeyId, Message: bytes('m'), MacAlgorithm: 'HMAC_SHA_256' })]
    }],
    ['VerifyMac', async () => {
      const { KeyId } = (await kms.createKey({ KeySpec: 'HMAC_512', KeyUsage: 'GENERATE_VERIFY_MAC' })).KeyMetadata
      const { Mac } = await kms.generateMac({ KeyId, Message: bytes('m'), MacAlgorithm: 'HMAC_SHA_512' })
      return [KeyId, () => kms.verifyMac({ KeyId, Message: bytes('m'), Mac, MacAlgorithm: 'HMAC_SHA_512' })]
    }],
    ['DeriveSharedSecret', async () => {
      const { KeyId } = (await kms.createKey({ KeySpec: 'ECC_NIST_P256', KeyUsage: 'KEY_AGREEMENT' })).KeyMetadata
      const peer = (await subtle.generateKey({ name: 'ECDH', namedCurve: 'P-256' }, true, ['deriveBits'])) as CryptoKeyPair
      const PublicKey = new Uint8Array(await subtle.exportKey('spki', peer.publicKey))
      return [KeyId, () => kms.deriveSharedSecret({ KeyId, KeyAgreementAlgorithm: 'ECDH', PublicKey })]
    }],
  ]
  it('an EXTERNAL key waiting for its material: Sign, GetPublicKey, GenerateMac and DeriveSharedSecret are KMSInvalidStateException', async () => {
    const signing = (await kms.createKey({ KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY', Origin: 'EXTERNAL' })).KeyMetadata
    const agreement = (await kms.createKey({ KeySpec: 'ECC_NIST_P256', KeyUsage: 'KEY_AGREEMENT', Origin: 'EXTERNAL' })).KeyMetadata
    const hmac = (await kms.createKey({ KeySpec: 'HMAC_256', KeyUsage: 'GENERATE_VERIFY_MAC', Origin: 'EXTERNAL' })).KeyMetadata
    expect(signing).toMatchObject({ KeyState: 'PendingImport', SigningAlgorithms: ['ECDSA_SHA_256'] })
    const peer = (await subtle.generateKey({ name: 'ECDH', namedCurve: 'P-256' }, true, ['deriveBits'])) as CryptoKeyPair
    const PublicKey = new Uint8Array(await subtle.exportKey('spki', peer.publicKey))
    await expectKmsError(kms.sign({ KeyId: signing.KeyId, Message: bytes('m'), SigningAlgorithm: 'ECDSA_SHA_256' }), KMSInvalidStateException)
    await expectKmsError(kms.getPublicKey({ KeyId: signing.KeyId }), KMSInvalidStateException)
    await expectKmsError(kms.deriveSharedSecret({ KeyId: agreement.KeyId, KeyAgreementAlgorithm: 'ECDH', PublicKey }), KMSInvalidStateException)
    await expectKmsError(kms.generateMac({ KeyId: hmac.KeyId, Message: bytes('m'), MacAlgorithm: 'HMAC_SHA_256' }), KMSInvalidStateException)
  })

  for (const [name, make] of CALLS) {
    it(`${name}: works Enabled, DisabledException when Disabled, KMSInvalidStateException when PendingDeletion`, async () => {
      const [KeyId, call] = await make()
      await call()
      await kms.disableKey({ KeyId })
      await expectKmsError(call(), DisabledException)
      await kms.enableKey({ KeyId })
      await call()
      await kms.scheduleKeyDeletion({ KeyId, PendingWindowInDays: 7 })
      await expectKmsError(call(), KMSInvalidStateException)
      await kms.cancelKeyDeletion({ KeyId })
      await expectKmsError(call(), DisabledException) // CancelKeyDeletion leaves the key Disabled
    })
  }
})

describe('grants and key policies', () => {
  const grant = (KeyId: string, Operations: string[], extra: object = {}) => kms.createGrant({ KeyId, GranteePrincipal: CAROL, Operations: Operations as never, ...extra })

  it('each key type takes grants for its own operations only (ValidationException otherwise)', async () => {
    const allowed: [KeyMetadata, string[], string[]][] = [
      [keyOf('ECC_NIST_P256', 'SIGN_VERIFY'), ['Sign', 'Verify', 'GetPublicKey', 'DescribeKey'], ['Encrypt', 'Decrypt', 'GenerateMac', 'DeriveSharedSecret', 'GenerateDataKey']],
      [keyOf('RSA_2048', 'ENCRYPT_DECRYPT'), ['Encrypt', 'Decrypt', 'ReEncryptFrom', 'ReEncryptTo', 'GetPublicKey'], ['Sign', 'GenerateDataKey', 'GenerateDataKeyPair', 'GenerateMac']],
      [keyOf('HMAC_256', 'GENERATE_VERIFY_MAC'), ['GenerateMac', 'VerifyMac'], ['Encrypt', 'Sign', 'GetPublicKey']],
      [keyOf('ECC_NIST_P384', 'KEY_AGREEMENT'), ['DeriveSharedSecret', 'GetPublicKey'], ['Sign', 'Encrypt']],
      [symmetric, ['Encrypt', 'GenerateDataKeyPair', 'GenerateDataKeyPairWithoutPlaintext'], ['Sign', 'GenerateMac', 'GetPublicKey', 'DeriveSharedSecret']],
    ]
    for (const [key, ok, refused] of allowed) {
      const made = await grant(key.KeyId, ok)
      expect(made.GrantId).toMatch(/^[0-9a-f]{64}$/)
      for (const op of refused) await expectKmsError(grant(key.KeyId, [op]), ValidationException, new RegExp(`${op} is not valid`))
    }
  })

  it('grant constraints on an asymmetric or HMAC key: ValidationException', async () => {
    for (const key of [keyOf('RSA_2048', 'ENCRYPT_DECRYPT'), keyOf('HMAC_256', 'GENERATE_VERIFY_MAC'), keyOf('ECC_NIST_P256', 'SIGN_VERIFY')]) {
      const op = key.KeyUsage === 'ENCRYPT_DECRYPT' ? 'Decrypt' : key.KeyUsage === 'SIGN_VERIFY' ? 'Sign' : 'GenerateMac'
      await expectKmsError(grant(key.KeyId, [op], { Constraints: { EncryptionContextSubset: { tenant: 't1' } } }), ValidationException, /constraints/i)
      await expectKmsError(grant(key.KeyId, [op], { Constraints: { EncryptionContextEquals: { tenant: 't1' } } }), ValidationException, /constraints/i)
    }
  })

  it('a grantee signs through its grant, and can do nothing the grant does not name', async () => {
    const { KeyId } = (await kms.createKey({ KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY' })).KeyMetadata
    const carol = kms.as({ principal: CAROL })
    const Message = bytes('signed by carol')
    await expectKmsError(carol.sign({ KeyId, Message, SigningAlgorithm: 'ECDSA_SHA_256' }), AccessDeniedException)
    await grant(KeyId, ['Sign'])
    const { Signature } = await carol.sign({ KeyId, Message, SigningAlgorithm: 'ECDSA_SHA_256' })
    expect((await kms.verify({ KeyId, Message, Signature, SigningAlgorithm: 'ECDSA_SHA_256' })).SignatureValid).toBe(true)
    await expectKmsError(carol.verify({ KeyId, Message, Signature, SigningAlgorithm: 'ECDSA_SHA_256' }), AccessDeniedException)
    await expectKmsError(carol.getPublicKey({ KeyId }), AccessDeniedException)
  })

  it('a key policy condition on kms:SigningAlgorithm allows only the algorithms it names', async () => {
    const { KeyId } = (
      await kms.createKey({
        KeySpec: 'RSA_2048',
        KeyUsage: 'SIGN_VERIFY',
        Policy: policy(
          rootStatement,
          { Sid: 'alice-signs-with-pss', Effect: 'Allow', Principal: { AWS: ALICE }, Action: ['kms:Sign', 'kms:Verify'], Resource: '*', Condition: { StringLike: { 'kms:SigningAlgorithm': 'RSASSA_PSS_*' } } },
          { Sid: 'nobody-signs-pkcs1-sha512', Effect: 'Deny', Principal: { AWS: '*' }, Action: 'kms:Sign', Resource: '*', Condition: { StringEquals: { 'kms:SigningAlgorithm': 'RSASSA_PKCS1_V1_5_SHA_512' } } },
        ),
      })
    ).KeyMetadata
    const alice = kms.as({ principal: ALICE })
    const Message = bytes('m')
    const { Signature } = await alice.sign({ KeyId, Message, SigningAlgorithm: 'RSASSA_PSS_SHA_384' })
    expect((await alice.verify({ KeyId, Message, Signature, SigningAlgorithm: 'RSASSA_PSS_SHA_384' })).SignatureValid).toBe(true)
    await expectKmsError(alice.sign({ KeyId, Message, SigningAlgorithm: 'RSASSA_PKCS1_V1_5_SHA_256' }), AccessDeniedException)
    await kms.sign({ KeyId, Message, SigningAlgorithm: 'RSASSA_PKCS1_V1_5_SHA_384' })
    await expectKmsError(kms.sign({ KeyId, Message, SigningAlgorithm: 'RSASSA_PKCS1_V1_5_SHA_512' }), AccessDeniedException, /explicit deny/)
  }, SLOW)

  it('a key policy condition on kms:MacAlgorithm allows only the algorithm it names', async () => {
    const onlyFor = (MacAlgorithm: string) =>
      policy(rootStatement, { Effect: 'Allow', Principal: { AWS: ALICE }, Action: ['kms:GenerateMac', 'kms:VerifyMac'], Resource: '*', Condition: { StringEquals: { 'kms:MacAlgorithm': MacAlgorithm } } })
    const allowed = (await kms.createKey({ KeySpec: 'HMAC_256', KeyUsage: 'GENERATE_VERIFY_MAC', Policy: onlyFor('HMAC_SHA_256') })).KeyMetadata
    const refused = (await kms.createKey({ KeySpec: 'HMAC_256', KeyUsage: 'GENERATE_VERIFY_MAC', Policy: onlyFor('HMAC_SHA_512') })).KeyMetadata
    const alice = kms.as({ principal: ALICE })
    const { Mac } = await alice.generateMac({ KeyId: allowed.KeyId, Message: bytes('m'), MacAlgorithm: 'HMAC_SHA_256' })
    expect((await alice.verifyMac({ KeyId: allowed.KeyId, Message: bytes('m'), Mac, MacAlgorithm: 'HMAC_SHA_256' })).MacValid).toBe(true)
    await expectKmsError(alice.generateMac({ KeyId: refused.KeyId, Message: bytes('m'), MacAlgorithm: 'HMAC_SHA_256' }), AccessDeniedException)
    await kms.generateMac({ KeyId: refused.KeyId, Message: bytes('m'), MacAlgorithm: 'HMAC_SHA_256' }) // the root, through the root statement
  })
})

describe('what the engine keeps and records', () => {
  it('every private key and HMAC secret in the store is non-extractable: exportKey rejects', async () => {
    const pair = (await subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, ['sign'])) as CryptoKeyPair
    const imported = await externalKey(kms, 'ECC_NIST_P256', 'KEY_AGREEMENT', new Uint8Array(await subtle.exportKey('pkcs8', pair.privateKey)))
    const records = await store.transaction('readonly', (tx) => tx.listKeys())
    const checked = new Set<string>()
    for (const record of records.filter((r) => r.keySpec !== 'SYMMETRIC_DEFAULT' && r.keyState !== 'PendingDeletion' && r.keyState !== 'PendingImport')) {
      expect(record.versions.length, record.keyId).toBeGreaterThan(0)
      for (const version of record.versions) {
        const secrets = record.keySpec.startsWith('HMAC') ? [version.material!] : Object.values(version.privateKeys ?? {})
        expect(secrets.length, `${record.keySpec} ${record.keyUsage}`).toBeGreaterThan(0)
        for (const key of secrets) {
          expect(key.extractable).toBe(false)
          // AWS's HMAC_256/384/512 keys are 256, 384 and 512 bits, used with the hash of the same size.
          if (record.keySpec.startsWith('HMAC')) expect(key.algorithm).toMatchObject({ name: 'HMAC', hash: { name: `SHA-${record.keySpec.slice(5)}` }, length: Number(record.keySpec.slice(5)) })
          if (record.keySpec.startsWith('RSA')) expect((key.algorithm as RsaHashedKeyAlgorithm).modulusLength).toBe(RSA_BITS[record.keySpec as RsaSpec])
          if (record.keySpec.startsWith('ECC')) expect((key.algorithm as EcKeyAlgorithm).namedCurve).toBe(ECC[record.keySpec as EccSpec].curve)
          for (const format of key.type === 'private' ? (['pkcs8', 'jwk'] as const) : (['raw', 'jwk'] as const)) await expect(subtle.exportKey(format, key)).rejects.toThrow()
        }
        checked.add(`${record.keySpec}/${record.keyUsage}`)
      }
    }
    for (const [spec, usage] of CASES) expect(checked).toContain(`${spec}/${usage}`)
    expect(records.some((r) => r.keyId === imported.KeyId)).toBe(true)
  })

  it('the audit trail records Sign, Verify and GenerateMac with their algorithms, never the message', async () => {
    const { kms: audited } = setup()
    const { KeyId, Arn } = (await audited.createKey({ KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY' })).KeyMetadata
    const hmac = (await audited.createKey({ KeySpec: 'HMAC_256', KeyUsage: 'GENERATE_VERIFY_MAC' })).KeyMetadata
    const secret = 'wire 1000000 to account 12345678'
    const Message = bytes(secret)
    const { Signature } = await audited.sign({ KeyId, Message, MessageType: 'RAW', SigningAlgorithm: 'ECDSA_SHA_256' })
    await audited.verify({ KeyId, Message, Signature, SigningAlgorithm: 'ECDSA_SHA_256' })
    await expectKmsError(audited.verify({ KeyId, Message, Signature: flipBit(Signature, -1), SigningAlgorithm: 'ECDSA_SHA_256' }), KMSInvalidSignatureException)
    await audited.generateMac({ KeyId: hmac.KeyId, Message, MacAlgorithm: 'HMAC_SHA_256' })
    const log = await audited.exportAuditLog()
    const events = log.events.filter((e) => ['Sign', 'Verify', 'GenerateMac'].includes(e.eventName as string))
    expect(events.map((e) => [e.eventName, e.errorCode])).toEqual([['Sign', undefined], ['Verify', undefined], ['Verify', 'KMSInvalidSignatureException'], ['GenerateMac', undefined]])
    expect(events[0]).toMatchObject({ requestParameters: { keyId: KeyId, signingAlgorithm: 'ECDSA_SHA_256', messageType: 'RAW' }, resources: [{ ARN: Arn }] })
    expect(events[1]!.requestParameters).toMatchObject({ keyId: KeyId, signingAlgorithm: 'ECDSA_SHA_256' })
    expect(events[3]!.requestParameters).toMatchObject({ keyId: hmac.KeyId, macAlgorithm: 'HMAC_SHA_256' })
    for (const e of events) expect(Object.keys(e.requestParameters ?? {})).not.toContain('message')
    const text = JSON.stringify(log)
    for (const form of [secret, toHex(Message), toBase64(Message), JSON.stringify(Array.from(Message)).slice(1, -1)]) expect(text).not.toContain(form)
  })
})
