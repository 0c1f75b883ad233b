/**
 * Encrypt a file (#files): the learner's file is streamed through the worker's AWS Encryption
 * SDK (encryptMessageStream) into a message they download, then streamed back through
 * decryptMessageStream; a progress bar for each, the message header, and a check that the
 * decrypted file is the original.
 *
 * Streams all the way: File.stream() into the worker, the output collected as a Blob (which the
 * browser may keep on disk), so a large file is never one ArrayBuffer in the page.
 */
import './files.css'
import { algorithmSuites, DecryptionError, type MessageHeader } from '@webkms/core'
import type { Section } from '../app/context.js'
import { button, bytesView, errorView, h, okView, run, uid } from '../app/dom.js'
import { sectionHead } from '../app/section.js'
import { common } from '../text/common.js'
import { filesText } from '../text/files.js'
import { keyByAlias } from './keyByAlias.js'

const KEY = 'alias/demo-files'
/** Files up to this size are also compared byte by byte after decryption. */
const COMPARE_LIMIT = 16 << 20
const SUFFIX = '.encrypted'

const hex2 = (n: number, digits: number) => n.toString(16).padStart(digits, '0')
const sameBytes = (a: Uint8Array, b: Uint8Array) => a.length === b.length && a.every((x, i) => x === b[i])

interface Encrypted {
  original: File
  blob: Blob
  name: string
  header: MessageHeader
}

export const files: Section = async (ctx) => {
  const t = filesText[ctx.lang]
  const c = common[ctx.lang]
  await keyByAlias(ctx.kms, KEY, { Description: 'webkms demo: file encryption' })

  // Download links are object URLs: revoked when replaced and when the learner leaves.
  const urls = new Set<string>()
  ctx.signal.addEventListener('abort', () => urls.forEach((u) => URL.revokeObjectURL(u)))
  const downloadLink = (blob: Blob, name: string, previous?: HTMLAnchorElement) => {
    if (previous) {
      URL.revokeObjectURL(previous.href)
      urls.delete(previous.href)
    }
    const href = URL.createObjectURL(blob)
    urls.add(href)
    return h('a', { class: 'button download', href, download: name }, t.download(name))
  }

  /**
   * A file input with its label and a button-like face in the page's language (the browser's
   * own "Choose File" follows its UI language, not the page's). The real input covers the
   * face, transparent: clicks, taps, drops and the keyboard all reach it.
   */
  const filePicker = (label: string, input: HTMLInputElement, hint?: string) => {
    input.id = uid('file')
    const name = h('span', { class: 'file-name', 'aria-hidden': 'true' }, t.noneChosen)
    input.addEventListener('change', () => {
      const file = input.files?.[0]
      name.textContent = file ? `${file.name} (${c.bytes(file.size)})` : t.noneChosen
    })
    const hintEl = hint ? h('small', { id: `${input.id}-hint`, class: 'hint' }, hint) : null
    if (hintEl) input.setAttribute('aria-describedby', hintEl.id)
    return h('div', { class: 'field' }, h('label', { for: input.id }, label), h('div', { class: 'file-picker' }, h('span', { class: 'button secondary', 'aria-hidden': 'true' }, t.choose), name, input), hintEl)
  }

  /** A labelled <progress> with "n of total bytes (p%)" beside it. */
  const progressBar = (label: string) => {
    const id = uid('progress')
    const bar = h('progress', { id, max: 1, value: 0 })
    const text = h('span', { class: 'progress-text' })
    // Hidden until its first run.
    const element = h('div', { class: 'progress-row', hidden: true }, h('label', { for: id }, label), bar, text)
    return {
      element,
      set(done: number, total: number) {
        element.hidden = false
        bar.max = Math.max(total, 1)
        bar.value = total ? done : 1
        text.textContent = t.progress(c.bytes(done), c.bytes(total), total ? Math.floor((done * 100) / total) : 100)
      },
    }
  }

  let last: Encrypted | undefined

  // Encrypt: File.stream() → the worker's writable; its readable → a Blob.
  const fileInput = h('input', { type: 'file' })
  const encryptProgress = progressBar(t.progressEncrypt)
  const encryptOut = h('div', { class: 'encrypt-out' })
  const encryptButton = button(t.encrypt, () => encrypt(), { disabled: true })

  const encrypt = async () => {
    const file = fileInput.files?.[0]
    if (!file) return
    await busy(() =>
      run(encryptOut, async () => {
        encryptOut.replaceChildren()
        encryptProgress.set(0, file.size)
        const { readable, writable, messageHeader } = await ctx.kms.encryptMessageStream({
          keyId: KEY,
          // Authenticated, not secret: says which file this is, and is checked on decryption.
          encryptionContext: { purpose: 'webkms-demo-file', fileName: file.name },
          plaintextLength: file.size,
          onProgress: (done) => encryptProgress.set(done, file.size),
        })
        const [blob] = await Promise.all([collect(readable), file.stream().pipeTo(writable)])
        const header = await messageHeader
        encryptProgress.set(file.size, file.size)
        last = { original: file, blob, name: file.name + SUFFIX, header }
        const first = new Uint8Array(await blob.slice(0, 32).arrayBuffer())
        return [
          okView(t.encrypted(last.name, c.bytes(blob.size))),
          h('div', { class: 'actions' }, (encryptLink = downloadLink(blob, last.name, encryptLink))),
          headerView(header),
          bytesView(t.firstBytes, first, c.bytes),
          header.version === 2 ? h('p', { class: 'hint' }, t.firstBytesNote(hex2(first[0]!, 2), `${hex2(first[1]!, 2)} ${hex2(first[2]!, 2)}`)) : null,
        ]
      }),
    )
  }
  let encryptLink: HTMLAnchorElement | undefined

  const headerView = (header: MessageHeader) => {
    const suite = algorithmSuites[header.suiteId]
    const suiteText = [
      `0x${hex2(header.suiteId, 4)}`,
      suite && `AES-${suite.keyLength * 8}-GCM`,
      suite?.kdfHash && `HKDF-${suite.kdfHash.replace('-', '')}`,
      suite?.committing && t.commitment,
      suite?.signature && `ECDSA ${suite.signature.curve} ${t.signature}`,
    ].filter(Boolean).join(' · ')
    const row = (name: string, ...value: (Node | string)[]) => h('tr', {}, h('th', { scope: 'row' }, name), h('td', {}, ...value))
    return h(
      'div',
      { class: 'scroll' },
      h(
        'table',
        { class: 'message-header' },
        h('caption', {}, t.headerTitle),
        h('tbody', {},
          row(t.hVersion, String(header.version)),
          row(t.hSuite, suiteText),
          row(t.hKeys, String(header.encryptedDataKeys.length), h('ul', {}, ...header.encryptedDataKeys.map((k) => h('li', {}, h('code', {}, k.providerId), ' ', h('code', { class: 'arn' }, k.providerInfo)))), h('small', {}, t.keysNote)),
          row(
            t.hContext,
            h('ul', {}, ...Object.entries(header.encryptionContext).map(([k, v]) => h('li', {}, h('code', {}, k), ': ', h('code', { class: 'value' }, v)))),
            'aws-crypto-public-key' in header.encryptionContext ? h('small', {}, t.contextNote) : '',
          ),
          row(t.hFrame, header.frameLength ? c.bytes(header.frameLength) : '—'),
        ),
      ),
    )
  }

  // Decrypt: the message just made, or a chosen .encrypted file, streamed back.
  const decryptInput = h('input', { type: 'file', accept: `${SUFFIX},application/octet-stream` })
  const decryptProgress = progressBar(t.progressDecrypt)
  const decryptOut = h('div', { class: 'decrypt-out' })
  const decryptThis = button(t.decryptThis, () => last && decrypt(last.blob, last.name), { disabled: true })
  const decryptChosen = button(t.decryptFile, () => decryptInput.files?.[0] && decrypt(decryptInput.files[0], decryptInput.files[0].name), { class: 'secondary', disabled: true })
  let decryptLink: HTMLAnchorElement | undefined

  const decrypt = (source: Blob, name: string) =>
    busy(() =>
      run(decryptOut, async () => {
        decryptOut.replaceChildren() // no earlier result beside this run's progress
        decryptProgress.set(0, source.size)
        const { readable, writable, messageHeader } = await ctx.kms.decryptMessageStream({})
        // Progress counts the message bytes read (the engine's own count is of plaintext out).
        let read = 0
        const counted = new TransformStream<Uint8Array, Uint8Array>({
          transform(chunk, controller) {
            read += chunk.byteLength
            decryptProgress.set(read, source.size)
            controller.enqueue(chunk)
          },
        })
        let blob: Blob
        try {
          ;[blob] = await Promise.all([collect(readable), source.stream().pipeThrough(counted).pipeTo(writable)])
        } catch (e) {
          return [errorView(await betterError(e, messageHeader)), h('p', {}, t.refused)]
        }
        const header = await messageHeader
        decryptProgress.set(source.size, source.size)
        const outName = header.encryptionContext.fileName ?? (name.endsWith(SUFFIX) ? name.slice(0, -SUFFIX.length) : `${name}.decrypted`)
        const madeHere = last !== undefined && sameBytes(last.header.messageId, header.messageId)
        return [
          okView(t.decrypted(outName, c.bytes(blob.size)), madeHere ? await compare(blob, last!.original) : h('p', {}, t.noOriginal)),
          h('div', { class: 'actions' }, (decryptLink = downloadLink(blob, outName, decryptLink))),
          // The header of a message made elsewhere: which key, which context.
          madeHere ? null : headerView(header),
        ]
      }),
    )

  /** The decrypted file against the original: the size, and the bytes up to a limit. */
  const compare = async (blob: Blob, original: File): Promise<HTMLElement> => {
    if (blob.size !== original.size) return h('p', { class: 'differs' }, t.differs)
    if (blob.size > COMPARE_LIMIT) return h('p', { class: 'match' }, t.matchSize(c.bytes(COMPARE_LIMIT)))
    const [a, b] = await Promise.all([blob.arrayBuffer(), original.arrayBuffer()])
    return sameBytes(new Uint8Array(a), new Uint8Array(b)) ? h('p', { class: 'match' }, t.matchBytes) : h('p', { class: 'differs' }, t.differs)
  }

  /** Runs `work` with every button of the section disabled, then enables what the state allows. */
  const busy = async (work: () => Promise<unknown>) => {
    const focused = document.activeElement
    for (const b of [encryptButton, decryptThis, decryptChosen]) b.disabled = true
    try {
      await work()
    } finally {
      encryptButton.disabled = !fileInput.files?.length
      decryptThis.disabled = !last
      decryptChosen.disabled = !decryptInput.files?.length
      // A disabled button drops the keyboard focus to the page: give it back.
      if (focused instanceof HTMLButtonElement && !focused.disabled && (document.activeElement === document.body || document.activeElement === null)) focused.focus()
    }
  }

  fileInput.addEventListener('change', () => (encryptButton.disabled = !fileInput.files?.length))
  decryptInput.addEventListener('change', () => (decryptChosen.disabled = !decryptInput.files?.length))

  // The drop zone: the file input inside it stays the way to choose with a keyboard.
  const zone = h('div', { class: 'dropzone' }, h('p', { class: 'drop-here' }, t.dropHere), filePicker(t.fileLabel, fileInput, t.fileHint))
  zone.addEventListener('dragover', (e) => {
    e.preventDefault()
    zone.classList.add('over')
  })
  zone.addEventListener('dragleave', () => zone.classList.remove('over'))
  zone.addEventListener('drop', (e) => {
    e.preventDefault()
    zone.classList.remove('over')
    if (e.dataTransfer?.files.length) {
      fileInput.files = e.dataTransfer.files
      fileInput.dispatchEvent(new Event('change'))
    }
  })

  return h(
    'article',
    { class: 'section files' },
    ...sectionHead(ctx, 'files'),
    h('p', { class: 'lead' }, t.lead),
    h('p', { class: 'hint' }, c.runsReal),
    h('h2', {}, t.encryptTitle),
    zone,
    h('div', { class: 'actions' }, encryptButton),
    encryptProgress.element,
    encryptOut,
    h('h2', {}, t.decryptTitle),
    h('div', { class: 'actions' }, decryptThis),
    filePicker(t.decryptFileLabel, decryptInput),
    h('div', { class: 'actions' }, decryptChosen),
    decryptProgress.element,
    decryptOut,
    h('div', { class: 'fact' }, h('strong', {}, c.currentFact), h('p', {}, t.factNow), h('p', {}, t.factStream), h('strong', {}, c.olderMaterial), h('p', {}, t.factOld)),
  )
}

/**
 * The error to show for a failed decryption: the header's own when the header failed (it
 * arrives through messageHeader), else the stream's. Both keep their class and code across the
 * worker.
 */
async function betterError(e: unknown, messageHeader: Promise<MessageHeader>): Promise<unknown> {
  const settled = messageHeader.then(
    () => e,
    (headerError: unknown) => headerError,
  )
  return Promise.race([settled, new Promise((resolve) => setTimeout(() => resolve(e), 1000))])
}

/**
 * The stream's chunks as a Blob (parts kept as they come: the browser may page them out). Read
 * directly rather than through `new Response(readable).blob()`, which reports a failed stream as
 * its own TypeError and loses the engine's error.
 */
async function collect(readable: ReadableStream<Uint8Array>): Promise<Blob> {
  const parts: Uint8Array<ArrayBuffer>[] = []
  const reader = readable.getReader()
  for (;;) {
    const { done, value } = await reader.read()
    if (done) return new Blob(parts)
    parts.push(value as Uint8Array<ArrayBuffer>)
  }
}
