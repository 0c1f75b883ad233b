/**
 * #byok: importing key material in its four steps on real webkms calls (CreateKey with Origin
 * EXTERNAL, GetParametersForImport, the customer wrapping the material with their own tools,
 * ImportKeyMaterial), then deleting and re-importing it; signing with an asymmetric key and
 * MACs with an HMAC key.
 *
 * The "customer side" panel is the one place this page does cryptography of its own, labelled
 * as such: it stands for the customer's tools (OpenSSL, their HSM), outside the KMS.
 */
import './byok.css'
import type { GetParametersForImportResponse, KeyMetadata } from '@webkms/core'
import type { Section } from '../app/context.js'
import { bytesView, button, errorView, field, fromUtf8, h, okView, run, utf8 } from '../app/dom.js'
import { sectionHead, fact } from '../app/section.js'
import { common } from '../text/common.js'
import { byokText } from '../text/byok.js'
import { keyByAlias } from './keyByAlias.js'

const IMPORTED_ALIAS = 'alias/demo-byok-imported'
const OPENSSL_CODE = `openssl rand -out PlaintextKeyMaterial.bin 32
openssl pkeyutl -encrypt -pubin \\
  -inkey WrappingPublicKey.bin -keyform DER \\
  -in PlaintextKeyMaterial.bin -out EncryptedKeyMaterial.bin \\
  -pkeyopt rsa_padding_mode:oaep \\
  -pkeyopt rsa_oaep_md:sha256 -pkeyopt rsa_mgf1_md:sha256`

/**
 * What the customer holds, by key ID: the parameters they downloaded, their plaintext material
 * (their backup), the wrapped material and their ciphertext. Outside the engine on purpose, so
 * it outlives a re-rendering of the section (not a reload).
 */
interface CustomerSide {
  params?: GetParametersForImportResponse & { algorithm: string }
  material?: Uint8Array
  wrapped?: Uint8Array
  ciphertext?: Uint8Array
}
const customers = new Map<string, CustomerSide>()

/** The customer's tools: RSA-OAEP with SHA-256 under the wrapping public key (WebCrypto, not webkms). */
async function wrapOnCustomerSide(publicKey: Uint8Array, material: Uint8Array): Promise<Uint8Array> {
  const key = await crypto.subtle.importKey('spki', publicKey as Uint8Array<ArrayBuffer>, { name: 'RSA-OAEP', hash: 'SHA-256' }, false, ['encrypt'])
  return new Uint8Array(await crypto.subtle.encrypt({ name: 'RSA-OAEP' }, key, material as Uint8Array<ArrayBuffer>))
}

/** One character changed: the first digit, or else the last character. */
function changeOne(s: string): string {
  const i = s.search(/\d/)
  if (i >= 0) return s.slice(0, i) + String((Number(s[i]) + 1) % 10) + s.slice(i + 1)
  return s.slice(0, -1) + (s.endsWith('!') ? '?' : '!')
}

const select = (options: readonly string[], value: string) => {
  const el = h('select', {}, options.map((o) => h('option', { value: o }, o))) as HTMLSelectElement
  el.value = value
  return el
}
const notice = (text: string) => h('p', { class: 'outcome error', role: 'alert' }, text)

export const byok: Section = async ({ kms, lang }) => {
  const t = byokText[lang]
  const c = common[lang]

  // ---- The four steps ----
  let imported: KeyMetadata | undefined = await kms.describeKey({ KeyId: IMPORTED_ALIAS }).then(
    (r) => r.KeyMetadata,
    () => undefined,
  )
  const side = () => {
    if (!imported) return undefined
    if (!customers.has(imported.KeyId)) customers.set(imported.KeyId, {})
    return customers.get(imported.KeyId)!
  }
  const describe = async () => (imported = (await kms.describeKey({ KeyId: imported!.KeyId })).KeyMetadata)
  const keyView = h('div', { class: 'key-state' })
  const showKey = () =>
    keyView.replaceChildren(
      imported
        ? h('p', {}, t.keyIs(imported.KeyState), ' ', h('code', { class: 'arn', 'data-state': imported.KeyState }, imported.Arn))
        : h('p', {}, t.noKeyYet),
    )
  const out1 = h('div')
  const createButton = button(imported ? t.createAgain : t.createKey, () =>
    run(out1, async () => {
      const previous = imported
      imported = (await kms.createKey({ Origin: 'EXTERNAL', Description: 'webkms demo: imported key material' })).KeyMetadata
      customers.set(imported.KeyId, {})
      for (const out of [out2, out3, out4, out5]) out.replaceChildren() // what they showed was for the previous key
      const notes = [okView(t.created)]
      if (previous) {
        await kms.updateAlias({ AliasName: IMPORTED_ALIAS, TargetKeyId: imported.KeyId })
        // Tidy: the abandoned key goes, after the shortest waiting period.
        await kms.scheduleKeyDeletion({ KeyId: previous.KeyId, PendingWindowInDays: 7 }).then(() => notes.push(h('p', { class: 'hint' }, t.previousScheduled)), () => undefined)
      } else {
        await kms.createAlias({ AliasName: IMPORTED_ALIAS, TargetKeyId: imported.KeyId })
      }
      createButton.textContent = t.createAgain
      showKey()
      return h('div', {}, notes)
    }),
  )
  const tryEncrypt = () =>
    run(out1, async () => {
      if (!imported) return notice(t.needKey)
      await kms.encrypt({ KeyId: imported.KeyId, Plaintext: utf8(t.messageDefault) })
      return okView(t.encrypt)
    })

  const algorithm = select(['RSAES_OAEP_SHA_256', 'RSA_AES_KEY_WRAP_SHA_256'], 'RSAES_OAEP_SHA_256')
  const keySpec = select(['RSA_2048', 'RSA_3072', 'RSA_4096'], 'RSA_2048')
  const out2 = h('div')
  const getParams = () =>
    run(out2, async () => {
      if (!imported) return notice(t.needKey)
      const r = await kms.getParametersForImport({ KeyId: imported.KeyId, WrappingAlgorithm: algorithm.value as 'RSAES_OAEP_SHA_256', WrappingKeySpec: keySpec.value as 'RSA_2048' })
      Object.assign(side()!, { params: { ...r, algorithm: algorithm.value }, wrapped: undefined })
      return okView(
        'GetParametersForImport',
        bytesView(t.publicKey, r.PublicKey, c.bytes),
        bytesView(t.importToken, r.ImportToken, c.bytes),
        h('p', {}, t.validTo(r.ParametersValidTo!.toLocaleString(lang === 'ja' ? 'ja-JP' : 'en-US'))),
      )
    })

  const out3 = h('div')
  const generate = () =>
    run(out3, async () => {
      if (!imported) return notice(t.needKey)
      const material = crypto.getRandomValues(new Uint8Array(32))
      Object.assign(side()!, { material, wrapped: undefined })
      return bytesView(t.material, material, c.bytes)
    })
  const wrap = () =>
    run(out3, async () => {
      const s = side()
      if (!s?.params) return notice(t.needParams)
      if (!s.material) return notice(t.needMaterial)
      if (s.params.algorithm !== 'RSAES_OAEP_SHA_256') return notice(t.aesKeyWrap)
      s.wrapped = await wrapOnCustomerSide(s.params.PublicKey!, s.material)
      return h('div', {}, bytesView(t.material, s.material, c.bytes), bytesView(t.wrapped, s.wrapped, c.bytes), h('p', { class: 'hint' }, t.wrappedDone))
    })

  const expiration = select(['KEY_MATERIAL_DOES_NOT_EXPIRE', 'KEY_MATERIAL_EXPIRES'], 'KEY_MATERIAL_DOES_NOT_EXPIRE')
  const validDays = h('select', { disabled: true }, [30, 90, 365].map((n) => h('option', { value: n }, t.days(n)))) as HTMLSelectElement
  expiration.addEventListener('change', () => (validDays.disabled = expiration.value !== 'KEY_MATERIAL_EXPIRES'))
  const out4 = h('div')
  const importMaterial = () =>
    run(out4, async () => {
      const s = side()
      if (!s?.params || !s.wrapped) return notice(t.needWrapped)
      const expires = expiration.value === 'KEY_MATERIAL_EXPIRES'
      const validTo = new Date((await kms.clockNow()).getTime() + Number(validDays.value) * 86_400_000)
      await kms.importKeyMaterial({
        KeyId: imported!.KeyId,
        ImportToken: s.params.ImportToken!,
        EncryptedKeyMaterial: s.wrapped,
        ExpirationModel: expires ? 'KEY_MATERIAL_EXPIRES' : 'KEY_MATERIAL_DOES_NOT_EXPIRE',
        ...(expires ? { ValidTo: validTo } : {}),
      })
      Object.assign(s, { params: undefined, wrapped: undefined }) // the token is spent
      await describe()
      showKey()
      return okView(t.imported(imported!.KeyState))
    })

  // ---- Use, delete, import again ----
  const message = h('input', { type: 'text', '.value': t.messageDefault }) as HTMLInputElement
  const out5 = h('div')
  const decryptView = async () => {
    const s = side()
    if (!s?.ciphertext) return notice(t.needCiphertext)
    const r = await kms.decrypt({ KeyId: imported!.KeyId, CiphertextBlob: s.ciphertext })
    return okView(t.decrypted(fromUtf8(r.Plaintext!)))
  }
  const encrypt = () =>
    run(out5, async () => {
      if (!imported) return notice(t.needKey)
      const r = await kms.encrypt({ KeyId: imported.KeyId, Plaintext: utf8(message.value) })
      side()!.ciphertext = r.CiphertextBlob
      return okView(t.encrypt, bytesView(t.ciphertext, r.CiphertextBlob, c.bytes))
    })
  const deleteMaterial = () =>
    run(out5, async () => {
      if (!imported) return notice(t.needKey)
      await kms.deleteImportedKeyMaterial({ KeyId: imported.KeyId })
      await describe()
      showKey()
      return okView(t.deleted(imported.KeyState))
    })
  /** The customer imports again: new parameters, their material wrapped again, ImportKeyMaterial. */
  const importAgain = (material: Uint8Array) => async () => {
    const p = await kms.getParametersForImport({ KeyId: imported!.KeyId, WrappingAlgorithm: 'RSAES_OAEP_SHA_256', WrappingKeySpec: 'RSA_2048' })
    const wrapped = await wrapOnCustomerSide(p.PublicKey!, material)
    await kms.importKeyMaterial({ KeyId: imported!.KeyId, ImportToken: p.ImportToken!, EncryptedKeyMaterial: wrapped, ExpirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE' })
    await describe()
    showKey()
  }
  const reimport = () =>
    run(out5, async () => {
      const s = side()
      if (!s?.material) return notice(t.noCopy)
      await importAgain(s.material)()
      return h('div', {}, okView(t.reimported(imported!.KeyState)), s.ciphertext ? await decryptView() : null)
    })
  const importOther = () =>
    run(out5, async () => {
      if (!imported) return notice(t.needKey)
      try {
        await importAgain(crypto.getRandomValues(new Uint8Array(32)))()
      } catch (e) {
        return h('div', {}, errorView(e), h('p', {}, t.otherRefused))
      }
      return okView(t.reimported(imported.KeyState))
    })

  // ---- Sign and verify; MAC ----
  const signer = await keyByAlias(kms, 'alias/demo-byok-signer', { KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY', Description: 'webkms demo: signing' })
  const hmac = await keyByAlias(kms, 'alias/demo-byok-hmac', { KeySpec: 'HMAC_256', KeyUsage: 'GENERATE_VERIFY_MAC', Description: 'webkms demo: MAC' })
  const signMessage = h('input', { type: 'text', '.value': t.signDefault }) as HTMLInputElement
  const signOut = h('div')
  let signature: Uint8Array | undefined
  const signing = { KeyId: signer.KeyId, MessageType: 'RAW', SigningAlgorithm: 'ECDSA_SHA_256' } as const
  const sign = () =>
    run(signOut, async () => {
      const r = await kms.sign({ ...signing, Message: utf8(signMessage.value) })
      signature = r.Signature
      return okView(t.signed(r.SigningAlgorithm!), bytesView(t.signature, r.Signature, c.bytes))
    })
  const verify = (tampered: boolean) =>
    run(signOut, async () => {
      if (!signature) return notice(t.needSignature)
      const text = tampered ? changeOne(signMessage.value) : signMessage.value
      const said = tampered ? h('p', {}, t.changed(text)) : null
      try {
        await kms.verify({ ...signing, Message: utf8(text), Signature: signature })
        return h('div', {}, said, okView(t.verified))
      } catch (e) {
        return h('div', {}, said, errorView(e))
      }
    })
  const getPublicKey = () =>
    run(signOut, async () => {
      const r = await kms.getPublicKey({ KeyId: signer.KeyId })
      return okView('GetPublicKey', bytesView(t.publicKeyOut, r.PublicKey, c.bytes), h('p', {}, h('code', {}, `${r.KeySpec} · ${r.SigningAlgorithms?.join(', ')}`)))
    })

  const macMessage = h('input', { type: 'text', '.value': t.macExample }) as HTMLInputElement
  const macOut = h('div')
  let mac: Uint8Array | undefined
  const generateMac = () =>
    run(macOut, async () => {
      const r = await kms.generateMac({ KeyId: hmac.KeyId, MacAlgorithm: 'HMAC_SHA_256', Message: utf8(macMessage.value) })
      mac = r.Mac
      return okView(t.macMade, bytesView(t.mac, r.Mac, c.bytes))
    })
  const verifyMac = (tampered: boolean) =>
    run(macOut, async () => {
      if (!mac) return notice(t.needMac)
      const text = tampered ? changeOne(macMessage.value) : macMessage.value
      const said = tampered ? h('p', {}, t.changed(text)) : null
      try {
        await kms.verifyMac({ KeyId: hmac.KeyId, MacAlgorithm: 'HMAC_SHA_256', Message: utf8(text), Mac: mac })
        return h('div', {}, said, okView(t.macValid))
      } catch (e) {
        return h('div', {}, said, errorView(e))
      }
    })

  const fact = (current: string, older: string) => h('aside', { class: 'fact' }, h('strong', {}, c.currentFact), h('p', {}, current), h('p', {}, h('em', {}, c.olderMaterial), ' ', older))
  showKey()
  return h(
    'article',
    { class: 'section byok' },
    ...sectionHead({ lang }, 'byok'),
    h('p', { class: 'lead' }, t.lead),
    h('p', {}, t.origins),
    fact(t.factImport, t.factImportOld),

    h('h2', {}, t.stepsHeading),
    h(
      'ol',
      { class: 'steps' },
      h('li', { class: 'step' }, h('h3', {}, t.step1), h('p', {}, t.step1Text), keyView, h('div', { class: 'actions' }, createButton, button(t.tryEncrypt, tryEncrypt, { class: 'secondary' })), out1),
      h(
        'li',
        { class: 'step' },
        h('h3', {}, t.step2),
        fact(t.factWrapping, t.factWrappingOld),
        h('div', { class: 'grid' }, field(t.wrappingAlgorithm, algorithm, t.algorithmHint), field(t.wrappingKeySpec, keySpec)),
        h('div', { class: 'actions' }, button(t.getParams, getParams)),
        out2,
      ),
      h(
        'li',
        { class: 'step' },
        h('h3', {}, t.step3),
        h(
          'section',
          { class: 'customer', 'aria-labelledby': 'byok-customer' },
          h('p', { class: 'customer-label', id: 'byok-customer' }, t.customerSide),
          h('p', {}, t.customerText),
          h('div', { class: 'actions' }, button(t.generate, generate), button(t.wrap, wrap)),
          out3,
          h('p', {}, t.opensslHint),
          h('pre', {}, h('code', {}, OPENSSL_CODE)),
          h('p', {}, t.backup),
        ),
      ),
      h(
        'li',
        { class: 'step' },
        h('h3', {}, t.step4),
        h('div', { class: 'grid' }, field(t.expiration, expiration), field(t.validToDays, validDays, t.expiresHint)),
        h('div', { class: 'actions' }, button(t.importButton, importMaterial)),
        out4,
      ),
    ),
    h('h3', {}, t.useHeading),
    field(t.message, message),
    h(
      'div',
      { class: 'actions' },
      button(t.encrypt, encrypt),
      button(t.decrypt, () => run(out5, decryptView)),
      button(t.deleteMaterial, deleteMaterial, { class: 'danger' }),
      button(t.reimport, reimport, { class: 'secondary' }),
      button(t.importOther, importOther, { class: 'secondary' }),
    ),
    out5,

    h(
      'section',
      { class: 'signing', 'aria-labelledby': 'byok-signing' },
      h('h2', { id: 'byok-signing' }, t.signHeading),
      h('p', {}, t.signIntro),
      field(t.signMessage, signMessage),
      h('div', { class: 'actions' }, button(t.sign, sign), button(t.verify, () => verify(false)), button(t.tamperVerify, () => verify(true), { class: 'danger' }), button(t.getPublicKey, getPublicKey, { class: 'secondary' })),
      signOut,
    ),
    h(
      'section',
      { class: 'mac', 'aria-labelledby': 'byok-mac' },
      h('h2', { id: 'byok-mac' }, t.hmacHeading),
      h('p', {}, t.hmacIntro),
      field(t.macMessage, macMessage),
      h('div', { class: 'actions' }, button(t.generateMac, generateMac), button(t.verifyMac, () => verifyMac(false)), button(t.tamperVerify, () => verifyMac(true), { class: 'danger' })),
      macOut,
    ),
  )
}
