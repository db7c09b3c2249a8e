import { describe, expect, it } from 'vitest'
import { builtinRules } from '../../../../shared/analyzers/index.js'
import { exportReport, toSarif } from '../../../../shared/report/exporters/index.js'
import { fileUri, sarifLevel } from '../../../../shared/report/exporters/sarif.js'
import { expectValidExport } from '../../../support/official-schemas.js'
import { APP_LAYER, BASE_LAYER, failedImageReport, MANIFEST, sampleImageReport, sampleIndexReport } from './sample-reports.js'

const context = { rules: builtinRules }

describe('SARIF export of an image report', () => {
  const report = sampleImageReport()
  const log = toSarif(report, context)
  const run = log.runs[0]!

  it('is a valid SARIF 2.1.0 log with one run of pushscan', () => {
    expectValidExport('sarif', log)
    expect(log.runs).toHaveLength(1)
    expect(run.tool.driver).toMatchObject({ name: 'pushscan', version: '0.1.0', informationUri: 'https://pushscan.dev' })
    expect(run.invocations).toEqual([{ executionSuccessful: true, endTimeUtc: report.scannedAt }])
  })

  it('lists exactly the rules the results refer to, described as pushscan defines them', () => {
    const ids = run.tool.driver.rules.map((r) => r.id)
    expect(ids).toEqual([...new Set([...report.findings.map((f) => f.ruleId), ...report.vulnerabilities.map((v) => v.id)])].sort())
    const setuid = builtinRules.find((r) => r.id === 'fs-setuid-file')!
    expect(run.tool.driver.rules.find((r) => r.id === 'fs-setuid-file')).toEqual({
      id: 'fs-setuid-file',
      shortDescription: { text: setuid.title },
      fullDescription: { text: setuid.description },
      help: { text: setuid.remediation },
      defaultConfiguration: { level: sarifLevel(setuid.severity) },
      properties: expect.objectContaining({ category: 'filesystem', tags: ['security', 'filesystem'] }),
    })
    // a rule pushscan does not define is described from the finding
    expect(run.tool.driver.rules.find((r) => r.id === 'made-up-rule')).toMatchObject({ shortDescription: { text: 'A rule pushscan does not define' }, defaultConfiguration: { level: 'error' } })
    for (const result of run.results) expect(run.tool.driver.rules[result.ruleIndex]!.id).toBe(result.ruleId)
  })

  it.each([
    ['critical', 'error'],
    ['high', 'error'],
    ['medium', 'warning'],
    ['low', 'note'],
    ['info', 'note'],
    ['unknown', 'warning'],
  ] as const)('maps severity %s to level %s', (severity, level) => {
    expect(sarifLevel(severity)).toBe(level)
  })

  it('has one result per finding and per vulnerability, at the level of its own severity', () => {
    expect(run.results).toHaveLength(report.findings.length + report.vulnerabilities.length)
    for (const finding of report.findings) expect(run.results.find((r) => r.ruleId === finding.ruleId)!.level).toBe(sarifLevel(finding.severity))
  })

  it('locates a finding in the image filesystem, with the line, the layer and its history entry', () => {
    const secret = run.results.find((r) => r.ruleId === 'secret-aws-access-key-id')!
    expect(secret.message.text).toBe('AWS access key ID: AKIA…[redacted, 20 chars]')
    expect(secret.locations[0]!.physicalLocation).toEqual({ artifactLocation: { uri: 'app/.env', uriBaseId: 'ROOTFS' }, region: { startLine: 3 } })
    expect(secret.properties).toEqual({ category: 'secret', severity: 'high', layer: APP_LAYER, history: 2 })
    const setuid = run.results.find((r) => r.ruleId === 'fs-setuid-file')!
    expect(setuid.locations[0]!.physicalLocation).toEqual({ artifactLocation: { uri: 'usr/local/bin/my%20helper', uriBaseId: 'ROOTFS' } })
    expect(run.originalUriBaseIds['ROOTFS']!.uri).toBe('file:///')
  })

  it('names the layer that deleted or replaced a finding\'s file', () => {
    const base = sampleImageReport()
    const secret = base.findings.find((f) => f.ruleId === 'secret-aws-access-key-id')!
    const moved = { ...base, findings: base.findings.map((f) => (f === secret ? { ...f, location: { ...f.location, layer: BASE_LAYER, removedIn: APP_LAYER } } : f)) }
    const result = toSarif(moved, context).runs[0]!.results.find((r) => r.ruleId === 'secret-aws-access-key-id')!
    expect(result.properties).toMatchObject({ layer: BASE_LAYER, removedIn: APP_LAYER })
    expect(secret.location.removedIn).toBeUndefined()
    expect(run.results.find((r) => r.ruleId === 'secret-aws-access-key-id')!.properties).not.toHaveProperty('removedIn')
  })

  it('gives findings without a path only the image as a logical location', () => {
    const root = run.results.find((r) => r.ruleId === 'config-root-user')!
    expect(root.locations).toEqual([{ logicalLocations: [{ name: 'acme/app', fullyQualifiedName: `ghcr.io/acme/app@${MANIFEST}`, kind: 'resource' }] }])
    expect(run.results.find((r) => r.ruleId === 'made-up-rule')!.properties).toMatchObject({ layer: BASE_LAYER, history: 0 })
  })

  it('reports a vulnerability at its package, with the fix', () => {
    const ghsa = run.results.filter((r) => r.ruleId === 'GHSA-2222-3333-4444')
    expect(ghsa).toHaveLength(1)
    expect(ghsa[0]!.message.text).toBe('dual 2.0.0 is affected by GHSA-2222-3333-4444 (critical); fixed in 2.0.1.')
    expect(ghsa[0]!.locations[0]!.physicalLocation!.artifactLocation.uri).toBe('app/node_modules/dual/package.json')
    expect(ghsa[0]!.locations[0]!.logicalLocations[0]).toEqual({ name: 'dual', fullyQualifiedName: 'pkg:npm/dual@2.0.0', kind: 'module' })
    expect(ghsa[0]!.properties).toMatchObject({ purl: 'pkg:npm/dual@2.0.0', fixedVersion: '2.0.1', layer: APP_LAYER, history: 2 })
    const unknown = run.results.find((r) => r.ruleId === 'CVE-2099-1002')!
    expect(unknown.message.text).toBe('bash 5.2.15-2+b7 is affected by CVE-2099-1002 (unknown); no fixed version is known.')
    expect(run.tool.driver.rules.find((r) => r.id === 'DSA-9001-1')).toMatchObject({ helpUri: 'https://osv.dev/vulnerability/DSA-9001-1', properties: { 'security-severity': '8.0' } })
  })

  it('encodes image paths as relative URI references', () => {
    expect(fileUri('/usr/lib/ünïcode/a b#c?.so')).toBe('usr/lib/%C3%BCn%C3%AFcode/a%20b%23c%3F.so')
  })

  it('gives the same bytes for the same report, whatever the order of its findings', () => {
    const text = exportReport(sampleImageReport(), 'sarif', context)
    expect(exportReport(sampleImageReport(), 'sarif', context)).toBe(text)
    const reversed = sampleImageReport({ findings: [...sampleImageReport().findings].reverse(), vulnerabilities: [...sampleImageReport().vulnerabilities].reverse() })
    expect(exportReport(reversed, 'sarif', context)).toBe(text)
    expect(run.results.map((r) => r.ruleId)).toEqual([...run.results.map((r) => r.ruleId)].sort())
  })
})

describe('SARIF export of an index report', () => {
  it('puts every platform’s results in one run, each marked with its platform', () => {
    const report = sampleIndexReport()
    const log = toSarif(report, context)
    expectValidExport('sarif', log)
    const run = log.runs[0]!
    const expected = report.manifests.reduce((n, m) => n + m.findings.length + m.vulnerabilities.length, 0)
    expect(run.results).toHaveLength(expected)
    expect(new Set(run.results.map((r) => r.properties['platform']))).toEqual(new Set(['linux/amd64', 'linux/arm64/v8']))
    expect(run.properties['platforms']).toEqual(['linux/amd64', 'linux/arm64/v8'])
    // the same finding in two platforms is two results with different fingerprints
    const roots = run.results.filter((r) => r.ruleId === 'config-root-user')
    expect(roots).toHaveLength(2)
    expect(roots[0]!.fingerprints['pushscan/v1']).not.toBe(roots[1]!.fingerprints['pushscan/v1'])
    expect(new Set(run.tool.driver.rules.map((r) => r.id)).size).toBe(run.tool.driver.rules.length)
  })
})

describe('SARIF export of a failed scan', () => {
  it('records an unsuccessful invocation with the error', () => {
    const log = toSarif(failedImageReport(), context)
    expectValidExport('sarif', log)
    expect(log.runs[0]!.invocations).toEqual([
      { executionSuccessful: false, endTimeUtc: '2026-11-29T07:40:00.123Z', toolExecutionNotifications: [{ level: 'error', message: { text: 'ghcr.io/acme/app: MANIFEST_UNKNOWN: manifest unknown: acme/app:v9' } }] },
    ])
    expect(log.runs[0]!.results).toEqual([])
  })
})
