/**
 * `--format cyclonedx`: a report as a CycloneDX 1.6 JSON BOM.
 *
 * Layout:
 * - Image report: `metadata.component` is the image (`type: container`, `name` = repository,
 *   `version` = manifest digest, the `oci` purl, a SHA-256 hash of the manifest). `components`
 *   holds one `operating-system` component for `image.os` (when known) and one `library`
 *   component per package. `dependencies` has one entry: the image depends on every
 *   component. Packages get no entries of their own: pushscan does not know their
 *   dependencies, and the specification reads an empty entry as "has none".
 * - Index report: `metadata.component` is the index (`container`, version = index digest).
 *   `components` holds one `container` component per platform image, each holding its OS and
 *   package components as nested `components`. `dependencies`: the index depends on each
 *   platform image, each image on its own components. The bom-refs of a platform's
 *   components start with the platform (`linux/arm64/v8|pkg:deb/…`), since the same package
 *   usually appears in every platform.
 *
 * Components: `bom-ref` is the purl (followed by `|2`, `|3`… when two packages share a purl,
 * e.g. two copies of one npm package); `properties` carry `pushscan:layer` (the DiffID of
 * the layer that added the package), `pushscan:path` (the file a language package was read
 * from), `pushscan:source` and `pushscan:sourceVersion` (the source package). The files a
 * package owns are not exported: for an OS image that would be tens of thousands of entries.
 *
 * Licences: a known SPDX identifier becomes `license.id`; a single declared SPDX expression
 * becomes `expression`; anything else `license.name`. When a package declares several
 * licences and one of them is a compound expression, they are joined with `AND` into one
 * expression if all are valid SPDX, because CycloneDX allows one expression or a list of
 * licences, not both; otherwise the compound one is kept as a `license.name`.
 *
 * Vulnerabilities: one entry per vulnerability id, `source` and `references` (the aliases)
 * pointing at OSV, one rating with the severity (`unknown` stays `unknown`). `affects`
 * names every component with the affected purl; its `versions` say the installed version
 * is `affected` and, when a fix is known, the fixed version `unaffected`. The fix is also
 * written as `recommendation` text ("Upgrade libc6 from … to …."): CycloneDX 1.6 has no
 * field for a fixed version, and `analysis` is for a vendor's impact assessment, which a
 * scanner does not make. When the same id affects packages with different severities (in
 * different platforms), the highest is kept.
 *
 * A failed scan still exports the subject, with `pushscan:status`/`pushscan:error`
 * properties and a composition that marks the inventory `incomplete`.
 *
 * `serialNumber` is a name-based UUID of the subject digest, scanner and scan time, so the
 * same report gives the same bytes.
 *
 * @see https://cyclonedx.org/docs/1.6/json/
 * @module
 */
import type { ImageReport, IndexReport, Package, Report, ReportOs, SeverityOrUnknown, Vulnerability } from '../model.js'
import { severityRank } from '../summary.js'
import { classifyPackageLicense, joinWithAnd, type ClassifiedLicense } from './license-expression.js'
import { advisoryUrl, compareText, documentSeed, imagePurl, nameBasedUuid, platformKey, sha256Hex, utcMillis } from './export-subject.js'

export const CYCLONEDX_MEDIA_TYPE = 'application/vnd.cyclonedx+json; version=1.6'

interface Property {
  name: string
  value: string
}

type LicenseChoice = Array<{ license: { id: string } | { name: string } }> | [{ expression: string }]

interface Component {
  type: 'container' | 'operating-system' | 'library'
  'bom-ref': string
  name: string
  version?: string
  description?: string
  hashes?: Array<{ alg: 'SHA-256'; content: string }>
  licenses?: LicenseChoice
  purl?: string
  components?: Component[]
  properties?: Property[]
}

interface CdxVulnerability {
  'bom-ref': string
  id: string
  source: { name: string; url: string }
  references?: Array<{ id: string; source: { name: string; url: string } }>
  ratings: Array<{ severity: SeverityOrUnknown }>
  recommendation?: string
  affects: Array<{ ref: string; versions: Array<{ version: string; status: 'affected' | 'unaffected' }> }>
  properties?: Property[]
}

export interface CycloneDxBom {
  $schema: string
  bomFormat: 'CycloneDX'
  specVersion: '1.6'
  serialNumber: string
  version: 1
  metadata: {
    timestamp: string
    lifecycles: Array<{ phase: 'post-build' }>
    tools: { components: Array<{ type: 'application'; name: string; version: string }> }
    component: Component
    properties?: Property[]
  }
  components: Component[]
  dependencies: Array<{ ref: string; dependsOn: string[] }>
  compositions?: Array<{ aggregate: 'incomplete'; assemblies: string[] }>
  vulnerabilities?: CdxVulnerability[]
}

/** What one image contributed: its components and the vulnerabilities pointing at them. */
interface ImagePart {
  component: Component
  children: Component[]
  occurrences: Array<{ vulnerability: Vulnerability; refs: string[] }>
  failed: boolean
}

/**
 * The CycloneDX 1.6 BOM of `report`.
 *
 * @example
 * const bom = toCycloneDx(report)
 * bom.metadata.component.purl // 'pkg:oci/debian@sha256:…?arch=amd64&repository_url=docker.io/library/debian'
 */
export function toCycloneDx(report: Report): CycloneDxBom {
  const parts = report.kind === 'index' ? report.manifests.map((manifest) => imagePart(manifest, `${platformKey(manifest.subject.platform) ?? manifest.subject.digest}|`)) : [imagePart(report, '')]
  const subject = report.kind === 'index' ? indexComponent(report, parts) : parts[0]!.component
  const components = report.kind === 'index' ? parts.map((part) => part.component) : parts[0]!.children
  const dependencies =
    report.kind === 'index'
      ? [{ ref: subject['bom-ref'], dependsOn: parts.map((part) => part.component['bom-ref']) }, ...parts.map((part) => ({ ref: part.component['bom-ref'], dependsOn: part.children.map((child) => child['bom-ref']) }))]
      : [{ ref: subject['bom-ref'], dependsOn: parts[0]!.children.map((child) => child['bom-ref']) }]
  const incomplete = [...(report.status === 'failed' ? [subject['bom-ref']] : []), ...(report.kind === 'index' ? parts.filter((part) => part.failed).map((part) => part.component['bom-ref']) : [])]
  const vulnerabilities = groupVulnerabilities(parts.flatMap((part) => part.occurrences))
  const metadataProperties = vulnerabilityIndexProperties(report)

  const bom: CycloneDxBom = {
    $schema: 'http://cyclonedx.org/schema/bom-1.6.schema.json',
    bomFormat: 'CycloneDX',
    specVersion: '1.6',
    serialNumber: `urn:uuid:${nameBasedUuid(documentSeed(report))}`,
    version: 1,
    metadata: {
      timestamp: utcMillis(report.scannedAt),
      lifecycles: [{ phase: 'post-build' }],
      tools: { components: [{ type: 'application', name: report.scanner.name, version: report.scanner.version }] },
      component: subject,
      ...(metadataProperties.length > 0 ? { properties: metadataProperties } : {}),
    },
    components,
    dependencies: dependencies.map((entry) => ({ ref: entry.ref, dependsOn: [...entry.dependsOn].sort(compareText) })),
  }
  if (incomplete.length > 0) bom.compositions = [{ aggregate: 'incomplete', assemblies: incomplete }]
  if (vulnerabilities.length > 0) bom.vulnerabilities = vulnerabilities
  return bom
}

function imagePart(report: ImageReport, refPrefix: string): ImagePart {
  const purl = imagePurl(report.subject, report.subject.platform)
  const ref = `${refPrefix}${purl ?? `image:${report.subject.digest || 'unknown'}`}`
  const hex = sha256Hex(report.subject.digest)
  const properties: Property[] = [
    ...(report.subject.platform ? [{ name: 'pushscan:platform', value: platformKey(report.subject.platform)! }] : []),
    ...(report.image.configDigest ? [{ name: 'pushscan:configDigest', value: report.image.configDigest }] : []),
    ...[...report.subject.tags].sort(compareText).map((tag) => ({ name: 'pushscan:tag', value: tag })),
    ...statusProperties(report),
  ]
  const children: Component[] = []
  if (report.image.os) children.push(osComponent(report.image.os, refPrefix))
  const packageRefs = new Map<string, string[]>()
  const used = new Set<string>()
  for (const pkg of [...report.packages].sort(comparePackages)) {
    let packageRef = `${refPrefix}${pkg.purl}`
    for (let n = 2; used.has(packageRef); n++) packageRef = `${refPrefix}${pkg.purl}|${n}`
    used.add(packageRef)
    packageRefs.set(pkg.purl, [...(packageRefs.get(pkg.purl) ?? []), packageRef])
    children.push(packageComponent(pkg, packageRef))
  }
  const component: Component = {
    type: 'container',
    'bom-ref': ref,
    name: report.subject.repository,
    ...(report.subject.digest ? { version: report.subject.digest } : {}),
    ...(hex ? { hashes: [{ alg: 'SHA-256' as const, content: hex }] } : {}),
    ...(purl ? { purl } : {}),
    ...(refPrefix ? { components: children } : {}),
    ...(properties.length > 0 ? { properties } : {}),
  }
  return {
    component,
    children,
    occurrences: report.vulnerabilities.map((vulnerability) => ({ vulnerability, refs: packageRefs.get(vulnerability.package.purl) ?? [] })),
    failed: report.status === 'failed',
  }
}

function indexComponent(report: IndexReport, parts: ImagePart[]): Component {
  const purl = imagePurl(report.subject)
  const hex = sha256Hex(report.subject.digest)
  const properties = [...[...report.subject.tags].sort(compareText).map((tag) => ({ name: 'pushscan:tag', value: tag })), ...statusProperties(report)]
  return {
    type: 'container',
    'bom-ref': purl ?? `index:${report.subject.digest || 'unknown'}`,
    name: report.subject.repository,
    ...(report.subject.digest ? { version: report.subject.digest } : {}),
    description: `image index of ${parts.length} platform image${parts.length === 1 ? '' : 's'}`,
    ...(hex ? { hashes: [{ alg: 'SHA-256' as const, content: hex }] } : {}),
    ...(purl ? { purl } : {}),
    ...(properties.length > 0 ? { properties } : {}),
  }
}

function osComponent(os: ReportOs, refPrefix: string): Component {
  const properties: Property[] = [
    ...(os.versionCodename ? [{ name: 'pushscan:versionCodename', value: os.versionCodename }] : []),
    ...(os.endOfLife ? [{ name: 'pushscan:endOfLife', value: os.endOfLife.date }] : []),
  ]
  return {
    type: 'operating-system',
    'bom-ref': `${refPrefix}os:${os.family}@${os.version}`,
    name: os.family,
    version: os.version,
    ...(os.name ? { description: os.name } : {}),
    ...(properties.length > 0 ? { properties } : {}),
  }
}

function packageComponent(pkg: Package, ref: string): Component {
  const licenses = licenseChoice(pkg.licenses ?? [], pkg.type)
  const properties: Property[] = [
    { name: 'pushscan:layer', value: pkg.layer },
    ...(pkg.path !== undefined ? [{ name: 'pushscan:path', value: pkg.path }] : []),
    ...(pkg.source !== undefined ? [{ name: 'pushscan:source', value: pkg.source }] : []),
    ...(pkg.sourceVersion !== undefined ? [{ name: 'pushscan:sourceVersion', value: pkg.sourceVersion }] : []),
  ]
  return {
    type: 'library',
    'bom-ref': ref,
    name: pkg.name,
    version: pkg.version,
    ...(licenses ? { licenses } : {}),
    purl: pkg.purl,
    properties,
  }
}

/** The CycloneDX `licenses` of a package's declared licences (see the module documentation). */
export function licenseChoice(declared: readonly string[], packageType = ''): LicenseChoice | undefined {
  const classified = [...new Set(declared.map((text) => text.trim()).filter((text) => text !== ''))].map((text) => classifyPackageLicense(text, packageType))
  if (classified.length === 0) return undefined
  const expressions = classified.filter((c): c is ClassifiedLicense & { kind: 'expression' } => c.kind === 'expression')
  if (expressions.length > 0 && classified.every((c) => c.kind !== 'text')) {
    return [{ expression: joinWithAnd(classified.map((c) => (c.kind === 'id' ? c.id : c.kind === 'expression' ? c.expression : ''))) }]
  }
  return classified.map((c) => ({ license: c.kind === 'id' ? { id: c.id } : { name: c.kind === 'expression' ? c.expression : c.text } }))
}

function groupVulnerabilities(occurrences: Array<{ vulnerability: Vulnerability; refs: string[] }>): CdxVulnerability[] {
  const byId = new Map<string, Array<{ vulnerability: Vulnerability; refs: string[] }>>()
  for (const occurrence of occurrences) byId.set(occurrence.vulnerability.id, [...(byId.get(occurrence.vulnerability.id) ?? []), occurrence])
  return [...byId.keys()].sort(compareText).map((id) => {
    const group = byId.get(id)!
    const severity = group.map((o) => o.vulnerability.severity).sort((a, b) => severityRank(a) - severityRank(b))[0]!
    const aliases = [...new Set(group.flatMap((o) => o.vulnerability.aliases))].filter((alias) => alias !== id).sort(compareText)
    const affects = new Map<string, CdxVulnerability['affects'][number]>()
    const recommendations = new Set<string>()
    for (const { vulnerability, refs } of group) {
      const { name, version } = vulnerability.package
      for (const ref of refs) {
        affects.set(ref, {
          ref,
          versions: [{ version, status: 'affected' }, ...(vulnerability.fixedVersion !== undefined ? [{ version: vulnerability.fixedVersion, status: 'unaffected' as const }] : [])],
        })
      }
      if (vulnerability.fixedVersion !== undefined) recommendations.add(`Upgrade ${name} from ${version} to ${vulnerability.fixedVersion}.`)
    }
    const fixed = [...new Set(group.map((o) => o.vulnerability.fixedVersion).filter((v): v is string => v !== undefined))].sort(compareText)
    const entry: CdxVulnerability = {
      'bom-ref': `vulnerability:${id}`,
      id,
      source: { name: 'OSV', url: advisoryUrl(id) },
      ...(aliases.length > 0 ? { references: aliases.map((alias) => ({ id: alias, source: { name: 'OSV', url: advisoryUrl(alias) } })) } : {}),
      ratings: [{ severity }],
      ...(recommendations.size > 0 ? { recommendation: [...recommendations].sort(compareText).join(' ') } : {}),
      affects: [...affects.values()].sort((a, b) => compareText(a.ref, b.ref)),
      ...(fixed.length > 0 ? { properties: fixed.map((value) => ({ name: 'pushscan:fixedVersion', value })) } : {}),
    }
    return entry
  })
}

function statusProperties(report: Report): Property[] {
  if (report.status !== 'failed') return []
  return [
    { name: 'pushscan:status', value: 'failed' },
    ...(report.error ? [{ name: 'pushscan:error', value: `${report.error.code}: ${report.error.message}` }] : []),
  ]
}

function vulnerabilityIndexProperties(report: Report): Property[] {
  const info = report.kind === 'image' ? report.vulnerabilityIndex : report.manifests.find((m) => m.vulnerabilityIndex)?.vulnerabilityIndex
  if (!info) return []
  return [{ name: 'pushscan:vulnerabilityIndex', value: info.status === 'loaded' ? `loaded ${info.importedAt}` : 'none' }]
}

function comparePackages(a: Package, b: Package): number {
  return compareText(a.purl, b.purl) || compareText(a.path ?? '', b.path ?? '') || compareText(a.layer, b.layer)
}
