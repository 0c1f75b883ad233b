/** The envelope client: round trips, tampering, limits, policies and argument errors. */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  algorithmSuites,
  buildClient,
  CommitmentPolicy,
  DecryptionError,
  DEFAULT_FRAME_LENGTH,
  DefaultMaterialsManager,
  type EncryptionMaterials,
  KeyringError,
  type MaterialsManager,
  MultiKeyring,
  RawAesKeyring,
  RequiredEncryptionContextMaterialsManager,
  type SuiteId,
} from '../../src/index.js'
import { HeaderScanner, parseHeader } from '../../src/envelope/format/header.js'
import { aesKeyring, bytes, expectError, pipe } from './helpers.js'

const allowAll = buildClient(CommitmentPolicy.REQUIRE_ENCRYPT_ALLOW_DECRYPT)
const strict = buildClient()
const v1 = buildClient(CommitmentPolicy.FORBID_ENCRYPT_ALLOW_DECRYPT)
const suites = Object.values(algorithmSuites)
const clientFor = (id: SuiteId) => (algorithmSuites[id].committing ? allowAll : v1)

describe('round trips', () => {
  it('every suite, frame length and context, including 0 bytes and exact frame multiples (property)', async () => {
    const keyring = aesKeyring()
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...suites.map((s) => s.id)),
        fc.integer({ min: 1, max: 300 }),
        fc.dictionary(fc.string({ minLength: 1, maxLength: 5 }).filter((k) => !k.startsWith('aws-crypto-')), fc.string({ maxLength: 5 }), { maxKeys: 3 }),
        fc.integer({ min: 0, max: 4 }),
        fc.integer({ min: 0, max: 300 }),
        async (suiteId, frameLength, encryptionContext, frames, extra) => {
          const plaintext = bytes(frames * frameLength + (extra % 2 ? 0 : extra))
          const { result, messageHeader } = await clientFor(suiteId).encrypt(keyring, plaintext, { suiteId, frameLength, encryptionContext })
          expect(messageHeader.suiteId).toBe(suiteId)
          const out = await allowAll.decrypt(keyring, result)
          expect(out.plaintext).toEqual(plaintext)
          expect(out.messageHeader.encryptionContext).toMatchObject(encryptionContext)
        },
      ),
      { numRuns: 60 },
    )
  })

  it('defaults: suite 0x0578, frame length 256 KiB, header shaped as the AWS SDK\'s', async () => {
    const { result, messageHeader } = await strict.encrypt(aesKeyring(), 'hello', { encryptionContext: { purpose: 'test' } })
    expect(DEFAULT_FRAME_LENGTH).toBe(262144)
    expect(messageHeader).toMatchObject({ version: 2, suiteId: 0x0578, contentType: 2, frameLength: DEFAULT_FRAME_LENGTH })
    expect(messageHeader.messageId).toHaveLength(32)
    expect(messageHeader.encryptionContext).toEqual({ purpose: 'test', 'aws-crypto-public-key': expect.any(String) })
    expect(messageHeader.encryptedDataKeys).toEqual([expect.objectContaining({ providerId: 'tests', providerInfo: expect.stringMatching(/^key/) })])
    expect(new TextDecoder().decode((await strict.decrypt(aesKeyring(), result)).plaintext)).toBe('hello')
  })

  it("respects the byteOffset of the views it is given", async () => {
    const keyring = aesKeyring()
    const backing = bytes(100)
    const { result } = await strict.encrypt(keyring, backing.subarray(10, 20))
    const padded = new Uint8Array(result.length + 9)
    padded.set(result, 4)
    expect((await strict.decrypt(keyring, padded.subarray(4, 4 + result.length))).plaintext).toEqual(backing.subarray(10, 20))
  })

  it('a multi-keyring message decrypts with any one of its keyrings', async () => {
    const a = aesKeyring('a')
    const b = aesKeyring('b', new Uint8Array(16).fill(9))
    const { result, messageHeader } = await strict.encrypt(new MultiKeyring({ generator: a, children: [b] }), bytes(50))
    expect(messageHeader.encryptedDataKeys).toHaveLength(2)
    expect((await strict.decrypt(a, result)).plaintext).toEqual(bytes(50))
    expect((await strict.decrypt(b, result)).plaintext).toEqual(bytes(50))
    await expectError(strict.decrypt(aesKeyring('c'), result), DecryptionError, 'ERR_ENVELOPE_DECRYPTION_FAILED')
  })

  it('a multi-keyring with a generator, given materials that already have a data key (as a child of another), fails (multi-keyring.md)', async () => {
    const nested = new MultiKeyring({ generator: aesKeyring('a'), children: [new MultiKeyring({ generator: aesKeyring('b') })] })
    await expectError(strict.encrypt(nested, bytes(10)), KeyringError, 'ERR_ENVELOPE_KEYRING')
    // As a child without a generator it only wraps the data key it is given.
    const wrapping = new MultiKeyring({ generator: aesKeyring('a'), children: [new MultiKeyring({ children: [aesKeyring('b')] })] })
    expect((await strict.encrypt(wrapping, bytes(10))).messageHeader.encryptedDataKeys).toHaveLength(2)
  })
})

const concat = (chunks: Uint8Array[]) => {
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.byteLength, 0))
  chunks.reduce((at, c) => (out.set(c, at), at + c.byteLength), 0)
  return out
}

describe('chunked output (encryptToChunks, decryptToChunks)', () => {
  it('the pieces, joined, are a message every decrypt reads; decryptToChunks gives one piece per frame (property)', async () => {
    const keyring = aesKeyring()
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...suites.map((s) => s.id)),
        fc.integer({ min: 1, max: 300 }),
        fc.integer({ min: 0, max: 4 }),
        fc.integer({ min: 0, max: 300 }),
        async (suiteId, frameLength, frames, extra) => {
          const plaintext = bytes(frames * frameLength + (extra % 2 ? 0 : extra))
          const encryptionContext = { purpose: 'chunks' }
          const sealed = await clientFor(suiteId).encryptToChunks(keyring, plaintext, { suiteId, frameLength, encryptionContext })
          const message = concat(sealed.chunks)
          expect(sealed.byteLength).toBe(message.byteLength)
          expect(sealed.messageHeader.suiteId).toBe(suiteId)
          expect(parseHeader(message).header.messageId).toEqual(sealed.messageHeader.messageId)
          expect((await allowAll.decrypt(keyring, message, { encryptionContext })).plaintext).toEqual(plaintext)

          const opened = await allowAll.decryptToChunks(keyring, message, { encryptionContext })
          expect(opened.chunks).toHaveLength(Math.max(1, Math.ceil(plaintext.byteLength / frameLength)))
          expect(opened.byteLength).toBe(plaintext.byteLength)
          expect(concat(opened.chunks)).toEqual(plaintext)
          expect(opened.messageHeader.messageId).toEqual(sealed.messageHeader.messageId)
        },
      ),
      { numRuns: 60 },
    )
  })

  it('decryptToChunks refuses what decrypt refuses, with the same opaque error', async () => {
    const keyring = aesKeyring()
    for (const suiteId of [0x0478, 0x0578] as SuiteId[]) {
      const { result } = await strict.encrypt(keyring, bytes(40), { suiteId, frameLength: 16, encryptionContext: { a: 'b' } })
      for (let i = 0; i < result.length; i += 7) {
        const bad = result.slice()
        bad[i]! ^= 0x40
        const error = await expectError(strict.decryptToChunks(keyring, bad), DecryptionError, 'ERR_ENVELOPE_DECRYPTION_FAILED')
        expect(error.message).toBe('decryption operation failed')
      }
      await expectError(strict.decryptToChunks(keyring, result.subarray(0, result.length - 1)), DecryptionError, 'ERR_ENVELOPE_DECRYPTION_FAILED')
      await expectError(strict.decryptToChunks(keyring, result, { encryptionContext: { a: 'c' } }), DecryptionError, 'ERR_ENVELOPE_DECRYPTION_FAILED')
      await expectError(strict.decryptToChunks(aesKeyring('other'), result), DecryptionError, 'ERR_ENVELOPE_DECRYPTION_FAILED')
    }
  })

  it('a signed message in pieces ends with its footer: the signature verifies over the joined pieces', async () => {
    const keyring = aesKeyring()
    const { chunks } = await strict.encryptToChunks(keyring, bytes(1000), { frameLength: 100 })
    // head, 10 frames as (fields, sealed bytes in one or two pieces), footer: none empty
    expect(chunks.length).toBeGreaterThanOrEqual(1 + 2 * 10 + 1)
    expect(chunks.every((c) => c.byteLength > 0)).toBe(true)
    const footer = chunks.at(-1)!
    expect((footer[0]! << 8) | footer[1]!).toBe(footer.byteLength - 2)
    expect((await strict.decrypt(keyring, concat(chunks))).plaintext).toEqual(bytes(1000))
    await expectError(strict.decrypt(keyring, concat(chunks.slice(0, -1))), DecryptionError, 'ERR_ENVELOPE_DECRYPTION_FAILED')
    const otherSignature = (await strict.encryptToChunks(keyring, bytes(1000), { frameLength: 100 })).chunks.at(-1)!
    await expectError(strict.decrypt(keyring, concat([...chunks.slice(0, -1), otherSignature])), DecryptionError, 'ERR_ENVELOPE_DECRYPTION_FAILED')
    await expectError(strict.decryptToChunks(keyring, concat([...chunks.slice(0, -1), otherSignature])), DecryptionError, 'ERR_ENVELOPE_DECRYPTION_FAILED')
    expect((await strict.decryptToChunks(keyring, concat(chunks))).chunks).toEqual(Array.from({ length: 10 }, (_, i) => bytes(1000).subarray(100 * i, 100 * i + 100)))
  })

  it('reports progress and refuses bad arguments as encrypt does', async () => {
    const seen: number[] = []
    await strict.encryptToChunks(aesKeyring(), bytes(25), { frameLength: 10, onProgress: (d) => seen.push(d) })
    expect(seen.sort((a, b) => a - b).at(-1)).toBe(25)
    expect(seen).toHaveLength(3)
    await expect(strict.encryptToChunks(aesKeyring(), 42 as never)).rejects.toThrow(TypeError)
    await expect(strict.encryptToChunks(aesKeyring(), 42 as never)).rejects.toThrow(/"plaintext"/)
    await expect(strict.encryptToChunks(aesKeyring(), bytes(1), { frameLength: 0 })).rejects.toThrow(RangeError)
    await expect(strict.encryptToChunks({} as never, bytes(1))).rejects.toThrow(/"keyring"/)
  })
})

describe('tampering', () => {
  for (const suiteId of [0x0478, 0x0578, 0x0178, 0x0378] as SuiteId[]) {
    it(`every single-byte change of a small ${suiteId.toString(16).padStart(4, '0')} message is rejected`, async () => {
      const keyring = aesKeyring()
      const { result } = await clientFor(suiteId).encrypt(keyring, bytes(40), { suiteId, frameLength: 16, encryptionContext: { a: 'b' } })
      for (let i = 0; i < result.length; i++) {
        const bad = result.slice()
        bad[i]! ^= 0x40
        await expect(allowAll.decrypt(keyring, bad), `byte ${i}`).rejects.toBeInstanceOf(DecryptionError)
      }
    })
  }

  it('truncated at any length, or with bytes after the end, is rejected', async () => {
    const keyring = aesKeyring()
    for (const suiteId of [0x0478, 0x0578] as SuiteId[]) {
      const { result } = await strict.encrypt(keyring, bytes(40), { suiteId, frameLength: 16 })
      for (let n = 0; n < result.length; n++) await expect(strict.decrypt(keyring, result.subarray(0, n)), `length ${n}`).rejects.toBeInstanceOf(DecryptionError)
      const longer = new Uint8Array(result.length + 1)
      longer.set(result)
      await expectError(strict.decrypt(keyring, longer), DecryptionError)
    }
  })

  it('swapped frames are rejected', async () => {
    const keyring = aesKeyring()
    const { result } = await strict.encrypt(keyring, bytes(64), { suiteId: 0x0478, frameLength: 16 })
    const start = parseHeader(result).length
    const frame = 4 + 12 + 16 + 16 // sequence number, IV, content, tag
    const swapped = result.slice()
    swapped.set(result.subarray(start, start + frame), start + frame)
    swapped.set(result.subarray(start + frame, start + 2 * frame), start)
    expect(swapped).not.toEqual(result)
    await expectError(strict.decrypt(keyring, swapped), DecryptionError)
  })

  it('one opaque error: the message says nothing about the cause', async () => {
    const keyring = aesKeyring()
    const { result } = await strict.encrypt(keyring, bytes(10))
    const bad = result.slice()
    bad[bad.length - 1]! ^= 1
    const a = await expectError(strict.decrypt(keyring, bad), DecryptionError)
    const b = await expectError(strict.decrypt(aesKeyring('other'), result), DecryptionError)
    expect(a.message).toBe('decryption operation failed')
    expect(b.message).toBe(a.message)
  })

  it('nor does its cause: a failed check of the message (format, tag, commitment, signature, truncation) leaves none', async () => {
    const keyring = aesKeyring()
    const { result } = await strict.encrypt(keyring, bytes(100)) // the default suite: committing, signed
    const flip = (at: number) => {
      const bad = result.slice()
      bad[at]! ^= 1
      return bad
    }
    const body = result.length - 200
    const cases = {
      'body byte': flip(body),
      'signature byte': flip(result.length - 1),
      'message ID byte': flip(5),
      truncated: result.subarray(0, result.length - 10),
      'trailing byte': Uint8Array.of(...result, 0),
      'not a message': bytes(50),
    }
    for (const [what, message] of Object.entries(cases)) {
      const e = await expectError(strict.decrypt(keyring, message), DecryptionError)
      expect(e.cause, what).toBeUndefined()
      const streamed = await expectError(pipe(message, strict.decryptStream(keyring)), DecryptionError)
      expect(streamed.cause, `${what}, streamed`).toBeUndefined()
    }
    // A refusal by the caller's own settings tells nothing secret: it stays, for the developer.
    const refused = await expectError(strict.decrypt(keyring, result, { forbidSignedMessages: true }), DecryptionError)
    expect((refused.cause as Error).message).toBe('signed message forbidden')
  })
})

describe('a failure halts the call', () => {
  it('no frame starts after one fails, and nothing of the call runs once it has rejected', async () => {
    const keyring = aesKeyring()
    const frameLength = 4096
    const { result } = await strict.encrypt(keyring, bytes(64 * frameLength), { suiteId: 0x0478, frameLength })
    const headerLength = new HeaderScanner({ maxEncryptedDataKeys: 1, maxHeaderLength: Infinity }).push(result)!
    const bad = result.slice()
    bad[headerLength + 2 * (4 + 12 + frameLength + 16) + 30]! ^= 1 // the third frame's ciphertext
    for (const decrypt of [strict.decrypt, strict.decryptToChunks]) {
      let rejected = false
      let afterRejection = 0
      let opened = 0
      const onProgress = () => {
        opened++
        if (rejected) afterRejection++
      }
      await expectError(
        decrypt(keyring, bad, { onProgress }).finally(() => (rejected = true)),
        DecryptionError,
        'ERR_ENVELOPE_DECRYPTION_FAILED',
      )
      await new Promise((resolve) => setTimeout(resolve, 50))
      expect(afterRejection).toBe(0)
      // The two frames before it, and at most the others already in flight (8 at a time), of 64.
      expect(opened).toBeGreaterThanOrEqual(2)
      expect(opened).toBeLessThanOrEqual(2 + 7)
    }
  })
})

describe('materials managers of the caller’s own', () => {
  /** A materials manager that changes what the default one gives. */
  const changing = (change: (m: EncryptionMaterials) => EncryptionMaterials, changeKey?: (key: Uint8Array) => Uint8Array): MaterialsManager => {
    const inner = new DefaultMaterialsManager(aesKeyring())
    return {
      getEncryptionMaterials: async (request) => change(await inner.getEncryptionMaterials(request)),
      decryptMaterials: async (request) => {
        const materials = await inner.decryptMaterials(request)
        return changeKey ? { ...materials, plaintextDataKey: changeKey(materials.plaintextDataKey!) } : materials
      },
    }
  }

  it('must give a data key of the suite’s length and at least one encrypted data key', async () => {
    for (const suiteId of [0x0478, 0x0578, 0x0178] as const) {
      const client = suiteId === 0x0178 ? v1 : strict
      // AES-128's key for a suite that names AES-256: without the check, 0x0178 (no KDF) sealed with AES-128.
      const shortKey = changing((m) => ({ ...m, plaintextDataKey: m.plaintextDataKey!.subarray(0, 16) }))
      await expectError(client.encrypt(shortKey, bytes(10), { suiteId }), KeyringError, 'ERR_ENVELOPE_KEYRING')
      await expectError(client.encryptToChunks(shortKey, bytes(10), { suiteId }), KeyringError, 'ERR_ENVELOPE_KEYRING')
      const noEdk = changing((m) => ({ ...m, encryptedDataKeys: [] }))
      await expectError(client.encrypt(noEdk, bytes(10), { suiteId }), KeyringError, 'ERR_ENVELOPE_KEYRING')
      const { result } = await client.encrypt(aesKeyring(), bytes(10), { suiteId })
      await expectError(client.decrypt(changing((m) => m, (key) => key.subarray(0, 16)), result), DecryptionError, 'ERR_ENVELOPE_DECRYPTION_FAILED')
      await expectError(pipe(result, client.decryptStream(changing((m) => m, (key) => key.subarray(0, 16)))), DecryptionError, 'ERR_ENVELOPE_DECRYPTION_FAILED')
      expect((await client.decrypt(changing((m) => m), result)).plaintext).toEqual(bytes(10))
    }
  })
})

describe('encryption context', () => {
  it('a supplied context must match the stored one', async () => {
    const keyring = aesKeyring()
    const { result } = await strict.encrypt(keyring, bytes(10), { encryptionContext: { tenant: 'a' } })
    expect((await strict.decrypt(keyring, result, { encryptionContext: { tenant: 'a' } })).plaintext).toEqual(bytes(10))
    await expectError(strict.decrypt(keyring, result, { encryptionContext: { tenant: 'b' } }), DecryptionError)
    await expectError(strict.decrypt(keyring, result, { encryptionContext: { tenant: 'a', extra: 'x' } }), DecryptionError)
  })

  it('required pairs are authenticated but not stored; decrypt must supply them', async () => {
    const cmm = new RequiredEncryptionContextMaterialsManager({ underlying: aesKeyring(), requiredEncryptionContextKeys: ['tenant'] })
    const { result, messageHeader } = await strict.encrypt(cmm, bytes(10), { encryptionContext: { tenant: 'a', purpose: 'p' } })
    expect(messageHeader.encryptionContext).not.toHaveProperty('tenant')
    expect(messageHeader.encryptionContext).toHaveProperty('purpose', 'p')
    expect(new TextDecoder().decode(result)).not.toContain('tenant')
    expect((await strict.decrypt(cmm, result, { encryptionContext: { tenant: 'a' } })).plaintext).toEqual(bytes(10))
    expect((await strict.decrypt(aesKeyring(), result, { encryptionContext: { tenant: 'a' } })).plaintext).toEqual(bytes(10))
    await expectError(strict.decrypt(cmm, result), DecryptionError)
    await expectError(strict.decrypt(aesKeyring(), result), DecryptionError)
    await expectError(strict.decrypt(aesKeyring(), result, { encryptionContext: { tenant: 'b' } }), DecryptionError)
    await expect(strict.encrypt(cmm, bytes(1), { encryptionContext: { purpose: 'p' } })).rejects.toThrow(TypeError)
  })

  it('keys starting aws-crypto- are reserved', async () => {
    await expect(strict.encrypt(aesKeyring(), bytes(1), { encryptionContext: { 'aws-crypto-public-key': 'x' } })).rejects.toThrow(TypeError)
    await expect(strict.encrypt(aesKeyring(), bytes(1), { encryptionContext: { 'aws-crypto-anything': 'x' } })).rejects.toThrow(TypeError)
  })
})

describe('policies and limits', () => {
  it('REQUIRE_ENCRYPT_REQUIRE_DECRYPT refuses to decrypt messages without key commitment', async () => {
    const keyring = aesKeyring()
    const { result } = await v1.encrypt(keyring, bytes(10))
    expect((await v1.encrypt(keyring, bytes(1))).messageHeader.suiteId).toBe(0x0378)
    await expectError(strict.decrypt(keyring, result), DecryptionError)
    expect((await allowAll.decrypt(keyring, result)).plaintext).toEqual(bytes(10))
  })

  it('a suite the policy forbids is a RangeError naming suiteId', async () => {
    await expect(strict.encrypt(aesKeyring(), bytes(1), { suiteId: 0x0178 })).rejects.toThrow(/"suiteId"/)
    await expect(v1.encrypt(aesKeyring(), bytes(1), { suiteId: 0x0478 })).rejects.toThrow(RangeError)
  })

  it('maxEncryptedDataKeys bounds encrypt and decrypt', async () => {
    const keyring = new MultiKeyring({ generator: aesKeyring('a'), children: [aesKeyring('b'), aesKeyring('c')] })
    await expect(strict.encrypt(keyring, bytes(1), { maxEncryptedDataKeys: 2 })).rejects.toThrow(RangeError)
    const { result } = await strict.encrypt(keyring, bytes(1), { maxEncryptedDataKeys: 3 })
    await expectError(strict.decrypt(keyring, result, { maxEncryptedDataKeys: 2 }), DecryptionError)
    await expectError(buildClient({ maxEncryptedDataKeys: 2 }).decrypt(keyring, result), DecryptionError)
    expect((await strict.decrypt(keyring, result, { maxEncryptedDataKeys: 3 })).plaintext).toEqual(bytes(1))
  })

  it('maxBodySize refuses larger bodies before decrypting them', async () => {
    const { result } = await strict.encrypt(aesKeyring(), bytes(100), { frameLength: 10 })
    await expectError(strict.decrypt(aesKeyring(), result, { maxBodySize: 99 }), DecryptionError)
    expect((await strict.decrypt(aesKeyring(), result, { maxBodySize: 100 })).plaintext).toHaveLength(100)
  })

  it('forbidSignedMessages refuses signed suites', async () => {
    const signed = (await strict.encrypt(aesKeyring(), bytes(5))).result
    const unsigned = (await strict.encrypt(aesKeyring(), bytes(5), { suiteId: 0x0478 })).result
    await expectError(strict.decrypt(aesKeyring(), signed, { forbidSignedMessages: true }), DecryptionError)
    expect((await strict.decrypt(aesKeyring(), unsigned, { forbidSignedMessages: true })).plaintext).toEqual(bytes(5))
  })

  it('reports progress in bytes', async () => {
    const seen: [number, number | undefined][] = []
    const { result } = await strict.encrypt(aesKeyring(), bytes(25), { frameLength: 10, onProgress: (d, t) => seen.push([d, t]) })
    expect(seen).toHaveLength(3) // frames of 10, 10 and 5 bytes
    expect(seen.every(([d], i) => i === 0 || d > seen[i - 1]![0])).toBe(true)
    expect(seen.at(-1)).toEqual([25, 25])
    const decrypted: number[] = []
    await strict.decrypt(aesKeyring(), result, { onProgress: (d) => decrypted.push(d) })
    expect(decrypted).toHaveLength(3)
    expect(decrypted.at(-1)).toBe(25)
  })
})

describe('argument errors name the argument', () => {
  it('TypeError and RangeError', async () => {
    await expect(strict.encrypt({} as never, bytes(1))).rejects.toThrow(/"keyring"/)
    await expect(strict.encrypt(aesKeyring(), 42 as never)).rejects.toThrow(/"plaintext"/)
    await expect(strict.encrypt(aesKeyring(), bytes(1), { frameLength: 0 })).rejects.toThrow(RangeError)
    await expect(strict.encrypt(aesKeyring(), bytes(1), { suiteId: 0x1234 as never })).rejects.toThrow(/"suiteId"/)
    await expect(strict.encrypt(aesKeyring(), bytes(1), { encryptionContext: { a: 1 } as never })).rejects.toThrow(/"encryptionContext"/)
    await expect(strict.decrypt(aesKeyring(), 'text' as never)).rejects.toBeInstanceOf(DecryptionError)
    expect(() => buildClient('SOMETIMES' as never)).toThrow(/"commitmentPolicy"/)
    expect(() => new RawAesKeyring({ keyNamespace: 'aws-kms', keyName: 'k', wrappingKey: new Uint8Array(32) })).toThrow(/reserved/)
    expect(() => new RawAesKeyring({ keyNamespace: 'n', keyName: 'k', wrappingKey: new Uint8Array(20) })).toThrow(/"wrappingKey" expected 16, 24 or 32 bytes, got length=20/)
  })
})
