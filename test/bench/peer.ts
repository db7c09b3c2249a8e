/**
 * Side by side with a peer: snyk-docker-plugin (the TypeScript peer) inventories the packages
 * of the same `docker-archive:`; each tool runs in its own process, best of N runs, timed
 * inside the process (start-up excluded for both).
 *
 * snyk-docker-plugin is installed on first use (test/support/peer-snyk.ts).
 *
 * @module
 */
import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import { snykTiming } from '../support/peer-snyk.js'

const run = promisify(execFile)

export async function peerComparison(archive: string, runs: number): Promise<{ pushscanMs: number; snykMs: number; snykPackages: number }> {
  const s = await snykTiming(archive, runs)
  const ours = await run(process.execPath, ['--import', 'tsx', new URL('./archive-probe.ts', import.meta.url).pathname, `docker-archive:${archive}`, String(runs)], { maxBuffer: 16 * 1024 * 1024 })
  const p = JSON.parse(ours.stdout.trim().split('\n').pop()!) as { bestMs: number }
  return { pushscanMs: p.bestMs, snykMs: s.bestMs, snykPackages: s.packages }
}
