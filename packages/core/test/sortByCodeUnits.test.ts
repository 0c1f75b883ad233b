import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { sortByCodeUnits } from '../src/util/bytes.js'

describe('sortByCodeUnits (audit events\' keys, encryption contexts)', () => {
  it('orders as the default sort does, by insertion up to 32 items and beyond (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.string({ unit: 'binary', maxLength: 6 }), { maxLength: 80 }), (strings) => {
        expect(sortByCodeUnits([...strings], (s) => s)).toEqual([...strings].sort())
      }),
      { numRuns: 500 },
    )
    expect(sortByCodeUnits(['b', 'a', '\ud83d\udd11', '\uff61', 'B'], (s) => s)).toEqual(['B', 'a', 'b', '\ud83d\udd11', '\uff61']) // a surrogate (0xd83d) sorts before U+FF61
  })

  it('is stable: items with equal keys keep their order (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.constantFrom('a', 'b', 'c'), fc.nat()), { maxLength: 60 }), (pairs) => {
        const byKey = ([k]: [string, number]) => k
        expect(sortByCodeUnits([...pairs], byKey)).toEqual([...pairs].sort((x, y) => (x[0] < y[0] ? -1 : x[0] > y[0] ? 1 : 0)))
      }),
    )
  })
})
