import { expect } from 'vitest'
import { createKms, KmsError, type Kms, type KmsOptions } from '../src/index.js'

/** Asserts that `promise` rejects with exactly this KMS error class, its AWS name and its code. */
export async function expectKmsError(promise: Promise<unknown>, errorClass: typeof KmsError, message?: RegExp): Promise<KmsError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  )
  expect(error, `expected ${errorClass.name}`).toBeInstanceOf(errorClass)
  const e = error as KmsError
  expect(e.constructor).toBe(errorClass)
  expect(e.name).toBe(errorClass.name)
  expect(e.code).toBe(errorClass.code)
  if (message) expect(e.message).toMatch(message)
  return e
}

/** A settable clock: tests move time instead of waiting. */
export function testClock(start = new Date('2026-01-01T00:00:00Z')) {
  let t = start.getTime()
  return {
    now: () => new Date(t),
    advanceDays: (days: number) => {
      t += days * 86_400_000
    },
    advanceMs: (ms: number) => {
      t += ms
    },
  }
}

export function setup(options: KmsOptions = {}): { kms: Kms; clock: ReturnType<typeof testClock> } {
  const clock = testClock()
  return { kms: createKms({ now: clock.now, ...options }), clock }
}

export const bytes = (s: string) => new TextEncoder().encode(s)
export const text = (b: Uint8Array) => new TextDecoder().decode(b)
