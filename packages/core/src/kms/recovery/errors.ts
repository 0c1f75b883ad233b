/** The recovery error alone, so that a page can tell it apart without loading the restore code. */
import { CodedError } from '../../codedError.js'

/** A restore that cannot be done: the bundle is malformed, a copy does not open or does not match, or the store already has what it would write. */
export class RecoveryError extends CodedError {
  static override code = 'ERR_WEBKMS_RECOVERY' as const
  declare readonly code: 'ERR_WEBKMS_RECOVERY'
  static override errorName = 'RecoveryError'
}
