import { createHmac } from 'node:crypto'
import { beforeEach, describe, expect, it } from 'vitest'
import { handle } from 'hono/aws-lambda'
import type { APIGatewayProxyEventV2 } from 'aws-lambda'
import { createApp } from '../../../functions/api/app.js'
import { parseRegistryPolicy } from '../../../shared/policy/registry-policy.js'
import { fixedClock } from '../../../shared/ports/clock.js'
import { silentLogger } from '../../../shared/ports/logger.js'
import { ReportStore } from '../../../shared/report/report-store.js'
import type { ImageReport } from '../../../shared/report/model.js'
import { MemoryObjectStore, RecordingQueue } from '../../support/memory-stores.js'
import { expectValidExport } from '../../support/official-schemas.js'
import { sampleImageReport } from '../../shared/report/exporters/sample-reports.js'

const SECRET = 'webhook-secret-0123456789'
const API_KEY = 'api-key-0123456789abcdef'
const DIGEST = `sha256:${'a'.repeat(64)}`
const CHILD = `sha256:${'b'.repeat(64)}`

let queue: RecordingQueue
let reports: ReportStore
let app: ReturnType<typeof createApp>

beforeEach(() => {
  queue = new RecordingQueue()
  reports = new ReportStore(new MemoryObjectStore())
  let n = 0
  app = createApp({
    queue,
    reports,
    config: { policy: parseRegistryPolicy('docker.io,ghcr.io,quay.io,registry.example.com,harbor.example.com'), webhookSecret: SECRET, apiKey: API_KEY },
    clock: fixedClock('2026-11-29T10:00:00Z'),
    logger: silentLogger,
    maxBodyBytes: 64 * 1024,
    newId: () => `id-${++n}`,
  })
})

const json = (body: unknown, headers: Record<string, string> = {}): RequestInit => ({
  method: 'POST',
  headers: { 'content-type': 'application/json', ...headers },
  body: typeof body === 'string' ? body : JSON.stringify(body),
})

const dockerHub = { push_data: { pushed_at: 1732870000.5, pusher: 'someone', tag: '1.2' }, repository: { repo_name: 'acme/app', namespace: 'acme', name: 'app' } }

const distributionPush = (registry = 'registry.example.com') => ({
  events: [
    {
      id: 'evt-1',
      timestamp: '2026-11-29T09:59:59Z',
      action: 'push',
      target: { mediaType: 'application/vnd.oci.image.manifest.v1+json', size: 816, digest: DIGEST, length: 816, repository: 'team/app', url: `http://${registry}/v2/team/app/manifests/${DIGEST}`, tag: 'latest' },
      request: { id: 'r', addr: '10.0.0.1:1234', host: registry, method: 'PUT', useragent: 'skopeo' },
      actor: {},
      source: { addr: 'vm:5000', instanceID: 'x' },
    },
  ],
})

describe('webhooks', () => {
  it('queues a Docker Hub push for its tag (the worker resolves the digest)', async () => {
    const res = await app.request(`/webhooks/dockerhub/${SECRET}`, json(dockerHub))
    expect(res.status).toBe(202)
    expect(queue.requests).toEqual([expect.objectContaining({ registry: 'docker.io', repository: 'acme/app', reference: '1.2', tag: '1.2', source: 'dockerhub' })])
    expect(queue.requests[0]!.digest).toBeUndefined()
    expect(await res.json()).toEqual({ queued: [expect.objectContaining({ registry: 'docker.io', repository: 'acme/app', reference: '1.2' })] })
  })

  it('queues a distribution push with the v1 media type and a bearer secret', async () => {
    const res = await app.request('/webhooks/distribution', json(distributionPush(), { 'content-type': 'application/vnd.docker.distribution.events.v1+json', authorization: `Bearer ${SECRET}` }))
    expect(res.status).toBe(202)
    expect(queue.requests).toEqual([expect.objectContaining({ registry: 'registry.example.com', repository: 'team/app', digest: DIGEST, tag: 'latest', requestId: 'evt-1' })])
  })

  it('queues a Harbor PUSH_ARTIFACT with the secret sent verbatim as Authorization', async () => {
    const body = {
      type: 'PUSH_ARTIFACT',
      occur_at: 1732870000,
      operator: 'admin',
      event_data: { resources: [{ digest: DIGEST, tag: 'v1', resource_url: `harbor.example.com/proj/app:v1` }], repository: { name: 'app', namespace: 'proj', repo_full_name: 'proj/app', repo_type: 'private' } },
    }
    const res = await app.request('/webhooks/harbor', json(body, { authorization: SECRET }))
    expect(res.status).toBe(202)
    expect(queue.requests).toEqual([expect.objectContaining({ registry: 'harbor.example.com', repository: 'proj/app', digest: DIGEST, tag: 'v1' })])
  })

  it('queues a GitHub package event signed with X-Hub-Signature-256 over the raw body', async () => {
    const raw = JSON.stringify({
      action: 'published',
      package: {
        name: 'App',
        package_type: 'container',
        owner: { login: 'Acme' },
        package_version: { name: DIGEST, version: DIGEST, container_metadata: { tag: { name: 'v2', digest: DIGEST }, manifest: { digest: DIGEST } } },
      },
    })
    const signature = `sha256=${createHmac('sha256', SECRET).update(raw).digest('hex')}`
    const res = await app.request('/webhooks/github', json(raw, { 'x-github-event': 'package', 'x-github-delivery': 'gh-1', 'x-hub-signature-256': signature }))
    expect(res.status).toBe(202)
    expect(queue.requests).toEqual([expect.objectContaining({ registry: 'ghcr.io', repository: 'acme/app', digest: DIGEST, tag: 'v2', source: 'github' })])
  })

  it('queues one request per tag of a Quay repo_push', async () => {
    const body = { repository: 'ns/app', namespace: 'ns', name: 'app', docker_url: 'quay.io/ns/app', homepage: 'https://quay.io/repository/ns/app', updated_tags: ['1', '1.0'] }
    const res = await app.request(`/webhooks/quay/${SECRET}`, json(body))
    expect(res.status).toBe(202)
    expect(queue.requests.map((r) => `${r.registry}/${r.repository}:${r.tag}`)).toEqual(['quay.io/ns/app:1', 'quay.io/ns/app:1.0'])
  })

  it.each([
    ['dockerhub with a wrong path secret', `/webhooks/dockerhub/wrong-secret-1234567`, {}],
    ['quay with a wrong path secret', `/webhooks/quay/x`, {}],
    ['distribution without Authorization', '/webhooks/distribution', {}],
    ['distribution with a wrong bearer', '/webhooks/distribution', { authorization: 'Bearer nope' }],
    ['harbor with a wrong header', '/webhooks/harbor', { authorization: 'nope' }],
    ['github without a signature', '/webhooks/github', { 'x-github-event': 'package' }],
    ['github with a wrong signature', '/webhooks/github', { 'x-github-event': 'package', 'x-hub-signature-256': `sha256=${'0'.repeat(64)}` }],
  ])('answers 401 to %s and queues nothing', async (_name, path, headers) => {
    const res = await app.request(path, json(distributionPush(), headers))
    expect(res.status).toBe(401)
    expect(await res.json()).toMatchObject({ code: 'WEBHOOK_UNAUTHORIZED' })
    expect(queue.requests).toEqual([])
  })

  it.each([
    ['invalid JSON', '{"events": [', /not valid JSON/],
    ['JSON of the wrong shape', { events: 'nope' }, /events/],
    ['an event without a target', { events: [{ id: 'x', action: 'push' }] }, /target/],
  ])('answers 400 with a message to %s', async (_name, body, message) => {
    const res = await app.request('/webhooks/distribution', json(body, { authorization: `Bearer ${SECRET}` }))
    expect(res.status).toBe(400)
    const answer = (await res.json()) as { error: string; code: string }
    expect(answer.code).toBe('WEBHOOK_INVALID')
    expect(answer.error).toMatch(message)
    expect(queue.requests).toEqual([])
  })

  it('answers 202 ignored to events that are not pushes', async () => {
    const pull = distributionPush()
    pull.events[0]!.action = 'pull'
    const res = await app.request('/webhooks/distribution', json(pull, { authorization: `Bearer ${SECRET}` }))
    expect(res.status).toBe(202)
    expect(await res.json()).toEqual({ ignored: expect.any(String) })
    expect(queue.requests).toEqual([])
  })

  it('answers 403 for a registry that is not allowed, and queues nothing', async () => {
    const res = await app.request('/webhooks/distribution', json(distributionPush('169.254.169.254'), { authorization: `Bearer ${SECRET}` }))
    expect(res.status).toBe(403)
    expect(await res.json()).toMatchObject({ code: 'REGISTRY_NOT_ALLOWED' })
    expect(queue.requests).toEqual([])
  })

  it('answers 503 when the queue cannot take the requests, so the sender retries', async () => {
    queue.failing = true
    const res = await app.request(`/webhooks/dockerhub/${SECRET}`, json(dockerHub))
    expect(res.status).toBe(503)
    expect(await res.json()).toMatchObject({ code: 'QUEUE_UNAVAILABLE' })
  })

  it('answers 413 to a body over the limit', async () => {
    const res = await app.request(`/webhooks/dockerhub/${SECRET}`, json({ ...dockerHub, padding: 'x'.repeat(70 * 1024) }))
    expect(res.status).toBe(413)
    expect(queue.requests).toEqual([])
  })
})

describe('manual scans and reports', () => {
  const auth = { authorization: `Bearer ${API_KEY}` }

  it('queues POST /scans with the API key', async () => {
    const res = await app.request('/scans', json({ image: 'ghcr.io/acme/app:3' }, auth))
    expect(res.status).toBe(202)
    expect(queue.requests).toEqual([expect.objectContaining({ registry: 'ghcr.io', repository: 'acme/app', tag: '3', source: 'manual' })])
  })

  it.each([
    ['no key', {}],
    ['a wrong key', { authorization: 'Bearer nope' }],
  ])('answers 401 to reads with %s', async (_name, headers) => {
    expect((await app.request(`/reports/${DIGEST}`, { headers })).status).toBe(401)
    expect((await app.request('/scans', json({ image: 'nginx' }, headers))).status).toBe(401)
  })

  it('answers 400 to a bad reference and 403 to a registry not allowed', async () => {
    expect((await app.request('/scans', json({ image: 'Not A Ref' }, auth))).status).toBe(400)
    expect((await app.request('/scans', json({ image: '10.0.0.5:5000/x:1' }, auth))).status).toBe(403)
    expect(queue.requests).toEqual([])
  })

  it('serves a stored report by digest, and a tag with its history', async () => {
    // Prepare: a report for DIGEST, then the tag moved from CHILD to DIGEST
    const report = { schemaVersion: 1, kind: 'image', status: 'complete', subject: { source: 'registry', registry: 'docker.io', repository: 'acme/app', digest: DIGEST, tags: ['1.2'] } } as unknown as ImageReport
    await reports.putReport(report)
    await reports.recordTag('docker.io', 'acme/app', '1.2', CHILD, '2026-11-28T00:00:00.000Z')
    await reports.recordTag('docker.io', 'acme/app', '1.2', DIGEST, '2026-11-29T00:00:00.000Z')
    // Act
    const byDigest = await app.request(`/reports/${DIGEST}`, { headers: auth })
    const byTag = await app.request('/images/docker.io/acme/app/tags/1.2', { headers: auth })
    const missing = await app.request(`/reports/${CHILD}`, { headers: auth })
    // Assess
    expect(byDigest.status).toBe(200)
    expect(await byDigest.json()).toMatchObject({ subject: { digest: DIGEST } })
    expect(missing.status).toBe(404)
    expect(await byTag.json()).toMatchObject({
      digest: DIGEST,
      history: [{ digest: DIGEST }, { digest: CHILD }],
      report: { subject: { digest: DIGEST } },
    })
    expect((await app.request('/reports/sha256:short', { headers: auth })).status).toBe(400)
    expect((await app.request(`/reports/${DIGEST}?format=xml`, { headers: auth })).status).toBe(400)
  })

  it.each([
    ['cyclonedx', 'application/vnd.cyclonedx+json; version=1.6'],
    ['spdx', 'application/spdx+json'],
    ['sarif', 'application/sarif+json'],
  ] as const)('serves a stored report as %s with Content-Type %s', async (format, contentType) => {
    // Prepare
    const report = sampleImageReport({ subject: { ...sampleImageReport().subject, digest: DIGEST } })
    await reports.putReport(report)
    // Act
    const res = await app.request(`/reports/${DIGEST}?format=${format}`, { headers: auth })
    // Assess
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toBe(contentType)
    const body = await res.text()
    expect(body.endsWith('\n')).toBe(true)
    const document = JSON.parse(body) as Record<string, unknown>
    expectValidExport(format, document)
    expect(body).toContain(DIGEST.slice('sha256:'.length))
  })

  it('answers 400 with the error shape to an unknown format, before looking for the report', async () => {
    const res = await app.request(`/reports/${DIGEST}?format=xml`, { headers: auth })
    expect(res.status).toBe(400)
    expect(await res.json()).toEqual({ error: 'unknown format "xml"; use one of json, cyclonedx, spdx, sarif', code: 'USAGE' })
    expect((await app.request(`/reports/${CHILD}?format=spdx`, { headers: auth })).status).toBe(404)
  })

  it('answers 500 REPORT_INVALID when a stored report cannot be exported', async () => {
    await reports.putReport(sampleImageReport({ subject: { ...sampleImageReport().subject, digest: DIGEST }, scannedAt: 'not a time' }))
    const res = await app.request(`/reports/${DIGEST}?format=spdx`, { headers: auth })
    expect(res.status).toBe(500)
    expect(await res.json()).toMatchObject({ code: 'REPORT_INVALID' })
  })

  it('answers /healthz without a key', async () => {
    expect(await (await app.request('/healthz')).json()).toEqual({ status: 'ok' })
  })
})

describe('the Lambda adapter', () => {
  function event(overrides: Partial<APIGatewayProxyEventV2>, body: string, base64: boolean): APIGatewayProxyEventV2 {
    return {
      version: '2.0',
      routeKey: '$default',
      rawPath: overrides.rawPath ?? '/',
      rawQueryString: '',
      headers: { 'content-type': 'application/json', ...overrides.headers },
      requestContext: {
        accountId: '123456789012',
        apiId: 'api',
        domainName: 'abc.lambda-url.eu-west-1.on.aws',
        domainPrefix: 'abc',
        http: { method: 'POST', path: overrides.rawPath ?? '/', protocol: 'HTTP/1.1', sourceIp: '203.0.113.9', userAgent: 'test' },
        requestId: 'req',
        routeKey: '$default',
        stage: '$default',
        time: '29/Nov/2026:10:00:00 +0000',
        timeEpoch: 1795000000000,
      },
      body: base64 ? Buffer.from(body).toString('base64') : body,
      isBase64Encoded: base64,
    }
  }

  it.each([
    ['an API Gateway HTTP API event', false],
    ['a Function URL event with a base64 body', true],
  ])('accepts a webhook from %s', async (_name, base64) => {
    const handler = handle(app)
    const lambdaEvent = event({ rawPath: `/webhooks/dockerhub/${SECRET}` }, JSON.stringify(dockerHub), base64) as unknown as Parameters<typeof handler>[0]
    const result = (await handler(lambdaEvent, {} as never)) as { statusCode: number; body: string }
    expect(result.statusCode).toBe(202)
    expect(JSON.parse(result.body)).toMatchObject({ queued: [{ repository: 'acme/app' }] })
    expect(queue.requests).toHaveLength(1)
  })
})
