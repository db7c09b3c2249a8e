/**
 * Wasted space, computed the way Dive computes it, so the figures can be compared:
 *
 * - For every path that is a leaf of some layer's own tree (a file, a link, an empty
 *   directory, a whiteout), sum its size over the layers it appears in ("cumulative") and
 *   keep its smallest size. A whiteout's size is the size of the directory it deletes in
 *   the layers below (a deleted file counts 0: its bytes were already counted when added).
 * - score = Σ smallest sizes / Σ cumulative sizes (1 when nothing is stored twice).
 * - wasted bytes = Σ cumulative sizes of the paths seen in two or more layers.
 * - user-wasted = wasted bytes / the file bytes of every layer but the first; pushscan
 *   reports it as a percentage (Dive prints the same fraction as 0.xx).
 *
 * An opaque-directory marker counts as a whiteout of everything the directory held below.
 *
 * @see https://github.com/wagoodman/dive (filetree/efficiency.go, image/analysis.go)
 * @module
 */
import type { Efficiency } from '../report/model.js'
import { EntryType, type EntryRecord, type LayerResult } from './layer-result.js'
import { parentPath } from './paths.js'
import { SquashedTree } from './squash.js'

interface PathStats {
  cumulative: number
  smallest: number
  seen: number
}

const TOP_WASTED = 20

/** Computes Dive's efficiency figures and returns the squashed tree built on the way. */
export function computeEfficiency(layers: readonly Pick<LayerResult, 'entries'>[]): { efficiency: Efficiency; tree: SquashedTree } {
  const builder = new EfficiencyBuilder()
  for (const layer of layers) builder.add(layer)
  return builder.finish()
}

/**
 * The same computation one layer at a time, in the image's layer order, so that a scan can
 * squash the layers it already has while later ones still stream. {@link finish} ends it.
 */
export class EfficiencyBuilder {
  readonly #stats = new Map<string, PathStats>()
  readonly #tree = new SquashedTree()
  #userBytes = 0
  #layers = 0

  /** How many layers were added. */
  get layers(): number {
    return this.#layers
  }

  /** Adds the next layer (layer 0 first). */
  add(layer: Pick<LayerResult, 'entries'>): void {
    const tree = this.#tree
    const stats = this.#stats
    for (const entry of leavesOf(layer.entries)) {
      const key = entry.type === EntryType.OpaqueWhiteout ? `${entry.path}/.wh..wh..opq` : entry.path
      let size = entry.size
      if (entry.type === EntryType.Whiteout || entry.type === EntryType.OpaqueWhiteout) {
        const below = tree.get(entry.path)
        size = below?.record.type === EntryType.Directory ? tree.sizeUnder(entry.path) : 0
      }
      const current = stats.get(key)
      if (current) {
        current.cumulative += size
        current.smallest = Math.min(current.smallest, size)
        current.seen++
      } else {
        stats.set(key, { cumulative: size, smallest: size, seen: 1 })
      }
    }
    if (this.#layers > 0) this.#userBytes += fileBytes(layer.entries)
    tree.apply(layer.entries, this.#layers)
    this.#layers++
  }

  /** The figures and the squashed tree of the layers added. */
  finish(): { efficiency: Efficiency; tree: SquashedTree } {
    let smallest = 0
    let cumulative = 0
    let wasted = 0
    const inefficient: Array<{ path: string; layers: number; cumulativeSize: number }> = []
    for (const [path, s] of this.#stats) {
      smallest += s.smallest
      cumulative += s.cumulative
      if (s.seen >= 2) {
        wasted += s.cumulative
        inefficient.push({ path, layers: s.seen, cumulativeSize: s.cumulative })
      }
    }
    inefficient.sort((a, b) => b.cumulativeSize - a.cumulativeSize || (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))
    const score = cumulative === 0 ? 1 : smallest / cumulative
    return {
      tree: this.#tree,
      efficiency: {
        score: round(score, 6),
        wastedBytes: wasted,
        userWastedPercent: this.#userBytes === 0 ? 0 : round((wasted / this.#userBytes) * 100, 4),
        topWasted: inefficient.slice(0, TOP_WASTED),
      },
    }
  }
}

/** Entries with no other entry of the same layer beneath them. */
function leavesOf(entries: readonly EntryRecord[]): EntryRecord[] {
  const parents = new Set<string>()
  for (const entry of entries) {
    let path = entry.type === EntryType.OpaqueWhiteout ? `${entry.path}/.wh..wh..opq` : entry.path
    while (path !== '/') {
      path = parentPath(path)
      if (parents.has(path)) break
      parents.add(path)
    }
  }
  return entries.filter((entry) => entry.type === EntryType.OpaqueWhiteout || !parents.has(entry.path))
}

function fileBytes(entries: readonly EntryRecord[]): number {
  let total = 0
  for (const entry of entries) if (entry.type === EntryType.File) total += entry.size
  return total
}

function round(value: number, digits: number): number {
  const factor = 10 ** digits
  return Math.round(value * factor) / factor
}
