// Minimal playground over the engine: create a key, encrypt, decrypt, show the results.
// It contains no crypto code of its own (DESIGN.md §6); the real demo will talk to
// @webkms/worker instead of running the engine on the main thread.
import { createKms } from '@webkms/core'

const kms = createKms()
// For experiments from the devtools console: `await webkms.listKeys({})`.
Object.assign(globalThis, { webkms: kms })

const input = document.querySelector<HTMLInputElement>('#plaintext')!
const button = document.querySelector<HTMLButtonElement>('#run')!
const result = document.querySelector<HTMLDListElement>('#result')!

function show(rows: Array<[string, string]>, isError = false): void {
  result.replaceChildren(
    ...rows.flatMap(([term, value]) => {
      const dt = document.createElement('dt')
      dt.textContent = term
      const dd = document.createElement('dd')
      dd.textContent = value
      if (isError) dd.className = 'error'
      return [dt, dd]
    }),
  )
}

function hex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('')
}

button.addEventListener('click', async () => {
  button.disabled = true
  try {
    const text = input.value
    const { KeyMetadata } = await kms.createKey({ Description: 'playground' })
    const enc = await kms.encrypt({ KeyId: KeyMetadata.KeyId, Plaintext: new TextEncoder().encode(text) })
    const dec = await kms.decrypt({ CiphertextBlob: enc.CiphertextBlob })
    show([
      ['Key id', KeyMetadata.KeyId],
      ['Ciphertext', `${enc.CiphertextBlob.length} bytes: ${hex(enc.CiphertextBlob.subarray(0, 16))}…`],
      ['Decrypted', new TextDecoder().decode(dec.Plaintext)],
    ])
  } catch (err) {
    // KMS errors carry AWS's exception name (DESIGN.md §2): show it, not just the message.
    const e = err as Error
    show([[e.name, e.message]], true)
  } finally {
    button.disabled = false
  }
})
