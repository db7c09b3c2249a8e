/**
 * OSV records (OSV schema 1.x) parsed into typed values: {@link parseOsvRecord} checks the
 * shape the schema gives and returns an {@link OsvRecord}, or throws `VULN_RECORD_INVALID`
 * naming the offending field.
 *
 * Tolerant where the data is not used and the schema may grow: unknown fields are ignored,
 * severity entries of unknown types are dropped, `references` and `credits` are not kept.
 * Strict where matching depends on it: `id`, `modified`, the package, range types and events.
 *
 * @see https://ossf.github.io/osv-schema/
 * @module
 */
import { VulnDataError, VulnErrorCode } from './errors.js'

export { ecosystemKey, normalisePackageName, normalisePypiName, osvEcosystemForDistro, parseEcosystem, type OsvEcosystem } from './ecosystems.js'

/** A JSON value, as found in `ecosystem_specific` and `database_specific`. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue }
/** A JSON object. */
export type JsonObject = { [key: string]: JsonValue }

/** Severity types of the `severity[].type` field (OSV schema, "severity field"). */
export const OsvSeverityType = {
  CvssV2: 'CVSS_V2',
  CvssV3: 'CVSS_V3',
  CvssV4: 'CVSS_V4',
  Ubuntu: 'Ubuntu',
} as const
export type OsvSeverityType = (typeof OsvSeverityType)[keyof typeof OsvSeverityType]

/** Range types of `affected[].ranges[].type`. */
export const OsvRangeType = {
  Semver: 'SEMVER',
  Ecosystem: 'ECOSYSTEM',
  Git: 'GIT',
} as const
export type OsvRangeType = (typeof OsvRangeType)[keyof typeof OsvRangeType]

/** Event kinds of `affected[].ranges[].events[]`, named as in the JSON. */
export const OsvEventKind = {
  Introduced: 'introduced',
  Fixed: 'fixed',
  LastAffected: 'last_affected',
  Limit: 'limit',
} as const
export type OsvEventKind = (typeof OsvEventKind)[keyof typeof OsvEventKind]

/** One `severity[]` entry: a CVSS vector, or Ubuntu's priority word. */
export interface OsvSeverity {
  type: OsvSeverityType
  score: string
}

/** One event of a range: `{"introduced": "1.0"}` is `{ kind: 'introduced', version: '1.0' }`. */
export interface OsvEvent {
  kind: OsvEventKind
  version: string
}

/** One `affected[].ranges[]` entry (OSV schema, "affected[].ranges[] field"). */
export interface OsvRange {
  type: OsvRangeType
  repo?: string
  events: OsvEvent[]
}

/** The `affected[].package` object: ecosystem string (with any `:release`), name, purl. */
export interface OsvPackage {
  ecosystem: string
  name: string
  purl?: string
}

/** One `affected[]` entry (OSV schema, "affected fields"). */
export interface OsvAffected {
  package?: OsvPackage
  /** Package-level severity (schema 1.4+); when set, the top-level one is not. */
  severity: OsvSeverity[]
  ranges: OsvRange[]
  versions: string[]
  ecosystemSpecific?: JsonObject
  databaseSpecific?: JsonObject
}

/** A parsed OSV record. Field names are camel-cased; arrays are always present. */
export interface OsvRecord {
  schemaVersion?: string
  id: string
  modified: string
  published?: string
  withdrawn?: string
  aliases: string[]
  /** IDs this record is downstream of (schema 1.6+), e.g. the CVE a distribution record tracks. */
  upstream: string[]
  related: string[]
  summary?: string
  details?: string
  severity: OsvSeverity[]
  affected: OsvAffected[]
  databaseSpecific?: JsonObject
}

const TIMESTAMP = /^[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt][0-9]{2}:[0-9]{2}:[0-9]{2}(?:\.[0-9]+)?(?:[Zz]|[+-][0-9]{2}:[0-9]{2})$/

const SEVERITY_TYPES = new Set<string>(Object.values(OsvSeverityType))
const RANGE_TYPES = new Set<string>(Object.values(OsvRangeType))
const EVENT_KINDS = Object.values(OsvEventKind)

class Reader {
  constructor(private readonly id: string | null) {}

  fail(path: string, message: string): never {
    const where = this.id === null ? path : `${this.id}: ${path}`
    throw new VulnDataError(VulnErrorCode.RecordInvalid, `invalid OSV record ${where}: ${message}`)
  }

  object(value: unknown, path: string): Record<string, unknown> {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) this.fail(path, 'expected an object')
    return value as Record<string, unknown>
  }

  optionalObject(value: unknown, path: string): JsonObject | undefined {
    if (value === undefined || value === null) return undefined
    return this.object(value, path) as JsonObject
  }

  string(value: unknown, path: string): string {
    if (typeof value !== 'string') this.fail(path, 'expected a string')
    return value
  }

  nonEmpty(value: unknown, path: string): string {
    const text = this.string(value, path)
    if (text.trim() === '') this.fail(path, 'expected a non-empty string')
    return text
  }

  optionalString(value: unknown, path: string): string | undefined {
    return value === undefined || value === null ? undefined : this.string(value, path)
  }

  timestamp(value: unknown, path: string): string {
    const text = this.string(value, path)
    if (!TIMESTAMP.test(text) || Number.isNaN(Date.parse(text))) this.fail(path, `expected an RFC 3339 timestamp, got ${JSON.stringify(text)}`)
    return text
  }

  optionalTimestamp(value: unknown, path: string): string | undefined {
    return value === undefined || value === null ? undefined : this.timestamp(value, path)
  }

  array(value: unknown, path: string): unknown[] {
    if (value === undefined || value === null) return []
    if (!Array.isArray(value)) this.fail(path, 'expected an array')
    return value
  }

  strings(value: unknown, path: string): string[] {
    return this.array(value, path).map((item, i) => this.string(item, `${path}[${i}]`))
  }
}

function readSeverity(r: Reader, value: unknown, path: string): OsvSeverity[] {
  const out: OsvSeverity[] = []
  r.array(value, path).forEach((item, i) => {
    const entry = r.object(item, `${path}[${i}]`)
    const type = r.string(entry.type, `${path}[${i}].type`)
    const score = r.nonEmpty(entry.score, `${path}[${i}].score`)
    // unknown severity types are for other consumers: dropped, not an error
    if (SEVERITY_TYPES.has(type)) out.push({ type: type as OsvSeverityType, score: score.trim() })
  })
  return out
}

function readEvent(r: Reader, value: unknown, path: string): OsvEvent {
  const event = r.object(value, path)
  const present = EVENT_KINDS.filter((kind) => event[kind] !== undefined)
  if (present.length !== 1) r.fail(path, `expected exactly one of ${EVENT_KINDS.join(', ')}`)
  const kind = present[0]!
  return { kind, version: r.nonEmpty(event[kind], `${path}.${kind}`).trim() }
}

function readRange(r: Reader, value: unknown, path: string): OsvRange {
  const range = r.object(value, path)
  const type = r.string(range.type, `${path}.type`)
  if (!RANGE_TYPES.has(type)) r.fail(`${path}.type`, `expected one of ${[...RANGE_TYPES].join(', ')}, got ${JSON.stringify(type)}`)
  if (!Array.isArray(range.events) || range.events.length === 0) r.fail(`${path}.events`, 'expected a non-empty array')
  const events = range.events.map((event, i) => readEvent(r, event, `${path}.events[${i}]`))
  if (type !== OsvRangeType.Git && !events.some((e) => e.kind === OsvEventKind.Introduced)) {
    r.fail(`${path}.events`, 'expected at least one "introduced" event')
  }
  const out: OsvRange = { type: type as OsvRangeType, events }
  const repo = r.optionalString(range.repo, `${path}.repo`)
  if (repo !== undefined) out.repo = repo
  return out
}

function readAffected(r: Reader, value: unknown, path: string): OsvAffected {
  const affected = r.object(value, path)
  const out: OsvAffected = {
    severity: readSeverity(r, affected.severity, `${path}.severity`),
    ranges: r.array(affected.ranges, `${path}.ranges`).map((range, i) => readRange(r, range, `${path}.ranges[${i}]`)),
    versions: r.strings(affected.versions, `${path}.versions`),
  }
  if (affected.package !== undefined && affected.package !== null) {
    const pkg = r.object(affected.package, `${path}.package`)
    out.package = {
      ecosystem: r.nonEmpty(pkg.ecosystem, `${path}.package.ecosystem`).trim(),
      name: r.nonEmpty(pkg.name, `${path}.package.name`).trim(),
    }
    const purl = r.optionalString(pkg.purl, `${path}.package.purl`)
    if (purl !== undefined) out.package.purl = purl
  }
  const ecosystemSpecific = r.optionalObject(affected.ecosystem_specific, `${path}.ecosystem_specific`)
  if (ecosystemSpecific) out.ecosystemSpecific = ecosystemSpecific
  const databaseSpecific = r.optionalObject(affected.database_specific, `${path}.database_specific`)
  if (databaseSpecific) out.databaseSpecific = databaseSpecific
  return out
}

/**
 * Parses one OSV record (the decoded JSON). Throws `VULN_RECORD_INVALID` with the path of the
 * first field that does not follow the schema.
 */
export function parseOsvRecord(value: unknown): OsvRecord {
  const top = new Reader(null).object(value, '(root)')
  const id = new Reader(null).nonEmpty(top.id, 'id').trim()
  if (/\s/.test(id)) new Reader(null).fail('id', `expected an identifier without spaces, got ${JSON.stringify(id)}`)
  const r = new Reader(id)
  const record: OsvRecord = {
    id,
    modified: r.timestamp(top.modified, 'modified'),
    aliases: r.strings(top.aliases, 'aliases'),
    upstream: r.strings(top.upstream, 'upstream'),
    related: r.strings(top.related, 'related'),
    severity: readSeverity(r, top.severity, 'severity'),
    affected: r.array(top.affected, 'affected').map((item, i) => readAffected(r, item, `affected[${i}]`)),
  }
  const schemaVersion = r.optionalString(top.schema_version, 'schema_version')
  if (schemaVersion !== undefined) record.schemaVersion = schemaVersion
  const published = r.optionalTimestamp(top.published, 'published')
  if (published !== undefined) record.published = published
  const withdrawn = r.optionalTimestamp(top.withdrawn, 'withdrawn')
  if (withdrawn !== undefined) record.withdrawn = withdrawn
  const summary = r.optionalString(top.summary, 'summary')
  if (summary !== undefined) record.summary = summary
  const details = r.optionalString(top.details, 'details')
  if (details !== undefined) record.details = details
  const databaseSpecific = r.optionalObject(top.database_specific, 'database_specific')
  if (databaseSpecific) record.databaseSpecific = databaseSpecific
  return record
}

/** Parses the JSON text of one OSV record; bad JSON is `VULN_RECORD_INVALID` too. */
export function parseOsvRecordJson(text: string): OsvRecord {
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch (error) {
    throw new VulnDataError(VulnErrorCode.RecordInvalid, `invalid OSV record: not JSON (${error instanceof Error ? error.message : String(error)})`, { cause: error })
  }
  return parseOsvRecord(value)
}

/** The time a record was last modified, in milliseconds since the epoch. */
export function modifiedTime(record: Pick<OsvRecord, 'modified'>): number {
  return Date.parse(record.modified)
}
