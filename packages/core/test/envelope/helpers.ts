import { expect } from 'vitest'
import { RawAesKeyring, type EnvelopeError } from '../../src/index.js'

export const wrappingKey = new Uint8Array(32).map((_, i) => i * 7)
export const aesKeyring = (keyName = 'key', key: Uint8Array = wrappingKey) => new RawAesKeyring({ keyNamespace: 'tests', keyName, wrappingKey: key })

export const bytes = (n: number, seed = 1) => new Uint8Array(n).map((_, i) => (i * 31 + seed) & 0xff)

/** Asserts the promise rejects with exactly this class and its code. */
export async function expectError(promise: Promise<unknown>, errorClass: abstract new (...args: never[]) => Error, code?: string): Promise<Error> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  )
  expect(error, `expected ${errorClass.name}`).toBeInstanceOf(errorClass)
  expect((error as Error).constructor).toBe(errorClass)
  if (code) expect((error as EnvelopeError).code).toBe(code)
  return error as Error
}

/** Pipes `input` (split into chunks of `chunk` bytes) through a transform and collects it. */
export async function pipe(input: Uint8Array, stream: ReadableWritablePair<Uint8Array, Uint8Array>, chunk = 1000): Promise<Uint8Array> {
  const source = new ReadableStream<Uint8Array>({
    start(controller) {
      for (let i = 0; i < input.length; i += chunk) controller.enqueue(input.slice(i, i + chunk))
      controller.close()
    },
  })
  const parts: Uint8Array[] = []
  await source.pipeThrough(stream).pipeTo(new WritableStream({ write: (c) => void parts.push(c) }))
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0))
  let at = 0
  for (const p of parts) {
    out.set(p, at)
    at += p.length
  }
  return out
}
