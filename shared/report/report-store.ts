/**
 * Where reports live, over any {@link ObjectStore} (S3, a directory). The key layout is a
 * contract shared with users' tooling:
 *
 * - `reports/sha256/<hex>.json`: the report of a manifest (image) or index. An index
 *   report's platform reports are also stored under their own digests.
 * - `tags/<registry>/<repository>/<tag>.json`: where a tag points now, and where it pointed
 *   before (newest first), so a moved tag can be traced.
 * - `reports/sha256/<hex>/history/<time>.json`: a report as it was before a vulnerability
 *   refresh changed its vulnerabilities (`<time>` is the refresh time, `2026-11-29T07-40-00.000Z`).
 *   The newest {@link MAX_REPORT_HISTORY} are kept; older ones are deleted when a new one is written.
 *
 * @module
 */
import { ErrorCode, PushscanError } from '../errors.js'
import { digestHex, parseDigest } from '../image/digest.js'
import type { ObjectStore } from '../ports/object-store.js'
import type { ImageReport, Report } from './model.js'
import { serialiseReport } from './serialise.js'

export interface TagRecord {
  registry: string
  repository: string
  tag: string
  /** The digest the tag points to now. */
  digest: string
  updatedAt: string
  /** Every digest the tag has pointed to, newest first (at most {@link MAX_TAG_HISTORY}). */
  history: Array<{ digest: string; firstSeen: string; lastSeen: string }>
}

export const MAX_TAG_HISTORY = 100
/**
 * Earlier versions kept per report. A refresh writes one only when the report's
 * vulnerabilities changed (a few times a month for a busy base image, so this goes back a
 * year or more); without a bound, an image whose packages keep gaining vulnerabilities
 * would keep a copy of every version for as long as it is stored.
 */
export const MAX_REPORT_HISTORY = 50
const MAX_CAS_ATTEMPTS = 8

export function reportKey(digest: string): string {
  const parsed = parseDigest(digest)
  return `reports/${parsed.slice(0, parsed.indexOf(':'))}/${digestHex(parsed)}.json`
}

/** Registry and tag segments are URI-encoded (`127.0.0.1%3A5000`); the repository keeps its slashes. */
export function tagKey(registry: string, repository: string, tag: string): string {
  const repo = repository.split('/').map(encodeURIComponent).join('/')
  return `tags/${encodeURIComponent(registry)}/${repo}/${encodeURIComponent(tag)}.json`
}

/** Where a report's earlier versions are kept. */
export function reportHistoryPrefix(digest: string): string {
  const parsed = parseDigest(digest)
  return `reports/${parsed.slice(0, parsed.indexOf(':'))}/${digestHex(parsed)}/history/`
}

/** The key of a report's earlier version, replaced at `at` (ISO 8601). */
export function reportHistoryKey(digest: string, at: string): string {
  return `${reportHistoryPrefix(digest)}${at.replace(/:/g, '-')}.json`
}

const REPORT_KEY = /^reports\/(sha256|sha512)\/([0-9a-f]+)\.json$/

/** A stored report with the version it was read at, for a conditional replace. */
export interface VersionedReport {
  report: Report
  bytes: Buffer
  etag?: string
}

export class ReportStore {
  readonly #objects: ObjectStore

  constructor(objects: ObjectStore) {
    this.#objects = objects
  }

  async getReport(digest: string): Promise<Report | undefined> {
    const found = await this.#objects.get(reportKey(digest))
    return found ? (JSON.parse(found.bytes.toString('utf8')) as Report) : undefined
  }

  /** Stores a report, and for an index report each platform report under its own digest. */
  async putReport(report: Report): Promise<void> {
    if (report.kind === 'index') {
      for (const manifest of report.manifests) await this.#put(manifest)
    }
    if (report.subject.digest) await this.#put(report)
  }

  /** The digest of every stored report (image and index reports), in key order. */
  async *reportDigests(): AsyncIterable<string> {
    for await (const key of this.#objects.list('reports/')) {
      const match = REPORT_KEY.exec(key)
      if (match) yield `${match[1]}:${match[2]}`
    }
  }

  /** A report with its stored bytes and version tag. */
  async getVersionedReport(digest: string): Promise<VersionedReport | undefined> {
    const found = await this.#objects.get(reportKey(digest))
    if (!found) return undefined
    return { report: JSON.parse(found.bytes.toString('utf8')) as Report, bytes: found.bytes, ...(found.etag !== undefined ? { etag: found.etag } : {}) }
  }

  /**
   * Replaces a report read with {@link getVersionedReport}, only if it has not changed since
   * (false when another writer got there first). With `keepPreviousAt`, the bytes replaced
   * are first kept under {@link reportHistoryKey}.
   */
  async replaceReport(report: Report, current: VersionedReport, options: { keepPreviousAt?: string } = {}): Promise<boolean> {
    const digest = report.subject.digest
    if (options.keepPreviousAt !== undefined) {
      await this.#objects.put(reportHistoryKey(digest, options.keepPreviousAt), current.bytes, { contentType: 'application/json' })
      await this.#pruneHistory(digest)
    }
    return this.#objects.put(reportKey(digest), Buffer.from(serialiseReport(report)), {
      contentType: 'application/json',
      ...(current.etag !== undefined ? { ifMatch: current.etag } : {}),
    })
  }

  /** The keys of a report's earlier versions, oldest first (their names sort by time). */
  async historyKeys(digest: string): Promise<string[]> {
    const keys: string[] = []
    for await (const key of this.#objects.list(reportHistoryPrefix(digest))) keys.push(key)
    return keys.sort()
  }

  /** Deletes all but the newest {@link MAX_REPORT_HISTORY} earlier versions of a report. */
  async #pruneHistory(digest: string): Promise<void> {
    const keys = await this.historyKeys(digest)
    for (const key of keys.slice(0, Math.max(0, keys.length - MAX_REPORT_HISTORY))) await this.#objects.delete(key)
  }

  async getTag(registry: string, repository: string, tag: string): Promise<TagRecord | undefined> {
    const found = await this.#objects.get(tagKey(registry, repository, tag))
    return found ? (JSON.parse(found.bytes.toString('utf8')) as TagRecord) : undefined
  }

  /** Records that `tag` points to `digest` at `at`, keeping the tag's history (compare-and-swap). */
  async recordTag(registry: string, repository: string, tag: string, digest: string, at: string): Promise<TagRecord> {
    const key = tagKey(registry, repository, tag)
    for (let attempt = 0; attempt < MAX_CAS_ATTEMPTS; attempt++) {
      const found = await this.#objects.get(key)
      const current = found ? (JSON.parse(found.bytes.toString('utf8')) as TagRecord) : undefined
      const history = [...(current?.history ?? [])]
      const same = history[0]?.digest === digest
      if (same) history[0] = { ...history[0]!, lastSeen: at }
      else history.unshift({ digest, firstSeen: at, lastSeen: at })
      const record: TagRecord = { registry, repository, tag, digest, updatedAt: at, history: history.slice(0, MAX_TAG_HISTORY) }
      const written = await this.#objects.put(key, Buffer.from(`${JSON.stringify(record, null, 2)}\n`), {
        contentType: 'application/json',
        ifMatch: found ? (found.etag ?? undefined) : null,
      })
      if (written) return record
    }
    throw new PushscanError(ErrorCode.StoreUnavailable, `could not update ${key}: too many concurrent writers`, { temporary: true })
  }

  async #put(report: Report | ImageReport): Promise<void> {
    await this.#objects.put(reportKey(report.subject.digest), Buffer.from(serialiseReport(report)), { contentType: 'application/json' })
  }
}
