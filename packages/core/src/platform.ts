/**
 * What webkms needs from the platform, checked up front so a missing piece is a typed error
 * that names the fix, not a TypeError deep inside. Globals are read when called, never at
 * import, so importing never throws (as jakearchibald/idb does).
 */
import { CodedError } from './codedError.js'

/** `crypto.subtle` is missing: browsers expose it only in secure contexts. */
export class InsecureContextError extends CodedError {
  static override code = 'ERR_WEBCRYPTO_UNAVAILABLE' as const
  declare readonly code: 'ERR_WEBCRYPTO_UNAVAILABLE'
  static override errorName = 'InsecureContextError'
  constructor() {
    super(
      'WebCrypto (crypto.subtle) is unavailable, so webkms cannot run here. Browsers expose it only in secure contexts: ' +
        'serve the page over https://, or from http://localhost or http://127.0.0.1 during development.',
    )
  }
}

export function assertWebCrypto(): void {
  if (typeof globalThis.crypto?.subtle?.importKey !== 'function') throw new InsecureContextError()
}
