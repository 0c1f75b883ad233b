/**
 * Import of key material (BYOK): GetParametersForImport, ImportKeyMaterial,
 * DeleteImportedKeyMaterial (KMS API Reference; "Importing key material" in the developer guide).
 *
 * GetParametersForImport makes an RSA wrapping key pair for one import: its private key is a
 * non-extractable WebCrypto key kept in the store (so an import can come after a reload or, at
 * the edge, in another request), its public key goes to the caller with an import token that
 * names the key and the pair. ImportKeyMaterial unwraps the material inside the engine with that
 * private key, makes the version's non-extractable keys from the bytes and zeroes them; the
 * token is then spent. Wrapping algorithms:
 *   RSAES_OAEP_SHA_1 / _256          RSA-OAEP (RFC 8017 §7.1, MGF1 with the same hash) of the material
 *   RSA_AES_KEY_WRAP_SHA_1 / _256    RSA-OAEP of a fresh 256-bit AES key, followed by the material
 *                                    wrapped under it with AES key wrap with padding (RFC 5649)
 */
import { aeskwp } from '@noble/ciphers/aes.js'
import {
  ExpiredImportTokenException,
  IncorrectKeyMaterialException,
  InvalidCiphertextException,
  InvalidImportTokenException,
  KMSInvalidStateException,
  UnsupportedOperationException,
  ValidationException,
} from '../errors.js'
import { makeStoredKey } from '../crypto/keyMaterial.js'
import { importedKeyMaterialId, importVersionMaterial } from '../crypto/versionMaterial.js'
import type { KeyStoreTransaction } from '../../keystore/KeyStore.js'
import type { ExpirationModel, KeyRecord, KeyVersionRecord } from '../../keystore/records.js'
import { toHex, utf8 } from '../../util/bytes.js'
import { addDays, dropMaterial, importTokensMetaId, lacksMaterial } from '../keyTimeline.js'
import { nextVersionNumber, recoveryCopy, type NewMaterial } from '../keyVersions.js'
import { assertKeyState } from '../keyStates.js'
import { defineOperation } from '../operation.js'
import { blob, enumOf, string, timestamp } from '../request/schema.js'
import type * as T from '../types.js'
import { changeKey, keyIdMember, resolveKey } from './common.js'

const subtle = () => globalThis.crypto.subtle

/** Import parameters are valid for 24 hours (GetParametersForImport API reference). */
export const IMPORT_PARAMETERS_HOURS = 24
/** ValidTo may be at most 365 days ahead (ImportKeyMaterial API reference). */
export const MAX_VALID_TO_DAYS = 365
/** Outstanding import tokens kept per key; older ones are dropped (a new GetParametersForImport supersedes them). */
const MAX_OUTSTANDING_TOKENS = 10

const WRAPPING_ALGORITHMS = ['RSAES_PKCS1_V1_5', 'RSAES_OAEP_SHA_1', 'RSAES_OAEP_SHA_256', 'RSA_AES_KEY_WRAP_SHA_1', 'RSA_AES_KEY_WRAP_SHA_256', 'SM2PKE'] as const
type WrappingAlgorithm = 'RSAES_OAEP_SHA_1' | 'RSAES_OAEP_SHA_256' | 'RSA_AES_KEY_WRAP_SHA_1' | 'RSA_AES_KEY_WRAP_SHA_256'
const WRAPPING_KEY_BITS = { RSA_2048: 2048, RSA_3072: 3072, RSA_4096: 4096 } as const
type WrappingKeySpec = keyof typeof WRAPPING_KEY_BITS

/** One outstanding import: what GetParametersForImport handed out, kept until used or expired. */
interface ImportParameters {
  tokenId: string
  wrappingAlgorithm: WrappingAlgorithm
  wrappingKeySpec: WrappingKeySpec
  privateKey: CryptoKey
  validTo: Date
}

const TOKEN_PREFIX = 'webkms-import-token-1'
const encodeToken = (keyId: string, tokenId: string) => utf8(`${TOKEN_PREFIX}:${keyId}:${tokenId}`)
function decodeToken(token: Uint8Array): { keyId: string; tokenId: string } {
  let text = ''
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(token)
  } catch {
    // refused below
  }
  const m = new RegExp(`^${TOKEN_PREFIX}:([0-9a-f-]{36}):([0-9a-f]{64})$`).exec(text)
  if (!m) throw new InvalidImportTokenException('The import token is not valid.')
  return { keyId: m[1]!, tokenId: m[2]! }
}

const oaepHash = (a: WrappingAlgorithm) => (a.endsWith('SHA_1') ? 'SHA-1' : 'SHA-256')

function requireExternal(key: KeyRecord, operation: string): void {
  if (key.origin !== 'EXTERNAL') throw new UnsupportedOperationException(`${operation} is supported only for KMS keys with Origin EXTERNAL; ${key.arn} has Origin ${key.origin}`)
}

const outstanding = async (tx: KeyStoreTransaction, keyId: string) => ((await tx.getMeta(importTokensMetaId(keyId))) as ImportParameters[] | undefined) ?? []

export const getParametersForImport = defineOperation<T.GetParametersForImportRequest, T.GetParametersForImportResponse>()({
  name: 'GetParametersForImport',
  readOnly: false,
  schema: {
    KeyId: keyIdMember(),
    WrappingAlgorithm: enumOf(WRAPPING_ALGORITHMS, { required: true }),
    WrappingKeySpec: enumOf(['RSA_2048', 'RSA_3072', 'RSA_4096', 'SM2'] as const, { required: true }),
  },
  parse: (r) => {
    if (r.WrappingAlgorithm === 'RSAES_PKCS1_V1_5') throw new UnsupportedOperationException('RSAES_PKCS1_V1_5 is not supported (AWS KMS no longer accepts it): use RSAES_OAEP_SHA_256 or RSA_AES_KEY_WRAP_SHA_256')
    if (r.WrappingAlgorithm === 'SM2PKE' || r.WrappingKeySpec === 'SM2') throw new UnsupportedOperationException('SM2 wrapping is not supported: WebCrypto has no SM2')
    return { ...r, wrappingAlgorithm: r.WrappingAlgorithm as WrappingAlgorithm, wrappingKeySpec: r.WrappingKeySpec as WrappingKeySpec }
  },
  resolve: resolveKey(false),
  permissions: (r, { key }) => [{ on: key, conditions: { 'kms:WrappingAlgorithm': { values: [r.wrappingAlgorithm] }, 'kms:WrappingKeySpec': { values: [r.wrappingKeySpec] } } }],
  async run({ engine, call, commit }, r, { key }) {
    // A key that cannot have imported material is refused as such, in any state (the key-state table's [9]).
    requireExternal(key, 'GetParametersForImport')
    assertKeyState(key, 'GetParametersForImport')
    const pair = await makeStoredKey(engine.store, (ext) =>
      subtle().generateKey(
        { name: 'RSA-OAEP', hash: oaepHash(r.wrappingAlgorithm), modulusLength: WRAPPING_KEY_BITS[r.wrappingKeySpec], publicExponent: new Uint8Array([1, 0, 1]) },
        ext,
        ['encrypt', 'decrypt'],
      ) as Promise<CryptoKeyPair>,
    )
    const publicKey = new Uint8Array(await subtle().exportKey('spki', pair.publicKey))
    const tokenId = toHex(engine.random(32))
    const validTo = new Date(call.now.getTime() + IMPORT_PARAMETERS_HOURS * 3600_000)
    await commit(async (tx) => {
      const kept = (await outstanding(tx, key.keyId)).filter((p) => p.validTo.getTime() > call.now.getTime()).slice(-(MAX_OUTSTANDING_TOKENS - 1))
      kept.push({ tokenId, wrappingAlgorithm: r.wrappingAlgorithm, wrappingKeySpec: r.wrappingKeySpec, privateKey: pair.privateKey, validTo })
      await tx.putMeta(importTokensMetaId(key.keyId), kept)
    })
    return { KeyId: key.arn, ImportToken: encodeToken(key.keyId, tokenId), PublicKey: publicKey, ParametersValidTo: validTo }
  },
})

/** Unwraps the material with the import's private key; the one opaque error for anything that does not unwrap. */
async function unwrap(params: ImportParameters, wrapped: Uint8Array): Promise<Uint8Array> {
  const invalid = () => new InvalidCiphertextException('The encrypted key material could not be unwrapped with the import parameters of this import token.')
  const oaep = async (c: Uint8Array) => {
    try {
      return new Uint8Array(await subtle().decrypt({ name: 'RSA-OAEP' }, params.privateKey, c as Uint8Array<ArrayBuffer>))
    } catch {
      throw invalid()
    }
  }
  if (params.wrappingAlgorithm.startsWith('RSAES_OAEP')) return oaep(wrapped)
  const k = WRAPPING_KEY_BITS[params.wrappingKeySpec] / 8
  if (wrapped.byteLength <= k + 8) throw invalid()
  const ephemeral = await oaep(wrapped.subarray(0, k))
  try {
    if (ephemeral.byteLength !== 32) throw invalid()
    return aeskwp(ephemeral).decrypt(wrapped.subarray(k))
  } catch {
    throw invalid()
  } finally {
    ephemeral.fill(0)
  }
}

const importSchema = {
  KeyId: keyIdMember(),
  ImportToken: blob(1, 6144, { required: true }),
  EncryptedKeyMaterial: blob(1, 6144, { required: true }),
  ValidTo: timestamp(),
  ExpirationModel: enumOf(['KEY_MATERIAL_EXPIRES', 'KEY_MATERIAL_DOES_NOT_EXPIRE'] as const),
  ImportType: enumOf(['NEW_KEY_MATERIAL', 'EXISTING_KEY_MATERIAL'] as const),
  KeyMaterialDescription: string({ min: 0, max: 256, pattern: /^[a-zA-Z0-9:/_\s.-]*$/ }),
  KeyMaterialId: string({ min: 64, max: 64, pattern: /^[a-f0-9]+$/ }),
}

export const importKeyMaterial = defineOperation<T.ImportKeyMaterialRequest, T.ImportKeyMaterialResponse>()({
  name: 'ImportKeyMaterial',
  schema: importSchema,
  parse: (r) => {
    // The default is KEY_MATERIAL_EXPIRES, which needs a ValidTo (ImportKeyMaterial API reference).
    const expirationModel: ExpirationModel = r.ExpirationModel ?? 'KEY_MATERIAL_EXPIRES'
    if (expirationModel === 'KEY_MATERIAL_EXPIRES' && r.ValidTo === undefined) throw new ValidationException('ValidTo is required when ExpirationModel is KEY_MATERIAL_EXPIRES (the default); use KEY_MATERIAL_DOES_NOT_EXPIRE for material that does not expire')
    if (expirationModel === 'KEY_MATERIAL_DOES_NOT_EXPIRE' && r.ValidTo !== undefined) throw new ValidationException('ValidTo is not valid when ExpirationModel is KEY_MATERIAL_DOES_NOT_EXPIRE')
    if (r.ImportType === 'NEW_KEY_MATERIAL' && r.KeyMaterialId !== undefined) throw new ValidationException('KeyMaterialId cannot be specified with ImportType NEW_KEY_MATERIAL')
    return { ...r, expirationModel, token: decodeToken(r.ImportToken) }
  },
  resolve: resolveKey(false),
  permissions: (r, { key }) => [
    {
      on: key,
      conditions: {
        'kms:ExpirationModel': { values: [r.expirationModel] },
        ...(r.ValidTo ? { 'kms:ValidTo': { values: [String(Math.floor(r.ValidTo.getTime() / 1000))] } } : {}),
      },
    },
  ],
  async run(ctx, r, { key }) {
    const { engine, call } = ctx
    requireExternal(key, 'ImportKeyMaterial') // before the state, as GetParametersForImport
    assertKeyState(key, 'ImportKeyMaterial')
    if (r.ValidTo && (r.ValidTo.getTime() <= call.now.getTime() || r.ValidTo.getTime() > addDays(call.now, MAX_VALID_TO_DAYS).getTime())) {
      throw new ValidationException(`ValidTo must be in the future and at most ${MAX_VALID_TO_DAYS} days from now`)
    }
    const params = await checkToken(engine.store.transaction('readonly', (tx) => outstanding(tx, key.keyId)), key, r.token.keyId, r.token.tokenId, call.now)
    const bytes = await unwrap(params, r.EncryptedKeyMaterial)
    let made: NewMaterial
    try {
      let material
      try {
        material = await importVersionMaterial(engine.store, key.keySpec, key.keyUsage, bytes)
      } catch (error) {
        if (error instanceof RangeError) throw new IncorrectKeyMaterialException(`The key material is not valid for a ${key.keySpec} key: ${error.message}`)
        throw error
      }
      const keyMaterialId = await importedKeyMaterialId(key.keyId, bytes, material)
      const recovery = await recoveryCopy(engine, key, keyMaterialId, bytes)
      made = { keyMaterialId, ...material, ...(recovery ? { recovery } : {}) }
    } finally {
      bytes.fill(0)
    }
    if (r.KeyMaterialId !== undefined && r.KeyMaterialId !== made.keyMaterialId) throw new IncorrectKeyMaterialException('The key material does not match the KeyMaterialId in the request.')

    await ctx.commit(async (tx) => {
      // Spend the token in the same write: a token imports once, even when two calls race.
      const tokens = await outstanding(tx, key.keyId)
      if (!tokens.some((t) => t.tokenId === params.tokenId)) throw new InvalidImportTokenException('The import token is not valid: it has already been used.')
      await tx.putMeta(importTokensMetaId(key.keyId), tokens.filter((t) => t.tokenId !== params.tokenId))
      await engine.updateKey(tx, key.keyId, (k) => {
        assertKeyState(k, 'ImportKeyMaterial')
        applyImport(k, made, { expirationModel: r.expirationModel, importedAt: call.now, ...(r.ValidTo ? { validTo: r.ValidTo } : {}) }, r.ImportType, r.KeyMaterialDescription)
      })
    })
    return { KeyId: key.arn, KeyMaterialId: made.keyMaterialId }
  },
})

/** The outstanding import the token names: InvalidImportTokenException for another key's, a used or unknown one; ExpiredImportTokenException past ParametersValidTo. */
async function checkToken(tokens: Promise<ImportParameters[]>, key: KeyRecord, tokenKeyId: string, tokenId: string, now: Date): Promise<ImportParameters> {
  if (tokenKeyId !== key.keyId) throw new InvalidImportTokenException(`The import token was issued for another KMS key, not ${key.arn}.`)
  const params = (await tokens).find((t) => t.tokenId === tokenId)
  if (!params) throw new InvalidImportTokenException('The import token is not valid: it was never issued for this key, has already been used, or was superseded.')
  if (params.validTo.getTime() <= now.getTime()) throw new ExpiredImportTokenException(`The import token expired at ${params.validTo.toISOString()}; call GetParametersForImport again.`)
  return params
}

/**
 * Puts imported material into the key (inside the write, on the freshly read record):
 * - the first import makes version 1 and enables the key;
 * - EXISTING_KEY_MATERIAL (the default afterwards) must be material a version already had:
 *   it comes back (after expiry or DeleteImportedKeyMaterial) with the new expiration;
 * - NEW_KEY_MATERIAL (symmetric keys) adds a version in PENDING_ROTATION, made current by
 *   RotateKeyOnDemand.
 * When no permanently associated version lacks material any more, a PendingImport key becomes Enabled.
 */
function applyImport(k: KeyRecord, made: NewMaterial, imported: NonNullable<KeyVersionRecord['imported']>, importType: T.ImportType | undefined, description: string | undefined): void {
  const withMaterial = (v: KeyVersionRecord) => {
    v.keyMaterialId = made.keyMaterialId
    if (made.material) v.material = made.material
    if (made.privateKeys) v.privateKeys = made.privateKeys
    if (made.publicKey) v.publicKey = made.publicKey
    if (made.recovery) v.recovery = made.recovery
    const kept = description ?? v.imported?.description
    v.imported = { ...imported, ...(kept !== undefined ? { description: kept } : {}) }
  }
  const type = importType ?? (k.versions.length === 0 ? 'NEW_KEY_MATERIAL' : 'EXISTING_KEY_MATERIAL')
  const same = k.versions.find((v) => v.keyMaterialId === made.keyMaterialId)
  if (type === 'EXISTING_KEY_MATERIAL') {
    if (!same) throw new IncorrectKeyMaterialException(k.versions.length === 0 ? 'No key material has been imported into this key yet: use ImportType NEW_KEY_MATERIAL.' : 'The key material is not the key material previously imported into this KMS key.')
    withMaterial(same)
  } else if (k.versions.length === 0) {
    const v: KeyVersionRecord = { version: 1, keyMaterialId: made.keyMaterialId, createdAt: imported.importedAt }
    withMaterial(v)
    k.versions.push(v)
  } else {
    if (same) throw new IncorrectKeyMaterialException('This key material is already associated with the KMS key: import it with ImportType EXISTING_KEY_MATERIAL.')
    if (k.keySpec !== 'SYMMETRIC_DEFAULT') throw new IncorrectKeyMaterialException(`The key material of a ${k.keySpec} key cannot change after the first import; only the same material can be imported again.`)
    if (k.versions.some((v) => v.pendingRotation)) throw new KMSInvalidStateException(`${k.arn} already has key material in PENDING_ROTATION state: rotate to it (RotateKeyOnDemand) or delete it first.`)
    const v: KeyVersionRecord = { version: nextVersionNumber(k), keyMaterialId: made.keyMaterialId, createdAt: imported.importedAt, pendingRotation: true }
    withMaterial(v)
    k.versions.push(v)
  }
  if (k.keyState === 'PendingImport' && !lacksMaterial(k)) k.keyState = 'Enabled'
}

export const deleteImportedKeyMaterial = defineOperation<T.DeleteImportedKeyMaterialRequest, T.DeleteImportedKeyMaterialResponse>()({
  name: 'DeleteImportedKeyMaterial',
  schema: { KeyId: keyIdMember(), KeyMaterialId: string({ min: 64, max: 64, pattern: /^[a-f0-9]+$/ }) },
  resolve: resolveKey(false),
  permissions: (_r, { key }) => [{ on: key }],
  async run(ctx, r, { key }) {
    requireExternal(key, 'DeleteImportedKeyMaterial')
    // A key never imported into has nothing to delete: no effect (the key-state table: PendingImport, "No effect").
    if (r.KeyMaterialId === undefined && !key.versions.some((x) => !x.pendingRotation)) return { KeyId: key.arn }
    let deleted = ''
    await changeKey(ctx, key, 'DeleteImportedKeyMaterial', (k) => {
      const v = r.KeyMaterialId === undefined ? k.versions.findLast((x) => !x.pendingRotation) : k.versions.find((x) => x.keyMaterialId === r.KeyMaterialId)
      if (!v) throw new ValidationException(r.KeyMaterialId === undefined ? `${k.arn} has no imported key material.` : `Key material ${r.KeyMaterialId} is not associated with ${k.arn}.`)
      deleted = v.keyMaterialId
      if (v.pendingRotation) {
        // Material never rotated in encrypted nothing: it goes entirely.
        k.versions = k.versions.filter((x) => x !== v)
        return
      }
      dropMaterial(v)
      ctx.engine.blobKeys.forget(k.keyId)
      if (k.keyState !== 'PendingDeletion') k.keyState = 'PendingImport'
    })
    return { KeyId: key.arn, KeyMaterialId: deleted }
  },
})
