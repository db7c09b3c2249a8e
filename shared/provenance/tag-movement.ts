/**
 * What changed when a tag moved from one digest to another, layer by layer (diffIds), and
 * whether the base image changed under it: the usual cause of a rebuild that nobody asked
 * for, and the way a compromised base reaches every image built on it.
 *
 * @module
 */
import { commonPrefixLength } from './base-image.js'

/** Where the base image ends in each image, when known (a declared base's layer count or a history guess). */
export interface BaseBoundary {
  /** Layers of the base in the previous image. */
  previousBaseLayers?: number
  /** Layers of the base in the new image. */
  currentBaseLayers?: number
}

export interface TagMovement {
  /** Layers in both images (each diffId once per occurrence in both). */
  kept: string[]
  /** Layers of the new image that the previous one did not have. */
  added: string[]
  /** Layers of the previous image that the new one does not have. */
  removed: string[]
  /** True when the base's layers differ between the two images (see {@link compareTagLayers}). */
  baseChanged: boolean
  /** How many leading layers the two images share. */
  sharedPrefix: number
  /** Where "base" came from: the boundary given, or the common prefix. */
  baseEvidence: 'boundary' | 'common-prefix'
}

/**
 * Compares the layers of the digest a tag pointed at with those of the digest it points at
 * now. Layers compare by diffId as multisets, so a layer that moved is kept, not added.
 *
 * "Base" is the first N layers, N taken from `boundary` when known: with both counts, the base
 * changed when the counts or those layers differ; with one count N, when the first N layers
 * differ. With no boundary, the base is taken to be the longest common prefix of the two layer
 * lists, so everything below the first differing layer is base; the base then changed when
 * that prefix is empty while both images have layers, i.e. the bottom layer itself changed
 * (a new base build), while an unchanged bottom with new layers above it reads as the user's
 * own change.
 *
 * @example compareTagLayers(['a', 'b'], ['a', 'c']) // { kept: ['a'], added: ['c'], removed: ['b'], baseChanged: false, … }
 */
export function compareTagLayers(previous: readonly string[], current: readonly string[], boundary: BaseBoundary = {}): TagMovement {
  const remaining = new Map<string, number>()
  for (const diffId of previous) remaining.set(diffId, (remaining.get(diffId) ?? 0) + 1)
  const kept: string[] = []
  const added: string[] = []
  for (const diffId of current) {
    const left = remaining.get(diffId) ?? 0
    if (left > 0) {
      kept.push(diffId)
      remaining.set(diffId, left - 1)
    } else {
      added.push(diffId)
    }
  }
  const removed: string[] = []
  const removedCount = new Map(remaining)
  for (const diffId of previous) {
    const left = removedCount.get(diffId) ?? 0
    if (left > 0) {
      removed.push(diffId)
      removedCount.set(diffId, left - 1)
    }
  }

  const sharedPrefix = commonPrefixLength(previous, current)
  const { previousBaseLayers, currentBaseLayers } = boundary
  let baseChanged: boolean
  let baseEvidence: TagMovement['baseEvidence'] = 'boundary'
  if (previousBaseLayers !== undefined && currentBaseLayers !== undefined) {
    baseChanged = previousBaseLayers !== currentBaseLayers || sharedPrefix < currentBaseLayers
  } else if (previousBaseLayers !== undefined || currentBaseLayers !== undefined) {
    const n = (previousBaseLayers ?? currentBaseLayers)!
    baseChanged = sharedPrefix < n
  } else {
    baseEvidence = 'common-prefix'
    baseChanged = sharedPrefix === 0 && previous.length > 0 && current.length > 0
  }
  return { kept, added, removed, baseChanged, sharedPrefix, baseEvidence }
}
