/**
 * Bytes received from a stream but not yet used. Chunks are kept as they came and joined
 * only when a parser needs them contiguous, so a frame costs one copy however it was split.
 */
export class ByteQueue {
  #chunks: Uint8Array[] = []
  length = 0

  push(chunk: Uint8Array): void {
    if (chunk.byteLength === 0) return
    this.#chunks.push(chunk)
    this.length += chunk.byteLength
  }

  /** Everything queued, as one view (joined into one chunk if it was several). */
  peekAll(): Uint8Array {
    if (this.#chunks.length === 0) return new Uint8Array(0)
    if (this.#chunks.length > 1) {
      const joined = new Uint8Array(this.length)
      let at = 0
      for (const c of this.#chunks) {
        joined.set(c, at)
        at += c.byteLength
      }
      this.#chunks = [joined]
    }
    return this.#chunks[0]!
  }

  /** Drops the first n bytes. */
  consume(n: number): void {
    this.length -= n
    while (n > 0) {
      const first = this.#chunks[0]!
      if (first.byteLength <= n) {
        this.#chunks.shift()
        n -= first.byteLength
      } else {
        this.#chunks[0] = first.subarray(n)
        n = 0
      }
    }
  }

  /**
   * Removes and returns the first n bytes: a view when the first chunk holds them all (chunks
   * are the queue's own), else exactly n bytes joined into one copy.
   */
  take(n: number): Uint8Array {
    const first = this.#chunks[0]
    let out: Uint8Array
    if (first && first.byteLength >= n) out = first.subarray(0, n)
    else {
      out = new Uint8Array(n)
      for (let i = 0, at = 0; at < n; i++) {
        const part = this.#chunks[i]!.subarray(0, n - at)
        out.set(part, at)
        at += part.byteLength
      }
    }
    this.consume(n)
    return out
  }
}
