/**
 * The orchestrator: from an image source to a report. An index gives an index report with
 * one image report per platform (attestation manifests skipped); a manifest gives an image
 * report. Every layer is streamed once.
 *
 * Failure policy: temporary errors (network, throttling, registry outages) are thrown so
 * the caller can retry later; permanent ones (bad manifests, digest mismatches, limits)
 * end in a `failed` report carrying the error code.
 *
 * @module
 */
import type { AnalyzerSet } from '../analyzers/index.js'
import { describeError, ErrorCode, isTemporary, LimitError, ManifestError, PushscanError } from '../errors.js'
import { parseImageConfig, type ImageConfig } from '../image/config.js'
import { isAttestationManifest, type Descriptor, type FetchedManifest, type ImageManifest } from '../image/manifest.js'
import { isImageManifestMediaType, isIndexMediaType, MediaType } from '../image/media-types.js'
import { formatPlatform, platformMatches, type Platform } from '../image/platform.js'
import { EfficiencyBuilder } from '../layers/efficiency.js'
import type { ScanLimits } from '../layers/limits.js'
import type { Clock } from '../ports/clock.js'
import type { ImageSource } from '../ports/image-source.js'
import type { LayerCache } from '../ports/layer-cache.js'
import type { Logger } from '../ports/logger.js'
import {
  REPORT_SCHEMA_VERSION,
  type ImageReport,
  type IndexReport,
  type Report,
  type ReportPlatform,
  type ReportSubject,
} from '../report/model.js'
import { addSummaries, emptySummary } from '../report/summary.js'
import { buildImageReport, provenanceFrom } from './build-image-report.js'
import { judgeProvenance, lookUpArtifacts, type FoundArtifacts, type ProvenanceDeps } from './collect-provenance.js'
import { inOrder } from './in-order.js'
import type { ScanProgressEvent } from './progress.js'
import { readLayers } from './read-layers.js'
import { matchScannedReport, type LoadedVulnIndex, type VulnIndexSource } from '../vulns/report-vulns.js'

export interface ScanDeps {
  analyzers: AnalyzerSet
  limits: ScanLimits
  clock: Clock
  logger: Logger
  scanner: { name: string; version: string }
  onProgress?: (event: ScanProgressEvent) => void
  /**
   * A report already made for a platform image of an index by this analyzer set, to reuse
   * instead of scanning it again (the service passes its report store here).
   */
  reuse?: (digest: string) => Promise<ImageReport | undefined>
  /** Per-layer results kept across scans: cached layers are not read again. */
  cache?: LayerCache
  /** Layers streamed at once (default: derived from memory). */
  layerConcurrency?: number
  /** Trusted keys and base-image lookups for provenance; without them signatures are reported unverified. */
  provenance?: Omit<ProvenanceDeps, 'logger'>
  /**
   * The vulnerability index the packages are matched against, asked once per scan. Without
   * one (or when it answers null), reports say `vulnerabilityIndex: {status: 'none'}`.
   */
  vulnerabilityIndex?: VulnIndexSource
}

export interface ScanOptions {
  /** Scan only this platform of an index; every platform when absent. */
  platform?: Platform
}

/** Nested indexes deeper than this are not followed. */
const MAX_INDEX_DEPTH = 2

/**
 * Scans the image a source names.
 *
 * @throws PushscanError with `temporary: true` when retrying later may succeed.
 */
export async function scanImage(source: ImageSource, options: ScanOptions, deps: ScanDeps): Promise<Report> {
  const startedAt = deps.clock.now()
  let root: FetchedManifest
  try {
    root = await source.root()
  } catch (error) {
    if (isTemporary(error)) throw error
    return failedImageReport(subjectOf(source, ''), error, startedAt, deps)
  }
  // one index for every platform of the scan, even if a newer one is stored meanwhile
  const vulns = (await deps.vulnerabilityIndex?.()) ?? null
  if (root.manifest.kind === 'index') return scanIndex(source, root, options, deps, startedAt, vulns)
  return scanManifest(source, root, { vulns, ...(options.platform ? { wanted: options.platform } : {}) }, deps)
}

async function scanIndex(source: ImageSource, root: FetchedManifest, options: ScanOptions, deps: ScanDeps, startedAt: number, vulns: LoadedVulnIndex | null): Promise<IndexReport> {
  const subject = subjectOf(source, root.digest)
  const skipped: IndexReport['skipped'] = []
  const manifests: ImageReport[] = []
  let children: Array<{ descriptor: Descriptor; fetched?: FetchedManifest }>
  try {
    children = await imageDescriptors(source, root, options, skipped, 1)
    if (children.length > deps.limits.maxPlatforms) {
      throw new LimitError(ErrorCode.TooManyPlatforms, 'maxPlatforms', children.length, `index has ${children.length} images, over the limit of ${deps.limits.maxPlatforms}`)
    }
    if (children.length === 0 && options.platform) {
      const available = skipped.filter((s) => s.platform && s.reason === 'platform-not-selected').map((s) => formatPlatform(s.platform!))
      throw new PushscanError(ErrorCode.PlatformNotFound, `no image for ${formatPlatform(options.platform)} in the index (it has: ${available.join(', ') || 'none'})`)
    }
  } catch (error) {
    if (isTemporary(error)) throw error
    return indexReport(subject, skipped, [], startedAt, deps, describeError(error))
  }
  for (const child of children) {
    const existing = await deps.reuse?.(child.descriptor.digest)
    if (existing) {
      // matched again: the stored report may predate the current index
      manifests.push(matchScannedReport({ ...existing, subject: { ...existing.subject, indexDigest: root.digest } }, vulns))
      continue
    }
    let fetched: FetchedManifest
    try {
      fetched = child.fetched ?? (await source.manifest(child.descriptor))
    } catch (error) {
      if (isTemporary(error)) throw error
      manifests.push(failedImageReport({ ...subject, digest: child.descriptor.digest, indexDigest: root.digest }, error, deps.clock.now(), deps))
      continue
    }
    manifests.push(await scanManifest(source, fetched, { vulns, index: root, ...(child.descriptor.platform ? { declared: child.descriptor.platform } : {}) }, deps))
  }
  const failed = manifests.find((m) => m.status === 'failed')
  return indexReport(subject, skipped, manifests, startedAt, deps, failed?.error)
}

/** The image manifests an index leads to, in index order, with nested indexes flattened. */
async function imageDescriptors(
  source: ImageSource,
  index: FetchedManifest,
  options: ScanOptions,
  skipped: IndexReport['skipped'],
  depth: number
): Promise<Array<{ descriptor: Descriptor; fetched?: FetchedManifest }>> {
  if (index.manifest.kind !== 'index') return []
  const out: Array<{ descriptor: Descriptor; fetched?: FetchedManifest }> = []
  for (const descriptor of index.manifest.manifests) {
    const platform = descriptor.platform ? reportPlatform(descriptor.platform) : undefined
    const skip = (reason: IndexReport['skipped'][number]['reason']): void => {
      skipped.push({ digest: descriptor.digest, ...(platform ? { platform } : {}), reason })
    }
    if (isAttestationManifest(descriptor)) {
      skip('attestation')
      continue
    }
    if (isIndexMediaType(descriptor.mediaType)) {
      if (depth >= MAX_INDEX_DEPTH) {
        skip('not-an-image')
        continue
      }
      const nested = await source.manifest(descriptor)
      out.push(...(await imageDescriptors(source, nested, options, skipped, depth + 1)))
      continue
    }
    if (!isImageManifestMediaType(descriptor.mediaType)) {
      skip('not-an-image')
      continue
    }
    if (options.platform && (!descriptor.platform || !platformMatches(options.platform, descriptor.platform))) {
      skip('platform-not-selected')
      continue
    }
    out.push({ descriptor })
  }
  return out
}

interface ManifestContext {
  /** The vulnerability index to match the packages against. */
  vulns: LoadedVulnIndex | null
  /** The index the manifest came from. */
  index?: FetchedManifest
  /** The platform the index claims for this manifest. */
  declared?: Platform
  /** The platform asked for, when scanning a single manifest. */
  wanted?: Platform
}

async function scanManifest(source: ImageSource, fetched: FetchedManifest, context: ManifestContext, deps: ScanDeps): Promise<ImageReport> {
  const startedAt = deps.clock.now()
  const base = subjectOf(source, fetched.digest)
  const subject: ReportSubject = { ...base, ...(context.index ? { indexDigest: context.index.digest } : {}) }
  if (context.declared) subject.platform = reportPlatform(context.declared)
  let config: ImageConfig | undefined
  let manifest: ImageManifest | undefined
  // layer cache writes run while the report is built; the scan waits for them at the end
  const cacheWrites: Array<Promise<void>> = []
  const repositories = source.subject.type === 'registry' ? [`${subject.registry}/${subject.repository}`] : []
  const provenanceDeps: ProvenanceDeps = { trustedKeys: [], ...deps.provenance, logger: deps.logger }
  let artifacts: Promise<FoundArtifacts> | undefined
  try {
    if (fetched.manifest.kind !== 'manifest') throw new ManifestError(ErrorCode.ManifestUnsupported, 'expected an image manifest, got an index')
    manifest = fetched.manifest
    if (manifest.config.mediaType !== MediaType.OciConfig && manifest.config.mediaType !== MediaType.DockerConfig) {
      throw new ManifestError(ErrorCode.ManifestUnsupported, `not a container image: its config is ${manifest.config.mediaType}`)
    }
    if (manifest.layers.length > deps.limits.maxLayers) {
      throw new LimitError(ErrorCode.TooManyLayers, 'maxLayers', manifest.layers.length, `image has ${manifest.layers.length} layers, over the limit of ${deps.limits.maxLayers}`)
    }
    if (manifest.config.size > deps.limits.maxConfigBytes) {
      throw new LimitError(ErrorCode.ConfigTooLarge, 'maxConfigBytes', manifest.config.size, `config is ${manifest.config.size} bytes, over the limit of ${deps.limits.maxConfigBytes}`)
    }
    // the signature and attestation lookups need only the digest: they start now, overlap the
    // config fetch and the layer reads, and are waited for (settled) before the scan returns
    const lookups = lookUpArtifacts(source, { digest: fetched.digest, repositories, ...(context.index ? { index: context.index } : {}) }, provenanceDeps)
    artifacts = lookups
    lookups.catch(() => {})
    config = parseImageConfig(await source.blobBytes(manifest.config, deps.limits.maxConfigBytes), deps.limits.maxLayers)
    subject.platform = {
      os: config.os || subject.platform?.os || '',
      architecture: config.architecture || subject.platform?.architecture || '',
      ...(config.variant || subject.platform?.variant ? { variant: (config.variant || subject.platform?.variant)! } : {}),
    }
    if (context.wanted && !platformMatches(context.wanted, subject.platform)) {
      throw new PushscanError(ErrorCode.PlatformNotFound, `the image is ${formatPlatform(subject.platform)}, not ${formatPlatform(context.wanted)}`)
    }
    if (manifest.layers.length !== config.diffIds.length) {
      throw new ManifestError(ErrorCode.ManifestInvalid, `the manifest lists ${manifest.layers.length} layers but the config has ${config.diffIds.length} DiffIDs`)
    }
    // the layers and the provenance (signatures, attestations, base) are independent reads:
    // both go at once, and both are waited for, whichever fails first
    const provenanceInput = {
      digest: fetched.digest,
      repositories,
      manifest,
      config,
      ...(subject.platform ? { platform: subject.platform } : {}),
      ...(context.index ? { index: context.index } : {}),
    }
    // the squashed tree grows bottom layer first while later layers still stream
    const squash = new EfficiencyBuilder()
    const [read, collected] = await Promise.allSettled([
      readLayers(source, manifest, config, {
        onLayer: inOrder((layer) => squash.add(layer)),
        cacheWrites,
        analyzers: deps.analyzers.file,
        limits: deps.limits,
        logger: deps.logger,
        ...(deps.cache ? { cache: deps.cache } : {}),
        ...(deps.layerConcurrency ? { layerConcurrency: deps.layerConcurrency } : {}),
        ...(deps.onProgress ? { onProgress: deps.onProgress } : {}),
      }),
      lookups.then((found) => judgeProvenance(found, provenanceInput, provenanceDeps)),
    ])
    if (read.status === 'rejected') throw read.reason
    if (collected.status === 'rejected') throw collected.reason
    const layers = read.value
    const provenance = collected.value
    const report = await buildImageReport(
      { subject, scanner: scannerInfo(deps), startedAt, finishedAt: deps.clock.now() },
      manifest,
      manifest.config.digest,
      config,
      layers,
      deps.analyzers,
      subject.tags,
      provenance,
      { ...squash.finish(), layers: squash.layers }
    )
    return matchScannedReport(report, context.vulns)
  } catch (error) {
    if (isTemporary(error)) throw error
    deps.logger.warn('scan failed', { digest: fetched.digest, ...describeError(error) })
    return failedImageReport(subject, error, startedAt, deps, manifest, config)
  } finally {
    // they never reject (a failed write is logged)
    await Promise.all(cacheWrites)
    // nothing is left running when the scan ends, whichever way it ends
    await artifacts?.then(
      () => undefined,
      () => undefined
    )
  }
}

function subjectOf(source: ImageSource, digest: string): ReportSubject {
  const s = source.subject
  return {
    source: s.type,
    registry: s.registry,
    repository: s.repository,
    digest,
    tags: [...s.tags].sort(),
    ...(s.path ? { path: s.path } : {}),
  }
}

function reportPlatform(platform: Platform): ReportPlatform {
  return { os: platform.os, architecture: platform.architecture, ...(platform.variant ? { variant: platform.variant } : {}) }
}

function scannerInfo(deps: ScanDeps): ImageReport['scanner'] {
  return { name: deps.scanner.name, version: deps.scanner.version, analyzers: deps.analyzers.versions }
}

function failedImageReport(
  subject: ReportSubject,
  error: unknown,
  startedAt: number,
  deps: ScanDeps,
  manifest?: ImageManifest,
  config?: ImageConfig
): ImageReport {
  const described = describeError(error)
  return {
    schemaVersion: REPORT_SCHEMA_VERSION,
    kind: 'image',
    status: 'failed',
    error: described,
    scanner: scannerInfo(deps),
    subject,
    scannedAt: new Date(startedAt).toISOString(),
    durationMs: Math.max(0, deps.clock.now() - startedAt),
    image: { os: null, created: config?.created ?? null, configDigest: manifest?.config.digest ?? null, config: null, history: [], layers: [] },
    efficiency: null,
    packages: [],
    vulnerabilities: [],
    findings: [],
    provenance: provenanceFrom(manifest, config),
    summary: emptySummary(),
    errors: [{ code: described.code, message: described.message }],
  }
}

function indexReport(
  subject: ReportSubject,
  skipped: IndexReport['skipped'],
  manifests: ImageReport[],
  startedAt: number,
  deps: ScanDeps,
  error?: { code: ErrorCode; message: string }
): IndexReport {
  return {
    schemaVersion: REPORT_SCHEMA_VERSION,
    kind: 'index',
    status: error ? 'failed' : 'complete',
    ...(error ? { error } : {}),
    scanner: scannerInfo(deps),
    subject,
    scannedAt: new Date(startedAt).toISOString(),
    durationMs: Math.max(0, deps.clock.now() - startedAt),
    skipped,
    manifests,
    summary: addSummaries(manifests.map((m) => m.summary)),
  }
}
