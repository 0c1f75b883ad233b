/**
 * The base of every webkms error class: a stable `code` on the class and the instance (as
 * panva/jose does), and a `name` that survives minification. Subclasses set both statics.
 * Never thrown itself; catch it to tell webkms's errors from others.
 *
 * @example
 * ```ts
 * import { CodedError, NotFoundException } from '@webkms/core'
 *
 * function report(e: unknown): string {
 *   if (e instanceof CodedError) return `${e.name} ${e.code}: ${e.message}` // NotFoundException ERR_KMS_NOT_FOUND: ...
 *   return String(e)
 * }
 * console.log(NotFoundException.code === new NotFoundException('gone').code) // true
 * ```
 */
export class CodedError extends Error {
  /** The class's code, `ERR_<AREA>_<CONDITION>`; every instance carries the same. */
  static code = 'ERR_WEBKMS'
  /** The `name` instances get. Explicit, not `new.target.name`: minifiers rename classes. */
  static errorName = 'CodedError'
  /** A stable code to `switch` on; the message is for people and may change. */
  code: string

  /**
   * @param message - what went wrong, for people
   * @param options - `cause`: the underlying error, kept for debugging (never part of the message)
   */
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.name = (new.target as typeof CodedError).errorName
    this.code = (new.target as typeof CodedError).code
  }
}
