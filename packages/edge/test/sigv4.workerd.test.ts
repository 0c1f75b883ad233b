/** SigV4 verification against requests signed by AWS's own signer: what passes and, named as AWS names it, what does not. */
import { describe, expect, it } from 'vitest'
import { AuthenticationError } from '../src/errors.js'
import { verifySigV4 } from '../src/sigv4.js'
import { signedRequest, type TestKey } from './support/sign.js'

const KEY: TestKey = { accessKeyId: 'AKIAWEBKMSSIGV4TEST1', secretAccessKey: 'sigv4-test-secret-000000000000000000000' }
const URL_ = 'https://kms.example.test/'
const NOW = new Date('2026-12-06T12:00:00Z')
const options = (now = NOW) => ({ region: 'us-east-1', service: 'kms', now, secretOf: (id: string) => (id === KEY.accessKeyId ? KEY.secretAccessKey : undefined) })
const body = '{"KeyId":"alias/app"}'
const bytesOf = async (r: Request): Promise<Uint8Array<ArrayBuffer>> => new Uint8Array(await r.clone().arrayBuffer())

async function refused(request: Request, requestBody?: Uint8Array<ArrayBuffer>, now = NOW): Promise<AuthenticationError> {
  const error = await verifySigV4(request, requestBody ?? (await bytesOf(request)), options(now)).then(
    () => undefined,
    (e: unknown) => e,
  )
  expect(error).toBeInstanceOf(AuthenticationError)
  return error as AuthenticationError
}

describe('SigV4 verification', () => {
  it('accepts a request signed by the AWS signer, and names the access key', async () => {
    const request = await signedRequest(URL_, 'TrentService.DescribeKey', body, KEY, { date: NOW })
    expect(await verifySigV4(request, await bytesOf(request), options())).toEqual({ accessKeyId: KEY.accessKeyId })
  })

  it('accepts it up to 15 minutes early or late, not after', async () => {
    for (const skew of [-14, 14]) {
      const request = await signedRequest(URL_, 'TrentService.ListKeys', '{}', KEY, { date: new Date(NOW.getTime() + skew * 60_000) })
      await verifySigV4(request, await bytesOf(request), options())
    }
    const old = await signedRequest(URL_, 'TrentService.ListKeys', '{}', KEY, { date: new Date(NOW.getTime() - 16 * 60_000) })
    expect(await refused(old)).toMatchObject({ awsName: 'InvalidSignatureException', message: expect.stringMatching(/^Signature expired: 20261206T114400Z is now earlier than 20261206T114500Z/) })
    const future = await signedRequest(URL_, 'TrentService.ListKeys', '{}', KEY, { date: new Date(NOW.getTime() + 16 * 60_000) })
    expect(await refused(future)).toMatchObject({ awsName: 'InvalidSignatureException', message: expect.stringMatching(/^Signature not yet current/) })
  })

  it('refuses a body changed after signing', async () => {
    const request = await signedRequest(URL_, 'TrentService.DescribeKey', body, KEY, { date: NOW })
    expect(await refused(request, new TextEncoder().encode('{"KeyId":"alias/other"}'))).toMatchObject({ awsName: 'InvalidSignatureException', status: 400 })
  })

  it('refuses a signed header changed after signing (the operation)', async () => {
    const request = await signedRequest(URL_, 'TrentService.DescribeKey', body, KEY, { date: NOW })
    const headers = new Headers(request.headers)
    headers.set('x-amz-target', 'TrentService.ScheduleKeyDeletion')
    expect(await refused(new Request(request.url, { method: 'POST', headers, body }))).toMatchObject({ awsName: 'InvalidSignatureException' })
  })

  it('refuses a request to another host than the one signed', async () => {
    const request = await signedRequest('https://kms.example.test/', 'TrentService.ListKeys', '{}', KEY, { date: NOW })
    expect(await refused(new Request('https://evil.example.test/', { method: 'POST', headers: request.headers, body: '{}' }))).toMatchObject({ awsName: 'InvalidSignatureException' })
  })

  it('refuses a wrong secret, an unknown key, no signature, and temporary credentials', async () => {
    expect(await refused(await signedRequest(URL_, 'TrentService.ListKeys', '{}', { ...KEY, secretAccessKey: 'x'.repeat(40) }, { date: NOW }))).toMatchObject({
      awsName: 'InvalidSignatureException',
      message: expect.stringMatching(/^The request signature we calculated does not match/),
    })
    expect(await refused(await signedRequest(URL_, 'TrentService.ListKeys', '{}', { ...KEY, accessKeyId: 'AKIAUNKNOWNKEY000001' }, { date: NOW }))).toMatchObject({
      awsName: 'UnrecognizedClientException',
      message: 'The security token included in the request is invalid.',
    })
    expect(await refused(new Request(URL_, { method: 'POST', body: '{}' }))).toMatchObject({ awsName: 'MissingAuthenticationTokenException', status: 403 })
    const withToken = await signedRequest(URL_, 'TrentService.ListKeys', '{}', KEY, { date: NOW, headers: { 'x-amz-security-token': 'session' } })
    expect(await refused(withToken)).toMatchObject({ awsName: 'UnrecognizedClientException' })
  })

  it('refuses another region or service in the scope', async () => {
    expect(await refused(await signedRequest(URL_, 'TrentService.ListKeys', '{}', KEY, { date: NOW, region: 'eu-west-1' }))).toMatchObject({ awsName: 'InvalidSignatureException', message: "Credential should be scoped to a valid region, not 'eu-west-1'." })
    expect(await refused(await signedRequest(URL_, 'TrentService.ListKeys', '{}', KEY, { date: NOW, service: 's3' }))).toMatchObject({ awsName: 'InvalidSignatureException', message: "Credential should be scoped to correct service: 'kms'." })
  })

  it('refuses malformed Authorization headers, and a host or date left out of the signature', async () => {
    const request = await signedRequest(URL_, 'TrentService.ListKeys', '{}', KEY, { date: NOW })
    const auth = request.headers.get('authorization')!
    const variants = [
      'AWS4-HMAC-SHA1 Credential=x',
      auth.replace(/Signature=[0-9a-f]+/, ''),
      auth.replace(/Credential=[^,]+/, 'Credential=AKIAWEBKMSSIGV4TEST1/20261206/us-east-1/kms'),
      auth.replace(/SignedHeaders=[^,]+/, 'SignedHeaders=content-type;x-amz-date;x-amz-target'),
      auth.replace(/SignedHeaders=[^,]+/, 'SignedHeaders=content-type;host;x-amz-target'),
      auth.replace(/SignedHeaders=[^,]+/, 'SignedHeaders=x-amz-date;host'),
    ]
    for (const value of variants) {
      const headers = new Headers(request.headers)
      headers.set('authorization', value)
      expect((await refused(new Request(URL_, { method: 'POST', headers, body: '{}' }))).awsName, value).toBe('IncompleteSignatureException')
    }
  })

  it('refuses a request whose X-Amz-Target is left out of the signature; Content-Type and other headers may be', async () => {
    // Signed over host and x-amz-date only, a captured DescribeKey could be sent again as ScheduleKeyDeletion.
    const request = await signedRequest(URL_, 'TrentService.DescribeKey', body, KEY, { date: NOW, unsignable: ['x-amz-target'] })
    expect(request.headers.get('authorization')).not.toContain('x-amz-target')
    expect(await refused(request)).toMatchObject({ awsName: 'IncompleteSignatureException', message: "'x-amz-target' must be a signed header." })
    // aws4fetch and the AWS SDK v2 leave Content-Type unsigned; a proxy may add X-Amz-Cf-Id.
    const lenient = await signedRequest(URL_, 'TrentService.DescribeKey', body, KEY, { date: NOW, headers: { 'x-amz-user-agent': 'aws-sdk-js/2' }, unsignable: ['content-type', 'x-amz-user-agent'], unsigned: { 'x-amz-cf-id': 'proxy' } })
    expect(await verifySigV4(lenient, await bytesOf(lenient), options())).toEqual({ accessKeyId: KEY.accessKeyId })
  })

  it('an identical request sent twice within the window is served twice (as AWS does)', async () => {
    const request = await signedRequest(URL_, 'TrentService.ListKeys', '{}', KEY, { date: NOW })
    await verifySigV4(request.clone(), await bytesOf(request), options())
    await verifySigV4(request, await bytesOf(request), options(new Date(NOW.getTime() + 60_000)))
  })
})
