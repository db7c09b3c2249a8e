/**
 * The analyzer contracts. A {@link FileAnalyzer} sees files as each layer streams past and
 * may ask for their content; an {@link ImageAnalyzer} sees the whole image afterwards: the
 * config, the history, every layer's entries and the squashed filesystem.
 *
 * Analyzers are pure: no I/O, no clocks, no globals. What they return is plain data, so a
 * layer's results can be cached by DiffID and analyzer version. An analyzer that throws is
 * recorded in the report's `errors` and the scan goes on.
 *
 * @module
 */
import type { ImageConfig } from '../image/config.js'
import type { ImageManifest } from '../image/manifest.js'
import type { EntryRecord, LayerResult } from '../layers/layer-result.js'
import type { SquashedTree } from '../layers/squash.js'
import type { Efficiency, Finding, Package, ReportOs } from '../report/model.js'

/** How many leading bytes of a file {@link FileAnalyzer.wantsHead} sees. */
export const HEAD_BYTES = 8 * 1024

/** JSON-compatible values: what analyzers may return as facts. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue }

/** A finding as an analyzer produces it; the scan fills in the layer it came from. */
export type DraftFinding = Finding

export interface FileInput {
  path: string
  entry: EntryRecord
  /** The file's bytes, at most `maxFileReadBytes` of them. */
  content: Buffer
  /** True when the file is longer than what `content` holds. */
  truncated: boolean
}

export interface FileAnalysis {
  findings?: DraftFinding[]
  /** Structured facts about the file (`{id: 'debian', versionId: '12'}`), kept per layer and path. */
  facts?: JsonValue
}

export interface FileAnalyzer {
  readonly kind: 'file'
  /** Stable, kebab-case. */
  readonly id: string
  /** Bump when the output for the same input changes: it invalidates cached layer results. */
  readonly version: number
  /** Cheap, no I/O: does this analyzer want the content of this entry? */
  wants(path: string, entry: EntryRecord): boolean
  /**
   * Optional second look, at the first {@link HEAD_BYTES} of the file (all of it when it is
   * shorter): does the analyzer still want the whole content? Declining here spares reading
   * and holding large files the name could not rule out (compiled programs, binary data).
   */
  wantsHead?(head: Buffer, path: string, entry: EntryRecord): boolean
  analyze(input: FileInput): FileAnalysis | Promise<FileAnalysis>
}

/** The image's package inventory, as image analyzers see it. */
export interface PackageView {
  /** Every package found, OS and language, with the layer that brought it. */
  list: readonly Package[]
  /** True when an OS package database lists `path` among a package's files. */
  owns(path: string): boolean
  /** True when the image has an OS package database that lists files (dpkg, apk, rpm). */
  tracksFiles: boolean
}

export interface ImageInput {
  manifest: ImageManifest
  config: ImageConfig
  layers: LayerResult[]
  /** For each layer, the index of the history entry that built it. */
  historyForLayer: Array<number | undefined>
  tree: SquashedTree
  /** Dive's wasted-space figures, computed once while the tree was built. */
  efficiency: Efficiency
  /** The tag the image was scanned under, if any. */
  tags: string[]
  /** The facts a file analyzer recorded for the file visible at `path` in the final image. */
  visibleFacts(analyzerId: string, path: string): JsonValue | undefined
  /** The image's packages and which files they own. */
  packages: PackageView
  /** The image's OS, from its release files. */
  os: ReportOs | null
}

export interface ImageAnalysis {
  findings?: DraftFinding[]
}

export interface ImageAnalyzer {
  readonly kind: 'image'
  readonly id: string
  readonly version: number
  analyze(input: ImageInput): ImageAnalysis | Promise<ImageAnalysis>
}

export type Analyzer = FileAnalyzer | ImageAnalyzer
