/**
 * Checks that the history matches the layers: every layer should be explained by one
 * history entry that is not `empty_layer`. A layer with no history entry is what a
 * trojaned image looks like when a tool appends or swaps a layer without writing history.
 *
 * @module
 */
import { nonEmptyHistoryCount } from '../../image/config.js'
import type { ImageAnalyzer } from '../analyzer.js'
import { defineRule, findingOf } from '../rule.js'

export const historyLayerCountMismatch = defineRule({
  id: 'history-layer-count-mismatch',
  category: 'history',
  severity: 'high',
  title: 'The image has a different number of layers than its history explains',
  description:
    'Each filesystem layer is built by one history entry that is not marked empty_layer. When the counts differ, some layer was added, removed or replaced without its history being written: the sign of an image modified after it was built (for example a backdoor appended to the last layer).',
  remediation: 'Rebuild the image from its Dockerfile with a standard builder and compare; do not run images whose layers nobody can explain.',
})

export const historyAnalyzer: ImageAnalyzer = {
  kind: 'image',
  id: 'history',
  version: 1,
  analyze({ config, layers }) {
    if (config.history.length === 0) return {}
    const explained = nonEmptyHistoryCount(config.history)
    if (explained === layers.length) return {}
    const firstUnexplained = layers[explained]
    return {
      findings: [
        findingOf(
          historyLayerCountMismatch,
          firstUnexplained ? { layer: firstUnexplained.diffId } : {},
          `${layers.length} layers, ${explained} non-empty history entries`
        ),
      ],
    }
  },
}
