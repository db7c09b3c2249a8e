/**
 * `npm start`: the api and the worker in one process, with the embedded durable queue and a
 * data directory, the same code paths as in AWS.
 *
 * @module
 */
import { homedir } from 'node:os'
import { join } from 'node:path'
import { serve } from '@hono/node-server'
import { describeError } from '../../shared/errors.js'
import { systemClock } from '../../shared/ports/clock.js'
import { ReportStore } from '../../shared/report/report-store.js'
import { SCANNER_NAME, SCANNER_VERSION } from '../../shared/version.js'
import { ObjectVulnIndexStore } from '../../shared/vulns/object-vuln-index-store.js'
import { refreshVulnerabilities } from '../../shared/vulns/refresh.js'
import { createApp } from '../api/app.js'
import { jsonLogger } from '../runtime/json-logger.js'
import { UndiciDownloader } from '../runtime/undici-downloader.js'
import { WebhookNotifier } from '../runtime/webhook-notifier.js'
import { createWorkerDeps, guardedAgent } from '../runtime/worker-deps.js'
import { loadLocalConfig } from './local-config.js'
import { LocalWorker } from './local-worker.js'
import { PeriodicRefresh } from './periodic-refresh.js'
import { DurableQueue } from './queue/durable-queue.js'
import { FsObjectStore } from './store/fs-object-store.js'

const config = await loadLocalConfig(process.env, homedir()).catch((error: unknown) => {
  const { code, message } = describeError(error)
  process.stderr.write(`pushscan: ${code}: ${message}\n`)
  return process.exit(2)
})

const logger = jsonLogger({ level: config.service.logLevel })
const dispatcher = guardedAgent(config.service)
const queue = await DurableQueue.open(join(config.dataDir, 'queue'))
const objects = new FsObjectStore(join(config.dataDir, 'store'))
const workerDeps = await createWorkerDeps({ config: config.service, objects, clock: systemClock, logger, dispatcher })
const app = createApp({ queue, reports: workerDeps.reports, config: config.service, clock: systemClock, logger })
const worker = new LocalWorker(queue, workerDeps, logger, config.concurrency)

const server = serve({ fetch: app.fetch, hostname: config.host, port: config.port }, (info) => {
  logger.info('pushscan listening', {
    url: `http://${config.host}:${info.port}`,
    port: info.port,
    dataDir: config.dataDir,
    secrets: config.secretsFile,
    allowedRegistries: config.service.allowedRegistries,
  })
})
worker.start()

// the vulnerability refresh: sources and notifications are the operator's, not a webhook's, so no guarded agent
const userAgent = `${SCANNER_NAME}/${SCANNER_VERSION}`
const { notify, sources } = config.vulndb
const refresher =
  config.vulndbRefreshMinutes > 0
    ? new PeriodicRefresh(
        () =>
          refreshVulnerabilities(
            { sources },
            {
              index: new ObjectVulnIndexStore(objects, logger),
              reports: new ReportStore(objects),
              objects,
              downloader: new UndiciDownloader({ userAgent }),
              clock: systemClock,
              logger,
              ...(notify ? { notifier: new WebhookNotifier({ ...notify, userAgent }) } : {}),
            }
          ),
        config.vulndbRefreshMinutes * 60_000,
        logger
      )
    : undefined
refresher?.start()

let stopping = false
async function shutdown(signal: string): Promise<void> {
  if (stopping) return
  stopping = true
  logger.info('shutting down', { signal })
  server.close()
  await worker.stop(config.shutdownGraceMs)
  // a refresh is atomic (one index swap, conditional report writes): stopping it mid-way loses nothing
  await Promise.race([refresher?.stop(), new Promise((resolve) => setTimeout(resolve, config.shutdownGraceMs).unref())])
  await queue.close()
  await dispatcher.close()
  logger.info('stopped')
  process.exit(0)
}
process.on('SIGTERM', () => void shutdown('SIGTERM'))
process.on('SIGINT', () => void shutdown('SIGINT'))
