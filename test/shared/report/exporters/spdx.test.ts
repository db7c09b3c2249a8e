import { describe, expect, it } from 'vitest'
import { builtinRules } from '../../../../shared/analyzers/index.js'
import { exportReport, toSpdx } from '../../../../shared/report/exporters/index.js'
import { isLicenseExpression } from '../../../../shared/report/exporters/license-expression.js'
import { expectValidExport } from '../../../support/official-schemas.js'
import { failedImageReport, INDEX, MANIFEST, sampleImageReport, sampleIndexReport } from './sample-reports.js'

type Doc = ReturnType<typeof toSpdx>

const SPDX_ID = /^SPDXRef-[A-Za-z0-9.-]+$/

/** Checks the rules of SPDX 2.3 the JSON Schema leaves to prose. */
function expectWellFormed(doc: Doc): void {
  const ids = doc.packages.map((p) => p.SPDXID)
  expect(ids.filter((id) => !SPDX_ID.test(id))).toEqual([])
  expect(new Set(ids).size).toBe(ids.length)
  const known = new Set(['SPDXRef-DOCUMENT', ...ids])
  for (const r of doc.relationships) {
    expect(known.has(r.spdxElementId)).toBe(true)
    expect(known.has(r.relatedSpdxElement)).toBe(true)
  }
  expect(doc.creationInfo.created).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/)
  expect(doc.documentNamespace).toMatch(/^https:\/\/pushscan\.dev\/spdxdocs\/[^#\s]+$/)
  // every licenseDeclared is NOASSERTION or an expression whose LicenseRefs are defined, and every definition is used
  const defined = new Set((doc.hasExtractedLicensingInfos ?? []).map((info) => info.licenseId))
  const used = new Set<string>()
  for (const p of doc.packages) {
    if (p.licenseDeclared === 'NOASSERTION') continue
    expect(isLicenseExpression(p.licenseDeclared)).toBe(true)
    for (const ref of p.licenseDeclared.match(/LicenseRef-[A-Za-z0-9.-]+/g) ?? []) used.add(ref)
  }
  expect([...used].sort()).toEqual([...defined].sort())
}

describe('SPDX export of an image report', () => {
  const report = sampleImageReport()
  const doc = toSpdx(report)

  it('is a valid, well-formed SPDX 2.3 document', () => {
    expectValidExport('spdx', doc)
    expectWellFormed(doc)
    expect(doc).toMatchObject({ spdxVersion: 'SPDX-2.3', dataLicense: 'CC0-1.0', SPDXID: 'SPDXRef-DOCUMENT', name: `ghcr.io/acme/app@${MANIFEST}` })
    expect(doc.creationInfo).toEqual({ created: '2026-11-29T07:40:00Z', creators: ['Tool: pushscan-0.1.0'] })
    expect(doc.documentNamespace).toMatch(new RegExp(`^https://pushscan\\.dev/spdxdocs/ghcr\\.io/acme/app/${MANIFEST.slice(7)}-[0-9a-f-]{36}$`))
  })

  it('describes the image, which contains the operating system and every package', () => {
    const image = doc.packages.find((p) => p.primaryPackagePurpose === 'CONTAINER')!
    expect(image).toMatchObject({
      name: 'acme/app',
      versionInfo: MANIFEST,
      checksums: [{ algorithm: 'SHA256', checksumValue: MANIFEST.slice(7) }],
      externalRefs: [{ referenceCategory: 'PACKAGE-MANAGER', referenceType: 'purl', referenceLocator: `pkg:oci/app@${MANIFEST}?arch=amd64&repository_url=ghcr.io/acme/app` }],
    })
    expect(doc.relationships[0]).toEqual({ spdxElementId: 'SPDXRef-DOCUMENT', relationshipType: 'DESCRIBES', relatedSpdxElement: image.SPDXID })
    const contained = doc.relationships.filter((r) => r.spdxElementId === image.SPDXID && r.relationshipType === 'CONTAINS').map((r) => r.relatedSpdxElement)
    expect(contained).toHaveLength(report.packages.length + 1)
    expect(doc.packages).toHaveLength(report.packages.length + 2)
    expect(doc.packages.find((p) => p.primaryPackagePurpose === 'OPERATING_SYSTEM')).toMatchObject({ name: 'debian', versionInfo: '12' })
  })

  it('gives each package its purl, no download location, no file analysis, and sanitised unique SPDXIDs', () => {
    const packages = doc.packages.filter((p) => p.primaryPackagePurpose === undefined)
    expect(packages.map((p) => p.externalRefs![0]!.referenceLocator).sort()).toEqual(report.packages.map((p) => p.purl).sort())
    for (const p of packages) expect(p).toMatchObject({ downloadLocation: 'NOASSERTION', filesAnalyzed: false, licenseConcluded: 'NOASSERTION' })
    expect(packages.map((p) => p.SPDXID)).toEqual(
      expect.arrayContaining([
        'SPDXRef-Package-npm-acme-left-pad-1.3.0',
        'SPDXRef-Package-npm-dual-2.0.0',
        'SPDXRef-Package-npm-dual-2.0.0-2',
        'SPDXRef-Package-maven-org.example-weird-name-plus-1.0-beta',
        'SPDXRef-Package-gem-n-code-0.1.0',
        'SPDXRef-Package-deb-libc6-2.36-9-deb12u7',
      ])
    )
    const libc = packages.find((p) => p.name === 'libc6')!
    expect(libc.comment).toBe(`layer ${report.packages.find((p) => p.name === 'libc6')!.layer}`)
    expect(libc.sourceInfo).toBe('source package glibc')
    expect(packages.find((p) => p.name === 'requests')!.comment).toContain('read from /usr/lib/python3/dist-packages/requests-2.31.0.dist-info/METADATA')
  })

  it('declares licences as SPDX expressions, with free text as LicenseRefs whose text is kept', () => {
    const declared = Object.fromEntries(doc.packages.map((p) => [p.name, p.licenseDeclared]))
    expect(declared['@acme/left-pad']).toBe('MIT')
    expect(declared['dual']).toBe('MIT OR Apache-2.0')
    expect(declared['zlib1g']).toBe('Zlib')
    expect(declared['bash']).toBe('NOASSERTION')
    expect(declared['tzdata']).toBe('LicenseRef-public-domain')
    // Debian's GPL-2+ is GPL-2.0-or-later
    expect(declared['libc6']).toBe('LGPL-2.1-or-later AND GPL-2.0-or-later')
    expect(declared['org.example:weird name+plus']).toBe('GPL-2.0-or-later WITH Classpath-exception-2.0 AND BSD-3-Clause')
    const texts = Object.fromEntries((doc.hasExtractedLicensingInfos ?? []).map((info) => [info.extractedText, info.licenseId]))
    expect(Object.keys(texts).sort()).toEqual(['Apache 2.0', 'Apache Software License', 'Custom licence; see COPYING', 'public-domain'])
    expect(declared['requests']).toBe(`${texts['Apache 2.0']} AND ${texts['Apache Software License']}`)
  })

  it('links each vulnerable package to its advisories', () => {
    const libc = doc.packages.find((p) => p.name === 'libc6')!
    expect(libc.externalRefs).toContainEqual({ referenceCategory: 'SECURITY', referenceType: 'advisory', referenceLocator: 'https://osv.dev/vulnerability/DSA-9001-1' })
    const duals = doc.packages.filter((p) => p.name === 'dual')
    for (const dual of duals) expect(dual.externalRefs).toContainEqual(expect.objectContaining({ referenceLocator: 'https://osv.dev/vulnerability/GHSA-2222-3333-4444' }))
    expect(doc.packages.find((p) => p.name === 'tzdata')!.externalRefs).toHaveLength(1)
  })

  it('gives the same bytes for the same report, whatever the order of its packages', () => {
    const context = { rules: builtinRules }
    const text = exportReport(sampleImageReport(), 'spdx', context)
    expect(exportReport(sampleImageReport(), 'spdx', context)).toBe(text)
    expect(exportReport(sampleImageReport({ packages: [...sampleImageReport().packages].reverse() }), 'spdx', context)).toBe(text)
    expect(toSpdx(sampleImageReport({ scannedAt: '2026-11-30T00:00:00Z' })).documentNamespace).not.toBe(doc.documentNamespace)
  })
})

describe('SPDX export of an index report', () => {
  const report = sampleIndexReport()
  const doc = toSpdx(report)

  it('is valid; the index contains one image per platform, each containing its own packages', () => {
    expectValidExport('spdx', doc)
    expectWellFormed(doc)
    const index = doc.packages.find((p) => p.versionInfo === INDEX)!
    expect(doc.relationships[0]).toEqual({ spdxElementId: 'SPDXRef-DOCUMENT', relationshipType: 'DESCRIBES', relatedSpdxElement: index.SPDXID })
    const images = doc.relationships.filter((r) => r.spdxElementId === index.SPDXID).map((r) => r.relatedSpdxElement)
    expect(images).toEqual(['SPDXRef-linux-amd64-Image-acme-app', 'SPDXRef-linux-arm64-v8-Image-acme-app'])
    for (const [image, manifest] of images.map((id, i) => [id, report.manifests[i]!] as const)) {
      const contained = doc.relationships.filter((r) => r.spdxElementId === image).map((r) => r.relatedSpdxElement)
      expect(contained).toHaveLength(manifest.packages.length + 1)
      expect(contained.every((id) => id.startsWith(image.replace('-Image-acme-app', '-')))).toBe(true)
    }
  })
})

describe('SPDX export of a failed scan', () => {
  it('describes the subject and says in creationInfo that the package list is incomplete', () => {
    const doc = toSpdx(failedImageReport())
    expectValidExport('spdx', doc)
    expectWellFormed(doc)
    expect(doc.packages).toHaveLength(1)
    expect(doc.creationInfo.comment).toBe('The scan failed, so the package list is incomplete: ghcr.io/acme/app: MANIFEST_UNKNOWN')
    expect(doc.documentNamespace).toMatch(/\/ghcr\.io\/acme\/app\/unknown-[0-9a-f-]{36}$/)
  })
})
