/**
 * Messages written by the .NET (4.0.0, 4.0.1) and Dafny (4.1.0) AWS Encryption SDKs, from
 * ../shared/vectors/esdk-official. Every test whose keys are all raw AES or raw RSA decrypts
 * (PKCS#1 v1.5 aside), including those written through the required-encryption-context CMM,
 * which the AWS JavaScript SDK cannot read; and the 28 messages of a buggy .NET 4.0.0, which
 * its manifest wrongly claims decrypt, are all refused. Tests naming AWS KMS keys or raw ECDH
 * keyrings are out of scope here and are counted, not silently dropped.
 */
import { describe, expect, it } from 'vitest'
import {
  buildClient,
  DecryptionError,
  MultiKeyring,
  RawAesKeyring,
  RawRsaKeyring,
  RequiredEncryptionContextMaterialsManager,
  type Keyring,
  type MaterialsManager,
  type OaepHash,
} from '../../src/index.js'
import { requireVectors } from '../../../../test/support/vectors.js'
import { base64ToBytes, pemToDer, readVectorBytes, readVectorJson } from '../../../../test/support/vectorFiles.js'

const dir = requireVectors('esdk-official')
const client = buildClient('REQUIRE_ENCRYPT_ALLOW_DECRYPT')
const hashes: Record<string, OaepHash> = { sha1: 'SHA-1', sha256: 'SHA-256', sha384: 'SHA-384', sha512: 'SHA-512' }

type KeyEntry = { 'key-id': string; type: string; algorithm: string; material: string }
type Description = {
  type: string
  key?: string
  'provider-id'?: string
  'encryption-algorithm'?: string
  'padding-algorithm'?: string
  'padding-hash'?: string
  generator?: Description
  childKeyrings?: Description[]
  underlying?: Description
  requiredEncryptionContextKeys?: string[]
}
class OutOfScope extends Error {}

/** Builds the keyring (or CMM) a key description names; throws OutOfScope for non-raw keys. */
async function build(d: Description, keys: Record<string, KeyEntry>): Promise<Keyring | MaterialsManager | undefined> {
  switch (d.type) {
    case 'raw': {
      const entry = keys[d.key!]!
      if (d['encryption-algorithm'] === 'aes') {
        return new RawAesKeyring({ keyNamespace: d['provider-id']!, keyName: entry['key-id'], wrappingKey: base64ToBytes(entry.material) })
      }
      if (d['padding-algorithm'] === 'pkcs1') throw new OutOfScope('RSAES-PKCS1-v1_5 (deprecated, absent from WebCrypto)')
      if (entry.type !== 'private') return undefined // a public key cannot decrypt
      const oaepHash = hashes[d['padding-hash']!]!
      const privateKey = await crypto.subtle.importKey('pkcs8', pemToDer(entry.material), { name: 'RSA-OAEP', hash: oaepHash }, false, ['decrypt'])
      return new RawRsaKeyring({ keyNamespace: d['provider-id']!, keyName: entry['key-id'], privateKey, oaepHash })
    }
    case 'multi-keyring': {
      const generator = d.generator ? ((await build(d.generator, keys)) as Keyring | undefined) : undefined
      const children = [] as Keyring[]
      for (const c of d.childKeyrings ?? []) {
        const k = (await build(c, keys)) as Keyring | undefined
        if (k) children.push(k)
      }
      return new MultiKeyring({ ...(generator ? { generator } : {}), children })
    }
    case 'required-encryption-context-cmm':
      return new RequiredEncryptionContextMaterialsManager({
        underlying: (await build(d.underlying!, keys)) as Keyring,
        requiredEncryptionContextKeys: d.requiredEncryptionContextKeys!,
      })
    default:
      throw new OutOfScope(`${d.type} keys (need AWS KMS or raw ECDH)`)
  }
}

interface Case {
  id: string
  ciphertext: string
  plaintext: string
  description: Description
  reproduced: Record<string, string>
}

/** Manifest v4 (.NET): master keys plus a `cmm` of Default or RequiredEncryptionContext. */
function casesV4(manifest: { tests: Record<string, any> }): Case[] {
  return Object.entries(manifest.tests).map(([id, t]) => {
    const reproduced = (t['encryption-context'] ?? {}) as Record<string, string>
    const keyrings: Description = { type: 'multi-keyring', childKeyrings: t['master-keys'] }
    const description: Description =
      t.cmm === 'RequiredEncryptionContext'
        ? { type: 'required-encryption-context-cmm', underlying: keyrings, requiredEncryptionContextKeys: Object.keys(reproduced) }
        : keyrings
    return { id, ciphertext: t.ciphertext, plaintext: t.result.output.plaintext, description, reproduced }
  })
}

/** Manifest v5 (Dafny): a decryption scenario with a key description tree. */
function casesV5(manifest: { tests: Record<string, any> }): Case[] {
  return Object.entries(manifest.tests).map(([id, t]) => {
    const s = t['decryption-scenario']
    return { id, ciphertext: s.ciphertext, plaintext: s.result, description: s.decryptKeyDescription, reproduced: s['reproduced-encryption-context'] ?? {} }
  })
}

const sets = [
  { folder: 'net-4.0.0-valid', manifest: 'manifest.json', cases: casesV4, negative: false, expected: 5 },
  { folder: 'net-4.0.1', manifest: 'manifest.json', cases: casesV4, negative: false, expected: 99 },
  { folder: 'dafny-4.1.0-manifest-v5', manifest: 'decrypt-manifest.json', cases: casesV5, negative: false, expected: 176 },
  { folder: 'net-4.0.0-invalid-NEGATIVE', manifest: 'manifest.json', cases: casesV4, negative: true, expected: 28 },
]

describe.skipIf(!dir)('AWS Encryption SDK vectors from .NET and Dafny (esdk-official/)', async () => {
  for (const set of sets) {
    const base = `esdk-official/${set.folder}`
    const manifest = dir ? await readVectorJson<{ tests: Record<string, unknown> }>(`${base}/${set.manifest}`) : { tests: {} }
    const keys = dir ? (await readVectorJson<{ keys: Record<string, KeyEntry> }>(`${base}/keys.json`)).keys : {}
    const cases = set.cases(manifest as never)
    const runnable: { c: Case; keyring: Keyring | MaterialsManager }[] = []
    const outOfScope = new Map<string, number>()
    for (const c of cases) {
      try {
        runnable.push({ c, keyring: (await build(c.description, keys))! })
      } catch (e) {
        if (!(e instanceof OutOfScope)) throw e
        outOfScope.set(e.message, (outOfScope.get(e.message) ?? 0) + 1)
      }
    }

    describe(`${set.folder}: ${runnable.length} run, ${cases.length - runnable.length} out of scope`, () => {
      it(`runs ${set.expected} tests; leaves out ${[...outOfScope].map(([why, n]) => `${n} with ${why}`).join(', ') || 'none'}`, () => {
        expect(runnable.length).toBe(set.expected)
      })
      for (const { c, keyring } of runnable) {
        it(`${set.negative ? 'refuses' : 'decrypts'} ${c.id}`, async () => {
          const ciphertext = await readVectorBytes(`${base}/${c.ciphertext.replace('file://', '')}`)
          const options = Object.keys(c.reproduced).length ? { encryptionContext: c.reproduced } : {}
          if (set.negative) {
            await expect(client.decrypt(keyring, ciphertext, options)).rejects.toBeInstanceOf(DecryptionError)
          } else {
            const expected = await readVectorBytes(`${base}/${c.plaintext.replace('file://', '')}`)
            const { plaintext } = await client.decrypt(keyring, ciphertext, options)
            expect(plaintext).toEqual(expected)
          }
        })
      }
    })
  }
})
