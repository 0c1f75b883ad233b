/**
 * An example edge function: encrypts chosen fields of a JSON payload, each into a message of the
 * AWS Encryption SDK format (any AWS Encryption SDK decrypts it, given the key), and decrypts
 * them back. The data keys come from the webkms edge KMS over a service binding, through the
 * unmodified AWS SDK for JavaScript (its request handler is the only thing swapped).
 *
 *   POST /encrypt?fields=ssn,card   {"name":"Ada","ssn":"078-05-1120","card":"4111..."}
 *     -> {"name":"Ada","ssn":{"webkms:encrypted":"AgV4..."},"card":{"webkms:encrypted":"AgV4..."}}
 *   POST /decrypt                   (the encrypted payload) -> the original payload
 *
 * Each field's message is bound to its field name and the payload's `id` (if any) through the
 * encryption context, so a ciphertext moved to another field or record does not decrypt.
 */
import { CreateAliasCommand, CreateKeyCommand, DecryptCommand, DescribeKeyCommand, EncryptCommand, GenerateDataKeyCommand, KMSClient, NotFoundException } from '@aws-sdk/client-kms'
import { buildClient, KmsKeyring } from '@webkms/core'

interface Env {
  /** The webkms edge Worker (service binding). */
  KMS: { fetch(request: Request): Promise<Response> }
  PAYLOAD_KEY_ALIAS: string
  PAYLOAD_ACCESS_KEY_ID: string
  PAYLOAD_SECRET_ACCESS_KEY: string
}

const ENCRYPTED = 'webkms:encrypted'
const envelope = buildClient()

/** The AWS SDK's request handler, sending over the service binding instead of the internet. */
function bindingHandler(kms: Env['KMS']) {
  return {
    async handle(request: { method: string; protocol: string; hostname: string; port?: number; path: string; headers: Record<string, string>; body?: string }) {
      const url = `${request.protocol}//${request.hostname}${request.port ? `:${request.port}` : ''}${request.path}`
      const response = await kms.fetch(new Request(url, { method: request.method, headers: request.headers, body: request.body ?? null }))
      return { response: { statusCode: response.status, reason: response.statusText, headers: Object.fromEntries(response.headers), body: response.body } }
    },
    updateHttpClientConfig() {},
    httpHandlerConfigs: () => ({}),
  }
}

function kmsClient(env: Env): KMSClient {
  return new KMSClient({
    // Any URL: the binding delivers the request; the host is still part of what SigV4 signs.
    endpoint: 'https://webkms-edge.internal',
    region: 'us-east-1',
    credentials: { accessKeyId: env.PAYLOAD_ACCESS_KEY_ID, secretAccessKey: env.PAYLOAD_SECRET_ACCESS_KEY },
    requestHandler: bindingHandler(env.KMS) as never,
  })
}

/** The key's ARN, creating the key and its alias the first time. */
async function keyArn(kms: KMSClient, alias: string): Promise<string> {
  try {
    return (await kms.send(new DescribeKeyCommand({ KeyId: alias }))).KeyMetadata!.Arn!
  } catch (error) {
    if (!(error instanceof NotFoundException)) throw error
    const { KeyMetadata } = await kms.send(new CreateKeyCommand({ Description: 'webkms payload example' }))
    await kms.send(new CreateAliasCommand({ AliasName: alias, TargetKeyId: KeyMetadata!.KeyId! }))
    return KeyMetadata!.Arn!
  }
}

const commands = { GenerateDataKeyCommand, EncryptCommand, DecryptCommand }
const b64 = (b: Uint8Array) => btoa(Array.from(b, (x) => String.fromCharCode(x)).join(''))
const unb64 = (s: string) => Uint8Array.from(atob(s), (c) => c.charCodeAt(0))
const json = (body: unknown, status = 200) => new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } })

export default {
  async fetch(request: Request, env: Env): Promise<Response> {
    const url = new URL(request.url)
    if (request.method !== 'POST' || !['/encrypt', '/decrypt'].includes(url.pathname)) return json({ error: 'POST /encrypt?fields=a,b or POST /decrypt' }, 404)
    let payload: Record<string, unknown>
    try {
      payload = (await request.json()) as Record<string, unknown>
      if (!payload || typeof payload !== 'object' || Array.isArray(payload)) throw new TypeError()
    } catch {
      return json({ error: 'the body must be a JSON object' }, 400)
    }
    const kms = kmsClient(env)
    const record: Record<string, string> = typeof payload.id === 'string' ? { record: payload.id } : {}
    const out: Record<string, unknown> = { ...payload }
    try {
      if (url.pathname === '/encrypt') {
        const keyring = new KmsKeyring({ client: kms, generatorKeyId: await keyArn(kms, env.PAYLOAD_KEY_ALIAS), commands })
        for (const field of (url.searchParams.get('fields') ?? '').split(',').filter(Boolean)) {
          if (typeof payload[field] !== 'string') continue
          const { result } = await envelope.encrypt(keyring, payload[field] as string, { encryptionContext: { field, ...record } })
          out[field] = { [ENCRYPTED]: b64(result) }
        }
      } else {
        // Decrypt with whichever key of this KMS each message names (discovery); the KMS decides who may.
        const keyring = new KmsKeyring({ client: kms, discovery: true, commands })
        for (const [field, value] of Object.entries(payload)) {
          const message = (value as Record<string, unknown> | null)?.[ENCRYPTED]
          if (typeof message !== 'string') continue
          const { plaintext } = await envelope.decrypt(keyring, unb64(message), { encryptionContext: { field, ...record } })
          out[field] = new TextDecoder().decode(plaintext)
        }
      }
    } catch (error) {
      return json({ error: (error as Error).name }, (error as Error).name === 'DecryptionError' ? 400 : 502)
    }
    return json(out)
  },
}
