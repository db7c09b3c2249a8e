/**
 * Severity counts and ordering, shared by reports, the table output and `--fail-on`.
 *
 * @module
 */
import { SEVERITY_ORDER, type Finding, type Report, type SeverityOrUnknown, type Summary, type Vulnerability } from './model.js'

export function emptySummary(): Summary {
  return { critical: 0, high: 0, medium: 0, low: 0, info: 0, unknown: 0 }
}

export function summarise(findings: readonly Finding[], vulnerabilities: readonly Vulnerability[]): Summary {
  const summary = emptySummary()
  for (const f of findings) summary[f.severity]++
  for (const v of vulnerabilities) summary[v.severity]++
  return summary
}

export function addSummaries(summaries: readonly Summary[]): Summary {
  const total = emptySummary()
  for (const s of summaries) for (const key of SEVERITY_ORDER) total[key] += s[key]
  return total
}

/** 0 for critical … 5 for unknown: smaller is more severe. */
export function severityRank(severity: SeverityOrUnknown): number {
  return SEVERITY_ORDER.indexOf(severity)
}

/** True when the report holds a finding or vulnerability at or above `threshold`. */
export function hasAtOrAbove(report: Report, threshold: SeverityOrUnknown): boolean {
  const limit = severityRank(threshold)
  return SEVERITY_ORDER.some((severity, rank) => rank <= limit && report.summary[severity] > 0)
}
