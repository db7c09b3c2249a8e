/**
 * The benchmark's service figures: the layer cache (warm vs cold), webhook intake against a
 * trivial route on the same server, and push-to-report time of `npm start`.
 *
 * @module
 */
import { randomBytes } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { serve } from '@hono/node-server'
import { Agent, Pool, request } from 'undici'
import { createApp } from '../../functions/api/app.js'
import { DurableQueue } from '../../functions/local/queue/durable-queue.js'
import { FsObjectStore } from '../../functions/local/store/fs-object-store.js'
import { createAnalyzerSet } from '../../shared/analyzers/index.js'
import { parseReference } from '../../shared/image/reference.js'
import { DEFAULT_LIMITS } from '../../shared/layers/limits.js'
import { ObjectLayerCache } from '../../shared/layers/object-layer-cache.js'
import { parseRegistryPolicy } from '../../shared/policy/registry-policy.js'
import { systemClock } from '../../shared/ports/clock.js'
import { silentLogger } from '../../shared/ports/logger.js'
import { ReportStore } from '../../shared/report/report-store.js'
import { registryImageSource } from '../../shared/registry/registry-source.js'
import { UndiciRegistryClient } from '../../shared/registry/undici-registry-client.js'
import { scanImage } from '../../shared/scan/scan-image.js'
import { freePort } from '../support/free-port.js'
import { buildImage, buildLayer, type BuiltBlob } from '../support/image-builder.js'
import { eventually, startPushscan } from '../support/pushscan-process.js'
import { startRegistry, type RunningRegistry } from '../support/registry-process.js'
import { pushImage } from '../support/registry-push.js'

/** Cold and warm scan times of an image whose base layer another image already brought into the cache. */
export async function warmVsCold(registry: RunningRegistry, base: BuiltBlob, runs: number): Promise<{ coldMs: number; warmMs: number }> {
  const agent = new Agent()
  const client = new UndiciRegistryClient({ dispatcher: agent, insecureRegistries: [registry.host] })
  const scanWith = async (reference: string, cache: ObjectLayerCache): Promise<number> => {
    const started = performance.now()
    const report = await scanImage(registryImageSource(client, parseReference(`${registry.host}/${reference}`)), {}, {
      analyzers: createAnalyzerSet(),
      limits: DEFAULT_LIMITS,
      clock: systemClock,
      logger: silentLogger,
      scanner: { name: 'pushscan', version: 'bench' },
      cache,
    })
    if (report.status !== 'complete') throw new Error(`bench scan failed: ${report.error?.code}`)
    return performance.now() - started
  }
  let coldMs = Infinity
  let warmMs = Infinity
  try {
    for (let run = 0; run < runs; run++) {
      const top = (tag: string) => buildLayer([{ name: `app/${tag}.js`, content: `console.log(${JSON.stringify(tag)})\n` }], { compression: 'gzip' })
      const earlier = buildImage({ format: 'oci', layers: [base, await top(`earlier-${run}`)] })
      const next = buildImage({ format: 'oci', layers: [base, await top(`next-${run}`)] })
      await pushImage(registry, 'bench/app', earlier, [`earlier-${run}`])
      await pushImage(registry, 'bench/app', next, [`next-${run}`])
      const dir = await mkdtemp(join(tmpdir(), 'pushscan-bench-cache-'))
      try {
        // cold: nothing cached
        coldMs = Math.min(coldMs, await scanWith(`bench/app:next-${run}`, new ObjectLayerCache(new FsObjectStore(join(dir, 'cold')))))
        // warm: the earlier image put the base layer in the cache
        const warm = new ObjectLayerCache(new FsObjectStore(join(dir, 'warm')))
        await scanWith(`bench/app:earlier-${run}`, warm)
        warmMs = Math.min(warmMs, await scanWith(`bench/app:next-${run}`, warm))
      } finally {
        await rm(dir, { recursive: true, force: true })
      }
    }
  } finally {
    await agent.close()
  }
  return { coldMs, warmMs }
}

export interface IntakeFigures {
  intakeRps: number
  trivialRps: number
  intakeP99Ms: number
  trivialP99Ms: number
}

/** Requests per second and p99 latency of the distribution webhook (durable queue) and of a trivial route, same server. */
export async function intake(requests: number, concurrency: number): Promise<IntakeFigures> {
  const dir = await mkdtemp(join(tmpdir(), 'pushscan-bench-intake-'))
  const queue = await DurableQueue.open(join(dir, 'queue'))
  const secret = 'bench-webhook-secret-0123'
  const app = createApp({
    queue,
    reports: new ReportStore(new FsObjectStore(join(dir, 'store'))),
    config: { policy: parseRegistryPolicy('registry.example.com'), webhookSecret: secret, apiKey: 'bench-api-key-0123456789' },
    clock: systemClock,
    logger: silentLogger,
  })
  app.post('/bench/trivial', (c) => c.json({ ok: true }, 202))
  const server = serve({ fetch: app.fetch, hostname: '127.0.0.1', port: 0 })
  await new Promise<void>((resolve) => server.once('listening', () => resolve()))
  const { port } = server.address() as AddressInfo
  const pool = new Pool(`http://127.0.0.1:${port}`, { connections: concurrency })
  const event = () => {
    const digest = `sha256:${randomBytes(32).toString('hex')}`
    return JSON.stringify({
      events: [
        {
          id: randomBytes(8).toString('hex'),
          timestamp: new Date().toISOString(),
          action: 'push',
          target: { mediaType: 'application/vnd.oci.image.manifest.v1+json', size: 500, digest, length: 500, repository: 'bench/app', tag: 'v1' },
          request: { id: 'r', addr: '127.0.0.1:1', host: 'registry.example.com', method: 'PUT', useragent: 'bench' },
          actor: {},
          source: { addr: 'bench', instanceID: 'bench' },
        },
      ],
    })
  }
  const load = async (path: string, headers: Record<string, string>): Promise<{ rps: number; p99: number }> => {
    const latencies: number[] = []
    let next = 0
    const started = performance.now()
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (next < requests) {
          next++
          const body = event()
          const t = performance.now()
          const response = await pool.request({ method: 'POST', path, headers: { 'content-type': 'application/json', ...headers }, body })
          await response.body.dump()
          if (response.statusCode !== 202) throw new Error(`${path} answered ${response.statusCode}`)
          latencies.push(performance.now() - t)
        }
      })
    )
    const seconds = (performance.now() - started) / 1000
    latencies.sort((a, b) => a - b)
    return { rps: requests / seconds, p99: latencies[Math.floor(latencies.length * 0.99)] ?? 0 }
  }
  try {
    const trivial = await load('/bench/trivial', {})
    const hooks = await load('/webhooks/distribution', { authorization: `Bearer ${secret}` })
    const stats = await queue.stats()
    if (stats.ready < requests) throw new Error(`only ${stats.ready} of ${requests} webhooks are in the queue`)
    return { intakeRps: hooks.rps, trivialRps: trivial.rps, intakeP99Ms: hooks.p99, trivialP99Ms: trivial.p99 }
  } finally {
    await pool.close()
    server.close()
    await queue.close()
    await rm(dir, { recursive: true, force: true })
  }
}

/** Median time from the end of a push to the report being served by `npm start`. */
export async function pushToReport(runs: number): Promise<number> {
  const port = await freePort()
  const secret = 'bench-webhook-secret-0123'
  const apiKey = 'bench-api-key-0123456789'
  const registry = await startRegistry({ auth: 'none', notificationsUrl: `http://127.0.0.1:${port}/webhooks/distribution`, notificationsAuthorization: `Bearer ${secret}` })
  const dataDir = await mkdtemp(join(tmpdir(), 'pushscan-bench-local-'))
  const server = await startPushscan(
    { PUSHSCAN_DATA_DIR: dataDir, PUSHSCAN_WEBHOOK_SECRET: secret, PUSHSCAN_API_KEY: apiKey, PUSHSCAN_ALLOWED_REGISTRIES: registry.host, PUSHSCAN_INSECURE_REGISTRIES: registry.host, PUSHSCAN_LOG_LEVEL: 'info' },
    port
  )
  const times: number[] = []
  try {
    for (let run = 0; run < runs; run++) {
      const image = buildImage({ format: 'oci', layers: [await buildLayer([{ name: `app/run-${run}`, content: randomBytes(16).toString('hex') }], { compression: 'gzip' })] })
      const { digest } = await pushImage(registry, 'bench/push', image, [`r${run}`])
      const pushed = performance.now()
      await eventually(async () => {
        const response = await request(`${server.url}/reports/${digest}`, { headers: { authorization: `Bearer ${apiKey}` } })
        await response.body.dump()
        return response.statusCode === 200 ? true : undefined
      }, 30_000, 'the report', 10)
      times.push(performance.now() - pushed)
    }
  } finally {
    await server.kill('SIGTERM')
    await registry.stop()
    await rm(dataDir, { recursive: true, force: true })
  }
  times.sort((a, b) => a - b)
  return times[Math.floor(times.length / 2)]!
}
