/**
 * The scheduled refresh's Lambda entry point (functions/vulndb/handler.ts), wired from the
 * environment as in AWS, against the S3 emulator: it imports an OSV zip from a loopback URL
 * into the bucket, re-matches the report stored there, and sends the signed notification.
 * The worker's wiring then finds the same index in the bucket.
 */
import { readFileSync, readdirSync } from 'node:fs'
import { createServer, type IncomingMessage } from 'node:http'
import { join } from 'node:path'
import { CreateBucketCommand, ListObjectsV2Command } from '@aws-sdk/client-s3'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { awsWorkerDeps } from '../../../functions/aws/aws-deps.js'
import { S3ObjectStore } from '../../../functions/aws/s3-object-store.js'
import type { ImageReport } from '../../../shared/report/model.js'
import { reportKey, ReportStore } from '../../../shared/report/report-store.js'
import { NotificationHeader, verifySignature, type VulnerabilityNotification } from '../../../shared/vulns/notification.js'
import type { RefreshResult } from '../../../shared/vulns/refresh.js'
import { startAwsEmulator, type AwsEmulator } from '../../support/fauxqs.js'
import { listenLocal, type LocalServer } from '../../support/local-server.js'
import { expectValidReport } from '../../support/report-schema.js'
import { VULNDB_FIXTURES } from '../../support/vuln-fixtures.js'
import { buildZip } from '../../shared/zip/zip-writer.js'

const BUCKET = 'reports'
const SECRET = 'lambda-notify-secret-0123456'
const LAYER = `sha256:${'4d'.repeat(32)}`
const DIGEST = `sha256:${'5e'.repeat(32)}`

/** A stored report of a Debian 12 image holding gzip 1.12-1, made before any index existed. */
const STORED: ImageReport = {
  schemaVersion: 1,
  kind: 'image',
  status: 'complete',
  scanner: { name: 'pushscan', version: '0.1.0', analyzers: { 'os-packages': 1 } },
  subject: { source: 'registry', registry: 'registry.example', repository: 'team/tools', digest: DIGEST, tags: ['2.0'], platform: { os: 'linux', architecture: 'arm64' } },
  scannedAt: '2098-07-01T00:00:00.000Z',
  durationMs: 900,
  image: { os: { family: 'debian', version: '12' }, created: null, configDigest: null, config: null, history: [], layers: [] },
  efficiency: null,
  packages: [{ type: 'deb', name: 'gzip', version: '1.12-1', purl: 'pkg:deb/debian/gzip@1.12-1?arch=arm64&distro=debian-12', layer: LAYER }],
  vulnerabilities: [],
  vulnerabilityIndex: { status: 'none' },
  findings: [],
  provenance: { signatures: [], attestations: [], sboms: [], baseImage: null, source: {} },
  summary: { critical: 0, high: 0, medium: 0, low: 0, info: 0, unknown: 0 },
  errors: [],
}

let aws: AwsEmulator
let feed: LocalServer
let receiver: LocalServer
const deliveries: Array<{ headers: IncomingMessage['headers']; body: string }> = []
const saved = { ...process.env }

beforeAll(async () => {
  aws = await startAwsEmulator()
  await aws.s3.send(new CreateBucketCommand({ Bucket: BUCKET }))
  const zip = buildZip(['debian', 'later'].flatMap((dir) => readdirSync(join(VULNDB_FIXTURES, dir)).map((name) => ({ name, data: readFileSync(join(VULNDB_FIXTURES, dir, name)) }))))
  feed = await listenLocal(
    createServer((request, response) => {
      response.writeHead(request.url === '/Debian/all.zip' ? 200 : 404)
      response.end(request.url === '/Debian/all.zip' ? zip : undefined)
    })
  )
  receiver = await listenLocal(
    createServer(async (request, response) => {
      const chunks: Buffer[] = []
      for await (const chunk of request) chunks.push(chunk as Buffer)
      deliveries.push({ headers: request.headers, body: Buffer.concat(chunks).toString('utf8') })
      response.writeHead(204)
      response.end()
    })
  )
  Object.assign(process.env, {
    AWS_ENDPOINT_URL: aws.endpoint,
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'test',
    AWS_SECRET_ACCESS_KEY: 'test',
    AWS_S3_FORCE_PATH_STYLE: 'true',
    PUSHSCAN_REPORT_BUCKET: BUCKET,
    PUSHSCAN_VULNDB_SOURCES: `${feed.url}/Debian/all.zip`,
    PUSHSCAN_NOTIFY_URL: `${receiver.url}/hooks/pushscan`,
    PUSHSCAN_NOTIFY_SECRET: SECRET,
    PUSHSCAN_LOG_LEVEL: 'error',
  })
  await new ReportStore(new S3ObjectStore(aws.s3, BUCKET)).putReport(STORED)
})

afterAll(async () => {
  process.env = saved
  await Promise.all([feed.close(), receiver.close()])
  await aws.stop()
})

describe('the vulndb Lambda handler', () => {
  it('imports the configured sources, re-matches the stored report and notifies', async () => {
    // Act
    const { handler } = await import('../../../functions/vulndb/handler.js')
    const result = (await handler()) as RefreshResult
    // Assess
    expect(result).toMatchObject({ imported: [{ records: 10, added: 10 }], reports: { checked: 1, changed: 1, failed: 0 }, newVulnerabilities: 1, notification: { status: 'sent' } })
    const reports = new ReportStore(new S3ObjectStore(aws.s3, BUCKET))
    const report = (await reports.getReport(DIGEST)) as ImageReport
    expectValidReport(report)
    expect(report.vulnerabilities).toEqual([{ id: 'CVE-2098-10010', aliases: ['DEBIAN-CVE-2098-10010'], package: { type: 'deb', name: 'gzip', version: '1.12-1', purl: STORED.packages[0]!.purl }, fixedVersion: '1.12-2', severity: 'high', layer: LAYER }])
    expect(report.summary.high).toBe(1)
    // in key order, as S3 lists them
    const keys = (await aws.s3.send(new ListObjectsV2Command({ Bucket: BUCKET }))).Contents!.map((o) => o.Key)
    expect(keys).toEqual([
      reportKey(DIGEST),
      reportKey(DIGEST).replace(/\.json$/, `/history/${result.refreshedAt.replace(/:/g, '-')}.json`),
      'vulndb/current.json',
      expect.stringMatching(/^vulndb\/index\/[0-9a-f]{64}\.json\.gz$/),
      'vulndb/last-refresh.json',
    ])
    expect(deliveries).toHaveLength(1)
    expect(verifySignature(SECRET, deliveries[0]!.body, deliveries[0]!.headers[NotificationHeader.Signature] as string)).toBe(true)
    expect((JSON.parse(deliveries[0]!.body) as VulnerabilityNotification).images).toEqual([
      { registry: 'registry.example', repository: 'team/tools', digest: DIGEST, tags: ['2.0'], platform: { os: 'linux', architecture: 'arm64' }, vulnerabilities: report.vulnerabilities },
    ])
  })

  it('leaves an index the worker finds in the bucket', async () => {
    const { deps } = await awsWorkerDeps(process.env)
    const loaded = await deps.scan.vulnerabilityIndex!()
    expect(loaded?.info).toMatchObject({ status: 'loaded', records: 10, sources: { DEBIAN: 9, DSA: 1 } })
  })
})
