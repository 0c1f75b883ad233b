/**
 * The edge as its users reach it: `pnpm dev:edge` on the Workers runtime, driven by the
 * unmodified @aws-sdk/client-kms, the AWS CLI (Debian's awscli) and the AWS Encryption SDK for
 * JavaScript. Every KMS operation of the engine, the refusals an attacker meets, and load.
 */
import { spawnSync } from 'node:child_process'
import { constants, createCipheriv, createPrivateKey, createPublicKey, diffieHellman, generateKeyPairSync, publicEncrypt, randomBytes, sign as cryptoSign, verify as cryptoVerify } from 'node:crypto'
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import * as Kms from '@aws-sdk/client-kms'
import { KMSClient } from '@aws-sdk/client-kms'
import { buildClient as buildAwsClient, CommitmentPolicy, KmsKeyringNode } from '@aws-crypto/client-node'
import { buildClient, KmsKeyring, verifyAuditLog, type ExportedAuditLog } from '@webkms/core'
import { operationTable } from '@webkms/core/internal'
import { inject } from 'vitest'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startDevServer, type DevServer } from './support/devServer.js'
import { signedRequest, type TestKey } from './support/sign.js'
import { ACCOUNT, KEYS } from './support/testVars.js'

let server: DevServer
let persist: string
const called = new Set<string>()

const client = (key: TestKey = KEYS.root, extra: Partial<Kms.KMSClientConfig> = {}) => {
  const c = new KMSClient({ endpoint: server.url, region: 'us-east-1', credentials: key, maxAttempts: 1, ...extra })
  // Counts which operations the SDK drove, to check at the end that none was left out.
  c.middlewareStack.add((next, context) => (args) => (called.add(context.commandName!.replace(/Command$/, '')), next(args)), { step: 'initialize', name: 'countOperations' })
  return c
}
const bytes = (s: string) => new TextEncoder().encode(s)
const text = (b: Uint8Array | undefined) => new TextDecoder().decode(b)

/** webkms's own targets, which the AWS SDK does not know: signed by AWS's signer and sent as the SDK would. */
async function webkms<T>(operation: string, body: object, key: TestKey = KEYS.root): Promise<T> {
  const response = await fetch(await signedRequest(server.url + '/', `WebKms.${operation}`, JSON.stringify(body), key))
  const json = (await response.json()) as T & { __type?: string }
  if (!response.ok) throw Object.assign(new Error(String((json as { message?: string }).message)), { name: json.__type })
  return json
}

async function refusal(promise: Promise<unknown>): Promise<Error & { $metadata?: { httpStatusCode?: number } }> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  )
  expect(error, 'expected a refusal').toBeInstanceOf(Error)
  return error as Error
}

beforeAll(async () => {
  persist = mkdtempSync(join(tmpdir(), 'webkms-edge-test-'))
  server = await startDevServer(persist)
})
afterAll(async () => {
  await server?.stop()
  rmSync(persist, { recursive: true, force: true })
})

describe('@aws-sdk/client-kms drives every KMS operation of the engine', () => {
  it('key lifecycle, aliases, tags, rotation, policies', async () => {
    const kms = client()
    const { KeyMetadata } = await kms.send(new Kms.CreateKeyCommand({ Description: 'sdk', Tags: [{ TagKey: 'team', TagValue: 'pay' }] }))
    const KeyId = KeyMetadata!.KeyId!
    expect(KeyMetadata).toMatchObject({ AWSAccountId: ACCOUNT, KeyState: 'Enabled', KeySpec: 'SYMMETRIC_DEFAULT' })
    expect(KeyMetadata!.CreationDate).toBeInstanceOf(Date)
    expect((await kms.send(new Kms.DescribeKeyCommand({ KeyId }))).KeyMetadata!.Description).toBe('sdk')
    expect((await kms.send(new Kms.ListKeysCommand({}))).Keys!.map((k) => k.KeyId)).toContain(KeyId)
    await kms.send(new Kms.UpdateKeyDescriptionCommand({ KeyId, Description: 'renamed' }))
    await kms.send(new Kms.DisableKeyCommand({ KeyId }))
    await kms.send(new Kms.EnableKeyCommand({ KeyId }))
    await kms.send(new Kms.CreateAliasCommand({ AliasName: 'alias/sdk', TargetKeyId: KeyId }))
    const other = (await kms.send(new Kms.CreateKeyCommand({}))).KeyMetadata!.KeyId!
    await kms.send(new Kms.UpdateAliasCommand({ AliasName: 'alias/sdk', TargetKeyId: other }))
    expect((await kms.send(new Kms.ListAliasesCommand({ KeyId: other }))).Aliases!.map((a) => a.AliasName)).toEqual(['alias/sdk'])
    await kms.send(new Kms.DeleteAliasCommand({ AliasName: 'alias/sdk' }))
    await kms.send(new Kms.TagResourceCommand({ KeyId, Tags: [{ TagKey: 'env', TagValue: 'test' }] }))
    await kms.send(new Kms.UntagResourceCommand({ KeyId, TagKeys: ['team'] }))
    expect((await kms.send(new Kms.ListResourceTagsCommand({ KeyId }))).Tags).toEqual([{ TagKey: 'env', TagValue: 'test' }])
    await kms.send(new Kms.EnableKeyRotationCommand({ KeyId, RotationPeriodInDays: 90 }))
    const status = await kms.send(new Kms.GetKeyRotationStatusCommand({ KeyId }))
    expect(status).toMatchObject({ KeyRotationEnabled: true, RotationPeriodInDays: 90 })
    expect(status.NextRotationDate).toBeInstanceOf(Date)
    await kms.send(new Kms.DisableKeyRotationCommand({ KeyId }))
    await kms.send(new Kms.RotateKeyOnDemandCommand({ KeyId }))
    expect((await kms.send(new Kms.ListKeyRotationsCommand({ KeyId }))).Rotations!.map((r) => r.RotationType)).toEqual(['ON_DEMAND'])
    const { Policy } = await kms.send(new Kms.GetKeyPolicyCommand({ KeyId, PolicyName: 'default' }))
    await kms.send(new Kms.PutKeyPolicyCommand({ KeyId, PolicyName: 'default', Policy: Policy! }))
    expect((await kms.send(new Kms.ListKeyPoliciesCommand({ KeyId }))).PolicyNames).toEqual(['default'])
    const deletion = await kms.send(new Kms.ScheduleKeyDeletionCommand({ KeyId: other, PendingWindowInDays: 7 }))
    expect(deletion.DeletionDate).toBeInstanceOf(Date)
    await kms.send(new Kms.CancelKeyDeletionCommand({ KeyId: other }))
  })

  it('cryptography: Encrypt, Decrypt, ReEncrypt, GenerateDataKey*, GenerateRandom', async () => {
    const kms = client()
    const a = (await kms.send(new Kms.CreateKeyCommand({}))).KeyMetadata!
    const b = (await kms.send(new Kms.CreateKeyCommand({}))).KeyMetadata!
    const { CiphertextBlob } = await kms.send(new Kms.EncryptCommand({ KeyId: a.KeyId, Plaintext: bytes('secret'), EncryptionContext: { tenant: 't1' } }))
    expect(text((await kms.send(new Kms.DecryptCommand({ CiphertextBlob, EncryptionContext: { tenant: 't1' } }))).Plaintext)).toBe('secret')
    const moved = await kms.send(new Kms.ReEncryptCommand({ CiphertextBlob, SourceEncryptionContext: { tenant: 't1' }, DestinationKeyId: b.Arn }))
    expect(moved.SourceKeyId).toBe(a.Arn)
    expect(text((await kms.send(new Kms.DecryptCommand({ CiphertextBlob: moved.CiphertextBlob }))).Plaintext)).toBe('secret')
    const dataKey = await kms.send(new Kms.GenerateDataKeyCommand({ KeyId: a.KeyId, KeySpec: 'AES_256' }))
    expect(dataKey.Plaintext).toHaveLength(32)
    expect((await kms.send(new Kms.DecryptCommand({ CiphertextBlob: dataKey.CiphertextBlob }))).Plaintext).toEqual(dataKey.Plaintext)
    expect((await kms.send(new Kms.GenerateDataKeyWithoutPlaintextCommand({ KeyId: a.KeyId, NumberOfBytes: 16 }))).CiphertextBlob!.length).toBeGreaterThan(16)
    expect((await kms.send(new Kms.GenerateRandomCommand({ NumberOfBytes: 24 }))).Plaintext).toHaveLength(24)
  })

  it('grants: a grantee uses the key; retire, revoke', async () => {
    const kms = client()
    const { KeyId, Arn } = (await kms.send(new Kms.CreateKeyCommand({}))).KeyMetadata!
    const alice = client(KEYS.alice)
    expect((await refusal(alice.send(new Kms.EncryptCommand({ KeyId: Arn, Plaintext: bytes('x') })))).name).toBe('AccessDeniedException')
    const grant = await kms.send(new Kms.CreateGrantCommand({ KeyId, GranteePrincipal: KEYS.alice.principal, RetiringPrincipal: KEYS.root.principal, Operations: ['Encrypt'] }))
    await alice.send(new Kms.EncryptCommand({ KeyId: Arn, Plaintext: bytes('x') }))
    expect((await kms.send(new Kms.ListGrantsCommand({ KeyId }))).Grants!.map((g) => g.GrantId)).toEqual([grant.GrantId])
    expect((await kms.send(new Kms.ListRetirableGrantsCommand({ RetiringPrincipal: KEYS.root.principal }))).Grants!.map((g) => g.GrantId)).toContain(grant.GrantId)
    await kms.send(new Kms.RetireGrantCommand({ GrantToken: grant.GrantToken }))
    const second = await kms.send(new Kms.CreateGrantCommand({ KeyId, GranteePrincipal: KEYS.alice.principal, Operations: ['Decrypt'] }))
    await kms.send(new Kms.RevokeGrantCommand({ KeyId, GrantId: second.GrantId }))
    expect((await kms.send(new Kms.ListGrantsCommand({ KeyId }))).Grants).toEqual([])
  })

  it('identity policies and the audit trail over the same protocol (WebKms targets); the export verifies offline', async () => {
    const { Keys } = await webkms<{ Keys: { Fingerprint: string }[] }>('GetAuditPublicKeys', {})
    const document = JSON.stringify({ Version: '2012-10-17', Statement: { Effect: 'Allow', Action: 'kms:GenerateRandom', Resource: '*' } })
    await webkms('PutIdentityPolicy', { Principal: KEYS.alice.principal, PolicyName: 'random', PolicyDocument: document })
    await client(KEYS.alice).send(new Kms.GenerateRandomCommand({ NumberOfBytes: 8 }))
    expect(await webkms('GetIdentityPolicies', { Principal: KEYS.alice.principal })).toEqual({ Policies: { random: document } })
    await webkms('DeleteIdentityPolicy', { Principal: KEYS.alice.principal, PolicyName: 'random' })
    const log = await webkms<ExportedAuditLog>('ExportAuditLog', { Challenge: 'node-1' })
    expect(await verifyAuditLog(log, { trustedKeys: Keys.map((k) => k.Fingerprint), challenge: 'node-1' })).toMatchObject({ valid: true })
    expect(log.events.some((e) => e.eventName === 'GenerateRandom' && (e.userIdentity as { accessKeyId?: string }).accessKeyId === KEYS.alice.accessKeyId)).toBe(true)
  })

  it('asymmetric and HMAC keys: Sign, Verify, GetPublicKey, DeriveSharedSecret, GenerateMac, VerifyMac, GenerateDataKeyPair*; RSA encryption', async () => {
    const kms = client()
    const signer = (await kms.send(new Kms.CreateKeyCommand({ KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY' }))).KeyMetadata!
    expect(signer.SigningAlgorithms).toEqual(['ECDSA_SHA_256'])
    const message = bytes('signed at the edge')
    const { Signature } = await kms.send(new Kms.SignCommand({ KeyId: signer.KeyId, Message: message, SigningAlgorithm: 'ECDSA_SHA_256' }))
    expect((await kms.send(new Kms.VerifyCommand({ KeyId: signer.KeyId, Message: message, Signature, SigningAlgorithm: 'ECDSA_SHA_256' }))).SignatureValid).toBe(true)
    const { PublicKey } = await kms.send(new Kms.GetPublicKeyCommand({ KeyId: signer.KeyId }))
    // node:crypto, from the DER SPKI the wire carried, verifies the DER signature.
    expect(cryptoVerify('sha256', message, { key: createPublicKey({ key: Buffer.from(PublicKey!), format: 'der', type: 'spki' }), dsaEncoding: 'der' }, Signature!)).toBe(true)
    const bad = await refusal(kms.send(new Kms.VerifyCommand({ KeyId: signer.KeyId, Message: bytes('other'), Signature, SigningAlgorithm: 'ECDSA_SHA_256' })))
    expect(bad.name).toBe('KMSInvalidSignatureException')

    const agreement = (await kms.send(new Kms.CreateKeyCommand({ KeySpec: 'ECC_NIST_P384', KeyUsage: 'KEY_AGREEMENT' }))).KeyMetadata!
    const peer = generateKeyPairSync('ec', { namedCurve: 'P-384' })
    const { SharedSecret } = await kms.send(new Kms.DeriveSharedSecretCommand({ KeyId: agreement.KeyId, KeyAgreementAlgorithm: 'ECDH', PublicKey: peer.publicKey.export({ format: 'der', type: 'spki' }) }))
    const theirs = (await kms.send(new Kms.GetPublicKeyCommand({ KeyId: agreement.KeyId }))).PublicKey!
    expect(Buffer.from(SharedSecret!)).toEqual(diffieHellman({ privateKey: peer.privateKey, publicKey: createPublicKey({ key: Buffer.from(theirs), format: 'der', type: 'spki' }) }))

    const rsa = (await kms.send(new Kms.CreateKeyCommand({ KeySpec: 'RSA_2048', KeyUsage: 'ENCRYPT_DECRYPT' }))).KeyMetadata!
    const rsaPublic = (await kms.send(new Kms.GetPublicKeyCommand({ KeyId: rsa.KeyId }))).PublicKey!
    const ciphertext = publicEncrypt({ key: createPublicKey({ key: Buffer.from(rsaPublic), format: 'der', type: 'spki' }), oaepHash: 'sha256', padding: constants.RSA_PKCS1_OAEP_PADDING }, Buffer.from('oaep over the wire'))
    expect(text((await kms.send(new Kms.DecryptCommand({ KeyId: rsa.KeyId, CiphertextBlob: ciphertext, EncryptionAlgorithm: 'RSAES_OAEP_SHA_256' }))).Plaintext)).toBe('oaep over the wire')

    const hmac = (await kms.send(new Kms.CreateKeyCommand({ KeySpec: 'HMAC_256', KeyUsage: 'GENERATE_VERIFY_MAC' }))).KeyMetadata!
    const { Mac } = await kms.send(new Kms.GenerateMacCommand({ KeyId: hmac.KeyId, Message: message, MacAlgorithm: 'HMAC_SHA_256' }))
    expect((await kms.send(new Kms.VerifyMacCommand({ KeyId: hmac.KeyId, Message: message, Mac, MacAlgorithm: 'HMAC_SHA_256' }))).MacValid).toBe(true)
    expect((await refusal(kms.send(new Kms.VerifyMacCommand({ KeyId: hmac.KeyId, Message: bytes('x'), Mac, MacAlgorithm: 'HMAC_SHA_256' })))).name).toBe('KMSInvalidMacException')

    const symmetric = (await kms.send(new Kms.CreateKeyCommand({}))).KeyMetadata!
    const pair = await kms.send(new Kms.GenerateDataKeyPairCommand({ KeyId: symmetric.KeyId, KeyPairSpec: 'ECC_NIST_P256', EncryptionContext: { use: 'pair' } }))
    const opened = await kms.send(new Kms.DecryptCommand({ CiphertextBlob: pair.PrivateKeyCiphertextBlob, EncryptionContext: { use: 'pair' } }))
    expect(Buffer.from(opened.Plaintext!)).toEqual(Buffer.from(pair.PrivateKeyPlaintext!))
    const pairSignature = cryptoSign('sha256', message, createPrivateKey({ key: Buffer.from(pair.PrivateKeyPlaintext!), format: 'der', type: 'pkcs8' }))
    expect(cryptoVerify('sha256', message, createPublicKey({ key: Buffer.from(pair.PublicKey!), format: 'der', type: 'spki' }), pairSignature)).toBe(true)
    const withoutPlaintext = await kms.send(new Kms.GenerateDataKeyPairWithoutPlaintextCommand({ KeyId: symmetric.KeyId, KeyPairSpec: 'RSA_2048' }))
    expect(withoutPlaintext).not.toHaveProperty('PrivateKeyPlaintext')
    expect(withoutPlaintext.PublicKey!.length).toBeGreaterThan(256)
  })

  it('import of key material: GetParametersForImport, ImportKeyMaterial (ValidTo as a wire timestamp), expiry model, DeleteImportedKeyMaterial', async () => {
    const kms = client()
    const key = (await kms.send(new Kms.CreateKeyCommand({ Origin: 'EXTERNAL' }))).KeyMetadata!
    expect(key.KeyState).toBe('PendingImport')
    const material = randomBytes(32)
    const importOnce = async (validTo: Date) => {
      const params = await kms.send(new Kms.GetParametersForImportCommand({ KeyId: key.KeyId, WrappingAlgorithm: 'RSA_AES_KEY_WRAP_SHA_256', WrappingKeySpec: 'RSA_3072' }))
      expect(params.ParametersValidTo!.getTime()).toBeGreaterThan(Date.now() + 23 * 3600_000)
      const wrappingKey = createPublicKey({ key: Buffer.from(params.PublicKey!), format: 'der', type: 'spki' })
      const ephemeral = randomBytes(32)
      const wrapped = Buffer.concat([
        publicEncrypt({ key: wrappingKey, oaepHash: 'sha256', padding: constants.RSA_PKCS1_OAEP_PADDING }, ephemeral),
        (() => {
          const c = createCipheriv('id-aes256-wrap-pad', ephemeral, Buffer.from('A65959A6', 'hex'))
          return Buffer.concat([c.update(material), c.final()])
        })(),
      ])
      return kms.send(new Kms.ImportKeyMaterialCommand({ KeyId: key.KeyId, ImportToken: params.ImportToken, EncryptedKeyMaterial: wrapped, ExpirationModel: 'KEY_MATERIAL_EXPIRES', ValidTo: validTo }))
    }
    const validTo = new Date(Math.floor(Date.now() / 1000) * 1000 + 30 * 86_400_000)
    const imported = await importOnce(validTo)
    const described = (await kms.send(new Kms.DescribeKeyCommand({ KeyId: key.KeyId }))).KeyMetadata!
    expect(described).toMatchObject({ KeyState: 'Enabled', Origin: 'EXTERNAL', ExpirationModel: 'KEY_MATERIAL_EXPIRES', CurrentKeyMaterialId: imported.KeyMaterialId })
    expect(described.ValidTo!.getTime()).toBe(validTo.getTime())
    const { CiphertextBlob } = await kms.send(new Kms.EncryptCommand({ KeyId: key.KeyId, Plaintext: bytes('byok') }))
    await kms.send(new Kms.DeleteImportedKeyMaterialCommand({ KeyId: key.KeyId }))
    expect((await refusal(kms.send(new Kms.DecryptCommand({ CiphertextBlob })))).name).toBe('KMSInvalidStateException')
    await importOnce(validTo)
    expect(text((await kms.send(new Kms.DecryptCommand({ CiphertextBlob }))).Plaintext)).toBe('byok')
  })

  it('every KMS operation of the engine was driven by the SDK here', () => {
    const kmsOperations = operationTable.filter((o) => o.service === 'kms').map((o) => o.name)
    expect(kmsOperations.filter((o) => !called.has(o))).toEqual([])
  })
})

describe('refusals, with AWS\'s exception names as the SDK reports them', () => {
  it('no signature', async () => {
    const unsigned = client(KEYS.root, { signer: { sign: async (request: unknown) => request } as never })
    const e = await refusal(unsigned.send(new Kms.ListKeysCommand({})))
    expect(e.name).toBe('MissingAuthenticationTokenException')
    expect(e.$metadata?.httpStatusCode).toBe(403)
  })

  it('a wrong secret, an unknown access key', async () => {
    expect((await refusal(client({ ...KEYS.root, secretAccessKey: 'w'.repeat(40) }).send(new Kms.ListKeysCommand({})))).name).toBe('InvalidSignatureException')
    expect((await refusal(client({ accessKeyId: 'AKIAWEBKMSUNKNOWN001', secretAccessKey: 'w'.repeat(40) }).send(new Kms.ListKeysCommand({})))).name).toBe('UnrecognizedClientException')
  })

  it('a date outside the 15-minute window', async () => {
    const e = await refusal(client(KEYS.root, { systemClockOffset: -20 * 60_000 }).send(new Kms.ListKeysCommand({})))
    expect(e.name).toBe('InvalidSignatureException')
    expect(e.message).toMatch(/^Signature expired/)
  })

  it('a body changed after signing', async () => {
    const kms = client()
    const { KeyId } = (await kms.send(new Kms.CreateKeyCommand({}))).KeyMetadata!
    // After the signer (finalizeRequest), before the request leaves (deserialize wraps the send).
    // The same length, so Content-Length (signed too) still holds: only the signature can tell.
    kms.middlewareStack.add(
      (next) => async (args) => {
        const request = args.request as { body: string }
        request.body = request.body.replace('"Description":"harmless"', '"Description":"tampered"')
        return next(args)
      },
      { step: 'deserialize', name: 'tamper', priority: 'low' },
    )
    expect((await refusal(kms.send(new Kms.UpdateKeyDescriptionCommand({ KeyId, Description: 'harmless' })))).name).toBe('InvalidSignatureException')
    expect((await client().send(new Kms.DescribeKeyCommand({ KeyId }))).KeyMetadata!.Description).toBe('')
  })

  it('a caller whose key policy denies', async () => {
    const kms = client()
    const Policy = JSON.stringify({
      Version: '2012-10-17',
      Statement: [
        { Effect: 'Allow', Principal: { AWS: KEYS.root.principal }, Action: 'kms:*', Resource: '*' },
        { Effect: 'Deny', Principal: { AWS: KEYS.alice.principal }, Action: 'kms:Decrypt', Resource: '*' },
      ],
    })
    const { KeyId, Arn } = (await kms.send(new Kms.CreateKeyCommand({ Policy }))).KeyMetadata!
    await kms.send(new Kms.CreateGrantCommand({ KeyId, GranteePrincipal: KEYS.alice.principal, Operations: ['Encrypt', 'Decrypt'] }))
    const alice = client(KEYS.alice)
    const { CiphertextBlob } = await alice.send(new Kms.EncryptCommand({ KeyId: Arn, Plaintext: bytes('x') }))
    const e = await refusal(alice.send(new Kms.DecryptCommand({ CiphertextBlob })))
    expect(e.name).toBe('AccessDeniedException')
    expect(e.message).toMatch(/explicit deny in a resource-based policy/)
  })
})

describe('the AWS CLI', () => {
  const aws = '/usr/bin/aws'
  // Skipped only where /usr/bin/aws is missing outside CI (npm test installs Debian's awscli as root).
  it.runIf(existsSync(aws) || inject('ci'))('creates keys, encrypts, decrypts, signs and verifies (aws kms ... --endpoint-url; needs /usr/bin/aws)', () => {
    const env = { ...process.env, AWS_ACCESS_KEY_ID: KEYS.root.accessKeyId, AWS_SECRET_ACCESS_KEY: KEYS.root.secretAccessKey, AWS_REGION: 'us-east-1', AWS_EC2_METADATA_DISABLED: 'true', AWS_PAGER: '' }
    const run = (...args: string[]) => {
      const r = spawnSync(aws, ['kms', ...args, '--endpoint-url', server.url, '--output', 'json'], { env, encoding: 'utf8' })
      expect(r.status, r.stderr).toBe(0)
      return JSON.parse(r.stdout || '{}')
    }
    const { KeyMetadata } = run('create-key', '--description', 'from the AWS CLI')
    expect(KeyMetadata).toMatchObject({ KeyState: 'Enabled', Description: 'from the AWS CLI' })
    const { CiphertextBlob } = run('encrypt', '--key-id', KeyMetadata.KeyId, '--plaintext', Buffer.from('hello cli').toString('base64'), '--encryption-context', 'purpose=test')
    const dir = mkdtempSync(join(tmpdir(), 'webkms-cli-'))
    writeFileSync(join(dir, 'ct'), Buffer.from(CiphertextBlob, 'base64'))
    const { Plaintext, KeyId } = run('decrypt', '--ciphertext-blob', `fileb://${join(dir, 'ct')}`, '--encryption-context', 'purpose=test')
    expect(Buffer.from(Plaintext, 'base64').toString()).toBe('hello cli')
    expect(KeyId).toBe(KeyMetadata.Arn)
    // An asymmetric key through the CLI: sign, then verify the signature the CLI returned.
    const signer = run('create-key', '--key-spec', 'ECC_NIST_P384', '--key-usage', 'SIGN_VERIFY').KeyMetadata
    writeFileSync(join(dir, 'msg'), 'signed by the CLI')
    const { Signature } = run('sign', '--key-id', signer.KeyId, '--message', `fileb://${join(dir, 'msg')}`, '--message-type', 'RAW', '--signing-algorithm', 'ECDSA_SHA_384')
    writeFileSync(join(dir, 'sig'), Buffer.from(Signature, 'base64'))
    const verified = run('verify', '--key-id', signer.KeyId, '--message', `fileb://${join(dir, 'msg')}`, '--signature', `fileb://${join(dir, 'sig')}`, '--signing-algorithm', 'ECDSA_SHA_384')
    expect(verified.SignatureValid).toBe(true)
    rmSync(dir, { recursive: true, force: true })
  })
})

describe('the AWS Encryption SDK, with a KMS keyring pointed at the edge', () => {
  it('AWS encrypts, webkms decrypts; webkms encrypts, AWS decrypts', async () => {
    const kms = client()
    const { Arn } = (await kms.send(new Kms.CreateKeyCommand({ Description: 'esdk' }))).KeyMetadata!
    const aws = buildAwsClient(CommitmentPolicy.REQUIRE_ENCRYPT_REQUIRE_DECRYPT)
    // The AWS SDK's keyring takes the aggregated KMS client (methods), pointed at the edge.
    const awsClient = new Kms.KMS({ endpoint: server.url, region: 'us-east-1', credentials: KEYS.root, maxAttempts: 1 })
    const awsKeyring = new KmsKeyringNode({ generatorKeyId: Arn, keyIds: [], clientProvider: () => awsClient as never })
    const ours = new KmsKeyring({ client: kms, generatorKeyId: Arn, commands: { GenerateDataKeyCommand: Kms.GenerateDataKeyCommand, EncryptCommand: Kms.EncryptCommand, DecryptCommand: Kms.DecryptCommand } })
    const context = { tenant: 'acme' }
    const { result } = await aws.encrypt(awsKeyring, 'from the AWS SDK', { encryptionContext: context })
    const opened = await buildClient().decrypt(ours, result)
    expect(text(opened.plaintext)).toBe('from the AWS SDK')
    expect(opened.messageHeader.encryptedDataKeys[0]).toMatchObject({ providerId: 'aws-kms', providerInfo: Arn })
    const mine = await buildClient().encrypt(ours, 'from webkms', { encryptionContext: context })
    const back = await aws.decrypt(awsKeyring, mine.result)
    expect(back.plaintext.toString()).toBe('from webkms')
    expect(back.messageHeader.encryptionContext).toMatchObject(context)
  })
})

describe('concurrency', () => {
  it('parallel CreateKey, RotateKeyOnDemand and CreateAlias lose nothing', async () => {
    const kms = client()
    const keys = await Promise.all(Array.from({ length: 12 }, (_, i) => kms.send(new Kms.CreateKeyCommand({ Description: `parallel ${i}` }))))
    const ids = keys.map((k) => k.KeyMetadata!.KeyId!)
    await Promise.all([
      ...ids.map((KeyId, i) => kms.send(new Kms.CreateAliasCommand({ AliasName: `alias/parallel-${i}`, TargetKeyId: KeyId }))),
      ...ids.slice(0, 4).flatMap((KeyId) => Array.from({ length: 5 }, () => kms.send(new Kms.RotateKeyOnDemandCommand({ KeyId })))),
    ])
    const listed = new Set((await kms.send(new Kms.ListKeysCommand({ Limit: 1000 }))).Keys!.map((k) => k.KeyId))
    for (const id of ids) expect(listed.has(id)).toBe(true)
    const aliases = (await kms.send(new Kms.ListAliasesCommand({ Limit: 100 }))).Aliases!.filter((a) => a.AliasName!.startsWith('alias/parallel-'))
    expect(aliases).toHaveLength(12)
    for (const KeyId of ids.slice(0, 4)) expect((await kms.send(new Kms.ListKeyRotationsCommand({ KeyId }))).Rotations).toHaveLength(5)
  })

  it('a bounded load of parallel GenerateDataKey calls has zero errors', async () => {
    const kms = client()
    const { KeyId } = (await kms.send(new Kms.CreateKeyCommand({}))).KeyMetadata!
    const total = 300
    const inFlight = 16
    let next = 0
    let errors = 0
    await Promise.all(
      Array.from({ length: inFlight }, async () => {
        while (next < total) {
          next++
          await kms.send(new Kms.GenerateDataKeyCommand({ KeyId, KeySpec: 'AES_256', EncryptionContext: { n: String(next) } })).catch(() => errors++)
        }
      }),
    )
    expect(errors).toBe(0)
  })
})
