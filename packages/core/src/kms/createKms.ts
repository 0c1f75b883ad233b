/**
 * `createKms(options)`: the KMS engine, one camelCase method per row of the operation table
 * (operations/index.ts), each taking and returning the shapes of the matching
 * `@aws-sdk/client-kms` command, each run by the one call path (callPath.ts).
 *
 * Every method returns a Promise and reports every failure by rejecting it, with a KmsError
 * subclass named as AWS names it.
 */
import { WEBKMS_ENGINE } from '../engineMarker.js'
import { KMSInternalException, MalformedPolicyDocumentException } from './errors.js'
import type { KeyStore } from '../keystore/KeyStore.js'
import { AuditTrail } from './audit/trail.js'
import type { AuditRetention } from './audit/layout.js'
import { Authorizer } from './authorization.js'
import { runCall } from './callPath.js'
import { resolveCaller, rootCaller, type Caller, type ResolvedCaller } from './caller.js'
import { Engine } from './engine.js'
import type { ExplainRequest, Explanation } from './explain.js'
import type { Finding, FindingsOptions } from './findings.js'
import type { Account } from './keyIds.js'
import type { Operation } from './operation.js'
import { methodName, operations, type OperationRow } from './operations/index.js'
import { loaded } from './loaded.js'
import { MAX_IDENTITY_POLICY_LENGTH } from './policy/limits.js'
import { PolicyParser } from './policy/parser.js'
import { checkRecoveryOption, type RecoveryOptions } from './recovery/option.js'
import { loadOnce } from '../util/loadOnce.js'
import { nativeCrypto, sha256HexWith } from '../util/nativeCrypto.js'
import { enginesOf, type OtherAccounts } from './otherAccounts.js'

/**
 * The options of {@link createKms}, all optional: where keys live, the engine's clock and
 * randomness, the account its ARNs name, who calls by default, the identity policies to start
 * with, the audit trail's checkpoints and retention, and opt-in recovery. An invalid one makes
 * `createKms` throw.
 *
 * @example
 * ```ts
 * import { createKms, type KmsOptions } from '@webkms/core'
 *
 * const alice = 'arn:aws:iam::444455556666:user/alice'
 * const options: KmsOptions = {
 *   accountId: '444455556666',
 *   region: 'eu-west-1',
 *   caller: { principal: alice },
 *   identityPolicies: {
 *     [alice]: { 'use-keys': { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: ['kms:CreateKey', 'kms:Encrypt', 'kms:Decrypt'], Resource: '*' }] } },
 *   },
 * }
 * const kms = createKms(options) // every call made, and audited, as alice
 * const { KeyMetadata } = await kms.createKey({})
 * console.log(KeyMetadata.Arn) // arn:aws:kms:eu-west-1:444455556666:key/...
 * ```
 */
export interface KmsOptions {
  /** Where keys live. Default: a new in-memory store (nothing persists). */
  keyStore?: KeyStore
  /** The engine's clock. Rotation and deletion windows follow it. Default: the system clock. */
  now?: () => Date
  /** Random bytes (key IDs, nonces, data keys, GenerateRandom). Default: crypto.getRandomValues. */
  random?: (length: number) => Uint8Array
  /** Account ID in key ARNs. Default: '111122223333' (the AWS documentation's example). */
  accountId?: string
  /** Region in key ARNs. Default: 'us-east-1'. */
  region?: string
  /** ARN partition. Default: 'aws'. */
  partition?: string
  /** Who calls when no other caller is given (`kms.as(caller)`). Default: the account root. */
  caller?: Caller
  /**
   * Identity (IAM) policies to attach when the engine starts, by principal ARN, then by policy
   * name: the policy as JSON text or as an object. They are written to the key store (replacing
   * policies of the same name) before the first call; change them later with
   * `kms.putIdentityPolicy` as the account root.
   */
  identityPolicies?: Record<string, Record<string, string | object>>
  /** A signed audit checkpoint is made at least this often while calls arrive. Default: 1 hour. */
  auditCheckpointPeriodMs?: number
  /** How much of the audit trail the store keeps (default 90 days, 20,000 events), and where pruned segments go. */
  auditRetention?: AuditRetention
  /**
   * Opt-in recovery from a lost store: every key material made or imported from now on is also
   * sealed to this RSA-OAEP public key (kept beside it in the store, and in the bundle
   * `exportRecoveryBundle` returns); `restoreRecoveryBundle` with the private key rebuilds the
   * keys in a new store. Keep the private key offline: whoever holds it and a bundle holds every key.
   */
  recovery?: RecoveryOptions
  /**
   * For a host that keeps each account in a store of its own (the edge: one Durable Object per
   * account): where a caller of another account has its identity policies, and its own audit
   * trail, in which its calls on this account's keys are recorded too (those refused, before
   * they ran or denied access, only there). Without it, every account's identity policies are
   * read from this store.
   */
  otherAccounts?: OtherAccounts
}

type MethodOf<O> = O extends Operation<string, infer Request, infer Response> ? ({} extends Request ? (input?: Request) => Promise<Response> : (input: Request) => Promise<Response>) : never

/** One method per operation: `createKey`, `encrypt`, `putIdentityPolicy`, `exportAuditLog` ... */
export type KmsOperations = { [O in OperationRow as Uncapitalize<O['name']>]: MethodOf<O> }

/**
 * The engine {@link createKms} returns: the operation methods of {@link KmsOperations}, and
 * `explain`, `findings` and `as`. Every method but `as` returns a promise and reports failures
 * by rejecting it.
 *
 * @example
 * ```ts
 * import { createKms, type Kms } from '@webkms/core'
 *
 * async function rotateAll(kms: Kms): Promise<void> {
 *   const { Keys } = await kms.listKeys()
 *   for (const { KeyId } of Keys) await kms.enableKeyRotation({ KeyId })
 * }
 * await rotateAll(createKms())
 * ```
 */
export interface Kms extends KmsOperations {
  /**
   * Would `caller` (default: this view's caller) be allowed `operation` on `keyId` with this
   * request? The decision and the statement or grant that decided it. Changes nothing; not audited.
   */
  explain(input: ExplainRequest): Promise<Explanation>
  /** Security findings computed now from the keys, their policies and grants, and the audit trail. */
  findings(options?: FindingsOptions): Promise<Finding[]>
  /** The same engine, its calls made (and audited) as `caller`. Throws TypeError for an invalid caller. */
  as(caller: Caller): Kms
}

/**
 * The platform's CSPRNG, drawn 4 KiB at a time: most calls want 12 to 32 bytes, and one
 * getRandomValues call per call costs more than the bytes. Each answer is a copy, and the pool's
 * bytes are zeroed as they are handed out, so none is given twice or left behind.
 */
function pooledRandom(): (length: number) => Uint8Array {
  const pool = new Uint8Array(4096)
  let used = pool.length
  return (length) => {
    if (length > pool.length) return globalThis.crypto.getRandomValues(new Uint8Array(length))
    if (used + length > pool.length) {
      globalThis.crypto.getRandomValues(pool)
      used = 0
    }
    const out = pool.slice(used, used + length)
    pool.fill(0, used, used + length)
    used += length
    return out
  }
}

/** The random source, checked on every use: a short or wrong answer must never become a key or a nonce. */
function checkedRandom(random: (length: number) => Uint8Array): (length: number) => Uint8Array {
  return (length) => {
    const bytes = random(length)
    if (!(bytes instanceof Uint8Array) || bytes.byteLength !== length) throw new RangeError(`"random" expected to return a Uint8Array of length ${length}`)
    return bytes
  }
}

/**
 * Creates a KMS engine with the semantics of AWS KMS on WebCrypto: one method per operation
 * (`createKey`, `encrypt`, `decrypt`, ...: {@link KmsOperations}), each taking and returning the
 * shapes of the matching `@aws-sdk/client-kms` command
 * (https://docs.aws.amazon.com/kms/latest/APIReference/API_Operations.html), every call
 * authorized by key policies, identity policies and grants and recorded in the signed audit trail.
 * The code of rarely used operations (grants, import, asymmetric and HMAC keys, recovery,
 * `explain`, `findings`) is imported on their first call.
 *
 * @param options - all optional; see {@link KmsOptions}
 * @returns the engine, calling as `options.caller` (default: the account root)
 * @throws `TypeError` at once for an invalid option: an `accountId` that is not 12 digits, a
 * `region` or `partition` with other characters, a `random` or `now` that is not a function, an
 * invalid `caller`, `recovery` key or `auditCheckpointPeriodMs`, an `identityPolicies` entry whose
 * principal is not an IAM user or role ARN or whose policy name or length is invalid; `RangeError`
 * for `auditRetention` limits below their minimum. The operation methods never throw: they reject
 * with a {@link KmsError} subclass named as AWS names the exception (e.g. {@link NotFoundException}
 * `ERR_KMS_NOT_FOUND`); every call rejects with {@link MalformedPolicyDocumentException}
 * `ERR_KMS_MALFORMED_POLICY_DOCUMENT` when an `identityPolicies` entry is not a valid policy (the
 * policy grammar loads on demand, so it is checked with the first call, and nothing is stored),
 * and with `KMSInternalException` `ERR_KMS_INTERNAL` when the store fails (storing
 * `identityPolicies` too) or an operation's code cannot be loaded.
 *
 * @example
 * ```ts
 * import { createKms, NotFoundException } from '@webkms/core'
 *
 * const kms = createKms() // in-memory key store, system clock, account 111122223333 in us-east-1
 * const { KeyMetadata } = await kms.createKey({ Description: 'orders' })
 * const { CiphertextBlob } = await kms.encrypt({ KeyId: KeyMetadata.KeyId, Plaintext: new TextEncoder().encode('4111 1111 1111 1111'), EncryptionContext: { orderId: '42' } })
 * const { Plaintext } = await kms.decrypt({ CiphertextBlob, EncryptionContext: { orderId: '42' } })
 * await kms.describeKey({ KeyId: 'alias/missing' }).catch((e) => {
 *   if (e instanceof NotFoundException) console.log(e.code) // ERR_KMS_NOT_FOUND
 * })
 * ```
 */
export function createKms(options: KmsOptions = {}): Kms {
  const account: Account = {
    partition: options.partition ?? 'aws',
    accountId: options.accountId ?? '111122223333',
    region: options.region ?? 'us-east-1',
  }
  if (typeof account.accountId !== 'string' || !/^\d{12}$/.test(account.accountId)) throw new TypeError(`"accountId" expected 12 digits, got ${JSON.stringify(account.accountId)}`)
  if (typeof account.region !== 'string' || !/^[a-z0-9-]+$/.test(account.region)) throw new TypeError(`"region" expected a region name such as us-east-1, got ${JSON.stringify(account.region)}`)
  if (typeof account.partition !== 'string' || !/^[a-z-]+$/.test(account.partition)) throw new TypeError(`"partition" expected a partition such as aws, got ${JSON.stringify(account.partition)}`)
  if (options.random !== undefined && typeof options.random !== 'function') throw new TypeError('"random" expected a function (length) => Uint8Array')
  if (options.now !== undefined && typeof options.now !== 'function') throw new TypeError('"now" expected a function returning a Date')
  const clock = options.now ?? (() => new Date())
  const store = options.keyStore ?? defaultKeyStore()
  const audit = new AuditTrail(store, () => clock(), {
    ...(options.auditCheckpointPeriodMs === undefined ? {} : { checkpointPeriodMs: options.auditCheckpointPeriodMs }),
    ...(options.auditRetention === undefined ? {} : { retention: options.auditRetention }),
    loadSha256Hex: loadAppendHash,
  })
  // Recovery, explain and findings are imported when first needed: most applications never use them.
  if (options.recovery !== undefined) checkRecoveryOption(options.recovery)
  const recovery = options.recovery === undefined ? undefined : import('./recovery/recoveryKey.js').then(({ RecoveryKey }) => RecoveryKey.from(options.recovery!))
  recovery?.catch(() => undefined) // reported by every call that makes key material
  // The policy grammar loads with the first policy that is not the default key policy.
  const policies = new PolicyParser(loadOnce(() => import('./policy/document.js')))
  const evaluator = loadOnce(() => import('./policy/evaluator.js'))
  const modules = { versionMaterial: loadOnce(() => import('./crypto/versionMaterial.js')), nativeBlobCipher: loadOnce(() => import('./crypto/nativeBlobCipher.js')), dueWork: loadOnce(() => import('./dueWork.js')), rsaEncryption: loadOnce(() => import('./operations/rsaEncryption.js')) }
  const other = options.otherAccounts
  if (other !== undefined && (typeof other?.identityPolicies !== 'function' || typeof other.record !== 'function')) throw new TypeError('"otherAccounts" expected { identityPolicies, record } functions')
  const engine = new Engine(store, checkedRandom(options.random ?? pooledRandom()), account, new Authorizer(account, store, policies, evaluator, other), audit, modules, recovery, other)
  const defaultCaller = options.caller ? resolveCaller(options.caller) : rootCaller(account.partition, account.accountId)
  const seeded = seedIdentityPolicies(store, clock, policies, options.identityPolicies)

  const bind = (caller: ResolvedCaller): Kms => {
    const kms: Record<string | symbol, unknown> = {}
    for (const operation of operations) {
      kms[methodName(operation.name)] = (input?: unknown) => runCall(engine, clock, caller, operation, input, seeded)
    }
    kms.explain = async (input: ExplainRequest) => {
      const { explainAccess } = await loaded('explain', import('./explain.js'))
      return (await seeded, explainAccess(engine, operations, clock(), caller, input))
    }
    kms.findings = async (opts?: FindingsOptions) => {
      const { computeFindings } = await loaded('findings', import('./findings.js'))
      return (await seeded, computeFindings(engine, clock(), opts))
    }
    kms.as = (c: Caller) => bind(resolveCaller(c))
    Object.defineProperty(kms, WEBKMS_ENGINE, { value: true })
    enginesOf.set(kms, engine)
    return kms as unknown as Kms
  }
  return bind(defaultCaller)
}

/**
 * The audit chain's hash on every append: `node:crypto`'s where the runtime has it (~1 µs for an
 * event against ~5 µs for @noble/hashes, on every call), else @noble/hashes' (audit/hashes.ts),
 * loaded with the first call: Node, Deno, Bun and Cloudflare Workers never load it. Both are
 * FIPS 180-4 SHA-256 of TextEncoder's bytes, so a trail verifies wherever it was written. The
 * module is kept from when the engine first needs it (a test may take it away later).
 */
async function loadAppendHash(): Promise<(text: string) => string> {
  const native = nativeCrypto()
  return native ? sha256HexWith(native) : (await import('./audit/hashes.js')).sha256Hex
}

/**
 * The default store, a `MemoryKeyStore` loaded on its first transaction: an application that
 * brings its own store (IndexedDB, Durable Objects) never loads it. Transactions keep the order
 * they were asked in; a failed load is tried again by the next transaction.
 */
function defaultKeyStore(): KeyStore {
  const store = loadOnce(() => import('../keystore/MemoryKeyStore.js').then((m) => new m.MemoryKeyStore()))
  return { transaction: (mode, fn, options) => store().then((s) => s.transaction(mode, fn, options)) }
}

/**
 * Checks the `identityPolicies` option's shape now (a TypeError at createKms), then parses each
 * policy and writes them all to the store. The policy grammar loads on demand (policy/parser.ts),
 * so a policy that is not one fails every call with MalformedPolicyDocumentException, naming
 * it, and nothing is stored.
 */
function seedIdentityPolicies(store: KeyStore, clock: () => Date, policies: PolicyParser, option: KmsOptions['identityPolicies']): Promise<void> {
  const records: { principal: string; name: string; document: string }[] = []
  for (const [principal, named] of Object.entries(option ?? {})) {
    if (!/^arn:[a-z-]+:iam::\d{12}:(user|role)\/[\w+=,.@/-]+$/.test(principal)) throw new TypeError(`"identityPolicies" expected IAM user or role ARNs as keys, got ${JSON.stringify(principal)}`)
    for (const [name, policy] of Object.entries(named)) {
      const document = typeof policy === 'string' ? policy : JSON.stringify(policy)
      if (!/^[\w+=,.@-]{1,128}$/.test(name)) throw new TypeError(`"identityPolicies" policy name ${JSON.stringify(name)} must be 1-128 letters, digits or +=,.@_-`)
      if (document.length > MAX_IDENTITY_POLICY_LENGTH) throw new TypeError(`"identityPolicies" policy ${name} is longer than ${MAX_IDENTITY_POLICY_LENGTH} characters`)
      records.push({ principal, name, document })
    }
  }
  if (!records.length) return Promise.resolve()
  const parsed = Promise.all(
    records.map((r) =>
      policies.parse(r.document, 'identity').catch((error: unknown) => {
        if (error instanceof MalformedPolicyDocumentException) throw new MalformedPolicyDocumentException(`"identityPolicies" given to createKms: policy ${r.name} of ${r.principal}: ${error.message}`)
        throw new KMSInternalException('the identity policies given to createKms could not be parsed', { cause: error })
      }),
    ),
  )
  const seeded = parsed.then(() =>
    store
      .transaction('readwrite', async (tx) => {
        const now = clock()
        for (const r of records) await tx.putIdentityPolicy({ ...r, updatedDate: now })
      })
      .catch((cause: unknown) => {
        throw new KMSInternalException('the identity policies given to createKms could not be stored', { cause })
      }),
  )
  seeded.catch(() => undefined) // reported by every call that awaits it
  return seeded
}

export { operationNames, type OperationName } from './operations/index.js'
