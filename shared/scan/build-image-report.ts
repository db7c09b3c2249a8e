/**
 * Assembles an image report from what the scan read: config, history, layer results and
 * the image analyzers' findings. Deterministic: the same inputs give the same bytes.
 *
 * @module
 */
import type { AnalyzerSet } from '../analyzers/index.js'
import type { ImageInput, JsonValue } from '../analyzers/analyzer.js'
import { detectOs } from '../analyzers/os-release/os-release-analyzer.js'
import { ErrorCode, describeError } from '../errors.js'
import { pairHistoryWithLayers, type ContainerConfig, type ImageConfig } from '../image/config.js'
import type { ImageManifest } from '../image/manifest.js'
import { computeEfficiency, type EfficiencyBuilder } from '../layers/efficiency.js'
import { countFiles, layerErrors, layerFact, layerFindings, type LayerResult } from '../layers/layer-result.js'
import { RemovalFinder } from '../layers/removal.js'
import type { SquashedTree } from '../layers/squash.js'
import {
  REPORT_SCHEMA_VERSION,
  type Efficiency,
  type Finding,
  type ImageReport,
  type Provenance,
  type ReportConfig,
  type ReportError,
  type ReportOs,
  type ReportSubject,
} from '../report/model.js'
import { buildInventory } from '../packages/inventory.js'
import { endOfLife } from '../packages/os/os-eol.js'
import { redactEnvEntry, redactUrlPasswords } from '../report/redact.js'
import { severityRank, summarise } from '../report/summary.js'
import type { ProvenanceResult } from './collect-provenance.js'

export interface ImageScanFacts {
  subject: ReportSubject
  scanner: ImageReport['scanner']
  startedAt: number
  finishedAt: number
}

/** The squashed tree and the efficiency figures of an image's layers, when built beforehand. */
export interface Squashed {
  efficiency: Efficiency
  tree: SquashedTree
  /** How many layers (from the bottom) they cover. */
  layers: number
}

/**
 * Runs the image analyzers and builds a complete report. `squashed` may come from an
 * {@link EfficiencyBuilder} the scan fed while layers streamed; it is rebuilt here when it
 * does not cover every layer.
 */
export async function buildImageReport(
  facts: ImageScanFacts,
  manifest: ImageManifest,
  configDigest: string,
  config: ImageConfig,
  layers: LayerResult[],
  analyzers: AnalyzerSet,
  tags: string[],
  provenance?: ProvenanceResult,
  squashed?: Squashed
): Promise<ImageReport> {
  const historyForLayer = pairHistoryWithLayers(config.history, layers.length)
  const { efficiency, tree } = squashed?.layers === layers.length ? squashed : computeEfficiency(layers)
  const visibleFacts = (analyzerId: string, path: string): JsonValue | undefined => {
    const entry = tree.resolve(path)
    if (!entry) return undefined
    const layer = layers[entry.layer]
    return layer ? layerFact(layer, analyzerId, entry.path) : undefined
  }
  const os = detectOs({ tree, visibleFacts })
  const inventory = buildInventory(layers, tree, os)
  const input: ImageInput = { manifest, config, layers, historyForLayer, tree, efficiency, tags, visibleFacts, packages: inventory.view, os }

  const removals = new RemovalFinder(layers)
  const errors: ReportError[] = [...layers.flatMap(layerErrors), ...(provenance?.errors ?? [])]
  const findings: Finding[] = [...layers.flatMap((layer, index) => markRemoved(layerFindings(layer), index, layers, tree, removals)), ...(provenance?.findings ?? [])]
  for (const analyzer of analyzers.image) {
    try {
      const analysis = await analyzer.analyze(input)
      findings.push(...(analysis.findings ?? []))
    } catch (error) {
      errors.push({ code: ErrorCode.AnalyzerFailed, message: `${analyzer.id} failed: ${describeError(error).message}`, analyzer: analyzer.id })
    }
  }

  const layerIndex = new Map<string, number>()
  layers.forEach((layer, i) => {
    if (!layerIndex.has(layer.diffId)) layerIndex.set(layer.diffId, i)
  })
  for (const finding of findings) {
    const index = finding.location.layer === undefined ? undefined : layerIndex.get(finding.location.layer)
    const history = index === undefined ? undefined : historyForLayer[index]
    if (history !== undefined && finding.location.history === undefined) finding.location.history = history
  }
  sortFindings(findings, layerIndex)

  return {
    schemaVersion: REPORT_SCHEMA_VERSION,
    kind: 'image',
    status: 'complete',
    scanner: facts.scanner,
    subject: facts.subject,
    scannedAt: new Date(facts.startedAt).toISOString(),
    durationMs: Math.max(0, facts.finishedAt - facts.startedAt),
    image: {
      os: withEndOfLife(os, new Date(facts.startedAt)),
      created: config.created ?? null,
      configDigest,
      config: reportConfig(config.config),
      history: config.history.map((entry, index) => {
        const layer = historyForLayer.indexOf(index)
        return {
          createdBy: redactUrlPasswords(entry.createdBy ?? ''),
          created: entry.created ?? null,
          emptyLayer: entry.emptyLayer,
          ...(layer >= 0 && layers[layer] ? { layer: layers[layer].diffId } : {}),
          ...(entry.author ? { author: entry.author } : {}),
          ...(entry.comment ? { comment: entry.comment } : {}),
        }
      }),
      layers: layers.map((layer, index) => {
        const history = historyForLayer[index]
        const createdBy = history === undefined ? undefined : config.history[history]?.createdBy
        return {
          digest: layer.digest,
          diffId: layer.diffId,
          mediaType: layer.mediaType,
          size: layer.size,
          uncompressedSize: layer.uncompressedSize,
          files: countFiles(layer.entries),
          createdBy: createdBy === undefined ? null : redactUrlPasswords(createdBy),
          ...(layer.skipped ? { skipped: layer.skipped } : {}),
        }
      }),
    },
    efficiency,
    packages: inventory.packages,
    vulnerabilities: [],
    findings,
    provenance: provenance?.provenance ?? provenanceFrom(manifest, config),
    summary: summarise(findings, []),
    errors: sortErrors(errors),
  }
}

/**
 * Says, on the findings of a file a later layer deleted or replaced, which layer that was:
 * the file is out of sight but its bytes are still in the image.
 */
function markRemoved(findings: readonly Finding[], index: number, layers: readonly LayerResult[], tree: SquashedTree, removals: RemovalFinder): Finding[] {
  // copies: the layer results stay as read (the layer cache may still be writing them)
  return findings.map((finding) => {
    const copy = { ...finding, location: { ...finding.location } }
    const path = copy.location.path
    if (path === undefined || tree.get(path)?.layer === index) return copy
    const later = removals.removedIn(path, index)
    if (later !== undefined) copy.location.removedIn = layers[later]!.diffId
    return copy
  })
}

/** The OS with its end-of-life date, when the table knows the release. */
function withEndOfLife(os: ReportOs | null, now: Date): ReportOs | null {
  if (!os) return null
  const eol = endOfLife(os.family, os.version, now)
  return eol ? { ...os, endOfLife: { date: eol.date, reached: eol.eol } } : os
}

/** The config as reported: stable field set, sorted maps, secret-looking env values redacted. */
export function reportConfig(config: ContainerConfig): ReportConfig {
  const healthcheck = config.healthcheck
  return {
    user: config.user ?? null,
    env: config.env.map(redactEnvEntry),
    entrypoint: config.entrypoint ?? null,
    cmd: config.cmd ?? null,
    workingDir: config.workingDir ?? null,
    exposedPorts: [...config.exposedPorts].sort(),
    volumes: [...config.volumes].sort(),
    labels: Object.fromEntries(Object.entries(config.labels).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))),
    stopSignal: config.stopSignal ?? null,
    healthcheck: healthcheck
      ? {
          test: healthcheck.test,
          ...(healthcheck.intervalNs ? { intervalSeconds: healthcheck.intervalNs / 1e9 } : {}),
          ...(healthcheck.timeoutNs ? { timeoutSeconds: healthcheck.timeoutNs / 1e9 } : {}),
          ...(healthcheck.startPeriodNs ? { startPeriodSeconds: healthcheck.startPeriodNs / 1e9 } : {}),
          ...(healthcheck.retries ? { retries: healthcheck.retries } : {}),
        }
      : null,
    shell: config.shell ?? null,
    onBuild: config.onBuild ?? [],
  }
}

/** The source annotations and labels (OCI `org.opencontainers.image.*`). */
export function provenanceFrom(manifest: ImageManifest | undefined, config: ImageConfig | undefined): Provenance {
  const annotations = manifest?.annotations ?? {}
  const labels = config?.config.labels ?? {}
  const pick = (key: string): string | undefined => annotations[`org.opencontainers.image.${key}`] ?? labels[`org.opencontainers.image.${key}`]
  const source: Provenance['source'] = {}
  const repository = pick('source')
  const revision = pick('revision')
  const created = pick('created')
  if (repository) source.repository = repository
  if (revision) source.revision = revision
  if (created) source.created = created
  return { signatures: [], attestations: [], sboms: [], baseImage: null, source }
}

function compare(a: string | number | undefined, b: string | number | undefined): number {
  if (a === b) return 0
  if (a === undefined) return -1
  if (b === undefined) return 1
  return a < b ? -1 : 1
}

/** Most severe first, then rule, layer order, path, line and evidence. */
export function sortFindings(findings: Finding[], layerIndex: Map<string, number>): void {
  findings.sort(
    (a, b) =>
      severityRank(a.severity) - severityRank(b.severity) ||
      compare(a.ruleId, b.ruleId) ||
      compare(a.location.layer === undefined ? -1 : layerIndex.get(a.location.layer), b.location.layer === undefined ? -1 : layerIndex.get(b.location.layer)) ||
      compare(a.location.path, b.location.path) ||
      compare(a.location.line, b.location.line) ||
      compare(a.evidence, b.evidence)
  )
}

function sortErrors(errors: ReportError[]): ReportError[] {
  return errors.sort((a, b) => compare(a.layer, b.layer) || compare(a.analyzer, b.analyzer) || compare(a.message, b.message))
}
