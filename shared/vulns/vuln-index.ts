/**
 * Building and querying the vulnerability index (format in `index-format.ts`).
 *
 * {@link buildIndex} merges OSV records into an index incrementally: a record replaces the
 * indexed record with the same id only when its `modified` time is later; an equal or older
 * one is skipped, so re-importing a feed, or importing records out of order, is harmless.
 * Only `affected` entries of ecosystems with a version ordering (`versions/index.ts`) and with
 * a `SEMVER`/`ECOSYSTEM` range or a `versions` list are kept; withdrawn records are kept (so an
 * older copy cannot bring them back) and never match.
 *
 * {@link lookup} returns the candidate records for one package, ready for `isAffected`.
 *
 * @module
 */
import { normalisePackageName, parseEcosystem } from './ecosystems.js'
import { dict, own, VULN_INDEX_FORMAT, VULN_INDEX_FORMAT_VERSION, type IndexedAffected, type IndexedPackageEntry, type IndexedRecord, type VulnIndex } from './index-format.js'
import { modifiedTime, OsvRangeType, type OsvAffected, type OsvRecord } from './osv.js'
import { severityOf, type SeverityResult } from './severity.js'
import { ecosystemName, schemeOf } from './versions/index.js'

/** Options of {@link buildIndex}. */
export interface BuildIndexOptions {
  /** The import time to record; defaults to now. */
  importedAt?: string
}

/** The source database of a record: its ID prefix (`GHSA`, `DSA`, `UBUNTU`, `CVE`, …). */
export function sourceOf(id: string): string {
  const dash = id.indexOf('-')
  return (dash === -1 ? id : id.slice(0, dash)).toUpperCase()
}

function indexedRecord(record: OsvRecord): IndexedRecord {
  const out: IndexedRecord = { id: record.id, aliases: [...record.aliases].sort(), upstream: [...record.upstream].sort(), modified: record.modified }
  if (record.withdrawn !== undefined) out.withdrawn = record.withdrawn
  return out
}

/** The package entries of a record, keyed by ecosystem match key and normalised name. */
function packageEntries(record: OsvRecord): Array<{ key: string; name: string; entry: IndexedPackageEntry }> {
  const grouped = new Map<string, { key: string; name: string; first: OsvAffected; affected: IndexedAffected[] }>()
  for (const affected of record.affected) {
    if (!affected.package) continue
    const ecosystem = parseEcosystem(affected.package.ecosystem)
    if (!ecosystem || schemeOf(ecosystem.ecosystem) === null) continue
    const ranges = affected.ranges.filter((r) => r.type !== OsvRangeType.Git)
    if (ranges.length === 0 && affected.versions.length === 0) continue
    const name = normalisePackageName(ecosystem.ecosystem, affected.package.name)
    const id = `${ecosystem.key}\u0000${name}`
    let group = grouped.get(id)
    if (!group) {
      group = { key: ecosystem.key, name, first: affected, affected: [] }
      grouped.set(id, group)
    }
    group.affected.push({ ecosystem: affected.package.ecosystem, ranges: ranges.map((r) => ({ type: r.type, events: r.events.map((e) => ({ ...e })) })), versions: [...affected.versions] })
  }
  return [...grouped.values()].map((g) => ({ key: g.key, name: g.name, entry: { id: record.id, severity: severityOf(record, g.first), affected: g.affected } }))
}

/**
 * Merges `records` into `previous` (or an empty index) and returns the new index; `previous`
 * is not changed. A record replaces an indexed one with the same id only when its `modified`
 * is later; among duplicates in `records`, the latest wins.
 */
export function buildIndex(records: readonly OsvRecord[], previous?: VulnIndex, options: BuildIndexOptions = {}): VulnIndex {
  const indexed = dict<IndexedRecord>()
  for (const [id, record] of Object.entries(previous?.records ?? {})) indexed[id] = record

  const incoming = new Map<string, OsvRecord>()
  for (const record of records) {
    const seen = incoming.get(record.id)
    if (!seen || modifiedTime(record) > modifiedTime(seen)) incoming.set(record.id, record)
  }

  const replaced = new Set<string>()
  const added: Array<{ key: string; name: string; entry: IndexedPackageEntry }> = []
  for (const record of incoming.values()) {
    const existing = own(indexed, record.id)
    if (existing && modifiedTime(record) <= Date.parse(existing.modified)) continue
    if (existing) replaced.add(record.id)
    indexed[record.id] = indexedRecord(record)
    added.push(...packageEntries(record))
  }

  const packages = dict<Record<string, IndexedPackageEntry[]>>()
  const put = (key: string, name: string, entry: IndexedPackageEntry): void => {
    const names = own(packages, key) ?? (packages[key] = dict<IndexedPackageEntry[]>())
    const entries = own(names, name) ?? (names[name] = [])
    entries.push(entry)
  }
  for (const [key, names] of Object.entries(previous?.packages ?? {})) {
    for (const [name, entries] of Object.entries(names)) {
      for (const entry of entries) if (!replaced.has(entry.id)) put(key, name, entry)
    }
  }
  for (const { key, name, entry } of added) put(key, name, entry)
  for (const names of Object.values(packages)) for (const entries of Object.values(names)) entries.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))

  const sources = dict<number>()
  for (const id of Object.keys(indexed)) {
    const source = sourceOf(id)
    sources[source] = (own(sources, source) ?? 0) + 1
  }

  return {
    format: VULN_INDEX_FORMAT,
    formatVersion: VULN_INDEX_FORMAT_VERSION,
    importedAt: options.importedAt ?? new Date().toISOString(),
    sources,
    records: indexed,
    packages,
  }
}

/** A record that may affect a package: record facts plus its entries for that package. */
export interface Candidate {
  id: string
  aliases: string[]
  upstream: string[]
  modified: string
  withdrawn?: string
  severity: SeverityResult
  affected: Array<IndexedAffected & { package: { ecosystem: string; name: string } }>
}

/**
 * The candidate records for package `name` of `ecosystem` at `release` (`lookup(index,
 * 'Debian', '12', 'openssl')`; `release` null for language ecosystems; an ecosystem string
 * with its release, `Debian:12`, is accepted too). Records of the ecosystem without a release
 * apply to every release and are included. Sorted by id.
 */
export function lookup(index: VulnIndex, ecosystem: string, release: string | null, name: string): Candidate[] {
  const parsed = parseEcosystem(release === null ? ecosystem : `${ecosystemName(ecosystem)}:${release}`)
  if (!parsed) return []
  const normalised = normalisePackageName(parsed.ecosystem, name)
  const keys = parsed.release === null ? [parsed.key] : [parsed.key, parsed.ecosystem]
  const byId = new Map<string, Candidate>()
  for (const key of keys) {
    const names = own(index.packages, key)
    const entries = names ? own(names, normalised) : undefined
    for (const entry of entries ?? []) {
      const record = own(index.records, entry.id)
      if (!record) continue
      const affected = entry.affected.map((a) => ({ ...a, package: { ecosystem: a.ecosystem, name: normalised } }))
      const seen = byId.get(record.id)
      if (seen) {
        seen.affected.push(...affected)
        continue
      }
      const candidate: Candidate = { id: record.id, aliases: record.aliases, upstream: record.upstream, modified: record.modified, severity: entry.severity, affected }
      if (record.withdrawn !== undefined) candidate.withdrawn = record.withdrawn
      byId.set(record.id, candidate)
    }
  }
  const out = [...byId.values()]
  return out.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
}
