/**
 * In the service, where a tag has been: when a tag moves to a new digest, the new report
 * says which layers were kept, added and removed compared with the image the tag named
 * before, and a move that changed the base layers is a `provenance` finding.
 *
 * @module
 */
import { compareTagLayers, tagMovementFindings } from '../provenance/index.js'
import type { ImageReport, Report } from '../report/model.js'
import { addSummaries, summarise } from '../report/summary.js'
import { sortFindings } from './build-image-report.js'

/** Base layers of an image, as far as its report knows them. */
function baseLayers(report: ImageReport): number | undefined {
  const base = report.provenance.baseImage
  if (!base) return undefined
  if (base.evidence === 'history') return base.layers
  return undefined
}

function compare(tag: string, previous: ImageReport, current: ImageReport): void {
  const before = previous.image.layers.map((l) => l.diffId)
  const after = current.image.layers.map((l) => l.diffId)
  const previousBaseLayers = baseLayers(previous)
  const currentBaseLayers = baseLayers(current)
  const movement = compareTagLayers(before, after, {
    ...(previousBaseLayers !== undefined ? { previousBaseLayers } : {}),
    ...(currentBaseLayers !== undefined ? { currentBaseLayers } : {}),
  })
  current.provenance.previous = {
    tag,
    digest: previous.subject.digest,
    kept: movement.kept.length,
    added: movement.added.length,
    removed: movement.removed.length,
    baseChanged: movement.baseChanged,
  }
  const findings = tagMovementFindings({ tag, previousDigest: previous.subject.digest, baseChanged: movement.baseChanged })
  if (findings.length === 0) return
  current.findings.push(...findings)
  const layerIndex = new Map(current.image.layers.map((l, i) => [l.diffId, i]))
  sortFindings(current.findings, layerIndex)
  current.summary = summarise(current.findings, current.vulnerabilities)
}

/**
 * Adds the tag's movement to `current` (in place): for an image, against the previous image;
 * for an index, each platform against the previous index's image of the same platform.
 */
export function addTagMovement(tag: string, previous: Report, current: Report): void {
  if (current.status !== 'complete' || previous.status !== 'complete') return
  const images = (r: Report): ImageReport[] => (r.kind === 'index' ? r.manifests : [r])
  const key = (r: ImageReport): string => JSON.stringify(r.subject.platform ?? {})
  const before = new Map(images(previous).map((r) => [key(r), r]))
  for (const report of images(current)) {
    const match = before.get(key(report))
    if (match && match.subject.digest !== report.subject.digest && match.status === 'complete') compare(tag, match, report)
  }
  if (current.kind === 'index') current.summary = addSummaries(current.manifests.map((m) => m.summary))
}
