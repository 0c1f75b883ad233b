/**
 * The caching CMM (framework/caching-cmm.md): reuses data keys across messages, within limits,
 * so a KMS is not called for every message. Each cached encryption entry serves at most
 * `maxMessagesEncrypted` messages and `maxBytesEncrypted` bytes, for at most `maxAge` ms.
 *
 * It never caches for the identity-KDF suites (0x0014, 0x0046, 0x0078), where the data key
 * encrypts directly, nor for messages of unknown length (a stream without `plaintextLength`):
 * the byte limit could not be enforced. Cache entry ids are SHA-384 digests of the partition,
 * the suite and the context (and, for decryption, the encrypted data keys), as the
 * specification defines them; an entry never leaves this process.
 */
import { concatBytes, uint16be, utf8, uuidFromRandom } from '../../util/bytes.js'
import { compareBytes, serializeEncryptionContext } from '../format/encryptionContext.js'
import { defaultRandom, randomBytes, randomOption, type RandomSource } from '../random.js'
import { DefaultMaterialsManager } from './DefaultMaterialsManager.js'
import { algorithmSuites } from '../suites.js'
import { isKeyring, type DecryptionMaterials, type DecryptionRequest, type EncryptionMaterials, type EncryptionRequest, type Keyring, type MaterialsManager } from './types.js'

interface Entry<M> {
  materials: M
  createdAt: number
  messages: number
  bytes: number
}

/** The options of {@link CachingMaterialsManager} (framework/caching-cmm.md, "Initialization"). */
export interface CachingMaterialsManagerOptions {
  /** The CMM (or a keyring, wrapped in the default CMM) whose materials are cached. */
  underlying: MaterialsManager | Keyring
  /** How many entries the cache holds (least recently used go first). Default 100. */
  capacity?: number
  /** How long an entry may be used, in milliseconds. Required. */
  maxAge: number
  /** Messages per cached data key. Default 2^32. */
  maxMessagesEncrypted?: number
  /** Plaintext bytes per cached data key. Default 2^53 - 1. */
  maxBytesEncrypted?: number
  /** Separates this CMM's entries from others sharing nothing else. Default: random. */
  partition?: string
  /** The clock, in milliseconds. Default: the system clock. */
  now?: () => number
  /** Makes the default partition. Default: WebCrypto. */
  random?: RandomSource
}

/**
 * The caching materials manager (framework/caching-cmm.md): reuses data keys across messages,
 * so a KMS is not called for every message. A cached data key encrypts at most
 * `maxMessagesEncrypted` messages and `maxBytesEncrypted` bytes, for at most `maxAge` ms;
 * decryption materials are kept for `maxAge` too. Nothing is cached for the suites without key
 * derivation (0x0014, 0x0046, 0x0078), nor for streams of unknown length (`encryptStream`
 * without `plaintextLength`). The cache lives in this object, in memory.
 *
 * @throws `RangeError` from the constructor for a `capacity`, `maxAge`, `maxMessagesEncrypted`
 * or `maxBytesEncrypted` that is not an integer from 1 to its maximum (`maxAge` is required);
 * `TypeError` for a `partition` that is not a string or a `random` that is not a function.
 *
 * @example
 * ```ts
 * import { buildClient, CachingMaterialsManager, createKms, KmsKeyring } from '@webkms/core'
 *
 * const kms = createKms()
 * const { KeyMetadata } = await kms.createKey({})
 * const cmm = new CachingMaterialsManager({
 *   underlying: new KmsKeyring({ client: kms, generatorKeyId: KeyMetadata.Arn }),
 *   maxAge: 5 * 60_000,
 *   maxMessagesEncrypted: 100,
 * })
 * const { encrypt } = buildClient()
 * // One GenerateDataKey call for the three messages: same context, within the limits.
 * for (const order of ['1', '2', '3']) await encrypt(cmm, `order ${order}`, { encryptionContext: { tenant: 'acme' } })
 * ```
 */
export class CachingMaterialsManager implements MaterialsManager {
  /** The manager asked on a cache miss (a keyring given as `underlying` is wrapped in a DefaultMaterialsManager). */
  readonly underlying: MaterialsManager
  readonly #entries = new Map<string, Entry<EncryptionMaterials | DecryptionMaterials>>()
  readonly #capacity: number
  readonly #maxAge: number
  readonly #maxMessages: number
  readonly #maxBytes: number
  readonly #partition: Uint8Array
  readonly #now: () => number

  constructor(o: CachingMaterialsManagerOptions) {
    this.underlying = isKeyring(o.underlying) ? new DefaultMaterialsManager(o.underlying) : o.underlying
    this.#capacity = positive(o.capacity ?? 100, 'capacity', 2 ** 31)
    this.#maxAge = positive(o.maxAge, 'maxAge', Number.MAX_SAFE_INTEGER)
    this.#maxMessages = positive(o.maxMessagesEncrypted ?? 2 ** 32, 'maxMessagesEncrypted', 2 ** 32)
    this.#maxBytes = positive(o.maxBytesEncrypted ?? Number.MAX_SAFE_INTEGER, 'maxBytesEncrypted', Number.MAX_SAFE_INTEGER)
    if (o.partition !== undefined && typeof o.partition !== 'string') throw new TypeError('"partition" expected a string')
    const random = randomOption(o.random) ?? defaultRandom
    this.#partition = utf8(o.partition ?? uuidFromRandom(randomBytes(random, 16)))
    this.#now = o.now ?? (() => Date.now())
  }

  /**
   * A copy of the cached materials for the same requested suite and context while the entry
   * can take one more message of `request.plaintextLength` bytes; otherwise the underlying
   * manager's, cached (framework/caching-cmm.md, "Get Encryption Materials"). Without
   * `plaintextLength`, or for a suite without key derivation, it only asks the underlying manager.
   *
   * @throws whatever the underlying manager throws.
   */
  async getEncryptionMaterials(request: EncryptionRequest): Promise<EncryptionMaterials> {
    const requested = request.suiteId === undefined ? undefined : algorithmSuites[request.suiteId]
    const length = request.plaintextLength
    if (length === undefined || (requested && !requested.kdfHash)) return this.underlying.getEncryptionMaterials(request)
    const id = await cacheId(
      [0x01, 0x00, 0x01, 0x00],
      this.#partition,
      requested ? concatBytes(new Uint8Array([0x01, 0x00]), uint16be(requested.id)) : new Uint8Array([0x00, 0x00]),
      serializeEncryptionContext(request.encryptionContext),
    )
    const hit = this.#lookup(id) as Entry<EncryptionMaterials> | undefined
    if (hit && hit.messages + 1 <= this.#maxMessages && hit.bytes + length <= this.#maxBytes) {
      hit.messages += 1
      hit.bytes += length
      return copyEncryption(hit.materials)
    }
    if (hit) this.#entries.delete(id) // used up
    const materials = await this.underlying.getEncryptionMaterials(request)
    if (materials.suite.kdfHash && 1 <= this.#maxMessages && length <= this.#maxBytes) {
      this.#store(id, { materials: copyEncryption(materials), createdAt: this.#now(), messages: 1, bytes: length })
    }
    return materials
  }

  /**
   * A copy of the cached materials for the same suite, encrypted data keys and context (stored
   * and reproduced) while the entry is younger than `maxAge`; otherwise the underlying
   * manager's, cached (framework/caching-cmm.md, "Decrypt Materials"). Suites without key
   * derivation are never cached.
   *
   * @throws whatever the underlying manager throws.
   */
  async decryptMaterials(request: DecryptionRequest): Promise<DecryptionMaterials> {
    if (!request.suite.kdfHash) return this.underlying.decryptMaterials(request)
    const edks = request.encryptedDataKeys
      .map((k) => concatBytes(uint16be(utf8(k.providerId).byteLength), utf8(k.providerId), uint16be(k.rawInfo.byteLength), k.rawInfo, uint16be(k.encryptedDataKey.byteLength), k.encryptedDataKey))
      .sort(compareBytes)
    const id = await cacheId(
      [0x01, 0x00, 0x02, 0x00],
      this.#partition,
      concatBytes(new Uint8Array([0x00]), uint16be(request.suite.id), new Uint8Array([0x00]), ...edks),
      // The reproduced context changes the materials (required pairs), so it is part of the id.
      concatBytes(serializeEncryptionContext(request.encryptionContext), new Uint8Array([0x00]), serializeEncryptionContext(request.reproducedEncryptionContext ?? {})),
    )
    const hit = this.#lookup(id) as Entry<DecryptionMaterials> | undefined
    if (hit) return copyDecryption(hit.materials)
    const materials = await this.underlying.decryptMaterials(request)
    this.#store(id, { materials: copyDecryption(materials), createdAt: this.#now(), messages: 0, bytes: 0 })
    return materials
  }

  #lookup(id: string): Entry<EncryptionMaterials | DecryptionMaterials> | undefined {
    const entry = this.#entries.get(id)
    if (!entry) return undefined
    if (this.#now() - entry.createdAt > this.#maxAge) {
      this.#entries.delete(id)
      return undefined
    }
    this.#entries.delete(id) // re-insert: most recently used last
    this.#entries.set(id, entry)
    return entry
  }

  #store(id: string, entry: Entry<EncryptionMaterials | DecryptionMaterials>): void {
    this.#entries.delete(id)
    this.#entries.set(id, entry)
    while (this.#entries.size > this.#capacity) this.#entries.delete(this.#entries.keys().next().value!)
  }
}

async function cacheId(prefix: number[], partition: Uint8Array, middle: Uint8Array, context: Uint8Array): Promise<string> {
  const input = concatBytes(new Uint8Array(prefix), partition, new Uint8Array([0x00]), middle, new Uint8Array([0x00]), context)
  const digest = new Uint8Array(await globalThis.crypto.subtle.digest('SHA-384', input))
  return Array.from(digest, (b) => b.toString(16).padStart(2, '0')).join('')
}

function positive(value: unknown, name: string, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > max) throw new RangeError(`"${name}" expected an integer from 1 to ${max}`)
  return value
}

// Spread copies own properties as pairs (a `__proto__` key included).
const copyEncryption = (m: EncryptionMaterials): EncryptionMaterials => ({
  ...m,
  encryptionContext: { ...m.encryptionContext },
  encryptedDataKeys: [...m.encryptedDataKeys],
  requiredEncryptionContextKeys: [...m.requiredEncryptionContextKeys],
})
const copyDecryption = (m: DecryptionMaterials): DecryptionMaterials => ({
  ...m,
  encryptionContext: { ...m.encryptionContext },
  requiredEncryptionContextKeys: [...m.requiredEncryptionContextKeys],
})
