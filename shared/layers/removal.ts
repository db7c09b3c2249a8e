/**
 * Which layer took a file out of sight. A file a later layer deleted (a whiteout, an opaque
 * directory above it) or replaced is gone from the container's filesystem, but its bytes are
 * still in the layer that added it, and anyone who pulls the image can read them: a secret in
 * such a file is as leaked as a visible one. Findings about it say both layers.
 *
 * @module
 */
import { EntryType, type EntryRecord } from './layer-result.js'
import { parentPath } from './paths.js'

/** Answers "which later layer removed this file" for any number of files, indexing each layer once. */
export class RemovalFinder {
  readonly #layers: ReadonlyArray<{ entries: readonly EntryRecord[] }>
  readonly #byPath: Array<Map<string, EntryRecord> | undefined> = []

  constructor(layers: ReadonlyArray<{ entries: readonly EntryRecord[] }>) {
    this.#layers = layers
  }

  /**
   * The index of the first layer above `layer` that deletes or replaces `path` (or turns a
   * directory above it into something else), or undefined when the file is still there.
   */
  removedIn(path: string, layer: number): number | undefined {
    for (let later = layer + 1; later < this.#layers.length; later++) {
      const entries = this.#entries(later)
      // deleted, or rewritten at the same path (by a file, a link or a directory)
      if (entries.has(path)) return later
      for (let dir = parentPath(path); dir !== '/'; dir = parentPath(dir)) {
        const above = entries.get(dir)
        if (above === undefined) continue
        // a whiteout or an opaque marker for a directory above, or a non-directory put in its place
        if (above.type !== EntryType.Directory) return later
      }
    }
    return undefined
  }

  #entries(layer: number): Map<string, EntryRecord> {
    let map = this.#byPath[layer]
    if (!map) {
      map = new Map()
      for (const entry of this.#layers[layer]!.entries) {
        // an opaque marker and the directory's own entry share the path: the marker wins
        if (entry.type === EntryType.OpaqueWhiteout || !map.has(entry.path)) map.set(entry.path, entry)
      }
      this.#byPath[layer] = map
    }
    return map
  }
}
