/**
 * Vulnerabilities of a real image: the debootstrap Debian 12 layer plus a layer of npm and
 * Python packages, served by an in-process registry, scanned with the index built from the
 * OSV fixtures (test/fixtures/vulndb). Every expected vulnerability, with its fixed version,
 * and none of those the records exclude.
 */
import { Agent } from 'undici'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createAnalyzerSet } from '../../../shared/analyzers/index.js'
import { parseReference } from '../../../shared/image/reference.js'
import { DEFAULT_LIMITS } from '../../../shared/layers/limits.js'
import { fixedClock } from '../../../shared/ports/clock.js'
import { silentLogger } from '../../../shared/ports/logger.js'
import type { ImageReport } from '../../../shared/report/model.js'
import { hasAtOrAbove } from '../../../shared/report/summary.js'
import { registryImageSource } from '../../../shared/registry/registry-source.js'
import { UndiciRegistryClient } from '../../../shared/registry/undici-registry-client.js'
import { scanImage, type ScanDeps } from '../../../shared/scan/scan-image.js'
import { importSources } from '../../../shared/vulns/import/import-sources.js'
import { ObjectVulnIndexStore } from '../../../shared/vulns/object-vuln-index-store.js'
import { VulnIndexCache } from '../../../shared/vulns/vuln-index-cache.js'
import { startFaultRegistry, type FaultRegistry } from '../../support/fault-registry.js'
import { buildImage, buildLayer, type BuiltBlob } from '../../support/image-builder.js'
import { debianGzipLayer, layerBlob } from '../../support/layer-files.js'
import { MemoryObjectStore } from '../../support/memory-stores.js'
import { expectValidReport } from '../../support/report-schema.js'
import { APP_LAYER_ENTRIES, EXCLUDED_IDS, expectedVulnerabilities, expectFixturePreconditions, FIRST_FEEDS, LATER_FEED, laterVulnerability } from '../../support/vuln-fixtures.js'

let registry: FaultRegistry
let agent: Agent
let base: BuiltBlob
let app: BuiltBlob
const objects = new MemoryObjectStore()
const store = new ObjectVulnIndexStore(objects)
const clock = fixedClock('2098-09-01T00:00:00Z')

function deps(vulnerabilityIndex?: ScanDeps['vulnerabilityIndex']): ScanDeps {
  return {
    analyzers: createAnalyzerSet(),
    limits: DEFAULT_LIMITS,
    clock,
    logger: silentLogger,
    scanner: { name: 'pushscan', version: '0.0.0-test' },
    ...(vulnerabilityIndex ? { vulnerabilityIndex } : {}),
  }
}

async function scan(vulnerabilityIndex?: ScanDeps['vulnerabilityIndex']): Promise<ImageReport> {
  const client = new UndiciRegistryClient({ dispatcher: agent, insecureRegistries: [registry.host], sleep: async () => {}, retry: { attempts: 1 } })
  const report = await scanImage(registryImageSource(client, parseReference(`${registry.host}/shop/api:1.0`)), {}, deps(vulnerabilityIndex))
  expectValidReport(report)
  expect(report.kind).toBe('image')
  return report as ImageReport
}

beforeAll(async () => {
  registry = await startFaultRegistry()
  agent = new Agent()
  base = await layerBlob(await debianGzipLayer())
  app = await buildLayer(APP_LAYER_ENTRIES, { compression: 'gzip' })
  registry.serve('shop/api', buildImage({ format: 'oci', layers: [base, app] }), ['1.0'])
  await importSources(FIRST_FEEDS, { store, clock, logger: silentLogger })
}, 180_000)

afterAll(async () => {
  await agent.close()
  await registry.close()
})

describe('a Debian 12 image with npm and Python packages, against the OSV fixtures', () => {
  let report: ImageReport
  const cache = new VulnIndexCache(store, silentLogger)

  beforeAll(async () => {
    report = await scan(() => cache.current())
  }, 120_000)

  it('has the packages the fixtures were written for', () => {
    expect(report.status).toBe('complete')
    expectFixturePreconditions(report)
  })

  it('reports every expected vulnerability with its fixed version, severity and layer, and nothing else', () => {
    expect(report.vulnerabilities).toEqual(expectedVulnerabilities(report))
    // distribution packages come from the base layer, language packages from the app layer
    expect(new Set(report.vulnerabilities.filter((v) => v.package.type === 'deb').map((v) => v.layer))).toEqual(new Set([base.diffId]))
    expect(new Set(report.vulnerabilities.filter((v) => v.package.type !== 'deb').map((v) => v.layer))).toEqual(new Set([app.diffId]))
  })

  it('reports none of what the records exclude: fixed earlier, other release, withdrawn, last_affected below, GIT ranges, not yet introduced', () => {
    const ids = report.vulnerabilities.flatMap((v) => [v.id, ...v.aliases])
    for (const id of EXCLUDED_IDS) expect(ids).not.toContain(id)
    expect(report.vulnerabilities.map((v) => v.package.name)).not.toEqual(expect.arrayContaining(['coreutils', 'gzip', 'sed', 'tar', 'acme-router']))
  })

  it('says which index it was matched against, and counts the vulnerabilities in the summary', () => {
    expect(report.vulnerabilityIndex).toEqual({ status: 'loaded', importedAt: '2098-09-01T00:00:00.000Z', records: 15, sources: { DEBIAN: 8, DSA: 1, GHSA: 5, PYSEC: 1 } })
    const findings = (severity: string) => report.findings.filter((f) => f.severity === severity).length
    expect(report.summary).toMatchObject({ critical: 1 + findings('critical'), high: 2 + findings('high'), medium: 2 + findings('medium'), low: 6 + findings('low'), unknown: 0 })
    expect(hasAtOrAbove(report, 'critical')).toBe(true)
  })

  it('picks up a newer index on the next scan, without being told', async () => {
    // Act
    await importSources([LATER_FEED], { store, clock: fixedClock('2098-09-02T00:00:00Z'), logger: silentLogger })
    const again = await scan(() => cache.current())
    // Assess
    expect(again.vulnerabilityIndex).toMatchObject({ status: 'loaded', importedAt: '2098-09-02T00:00:00.000Z', records: 16 })
    expect(again.vulnerabilities).toContainEqual(laterVulnerability(again))
    expect(again.vulnerabilities).toHaveLength(report.vulnerabilities.length + 1)
  }, 120_000)
})

describe('without an index', () => {
  it('says so in the report, and reports no vulnerabilities', async () => {
    const report = await scan()
    expect(report.vulnerabilityIndex).toEqual({ status: 'none' })
    expect(report.vulnerabilities).toEqual([])
    const empty = new VulnIndexCache(new ObjectVulnIndexStore(new MemoryObjectStore()), silentLogger)
    await expect(scan(() => empty.current())).resolves.toMatchObject({ vulnerabilityIndex: { status: 'none' }, vulnerabilities: [] })
  }, 120_000)
})
