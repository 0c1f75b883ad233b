/**
 * The Worker through its fetch handler, in workerd: the protocol's answers and errors, the
 * configuration checks, CORS, the audit trail's record of who called from where, and one
 * Durable Object per account.
 */
import { env, exports } from 'cloudflare:workers'
import { verifyAuditLog, type ExportedAuditLog } from '@webkms/core'
import { describe, expect, it } from 'vitest'
import { createKmsHandler, type EdgeEnv } from '../src/handler.js'
import { signedRequest, type TestKey } from './support/sign.js'
import { ACCOUNT, KEYS, OTHER_ACCOUNT } from './support/testVars.js'

const URL_ = 'https://kms.example.test/'
const worker = () => (exports as { default: Fetcher }).default

async function call(target: string, body: object, key: TestKey = KEYS.root, headers: Record<string, string> = {}) {
  const response = await worker().fetch(await signedRequest(URL_, target, JSON.stringify(body), key, { unsigned: headers }))
  return { status: response.status, headers: response.headers, json: (await response.json()) as Record<string, any> }
}
const kms = (operation: string, body: object = {}, key: TestKey = KEYS.root, headers?: Record<string, string>) => call(`TrentService.${operation}`, body, key, headers)
const webkms = (operation: string, body: object = {}, key: TestKey = KEYS.root) => call(`WebKms.${operation}`, body, key)
const b64 = (s: string) => btoa(s)

describe('the KMS JSON 1.1 protocol', () => {
  it('answers with the shapes the AWS SDK parses: base64 blobs, epoch-second timestamps, x-amzn-RequestId', async () => {
    const created = await kms('CreateKey', { Description: 'wire' })
    expect(created.status).toBe(200)
    expect(created.headers.get('content-type')).toBe('application/x-amz-json-1.1')
    expect(created.headers.get('x-amzn-requestid')).toMatch(/^[0-9a-f-]{36}$/)
    const meta = created.json.KeyMetadata
    expect(typeof meta.CreationDate).toBe('number')
    expect(Math.abs(meta.CreationDate * 1000 - Date.now())).toBeLessThan(60_000)
    const encrypted = await kms('Encrypt', { KeyId: meta.KeyId, Plaintext: b64('hello'), EncryptionContext: { a: 'b' } })
    expect(encrypted.json.CiphertextBlob).toMatch(/^[A-Za-z0-9+/]+=*$/)
    const decrypted = await kms('Decrypt', { CiphertextBlob: encrypted.json.CiphertextBlob, EncryptionContext: { a: 'b' } })
    expect(atob(decrypted.json.Plaintext)).toBe('hello')
  })

  it('errors are {"__type", "message"} with AWS\'s status: 400 for the caller\'s, never a stack', async () => {
    const missing = await kms('DescribeKey', { KeyId: 'alias/none' })
    expect(missing).toMatchObject({ status: 400, json: { __type: 'NotFoundException', message: `Alias arn:aws:kms:us-east-1:${ACCOUNT}:alias/none is not found.` } })
    expect(missing.headers.get('x-amzn-errortype')).toBe('NotFoundException')
    expect((await kms('GenerateRandom', { NumberOfBytes: 0 })).json).toEqual({ __type: 'ValidationException', message: expect.stringMatching(/^1 validation error detected: Value '0' at 'numberOfBytes'/) })
    expect((await call('TrentService.Nope', {})).json.__type).toBe('UnknownOperationException')
    expect((await kms('Decrypt', { CiphertextBlob: 'not base64!' })).json).toEqual({ __type: 'SerializationException', message: 'CiphertextBlob must be a base64 string' })
    const notJson = await worker().fetch(await signedRequest(URL_, 'TrentService.ListKeys', '{nope', KEYS.root))
    expect(await notJson.json()).toMatchObject({ __type: 'SerializationException' })
    const get = await worker().fetch(new Request(URL_))
    expect(get.status).toBe(405)
  })

  it('a body nested deeper than 32 levels is the caller\'s SerializationException, not an internal error', async () => {
    const nested = (levels: number, inner: unknown = 'x'): unknown => {
      let value = inner
      for (let i = 0; i < levels; i++) value = i % 2 ? { k: value } : [value]
      return value
    }
    const { KeyId } = (await kms('CreateKey')).json.KeyMetadata
    // Thousands of levels, in a member the schema knows and in one it does not (both reached the Durable Object).
    for (const body of [{ KeyId, Plaintext: b64('x'), EncryptionContext: nested(5000) }, { KeyId, Plaintext: b64('x'), Unknown: nested(5000) }, { KeyId, Plaintext: b64('x'), Unknown: nested(32) }]) {
      expect(await kms('Encrypt', body)).toMatchObject({ status: 400, json: { __type: 'SerializationException', message: 'The request body is nested more than 32 levels deep' } })
    }
    // 32 levels in all (the body is the first): the engine's own validation answers.
    expect(await kms('Encrypt', { KeyId, Plaintext: b64('x'), Unknown: nested(31) })).toMatchObject({ status: 200 })
    expect((await kms('Encrypt', { KeyId, Plaintext: b64('x'), EncryptionContext: nested(31) })).json.__type).toBe('ValidationException')
  })

  it('every operation of the engine\'s table is a target: KMS ones under TrentService, webkms\'s under WebKms', async () => {
    const { targets } = await import('../src/protocol.js')
    const { operationNames } = await import('@webkms/core')
    expect([...targets.values()].map((o) => o.name).sort()).toEqual([...operationNames].sort())
    expect(targets.get('TrentService.GenerateDataKey')?.name).toBe('GenerateDataKey')
    expect(targets.get('WebKms.ExportAuditLog')?.name).toBe('ExportAuditLog')
    expect(targets.get('WebKms.PutIdentityPolicy')?.name).toBe('PutIdentityPolicy')
  })
})

describe('configuration', () => {
  const handler = createKmsHandler()
  const request = () => signedRequest(URL_, 'TrentService.ListKeys', '{}', KEYS.root)
  const base = env as unknown as EdgeEnv
  const cases: [string, Partial<EdgeEnv>, RegExp][] = [
    ['no credentials', { WEBKMS_CREDENTIALS: undefined }, /WEBKMS_CREDENTIALS is not set/],
    ['credentials that are not JSON', { WEBKMS_CREDENTIALS: '{' }, /WEBKMS_CREDENTIALS is not valid JSON/],
    ['a credential without a principal', { WEBKMS_CREDENTIALS: JSON.stringify({ AKIAWEBKMSNOPRINCIP: { secretAccessKey: 'x'.repeat(40) } }) }, /needs a principal/],
    ['no root key', { WEBKMS_ROOT_KEY: undefined }, /WEBKMS_ROOT_KEY is not set/],
    ['a root key of 16 bytes', { WEBKMS_ROOT_KEY: btoa('0123456789abcdef') }, /WEBKMS_ROOT_KEY must be 32 bytes, got 16/],
    ['a malformed region', { WEBKMS_REGION: 'moon' }, /WEBKMS_REGION "moon" is not a region name/],
    ['a roleArn for a principal that is no session', { WEBKMS_CREDENTIALS: JSON.stringify({ AKIAWEBKMSROLEARN01: { secretAccessKey: 'x'.repeat(40), principal: `arn:aws:iam::${ACCOUNT}:user/alice`, roleArn: `arn:aws:iam::${ACCOUNT}:role/teams/app` } }) }, /roleArn" expected the ARN of the session's own role/],
  ]
  it("a session's credential may name its role's pathed ARN, which its calls then carry", async () => {
    const { parseCredentials } = await import('../src/config.js')
    const credentials = parseCredentials(JSON.stringify({ AKIAWEBKMSSESSION01: { secretAccessKey: 'x'.repeat(40), principal: `arn:aws:sts::${ACCOUNT}:assumed-role/app/s1`, roleArn: `arn:aws:iam::${ACCOUNT}:role/teams/app` } }))
    expect(credentials.get('AKIAWEBKMSSESSION01')).toMatchObject({ principal: `arn:aws:sts::${ACCOUNT}:assumed-role/app/s1`, roleArn: `arn:aws:iam::${ACCOUNT}:role/teams/app`, accountId: ACCOUNT })
  })
  for (const [what, change, message] of cases) {
    it(`${what} is a clear error at the first request, never a default`, async () => {
      const response = await handler(await request(), { ...base, ...change })
      expect(response.status).toBe(500)
      expect(await response.json()).toEqual({ __type: 'KMSInternalException', message: expect.stringMatching(message) })
    })
  }
})

describe('CORS', () => {
  const origin = 'https://app.example.test'
  it('lets an allowed origin send signed requests, and reads the request ID', async () => {
    const preflight = await worker().fetch(new Request(URL_, { method: 'OPTIONS', headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization, content-type, x-amz-date, x-amz-target' } }))
    expect(preflight.status).toBe(204)
    expect(preflight.headers.get('access-control-allow-origin')).toBe(origin)
    expect(preflight.headers.get('access-control-allow-headers')).toBe('authorization, content-type, x-amz-date, x-amz-target')
    const response = await kms('ListKeys', {}, KEYS.root, { origin })
    expect(response.headers.get('access-control-allow-origin')).toBe(origin)
    expect(response.headers.get('access-control-expose-headers')).toContain('x-amzn-RequestId')
  })

  it('gives other origins nothing', async () => {
    const preflight = await worker().fetch(new Request(URL_, { method: 'OPTIONS', headers: { origin: 'https://evil.example.test', 'access-control-request-method': 'POST' } }))
    expect(preflight.status).toBe(403)
    expect(preflight.headers.get('access-control-allow-origin')).toBeNull()
    expect((await kms('ListKeys', {}, KEYS.root, { origin: 'https://evil.example.test' })).headers.get('access-control-allow-origin')).toBeNull()
  })
})

describe('principals, policies and the audit trail over the wire', () => {
  const ALICE = KEYS.alice.principal
  it('each access key calls as its principal: policies decide, the root manages identity policies', async () => {
    const { KeyMetadata } = (await kms('CreateKey')).json
    expect((await kms('Encrypt', { KeyId: KeyMetadata.KeyId, Plaintext: b64('x') }, KEYS.alice)).json).toMatchObject({ __type: 'AccessDeniedException', message: expect.stringContaining(ALICE) })
    const policy = JSON.stringify({ Version: '2012-10-17', Statement: { Effect: 'Allow', Action: 'kms:Encrypt', Resource: '*' } })
    expect((await webkms('PutIdentityPolicy', { Principal: ALICE, PolicyName: 'encrypt', PolicyDocument: policy }, KEYS.alice)).json.__type).toBe('AccessDeniedException')
    expect((await webkms('PutIdentityPolicy', { Principal: ALICE, PolicyName: 'encrypt', PolicyDocument: policy })).status).toBe(200)
    expect((await kms('Encrypt', { KeyId: KeyMetadata.KeyId, Plaintext: b64('x') }, KEYS.alice)).status).toBe(200)
    expect((await webkms('GetIdentityPolicies', { Principal: ALICE })).json).toEqual({ Policies: { encrypt: policy } })
  })

  it('records the principal, the access key, the client address and agent, and the response\'s request ID; the export verifies offline', async () => {
    const { Keys } = (await webkms('GetAuditPublicKeys')).json
    expect(typeof Keys[0].CreationDate).toBe('number')
    const listed = await kms('ListKeys', {}, KEYS.alice, { 'cf-connecting-ip': '203.0.113.7', 'user-agent': 'test-client/1.0' })
    expect(listed.json.__type).toBe('AccessDeniedException')
    const log = (await webkms('ExportAuditLog', { Challenge: 'wire-1' })).json as ExportedAuditLog
    const event = log.events.find((e) => e.requestID === listed.headers.get('x-amzn-requestid'))!
    expect(event).toMatchObject({
      eventName: 'ListKeys',
      errorCode: 'AccessDeniedException',
      sourceIPAddress: '203.0.113.7',
      userAgent: 'test-client/1.0',
      userIdentity: { type: 'IAMUser', arn: ALICE, accountId: ACCOUNT, accessKeyId: KEYS.alice.accessKeyId },
    })
    const result = await verifyAuditLog(log, { trustedKeys: Keys.map((k: { Fingerprint: string }) => k.Fingerprint), challenge: 'wire-1' })
    expect(result).toMatchObject({ valid: true })
  })

  it('one Durable Object per account: another account sees none of these keys, and uses one only where its key policy lets it', async () => {
    const mine = (await kms('ListKeys')).json.Keys.length
    expect(mine).toBeGreaterThan(0)
    expect((await kms('ListKeys', {}, KEYS.other)).json.Keys).toEqual([])
    const shared = (await kms('CreateKey', {
      Policy: JSON.stringify({
        Version: '2012-10-17',
        Statement: [
          { Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` }, Action: 'kms:*', Resource: '*' },
          { Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${OTHER_ACCOUNT}:root` }, Action: ['kms:Encrypt', 'kms:Decrypt'], Resource: '*' },
        ],
      }),
    })).json.KeyMetadata
    const private_ = (await kms('CreateKey')).json.KeyMetadata
    // A key ARN routes the call to the key's account.
    const encrypted = await kms('Encrypt', { KeyId: shared.Arn, Plaintext: b64('cross') }, KEYS.other)
    expect(encrypted.status).toBe(200)
    expect((await kms('Encrypt', { KeyId: private_.Arn, Plaintext: b64('x') }, KEYS.other)).json.__type).toBe('AccessDeniedException')
    expect((await kms('DescribeKey', { KeyId: shared.KeyId }, KEYS.other)).json.__type).toBe('NotFoundException') // a bare key ID is the caller's account
  })

  describe('calls from another account', () => {
    const sharedPolicy = () =>
      JSON.stringify({
        Version: '2012-10-17',
        Statement: [
          { Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` }, Action: 'kms:*', Resource: '*' },
          { Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${OTHER_ACCOUNT}:root` }, Action: ['kms:Encrypt', 'kms:DescribeKey'], Resource: '*' },
        ],
      })
    const BOB = KEYS.bob.principal
    const trailOf = async (key: TestKey) => ((await webkms('ExportAuditLog', {}, key)).json as ExportedAuditLog).events

    it("a user of another account is decided by its own account's identity policies, which its root keeps in its own account", async () => {
      const shared = (await kms('CreateKey', { Policy: sharedPolicy() })).json.KeyMetadata
      expect((await kms('Encrypt', { KeyId: shared.Arn, Plaintext: b64('x') }, KEYS.bob)).json.__type).toBe('AccessDeniedException')
      const policy = JSON.stringify({ Version: '2012-10-17', Statement: { Effect: 'Allow', Action: 'kms:Encrypt', Resource: '*' } })
      // A KeyId member PutIdentityPolicy does not have routes nothing: the policy lands in bob's account.
      expect((await webkms('PutIdentityPolicy', { Principal: BOB, PolicyName: 'partner-keys', PolicyDocument: policy, KeyId: shared.Arn }, KEYS.other)).status).toBe(200)
      expect((await webkms('GetIdentityPolicies', { Principal: BOB }, KEYS.other)).json).toEqual({ Policies: { 'partner-keys': policy } })
      expect((await kms('Encrypt', { KeyId: shared.Arn, Plaintext: b64('x') }, KEYS.bob)).status).toBe(200)
      // What the key policy does not give the account, bob's own policy cannot.
      expect((await kms('GenerateDataKey', { KeyId: shared.Arn, KeySpec: 'AES_256' }, KEYS.bob)).json.__type).toBe('AccessDeniedException')
    })

    it("calls another account may not make are recorded only in the caller's trail: they cannot push the owner's events out", async () => {
      const shared = (await kms('CreateKey', { Policy: sharedPolicy() })).json.KeyMetadata
      const missing = `arn:aws:kms:us-east-1:${ACCOUNT}:key/00000000-0000-4000-8000-000000000000`
      for (let i = 0; i < 5; i++) expect((await kms('DescribeKey', { KeyId: missing }, KEYS.other)).json.__type).toBe('NotFoundException')
      expect((await kms('ScheduleKeyDeletion', { KeyId: shared.Arn, PendingWindowInDays: 7 }, KEYS.other)).json.__type).toBe('AccessDeniedException')
      const described = await kms('DescribeKey', { KeyId: shared.Arn }, KEYS.other)
      expect(described.status).toBe(200)
      const owner = await trailOf(KEYS.root)
      const fromOther = (events: ExportedAuditLog['events']) => events.filter((e) => (e.userIdentity as { accountId?: string }).accountId === OTHER_ACCOUNT && e.eventName !== 'ExportAuditLog')
      // The owner sees the call that ran on its key, and nothing refused.
      expect(fromOther(owner).map((e) => e.errorCode ?? 'ok')).not.toContain('NotFoundException')
      expect(fromOther(owner).filter((e) => e.eventName === 'ScheduleKeyDeletion')).toEqual([])
      expect(owner.find((e) => e.requestID === described.headers.get('x-amzn-requestid'))).toMatchObject({ eventName: 'DescribeKey', recipientAccountId: ACCOUNT })
      // The caller's account sees all of them.
      const caller = fromOther(await trailOf(KEYS.other))
      expect(caller.filter((e) => e.eventName === 'DescribeKey' && e.errorCode === 'NotFoundException').length).toBeGreaterThanOrEqual(5)
      expect(caller.find((e) => e.eventName === 'ScheduleKeyDeletion')).toMatchObject({ errorCode: 'AccessDeniedException', recipientAccountId: OTHER_ACCOUNT })
      expect(caller.find((e) => e.requestID === described.headers.get('x-amzn-requestid'))).toMatchObject({ eventName: 'DescribeKey', recipientAccountId: OTHER_ACCOUNT })
      expect((await kms('DescribeKey', { KeyId: shared.KeyId })).json.KeyMetadata.KeyState).toBe('Enabled')
    })

    it('a key ARN of an account no access key belongs to is answered by the caller\'s own account: NotFoundException, in its trail', async () => {
      const made = 'arn:aws:kms:us-east-1:999988887777:key/00000000-0000-4000-8000-000000000000'
      const answer = await kms('DescribeKey', { KeyId: made }, KEYS.other)
      expect(answer).toMatchObject({ status: 400, json: { __type: 'NotFoundException' } })
      expect((await trailOf(KEYS.other)).find((e) => e.requestID === answer.headers.get('x-amzn-requestid'))).toMatchObject({ eventName: 'DescribeKey', errorCode: 'NotFoundException', recipientAccountId: OTHER_ACCOUNT })
    })

    it('a ReEncrypt from a key of another account to a key named by a bare ID or alias (the caller\'s account) is refused', async () => {
      const shared = (await kms('CreateKey', { Policy: sharedPolicy() })).json.KeyMetadata
      const answer = await kms('ReEncrypt', { CiphertextBlob: b64('x'.repeat(40)), SourceKeyId: shared.Arn, DestinationKeyId: 'alias/mine' }, KEYS.other)
      expect(answer).toMatchObject({ status: 400, json: { __type: 'UnsupportedOperationException' } })
    })
  })
})
