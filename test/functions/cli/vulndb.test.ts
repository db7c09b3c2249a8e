/**
 * `pushscan vulndb` and `pushscan scan` with the index in the data directory, end to end:
 * the OSV fixtures imported from directories, a zip and an http URL, a Debian 12 image
 * (debootstrap layer plus npm and Python packages) pushed to the real CNCF registry and
 * scanned, `--fail-on` counting vulnerabilities, `--no-vulndb`, a failed import leaving the
 * index as it was.
 */
import { readFileSync, readdirSync } from 'node:fs'
import { mkdir, writeFile } from 'node:fs/promises'
import { createServer } from 'node:http'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import type { ImageReport } from '../../../shared/report/model.js'
import { buildImage, buildLayer, type BuiltImage } from '../../support/image-builder.js'
import { debianGzipLayer, layerBlob } from '../../support/layer-files.js'
import { listenLocal, type LocalServer } from '../../support/local-server.js'
import { pushImage } from '../../support/registry-push.js'
import { expectValidReport } from '../../support/report-schema.js'
import { pushscan } from '../../support/run-pushscan.js'
import { makeTempDir, removeDir } from '../../support/temp-dir.js'
import { APP_LAYER_ENTRIES, EXCLUDED_IDS, expectedVulnerabilities, expectFixturePreconditions, FIRST_FEEDS, VULNDB_FIXTURES } from '../../support/vuln-fixtures.js'
import { buildZip } from '../../shared/zip/zip-writer.js'

const REPO = 'vulndb/shop'
let registry: ReturnType<typeof inject<'registryNoAuth'>>
let image: BuiltImage
let work: string
let ref: string
let feedServer: LocalServer

function zipOf(dir: string): Buffer {
  return buildZip(readdirSync(dir).map((name) => ({ name, data: readFileSync(join(dir, name)) })))
}

/** A data directory of its own. */
async function dataDir(name: string): Promise<Record<string, string>> {
  const dir = join(work, name)
  await mkdir(dir, { recursive: true })
  return { PUSHSCAN_DATA_DIR: dir }
}

async function scanReport(env: Record<string, string>, ...extra: string[]): Promise<ImageReport> {
  const result = await pushscan(['scan', ref, '--insecure-registry', registry.host, '--no-progress', ...extra], '', env)
  expect(result.stderr).toBe('')
  expect(result.code).toBe(0)
  const report = JSON.parse(result.stdout) as ImageReport
  expectValidReport(report)
  return report
}

beforeAll(async () => {
  registry = inject('registryNoAuth')
  work = await makeTempDir('vulndb-cli')
  image = buildImage({
    format: 'oci',
    layers: [await layerBlob(await debianGzipLayer()), await buildLayer(APP_LAYER_ENTRIES, { compression: 'gzip' })],
    history: [{ created_by: 'debootstrap --variant=minbase bookworm' }, { created_by: 'COPY srv/ /srv/' }],
    config: { User: 'app', Cmd: ['node', '/srv/app/index.js'] },
  })
  const { digest } = await pushImage(registry, REPO, image, ['1.0'])
  ref = `${registry.host}/${REPO}@${digest}`
  const npmZip = zipOf(join(VULNDB_FIXTURES, 'npm'))
  feedServer = await listenLocal(
    createServer((request, response) => {
      if (request.url === '/npm/all.zip') {
        response.writeHead(200, { 'content-type': 'application/zip', 'content-length': npmZip.length })
        response.end(npmZip)
        return
      }
      response.writeHead(404)
      response.end()
    })
  )
}, 300_000)

afterAll(async () => {
  await feedServer.close()
  await removeDir(work)
})

describe('pushscan vulndb import, then pushscan scan', () => {
  let env: Record<string, string>
  let report: ImageReport

  beforeAll(async () => {
    env = await dataDir('main')
    // Debian from a directory, npm from an http URL of its all.zip, PyPI from a zip file
    const pypiZip = join(work, 'PyPI-all.zip')
    await writeFile(pypiZip, zipOf(join(VULNDB_FIXTURES, 'pypi')))
    const imported = await pushscan(['vulndb', 'import', FIRST_FEEDS[0]!, `${feedServer.url}/npm/all.zip`, pypiZip, '--format', 'json'], '', env)
    expect(imported.stderr).toBe('')
    expect(imported.code).toBe(0)
    expect(JSON.parse(imported.stdout)).toMatchObject({
      index: { records: 15, sources: { DEBIAN: 8, DSA: 1, GHSA: 5, PYSEC: 1 } },
      sources: [
        { source: FIRST_FEEDS[0], records: 9, added: 9 },
        { source: `${feedServer.url}/npm/all.zip`, records: 4, added: 4 },
        { source: pypiZip, records: 2, added: 2 },
      ],
    })
    report = await scanReport(env)
  }, 180_000)

  it('reports every expected vulnerability with its fixed version, and none the records exclude', () => {
    expectFixturePreconditions(report)
    expect(report.vulnerabilities).toEqual(expectedVulnerabilities(report))
    const ids = report.vulnerabilities.flatMap((v) => [v.id, ...v.aliases])
    for (const id of EXCLUDED_IDS) expect(ids).not.toContain(id)
    expect(report.vulnerabilityIndex).toMatchObject({ status: 'loaded', records: 15, sources: { DEBIAN: 8, DSA: 1, GHSA: 5, PYSEC: 1 } })
  })

  it('exits 1 with --fail-on high because of a vulnerability, and 0 without the index', async () => {
    const withIndex = await pushscan(['scan', ref, '--insecure-registry', registry.host, '--no-progress', '--fail-on', 'high'], '', env)
    expect(withIndex.code).toBe(1)
    const failing = JSON.parse(withIndex.stdout) as ImageReport
    expectValidReport(failing)
    expect(failing.summary.high).toBeGreaterThanOrEqual(2)
    const without = await pushscan(['scan', ref, '--insecure-registry', registry.host, '--no-progress', '--fail-on', 'high', '--no-vulndb'], '', env)
    expect(without.code).toBe(0)
    const report = JSON.parse(without.stdout) as ImageReport
    expectValidReport(report)
    expect(report.vulnerabilityIndex).toEqual({ status: 'none' })
    expect(report.vulnerabilities).toEqual([])
  })

  it('prints the vulnerabilities in the table', async () => {
    const result = await pushscan(['scan', ref, '--insecure-registry', registry.host, '--no-progress', '--format', 'table'], '', env)
    expect(result.code).toBe(0)
    const lines = result.stdout.split('\n')
    expect(lines).toContainEqual(expect.stringMatching(/^vulnerabilities: 11 {3}\(index imported .+, 15 records\)$/))
    expect(lines).toContainEqual(expect.stringMatching(/^ {2}critical +CVE-2098-20001 +npm\/acme-template +4\.17\.20 +4\.17\.21$/))
    expect(lines).toContainEqual(expect.stringMatching(/^ {2}high +CVE-2098-10001 +deb\/zlib1g +1:1\.2\.13\.dfsg-1 +1:1\.2\.13\.dfsg-2$/))
  })

  it('shows the index in vulndb status', async () => {
    const text = await pushscan(['vulndb', 'status'], '', env)
    expect(text.code).toBe(0)
    expect(text.stdout).toMatch(/^vulnerability index: 15 records, imported 20\d\d-/m)
    expect(text.stdout).toContain('by database: DEBIAN 8, DSA 1, GHSA 5, PYSEC 1')
    expect(text.stdout).toContain('last refresh: never')
    const json = JSON.parse((await pushscan(['vulndb', 'status', '--format', 'json'], '', env)).stdout)
    expect(json).toMatchObject({ index: { records: 15, lastImport: [{ records: 9 }, { records: 4 }, { records: 2 }] }, lastRefresh: null })
  })

  it('keeps the index when an import fails: a corrupt zip (VULN_SOURCE_INVALID), a missing path, a dead URL', async () => {
    // Prepare
    const before = JSON.parse((await pushscan(['vulndb', 'status', '--format', 'json'], '', env)).stdout)
    const good = zipOf(join(VULNDB_FIXTURES, 'later'))
    const corrupt = join(work, 'corrupt.zip')
    await writeFile(corrupt, Buffer.concat([good.subarray(0, 40), Buffer.alloc(16, 0xff), good.subarray(56)]))
    // Act
    const results = [
      await pushscan(['vulndb', 'import', join(VULNDB_FIXTURES, 'later'), corrupt], '', env),
      await pushscan(['vulndb', 'import', join(work, 'nowhere')], '', env),
      await pushscan(['vulndb', 'import', `${feedServer.url}/Debian/all.zip`], '', env),
    ]
    // Assess
    expect(results.map((r) => r.code)).toEqual([2, 2, 2])
    expect(results[0]!.stderr).toMatch(/^pushscan: VULN_SOURCE_INVALID: .*corrupt\.zip: invalid zip archive/)
    expect(results[1]!.stderr).toMatch(/^pushscan: VULN_SOURCE_NOT_FOUND: /)
    expect(results[2]!.stderr).toMatch(/^pushscan: VULN_SOURCE_NOT_FOUND: .*HTTP 404/)
    expect(JSON.parse((await pushscan(['vulndb', 'status', '--format', 'json'], '', env)).stdout)).toEqual(before)
    const again = await scanReport(env)
    expect(again.vulnerabilities).toEqual(report.vulnerabilities)
  })
})

describe('pushscan scan with no index', () => {
  it('works, and says so in the report and the table', async () => {
    const env = await dataDir('empty')
    const report = await scanReport(env)
    expect(report.vulnerabilityIndex).toEqual({ status: 'none' })
    expect(report.vulnerabilities).toEqual([])
    const table = await pushscan(['scan', ref, '--insecure-registry', registry.host, '--no-progress', '--format', 'table'], '', env)
    expect(table.stdout).toContain('vulnerabilities: not checked: no vulnerability index (import one with pushscan vulndb import)')
    const status = await pushscan(['vulndb', 'status'], '', env)
    expect(status.stdout).toContain('vulnerability index: none')
  })
})

describe('pushscan vulndb usage', () => {
  it('explains itself, and refuses what it does not know', async () => {
    expect((await pushscan(['vulndb', '--help'])).stdout).toContain('pushscan vulndb import SOURCE…')
    expect(await pushscan(['vulndb', 'import'])).toMatchObject({ code: 2, stderr: expect.stringContaining('USAGE') })
    expect(await pushscan(['vulndb', 'frobnicate'])).toMatchObject({ code: 2, stderr: expect.stringContaining('USAGE') })
    expect(await pushscan(['vulndb', 'import', 'ftp://example.org/all.zip'], '', await dataDir('usage'))).toMatchObject({ code: 2, stderr: expect.stringContaining('VULN_SOURCE_INVALID') })
  })
})
