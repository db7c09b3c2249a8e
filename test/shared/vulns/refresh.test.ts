/**
 * The vulnerability refresh over stored reports: a report the worker stored gains the
 * vulnerability a newly published record describes, with the previous version kept and a
 * signed notification, and without a single registry request. Also: a failed notification,
 * a second run, a report rewritten meanwhile, no index at all.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import { readFileSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import { Agent } from 'undici'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { UndiciDownloader } from '../../../functions/runtime/undici-downloader.js'
import { WebhookNotifier } from '../../../functions/runtime/webhook-notifier.js'
import { createAnalyzerSet } from '../../../shared/analyzers/index.js'
import { ErrorCode } from '../../../shared/errors.js'
import { DEFAULT_LIMITS } from '../../../shared/layers/limits.js'
import { parseRegistryPolicy } from '../../../shared/policy/registry-policy.js'
import { fixedClock } from '../../../shared/ports/clock.js'
import { silentLogger } from '../../../shared/ports/logger.js'
import type { ImageReport } from '../../../shared/report/model.js'
import { reportKey, ReportStore } from '../../../shared/report/report-store.js'
import { UndiciRegistryClient } from '../../../shared/registry/undici-registry-client.js'
import { processScanRequest, type WorkerDeps } from '../../../shared/scan/process-scan-request.js'
import { createScanRequest } from '../../../shared/scan/scan-request.js'
import { importSources } from '../../../shared/vulns/import/import-sources.js'
import { NotificationHeader, verifySignature, type VulnerabilityNotification } from '../../../shared/vulns/notification.js'
import { ObjectVulnIndexStore } from '../../../shared/vulns/object-vuln-index-store.js'
import { LAST_REFRESH_KEY, refreshVulnerabilities, type RefreshDeps } from '../../../shared/vulns/refresh.js'
import { VulnIndexCache } from '../../../shared/vulns/vuln-index-cache.js'
import { startFaultRegistry, type FaultRegistry } from '../../support/fault-registry.js'
import { buildImage, buildLayer } from '../../support/image-builder.js'
import { listenLocal, type LocalServer } from '../../support/local-server.js'
import { MemoryObjectStore } from '../../support/memory-stores.js'
import { expectValidReport } from '../../support/report-schema.js'
import { FIRST_FEEDS, LATER_FEED } from '../../support/vuln-fixtures.js'
import { buildZip } from '../zip/zip-writer.js'

const SECRET = 'refresh-notify-secret-0123'
const OS_RELEASE = 'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nNAME="Debian GNU/Linux"\nVERSION_ID="12"\nVERSION_CODENAME=bookworm\nID=debian\n'

function stanza(name: string, version: string, source?: string): string {
  return [`Package: ${name}`, 'Status: install ok installed', 'Architecture: amd64', ...(source ? [`Source: ${source}`] : []), `Version: ${version}`, 'Description: test', ''].join('\n')
}

/** The later feed as OSV publishes an ecosystem: one zip of JSON records. */
const LATER_ZIP = buildZip(readdirSync(LATER_FEED).map((name) => ({ name, data: readFileSync(join(LATER_FEED, name)) })))

let registry: FaultRegistry
let feed: LocalServer
let receiver: LocalServer
let agent: Agent
let digest: string
const deliveries: Array<{ headers: IncomingMessage['headers']; body: string }> = []
let receiverStatus = 200

async function receive(request: IncomingMessage, response: ServerResponse): Promise<void> {
  const chunks: Buffer[] = []
  for await (const chunk of request) chunks.push(chunk as Buffer)
  deliveries.push({ headers: request.headers, body: Buffer.concat(chunks).toString('utf8') })
  response.writeHead(receiverStatus)
  response.end()
}

beforeAll(async () => {
  registry = await startFaultRegistry()
  agent = new Agent()
  feed = await listenLocal(
    createServer((request, response) => {
      if (request.url === '/Debian/all.zip') {
        response.writeHead(200, { 'content-type': 'application/zip' })
        response.end(LATER_ZIP)
      } else {
        response.writeHead(404)
        response.end()
      }
    })
  )
  receiver = await listenLocal(createServer((request, response) => void receive(request, response)))
  const layer = await buildLayer(
    [
      { name: 'etc/os-release', content: OS_RELEASE },
      { name: 'var/lib/dpkg/status', content: [stanza('zlib1g', '1:1.2.13.dfsg-1', 'zlib'), stanza('gzip', '1.12-1'), stanza('bash', '5.2.15-2+b2', 'bash (5.2.15-2)')].join('\n') },
    ],
    { compression: 'gzip' }
  )
  const image = buildImage({ format: 'oci', layers: [layer] })
  digest = image.manifest.digest
  registry.serve('team/app', image, ['1.0'])
}, 60_000)

afterAll(async () => {
  await agent.close()
  await Promise.all([registry.close(), feed.close(), receiver.close()])
})

/** A store with the first feeds imported and the image scanned and stored by the worker. */
async function stored(): Promise<{ objects: MemoryObjectStore; reports: ReportStore; index: ObjectVulnIndexStore; before: ImageReport }> {
  const objects = new MemoryObjectStore()
  const index = new ObjectVulnIndexStore(objects)
  await importSources(FIRST_FEEDS, { store: index, clock: fixedClock('2098-09-01T00:00:00Z'), logger: silentLogger })
  const reports = new ReportStore(objects)
  const cache = new VulnIndexCache(index, silentLogger)
  const worker: WorkerDeps = {
    registry: new UndiciRegistryClient({ dispatcher: agent, insecureRegistries: [registry.host], sleep: async () => {}, retry: { attempts: 1 } }),
    reports,
    policy: parseRegistryPolicy(registry.host),
    scan: { analyzers: createAnalyzerSet(), limits: DEFAULT_LIMITS, clock: fixedClock('2098-09-01T01:00:00Z'), logger: silentLogger, scanner: { name: 'pushscan', version: '0.0.0-test' }, vulnerabilityIndex: () => cache.current() },
  }
  const request = createScanRequest({ registry: registry.host, repository: 'team/app', digest, tag: '1.0', source: 'manual', receivedAt: '2098-09-01T01:00:00Z', requestId: 'r-1' })
  await expect(processScanRequest(request, worker)).resolves.toMatchObject({ status: 'scanned', report: 'complete' })
  const before = (await reports.getReport(digest)) as ImageReport
  expectValidReport(before)
  return { objects, reports, index, before }
}

function refreshDeps(s: { objects: MemoryObjectStore; reports: ReportStore; index: ObjectVulnIndexStore }, at: string, notifier = true): RefreshDeps {
  return {
    index: s.index,
    reports: s.reports,
    objects: s.objects,
    downloader: new UndiciDownloader({ dispatcher: agent }),
    clock: fixedClock(at),
    logger: silentLogger,
    ...(notifier ? { notifier: new WebhookNotifier({ url: `${receiver.url}/pushscan`, secret: SECRET, dispatcher: agent, attempts: 2, sleep: async () => {} }) } : {}),
  }
}

describe('a refresh that adds a record', () => {
  it('makes the stored report gain the vulnerability, keeps the previous version, notifies, and asks no registry anything', async () => {
    // Prepare
    const s = await stored()
    expect(s.before.vulnerabilities.map((v) => v.id)).toEqual(['CVE-2098-10001', 'CVE-2098-10002', 'CVE-2098-10003'])
    const registryRequests = registry.requests.length
    deliveries.length = 0
    receiverStatus = 200
    // Act
    const result = await refreshVulnerabilities({ sources: [`${feed.url}/Debian/all.zip`] }, refreshDeps(s, '2098-10-01T00:00:00Z'))
    // Assess: the report
    const after = (await s.reports.getReport(digest)) as ImageReport
    expectValidReport(after)
    const gzip = after.packages.find((p) => p.name === 'gzip')!
    expect(after.vulnerabilities).toContainEqual({ id: 'CVE-2098-10010', aliases: ['DEBIAN-CVE-2098-10010'], package: { type: 'deb', name: 'gzip', version: '1.12-1', purl: gzip.purl }, fixedVersion: '1.12-2', severity: 'high', layer: gzip.layer })
    expect(after.vulnerabilities).toEqual(expect.arrayContaining(s.before.vulnerabilities))
    expect(after.vulnerabilities).toHaveLength(s.before.vulnerabilities.length + 1)
    expect(after.vulnerabilityIndex).toMatchObject({ status: 'loaded', importedAt: '2098-10-01T00:00:00.000Z', records: 16 })
    expect(after.summary.high).toBe(s.before.summary.high + 1)
    expect(after.scannedAt).toBe(s.before.scannedAt)
    // the previous version, kept
    const history = [...s.objects.objects.keys()].filter((k) => k.startsWith(reportKey(digest).replace(/\.json$/, '/history/')))
    expect(history).toEqual([reportKey(digest).replace(/\.json$/, '/history/2098-10-01T00-00-00.000Z.json')])
    expect(JSON.parse(s.objects.objects.get(history[0]!)!.toString())).toEqual(s.before)
    // the notification, signed
    expect(deliveries).toHaveLength(1)
    const [delivery] = deliveries
    expect(verifySignature(SECRET, delivery!.body, delivery!.headers[NotificationHeader.Signature] as string)).toBe(true)
    const body = JSON.parse(delivery!.body) as VulnerabilityNotification
    expect(body).toMatchObject({ event: 'vulnerabilities.new', version: 1, sentAt: '2098-10-01T00:00:00.000Z', index: { importedAt: '2098-10-01T00:00:00.000Z', records: 16 } })
    expect(body.images).toEqual([{ registry: registry.host, repository: 'team/app', digest, tags: ['1.0'], platform: { os: 'linux', architecture: 'amd64' }, vulnerabilities: [after.vulnerabilities.find((v) => v.id === 'CVE-2098-10010')] }])
    // the result, also recorded
    expect(result).toMatchObject({
      imported: [{ source: `${feed.url}/Debian/all.zip`, records: 1, added: 1 }],
      reports: { checked: 1, changed: 1, restamped: 0, unchanged: 0, skipped: 0, failed: 0 },
      newVulnerabilities: 1,
      notification: { status: 'sent', deliveries: 1, attempts: 1 },
    })
    expect(JSON.parse(s.objects.objects.get(LAST_REFRESH_KEY)!.toString())).toEqual(result)
    // no registry request: the packages came from the stored report
    expect(registry.requests.length).toBe(registryRequests)

    // a second run finds nothing new: no notification, and the report is not rewritten
    const again = await refreshVulnerabilities({ sources: [`${feed.url}/Debian/all.zip`] }, refreshDeps(s, '2098-10-02T00:00:00Z'))
    expect(again).toMatchObject({ imported: [{ added: 0, unchanged: 1 }], reports: { changed: 0, restamped: 0, unchanged: 1 }, newVulnerabilities: 0, notification: { status: 'nothing-new' } })
    expect(deliveries).toHaveLength(1)
    expect(await s.reports.getReport(digest)).toEqual(after)
    expect([...s.objects.objects.keys()].filter((k) => k.includes('/history/'))).toHaveLength(1)
  })

  it('keeps the update when the notification cannot be delivered, and keeps the body', async () => {
    // Prepare
    const s = await stored()
    deliveries.length = 0
    receiverStatus = 503
    // Act
    const result = await refreshVulnerabilities({ sources: [LATER_FEED] }, refreshDeps(s, '2098-10-01T00:00:00Z'))
    // Assess
    expect(deliveries).toHaveLength(2)
    expect(result.notification).toEqual({ status: 'failed', deliveries: 1, attempts: 2, error: 'HTTP 503', undelivered: ['vulndb/undelivered/2098-10-01T00-00-00.000Z-1.json'] })
    expect(JSON.parse(s.objects.objects.get(result.notification.undelivered![0]!)!.toString())).toEqual(JSON.parse(deliveries[0]!.body))
    expect(((await s.reports.getReport(digest)) as ImageReport).vulnerabilities.map((v) => v.id)).toContain('CVE-2098-10010')
    receiverStatus = 200
  })

  it('sends one notification per 100 images', async () => {
    // Prepare: 101 stored images with the same packages
    const s = await stored()
    for (let i = 1; i <= 100; i++) {
      const digest = `sha256:${i.toString(16).padStart(64, '0')}`
      await s.reports.putReport({ ...s.before, subject: { ...s.before.subject, digest } })
    }
    deliveries.length = 0
    receiverStatus = 200
    // Act
    const result = await refreshVulnerabilities({ sources: [LATER_FEED] }, refreshDeps(s, '2098-10-01T00:00:00Z'))
    // Assess
    expect(result).toMatchObject({ reports: { checked: 101, changed: 101 }, newVulnerabilities: 101, notification: { status: 'sent', deliveries: 2, attempts: 2 } })
    const bodies = deliveries.map((d) => JSON.parse(d.body) as VulnerabilityNotification)
    expect(bodies.map((b) => b.images.length)).toEqual([100, 1])
    expect(new Set(bodies.map((b) => b.id)).size).toBe(2)
    expect(new Set(bodies.flatMap((b) => b.images.map((i) => i.digest))).size).toBe(101)
  })

  it('without a notification URL, still updates and says nothing was sent', async () => {
    const s = await stored()
    const result = await refreshVulnerabilities({ sources: [LATER_FEED] }, refreshDeps(s, '2098-10-01T00:00:00Z', false))
    expect(result).toMatchObject({ newVulnerabilities: 1, notification: { status: 'not-configured' }, reports: { changed: 1 } })
  })
})

describe('a refresh', () => {
  it('leaves a report rewritten meanwhile to its writer', async () => {
    // Prepare: the report changes between the refresh's read and its write
    const s = await stored()
    const objects = s.objects
    const racing = Object.assign(Object.create(Object.getPrototypeOf(objects) as object) as MemoryObjectStore, objects)
    racing.put = async (key, bytes, options) => (key === reportKey(digest) ? false : objects.put(key, bytes, options))
    // Act
    const result = await refreshVulnerabilities({ sources: [LATER_FEED] }, { ...refreshDeps(s, '2098-10-01T00:00:00Z', false), reports: new ReportStore(racing) })
    // Assess
    expect(result.reports).toMatchObject({ checked: 1, changed: 0, skipped: 1 })
    expect(result.newVulnerabilities).toBe(0)
    expect((await s.reports.getReport(digest)) as ImageReport).toEqual(s.before)
  })

  it('fails before touching anything when an import fails, or when there is no index', async () => {
    const s = await stored()
    await expect(refreshVulnerabilities({ sources: [`${feed.url}/nothing.zip`] }, refreshDeps(s, '2098-10-01T00:00:00Z'))).rejects.toMatchObject({ code: ErrorCode.VulnSourceNotFound })
    expect(await s.reports.getReport(digest)).toEqual(s.before)
    const empty = new MemoryObjectStore()
    await expect(refreshVulnerabilities({ sources: [] }, { ...refreshDeps({ objects: empty, reports: new ReportStore(empty), index: new ObjectVulnIndexStore(empty) }, '2098-10-01T00:00:00Z') })).rejects.toMatchObject({
      code: ErrorCode.VulnIndexMissing,
    })
  })

  it('stamps a report that had never been matched, even when it has no vulnerabilities, without a history copy', async () => {
    const s = await stored()
    const clean = { ...s.before, subject: { ...s.before.subject, digest: `sha256:${'dd'.repeat(32)}` }, packages: [], vulnerabilities: [], vulnerabilityIndex: { status: 'none' as const } }
    await s.reports.putReport(clean)
    const result = await refreshVulnerabilities({ sources: [] }, refreshDeps(s, '2098-10-01T00:00:00Z', false))
    expect(result.reports).toMatchObject({ checked: 2, restamped: 1, unchanged: 1 })
    expect(await s.reports.getReport(clean.subject.digest)).toMatchObject({ vulnerabilities: [], vulnerabilityIndex: { status: 'loaded', importedAt: '2098-09-01T00:00:00.000Z' } })
    expect([...s.objects.objects.keys()].filter((k) => k.includes('/history/'))).toEqual([])
  })

  it('re-matches against the stored index when given no sources, and skips failed reports', async () => {
    const s = await stored()
    await importSources([LATER_FEED], { store: s.index, clock: fixedClock('2098-09-15T00:00:00Z'), logger: silentLogger })
    await s.objects.put(reportKey(`sha256:${'ee'.repeat(32)}`), Buffer.from(JSON.stringify({ ...s.before, status: 'failed', subject: { ...s.before.subject, digest: `sha256:${'ee'.repeat(32)}` } })))
    const result = await refreshVulnerabilities({ sources: [] }, refreshDeps(s, '2098-10-01T00:00:00Z', false))
    expect(result).toMatchObject({ index: { importedAt: '2098-09-15T00:00:00.000Z' }, reports: { checked: 2, changed: 1, skipped: 1 }, newVulnerabilities: 1 })
    expect(result).not.toHaveProperty('imported')
  })
})
