/**
 * `pushscan vulndb import`: OSV records from one or more sources merged into the stored
 * index.
 *
 * - Incremental: the stored index is the starting point, and a record replaces an indexed
 *   one only when its `modified` time is later (`buildIndex`). Re-importing a feed is
 *   harmless; each source says how many records it added, updated or left unchanged.
 * - Atomic: every source is read before anything is written, and the index is replaced in
 *   one conditional write. A source that fails (not found, unreachable, corrupt, too large)
 *   fails the import and the previous index stays in use; so does an import that finds the
 *   index replaced by another writer meanwhile (`STORE_UNAVAILABLE`, temporary: run it again).
 * - A stored index that cannot be read (damaged) is replaced by one built from this import's
 *   sources alone, with a warning: it is of no use as it is, and importing is the way out.
 *
 * @module
 */
import { describeError, ErrorCode, isTemporary, PushscanError } from '../../errors.js'
import type { Clock } from '../../ports/clock.js'
import type { Downloader } from '../../ports/downloader.js'
import type { Logger } from '../../ports/logger.js'
import type { SourceImport, VulnIndexHead, VulnIndexStore } from '../../ports/vuln-index-store.js'
import { own, type VulnIndex } from '../index-format.js'
import { modifiedTime, type OsvRecord } from '../osv.js'
import { buildIndex } from '../vuln-index.js'
import { DEFAULT_IMPORT_LIMITS, readOsvSource, type ImportLimits } from './read-source.js'

export interface ImportDeps {
  store: VulnIndexStore
  /** Needed for http(s) sources. */
  downloader?: Downloader
  clock: Clock
  logger: Logger
}

export interface ImportOptions {
  limits?: Partial<ImportLimits>
}

export interface ImportResult {
  /** The index now stored. */
  head: VulnIndexHead
  /** The index it replaced, if any. */
  previous?: VulnIndexHead
  /** What each source gave, in the order given. */
  sources: SourceImport[]
  /** The new index, for callers that match against it right away. */
  index: VulnIndex
}

/** Counts what `records` would do to `index`: add, update, or nothing (not later). */
function countChanges(index: VulnIndex, records: readonly OsvRecord[]): Pick<SourceImport, 'added' | 'updated' | 'unchanged'> {
  const latest = new Map<string, OsvRecord>()
  for (const record of records) {
    const seen = latest.get(record.id)
    if (!seen || modifiedTime(record) > modifiedTime(seen)) latest.set(record.id, record)
  }
  let added = 0
  let updated = 0
  for (const record of latest.values()) {
    const existing = own(index.records, record.id)
    if (!existing) added++
    else if (modifiedTime(record) > Date.parse(existing.modified)) updated++
  }
  return { added, updated, unchanged: records.length - added - updated }
}

/**
 * Imports `sources` (directories, zips, JSON files, http(s) URLs of zips) into the stored
 * index; see the module comment for the guarantees.
 */
export async function importSources(sources: readonly string[], deps: ImportDeps, options: ImportOptions = {}): Promise<ImportResult> {
  if (sources.length === 0) throw new PushscanError(ErrorCode.Usage, 'no vulnerability data source to import')
  const limits = { ...DEFAULT_IMPORT_LIMITS, ...options.limits }
  let stored: Awaited<ReturnType<VulnIndexStore['load']>>
  let ifVersion: string | null | undefined
  try {
    stored = await deps.store.load()
    ifVersion = stored?.head.version ?? null
  } catch (error) {
    if (isTemporary(error)) throw error
    deps.logger.warn('the stored vulnerability index cannot be read; this import replaces it with one of its own sources', { error: describeError(error) })
    // replace exactly the damaged index when its pointer is readable, else whatever is there
    ifVersion = (await deps.store.head().catch(() => undefined))?.version
  }
  const importedAt = new Date(deps.clock.now()).toISOString()
  let index: VulnIndex = stored?.index ?? buildIndex([], undefined, { importedAt })
  const counts: SourceImport[] = []
  for (const source of sources) {
    deps.logger.info('reading vulnerability data', { source })
    const read = await readOsvSource(source, deps.downloader ? { downloader: deps.downloader } : {}, limits)
    for (const skipped of read.invalidNamed) deps.logger.warn('skipped a file that is not a valid OSV record', { source, file: skipped.name, reason: skipped.message })
    counts.push({ source, records: read.records.length, ...countChanges(index, read.records), invalid: read.invalid })
    index = buildIndex(read.records, index, { importedAt })
  }
  index = { ...index, importedAt }
  const head = await deps.store.save(index, counts, ifVersion === undefined ? {} : { ifVersion })
  if (!head) {
    throw new PushscanError(ErrorCode.StoreUnavailable, 'the vulnerability index was replaced by another import meanwhile; nothing was changed, run the import again', { temporary: true })
  }
  deps.logger.info('vulnerability index stored', { importedAt, records: head.records, sources: counts })
  return { head, ...(stored ? { previous: stored.head } : {}), sources: counts, index }
}
