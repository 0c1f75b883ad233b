/**
 * Envelope encryption (#envelope): the six steps of GenerateDataKey on real calls, drawn and
 * animated; the 4,096-byte limit of KMS Encrypt against envelope encryption; ReEncrypt moving
 * a data key to a second KMS key; and the encryption context refusing a wrong value.
 *
 * The page has no cryptography of its own: GenerateDataKey, Decrypt, ReEncrypt and Encrypt are
 * KMS calls; encrypting the data is the AWS Encryption SDK in the worker (encryptMessage), and
 * the step panel says so. Keys are found by alias and made only when missing.
 */
import './envelope.css'
import type { MessageHeader } from '@webkms/core'
import type { DemoContext, Section } from '../app/context.js'
import { button, bytesView, errorView, field, fromUtf8, h, okView, run, svg, uid, utf8 } from '../app/dom.js'
import { sectionHead } from '../app/section.js'
import { common } from '../text/common.js'
import { envelopeText } from '../text/envelope.js'
import { keyByAlias } from './keyByAlias.js'

/** An encrypted data key (a KMS ciphertext blob of a 32-byte key) is 97 bytes: shown whole, since its first 37 (format, key, version, salt) are the same for every blob one engine makes under a key. */
const BLOB_BYTES = 100

const KEY_A = 'alias/demo-envelope-a'
const KEY_B = 'alias/demo-envelope-b'
/** Non-secret pairs that say what the data is; every call below sends the same ones. */
const CONTEXT = { tenant: 'example-corp', record: 'invoice-42' }
/** AES-256-GCM with key commitment and no signature: the header's context is exactly CONTEXT. */
const SUITE = 0x0478
const KMS_ENCRYPT_MAX = 4096
const STEPS = 6

/**
 * run(), then the keyboard focus back on the button that started it: run() disables its busy
 * buttons, and a disabled button drops the focus to the page.
 */
async function runFrom(out: HTMLElement, work: Parameters<typeof run>[1], busy: HTMLElement[]): Promise<boolean> {
  const focused = document.activeElement
  const ok = await run(out, work, busy)
  if (focused instanceof HTMLElement && focused.isConnected && (document.activeElement === document.body || document.activeElement === null)) focused.focus()
  return ok
}

const json = (v: unknown) => JSON.stringify(v, null, 2)
const sameBytes = (a: Uint8Array, b: Uint8Array) => a.length === b.length && a.every((x, i) => x === b[i])

export const envelope: Section = async (ctx) => {
  const t = envelopeText[ctx.lang]
  const c = common[ctx.lang]
  const description = 'webkms demo: envelope encryption'
  const [keyA] = await Promise.all([
    keyByAlias(ctx.kms, KEY_A, { Description: `${description} (key A)` }),
    keyByAlias(ctx.kms, KEY_B, { Description: `${description} (key B)` }),
  ])
  const s = new Steps(ctx)
  return h(
    'article',
    { class: 'section envelope' },
    ...sectionHead(ctx, 'envelope'),
    h('p', { class: 'lead' }, t.lead),
    h('p', { class: 'hint' }, c.runsReal),
    s.element(keyA.Arn!),
    limit(ctx),
    reEncrypt(ctx, s),
    context(ctx),
  )
}

interface Generated {
  plaintext: Uint8Array
  ciphertextBlob: Uint8Array
  keyId: string
}
interface Message {
  bytes: Uint8Array
  header: MessageHeader
}

/** The six steps: real calls when a step is first reached, the diagram and panel for the step shown. */
class Steps {
  private step = 0
  private reached = 0
  private generated: Generated | undefined
  private wiped = false
  /** A step's call is running (Next, Back and Restart wait for it). */
  private busy = false
  message: Message | undefined
  private returned: { key: Uint8Array; keyId: string; data: string } | undefined
  private readonly t: Text
  private readonly c: (typeof common)['en']
  private keyArn = ''
  private readonly data: HTMLInputElement
  private readonly diagram: Diagram
  private readonly status = h('div', { class: 'step-status', role: 'status' })
  private readonly body = h('div', { class: 'step-body' })
  private readonly out = h('div')
  private readonly nextButton: HTMLButtonElement
  private readonly backButton: HTMLButtonElement
  private readonly restartButton: HTMLButtonElement

  constructor(private readonly ctx: DemoContext) {
    this.t = envelopeText[ctx.lang]
    this.c = common[ctx.lang]
    this.data = h('input', { type: 'text', '.value': this.t.dataDefault, autocomplete: 'off' })
    this.diagram = new Diagram(this.t)
    this.data.addEventListener('input', () => this.show())
    this.nextButton = button(this.t.next, () => this.next())
    this.backButton = button(this.t.back, () => this.busy || this.go(this.step - 1), { class: 'secondary' })
    this.restartButton = button(this.t.restart, () => this.busy || this.restart(), { class: 'secondary' })
    // Leaving the section: the page forgets every data key it still holds.
    ctx.signal.addEventListener('abort', () => this.forget())
  }

  element(keyArn: string): HTMLElement {
    this.keyArn = keyArn
    this.show()
    return h(
      'section',
      { 'aria-labelledby': 'envelope-steps' },
      h('h2', { id: 'envelope-steps' }, this.t.stepsTitle),
      h('p', {}, this.t.stepsIntro),
      h('div', { class: 'grid two' }, field(this.t.dataLabel, this.data, this.t.dataHint), h('div', { class: 'field' }, h('span', { class: 'label' }, this.t.contextLabel), h('code', { class: 'context' }, json(CONTEXT)))),
      h('div', { class: 'stepper' }, this.diagram.element, h('div', { class: 'step-panel' }, this.status, h('div', { class: 'actions' }, this.backButton, this.nextButton, this.restartButton), this.out, this.body)),
      h('p', { class: 'hint' }, this.t.backHint),
      h('h3', {}, this.t.whyTitle),
      h('ul', {}, h('li', {}, this.t.why1), h('li', {}, this.t.why2), h('li', {}, this.t.why3), h('li', {}, this.t.why4)),
      fact(this.c, this.t.factNow, this.t.factOld),
    )
  }

  /** Runs the step's real call the first time it is reached, then shows it. */
  private async next(): Promise<void> {
    const target = this.step + 1
    if (target > STEPS || this.busy) return
    if (target > this.reached) {
      // Not disabled while the call runs: a disabled button drops the keyboard focus.
      this.busy = true
      const ok = await run(this.out, async () => (await this.perform(target), null)).finally(() => (this.busy = false))
      if (!ok) return
      this.reached = target
    }
    this.go(target)
  }

  private async perform(step: number): Promise<void> {
    const kms = this.ctx.kms
    if (step === 1) {
      const r = await kms.generateDataKey({ KeyId: KEY_A, KeySpec: 'AES_256', EncryptionContext: CONTEXT })
      this.generated = { plaintext: r.Plaintext!, ciphertextBlob: r.CiphertextBlob!, keyId: r.KeyId! }
      this.data.readOnly = true
    } else if (step === 3) {
      const r = await kms.encryptMessage(this.data.value, { keyId: KEY_A, encryptionContext: CONTEXT, suiteId: SUITE })
      this.message = { bytes: r.result, header: r.messageHeader }
    } else if (step === 4) {
      this.generated!.plaintext.fill(0)
      this.wiped = true
    } else if (step === 6) {
      const key = await kms.decrypt({ CiphertextBlob: this.generated!.ciphertextBlob, EncryptionContext: CONTEXT })
      const data = await kms.decryptMessage(this.message!.bytes, { encryptionContext: CONTEXT })
      this.returned = { key: key.Plaintext!, keyId: key.KeyId!, data: fromUtf8(data.plaintext) }
    }
  }

  private go(step: number): void {
    const hadFocus = document.activeElement
    this.step = Math.max(0, Math.min(STEPS, step))
    this.show()
    // A button that just became disabled loses focus: keep the keyboard in the stepper.
    if (hadFocus instanceof HTMLButtonElement && hadFocus.disabled) (this.step === STEPS ? this.restartButton : this.nextButton).focus()
  }

  private restart(): void {
    this.forget()
    this.generated = undefined
    this.message = undefined
    this.returned = undefined
    this.wiped = false
    this.reached = 0
    this.data.readOnly = false
    this.out.replaceChildren()
    this.go(0)
  }

  /** Zeroes every data key the page holds (what an application does once it is done). */
  private forget(): void {
    this.generated?.plaintext.fill(0)
    this.returned?.key.fill(0)
  }

  private show(): void {
    const { t, c, step } = this
    const title = [t.step0Title, t.step1Title, t.step2Title, t.step3Title, t.step4Title, t.step5Title, t.step6Title][step]!
    const where = step === 0 ? title : `${t.stepOf(step, STEPS)}: ${title}`
    this.status.replaceChildren(h('h3', {}, step === 0 ? null : h('span', { class: 'step-number' }, t.stepOf(step, STEPS)), ' ', title))
    this.diagram.show(step, this.wiped, t.diagramLabel(where), utf8(this.data.value), this.generated, this.message)
    this.backButton.disabled = step === 0
    this.nextButton.disabled = step === STEPS
    const g = this.generated
    const m = this.message
    const bytes = c.bytes
    const call = (...lines: string[]) => h('div', { class: 'call' }, h('strong', {}, t.realCall), h('pre', {}, lines.join('\n')))
    const plainKeyView = () => h('div', { class: this.wiped ? 'wiped' : '' }, bytesView(t.bPlainKey, g?.plaintext, bytes))
    const keyArn = (arn: string) => h('p', { class: 'arn' }, h('strong', {}, t.keyArn), ' ', h('code', {}, arn))
    const body: (Node | string | null)[][] = [
      [h('p', {}, t.step0Body), keyArn(this.keyArn)],
      [h('p', {}, t.step1Body), call(`GenerateDataKey ${json({ KeyId: KEY_A, KeySpec: 'AES_256', EncryptionContext: CONTEXT })}`)],
      [h('p', {}, t.step2Body), plainKeyView(), bytesView(t.bEncKey, g?.ciphertextBlob, bytes, null, BLOB_BYTES), g ? keyArn(g.keyId) : null],
      [
        h('p', {}, t.step3Body),
        call(`encryptMessage(data, ${json({ keyId: KEY_A, encryptionContext: CONTEXT, suiteId: `0x${SUITE.toString(16).padStart(4, '0')}` })})`),
        bytesView(t.bData, utf8(this.data.value), bytes),
        bytesView(t.bMessage, m?.bytes, bytes),
        bytesView(t.bHeaderKey, m?.header.encryptedDataKeys[0]?.encryptedDataKey, bytes, null, BLOB_BYTES),
      ],
      [h('p', {}, t.step4Body), h('p', {}, h('strong', {}, t.noCall)), plainKeyView(), this.wiped ? h('p', { class: 'outcome ok' }, t.wipedNote) : null],
      [h('p', {}, t.step5Body), bytesView(t.bStoredKey, g?.ciphertextBlob, bytes, null, BLOB_BYTES), bytesView(t.bStoredData, m?.bytes, bytes)],
      [
        h('p', {}, t.step6Body),
        call(`Decrypt ${json({ CiphertextBlob: t.edkInSnippet, EncryptionContext: CONTEXT })}`, `decryptMessage(message, ${json({ encryptionContext: CONTEXT })})`),
        bytesView(t.bDecryptedKey, this.returned?.key, bytes),
        this.returned ? keyArn(this.returned.keyId) : null,
        h('p', { class: 'hint' }, t.returnedKeyNote),
        this.returned ? okView(t.decryptedData(this.returned.data)) : null,
        h('p', {}, t.stepsDone),
      ],
    ]
    this.body.replaceChildren(...body[step]!.filter((x): x is Node | string => x !== null))
  }
}

type Text = (typeof envelopeText)['en']

/**
 * The diagram: three zones (HSM boundary, application, storage), a box per piece and an arrow
 * per call. A vertical layout, so that on a 390 px phone the viewBox is drawn at about 1:1 and
 * its 12–13 px labels stay readable.
 */
class Diagram {
  readonly element: SVGSVGElement
  private readonly boxes: Record<'kms' | 'ptKey' | 'edk' | 'data' | 'cipher' | 'stEdk' | 'stCipher', { g: SVGGElement; sub: SVGTextElement }>
  private readonly arrows: Record<'request' | 'response' | 'keyToData' | 'dataToCipher' | 'store' | 'load', { g: SVGGElement; label: SVGTextElement | undefined }>

  constructor(private readonly t: Text) {
    const marker = uid('arrowhead')
    const zone = (cls: string, y: number, height: number, label: string) =>
      svg('g', { class: `zone ${cls}` }, svg('rect', { x: 6, y, width: 348, height, rx: 10 }), svg('text', { x: 18, y: y + 21, class: 'zone-label' }, label))
    const box = (cls: string, x: number, y: number, w: number, hgt: number, label: string) => {
      const sub = svg('text', { x: x + w / 2, y: y + hgt / 2 + 15, class: 'sub' })
      const g = svg('g', { class: `box ${cls}` }, svg('rect', { x, y, width: w, height: hgt, rx: 6 }), svg('text', { x: x + w / 2, y: y + hgt / 2 - 2, class: 'label' }, label), sub)
      return { g, sub }
    }
    const arrow = (x1: number, y1: number, x2: number, y2: number, label?: { x: number; y: number; anchor: string; text: string }) => {
      const text = label ? svg('text', { x: label.x, y: label.y, 'text-anchor': label.anchor, class: 'arrow-label' }, label.text) : undefined
      const g = svg('g', { class: 'arrow' }, svg('line', { x1, y1, x2, y2, 'marker-end': `url(#${marker})` }), ...(text ? [text] : []))
      return { g, label: text }
    }
    this.boxes = {
      kms: box('k-kms', 100, 40, 160, 52, t.dKmsKey),
      ptKey: box('k-plainkey', 18, 166, 148, 58, t.dPlainKey),
      edk: box('k-enckey', 194, 166, 148, 58, t.dEncKey),
      data: box('k-data', 18, 260, 148, 58, t.dData),
      cipher: box('k-cipher', 194, 260, 148, 58, t.dCipher),
      stEdk: box('k-enckey', 18, 394, 148, 56, t.dEncKey),
      stCipher: box('k-cipher', 194, 394, 148, 56, t.dCipher),
    }
    this.boxes.kms.sub.textContent = t.dNeverLeaves
    this.arrows = {
      request: arrow(60, 134, 60, 104, { x: 70, y: 124, anchor: 'start', text: 'GenerateDataKey' }),
      response: arrow(300, 104, 300, 134),
      keyToData: arrow(92, 226, 92, 256, { x: 102, y: 246, anchor: 'start', text: t.dEncrypt }),
      dataToCipher: arrow(168, 289, 190, 289),
      store: arrow(268, 334, 268, 362, { x: 258, y: 354, anchor: 'end', text: t.dStore }),
      load: arrow(140, 392, 140, 336),
    }
    this.element = svg(
      'svg',
      { class: 'diagram envelope-diagram', viewBox: '0 0 360 462', role: 'img' },
      svg('defs', {}, svg('marker', { id: marker, viewBox: '0 0 10 10', refX: 9, refY: 5, markerWidth: 7, markerHeight: 7, orient: 'auto-start-reverse' }, svg('path', { d: 'M0,0 L10,5 L0,10 z' }))),
      zone('z-hsm', 6, 104 - 6 - 2, t.dHsm),
      zone('z-app', 136, 198, t.dApp),
      zone('z-storage', 364, 94, t.dStorage),
      ...Object.values(this.boxes).map((b) => b.g),
      ...Object.values(this.arrows).map((a) => a.g),
    )
  }

  show(step: number, wiped: boolean, label: string, data: Uint8Array, generated: Generated | undefined, message: Message | undefined): void {
    const { t } = this
    this.element.setAttribute('aria-label', label)
    const size = (b: Uint8Array | undefined) => (b ? t.dSize(b.length) : '')
    const set = (name: keyof Diagram['boxes'], visible: boolean, active: boolean, sub?: string, extra?: string) => {
      const b = this.boxes[name]
      b.g.classList.toggle('hidden', !visible)
      b.g.classList.toggle('active', visible && active)
      b.g.classList.toggle('wiped', extra === 'wiped')
      if (sub !== undefined) b.sub.textContent = sub
    }
    set('kms', true, step === 1 || step === 2 || step === 6)
    const ptWiped = wiped && step >= 2 && step < 6
    set('ptKey', step >= 2, step === 2 || step === 3 || step === 4 || step === 6, step === 6 ? t.dFromDecrypt : ptWiped ? t.dWiped : size(generated?.plaintext), ptWiped ? 'wiped' : '')
    set('edk', (step >= 2 && step <= 4) || step === 6, step === 2 || step === 6, size(generated?.ciphertextBlob))
    set('data', true, step === 3 || step === 6, size(data))
    set('cipher', step === 3 || step === 4 || step === 6, step === 3 || step === 6, size(message?.bytes))
    set('stEdk', step >= 5, step === 5 || step === 6, size(generated?.ciphertextBlob))
    set('stCipher', step >= 5, step === 5, size(message?.bytes))
    const on = (name: keyof Diagram['arrows'], active: boolean) => this.arrows[name].g.classList.toggle('active', active)
    on('request', step === 1 || step === 6)
    this.arrows.request.label!.textContent = step === 6 ? 'Decrypt' : 'GenerateDataKey'
    on('response', step === 2 || step === 6)
    on('keyToData', step === 3)
    on('dataToCipher', step === 3)
    on('store', step === 5)
    on('load', step === 6)
  }
}

/** A "current AWS fact / older study material says" note. */
function fact(c: (typeof common)['en'], now: string, old: string): HTMLElement {
  return h('div', { class: 'fact' }, h('strong', {}, c.currentFact), h('p', {}, now), h('strong', {}, c.olderMaterial), h('p', {}, old))
}

/** The 4 KB limit: a live UTF-8 byte counter, KMS Encrypt refusing above 4,096, the SDK taking any size. */
function limit(ctx: DemoContext): HTMLElement {
  const t = envelopeText[ctx.lang]
  const c = common[ctx.lang]
  const counterId = uid('counter')
  const text = h('textarea', { rows: 5, 'aria-describedby': counterId, '.value': t.limitDefault })
  const counter = h('p', { id: counterId, class: 'counter' })
  const out = h('div')
  const count = () => {
    const n = utf8(text.value).length
    const over = n > KMS_ENCRYPT_MAX
    counter.classList.toggle('over', over)
    counter.replaceChildren(h('span', { class: 'count' }, t.counter(n)), ' ', h('span', { class: 'verdict' }, over ? t.overLimit : t.withinLimit))
  }
  text.addEventListener('input', count)
  count()
  const fill = (value: string) => {
    text.value = value
    count()
    out.replaceChildren()
  }
  const buttons: HTMLButtonElement[] = []
  const kmsEncrypt = button(t.kmsEncrypt, () =>
    runFrom(out, async () => {
      const plaintext = utf8(text.value)
      try {
        const r = await ctx.kms.encrypt({ KeyId: KEY_A, Plaintext: plaintext, EncryptionContext: CONTEXT })
        return okView(t.kmsAccepted(plaintext.length), bytesView('CiphertextBlob', r.CiphertextBlob, c.bytes))
      } catch (e) {
        if ((e as Error).name !== 'ValidationException') throw e
        return [errorView(e), h('p', {}, t.kmsRefused(plaintext.length))]
      }
    }, buttons),
  )
  const envelopeEncrypt = button(t.envelopeEncrypt, () =>
    runFrom(out, async () => {
      const plaintext = text.value
      const { result } = await ctx.kms.encryptMessage(plaintext, { keyId: KEY_A, encryptionContext: CONTEXT })
      const back = await ctx.kms.decryptMessage(result, { encryptionContext: CONTEXT })
      const n = utf8(plaintext).length
      if (fromUtf8(back.plaintext) !== plaintext) throw new Error(t.envelopeDiffers)
      return okView(t.envelopeDone(n, result.length), bytesView(t.bMessage, result, c.bytes))
    }, buttons),
    { class: 'secondary' },
  )
  buttons.push(kmsEncrypt, envelopeEncrypt)
  return h(
    'section',
    { 'aria-labelledby': 'envelope-limit' },
    h('h2', { id: 'envelope-limit' }, t.limitTitle),
    h('p', {}, t.limitIntro),
    field(t.limitLabel, text),
    counter,
    h(
      'div',
      { class: 'actions' },
      button(t.fillKana, () => fill('あ'.repeat(1366)), { class: 'secondary' }),
      // About 1 MiB of UTF-8: as many whole sentences as fit.
      button(t.fill1mb, () => fill(t.filler.repeat(Math.floor((1 << 20) / utf8(t.filler).length))), { class: 'secondary' }),
    ),
    h('div', { class: 'actions' }, kmsEncrypt, envelopeEncrypt),
    out,
  )
}

/** ReEncrypt: the encrypted data key moves from key A to key B; the encrypted data is not touched. */
function reEncrypt(ctx: DemoContext, steps: Steps): HTMLElement {
  const t = envelopeText[ctx.lang]
  const c = common[ctx.lang]
  const out = h('div')
  const go = button(t.reButton, () =>
    runFrom(out, async () => {
      let message: Message | undefined = steps.message
      if (!message) {
        const r = await ctx.kms.encryptMessage(t.dataDefault, { keyId: KEY_A, encryptionContext: CONTEXT, suiteId: SUITE })
        message = { bytes: r.result, header: r.messageHeader }
      }
      const dataBefore = message.bytes.slice()
      const underA = message.header.encryptedDataKeys[0]!.encryptedDataKey
      const r = await ctx.kms.reEncrypt({ CiphertextBlob: underA, SourceEncryptionContext: CONTEXT, DestinationKeyId: KEY_B, DestinationEncryptionContext: CONTEXT })
      const underB = r.CiphertextBlob!
      // Both copies open to the same data key; the page compares them and wipes them at once.
      const [a, b] = await Promise.all([
        ctx.kms.decrypt({ CiphertextBlob: underA, EncryptionContext: CONTEXT }),
        ctx.kms.decrypt({ CiphertextBlob: underB, EncryptionContext: CONTEXT }),
      ])
      const same = sameBytes(a.Plaintext!, b.Plaintext!)
      a.Plaintext!.fill(0)
      b.Plaintext!.fill(0)
      const unchanged = sameBytes(dataBefore, message.bytes)
      const fields = Object.keys(r).filter((k) => r[k as keyof typeof r] !== undefined && k !== '$metadata')
      return h(
        'div',
        {},
        h(
          'div',
          { class: 'grid' },
          h('div', { class: 'card' }, h('h3', {}, t.reBefore), bytesView(t.reEdkA, underA, c.bytes, null, BLOB_BYTES), bytesView(t.reData, dataBefore, c.bytes)),
          h('div', { class: 'card' }, h('h3', {}, t.reAfter), bytesView(t.reEdkB, underB, c.bytes, null, BLOB_BYTES), h('div', { class: unchanged ? 'unchanged' : '' }, bytesView(t.reData, message.bytes, c.bytes, unchanged ? h('span', { class: 'tag' }, ` ✓ ${t.reUnchanged}`) : null))),
        ),
        h('p', {}, t.reResponse(fields.join(', '))),
        h('p', {}, t.reUnderB, ' ', h('code', { class: 'arn' }, b.KeyId!)),
        same ? okView(t.reSameKey) : null,
      )
    }, [go]),
  )
  return h(
    'section',
    { 'aria-labelledby': 'envelope-reencrypt' },
    h('h2', { id: 'envelope-reencrypt' }, t.reTitle),
    h('p', {}, t.reIntro),
    h('p', { class: 'hint' }, t.reUses),
    h('div', { class: 'actions' }, go),
    out,
    h('p', { class: 'hint' }, t.reNote),
  )
}

/** The encryption context: the right pairs decrypt, a changed value or a changed byte is refused alike. */
function context(ctx: DemoContext): HTMLElement {
  const t = envelopeText[ctx.lang]
  const c = common[ctx.lang]
  const out = h('div')
  const made = h('div')
  const value = h('input', { type: 'text', '.value': CONTEXT.record, autocomplete: 'off', spellcheck: 'false' })
  let blob: Uint8Array | undefined
  const ensure = async () => (blob ??= (await ctx.kms.encrypt({ KeyId: KEY_A, Plaintext: utf8(t.ctxSecret), EncryptionContext: CONTEXT })).CiphertextBlob!)
  const show = async () => {
    const b = await ensure()
    made.replaceChildren(h('p', {}, t.ctxMade(b.length)), h('pre', {}, json(CONTEXT)), bytesView('CiphertextBlob', b, c.bytes))
  }
  const decrypt = (ciphertext: () => Promise<Uint8Array>) =>
    runFrom(out, async () => {
      const EncryptionContext = { ...CONTEXT, record: value.value }
      const sent = await ciphertext()
      let shown: HTMLElement[]
      try {
        const r = await ctx.kms.decrypt({ CiphertextBlob: sent, EncryptionContext })
        shown = [okView(t.ctxOk(fromUtf8(r.Plaintext!)))]
        r.Plaintext!.fill(0)
      } catch (e) {
        if ((e as Error).name !== 'InvalidCiphertextException') throw e
        shown = [errorView(e), h('p', {}, t.ctxRefused)]
      }
      // The audit trail's record of that call: the context, in the clear, and the error if any.
      const { events } = await ctx.kms.exportAuditLog({})
      const last = [...(events as unknown as { eventName: string; requestParameters?: { encryptionContext?: unknown }; errorCode?: string }[])].reverse().find((e) => e.eventName === 'Decrypt')
      if (last) shown.push(h('p', {}, t.ctxAudit), h('pre', {}, json({ eventName: last.eventName, encryptionContext: last.requestParameters?.encryptionContext, errorCode: last.errorCode })))
      return shown
    }, buttons)
  const buttons: HTMLButtonElement[] = [
    button(t.ctxDecrypt, () => decrypt(ensure)),
    button(
      t.ctxWrong,
      () => {
        value.value = 'invoice-43'
        return decrypt(ensure)
      },
      { class: 'secondary' },
    ),
    button(
      t.ctxTamper,
      () => {
        value.value = CONTEXT.record
        // Flip one bit of a copy: the kind of change an attacker or a bad disk makes.
        return decrypt(async () => {
          const copy = (await ensure()).slice()
          copy[copy.length - 8]! ^= 0x01
          return copy
        })
      },
      { class: 'secondary' },
    ),
  ]
  void show().catch((e) => made.replaceChildren(errorView(e)))
  return h(
    'section',
    { 'aria-labelledby': 'envelope-context' },
    h('h2', { id: 'envelope-context' }, t.ctxTitle),
    h('p', {}, t.ctxIntro),
    made,
    field(t.ctxValueLabel, value),
    h('div', { class: 'actions' }, ...buttons),
    out,
    fact(c, t.ctxFactNow, t.ctxFactOld),
  )
}
