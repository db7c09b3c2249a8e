/**
 * The Lambda entry points themselves (functions/api/handler.ts, functions/worker/handler.ts),
 * wired from the environment as in AWS, against the S3 + SQS emulator and a real registry.
 */
import { CreateBucketCommand } from '@aws-sdk/client-s3'
import { CreateQueueCommand, ReceiveMessageCommand } from '@aws-sdk/client-sqs'
import type { APIGatewayProxyEventV2, SQSEvent } from 'aws-lambda'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { startAwsEmulator, type AwsEmulator } from '../../support/fauxqs.js'
import { buildImage, buildLayer } from '../../support/image-builder.js'
import { pushImage } from '../../support/registry-push.js'

const SECRET = 'lambda-webhook-secret-123'
const API_KEY = 'lambda-api-key-123456789'

let aws: AwsEmulator
let queueUrl: string
const saved = { ...process.env }

beforeAll(async () => {
  aws = await startAwsEmulator()
  await aws.s3.send(new CreateBucketCommand({ Bucket: 'reports' }))
  queueUrl = (await aws.sqs.send(new CreateQueueCommand({ QueueName: 'scans' }))).QueueUrl!
  const registry = inject('registryNoAuth')
  Object.assign(process.env, {
    AWS_ENDPOINT_URL: aws.endpoint,
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'test',
    AWS_SECRET_ACCESS_KEY: 'test',
    AWS_S3_FORCE_PATH_STYLE: 'true',
    PUSHSCAN_REPORT_BUCKET: 'reports',
    PUSHSCAN_QUEUE_URL: queueUrl,
    PUSHSCAN_WEBHOOK_SECRET: SECRET,
    PUSHSCAN_API_KEY: API_KEY,
    PUSHSCAN_ALLOWED_REGISTRIES: registry.host,
    PUSHSCAN_INSECURE_REGISTRIES: registry.host,
    PUSHSCAN_LOG_LEVEL: 'error',
  })
})

afterAll(async () => {
  process.env = saved
  await aws.stop()
})

function httpEvent(path: string, method: string, body: string | undefined, headers: Record<string, string>): APIGatewayProxyEventV2 {
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath: path,
    rawQueryString: '',
    headers: { 'content-type': 'application/json', ...headers },
    requestContext: {
      accountId: '123456789012',
      apiId: 'api',
      domainName: 'api.example.com',
      domainPrefix: 'api',
      http: { method, path, protocol: 'HTTP/1.1', sourceIp: '203.0.113.9', userAgent: 'test' },
      requestId: 'req',
      routeKey: '$default',
      stage: '$default',
      time: '29/Nov/2026:10:00:00 +0000',
      timeEpoch: 1795000000000,
    },
    ...(body !== undefined ? { body } : {}),
    isBase64Encoded: false,
  }
}

describe('the Lambda handlers, wired from the environment', () => {
  it('takes a push through the api handler, SQS and the worker handler into S3', async () => {
    // Prepare
    const registry = inject('registryNoAuth')
    const image = buildImage({ format: 'oci', layers: [await buildLayer([{ name: 'etc/os-release', content: 'ID=alpine\nVERSION_ID=3.21.0\n' }], { compression: 'gzip' })] })
    const { digest } = await pushImage(registry, 'lambda/app', image, ['v1'])
    const { handler: api } = await import('../../../functions/api/handler.js')
    const { handler: worker } = await import('../../../functions/worker/handler.js')
    const invoke = (event: APIGatewayProxyEventV2) => api(event as never, {} as never) as Promise<{ statusCode: number; body: string }>

    // Act 1: a manual scan through the api handler lands on the queue
    const queued = await invoke(httpEvent('/scans', 'POST', JSON.stringify({ image: `${registry.host}/lambda/app:v1` }), { authorization: `Bearer ${API_KEY}` }))
    expect(queued.statusCode).toBe(202)
    const messages = (await aws.sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }))).Messages ?? []
    expect(messages).toHaveLength(1)

    // Act 2: the worker handler gets them as an SQS event
    const event: SQSEvent = {
      Records: messages.map((m) => ({
        messageId: m.MessageId!,
        receiptHandle: m.ReceiptHandle!,
        body: m.Body!,
        attributes: { ApproximateReceiveCount: '1', SentTimestamp: String(Date.now()), SenderId: 'x', ApproximateFirstReceiveTimestamp: String(Date.now()) },
        messageAttributes: {},
        md5OfBody: m.MD5OfBody ?? '',
        eventSource: 'aws:sqs',
        eventSourceARN: 'arn:aws:sqs:us-east-1:000000000000:scans',
        awsRegion: 'us-east-1',
      })),
    }
    const result = await worker(event, {} as never, () => {})
    expect(result).toEqual({ batchItemFailures: [] })

    // Assess: the report is served by the api handler, by digest and by tag
    const byDigest = await invoke(httpEvent(`/reports/${digest}`, 'GET', undefined, { authorization: `Bearer ${API_KEY}` }))
    expect(byDigest.statusCode).toBe(200)
    expect(JSON.parse(byDigest.body)).toMatchObject({ status: 'complete', image: { os: { family: 'alpine', version: '3.21.0' } } })
    const byTag = await invoke(httpEvent(`/images/${registry.host}/lambda/app/tags/v1`, 'GET', undefined, { authorization: `Bearer ${API_KEY}` }))
    expect(JSON.parse(byTag.body)).toMatchObject({ digest })
  })
})
