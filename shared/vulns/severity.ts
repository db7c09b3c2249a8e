/**
 * The severity of a vulnerability from its OSV record: CVSS v4.0 first, then CVSS v3.x, then
 * the database's own rating (GHSA's `database_specific.severity`, Ubuntu's priority in
 * `severity[]` of type `Ubuntu`, Debian's urgency in `ecosystem_specific.urgency`, a rating in
 * `ecosystem_specific.severity`), then CVSS v2.0 — the oldest formula, and one with no
 * "critical" of its own, comes last. Package-level `affected[].severity` is preferred over the
 * record's own `severity` for the same CVSS version (OSV schema 1.4+ allows only one of them).
 *
 * A vulnerability is never `info`: scores map 0.1–3.9 low, 4.0–6.9 medium, 7.0–8.9 high,
 * 9.0–10 critical. A CVSS score of 0.0 ("none") defers to the next source; when no source
 * rates the flaw, a zero score gives `low`, and nothing at all gives `unknown`.
 *
 * @see https://ossf.github.io/osv-schema/#severity-field
 * @module
 */
import { CvssVersion, tryCvssScore } from './cvss.js'
import { OsvSeverityType, type JsonObject, type JsonValue, type OsvAffected, type OsvRecord, type OsvSeverity } from './osv.js'

/** Severities a vulnerability can have. */
export const VulnSeverity = {
  Critical: 'critical',
  High: 'high',
  Medium: 'medium',
  Low: 'low',
  Unknown: 'unknown',
} as const
export type VulnSeverity = (typeof VulnSeverity)[keyof typeof VulnSeverity]

/** Most severe first. */
export const VULN_SEVERITY_ORDER = ['critical', 'high', 'medium', 'low', 'unknown'] as const satisfies readonly VulnSeverity[]

/** Where a severity came from. */
export const SeveritySource = {
  CvssV4: 'cvss_v4',
  CvssV3: 'cvss_v3',
  CvssV2: 'cvss_v2',
  Database: 'database_specific',
  Ubuntu: 'ubuntu_priority',
  DebianUrgency: 'debian_urgency',
  Ecosystem: 'ecosystem_specific',
  None: 'none',
} as const
export type SeveritySource = (typeof SeveritySource)[keyof typeof SeveritySource]

/** A vulnerability's severity and the evidence for it. */
export interface SeverityResult {
  severity: VulnSeverity
  source: SeveritySource
  /** The CVSS score, when the severity comes from a vector. */
  score?: number
  /** The CVSS vector scored. */
  vector?: string
}

/** The severity of a CVSS score: 0.1–3.9 low, 4.0–6.9 medium, 7.0–8.9 high, 9.0–10 critical. */
export function severityOfScore(score: number): VulnSeverity {
  if (score >= 9) return VulnSeverity.Critical
  if (score >= 7) return VulnSeverity.High
  if (score >= 4) return VulnSeverity.Medium
  return VulnSeverity.Low
}

/**
 * A database's word for a severity: GHSA `CRITICAL`/`HIGH`/`MODERATE`/`LOW`; Ubuntu
 * `negligible`/`low`/`medium`/`high`/`critical`; Debian urgencies `unimportant`/`low`/
 * `medium`/`high` (with the tracker's trailing `*`/`**` marks); also `important` and `minor`.
 * Null for words that rate nothing (`not yet assigned`, `untriaged`, `unknown`, …).
 */
export function severityOfLabel(label: string): VulnSeverity | null {
  const word = label.trim().toLowerCase().replace(/\*+$/, '').trim()
  switch (word) {
    case 'critical':
      return VulnSeverity.Critical
    case 'high':
    case 'important':
      return VulnSeverity.High
    case 'moderate':
    case 'medium':
      return VulnSeverity.Medium
    case 'low':
    case 'negligible':
    case 'unimportant':
    case 'minor':
      return VulnSeverity.Low
    default:
      return null
  }
}

/** The parts of an affected entry that can carry a severity. */
export type SeverityContext = Partial<Pick<OsvAffected, 'severity' | 'ecosystemSpecific' | 'databaseSpecific'>>

function label(object: JsonObject | undefined, key: string): string | undefined {
  const value: JsonValue | undefined = object?.[key]
  return typeof value === 'string' ? value : undefined
}

/**
 * The severity of `record`, for the package of `affected` when given (its package-level
 * `severity`, `ecosystem_specific` and `database_specific` are consulted first).
 */
export function severityOf(record: Pick<OsvRecord, 'severity' | 'databaseSpecific'>, affected?: SeverityContext): SeverityResult {
  const entries: OsvSeverity[] = [...(affected?.severity ?? []), ...record.severity]
  let zero: SeverityResult | null = null

  const fromCvss = (types: readonly string[], source: SeveritySource): SeverityResult | null => {
    for (const entry of entries) {
      if (!types.includes(entry.type)) continue
      const scored = tryCvssScore(entry.score)
      if (!scored) continue
      const expected = source === SeveritySource.CvssV4 ? [CvssVersion.V40] : source === SeveritySource.CvssV3 ? [CvssVersion.V30, CvssVersion.V31] : [CvssVersion.V2]
      if (!(expected as string[]).includes(scored.version)) continue
      const result: SeverityResult = { severity: severityOfScore(scored.score), source, score: scored.score, vector: entry.score }
      if (scored.score > 0) return result
      zero ??= { ...result, severity: VulnSeverity.Low }
    }
    return null
  }

  const v4 = fromCvss([OsvSeverityType.CvssV4], SeveritySource.CvssV4)
  if (v4) return v4
  const v3 = fromCvss([OsvSeverityType.CvssV3], SeveritySource.CvssV3)
  if (v3) return v3

  for (const text of [label(affected?.databaseSpecific, 'severity'), label(record.databaseSpecific, 'severity')]) {
    const severity = text === undefined ? null : severityOfLabel(text)
    if (severity) return { severity, source: SeveritySource.Database }
  }
  for (const entry of entries) {
    if (entry.type !== OsvSeverityType.Ubuntu) continue
    const severity = severityOfLabel(entry.score)
    if (severity) return { severity, source: SeveritySource.Ubuntu }
  }
  const urgency = label(affected?.ecosystemSpecific, 'urgency')
  const fromUrgency = urgency === undefined ? null : severityOfLabel(urgency)
  if (fromUrgency) return { severity: fromUrgency, source: SeveritySource.DebianUrgency }
  const ecosystemLabel = label(affected?.ecosystemSpecific, 'severity')
  const fromEcosystem = ecosystemLabel === undefined ? null : severityOfLabel(ecosystemLabel)
  if (fromEcosystem) return { severity: fromEcosystem, source: SeveritySource.Ecosystem }

  const v2 = fromCvss([OsvSeverityType.CvssV2], SeveritySource.CvssV2)
  if (v2) return v2
  return zero ?? { severity: VulnSeverity.Unknown, source: SeveritySource.None }
}

/** Compares severities, most severe first (for sorting). */
export function compareSeverity(a: VulnSeverity, b: VulnSeverity): number {
  return VULN_SEVERITY_ORDER.indexOf(a) - VULN_SEVERITY_ORDER.indexOf(b)
}
