/**
 * A bounds-checked big-endian reader over one view. Running past the end throws `Incomplete`
 * (a streaming parser waits for more bytes and tries again); any malformed field throws
 * `Malformed`. Both are internal: the public API turns them into one DecryptionError.
 */
export class Incomplete extends Error {
  /** Bytes, from the start of the reader's input, needed before parsing can get further. */
  constructor(readonly needed: number) {
    super('more bytes needed')
  }
}
export class Malformed extends Error {}

/**
 * A message the caller's own settings refuse (the commitment policy forbids its suite, signed
 * messages are forbidden) or that a materials manager answered for another suite: no check of
 * its secret parts, so the DecryptionError keeps it as its cause (errors.ts).
 */
export class Refused extends Error {}

/** Whether an error is a failed check of a message's own bytes: the one a DecryptionError must not carry as its cause (errors.ts). */
export const checkOfTheMessage = (error: unknown): boolean => error instanceof Malformed || error instanceof Incomplete

export class Reader {
  #view: DataView
  offset: number
  constructor(
    readonly bytes: Uint8Array,
    offset = 0,
  ) {
    this.#view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
    this.offset = offset
  }

  get remaining(): number {
    return this.bytes.byteLength - this.offset
  }

  #need(n: number): number {
    if (this.offset + n > this.bytes.byteLength) throw new Incomplete(this.offset + n)
    const at = this.offset
    this.offset += n
    return at
  }

  u8(): number {
    return this.#view.getUint8(this.#need(1))
  }
  u16(): number {
    return this.#view.getUint16(this.#need(2))
  }
  u32(): number {
    return this.#view.getUint32(this.#need(4))
  }
  /** uint64, refused beyond 2^53 - 1 (no JavaScript length can be that large). */
  u64(): number {
    const at = this.#need(8)
    const high = this.#view.getUint32(at)
    if (high > 0x1fffff) throw new Malformed('length too large')
    return high * 2 ** 32 + this.#view.getUint32(at + 4)
  }
  /** A view (not a copy) of the next n bytes. */
  take(n: number): Uint8Array {
    const at = this.#need(n)
    return this.bytes.subarray(at, at + n)
  }
}

export function malformed(condition: unknown, what: string): asserts condition {
  if (!condition) throw new Malformed(what)
}

/**
 * A growable big-endian writer. A value that does not fit its field throws RangeError rather
 * than wrap: a wrapped length field would write a message that parses differently.
 */
export class Writer {
  #parts: Uint8Array[] = []
  #length = 0
  bytes(b: Uint8Array): this {
    this.#parts.push(b)
    this.#length += b.byteLength
    return this
  }
  u8(n: number): this {
    fits(n, 0xff)
    return this.bytes(new Uint8Array([n]))
  }
  u16(n: number): this {
    fits(n, 0xffff)
    const b = new Uint8Array(2)
    new DataView(b.buffer).setUint16(0, n)
    return this.bytes(b)
  }
  u32(n: number): this {
    fits(n, 0xffffffff)
    const b = new Uint8Array(4)
    new DataView(b.buffer).setUint32(0, n)
    return this.bytes(b)
  }
  u64(n: number): this {
    fits(n, Number.MAX_SAFE_INTEGER)
    const b = new Uint8Array(8)
    const v = new DataView(b.buffer)
    v.setUint32(0, Math.floor(n / 2 ** 32))
    v.setUint32(4, n >>> 0)
    return this.bytes(b)
  }
  /** A uint16 length followed by the bytes. */
  short(b: Uint8Array): this {
    return this.u16(b.byteLength).bytes(b)
  }
  finish(): Uint8Array<ArrayBuffer> {
    const out = new Uint8Array(this.#length)
    let at = 0
    for (const p of this.#parts) {
      out.set(p, at)
      at += p.byteLength
    }
    return out
  }
}

function fits(n: number, max: number): void {
  if (!Number.isInteger(n) || n < 0 || n > max) throw new RangeError(`${n} does not fit a field of at most ${max}`)
}
