/**
 * snyk-docker-plugin, the TypeScript peer, installed on first use into test/.cache/peers
 * (never into this project's dependencies) and run in its own process. Both the benchmark
 * and the cross-check tests use it. The npm mirror here lacks shescape 2.1.14, hence the
 * override.
 *
 * @module
 */
import { execFile } from 'node:child_process'
import { access, mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { CACHE_DIR } from './debian-rootfs.js'

const run = promisify(execFile)
export const SNYK_PEER_DIR = join(CACHE_DIR, 'peers', 'snyk')
const PEER = 'snyk-docker-plugin@9.20.2'

/** Installs the peer once (about 20 s); later calls return at once. */
export async function installSnykPeer(): Promise<void> {
  const marker = join(SNYK_PEER_DIR, 'node_modules', 'snyk-docker-plugin', 'package.json')
  if (await access(marker).then(() => true, () => false)) return
  await mkdir(SNYK_PEER_DIR, { recursive: true })
  await writeFile(join(SNYK_PEER_DIR, 'package.json'), JSON.stringify({ name: 'peers', private: true, overrides: { shescape: '2.1.12' } }))
  await run('npm', ['install', '--no-audit', '--no-fund', PEER], { cwd: SNYK_PEER_DIR, maxBuffer: 64 * 1024 * 1024 })
}

const INVENTORY_PROBE = `
const plugin = require('snyk-docker-plugin')
;(async () => {
  const result = await plugin.scan({ path: process.argv[1] })
  const out = []
  for (const scan of result.scanResults) {
    const graph = scan.facts.find((f) => f.type === 'depGraph')
    if (!graph) continue
    const root = graph.data.rootPkg
    for (const pkg of graph.data.getPkgs()) {
      if (pkg.name === root.name && pkg.version === root.version) continue
      out.push({ type: scan.identity.type, name: pkg.name, version: pkg.version })
    }
  }
  process.stdout.write(JSON.stringify(out) + '\\n')
})().catch((e) => { console.error(e); process.exit(1) })
`

export interface PeerPackage {
  /** The scan result's identity type: `deb`, `apk`, `rpm`, `npm`… */
  type: string
  name: string
  version: string
}

/** The packages snyk-docker-plugin finds in `image` (`docker-archive:PATH`, `oci-archive:PATH`). */
export async function snykInventory(image: string): Promise<PeerPackage[]> {
  await installSnykPeer()
  const { stdout } = await run(process.execPath, ['-e', INVENTORY_PROBE, image], { cwd: SNYK_PEER_DIR, maxBuffer: 64 * 1024 * 1024 })
  return JSON.parse(stdout.trim().split('\n').pop()!) as PeerPackage[]
}

const TIMING_PROBE = `
const plugin = require('snyk-docker-plugin')
;(async () => {
  const [archive, runs] = process.argv.slice(1)
  let best = Infinity, packages = 0
  for (let i = 0; i < Number(runs); i++) {
    const started = performance.now()
    const result = await plugin.scan({ path: 'docker-archive:' + archive })
    best = Math.min(best, performance.now() - started)
    const deb = result.scanResults.find((r) => r.identity && r.identity.type === 'deb')
    packages = deb ? deb.facts.find((f) => f.type === 'depGraph').data.getPkgs().length : 0
  }
  process.stdout.write(JSON.stringify({ bestMs: best, packages }) + '\\n')
})().catch((e) => { console.error(e); process.exit(1) })
`

/** Best of `runs` in-process timings of a snyk-docker-plugin scan of a docker-archive. */
export async function snykTiming(archive: string, runs: number): Promise<{ bestMs: number; packages: number }> {
  await installSnykPeer()
  const { stdout } = await run(process.execPath, ['-e', TIMING_PROBE, archive, String(runs)], { cwd: SNYK_PEER_DIR, maxBuffer: 16 * 1024 * 1024 })
  return JSON.parse(stdout.trim().split('\n').pop()!) as { bestMs: number; packages: number }
}
