/**
 * Properties of the message parsers on damaged and random bytes: they return what lies within
 * their input or throw one of their two internal errors (Malformed: the format is broken;
 * Incomplete: more bytes are needed), never anything else; and the streaming header scanner,
 * in any chunking, agrees with the header parser on where the header ends.
 */
import fc from 'fast-check'
import { beforeAll, describe, expect, it } from 'vitest'
import { parseFooter, parseFrame, parseNonFramed } from '../../../src/envelope/format/body.js'
import { HeaderScanner, parseHeader, type ParsedHeader } from '../../../src/envelope/format/header.js'
import { Incomplete, Malformed, Reader } from '../../../src/envelope/format/reader.js'
import { baseMessages, chunking, chunks, mutate, mutation, runs, testTimeout, type BaseMessage } from './arbitraries.js'

let bases: BaseMessage[]
beforeAll(async () => {
  bases = await baseMessages()
})

/** The outcome of a parser: its result, or which internal error it threw (anything else fails the test). */
function outcome<T>(parse: () => T): T | Malformed | Incomplete {
  try {
    return parse()
  } catch (error) {
    if (error instanceof Malformed || error instanceof Incomplete) return error
    throw error
  }
}

/** Damaged messages (mostly the header, where they start) and plain random bytes. */
const inputs = () =>
  fc.oneof(
    fc.record({ base: fc.nat(bases.length - 1), mutations: fc.array(mutation, { minLength: 1, maxLength: 3 }) }).map(({ base, mutations }) => mutate(bases[base]!.message, mutations)),
    fc.uint8Array({ maxLength: 400 }),
  )

const limits = fc.record({ maxEncryptedDataKeys: fc.constantFrom(1, 2, 0xffff), maxHeaderLength: fc.constantFrom(40, 100, 200, 400, Number.MAX_SAFE_INTEGER) })

describe('message parsers (property)', () => {
  it('parseHeader returns a header within its input, or throws Malformed or Incomplete', { timeout: testTimeout }, () => {
    fc.assert(
      fc.property(inputs(), (input) => {
        const parsed = outcome(() => parseHeader(input))
        if (parsed instanceof Error) return
        expect(parsed.length).toBeLessThanOrEqual(input.byteLength)
        expect(parsed.headerBytes.byteLength).toBeLessThan(parsed.length)
      }),
      runs(400),
    )
  })

  it('the header scanner, in any chunking, ends the header where parseHeader does, and never past its limits', { timeout: testTimeout }, () => {
    fc.assert(
      fc.property(inputs(), chunking, limits, (input, sizes, limit) => {
        const scanner = new HeaderScanner(limit)
        const scanned = outcome(() => {
          for (const c of chunks(input, sizes)) if (scanner.push(c) !== undefined) break
          return scanner.length
        })
        const parsed = outcome(() => parseHeader(input, limit.maxEncryptedDataKeys))
        if (parsed instanceof Incomplete) expect(scanned).not.toBeTypeOf('number')
        if (typeof scanned === 'number') {
          expect(scanned).toBeLessThanOrEqual(limit.maxHeaderLength)
          // A header the scanner saw end parses to that length or is malformed; never "needs more".
          const exact = outcome(() => parseHeader(input.subarray(0, scanned), limit.maxEncryptedDataKeys))
          expect(exact).not.toBeInstanceOf(Incomplete)
          if (!(exact instanceof Error)) expect(exact.length).toBe(scanned)
        }
        if (!(parsed instanceof Error)) {
          if (parsed.length <= limit.maxHeaderLength) expect(scanned).toBe((parsed as ParsedHeader).length)
          else expect(scanned).toBeInstanceOf(Malformed)
        }
      }),
      runs(400),
    )
  })

  it('frames, non-framed bodies and footers parse within their input and their limits, or throw Malformed or Incomplete', { timeout: testTimeout }, () => {
    const body = fc.oneof(
      fc.uint8Array({ maxLength: 300 }),
      // The body of a real message, damaged.
      fc.record({ base: fc.nat(bases.length - 1), mutations: fc.array(mutation, { maxLength: 3 }) }).map(({ base, mutations }) => {
        const m = bases[base]!.message
        return mutate(m.subarray(parseHeader(m).length), mutations)
      }),
    )
    fc.assert(
      fc.property(body, fc.constantFrom(1, 16, 4096, 0xffffffff), fc.integer({ min: 1, max: 3 }), fc.constantFrom(0, 10, 100, Infinity), (bytes, frameLength, sequence, max) => {
        for (const parse of [(r: Reader) => parseFrame(r, frameLength, sequence, max), (r: Reader) => parseNonFramed(r, max)]) {
          const r = new Reader(bytes)
          const frame = outcome(() => parse(r))
          if (frame instanceof Error) continue
          expect(frame.length).toBe(r.offset)
          expect(frame.length).toBeLessThanOrEqual(bytes.byteLength)
          expect(frame.contentLength).toBeLessThanOrEqual(max)
          expect(frame.sealed.byteLength).toBe(frame.contentLength + 16)
        }
        const r = new Reader(bytes)
        const signature = outcome(() => parseFooter(r))
        if (!(signature instanceof Error)) expect(2 + signature.byteLength).toBe(r.offset)
      }),
      runs(400),
    )
  })
})
