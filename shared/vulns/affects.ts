/**
 * Whether an OSV record affects a package at a version: the "Evaluation" algorithm of the OSV
 * schema. A record affects a package when one of its `affected` entries names the package and
 * either lists the version in `versions` or has a `SEMVER`/`ECOSYSTEM` range including it.
 *
 * A range includes `v` when `v` is below one of its `limit` events (or it has none), and,
 * walking its events sorted by version, the last event at or below `v` is an `introduced`
 * (`"0"` sorts before every version) — a `fixed` at or below `v`, or a `last_affected` below
 * `v`, ends the affected interval. Events at the same version are taken `introduced` first,
 * so `introduced: X, fixed: X` includes nothing.
 *
 * Choices where the schema leaves room:
 * - `GIT` ranges are ignored (they need the repository's commit graph);
 * - withdrawn records never match;
 * - `SEMVER` ranges are compared with SemVer precedence, falling back to the ecosystem's own
 *   order when a version is not strict SemVer; `ECOSYSTEM` ranges use the ecosystem's order
 *   (`versions/index.ts`); a range whose ecosystem has no order, or where the installed version
 *   does not parse, cannot match; events whose version does not parse are skipped;
 * - `versions` entries match the exact string, or a version equal under the ecosystem's order
 *   (`1.0` and `1.0.0` in PyPI);
 * - the fixed version reported is the smallest `fixed` above the installed version in the
 *   range that matched (or, for a `versions` match, in any range of the entry).
 *
 * @see https://ossf.github.io/osv-schema/#evaluation
 * @module
 */
import { ecosystemKey, normalisePackageName, parseEcosystem } from './ecosystems.js'
import { OsvEventKind, OsvRangeType, type OsvEvent, type OsvRange } from './osv.js'
import { compareWithScheme, schemeOf, tryCompareVersions, VersionScheme } from './versions/index.js'

/** The parts of an `affected` entry the evaluation reads. */
export interface AffectedInput {
  package?: { ecosystem: string; name: string }
  ranges: readonly OsvRange[]
  versions: readonly string[]
}

/** The parts of a record the evaluation reads (an {@link OsvRecord} or an index candidate). */
export interface AffectsInput {
  withdrawn?: string
  affected: readonly AffectedInput[]
}

/** The verdict for one package version. */
export interface AffectsResult {
  affected: boolean
  /** The smallest fixed version above the installed one, when the record gives one. */
  fixed?: string
}

type Compare = (a: string, b: string) => number | null

/** The comparator for a range: SemVer precedence for SEMVER ranges, else the ecosystem's order. */
function comparatorFor(type: OsvRangeType, ecosystem: string): Compare | null {
  const scheme = schemeOf(ecosystem)
  const own: Compare | null = scheme === null ? null : (a, b) => tryCompareVersions(ecosystem, a, b)
  if (type !== OsvRangeType.Semver) return own
  return (a, b) => {
    try {
      return compareWithScheme(VersionScheme.Semver, a, b)
    } catch {
      return own ? own(a, b) : null
    }
  }
}

/** The position of an event's version relative to `version`: negative when the event is below. */
function eventVersionCompare(event: OsvEvent, version: string, compare: Compare): number | null {
  if (event.kind === OsvEventKind.Introduced && event.version === '0') return -1
  if (event.kind === OsvEventKind.Limit && event.version.includes('*')) return 1
  return compare(event.version, version)
}

const KIND_ORDER: Record<OsvEventKind, number> = { introduced: 0, last_affected: 1, fixed: 2, limit: 3 }

function sortEvents(events: readonly OsvEvent[], compare: Compare): OsvEvent[] {
  const usable = events.filter((e) => (e.kind === OsvEventKind.Introduced && e.version === '0') || (e.kind === OsvEventKind.Limit && e.version.includes('*')) || compare(e.version, e.version) !== null)
  const key = (e: OsvEvent): string | null => ((e.kind === OsvEventKind.Introduced && e.version === '0') || (e.kind === OsvEventKind.Limit && e.version.includes('*')) ? null : e.version)
  return usable.sort((a, b) => {
    const x = key(a)
    const y = key(b)
    let c: number
    if (x === null || y === null) {
      const rank = (e: OsvEvent, k: string | null): number => (k !== null ? 0 : e.kind === OsvEventKind.Introduced ? -1 : 1)
      c = rank(a, x) - rank(b, y)
    } else {
      c = compare(x, y) ?? 0
    }
    return c !== 0 ? c : KIND_ORDER[a.kind] - KIND_ORDER[b.kind]
  })
}

/**
 * Evaluates one range for `version` of a package of `ecosystem`. Returns null when the range
 * cannot be evaluated (a `GIT` range, no ordering for the ecosystem, an unparsable version).
 */
export function evaluateRange(range: OsvRange, ecosystem: string, version: string): AffectsResult | null {
  if (range.type === OsvRangeType.Git) return null
  const compare = comparatorFor(range.type, ecosystem)
  if (!compare || compare(version, version) === null) return null

  const limits = range.events.filter((e) => e.kind === OsvEventKind.Limit)
  if (limits.length > 0 && !limits.some((e) => (eventVersionCompare(e, version, compare) ?? -1) > 0)) return { affected: false }

  let vulnerable = false
  for (const event of sortEvents(range.events, compare)) {
    const position = eventVersionCompare(event, version, compare)
    if (position === null) continue
    if (event.kind === OsvEventKind.Introduced && position <= 0) vulnerable = true
    else if (event.kind === OsvEventKind.Fixed && position <= 0) vulnerable = false
    else if (event.kind === OsvEventKind.LastAffected && position < 0) vulnerable = false
  }
  if (!vulnerable) return { affected: false }
  const fixed = smallestFixedAbove([range], ecosystem, version)
  return fixed === undefined ? { affected: true } : { affected: true, fixed }
}

/** The smallest `fixed` event above `version` in `ranges` (non-GIT, comparable ones). */
export function smallestFixedAbove(ranges: readonly OsvRange[], ecosystem: string, version: string): string | undefined {
  let best: { version: string; compare: Compare } | undefined
  for (const range of ranges) {
    if (range.type === OsvRangeType.Git) continue
    const compare = comparatorFor(range.type, ecosystem)
    if (!compare) continue
    for (const event of range.events) {
      if (event.kind !== OsvEventKind.Fixed) continue
      const above = compare(event.version, version)
      if (above === null || above <= 0) continue
      if (best === undefined || (best.compare(event.version, best.version) ?? 0) < 0) best = { version: event.version, compare }
    }
  }
  return best?.version
}

/** True when an `affected` entry's package is `packageName` in `ecosystem` (release-aware). */
export function entryNamesPackage(entry: AffectedInput, ecosystem: string, packageName: string): boolean {
  if (!entry.package) return false
  const theirs = parseEcosystem(entry.package.ecosystem)
  const ours = parseEcosystem(ecosystem)
  if (!theirs || !ours || theirs.ecosystem !== ours.ecosystem) return false
  // an entry without a release applies to every release; otherwise the releases must agree
  if (theirs.release !== null && ecosystemKey(entry.package.ecosystem) !== ours.key) return false
  return normalisePackageName(ours.ecosystem, entry.package.name) === normalisePackageName(ours.ecosystem, packageName)
}

/** Evaluates one `affected` entry (its package is assumed to match). */
export function evaluateEntry(entry: AffectedInput, ecosystem: string, version: string): AffectsResult {
  for (const range of entry.ranges) {
    const result = evaluateRange(range, ecosystem, version)
    if (result?.affected) return result
  }
  const listed = entry.versions.some((v) => v === version || tryCompareVersions(ecosystem, v, version) === 0)
  if (listed) {
    const fixed = smallestFixedAbove(entry.ranges, ecosystem, version)
    return fixed === undefined ? { affected: true } : { affected: true, fixed }
  }
  return { affected: false }
}

/**
 * Whether `record` affects `packageName` at `version` in `ecosystem` (an OSV ecosystem string
 * such as `Debian:12`, `Ubuntu:22.04` or `PyPI`), by the OSV evaluation algorithm.
 */
export function isAffected(record: AffectsInput, ecosystem: string, packageName: string, version: string): AffectsResult {
  if (record.withdrawn !== undefined) return { affected: false }
  for (const entry of record.affected) {
    if (!entryNamesPackage(entry, ecosystem, packageName)) continue
    const result = evaluateEntry(entry, ecosystem, version)
    if (result.affected) return result
  }
  return { affected: false }
}
