/**
 * Reads an image's layers: each one from the layer cache when its walk and every file
 * analyzer's output are there, otherwise streamed from the source (running only the
 * analyzers whose results are missing). Several layers stream at once, up to a limit
 * derived from the memory a layer read can hold; results keep the manifest's order.
 *
 * @module
 */
import { cpus, totalmem } from 'node:os'
import type { FileAnalyzer } from '../analyzers/analyzer.js'
import { ErrorCode, LimitError, ManifestError, PushscanError } from '../errors.js'
import type { Digest } from '../image/digest.js'
import type { ImageConfig } from '../image/config.js'
import type { Descriptor, ImageManifest } from '../image/manifest.js'
import { isForeignLayer, layerCompression } from '../image/media-types.js'
import type { AnalyzerOutput, LayerResult } from '../layers/layer-result.js'
import type { ScanLimits } from '../layers/limits.js'
import { ByteBudget, readLayer } from '../layers/read-layer.js'
import type { LayerCache } from '../ports/layer-cache.js'
import type { ImageSource } from '../ports/image-source.js'
import type { Logger } from '../ports/logger.js'
import type { ScanProgressEvent } from './progress.js'

export interface ReadLayersDeps {
  analyzers: readonly FileAnalyzer[]
  limits: ScanLimits
  logger: Logger
  cache?: LayerCache
  /** Layers streamed at once; default {@link defaultLayerConcurrency}. */
  layerConcurrency?: number
  onProgress?: (event: ScanProgressEvent) => void
  /** Called with each layer's result as soon as it is complete (in any order). */
  onLayer?: (index: number, result: LayerResult) => void
  /**
   * When given, the layer cache writes are added here rather than waited for, so the caller
   * can go on (build the report) while they complete, and wait for them before it returns.
   * They never reject: a failed write is logged.
   */
  cacheWrites?: Array<Promise<void>>
}

/** Memory a streaming layer read may hold: decompression and tar buffers, plus one capped file per analyzer pass. */
const STREAM_OVERHEAD_BYTES = 24 * 1024 * 1024
/** Memory kept for everything else in the process. */
const RESERVED_BYTES = 192 * 1024 * 1024
const MAX_CONCURRENCY = 4

/**
 * How many layers to stream at once: what fits in memory (the Lambda function's size when
 * known, else the machine's), at most 4 and at least 1. More does not help a gzip-bound
 * read on few cores; it helps most when layers wait on the network.
 */
export function defaultLayerConcurrency(limits: ScanLimits, memoryBytes = lambdaMemory() ?? totalmem(), cores = cpus().length): number {
  const perLayer = STREAM_OVERHEAD_BYTES + limits.maxFileReadBytes
  const byMemory = Math.floor((memoryBytes - RESERVED_BYTES) / perLayer)
  return Math.max(1, Math.min(MAX_CONCURRENCY, byMemory, Math.max(2, cores)))
}

function lambdaMemory(): number | undefined {
  const mb = Number(process.env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE)
  return Number.isFinite(mb) && mb > 0 ? mb * 1024 * 1024 : undefined
}

export async function readLayers(source: ImageSource, manifest: ImageManifest, config: ImageConfig, deps: ReadLayersDeps): Promise<LayerResult[]> {
  const total = manifest.layers.length
  const budget = new ByteBudget(deps.limits.maxImageBytes)
  const results: LayerResult[] = new Array<LayerResult>(total)
  for (const descriptor of manifest.layers) {
    if (layerCompression(descriptor.mediaType) === undefined) {
      throw new ManifestError(ErrorCode.LayerUnsupported, `layer ${descriptor.digest} has media type ${descriptor.mediaType}, which is not a filesystem layer`)
    }
  }
  let next = 0
  let failed: unknown
  const worker = async (): Promise<void> => {
    while (failed === undefined && next < total) {
      const index = next++
      try {
        const result = await readOne(source, manifest.layers[index]!, config.diffIds[index]!, index, total, budget, deps)
        results[index] = result
        deps.onLayer?.(index, result)
      } catch (error) {
        failed ??= error
      }
    }
  }
  const concurrency = Math.max(1, Math.min(total, deps.layerConcurrency ?? defaultLayerConcurrency(deps.limits)))
  await Promise.all(Array.from({ length: concurrency }, worker))
  if (failed !== undefined) throw failed
  return results
}

async function readOne(
  source: ImageSource,
  descriptor: Descriptor,
  diffId: Digest,
  index: number,
  total: number,
  budget: ByteBudget,
  deps: ReadLayersDeps
): Promise<LayerResult> {
  deps.onProgress?.({ type: 'layer-start', index, total, digest: descriptor.digest, size: descriptor.size })
  const cached = await fromCache(descriptor, diffId, budget, deps)
  if (cached.result) {
    deps.onProgress?.({ type: 'layer-done', index, total, digest: descriptor.digest })
    return cached.result
  }
  let blob
  try {
    blob = await source.openBlob(descriptor)
  } catch (error) {
    if (isForeignLayer(descriptor.mediaType) && error instanceof PushscanError && error.code === ErrorCode.BlobUnknown) {
      deps.onProgress?.({ type: 'layer-done', index, total, digest: descriptor.digest })
      return skippedLayer(descriptor, diffId, 'foreign layer not served by the registry')
    }
    throw error
  }
  const missing = deps.analyzers.filter((a) => !cached.hits[a.id])
  const result = await readLayer(blob, descriptor, diffId, {
    limits: deps.limits,
    analyzers: missing,
    imageBudget: budget,
    onBytes: (bytes) => deps.onProgress?.({ type: 'layer-bytes', index, bytes }),
  })
  if (deps.cache) {
    const cache = deps.cache
    // the writes are independent objects: in S3 each is a round trip, so they go at once
    const written = Promise.all([
      cache.putWalk(result),
      ...missing.map(async (analyzer) => {
        const output = result.analyses[analyzer.id]!
        // an analyzer that failed on this layer is run again next time rather than remembered
        if (output.errors.length === 0) await cache.putAnalysis(diffId, analyzer.id, output)
      }),
    ]).then(
      () => undefined,
      (error: unknown) => deps.logger.warn('layer cache write failed', { diffId, error: (error as Error)?.message ?? String(error) })
    )
    if (deps.cacheWrites) deps.cacheWrites.push(written)
    else await written
  }
  result.analyses = { ...cached.hits, ...result.analyses }
  deps.onProgress?.({ type: 'layer-done', index, total, digest: descriptor.digest })
  return result
}

/** The cached walk and analyses of a layer; `result` when nothing is missing. */
async function fromCache(
  descriptor: Descriptor,
  diffId: string,
  budget: ByteBudget,
  deps: ReadLayersDeps
): Promise<{ result?: LayerResult; hits: Record<string, AnalyzerOutput> }> {
  const hits: Record<string, AnalyzerOutput> = {}
  const cache = deps.cache
  if (!cache) return { hits }
  // every lookup at once (in S3 each is a round trip); the walk is wasted only on a partial hit
  const [walk, ...outputs] = await Promise.all([cache.getWalk(diffId), ...deps.analyzers.map((a) => cache.getAnalysis(diffId, a.id, a.version))])
  deps.analyzers.forEach((analyzer, i) => {
    const output = outputs[i]
    if (output) hits[analyzer.id] = output
  })
  if (Object.keys(hits).length < deps.analyzers.length || !walk) return { hits }
  // a cached layer counts against the limits as if it had been read
  if (!budget.take(walk.uncompressedSize)) {
    throw new LimitError(ErrorCode.ImageTooLarge, 'maxImageBytes', deps.limits.maxImageBytes, `image is larger than ${deps.limits.maxImageBytes} bytes uncompressed`)
  }
  if (walk.uncompressedSize > deps.limits.maxLayerBytes) {
    throw new LimitError(ErrorCode.LayerTooLarge, 'maxLayerBytes', deps.limits.maxLayerBytes, `layer ${descriptor.digest} is larger than ${deps.limits.maxLayerBytes} bytes uncompressed`)
  }
  if (walk.entries.length > deps.limits.maxEntriesPerLayer) {
    throw new LimitError(ErrorCode.LayerTooManyEntries, 'maxEntriesPerLayer', deps.limits.maxEntriesPerLayer, `layer ${descriptor.digest} has more than ${deps.limits.maxEntriesPerLayer} entries`)
  }
  return {
    hits,
    result: {
      ...walk,
      digest: descriptor.digest,
      mediaType: descriptor.mediaType,
      size: descriptor.size,
      compression: layerCompression(descriptor.mediaType) ?? 'none',
      notes: [],
      analyses: hits,
    },
  }
}

function skippedLayer(descriptor: Descriptor, diffId: string, why: string): LayerResult {
  return {
    digest: descriptor.digest,
    diffId,
    mediaType: descriptor.mediaType,
    size: descriptor.size,
    uncompressedSize: 0,
    compression: layerCompression(descriptor.mediaType) ?? 'none',
    entries: [],
    refused: [],
    dotDotNames: [],
    notes: [{ code: ErrorCode.BlobUnknown, message: `layer not scanned: ${why}`, layer: diffId }],
    analyses: {},
    skipped: why,
  }
}
