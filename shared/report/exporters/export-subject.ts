/**
 * What the three exporters say the same way about the scanned image: its purl, its
 * reference, its platform, name-based UUIDs and timestamps.
 *
 * @module
 */
import { createHash } from 'node:crypto'
import { formatPurl } from '../../packages/purl.js'
import type { Report, ReportPlatform, ReportSubject } from '../model.js'
import { ExportError } from './export-error.js'

/** `linux/amd64`, `linux/arm64/v8`. */
export function platformKey(platform: ReportPlatform | undefined): string | undefined {
  if (!platform) return undefined
  return [platform.os, platform.architecture, platform.variant].filter((part) => part !== undefined && part !== '').join('/')
}

/** The hex part of `sha256:<hex>`, or `undefined` for anything else. */
export function sha256Hex(digest: string): string | undefined {
  return /^sha256:([0-9a-f]{64})$/.exec(digest)?.[1]
}

/**
 * The purl of an image or index, per the purl specification's `oci` type: the name is the
 * last segment of the repository, the version the manifest digest, `repository_url` the
 * registry and repository (registry images only), `arch` the platform's architecture.
 * `undefined` when the subject has no digest (a scan that failed before resolving it).
 *
 * @example
 * imagePurl({ source: 'registry', registry: 'docker.io', repository: 'library/debian', digest: 'sha256:ab…', tags: [] }, { os: 'linux', architecture: 'amd64' })
 * // 'pkg:oci/debian@sha256:ab…?arch=amd64&repository_url=docker.io/library/debian'
 * @see https://github.com/package-url/purl-spec/blob/main/PURL-TYPES.rst#oci
 */
export function imagePurl(subject: ReportSubject, platform?: ReportPlatform): string | undefined {
  const name = subject.repository.split('/').filter((segment) => segment !== '').pop()
  if (!name || !subject.digest) return undefined
  try {
    return formatPurl({
      type: 'oci',
      name,
      version: subject.digest,
      qualifiers: {
        arch: platform?.architecture ?? '',
        repository_url: subject.source === 'registry' ? `${subject.registry}/${subject.repository}` : '',
      },
    })
  } catch {
    return undefined
  }
}

/** How a person names the image: `docker.io/library/debian@sha256:…`, `docker-archive:app.tar@sha256:…`. */
export function subjectReference(subject: ReportSubject): string {
  const where = subject.source === 'registry' ? `${subject.registry}/${subject.repository}` : `${subject.source}:${subject.path ?? subject.repository}`
  return subject.digest ? `${where}@${subject.digest}` : where
}

/**
 * A name-based (version 5, SHA-1) UUID in the URL namespace of RFC 4122: the same name gives
 * the same UUID, so the same report gives the same document identifiers.
 */
export function nameBasedUuid(name: string): string {
  const namespace = Buffer.from('6ba7b8119dad11d180b400c04fd430c8', 'hex')
  const bytes = createHash('sha1').update(namespace).update(name, 'utf8').digest().subarray(0, 16)
  bytes[6] = (bytes[6]! & 0x0f) | 0x50
  bytes[8] = (bytes[8]! & 0x3f) | 0x80
  const hex = bytes.toString('hex')
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`
}

/**
 * The name the document identifiers (CycloneDX `serialNumber`, SPDX `documentNamespace`)
 * are derived from: the subject digest, the scanner and the scan time. Two scans of one
 * image are different documents (their vulnerabilities may differ); one report exported
 * twice is the same document.
 */
export function documentSeed(report: Report): string {
  return `https://pushscan.dev/reports/${report.subject.digest || 'unknown'}?scanner=${report.scanner.name}-${report.scanner.version}&scannedAt=${report.scannedAt}`
}

/** `scannedAt` as a UTC timestamp without fractional seconds (`2026-11-29T07:40:00Z`). */
export function utcSeconds(timestamp: string): string {
  const time = Date.parse(timestamp)
  if (Number.isNaN(time)) throw new ExportError(`scannedAt is not a timestamp: ${JSON.stringify(timestamp.slice(0, 64))}`)
  return new Date(time).toISOString().replace(/\.\d{3}Z$/, 'Z')
}

/** `scannedAt` as an ISO 8601 UTC timestamp (`2026-11-29T07:40:00.000Z`). */
export function utcMillis(timestamp: string): string {
  const time = Date.parse(timestamp)
  if (Number.isNaN(time)) throw new ExportError(`scannedAt is not a timestamp: ${JSON.stringify(timestamp.slice(0, 64))}`)
  return new Date(time).toISOString()
}

/** Code-unit order, independent of locale: what every exporter sorts with. */
export function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0
}

/** Where vulnerability `id` is described (OSV aggregates the advisories pushscan matches). */
export function advisoryUrl(id: string): string {
  return `https://osv.dev/vulnerability/${encodeURIComponent(id)}`
}
