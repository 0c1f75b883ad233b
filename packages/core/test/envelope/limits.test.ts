/**
 * Hostile messages cost bounded memory: every length field of the message is checked against
 * a limit before the bytes it announces are buffered (maxBodySize for frames and non-framed
 * bodies, maxHeaderLength for the header), and the streaming header parser reads each byte
 * once. Bytes offered before the stream fails stand for what it buffered; ByteQueue is watched
 * for what it holds and how much it joins.
 */
import { afterEach, describe, expect, it, vi } from 'vitest'
import { buildClient, DecryptionError, DEFAULT_MAX_HEADER_LENGTH, MultiKeyring } from '../../src/index.js'
import { ByteQueue } from '../../src/envelope/byteQueue.js'
import { parseHeader } from '../../src/envelope/format/header.js'
import { aesKeyring, bytes, expectError, pipe } from './helpers.js'
import { claimedHeaderLength, claimingHeader, feed, nonFramedMessage } from './messages.js'

const client = buildClient()
const KiB = 1024
const MiB = 1024 * KiB

/** Watches every ByteQueue: the most it held, and the bytes it was asked to join (peekAll). */
function watchQueues() {
  const stats = { peak: 0, joined: 0 }
  const push = ByteQueue.prototype.push
  const peekAll = ByteQueue.prototype.peekAll
  vi.spyOn(ByteQueue.prototype, 'push').mockImplementation(function (this: ByteQueue, chunk: Uint8Array) {
    push.call(this, chunk)
    stats.peak = Math.max(stats.peak, this.length)
  })
  vi.spyOn(ByteQueue.prototype, 'peekAll').mockImplementation(function (this: ByteQueue) {
    stats.joined += this.length
    return peekAll.call(this)
  })
  return stats
}
afterEach(() => void vi.restoreAllMocks())

describe('maxBodySize is checked before a frame is buffered', () => {
  for (const [what, size] of [
    ['a regular frame of 4 MiB (the frame length in the header)', 4 * MiB + 1],
    ['a final frame whose content length is 4 MiB', 4 * MiB],
  ] as const) {
    it(`streaming: ${what} is refused after a few KiB`, async () => {
      const { result } = await client.encrypt(aesKeyring(), new Uint8Array(size), { suiteId: 0x0478, frameLength: 4 * MiB })
      const headerLength = parseHeader(result).length
      const stats = watchQueues()
      const { offered, error } = await feed(result, client.decryptStream(aesKeyring(), { maxBodySize: 4096 }), KiB)
      expect(error).toBeInstanceOf(DecryptionError)
      expect(offered).toBeLessThanOrEqual(headerLength + KiB)
      expect(stats.peak).toBeLessThanOrEqual(headerLength + KiB)
      // The same message with room for it decrypts, one-shot too.
      await expectError(client.decrypt(aesKeyring(), result, { maxBodySize: 4096 }), DecryptionError)
      expect((await client.decrypt(aesKeyring(), result, { maxBodySize: size })).plaintext).toHaveLength(size)
    })
  }

  it('streaming: a non-framed body of 4 MiB is refused after its content length, before its content', async () => {
    const message = await nonFramedMessage(aesKeyring(), new Uint8Array(4 * MiB))
    expect((await client.decrypt(aesKeyring(), message)).plaintext).toHaveLength(4 * MiB)
    const headerLength = parseHeader(message).length
    const { offered, error } = await feed(message, client.decryptStream(aesKeyring(), { maxBodySize: 4096 }), KiB)
    expect(error).toBeInstanceOf(DecryptionError)
    expect(offered).toBeLessThanOrEqual(headerLength + KiB)
    await expectError(client.decrypt(aesKeyring(), message, { maxBodySize: 4 * MiB - 1 }), DecryptionError)
    expect(await pipe(message, client.decryptStream(aesKeyring(), { maxBodySize: 4 * MiB }), 64 * KiB)).toHaveLength(4 * MiB)
  })

  it('the limit is on the body: later frames count what earlier ones took', async () => {
    const { result } = await client.encrypt(aesKeyring(), bytes(100), { frameLength: 10 })
    await expectError(pipe(result, client.decryptStream(aesKeyring(), { maxBodySize: 99 }), 7), DecryptionError)
    expect(await pipe(result, client.decryptStream(aesKeyring(), { maxBodySize: 100 }), 7)).toEqual(bytes(100))
  })

  it('a header frame length above maxBodySize alone is not refused: a lone final frame may be shorter (the specification\'s "Max Body Size")', async () => {
    const { result, messageHeader } = await client.encrypt(aesKeyring(), bytes(10))
    expect(messageHeader.frameLength).toBeGreaterThan(4096)
    expect((await client.decrypt(aesKeyring(), result, { maxBodySize: 4096 })).plaintext).toEqual(bytes(10))
    expect(await pipe(result, client.decryptStream(aesKeyring(), { maxBodySize: 4096 }), 3)).toEqual(bytes(10))
  })
})

describe('maxHeaderLength bounds the header, streamed in any chunking', () => {
  it('a header claiming 65535 keys of 3 × 65535 bytes is refused once it would pass the default 1 MiB, without buffering the rest', async () => {
    expect(DEFAULT_MAX_HEADER_LENGTH).toBe(MiB)
    // The stream is cut at 3 MiB: a decryptor that does not refuse would wait for gigabytes.
    const hostile = claimingHeader(0xffff, 0xffff, 3 * MiB)
    const stats = watchQueues()
    const { offered, error } = await feed(hostile, client.decryptStream(aesKeyring()), 4 * KiB)
    expect(error).toBeInstanceOf(DecryptionError)
    expect(offered).toBeLessThanOrEqual(MiB + 4 * KiB)
    expect(stats.peak).toBeLessThanOrEqual(MiB + 4 * KiB)
    await expectError(client.decrypt(aesKeyring(), hostile), DecryptionError)
  })

  it('a smaller maxHeaderLength is refused as soon as a field would pass it', async () => {
    const hostile = claimingHeader(0xffff, 0xffff, 3 * MiB)
    const { offered, error } = await feed(hostile, client.decryptStream(aesKeyring(), { maxHeaderLength: 64 * KiB }), 512)
    expect(error).toBeInstanceOf(DecryptionError)
    // 39 bytes before the first key; its first field (65537 bytes) would end past 64 KiB.
    expect(offered).toBeLessThanOrEqual(512)
  })

  it('many small fields in small chunks: each byte is looked at once, the header is joined once', async () => {
    const edks = 10_000
    const length = claimedHeaderLength(edks, 0)
    const header = claimingHeader(edks, 0, length)
    const stats = watchQueues()
    const { offered, error } = await feed(header, client.decryptStream(aesKeyring(), { maxHeaderLength: 64 * KiB }), 64)
    // It parses (no key of ours among them), so all of it was needed.
    expect(error).toBeInstanceOf(DecryptionError)
    expect(offered).toBe(length)
    expect(stats.joined).toBeLessThanOrEqual(2 * length)
    expect(stats.peak).toBeLessThanOrEqual(length)
  })

  it('a legitimate message whose header is exactly maxHeaderLength streams fine; one byte less is refused', async () => {
    const keyring = new MultiKeyring({ generator: aesKeyring('a'), children: [aesKeyring('b'), aesKeyring('c')] })
    const { result } = await client.encrypt(keyring, bytes(1000), { frameLength: 100, encryptionContext: { big: 'x'.repeat(30_000) } })
    const headerLength = parseHeader(result).length
    expect(headerLength).toBeGreaterThan(30_000)
    expect(await pipe(result, client.decryptStream(aesKeyring('b'), { maxHeaderLength: headerLength }), 999)).toEqual(bytes(1000))
    expect((await client.decrypt(aesKeyring('c'), result, { maxHeaderLength: headerLength })).plaintext).toEqual(bytes(1000))
    await expectError(pipe(result, client.decryptStream(aesKeyring('b'), { maxHeaderLength: headerLength - 1 }), 999), DecryptionError)
    await expectError(client.decrypt(aesKeyring('c'), result, { maxHeaderLength: headerLength - 1 }), DecryptionError)
  })

  it('maxHeaderLength is an integer from 1: TypeError and RangeError naming it', async () => {
    expect(() => client.decryptStream(aesKeyring(), { maxHeaderLength: 0 })).toThrow(RangeError)
    expect(() => client.decryptStream(aesKeyring(), { maxHeaderLength: '1' as never })).toThrow(/"maxHeaderLength"/)
    await expect(client.decrypt(aesKeyring(), new Uint8Array(1), { maxHeaderLength: 1.5 })).rejects.toThrow(TypeError)
  })

  it('too many encrypted data keys are refused at the count, before any key is read', async () => {
    const hostile = claimingHeader(0xffff, 0, claimedHeaderLength(0xffff, 0))
    const { offered, error } = await feed(hostile, client.decryptStream(aesKeyring(), { maxEncryptedDataKeys: 10 }), 16)
    expect(error).toBeInstanceOf(DecryptionError)
    expect(offered).toBeLessThanOrEqual(48)
  })
})

describe('one-shot decrypt allocates no more than its input', () => {
  it('a final frame claiming 4 GiB of content in a short message is refused', async () => {
    const { result } = await client.encrypt(aesKeyring(), bytes(10), { suiteId: 0x0478, frameLength: 0xffffffff })
    const bad = result.slice()
    const at = parseHeader(result).length + 4 + 4 + 12 // final-frame marker, sequence number, IV
    new DataView(bad.buffer).setUint32(at, 0xfffffff0)
    await expectError(client.decrypt(aesKeyring(), bad), DecryptionError)
    await expectError(pipe(bad, client.decryptStream(aesKeyring())), DecryptionError)
  })
})
