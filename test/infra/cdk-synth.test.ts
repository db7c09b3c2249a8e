/**
 * The real thing: `npx cdk synth` as an operator runs it (the CLI, cdk.json, tsx, esbuild
 * from node_modules, cdk-nag on), with no AWS credentials. Then the bundles it built are
 * loaded by Node.js as Lambda would load them.
 */
import { execFile } from 'node:child_process'
import { existsSync, readFileSync, statSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { REPO_ROOT } from '../../infra/constructs/pushscan-function.js'

const run = promisify(execFile)
const OUT = join(REPO_ROOT, 'cdk.out')

interface Resource {
  Type: string
  Properties: Record<string, unknown>
  Metadata?: Record<string, unknown>
}

let template: { Resources: Record<string, Resource>; Outputs: Record<string, unknown> }
let synthSeconds: number
let home: string

/** The environment of a machine with no AWS credentials and no network to AWS. */
function noCredentialsEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {}
  for (const [name, value] of Object.entries(process.env)) {
    if (/^(AWS_|CDK_)/.test(name) && name !== 'AWS_CA_BUNDLE') continue
    env[name] = value
  }
  return {
    ...env,
    HOME: home,
    CDK_DEFAULT_ACCOUNT: '123456789012',
    CDK_DEFAULT_REGION: 'eu-west-1',
    AWS_REGION: 'eu-west-1',
    AWS_CONFIG_FILE: join(home, 'no-aws-config'),
    AWS_SHARED_CREDENTIALS_FILE: join(home, 'no-aws-credentials'),
    AWS_EC2_METADATA_DISABLED: 'true',
    CDK_DISABLE_VERSION_CHECK: 'true',
  }
}

beforeAll(async () => {
  home = await mkdtemp(join(tmpdir(), 'pushscan-synth-'))
  await rm(OUT, { recursive: true, force: true })
  const started = performance.now()
  await run('npx', ['cdk', 'synth', '--quiet'], { cwd: REPO_ROOT, env: noCredentialsEnv(), timeout: 110_000, maxBuffer: 16 * 1024 * 1024 })
  synthSeconds = (performance.now() - started) / 1000
  template = JSON.parse(readFileSync(join(OUT, 'PushscanStack.template.json'), 'utf8'))
}, 120_000)

afterAll(async () => {
  await rm(home, { recursive: true, force: true })
})

function ofType(type: string): Array<[string, Resource]> {
  return Object.entries(template.Resources).filter(([, r]) => r.Type === type)
}

describe('npx cdk synth', () => {
  it('exits 0 without credentials and writes the stack template', () => {
    expect(existsSync(join(OUT, 'PushscanStack.template.json'))).toBe(true)
    console.info(`cdk synth took ${synthSeconds.toFixed(1)} s`)
  })

  it('holds the api function, the worker, the vulnerability refresh, the queue and its dead-letter queue, the bucket, the ECR rule, the schedule and the alarms', () => {
    const functions = ofType('AWS::Lambda::Function').map(([id]) => id)
    expect(functions).toEqual(expect.arrayContaining([expect.stringMatching(/^ApiFunction/), expect.stringMatching(/^ScansWorker/), expect.stringMatching(/^VulndbFunction/)]))
    expect(ofType('AWS::SQS::Queue').map(([id]) => id).sort()).toEqual([expect.stringMatching(/^ScansDeadLetterQueue/), expect.stringMatching(/^ScansQueue/)])
    expect(ofType('AWS::S3::Bucket')).toHaveLength(1)
    expect(ofType('AWS::Events::Rule')).toHaveLength(2)
    expect(ofType('AWS::CloudWatch::Alarm').map(([, r]) => r.Properties.MetricName).sort()).toEqual(['ApproximateAgeOfOldestMessage', 'ApproximateNumberOfMessagesVisible', 'Errors'])
    expect(ofType('AWS::SecretsManager::Secret')).toHaveLength(2)
    expect(ofType('AWS::ApiGatewayV2::Api')).toHaveLength(1)
    for (const [, fn] of ofType('AWS::Lambda::Function')) {
      expect(fn.Properties).toMatchObject({ Runtime: 'nodejs22.x', Architectures: ['arm64'] })
      expect(JSON.stringify(fn.Properties.Code)).toContain('cdk-hnb659fds-assets-123456789012-eu-west-1')
    }
  })

  it('bundled each function into one small ES module with a source map', () => {
    for (const [, fn] of ofType('AWS::Lambda::Function')) {
      const dir = join(OUT, String(fn.Metadata?.['aws:asset:path']))
      const size = statSync(join(dir, 'index.mjs')).size
      expect(size).toBeLessThan(2 * 1024 * 1024)
      expect(existsSync(join(dir, 'index.mjs.map'))).toBe(true)
      const code = readFileSync(join(dir, 'index.mjs'), 'utf8')
      expect(code.startsWith("import { createRequire as __pushscanCreateRequire } from 'node:module';")).toBe(true)
      // the SDK is the runtime's: imported, not bundled
      expect(code).toMatch(/from"@aws-sdk\/client-s3"/)
      expect(code).not.toMatch(/@smithy\/smithy-client|class S3Client\b/)
    }
  })

  it('the bundles load as Lambda loads them (ESM, top-level await) and answer', async () => {
    const api = ofType('AWS::Lambda::Function').find(([id]) => id.startsWith('ApiFunction'))![1]
    const worker = ofType('AWS::Lambda::Function').find(([id]) => id.startsWith('ScansWorker'))![1]
    const refresh = ofType('AWS::Lambda::Function').find(([id]) => id.startsWith('VulndbFunction'))![1]
    const script = `
      const api = await import(process.argv[1] + '/index.mjs')
      const health = await api.handler({ version: '2.0', routeKey: 'GET /healthz', rawPath: '/healthz', rawQueryString: '', headers: {},
        requestContext: { http: { method: 'GET', path: '/healthz', protocol: 'HTTP/1.1', sourceIp: '203.0.113.1', userAgent: 'test' },
          stage: '$default', requestId: 'r', accountId: '123456789012', apiId: 'a', domainName: 'd', domainPrefix: 'd', routeKey: 'GET /healthz', time: '', timeEpoch: 0 },
        isBase64Encoded: false }, {})
      const worker = await import(process.argv[2] + '/index.mjs')
      const batch = await worker.handler({ Records: [{ messageId: 'm-1', body: '{}', attributes: { SentTimestamp: '0' } }] }, {}, () => {})
      const refresh = await import(process.argv[3] + '/index.mjs')
      process.stdout.write(JSON.stringify({ health, batch, refresh: typeof refresh.handler }))
    `
    const { stdout } = await run(process.execPath, ['--enable-source-maps', '--input-type=module', '-e', script, join(OUT, String(api.Metadata?.['aws:asset:path'])), join(OUT, String(worker.Metadata?.['aws:asset:path'])), join(OUT, String(refresh.Metadata?.['aws:asset:path']))], {
      cwd: REPO_ROOT,
      env: {
        ...noCredentialsEnv(),
        AWS_ACCESS_KEY_ID: 'test',
        AWS_SECRET_ACCESS_KEY: 'test',
        PUSHSCAN_QUEUE_URL: 'https://sqs.eu-west-1.amazonaws.com/123456789012/scans',
        PUSHSCAN_REPORT_BUCKET: 'reports',
        PUSHSCAN_WEBHOOK_SECRET: 'webhook-secret-for-the-test',
        PUSHSCAN_API_KEY: 'api-key-for-the-test-12345',
        PUSHSCAN_LOG_LEVEL: 'error',
      },
      timeout: 30_000,
    })
    const result = JSON.parse(stdout.slice(stdout.indexOf('{"health"')))
    expect(result.health).toMatchObject({ statusCode: 200, body: '{"status":"ok"}' })
    // `{}` is no scan request: the worker reports the message as failed, as SQS expects
    expect(result.batch).toEqual({ batchItemFailures: [{ itemIdentifier: 'm-1' }] })
    // the refresh wires itself at load (no sources, no notification here) and exports its handler
    expect(result.refresh).toBe('function')
  }, 60_000)
})
