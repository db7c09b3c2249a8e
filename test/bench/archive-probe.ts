/**
 * Scans a local image archive `runs` times in this process and prints the best time (ms)
 * as JSON: pushscan's side of the comparison with a peer scanner.
 *
 * @module
 */
import { openLocalImage } from '../../shared/archives/index.js'
import { createAnalyzerSet } from '../../shared/analyzers/index.js'
import { DEFAULT_LIMITS } from '../../shared/layers/limits.js'
import { systemClock } from '../../shared/ports/clock.js'
import { silentLogger } from '../../shared/ports/logger.js'
import { scanImage } from '../../shared/scan/scan-image.js'

const [spec, runsText] = process.argv.slice(2)
let best = Infinity
for (let run = 0; run < Number(runsText ?? 3); run++) {
  const started = performance.now()
  const source = await openLocalImage(spec!)
  if (!source) throw new Error(`not a local image: ${spec}`)
  const report = await scanImage(source, {}, { analyzers: createAnalyzerSet(), limits: DEFAULT_LIMITS, clock: systemClock, logger: silentLogger, scanner: { name: 'pushscan', version: 'bench' } })
  await source.close()
  if (report.status !== 'complete') throw new Error(`scan failed: ${report.error?.code}`)
  best = Math.min(best, performance.now() - started)
}
process.stdout.write(`${JSON.stringify({ bestMs: best })}\n`)
