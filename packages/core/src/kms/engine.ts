/**
 * The engine's shared machinery: finding keys by any form of KeyId and making the clock's
 * consequences happen (automatic rotation, the end of a deletion window). The operations in
 * ./operations are written on top of it; callPath.ts runs them.
 *
 * Time only moves when the injected clock says so: every call reads `now` once, and before a
 * key is used, whatever fell due by then (a rotation date, a deletion date) is applied, with
 * the date it fell due. Nothing runs on a timer.
 */
import { NotFoundException } from './errors.js'
import type { KeyStore, KeyStoreTransaction } from '../keystore/KeyStore.js'
import type { KeyRecord } from '../keystore/records.js'
import type { RecoveryKey } from './recovery/recoveryKey.js'
import type { OtherAccounts } from './otherAccounts.js'
import { BlobKeys } from './crypto/blobKeys.js'
import { webCryptoBlobCipher, type BlobCipher } from './crypto/blobCipher.js'
import { nativeAesGcm } from '../util/nativeCrypto.js'
import { uuidFromRandom } from '../util/bytes.js'
import type { AuditTrail } from './audit/trail.js'
import type { Authorizer } from './authorization.js'
import type { ResolvedCaller } from './caller.js'
import { aliasArn, keyArn, parseKeyReference, type Account, type KeyReference } from './keyIds.js'
import { hasDueWork } from './keyTimeline.js'
import { loaded } from './loaded.js'

/** One call: its operation, the single instant it happens at, and who makes it. What it asked is the handler's validated request. */
export interface Call {
  operation: string
  now: Date
  caller: ResolvedCaller
}

/** What crypto/versionMaterial.ts gives the engine. */
export type VersionMaterialModule = Pick<typeof import('./crypto/versionMaterial.js'), 'generateVersionMaterial' | 'materialFormat'>

/** What operations/rsaEncryption.ts gives the engine. */
export type RsaEncryptionModule = Pick<typeof import('./operations/rsaEncryption.js'), 'checkRsaAlgorithm' | 'rsaEncrypt' | 'rsaDecrypt'>

/** What crypto/nativeBlobCipher.ts gives the engine. */
export type NativeBlobCipherModule = Pick<typeof import('./crypto/nativeBlobCipher.js'), 'blobCipherFor'>

/** What dueWork.ts gives the engine (declared here: dueWork.ts imports this module). */
export interface DueWorkModule {
  /** Applies what is due on `due`, the keys settle found work on, in one atomic write. */
  settleDue(engine: Engine, call: Call, due: KeyRecord[]): Promise<void>
}

/** The modules the engine loads when first needed. The `import()`s are in createKms.ts, not here: policy/parser.ts says why. */
export interface EngineModules {
  /**
   * Making key material, with the first new key or rotation: an engine that only uses the keys
   * it has never loads it. Loaded once, and a failed load tried again by the next call
   * (util/loadOnce.ts), which fails meanwhile.
   */
  versionMaterial: () => Promise<VersionMaterialModule>
  /** The runtime's own AES-GCM for blobs, only where it has one: never in browsers. Loaded as above; while it cannot load, blobs use WebCrypto's. */
  nativeBlobCipher: () => Promise<NativeBlobCipherModule>
  /** Applying what the clock made due (rotations, expiries, deletions), the first time a call finds some. Loaded as above; meanwhile that call fails. */
  dueWork: () => Promise<DueWorkModule>
  /** RSA keys' Encrypt and Decrypt, with the first call on an RSA key. Loaded as above; meanwhile those calls fail. */
  rsaEncryption: () => Promise<RsaEncryptionModule>
}

export class Engine {
  /** The derived keys of blob format 2, this engine's own (crypto/blobKeys.ts). */
  readonly blobKeys: BlobKeys

  constructor(
    readonly store: KeyStore,
    readonly random: (n: number) => Uint8Array,
    readonly account: Account,
    readonly authorizer: Authorizer,
    readonly audit: AuditTrail,
    /** The modules it loads when first needed (createKms.ts). */
    readonly modules: EngineModules,
    /** When set, every new key material is also sealed to this key (kms/recovery). */
    readonly recovery?: Promise<RecoveryKey>,
    /** Where the host keeps other accounts (otherAccounts.ts), when not in this store. */
    readonly otherAccounts?: OtherAccounts,
  ) {
    this.blobKeys = new BlobKeys(random)
  }

  /** The native blob cipher's module, once loaded. */
  #nativeBlobCipher: NativeBlobCipherModule | undefined

  /**
   * The cipher for a blob: the runtime's own AES-GCM where it has one (looked up on every call,
   * so a runtime without it, or a test that takes it away, gets WebCrypto's), else WebCrypto's.
   */
  blobCipher(): BlobCipher | Promise<BlobCipher> {
    const native = nativeAesGcm()
    if (!native) return webCryptoBlobCipher
    if (this.#nativeBlobCipher) return this.#nativeBlobCipher.blobCipherFor(native)
    return this.modules.nativeBlobCipher().then(
      (m) => (this.#nativeBlobCipher = m).blobCipherFor(native),
      () => webCryptoBlobCipher,
    )
  }

  keyArn = (keyId: string) => keyArn(this.account, keyId)
  aliasArn = (aliasName: string) => aliasArn(this.account, aliasName)

  /**
   * Resolves a KeyId (key ID, key ARN and, when `allowAlias`, alias name or alias ARN) to its
   * key after applying whatever fell due by `call.now`. Throws NotFoundException when there is
   * no such key, including a key whose deletion window has passed. Decides nothing about access:
   * the call path authorizes what an operation resolves.
   */
  async findKey(call: Call, keyId: string, allowAlias: boolean): Promise<KeyRecord> {
    const ref = parseKeyReference(this.account, keyId, allowAlias)
    let key = await this.store.transaction('readonly', (tx) => this.lookup(tx, ref))
    if (hasDueWork(key, call.now)) {
      await this.settle(call, [key.keyId])
      key = await this.store.transaction('readonly', (tx) => this.lookup(tx, ref))
    }
    return key
  }

  /** Resolves a reference inside a transaction; throws NotFoundException. */
  async lookup(tx: KeyStoreTransaction, ref: KeyReference): Promise<KeyRecord> {
    let keyId: string
    if (ref.kind === 'alias') {
      const alias = await tx.getAlias(ref.aliasName)
      if (!alias) throw new NotFoundException(`Alias ${this.aliasArn(ref.aliasName)} is not found.`)
      keyId = alias.targetKeyId
    } else {
      keyId = ref.keyId
    }
    const key = await tx.getKey(keyId)
    if (!key) throw new NotFoundException(`Key '${this.keyArn(keyId)}' does not exist`)
    return key
  }

  /**
   * Inside a write: re-reads the key (another tab may have changed it since it was resolved),
   * lets `mutate` change it synchronously, and stores it. If `mutate` throws, the write throws.
   */
  async updateKey<R>(tx: KeyStoreTransaction, keyId: string, mutate: (key: KeyRecord) => R): Promise<R> {
    const key = await tx.getKey(keyId)
    if (!key) throw new NotFoundException(`Key '${this.keyArn(keyId)}' does not exist`)
    const result = mutate(key)
    await tx.putKey(key)
    return result
  }

  /**
   * Applies due rotations, expiries and deletions to the given keys (all keys when omitted).
   * Finding none is the common case and costs a read; the work itself is dueWork.ts, loaded
   * the first time there is some.
   */
  async settle(call: Call, keyIds?: string[]): Promise<void> {
    const keys = await this.store.transaction('readonly', async (tx) =>
      keyIds ? (await Promise.all(keyIds.map((id) => tx.getKey(id)))).filter((k) => k !== undefined) : tx.listKeys(),
    )
    const due = keys.filter((k) => hasDueWork(k, call.now))
    if (due.length === 0) return
    const { settleDue } = await loaded('applying what the clock made due', this.modules.dueWork())
    await settleDue(this, call, due)
  }

  /** Fresh request and event IDs for an audit event. */
  eventIds() {
    const bytes = this.random(32)
    return { requestID: uuidFromRandom(bytes.subarray(0, 16)), eventID: uuidFromRandom(bytes.subarray(16)) }
  }
}
