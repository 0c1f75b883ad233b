/**
 * The 507 messages in ../shared/vectors/esdk, written by the official @aws-crypto/client-node
 * 5.0.2 (awses-decrypt manifest v3): every one decrypts to its plaintext, or, for the 8
 * negative cases, fails with DecryptionError. Runs in Node and in Chromium. Messages whose
 * only keys use RSAES-PKCS1-v1_5 are skipped by name: it is deprecated and WebCrypto lacks it.
 */
import { beforeAll, describe, expect, it } from 'vitest'
import { buildClient, DecryptionError, MultiKeyring, RawAesKeyring, RawRsaKeyring, type Keyring, type OaepHash } from '../../src/index.js'
import { requireVectors } from '../../../../test/support/vectors.js'
import { base64ToBytes, pemToDer, readVectorBytes, readVectorJson } from '../../../../test/support/vectorFiles.js'

interface MasterKey {
  type: string
  key: string
  'provider-id': string
  'encryption-algorithm': 'aes' | 'rsa'
  'padding-algorithm': string | null
  'padding-hash'?: string
}
interface VectorTest {
  description: string
  ciphertext: string
  'master-keys': MasterKey[]
  result: { output?: { plaintext: string }; error?: { 'error-description': string } }
}
interface KeyEntry {
  'key-id': string
  type: string
  algorithm: string
  bits: number
  encoding: string
  material: string
}

const dir = requireVectors('esdk')
const client = buildClient('REQUIRE_ENCRYPT_ALLOW_DECRYPT')
const hashes: Record<string, OaepHash> = { sha1: 'SHA-1', sha256: 'SHA-256', sha384: 'SHA-384', sha512: 'SHA-512' }

export async function keyringFor(masterKeys: MasterKey[], keys: Record<string, KeyEntry>): Promise<Keyring | undefined> {
  const children: Keyring[] = []
  for (const mk of masterKeys) {
    const entry = keys[mk.key]!
    if (mk['encryption-algorithm'] === 'aes') {
      children.push(new RawAesKeyring({ keyNamespace: mk['provider-id'], keyName: entry['key-id'], wrappingKey: base64ToBytes(entry.material) }))
    } else if (mk['padding-algorithm'] === 'oaep-mgf1' && entry.type === 'private') {
      const oaepHash = hashes[mk['padding-hash']!]!
      const privateKey = await crypto.subtle.importKey('pkcs8', pemToDer(entry.material), { name: 'RSA-OAEP', hash: oaepHash }, false, ['decrypt'])
      children.push(new RawRsaKeyring({ keyNamespace: mk['provider-id'], keyName: entry['key-id'], privateKey, oaepHash }))
    }
  }
  return children.length ? new MultiKeyring({ children }) : undefined
}

describe.skipIf(!dir)('AWS Encryption SDK vectors (esdk/, official JS client 5.0.2)', async () => {
  const manifest = dir ? await readVectorJson<{ tests: Record<string, VectorTest> }>('esdk/manifest.json') : { tests: {} }
  const keys = dir ? (await readVectorJson<{ keys: Record<string, KeyEntry> }>('esdk/keys.json')).keys : {}
  const entries = Object.entries(manifest.tests)
  const pkcs1Only = (t: VectorTest) => t['master-keys'].every((mk) => mk['padding-algorithm'] === 'pkcs1')
  const plaintexts = new Map<string, Uint8Array>()
  const skipped = entries.filter(([, t]) => pkcs1Only(t)).length
  if (skipped) console.info(`skipping ${skipped} vectors whose only keys use RSAES-PKCS1-v1_5: deprecated, and absent from WebCrypto`)

  beforeAll(async () => {
    for (const name of ['empty', 'exact-4096', 'small', 'tiny']) plaintexts.set(`file://plaintexts/${name}`, await readVectorBytes(`esdk/plaintexts/${name}`))
  })

  it('the manifest has the 507 vectors the README describes', () => {
    expect(entries.length).toBe(507)
    expect(entries.filter(([, t]) => t.result.error).length).toBe(8)
  })

  for (const [id, t] of entries) {
    if (pkcs1Only(t)) {
      it.skip(`${id}: ${t.description} — skipped: RSAES-PKCS1-v1_5 is deprecated and absent from WebCrypto`, () => {})
      continue
    }
    it(`${id}: ${t.description}`, async () => {
      const keyring = (await keyringFor(t['master-keys'], keys))!
      const ciphertext = await readVectorBytes(`esdk/${t.ciphertext.replace('file://', '')}`)
      if (t.result.error) {
        await expect(client.decrypt(keyring, ciphertext)).rejects.toBeInstanceOf(DecryptionError)
      } else {
        const { plaintext } = await client.decrypt(keyring, ciphertext)
        expect(plaintext).toEqual(plaintexts.get(t.result.output!.plaintext))
      }
    })
  }
})
