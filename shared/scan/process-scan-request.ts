/**
 * The worker's unit of work, shared by the Lambda worker and the local one: one scan
 * request in, one stored report out.
 *
 * - The registry must be on the allow-list (checked again here: the queue may hold
 *   messages from before a policy change, or from EventBridge).
 * - A tag without a digest (Docker Hub, Quay) is resolved with a manifest HEAD, which does
 *   not count against Docker Hub's pull limit.
 * - Idempotent by digest and analyzer-set version: when a complete report from the same
 *   analyzers exists, only the tag index is updated. Platform images already scanned (a
 *   multi-arch push also sends one event per child manifest) are reused in index reports.
 * - Temporary errors are thrown, so the queue retries and finally dead-letters; permanent
 *   ones end in a stored `failed` report.
 *
 * @module
 */
import { describeError, isTemporary } from '../errors.js'
import type { Digest } from '../image/digest.js'
import type { ImageRef } from '../image/reference.js'
import { isRegistryAllowed, type RegistryPolicy } from '../policy/registry-policy.js'
import type { ImageReport, Report } from '../report/model.js'
import type { ReportStore } from '../report/report-store.js'
import type { RegistryClient } from '../registry/registry-client.js'
import { registryImageSource } from '../registry/registry-source.js'
import { scanImage, type ScanDeps } from './scan-image.js'
import type { ScanRequest } from './scan-request.js'
import { addTagMovement } from './tag-movement-step.js'

export interface WorkerDeps {
  registry: RegistryClient
  reports: ReportStore
  policy: RegistryPolicy
  scan: Omit<ScanDeps, 'reuse'>
}

export type ProcessOutcome =
  | { status: 'scanned'; digest: string; report: 'complete' | 'failed' }
  | { status: 'reused'; digest: string }
  | { status: 'refused'; reason: string }

/** True when `report` is complete and was made by exactly these analyzer versions. */
export function isCurrent(report: Report | undefined, versions: Record<string, number>): boolean {
  if (!report || report.status !== 'complete') return false
  const made = report.scanner.analyzers
  const keys = Object.keys(versions)
  return keys.length === Object.keys(made).length && keys.every((k) => made[k] === versions[k])
}

export async function processScanRequest(request: ScanRequest, deps: WorkerDeps): Promise<ProcessOutcome> {
  const { logger, clock } = deps.scan
  if (!isRegistryAllowed(deps.policy, request.registry)) {
    logger.warn('scan request for a registry not on the allow-list; dropped', { registry: request.registry, requestId: request.requestId })
    return { status: 'refused', reason: `registry ${request.registry} is not allowed` }
  }
  const repo = { registry: request.registry, repository: request.repository }
  let digest: Digest
  if (request.digest) {
    digest = request.digest
  } else {
    try {
      digest = (await deps.registry.headManifest(repo, request.tag ?? request.reference)).digest
    } catch (error) {
      if (isTemporary(error)) throw error
      logger.warn('could not resolve the tag; dropped', { ...repo, tag: request.tag, ...describeError(error) })
      return { status: 'refused', reason: describeError(error).message }
    }
  }
  const versions = deps.scan.analyzers.versions
  const now = new Date(clock.now()).toISOString()
  if (isCurrent(await deps.reports.getReport(digest), versions)) {
    if (request.tag) await deps.reports.recordTag(request.registry, request.repository, request.tag, digest, now)
    logger.info('report is current; not scanned again', { ...repo, digest, requestId: request.requestId })
    return { status: 'reused', digest }
  }

  const previous = request.tag ? await deps.reports.getTag(request.registry, request.repository, request.tag) : undefined
  const ref: ImageRef = { registry: request.registry, repository: request.repository, digest }
  if (request.tag) ref.tag = request.tag
  const report = await scanImage(registryImageSource(deps.registry, ref), {}, {
    ...deps.scan,
    reuse: async (child) => {
      const existing = await deps.reports.getReport(child)
      return existing?.kind === 'image' && isCurrent(existing, versions) ? (existing as ImageReport) : undefined
    },
  })
  if (request.tag && previous && previous.digest !== digest) {
    const before = await deps.reports.getReport(previous.digest)
    if (before) addTagMovement(request.tag, before, report)
  }
  await deps.reports.putReport(report)
  if (request.tag) await deps.reports.recordTag(request.registry, request.repository, request.tag, digest, now)
  logger.info('scanned', { ...repo, digest, status: report.status, ...(report.error ? { error: report.error.code } : {}), requestId: request.requestId, source: request.source })
  return { status: 'scanned', digest, report: report.status }
}
