/**
 * Real notification deliveries from a CNCF distribution 2.8 registry, fed to the parser.
 */
import { createServer, type IncomingHttpHeaders } from 'node:http'
import { setTimeout as sleep } from 'node:timers/promises'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { isIndexMediaType } from '../../../shared/image/media-types.js'
import type { ScanRequest } from '../../../shared/scan/scan-request.js'
import { CHILD_MANIFEST_DELAY_SECONDS, parseDistributionWebhook, type WebhookOutcome } from '../../../shared/webhooks/index.js'
import { buildImage, buildIndex, buildLayer } from '../../support/image-builder.js'
import { listenLocal, type LocalServer } from '../../support/local-server.js'
import { startRegistry, type RunningRegistry } from '../../support/registry-process.js'
import { pushImage } from '../../support/registry-push.js'

interface Delivery {
  method: string | undefined
  headers: IncomingHttpHeaders
  body: string
}

interface Envelope {
  events: { action: string; target: { mediaType?: string; digest?: string; tag?: string } }[]
}

const AUTHORIZATION = 'Bearer webhook-test-secret'
const REPOSITORY = 'webhooks/multiarch'
const TAG = '3.1'

describe('deliveries from a real distribution registry', () => {
  const deliveries: Delivery[] = []
  let sink: LocalServer
  let registry: RunningRegistry

  beforeAll(async () => {
    const server = createServer((req, res) => {
      const chunks: Buffer[] = []
      req.on('data', (chunk: Buffer) => chunks.push(chunk))
      req.on('end', () => {
        if (req.method === 'POST') deliveries.push({ method: req.method, headers: req.headers, body: Buffer.concat(chunks).toString('utf8') })
        res.writeHead(200)
        res.end('ok')
      })
    })
    sink = await listenLocal(server)
    registry = await startRegistry({ auth: 'none', notificationsUrl: `${sink.url}/hooks/distribution`, notificationsAuthorization: AUTHORIZATION })
  })

  afterAll(async () => {
    await registry?.stop()
    await sink?.close()
  })

  it('gives one immediate request for the index and delayed ones for its children (dropped when batched)', async () => {
    // Prepare
    const amd64 = buildImage({
      layers: [await buildLayer([{ name: 'etc/arch', content: 'amd64\n' }], { compression: 'gzip' })],
      format: 'oci',
      platform: { os: 'linux', architecture: 'amd64' },
    })
    const arm64 = buildImage({
      layers: [await buildLayer([{ name: 'etc/arch', content: 'arm64\n' }], { compression: 'gzip' })],
      format: 'oci',
      platform: { os: 'linux', architecture: 'arm64', variant: 'v8' },
    })
    const index = buildIndex({ images: [amd64, arm64], format: 'oci' })
    const children = [amd64.manifest.digest, arm64.manifest.digest]

    // Act
    const { digest } = await pushImage(registry, REPOSITORY, index, [TAG])
    const deadline = Date.now() + 5_000
    const indexArrived = (): boolean =>
      deliveries.some((delivery) =>
        (JSON.parse(delivery.body) as Envelope).events.some((event) => event.action === 'push' && isIndexMediaType(event.target.mediaType)),
      )
    while (!indexArrived() && Date.now() < deadline) await sleep(50)
    const outcomes: WebhookOutcome[] = deliveries.map((delivery, i) =>
      parseDistributionWebhook(JSON.parse(delivery.body), { receivedAt: new Date().toISOString(), requestId: `delivery-${i}` }),
    )

    // Assess
    expect(indexArrived()).toBe(true)
    for (const delivery of deliveries) {
      expect(delivery.headers['content-type']).toBe('application/vnd.docker.distribution.events.v1+json')
      expect(delivery.headers.authorization).toBe(AUTHORIZATION)
    }
    const immediate: ScanRequest[] = []
    const delayed: ScanRequest[] = []
    for (const outcome of outcomes) {
      if (outcome.kind !== 'scan') {
        expect(outcome.reason).toMatch(/^no manifest push events \(\d+ blob push\)$/)
        continue
      }
      if (outcome.delaySeconds === undefined) immediate.push(...outcome.requests)
      else {
        expect(outcome.delaySeconds).toBe(CHILD_MANIFEST_DELAY_SECONDS)
        delayed.push(...outcome.requests)
      }
    }
    expect(immediate).toEqual([
      expect.objectContaining({ registry: registry.host, repository: REPOSITORY, digest, tag: TAG, reference: digest, source: 'distribution' }),
    ])
    expect(delayed.map((request) => request.digest).sort()).toEqual([...children].sort())
    for (const request of delayed) expect(request).not.toHaveProperty('tag')
    // the same events in one envelope: the index's references drop the children outright
    const merged = parseDistributionWebhook(
      { events: deliveries.flatMap((delivery) => (JSON.parse(delivery.body) as Envelope).events) },
      { receivedAt: new Date().toISOString(), requestId: 'merged' },
    )
    expect(merged).toEqual({ kind: 'scan', requests: [expect.objectContaining({ repository: REPOSITORY, digest, tag: TAG })] })
  })
})
