/**
 * Vulnerabilities in reports: matching a report's packages, the summary and --fail-on, index
 * reports, and what counts as a new vulnerability.
 */
import { describe, expect, it } from 'vitest'
import type { ImageReport, IndexReport, Vulnerability } from '../../../shared/report/model.js'
import { hasAtOrAbove } from '../../../shared/report/summary.js'
import { parseOsvRecord } from '../../../shared/vulns/osv.js'
import { loadedIndex, matchImageReport, matchReport, matchScannedReport, newVulnerabilities, sameVulnerabilities } from '../../../shared/vulns/report-vulns.js'
import { buildIndex } from '../../../shared/vulns/vuln-index.js'
import { expectValidReport } from '../../support/report-schema.js'

const LAYER = `sha256:${'1a'.repeat(32)}`

function imageReport(overrides: Partial<ImageReport> = {}): ImageReport {
  return {
    schemaVersion: 1,
    kind: 'image',
    status: 'complete',
    scanner: { name: 'pushscan', version: '0.0.0-test', analyzers: {} },
    subject: { source: 'registry', registry: 'registry.example', repository: 'team/app', digest: `sha256:${'2b'.repeat(32)}`, tags: ['1'] },
    scannedAt: '2098-01-01T00:00:00.000Z',
    durationMs: 1,
    image: { os: { family: 'debian', version: '12' }, created: null, configDigest: null, config: null, history: [], layers: [] },
    efficiency: null,
    packages: [
      { type: 'deb', name: 'libssl3', version: '3.0.11-1~deb12u2', source: 'openssl', purl: 'pkg:deb/debian/libssl3@3.0.11-1~deb12u2?distro=debian-12', layer: LAYER },
      { type: 'npm', name: 'acme-lib', version: '1.0.0', purl: 'pkg:npm/acme-lib@1.0.0', layer: LAYER },
      { type: 'binary', name: 'mystery', version: '1', purl: 'pkg:generic/mystery@1', layer: LAYER },
    ],
    vulnerabilities: [],
    findings: [{ ruleId: 'config-root-user', category: 'config', severity: 'low', title: 'root', location: {} }],
    provenance: { signatures: [], attestations: [], sboms: [], baseImage: null, source: {} },
    summary: { critical: 0, high: 0, medium: 0, low: 1, info: 0, unknown: 0 },
    errors: [],
    ...overrides,
  }
}

const INDEX = loadedIndex(
  buildIndex(
    [
      parseOsvRecord({
        id: 'DSA-9901-1',
        modified: '2098-01-01T00:00:00Z',
        upstream: ['CVE-2098-1'],
        affected: [{ package: { ecosystem: 'Debian:12', name: 'openssl' }, ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '3.0.13-1~deb12u1' }] }] }],
        database_specific: { severity: 'high' },
      }),
      parseOsvRecord({
        id: 'GHSA-2222-9999-7777',
        modified: '2098-01-01T00:00:00Z',
        affected: [{ package: { ecosystem: 'npm', name: 'acme-lib' }, ranges: [{ type: 'SEMVER', events: [{ introduced: '0' }, { fixed: '1.0.1' }] }] }],
      }),
    ],
    undefined,
    { importedAt: '2098-02-01T00:00:00.000Z' }
  )
)

describe('matchImageReport', () => {
  it('sets the vulnerabilities, the index it used and the summary (findings and vulnerabilities)', () => {
    // Act
    const report = matchImageReport(imageReport(), INDEX)
    // Assess
    expectValidReport(report)
    expect(report.vulnerabilities.map((v) => [v.id, v.package.name, v.fixedVersion, v.severity])).toEqual([
      ['CVE-2098-1', 'libssl3', '3.0.13-1~deb12u1', 'high'],
      ['GHSA-2222-9999-7777', 'acme-lib', '1.0.1', 'unknown'],
    ])
    expect(report.vulnerabilityIndex).toEqual({ status: 'loaded', importedAt: '2098-02-01T00:00:00.000Z', records: 2, sources: { DSA: 1, GHSA: 1 } })
    expect(report.summary).toEqual({ critical: 0, high: 1, medium: 0, low: 1, info: 0, unknown: 1 })
    // the key order of a scanned report
    expect(Object.keys(report)).toEqual(['schemaVersion', 'kind', 'status', 'scanner', 'subject', 'scannedAt', 'durationMs', 'image', 'efficiency', 'packages', 'vulnerabilities', 'vulnerabilityIndex', 'findings', 'provenance', 'summary', 'errors'])
  })

  it('makes --fail-on count vulnerabilities', () => {
    expect(hasAtOrAbove(imageReport(), 'high')).toBe(false)
    expect(hasAtOrAbove(matchImageReport(imageReport(), INDEX), 'high')).toBe(true)
    expect(hasAtOrAbove(matchImageReport(imageReport(), INDEX), 'critical')).toBe(false)
  })

  it('says there was no index, and clears what an earlier match found', () => {
    const report = matchImageReport(matchImageReport(imageReport(), INDEX), null)
    expectValidReport(report)
    expect(report.vulnerabilityIndex).toEqual({ status: 'none' })
    expect(report.vulnerabilities).toEqual([])
    expect(report.summary.high).toBe(0)
  })

  it('does not match distribution packages of an unknown OS', () => {
    const report = matchImageReport(imageReport({ image: { ...imageReport().image, os: null } }), INDEX)
    expect(report.vulnerabilities.map((v) => v.package.name)).toEqual(['acme-lib'])
  })

  it('in a scan, turns a matching failure into a report error instead of a failed scan', () => {
    // Prepare: an index whose package table is damaged
    const broken = { ...INDEX, index: { ...INDEX.index, packages: { 'Debian:12': { openssl: [null] } } } } as unknown as typeof INDEX
    // Act
    const report = matchScannedReport(imageReport(), broken)
    // Assess
    expectValidReport(report)
    expect(report.status).toBe('complete')
    expect(report.vulnerabilityIndex).toEqual({ status: 'none' })
    expect(report.errors).toEqual([{ code: 'ANALYZER_FAILED', message: expect.stringMatching(/^vulnerability matching failed: /), analyzer: 'vulnerabilities' }])
    expect(matchScannedReport(imageReport(), INDEX)).toEqual(matchImageReport(imageReport(), INDEX))
  })

  it('leaves a failed report as it is', () => {
    const failed = imageReport({ status: 'failed', error: { code: 'MANIFEST_UNKNOWN', message: 'gone' } })
    expect(matchImageReport(failed, INDEX)).toBe(failed)
  })
})

describe('matchReport on an index report', () => {
  it('matches each platform report and adds up their summaries', () => {
    // Prepare
    const index: IndexReport = {
      schemaVersion: 1,
      kind: 'index',
      status: 'complete',
      scanner: { name: 'pushscan', version: '0.0.0-test', analyzers: {} },
      subject: { source: 'registry', registry: 'registry.example', repository: 'team/app', digest: `sha256:${'3c'.repeat(32)}`, tags: ['1'] },
      scannedAt: '2098-01-01T00:00:00.000Z',
      durationMs: 1,
      skipped: [],
      manifests: [imageReport(), imageReport({ packages: [] })],
      summary: { critical: 0, high: 0, medium: 0, low: 2, info: 0, unknown: 0 },
    }
    // Act
    const matched = matchReport(index, INDEX) as IndexReport
    // Assess
    expectValidReport(matched)
    expect(matched.manifests.map((m) => m.vulnerabilities.length)).toEqual([2, 0])
    expect(matched.summary).toEqual({ critical: 0, high: 1, medium: 0, low: 2, info: 0, unknown: 1 })
  })
})

describe('comparing vulnerability lists', () => {
  const v = (id: string, aliases: string[], purl = 'pkg:npm/a@1', severity: Vulnerability['severity'] = 'high'): Vulnerability => ({
    id,
    aliases,
    package: { type: 'npm', name: 'a', version: '1', purl },
    severity,
    layer: LAYER,
  })

  it('sameVulnerabilities ignores order, not content', () => {
    expect(sameVulnerabilities([v('A', []), v('B', [])], [v('B', []), v('A', [])])).toBe(true)
    expect(sameVulnerabilities([v('A', [])], [v('A', [], undefined, 'critical')])).toBe(false)
    expect(sameVulnerabilities([v('A', [])], [v('A', []), v('B', [])])).toBe(false)
  })

  it('newVulnerabilities: new ids per package; a flaw renamed to its CVE or re-rated is not new', () => {
    const before = [v('GHSA-1', []), v('CVE-2', [], 'pkg:npm/b@1')]
    const after = [v('CVE-1', ['GHSA-1'], undefined, 'critical'), v('CVE-2', []), v('CVE-2', [], 'pkg:npm/b@1'), v('CVE-3', [])]
    expect(newVulnerabilities(before, after).map((x) => `${x.id} ${x.package.purl}`)).toEqual(['CVE-2 pkg:npm/a@1', 'CVE-3 pkg:npm/a@1'])
  })
})
