declare module 'vitest' {
  export interface ProvidedContext {
    /** CI=true: what a test needs must be there (no skipping). */
    ci: boolean
  }
}

/** Configuration of the Worker under test: four principals of two accounts, and a root key. Test values, not secrets. */
export const ACCOUNT = '111122223333'
export const OTHER_ACCOUNT = '444455556666'
export const KEYS = {
  root: { accessKeyId: 'AKIAWEBKMSTESTROOT01', secretAccessKey: 'test-secret-of-the-account-root-0000000', principal: `arn:aws:iam::${ACCOUNT}:root` },
  alice: { accessKeyId: 'AKIAWEBKMSTESTALICE1', secretAccessKey: 'test-secret-of-alice-000000000000000000', principal: `arn:aws:iam::${ACCOUNT}:user/alice` },
  other: { accessKeyId: 'AKIAWEBKMSTESTOTHER1', secretAccessKey: 'test-secret-of-the-other-account-root00', principal: `arn:aws:iam::${OTHER_ACCOUNT}:root` },
  bob: { accessKeyId: 'AKIAWEBKMSTESTBOB001', secretAccessKey: 'test-secret-of-bob-of-the-other-account', principal: `arn:aws:iam::${OTHER_ACCOUNT}:user/bob` },
} as const

export const TEST_VARS = {
  WEBKMS_CREDENTIALS: JSON.stringify(Object.fromEntries(Object.values(KEYS).map((k) => [k.accessKeyId, { secretAccessKey: k.secretAccessKey, principal: k.principal }]))),
  WEBKMS_ROOT_KEY: 'AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=',
  WEBKMS_REGION: 'us-east-1',
  WEBKMS_CORS_ORIGINS: 'https://app.example.test',
}
