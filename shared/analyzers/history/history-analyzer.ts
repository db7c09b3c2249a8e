/**
 * Checks that the history matches the image, and the Dockerfile checks the history allows:
 *
 * - every layer should be explained by one history entry that is not `empty_layer`; a layer
 *   with no history entry is what a trojaned image looks like when a tool appends or swaps a
 *   layer without writing history;
 * - each layer should hold what its entry wrote, and the config what the entries set
 *   (`layer-content.ts`, `config-explained.ts`);
 * - the build steps themselves (`dockerfile-lint.ts`) and the caches they left
 *   (`package-cache.ts`).
 *
 * @module
 */
import { nonEmptyHistoryCount } from '../../image/config.js'
import type { Finding } from '../../report/model.js'
import type { ImageAnalyzer, ImageInput } from '../analyzer.js'
import { defineRule, findingOf, type Rule } from '../rule.js'
import { checkConfigExplained, configUnexplained } from './config-explained.js'
import { checkDockerfileLint, DOCKERFILE_LINT_RULES } from './dockerfile-lint.js'
import { checkLayerContent, layerContentMismatch } from './layer-content.js'
import { checkPackageCaches, packageCacheLeft } from './package-cache.js'

export const historyLayerCountMismatch = defineRule({
  id: 'history-layer-count-mismatch',
  category: 'history',
  severity: 'high',
  title: 'The image has a different number of layers than its history explains',
  description:
    'Each filesystem layer is built by one history entry that is not marked empty_layer. When the counts differ, some layer was added, removed or replaced without its history being written: the sign of an image modified after it was built (for example a backdoor appended to the last layer).',
  remediation: 'Rebuild the image from its Dockerfile with a standard builder and compare; do not run images whose layers nobody can explain.',
})

export const HISTORY_RULES: readonly Rule[] = [historyLayerCountMismatch, layerContentMismatch, configUnexplained, ...DOCKERFILE_LINT_RULES, packageCacheLeft]

function checkLayerCount({ config, layers }: Pick<ImageInput, 'config' | 'layers'>): Finding[] {
  if (config.history.length === 0) return []
  const explained = nonEmptyHistoryCount(config.history)
  if (explained === layers.length) return []
  const firstUnexplained = layers[explained]
  return [findingOf(historyLayerCountMismatch, firstUnexplained ? { layer: firstUnexplained.diffId } : {}, `${layers.length} layers, ${explained} non-empty history entries`)]
}

export const historyAnalyzer: ImageAnalyzer = {
  kind: 'image',
  id: 'history',
  version: 2,
  analyze(input) {
    const findings = [
      ...checkLayerCount(input),
      ...checkLayerContent(input),
      ...checkConfigExplained(input.config),
      ...checkDockerfileLint(input),
      ...checkPackageCaches(input),
    ]
    return findings.length === 0 ? {} : { findings }
  },
}
