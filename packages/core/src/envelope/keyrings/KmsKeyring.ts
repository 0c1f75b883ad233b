/**
 * A keyring over a KMS (framework/aws-kms/aws-kms-keyring.md, as the AWS SDK's KmsKeyring
 * composes it): the generator key makes the data key with GenerateDataKey, every other key
 * wraps it with Encrypt, and decrypt calls Decrypt for the keys it was configured with.
 *
 * The client can be anything with the `@aws-sdk/client-kms` shapes:
 * - a webkms engine (`createKms()`) or a webkms worker client: provider id `webkms`;
 * - the AWS SDK's `KMS` client (methods), or a `KMSClient` with `commands` given
 *   ({ GenerateDataKeyCommand, EncryptCommand, DecryptCommand }): provider id `aws-kms`, as
 *   every AWS Encryption SDK writes it, so the messages decrypt with them too.
 * A local engine never writes `aws-kms`: another SDK would send the key to AWS KMS, which
 * never saw it (framework/keyring-interface.md reserves the id).
 *
 *   provider info: the key ARN KMS returned; ciphertext: the KMS ciphertext blob
 */
import { WEBKMS_ENGINE } from '../../engineMarker.js'
import { utf8 } from '../../util/bytes.js'
import { KeyringError } from '../errors.js'
import { edk, type EncryptedDataKey } from '../format/header.js'
import type { DecryptionMaterials, EncryptionMaterials, Keyring } from '../materials/types.js'

/**
 * The provider id `aws-kms`, which the AWS Encryption SDKs' KMS keyrings write and read
 * (framework/aws-kms/aws-kms-keyring.md). A {@link KmsKeyring} writes it for an AWS SDK client,
 * never for a webkms engine: another SDK would send such a data key to AWS KMS, which never saw
 * its key (framework/keyring-interface.md reserves the id).
 *
 * @example
 * ```ts
 * import { AWS_KMS_PROVIDER_ID, type MessageHeader } from '@webkms/core'
 *
 * const wrappedByAwsKms = (header: MessageHeader) => header.encryptedDataKeys.some((k) => k.providerId === AWS_KMS_PROVIDER_ID)
 * ```
 */
export const AWS_KMS_PROVIDER_ID = 'aws-kms'
/**
 * The provider id `webkms`, which a {@link KmsKeyring} writes for data keys a webkms engine or
 * worker client wrapped: only a webkms `KmsKeyring` tries to decrypt them.
 *
 * @example
 * ```ts
 * import { WEBKMS_PROVIDER_ID, type MessageHeader } from '@webkms/core'
 *
 * const webkmsKeys = (header: MessageHeader) => header.encryptedDataKeys.filter((k) => k.providerId === WEBKMS_PROVIDER_ID).map((k) => k.providerInfo)
 * ```
 */
export const WEBKMS_PROVIDER_ID = 'webkms'

type Context = Record<string, string>
interface KmsMethods {
  generateDataKey(input: { KeyId: string; NumberOfBytes: number; EncryptionContext: Context; GrantTokens?: string[] }): Promise<{ Plaintext?: Uint8Array; CiphertextBlob?: Uint8Array; KeyId?: string }>
  encrypt(input: { KeyId: string; Plaintext: Uint8Array; EncryptionContext: Context; GrantTokens?: string[] }): Promise<{ CiphertextBlob?: Uint8Array; KeyId?: string }>
  decrypt(input: { KeyId: string; CiphertextBlob: Uint8Array; EncryptionContext: Context; GrantTokens?: string[] }): Promise<{ Plaintext?: Uint8Array; KeyId?: string }>
}
type CommandClass = new (input: never) => unknown
/**
 * The command classes of `@aws-sdk/client-kms` that a {@link KmsKeyring} needs to call a
 * `KMSClient`, which has only `send`. They are passed in, so webkms does not depend on the AWS SDK.
 *
 * @example
 * ```ts
 * import { DecryptCommand, EncryptCommand, GenerateDataKeyCommand, KMSClient } from '@aws-sdk/client-kms'
 * import { KmsKeyring } from '@webkms/core/envelope'
 *
 * const keyring = new KmsKeyring({
 *   client: new KMSClient({ region: 'us-east-1' }),
 *   commands: { GenerateDataKeyCommand, EncryptCommand, DecryptCommand },
 *   generatorKeyId: 'arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab',
 * })
 * ```
 */
export interface KmsCommands {
  GenerateDataKeyCommand: CommandClass
  EncryptCommand: CommandClass
  DecryptCommand: CommandClass
}

/**
 * The options of {@link KmsKeyring} (framework/aws-kms/aws-kms-keyring.md, and
 * aws-kms-discovery-keyring.md for `discovery`): a `generatorKeyId`, `keyIds`, or both; or
 * `discovery` alone.
 */
export interface KmsKeyringOptions {
  /** A webkms engine or worker client, the AWS SDK's `KMS`, or a `KMSClient` with `commands`. */
  client: unknown
  /** Makes the data key (GenerateDataKey). Any KeyId form the KMS accepts. */
  generatorKeyId?: string
  /** Also wrap the data key under these (Encrypt); decrypt tries them. Use key ARNs to decrypt. */
  keyIds?: string[]
  /** Passed as `GrantTokens` with every KMS call. */
  grantTokens?: string[]
  /** For a `KMSClient` that has only `send`: the command classes of `@aws-sdk/client-kms`. */
  commands?: KmsCommands
  /** Override the provider id (never `aws-kms` for a webkms engine). */
  providerId?: string
  /**
   * Decrypt with whichever key a message names (any key ARN under this provider id), as the
   * AWS SDKs' discovery keyrings do; the KMS still decides who may use it. Decrypt-only.
   */
  discovery?: boolean
}

const KMS_ARN = /^arn:[^:]+:kms:[^:]+:[^:]+:key\/.+$/

/**
 * A keyring over a KMS (framework/aws-kms/aws-kms-keyring.md; aws-kms-discovery-keyring.md with
 * `discovery`). Encrypting, the generator key makes the data key (GenerateDataKey) and each of
 * `keyIds` wraps it too (Encrypt). Decrypting, it calls Decrypt for each encrypted data key of
 * its provider id whose key ARN it was configured with (any key ARN in discovery), until one
 * succeeds; a key the KMS refuses is skipped, and if none succeeds the KMS's errors are thrown
 * together (below).
 *
 * The client is a webkms engine or worker client (provider id `webkms`), or the AWS SDK's `KMS`,
 * or a `KMSClient` with `commands` (provider id `aws-kms`, so the AWS Encryption SDKs decrypt
 * its messages too).
 *
 * @throws `TypeError` from the constructor for invalid options: no `generatorKeyId` or `keyIds`
 * (or either with `discovery`), a client that is neither kind, `aws-kms` as a webkms engine's
 * provider id. Encrypting, {@link KeyringError} `ERR_ENVELOPE_KEYRING` when the KMS refuses
 * GenerateDataKey or Encrypt (its error, e.g. `NotFoundException`, is named in the message and
 * kept as `cause`) or returns an invalid response, and always for a discovery keyring.
 * Decrypting, {@link KeyringError} when the KMS decrypted none of the data keys it was asked
 * for (its cause an `AggregateError` of the KMS's errors, one per key), when the message has no
 * data key it may use, or when the materials already hold one; decrypt keeps it as its
 * DecryptionError's cause.
 *
 * @example
 * ```ts
 * import { buildClient, createKms, KmsKeyring } from '@webkms/core'
 *
 * const kms = createKms()
 * const { KeyMetadata } = await kms.createKey({ Description: 'orders' })
 * // A key ARN: decrypt matches it against the ARN each encrypted data key records.
 * const keyring = new KmsKeyring({ client: kms, generatorKeyId: KeyMetadata.Arn })
 * const { encrypt, decrypt } = buildClient()
 * const { result } = await encrypt(keyring, 'hello', { encryptionContext: { orderId: '42' } })
 * const { plaintext } = await decrypt(keyring, result)
 * ```
 */
export class KmsKeyring implements Keyring {
  readonly providerId: string
  readonly generatorKeyId: string | undefined
  readonly keyIds: readonly string[]
  readonly grantTokens: readonly string[] | undefined
  readonly discovery: boolean
  #kms: KmsMethods

  constructor({ client, generatorKeyId, keyIds = [], grantTokens, commands, providerId, discovery = false }: KmsKeyringOptions) {
    if (client === null || typeof client !== 'object') throw new TypeError('"client" expected a KMS client')
    if (generatorKeyId !== undefined && typeof generatorKeyId !== 'string') throw new TypeError('"generatorKeyId" expected a string')
    if (!Array.isArray(keyIds) || keyIds.some((k) => typeof k !== 'string')) throw new TypeError('"keyIds" expected an array of strings')
    if (discovery && (generatorKeyId || keyIds.length)) throw new TypeError('a "discovery" keyring takes no "generatorKeyId" or "keyIds"')
    if (!discovery && !generatorKeyId && keyIds.length === 0) throw new TypeError('"generatorKeyId" or "keyIds" expected')
    this.discovery = discovery
    const isEngine = (client as { [WEBKMS_ENGINE]?: unknown })[WEBKMS_ENGINE] === true
    const speaksAwsProtocol = typeof (client as { send?: unknown }).send === 'function'
    this.#kms = adapt(client, commands)
    this.providerId = providerId ?? (isEngine ? WEBKMS_PROVIDER_ID : speaksAwsProtocol ? AWS_KMS_PROVIDER_ID : '')
    if (!this.providerId) throw new TypeError('"providerId" expected: the client is neither a webkms engine nor an AWS SDK KMS client')
    if (isEngine && this.providerId.startsWith(AWS_KMS_PROVIDER_ID)) {
      throw new TypeError('"providerId" aws-kms is reserved for keyrings that talk to AWS KMS, not a local webkms engine')
    }
    this.generatorKeyId = generatorKeyId
    this.keyIds = [...keyIds]
    this.grantTokens = grantTokens ? [...grantTokens] : undefined
  }

  #grants() {
    return this.grantTokens ? { GrantTokens: [...this.grantTokens] } : {}
  }

  async onEncrypt(materials: EncryptionMaterials): Promise<EncryptionMaterials> {
    if (this.discovery) throw new KeyringError('a discovery KMS keyring only decrypts')
    const EncryptionContext = { ...materials.encryptionContext }
    try {
      let wrapWith = [...this.keyIds]
      if (!materials.plaintextDataKey) {
        if (!this.generatorKeyId) throw new KeyringError('a KMS keyring without a generator needs a data key made before it')
        const out = await this.#kms.generateDataKey({ KeyId: this.generatorKeyId, NumberOfBytes: materials.suite.keyLength, EncryptionContext, ...this.#grants() })
        if (out.Plaintext?.byteLength !== materials.suite.keyLength || !out.CiphertextBlob || !isKeyArn(out.KeyId)) {
          throw new KeyringError('GenerateDataKey returned an invalid response')
        }
        materials.plaintextDataKey = out.Plaintext.slice()
        materials.encryptedDataKeys.push(edk(this.providerId, utf8(out.KeyId), out.CiphertextBlob.slice()))
      } else if (this.generatorKeyId) {
        wrapWith = [this.generatorKeyId, ...wrapWith]
      }
      for (const KeyId of wrapWith) {
        const out = await this.#kms.encrypt({ KeyId, Plaintext: materials.plaintextDataKey.slice(), EncryptionContext, ...this.#grants() })
        if (!out.CiphertextBlob || !isKeyArn(out.KeyId)) throw new KeyringError('Encrypt returned an invalid response')
        materials.encryptedDataKeys.push(edk(this.providerId, utf8(out.KeyId), out.CiphertextBlob.slice()))
      }
      return materials
    } catch (cause) {
      if (cause instanceof KeyringError) throw cause
      throw new KeyringError(`the KMS could not wrap the data key: ${(cause as Error)?.name ?? 'error'}`, { cause })
    }
  }

  /**
   * Asks the KMS to decrypt each data key this keyring may use, in order, until one works
   * (aws-kms-keyring.md, OnDecrypt). A key the KMS refuses or answers wrongly for is collected and
   * the next tried; if none works, the collected errors are thrown as one KeyringError (its cause
   * an AggregateError), which decrypt keeps as its DecryptionError's cause: the KMS's refusals
   * (access denied, a disabled key) are the caller's own to see, and name nothing of the message.
   * A message with no data key this keyring may use, or materials that already hold a data key,
   * fail too, as the specification says (the former naming the message's keys, which its header
   * shows anyway: a keyring configured with the wrong key ARNs is the usual mistake).
   */
  async onDecrypt(materials: DecryptionMaterials, encryptedDataKeys: readonly EncryptedDataKey[]): Promise<DecryptionMaterials> {
    if (materials.plaintextDataKey) throw new KeyringError('the decryption materials already hold a data key')
    const configured = new Set([...(this.generatorKeyId ? [this.generatorKeyId] : []), ...this.keyIds])
    const errors: unknown[] = []
    for (const k of encryptedDataKeys) {
      if (k.providerId !== this.providerId || !isKeyArn(k.providerInfo) || !(this.discovery || configured.has(k.providerInfo))) continue
      try {
        const out = await this.#kms.decrypt({
          KeyId: k.providerInfo,
          CiphertextBlob: k.encryptedDataKey.slice(),
          EncryptionContext: { ...materials.encryptionContext },
          ...this.#grants(),
        })
        if (out.KeyId !== k.providerInfo || out.Plaintext?.byteLength !== materials.suite.keyLength) {
          out.Plaintext?.fill(0)
          errors.push(new KeyringError(`the KMS answered for ${String(out.KeyId)}, not ${k.providerInfo}, or with a data key of the wrong length`))
          continue
        }
        const dataKey = out.Plaintext.slice()
        out.Plaintext.fill(0)
        materials.plaintextDataKey = dataKey
        return materials
      } catch (error) {
        errors.push(error)
      }
    }
    if (errors.length) throw new KeyringError(`the KMS decrypted none of the ${errors.length} data key(s) this keyring may use`, { cause: new AggregateError(errors, 'the KMS errors, one per data key tried') })
    const keys = encryptedDataKeys.slice(0, 5).map((k) => (isKeyArn(k.providerInfo) ? `${k.providerId} ${k.providerInfo}` : k.providerId))
    throw new KeyringError(`the message has no data key this keyring may use (provider id ${this.providerId}, ${this.discovery ? 'any key' : `keys ${[...configured].join(', ')}`}); its data keys: ${keys.join('; ')}${encryptedDataKeys.length > 5 ? '; ...' : ''}`)
  }
}

const isKeyArn = (s: unknown): s is string => typeof s === 'string' && KMS_ARN.test(s)

function adapt(client: object, commands?: KmsCommands): KmsMethods {
  const c = client as Partial<KmsMethods> & { send?: (command: unknown) => Promise<never> }
  if (typeof c.generateDataKey === 'function' && typeof c.encrypt === 'function' && typeof c.decrypt === 'function') {
    return { generateDataKey: (i) => c.generateDataKey!(i), encrypt: (i) => c.encrypt!(i), decrypt: (i) => c.decrypt!(i) }
  }
  if (typeof c.send === 'function' && commands) {
    const send = c.send.bind(c)
    return {
      generateDataKey: (i) => send(new commands.GenerateDataKeyCommand(i as never)),
      encrypt: (i) => send(new commands.EncryptCommand(i as never)),
      decrypt: (i) => send(new commands.DecryptCommand(i as never)),
    }
  }
  throw new TypeError('"client" expected generateDataKey/encrypt/decrypt methods, or a KMSClient with "commands"')
}
