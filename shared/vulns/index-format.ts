/**
 * The serialised vulnerability index: a compact JSON document holding, per OSV ecosystem
 * (and release) and package name, only what matching needs. Built by `vuln-index.ts`;
 * compression is left to the caller.
 *
 * ```json
 * {
 *   "format": "pushscan.vuln-index", "formatVersion": 1,
 *   "importedAt": "2024-06-01T00:00:00.000Z",
 *   "sources": { "DSA": 1, "GHSA": 2 },
 *   "records": { "GHSA-…": { "id": "GHSA-…", "aliases": ["CVE-…"], "upstream": [], "modified": "…" } },
 *   "packages": {
 *     "npm": { "lodash": [ { "id": "GHSA-…", "severity": { "severity": "high", "source": "database_specific" },
 *                            "affected": [ { "ecosystem": "npm", "ranges": [ … ], "versions": [] } ] } ] },
 *     "Debian:12": { "openssl": [ … ] }
 *   }
 * }
 * ```
 *
 * `packages` keys are ecosystem match keys (`Ubuntu:22.04` for `Ubuntu:22.04:LTS`, see
 * `ecosystems.ts`) and normalised package names (PEP 503 for PyPI, …). Ranges keep their
 * events as `{ kind, version }`; `GIT` ranges are not kept.
 *
 * @module
 */
import { VulnDataError, VulnErrorCode } from './errors.js'
import { OsvEventKind, OsvRangeType, type OsvRange } from './osv.js'
import { SeveritySource, VulnSeverity, type SeverityResult } from './severity.js'

/** The `format` marker of a serialised index. */
export const VULN_INDEX_FORMAT = 'pushscan.vuln-index' as const
/** Bumped whenever a reader of the previous version could misread the document. */
export const VULN_INDEX_FORMAT_VERSION = 1 as const

/** Record-level facts, shared by every package the record affects. */
export interface IndexedRecord {
  id: string
  aliases: string[]
  upstream: string[]
  modified: string
  withdrawn?: string
}

/** One `affected` entry of a record, for one package. */
export interface IndexedAffected {
  /** The entry's ecosystem string as the record wrote it (`Ubuntu:22.04:LTS`). */
  ecosystem: string
  ranges: OsvRange[]
  versions: string[]
}

/** What one record says about one package. */
export interface IndexedPackageEntry {
  id: string
  severity: SeverityResult
  affected: IndexedAffected[]
}

/** The whole index (see the module comment for its JSON shape). */
export interface VulnIndex {
  format: typeof VULN_INDEX_FORMAT
  formatVersion: typeof VULN_INDEX_FORMAT_VERSION
  /** When the index was last built (ISO 8601). */
  importedAt: string
  /** Records per source database (the ID prefix: `GHSA`, `DSA`, `CVE`, …). */
  sources: Record<string, number>
  records: Record<string, IndexedRecord>
  /** Ecosystem match key → package name → entries, sorted by id. */
  packages: Record<string, Record<string, IndexedPackageEntry[]>>
}

/**
 * An empty object without a prototype, for maps keyed by data (package names such as
 * `constructor` or `__proto__` must stay plain keys).
 */
export function dict<T>(): Record<string, T> {
  return Object.create(null) as Record<string, T>
}

/** The value under an own key of a data-keyed map, or undefined. */
export function own<T>(object: Record<string, T>, key: string): T | undefined {
  return Object.hasOwn(object, key) ? object[key] : undefined
}

function sortedObject<T>(object: Record<string, T>, map: (value: T) => T = (v) => v): Record<string, T> {
  const out = dict<T>()
  for (const key of Object.keys(object).sort()) out[key] = map(object[key]!)
  return out
}

/** Serialises an index to JSON, with every key and list in a stable order. */
export function serialiseIndex(index: VulnIndex): string {
  const document: VulnIndex = {
    format: VULN_INDEX_FORMAT,
    formatVersion: VULN_INDEX_FORMAT_VERSION,
    importedAt: index.importedAt,
    sources: sortedObject(index.sources),
    records: sortedObject(index.records),
    packages: sortedObject(index.packages, (names) => sortedObject(names, (entries) => [...entries].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)))),
  }
  return JSON.stringify(document)
}

function fail(path: string, message: string): never {
  throw new VulnDataError(VulnErrorCode.IndexInvalid, `invalid vulnerability index: ${path}: ${message}`)
}

function obj(value: unknown, path: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) fail(path, 'expected an object')
  return value as Record<string, unknown>
}

function str(value: unknown, path: string): string {
  if (typeof value !== 'string') fail(path, 'expected a string')
  return value
}

function strs(value: unknown, path: string): string[] {
  if (!Array.isArray(value)) fail(path, 'expected an array')
  return value.map((item, i) => str(item, `${path}[${i}]`))
}

function arr(value: unknown, path: string): unknown[] {
  if (!Array.isArray(value)) fail(path, 'expected an array')
  return value
}

const SEVERITIES = new Set<string>(Object.values(VulnSeverity))
const SOURCES = new Set<string>(Object.values(SeveritySource))
const RANGE_TYPES = new Set<string>([OsvRangeType.Semver, OsvRangeType.Ecosystem])
const EVENT_KINDS = new Set<string>(Object.values(OsvEventKind))

function readSeverity(value: unknown, path: string): SeverityResult {
  const s = obj(value, path)
  const severity = str(s.severity, `${path}.severity`)
  const source = str(s.source, `${path}.source`)
  if (!SEVERITIES.has(severity)) fail(`${path}.severity`, `unknown severity ${JSON.stringify(severity)}`)
  if (!SOURCES.has(source)) fail(`${path}.source`, `unknown source ${JSON.stringify(source)}`)
  const out: SeverityResult = { severity: severity as VulnSeverity, source: source as SeveritySource }
  if (s.score !== undefined) {
    if (typeof s.score !== 'number' || !Number.isFinite(s.score)) fail(`${path}.score`, 'expected a number')
    out.score = s.score
  }
  if (s.vector !== undefined) out.vector = str(s.vector, `${path}.vector`)
  return out
}

function readRange(value: unknown, path: string): OsvRange {
  const r = obj(value, path)
  const type = str(r.type, `${path}.type`)
  if (!RANGE_TYPES.has(type)) fail(`${path}.type`, `unexpected range type ${JSON.stringify(type)}`)
  const events = arr(r.events, `${path}.events`).map((e, i) => {
    const event = obj(e, `${path}.events[${i}]`)
    const kind = str(event.kind, `${path}.events[${i}].kind`)
    if (!EVENT_KINDS.has(kind)) fail(`${path}.events[${i}].kind`, `unknown event kind ${JSON.stringify(kind)}`)
    return { kind: kind as OsvEventKind, version: str(event.version, `${path}.events[${i}].version`) }
  })
  return { type: type as OsvRange['type'], events }
}

/**
 * Parses a serialised index (JSON text or the decoded value). Throws `VULN_INDEX_INVALID`
 * when it is not JSON, not an index, or of another format version.
 */
export function parseIndex(input: string | unknown): VulnIndex {
  let value: unknown = input
  if (typeof input === 'string') {
    try {
      value = JSON.parse(input)
    } catch (error) {
      throw new VulnDataError(VulnErrorCode.IndexInvalid, `invalid vulnerability index: not JSON (${error instanceof Error ? error.message : String(error)})`, { cause: error })
    }
  }
  const top = obj(value, '(root)')
  if (top.format !== VULN_INDEX_FORMAT) fail('format', `expected ${JSON.stringify(VULN_INDEX_FORMAT)}`)
  if (top.formatVersion !== VULN_INDEX_FORMAT_VERSION) fail('formatVersion', `unsupported version ${JSON.stringify(top.formatVersion)}, expected ${VULN_INDEX_FORMAT_VERSION}`)
  const importedAt = str(top.importedAt, 'importedAt')

  const sources = dict<number>()
  for (const [key, count] of Object.entries(obj(top.sources, 'sources'))) {
    if (typeof count !== 'number' || !Number.isInteger(count) || count < 0) fail(`sources.${key}`, 'expected a count')
    sources[key] = count
  }

  const records = dict<IndexedRecord>()
  for (const [id, raw] of Object.entries(obj(top.records, 'records'))) {
    const path = `records.${id}`
    const r = obj(raw, path)
    if (str(r.id, `${path}.id`) !== id) fail(`${path}.id`, 'does not match its key')
    const record: IndexedRecord = { id, aliases: strs(r.aliases, `${path}.aliases`), upstream: strs(r.upstream, `${path}.upstream`), modified: str(r.modified, `${path}.modified`) }
    if (r.withdrawn !== undefined) record.withdrawn = str(r.withdrawn, `${path}.withdrawn`)
    records[id] = record
  }

  const packages = dict<Record<string, IndexedPackageEntry[]>>()
  for (const [key, rawNames] of Object.entries(obj(top.packages, 'packages'))) {
    const names = dict<IndexedPackageEntry[]>()
    for (const [name, rawEntries] of Object.entries(obj(rawNames, `packages.${key}`))) {
      const path = `packages.${key}.${name}`
      names[name] = arr(rawEntries, path).map((raw, i) => {
        const e = obj(raw, `${path}[${i}]`)
        const id = str(e.id, `${path}[${i}].id`)
        if (!Object.hasOwn(records, id)) fail(`${path}[${i}].id`, `no record ${JSON.stringify(id)}`)
        return {
          id,
          severity: readSeverity(e.severity, `${path}[${i}].severity`),
          affected: arr(e.affected, `${path}[${i}].affected`).map((a, j) => {
            const affected = obj(a, `${path}[${i}].affected[${j}]`)
            return {
              ecosystem: str(affected.ecosystem, `${path}[${i}].affected[${j}].ecosystem`),
              ranges: arr(affected.ranges, `${path}[${i}].affected[${j}].ranges`).map((range, k) => readRange(range, `${path}[${i}].affected[${j}].ranges[${k}]`)),
              versions: strs(affected.versions, `${path}[${i}].affected[${j}].versions`),
            }
          }),
        }
      })
    }
    packages[key] = names
  }
  return { format: VULN_INDEX_FORMAT, formatVersion: VULN_INDEX_FORMAT_VERSION, importedAt, sources, records, packages }
}
