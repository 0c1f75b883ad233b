/**
 * #policies: the key policy editor (PutKeyPolicy, validated and lockout-checked by the engine),
 * a caller switcher with the engine's decision for each operation and the statement or grant
 * that made it (kms.explain), each one tried for real as that caller (kms.as), IAM policies the
 * root statement delegates to, and grants in their five parts: create, use, retire, revoke.
 */
import './policies.css'
import type { Caller, CreateGrantRequest, DecidedBy, Explanation, GrantListEntry } from '@webkms/core'
import type { Section } from '../app/context.js'
import { bytesView, button, errorView, field, fromUtf8, h, okView, run, utf8 } from '../app/dom.js'
import { sectionHead, fact } from '../app/section.js'
import { common } from '../text/common.js'
import { policiesText } from '../text/policies.js'
import { keyByAlias } from './keyByAlias.js'

const ACCOUNT = '111122223333'
const ROOT = `arn:aws:iam::${ACCOUNT}:root`
const OTHER_ROOT = 'arn:aws:iam::444455556666:root'
const CALLERS = {
  root: ROOT,
  alice: `arn:aws:iam::${ACCOUNT}:user/alice`,
  role: `arn:aws:iam::${ACCOUNT}:role/app`,
  eve: 'arn:aws:iam::444455556666:user/eve',
} as const
type CallerId = keyof typeof CALLERS
const CALLER_LABEL = { root: 'callerRoot', alice: 'callerAlice', role: 'callerRole', eve: 'callerEve' } as const

const OPERATIONS = ['Encrypt', 'Decrypt', 'GenerateDataKey', 'DescribeKey', 'PutKeyPolicy', 'ScheduleKeyDeletion', 'CreateGrant'] as const
type Operation = (typeof OPERATIONS)[number]
/** The encryption context every data call carries here (grant constraints test it). */
const CONTEXT = { project: 'demo' }
const WITH_CONTEXT = new Set<string>(['Encrypt', 'Decrypt', 'GenerateDataKey'])
const GRANT_OPERATIONS = ['Encrypt', 'Decrypt', 'GenerateDataKey', 'DescribeKey', 'RetireGrant'] as const

// The policies the presets load. Every one but the 004 example keeps the root statement.
const rootStatement = { Sid: 'Enable IAM User Permissions', Effect: 'Allow', Principal: { AWS: ROOT }, Action: 'kms:*', Resource: '*' }
const keyPolicy = (...statements: object[]) => JSON.stringify({ Version: '2012-10-17', Id: 'key-default-1', Statement: [rootStatement, ...statements] }, null, 2)
const aliceUses = { Sid: 'Allow alice to use the key', Effect: 'Allow', Principal: { AWS: CALLERS.alice }, Action: ['kms:Encrypt', 'kms:Decrypt'], Resource: '*' }
/** Study material 004 (AWS KMS developer guide, "Infrastructure security"), character for character. */
const EXAMPLE_004 =
  '{ "Version": "2012-10-17", "Statement": { "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:role/KMSTestRole"}, "Action": [ "kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:DescribeKey" ], "Resource": "*", "Condition": { "NotIpAddress": { "aws:SourceIp": [ "192.0.2.0/24", "203.0.113.0/24" ] } } } }'
const statement004 = (JSON.parse(EXAMPLE_004) as { Statement: object }).Statement
const PRESETS = {
  presetDefault: ['noteDefault', keyPolicy()],
  presetAlice: ['noteAlice', keyPolicy(aliceUses)],
  presetDeny: [
    'noteDeny',
    keyPolicy(aliceUses, { Sid: 'Deny Decrypt without MFA', Effect: 'Deny', Principal: { AWS: CALLERS.alice }, Action: 'kms:Decrypt', Resource: '*', Condition: { BoolIfExists: { 'aws:MultiFactorAuthPresent': 'false' } } }),
  ],
  // The shape of the console's default policy for key administrators and key users.
  presetDuties: [
    'noteDuties',
    keyPolicy(
      {
        Sid: 'Allow access for Key Administrators',
        Effect: 'Allow',
        Principal: { AWS: CALLERS.role },
        Action: ['kms:Create*', 'kms:Describe*', 'kms:Enable*', 'kms:List*', 'kms:Put*', 'kms:Update*', 'kms:Revoke*', 'kms:Disable*', 'kms:Get*', 'kms:Delete*', 'kms:TagResource', 'kms:UntagResource', 'kms:ScheduleKeyDeletion', 'kms:CancelKeyDeletion', 'kms:RotateKeyOnDemand'],
        Resource: '*',
      },
      { Sid: 'Allow use of the key', Effect: 'Allow', Principal: { AWS: CALLERS.alice }, Action: ['kms:Encrypt', 'kms:Decrypt', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:DescribeKey'], Resource: '*' },
      { Sid: 'Allow attachment of persistent resources', Effect: 'Allow', Principal: { AWS: CALLERS.alice }, Action: ['kms:CreateGrant', 'kms:ListGrants', 'kms:RevokeGrant'], Resource: '*', Condition: { Bool: { 'kms:GrantIsForAWSResource': 'true' } } },
    ),
  ],
  presetAccount: ['noteAccount', keyPolicy({ Sid: 'Allow use of the key by account 444455556666', Effect: 'Allow', Principal: { AWS: OTHER_ROOT }, Action: ['kms:Encrypt', 'kms:Decrypt', 'kms:GenerateDataKey*', 'kms:DescribeKey'], Resource: '*' })],
  preset004: ['note004', JSON.stringify(JSON.parse(EXAMPLE_004), null, 2)],
  preset004Fixed: ['note004Fixed', keyPolicy({ ...statement004, Sid: 'Allow the app role unless from the listed ranges', Principal: { AWS: CALLERS.role } })],
} as const

/** An IAM policy allowing the use of one key (what the root attaches to alice, or eve's root to eve). */
const useKeyPolicy = (keyArn: string) =>
  JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: ['kms:Encrypt', 'kms:Decrypt', 'kms:GenerateDataKey', 'kms:DescribeKey'], Resource: keyArn }] }, null, 2)
const IDENTITY_POLICY_NAME = 'UseDemoPoliciesKey'

const short = (id: string) => id.slice(0, 12) + '…'
const who = (arn: string) => arn.slice(arn.indexOf('::') + 2)

export const policies: Section = async ({ kms, lang, signal }) => {
  const t = policiesText[lang]
  const c = common[lang]
  const key = await keyByAlias(kms, 'alias/demo-policies', { Description: 'webkms demo: key policies and grants' })
  const KeyId = key.KeyId
  let sample: Uint8Array | undefined // a ciphertext made by the root, for trying Decrypt
  let lastGrant: { id: string; token: string } | undefined

  // ---- The key policy editor ----
  const editor = h('textarea', { rows: 18, spellcheck: 'false', autocomplete: 'off', class: 'policy-editor' }) as HTMLTextAreaElement
  const size = h('span', { 'aria-live': 'off' })
  const showSize = () => (size.textContent = t.policySize(utf8(editor.value).length))
  editor.addEventListener('input', showSize)
  const presetNote = h('p', { class: 'hint', role: 'status' })
  const policyOut = h('div')
  const load = (text: string) => {
    editor.value = text
    showSize()
  }
  const loadPolicy = () =>
    run(policyOut, async () => {
      load((await kms.getKeyPolicy({ KeyId })).Policy!)
      return okView(t.loaded)
    })
  const savePolicy = () =>
    run(policyOut, async () => {
      try {
        await kms.putKeyPolicy({ KeyId, Policy: editor.value })
      } catch (e) {
        if ((e as Error).name !== 'MalformedPolicyDocumentException') throw e
        // Say which check refused it: the lockout check, or the document's validation.
        return h('div', {}, errorView(e), h('p', {}, (e as Error).message.includes('will not allow you to update the key policy') ? t.lockout : t.malformed))
      }
      await refreshDecisions()
      return okView(t.saved)
    }, [saveButton])
  const saveButton = button(t.save, savePolicy)
  const presetButtons = (Object.keys(PRESETS) as (keyof typeof PRESETS)[]).map((id) =>
    button(t[id], () => {
      const [note, text] = PRESETS[id]
      load(text)
      presetNote.textContent = t[note]
    }, { class: 'secondary' }),
  )

  // ---- The caller, and the decision table ----
  const callerSelect = h('select', {}, (Object.keys(CALLERS) as CallerId[]).map((id) => h('option', { value: id }, t[CALLER_LABEL[id]]))) as HTMLSelectElement
  const ipInput = h('input', { type: 'text', inputmode: 'decimal', autocomplete: 'off', spellcheck: 'false', '.value': '198.51.100.7' }) as HTMLInputElement
  const mfaBox = h('input', { type: 'checkbox' }) as HTMLInputElement
  const callerId = () => callerSelect.value as CallerId
  const caller = (): Caller => {
    const ip = ipInput.value.trim()
    return { principal: CALLERS[callerId()], mfa: mfaBox.checked, ...(ip ? { sourceIp: ip } : {}) }
  }
  const callerName = () => t[CALLER_LABEL[callerId()]]
  const caption = h('caption', {})
  const tbody = h('tbody')
  const decisionsOut = h('div')
  let asked = 0

  const decidedBy = (by: DecidedBy | undefined): string => {
    const statement = (s: { statement: number; sid?: string }) => (s.sid ? `"${s.sid}"` : `Statement[${s.statement}]`)
    if (!by) return t.byNothing
    switch (by.source) {
      case 'key policy':
        return t.byKeyPolicy(statement(by))
      case 'identity policy':
        return t.byIdentity(by.name, who(by.owner), by.delegatedBy ? statement(by.delegatedBy) : '—')
      case 'grant':
        return t.byGrant(short(by.grantId))
      case 'account root':
        return t.byRoot
    }
  }
  const decisionView = (e: Explanation) => h('span', { class: `decision-${e.decision}` }, t[e.decision])

  async function refreshDecisions(): Promise<void> {
    const mine = ++asked
    caption.textContent = t.tableCaption(callerName())
    try {
      const c = caller()
      shownFor = JSON.stringify(c)
      const answers = await Promise.all(OPERATIONS.map((operation) => kms.explain({ operation, keyId: KeyId, caller: c, ...(WITH_CONTEXT.has(operation) ? { encryptionContext: CONTEXT } : {}) })))
      if (mine !== asked || signal.aborted) return // a newer question is on its way
      decisionsOut.replaceChildren()
      tbody.replaceChildren(
        ...OPERATIONS.map((op, i) => {
          const e = answers[i]!
          const tr: HTMLElement = h(
            'tr',
            { 'data-operation': op, 'data-decision': e.decision },
            h('th', { scope: 'row' }, h('code', {}, op)),
            h('td', { 'data-label': t.colDecision }, decisionView(e)),
            h('td', { 'data-label': t.colDecidedBy }, decidedBy(e.decidedBy)),
            h('td', { 'data-label': t.colReason, class: 'reason' }, e.reason),
            h('td', {}, button(t.tryIt, () => tryFor(op, tr), { class: 'secondary', 'aria-label': t.tryCall(op) })),
          )
          return tr
        }),
      )
    } catch (e) {
      if (mine === asked) decisionsOut.replaceChildren(errorView(e))
    }
  }
  // Only when the caller really changed (leaving the IP field fires "change" again: a result
  // shown under a row must not vanish because the learner clicked its button).
  let shownFor = ''
  const callerChanged = () => {
    const now = JSON.stringify(caller())
    if (now !== shownFor) void refreshDecisions()
  }
  for (const control of [callerSelect, mfaBox]) control.addEventListener('change', callerChanged)
  // As the learner types: once the field holds a whole address (or nothing); on change, whatever it holds.
  ipInput.addEventListener('input', () => {
    const v = ipInput.value.trim()
    if (v === '' || /^\d{1,3}(\.\d{1,3}){3}$/.test(v)) callerChanged()
  })
  ipInput.addEventListener('change', callerChanged)

  /** Makes the call as the chosen caller: the same decision, now with the error AWS returns (shown under the row). */
  const tryFor = (op: Operation, tr: HTMLElement) => {
    tbody.querySelector('tr.tried-row')?.remove()
    const tried = h('div', { class: 'tried' })
    tr.after(h('tr', { class: 'tried-row' }, h('td', { colspan: 5 }, tried)))
    return run(tried, async () => {
      const as = kms.as(caller())
      const ok = (...body: (Node | string)[]) => okView(t.triedOk(op, callerName()), ...body)
      switch (op) {
        case 'Encrypt': {
          const r = await as.encrypt({ KeyId, Plaintext: utf8(t.sample), EncryptionContext: CONTEXT })
          return ok(bytesView(t.ciphertext, r.CiphertextBlob, c.bytes))
        }
        case 'Decrypt': {
          sample ??= (await kms.encrypt({ KeyId, Plaintext: utf8(t.sample), EncryptionContext: CONTEXT })).CiphertextBlob
          const r = await as.decrypt({ KeyId, CiphertextBlob: sample!, EncryptionContext: CONTEXT })
          return ok(h('p', {}, t.decrypted(fromUtf8(r.Plaintext!))))
        }
        case 'GenerateDataKey': {
          const r = await as.generateDataKey({ KeyId, KeySpec: 'AES_256', EncryptionContext: CONTEXT })
          return ok(h('p', {}, t.dataKey), bytesView(t.encryptedDataKey, r.CiphertextBlob, c.bytes))
        }
        case 'DescribeKey':
          return ok(h('p', {}, t.described((await as.describeKey({ KeyId })).KeyMetadata!.KeyState)))
        case 'PutKeyPolicy': {
          const { Policy } = await kms.getKeyPolicy({ KeyId })
          await as.putKeyPolicy({ KeyId, Policy: Policy! })
          return ok(h('p', {}, t.putBack))
        }
        case 'ScheduleKeyDeletion': {
          // No DryRun for this one: schedule, then undo at once so the section's key survives.
          const r = await as.scheduleKeyDeletion({ KeyId, PendingWindowInDays: 7 })
          await kms.cancelKeyDeletion({ KeyId })
          await kms.enableKey({ KeyId })
          return ok(h('p', {}, t.scheduled(r.DeletionDate!.toLocaleDateString(lang))))
        }
        case 'CreateGrant':
          try {
            await as.createGrant({ KeyId, GranteePrincipal: CALLERS.alice, Operations: ['Encrypt'], DryRun: true })
          } catch (e) {
            if ((e as Error).name === 'DryRunOperationException') return ok(h('p', {}, t.dryRun))
            throw e
          }
          throw new Error('DryRun expected DryRunOperationException')
      }
    })
  }

  // ---- IAM policies the root statement delegates to ----
  const identityList = h('div', { class: 'grid' })
  const iamOut = h('div')
  const showIdentityPolicies = async () => {
    const [alice, eve] = await Promise.all([
      kms.getIdentityPolicies({ Principal: CALLERS.alice }),
      kms.as({ principal: OTHER_ROOT }).getIdentityPolicies({ Principal: CALLERS.eve }),
    ])
    identityList.replaceChildren(
      ...([[CALLERS.alice, alice.Policies], [CALLERS.eve, eve.Policies]] as const).map(([arn, found]) =>
        h('div', { class: 'card' }, h('h4', {}, t.identityPoliciesOf(who(arn))), Object.keys(found).length === 0 ? h('p', {}, t.none) : Object.entries(found).map(([name, doc]) => [h('p', {}, h('code', {}, name)), h('pre', {}, doc)])),
      ),
    )
  }
  const identityAction = (principal: string, asRoot: string, attach: boolean) =>
    run(iamOut, async () => {
      const root = kms.as({ principal: asRoot })
      if (attach) await root.putIdentityPolicy({ Principal: principal, PolicyName: IDENTITY_POLICY_NAME, PolicyDocument: useKeyPolicy(key.Arn) })
      else await root.deleteIdentityPolicy({ Principal: principal, PolicyName: IDENTITY_POLICY_NAME })
      await Promise.all([showIdentityPolicies(), refreshDecisions()])
      return okView((attach ? t.attached : t.detached)(IDENTITY_POLICY_NAME, who(principal)))
    })

  // ---- Grants ----
  const granteeSelect = h('select', {}, (['alice', 'role', 'eve'] as const).map((id) => h('option', { value: CALLERS[id] }, t[CALLER_LABEL[id]]))) as HTMLSelectElement
  const operationBoxes = GRANT_OPERATIONS.map((op) => h('input', { type: 'checkbox', value: op, '.checked': op === 'Encrypt' || op === 'Decrypt' }) as HTMLInputElement)
  const constraintKey = h('input', { type: 'text', autocomplete: 'off', '.value': 'project' }) as HTMLInputElement
  const constraintValue = h('input', { type: 'text', autocomplete: 'off', '.value': 'demo' }) as HTMLInputElement
  const retiringSelect = h('select', {}, h('option', { value: '' }, t.noRetiring), (['role', 'alice'] as const).map((id) => h('option', { value: CALLERS[id] }, t[CALLER_LABEL[id]]))) as HTMLSelectElement
  retiringSelect.value = CALLERS.role
  const grantOut = h('div')
  const grantRows = h('tbody')
  const grantsEmpty = h('p', { class: 'hint' })
  const grantsTable = h(
    'table',
    { class: 'grants' },
    h('caption', {}, t.grantsCaption),
    h('thead', {}, h('tr', {}, [t.colGrantId, t.colGrantee, t.colOperations, t.colConstraints, t.colRetiring, t.colActions].map((x) => h('th', { scope: 'col' }, x)))),
    grantRows,
  )

  const grantRequest = (): CreateGrantRequest => {
    const r: CreateGrantRequest = { KeyId, GranteePrincipal: granteeSelect.value, Operations: operationBoxes.filter((b) => b.checked).map((b) => b.value as CreateGrantRequest['Operations'][number]) }
    const k = constraintKey.value.trim()
    if (k) r.Constraints = { EncryptionContextSubset: { [k]: constraintValue.value } }
    if (retiringSelect.value) r.RetiringPrincipal = retiringSelect.value
    return r
  }
  const createGrant = (asString: boolean) =>
    run(grantOut, async () => {
      const request = grantRequest()
      if (asString) (request as unknown as { Operations: string }).Operations = 'Encrypt' // the study material's mistake, sent as is
      else if (request.Operations.length === 0) return h('p', { class: 'outcome error', role: 'alert' }, t.chooseOperation)
      const shown = h('div', {}, h('p', {}, t.request), h('pre', {}, JSON.stringify(request, null, 2)))
      try {
        const r = await kms.createGrant(request)
        lastGrant = { id: r.GrantId, token: r.GrantToken }
        await Promise.all([listGrants(), refreshDecisions()])
        shown.append(okView(t.grantCreated(short(r.GrantId))))
      } catch (e) {
        shown.append(errorView(e))
      }
      return shown
    })
  const useGrant = () =>
    run(grantOut, async () => {
      const grantee = granteeSelect.value
      const explained = await kms.explain({ operation: 'Encrypt', keyId: KeyId, caller: { principal: grantee }, encryptionContext: CONTEXT })
      try {
        await kms.as({ principal: grantee }).encrypt({ KeyId, Plaintext: utf8(t.sample), EncryptionContext: CONTEXT })
        return okView(t.usedGrant(who(grantee), decidedBy(explained.decidedBy)))
      } catch (e) {
        return h('div', {}, errorView(e), h('p', {}, t.refusedBecause(explained.reason)))
      }
    })
  async function listGrants(): Promise<void> {
    const { Grants = [] } = await kms.listGrants({ KeyId })
    grantsEmpty.textContent = Grants.length ? '' : t.noGrants
    grantsTable.hidden = Grants.length === 0
    grantRows.replaceChildren(...Grants.map(grantRow))
  }
  const grantRow = (g: GrantListEntry) => {
    const id = short(g.GrantId)
    const retire = () =>
      run(grantOut, async () => {
        const retiring = g.RetiringPrincipal ?? ROOT // else the issuing account retires it
        const byToken = lastGrant?.id === g.GrantId
        await kms.as({ principal: retiring }).retireGrant(byToken ? { GrantToken: lastGrant!.token } : { KeyId, GrantId: g.GrantId })
        await Promise.all([listGrants(), refreshDecisions()])
        return okView(t.retired(byToken ? t.byToken : t.byIds, who(retiring)))
      })
    const revoke = () =>
      run(grantOut, async () => {
        await kms.revokeGrant({ KeyId, GrantId: g.GrantId })
        await Promise.all([listGrants(), refreshDecisions()])
        return okView(t.revoked)
      })
    const constraints = g.Constraints?.EncryptionContextSubset ?? g.Constraints?.EncryptionContextEquals
    return h(
      'tr',
      { 'data-grant': g.GrantId },
      h('th', { scope: 'row' }, h('code', {}, id)),
      h('td', { 'data-label': t.colGrantee }, who(g.GranteePrincipal)),
      h('td', { 'data-label': t.colOperations }, h('code', {}, JSON.stringify(g.Operations))),
      h('td', { 'data-label': t.colConstraints }, constraints ? h('code', {}, Object.entries(constraints).map(([k, v]) => `${k}=${v}`).join(', ')) : '—'),
      h('td', { 'data-label': t.colRetiring }, g.RetiringPrincipal ? who(g.RetiringPrincipal) : '—'),
      h('td', {}, h('div', { class: 'actions' }, button(t.retire, retire, { 'aria-label': t.retireLabel(id) }), button(t.revoke, revoke, { class: 'danger', 'aria-label': t.revokeLabel(id) }))),
    )
  }

  const fact = (current: string, older: string) => h('aside', { class: 'fact' }, h('strong', {}, c.currentFact), h('p', {}, current), h('p', {}, h('em', {}, c.olderMaterial), ' ', older))
  const mfaId = 'policies-mfa'
  mfaBox.id = mfaId

  const article = h(
    'article',
    { class: 'section policies' },
    ...sectionHead({ lang }, 'policies'),
    h('p', { class: 'lead' }, t.lead),
    h('p', {}, t.keyIs, ' ', h('code', { class: 'arn' }, key.Arn), ' (alias/demo-policies)'),

    h('h2', {}, t.policyHeading),
    h('p', {}, t.policyIntro),
    fact(t.factIam, t.factIamOld),
    h('div', { role: 'group', 'aria-labelledby': 'policies-presets' }, h('p', { id: 'policies-presets', class: 'label' }, t.presets), h('div', { class: 'actions' }, presetButtons), h('p', { class: 'hint' }, t.presetsHint)),
    field(t.editor, editor),
    h('p', { class: 'hint' }, size),
    presetNote,
    h('div', { class: 'actions' }, saveButton, button(t.reload, loadPolicy, { class: 'secondary' })),
    policyOut,
    h('h3', {}, t.example004Heading),
    h('p', {}, t.example004),
    fact(t.fact004, t.fact004Old),

    h('h2', {}, t.callerHeading),
    h('p', {}, t.callerIntro),
    h(
      'fieldset',
      { class: 'caller' },
      h('legend', {}, t.requestLegend),
      field(t.caller, callerSelect),
      field(t.sourceIp, ipInput, t.sourceIpHint),
      h('label', { class: 'check', for: mfaId }, mfaBox, t.mfa),
    ),
    h('p', { class: 'hint' }, t.contextNote),
    decisionsOut,
    h(
      'table',
      { class: 'decisions' },
      caption,
      h('thead', {}, h('tr', {}, [t.colOperation, t.colDecision, t.colDecidedBy, t.colReason, t.colTry].map((x) => h('th', { scope: 'col' }, x)))),
      tbody,
    ),

    h('h3', {}, t.iamHeading),
    h('p', {}, t.iamIntro),
    h('pre', {}, useKeyPolicy(key.Arn)),
    h(
      'div',
      { class: 'actions' },
      button(t.attachAlice, () => identityAction(CALLERS.alice, ROOT, true)),
      button(t.detachAlice, () => identityAction(CALLERS.alice, ROOT, false), { class: 'secondary' }),
      button(t.attachEve, () => identityAction(CALLERS.eve, OTHER_ROOT, true)),
      button(t.detachEve, () => identityAction(CALLERS.eve, OTHER_ROOT, false), { class: 'secondary' }),
    ),
    iamOut,
    identityList,

    h('h3', {}, t.dutiesHeading),
    h('p', {}, t.dutiesText),

    h('h2', {}, t.grantsHeading),
    h('p', {}, t.grantsIntro),
    fact(t.factGrants, t.factGrantsOld),
    h(
      'ol',
      { class: 'five-parts' },
      h('li', {}, field(t.fieldKey, h('input', { type: 'text', readonly: true, '.value': key.Arn }) as HTMLInputElement)),
      h('li', {}, field(t.fieldGrantee, granteeSelect)),
      h('li', {}, h('fieldset', {}, h('legend', {}, t.fieldOperations), h('div', { class: 'checks' }, operationBoxes.map((b) => h('label', { class: 'check' }, b, h('code', {}, b.value)))))),
      h('li', {}, field(t.fieldConstraintKey, constraintKey, t.constraintHint), field(t.fieldConstraintValue, constraintValue)),
      h('li', {}, field(t.fieldRetiring, retiringSelect)),
    ),
    h('div', { class: 'actions' }, button(t.createGrant, () => createGrant(false)), button(t.useGrant, useGrant, { class: 'secondary' }), button(t.createAsString, () => createGrant(true), { class: 'secondary' })),
    grantOut,
    grantsTable,

    grantsEmpty,
    h('p', {}, t.retireRevoke),
  )

  await Promise.all([loadPolicy(), refreshDecisions(), showIdentityPolicies(), listGrants()])
  policyOut.replaceChildren() // the first load needs no message
  return article
}
