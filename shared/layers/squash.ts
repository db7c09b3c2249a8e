/**
 * The squashed filesystem: every layer applied in order, whiteouts and opaque directories
 * included, as the container will see it. Built from layer results (not from the blobs),
 * so cached layers need not be read again.
 *
 * @module
 */
import { EntryType, type EntryRecord, type LayerResult } from './layer-result.js'
import { resolveLinkTarget } from './paths.js'

export interface TreeEntry {
  path: string
  record: EntryRecord
  /** Index of the layer that put this entry there. */
  layer: number
}

interface Node {
  record?: EntryRecord
  layer: number
  children?: Map<string, Node>
}

/** Follows at most this many symlinks while resolving one path, as Linux does. */
const MAX_SYMLINK_HOPS = 40

export class SquashedTree {
  readonly #root: Node = { layer: -1, children: new Map() }
  /** Every node by its absolute path, so that exact lookups cost one hash probe. */
  readonly #index = new Map<string, Node>()
  /** {@link entries}, until the tree changes. */
  #list: readonly TreeEntry[] | undefined
  /** Canonical paths of directories {@link #canonical} resolved, until the tree changes. */
  readonly #directories = new Map<string, string | undefined>()

  /** Applies one layer's entries on top: opaque directories and whiteouts first, then the rest. */
  apply(entries: readonly EntryRecord[], layer: number): void {
    this.#list = undefined
    this.#directories.clear()
    for (const entry of entries) {
      if (entry.type === EntryType.OpaqueWhiteout) {
        const node = this.#node(entry.path)
        if (node?.children) {
          this.#unindexChildren(entry.path, node)
          node.children.clear()
        }
      }
    }
    for (const entry of entries) {
      if (entry.type === EntryType.Whiteout) this.#remove(entry.path)
    }
    for (const entry of entries) {
      if (entry.type === EntryType.Whiteout || entry.type === EntryType.OpaqueWhiteout) continue
      this.#put(entry, layer)
    }
  }

  /** The entry at an exact path (no symlinks followed). */
  get(path: string): TreeEntry | undefined {
    const node = this.#node(path)
    return node?.record ? { path, record: node.record, layer: node.layer } : undefined
  }

  /** Total bytes of the regular files under `path` (the path itself included). */
  sizeUnder(path: string): number {
    const node = this.#node(path)
    if (!node) return 0
    let total = 0
    const stack: Node[] = [node]
    while (stack.length > 0) {
      const current = stack.pop()!
      if (current.record?.type === EntryType.File) total += current.record.size
      if (current.children) stack.push(...current.children.values())
    }
    return total
  }

  /**
   * The entry a path leads to, following symlinks in every component (`/etc/os-release` →
   * `/usr/lib/os-release`). Undefined for dangling links and link loops.
   */
  resolve(path: string): TreeEntry | undefined {
    const canonical = this.#canonical(path)
    return canonical === undefined || canonical === '/' ? undefined : this.get(canonical)
  }

  /** True when `path`, symlinks followed, is a directory: written as one, or implied by what is in it. */
  isDirectory(path: string): boolean {
    const canonical = this.#canonical(path)
    return canonical !== undefined && this.#node(canonical)?.children !== undefined
  }

  /**
   * The path with every symlink component followed, or undefined when it leads nowhere.
   * Directories resolved once are remembered (until the next {@link apply}): package file
   * lists name thousands of files under the few symlinked directories of a merged `/usr`.
   */
  #canonical(path: string, hops = 0): string | undefined {
    if (path.length > 1 && path.endsWith('/')) path = path.slice(0, -1)
    const exact = this.#node(path)
    if (exact) {
      // the common case: the path is in the tree and is no symlink, so nothing above it is one
      // either (a layer that writes below a symlink turns it into a directory)
      if (exact.record?.type !== EntryType.Symlink) return path
      // a link below real directories: its target, even with `..`, resolves from there
      if (hops >= MAX_SYMLINK_HOPS) return undefined
      return this.#canonical(resolveLinkTarget(path, exact.record.linkname ?? ''), hops + 1)
    }
    const slash = path.lastIndexOf('/')
    if (slash <= 0) return this.#follow(path)
    const directory = path.slice(0, slash)
    let resolved = this.#directories.get(directory)
    if (resolved === undefined && !this.#directories.has(directory)) {
      resolved = this.#follow(directory)
      this.#directories.set(directory, resolved)
    }
    if (resolved === undefined || resolved === directory) return undefined
    return this.#canonical(`${resolved === '/' ? '' : resolved}/${path.slice(slash + 1)}`, hops)
  }

  /** Resolves `path` one component at a time, following symlinks (at most {@link MAX_SYMLINK_HOPS}). */
  #follow(path: string): string | undefined {
    let hops = 0
    let pending = path.split('/').filter(Boolean)
    let current = '/'
    while (pending.length > 0) {
      const name = pending.shift()!
      const next = current === '/' ? `/${name}` : `${current}/${name}`
      const entry = this.get(next)
      if (entry?.record.type === EntryType.Symlink) {
        if (++hops > MAX_SYMLINK_HOPS) return undefined
        const target = resolveLinkTarget(next, entry.record.linkname ?? '')
        pending = [...target.split('/').filter(Boolean), ...pending]
        current = '/'
        continue
      }
      if (!this.#node(next)) return undefined
      current = next
    }
    return current
  }

  /**
   * Every entry, depth first, children in name order. Listed once and kept until the next
   * {@link apply}: several image analyzers walk the whole tree.
   */
  entries(): readonly TreeEntry[] {
    if (this.#list) return this.#list
    const list: TreeEntry[] = []
    const stack: Array<[string, Node]> = [['', this.#root]]
    while (stack.length > 0) {
      const [path, node] = stack.pop()!
      if (node.record && path) list.push({ path, record: node.record, layer: node.layer })
      if (node.children) {
        const names = [...node.children.keys()].sort().reverse()
        for (const name of names) stack.push([`${path}/${name}`, node.children.get(name)!])
      }
    }
    this.#list = list
    return list
  }

  #node(path: string): Node | undefined {
    if (path === '/' || path === '') return this.#root
    return this.#index.get(path.length > 1 && path.endsWith('/') ? path.slice(0, -1) : path)
  }

  #remove(path: string): void {
    const node = this.#index.get(path)
    if (!node) return
    const slash = path.lastIndexOf('/')
    const parent = this.#node(path.slice(0, slash) || '/')
    parent?.children?.delete(path.slice(slash + 1))
    this.#unindexChildren(path, node)
    this.#index.delete(path)
  }

  /** Drops every descendant of `node` (at `path`) from the index. */
  #unindexChildren(path: string, node: Node): void {
    const stack: Array<[string, Node]> = [[path === '/' ? '' : path, node]]
    while (stack.length > 0) {
      const [prefix, current] = stack.pop()!
      if (!current.children) continue
      for (const [name, child] of current.children) {
        const childPath = `${prefix}/${name}`
        this.#index.delete(childPath)
        stack.push([childPath, child])
      }
    }
  }

  #put(record: EntryRecord, layer: number): void {
    const path = record.path
    const slash = path.lastIndexOf('/')
    // tar lists a directory before what is in it, so the parent is usually there already
    const parent = slash === 0 ? this.#root : slash > 0 ? this.#index.get(path.slice(0, slash)) : undefined
    if (parent?.children && slash < path.length - 1) this.#putIn(parent, path, path.slice(slash + 1), record, layer)
    else this.#putWithParents(record, layer)
  }

  /** Puts `record`, creating (or turning into directories) the parents it needs. */
  #putWithParents(record: EntryRecord, layer: number): void {
    const names = record.path.split('/').filter(Boolean)
    let node = this.#root
    let path = ''
    for (let i = 0; i < names.length - 1; i++) {
      const name = names[i]!
      path = `${path}/${name}`
      let child = node.children!.get(name)
      if (!child || !child.children) {
        // a missing parent is implied; a non-directory in the way is replaced by a directory
        child = { layer, children: new Map() }
        node.children!.set(name, child)
        this.#index.set(path, child)
      }
      node = child
    }
    const name = names[names.length - 1]!
    this.#putIn(node, `${path}/${name}`, name, record, layer)
  }

  #putIn(node: Node, path: string, name: string, record: EntryRecord, layer: number): void {
    const existing = node.children!.get(name)
    if (record.type === EntryType.Directory) {
      if (existing?.children) {
        existing.record = record
        existing.layer = layer
      } else {
        const created: Node = { record, layer, children: new Map() }
        node.children!.set(name, created)
        this.#index.set(path, created)
      }
      return
    }
    // a file replacing a directory takes the directory's contents with it
    if (existing?.children) this.#unindexChildren(path, existing)
    const created: Node = { record, layer }
    node.children!.set(name, created)
    this.#index.set(path, created)
  }
}

/** Squashes layer results into the final filesystem. */
export function squash(layers: readonly Pick<LayerResult, 'entries'>[]): SquashedTree {
  const tree = new SquashedTree()
  layers.forEach((layer, index) => tree.apply(layer.entries, index))
  return tree
}
