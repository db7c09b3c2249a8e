/**
 * Hand-written reports for the exporter tests: packages of several ecosystems with licences
 * of every shape, names with characters purls and SPDXIDs must escape, a package that
 * appears twice, vulnerabilities with and without fixes, findings with and without paths,
 * and an index of two platforms.
 */
import { ErrorCode } from '../../../../shared/errors.js'
import type { Finding, ImageReport, IndexReport, Package, ReportPlatform, Summary, Vulnerability } from '../../../../shared/report/model.js'
import { summarise } from '../../../../shared/report/summary.js'

export const MANIFEST = `sha256:${'a1'.repeat(32)}`
export const ARM_MANIFEST = `sha256:${'a2'.repeat(32)}`
export const INDEX = `sha256:${'b2'.repeat(32)}`
export const BASE_LAYER = `sha256:${'e5'.repeat(32)}`
export const APP_LAYER = `sha256:${'f6'.repeat(32)}`

const debian = (name: string, version: string, extra: Partial<Package> = {}): Package => ({
  type: 'deb',
  name,
  version,
  purl: `pkg:deb/debian/${name}@${version.replace(/\+/g, '%2B')}?arch=amd64&distro=debian-12`,
  layer: BASE_LAYER,
  ...extra,
})

/** Packages with licences of every shape (SPDX id, expression, free text, none) and awkward names. */
export function samplePackages(): Package[] {
  return [
    debian('libc6', '2.36-9+deb12u7', { source: 'glibc', licenses: ['LGPL-2.1-or-later', 'GPL-2+'] }),
    debian('tzdata', '2024a-0+deb12u1', { licenses: ['public-domain'] }),
    debian('zlib1g', '1:1.2.13.dfsg-1', { source: 'zlib', sourceVersion: '1:1.2.13.dfsg-1', licenses: ['Zlib'] }),
    debian('bash', '5.2.15-2+b7', {}),
    { type: 'npm', name: '@acme/left-pad', version: '1.3.0', purl: 'pkg:npm/%40acme/left-pad@1.3.0', layer: APP_LAYER, path: '/app/node_modules/@acme/left-pad/package.json', licenses: ['mit'] },
    { type: 'npm', name: 'dual', version: '2.0.0', purl: 'pkg:npm/dual@2.0.0', layer: APP_LAYER, path: '/app/node_modules/dual/package.json', licenses: ['(MIT OR Apache-2.0)'] },
    // the same package twice, in two places
    { type: 'npm', name: 'dual', version: '2.0.0', purl: 'pkg:npm/dual@2.0.0', layer: APP_LAYER, path: '/app/node_modules/other/node_modules/dual/package.json', licenses: ['(MIT OR Apache-2.0)'] },
    { type: 'pypi', name: 'requests', version: '2.31.0', purl: 'pkg:pypi/requests@2.31.0', layer: APP_LAYER, path: '/usr/lib/python3/dist-packages/requests-2.31.0.dist-info/METADATA', licenses: ['Apache 2.0', 'Apache Software License'] },
    { type: 'maven', name: 'org.example:weird name+plus', version: '1.0 beta', purl: 'pkg:maven/org.example/weird%20name%2Bplus@1.0%20beta', layer: APP_LAYER, path: '/app/lib/app.jar!/BOOT-INF/lib/weird.jar', licenses: ['GPL-2.0-or-later WITH Classpath-exception-2.0', 'BSD-3-Clause'] },
    { type: 'gem', name: 'ünïcode', version: '0.1.0', purl: 'pkg:gem/%C3%BCn%C3%AFcode@0.1.0', layer: APP_LAYER, path: '/usr/lib/ruby/gems/3.1.0/specifications/ünïcode-0.1.0.gemspec', licenses: ['Ruby', 'Custom licence; see COPYING'] },
  ]
}

export function sampleVulnerabilities(): Vulnerability[] {
  return [
    { id: 'DSA-9001-1', aliases: ['CVE-2099-1001'], package: pick('deb', 'libc6'), fixedVersion: '2.36-9+deb12u8', severity: 'high', layer: BASE_LAYER },
    { id: 'GHSA-2222-3333-4444', aliases: ['CVE-2099-3001'], package: pick('npm', 'dual'), fixedVersion: '2.0.1', severity: 'critical', layer: APP_LAYER },
    { id: 'CVE-2099-1002', aliases: [], package: pick('deb', 'bash'), severity: 'unknown', layer: BASE_LAYER },
  ]
}

function pick(type: string, name: string): Vulnerability['package'] {
  const pkg = samplePackages().find((p) => p.type === type && p.name === name)!
  return { type: pkg.type, name: pkg.name, version: pkg.version, purl: pkg.purl }
}

export function sampleFindings(): Finding[] {
  return [
    { ruleId: 'fs-setuid-file', category: 'filesystem', severity: 'info', title: 'A setuid file is present', location: { layer: APP_LAYER, path: '/usr/local/bin/my helper', history: 2 }, evidence: 'mode 4755' },
    { ruleId: 'config-root-user', category: 'config', severity: 'low', title: 'The container runs as root', location: {} },
    { ruleId: 'secret-aws-access-key-id', category: 'secret', severity: 'high', title: 'AWS access key ID', location: { layer: APP_LAYER, path: '/app/.env', line: 3 }, evidence: 'AKIA…[redacted, 20 chars]' },
    { ruleId: 'made-up-rule', category: 'malware', severity: 'critical', title: 'A rule pushscan does not define', location: { layer: BASE_LAYER } },
  ]
}

export function sampleImageReport(overrides: Partial<ImageReport> = {}, platform: ReportPlatform = { os: 'linux', architecture: 'amd64' }): ImageReport {
  const findings = overrides.findings ?? sampleFindings()
  const vulnerabilities = overrides.vulnerabilities ?? sampleVulnerabilities()
  return {
    schemaVersion: 1,
    kind: 'image',
    status: 'complete',
    scanner: { name: 'pushscan', version: '0.1.0', analyzers: { config: 1 } },
    subject: { source: 'registry', registry: 'ghcr.io', repository: 'acme/app', digest: MANIFEST, tags: ['v1', 'latest'], platform },
    scannedAt: '2026-11-29T07:40:00.123Z',
    durationMs: 1234,
    image: {
      os: { family: 'debian', version: '12', name: 'Debian GNU/Linux 12 (bookworm)', versionCodename: 'bookworm', endOfLife: { date: '2028-06-30', reached: false } },
      created: '2026-11-28T00:00:00Z',
      configDigest: `sha256:${'99'.repeat(32)}`,
      config: null,
      history: [
        { createdBy: 'debootstrap', created: null, emptyLayer: false, layer: BASE_LAYER },
        { createdBy: 'CMD ["bash"]', created: null, emptyLayer: true },
        { createdBy: 'COPY . /app', created: null, emptyLayer: false, layer: APP_LAYER },
      ],
      layers: [
        { digest: `sha256:${'c3'.repeat(32)}`, diffId: BASE_LAYER, mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', size: 100, uncompressedSize: 200, files: 10, createdBy: 'debootstrap' },
        { digest: `sha256:${'d4'.repeat(32)}`, diffId: APP_LAYER, mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', size: 10, uncompressedSize: 20, files: 3, createdBy: 'COPY . /app' },
      ],
    },
    efficiency: null,
    packages: samplePackages(),
    vulnerabilityIndex: { status: 'loaded', importedAt: '2026-11-29T00:00:00.000Z', records: 3, sources: { debian: 2, ghsa: 1 } },
    findings,
    provenance: { signatures: [], attestations: [], sboms: [], baseImage: null, source: {} },
    summary: summarise(findings, vulnerabilities),
    errors: [],
    ...overrides,
    vulnerabilities,
  }
}

export function sampleIndexReport(): IndexReport {
  const amd64 = sampleImageReport()
  amd64.subject = { ...amd64.subject, indexDigest: INDEX }
  const arm64 = sampleImageReport({ packages: samplePackages().filter((p) => p.type === 'deb').map((p) => ({ ...p, purl: p.purl.replace('arch=amd64', 'arch=arm64') })), vulnerabilities: [] }, { os: 'linux', architecture: 'arm64', variant: 'v8' })
  arm64.subject = { ...arm64.subject, digest: ARM_MANIFEST, indexDigest: INDEX }
  const summary: Summary = { critical: 0, high: 0, medium: 0, low: 0, info: 0, unknown: 0 }
  for (const key of Object.keys(summary) as Array<keyof Summary>) summary[key] = amd64.summary[key] + arm64.summary[key]
  return {
    schemaVersion: 1,
    kind: 'index',
    status: 'complete',
    scanner: amd64.scanner,
    subject: { source: 'registry', registry: 'ghcr.io', repository: 'acme/app', digest: INDEX, tags: ['v1'] },
    scannedAt: amd64.scannedAt,
    durationMs: 2000,
    skipped: [],
    manifests: [amd64, arm64],
    summary,
  }
}

export function failedImageReport(): ImageReport {
  return sampleImageReport({
    status: 'failed',
    error: { code: ErrorCode.ManifestUnknown, message: 'manifest unknown: acme/app:v9' },
    subject: { source: 'registry', registry: 'ghcr.io', repository: 'acme/app', digest: '', tags: ['v9'] },
    image: { os: null, created: null, configDigest: null, config: null, history: [], layers: [] },
    packages: [],
    vulnerabilities: [],
    findings: [],
  })
}
