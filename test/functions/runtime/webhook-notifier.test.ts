/**
 * WebhookNotifier against a loopback receiver: the signed body and headers, retries with
 * backoff on 5xx and 429 (Retry-After honoured), a final answer on other 4xx, and network
 * failures. The waits are recorded, not slept.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import { Agent } from 'undici'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { WebhookNotifier } from '../../../functions/runtime/webhook-notifier.js'
import { buildNotification, NotificationHeader, verifySignature } from '../../../shared/vulns/notification.js'
import { listenLocal, type LocalServer } from '../../support/local-server.js'

const SECRET = 'notify-secret-for-tests-0123'

interface Received {
  headers: IncomingMessage['headers']
  body: string
}

let server: LocalServer
let agent: Agent
const received: Received[] = []
/** Answers to give, first to last; 200 once they are used up. */
const answers: Array<{ status: number; headers?: Record<string, string> }> = []

async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
  const chunks: Buffer[] = []
  for await (const chunk of request) chunks.push(chunk as Buffer)
  received.push({ headers: request.headers, body: Buffer.concat(chunks).toString('utf8') })
  const answer = answers.shift() ?? { status: 200 }
  response.writeHead(answer.status, answer.headers)
  response.end()
}

beforeAll(async () => {
  server = await listenLocal(createServer((request, response) => void handle(request, response)))
  agent = new Agent()
})

afterAll(async () => {
  await agent.close()
  await server.close()
})

const NOTIFICATION = buildNotification('2098-09-01T00:00:00.000Z', { importedAt: '2098-08-31T00:00:00.000Z', records: 10 }, [
  {
    registry: 'registry.example',
    repository: 'team/app',
    digest: `sha256:${'ab'.repeat(32)}`,
    tags: ['1.0'],
    vulnerabilities: [{ id: 'CVE-2098-1', aliases: [], package: { type: 'npm', name: 'acme', version: '1.0.0', purl: 'pkg:npm/acme@1.0.0' }, fixedVersion: '1.0.1', severity: 'critical', layer: `sha256:${'cd'.repeat(32)}` }],
  },
])

function notifier(waits: number[], attempts = 4) {
  return new WebhookNotifier({ url: `${server.url}/hooks/pushscan`, secret: SECRET, dispatcher: agent, attempts, baseDelayMs: 100, sleep: async (ms) => void waits.push(ms), random: () => 0.5 })
}

describe('WebhookNotifier', () => {
  it('POSTs the JSON body with an HMAC-SHA256 signature the receiver can verify', async () => {
    // Prepare
    received.length = 0
    const waits: number[] = []
    // Act
    const outcome = await notifier(waits).notify(NOTIFICATION)
    // Assess
    expect(outcome).toEqual({ delivered: true, attempts: 1, status: 200 })
    const [delivery] = received
    expect(delivery!.headers).toMatchObject({ 'content-type': 'application/json', [NotificationHeader.Event]: 'vulnerabilities.new', [NotificationHeader.Delivery]: NOTIFICATION.id })
    expect(delivery!.headers[NotificationHeader.Signature]).toMatch(/^sha256=[0-9a-f]{64}$/)
    expect(verifySignature(SECRET, delivery!.body, delivery!.headers[NotificationHeader.Signature] as string)).toBe(true)
    expect(verifySignature('another-secret-0123456789', delivery!.body, delivery!.headers[NotificationHeader.Signature] as string)).toBe(false)
    expect(verifySignature(SECRET, `${delivery!.body} `, delivery!.headers[NotificationHeader.Signature] as string)).toBe(false)
    expect(JSON.parse(delivery!.body)).toEqual(NOTIFICATION)
    expect(waits).toEqual([])
  })

  it('retries 5xx and 429 with exponential backoff, honouring Retry-After, with the same delivery id', async () => {
    // Prepare
    received.length = 0
    answers.push({ status: 503 }, { status: 429, headers: { 'retry-after': '7' } }, { status: 500 })
    const waits: number[] = []
    // Act
    const outcome = await notifier(waits).notify(NOTIFICATION)
    // Assess
    expect(outcome).toEqual({ delivered: true, attempts: 4, status: 200 })
    // full jitter at 0.5: half of 100, 200 (Retry-After instead), 400
    expect(waits).toEqual([50, 7000, 200])
    expect(new Set(received.map((r) => r.headers[NotificationHeader.Delivery]))).toEqual(new Set([NOTIFICATION.id]))
  })

  it('gives up at once on another 4xx, and after the last attempt on 5xx', async () => {
    // Prepare
    answers.push({ status: 401 })
    const waits: number[] = []
    // Act
    const refused = await notifier(waits).notify(NOTIFICATION)
    answers.push({ status: 502 }, { status: 502 })
    const unavailable = await notifier(waits, 2).notify(NOTIFICATION)
    // Assess
    expect(refused).toEqual({ delivered: false, attempts: 1, status: 401, error: 'HTTP 401' })
    expect(unavailable).toEqual({ delivered: false, attempts: 2, status: 502, error: 'HTTP 502' })
  })

  it('reports a receiver that is not there, without throwing', async () => {
    // Prepare
    const gone = await listenLocal(createServer())
    await gone.close()
    const waits: number[] = []
    // Act
    const outcome = await new WebhookNotifier({ url: `${gone.url}/hook`, secret: SECRET, dispatcher: agent, attempts: 3, baseDelayMs: 100, sleep: async (ms) => void waits.push(ms), random: () => 0 }).notify(NOTIFICATION)
    // Assess
    expect(outcome).toMatchObject({ delivered: false, attempts: 3, error: expect.stringMatching(/ECONNREFUSED|connect/) })
    expect(waits).toEqual([0, 0])
  })
})
