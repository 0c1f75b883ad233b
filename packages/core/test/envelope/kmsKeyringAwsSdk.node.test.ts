/**
 * The KMS keyring over the real `@aws-sdk/client-kms`, talking the AWS KMS JSON 1.1 protocol to
 * a webkms engine behind a loopback HTTP server (a minimal test double of the edge server:
 * three operations, no SigV4 check). Messages carry the `aws-kms` provider id, so the AWS
 * Encryption SDK's own KmsKeyringNode reads ours and we read its.
 */
import { KmsKeyringNode, buildClient as awsBuildClient } from '@aws-crypto/client-node'
import { DecryptCommand, EncryptCommand, GenerateDataKeyCommand, KMS, KMSClient } from '@aws-sdk/client-kms'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildClient, createKms, KmsKeyring, type Kms } from '../../src/index.js'
import { bytes } from './helpers.js'

let server: Server
let endpoint: string
let kms: Kms
let keyArn: string

const blobs = ['Plaintext', 'CiphertextBlob']
const b64 = (o: Record<string, unknown>, decode: boolean) =>
  Object.fromEntries(Object.entries(o).map(([k, v]) => [k, !blobs.includes(k) ? v : decode ? new Uint8Array(Buffer.from(v as string, 'base64')) : Buffer.from(v as Uint8Array).toString('base64')]))

beforeAll(async () => {
  kms = createKms({ region: 'us-west-2' })
  keyArn = (await kms.createKey()).KeyMetadata.Arn
  server = createServer(async (req, res) => {
    const body = await new Promise<string>((resolve) => {
      let s = ''
      req.on('data', (c) => (s += c))
      req.on('end', () => resolve(s))
    })
    const op = String(req.headers['x-amz-target']).replace('TrentService.', '')
    const method = { GenerateDataKey: kms.generateDataKey, Encrypt: kms.encrypt, Decrypt: kms.decrypt }[op]
    res.setHeader('Content-Type', 'application/x-amz-json-1.1')
    try {
      if (!method) throw Object.assign(new Error(`unsupported ${op}`), { name: 'UnsupportedOperationException' })
      const out = await method(b64(JSON.parse(body), true) as never)
      res.end(JSON.stringify(b64(out as unknown as Record<string, unknown>, false)))
    } catch (e) {
      res.statusCode = 400
      res.end(JSON.stringify({ __type: (e as Error).name, message: (e as Error).message }))
    }
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
})
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())))

const config = () => ({ endpoint, region: 'us-west-2', credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' } })

describe('KmsKeyring over @aws-sdk/client-kms', () => {
  it('a KMSClient with commands writes aws-kms; the AWS Encryption SDK decrypts it', async () => {
    const keyring = new KmsKeyring({ client: new KMSClient(config()), commands: { GenerateDataKeyCommand, EncryptCommand, DecryptCommand }, generatorKeyId: keyArn })
    expect(keyring.providerId).toBe('aws-kms')
    const { result, messageHeader } = await buildClient().encrypt(keyring, bytes(1000), { encryptionContext: { tenant: 'a' } })
    expect(messageHeader.encryptedDataKeys[0]).toMatchObject({ providerId: 'aws-kms', providerInfo: keyArn })
    const theirs = new KmsKeyringNode({ generatorKeyId: keyArn, clientProvider: () => new KMS(config()) as never })
    const out = await awsBuildClient().decrypt(theirs, result)
    expect(new Uint8Array(out.plaintext)).toEqual(bytes(1000))
    expect((await buildClient().decrypt(keyring, result)).plaintext).toEqual(bytes(1000))
  })

  it("the AWS SDK's KMS (methods) decrypts what the AWS Encryption SDK wrote", async () => {
    const theirs = new KmsKeyringNode({ generatorKeyId: keyArn, clientProvider: () => new KMS(config()) as never })
    const { result } = await awsBuildClient().encrypt(theirs, bytes(500), { encryptionContext: { tenant: 'b' } })
    const ours = new KmsKeyring({ client: new KMS(config()), keyIds: [keyArn] })
    expect((await buildClient().decrypt(ours, result)).plaintext).toEqual(bytes(500))
  })
})
