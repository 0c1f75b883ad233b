/**
 * Interoperability with the real AWS Encryption SDK for JavaScript (@aws-crypto/client-node
 * 5.0.2): its messages decrypt here and ours decrypt there, over random suites, frame lengths,
 * encryption contexts (including keys whose UTF-8 and UTF-16 orders differ) and plaintext
 * sizes, including 0 and exact multiples of the frame length. Node only: the AWS client is a
 * Node package.
 */
import { RawAesKeyringNode, RawAesWrappingSuiteIdentifier, RawRsaKeyringNode, buildClient as awsBuildClient, CommitmentPolicy as AwsPolicy } from '@aws-crypto/client-node'
import fc from 'fast-check'
import { createPrivateKey, createPublicKey, generateKeyPairSync, randomBytes } from 'node:crypto'
import { describe, expect, it, vi } from 'vitest'
import { buildClient, DecryptionError, RawAesKeyring, RawRsaKeyring, type SuiteId } from '../../src/index.js'

const NAMESPACE = 'interop'
const NAME = 'wrapping-key'
const aesKey = new Uint8Array(randomBytes(32))
const ours = () => new RawAesKeyring({ keyNamespace: NAMESPACE, keyName: NAME, wrappingKey: aesKey })
/**
 * Their raw AES keyring orders the context its legacy way unless told `utf8Sorting: true`
 * (aws-encryption-sdk-javascript#428). We write the specification's order, so reading our
 * messages needs that flag; we read both orders, so their default keyring's messages decrypt.
 */
const theirs = (utf8Sorting?: boolean) =>
  new RawAesKeyringNode({
    keyNamespace: NAMESPACE,
    keyName: NAME,
    // A copy: their keyring takes the key material over and wipes the buffer it was given.
    unencryptedMasterKey: aesKey.slice(),
    wrappingSuite: RawAesWrappingSuiteIdentifier.AES256_GCM_IV12_TAG16_NO_PADDING,
    ...(utf8Sorting === undefined ? {} : { utf8Sorting }),
  })

const v1Suites: SuiteId[] = [0x0014, 0x0046, 0x0078, 0x0114, 0x0146, 0x0178, 0x0214, 0x0346, 0x0378]
const v2Suites: SuiteId[] = [0x0478, 0x0578]
const ourClient = buildClient('REQUIRE_ENCRYPT_ALLOW_DECRYPT')
const ourV1Client = buildClient('FORBID_ENCRYPT_ALLOW_DECRYPT')
const awsClient = awsBuildClient(AwsPolicy.REQUIRE_ENCRYPT_ALLOW_DECRYPT)
const awsV1Client = awsBuildClient(AwsPolicy.FORBID_ENCRYPT_ALLOW_DECRYPT)

/** Contexts from plain ASCII to keys whose UTF-8 and UTF-16 sort orders differ. */
const contexts = fc.oneof(
  fc.constant({}),
  fc.constant({ '\uFF21': 'fullwidth A', '\u{1F600}': 'emoji (a surrogate pair in UTF-16)' }),
  fc.dictionary(fc.string({ unit: 'grapheme', minLength: 1, maxLength: 6 }), fc.string({ unit: 'grapheme', maxLength: 6 }), { maxKeys: 4 }).filter(
    (c) => !Object.keys(c).some((k) => k.startsWith('aws-crypto-')),
  ),
)
const frameLengths = fc.constantFrom(1, 64, 512, 4096)
const plaintexts = (frame: number) =>
  fc.oneof(fc.constant(0), fc.constant(frame), fc.constant(frame * 3), fc.integer({ min: 1, max: 3 * frame + 7 })).map((n) => new Uint8Array(randomBytes(n)))

const cases = fc.record({ suiteId: fc.constantFrom(...v1Suites, ...v2Suites), frameLength: frameLengths, context: contexts }).chain((c) =>
  plaintexts(Math.min(c.frameLength, 1024)).map((plaintext) => ({ ...c, plaintext })),
)

describe('interop with @aws-crypto/client-node 5.0.2', () => {
  it('their messages decrypt here, whichever context order their keyring uses (property)', async () => {
    await fc.assert(
      fc.asyncProperty(cases, fc.constantFrom(undefined, true), async ({ suiteId, frameLength, context, plaintext }, utf8Sorting) => {
        const client = v2Suites.includes(suiteId) ? awsClient : awsV1Client
        const { result } = await client.encrypt(theirs(utf8Sorting), plaintext, { suiteId, frameLength, encryptionContext: context })
        const out = await ourClient.decrypt(ours(), result)
        expect(out.plaintext).toEqual(plaintext)
        expect(out.messageHeader.suiteId).toBe(suiteId)
        for (const [k, v] of Object.entries(context)) expect(out.messageHeader.encryptionContext[k]).toBe(v)
      }),
      { numRuns: 60 },
    )
  })

  it('our messages decrypt there (property)', async () => {
    await fc.assert(
      fc.asyncProperty(cases, async ({ suiteId, frameLength, context, plaintext }) => {
        const client = v2Suites.includes(suiteId) ? ourClient : ourV1Client
        const { result } = await client.encrypt(ours(), plaintext, { suiteId, frameLength, encryptionContext: context })
        const out = await awsClient.decrypt(theirs(true), result)
        expect(new Uint8Array(out.plaintext)).toEqual(plaintext)
        expect(out.messageHeader.suiteId).toBe(suiteId)
      }),
      { numRuns: 60 },
    )
  })

  it('our messages in pieces (encryptToChunks), joined, decrypt there (property)', async () => {
    await fc.assert(
      fc.asyncProperty(cases, async ({ suiteId, frameLength, context, plaintext }) => {
        const client = v2Suites.includes(suiteId) ? ourClient : ourV1Client
        const { chunks, byteLength } = await client.encryptToChunks(ours(), plaintext, { suiteId, frameLength, encryptionContext: context })
        const message = Buffer.concat(chunks)
        expect(message.byteLength).toBe(byteLength)
        const out = await awsClient.decrypt(theirs(true), message)
        expect(new Uint8Array(out.plaintext)).toEqual(plaintext)
        expect(out.messageHeader.suiteId).toBe(suiteId)
      }),
      { numRuns: 40 },
    )
  })

  it("signed messages hashed while their frames seal (Node's own hash) and in one piece at the end (as in browsers, without it) decrypt there and here, whole and in pieces", async () => {
    // 129 frames, 8 sealing (and opening) at once while this thread hashes them in message order.
    const plaintext = new Uint8Array(4 * 1024 * 1024 + 1000)
    for (let at = 0; at < plaintext.length; at += 65536) plaintext.set(randomBytes(Math.min(65536, plaintext.length - at)), at)
    const options = { suiteId: 0x0578 as SuiteId, frameLength: 32768, encryptionContext: { tenant: 'acme' } }
    // Buffer.equals: toEqual walks 4 MiB element by element for a minute.
    const same = (a: Uint8Array) => Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(plaintext)
    const check = async () => {
      const { result } = await ourClient.encrypt(ours(), plaintext, options)
      expect(same((await awsClient.decrypt(theirs(true), result)).plaintext)).toBe(true)
      const { chunks } = await ourClient.encryptToChunks(ours(), plaintext, options)
      expect(same((await awsClient.decrypt(theirs(true), Buffer.concat(chunks))).plaintext)).toBe(true)
      expect(same((await ourClient.decrypt(ours(), result)).plaintext)).toBe(true)
      // A changed bit in the signature itself: only the signature check can catch it.
      const badSignature = result.slice()
      badSignature[badSignature.length - 5]! ^= 1
      await expect(ourClient.decrypt(ours(), badSignature)).rejects.toBeInstanceOf(DecryptionError)
      // In pieces, each frame's bytes are hashed here as it goes to the pool to open (Node).
      expect(same(Buffer.concat((await ourClient.decryptToChunks(ours(), result)).chunks))).toBe(true)
      await expect(ourClient.decryptToChunks(ours(), badSignature)).rejects.toBeInstanceOf(DecryptionError)
    }
    await check()
    const builtin = vi.spyOn(process, 'getBuiltinModule').mockReturnValue(undefined as never)
    try {
      await check()
      expect(builtin).toHaveBeenCalled()
    } finally {
      builtin.mockRestore()
    }
  }, 30_000)

  it('our streamed messages decrypt there, and theirs stream-decrypt here', async () => {
    const plaintext = new Uint8Array(randomBytes(100_000))
    const stream = ourClient.encryptStream(ours(), { frameLength: 4096, encryptionContext: { a: 'b' } })
    const encrypted = new Uint8Array(await new Response(new Blob([plaintext]).stream().pipeThrough(stream)).arrayBuffer())
    expect(new Uint8Array((await awsClient.decrypt(theirs(), encrypted)).plaintext)).toEqual(plaintext)

    const { result } = await awsClient.encrypt(theirs(), plaintext, { frameLength: 1000 })
    const decrypted = new Uint8Array(await new Response(new Blob([new Uint8Array(result)]).stream().pipeThrough(ourClient.decryptStream(ours()))).arrayBuffer())
    expect(decrypted).toEqual(plaintext)
  })

  it('RSA-OAEP with every hash, both directions', async () => {
    const { privateKey: pkcs8 } = generateKeyPairSync('rsa', { modulusLength: 2048, privateKeyEncoding: { type: 'pkcs8', format: 'pem' }, publicKeyEncoding: { type: 'spki', format: 'pem' } })
    const der = createPrivateKey(pkcs8).export({ type: 'pkcs8', format: 'der' })
    const spki = createPublicKey(pkcs8).export({ type: 'spki', format: 'der' })
    const plaintext = new Uint8Array(randomBytes(3000))
    for (const [hash, node] of [['SHA-1', 'sha1'], ['SHA-256', 'sha256'], ['SHA-384', 'sha384'], ['SHA-512', 'sha512']] as const) {
      const alg = { name: 'RSA-OAEP', hash }
      const keyring = new RawRsaKeyring({
        keyNamespace: NAMESPACE,
        keyName: 'rsa',
        oaepHash: hash,
        publicKey: await crypto.subtle.importKey('spki', spki, alg, false, ['encrypt']),
        privateKey: await crypto.subtle.importKey('pkcs8', der, alg, false, ['decrypt']),
      })
      const aws = new RawRsaKeyringNode({ keyNamespace: NAMESPACE, keyName: 'rsa', oaepHash: node, rsaKey: { privateKey: pkcs8, publicKey: createPublicKey(pkcs8).export({ type: 'spki', format: 'pem' }) as string } })
      const ourMessage = (await ourClient.encrypt(keyring, plaintext)).result
      expect(new Uint8Array((await awsClient.decrypt(aws, ourMessage)).plaintext)).toEqual(plaintext)
      const theirMessage = (await awsClient.encrypt(aws, plaintext)).result
      expect((await ourClient.decrypt(keyring, theirMessage)).plaintext).toEqual(plaintext)
    }
  })

  // A leading U+FEFF is text, not a byte order mark to drop (a UTF-8 decoder drops it by default).
  // Their keyring with its legacy order cannot read its own message with this context, so only
  // `utf8Sorting: true` is tried.
  it('a context key or value that starts with U+FEFF survives, both ways: the header reports it as written', async () => {
    const encryptionContext = { '\uFEFFtenant': '\uFEFFacme', tenant: 'plain' }
    const plaintext = new Uint8Array(randomBytes(100))
    const mine = await ourClient.encrypt(ours(), plaintext, { encryptionContext })
    const there = await awsClient.decrypt(theirs(true), mine.result)
    expect(new Uint8Array(there.plaintext)).toEqual(plaintext)
    expect(there.messageHeader.encryptionContext).toMatchObject(encryptionContext)
    const theirMessage = (await awsClient.encrypt(theirs(true), plaintext, { encryptionContext })).result
    const here = await ourClient.decrypt(ours(), theirMessage)
    expect(here.plaintext).toEqual(plaintext)
    expect(here.messageHeader.encryptionContext).toMatchObject(encryptionContext)
    expect(Object.keys(here.messageHeader.encryptionContext).filter((k) => !k.startsWith('aws-crypto-')).sort()).toEqual(['tenant', '\uFEFFtenant'])
    expect((await ourClient.decrypt(ours(), mine.result, { encryptionContext })).messageHeader.encryptionContext).toMatchObject(encryptionContext)
  })

  it("encrypts exactly a subarray's bytes (the AWS browser client's byteOffset bug)", async () => {
    const buffer = new Uint8Array(randomBytes(64))
    const view = buffer.subarray(10, 20)
    const { result } = await ourClient.encrypt(ours(), view)
    expect(new Uint8Array((await awsClient.decrypt(theirs(), result)).plaintext)).toEqual(view)
  })
})
