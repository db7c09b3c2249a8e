/**
 * `--format sarif`: a report as a SARIF 2.1.0 log, for CI code scanning.
 *
 * One run. `tool.driver.rules` holds the rules the results refer to, sorted by id: each
 * finding's rule as pushscan defines it (title, description, remediation, category, default
 * level), and one rule per vulnerability id. Levels: critical and high → `error`, medium →
 * `warning`, low and info → `note`; a vulnerability of unknown severity → `warning`, since
 * nothing says it is minor. Rules and results carry `security-severity` and `tags`
 * properties, which GitHub code scanning reads.
 *
 * Results, sorted by platform, rule, path, line and evidence:
 * - one per finding: the message is the title and the redacted evidence; a finding with a
 *   path inside the image has a physical location relative to the `ROOTFS` base
 *   (`file:///`), with `region.startLine` when it has a line;
 * - one per vulnerability, located at the package (its file, for language packages).
 * Every location also names the image as a logical location. The property bag holds the
 * layer (DiffID), the index of the history entry that built it, the category, the layer
 * that deleted the file when one did (`removedIn`) and, for an index report, the platform. `fingerprints` identify a result across scans of rebuilt
 * images (rule, path, line, evidence or package; not the layer).
 *
 * A failed scan is an invocation with `executionSuccessful: false` and the error as a
 * notification.
 *
 * @see https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/sarif-v2.1.0-errata01-os-complete.html
 * @module
 */
import { createHash } from 'node:crypto'
import type { Rule } from '../../analyzers/rule.js'
import type { Finding, ImageReport, Report, SeverityOrUnknown, Vulnerability } from '../model.js'
import { advisoryUrl, compareText, platformKey, subjectReference, utcMillis } from './export-subject.js'

export const SARIF_MEDIA_TYPE = 'application/sarif+json'
export const SARIF_SCHEMA_URI = 'https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json'
const INFORMATION_URI = 'https://pushscan.dev'
const ROOTFS = 'ROOTFS'

export type SarifLevel = 'error' | 'warning' | 'note'

interface Message {
  text: string
}

interface SarifRule {
  id: string
  name?: string
  shortDescription: Message
  fullDescription?: Message
  help?: Message
  helpUri?: string
  defaultConfiguration: { level: SarifLevel }
  properties: Record<string, unknown>
}

interface SarifLocation {
  physicalLocation?: { artifactLocation: { uri: string; uriBaseId: string }; region?: { startLine: number } }
  logicalLocations: Array<{ name: string; fullyQualifiedName: string; kind: string }>
}

interface SarifResult {
  ruleId: string
  ruleIndex: number
  level: SarifLevel
  message: Message
  locations: SarifLocation[]
  fingerprints: Record<string, string>
  properties: Record<string, unknown>
}

export interface SarifLog {
  $schema: string
  version: '2.1.0'
  runs: Array<{
    tool: { driver: { name: string; version: string; informationUri: string; rules: SarifRule[] } }
    invocations: Array<{ executionSuccessful: boolean; endTimeUtc: string; toolExecutionNotifications?: Array<{ level: 'error'; message: Message }> }>
    originalUriBaseIds: Record<string, { uri: string; description: Message }>
    results: SarifResult[]
    properties: Record<string, unknown>
  }>
}

export interface SarifOptions {
  /** The rules findings may name (`builtinRules`); a finding whose rule is missing gets a rule made from the finding itself. */
  rules: readonly Rule[]
}

/** SARIF level of a pushscan severity (see the module documentation). */
export function sarifLevel(severity: SeverityOrUnknown): SarifLevel {
  switch (severity) {
    case 'critical':
    case 'high':
      return 'error'
    case 'medium':
    case 'unknown':
      return 'warning'
    case 'low':
    case 'info':
      return 'note'
    default: {
      const never: never = severity
      throw new Error(`unknown severity ${String(never)}`)
    }
  }
}

/** GitHub code scanning's `security-severity` (0.0–10.0) for a severity; none for info and unknown. */
function securitySeverity(severity: SeverityOrUnknown): string | undefined {
  return { critical: '9.5', high: '8.0', medium: '5.5', low: '2.0', info: undefined, unknown: undefined }[severity]
}

interface PendingResult {
  platform: string
  ruleId: string
  sortKey: string[]
  result: Omit<SarifResult, 'ruleIndex'>
}

/**
 * The SARIF 2.1.0 log of `report`.
 *
 * @example
 * const log = toSarif(report, { rules: builtinRules })
 * log.runs[0].results.map((r) => r.ruleId) // ['config-root-user', 'fs-setuid-file', …]
 */
export function toSarif(report: Report, options: SarifOptions): SarifLog {
  const images = report.kind === 'index' ? report.manifests : [report]
  const ruleById = new Map(options.rules.map((rule) => [rule.id, rule]))
  const rules = new Map<string, SarifRule>()
  const pending: PendingResult[] = []

  for (const image of images) {
    const platform = report.kind === 'index' ? (platformKey(image.subject.platform) ?? image.subject.digest) : ''
    for (const finding of image.findings) {
      if (!rules.has(finding.ruleId)) rules.set(finding.ruleId, findingRule(finding, ruleById.get(finding.ruleId)))
      pending.push(findingResult(image, finding, platform))
    }
    for (const vulnerability of image.vulnerabilities) {
      const existing = rules.get(vulnerability.id)
      if (!existing || severityOfRule(existing) < severityScore(vulnerability.severity)) rules.set(vulnerability.id, vulnerabilityRule(vulnerability))
      pending.push(vulnerabilityResult(image, vulnerability, platform))
    }
  }

  const sortedRules = [...rules.values()].sort((a, b) => compareText(a.id, b.id))
  const ruleIndex = new Map(sortedRules.map((rule, index) => [rule.id, index]))
  const results = pending
    .sort((a, b) => compareText(a.platform, b.platform) || compareText(a.ruleId, b.ruleId) || compareKeys(a.sortKey, b.sortKey))
    .map(({ result }) => ({ ruleId: result.ruleId, ruleIndex: ruleIndex.get(result.ruleId)!, level: result.level, message: result.message, locations: result.locations, fingerprints: result.fingerprints, properties: result.properties }))
  const failures = [report, ...(report.kind === 'index' ? report.manifests : [])].filter((r) => r.status === 'failed')

  return {
    $schema: SARIF_SCHEMA_URI,
    version: '2.1.0',
    runs: [
      {
        tool: { driver: { name: report.scanner.name, version: report.scanner.version, informationUri: INFORMATION_URI, rules: sortedRules } },
        invocations: [
          {
            executionSuccessful: failures.length === 0,
            endTimeUtc: utcMillis(report.scannedAt),
            ...(failures.length > 0
              ? { toolExecutionNotifications: failures.map((r) => ({ level: 'error' as const, message: { text: `${subjectReference(r.subject)}: ${r.error?.code ?? 'INTERNAL'}: ${r.error?.message ?? 'the scan failed'}` } })) }
              : {}),
          },
        ],
        originalUriBaseIds: { [ROOTFS]: { uri: 'file:///', description: { text: 'The root of the scanned image filesystem.' } } },
        results,
        properties: {
          image: subjectReference(report.subject),
          ...(report.subject.tags.length > 0 ? { tags: [...report.subject.tags].sort(compareText) } : {}),
          ...(report.kind === 'index' ? { platforms: images.map((image) => platformKey(image.subject.platform) ?? image.subject.digest) } : {}),
        },
      },
    ],
  }
}

function findingRule(finding: Finding, rule: Rule | undefined): SarifRule {
  const severity = rule?.severity ?? finding.severity
  const category = rule?.category ?? finding.category
  const security = securitySeverity(severity)
  return {
    id: finding.ruleId,
    shortDescription: { text: rule?.title ?? finding.title },
    ...(rule ? { fullDescription: { text: rule.description }, help: { text: rule.remediation } } : {}),
    defaultConfiguration: { level: sarifLevel(severity) },
    properties: { category, severity, tags: ['security', category], ...(security ? { 'security-severity': security } : {}) },
  }
}

function vulnerabilityRule(vulnerability: Vulnerability): SarifRule {
  const aliases = vulnerability.aliases.filter((alias) => alias !== vulnerability.id)
  const security = securitySeverity(vulnerability.severity)
  return {
    id: vulnerability.id,
    name: vulnerability.id,
    shortDescription: { text: `Known vulnerability ${vulnerability.id}` },
    fullDescription: { text: `${vulnerability.id}${aliases.length > 0 ? ` (also known as ${[...aliases].sort(compareText).join(', ')})` : ''} affects a package in the image. See ${advisoryUrl(vulnerability.id)}.` },
    help: { text: 'Upgrade the affected package to a version that fixes the vulnerability, or rebuild the image on a base that has it.' },
    helpUri: advisoryUrl(vulnerability.id),
    defaultConfiguration: { level: sarifLevel(vulnerability.severity) },
    properties: { category: 'vulnerability', severity: vulnerability.severity, tags: ['security', 'vulnerability'], ...(security ? { 'security-severity': security } : {}) },
  }
}

function findingResult(image: ImageReport, finding: Finding, platform: string): PendingResult {
  const { layer, path, line } = finding.location
  const history = historyIndex(image, layer, finding.location.history)
  return {
    platform,
    ruleId: finding.ruleId,
    sortKey: [path ?? '', String(line ?? 0).padStart(10, '0'), finding.evidence ?? '', layer ?? ''],
    result: {
      ruleId: finding.ruleId,
      level: sarifLevel(finding.severity),
      message: { text: finding.evidence !== undefined ? `${finding.title}: ${finding.evidence}` : finding.title },
      locations: [location(image, path, line)],
      fingerprints: { 'pushscan/v1': fingerprint([finding.ruleId, path ?? '', String(line ?? ''), finding.evidence ?? '', platform]) },
      properties: {
        category: finding.category,
        severity: finding.severity,
        ...(layer !== undefined ? { layer } : {}),
        ...(history !== undefined ? { history } : {}),
        ...(finding.location.removedIn !== undefined ? { removedIn: finding.location.removedIn } : {}),
        ...(platform ? { platform } : {}),
      },
    },
  }
}

function vulnerabilityResult(image: ImageReport, vulnerability: Vulnerability, platform: string): PendingResult {
  const pkg = image.packages.find((p) => p.purl === vulnerability.package.purl)
  const { name, version, purl } = vulnerability.package
  const history = historyIndex(image, vulnerability.layer, undefined)
  const fix = vulnerability.fixedVersion !== undefined ? `fixed in ${vulnerability.fixedVersion}` : 'no fixed version is known'
  const base = location(image, pkg?.path?.split('!/')[0], undefined)
  return {
    platform,
    ruleId: vulnerability.id,
    sortKey: [purl, pkg?.path ?? ''],
    result: {
      ruleId: vulnerability.id,
      level: sarifLevel(vulnerability.severity),
      message: { text: `${name} ${version} is affected by ${vulnerability.id} (${vulnerability.severity}); ${fix}.` },
      locations: [{ ...base, logicalLocations: [{ name, fullyQualifiedName: purl, kind: 'module' }, ...base.logicalLocations] }],
      fingerprints: { 'pushscan/v1': fingerprint([vulnerability.id, purl, platform]) },
      properties: {
        category: 'vulnerability',
        severity: vulnerability.severity,
        purl,
        ...(vulnerability.fixedVersion !== undefined ? { fixedVersion: vulnerability.fixedVersion } : {}),
        layer: vulnerability.layer,
        ...(history !== undefined ? { history } : {}),
        ...(platform ? { platform } : {}),
      },
    },
  }
}

function location(image: ImageReport, path: string | undefined, line: number | undefined): SarifLocation {
  const imageName = subjectReference(image.subject)
  return {
    ...(path !== undefined && path !== '/' && path !== ''
      ? { physicalLocation: { artifactLocation: { uri: fileUri(path), uriBaseId: ROOTFS }, ...(line !== undefined && line >= 1 ? { region: { startLine: line } } : {}) } }
      : {}),
    logicalLocations: [{ name: image.subject.repository, fullyQualifiedName: imageName, kind: 'resource' }],
  }
}

/** A path inside the image as a URI reference relative to `ROOTFS`: `/usr/local/bin/my tool` → `usr/local/bin/my%20tool`. */
export function fileUri(path: string): string {
  return path
    .split('/')
    .filter((segment) => segment !== '')
    .map((segment) => encodeURIComponent(segment))
    .join('/')
}

/** The index of the history entry that built `layer`, unless the finding names one. */
function historyIndex(image: ImageReport, layer: string | undefined, given: number | undefined): number | undefined {
  if (given !== undefined) return given
  if (layer === undefined) return undefined
  const index = image.image.history.findIndex((entry) => entry.layer === layer)
  return index >= 0 ? index : undefined
}

function fingerprint(parts: string[]): string {
  return createHash('sha256').update(parts.join('\u0000')).digest('hex')
}

function severityScore(severity: SeverityOrUnknown): number {
  return { critical: 5, high: 4, medium: 3, low: 2, info: 1, unknown: 0 }[severity]
}

function severityOfRule(rule: SarifRule): number {
  return severityScore(rule.properties['severity'] as SeverityOrUnknown)
}

function compareKeys(a: string[], b: string[]): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const order = compareText(a[i] ?? '', b[i] ?? '')
    if (order !== 0) return order
  }
  return 0
}
