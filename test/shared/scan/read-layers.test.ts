import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { Agent } from 'undici'
import type { FileAnalyzer } from '../../../shared/analyzers/analyzer.js'
import { createAnalyzerSet, builtinAnalyzers } from '../../../shared/analyzers/index.js'
import { parseReference } from '../../../shared/image/reference.js'
import { DEFAULT_LIMITS } from '../../../shared/layers/limits.js'
import { ObjectLayerCache } from '../../../shared/layers/object-layer-cache.js'
import { fixedClock } from '../../../shared/ports/clock.js'
import { silentLogger } from '../../../shared/ports/logger.js'
import type { ImageReport } from '../../../shared/report/model.js'
import { registryImageSource } from '../../../shared/registry/registry-source.js'
import { UndiciRegistryClient } from '../../../shared/registry/undici-registry-client.js'
import { parseImageConfig } from '../../../shared/image/config.js'
import { computeEfficiency, EfficiencyBuilder } from '../../../shared/layers/efficiency.js'
import type { LayerResult } from '../../../shared/layers/layer-result.js'
import type { ImageSource } from '../../../shared/ports/image-source.js'
import { inOrder } from '../../../shared/scan/in-order.js'
import { defaultLayerConcurrency, readLayers } from '../../../shared/scan/read-layers.js'
import { scanImage, type ScanDeps } from '../../../shared/scan/scan-image.js'
import { startFaultRegistry, type FaultRegistry } from '../../support/fault-registry.js'
import { buildImage, buildLayer, type BuiltBlob, type BuiltImage } from '../../support/image-builder.js'
import { whiteout } from '../../support/layer-builder.js'
import { MemoryObjectStore } from '../../support/memory-stores.js'

let layers: BuiltBlob[]
let image: BuiltImage
let registry: FaultRegistry
let agent: Agent

beforeAll(async () => {
  layers = []
  for (let i = 0; i < 5; i++) {
    layers.push(await buildLayer([{ name: `layer${i}/`, type: 'directory' }, { name: `layer${i}/data.txt`, content: `layer ${i}\n`.repeat(1000) }, { name: `etc/marker${i}`, content: 'm', mode: i === 3 ? 0o4755 : 0o644 }], { compression: 'gzip' }))
  }
  image = buildImage({ format: 'oci', layers })
})

beforeEach(async () => {
  registry = await startFaultRegistry()
  registry.serve('cache/app', image, ['v1'])
  agent = new Agent()
})

afterEach(async () => {
  await agent.close()
  await registry.close()
})

/** An analyzer that counts the files it was given. */
function probe(version: number, seen: string[]): FileAnalyzer {
  return { kind: 'file', id: 'probe', version, wants: (path) => path.endsWith('.txt'), analyze: ({ path }) => (seen.push(path), { facts: { version } }) }
}

function scan(deps: Partial<ScanDeps>) {
  const client = new UndiciRegistryClient({ dispatcher: agent, insecureRegistries: [registry.host] })
  return scanImage(registryImageSource(client, parseReference(`${registry.host}/cache/app:v1`)), {}, {
    analyzers: createAnalyzerSet(),
    limits: DEFAULT_LIMITS,
    clock: fixedClock('2026-11-29T00:00:00Z'),
    logger: silentLogger,
    scanner: { name: 'pushscan', version: 'test' },
    ...deps,
  }) as Promise<ImageReport>
}

const blobGets = () => registry.requests.filter((r) => r.method === 'GET' && layers.some((l) => r.path.endsWith(l.digest))).length

describe('the layer cache', () => {
  it('reads cached layers from the cache and gives the same report', async () => {
    const cache = new ObjectLayerCache(new MemoryObjectStore())
    const cold = await scan({ cache })
    expect(blobGets()).toBe(5)
    const warm = await scan({ cache })
    expect(blobGets()).toBe(5)
    expect(warm).toEqual(cold)
  })

  it('reads only the layers whose results are missing: a new top layer on a cached base', async () => {
    const cache = new ObjectLayerCache(new MemoryObjectStore())
    await scan({ cache })
    const top = await buildLayer([{ name: 'app/new.txt', content: 'new' }], { compression: 'gzip' })
    const grown = buildImage({ format: 'oci', layers: [...layers, top] })
    registry.serve('cache/app', grown, ['v2'])
    const client = new UndiciRegistryClient({ dispatcher: agent, insecureRegistries: [registry.host] })
    const before = registry.requests.length
    const report = await scanImage(registryImageSource(client, parseReference(`${registry.host}/cache/app:v2`)), {}, {
      analyzers: createAnalyzerSet(),
      limits: DEFAULT_LIMITS,
      clock: fixedClock('2026-11-29T00:00:00Z'),
      logger: silentLogger,
      scanner: { name: 'pushscan', version: 'test' },
      cache,
    })
    const fetched = registry.requests.slice(before).filter((r) => r.path.includes('/blobs/') && r.method === 'GET').map((r) => r.path.split('/').pop())
    expect(fetched.sort()).toEqual([grown.config.digest, top.digest].sort())
    expect(report.status).toBe('complete')
  })

  it('invalidates exactly the results of an analyzer whose version changed', async () => {
    const cache = new ObjectLayerCache(new MemoryObjectStore())
    const seen: string[] = []
    await scan({ cache, analyzers: createAnalyzerSet([...builtinAnalyzers, probe(1, seen)]) })
    expect(seen).toHaveLength(5)
    // same version: nothing read again
    await scan({ cache, analyzers: createAnalyzerSet([...builtinAnalyzers, probe(1, seen)]) })
    expect(seen).toHaveLength(5)
    expect(blobGets()).toBe(5)
    // a new version: the layers are read again, for that analyzer only
    const osReleaseCalls: string[] = []
    const countingOsRelease: FileAnalyzer = { ...(builtinAnalyzers.find((a) => a.id === 'os-release') as FileAnalyzer), analyze: ({ path }) => (osReleaseCalls.push(path), {}) }
    const report = await scan({ cache, analyzers: createAnalyzerSet([...builtinAnalyzers.filter((a) => a.id !== 'os-release'), countingOsRelease, probe(2, seen)]) })
    expect(seen).toHaveLength(10)
    expect(blobGets()).toBe(10)
    expect(osReleaseCalls).toEqual([])
    expect(report.scanner.analyzers.probe).toBe(2)
  })
})

describe('parallel layer reads', () => {
  it.each([1, 2, 4])('keeps the manifest order and the same report with %i at once', async (layerConcurrency) => {
    const serial = await scan({ layerConcurrency: 1 })
    const parallel = await scan({ layerConcurrency })
    expect(parallel).toEqual(serial)
    expect(parallel.image.layers.map((l) => l.diffId)).toEqual(layers.map((l) => l.diffId))
    expect(parallel.findings.find((f) => f.ruleId === 'fs-setuid-file')?.location.layer).toBe(layers[3]!.diffId)
  })

  it('hands each layer on as it completes, and the squashed tree built from them in order is the whole image\'s', async () => {
    // layer 1 adds /app/x, layer 2 deletes it: squashed out of order, /app/x would survive
    const stack = [
      layers[0]!,
      await buildLayer([{ name: 'app/', type: 'directory' }, { name: 'app/x', content: 'x'.repeat(5000) }], { compression: 'gzip' }),
      await buildLayer([whiteout('app/x')], { compression: 'gzip' }),
    ]
    const built = buildImage({ format: 'oci', layers: stack })
    const client = new UndiciRegistryClient({ dispatcher: agent, insecureRegistries: [registry.host] })
    registry.serve('cache/order', built, ['v1'])
    const inner = registryImageSource(client, parseReference(`${registry.host}/cache/order:v1`))
    // the bottom layer is held back until both layers above it are done
    let release!: () => void
    const gate = new Promise<void>((resolve) => (release = resolve))
    const source: ImageSource = {
      ...inner,
      openBlob: async (descriptor) => {
        if (descriptor.digest === stack[0]!.digest) await gate
        return inner.openBlob(descriptor)
      },
    }
    const root = await source.root()
    if (root.manifest.kind !== 'manifest') throw new Error('expected an image manifest')
    const config = parseImageConfig(await source.blobBytes(root.manifest.config, 1 << 20), 10)
    const arrived: number[] = []
    const squash = new EfficiencyBuilder()
    const put = inOrder<LayerResult>((layer) => squash.add(layer))
    const results = await readLayers(source, root.manifest, config, {
      analyzers: createAnalyzerSet().file,
      limits: DEFAULT_LIMITS,
      logger: silentLogger,
      layerConcurrency: 3,
      onLayer: (index, result) => {
        arrived.push(index)
        if (arrived.includes(1) && arrived.includes(2)) release()
        put(index, result)
      },
    })
    // the layers above arrived first (in either order), the bottom one last
    expect(arrived.slice(0, 2).sort()).toEqual([1, 2])
    expect(arrived[2]).toBe(0)
    const incremental = squash.finish()
    const whole = computeEfficiency(results)
    expect(incremental.efficiency).toEqual(whole.efficiency)
    expect(incremental.tree.entries()).toEqual(whole.tree.entries())
    expect(incremental.tree.get('/app/x')).toBeUndefined()
    expect(incremental.tree.get('/app')).toBeDefined()
  })

  it('keeps the image size limit across layers read at once', async () => {
    const report = await scan({ layerConcurrency: 4, limits: { ...DEFAULT_LIMITS, maxImageBytes: 30_000 } })
    expect(report).toMatchObject({ status: 'failed', error: { code: 'IMAGE_TOO_LARGE' } })
  })

  it('derives the number of layers at once from memory', () => {
    const limits = { ...DEFAULT_LIMITS, maxFileReadBytes: 32 * 1024 * 1024 }
    expect(defaultLayerConcurrency(limits, 256 * 1024 * 1024, 8)).toBe(1)
    // (512 MiB - 192 MiB reserved) / 56 MiB a layer = 5, capped at 4
    expect(defaultLayerConcurrency(limits, 512 * 1024 * 1024, 8)).toBe(4)
    expect(defaultLayerConcurrency(limits, 320 * 1024 * 1024, 8)).toBe(2)
    expect(defaultLayerConcurrency(limits, 16 * 1024 ** 3, 2)).toBe(2)
    expect(defaultLayerConcurrency(limits, 16 * 1024 ** 3, 16)).toBe(4)
  })
})
