// The playground page: starts the KMS worker and drives it. No crypto code of its own
// (DESIGN.md §6); everything goes through the @webkms/worker client.
import {
  CodedError,
  createWorkerKms,
  CryptoKeyStorageUnsupportedError,
  DecryptionError,
  EnvelopeError,
  IndexedDbUnavailableError,
  InsecureContextError,
  KeyringError,
  KeyStoreError,
  kmsErrorClasses,
  RecoveryError,
  type WorkerKms,
} from '@webkms/worker'

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T

function rows(list: HTMLElement, entries: Array<[string, string]>, isError = false): void {
  list.replaceChildren(
    ...entries.flatMap(([term, value]) => {
      const dt = document.createElement('dt')
      dt.textContent = term
      const dd = document.createElement('dd')
      dd.textContent = value
      if (isError) dd.className = 'error'
      return [dt, dd]
    }),
  )
}

const hex = (b: Uint8Array, n = 24) => Array.from(b.subarray(0, n), (x) => x.toString(16).padStart(2, '0')).join('') + (b.length > n ? '…' : '')

/** Errors keep their AWS name and code across the worker boundary: show both. */
function showError(list: HTMLElement, e: unknown): void {
  const err = e as Error & { code?: string }
  rows(list, [[err.name, `${err.message}${err.code ? ` (${err.code})` : ''}`]], true)
}

async function refreshKeys(kms: WorkerKms): Promise<string | undefined> {
  const { Keys } = await kms.listKeys({ Limit: 100 })
  const items = await Promise.all(Keys.map(async ({ KeyId }) => (await kms.describeKey({ KeyId })).KeyMetadata))
  $('keys').replaceChildren(
    ...items.map((m) => {
      const li = document.createElement('li')
      li.textContent = `${m.KeyId} — ${m.KeyState}${m.Description ? ` — ${m.Description}` : ''}`
      return li
    }),
  )
  return items.find((m) => m.KeyState === 'Enabled')?.KeyId
}

async function main(): Promise<WorkerKms> {
  const kms = await createWorkerKms({ worker: new Worker(new URL('./kms.worker.ts', import.meta.url), { type: 'module' }) })
  rows($('store'), [
    ['IndexedDB database', kms.store.name],
    ['Persistent storage', kms.store.persistence],
    ['Schema version', String(kms.store.schemaVersion)],
  ])
  await refreshKeys(kms)
  const result = $('result')
  /** The first enabled key, or a new one (then listed at once). */
  const keyForUse = async () => {
    const existing = await refreshKeys(kms)
    if (existing) return existing
    const { KeyId } = (await kms.createKey({ Description: 'playground' })).KeyMetadata
    await refreshKeys(kms)
    return KeyId
  }

  $('create').addEventListener('click', () => {
    kms.createKey({ Description: `playground ${new Date().toLocaleTimeString()}` }).then(() => refreshKeys(kms), (e) => showError(result, e))
  })
  $('kms').addEventListener('click', async () => {
    try {
      const KeyId = await keyForUse()
      const Plaintext = new TextEncoder().encode($<HTMLInputElement>('plaintext').value)
      const enc = await kms.encrypt({ KeyId, Plaintext })
      const dec = await kms.decrypt({ CiphertextBlob: enc.CiphertextBlob })
      rows(result, [
        ['Key', enc.KeyId],
        ['Ciphertext blob', `${enc.CiphertextBlob.length} bytes: ${hex(enc.CiphertextBlob)}`],
        ['Decrypted', new TextDecoder().decode(dec.Plaintext)],
      ])
    } catch (e) {
      showError(result, e)
    }
  })
  $('envelope').addEventListener('click', async () => {
    try {
      const keyId = await keyForUse()
      const { result: message, messageHeader } = await kms.encryptMessage($<HTMLInputElement>('plaintext').value, { keyId, encryptionContext: { purpose: 'playground' } })
      const { plaintext } = await kms.decryptMessage(message, { encryptionContext: { purpose: 'playground' } })
      rows(result, [
        ['Message', `${message.length} bytes, suite 0x${messageHeader.suiteId.toString(16).padStart(4, '0')}: ${hex(message)}`],
        ['Wrapped data key', `${messageHeader.encryptedDataKeys[0]!.providerId} ${messageHeader.encryptedDataKeys[0]!.providerInfo}`],
        ['Decrypted', new TextDecoder().decode(plaintext)],
      ])
    } catch (e) {
      showError(result, e)
    }
  })
  return kms
}

// For the console and for end-to-end tests: the client, its error classes, and readiness.
const ready = main()
const webkmsErrors = { ...kmsErrorClasses, CodedError, CryptoKeyStorageUnsupportedError, DecryptionError, EnvelopeError, IndexedDbUnavailableError, InsecureContextError, KeyringError, KeyStoreError, RecoveryError }
Object.assign(globalThis, { webkmsReady: ready, webkmsErrors })
ready.then(
  (kms) => Object.assign(globalThis, { webkms: kms }),
  (e) => showError($('store'), e),
)
