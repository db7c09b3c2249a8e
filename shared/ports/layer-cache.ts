/**
 * Per-layer analysis results, kept across scans and repositories: a base layer shared by
 * many images is read once. Keyed by DiffID (the uncompressed content), and per analyzer
 * and version, so changing one analyzer invalidates exactly its results.
 *
 * @module
 */
import type { AnalyzerOutput, LayerWalk } from '../layers/layer-result.js'

/** The part of a walk that depends only on the layer's content. */
export type CachedWalk = Pick<LayerWalk, 'diffId' | 'uncompressedSize' | 'entries' | 'refused' | 'dotDotNames'>

/**
 * The `put` methods take what they store before they return their promise (a scan goes on
 * using the objects while the writes complete), and should not reject: a cache that cannot
 * be written makes scans slower, never wrong.
 */
export interface LayerCache {
  getWalk(diffId: string): Promise<CachedWalk | undefined>
  putWalk(walk: CachedWalk): Promise<void>
  getAnalysis(diffId: string, analyzerId: string, version: number): Promise<AnalyzerOutput | undefined>
  putAnalysis(diffId: string, analyzerId: string, output: AnalyzerOutput): Promise<void>
}
