/**
 * The exporters on reports of images scanned for real: built in the test, served by an
 * in-process registry, scanned with the built-in analyzers. A single image and a
 * two-platform index with Debian, npm and Python packages and a setuid file.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Agent } from 'undici'
import { builtinRules, createAnalyzerSet } from '../../../../shared/analyzers/index.js'
import { parseReference } from '../../../../shared/image/reference.js'
import { DEFAULT_LIMITS } from '../../../../shared/layers/limits.js'
import { fixedClock } from '../../../../shared/ports/clock.js'
import { silentLogger } from '../../../../shared/ports/logger.js'
import { exportReport, toCycloneDx, toSarif, toSpdx } from '../../../../shared/report/exporters/index.js'
import type { ImageReport, IndexReport, Report } from '../../../../shared/report/model.js'
import { registryImageSource } from '../../../../shared/registry/registry-source.js'
import { UndiciRegistryClient } from '../../../../shared/registry/undici-registry-client.js'
import { scanImage } from '../../../../shared/scan/scan-image.js'
import { startFaultRegistry, type FaultRegistry } from '../../../support/fault-registry.js'
import { buildImage, buildIndex, buildLayer, type BuiltBlob } from '../../../support/image-builder.js'
import { expectValidExport } from '../../../support/official-schemas.js'
import { expectValidReport } from '../../../support/report-schema.js'

const OS_RELEASE = 'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nNAME="Debian GNU/Linux"\nVERSION_ID="12"\nVERSION_CODENAME=bookworm\nID=debian\n'
const COPYRIGHT = 'Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/\n\nFiles: *\nCopyright: 2024 Someone\nLicense: GPL-2+\n'

const DEBS = [
  { name: 'hello', version: '2.10-3' },
  { name: 'libc6', version: '2.36-9+deb12u7', source: 'glibc' },
  { name: 'tzdata', version: '2024a-0+deb12u1', arch: 'all' },
]

function status(arch: string): string {
  return DEBS.map((d) =>
    [
      `Package: ${d.name}`,
      'Status: install ok installed',
      `Architecture: ${d.arch ?? arch}`,
      ...(d.source ? [`Source: ${d.source}`] : []),
      `Version: ${d.version}`,
      'Description: a package for tests',
      '',
    ].join('\n')
  ).join('\n')
}

let registry: FaultRegistry
let agent: Agent
let base: BuiltBlob
let app: BuiltBlob
let image: ImageReport
let index: IndexReport

async function scan(reference: string): Promise<Report> {
  const client = new UndiciRegistryClient({ dispatcher: agent, insecureRegistries: [registry.host], sleep: async () => {}, retry: { attempts: 1 } })
  return scanImage(registryImageSource(client, parseReference(reference)), {}, {
    analyzers: createAnalyzerSet(),
    limits: DEFAULT_LIMITS,
    clock: fixedClock('2026-11-29T00:00:00Z'),
    logger: silentLogger,
    scanner: { name: 'pushscan', version: '0.0.0-test' },
  })
}

async function debianLayer(arch: string): Promise<BuiltBlob> {
  return buildLayer([
    { name: 'etc/os-release', content: OS_RELEASE },
    { name: 'var/lib/dpkg/status', content: status(arch) },
    { name: 'usr/share/doc/hello/copyright', content: COPYRIGHT },
    { name: 'usr/bin/hello', content: 'hello', mode: 0o755 },
  ], { compression: 'gzip' })
}

beforeAll(async () => {
  registry = await startFaultRegistry()
  agent = new Agent()
  base = await debianLayer('amd64')
  app = await buildLayer([
    { name: 'app/node_modules/left-pad/package.json', content: JSON.stringify({ name: 'left-pad', version: '1.3.0', license: 'WTFPL' }) },
    { name: 'app/node_modules/dual/package.json', content: JSON.stringify({ name: 'dual', version: '2.0.0', license: '(MIT OR Apache-2.0)' }) },
    { name: 'usr/lib/python3/dist-packages/requests-2.31.0.dist-info/METADATA', content: 'Metadata-Version: 2.1\nName: requests\nVersion: 2.31.0\nLicense: Apache 2.0\n\nbody\n' },
    { name: 'usr/local/bin/helper', content: '#!/bin/sh\n', mode: 0o4755 },
  ], { compression: 'gzip' })
  const amd64 = buildImage({ format: 'oci', layers: [base, app] })
  registry.serve('exporters/app', amd64, ['v1'])
  const arm64 = buildImage({ format: 'oci', platform: { os: 'linux', architecture: 'arm64', variant: 'v8' }, layers: [await debianLayer('arm64')] })
  registry.serve('exporters/multi', buildIndex({ format: 'oci', images: [amd64, arm64] }), ['1.0'])
  image = (await scan(`${registry.host}/exporters/app:v1`)) as ImageReport
  index = (await scan(`${registry.host}/exporters/multi:1.0`)) as IndexReport
})

afterAll(async () => {
  await agent.close()
  await registry.close()
})

describe('exports of a scanned image', () => {
  it('start from a valid, complete report with the packages the layers hold', () => {
    expectValidReport(image)
    expect(image.status).toBe('complete')
    expect(image.packages.map((p) => `${p.type}/${p.name}@${p.version}`)).toEqual([
      'deb/hello@2.10-3',
      'deb/libc6@2.36-9+deb12u7',
      'deb/tzdata@2024a-0+deb12u1',
      'npm/dual@2.0.0',
      'npm/left-pad@1.3.0',
      'pypi/requests@2.31.0',
    ])
  })

  it('CycloneDX: valid, one component per package, the deb set with its versions, each attributed to its layer', () => {
    const bom = toCycloneDx(image)
    expectValidExport('cyclonedx', bom)
    const libraries = bom.components.filter((c) => c.type === 'library')
    expect(libraries).toHaveLength(image.packages.length)
    expect(libraries.filter((c) => c.purl!.startsWith('pkg:deb/')).map((c) => ({ name: c.name, version: c.version }))).toEqual(DEBS.map(({ name, version }) => ({ name, version })))
    for (const pkg of image.packages) {
      const component = libraries.find((c) => c.purl === pkg.purl)!
      expect(component.properties).toContainEqual({ name: 'pushscan:layer', value: pkg.layer })
    }
    expect(libraries.find((c) => c.name === 'requests')!.properties).toContainEqual({ name: 'pushscan:layer', value: app.diffId })
    expect(libraries.find((c) => c.name === 'hello')!.licenses).toEqual([{ license: { id: 'GPL-2.0-or-later' } }])
    expect(libraries.find((c) => c.name === 'left-pad')!.licenses).toEqual([{ license: { id: 'WTFPL' } }])
    expect(libraries.find((c) => c.name === 'dual')!.licenses).toEqual([{ expression: 'MIT OR Apache-2.0' }])
    expect(bom.components.find((c) => c.type === 'operating-system')).toMatchObject({ name: 'debian', version: '12' })
    expect(bom.metadata.component).toMatchObject({ name: 'exporters/app', version: image.subject.digest })
  })

  it('SPDX: valid, one package per scanned package, contained by the image', () => {
    const doc = toSpdx(image)
    expectValidExport('spdx', doc)
    const purls = doc.packages.flatMap((p) => p.externalRefs ?? []).filter((ref) => ref.referenceType === 'purl').map((ref) => ref.referenceLocator)
    expect(purls.filter((purl) => !purl.startsWith('pkg:oci/')).sort()).toEqual(image.packages.map((p) => p.purl).sort())
    const root = doc.relationships.find((r) => r.relationshipType === 'DESCRIBES')!.relatedSpdxElement
    expect(doc.relationships.filter((r) => r.spdxElementId === root)).toHaveLength(image.packages.length + 1)
    expect(doc.packages.find((p) => p.name === 'hello')!.licenseDeclared).toBe('GPL-2.0-or-later')
  })

  it('SARIF: valid, with the setuid finding located at its file and layer', () => {
    const log = toSarif(image, { rules: builtinRules })
    expectValidExport('sarif', log)
    const run = log.runs[0]!
    expect(run.results).toHaveLength(image.findings.length)
    const helper = run.results.find((r) => r.ruleId === 'fs-setuid-file' && r.locations[0]!.physicalLocation?.artifactLocation.uri === 'usr/local/bin/helper')
    expect(helper).toMatchObject({ level: 'warning', properties: { layer: app.diffId, history: 1 } })
    expect(run.tool.driver.rules.map((r) => r.id)).toEqual([...new Set(image.findings.map((f) => f.ruleId))].sort())
  })

  it('give the same bytes when the same report is exported again', () => {
    for (const format of ['cyclonedx', 'spdx', 'sarif'] as const) {
      expect(exportReport(image, format, { rules: builtinRules })).toBe(exportReport(structuredClone(image), format, { rules: builtinRules }))
    }
  })
})

describe('exports of a scanned two-platform index', () => {
  it('keep each platform’s packages apart and valid in every format', () => {
    expectValidReport(index)
    expect(index.manifests.map((m) => m.subject.platform?.architecture)).toEqual(['amd64', 'arm64'])
    const bom = toCycloneDx(index)
    expectValidExport('cyclonedx', bom)
    expect(bom.components.map((c) => (c.components ?? []).filter((child) => child.type === 'library').length)).toEqual(index.manifests.map((m) => m.packages.length))
    expect(bom.components[1]!.components!.filter((c) => c.type === 'library').map((c) => c.purl)).toContain('pkg:deb/debian/libc6@2.36-9%2Bdeb12u7?arch=arm64&distro=debian-12&upstream=glibc')
    expectValidExport('spdx', toSpdx(index))
    expectValidExport('sarif', toSarif(index, { rules: builtinRules }))
  })
})
