import { describe, expect, it } from 'vitest'
import { builtinRules } from '../../../../shared/analyzers/index.js'
import { formatPurl, parsePurl } from '../../../../shared/packages/purl.js'
import { exportReport, ExportError, toCycloneDx } from '../../../../shared/report/exporters/index.js'
import { licenseChoice } from '../../../../shared/report/exporters/cyclonedx.js'
import { expectValidExport } from '../../../support/official-schemas.js'
import { expectValidReport } from '../../../support/report-schema.js'
import { APP_LAYER, ARM_MANIFEST, failedImageReport, INDEX, MANIFEST, sampleImageReport, sampleIndexReport } from './sample-reports.js'

type Bom = ReturnType<typeof toCycloneDx>
type Component = Bom['components'][number]

function allComponents(components: readonly Component[]): Component[] {
  return components.flatMap((c) => [c, ...allComponents(c.components ?? [])])
}

describe('CycloneDX export of an image report', () => {
  const report = sampleImageReport()
  const bom = toCycloneDx(report)

  it('is a valid CycloneDX 1.6 BOM of a valid report', () => {
    expectValidReport(report)
    expectValidExport('cyclonedx', bom)
    expect(bom).toMatchObject({ bomFormat: 'CycloneDX', specVersion: '1.6', version: 1 })
  })

  it('describes the image: container named by repository, digest as version, oci purl, manifest hash', () => {
    expect(bom.metadata.component).toMatchObject({
      type: 'container',
      name: 'acme/app',
      version: MANIFEST,
      purl: `pkg:oci/app@${MANIFEST}?arch=amd64&repository_url=ghcr.io/acme/app`,
      hashes: [{ alg: 'SHA-256', content: MANIFEST.slice('sha256:'.length) }],
    })
    expect(bom.metadata.component.properties).toEqual(
      expect.arrayContaining([
        { name: 'pushscan:platform', value: 'linux/amd64' },
        { name: 'pushscan:tag', value: 'latest' },
        { name: 'pushscan:tag', value: 'v1' },
      ])
    )
    expect(bom.metadata.timestamp).toBe(report.scannedAt)
    expect(bom.metadata.tools.components).toEqual([{ type: 'application', name: 'pushscan', version: '0.1.0' }])
  })

  it('has one library component per package, plus the operating system', () => {
    const libraries = bom.components.filter((c) => c.type === 'library')
    expect(libraries).toHaveLength(report.packages.length)
    expect(bom.components.filter((c) => c.type === 'operating-system')).toEqual([
      expect.objectContaining({ name: 'debian', version: '12', description: 'Debian GNU/Linux 12 (bookworm)' }),
    ])
    // every package's purl is there, and is the canonical purl of the package
    expect(libraries.map((c) => c.purl).sort()).toEqual(report.packages.map((p) => p.purl).sort())
    for (const component of libraries) expect(formatPurl(parsePurl(component.purl!))).toBe(component.purl)
  })

  it('makes bom-refs unique when two packages share a purl, and keeps where each was found', () => {
    const refs = allComponents([bom.metadata.component, ...bom.components]).map((c) => c['bom-ref'])
    expect(new Set(refs).size).toBe(refs.length)
    const duals = bom.components.filter((c) => c.name === 'dual')
    expect(duals.map((c) => c['bom-ref'])).toEqual(['pkg:npm/dual@2.0.0', 'pkg:npm/dual@2.0.0|2'])
    expect(duals.map((c) => c.properties?.find((p) => p.name === 'pushscan:path')?.value)).toEqual([
      '/app/node_modules/dual/package.json',
      '/app/node_modules/other/node_modules/dual/package.json',
    ])
  })

  it('records the layer, file and source package as properties, and never the files a package owns', () => {
    const libc = bom.components.find((c) => c.name === 'libc6')!
    expect(libc.properties).toEqual([
      { name: 'pushscan:layer', value: report.packages.find((p) => p.name === 'libc6')!.layer },
      { name: 'pushscan:source', value: 'glibc' },
    ])
    const leftPad = bom.components.find((c) => c.name === '@acme/left-pad')!
    expect(leftPad.properties).toContainEqual({ name: 'pushscan:layer', value: APP_LAYER })
    expect(JSON.stringify(bom)).not.toContain('"files"')
  })

  it('writes licences as SPDX ids, SPDX expressions or names', () => {
    const licenses = Object.fromEntries(bom.components.map((c) => [c.name, c.licenses]))
    expect(licenses['@acme/left-pad']).toEqual([{ license: { id: 'MIT' } }])
    expect(licenses['dual']).toEqual([{ expression: 'MIT OR Apache-2.0' }])
    // a Debian short name is read as the SPDX licence it stands for
    expect(licenses['libc6']).toEqual([{ license: { id: 'LGPL-2.1-or-later' } }, { license: { id: 'GPL-2.0-or-later' } }])
    expect(licenses['requests']).toEqual([{ license: { name: 'Apache 2.0' } }, { license: { name: 'Apache Software License' } }])
    expect(licenses['org.example:weird name+plus']).toEqual([{ expression: 'GPL-2.0-or-later WITH Classpath-exception-2.0 AND BSD-3-Clause' }])
    expect(licenses['bash']).toBeUndefined()
  })

  it.each([
    [['MIT', 'MIT'], [{ license: { id: 'MIT' } }]],
    [['MIT OR Apache-2.0', 'Custom'], [{ license: { name: 'MIT OR Apache-2.0' } }, { license: { name: 'Custom' } }]],
    [['MIT OR Apache-2.0', 'ISC'], [{ expression: '(MIT OR Apache-2.0) AND ISC' }]],
    [['  '], undefined],
  ])('licence list %j → %j', (declared, expected) => {
    expect(licenseChoice(declared)).toEqual(expected)
  })

  it.each([
    ['deb', ['GPL-2+', 'Expat'], [{ license: { id: 'GPL-2.0-or-later' } }, { license: { id: 'MIT' } }]],
    ['deb', ['GPL-3+ with Bison-2.2 exception', 'public-domain'], [{ license: { name: 'GPL-3.0-or-later WITH Bison-exception-2.2' } }, { license: { name: 'public-domain' } }]],
    ['deb', ['GPL-3+ with Bison-2.2 exception', 'MIT'], [{ expression: 'GPL-3.0-or-later WITH Bison-exception-2.2 AND MIT' }]],
    ['npm', ['GPL-2+', 'Expat'], [{ license: { name: 'GPL-2+' } }, { license: { name: 'Expat' } }]],
  ])('a %s package declaring %j → %j', (type, declared, expected) => {
    expect(licenseChoice(declared, type)).toEqual(expected)
  })

  it('lists vulnerabilities that point at existing components, with severity, aliases and the fix', () => {
    const refs = new Set(bom.components.map((c) => c['bom-ref']))
    expect(bom.vulnerabilities!.map((v) => v.id)).toEqual(['CVE-2099-1002', 'DSA-9001-1', 'GHSA-2222-3333-4444'])
    for (const vulnerability of bom.vulnerabilities!) for (const affected of vulnerability.affects) expect(refs.has(affected.ref)).toBe(true)
    const dsa = bom.vulnerabilities!.find((v) => v.id === 'DSA-9001-1')!
    expect(dsa).toMatchObject({
      source: { name: 'OSV', url: 'https://osv.dev/vulnerability/DSA-9001-1' },
      references: [{ id: 'CVE-2099-1001', source: { url: 'https://osv.dev/vulnerability/CVE-2099-1001' } }],
      ratings: [{ severity: 'high' }],
      recommendation: 'Upgrade libc6 from 2.36-9+deb12u7 to 2.36-9+deb12u8.',
      affects: [{ ref: bom.components.find((c) => c.name === 'libc6')!['bom-ref'], versions: [{ version: '2.36-9+deb12u7', status: 'affected' }, { version: '2.36-9+deb12u8', status: 'unaffected' }] }],
    })
    // a package found twice is affected twice; an unknown severity stays unknown and has no recommendation
    expect(bom.vulnerabilities!.find((v) => v.id === 'GHSA-2222-3333-4444')!.affects.map((a) => a.ref)).toEqual(['pkg:npm/dual@2.0.0', 'pkg:npm/dual@2.0.0|2'])
    const unknown = bom.vulnerabilities!.find((v) => v.id === 'CVE-2099-1002')!
    expect(unknown.ratings).toEqual([{ severity: 'unknown' }])
    expect(unknown.recommendation).toBeUndefined()
  })

  it('says the image depends on every component, and nothing about the packages’ own dependencies', () => {
    expect(bom.dependencies).toEqual([{ ref: bom.metadata.component['bom-ref'], dependsOn: bom.components.map((c) => c['bom-ref']).sort() }])
  })

  it('gives the same bytes for the same report, and another serial number for another scan', () => {
    const rules = { rules: builtinRules }
    expect(exportReport(sampleImageReport(), 'cyclonedx', rules)).toBe(exportReport(sampleImageReport(), 'cyclonedx', rules))
    // the input order of packages does not matter
    const shuffled = sampleImageReport({ packages: [...sampleImageReport().packages].reverse() })
    expect(exportReport(shuffled, 'cyclonedx', rules)).toBe(exportReport(sampleImageReport(), 'cyclonedx', rules))
    expect(bom.serialNumber).toMatch(/^urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/)
    expect(toCycloneDx(sampleImageReport({ scannedAt: '2026-11-30T00:00:00.000Z' })).serialNumber).not.toBe(bom.serialNumber)
  })

  it('refuses a report whose scan time is not a timestamp', () => {
    expect(() => toCycloneDx(sampleImageReport({ scannedAt: 'yesterday' }))).toThrow(ExportError)
    expect(() => toCycloneDx(sampleImageReport({ scannedAt: 'yesterday' }))).toThrow(expect.objectContaining({ code: 'REPORT_INVALID', name: 'ExportError' }))
  })
})

describe('CycloneDX export of an index report', () => {
  const report = sampleIndexReport()
  const bom = toCycloneDx(report)

  it('is valid, and describes the index with one container component per platform image', () => {
    expectValidReport(report)
    expectValidExport('cyclonedx', bom)
    expect(bom.metadata.component).toMatchObject({ type: 'container', name: 'acme/app', version: INDEX, purl: `pkg:oci/app@${INDEX}?repository_url=ghcr.io/acme/app` })
    expect(bom.components.map((c) => ({ type: c.type, version: c.version, platform: c.properties?.find((p) => p.name === 'pushscan:platform')?.value }))).toEqual([
      { type: 'container', version: MANIFEST, platform: 'linux/amd64' },
      { type: 'container', version: ARM_MANIFEST, platform: 'linux/arm64/v8' },
    ])
  })

  it('nests each platform’s packages under its image, with platform-prefixed unique bom-refs', () => {
    const [amd64, arm64] = bom.components
    expect(amd64!.components!.filter((c) => c.type === 'library')).toHaveLength(report.manifests[0]!.packages.length)
    expect(arm64!.components!.filter((c) => c.type === 'library')).toHaveLength(report.manifests[1]!.packages.length)
    expect(arm64!.components!.map((c) => c['bom-ref'])).toContain('linux/arm64/v8|pkg:deb/debian/libc6@2.36-9%2Bdeb12u7?arch=arm64&distro=debian-12')
    const refs = allComponents([bom.metadata.component, ...bom.components]).map((c) => c['bom-ref'])
    expect(new Set(refs).size).toBe(refs.length)
  })

  it('links index → images → packages in the dependency graph, and vulnerabilities to the right platform', () => {
    const [amd64, arm64] = bom.components
    expect(bom.dependencies[0]).toEqual({ ref: bom.metadata.component['bom-ref'], dependsOn: [amd64!['bom-ref'], arm64!['bom-ref']].sort() })
    expect(bom.dependencies.slice(1).map((d) => d.ref)).toEqual([amd64!['bom-ref'], arm64!['bom-ref']])
    const refs = new Set(allComponents(bom.components).map((c) => c['bom-ref']))
    for (const vulnerability of bom.vulnerabilities!) {
      for (const affected of vulnerability.affects) {
        expect(refs.has(affected.ref)).toBe(true)
        expect(affected.ref.startsWith('linux/amd64|')).toBe(true)
      }
    }
  })
})

describe('CycloneDX export of a failed scan', () => {
  it('exports the subject and marks the inventory incomplete', () => {
    const bom = toCycloneDx(failedImageReport())
    expectValidExport('cyclonedx', bom)
    expect(bom.components).toEqual([])
    expect(bom.metadata.component.properties).toEqual(
      expect.arrayContaining([
        { name: 'pushscan:status', value: 'failed' },
        { name: 'pushscan:error', value: 'MANIFEST_UNKNOWN: manifest unknown: acme/app:v9' },
      ])
    )
    expect(bom.compositions).toEqual([{ aggregate: 'incomplete', assemblies: [bom.metadata.component['bom-ref']] }])
  })
})
