/**
 * Requests signed by AWS's own SigV4 signer (@smithy/signature-v4, what the AWS SDK uses), so
 * the edge's verifier is tested against an implementation it does not share code with.
 */
import { Sha256 } from '@aws-crypto/sha256-js'
import { SignatureV4 } from '@smithy/signature-v4'

export interface TestKey {
  accessKeyId: string
  secretAccessKey: string
}

export interface SignOptions {
  region?: string
  service?: string
  /** When the request claims to be signed (default now). */
  date?: Date
  headers?: Record<string, string>
  /** Headers sent but left out of the signature. */
  unsigned?: Record<string, string>
  /** Headers of the request the signer leaves out of SignedHeaders (its `unsignableHeaders`). */
  unsignable?: string[]
}

/** A POST of the AWS JSON 1.1 protocol, signed for `target` with `key`. */
export async function signedRequest(url: string, target: string, body: string, key: TestKey, o: SignOptions = {}): Promise<Request> {
  const u = new URL(url)
  const signer = new SignatureV4({ service: o.service ?? 'kms', region: o.region ?? 'us-east-1', credentials: key, sha256: Sha256 })
  const headers: Record<string, string> = { host: u.host, 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': target, ...o.headers }
  const signed = await signer.sign(
    { method: 'POST', protocol: u.protocol, hostname: u.hostname, ...(u.port ? { port: Number(u.port) } : {}), path: u.pathname, query: {}, headers, body },
    { ...(o.date ? { signingDate: o.date } : {}), ...(o.unsignable ? { unsignableHeaders: new Set(o.unsignable) } : {}) },
  )
  const out = new Headers(signed.headers as Record<string, string>)
  out.delete('host') // fetch sets it from the URL
  for (const [k, v] of Object.entries(o.unsigned ?? {})) out.set(k, v)
  return new Request(url, { method: 'POST', headers: out, body })
}
