/**
 * The incremental digest behind signed streams: the runtime's native hash where it has one
 * (Node's crypto), else for SHA-384 hash-wasm where WebAssembly compiles, else @noble/hashes;
 * SHA-256 (suite 0x0214 only) without a native hash always @noble/hashes. Every path must give
 * WebCrypto's digest whatever the chunking, and a failure to load the WebAssembly module must
 * fall back rather than fail the stream.
 */
import { describe, expect, it, vi } from 'vitest'
import { createMessageSigner, createMessageVerifier, incrementalHash } from '../../src/envelope/crypto/signature.js'
import { nativeCrypto } from '../../src/util/nativeCrypto.js'
import { nativeSigning } from '../../src/util/nativeSigning.js'
import { bytes } from './helpers.js'

const wasmCounted = () => {
  const calls = { created: 0 }
  const load = async () => {
    const { createSHA384 } = await import('hash-wasm')
    return { createSHA384: () => (calls.created++, createSHA384()) }
  }
  return { calls, load }
}
const noWasm = () => Promise.reject(new Error('WebAssembly is not supported in this environment!'))

describe('incremental SHA-2 for signed streams', () => {
  for (const name of ['SHA-256', 'SHA-384'] as const) {
    it(`${name}: every path gives WebCrypto's digest, over any chunking`, async () => {
      // Lengths around the block sizes (64 and 128 bytes) and the WebAssembly module's 16 KiB buffer.
      for (const length of [0, 1, 63, 64, 111, 112, 127, 128, 129, 16383, 16384, 16385, 100_000]) {
        const data = bytes(length, length)
        const expected = new Uint8Array(await crypto.subtle.digest(name, data))
        for (const chunk of [1, 13, 128, 4096, 1 << 20]) {
          const { calls, load } = wasmCounted()
          const none = () => undefined
          const paths = [await incrementalHash(name, { native: none, loadWasm: load }), await incrementalHash(name, { native: none, loadWasm: noWasm })]
          if (nativeCrypto()) paths.push(await incrementalHash(name))
          for (const h of paths) {
            for (let i = 0; i < length; i += chunk) h.update(data.subarray(i, i + chunk))
            expect(h.digest(), `${name}, ${length} bytes in chunks of ${chunk}`).toEqual(expected)
          }
          expect(calls.created).toBe(name === 'SHA-384' ? 1 : 0) // SHA-384's first digest above came from hash-wasm
          if (length > 200) break // the long inputs: one chunking of each kind is enough
        }
      }
    })
  }

  it('where the runtime has node:crypto (Node, Deno, Bun), it is what the default gives; elsewhere hash-wasm', async () => {
    const { calls, load } = wasmCounted()
    await incrementalHash('SHA-384', { loadWasm: load })
    expect(calls.created).toBe(nativeCrypto() ? 0 : 1)
    expect(nativeCrypto() !== undefined).toBe(typeof (globalThis as { process?: { getBuiltinModule?: unknown } }).process?.getBuiltinModule === 'function')
  })

  const hasBuiltins = typeof (globalThis as { process?: { getBuiltinModule?: unknown } }).process?.getBuiltinModule === 'function'
  it.skipIf(!hasBuiltins)("a runtime whose getBuiltinModule throws or has no node:crypto gets hash-wasm's digest", async () => {
    const data = bytes(100_000)
    const expected = new Uint8Array(await crypto.subtle.digest('SHA-384', data))
    for (const impl of [() => { throw new Error('No such built-in module: node:crypto') }, () => undefined, () => ({})]) {
      const spy = vi.spyOn(process, 'getBuiltinModule').mockImplementation(impl as never)
      try {
        expect(nativeCrypto()).toBeUndefined()
        const { calls, load } = wasmCounted()
        const h = await incrementalHash('SHA-384', { loadWasm: load })
        h.update(data)
        expect(h.digest()).toEqual(expected)
        expect(calls.created).toBe(1)
      } finally {
        spy.mockRestore()
      }
    }
  })

  it('the default loader loads hash-wasm and gives the same digest', async () => {
    const data = bytes(300_000)
    const h = await incrementalHash('SHA-384', { native: () => undefined })
    h.update(data.subarray(0, 1000))
    h.update(data.subarray(1000))
    expect(h.digest()).toEqual(new Uint8Array(await crypto.subtle.digest('SHA-384', data)))
  })
})

describe('incremental ECDSA signatures: node:crypto where the runtime has it, else @noble/curves', () => {
  const specs = [
    { curve: 'P-256', hash: 'SHA-256' },
    { curve: 'P-384', hash: 'SHA-384' },
  ] as const
  // null: @noble/curves; undefined: the default (node:crypto in Node, @noble/curves in browsers).
  const ways = [null, undefined] as const

  it.each(specs)('$curve: what each way signs, each way and WebCrypto verify; a changed byte fails each', async (spec) => {
    const data = bytes(70_000)
    for (const signWay of ways) {
      const signer = await createMessageSigner(spec)
      const signing = await signer.incremental(signWay)
      signing.update(data.subarray(0, 12_345))
      signing.update(data.subarray(12_345))
      const signature = signing.sign()
      const verifier = await createMessageVerifier(spec, signer.publicKey)
      expect(await verifier.verify(data, signature)).toBe(true)
      const changed = data.slice()
      changed[500]! ^= 1
      for (const verifyWay of ways) {
        const [good, bad] = [await verifier.incremental(verifyWay), await verifier.incremental(verifyWay)]
        good.update(data)
        bad.update(changed)
        expect(good.verify(signature)).toBe(true)
        expect(bad.verify(signature)).toBe(false)
      }
    }
  })

  it.skipIf(!nativeCrypto())('a module that refuses one kind of key (non-extractable) takes the message to @noble/curves before anything is hashed', async () => {
    const real = nativeCrypto()!
    const picky = { ...real, KeyObject: { from: (key: CryptoKey) => (key.extractable ? real.KeyObject!.from(key) : (() => { throw new TypeError('Failed to get raw key data') })()) } }
    expect(await nativeSigning(picky)).toBeDefined() // its self-test's keys are extractable
    const spec = { curve: 'P-384', hash: 'SHA-384' } as const
    const signer = await createMessageSigner(spec)
    const signing = await signer.incremental(null)
    signing.update(bytes(500))
    const signature = signing.sign()
    // The verifier's public key is imported non-extractable: this module refuses it.
    const verifying = await (await createMessageVerifier(spec, signer.publicKey)).incremental((await nativeSigning(picky))!)
    verifying.update(bytes(500))
    expect(verifying.verify(signature)).toBe(true)
  })

  it('the default is node:crypto exactly where the runtime has it', async () => {
    expect((await nativeSigning()) !== undefined).toBe(typeof (globalThis as { process?: { getBuiltinModule?: unknown } }).process?.getBuiltinModule === 'function')
  })

  it.skipIf(!nativeCrypto())('a node:crypto that refuses WebCrypto keys when it signs (as Cloudflare Workers\' does) is not used: @noble/curves signs', async () => {
    const real = nativeCrypto()!
    const refusing = {
      ...real,
      createSign: () => ({
        update: () => undefined,
        sign: () => {
          throw new TypeError('The "options.key" property must be of type string or an instance of ArrayBuffer, Buffer, TypedArray, DataView, or Object. Received an instance of PrivateKeyObject')
        },
      }),
    }
    expect(await nativeSigning(refusing)).toBeUndefined()
    expect(await nativeSigning(real)).toBeDefined()
    // In the client: the runtime's module refuses, so a signed message is still made and read.
    const builtin = vi.spyOn(process, 'getBuiltinModule').mockReturnValue(refusing as never)
    try {
      const spec = { curve: 'P-384', hash: 'SHA-384' } as const
      const signer = await createMessageSigner(spec)
      const signing = await signer.incremental()
      signing.update(bytes(1000))
      const verifier = await createMessageVerifier(spec, signer.publicKey)
      expect(await verifier.verify(bytes(1000), signing.sign())).toBe(true)
    } finally {
      builtin.mockRestore()
    }
  })
})
