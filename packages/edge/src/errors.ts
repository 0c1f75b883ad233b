/**
 * Errors of the wire protocol itself, before a call reaches the engine: authentication
 * (AWS's names: MissingAuthenticationTokenException, InvalidSignatureException, ...) and
 * malformed requests (SerializationException, UnknownOperationException). The engine's own
 * errors are @webkms/core's KmsError classes; both travel as `{"__type", "message"}`.
 */
import { CodedError } from '@webkms/core/errors'

/**
 * A request the protocol refuses before it reaches the engine (code `ERR_EDGE_PROTOCOL`):
 * `awsName` is the AWS exception name sent as `__type` (`SerializationException`,
 * `UnknownOperationException`), `status` the HTTP status AWS sends with it. `createKmsHandler`
 * turns it into that response; it never reaches the caller as a thrown error.
 *
 * @example
 * ```ts
 * import { ProtocolError } from '@webkms/edge'
 *
 * const e = new ProtocolError('SerializationException', 'The request body is not valid JSON')
 * console.log(e.awsName, e.status) // SerializationException 400
 * ```
 */
export class ProtocolError extends CodedError {
  static override code = 'ERR_EDGE_PROTOCOL'
  static override errorName = 'ProtocolError'
  constructor(
    readonly awsName: string,
    message: string,
    /** The HTTP status AWS sends with it. */
    readonly status = 400,
  ) {
    super(message)
  }
}

/**
 * The request's signature or credentials were refused (code `ERR_EDGE_AUTHENTICATION`), thrown by
 * `verifySigV4` with AWS's exception name: `MissingAuthenticationTokenException` (status 403),
 * `IncompleteSignatureException`, `InvalidSignatureException`, `UnrecognizedClientException`
 * (status 400).
 *
 * @example
 * ```ts
 * import { AuthenticationError } from '@webkms/edge'
 *
 * const expired = (e: unknown) => e instanceof AuthenticationError && e.awsName === 'InvalidSignatureException' && e.message.startsWith('Signature expired')
 * ```
 */
export class AuthenticationError extends ProtocolError {
  static override code = 'ERR_EDGE_AUTHENTICATION'
  static override errorName = 'AuthenticationError'
  constructor(awsName: string, message: string) {
    // MissingAuthenticationToken is a 403 in AWS's JSON services; the other signature errors 400.
    super(awsName, message, awsName === 'MissingAuthenticationTokenException' ? 403 : 400)
  }
}
