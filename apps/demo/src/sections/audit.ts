/**
 * #audit: the trail as CloudTrail shows it (who, when, which API, from where, on which key,
 * result), filling as the learner makes calls; verification against signing keys pinned apart
 * from the export; tampering with a copy of the export and where verification breaks; posture
 * findings to cause and fix.
 */
import './audit.css'
import type { AuditVerification, ExportedAuditLog, Finding } from '@webkms/core'
import type { Section } from '../app/context.js'
import { button, errorView, field, h, okView, run, utf8 } from '../app/dom.js'
import { sectionHead } from '../app/section.js'
import { common } from '../text/common.js'
import { auditText } from '../text/audit.js'
import { keyByAlias } from './keyByAlias.js'

type AuditEvent = ExportedAuditLog['events'][number]

const ROOT = 'arn:aws:iam::111122223333:root'
// Callers with a source address, so the "from where" column has something to say.
const ROOT_AT = { principal: ROOT, sourceIp: '198.51.100.7' }
const ALICE_AT = { principal: 'arn:aws:iam::111122223333:user/alice', sourceIp: '192.0.2.10' }
const LIVE_ROWS = 10
const COPY_ROWS = 10
const DEFAULT_POLICY = JSON.stringify({ Version: '2012-10-17', Id: 'key-default-1', Statement: [{ Sid: 'Enable IAM User Permissions', Effect: 'Allow', Principal: { AWS: ROOT }, Action: 'kms:*', Resource: '*' }] })
const OPEN_POLICY = JSON.stringify({
  Version: '2012-10-17',
  Statement: [
    { Sid: 'Enable IAM User Permissions', Effect: 'Allow', Principal: { AWS: ROOT }, Action: 'kms:*', Resource: '*' },
    { Sid: 'Open to anyone', Effect: 'Allow', Principal: { AWS: '*' }, Action: ['kms:Encrypt', 'kms:Decrypt'], Resource: '*' },
  ],
})

const sequence = (e: AuditEvent) => e.webkms.sequence
const whoOf = (e: AuditEvent) => {
  const id = e.userIdentity as { arn?: string; invokedBy?: string } | undefined
  return id?.arn ? id.arn.slice(id.arn.indexOf('::') + 2) : (id?.invokedBy ?? '—')
}
const shortKey = (arn: string) => (arn.includes(':key/') ? `key/${arn.slice(arn.lastIndexOf('/') + 1, arn.lastIndexOf('/') + 9)}…` : arn.slice(arn.indexOf('::') + 2))
const keyOf = (e: AuditEvent) => {
  const arn = (e.resources as { ARN: string }[] | undefined)?.[0]?.ARN
  return arn ? shortKey(arn) : '—'
}

export const audit: Section = async ({ kms, lang }) => {
  const t = auditText[lang]
  const c = common[lang]
  const key = await keyByAlias(kms, 'alias/demo-audit', { Description: 'webkms demo: audit trail' }, { made: (k) => kms.enableKeyRotation({ KeyId: k.KeyId }) })
  // Its own key, left as the learner leaves it (a scheduled deletion is the finding to see).
  const posture = await keyByAlias(kms, 'alias/demo-audit-posture', { Description: 'webkms demo: posture findings' }, { revive: false })
  const KeyId = key.KeyId
  let sample: Uint8Array | undefined

  /** The events as a CloudTrail-like table; `broken` (an index into `events`) is marked. */
  const eventsTable = (events: AuditEvent[], caption: string, broken?: number) => {
    const table = h(
      'table',
      { class: 'trail' },
      h('caption', {}, caption),
      h('thead', {}, h('tr', {}, [t.colSeq, t.colWho, t.colWhen, t.colApi, t.colFrom, t.colKey, t.colResult].map((x) => h('th', { scope: 'col' }, x)))),
      h(
        'tbody',
        {},
        events.map((e, i) =>
          h(
            'tr',
            { class: [e.errorCode ? 'refused' : '', i === broken ? 'broken' : ''].join(' ').trim() || undefined, 'data-sequence': sequence(e) },
            h('th', { scope: 'row' }, `#${sequence(e)}`, i === broken ? h('strong', { class: 'mark' }, ' ', t.brokenMark) : null),
            h('td', { 'data-label': t.colWho }, whoOf(e)),
            h('td', { 'data-label': t.colWhen }, String(e.eventTime)),
            h('td', { 'data-label': t.colApi }, h('code', {}, String(e.eventName))),
            h('td', { 'data-label': t.colFrom }, String(e.sourceIPAddress ?? '—')),
            h('td', { 'data-label': t.colKey }, keyOf(e)),
            h('td', { 'data-label': t.colResult }, e.errorCode ? h('code', {}, String(e.errorCode)) : t.ok),
          ),
        ),
      ),
    )
    // Wide: it scrolls on its own, and the keyboard can reach it.
    return h('div', { class: 'scroll', tabindex: '0', role: 'region', 'aria-label': caption }, table)
  }

  // ---- The live trail ----
  const trailBox = h('div', { class: 'live' })
  const callOut = h('div')
  async function refreshTrail(): Promise<void> {
    const { events } = await kms.exportAuditLog({})
    const shown = events.slice(-LIVE_ROWS)
    trailBox.replaceChildren(eventsTable(shown, t.trailCaption(shown.length, events.length)))
  }
  const call = (api: string, work: () => Promise<unknown>) =>
    run(callOut, async () => {
      let refused: unknown
      await work().catch((e) => (refused = e))
      await refreshTrail()
      if (refused) return h('div', {}, errorView(refused), h('p', {}, t.refused(api)))
      return okView(t.called(api))
    })
  const encryptAsRoot = () => kms.as(ROOT_AT).encrypt({ KeyId, Plaintext: utf8('audit me') })
  const dataKeyAsRoot = () => kms.as(ROOT_AT).generateDataKey({ KeyId, KeySpec: 'AES_256' })
  const decryptAsAlice = async () => {
    sample ??= (await kms.as(ROOT_AT).encrypt({ KeyId, Plaintext: utf8('audit me') })).CiphertextBlob
    return kms.as(ALICE_AT).decrypt({ KeyId, CiphertextBlob: sample! })
  }

  // ---- Verification, and tampering with a copy ----
  let pinned: string[] | undefined
  let original: ExportedAuditLog | undefined
  let copy: ExportedAuditLog | undefined
  let windowStart = 0
  const pinOut = h('div')
  const verifyOut = h('div')
  const copyOut = h('div', { class: 'copy-out' })
  const copyBox = h('div', { class: 'copy' })
  const target = h('select', {}) as HTMLSelectElement

  const pin = () =>
    run(pinOut, async () => {
      const { Keys } = await kms.getAuditPublicKeys({})
      pinned = Keys.map((k) => k.Fingerprint)
      return okView(t.pinned(pinned.length), h('ul', { class: 'fingerprints' }, pinned.map((f) => h('li', {}, h('code', {}, f)))))
    })

  const verificationView = (v: AuditVerification) => {
    if (v.valid) return okView(t.valid(v.events, v.checkpoints))
    const p = v.problem
    const head = v.intact ? t.intactOnly : p && p.position > 0 ? t.problemAt(p.position) : t.problemWhole
    return h('div', { class: 'outcome error', role: 'alert', 'data-position': p?.position ?? 0 }, h('strong', {}, t.invalid), h('p', {}, head, ' ', h('code', {}, p?.reason ?? '')))
  }
  /** Verifies the copy and shows it, the row where verification breaks marked. */
  async function verifyCopy(trusted: string[] | undefined): Promise<HTMLElement> {
    const v = await kms.verifyAuditLog(copy!, trusted ? { trustedKeys: trusted } : {})
    // The problem's position is a sequence number: the event the verifier expected there is the
    // broken row. The copy's first event follows its base (the trail's start when it has none).
    const first = (copy!.base?.sequence ?? 0) + 1
    const broken = !v.intact && v.problem && v.problem.position > 0 ? v.problem.position - first : undefined
    showCopy(broken)
    return verificationView(v)
  }
  function showCopy(broken?: number): void {
    const events = copy!.events
    // A copy cut short (its start moved) shows its last rows; a broken row before them is shown too.
    const from = Math.min(windowStart, Math.max(0, events.length - COPY_ROWS), Math.max(0, broken ?? Infinity))
    const shown = events.slice(from)
    const selected = target.value
    target.replaceChildren(...shown.map((e, i) => h('option', { value: from + i }, `#${sequence(e)} ${String(e.eventName)} · ${whoOf(e)}`)))
    if ([...target.options].some((o) => o.value === selected)) target.value = selected
    copyBox.replaceChildren(eventsTable(shown, t.copyCaption(shown.length), broken === undefined ? undefined : broken - from))
  }
  const exportAndVerify = () =>
    run(verifyOut, async () => {
      original = await kms.exportAuditLog({})
      copy = structuredClone(original)
      windowStart = Math.max(0, original.events.length - COPY_ROWS)
      tamperBlock.hidden = false
      showCopy()
      // Start on the most interesting event: the last refused call, else one in the middle of the window.
      const refused = copy.events.findLastIndex((e) => e.errorCode)
      target.value = String(refused >= windowStart ? refused : windowStart + Math.floor((copy.events.length - windowStart) / 2))
      copyOut.replaceChildren()
      return verifyCopy(pinned)
    })
  /** Changes the copy as `change` says, then verifies it again. */
  const tamper = (change: (events: AuditEvent[], i: number) => string) =>
    run(copyOut, async () => {
      if (!copy) return h('p', { class: 'outcome error', role: 'alert' }, t.needExport)
      const said = change(copy.events, Number(target.value))
      return h('div', {}, h('p', {}, said), await verifyCopy(pinned))
    })
  const editName = (events: AuditEvent[], i: number) => {
    const from = String(events[i]!.eventName)
    const to = from === 'Encrypt' ? 'DescribeKey' : 'Encrypt'
    events[i]!.eventName = to
    return t.tamperedName(sequence(events[i]!), from, to)
  }
  const editIp = (events: AuditEvent[], i: number) => {
    const ip = events[i]!.sourceIPAddress === '203.0.113.66' ? '198.51.100.99' : '203.0.113.66'
    events[i]!.sourceIPAddress = ip
    return t.tamperedIp(sequence(events[i]!), ip)
  }
  const remove = (events: AuditEvent[], i: number) => t.tamperedDelete(sequence(events.splice(i, 1)[0]!))
  const swap = (events: AuditEvent[], i: number) => {
    const j = i + 1 < events.length ? i + 1 : i - 1
    ;[events[i], events[j]] = [events[j]!, events[i]!]
    return t.tamperedSwap(sequence(events[Math.min(i, j)]!), sequence(events[Math.max(i, j)]!))
  }
  /** What whoever holds the copy can do without the key: start it at a signed checkpoint before the event, dropping all before. */
  const dropBefore = (events: AuditEvent[], i: number) => {
    const seq = sequence(events[i]!)
    const at = copy!.checkpoints.findLastIndex((c) => c.sequence < seq)
    if (at < 0) return t.noStartBefore(seq)
    const base = copy!.checkpoints[at]!
    copy!.base = base
    copy!.checkpoints = copy!.checkpoints.slice(at + 1)
    copy!.events = events.filter((e) => sequence(e) > base.sequence)
    return t.tamperedDropBefore(base.sequence + 1)
  }
  const resetCopy = () =>
    run(copyOut, async () => {
      if (!original) return h('p', { class: 'outcome error', role: 'alert' }, t.needExport)
      copy = structuredClone(original)
      return h('div', {}, h('p', {}, t.resetDone), await verifyCopy(pinned))
    })
  const verifyAgain = (trusted?: string[]) =>
    run(copyOut, async () => (copy ? verifyCopy(trusted) : h('p', { class: 'outcome error', role: 'alert' }, t.needExport)))

  // ---- Posture findings ----
  const findingsBox = h('div')
  const findingsOut = h('div')
  async function refreshFindings(): Promise<void> {
    const found: Finding[] = await kms.findings()
    if (found.length === 0) return void findingsBox.replaceChildren(h('p', {}, t.noFindings))
    findingsBox.replaceChildren(
      h(
        'table',
        { class: 'findings' },
        h('caption', {}, t.findingsCaption(found.length)),
        h('thead', {}, h('tr', {}, [t.colType, t.colSeverity, t.colResource, t.colMeaning, t.colTitle].map((x) => h('th', { scope: 'col' }, x)))),
        h(
          'tbody',
          {},
          found.map((f) =>
            h(
              'tr',
              { 'data-type': f.type, 'data-resource': f.resource },
              h('th', { scope: 'row' }, h('code', {}, f.type)),
              h('td', { 'data-label': t.colSeverity, class: `severity-${f.severity}` }, f.severity),
              h('td', { 'data-label': t.colResource }, shortKey(f.resource), f.resource === posture.Arn ? [' ', t.thisKey] : null),
              h('td', { 'data-label': t.colMeaning }, t[f.type]),
              h('td', { 'data-label': t.colTitle, class: 'engine' }, f.title),
            ),
          ),
        ),
      ),
    )
  }
  const onPosture = (api: string, work: () => Promise<unknown>) =>
    run(findingsOut, async () => {
      await work()
      await Promise.all([refreshFindings(), refreshTrail()])
      return okView(t.actionDone(api))
    })
  const PostureKey = posture.KeyId
  const fiveRefusals = () =>
    run(findingsOut, async () => {
      let refused = 0
      for (let i = 0; i < 5; i++) await kms.as(ALICE_AT).describeKey({ KeyId: PostureKey }).catch(() => refused++)
      await Promise.all([refreshFindings(), refreshTrail()])
      return okView(t.deniedDone(refused))
    })

  // Shown once there is a copy to tamper with.
  const tamperBlock = h(
    'div',
    { hidden: true },
    h('h3', {}, t.copyHeading),
    h('p', {}, t.copyIntro),
    field(t.target, target),
    h(
      'div',
      { class: 'actions' },
      button(t.editName, () => tamper(editName), { class: 'danger' }),
      button(t.editIp, () => tamper(editIp), { class: 'danger' }),
      button(t.remove, () => tamper(remove), { class: 'danger' }),
      button(t.swap, () => tamper(swap), { class: 'danger' }),
      button(t.dropBefore, () => tamper(dropBefore), { class: 'danger' }),
      button(t.reset, resetCopy, { class: 'secondary' }),
      button(t.verifyCopy, () => verifyAgain(pinned), { class: 'secondary' }),
      button(t.verifyUnpinned, () => verifyAgain(undefined), { class: 'secondary' }),
    ),
    copyOut,
    copyBox,
  )

  const article = h(
    'article',
    { class: 'section audit' },
    ...sectionHead({ lang }, 'audit'),
    h('p', { class: 'lead' }, t.lead),

    h('h2', {}, t.trailHeading),
    h('p', {}, t.trailIntro),
    h('p', {}, t.monitor),
    h(
      'div',
      { class: 'actions' },
      button(t.callEncrypt, () => call('Encrypt', encryptAsRoot)),
      button(t.callDataKey, () => call('GenerateDataKey', dataKeyAsRoot)),
      button(t.callDenied, () => call('Decrypt', decryptAsAlice), { class: 'danger' }),
      button(t.refresh, () => run(callOut, async () => (await refreshTrail(), null)), { class: 'secondary' }),
    ),
    callOut,
    trailBox,
    h('p', { class: 'hint' }, t.sourceNote),

    h('h2', {}, t.verifyHeading),
    h('p', {}, t.verifyIntro),
    h('div', { class: 'actions' }, button(t.pin, pin)),
    pinOut,
    h('div', { class: 'actions' }, button(t.exportVerify, exportAndVerify)),
    verifyOut,
    tamperBlock,
    h('h3', {}, t.resignHeading),
    h('p', {}, t.resignText),

    h('h2', {}, t.findingsHeading),
    h('p', {}, t.findingsIntro),
    h('p', {}, t.postureKey, ' ', h('code', { class: 'arn' }, posture.Arn), ' (alias/demo-audit-posture)'),
    h(
      'div',
      { class: 'pairs' },
      h('div', { class: 'actions' }, button(t.causeRotation, () => onPosture('DisableKeyRotation', () => kms.disableKeyRotation({ KeyId: PostureKey })), { class: 'danger' }), button(t.fixRotation, () => onPosture('EnableKeyRotation', () => kms.enableKeyRotation({ KeyId: PostureKey })))),
      h('div', { class: 'actions' }, button(t.causeOpen, () => onPosture('PutKeyPolicy', () => kms.putKeyPolicy({ KeyId: PostureKey, Policy: OPEN_POLICY })), { class: 'danger' }), button(t.fixOpen, () => onPosture('PutKeyPolicy', () => kms.putKeyPolicy({ KeyId: PostureKey, Policy: DEFAULT_POLICY })))),
      h(
        'div',
        { class: 'actions' },
        button(t.causeDeletion, () => onPosture('ScheduleKeyDeletion', () => kms.scheduleKeyDeletion({ KeyId: PostureKey, PendingWindowInDays: 7 })), { class: 'danger' }),
        button(t.fixDeletion, () => onPosture('CancelKeyDeletion', async () => (await kms.cancelKeyDeletion({ KeyId: PostureKey }), await kms.enableKey({ KeyId: PostureKey })))),
      ),
      h('div', { class: 'actions' }, button(t.causeDenied, fiveRefusals, { class: 'danger' }), button(t.refreshFindings, () => run(findingsOut, async () => (await refreshFindings(), null)), { class: 'secondary' })),
    ),
    findingsOut,
    findingsBox,
  )
  await Promise.all([refreshTrail(), refreshFindings()])
  return article
}
