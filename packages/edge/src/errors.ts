/**
 * Errors of the wire protocol itself, before a call reaches the engine: authentication
 * (AWS's names: MissingAuthenticationTokenException, InvalidSignatureException, ...) and
 * malformed requests (SerializationException, UnknownOperationException). The engine's own
 * errors are @webkms/core's KmsError classes; both travel as `{"__type", "message"}`.
 */
import { CodedError } from '@webkms/core'

/** A request the protocol refuses; `name` is the AWS exception name sent as `__type`. */
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

/** The request's signature or credentials were refused. */
export class AuthenticationError extends ProtocolError {
  static override code = 'ERR_EDGE_AUTHENTICATION'
  static override errorName = 'AuthenticationError'
  constructor(awsName: string, message: string) {
    // MissingAuthenticationToken is a 403 in AWS's JSON services; the other signature errors 400.
    super(awsName, message, awsName === 'MissingAuthenticationTokenException' ? 403 : 400)
  }
}
