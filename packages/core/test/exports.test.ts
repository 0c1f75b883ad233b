/**
 * The public surface: `@webkms/core` exports everything `/kms`, `/envelope` and `/errors`
 * export (the same values), `/errors` has every error class and nothing else, the engine and
 * the envelope SDK stay apart, and what `/internal` shares with this repository's packages is
 * not exported from the root.
 */
import { describe, expect, it } from 'vitest'
import { CodedError } from '../src/codedError.js'
import * as envelope from '../src/envelope.js'
import * as errors from '../src/errors.js'
import * as root from '../src/index.js'
import * as internal from '../src/internal.js'
import * as kms from '../src/kms.js'

const isErrorClass = (v: unknown) => typeof v === 'function' && (v === CodedError || v.prototype instanceof CodedError)

describe('@webkms/core exports', () => {
  it('the root exports every export of /kms, /envelope and /errors, the same values', () => {
    for (const part of [kms, envelope, errors]) {
      for (const [name, value] of Object.entries(part)) expect(root, name).toHaveProperty(name, value)
    }
  })

  it('/errors has every error class the root exports, and nothing but error classes and their table', () => {
    const rootErrors = Object.entries(root).filter(([, v]) => isErrorClass(v)).map(([name]) => name)
    expect(rootErrors.length).toBeGreaterThan(30)
    expect(Object.keys(errors).sort()).toEqual([...rootErrors, 'kmsErrorClasses'].sort())
  })

  it('/kms has nothing of the envelope SDK, /envelope nothing of the engine', () => {
    expect(kms).toHaveProperty('createKms')
    expect(kms).not.toHaveProperty('buildClient')
    expect(kms).not.toHaveProperty('KmsKeyring')
    expect(envelope).toHaveProperty('buildClient')
    expect(envelope).not.toHaveProperty('createKms')
    expect(envelope).not.toHaveProperty('NotFoundException')
  })

  it('internals are not exported from the root', () => {
    expect(Object.keys(internal).sort()).toEqual(['WEBKMS_ENGINE', 'canonicalJson', 'cloneRecord', 'operationTable', 'recordOtherAccountEvent', 'resolveCaller'])
    for (const name of Object.keys(internal)) expect(root, name).not.toHaveProperty(name)
  })
})
