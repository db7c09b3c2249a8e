/**
 * `npm start` with vulnerability data, end to end: the periodic refresh imports the OSV
 * fixtures at start; a Debian 12 image pushed to the real CNCF registry is scanned with
 * them; then, with the registry stopped, `pushscan vulndb refresh` adds a record and the
 * stored report gains the vulnerability, with a signed notification received on loopback.
 */
import { createServer, type IncomingMessage } from 'node:http'
import { mkdtemp, readdir, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { request } from 'undici'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { ImageReport } from '../../../shared/report/model.js'
import { NotificationHeader, verifySignature, type VulnerabilityNotification } from '../../../shared/vulns/notification.js'
import { freePort } from '../../support/free-port.js'
import { buildImage, buildLayer } from '../../support/image-builder.js'
import { debianGzipLayer, layerBlob } from '../../support/layer-files.js'
import { listenLocal, type LocalServer } from '../../support/local-server.js'
import { eventually, startPushscan, type PushscanProcess } from '../../support/pushscan-process.js'
import { startRegistry, type RunningRegistry } from '../../support/registry-process.js'
import { pushImage } from '../../support/registry-push.js'
import { expectValidReport } from '../../support/report-schema.js'
import { pushscan } from '../../support/run-pushscan.js'
import { APP_LAYER_ENTRIES, expectedVulnerabilities, FIRST_FEEDS, LATER_FEED, laterVulnerability } from '../../support/vuln-fixtures.js'

const SECRET = 'vulndb-webhook-secret-123456'
const API_KEY = 'vulndb-api-key-1234567890'
const NOTIFY_SECRET = 'vulndb-notify-secret-0123456'

let registry: RunningRegistry
let server: PushscanProcess
let receiver: LocalServer
let dataDir: string
const deliveries: Array<{ headers: IncomingMessage['headers']; body: string }> = []

async function report(digest: string): Promise<ImageReport> {
  const response = await request(`${server.url}/reports/${digest}`, { headers: { authorization: `Bearer ${API_KEY}` } })
  expect(response.statusCode).toBe(200)
  return (await response.body.json()) as ImageReport
}

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'pushscan-vulndb-service-'))
  receiver = await listenLocal(
    createServer(async (req, res) => {
      const chunks: Buffer[] = []
      for await (const chunk of req) chunks.push(chunk as Buffer)
      deliveries.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8') })
      res.writeHead(200)
      res.end()
    })
  )
  const port = await freePort()
  registry = await startRegistry({ auth: 'none', notificationsUrl: `http://127.0.0.1:${port}/webhooks/distribution`, notificationsAuthorization: `Bearer ${SECRET}` })
  server = await startPushscan(
    {
      PUSHSCAN_WEBHOOK_SECRET: SECRET,
      PUSHSCAN_API_KEY: API_KEY,
      PUSHSCAN_DATA_DIR: dataDir,
      PUSHSCAN_ALLOWED_REGISTRIES: registry.host,
      PUSHSCAN_INSECURE_REGISTRIES: registry.host,
      PUSHSCAN_VULNDB_SOURCES: FIRST_FEEDS.join(','),
      PUSHSCAN_VULNDB_REFRESH_MINUTES: '60',
      PUSHSCAN_LOG_LEVEL: 'info',
    },
    port
  )
}, 60_000)

afterAll(async () => {
  await server?.kill('SIGTERM')
  await registry?.stop()
  await receiver?.close()
  await rm(dataDir, { recursive: true, force: true })
})

describe('npm start with vulnerability data', () => {
  it('imports at start, scans a pushed image with the index, and a refresh without the registry adds what a new record says', async () => {
    // the refresh at start imported the first feeds (no report to re-match yet)
    const started = await eventually(async () => server.logs.find((l) => l.message === 'vulnerability refresh done'), 30_000, 'the refresh at start')
    expect(started).toMatchObject({ checked: 0, notification: 'nothing-new' })

    // a push: scanned with the index
    const image = buildImage({ format: 'oci', layers: [await layerBlob(await debianGzipLayer()), await buildLayer(APP_LAYER_ENTRIES, { compression: 'gzip' })] })
    const { digest } = await pushImage(registry, 'shop/api', image, ['1.0'])
    const scanned = await eventually(async () => {
      const response = await request(`${server.url}/reports/${digest}`, { headers: { authorization: `Bearer ${API_KEY}` } })
      return response.statusCode === 200 ? ((await response.body.json()) as ImageReport) : (await response.body.dump(), undefined)
    }, 60_000, 'the report of the push')
    expectValidReport(scanned)
    expect(scanned.vulnerabilityIndex).toMatchObject({ status: 'loaded', records: 15 })
    expect(scanned.vulnerabilities).toEqual(expectedVulnerabilities(scanned))

    // the registry goes away: a refresh must not need it
    await registry.stop()
    const refreshed = await pushscan(['vulndb', 'refresh', LATER_FEED], '', { PUSHSCAN_DATA_DIR: dataDir, PUSHSCAN_NOTIFY_URL: `${receiver.url}/pushscan`, PUSHSCAN_NOTIFY_SECRET: NOTIFY_SECRET })
    expect(refreshed.stderr).toBe('')
    expect(refreshed.code).toBe(0)
    expect(refreshed.stdout).toContain('reports: 1 checked, 1 changed, 0 restamped, 0 unchanged, 0 skipped, 0 failed')
    expect(refreshed.stdout).toContain('new critical or high vulnerabilities: 1; notification: sent after 1 attempt')

    // the stored report, as the server serves it
    const after = await report(digest)
    expectValidReport(after)
    const expected = [...expectedVulnerabilities(after), laterVulnerability(after)]
    expect(after.vulnerabilities).toEqual(expect.arrayContaining(expected))
    expect(after.vulnerabilities).toHaveLength(expected.length)
    expect(after.vulnerabilityIndex).toMatchObject({ status: 'loaded', records: 16 })
    const history = await readdir(join(dataDir, 'store', 'reports', 'sha256', digest.slice('sha256:'.length), 'history'))
    expect(history).toHaveLength(1)

    // the notification, verified as a receiver would
    expect(deliveries).toHaveLength(1)
    const [delivery] = deliveries
    expect(verifySignature(NOTIFY_SECRET, delivery!.body, delivery!.headers[NotificationHeader.Signature] as string)).toBe(true)
    const body = JSON.parse(delivery!.body) as VulnerabilityNotification
    expect(body.images).toEqual([{ registry: registry.host, repository: 'shop/api', digest, tags: ['1.0'], platform: { os: 'linux', architecture: 'amd64' }, vulnerabilities: [laterVulnerability(after)] }])

    // and vulndb status says what happened
    const status = await pushscan(['vulndb', 'status', '--format', 'json'], '', { PUSHSCAN_DATA_DIR: dataDir })
    expect(JSON.parse(status.stdout)).toMatchObject({ index: { records: 16 }, lastRefresh: { newVulnerabilities: 1, notification: { status: 'sent' } } })
  }, 180_000)
})
