/** Streaming encrypt and decrypt over WHATWG streams. */
import fc from 'fast-check'
import { describe, expect, it, vi } from 'vitest'
import { buildClient, CommitmentPolicy, DecryptionError } from '../../src/index.js'
import { HeaderScanner } from '../../src/envelope/format/header.js'
import { aesKeyring, bytes, expectError, pipe } from './helpers.js'

const client = buildClient(CommitmentPolicy.REQUIRE_ENCRYPT_ALLOW_DECRYPT)

describe('streams', () => {
  it('round trip through any chunking, and streamed and one-shot messages are interchangeable (property)', async () => {
    const keyring = aesKeyring()
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(0x0478, 0x0578),
        fc.integer({ min: 1, max: 64 }),
        fc.integer({ min: 0, max: 400 }),
        fc.integer({ min: 1, max: 97 }),
        async (suiteId, frameLength, size, chunk) => {
          const plaintext = bytes(size)
          const encrypted = await pipe(plaintext, client.encryptStream(keyring, { suiteId, frameLength, encryptionContext: { s: 'x' } }), chunk)
          expect((await client.decrypt(keyring, encrypted)).plaintext).toEqual(plaintext)
          expect(await pipe(encrypted, client.decryptStream(keyring), chunk)).toEqual(plaintext)
          const oneShot = (await client.encrypt(keyring, plaintext, { suiteId, frameLength })).result
          expect(await pipe(oneShot, client.decryptStream(keyring), chunk)).toEqual(plaintext)
        },
      ),
      { numRuns: 40 },
    )
  })

  it('messageHeader resolves with the header', async () => {
    const keyring = aesKeyring()
    const enc = client.encryptStream(keyring, { encryptionContext: { a: 'b' } })
    const encrypted = await pipe(bytes(10), enc)
    expect((await enc.messageHeader).encryptionContext).toMatchObject({ a: 'b' })
    const dec = client.decryptStream(keyring)
    await pipe(encrypted, dec)
    expect((await dec.messageHeader).suiteId).toBe(0x0578)
  })

  it('a truncated stream errors at its end, never ends cleanly', async () => {
    const keyring = aesKeyring()
    for (const suiteId of [0x0478, 0x0578] as const) {
      const encrypted = (await client.encrypt(keyring, bytes(100), { suiteId, frameLength: 10 })).result
      for (const cut of [1, 20, encrypted.length - 30, encrypted.length - 1]) {
        await expectError(pipe(encrypted.subarray(0, cut), client.decryptStream(keyring)), DecryptionError)
      }
      const longer = new Uint8Array(encrypted.length + 3)
      longer.set(encrypted)
      await expectError(pipe(longer, client.decryptStream(keyring)), DecryptionError)
    }
  })

  it('signed messages: the final frame is released only after the signature verifies', async () => {
    const keyring = aesKeyring()
    const plaintext = bytes(100)
    const encrypted = (await client.encrypt(keyring, plaintext, { frameLength: 10 })).result
    const bad = encrypted.slice()
    bad[bad.length - 5]! ^= 1 // inside the signature
    const released: Uint8Array[] = []
    const total = () => released.reduce((n, c) => n + c.length, 0)
    const { readable, writable } = client.decryptStream(keyring)
    const reading = readable.pipeTo(new WritableStream({ write: (c) => void released.push(c) }))
    reading.catch(() => undefined) // asserted below
    const writer = writable.getWriter()
    // All but the last 120 bytes (part of the final frame, and the footer): the nine regular
    // frames go out as they open, before the signature is known.
    await writer.write(bad.subarray(0, bad.length - 120))
    await vi.waitFor(() => expect(total()).toBe(90))
    writer.write(bad.subarray(bad.length - 120)).catch(() => undefined)
    writer.close().catch(() => undefined)
    await expect(reading).rejects.toBeInstanceOf(DecryptionError)
    expect(total()).toBe(90) // the final frame was held back, and the signature failed
    expect(released.flatMap((c) => [...c])).toEqual([...plaintext.subarray(0, 90)])
  })

  it('waitForSignature holds all plaintext until the signature verifies', async () => {
    const keyring = aesKeyring()
    const encrypted = (await client.encrypt(keyring, bytes(100), { frameLength: 10 })).result
    const bad = encrypted.slice()
    bad[bad.length - 5]! ^= 1
    const released: Uint8Array[] = []
    await expect(
      new Blob([bad]).stream().pipeThrough(client.decryptStream(keyring, { waitForSignature: true })).pipeTo(new WritableStream({ write: (c) => void released.push(c) })),
    ).rejects.toBeInstanceOf(DecryptionError)
    expect(released).toEqual([])
    expect(await pipe(encrypted, client.decryptStream(keyring, { waitForSignature: true }))).toEqual(bytes(100))
  })

  it('a frame whose tag fails: the frames before it are released, nothing from it on, though later frames were being opened', async () => {
    const keyring = aesKeyring()
    for (const suiteId of [0x0478, 0x0578] as const) {
      const encrypted = (await client.encrypt(keyring, bytes(100), { suiteId, frameLength: 10 })).result
      const headerLength = new HeaderScanner({ maxEncryptedDataKeys: 1, maxHeaderLength: Infinity }).push(encrypted)!
      const bad = encrypted.slice()
      bad[headerLength + 4 * 42 + 20]! ^= 1 // the fifth frame's ciphertext (frames of 4 + 12 + 10 + 16 bytes)
      const released: Uint8Array[] = []
      await expect(new Blob([bad]).stream().pipeThrough(client.decryptStream(keyring)).pipeTo(new WritableStream({ write: (c) => void released.push(c) }))).rejects.toBeInstanceOf(DecryptionError)
      expect(released.reduce((n, c) => n + c.length, 0)).toBe(40)
      expect(released.flatMap((c) => [...c])).toEqual([...bytes(40)])
    }
  })

  it('plaintextLength is checked, and progress is reported', async () => {
    const keyring = aesKeyring()
    await expect(pipe(bytes(10), client.encryptStream(keyring, { plaintextLength: 11 }))).rejects.toThrow(RangeError)
    await expect(pipe(bytes(10), client.encryptStream(keyring, { plaintextLength: 9 }))).rejects.toThrow(RangeError)
    const progress: number[] = []
    const encrypted = await pipe(bytes(30), client.encryptStream(keyring, { plaintextLength: 30, frameLength: 10, onProgress: (d) => progress.push(d) }))
    expect(progress).toEqual([10, 20, 30])
    const decrypted: number[] = []
    await pipe(encrypted, client.decryptStream(keyring, { onProgress: (d) => decrypted.push(d) }))
    expect(decrypted).toEqual([10, 20, 30])
  })

  it('a write that goes past plaintextLength fails before any of it is sealed: only the header goes out', async () => {
    const { readable, writable } = client.encryptStream(aesKeyring(), { plaintextLength: 10, frameLength: 16, suiteId: 0x0478 })
    const out: Uint8Array[] = []
    const reading = (async () => {
      const reader = readable.getReader()
      for (let r = await reader.read(); !r.done; r = await reader.read()) out.push(r.value)
    })()
    const writer = writable.getWriter()
    await expect(writer.write(bytes(640))).rejects.toThrow(/longer than "plaintextLength"/)
    await expect(reading).rejects.toThrow(RangeError)
    // The header alone: no frame of the 640 bytes was sealed and released.
    expect(out).toHaveLength(1)
    expect(new HeaderScanner({ maxEncryptedDataKeys: 10, maxHeaderLength: 1 << 20 }).push(out[0]!)).toBe(out[0]!.byteLength)
  })

  it('messageHeader rejects with the reason when the stream is aborted or cancelled before its header', async () => {
    const keyring = aesKeyring()
    const encrypted = (await client.encrypt(keyring, bytes(100))).result
    const gone = new Error('the network went away')
    // Decrypt: aborted after 10 bytes, cancelled by its reader, and a source failing in pipeThrough.
    const aborted = client.decryptStream(keyring)
    const writer = aborted.writable.getWriter()
    const writing = writer.write(encrypted.subarray(0, 10)).catch((e: unknown) => e)
    await writer.abort(gone)
    expect(await writing).toBe(gone)
    await expect(aborted.messageHeader).rejects.toBe(gone)
    const cancelled = client.decryptStream(keyring)
    await cancelled.readable.cancel(gone)
    await expect(cancelled.messageHeader).rejects.toBe(gone)
    const piped = client.decryptStream(keyring)
    const failing = new ReadableStream<Uint8Array>({ start: (c) => (c.enqueue(encrypted.subarray(0, 10)), c.error(gone)) })
    await expect(failing.pipeThrough(piped).getReader().read()).rejects.toBe(gone)
    await expect(piped.messageHeader).rejects.toBe(gone)
    // Encrypt: its header comes as the stream starts, so only a cancel before it loses it; once
    // written, it stays resolved whatever happens to the stream.
    const encrypting = client.encryptStream(keyring)
    await encrypting.readable.cancel(gone)
    await expect(encrypting.messageHeader).rejects.toBe(gone)
    const written = client.encryptStream(keyring)
    const header = await written.messageHeader
    await written.writable.abort(gone)
    await expect(written.messageHeader).resolves.toBe(header)
  })

  it('a failed or cancelled stream cancels the source piped into it, even one with nothing more to write', async () => {
    const keyring = aesKeyring()
    const encrypted = (await client.encrypt(keyring, bytes(100))).result
    /** A source that gives what it is given, then waits for ever; `reason` is what it is cancelled with. */
    const idleSource = (...chunks: Uint8Array[]) => {
      let cancelled!: (reason: unknown) => void
      const reason = new Promise<unknown>((resolve) => (cancelled = resolve))
      const stream = new ReadableStream<Uint8Array>({ start: (c) => chunks.forEach((chunk) => c.enqueue(chunk)), pull: () => new Promise(() => undefined), cancel: (r) => cancelled(r) })
      return { stream, reason }
    }
    const settled = () => new Promise((resolve) => setTimeout(resolve, 20)) // the pipe's writes done: nothing in flight
    const gone = new Error('the reader gave up')
    // The reader cancels once everything written is through (encrypt's header read first).
    for (const [pair, first, reads] of [
      [client.encryptStream(keyring), bytes(10), 1],
      [client.decryptStream(keyring), encrypted.subarray(0, 10), 0],
    ] as const) {
      const source = idleSource(first)
      const reader = source.stream.pipeThrough(pair).getReader()
      for (let i = 0; i < reads; i++) await reader.read()
      await settled()
      await reader.cancel(gone)
      expect(await source.reason).toBe(gone)
      // Encrypt's header was written (and read) before; decrypt's was never authenticated.
      if (reads) await expect(pair.messageHeader).resolves.toMatchObject({ suiteId: 0x0578 })
      else await expect(pair.messageHeader).rejects.toBe(gone)
    }
    // The pair fails by itself (no data key to be had) while its source has written nothing.
    const failing = { getEncryptionMaterials: async () => Promise.reject(new Error('no materials')), decryptMaterials: async () => Promise.reject(new Error('no materials')) }
    const source = idleSource()
    await expect(source.stream.pipeThrough(client.encryptStream(failing)).getReader().read()).rejects.toThrow('no materials')
    expect(await source.reason).toMatchObject({ message: 'no materials' })
  })

  it('a keyring that cannot decrypt rejects messageHeader and errors the stream', async () => {
    const encrypted = (await client.encrypt(aesKeyring(), bytes(10))).result
    const stream = client.decryptStream(aesKeyring('someone-else'))
    await expectError(pipe(encrypted, stream), DecryptionError)
    await expectError(stream.messageHeader, DecryptionError)
  })
})
