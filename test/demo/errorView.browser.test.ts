/** The demo's error view: an error's name, code and message, then what it kept as its cause. */
import { describe, expect, it } from 'vitest'
import { DecryptionError, DisabledException, KeyringError } from '@webkms/core'
import { causeChain, errorView } from '../../apps/demo/src/app/dom.js'

describe('errorView', () => {
  it('shows the causes under an error, an AggregateError\'s errors included, one per line', () => {
    const kms = new DisabledException('arn:aws:kms:us-east-1:111122223333:key/k is disabled.')
    const error = new DecryptionError({ cause: new KeyringError('the KMS decrypted none of the 1 data key(s) this keyring may use', { cause: new AggregateError([kms], 'the KMS errors') }) })
    const view = errorView(error)
    expect(view.getAttribute('role')).toBe('alert')
    expect(view.querySelector('strong')!.textContent).toBe('DecryptionError')
    const lines = [...view.querySelectorAll('.causes li')].map((li) => li.textContent)
    expect(lines).toEqual([
      '↳ KeyringError the KMS decrypted none of the 1 data key(s) this keyring may use',
      '↳ AggregateError the KMS errors',
      '↳ DisabledException arn:aws:kms:us-east-1:111122223333:key/k is disabled.',
    ])
  })

  it('shows no cause list for an error without one (a failed check of a message tells nothing more)', () => {
    expect(errorView(new DecryptionError()).querySelector('.causes')).toBeNull()
  })

  it('is bounded: a cycle of causes ends', () => {
    const looped = new Error('loops')
    Object.defineProperty(looped, 'cause', { value: looped })
    expect(causeChain(looped).length).toBeLessThanOrEqual(8)
  })
})
