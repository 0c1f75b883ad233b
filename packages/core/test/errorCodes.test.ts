/** Error codes are a typed union: `switch (e.code)` on a caught KmsError narrows to one class's code. */
import { describe, expect, expectTypeOf, it } from 'vitest'
import { DecryptionError, EnvelopeError, kmsErrorClasses, KmsError, NotFoundException, type EnvelopeErrorCode, type KmsErrorCode } from '../src/index.js'

describe('error codes', () => {
  it('each class has its own literal code, on the class and the instance, and the union has them all', () => {
    expectTypeOf<NotFoundException['code']>().toEqualTypeOf<'ERR_KMS_NOT_FOUND'>()
    expectTypeOf<KmsError['code']>().toEqualTypeOf<KmsErrorCode>()
    expectTypeOf<DecryptionError['code']>().toEqualTypeOf<'ERR_ENVELOPE_DECRYPTION_FAILED'>()
    expectTypeOf<EnvelopeError['code']>().toEqualTypeOf<EnvelopeErrorCode>()
    const codes = new Set<string>()
    for (const C of Object.values(kmsErrorClasses)) {
      const e = new C('m')
      expect(e.code).toBe(C.code)
      expect(e.name).toBe(C.errorName)
      codes.add(e.code)
    }
    expect(codes.size).toBe(Object.keys(kmsErrorClasses).length)
  })

  it('switch (e.code) narrows (a compile-time check that also runs)', () => {
    const describeCode = (e: KmsError): string => {
      switch (e.code) {
        case 'ERR_KMS_NOT_FOUND':
          return 'missing'
        case 'ERR_KMS_ACCESS_DENIED':
          return 'denied'
        default: {
          const other: KmsErrorCode = e.code
          return other
        }
      }
    }
    expect(describeCode(new NotFoundException('x'))).toBe('missing')
    expect(describeCode(new kmsErrorClasses.DisabledException('x'))).toBe('ERR_KMS_DISABLED')
  })
})
