/**
 * Keys survive a restart of the local runtime with the same persistence folder (`pnpm dev:edge
 * --persist-to DIR`): the wrapped material is rebuilt in the new process, old ciphertexts
 * decrypt, aliases, grants and the audit chain are there, and the trail still verifies with the
 * key pinned before the restart. Without the root key that wrapped them, nothing decrypts.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import * as Kms from '@aws-sdk/client-kms'
import { verifyAuditLog, type ExportedAuditLog } from '@webkms/core'
import { afterAll, describe, expect, it } from 'vitest'
import { startDevServer, type DevServer } from './support/devServer.js'
import { signedRequest } from './support/sign.js'
import { KEYS, TEST_VARS } from './support/testVars.js'

const dirs: string[] = []
const servers: DevServer[] = []
afterAll(async () => {
  for (const s of servers) await s.stop()
  for (const d of dirs) rmSync(d, { recursive: true, force: true })
})

const client = (url: string) => new Kms.KMSClient({ endpoint: url, region: 'us-east-1', credentials: KEYS.root, maxAttempts: 1 })
async function webkms<T>(url: string, operation: string, body: object): Promise<T> {
  const response = await fetch(await signedRequest(url + '/', `WebKms.${operation}`, JSON.stringify(body), KEYS.root))
  return (await response.json()) as T
}

describe('persistence across restarts', () => {
  it('keys, aliases, grants and the audit chain survive a restart with the same folder', async () => {
    const persist = mkdtempSync(join(tmpdir(), 'webkms-restart-'))
    dirs.push(persist)
    const first = await startDevServer(persist)
    servers.push(first)
    const kms = client(first.url)
    const { KeyId, Arn } = (await kms.send(new Kms.CreateKeyCommand({ Description: 'kept' }))).KeyMetadata!
    await kms.send(new Kms.CreateAliasCommand({ AliasName: 'alias/kept', TargetKeyId: KeyId }))
    await kms.send(new Kms.RotateKeyOnDemandCommand({ KeyId }))
    await kms.send(new Kms.CreateGrantCommand({ KeyId, GranteePrincipal: KEYS.alice.principal, Operations: ['Decrypt'] }))
    const { CiphertextBlob } = await kms.send(new Kms.EncryptCommand({ KeyId: 'alias/kept', Plaintext: new TextEncoder().encode('before the restart') }))
    // An RSA signing key (one wrapped private key per signing algorithm) and an HMAC key come back too.
    const signer = (await kms.send(new Kms.CreateKeyCommand({ KeySpec: 'RSA_2048', KeyUsage: 'SIGN_VERIFY' }))).KeyMetadata!
    const message = new TextEncoder().encode('signed before the restart')
    const { Signature } = await kms.send(new Kms.SignCommand({ KeyId: signer.KeyId, Message: message, SigningAlgorithm: 'RSASSA_PSS_SHA_384' }))
    const hmac = (await kms.send(new Kms.CreateKeyCommand({ KeySpec: 'HMAC_512', KeyUsage: 'GENERATE_VERIFY_MAC' }))).KeyMetadata!
    const { Mac } = await kms.send(new Kms.GenerateMacCommand({ KeyId: hmac.KeyId, Message: message, MacAlgorithm: 'HMAC_SHA_512' }))
    const { Keys } = await webkms<{ Keys: { Fingerprint: string }[] }>(first.url, 'GetAuditPublicKeys', {})
    await first.stop()

    const second = await startDevServer(persist)
    servers.push(second)
    const again = client(second.url)
    expect((await again.send(new Kms.DescribeKeyCommand({ KeyId: 'alias/kept' }))).KeyMetadata).toMatchObject({ Arn, Description: 'kept' })
    expect(new TextDecoder().decode((await again.send(new Kms.DecryptCommand({ CiphertextBlob }))).Plaintext)).toBe('before the restart')
    // Alice's grant came through too: she may decrypt.
    const alice = new Kms.KMSClient({ endpoint: second.url, region: 'us-east-1', credentials: KEYS.alice, maxAttempts: 1 })
    expect(new TextDecoder().decode((await alice.send(new Kms.DecryptCommand({ CiphertextBlob, KeyId: Arn }))).Plaintext)).toBe('before the restart')
    expect((await again.send(new Kms.ListKeyRotationsCommand({ KeyId }))).Rotations).toHaveLength(1)
    expect((await again.send(new Kms.VerifyCommand({ KeyId: signer.KeyId, Message: message, Signature, SigningAlgorithm: 'RSASSA_PSS_SHA_384' }))).SignatureValid).toBe(true)
    const resigned = await again.send(new Kms.SignCommand({ KeyId: signer.KeyId, Message: message, SigningAlgorithm: 'RSASSA_PKCS1_V1_5_SHA_256' }))
    expect((await again.send(new Kms.VerifyCommand({ KeyId: signer.KeyId, Message: message, Signature: resigned.Signature, SigningAlgorithm: 'RSASSA_PKCS1_V1_5_SHA_256' }))).SignatureValid).toBe(true)
    expect((await again.send(new Kms.GenerateMacCommand({ KeyId: hmac.KeyId, Message: message, MacAlgorithm: 'HMAC_SHA_512' }))).Mac).toEqual(Mac)
    const log = await webkms<ExportedAuditLog>(second.url, 'ExportAuditLog', {})
    expect(log.events.map((e) => e.eventName).slice(0, 5)).toEqual(['CreateKey', 'CreateAlias', 'RotateKeyOnDemand', 'CreateGrant', 'Encrypt'])
    expect(await verifyAuditLog(log, { trustedKeys: Keys.map((k) => k.Fingerprint) })).toMatchObject({ valid: true })
    await second.stop()
  })

  it('with another WEBKMS_ROOT_KEY the stored material cannot be unwrapped: an internal error, never plaintext', async () => {
    const persist = mkdtempSync(join(tmpdir(), 'webkms-rootkey-'))
    dirs.push(persist)
    const first = await startDevServer(persist)
    servers.push(first)
    const { KeyId } = (await client(first.url).send(new Kms.CreateKeyCommand({}))).KeyMetadata!
    const { CiphertextBlob } = await client(first.url).send(new Kms.EncryptCommand({ KeyId, Plaintext: new Uint8Array([1]) }))
    await first.stop()
    const original = TEST_VARS.WEBKMS_ROOT_KEY
    try {
      TEST_VARS.WEBKMS_ROOT_KEY = btoa(String.fromCharCode(...new Uint8Array(32).fill(9)))
      const second = await startDevServer(persist)
      servers.push(second)
      const error = await client(second.url)
        .send(new Kms.DecryptCommand({ CiphertextBlob }))
        .then(() => undefined, (e: Error & { $fault?: string }) => e)
      expect(error?.name).toBe('KMSInternalException')
      await second.stop()
    } finally {
      TEST_VARS.WEBKMS_ROOT_KEY = original
    }
  })
})
