/**
 * Where the vulnerability index is kept: S3 in AWS, the data directory on one machine. The
 * index is replaced as a whole and atomically: readers see the old index or the new one,
 * never a mix, and a failed import leaves the old one in place.
 *
 * @module
 */
import type { VulnIndex } from '../vulns/index-format.js'

/** What one import did with one source. */
export interface SourceImport {
  /** The source as given: a directory, a zip file or an http(s) URL. */
  source: string
  /** Valid OSV records read from it. */
  records: number
  /** Records the index did not hold before. */
  added: number
  /** Records that replaced an indexed one with an older `modified` time. */
  updated: number
  /** Records whose `modified` time was not later than the indexed one's (skipped). */
  unchanged: number
  /** Files that are not valid OSV records (skipped, and logged). */
  invalid: number
}

/** The facts about the stored index, readable without loading the index itself. */
export interface VulnIndexHead {
  /** Changes whenever the stored index changes. */
  version: string
  /** When the index was last imported (ISO 8601). */
  importedAt: string
  /** Records in the index (withdrawn ones included). */
  records: number
  /** Records per source database (the ID prefix: `GHSA`, `DSA`, `DEBIAN`, …). */
  sources: Record<string, number>
  /** What the import that wrote this index read, source by source. */
  lastImport: SourceImport[]
}

export interface VulnIndexStore {
  /** The stored index's facts, or undefined when there is none. Cheap: a small read. */
  head(): Promise<VulnIndexHead | undefined>
  /** The stored index, or undefined when there is none. */
  load(): Promise<{ head: VulnIndexHead; index: VulnIndex } | undefined>
  /**
   * Replaces the stored index, only if it is still at version `ifVersion` (`null`: only if
   * there is none; absent: whatever is there, even an index that cannot be read). Resolves
   * the new head, or undefined when another writer got there first.
   */
  save(index: VulnIndex, lastImport: SourceImport[], options: { ifVersion?: string | null }): Promise<VulnIndexHead | undefined>
}
