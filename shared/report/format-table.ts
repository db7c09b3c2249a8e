/**
 * `--format table`: a readable summary of a report for a terminal or a CI log.
 *
 * @module
 */
import type { Finding, ImageReport, Report } from './model.js'
import { SEVERITY_ORDER } from './model.js'

const MAX_FINDINGS = 50
const MAX_VULNERABILITIES = 50

export function formatTable(report: Report): string {
  const lines: string[] = []
  if (report.kind === 'index') {
    lines.push(`${subjectLine(report.subject)}  (index of ${report.manifests.length} image${report.manifests.length === 1 ? '' : 's'})`)
    lines.push(`status: ${statusText(report)}`)
    for (const skipped of report.skipped) {
      const platform = skipped.platform ? ` ${skipped.platform.os}/${skipped.platform.architecture}` : ''
      lines.push(`  skipped ${short(skipped.digest)}${platform}: ${skipped.reason}`)
    }
    for (const manifest of report.manifests) {
      lines.push('')
      lines.push(...imageLines(manifest))
    }
  } else {
    lines.push(...imageLines(report))
  }
  return `${lines.join('\n')}\n`
}

function imageLines(report: ImageReport): string[] {
  const lines: string[] = []
  const platform = report.subject.platform ? ` (${[report.subject.platform.os, report.subject.platform.architecture, report.subject.platform.variant].filter(Boolean).join('/')})` : ''
  lines.push(`${subjectLine(report.subject)}${platform}`)
  lines.push(`status: ${statusText(report)}`)
  if (report.status === 'failed') return lines
  const { image } = report
  const os = image.os ? image.os.name ?? `${image.os.family} ${image.os.version}` : 'unknown'
  lines.push(`os: ${os}   created: ${image.created ?? 'unknown'}   user: ${image.config?.user || 'root (default)'}`)
  lines.push('')
  lines.push(`layers (${image.layers.length}):`)
  lines.push(table(
    ['#', 'DIFF ID', 'SIZE', 'UNPACKED', 'FILES', 'CREATED BY'],
    image.layers.map((layer, i) => [String(i), short(layer.diffId), bytes(layer.size), bytes(layer.uncompressedSize), String(layer.files), truncate((layer.createdBy ?? '(no history)').replace(/\s+/g, ' '), 60)])
  ))
  if (report.efficiency) {
    const e = report.efficiency
    lines.push('')
    lines.push(`efficiency: ${(e.score * 100).toFixed(2)} %   wasted: ${bytes(e.wastedBytes)} (${e.userWastedPercent.toFixed(2)} % of the layers above the first)`)
  }
  lines.push('')
  lines.push(`findings: ${summaryText(report)}`)
  if (report.findings.length > 0) {
    const shown = report.findings.slice(0, MAX_FINDINGS)
    lines.push(table(['SEVERITY', 'RULE', 'WHERE', 'TITLE'], shown.map((f) => [f.severity, f.ruleId, where(f, report), truncate(f.title, 70)])))
    if (report.findings.length > shown.length) lines.push(`  … and ${report.findings.length - shown.length} more (use --format json for all)`)
  }
  lines.push('')
  lines.push(...vulnerabilityLines(report))
  for (const error of report.errors) lines.push(`error: ${error.code}: ${error.message}`)
  return lines
}

function vulnerabilityLines(report: ImageReport): string[] {
  const index = report.vulnerabilityIndex
  if (index?.status !== 'loaded') return ['vulnerabilities: not checked: no vulnerability index (import one with pushscan vulndb import)']
  const vulns = report.vulnerabilities
  const lines = [`vulnerabilities: ${vulns.length}   (index imported ${index.importedAt}, ${index.records} records)`]
  if (vulns.length > 0) {
    const shown = vulns.slice(0, MAX_VULNERABILITIES)
    lines.push(table(['SEVERITY', 'ID', 'PACKAGE', 'INSTALLED', 'FIXED IN'], shown.map((v) => [v.severity, v.id, `${v.package.type}/${v.package.name}`, v.package.version, v.fixedVersion ?? '(no fix)'])))
    if (vulns.length > shown.length) lines.push(`  … and ${vulns.length - shown.length} more (use --format json for all)`)
  }
  return lines
}

function subjectLine(subject: Report['subject']): string {
  const name = subject.source === 'registry' ? `${subject.registry}/${subject.repository}` : `${subject.source}:${subject.path ?? subject.repository}`
  const tags = subject.tags.length > 0 ? `:${subject.tags.join(',')}` : ''
  return `${name}${tags} @ ${subject.digest || 'unknown digest'}`
}

function statusText(report: Report): string {
  if (report.status === 'failed') return `FAILED ${report.error?.code ?? ''}: ${report.error?.message ?? ''}`
  return `complete in ${(report.durationMs / 1000).toFixed(1)} s`
}

function summaryText(report: Report): string {
  const parts = SEVERITY_ORDER.filter((s) => report.summary[s] > 0).map((s) => `${report.summary[s]} ${s}`)
  return parts.length > 0 ? parts.join(', ') : 'none'
}

function where(finding: Finding, report: ImageReport): string {
  const layer = finding.location.layer ? report.image.layers.findIndex((l) => l.diffId === finding.location.layer) : -1
  const removed = finding.location.removedIn ? report.image.layers.findIndex((l) => l.diffId === finding.location.removedIn) : -1
  const parts = [
    finding.location.path ? `${finding.location.path}${finding.location.line ? `:${finding.location.line}` : ''}` : '',
    layer >= 0 ? `layer ${layer}` : '',
    removed >= 0 ? `(deleted or replaced in layer ${removed}; its bytes are still in the image)` : '',
  ]
  return parts.filter(Boolean).join(' ') || 'image'
}

function short(digest: string): string {
  const colon = digest.indexOf(':')
  return colon < 0 ? digest : `${digest.slice(0, colon + 13)}`
}

function truncate(text: string, width: number): string {
  return text.length <= width ? text : `${text.slice(0, width - 1)}…`
}

const UNITS = ['B', 'kB', 'MB', 'GB', 'TB']

/** Decimal units, as registries and Docker show sizes. */
export function bytes(n: number): string {
  let value = n
  let unit = 0
  // compare the rounded value, so 999,999 B shows as 1.0 MB rather than 1000.0 kB
  while (Number(value.toFixed(1)) >= 1000 && unit < UNITS.length - 1) {
    value /= 1000
    unit++
  }
  return unit === 0 ? `${Math.round(value)} B` : `${value.toFixed(1)} ${UNITS[unit]}`
}

function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)))
  const render = (row: string[]): string => `  ${row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i]!))).join('  ')}`.trimEnd()
  return [render(header), ...rows.map(render)].join('\n')
}
