/**
 * Helpers for image analyzers that judge what file analyzers recorded: the facts of every
 * layer, the facts of the files still visible in the final image, and finding locations.
 *
 * @module
 */
import { EntryType, type LayerResult } from '../layers/layer-result.js'
import type { SquashedTree } from '../layers/squash.js'
import type { FindingLocation } from '../report/model.js'

/** A fact one file analyzer recorded about the file at `path` in layer `layer`. */
export interface LayerFact<T> {
  path: string
  /** Index of the layer that wrote the file. */
  layer: number
  value: T
}

/** Every fact of one analyzer, in layer order (then in the order the layer holds the files). */
export function factsOf<T>(layers: readonly LayerResult[], analyzerId: string): Array<LayerFact<T>> {
  const out: Array<LayerFact<T>> = []
  layers.forEach((layer, index) => {
    for (const fact of layer.analyses[analyzerId]?.facts ?? []) out.push({ path: fact.path, layer: index, value: fact.value as unknown as T })
  })
  return out
}

/** The facts of files the final image still shows: those of the layer that wrote the visible version. */
export function visibleFactsOf<T>(input: { layers: readonly LayerResult[]; tree: SquashedTree }, analyzerId: string): Array<LayerFact<T>> {
  return factsOf<T>(input.layers, analyzerId).filter((fact) => {
    const visible = input.tree.get(fact.path)
    return visible !== undefined && visible.layer === fact.layer && visible.record.type === EntryType.File
  })
}

/** `{layer: diffId, path, line}` with the parts that are known. */
export function locationOf(layers: readonly LayerResult[], layer: number | undefined, path?: string, line?: number): FindingLocation {
  const location: FindingLocation = {}
  const diffId = layer === undefined ? undefined : layers[layer]?.diffId
  if (diffId !== undefined) location.layer = diffId
  if (path !== undefined) location.path = path
  if (line !== undefined) location.line = line
  return location
}

/** "layer 2": the layer's index, counted from 0 at the base, as the table output counts them. */
export function layerName(index: number): string {
  return `layer ${index}`
}

/** Where a history entry's finding goes: the entry, and the layer it built if it built one. */
export function historyLocation(input: { layers: readonly LayerResult[]; historyForLayer: ReadonlyArray<number | undefined> }, index: number): FindingLocation {
  const layer = input.historyForLayer.indexOf(index)
  return { ...locationOf(input.layers, layer >= 0 ? layer : undefined), history: index }
}
