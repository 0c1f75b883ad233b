/**
 * What webkms needs from the platform, checked up front so a missing piece is a typed error
 * that names the fix, not a TypeError deep inside. Globals are read when called, never at
 * import, so importing never throws (as jakearchibald/idb does).
 */
import { CodedError } from './codedError.js'

/**
 * `crypto.subtle` is missing (code `ERR_WEBCRYPTO_UNAVAILABLE`): browsers expose it only in
 * secure contexts (https://w3c.github.io/webappsec-secure-contexts/), so a page served over plain
 * `http:` from anywhere but localhost gets this. The message names the fix. Raised by
 * `assertWebCrypto`, `openIdbKeyStore` and `createWorkerKms`.
 *
 * @example
 * ```ts
 * import { assertWebCrypto, InsecureContextError } from '@webkms/core'
 *
 * try {
 *   assertWebCrypto()
 * } catch (e) {
 *   if (e instanceof InsecureContextError) document.body.textContent = e.message // serve the page over https://
 * }
 * ```
 */
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

/**
 * Checks that WebCrypto (`globalThis.crypto.subtle`) is there, before anything needs it. Reads
 * the global when called, so importing webkms never throws.
 *
 * @throws `InsecureContextError` when it is missing (an insecure `http:` page).
 *
 * @example
 * ```ts
 * import { assertWebCrypto, createKms } from '@webkms/core'
 *
 * assertWebCrypto() // fails early, with a message that names the fix
 * const kms = createKms()
 * ```
 */
export function assertWebCrypto(): void {
  if (typeof globalThis.crypto?.subtle?.importKey !== 'function') throw new InsecureContextError()
}
