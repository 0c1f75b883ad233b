// Reads the body (as the KMS endpoint must) and answers as a KMS call would, with no work in between.
export default {
  async fetch(request) {
    await request.arrayBuffer()
    return new Response('{"KeyId":"arn:aws:kms:us-east-1:111122223333:key/00000000-0000-4000-8000-000000000000"}', {
      headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-RequestId': crypto.randomUUID() },
    })
  },
}
