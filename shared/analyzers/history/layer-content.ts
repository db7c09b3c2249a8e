/**
 * Does each layer hold what its history entry says it wrote? A `COPY`/`ADD` writes under one
 * destination, and an instruction that only changes the config (ENV, CMD, LABEL…) writes no
 * file at all. A layer whose files fall outside that was rewritten after the build:
 * `dockerscan trojanize` adds its library to the last layer and keeps the old entry.
 *
 * `RUN` entries (which may write anywhere), relative destinations (they depend on WORKDIR)
 * and entries of tools that do not record Dockerfile instructions are not judged.
 *
 * @module
 */
import { EntryType, type LayerResult } from '../../layers/layer-result.js'
import type { Finding } from '../../report/model.js'
import type { ImageInput } from '../analyzer.js'
import { layerName, locationOf } from '../image-facts.js'
import { ELF_ANALYZER_ID } from '../malware/elf-analyzer.js'
import { isExecutableMode, isSharedObjectName, persistenceKind } from '../image-paths.js'
import { LD_SO_PRELOAD } from '../malware/text-analyzer.js'
import { defineRule, findingOf } from '../rule.js'
import { CONFIG_INSTRUCTIONS, copyDestination, parseHistoryCommand } from './instructions.js'

export const layerContentMismatch = defineRule({
  id: 'history-layer-content-mismatch',
  category: 'history',
  severity: 'high',
  title: 'A layer holds files its history entry cannot have written',
  description:
    'The history entry paired with the layer is a COPY or ADD to one destination, or an instruction that only changes the config (ENV, CMD, LABEL…), yet the layer adds files elsewhere. The layer was rewritten after the build: dockerscan trojanize adds its library to the last layer and leaves the history untouched. High when the files outside include programs, shared libraries, /etc/ld.so.preload or persistence files; medium for other files.',
  remediation: 'Rebuild the image from its Dockerfile and compare the layer; do not run an image whose layers do not match their history.',
})

const MAX_LISTED = 3

function under(path: string, destination: string): boolean {
  return destination === '/' || path === destination || path.startsWith(`${destination}/`)
}

/** Files a trojan would add: programs, shared libraries, the preload file, persistence. */
function isAlarming(layer: LayerResult, path: string, mode: number): boolean {
  if (isExecutableMode(mode) || isSharedObjectName(path) || path === LD_SO_PRELOAD || persistenceKind(path) !== undefined) return true
  return layer.analyses[ELF_ANALYZER_ID]?.facts.some((fact) => fact.path === path) ?? false
}

export function checkLayerContent(input: Pick<ImageInput, 'config' | 'layers' | 'historyForLayer'>): Finding[] {
  const findings: Finding[] = []
  input.layers.forEach((layer, index) => {
    const history = input.historyForLayer[index]
    if (history === undefined) return
    const createdBy = input.config.history[history]?.createdBy ?? ''
    const { instruction, args } = parseHistoryCommand(createdBy)
    let destination: string | undefined
    if (instruction === 'COPY' || instruction === 'ADD') {
      destination = copyDestination(args)
      if (destination === undefined) return
    } else if (!CONFIG_INSTRUCTIONS.has(instruction)) {
      return
    }
    const outside = layer.entries.filter(
      (entry) => (entry.type === EntryType.File || entry.type === EntryType.Symlink || entry.type === EntryType.Hardlink) && (destination === undefined || !under(entry.path, destination))
    )
    if (outside.length === 0) return
    const alarming = outside.filter((entry) => entry.type === EntryType.File && isAlarming(layer, entry.path, entry.mode))
    const listed = (alarming.length > 0 ? alarming : outside).slice(0, MAX_LISTED).map((entry) => entry.path)
    const more = outside.length - listed.length
    const command = createdBy.trim().length > 80 ? `${createdBy.trim().slice(0, 79)}…` : createdBy.trim()
    const where = destination === undefined ? 'although it writes no file' : `outside ${destination}`
    findings.push(
      findingOf(
        layerContentMismatch,
        { ...locationOf(input.layers, index, listed[0]), history },
        `${layerName(index)} is paired with "${command}" yet adds ${listed.join(', ')}${more > 0 ? ` and ${more} more` : ''} ${where}`,
        alarming.length > 0 ? 'high' : 'medium'
      )
    )
  })
  return findings
}
