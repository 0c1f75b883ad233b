/**
 * Key lifecycle: the three key types and the key material origins; a key created, aliased,
 * described, disabled and enabled; automatic rotation on the engine's movable clock (a year in
 * one click), on-demand rotation up to its limit, old ciphertexts still decrypting; deletion
 * with its waiting period, cancelled (the key comes back Disabled) or let run out (the key and
 * everything under it are gone). Each part finds its key again by alias, so coming back to the
 * section (or switching language) shows the engine's state, not the page's memory.
 */
import type { KeyMetadata, RotationsListEntry } from '@webkms/core'
import type { WorkerKms } from '@webkms/worker'
import type { DemoContext, Section } from '../app/context.js'
import { button, bytesView, errorView, field, fromUtf8, h, okView, run, utf8 } from '../app/dom.js'
import { sectionHead, part, fact } from '../app/section.js'
import { common } from '../text/common.js'
import { lifecycleText } from '../text/lifecycle.js'
import { keyByAlias } from './keyByAlias.js'
import './lifecycle.css'

type T = (typeof lifecycleText)['en']

const DAY_MS = 86_400_000
/** The learner's own key: an alias under this prefix (the rest is theirs to type). */
const MAIN_PREFIX = 'alias/demo-lifecycle/'
const ROTATION_ALIAS = 'alias/demo-lifecycle-rotation'
const DELETION_ALIAS = 'alias/demo-lifecycle-deletion'
const ON_DEMAND_LIMIT = 25

export const lifecycle: Section = async (ctx) => {
  const t = lifecycleText[ctx.lang]
  const c = common[ctx.lang]
  return h(
    'article',
    { class: 'section lifecycle' },
    ...sectionHead(ctx, 'lifecycle'),
    h('p', { class: 'lead' }, t.lead),
    h('p', {}, c.runsReal),
    keyTypes(t),
    origins(ctx, t),
    await yourKey(ctx, t),
    await rotation(ctx, t),
    await deletion(ctx, t),
  )
}

// ---------------------------------------------------------------------------------------------
// Shared little helpers

const when = (ctx: DemoContext, d: Date) => d.toLocaleString(ctx.lang === 'ja' ? 'ja-JP' : 'en-US', { dateStyle: 'medium', timeStyle: 'short' })
/** KeyMaterialIds are 64 hex digits: the first 12 tell them apart on screen. */
const short = (id: string | undefined) => (id ? `${id.slice(0, 12)}…` : '—')



/** An error as every section shows it, with a sentence saying why it was refused. */
const refused = (e: unknown, why: string) => h('div', {}, errorView(e), h('p', { class: 'why' }, why))

/** Every alias, following ListAliases' pages. */
async function allAliases(kms: WorkerKms) {
  const out = []
  let Marker: string | undefined
  do {
    const page = await kms.listAliases({ Limit: 100, ...(Marker ? { Marker } : {}) })
    out.push(...page.Aliases)
    Marker = page.Truncated ? page.NextMarker : undefined
  } while (Marker)
  return out
}

/** Every version of a key's material, oldest first (the original too). */
async function allVersions(kms: WorkerKms, keyId: string): Promise<RotationsListEntry[]> {
  const out: RotationsListEntry[] = []
  let Marker: string | undefined
  do {
    const page = await kms.listKeyRotations({ KeyId: keyId, IncludeKeyMaterial: 'ALL_KEY_MATERIAL', Limit: 1000, ...(Marker ? { Marker } : {}) })
    out.push(...page.Rotations)
    Marker = page.Truncated ? page.NextMarker : undefined
  } while (Marker)
  return out
}

/**
 * The ciphertexts the application keeps: KMS keeps keys, never your data. They live in this
 * tab's sessionStorage, by key ARN, with the KeyMaterialId that was current when they were made.
 */
interface Note {
  blob: string
  keyMaterialId: string
  at: string
}
const notesKey = (arn: string) => `webkms-demo-lifecycle:${arn}`
function notesOf(arn: string): Note[] {
  try {
    return JSON.parse(sessionStorage.getItem(notesKey(arn)) ?? '[]') as Note[]
  } catch {
    return []
  }
}
function keepNote(arn: string, note: Note): void {
  try {
    sessionStorage.setItem(notesKey(arn), JSON.stringify([...notesOf(arn), note]))
  } catch {
    // storage off: the note is shown once and not kept
  }
}
const toB64 = (b: Uint8Array) => btoa(String.fromCharCode(...b))
const fromB64 = (s: string) => Uint8Array.from(atob(s), (ch) => ch.charCodeAt(0))

/** Encrypts `text` under `arn` and keeps the ciphertext with the material that made it. */
async function encryptNote(ctx: DemoContext, arn: string, text: string): Promise<Note> {
  const { CiphertextBlob } = await ctx.kms.encrypt({ KeyId: arn, Plaintext: utf8(text) })
  // Encrypt does not say which material it used; the key's current one at that moment did.
  const { KeyMetadata } = await ctx.kms.describeKey({ KeyId: arn })
  const note = { blob: toB64(CiphertextBlob), keyMaterialId: KeyMetadata.CurrentKeyMaterialId ?? '', at: (await ctx.kms.clockNow()).toISOString() }
  keepNote(arn, note)
  return note
}

/** A table of kept notes; `results[i]` is what decrypting note i gave (filled in later). */
function notesTable(ctx: DemoContext, t: T, notes: Note[], results: (Node | string)[] = []): HTMLElement {
  if (notes.length === 0) return h('p', { class: 'hint' }, t.noNotes)
  return h(
    'div',
    { class: 'scroll', role: 'region', tabindex: '0', 'aria-label': t.notesCaption },
    h(
      'table',
      { class: 'notes' },
      h('caption', {}, t.notesCaption),
      h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, t.colNote), h('th', { scope: 'col' }, t.colEncryptedAt), h('th', { scope: 'col' }, t.colMadeBy), h('th', { scope: 'col' }, t.colDecrypted))),
      h(
        'tbody',
        {},
        notes.map((n, i) =>
          h('tr', {}, h('th', { scope: 'row' }, String(i + 1)), h('td', {}, when(ctx, new Date(n.at))), h('td', {}, h('code', { title: n.keyMaterialId }, short(n.keyMaterialId))), h('td', {}, results[i] ?? '—')),
        ),
      ),
    ),
  )
}

/** Decrypts every note: a cell per note (the plaintext and the material that decrypted it, or the error). */
async function decryptNotes(ctx: DemoContext, t: T, notes: Note[]): Promise<{ cells: (Node | string)[]; materials: Set<string>; failed: number; firstError?: unknown }> {
  const cells: (Node | string)[] = []
  const materials = new Set<string>()
  let failed = 0
  let firstError: unknown
  for (const n of notes) {
    try {
      const { Plaintext, KeyMaterialId } = await ctx.kms.decrypt({ CiphertextBlob: fromB64(n.blob) })
      materials.add(KeyMaterialId ?? '')
      cells.push(h('span', { class: 'decrypted' }, `“${fromUtf8(Plaintext)}” `, h('small', {}, t.decryptedWith, ' ', h('code', {}, short(KeyMaterialId)))))
    } catch (e) {
      failed++
      firstError ??= e
      const err = e as Error
      cells.push(h('span', { class: 'lost' }, h('strong', {}, err.name)))
    }
  }
  return { cells, materials, failed, firstError }
}

// ---------------------------------------------------------------------------------------------
// Key types and origins (what AWS has; what webkms has)

function keyTypes(t: T): HTMLElement {
  // data-label: on a phone each row becomes a card whose cells name their column.
  const row = (type: string, who: string, rotation: string, control: string, cost: string) =>
    h(
      'tr',
      {},
      h('th', { scope: 'row' }, type),
      h('td', { 'data-label': t.colWho }, who),
      h('td', { 'data-label': t.colRotation }, rotation),
      h('td', { 'data-label': t.colControl }, control),
      h('td', { 'data-label': t.colCost }, cost),
    )
  return part(
    t.typesTitle,
    h('p', {}, t.typesIntro),
    h(
      'div',
      { class: 'scroll', role: 'region', tabindex: '0', 'aria-label': t.typesCaption },
      h(
        'table',
        { class: 'key-types' },
        h('caption', {}, t.typesCaption),
        h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, t.colType), h('th', { scope: 'col' }, t.colWho), h('th', { scope: 'col' }, t.colRotation), h('th', { scope: 'col' }, t.colControl), h('th', { scope: 'col' }, t.colCost))),
        h(
          'tbody',
          {},
          row(t.typeCustomer, t.customerWho, t.customerRotation, t.customerControl, t.customerCost),
          row(t.typeAwsManaged, t.awsManagedWho, t.awsManagedRotation, t.awsManagedControl, t.awsManagedCost),
          row(t.typeAwsOwned, t.awsOwnedWho, t.awsOwnedRotation, t.awsOwnedControl, t.awsOwnedCost),
        ),
      ),
    ),
    h('p', { class: 'notice' }, t.typesWebkms),
  )
}

function origins(ctx: DemoContext, t: T): HTMLElement {
  const out = h('div', { 'aria-live': 'polite' })
  const tryButton = button(t.tryCloudHsm, () =>
    run(out, async () => {
      try {
        await ctx.kms.createKey({ Origin: 'AWS_CLOUDHSM' }) // not an origin webkms offers: the engine says so
        return okView(t.tryCloudHsm)
      } catch (e) {
        return refused(e, t.cloudHsmWhy)
      }
    }, [tryButton]),
    { class: 'secondary' },
  )
  const item = (origin: string, ...text: (Node | string)[]) => h('li', {}, h('code', {}, origin), ': ', ...text)
  return part(
    t.originsTitle,
    h('p', {}, t.originsIntro),
    h(
      'ul',
      { class: 'origins' },
      item('AWS_KMS', t.originAwsKms),
      item('EXTERNAL', t.originExternal, ' ', h('a', { href: '#byok' }, common[ctx.lang].byok)),
      item('AWS_CLOUDHSM', t.originCloudHsm),
      item('EXTERNAL_KEY_STORE', t.originXks),
    ),
    h('div', { class: 'actions' }, tryButton),
    out,
    fact(ctx, t.factCustomKeyStores, t.factCustomKeyStoresOld),
  )
}

// ---------------------------------------------------------------------------------------------
// Your key: CreateKey, CreateAlias, DescribeKey, DisableKey, EnableKey

async function yourKey(ctx: DemoContext, t: T): Promise<HTMLElement> {
  const box = h('div')
  const show = async (news?: Node) => {
    const alias = (await allAliases(ctx.kms)).find((a) => a.AliasName.startsWith(MAIN_PREFIX))
    box.replaceChildren(alias ? await keyPanel(ctx, t, alias.AliasName, news) : createForm(ctx, t, show))
  }
  await show()
  return part(t.createTitle, h('p', {}, t.createIntro), box)
}

function createForm(ctx: DemoContext, t: T, done: (news: Node) => Promise<void>): HTMLElement {
  const description = h('input', { type: 'text', '.value': t.defaultDescription, autocomplete: 'off' })
  const suffix = h('input', { type: 'text', '.value': 'my-first-key', autocomplete: 'off', spellcheck: 'false', pattern: '[A-Za-z0-9/_\\-]+' })
  const out = h('div', { 'aria-live': 'polite' })
  const go = button(t.createButton, () =>
    run(out, async () => {
      const AliasName = MAIN_PREFIX + suffix.value.trim()
      const request = { Description: description.value }
      const { KeyMetadata } = await ctx.kms.createKey(request)
      try {
        await ctx.kms.createAlias({ AliasName, TargetKeyId: KeyMetadata.KeyId })
      } catch (e) {
        // The key exists without its alias: put it where the learner can try another name.
        await ctx.kms.scheduleKeyDeletion({ KeyId: KeyMetadata.KeyId, PendingWindowInDays: 7 })
        return refused(e, t.aliasWhy)
      }
      await done(
        okView(
          t.created,
          h('pre', {}, `CreateKey ${JSON.stringify(request)}\n→ KeyId ${KeyMetadata.KeyId}\nCreateAlias ${JSON.stringify({ AliasName, TargetKeyId: KeyMetadata.KeyId })}`),
        ),
      )
      return null
    }, [go]),
  )
  return h(
    'div',
    { class: 'create-form' },
    field(t.descriptionLabel, description),
    field(t.aliasLabel, suffix, t.aliasHint(MAIN_PREFIX)),
    h('div', { class: 'actions' }, go),
    out,
  )
}

async function keyPanel(ctx: DemoContext, t: T, alias: string, news?: Node): Promise<HTMLElement> {
  const table = h('div')
  const out = h('div', { 'aria-live': 'polite' })
  const describe = async () => {
    const { KeyMetadata } = await ctx.kms.describeKey({ KeyId: alias })
    table.replaceChildren(metadataTable(ctx, t, KeyMetadata))
    return KeyMetadata
  }
  // DisableKey and EnableKey take the key ID or ARN, not an alias (as in AWS); Encrypt takes the alias.
  const { Arn } = await describe()
  const buttons: HTMLButtonElement[] = []
  const act = (label: string, work: () => Promise<Node>, props = {}) => {
    const b = button(label, () => run(out, work, buttons), props)
    buttons.push(b)
    return b
  }
  const actions = h(
    'div',
    { class: 'actions' },
    act(t.disable, async () => {
      await ctx.kms.disableKey({ KeyId: Arn })
      const m = await describe()
      return okView(`DisableKey → KeyState ${m.KeyState}`, h('p', {}, t.disabledNow))
    }, { class: 'danger' }),
    act(t.enable, async () => {
      await ctx.kms.enableKey({ KeyId: Arn })
      const m = await describe()
      return okView(`EnableKey → KeyState ${m.KeyState}`, h('p', {}, t.enabledNow))
    }),
    act(t.encryptTest, async () => {
      try {
        const { CiphertextBlob } = await ctx.kms.encrypt({ KeyId: alias, Plaintext: utf8(t.testMessage) })
        return okView(t.encryptedOk, bytesView('CiphertextBlob', CiphertextBlob, common[ctx.lang].bytes))
      } catch (e) {
        return refused(e, (e as Error).name === 'DisabledException' ? t.disabledWhy : t.genericWhy)
      }
    }, { class: 'secondary' }),
  )
  return h(
    'div',
    {},
    news ?? null,
    h('p', {}, t.yourAlias, ' ', h('code', {}, alias)),
    h('h3', {}, t.describeTitle),
    table,
    h('p', { class: 'hint' }, t.noMaterial),
    h('p', {}, t.aliasOrArn),
    actions,
    out,
  )
}

function metadataTable(ctx: DemoContext, t: T, m: KeyMetadata): HTMLElement {
  const rows: [string, string, string][] = [
    ['KeyId', m.KeyId, t.meanKeyId],
    ['Arn', m.Arn, t.meanArn],
    ['Description', m.Description, t.meanDescription],
    ['KeyState', m.KeyState, t.meanKeyState],
    ['Enabled', String(m.Enabled), t.meanEnabled],
    ['KeySpec', m.KeySpec, t.meanKeySpec],
    ['KeyUsage', m.KeyUsage, t.meanKeyUsage],
    ['Origin', m.Origin, t.meanOrigin],
    ['KeyManager', m.KeyManager, t.meanKeyManager],
    ['CreationDate', when(ctx, m.CreationDate), t.meanCreationDate],
    ['CurrentKeyMaterialId', m.CurrentKeyMaterialId ?? '—', t.meanCurrentKeyMaterialId],
    ['EncryptionAlgorithms', (m.EncryptionAlgorithms ?? []).join(', '), t.meanEncryptionAlgorithms],
  ]
  return h(
    'table',
    { class: 'metadata' },
    h('caption', {}, t.describeCaption),
    h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, t.colField), h('th', { scope: 'col' }, t.colValue))),
    h(
      'tbody',
      {},
      rows.map(([name, value, meaning]) =>
        h('tr', { 'data-field': name }, h('th', { scope: 'row' }, h('code', {}, name)), h('td', {}, h('code', { class: 'value' }, value), h('small', { class: 'meaning' }, meaning))),
      ),
    ),
  )
}

// ---------------------------------------------------------------------------------------------
// Rotation: automatic on the movable clock, on demand up to the limit

async function rotation(ctx: DemoContext, t: T): Promise<HTMLElement> {
  const { kms } = ctx
  const key = await keyByAlias(kms, ROTATION_ALIAS, { Description: t.rotationKeyDescription })
  const arn = key.Arn

  const status = h('p', { class: 'status' })
  const timeline = h('ol', { class: 'timeline', 'aria-label': t.timelineLabel })
  const counter = h('p', { class: 'counter' })
  const notesBox = h('div')
  const busy: HTMLButtonElement[] = []
  const outs = { setup: h('div', { 'aria-live': 'polite' }), notes: h('div', { 'aria-live': 'polite' }), decrypt: h('div', { 'aria-live': 'polite' }), clock: h('div', { 'aria-live': 'polite' }), demand: h('div', { 'aria-live': 'polite' }) }

  /** Reads the key's rotation state from the engine and redraws status, timeline and counter. */
  const refresh = async () => {
    const s = await kms.getKeyRotationStatus({ KeyId: arn })
    status.textContent = s.KeyRotationEnabled ? t.rotationOn(s.RotationPeriodInDays ?? 365, s.NextRotationDate ? when(ctx, s.NextRotationDate) : '—') : t.rotationOff
    const versions = await allVersions(kms, arn)
    timeline.replaceChildren(
      ...versions.map((v, i) =>
        h(
          'li',
          { class: v.KeyMaterialState === 'CURRENT' ? 'current' : '' },
          h('strong', {}, `v${i + 1}`),
          ' ',
          h('span', { class: 'type' }, v.RotationType ?? t.original),
          ' · ',
          v.RotationDate ? when(ctx, v.RotationDate) : '—',
          ' · ',
          h('code', { title: v.KeyMaterialId }, short(v.KeyMaterialId)),
          ' · ',
          h('span', { class: 'state' }, v.KeyMaterialState === 'CURRENT' ? t.stateCurrent : t.stateNonCurrent),
        ),
      ),
    )
    const used = versions.filter((v) => v.RotationType === 'ON_DEMAND').length
    counter.textContent = t.onDemandCount(used, ON_DEMAND_LIMIT)
    return versions
  }
  const redrawNotes = (results?: (Node | string)[]) => notesBox.replaceChildren(notesTable(ctx, t, notesOf(arn), results))

  const act = (out: HTMLElement, label: string, work: () => Promise<Node | null>, props = {}) => {
    const b = button(label, () => run(out, work, busy), props)
    busy.push(b)
    return b
  }

  // Automatic rotation on and off, with the period the learner types.
  const period = h('input', { type: 'number', inputmode: 'numeric', '.value': '365' })
  const enable = act(outs.setup, t.enableRotation, async () => {
    const days = Number(period.value)
    try {
      await kms.enableKeyRotation({ KeyId: arn, RotationPeriodInDays: days })
    } catch (e) {
      return refused(e, (e as Error).name === 'ValidationException' ? t.periodWhy : t.genericWhy)
    }
    await refresh()
    return okView(`EnableKeyRotation { RotationPeriodInDays: ${days} }`, h('p', {}, status.textContent))
  })
  const disable = act(outs.setup, t.disableRotation, async () => {
    await kms.disableKeyRotation({ KeyId: arn })
    await refresh()
    return okView('DisableKeyRotation', h('p', {}, t.rotationDisabled))
  }, { class: 'secondary' })

  // Notes encrypted now, decrypted after any number of rotations.
  const note = h('input', { type: 'text', '.value': t.defaultNote, autocomplete: 'off' })
  const encrypt = act(outs.notes, t.encryptNote, async () => {
    const n = await encryptNote(ctx, arn, note.value)
    redrawNotes()
    return okView(t.noteKept(short(n.keyMaterialId)))
  })
  const decrypt = act(outs.decrypt, t.decryptAll, async () => {
    const notes = notesOf(arn)
    if (notes.length === 0) return h('p', { class: 'hint' }, t.noNotes)
    const { cells, materials, failed, firstError } = await decryptNotes(ctx, t, notes)
    redrawNotes(cells)
    return failed ? refused(firstError, t.someFailed(failed)) : okView(t.allDecrypted(notes.length, materials.size))
  }, { class: 'secondary' })

  // A year passes: whatever rotation fell due happens when the key is next used.
  const advance = act(outs.clock, t.advanceYear, async () => {
    const before = (await allVersions(kms, arn)).length
    const now = await kms.advanceClock(365 * DAY_MS)
    ctx.clockChanged()
    const after = await refresh()
    const added = after.slice(before)
    const s = await kms.getKeyRotationStatus({ KeyId: arn })
    const what = added.length
      ? t.newVersions(added.length, added.map((v) => `${v.RotationType} ${short(v.KeyMaterialId)}`).join(', '))
      : s.KeyRotationEnabled
        ? t.noNewVersionYet(s.NextRotationDate ? when(ctx, s.NextRotationDate) : '—')
        : t.noNewVersionOff
    return h('div', { class: added.length ? 'outcome ok' : 'outcome', role: 'status' }, h('strong', {}, t.advanced(when(ctx, now))), h('p', {}, what))
  })

  // On demand, up to AWS's limit of 25 per key.
  const rotateOnce = async () => {
    await kms.rotateKeyOnDemand({ KeyId: arn })
    const { KeyMetadata } = await kms.describeKey({ KeyId: arn })
    return KeyMetadata.CurrentKeyMaterialId
  }
  const onDemand = act(outs.demand, t.rotateNow, async () => {
    try {
      const id = await rotateOnce()
      await refresh()
      return okView(t.rotatedOnDemand(short(id)))
    } catch (e) {
      await refresh()
      return refused(e, (e as Error).name === 'LimitExceededException' ? t.limitWhy : t.genericWhy)
    }
  })
  const rest = act(outs.demand, t.rotateRest, async () => {
    // Until the engine refuses: it, not this page, knows the limit.
    for (let i = 0; i <= ON_DEMAND_LIMIT; i++) {
      try {
        await kms.rotateKeyOnDemand({ KeyId: arn })
      } catch (e) {
        await refresh()
        return refused(e, (e as Error).name === 'LimitExceededException' ? t.limitWhy : t.genericWhy)
      }
    }
    await refresh()
    return null
  }, { class: 'secondary' })

  await refresh()
  redrawNotes()
  return part(
    t.rotationTitle,
    h('p', {}, t.rotationIntro),
    h('p', { class: 'hint' }, t.partKey, ' ', h('code', {}, ROTATION_ALIAS)),
    status,
    h('h3', {}, t.scheduleTitle),
    field(t.periodLabel, period, t.periodHint),
    h('div', { class: 'actions' }, enable, disable),
    outs.setup,
    h('h3', {}, t.notesTitle),
    h('p', {}, t.notesIntro),
    field(t.noteLabel, note),
    h('div', { class: 'actions' }, encrypt),
    outs.notes,
    notesBox,
    h('div', { class: 'actions' }, decrypt),
    outs.decrypt,
    h('h3', {}, t.clockTitle),
    h('p', {}, t.clockIntro),
    h('div', { class: 'actions' }, advance),
    outs.clock,
    h('h3', {}, t.timelineTitle),
    timeline,
    h('h3', {}, t.onDemandTitle),
    h('p', {}, t.onDemandIntro),
    counter,
    h('div', { class: 'actions' }, onDemand, rest),
    outs.demand,
    fact(ctx, t.factPeriod, t.factPeriodOld),
    fact(ctx, t.factOnDemand, t.factOnDemandOld),
    fact(ctx, t.factBilling, t.factBillingOld),
  )
}

// ---------------------------------------------------------------------------------------------
// Deletion: the waiting period, cancelling it, letting it run out

async function deletion(ctx: DemoContext, t: T): Promise<HTMLElement> {
  const box = h('div')
  const start = async () => box.replaceChildren(await deletionPanel(ctx, t, start))
  await start()
  return part(
    t.deletionTitle,
    h('p', {}, t.deletionIntro),
    box,
    h('p', { class: 'lesson' }, h('strong', {}, t.lesson)),
    fact(ctx, t.factDeletion),
  )
}

async function deletionPanel(ctx: DemoContext, t: T, again: () => Promise<void>): Promise<HTMLElement> {
  const { kms } = ctx
  // Not revived: this part shows the key's state as it is (pending deletion, disabled).
  const key = await keyByAlias(kms, DELETION_ALIAS, { Description: t.deletionKeyDescription }, { revive: false })
  const arn = key.Arn
  const panel = h('div')
  const keyLine = h('p', { class: 'hint' }, t.partKey, ' ', h('code', {}, DELETION_ALIAS))
  const state = h('p', { class: 'status' })
  const countdown = h('div', { class: 'countdown' })
  const notesBox = h('div')
  const outs = { notes: h('div', { 'aria-live': 'polite' }), schedule: h('div', { 'aria-live': 'polite' }), clock: h('div', { 'aria-live': 'polite' }) }
  const busy: HTMLButtonElement[] = []

  /** The key's state and, while it is pending deletion, the time left on the engine clock. */
  const refresh = async () => {
    const { KeyMetadata: m } = await kms.describeKey({ KeyId: arn })
    state.replaceChildren(t.keyState, ' ', h('strong', { 'data-state': m.KeyState }, m.KeyState))
    countdown.replaceChildren()
    if (m.DeletionDate) {
      const left = Math.max(0, m.DeletionDate.getTime() - (await kms.clockNow()).getTime())
      countdown.append(
        h('p', {}, t.deletionDate, ' ', h('strong', {}, when(ctx, m.DeletionDate))),
        h('p', { class: 'days-left' }, t.countdown(Math.floor(left / DAY_MS), Math.floor((left % DAY_MS) / 3_600_000))),
      )
    }
    return m
  }
  const redrawNotes = (results?: (Node | string)[]) => notesBox.replaceChildren(notesTable(ctx, t, notesOf(arn), results))

  const act = (out: HTMLElement, label: string, work: () => Promise<Node | null>, props = {}) => {
    const b = button(label, () => run(out, work, busy), props)
    busy.push(b)
    return b
  }
  const why = (e: unknown) => {
    const name = (e as Error).name
    return refused(e, name === 'ValidationException' ? t.windowWhy : name === 'KMSInvalidStateException' ? t.pendingWhy : name === 'InvalidCiphertextException' ? t.lostWhy : t.genericWhy)
  }

  const victim = act(outs.notes, t.encryptVictim, async () => {
    try {
      const n = await encryptNote(ctx, arn, t.victimNote)
      redrawNotes()
      return okView(t.noteKept(short(n.keyMaterialId)))
    } catch (e) {
      return why(e)
    }
  }, { class: 'secondary' })
  const decrypt = act(outs.notes, t.decryptKept, async () => {
    const notes = notesOf(arn)
    if (notes.length === 0) return h('p', { class: 'hint' }, t.noNotes)
    const { cells, failed, firstError } = await decryptNotes(ctx, t, notes)
    redrawNotes(cells)
    return failed ? why(firstError) : okView(t.allDecrypted(notes.length, 1))
  }, { class: 'secondary' })

  const windowDays = h('input', { type: 'number', inputmode: 'numeric', '.value': '7' })
  const schedule = act(outs.schedule, t.schedule, async () => {
    const days = Number(windowDays.value)
    try {
      const r = await kms.scheduleKeyDeletion({ KeyId: arn, PendingWindowInDays: days })
      await refresh()
      return okView(t.scheduled(when(ctx, r.DeletionDate), r.PendingWindowInDays))
    } catch (e) {
      return why(e)
    }
  }, { class: 'danger' })
  const cancel = act(outs.schedule, t.cancel, async () => {
    try {
      await kms.cancelKeyDeletion({ KeyId: arn })
    } catch (e) {
      return why(e)
    }
    const m = await refresh()
    return okView(`CancelKeyDeletion → KeyState ${m.KeyState}`, h('p', {}, t.cancelled))
  })
  const enable = act(outs.schedule, t.enable, async () => {
    try {
      await kms.enableKey({ KeyId: arn })
    } catch (e) {
      return why(e)
    }
    const m = await refresh()
    return okView(`EnableKey → KeyState ${m.KeyState}`)
  }, { class: 'secondary' })

  const day = act(outs.clock, t.advanceDay, async () => {
    const now = await kms.advanceClock(DAY_MS)
    ctx.clockChanged()
    try {
      await refresh()
    } catch (e) {
      return gone(e)
    }
    return okView(t.advanced(when(ctx, now)))
  }, { class: 'secondary' })
  const past = act(outs.clock, t.advancePast, async () => {
    const { KeyMetadata: m } = await kms.describeKey({ KeyId: arn })
    if (!m.DeletionDate) return h('p', { class: 'hint' }, t.notScheduled)
    await kms.advanceClock(m.DeletionDate.getTime() - (await kms.clockNow()).getTime() + 60_000)
    ctx.clockChanged()
    try {
      await kms.describeKey({ KeyId: arn })
      return h('p', {}, t.notScheduled) // not reached: the window has passed
    } catch (e) {
      return gone(e)
    }
  }, { class: 'danger' })

  /** The key is gone: the panel shows DescribeKey's answer and every kept note failing to decrypt. */
  const gone = async (e: unknown) => {
    const notes = notesOf(arn)
    const { cells } = await decryptNotes(ctx, t, notes)
    redrawNotes(cells)
    state.replaceChildren(t.keyState, ' ', h('strong', { 'data-state': 'Deleted' }, t.deletedState))
    panel.replaceChildren(
      keyLine,
      state,
      h('div', { class: 'outcome error' }, h('strong', {}, t.destroyed), h('p', {}, t.describeGone), errorView(e), h('p', {}, t.notesLost(notes.length))),
      notesBox,
      h('div', { class: 'actions' }, button(t.newDeletionKey, again, { class: 'secondary' })),
    )
    return null
  }

  await refresh()
  redrawNotes()
  panel.append(
    keyLine,
    h('h3', {}, t.victimTitle),
    h('div', { class: 'actions' }, victim),
    notesBox,
    h('div', { class: 'actions' }, decrypt),
    outs.notes,
    h('h3', {}, t.scheduleDeletionTitle),
    field(t.windowLabel, windowDays, t.windowHint),
    h('div', { class: 'actions' }, schedule, cancel, enable),
    outs.schedule,
    h('div', { class: 'card key-state' }, state, countdown),
    h('h3', {}, t.deletionClockTitle),
    h('div', { class: 'actions' }, day, past),
    outs.clock,
  )
  return panel
}
