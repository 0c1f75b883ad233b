/**
 * The worker side: the engine over the IndexedDB store, and the envelope SDK working with the
 * engine's keys, all inside the worker. What goes back to the page is transferred (Comlink's
 * transfer), not copied: the buffers are fresh and the worker keeps no reference to them.
 */
import { buildClient, createKms, KmsKeyring, MultiKeyring, operationNames, restoreRecoveryBundle, verifyAuditLog, type Kms, type KeyStore, type OperationName } from '@webkms/core'
import { IdbKeyStore, openIdbKeyStore, SCHEMA_VERSION } from '@webkms/keystore-idb'
import { proxy, transfer } from 'comlink'
import { mapStreamError, mapWritableError, serializeError } from './errorTransfer.js'
import type { CallContext, DecryptMessageOptions, EncryptMessageOptions, EngineMethodName, InitOptions, Progress, StoreInfo, WorkerApi } from './protocol.js'

/** How far a movable clock may go: 9000-01-01T00:00:00Z. */
const CLOCK_LIMIT_MS = Date.UTC(9000, 0, 1)

/**
 * Options of `createWorkerApi`.
 *
 * @example
 * ```ts
 * import { MemoryKeyStore } from '@webkms/core'
 * import { createWorkerApi, type WorkerApiOptions } from '@webkms/worker'
 *
 * // Keys in memory instead of IndexedDB (tests, a demo that must forget on reload).
 * const options: WorkerApiOptions = { openStore: async () => new MemoryKeyStore() }
 * const api = createWorkerApi(options)
 * ```
 */
export interface WorkerApiOptions {
  /** Where keys live. Default: IndexedDB (`openIdbKeyStore`). Tests inject other stores. */
  openStore?: (options: InitOptions) => Promise<KeyStore>
}

/** Transfers the buffers of a response's binary fields (top-level and one level down). */
function transferOut<T>(value: T): T {
  const buffers = new Set<ArrayBuffer>()
  const visit = (v: unknown, depth: number) => {
    if (v instanceof Uint8Array && v.buffer instanceof ArrayBuffer && v.byteLength > 0) buffers.add(v.buffer)
    else if (depth < 1 && v && typeof v === 'object') for (const x of Object.values(v)) visit(x, depth + 1)
  }
  visit(value, -1)
  return buffers.size ? transfer(value, [...buffers]) : value
}

/** The engine's methods that are not rows of its operation table but take one request like them. */
const nonOperationMethods = ['explain', 'findings'] as const satisfies readonly EngineMethodName[]
// Does not compile once the engine has a method this worker does not forward.
type Unforwarded = Exclude<EngineMethodName, Uncapitalize<OperationName> | (typeof nonOperationMethods)[number]>
const everyMethodForwarded: [Unforwarded] extends [never] ? true : { notForwarded: Unforwarded } = true
void everyMethodForwarded

const methodName = (op: OperationName) => (op.charAt(0).toLowerCase() + op.slice(1)) as Uncapitalize<OperationName>

/** A message stream's two ends, moved to the page; a failure on either keeps its class and code. */
function transferPair(s: { readable: ReadableStream<Uint8Array>; writable: WritableStream<Uint8Array> }) {
  const readable = mapStreamError(s.readable, serializeError)
  const writable = mapWritableError(s.writable, serializeError)
  return transfer({ readable, writable }, [readable, writable] as unknown as Transferable[])
}

/**
 * The options an `init` was given, as text two calls compare: the fields given (not their
 * defaults), and a recovery key by its modulus and exponent (a CryptoKey that crossed
 * `postMessage` is another object each time; a public key always exports).
 */
async function initOptionsKey(o: InitOptions): Promise<string> {
  const { name, accountId, region, movableClock, recovery } = o ?? {}
  let recoveryKey: unknown = recovery
  const publicKey = recovery?.publicKey
  if (typeof CryptoKey !== 'undefined' && publicKey instanceof CryptoKey) {
    // A key that cannot export is left to createKms, which refuses it with its own TypeError.
    recoveryKey = await crypto.subtle.exportKey('jwk', publicKey).then(({ n, e }) => ({ n, e }), () => 'a key that does not export')
  } else if (publicKey && typeof publicKey === 'object') {
    recoveryKey = { n: (publicKey as JsonWebKey).n, e: (publicKey as JsonWebKey).e }
  }
  return JSON.stringify({ name, accountId, region, movableClock: movableClock === true || undefined, recovery: recoveryKey })
}

/** The names of the options two initOptionsKey texts give differently. */
function differing(a: string, b: string): string {
  const [x, y] = [JSON.parse(a) as Record<string, unknown>, JSON.parse(b) as Record<string, unknown>]
  return [...new Set([...Object.keys(x), ...Object.keys(y)])].filter((k) => JSON.stringify(x[k]) !== JSON.stringify(y[k])).join(', ')
}

/**
 * The worker side, as an object to `expose` with Comlink: what `@webkms/worker/worker` runs.
 * Use it for a worker entry of your own (another store, more methods beside it), or to test the
 * protocol in one realm over a `MessageChannel`. Nothing happens until the page calls `init`;
 * every other method before it rejects with a `TypeError`.
 *
 * @returns a Comlink proxy-marked `WorkerApi` (passed by reference, never cloned)
 *
 * @example
 * ```ts
 * import { expose } from 'comlink'
 * import { createWorkerApi, createWorkerKms, registerErrorTransfer } from '@webkms/worker'
 *
 * // Page and "worker" in one realm, over a MessageChannel.
 * registerErrorTransfer()
 * const { port1, port2 } = new MessageChannel()
 * expose(createWorkerApi(), port1)
 * const kms = await createWorkerKms({ worker: port2, name: 'test' })
 * ```
 */
export function createWorkerApi(options: WorkerApiOptions = {}): WorkerApi {
  let kms: Kms | undefined
  /** The first `init`: its options (as initOptionsKey writes them) and its answer, which every later `init` with the same options shares. */
  let initialized: { options: string; info: Promise<StoreInfo> } | undefined
  let keyStore: KeyStore | undefined
  let clockOffsetMs = 0
  let movable = false
  const now = () => new Date(Date.now() + clockOffsetMs)
  const engine = () => {
    if (!kms) throw new TypeError('the webkms worker is not initialised: call init() first')
    return kms
  }
  /**
   * The engine as this call's caller: a view made for the one call (core checks the caller and
   * throws its TypeError), so nothing is kept per caller.
   */
  const engineFor = (context: CallContext | undefined): Kms => {
    if (context === undefined) return engine()
    if (!context || typeof context !== 'object') throw new TypeError('the call context expected { caller }')
    return engine().as(context.caller)
  }
  const encryptKeyring = (o: EncryptMessageOptions, client: Kms) => {
    if (typeof o?.keyId !== 'string') throw new TypeError('"keyId" expected the KeyId of the key that makes the data key')
    return new KmsKeyring({ client, generatorKeyId: o.keyId, keyIds: o.additionalKeyIds ?? [] })
  }
  const decryptKeyring = (o: DecryptMessageOptions = {}, client: Kms) =>
    o.keyIds?.length ? new KmsKeyring({ client, keyIds: o.keyIds }) : new MultiKeyring({ children: [new KmsKeyring({ client, discovery: true })] })
  /** The envelope SDK's options from a worker method's options (the keys and policy are the worker's part), with the page's progress callback. */
  const withProgress = (o: object, onProgress: Progress | undefined): Record<string, unknown> => {
    const { keyId: _k, additionalKeyIds: _a, keyIds: _i, commitmentPolicy: _c, ...rest } = o as Record<string, unknown>
    return onProgress ? { ...rest, onProgress } : rest
  }
  /**
   * A one-shot envelope call whose result goes back only once the page has run every progress
   * report: each report is a call on the callback's own port, which could otherwise arrive after
   * the result. Reports run in order, so waiting for the last one is waiting for them all.
   */
  const reportingProgress = async <R>(o: object, onProgress: Progress | undefined, call: (options: Record<string, unknown>) => Promise<R>): Promise<R> => {
    let last: unknown
    const result = await call(withProgress(o, onProgress && ((done, total) => void (last = onProgress(done, total)))))
    await Promise.resolve(last).catch(() => undefined) // a callback that threw is the page's own affair
    return result
  }

  /** Opens the store and makes the engine (`init`, once). */
  const open = async (o: InitOptions): Promise<StoreInfo> => {
    const store = await (options.openStore ?? ((x) => openIdbKeyStore({ ...(x.name ? { name: x.name } : {}) })))(o)
    kms = createKms({ keyStore: store, ...(o.accountId ? { accountId: o.accountId } : {}), ...(o.region ? { region: o.region } : {}), ...(o.recovery ? { recovery: o.recovery } : {}), now })
    keyStore = store
    movable = o.movableClock === true
    return {
      name: store instanceof IdbKeyStore ? store.name : (o.name ?? 'memory'),
      persistence: store instanceof IdbKeyStore ? store.persistence : 'unknown',
      schemaVersion: SCHEMA_VERSION,
    }
  }

  const api: Partial<WorkerApi> = {
    async init(o: InitOptions = {}) {
      const asked = await initOptionsKey(o)
      // One worker, one engine: a second client (or two at once) shares the first's, and one
      // with other options (another database, a recovery key the first did not give) is refused
      // rather than silently given an engine that ignores them.
      if (initialized) {
        if (initialized.options !== asked) throw new TypeError(`this worker's engine was made with other options (${differing(initialized.options, asked)}): start another Worker for another engine`)
        return initialized.info
      }
      const first = { options: asked, info: open(o) }
      initialized = first
      first.info.catch(() => initialized === first && (initialized = undefined)) // a failed open may be tried again
      return first.info
    },
    async restoreRecoveryBundle(bundle, privateKey) {
      engine()
      return restoreRecoveryBundle(bundle, { privateKey, keyStore: keyStore!, now })
    },
    async advanceClock(ms) {
      engine()
      if (!movable) throw new TypeError('the clock is not movable: init with { movableClock: true }')
      if (typeof ms !== 'number' || !Number.isFinite(ms) || ms < 0) throw new RangeError('"ms" expected a finite number of milliseconds, 0 or more: the clock only moves forward')
      // Dates past year 9999 have no four-digit ISO form (audit events, KeyMetadata): stop well
      // before, with room for the longest windows the engine adds (rotation, 2560 days).
      if (now().getTime() + ms >= CLOCK_LIMIT_MS) throw new RangeError(`"ms" would move the clock past ${new Date(CLOCK_LIMIT_MS).toISOString()}`)
      clockOffsetMs += ms
      return now()
    },
    async clockNow() {
      return now()
    },
    verifyAuditLog: async (log, o) => verifyAuditLog(log as Parameters<typeof verifyAuditLog>[0], o),
    async encryptMessage(plaintext, o, onProgress, context) {
      return transferOut(await reportingProgress(o, onProgress, (options) => buildClient(o.commitmentPolicy).encrypt(encryptKeyring(o, engineFor(context)), plaintext, options)))
    },
    async decryptMessage(ciphertext, o = {}, onProgress, context) {
      return transferOut(await reportingProgress(o, onProgress, (options) => buildClient(o.commitmentPolicy).decrypt(decryptKeyring(o, engineFor(context)), ciphertext, options)))
    },
    async encryptMessageToChunks(plaintext, o, onProgress, context) {
      return transferOut(await reportingProgress(o, onProgress, (options) => buildClient(o.commitmentPolicy).encryptToChunks(encryptKeyring(o, engineFor(context)), plaintext, options)))
    },
    async decryptMessageToChunks(ciphertext, o = {}, onProgress, context) {
      return transferOut(await reportingProgress(o, onProgress, (options) => buildClient(o.commitmentPolicy).decryptToChunks(decryptKeyring(o, engineFor(context)), ciphertext, options)))
    },
    async encryptMessageStream(o, onHeader, onError, onProgress, context) {
      const s = buildClient(o.commitmentPolicy).encryptStream(encryptKeyring(o, engineFor(context)), withProgress(o, onProgress))
      s.messageHeader.then(onHeader, (e: unknown) => onError(serializeError(e)))
      return transferPair(s)
    },
    async decryptMessageStream(o, onHeader, onError, onProgress, context) {
      const s = buildClient(o?.commitmentPolicy).decryptStream(decryptKeyring(o, engineFor(context)), withProgress(o ?? {}, onProgress))
      s.messageHeader.then(onHeader, (e: unknown) => onError(serializeError(e)))
      return transferPair(s)
    },
  }
  // Every operation (the engine's own table, so new ones need nothing here) and the others.
  for (const method of [...operationNames.map(methodName), ...nonOperationMethods]) {
    ;(api as Record<string, unknown>)[method] = async (input: unknown, context?: CallContext) =>
      transferOut(await (engineFor(context)[method] as (i: unknown) => Promise<unknown>)(input))
  }
  return proxy(api as WorkerApi)
}
