/**
 * Images for analyzer tests, built straight as layer results (no tar, no registry): each
 * file is offered to the built-in file analyzers the way the layer walk offers it, then the
 * image report is assembled by the same code the scan uses, so the findings are exactly those
 * a scan of the same files would give.
 *
 * @module
 */
import { createHash } from 'node:crypto'
import type { FileAnalyzer } from '../../shared/analyzers/analyzer.js'
import { createAnalyzerSet, type AnalyzerSet } from '../../shared/analyzers/index.js'
import type { ContainerConfig, HistoryEntry, ImageConfig } from '../../shared/image/config.js'
import type { ImageManifest } from '../../shared/image/manifest.js'
import { EntryType, type EntryRecord, type LayerResult } from '../../shared/layers/layer-result.js'
import type { Finding, ImageReport } from '../../shared/report/model.js'
import { buildImageReport } from '../../shared/scan/build-image-report.js'

/** One entry of a layer; a spec without `type` is a regular file. */
export interface FileSpec {
  /** Absolute path inside the image (`/etc/passwd`); for whiteouts, the path deleted. */
  path: string
  type?: EntryType
  content?: string | Buffer
  /** Default 0o755 for directories, 0o644 otherwise. */
  mode?: number
  linkname?: string
  uid?: number
  gid?: number
}

export interface AnalyzerImageSpec {
  layers: FileSpec[][]
  /** Default: one `RUN layer N` entry per layer. */
  history?: HistoryEntry[]
  config?: Partial<ContainerConfig>
  annotations?: Record<string, string>
  tags?: string[]
  analyzers?: AnalyzerSet
}

/** The Docker default PATH, as BuildKit sets it. */
export const DEFAULT_PATH = 'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'

function sha256(text: string | Buffer): string {
  return `sha256:${createHash('sha256').update(text).digest('hex')}`
}

async function offer(analyzers: readonly FileAnalyzer[], result: LayerResult, entry: EntryRecord, content: Buffer): Promise<void> {
  for (const analyzer of analyzers) {
    if (!analyzer.wants(entry.path, entry)) continue
    const output = result.analyses[analyzer.id]!
    let analysis
    try {
      analysis = await analyzer.analyze({ path: entry.path, entry, content, truncated: false })
    } catch (error) {
      // as the layer walk does: the failure is recorded and the walk goes on
      output.errors.push({ code: 'ANALYZER_FAILED', message: `${analyzer.id} failed on ${entry.path}: ${(error as Error).message}`, analyzer: analyzer.id, layer: result.diffId })
      continue
    }
    for (const finding of analysis.findings ?? []) output.findings.push({ ...finding, location: { layer: result.diffId, path: entry.path, ...finding.location } })
    if (analysis.facts !== undefined) output.facts.push({ path: entry.path, value: analysis.facts })
  }
}

/** A layer result holding `files`, with what every file analyzer recorded about them. */
export async function layerResult(files: readonly FileSpec[], index: number, analyzers: readonly FileAnalyzer[]): Promise<LayerResult> {
  const diffId = sha256(`${index}\u0000${JSON.stringify(files.map((f) => ({ ...f, content: f.content === undefined ? undefined : sha256(f.content) })))}`)
  const result: LayerResult = {
    digest: diffId,
    diffId,
    mediaType: 'application/vnd.oci.image.layer.v1.tar',
    size: 0,
    uncompressedSize: 0,
    compression: 'none',
    entries: [],
    refused: [],
    dotDotNames: [],
    notes: [],
    analyses: Object.fromEntries(analyzers.map((a) => [a.id, { version: a.version, findings: [], facts: [], errors: [] }])),
  }
  for (const file of files) {
    const type = file.type ?? EntryType.File
    const content = type === EntryType.File ? Buffer.from(file.content ?? '') : Buffer.alloc(0)
    const entry: EntryRecord = {
      path: file.path,
      type,
      size: content.length,
      mode: file.mode ?? (type === EntryType.Directory ? 0o755 : 0o644),
      uid: file.uid ?? 0,
      gid: file.gid ?? 0,
      ...(file.linkname === undefined ? {} : { linkname: file.linkname }),
    }
    result.entries.push(entry)
    if (type === EntryType.File) await offer(analyzers, result, entry, content)
  }
  return result
}

/** Builds the layers, runs the image analyzers and returns the report; throws when an analyzer failed. */
export async function analyzeImage(spec: AnalyzerImageSpec): Promise<ImageReport> {
  const analyzers = spec.analyzers ?? createAnalyzerSet()
  const layers = await Promise.all(spec.layers.map((files, index) => layerResult(files, index, analyzers.file)))
  const history = spec.history ?? layers.map((_, index) => ({ createdBy: `RUN layer ${index}`, emptyLayer: false }))
  const config: ImageConfig = {
    architecture: 'amd64',
    os: 'linux',
    config: { env: [DEFAULT_PATH], exposedPorts: [], volumes: [], labels: {}, ...spec.config },
    diffIds: layers.map((layer) => layer.diffId as ImageConfig['diffIds'][number]),
    history,
  }
  const manifest: ImageManifest = {
    kind: 'manifest',
    mediaType: 'application/vnd.oci.image.manifest.v1+json',
    config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: sha256('config') as ImageManifest['config']['digest'], size: 6 },
    layers: layers.map((layer) => ({ mediaType: layer.mediaType, digest: layer.digest as ImageManifest['config']['digest'], size: 0 })),
    ...(spec.annotations ? { annotations: spec.annotations } : {}),
  }
  const report = await buildImageReport(
    { subject: { source: 'registry', registry: 'registry.test', repository: 'analyzers/test', digest: sha256('manifest'), tags: spec.tags ?? [] }, scanner: { name: 'pushscan', version: '0.0.0-test', analyzers: analyzers.versions }, startedAt: 0, finishedAt: 0 },
    manifest,
    sha256('config'),
    config,
    layers,
    analyzers,
    spec.tags ?? []
  )
  if (report.errors.length > 0) throw new Error(`analyzers failed: ${report.errors.map((e) => e.message).join('; ')}`)
  return report
}

/** The findings of a report whose rule id starts with `prefix` (or is in the list). */
export function findingsOf(report: ImageReport, rule: string | readonly string[]): Finding[] {
  const ids = typeof rule === 'string' ? [rule] : rule
  return report.findings.filter((finding) => ids.includes(finding.ruleId))
}

/** A dpkg package for {@link dpkgDatabase}. */
export interface DpkgSpec {
  name: string
  version: string
  files: string[]
}

/** `/var/lib/dpkg/status` and the `info/<name>.list` files for these packages. */
export function dpkgDatabase(packages: readonly DpkgSpec[]): FileSpec[] {
  const status = packages
    .map((p) => [`Package: ${p.name}`, 'Status: install ok installed', 'Architecture: amd64', `Version: ${p.version}`, 'Description: test package', ''].join('\n'))
    .join('\n')
  return [
    { path: '/var/lib/dpkg/status', content: status },
    ...packages.map((p) => ({ path: `/var/lib/dpkg/info/${p.name}.list`, content: `/.\n${p.files.join('\n')}\n` })),
  ]
}

/** A whiteout of `path` (the layer deletes it). */
export function deleted(path: string): FileSpec {
  return { path, type: EntryType.Whiteout }
}
