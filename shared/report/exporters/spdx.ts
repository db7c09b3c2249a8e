/**
 * `--format spdx`: a report as an SPDX 2.3 JSON document.
 *
 * Layout:
 * - One package for the image (`primaryPackagePurpose: CONTAINER`, `versionInfo` = manifest
 *   digest, the `oci` purl, the digest as a SHA256 checksum), one `OPERATING_SYSTEM` package
 *   for `image.os` when it is known, and one package per scanned package. The document
 *   `DESCRIBES` the image; the image `CONTAINS` the OS and every package.
 * - An index report describes the index package instead, which `CONTAINS` one image package
 *   per platform, each containing its own OS and packages; their SPDXIDs start with the
 *   platform (`SPDXRef-linux-arm64-v8-Package-deb-libc6-…`).
 *
 * Packages: `downloadLocation` is `NOASSERTION` (pushscan saw the package installed, not where
 * it came from), `filesAnalyzed` false (the files a package owns are not exported),
 * `licenseConcluded` and `copyrightText` `NOASSERTION`. The purl is a `PACKAGE-MANAGER`
 * external reference; each vulnerability matched to the package is a `SECURITY` `advisory`
 * reference to its OSV record. `comment` records the layer (DiffID) that added the package
 * and the file a language package was read from; `sourceInfo` the source package.
 *
 * `licenseDeclared` is one SPDX licence expression: each declared licence becomes its SPDX
 * identifier or expression when it is one (see `license-expression.ts`), and otherwise a
 * `LicenseRef-<text>` whose text is recorded in `hasExtractedLicensingInfos`; several are
 * joined with `AND` (the package is taken to be under all of them). No declared licence
 * gives `NOASSERTION`.
 *
 * SPDXIDs are `SPDXRef-` plus the package's type, name and version with every character
 * outside `[A-Za-z0-9.-]` replaced by `-`, followed by `-2`, `-3`… when two packages give the
 * same one. `documentNamespace` is
 * `https://pushscan.dev/spdxdocs/<registry>/<repository>/<digest hex>-<uuid>`, the UUID
 * name-based on the digest, scanner and scan time, so the same report gives the same bytes.
 * `created` is the scan time, to the second.
 *
 * @see https://spdx.github.io/spdx-spec/v2.3/
 * @module
 */
import { createHash } from 'node:crypto'
import type { ImageReport, Package, Report, ReportOs, ReportSubject } from '../model.js'
import { classifyPackageLicense, joinWithAnd } from './license-expression.js'
import { advisoryUrl, compareText, documentSeed, imagePurl, nameBasedUuid, platformKey, sha256Hex, subjectReference, utcSeconds } from './export-subject.js'

export const SPDX_MEDIA_TYPE = 'application/spdx+json'

const NOASSERTION = 'NOASSERTION'

interface ExternalRef {
  referenceCategory: 'PACKAGE-MANAGER' | 'SECURITY'
  referenceType: 'purl' | 'advisory'
  referenceLocator: string
}

interface SpdxPackage {
  SPDXID: string
  name: string
  versionInfo?: string
  downloadLocation: string
  filesAnalyzed: false
  checksums?: Array<{ algorithm: 'SHA256'; checksumValue: string }>
  sourceInfo?: string
  licenseConcluded: string
  licenseDeclared: string
  copyrightText: string
  summary?: string
  comment?: string
  externalRefs?: ExternalRef[]
  primaryPackagePurpose?: 'CONTAINER' | 'OPERATING_SYSTEM'
}

interface Relationship {
  spdxElementId: string
  relationshipType: 'DESCRIBES' | 'CONTAINS'
  relatedSpdxElement: string
}

export interface SpdxDocument {
  spdxVersion: 'SPDX-2.3'
  dataLicense: 'CC0-1.0'
  SPDXID: 'SPDXRef-DOCUMENT'
  name: string
  documentNamespace: string
  creationInfo: { created: string; creators: string[]; comment?: string }
  packages: SpdxPackage[]
  relationships: Relationship[]
  hasExtractedLicensingInfos?: Array<{ licenseId: string; extractedText: string; name: string }>
}

/** Hands out unique SPDXIDs and `LicenseRef-`s within one document. */
class DocumentIds {
  private readonly used = new Set<string>(['SPDXRef-DOCUMENT'])
  readonly licenseRefs = new Map<string, string>()

  spdxId(...parts: string[]): string {
    const base = `SPDXRef-${sanitise(parts.filter((part) => part !== '').join('-'))}`
    let id = base
    for (let n = 2; this.used.has(id); n++) id = `${base}-${n}`
    this.used.add(id)
    return id
  }

  /** `LicenseRef-<text>`; the text is sanitised, and a short hash added when that changed it. */
  licenseRef(text: string): string {
    const known = this.licenseRefs.get(text)
    if (known) return known
    const clean = sanitise(text).slice(0, 64)
    const id = clean === text ? `LicenseRef-${clean}` : `LicenseRef-${clean}-${createHash('sha256').update(text).digest('hex').slice(0, 8)}`
    this.licenseRefs.set(text, id)
    return id
  }
}

/**
 * The SPDX 2.3 document of `report`.
 *
 * @example
 * const doc = toSpdx(report)
 * doc.relationships[0] // { spdxElementId: 'SPDXRef-DOCUMENT', relationshipType: 'DESCRIBES', relatedSpdxElement: 'SPDXRef-Image-…' }
 */
export function toSpdx(report: Report): SpdxDocument {
  const ids = new DocumentIds()
  const packages: SpdxPackage[] = []
  const relationships: Relationship[] = []
  let root: string
  if (report.kind === 'index') {
    root = ids.spdxId('Index', report.subject.repository)
    packages.push(imagePackage(root, report.subject, undefined, `image index of ${report.manifests.length} platform image${report.manifests.length === 1 ? '' : 's'}`))
    for (const manifest of report.manifests) {
      const prefix = platformKey(manifest.subject.platform) ?? manifest.subject.digest
      const image = addImage(manifest, prefix, ids, packages, relationships)
      relationships.push({ spdxElementId: root, relationshipType: 'CONTAINS', relatedSpdxElement: image })
    }
  } else {
    root = addImage(report, '', ids, packages, relationships)
  }
  relationships.unshift({ spdxElementId: 'SPDXRef-DOCUMENT', relationshipType: 'DESCRIBES', relatedSpdxElement: root })
  const hex = sha256Hex(report.subject.digest) ?? 'unknown'
  const failed = [report, ...(report.kind === 'index' ? report.manifests : [])].filter((r) => r.status === 'failed')

  const doc: SpdxDocument = {
    spdxVersion: 'SPDX-2.3',
    dataLicense: 'CC0-1.0',
    SPDXID: 'SPDXRef-DOCUMENT',
    name: subjectReference(report.subject),
    documentNamespace: `https://pushscan.dev/spdxdocs/${[report.subject.registry, ...report.subject.repository.split('/')].filter((s) => s !== '').map(encodeURIComponent).join('/')}/${hex}-${nameBasedUuid(documentSeed(report))}`,
    creationInfo: {
      created: utcSeconds(report.scannedAt),
      creators: [`Tool: ${report.scanner.name}-${report.scanner.version}`],
      ...(failed.length > 0 ? { comment: `The scan failed, so the package list is incomplete: ${failed.map((r) => `${subjectReference(r.subject)}: ${r.error?.code ?? 'INTERNAL'}`).join('; ')}` } : {}),
    },
    packages,
    relationships,
  }
  if (ids.licenseRefs.size > 0) {
    doc.hasExtractedLicensingInfos = [...ids.licenseRefs.entries()]
      .map(([text, licenseId]) => ({ licenseId, extractedText: text, name: text }))
      .sort((a, b) => compareText(a.licenseId, b.licenseId))
  }
  return doc
}

/** Adds an image, its OS and its packages; returns the image's SPDXID. */
function addImage(report: ImageReport, prefix: string, ids: DocumentIds, packages: SpdxPackage[], relationships: Relationship[]): string {
  const image = ids.spdxId(prefix, 'Image', report.subject.repository)
  packages.push(imagePackage(image, report.subject, report, undefined))
  const contained: string[] = []
  if (report.image.os) {
    const os = ids.spdxId(prefix, 'OperatingSystem', report.image.os.family, report.image.os.version)
    packages.push(osPackage(os, report.image.os))
    contained.push(os)
  }
  const advisories = new Map<string, string[]>()
  for (const vulnerability of report.vulnerabilities) advisories.set(vulnerability.package.purl, [...(advisories.get(vulnerability.package.purl) ?? []), vulnerability.id])
  for (const pkg of [...report.packages].sort(comparePackages)) {
    const id = ids.spdxId(prefix, 'Package', pkg.type, pkg.name, pkg.version)
    packages.push(packagePackage(id, pkg, ids, advisories.get(pkg.purl) ?? []))
    contained.push(id)
  }
  for (const id of contained) relationships.push({ spdxElementId: image, relationshipType: 'CONTAINS', relatedSpdxElement: id })
  return image
}

function imagePackage(id: string, subject: ReportSubject, report: ImageReport | undefined, summary: string | undefined): SpdxPackage {
  const purl = imagePurl(subject, subject.platform)
  const hex = sha256Hex(subject.digest)
  const comment = [
    subject.platform ? `platform ${platformKey(subject.platform)}` : '',
    subject.tags.length > 0 ? `tags ${[...subject.tags].sort(compareText).join(', ')}` : '',
    report?.image.configDigest ? `config ${report.image.configDigest}` : '',
  ].filter((part) => part !== '')
  return {
    SPDXID: id,
    name: subject.repository,
    ...(subject.digest ? { versionInfo: subject.digest } : {}),
    downloadLocation: NOASSERTION,
    filesAnalyzed: false,
    ...(hex ? { checksums: [{ algorithm: 'SHA256' as const, checksumValue: hex }] } : {}),
    licenseConcluded: NOASSERTION,
    licenseDeclared: NOASSERTION,
    copyrightText: NOASSERTION,
    ...(summary ? { summary } : {}),
    ...(comment.length > 0 ? { comment: comment.join('; ') } : {}),
    ...(purl ? { externalRefs: [{ referenceCategory: 'PACKAGE-MANAGER' as const, referenceType: 'purl' as const, referenceLocator: purl }] } : {}),
    primaryPackagePurpose: 'CONTAINER',
  }
}

function osPackage(id: string, os: ReportOs): SpdxPackage {
  return {
    SPDXID: id,
    name: os.family,
    versionInfo: os.version,
    downloadLocation: NOASSERTION,
    filesAnalyzed: false,
    licenseConcluded: NOASSERTION,
    licenseDeclared: NOASSERTION,
    copyrightText: NOASSERTION,
    ...(os.name ? { summary: os.name } : {}),
    ...(os.endOfLife ? { comment: `end of life ${os.endOfLife.date}` } : {}),
    primaryPackagePurpose: 'OPERATING_SYSTEM',
  }
}

function packagePackage(id: string, pkg: Package, ids: DocumentIds, advisoryIds: string[]): SpdxPackage {
  const comment = [`layer ${pkg.layer}`, ...(pkg.path !== undefined ? [`read from ${pkg.path}`] : [])].join('; ')
  const source = pkg.source !== undefined ? `source package ${pkg.source}${pkg.sourceVersion !== undefined ? ` ${pkg.sourceVersion}` : ''}` : undefined
  return {
    SPDXID: id,
    name: pkg.name,
    versionInfo: pkg.version,
    downloadLocation: NOASSERTION,
    filesAnalyzed: false,
    ...(source ? { sourceInfo: source } : {}),
    licenseConcluded: NOASSERTION,
    licenseDeclared: declaredLicense(pkg.licenses ?? [], pkg.type, ids),
    copyrightText: NOASSERTION,
    comment,
    externalRefs: [
      { referenceCategory: 'PACKAGE-MANAGER', referenceType: 'purl', referenceLocator: pkg.purl },
      ...[...new Set(advisoryIds)].sort(compareText).map((advisory) => ({ referenceCategory: 'SECURITY' as const, referenceType: 'advisory' as const, referenceLocator: advisoryUrl(advisory) })),
    ],
  }
}

function declaredLicense(declared: readonly string[], packageType: string, ids: DocumentIds): string {
  const terms = [...new Set(declared.map((text) => text.trim()).filter((text) => text !== ''))].map((text) => {
    const license = classifyPackageLicense(text, packageType)
    return license.kind === 'id' ? license.id : license.kind === 'expression' ? license.expression : ids.licenseRef(license.text)
  })
  return terms.length === 0 ? NOASSERTION : joinWithAnd(terms)
}

function sanitise(text: string): string {
  return text.replace(/[^A-Za-z0-9.-]+/g, '-').replace(/-{2,}/g, '-').replace(/^-+|-+$/g, '') || 'x'
}

function comparePackages(a: Package, b: Package): number {
  return compareText(a.type, b.type) || compareText(a.name, b.name) || compareText(a.version, b.version) || compareText(a.purl, b.purl) || compareText(a.path ?? '', b.path ?? '')
}
