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

export interface FileFact {
  analyzer: string
  path: string
  value: JsonValue
}

export interface LayerResult {
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
  /** Findings from file analyzers, each located in this layer. */
  findings: Finding[]
  facts: FileFact[]
  errors: ReportError[]
  /** Versions of the file analyzers that produced this result. */
  analyzers: Record<string, number>
  /** Why the layer was not read, when it was not (a foreign layer the registry does not serve). */
  skipped?: string
}

/** Entries that count as files in the report: everything but directories and whiteouts. */
export function countFiles(entries: EntryRecord[]): number {
  let n = 0
  for (const entry of entries) {
    if (entry.type !== EntryType.Directory && entry.type !== EntryType.Whiteout && entry.type !== EntryType.OpaqueWhiteout) n++
  }
  return n
}
