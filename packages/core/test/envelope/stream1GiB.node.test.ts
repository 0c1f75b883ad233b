/**
 * A 1 GiB stream is encrypted and decrypted end to end without ever being held: encrypt is
 * piped straight into decrypt, and the process's array-buffer memory stays far below the
 * stream's size. Node only (it reads process.memoryUsage()).
 */
import { describe, expect, it } from 'vitest'
import { buildClient } from '../../src/index.js'
import { aesKeyring } from './helpers.js'

const MiB = 1024 * 1024
const TOTAL = 1024 * MiB

describe('bounded memory', () => {
  it('encrypts and decrypts 1 GiB through streams with memory bounded far below 1 GiB', { timeout: 120_000 }, async () => {
    const client = buildClient()
    const keyring = aesKeyring()
    let produced = 0
    const source = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (produced === TOTAL) return controller.close()
        controller.enqueue(new Uint8Array(MiB).fill((produced / MiB) & 0xff))
        produced += MiB
      },
    })
    let received = 0
    let peak = 0
    const sample = () => {
      peak = Math.max(peak, process.memoryUsage().arrayBuffers)
    }
    const expected = new Uint8Array(MiB)
    await source
      .pipeThrough(client.encryptStream(keyring, { suiteId: 0x0478 }))
      .pipeThrough(client.decryptStream(keyring))
      .pipeTo(
        new WritableStream({
          write(chunk) {
            // Frames (256 KiB) never straddle the 1 MiB source chunks: check each byte.
            const value = Math.floor(received / MiB) & 0xff
            const view = expected.subarray(0, chunk.length).fill(value)
            if (!Buffer.from(chunk.buffer, chunk.byteOffset, chunk.length).equals(Buffer.from(view.buffer, 0, chunk.length))) {
              throw new Error(`wrong plaintext at offset ${received}`)
            }
            received += chunk.length
            if ((received & (64 * MiB - 1)) === 0) sample()
          },
        }),
      )
    expect(received).toBe(TOTAL)
    console.log(`1 GiB streamed; peak arrayBuffers sampled: ${(peak / MiB).toFixed(0)} MiB`)
    expect(peak).toBeLessThan(256 * MiB)
  })
})
