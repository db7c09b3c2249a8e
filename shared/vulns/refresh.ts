/**
 * The vulnerability refresh (`functions/vulndb` on a schedule in AWS, `pushscan vulndb
 * refresh` on one machine):
 *
 * 1. Re-import the configured sources into the index (`import-sources.ts`). A failed import
 *    stops here: the previous index stays, no report is touched.
 * 2. Re-match every stored report's package list against the index. Only the stored report
 *    is read: no manifest, no layer, no registry request. A report whose vulnerabilities
 *    changed is stored again and the version it replaces is kept under
 *    `reports/sha256/<hex>/history/<time>.json`. One whose vulnerabilities are the same is not
 *    rewritten (every refresh would otherwise rewrite every report, and a versioned bucket
 *    keep a copy each time), unless it had not been matched against any index before: it
 *    then gets `vulnerabilityIndex`, without a history copy. So `vulnerabilityIndex` names
 *    the index that last changed the report; `vulndb/last-refresh.json` says when every
 *    report was last checked. The replace is conditional: a report rewritten meanwhile (a
 *    scan) is left to its writer. Failed reports are skipped.
 * 3. Notify about the vulnerabilities at `critical` or `high` that an image report did not
 *    have before (`newVulnerabilities`): signed webhook deliveries of at most
 *    {@link MAX_IMAGES_PER_NOTIFICATION} images each (usually one). A failed delivery does not
 *    undo anything: it is logged, counted in the result and its body kept under
 *    `vulndb/undelivered/<time>-<n>.json`.
 * 4. Record the result under `vulndb/last-refresh.json` (shown by `pushscan vulndb status`).
 *
 * Running it twice is harmless: the second run finds nothing new to notify.
 *
 * @module
 */
import { describeError, ErrorCode, PushscanError } from '../errors.js'
import type { Clock } from '../ports/clock.js'
import type { Downloader } from '../ports/downloader.js'
import type { Logger } from '../ports/logger.js'
import type { Notifier } from '../ports/notifier.js'
import type { ObjectStore } from '../ports/object-store.js'
import type { SourceImport, VulnIndexStore } from '../ports/vuln-index-store.js'
import type { ImageReport, Report, SeverityOrUnknown } from '../report/model.js'
import type { ReportStore } from '../report/report-store.js'
import { importSources } from './import/import-sources.js'
import type { ImportLimits } from './import/read-source.js'
import { buildNotification, serialiseNotification, type NotifiedImage } from './notification.js'
import { loadedIndex, matchReport, newVulnerabilities, sameVulnerabilities, type LoadedVulnIndex } from './report-vulns.js'

/** Where the last refresh's result is kept. */
export const LAST_REFRESH_KEY = 'vulndb/last-refresh.json'
/** Where bodies of failed notifications are kept. */
export const UNDELIVERED_PREFIX = 'vulndb/undelivered/'
/** Images per notification: a receiver may refuse a very large body. */
export const MAX_IMAGES_PER_NOTIFICATION = 100
/** Severities a refresh notifies about. */
export const NOTIFY_SEVERITIES: readonly SeverityOrUnknown[] = ['critical', 'high']

export interface RefreshDeps {
  index: VulnIndexStore
  reports: ReportStore
  /** The store the reports are in: the refresh records its result there. */
  objects: ObjectStore
  downloader?: Downloader
  /** Without one, nothing is sent (the result says `not-configured`). */
  notifier?: Notifier
  clock: Clock
  logger: Logger
}

export interface RefreshOptions {
  /** Sources to re-import first; none: re-match against the stored index as it is. */
  sources: readonly string[]
  limits?: Partial<ImportLimits>
}

export type NotificationStatus = 'sent' | 'failed' | 'not-configured' | 'nothing-new'

export interface RefreshResult {
  refreshedAt: string
  /** What each source gave, when sources were imported. */
  imported?: SourceImport[]
  index: { importedAt: string; records: number }
  reports: {
    /** Stored reports looked at. */
    checked: number
    /** Stored again with other vulnerabilities (previous version kept). */
    changed: number
    /** Stored again only to say it was matched (it had not been, and nothing was found). */
    restamped: number
    /** Same vulnerabilities: not rewritten. */
    unchanged: number
    /** Failed reports, and reports rewritten by someone else meanwhile. */
    skipped: number
    /** Reports that could not be read or written (logged). */
    failed: number
  }
  /** Critical and high vulnerabilities new to an image. */
  newVulnerabilities: number
  notification: {
    /** `failed` when any delivery failed. */
    status: NotificationStatus
    /** Deliveries made (one per {@link MAX_IMAGES_PER_NOTIFICATION} images). */
    deliveries?: number
    /** Requests made, retries included. */
    attempts?: number
    /** Why the last failed delivery failed. */
    error?: string
    /** Where the bodies of failed deliveries are kept. */
    undelivered?: string[]
  }
}

function severityAllowed(severity: SeverityOrUnknown): boolean {
  return NOTIFY_SEVERITIES.includes(severity)
}

function notifiedImage(before: ImageReport, after: ImageReport): NotifiedImage | undefined {
  const fresh = newVulnerabilities(before.vulnerabilities, after.vulnerabilities).filter((v) => severityAllowed(v.severity))
  if (fresh.length === 0) return undefined
  const s = after.subject
  return {
    registry: s.registry,
    repository: s.repository,
    digest: s.digest,
    tags: [...s.tags],
    ...(s.platform ? { platform: s.platform } : {}),
    ...(s.indexDigest ? { indexDigest: s.indexDigest } : {}),
    vulnerabilities: fresh,
  }
}

function vulnerabilitiesChanged(before: Report, after: Report): boolean {
  if (before.kind === 'image' && after.kind === 'image') return !sameVulnerabilities(before.vulnerabilities, after.vulnerabilities)
  if (before.kind === 'index' && after.kind === 'index') return before.manifests.some((m, i) => !sameVulnerabilities(m.vulnerabilities, after.manifests[i]!.vulnerabilities))
  return true
}

/** True when the report (or a platform report of an index) had not been matched against an index. */
function neverMatched(before: Report): boolean {
  const unmatched = (r: ImageReport): boolean => r.status === 'complete' && r.vulnerabilityIndex?.status !== 'loaded'
  return before.kind === 'image' ? unmatched(before) : before.manifests.some(unmatched)
}

/** Runs a refresh; see the module comment. Throws when the import fails or there is no index. */
export async function refreshVulnerabilities(options: RefreshOptions, deps: RefreshDeps): Promise<RefreshResult> {
  const { logger } = deps
  const refreshedAt = new Date(deps.clock.now()).toISOString()
  let imported: SourceImport[] | undefined
  let loaded: LoadedVulnIndex
  if (options.sources.length > 0) {
    const result = await importSources(options.sources, { store: deps.index, clock: deps.clock, logger, ...(deps.downloader ? { downloader: deps.downloader } : {}) }, options.limits ? { limits: options.limits } : {})
    imported = result.sources
    loaded = loadedIndex(result.index)
  } else {
    const stored = await deps.index.load()
    if (!stored) throw new PushscanError(ErrorCode.VulnIndexMissing, 'there is no vulnerability index to match against: import one first, or configure sources to refresh from')
    loaded = loadedIndex(stored.index)
  }

  const counts: RefreshResult['reports'] = { checked: 0, changed: 0, restamped: 0, unchanged: 0, skipped: 0, failed: 0 }
  const images: NotifiedImage[] = []
  for await (const digest of deps.reports.reportDigests()) {
    counts.checked++
    try {
      const current = await deps.reports.getVersionedReport(digest)
      if (!current || current.report.status !== 'complete') {
        counts.skipped++
        continue
      }
      const before = current.report
      const after = matchReport(before, loaded)
      const changed = vulnerabilitiesChanged(before, after)
      if (!changed && !neverMatched(before)) {
        counts.unchanged++
        continue
      }
      const written = await deps.reports.replaceReport(after, current, changed ? { keepPreviousAt: refreshedAt } : {})
      if (!written) {
        logger.info('report rewritten meanwhile; left to its writer', { digest })
        counts.skipped++
        continue
      }
      if (changed) counts.changed++
      else counts.restamped++
      if (before.kind === 'image' && after.kind === 'image') {
        const image = notifiedImage(before, after)
        if (image) images.push(image)
      }
    } catch (error) {
      counts.failed++
      logger.error('could not re-match a stored report', { digest, error: describeError(error) })
    }
  }

  const newCount = images.reduce((n, image) => n + image.vulnerabilities.length, 0)
  const index = { importedAt: loaded.info.importedAt, records: loaded.info.records }
  let notification: RefreshResult['notification']
  if (images.length === 0) {
    notification = { status: 'nothing-new' }
  } else if (!deps.notifier) {
    notification = { status: 'not-configured' }
    logger.info('new vulnerabilities found; no notification URL is configured', { images: images.length, vulnerabilities: newCount })
  } else {
    notification = { status: 'sent', deliveries: 0, attempts: 0 }
    for (let start = 0, n = 1; start < images.length; start += MAX_IMAGES_PER_NOTIFICATION, n++) {
      const body = buildNotification(refreshedAt, index, images.slice(start, start + MAX_IMAGES_PER_NOTIFICATION))
      const outcome = await deps.notifier.notify(body)
      notification.deliveries! += 1
      notification.attempts! += outcome.attempts
      if (outcome.delivered) {
        logger.info('notified about new vulnerabilities', { images: body.images.length, delivery: body.id })
        continue
      }
      notification.status = 'failed'
      notification.error = outcome.error ?? 'not delivered'
      const key = `${UNDELIVERED_PREFIX}${refreshedAt.replace(/:/g, '-')}-${n}.json`
      try {
        await deps.objects.put(key, Buffer.from(serialiseNotification(body)), { contentType: 'application/json' })
        notification.undelivered = [...(notification.undelivered ?? []), key]
      } catch (error) {
        logger.error('could not keep the undelivered notification', { error: describeError(error) })
      }
      logger.error('could not deliver the notification about new vulnerabilities', { attempts: outcome.attempts, status: outcome.status, error: outcome.error, delivery: body.id, kept: key })
    }
  }

  const result: RefreshResult = { refreshedAt, ...(imported ? { imported } : {}), index, reports: counts, newVulnerabilities: newCount, notification }
  try {
    await deps.objects.put(LAST_REFRESH_KEY, Buffer.from(`${JSON.stringify(result, null, 2)}\n`), { contentType: 'application/json' })
  } catch (error) {
    logger.warn('could not record the refresh result', { error: describeError(error) })
  }
  logger.info('vulnerability refresh done', { ...counts, newVulnerabilities: newCount, notification: notification.status })
  return result
}

/** The last refresh's result, if one was recorded. */
export async function lastRefresh(objects: ObjectStore): Promise<RefreshResult | undefined> {
  const found = await objects.get(LAST_REFRESH_KEY)
  return found ? (JSON.parse(found.bytes.toString('utf8')) as RefreshResult) : undefined
}
