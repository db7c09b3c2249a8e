/**
 * A {@link LayerCache} over any object store (S3, a directory), with this key layout:
 *
 * - `layers/sha256/<diffId hex>/walk@<walk version>.json`: the entries of the layer;
 * - `layers/sha256/<diffId hex>/<analyzer id>@<version>.json`: one analyzer's output.
 *
 * Results are written only after the layer was read to the end and its DiffID verified, so
 * the cache never holds what a layer does not contain. A cache that cannot be read or
 * written makes the scan slower, never wrong: errors are logged and the layer is read.
 *
 * @module
 */
import { digestHex, parseDigest } from '../image/digest.js'
import type { CachedWalk, LayerCache } from '../ports/layer-cache.js'
import type { Logger } from '../ports/logger.js'
import type { ObjectStore } from '../ports/object-store.js'
import { LAYER_WALK_VERSION, type AnalyzerOutput } from './layer-result.js'

function layerPrefix(diffId: string): string {
  const digest = parseDigest(diffId)
  return `layers/${digest.slice(0, digest.indexOf(':'))}/${digestHex(digest)}`
}

export function walkKey(diffId: string): string {
  return `${layerPrefix(diffId)}/walk@${LAYER_WALK_VERSION}.json`
}

export function analysisKey(diffId: string, analyzerId: string, version: number): string {
  if (!/^[a-z0-9][a-z0-9-]*$/.test(analyzerId)) throw new Error(`invalid analyzer id "${analyzerId}"`)
  return `${layerPrefix(diffId)}/${analyzerId}@${version}.json`
}

export class ObjectLayerCache implements LayerCache {
  readonly #objects: ObjectStore
  readonly #logger: Logger | undefined

  constructor(objects: ObjectStore, logger?: Logger) {
    this.#objects = objects
    this.#logger = logger
  }

  async getWalk(diffId: string): Promise<CachedWalk | undefined> {
    const walk = await this.#get<CachedWalk>(walkKey(diffId))
    return walk?.diffId === diffId ? walk : undefined
  }

  async putWalk(walk: CachedWalk): Promise<void> {
    const { diffId, uncompressedSize, entries, refused, dotDotNames } = walk
    await this.#put(walkKey(diffId), { diffId, uncompressedSize, entries, refused, dotDotNames })
  }

  async getAnalysis(diffId: string, analyzerId: string, version: number): Promise<AnalyzerOutput | undefined> {
    const output = await this.#get<AnalyzerOutput>(analysisKey(diffId, analyzerId, version))
    return output?.version === version ? output : undefined
  }

  async putAnalysis(diffId: string, analyzerId: string, output: AnalyzerOutput): Promise<void> {
    await this.#put(analysisKey(diffId, analyzerId, output.version), output)
  }

  async #get<T>(key: string): Promise<T | undefined> {
    try {
      const found = await this.#objects.get(key)
      return found ? (JSON.parse(found.bytes.toString('utf8')) as T) : undefined
    } catch (error) {
      this.#logger?.warn('layer cache read failed; reading the layer instead', { key, error: (error as Error).message })
      return undefined
    }
  }

  async #put(key: string, value: unknown): Promise<void> {
    try {
      // a lost entry is read again from the layer: no need to flush it to disk
      await this.#objects.put(key, Buffer.from(JSON.stringify(value)), { contentType: 'application/json', durable: false })
    } catch (error) {
      this.#logger?.warn('layer cache write failed', { key, error: (error as Error).message })
    }
  }
}
