/**
 * Wasted space, from Dive's efficiency figures (`shared/layers/efficiency.ts`): each of the
 * largest paths stored in more than one layer (added then deleted or overwritten, or
 * rewritten by a `chown -R`) is reported with its bytes, the layer that first stored it and
 * the image's efficiency score; and the image as a whole when it fails Dive's default CI
 * thresholds. Small repeats are not reported one by one: every `apt-get install` rewrites
 * debconf's templates (about 750 kB twice) and dpkg's status file, and no one can avoid that.
 *
 * @module
 */
import { EntryType, type LayerResult } from '../../layers/layer-result.js'
import type { Finding } from '../../report/model.js'
import { bytes } from '../../report/format-table.js'
import type { ImageAnalyzer } from '../analyzer.js'
import { layerName, locationOf } from '../image-facts.js'
import { defineRule, findingOf, type Rule } from '../rule.js'

export const wastedSpace = defineRule({
  id: 'layer-wasted-space',
  category: 'filesystem',
  severity: 'low',
  title: 'A large file is stored in several layers',
  description:
    'The same path is stored by more than one layer: added and later deleted, overwritten, or rewritten by a permission or owner change. Layers are immutable, so every copy is pulled and stored although the container sees one or none; a file deleted in a later layer is still readable from the layer that added it (a secret "removed" that way is not removed). Reported for paths whose copies add up to 4 MiB or more, the largest first, as Dive ranks them.',
  remediation: 'Delete files in the same RUN step that creates them, change ownership with COPY --chown instead of a later chown -R, or copy only the results from a build stage.',
})

export const lowEfficiency = defineRule({
  id: 'layer-low-efficiency',
  category: 'filesystem',
  severity: 'low',
  title: 'The image stores much of its content more than once',
  description:
    'The image fails Dive\'s default CI thresholds: its efficiency score (the bytes it would need over the bytes it stores) is below 0.9 and it wastes 20 MB or more in files stored by several layers. Every pull and every node pays for it.',
  remediation: 'See the layer-wasted-space findings for the largest paths; clean up in the step that creates files, and use multi-stage builds.',
})

export const WASTE_RULES: readonly Rule[] = [wastedSpace, lowEfficiency]

/** Paths whose copies add up to less than this are not reported. */
export const MIN_WASTED_BYTES = 4 * 1024 * 1024
/** Dive's default CI thresholds (`lowestEfficiency`, `highestWastedBytes`). */
const LOWEST_EFFICIENCY = 0.9
const HIGHEST_WASTED_BYTES = 20_000_000

/** The layers whose entries touch `path` (wrote it, deleted it, or deleted or made opaque a directory above it). */
function layersTouching(layers: readonly LayerResult[], path: string): number[] {
  const out: number[] = []
  layers.forEach((layer, index) => {
    const touches = layer.entries.some(
      (entry) =>
        entry.path === path ||
        ((entry.type === EntryType.Whiteout || entry.type === EntryType.OpaqueWhiteout) && path.startsWith(`${entry.path}/`))
    )
    if (touches) out.push(index)
  })
  return out
}

export const wasteAnalyzer: ImageAnalyzer = {
  kind: 'image',
  id: 'waste',
  version: 1,
  analyze({ layers, efficiency }) {
    const findings: Finding[] = []
    if (efficiency.score < LOWEST_EFFICIENCY && efficiency.wastedBytes >= HIGHEST_WASTED_BYTES) {
      findings.push(
        findingOf(lowEfficiency, {}, `efficiency ${efficiency.score}, ${efficiency.wastedBytes} bytes (${bytes(efficiency.wastedBytes)}) wasted, user-wasted ${efficiency.userWastedPercent} % (as Dive counts it)`)
      )
    }
    for (const wasted of efficiency.topWasted) {
      if (wasted.cumulativeSize < MIN_WASTED_BYTES) break
      const path = wasted.path.endsWith('/.wh..wh..opq') ? wasted.path.slice(0, -'/.wh..wh..opq'.length) : wasted.path
      const touching = layersTouching(layers, path)
      const first = touching[0]
      const evidence = `${wasted.cumulativeSize} bytes (${bytes(wasted.cumulativeSize)}) in ${wasted.layers} layers${touching.length > 0 ? ` (${touching.map(layerName).join(', ')})` : ''}; image efficiency ${efficiency.score}`
      findings.push(findingOf(wastedSpace, locationOf(layers, first, path), evidence))
    }
    return findings.length === 0 ? {} : { findings }
  },
}
