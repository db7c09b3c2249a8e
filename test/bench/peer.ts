/**
 * Side by side with a peer: snyk-docker-plugin (the TypeScript peer) inventories the packages
 * of the same `docker-archive:`; each tool runs in its own process, best of N runs, timed
 * inside the process (start-up excluded for both).
 *
 * snyk-docker-plugin is installed on first use into test/.cache/peers (never into this
 * project's dependencies): the npm mirror here lacks shescape 2.1.14, hence the override.
 *
 * @module
 */
import { execFile } from 'node:child_process'
import { access, mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { CACHE_DIR } from '../support/debian-rootfs.js'

const run = promisify(execFile)
const PEER_DIR = join(CACHE_DIR, 'peers', 'snyk')
const PEER = 'snyk-docker-plugin@9.20.2'

async function installPeer(): Promise<void> {
  const marker = join(PEER_DIR, 'node_modules', 'snyk-docker-plugin', 'package.json')
  if (await access(marker).then(() => true, () => false)) return
  await mkdir(PEER_DIR, { recursive: true })
  await writeFile(join(PEER_DIR, 'package.json'), JSON.stringify({ name: 'peers', private: true, overrides: { shescape: '2.1.12' } }))
  await run('npm', ['install', '--no-audit', '--no-fund', PEER], { cwd: PEER_DIR, maxBuffer: 64 * 1024 * 1024 })
}

const SNYK_PROBE = `
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

export async function peerComparison(archive: string, runs: number): Promise<{ pushscanMs: number; snykMs: number; snykPackages: number }> {
  await installPeer()
  const snyk = await run(process.execPath, ['-e', SNYK_PROBE, archive, String(runs)], { cwd: PEER_DIR, maxBuffer: 16 * 1024 * 1024 })
  const ours = await run(process.execPath, ['--import', 'tsx', new URL('./archive-probe.ts', import.meta.url).pathname, `docker-archive:${archive}`, String(runs)], { maxBuffer: 16 * 1024 * 1024 })
  const s = JSON.parse(snyk.stdout.trim().split('\n').pop()!) as { bestMs: number; packages: number }
  const p = JSON.parse(ours.stdout.trim().split('\n').pop()!) as { bestMs: number }
  return { pushscanMs: p.bestMs, snykMs: s.bestMs, snykPackages: s.packages }
}
