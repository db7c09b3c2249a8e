import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3'
import { CreateQueueCommand, DeleteMessageCommand, GetQueueAttributesCommand, ReceiveMessageCommand, type Message } from '@aws-sdk/client-sqs'
import type { SQSEvent } from 'aws-lambda'
import { Agent } from 'undici'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { S3ObjectStore } from '../../../functions/aws/s3-object-store.js'
import { SqsScanQueue } from '../../../functions/aws/sqs-scan-queue.js'
import { handleMessage } from '../../../functions/worker/handle-message.js'
import { processBatch } from '../../../functions/worker/process-batch.js'
import { createAnalyzerSet } from '../../../shared/analyzers/index.js'
import { DEFAULT_LIMITS } from '../../../shared/layers/limits.js'
import { parseRegistryPolicy } from '../../../shared/policy/registry-policy.js'
import { systemClock } from '../../../shared/ports/clock.js'
import { silentLogger } from '../../../shared/ports/logger.js'
import { ReportStore } from '../../../shared/report/report-store.js'
import { UndiciRegistryClient } from '../../../shared/registry/undici-registry-client.js'
import type { WorkerDeps } from '../../../shared/scan/process-scan-request.js'
import { createScanRequest } from '../../../shared/scan/scan-request.js'
import { startAwsEmulator, type AwsEmulator } from '../../support/fauxqs.js'
import { buildImage, buildLayer } from '../../support/image-builder.js'
import { pushImage } from '../../support/registry-push.js'

let aws: AwsEmulator
let queueUrl: string
const BUCKET = 'pushscan-reports'

beforeAll(async () => {
  aws = await startAwsEmulator()
  await aws.s3.send(new CreateBucketCommand({ Bucket: BUCKET }))
  queueUrl = (await aws.sqs.send(new CreateQueueCommand({ QueueName: 'pushscan-scans', Attributes: { VisibilityTimeout: '30' } }))).QueueUrl!
})

afterAll(async () => {
  await aws.stop()
})

function sqsEvent(bodies: Array<{ id: string; body: string }>): SQSEvent {
  return {
    Records: bodies.map(({ id, body }) => ({
      messageId: id,
      receiptHandle: `handle-${id}`,
      body,
      attributes: { ApproximateReceiveCount: '1', SentTimestamp: String(Date.now()), SenderId: 'x', ApproximateFirstReceiveTimestamp: String(Date.now()) },
      messageAttributes: {},
      md5OfBody: '',
      eventSource: 'aws:sqs',
      eventSourceARN: 'arn:aws:sqs:us-east-1:000000000000:pushscan-scans',
      awsRegion: 'us-east-1',
    })),
  }
}

describe('S3ObjectStore against an S3 emulator', () => {
  it('stores and reads objects, with their ETag', async () => {
    const store = new S3ObjectStore(aws.s3, BUCKET)
    expect(await store.get('reports/sha256/none.json')).toBeUndefined()
    expect(await store.put('tags/a/b.json', Buffer.from('one'), { contentType: 'application/json' })).toBe(true)
    const first = await store.get('tags/a/b.json')
    expect(first?.bytes.toString()).toBe('one')
    expect(first?.etag).toBeTruthy()
    expect(await store.put('tags/a/b.json', Buffer.from('two'))).toBe(true)
    expect((await store.get('tags/a/b.json'))?.bytes.toString()).toBe('two')
  })

  it('lists keys under a prefix across pages, and deletes', async () => {
    const store = new S3ObjectStore(aws.s3, BUCKET, 'listing/')
    const keys = Array.from({ length: 1005 }, (_, i) => `reports/sha256/${String(i).padStart(4, '0')}.json`)
    for (const key of keys) await store.put(key, Buffer.from('x'))
    await store.put('tags/a.json', Buffer.from('x'))
    const listed: string[] = []
    for await (const key of store.list('reports/')) listed.push(key)
    expect(listed).toEqual(keys)
    await store.delete('reports/sha256/0000.json')
    await store.delete('reports/sha256/0000.json')
    expect(await store.get('reports/sha256/0000.json')).toBeUndefined()
    expect(await store.get('reports/sha256/0001.json')).toBeDefined()
  })

  // The emulator ignores conditional PUTs (S3 has had them since 2024), so this part runs
  // against a stand-in that answers as S3 does: 412 PreconditionFailed.
  it('sends If-None-Match / If-Match and reads a 412 as "not written"', async () => {
    const seen: Array<Record<string, string | string[] | undefined>> = []
    const server = createServer((request, response) => {
      seen.push(request.headers)
      request.resume()
      request.on('end', () => {
        response.writeHead(412, { 'content-type': 'application/xml' })
        response.end('<?xml version="1.0" encoding="UTF-8"?><Error><Code>PreconditionFailed</Code><Message>At least one of the pre-conditions you specified did not hold</Message></Error>')
      })
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    const { port } = server.address() as AddressInfo
    const client = new S3Client({ endpoint: `http://127.0.0.1:${port}`, region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'y' }, forcePathStyle: true, maxAttempts: 1 })
    try {
      const store = new S3ObjectStore(client, BUCKET)
      expect(await store.put('k', Buffer.from('v'), { ifMatch: null })).toBe(false)
      expect(await store.put('k', Buffer.from('v'), { ifMatch: '"abc"' })).toBe(false)
      expect(seen.map((h) => [h['if-none-match'], h['if-match']])).toEqual([
        ['*', undefined],
        [undefined, '"abc"'],
      ])
    } finally {
      client.destroy()
      server.closeAllConnections()
      await new Promise((resolve) => server.close(resolve))
    }
  })

  it('keeps a tag history through the report store', async () => {
    const reports = new ReportStore(new S3ObjectStore(aws.s3, BUCKET))
    const a = `sha256:${'1'.repeat(64)}`
    const b = `sha256:${'2'.repeat(64)}`
    await reports.recordTag('127.0.0.1:5000', 'team/app', 'v1', a, '2026-11-29T00:00:00.000Z')
    await reports.recordTag('127.0.0.1:5000', 'team/app', 'v1', b, '2026-11-29T01:00:00.000Z')
    const record = await reports.getTag('127.0.0.1:5000', 'team/app', 'v1')
    expect(record?.history.map((h) => h.digest)).toEqual([b, a])
  })
})

describe('SqsScanQueue and the worker against an SQS emulator and a real registry', () => {
  let messages: Message[]
  let deps: WorkerDeps
  let agent: Agent
  let digest: string

  beforeAll(async () => {
    const registry = inject('registryNoAuth')
    const image = buildImage({ format: 'oci', layers: [await buildLayer([{ name: 'etc/os-release', content: 'ID=alpine\nVERSION_ID=3.20.1\n' }], { compression: 'gzip' })] })
    digest = (await pushImage(registry, 'aws/app', image, ['v1'])).digest
    agent = new Agent()
    deps = {
      registry: new UndiciRegistryClient({ dispatcher: agent, insecureRegistries: [registry.host] }),
      reports: new ReportStore(new S3ObjectStore(aws.s3, BUCKET)),
      policy: parseRegistryPolicy(registry.host),
      scan: { analyzers: createAnalyzerSet(), limits: DEFAULT_LIMITS, clock: systemClock, logger: silentLogger, scanner: { name: 'pushscan', version: 'test' } },
    }
    // the api side sends two requests: one for a tag that exists, one for a tag that does not
    const queue = new SqsScanQueue(aws.sqs, queueUrl)
    const base = { registry: registry.host, repository: 'aws/app', source: 'manual' as const, receivedAt: new Date().toISOString() }
    await queue.enqueue([createScanRequest({ ...base, tag: 'v1', requestId: 'one' }), createScanRequest({ ...base, tag: 'missing', requestId: 'two' })])
    messages = (await aws.sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }))).Messages ?? []
  })

  afterAll(async () => {
    await agent.close()
  })

  it('sends scan requests as SQS messages', () => {
    expect(messages.map((m) => (JSON.parse(m.Body!) as { requestId: string }).requestId).sort()).toEqual(['one', 'two'])
  })

  it('scans each message of a batch and stores the report in S3 by digest and tag', async () => {
    const event = sqsEvent(messages.map((m) => ({ id: m.MessageId!, body: m.Body! })))
    const response = await processBatch(event, (record) => handleMessage(record.body, new Date().toISOString(), record.messageId, deps).then(() => {}), silentLogger)
    expect(response).toEqual({ batchItemFailures: [] })
    expect(await deps.reports.getReport(digest)).toMatchObject({ status: 'complete', subject: { digest, tags: ['v1'] } })
    expect((await deps.reports.getTag(inject('registryNoAuth').host, 'aws/app', 'v1'))?.digest).toBe(digest)
    for (const m of messages) await aws.sqs.send(new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: m.ReceiptHandle! }))
    const attributes = await aws.sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['ApproximateNumberOfMessages'] }))
    expect(attributes.Attributes?.ApproximateNumberOfMessages).toBe('0')
  })

  it('returns temporary failures and unreadable messages as batch item failures, and takes ECR events', async () => {
    // a registry that refuses connections: temporary; an ECR DELETE event: nothing to do; garbage: fails
    const down: WorkerDeps = {
      ...deps,
      registry: new UndiciRegistryClient({ dispatcher: agent, insecureRegistries: ['127.0.0.1:9'], retry: { attempts: 1 } }),
      policy: parseRegistryPolicy('127.0.0.1:9'),
    }
    const request = createScanRequest({ registry: '127.0.0.1:9', repository: 'x/y', tag: 'v1', source: 'manual', receivedAt: new Date().toISOString(), requestId: 'down' })
    const ecrDelete = {
      version: '0',
      id: 'e1',
      'detail-type': 'ECR Image Action',
      source: 'aws.ecr',
      account: '123456789012',
      time: '2026-11-29T00:00:00Z',
      region: 'eu-west-1',
      resources: [],
      detail: { result: 'SUCCESS', 'repository-name': 'app', 'image-digest': digest, 'action-type': 'DELETE' },
    }
    const event = sqsEvent([
      { id: 'm0', body: JSON.stringify(request) },
      { id: 'm1', body: JSON.stringify(ecrDelete) },
      { id: 'm2', body: 'not json' },
    ])
    const response = await processBatch(event, (record) => handleMessage(record.body, new Date().toISOString(), record.messageId, down).then(() => {}), silentLogger)
    expect(response.batchItemFailures.map((f) => f.itemIdentifier)).toEqual(['m0', 'm2'])
  })
})
