/**
 * What reading one layer produces: a plain, serialisable value, so it can be cached by
 * DiffID and analyzer-set version and reused by every image that shares the layer.
 *
 * @module
 */
import type { JsonValue } from '../analyzers/analyzer.js'
import type { Compression } from '../image/media-types.js'
import type { Finding, ReportError } from '../report/model.js'

export const EntryType = {
  File: 'file',
  Directory: 'directory',
  Symlink: 'symlink',
  Hardlink: 'hardlink',
  CharDevice: 'char-device',
  BlockDevice: 'block-device',
  Fifo: 'fifo',
  Whiteout: 'whiteout',
  OpaqueWhiteout: 'opaque-whiteout',
} as const
export type EntryType = (typeof EntryType)[keyof typeof EntryType]

/** One tar entry, as the image will see it. */
export interface EntryRecord {
  /** Absolute, normalised path. For whiteouts: the path deleted (or the opaque directory). */
  path: string
  type: EntryType
  /** Bytes of content (0 for everything but regular files). */
  size: number
  /** Permission bits including setuid (0o4000), setgid (0o2000) and sticky (0o1000). */
  mode: number
  uid: number
  gid: number
  /** Symlink target as written, or hardlink target as an absolute path. */
  linkname?: string
  /** Modification time, seconds since the epoch. */
  mtime?: number
}

/** An entry that was not applied: its name escapes the root, holds a NUL, or is too long. */
export interface RefusedEntry {
  name: string
  reason: 'escapes-root' | 'nul-byte' | 'too-long' | 'empty' | 'invalid-whiteout' | 'hardlink-escapes-root' | 'unsupported-type'
}

/** A fact a file analyzer recorded about one file. */
export interface FileFact {
  path: string
  value: JsonValue
}

/** What one file analyzer found in one layer. Cached per (DiffID, analyzer id, version). */
export interface AnalyzerOutput {
  version: number
  /** Findings, each located in this layer. */
  findings: Finding[]
  facts: FileFact[]
  errors: ReportError[]
}

/**
 * What a layer is, whatever analyzers look at it: its entries, sizes and the names it
 * refused. Cached per (DiffID, walk version).
 */
export interface LayerWalk {
  digest: string
  diffId: string
  mediaType: string
  /** Compressed bytes, as stored. */
  size: number
  uncompressedSize: number
  /** The compression the bytes actually had. */
  compression: Compression
  entries: EntryRecord[]
  refused: RefusedEntry[]
  /** Names that used `..` segments yet stayed inside the root. */
  dotDotNames: string[]
  /** Problems with the layer itself (a media type that lies about the compression). */
  notes: ReportError[]
  /** Why the layer was not read, when it was not (a foreign layer the registry does not serve). */
  skipped?: string
}

/** A layer and what every file analyzer found in it. */
export interface LayerResult extends LayerWalk {
  analyses: Record<string, AnalyzerOutput>
}

/** Bump when what a walk records changes: it invalidates every cached walk. */
export const LAYER_WALK_VERSION = 1

/** Every finding of every analyzer in a layer. */
export function layerFindings(layer: LayerResult): Finding[] {
  return Object.keys(layer.analyses)
    .sort()
    .flatMap((id) => layer.analyses[id]!.findings)
}

/** Layer problems and analyzer failures of a layer. */
export function layerErrors(layer: LayerResult): ReportError[] {
  return [
    ...layer.notes,
    ...Object.keys(layer.analyses)
      .sort()
      .flatMap((id) => layer.analyses[id]!.errors),
  ]
}

/** The facts one analyzer recorded for one path in this layer. */
export function layerFact(layer: LayerResult, analyzerId: string, path: string): JsonValue | undefined {
  return layer.analyses[analyzerId]?.facts.find((f) => f.path === path)?.value
}

/** Entries that count as files in the report: everything but directories and whiteouts. */
export function countFiles(entries: EntryRecord[]): number {
  let n = 0
  for (const entry of entries) {
    if (entry.type !== EntryType.Directory && entry.type !== EntryType.Whiteout && entry.type !== EntryType.OpaqueWhiteout) n++
  }
  return n
}
