/**
 * The encryption context as the envelope stores and authenticates it: its own serialization
 * (framework/structures.md, "Serialization"), its own errors, and every pair kept exactly,
 * including a key named `__proto__` (which JSON.parse and structured clone make an own property).
 */
import { describe, expect, it } from 'vitest'
import { buildClient, CommitmentPolicy, DecryptionError, RequiredEncryptionContextMaterialsManager } from '../../src/index.js'
import { parseEncryptionContext, serializeEncryptionContext } from '../../src/envelope/format/encryptionContext.js'
import { parseHeader } from '../../src/envelope/format/header.js'
import { Malformed } from '../../src/envelope/format/reader.js'
import { fromHex, toHex } from '../../src/util/bytes.js'
import { aesKeyring, bytes, expectError, pipe } from './helpers.js'

const client = buildClient()
const allowAll = buildClient(CommitmentPolicy.REQUIRE_ENCRYPT_ALLOW_DECRYPT)
const withProto = () => JSON.parse('{"__proto__":"a","k":"v"}') as Record<string, string>
const only = (key: string, value: string) => Object.fromEntries([[key, value]]) as Record<string, string>

describe('serialization', () => {
  it('uint16 count, then uint16-length-prefixed UTF-8 keys and values, sorted by the UTF-8 bytes of the keys', () => {
    // U+FF21 (EF BC A1) sorts before U+1F600 (F0 9F 98 80) in UTF-8, after it in UTF-16.
    const hex = toHex(serializeEncryptionContext({ '\u{1F600}': '2', '\uFF21': '1' }))
    expect(hex).toBe('0002' + '0003efbca1' + '000131' + '0004f09f9880' + '000132')
    expect(parseEncryptionContext(fromHex(hex))).toEqual({ '\uFF21': '1', '\u{1F600}': '2' })
  })

  it('an empty context is zero bytes in the header (data-format/message-header.md, "Key Value Pairs")', async () => {
    expect(serializeEncryptionContext({})).toHaveLength(0)
    const { result } = await client.encrypt(aesKeyring(), bytes(1), { suiteId: 0x0478 })
    expect(toHex(result.subarray(1 + 2 + 32, 1 + 2 + 32 + 2))).toBe('0000')
  })

  it('a value over 65535 bytes is a RangeError naming "encryptionContext", to encrypt and to decrypt', async () => {
    const big = { k: 'x'.repeat(0x10000) }
    await expect(client.encrypt(aesKeyring(), bytes(1), { encryptionContext: big })).rejects.toThrow(RangeError)
    await expect(client.encrypt(aesKeyring(), bytes(1), { encryptionContext: big })).rejects.toThrow(/"encryptionContext"/)
    expect(() => client.encryptStream(aesKeyring(), { encryptionContext: big })).toThrow(RangeError)
    const { result } = await client.encrypt(aesKeyring(), bytes(1))
    await expect(client.decrypt(aesKeyring(), result, { encryptionContext: big })).rejects.toThrow(/"encryptionContext"/)
    expect(() => client.decryptStream(aesKeyring(), { encryptionContext: big })).toThrow(RangeError)
    await expect(client.encrypt(aesKeyring(), bytes(1), { encryptionContext: { ['k'.repeat(0x10000)]: 'v' } })).rejects.toThrow(RangeError)
  })

  it('a context that fits alone but not with the signing key\'s public key is a RangeError, never a corrupt header', async () => {
    // 2 (count) + 2 + 1 + 2 + n bytes: 65535 exactly; the signed suite adds aws-crypto-public-key.
    const full = { k: 'x'.repeat(0xffff - 7) }
    expect(serializeEncryptionContext(full)).toHaveLength(0xffff)
    const unsigned = await client.encrypt(aesKeyring(), bytes(1), { suiteId: 0x0478, encryptionContext: full })
    expect((await client.decrypt(aesKeyring(), unsigned.result)).plaintext).toEqual(bytes(1))
    await expect(client.encrypt(aesKeyring(), bytes(1), { suiteId: 0x0578, encryptionContext: full })).rejects.toThrow(/"encryptionContext"/)
  })

  it('strings that are not well-formed UTF-16 are a TypeError: two lone surrogates would encode to the same key', async () => {
    await expect(client.encrypt(aesKeyring(), bytes(1), { encryptionContext: { '\uD800': 'a', '\uDBFF': 'b' } })).rejects.toThrow(TypeError)
    await expect(client.encrypt(aesKeyring(), bytes(1), { encryptionContext: { k: 'x\uDC00' } })).rejects.toThrow(/"encryptionContext"/)
  })

  it('a header whose context cannot be parsed is the opaque DecryptionError, one-shot and streamed', async () => {
    const { result } = await client.encrypt(aesKeyring(), bytes(1), { suiteId: 0x0478, encryptionContext: { a: 'b' } })
    const at = 1 + 2 + 32 + 2 // the context: count, key length, ...
    expect(toHex(result.subarray(at, at + 4))).toBe('00010001')
    const bad = result.slice()
    bad[at + 3] = 0xff // the key runs past the context: broken, not "more bytes needed"
    expect(() => parseHeader(bad)).toThrow(Malformed)
    await expectError(client.decrypt(aesKeyring(), bad), DecryptionError)
    await expectError(pipe(bad, client.decryptStream(aesKeyring()), 7), DecryptionError)
  })
})

describe('every pair is kept exactly, __proto__ included', () => {
  it('a __proto__ key is stored in the header and decrypts back', async () => {
    const { result, messageHeader } = await client.encrypt(aesKeyring(), bytes(3), { encryptionContext: withProto() })
    expect(Object.hasOwn(messageHeader.encryptionContext, '__proto__')).toBe(true)
    expect(Object.getOwnPropertyDescriptor(messageHeader.encryptionContext, '__proto__')?.value).toBe('a')
    expect(new TextDecoder().decode(result)).toContain('__proto__')
    const out = await client.decrypt(aesKeyring(), result, { encryptionContext: withProto() })
    expect(out.plaintext).toEqual(bytes(3))
    expect(Object.getOwnPropertyDescriptor(out.messageHeader.encryptionContext, '__proto__')?.value).toBe('a')
    expect(Object.getPrototypeOf(out.messageHeader.encryptionContext)).toBe(Object.prototype)
  })

  it('a reproduced __proto__ whose value differs from the header\'s is refused', async () => {
    const { result } = await client.encrypt(aesKeyring(), bytes(3), { encryptionContext: withProto() })
    await expectError(client.decrypt(aesKeyring(), result, { encryptionContext: only('__proto__', 'b') }), DecryptionError)
    await expectError(pipe(result, client.decryptStream(aesKeyring(), { encryptionContext: only('__proto__', 'b') })), DecryptionError)
  })

  it('a reproduced __proto__ pair the header lacks is authenticated: a message made without it does not decrypt', async () => {
    const { result } = await client.encrypt(aesKeyring(), bytes(3), { encryptionContext: { k: 'v' } })
    await expectError(client.decrypt(aesKeyring(), result, { encryptionContext: only('__proto__', 'a') }), DecryptionError)
    await expectError(pipe(result, client.decryptStream(aesKeyring(), { encryptionContext: only('__proto__', 'a') })), DecryptionError)
  })

  it('a required __proto__ pair is authenticated, not stored, and must be reproduced with its value', async () => {
    const cmm = new RequiredEncryptionContextMaterialsManager({ underlying: aesKeyring(), requiredEncryptionContextKeys: ['__proto__'] })
    const { result, messageHeader } = await client.encrypt(cmm, bytes(3), { encryptionContext: withProto() })
    expect(Object.hasOwn(messageHeader.encryptionContext, '__proto__')).toBe(false)
    expect(messageHeader.encryptionContext).toMatchObject({ k: 'v' })
    expect(new TextDecoder().decode(result)).not.toContain('__proto__')
    for (const keyring of [cmm, aesKeyring()]) {
      expect((await client.decrypt(keyring, result, { encryptionContext: only('__proto__', 'a') })).plaintext).toEqual(bytes(3))
      expect(await pipe(result, client.decryptStream(keyring, { encryptionContext: only('__proto__', 'a') }))).toEqual(bytes(3))
      await expectError(client.decrypt(keyring, result, { encryptionContext: only('__proto__', 'b') }), DecryptionError)
      await expectError(client.decrypt(keyring, result), DecryptionError)
    }
    // Encrypting through the required CMM needs the key, as an own property.
    await expect(client.encrypt(cmm, bytes(1), { encryptionContext: { k: 'v' } })).rejects.toThrow(TypeError)
  })

  it('a commitment policy that is an Object.prototype name is refused', () => {
    for (const name of ['toString', '__proto__', 'constructor', 'hasOwnProperty']) {
      expect(() => buildClient(name as never)).toThrow(/"commitmentPolicy"/)
      expect(() => buildClient({ commitmentPolicy: name as never })).toThrow(TypeError)
    }
    expect(allowAll).toBeDefined()
  })
})
