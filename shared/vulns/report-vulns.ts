/**
 * Vulnerabilities in reports: an image report's packages matched against an index
 * (`match.ts`), with `vulnerabilities`, `vulnerabilityIndex` and `summary` set from the
 * result. The same function serves a fresh scan and the re-match of a stored report, which
 * needs nothing but the report's package list and OS: no registry request.
 *
 * @module
 */
import { describeError, ErrorCode } from '../errors.js'
import type { ImageReport, Report, Vulnerability, VulnerabilityIndexInfo } from '../report/model.js'
import { addSummaries, summarise } from '../report/summary.js'
import type { VulnIndex } from './index-format.js'
import { matchPackages, MatchPackageType, type MatchPackage } from './match.js'

/** `vulnerabilityIndex` of a report matched against an index. */
export type LoadedIndexInfo = Extract<VulnerabilityIndexInfo, { status: 'loaded' }>

/** An index ready for matching, with what reports say about it. */
export interface LoadedVulnIndex {
  index: VulnIndex
  info: LoadedIndexInfo
}

/** The index a scan matches against, or null when there is none. */
export type VulnIndexSource = () => Promise<LoadedVulnIndex | null>

/** What a report says about `index`. */
export function indexInfo(index: VulnIndex): LoadedIndexInfo {
  const sources = Object.fromEntries(Object.entries(index.sources).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
  return { status: 'loaded', importedAt: index.importedAt, records: Object.keys(index.records).length, sources }
}

/** An index and its report facts. */
export function loadedIndex(index: VulnIndex): LoadedVulnIndex {
  return { index, info: indexInfo(index) }
}

const MATCHED_TYPES = new Set<string>(Object.values(MatchPackageType))

function matchable(report: ImageReport): MatchPackage[] {
  const out: MatchPackage[] = []
  for (const p of report.packages) {
    if (!MATCHED_TYPES.has(p.type)) continue
    const pkg: MatchPackage = { type: p.type as MatchPackageType, name: p.name, version: p.version, purl: p.purl, layer: p.layer }
    if (p.source !== undefined) pkg.source = p.source
    if (p.sourceVersion !== undefined) pkg.sourceVersion = p.sourceVersion
    out.push(pkg)
  }
  return out
}

/**
 * The image report with its packages matched against `loaded` (`vulnerabilityIndex:
 * {status: 'none'}` and no vulnerabilities when it is null). A failed report is returned
 * as it is: it has no packages to match.
 */
export function matchImageReport(report: ImageReport, loaded: LoadedVulnIndex | null): ImageReport {
  if (report.status !== 'complete') return report
  const os = report.image.os ? { family: report.image.os.family, version: report.image.os.version } : null
  const vulnerabilities = loaded ? matchPackages(loaded.index, matchable(report), os) : []
  // the key order of a scanned report, with vulnerabilityIndex right after vulnerabilities
  const { vulnerabilities: _v, vulnerabilityIndex: _i, findings, provenance, summary: _s, errors, ...head } = report
  return {
    ...head,
    vulnerabilities,
    vulnerabilityIndex: loaded ? { ...loaded.info, sources: { ...loaded.info.sources } } : { status: 'none' },
    findings,
    provenance,
    summary: summarise(findings, vulnerabilities),
    errors,
  }
}

/**
 * {@link matchImageReport} for a scan: matching that fails (a bug, hostile data) does not
 * fail the scan. The report then says it was not matched (`vulnerabilityIndex: {status:
 * 'none'}`) and carries the error in `errors` (analyzer `vulnerabilities`).
 */
export function matchScannedReport(report: ImageReport, loaded: LoadedVulnIndex | null): ImageReport {
  try {
    return matchImageReport(report, loaded)
  } catch (error) {
    const unmatched = matchImageReport(report, null)
    return { ...unmatched, errors: [...unmatched.errors, { code: ErrorCode.AnalyzerFailed, message: `vulnerability matching failed: ${describeError(error).message}`, analyzer: 'vulnerabilities' }] }
  }
}

/** {@link matchImageReport} for any report: an index report's platform reports each, and its summary. */
export function matchReport(report: Report, loaded: LoadedVulnIndex | null): Report {
  if (report.kind === 'image') return matchImageReport(report, loaded)
  const manifests = report.manifests.map((m) => matchImageReport(m, loaded))
  return { ...report, manifests, summary: addSummaries(manifests.map((m) => m.summary)) }
}

function key(v: Vulnerability): string {
  return JSON.stringify([v.id, v.aliases, v.package, v.fixedVersion ?? null, v.severity, v.layer])
}

/** True when two lists hold the same vulnerabilities (same ids, packages, fixes, severities). */
export function sameVulnerabilities(a: readonly Vulnerability[], b: readonly Vulnerability[]): boolean {
  if (a.length !== b.length) return false
  const left = a.map(key).sort()
  const right = b.map(key).sort()
  return left.every((k, i) => k === right[i])
}

/**
 * The vulnerabilities of `after` that `before` did not have: none of their ids (id or
 * aliases) was reported for the same package (purl) before. A flaw that only changed its
 * severity or fixed version, or that is now reported under its CVE id rather than the
 * advisory's, is not new.
 */
export function newVulnerabilities(before: readonly Vulnerability[], after: readonly Vulnerability[]): Vulnerability[] {
  const known = new Map<string, Set<string>>()
  for (const v of before) {
    const ids = known.get(v.package.purl) ?? new Set<string>()
    for (const id of [v.id, ...v.aliases]) ids.add(id)
    known.set(v.package.purl, ids)
  }
  return after.filter((v) => {
    const ids = known.get(v.package.purl)
    return !ids || ![v.id, ...v.aliases].some((id) => ids.has(id))
  })
}
