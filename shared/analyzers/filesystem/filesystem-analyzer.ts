/**
 * Filesystem checks on the layer entries: setuid and setgid files in the final image (info
 * for the base layer's and for those a package installed, medium for those a later layer
 * added by hand), layer entries that were refused because their names escape the root or
 * are otherwise unsafe (never applied, always reported), user accounts (`accounts.ts`), and
 * world-writable and left-behind files (`hygiene.ts`).
 *
 * @module
 */
import { EntryType } from '../../layers/layer-result.js'
import type { Finding } from '../../report/model.js'
import type { ImageAnalyzer } from '../analyzer.js'
import { defineRule, findingOf, type Rule } from '../rule.js'
import { ACCOUNT_RULES, checkAccounts } from './accounts.js'
import { checkLeftovers, checkWorldWritable, HYGIENE_RULES } from './hygiene.js'

export const setuidFile = defineRule({
  id: 'fs-setuid-file',
  category: 'filesystem',
  severity: 'info',
  title: 'A setuid file is present',
  description:
    'A setuid executable runs with its owner\'s privileges (usually root) whoever starts it: each one is a way to escalate privileges if it has a bug. Info for the base layer\'s and for those a package installed; medium when a later layer added one that no package installed (CIS-DI-0008; dockerscan lists setuid binaries added in user layers among the signs of a trojaned image).',
  remediation: 'Remove the setuid bit (`chmod u-s`) from files the container does not need it on, or remove the files.',
})

export const setgidFile = defineRule({
  id: 'fs-setgid-file',
  category: 'filesystem',
  severity: 'info',
  title: 'A setgid file is present',
  description: 'A setgid executable runs with its group\'s privileges whoever starts it. Info for the base layer\'s and for those a package installed; medium when a later layer added one that no package installed.',
  remediation: 'Remove the setgid bit (`chmod g-s`) where it is not needed.',
})

export const unsafeLayerEntry = defineRule({
  id: 'layer-unsafe-entry',
  category: 'filesystem',
  severity: 'high',
  title: 'A layer holds an entry with an unsafe name',
  description:
    'The entry name escapes the image root (`../`), holds a NUL byte, is a hardlink to outside the root, or is too long. Such names are how malicious archives write outside their directory; no honest build produces them. pushscan never applies them.',
  remediation: 'Find out who produced the layer. Rebuild the image with a standard builder.',
})

export const dotDotLayerEntry = defineRule({
  id: 'layer-dot-dot-entry',
  category: 'filesystem',
  severity: 'medium',
  title: 'A layer entry name uses ".." segments',
  description: 'The name stays inside the root once cleaned, but builders never write `..` into names: the layer was crafted or rewritten by hand.',
  remediation: 'Find out who produced the layer and rebuild it.',
})

const SETUID = 0o4000
const SETGID = 0o2000

export const FILESYSTEM_RULES: readonly Rule[] = [setuidFile, setgidFile, unsafeLayerEntry, dotDotLayerEntry, ...ACCOUNT_RULES, ...HYGIENE_RULES]

export const filesystemAnalyzer: ImageAnalyzer = {
  kind: 'image',
  id: 'filesystem',
  version: 2,
  analyze(input) {
    const { layers, tree, packages } = input
    const findings: Finding[] = []
    for (const { path, record, layer } of tree.entries()) {
      if (record.type !== EntryType.File) continue
      if ((record.mode & (SETUID | SETGID)) === 0) continue
      const diffId = layers[layer]?.diffId
      const location = diffId ? { layer: diffId, path } : { path }
      const addedByHand = layer > 0 && !packages.owns(path)
      const mode = `mode ${(record.mode & 0o7777).toString(8).padStart(4, '0')}${addedByHand ? '; added above the base layer by no package' : ''}`
      if (record.mode & SETUID) findings.push(findingOf(setuidFile, location, mode, addedByHand ? 'medium' : setuidFile.severity))
      if (record.mode & SETGID) findings.push(findingOf(setgidFile, location, mode, addedByHand ? 'medium' : setgidFile.severity))
    }
    for (const layer of layers) {
      for (const refused of layer.refused) {
        findings.push(findingOf(unsafeLayerEntry, { layer: layer.diffId }, `${refused.reason}: ${JSON.stringify(refused.name.slice(0, 200))}`))
      }
      for (const name of layer.dotDotNames) {
        findings.push(findingOf(dotDotLayerEntry, { layer: layer.diffId }, JSON.stringify(name.slice(0, 200))))
      }
    }
    findings.push(...checkAccounts(input), ...checkWorldWritable(input), ...checkLeftovers(input))
    return { findings }
  },
}
