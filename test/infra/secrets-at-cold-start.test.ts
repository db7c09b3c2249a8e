/**
 * Secrets at cold start (functions/aws/secrets.ts wired in functions/aws/aws-deps.ts), with
 * the real Secrets Manager client talking to a small in-process server that answers the
 * Secrets Manager JSON protocol (`X-Amz-Target: secretsmanager.GetSecretValue`).
 *
 * It lives with the infra tests because it is the runtime half of the stack's secret wiring.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { awsApiDeps, awsVulndbDeps, awsWorkerDeps } from '../../functions/aws/aws-deps.js'
import { readServiceSecrets, REGISTRY_AUTH_FILE, SECRET_ENV, secretsManagerReader, withRegistryAuthFile } from '../../functions/aws/secrets.js'

const PREFIX = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:'
const WEBHOOK_ARN = `${PREFIX}pushscan/webhook-AbCdEf`
const API_KEY_ARN = `${PREFIX}pushscan/api-key-GhIjKl`
const AUTH_ARN = `${PREFIX}pushscan/registry-auth-MnOpQr`
const BINARY_AUTH_ARN = `${PREFIX}pushscan/registry-auth-binary-StUvWx`
const NOTIFY_ARN = `${PREFIX}pushscan/notify-YzAbCd`
const DOCKER_CONFIG = JSON.stringify({ auths: { 'registry.example.com': { auth: Buffer.from('robot:s3cret').toString('base64') } } })

const SECRETS: Record<string, { SecretString?: string; SecretBinary?: string }> = {
  [WEBHOOK_ARN]: { SecretString: 'Wh0kSecretGeneratedByCdk0123456789abcdefABCDEF\n' },
  [API_KEY_ARN]: { SecretString: 'ApiKeyGeneratedByCdk0123456789abcdefABCDEFGHIJ' },
  [AUTH_ARN]: { SecretString: DOCKER_CONFIG },
  [BINARY_AUTH_ARN]: { SecretBinary: Buffer.from(DOCKER_CONFIG).toString('base64') },
  [`${PREFIX}not-json-AAAAAA`]: { SecretString: 'this is not a docker config' },
  [`${PREFIX}empty-BBBBBB`]: { SecretString: '   ' },
  [NOTIFY_ARN]: { SecretString: 'NotifySecretGeneratedByCdk0123456789abcdefABCD' },
}

interface Seen {
  target: string | undefined
  contentType: string | undefined
  authorization: string | undefined
  body: { SecretId?: string }
}

let server: Server
let endpoint: string
let seen: Seen[] = []
let dir: string

async function bodyOf(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = []
  for await (const chunk of request) chunks.push(chunk as Buffer)
  return Buffer.concat(chunks).toString('utf8')
}

beforeAll(async () => {
  server = createServer(async (request, response) => {
    const body = JSON.parse(await bodyOf(request)) as { SecretId?: string }
    seen.push({ target: request.headers['x-amz-target'] as string | undefined, contentType: request.headers['content-type'], authorization: request.headers.authorization, body })
    const answer = (status: number, json: unknown, type?: string): void => {
      response.writeHead(status, { 'content-type': 'application/x-amz-json-1.1', ...(type ? { 'x-amzn-errortype': type } : {}) })
      response.end(JSON.stringify(json))
    }
    if (request.headers['x-amz-target'] !== 'secretsmanager.GetSecretValue') return answer(400, { __type: 'UnknownOperationException', message: 'unknown operation' }, 'UnknownOperationException')
    const secret = body.SecretId === undefined ? undefined : SECRETS[body.SecretId]
    if (!secret) return answer(400, { __type: 'ResourceNotFoundException', message: "Secrets Manager can't find the specified secret." }, 'ResourceNotFoundException')
    const name = body.SecretId!.slice(PREFIX.length, -7)
    answer(200, { ARN: body.SecretId, Name: name, VersionId: '11111111-2222-3333-4444-555555555555', VersionStages: ['AWSCURRENT'], CreatedDate: 1795000000, ...secret })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
})

afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()))
})

beforeEach(async () => {
  seen = []
  dir = await mkdtemp(join(tmpdir(), 'pushscan-secrets-'))
})

afterEach(async () => {
  await rm(dir, { recursive: true, force: true })
})

function client(): SecretsManagerClient {
  return new SecretsManagerClient({ endpoint, region: 'eu-west-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' }, maxAttempts: 1 })
}

const BASE_ENV = {
  PUSHSCAN_QUEUE_URL: 'https://sqs.eu-west-1.amazonaws.com/123456789012/scans',
  PUSHSCAN_REPORT_BUCKET: 'reports',
  PUSHSCAN_LOG_LEVEL: 'error',
}

describe('readServiceSecrets', () => {
  it('reads the webhook secret and the API key once each, by ARN, with GetSecretValue', async () => {
    const secrets = await readServiceSecrets({ [SECRET_ENV.WebhookSecretArn]: WEBHOOK_ARN, [SECRET_ENV.ApiKeyArn]: API_KEY_ARN }, secretsManagerReader(client()))
    expect(secrets).toEqual({ webhookSecret: 'Wh0kSecretGeneratedByCdk0123456789abcdefABCDEF', apiKey: 'ApiKeyGeneratedByCdk0123456789abcdefABCDEFGHIJ' })
    expect(seen.map((s) => s.body.SecretId).sort()).toEqual([API_KEY_ARN, WEBHOOK_ARN].sort())
    for (const request of seen) {
      expect(request.target).toBe('secretsmanager.GetSecretValue')
      expect(request.contentType).toBe('application/x-amz-json-1.1')
      expect(request.authorization).toMatch(/^AWS4-HMAC-SHA256 Credential=test\/\d{8}\/eu-west-1\/secretsmanager\/aws4_request/)
    }
  })

  it('reads nothing when the plain variables are set: they win', async () => {
    const secrets = await readServiceSecrets(
      { PUSHSCAN_WEBHOOK_SECRET: 'from-the-environment-123', PUSHSCAN_API_KEY: 'from-the-environment-456', [SECRET_ENV.WebhookSecretArn]: WEBHOOK_ARN, [SECRET_ENV.ApiKeyArn]: API_KEY_ARN },
      secretsManagerReader(client())
    )
    expect(secrets).toEqual({})
    expect(seen).toEqual([])
  })

  it('fails naming the variable and the ARN when a secret cannot be read', async () => {
    const missing = `${PREFIX}pushscan/gone-ZzZzZz`
    await expect(readServiceSecrets({ [SECRET_ENV.WebhookSecretArn]: missing }, secretsManagerReader(client()))).rejects.toMatchObject({
      code: 'CONFIG_INVALID_VALUE',
      temporary: true,
      message: expect.stringMatching(new RegExp(`^PUSHSCAN_WEBHOOK_SECRET_ARN: cannot read the secret ${missing}: Secrets Manager can't find the specified secret`)),
    })
  })

  it('refuses an empty secret', async () => {
    await expect(readServiceSecrets({ [SECRET_ENV.ApiKeyArn]: `${PREFIX}empty-BBBBBB` }, secretsManagerReader(client()))).rejects.toThrow(/PUSHSCAN_API_KEY_ARN: the secret .* is empty/)
  })
})

describe('withRegistryAuthFile', () => {
  it.each([
    ['a string', AUTH_ARN],
    ['a binary', BINARY_AUTH_ARN],
  ])('writes the docker config secret (%s) to a 0600 file and points PUSHSCAN_REGISTRY_AUTH at it', async (_kind, arn) => {
    const file = join(dir, 'registry-auth.json')
    await writeFile(file, 'left over from an earlier start', { mode: 0o644 })
    const env = await withRegistryAuthFile({ [SECRET_ENV.RegistryAuthSecretArn]: arn, OTHER: 'kept' }, secretsManagerReader(client()), file)
    expect(env).toEqual({ [SECRET_ENV.RegistryAuthSecretArn]: arn, OTHER: 'kept', PUSHSCAN_REGISTRY_AUTH: file })
    expect(await readFile(file, 'utf8')).toBe(DOCKER_CONFIG)
    expect((await stat(file)).mode & 0o777).toBe(0o600)
  })

  it('leaves the environment alone without the ARN, or when PUSHSCAN_REGISTRY_AUTH is set', async () => {
    const none = { OTHER: 'x' }
    expect(await withRegistryAuthFile(none, secretsManagerReader(client()), join(dir, 'a.json'))).toBe(none)
    const set = { PUSHSCAN_REGISTRY_AUTH: '/etc/pushscan/auth.json', [SECRET_ENV.RegistryAuthSecretArn]: AUTH_ARN }
    expect(await withRegistryAuthFile(set, secretsManagerReader(client()), join(dir, 'b.json'))).toBe(set)
    expect(seen).toEqual([])
  })

  it('writes to /tmp/pushscan-registry-auth.json by default', () => {
    expect(REGISTRY_AUTH_FILE).toBe('/tmp/pushscan-registry-auth.json')
  })
})

describe('the Lambda wiring (aws-deps.ts)', () => {
  it('the api takes its secrets from Secrets Manager when the ARNs are set', async () => {
    const deps = await awsApiDeps({ ...BASE_ENV, [SECRET_ENV.WebhookSecretArn]: WEBHOOK_ARN, [SECRET_ENV.ApiKeyArn]: API_KEY_ARN }, { readSecret: secretsManagerReader(client()) })
    expect(deps.config.webhookSecret).toBe('Wh0kSecretGeneratedByCdk0123456789abcdefABCDEF')
    expect(deps.config.apiKey).toBe('ApiKeyGeneratedByCdk0123456789abcdefABCDEFGHIJ')
  })

  it('the api keeps its behaviour without ARNs: the environment, or a start that fails naming the variable', async () => {
    const deps = await awsApiDeps({ ...BASE_ENV, PUSHSCAN_WEBHOOK_SECRET: 'plain-webhook-secret-1', PUSHSCAN_API_KEY: 'plain-api-key-12345678' }, { readSecret: secretsManagerReader(client()) })
    expect(deps.config).toMatchObject({ webhookSecret: 'plain-webhook-secret-1', apiKey: 'plain-api-key-12345678' })
    await expect(awsApiDeps(BASE_ENV, { readSecret: secretsManagerReader(client()) })).rejects.toThrow(/PUSHSCAN_WEBHOOK_SECRET: is not set/)
    expect(seen).toEqual([])
  })

  it('the worker writes the registry credentials and hands the file to the credentials loader', async () => {
    const file = join(dir, 'auth.json')
    await awsWorkerDeps({ ...BASE_ENV, [SECRET_ENV.RegistryAuthSecretArn]: AUTH_ARN }, { readSecret: secretsManagerReader(client()), registryAuthFile: file })
    expect(await readFile(file, 'utf8')).toBe(DOCKER_CONFIG)
    // the file is parsed at start: a secret that is not a docker config fails it, by name
    await expect(
      awsWorkerDeps({ ...BASE_ENV, [SECRET_ENV.RegistryAuthSecretArn]: `${PREFIX}not-json-AAAAAA` }, { readSecret: secretsManagerReader(client()), registryAuthFile: join(dir, 'bad.json') })
    ).rejects.toMatchObject({ code: 'CREDENTIALS_INVALID' })
  })

  it('the worker starts without the webhook secret or the API key (it is not given them)', async () => {
    await expect(awsWorkerDeps(BASE_ENV, { readSecret: secretsManagerReader(client()) })).resolves.toHaveProperty('deps.registry')
    expect(seen).toEqual([])
  })

  it('the vulnerability refresh reads its notification secret by ARN, and needs none without a notification URL', async () => {
    const env = { ...BASE_ENV, PUSHSCAN_VULNDB_SOURCES: 'https://osv-vulnerabilities.storage.googleapis.com/npm/all.zip', PUSHSCAN_NOTIFY_URL: 'https://hooks.example.org/pushscan' }
    const wired = await awsVulndbDeps({ ...env, [SECRET_ENV.NotifySecretArn]: NOTIFY_ARN }, { readSecret: secretsManagerReader(client()) })
    expect(wired.options).toEqual({ sources: ['https://osv-vulnerabilities.storage.googleapis.com/npm/all.zip'] })
    expect(wired.deps.notifier).toBeDefined()
    expect(seen.map((s) => s.body.SecretId)).toEqual([NOTIFY_ARN])
    await expect(awsVulndbDeps(env, { readSecret: secretsManagerReader(client()) })).rejects.toMatchObject({ code: 'CONFIG_MISSING', variable: 'PUSHSCAN_NOTIFY_SECRET' })
    const quiet = await awsVulndbDeps(BASE_ENV, { readSecret: secretsManagerReader(client()) })
    expect(quiet.deps.notifier).toBeUndefined()
    expect(seen).toHaveLength(1)
  })

  it('the default client follows AWS_ENDPOINT_URL_SECRETS_MANAGER', async () => {
    const saved = { ...process.env }
    try {
      Object.assign(process.env, { AWS_ENDPOINT_URL_SECRETS_MANAGER: endpoint, AWS_REGION: 'eu-west-1', AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test' })
      const deps = await awsApiDeps({ ...BASE_ENV, [SECRET_ENV.WebhookSecretArn]: WEBHOOK_ARN, [SECRET_ENV.ApiKeyArn]: API_KEY_ARN })
      expect(deps.config.apiKey).toBe('ApiKeyGeneratedByCdk0123456789abcdefABCDEFGHIJ')
      expect(seen).toHaveLength(2)
    } finally {
      process.env = saved
    }
  })
})
