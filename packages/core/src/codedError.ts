/**
 * The base of every webkms error class: a stable `code` on the class and the instance (as
 * panva/jose does), and a `name` that survives minification. Subclasses set both statics.
 */
export class CodedError extends Error {
  static code = 'ERR_WEBKMS'
  /** Explicit, not `new.target.name`: minifiers rename classes. */
  static errorName = 'CodedError'
  code: string

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.name = (new.target as typeof CodedError).errorName
    this.code = (new.target as typeof CodedError).code
  }
}
