/**
 * Marks objects that are webkms engines (or clients of one), as opposed to a KMS reached
 * over the AWS protocol: the envelope SDK's KMS keyring uses it to pick its provider id.
 * `Symbol.for`, so the mark survives duplicated module instances.
 */
export const WEBKMS_ENGINE: unique symbol = Symbol.for('webkms.engine') as never
