/**
 * The little the demo needs instead of a UI library: `h()` builds elements, a few helpers show
 * bytes, results and errors the same way in every section. No framework: each section is a
 * function that builds its DOM and wires its buttons to the worker client, readable top to
 * bottom by someone learning how the calls fit together.
 */

type Child = Node | string | number | false | null | undefined | Child[]
type Props = Record<string, unknown> & { class?: string; on?: Record<string, (e: Event) => void> }

/** `h('button', { type: 'button', on: { click } }, 'Go')`: attributes, properties (`.value`), listeners, children. */
export function h<K extends keyof HTMLElementTagNameMap>(tag: K, props: Props = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag)
  for (const [k, v] of Object.entries(props)) {
    if (k === 'on') for (const [event, fn] of Object.entries(v as Record<string, (e: Event) => void>)) el.addEventListener(event, fn)
    else if (k.startsWith('.')) (el as unknown as Record<string, unknown>)[k.slice(1)] = v
    else if (v === true) el.setAttribute(k, '')
    else if (v !== false && v !== undefined && v !== null) el.setAttribute(k, String(v))
  }
  append(el, children)
  return el
}

export function append(el: Element, children: Child[]): void {
  for (const c of children.flat(Infinity as 1) as Child[]) {
    if (c === false || c === null || c === undefined) continue
    el.append(c instanceof Node ? c : String(c))
  }
}

/** An SVG element (for the diagrams). */
export function svg<K extends keyof SVGElementTagNameMap>(tag: K, attrs: Record<string, string | number> = {}, ...children: (SVGElement | string)[]): SVGElementTagNameMap[K] {
  const el = document.createElementNS('http://www.w3.org/2000/svg', tag)
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v))
  el.append(...children)
  return el
}

let ids = 0
/** A unique id for label/input pairs and aria references. */
export const uid = (prefix: string) => `${prefix}-${++ids}`

export const hex = (b: Uint8Array, max = 32) => Array.from(b.subarray(0, max), (x) => x.toString(16).padStart(2, '0')).join(' ') + (b.length > max ? ' …' : '')

/** A labelled byte view: the size, and the first `max` bytes in hex. */
export function bytesView(label: string, bytes: Uint8Array | undefined, bytesWord: (n: number) => string, extra: Child = null, max = 32): HTMLElement {
  return h(
    'figure',
    { class: 'bytes' },
    h('figcaption', {}, h('strong', {}, label), ' ', h('span', { class: 'size' }, bytes ? bytesWord(bytes.length) : '—'), extra),
    h('code', { class: 'hex' }, bytes ? hex(bytes, max) : ''),
  )
}

/** A labelled form control. */
export function field(label: string, control: HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement, hint?: string): HTMLElement {
  control.id ||= uid('field')
  const hintEl = hint ? h('small', { id: `${control.id}-hint`, class: 'hint' }, hint) : null
  if (hintEl) control.setAttribute('aria-describedby', hintEl.id)
  return h('div', { class: 'field' }, h('label', { for: control.id }, label), control, hintEl)
}

export const button = (label: string, onClick: () => unknown, props: Props = {}) =>
  h('button', { type: 'button', ...props, on: { click: () => void onClick() } }, label)

/** What an error looks like everywhere: its AWS name, its code, its message. */
export function errorView(e: unknown): HTMLElement {
  const err = e as Error & { code?: string }
  const causes = causeChain(err)
  return h(
    'div',
    { class: 'outcome error', role: 'alert' },
    h('strong', {}, err?.name ?? 'Error'),
    err?.code ? h('code', {}, ` ${err.code}`) : null,
    h('p', {}, err?.message ?? String(e)),
    // What the error kept as its cause (a KMS's refusal behind a DecryptionError), one per line.
    causes.length ? h('ul', { class: 'causes' }, causes.map(({ depth, error }) => h('li', { 'data-depth': depth }, '↳ ', h('code', {}, error.name), ' ', error.message))) : null,
  )
}

/** The causes under an error (and an AggregateError's errors), depth first, at most `limit` of them. */
export function causeChain(error: unknown, limit = 8): { depth: number; error: Error }[] {
  const out: { depth: number; error: Error }[] = []
  const walk = (e: unknown, depth: number): void => {
    if (!(e instanceof Error) || out.length >= limit || depth > limit) return
    if (depth > 0) out.push({ depth, error: e })
    walk(e.cause, depth + 1)
    if (e instanceof AggregateError) for (const inner of e.errors) walk(inner, depth + 1)
  }
  walk(error, 0)
  return out
}

export const okView = (title: string, ...body: Child[]) => h('div', { class: 'outcome ok', role: 'status' }, h('strong', {}, title), ...body)

/** Runs `work`, showing its result (or its error) in `out`; buttons in `busy` are disabled meanwhile. */
export async function run(out: HTMLElement, work: () => Promise<Child>, busy: HTMLElement[] = []): Promise<boolean> {
  // A disabled button loses focus; the keyboard user gets it back when the work is done.
  const focused = busy.find((b) => b === document.activeElement)
  for (const b of busy) b.setAttribute('disabled', '')
  try {
    const shown = await work()
    out.replaceChildren()
    append(out, [shown])
    return true
  } catch (e) {
    out.replaceChildren(errorView(e))
    return false
  } finally {
    for (const b of busy) b.removeAttribute('disabled')
    if (focused?.isConnected && (document.activeElement === document.body || document.activeElement === null)) focused.focus()
  }
}

export const utf8 = (s: string) => new TextEncoder().encode(s)
export const fromUtf8 = (b: Uint8Array) => new TextDecoder().decode(b)
