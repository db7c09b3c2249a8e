/**
 * `npm run bench` (`-- --json` for machine-readable figures). Every speed figure is a ratio
 * to a baseline measured in the same run on the same bytes, because these machines are
 * shared and noisy: absolute seconds mean little, ratios travel.
 *
 * @module
 */
import { spawn } from 'node:child_process'
import { readFile, rm } from 'node:fs/promises'
import { join } from 'node:path'
import { cpus, totalmem } from 'node:os'
import { Writable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { createGunzip } from 'node:zlib'
import { createAnalyzerSet } from '../../shared/analyzers/index.js'
import { DigestVerifier, parseDigest, type Digest } from '../../shared/image/digest.js'
import { createDecompressor, zstdImplementation } from '../../shared/layers/decompress.js'
import { DEFAULT_LIMITS } from '../../shared/layers/limits.js'
import { ByteBudget, readLayer } from '../../shared/layers/read-layer.js'
import { buildImage } from '../support/image-builder.js'
import { startRegistry } from '../support/registry-process.js'
import { pushImage } from '../support/registry-push.js'
import { bigGzipLayer, debianGzipLayer, debianZstdLayer, fileStream, LAYER_DIR, layerBlob, type LayerFile } from '../support/layer-files.js'
import { runCommand } from '../support/run-command.js'
import { peerComparison } from './peer.js'
import { intake, pushToReport, warmVsCold } from './service-figures.js'

const RUNS = 5
const json = process.argv.includes('--json')
const log = (line: string): void => {
  process.stderr.write(`${line}\n`)
}

const sink = (): Writable => new Writable({ write: (_chunk, _enc, callback) => callback() })

/**
 * Bare Node gunzip: `zlib.createGunzip()` with Node's defaults, fed the file the same way the
 * walk is. This is the baseline the layer-walk aim is stated against.
 */
async function bareGunzip(layer: LayerFile): Promise<number> {
  const started = performance.now()
  await pipeline(fileStream(layer.path), createGunzip(), sink())
  return performance.now() - started
}

/**
 * Decompression alone, with the decompressor the walk itself uses (for gzip: zlib with
 * 512 KiB output chunks, about twice as fast as Node's 16 KiB default). The walk's ratio to
 * this is what its own work (digests, tar, analyzers) costs.
 */
async function decompressOnly(layer: LayerFile, compression: 'gzip' | 'zstd'): Promise<number> {
  const started = performance.now()
  await pipeline(fileStream(layer.path), createDecompressor(compression), sink())
  return performance.now() - started
}

/** pushscan's layer walk: digest check, decompression, DiffID, tar walk, every file analyzer. */
async function layerWalk(layer: LayerFile): Promise<number> {
  const started = performance.now()
  const descriptor = { mediaType: layer.mediaType, digest: parseDigest(layer.digest), size: layer.size }
  const blob = fileStream(layer.path).pipe(new DigestVerifier({ digest: descriptor.digest, size: descriptor.size }))
  const result = await readLayer(blob, descriptor, layer.diffId as Digest, {
    limits: DEFAULT_LIMITS,
    analyzers: createAnalyzerSet().file,
    imageBudget: new ByteBudget(DEFAULT_LIMITS.maxImageBytes),
  })
  if (result.entries.length === 0) throw new Error('layer walk saw no entries')
  return performance.now() - started
}

/** Best of alternating runs of each contender; returns each one's best time. */
async function compare<K extends string>(contenders: Record<K, () => Promise<number>>): Promise<Record<K, number>> {
  const best = Object.fromEntries(Object.keys(contenders).map((name) => [name, Infinity])) as Record<K, number>
  for (let i = 0; i < RUNS; i++) {
    for (const name of Object.keys(contenders) as K[]) best[name] = Math.min(best[name], await contenders[name]())
  }
  return best
}

function runProbe(args: string[]): Promise<{ exitCode: number; maxRssMiB: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', new URL('./rss-probe.ts', import.meta.url).pathname, ...args], { stdio: ['ignore', 'pipe', 'inherit'] })
    let out = ''
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString()
    })
    child.on('error', reject)
    child.on('close', (code) => {
      if (code !== 0) reject(new Error(`rss probe exited with ${code}`))
      else resolve(JSON.parse(out.trim().split('\n').pop()!) as { exitCode: number; maxRssMiB: number })
    })
  })
}

const round = (n: number, digits = 2): number => Math.round(n * 10 ** digits) / 10 ** digits

const figures: Record<string, number | string> = {}
log(`pushscan benchmark on ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${round(totalmem() / 1024 ** 3, 1)} GiB, Node ${process.version}`)

log('preparing inputs (cached under test/.cache/layers)…')
const gz = await debianGzipLayer()
const zst = await debianZstdLayer()
const big = await bigGzipLayer()

{
  const best = await compare({ bare: () => bareGunzip(gz), tuned: () => decompressOnly(gz, 'gzip'), walk: () => layerWalk(gz) })
  const mb = (await readFile(gz.path)).length / 1e6
  figures.layerWalkVsGunzip = round(best.bare / best.walk)
  figures.layerWalkVsTunedGunzip = round(best.tuned / best.walk)
  figures.layerWalkMs = round(best.walk)
  figures.bareGunzipMs = round(best.bare)
  figures.tunedGunzipMs = round(best.tuned)
  log(
    `layer walk, gzip Debian 12 layer (${round(mb, 1)} MB): walk ${round(best.walk)} ms vs bare Node gunzip ${round(best.bare)} ms → ${figures.layerWalkVsGunzip} of its speed; ` +
      `vs the walk's own gunzip alone (512 KiB chunks) ${round(best.tuned)} ms → ${figures.layerWalkVsTunedGunzip}`
  )
}
{
  const best = await compare({ bare: () => decompressOnly(zst, 'zstd'), walk: () => layerWalk(zst) })
  figures.layerWalkZstdVsZstd = round(best.bare / best.walk)
  figures.zstdImplementation = zstdImplementation
  log(`layer walk, zstd Debian 12 layer: walk ${round(best.walk)} ms vs bare zstd (${zstdImplementation}) ${round(best.bare)} ms → ${figures.layerWalkZstdVsZstd}`)
}
{
  const registry = await startRegistry({ auth: 'none' })
  try {
    const bytes = await readFile(big.path)
    const image = buildImage({ format: 'oci', layers: [{ mediaType: big.mediaType, digest: big.digest, size: big.size, bytes, diffId: big.diffId, compression: 'gzip' }] })
    await pushImage({ url: registry.url }, 'bench/big', image, ['latest'])
    const baseline = await runProbe(['--baseline'])
    const started = performance.now()
    const scan = await runProbe([`${registry.host}/bench/big:latest`, '--insecure-registry', registry.host])
    const seconds = (performance.now() - started) / 1000
    if (scan.exitCode !== 0) throw new Error(`scan of the big layer exited with ${scan.exitCode}`)
    figures.peakRssMiB = round(scan.maxRssMiB, 1)
    figures.baselineRssMiB = round(baseline.maxRssMiB, 1)
    log(`peak RSS scanning a ${round((1100 * 1024 * 1024) / 1024 ** 3, 2)} GiB layer from the registry: ${figures.peakRssMiB} MiB (the same process idle: ${figures.baselineRssMiB} MiB), ${round(seconds, 1)} s`)
  } finally {
    await registry.stop()
  }
}

{
  const registry = await startRegistry({ auth: 'none' })
  try {
    const base = await layerBlob(gz)
    const { coldMs, warmMs } = await warmVsCold(registry, base, 8)
    figures.warmVsCold = round(coldMs / warmMs, 1)
    figures.coldScanMs = round(coldMs)
    figures.warmScanMs = round(warmMs)
    log(`warm scan (Debian 12 base layer cached, new top layer) ${round(warmMs)} ms vs cold ${round(coldMs)} ms → ${figures.warmVsCold}× faster`)

    const image = buildImage({ format: 'oci', layers: [base] })
    await pushImage(registry, 'bench/debian', image, ['12'])
    const archive = join(LAYER_DIR, 'debian.docker.tar')
    // skopeo will not overwrite an archive an interrupted run left behind
    await rm(archive, { force: true })
    await runCommand('skopeo', ['copy', '--quiet', '--src-tls-verify=false', `docker://${registry.host}/bench/debian:12`, `docker-archive:${archive}:bench/debian:12`])
    try {
      const peer = await peerComparison(archive, 3)
      figures.peerVsSnykDockerPlugin = round(peer.pushscanMs / peer.snykMs)
      figures.pushscanArchiveMs = round(peer.pushscanMs)
      figures.snykDockerPluginArchiveMs = round(peer.snykMs)
      log(`docker-archive of Debian 12: pushscan ${round(peer.pushscanMs)} ms vs snyk-docker-plugin ${round(peer.snykMs)} ms (${peer.snykPackages} deb packages) → pushscan takes ${figures.peerVsSnykDockerPlugin} of its time`)
    } catch (error) {
      log(`peer comparison skipped: ${(error as Error).message.split('\n')[0]}`)
    }
  } finally {
    await registry.stop()
    await rm(join(LAYER_DIR, 'debian.docker.tar'), { force: true })
  }
}
{
  const figuresIntake = await intake(2000, 32)
  figures.intakeRps = round(figuresIntake.intakeRps, 0)
  figures.intakeVsTrivialRoute = round(figuresIntake.intakeRps / figuresIntake.trivialRps)
  figures.intakeP99Ms = round(figuresIntake.intakeP99Ms)
  figures.trivialRouteRps = round(figuresIntake.trivialRps, 0)
  log(`webhook intake (POST /webhooks/distribution, durable queue, 32 at once): ${figures.intakeRps} req/s, p99 ${figures.intakeP99Ms} ms; a trivial route on the same server: ${figures.trivialRouteRps} req/s → ${figures.intakeVsTrivialRoute}`)
}
{
  figures.pushToReportMs = round(await pushToReport(5), 0)
  log(`push to stored report with npm start and a notifying registry (median of 5): ${figures.pushToReportMs} ms`)
}

if (json) process.stdout.write(`${JSON.stringify(figures, null, 2)}\n`)
