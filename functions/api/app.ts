/**
 * The HTTP api: registry webhooks in, scan requests queued, reports out. Built by a factory
 * from its dependencies, so the same app runs behind API Gateway / a Function URL
 * (`handler.ts`), in `npm start` (`@hono/node-server`) and in tests (`app.request`).
 *
 * Answers: 202 with what was queued, 202 `{ignored}` for events that are not pushes, 401
 * for a bad secret or signature (compared in constant time), 400 for malformed bodies,
 * 403 for a registry not on the allow-list (nothing queued), 413 over the body limit, 503
 * when the queue cannot take the requests (the sender retries: nothing accepted is lost).
 *
 * @module
 */
import { randomUUID } from 'node:crypto'
import { Hono, type Context } from 'hono'
import { bodyLimit } from 'hono/body-limit'
import { HTTPException } from 'hono/http-exception'
import { builtinRules } from '../../shared/analyzers/index.js'
import type { ServiceConfig } from '../../shared/config.js'
import { describeError, ErrorCode, InputError } from '../../shared/errors.js'
import { isDigest } from '../../shared/image/digest.js'
import { parseReference } from '../../shared/image/reference.js'
import { isRegistryAllowed } from '../../shared/policy/registry-policy.js'
import type { Clock } from '../../shared/ports/clock.js'
import type { Logger } from '../../shared/ports/logger.js'
import type { ScanQueue } from '../../shared/ports/scan-queue.js'
import { ExportError, exporters, exportReport, EXPORT_FORMATS, isExportFormat } from '../../shared/report/exporters/index.js'
import type { ReportStore } from '../../shared/report/report-store.js'
import { createScanRequest, ScanSource, type ScanRequest } from '../../shared/scan/scan-request.js'
import {
  bearerToken,
  parseDistributionWebhook,
  parseDockerHubWebhook,
  parseGitHubWebhook,
  parseHarborWebhook,
  parseQuayWebhook,
  secretsEqual,
  verifyGitHubSignature,
  WebhookError,
  type WebhookContext,
  type WebhookOutcome,
} from '../../shared/webhooks/index.js'

export interface ApiDeps {
  queue: ScanQueue
  reports: ReportStore
  config: Pick<ServiceConfig, 'policy' | 'webhookSecret' | 'apiKey'>
  clock: Clock
  logger: Logger
  /** Largest request body accepted, in bytes. Default 1 MiB. */
  maxBodyBytes?: number
  newId?: () => string
}

export const DEFAULT_MAX_BODY_BYTES = 1024 * 1024

export function createApp(deps: ApiDeps): Hono {
  const { config, logger } = deps
  const newId = deps.newId ?? randomUUID
  const app = new Hono()

  app.use(
    '*',
    bodyLimit({
      maxSize: deps.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES,
      onError: (c) => c.json({ error: `request body larger than ${deps.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES} bytes`, code: 'BODY_TOO_LARGE' }, 413),
    })
  )

  app.onError((error, c) => {
    if (error instanceof HTTPException) return error.getResponse()
    if (error instanceof WebhookError && error.code === ErrorCode.WebhookUnauthorized) return c.json({ error: error.message, code: error.code }, 401)
    if (error instanceof WebhookError || error instanceof InputError) return c.json({ error: error.message, code: error.code }, 400)
    // the route, not the path: Docker Hub and Quay webhook paths carry the secret
    logger.error('request failed', { route: c.req.routePath, error: describeError(error) })
    // a stored report the exporter cannot read: the service's fault, but worth its own code
    if (error instanceof ExportError) return c.json({ error: error.message, code: error.code }, 500)
    return c.json({ error: 'internal error', code: ErrorCode.Internal }, 500)
  })

  const context = (): WebhookContext => ({ receivedAt: new Date(deps.clock.now()).toISOString(), requestId: newId() })

  /** Queues an outcome's requests, or explains why not. */
  const accept = async (c: Context, source: string, outcome: WebhookOutcome): Promise<Response> => {
    if (outcome.kind === 'ignored') {
      logger.info('webhook ignored', { source, reason: outcome.reason })
      return c.json({ ignored: outcome.reason }, 202)
    }
    return enqueue(c, source, outcome.requests, outcome.delaySeconds)
  }

  const enqueue = async (c: Context, source: string, requests: ScanRequest[], delaySeconds?: number): Promise<Response> => {
    const refused = [...new Set(requests.filter((r) => !isRegistryAllowed(config.policy, r.registry)).map((r) => r.registry))]
    if (refused.length > 0) {
      logger.warn('webhook names a registry not on the allow-list; nothing queued', { source, registries: refused })
      return c.json({ error: `registry not allowed: ${refused.join(', ')}`, code: ErrorCode.RegistryNotAllowed }, 403)
    }
    try {
      await deps.queue.enqueue(requests, delaySeconds ? { delaySeconds } : {})
    } catch (error) {
      logger.error('could not queue scan requests; asking the sender to retry', { source, error: describeError(error) })
      return c.json({ error: 'the scan queue is unavailable; retry later', code: ErrorCode.QueueUnavailable }, 503)
    }
    logger.info('scan requests queued', { source, requests: requests.map(describeRequest), ...(delaySeconds ? { delaySeconds } : {}) })
    return c.json({ queued: requests.map(describeRequest) }, 202)
  }

  const requireSecret = (given: string | undefined): void => {
    if (given === undefined || !secretsEqual(given, config.webhookSecret)) throw new WebhookError(ErrorCode.WebhookUnauthorized, 'missing or wrong webhook secret')
  }

  const requireApiKey = (c: Context): void => {
    const token = bearerToken(c.req.header('authorization'))
    if (token === undefined || !secretsEqual(token, config.apiKey)) throw new WebhookError(ErrorCode.WebhookUnauthorized, 'missing or wrong API key (Authorization: Bearer <key>)')
  }

  app.get('/healthz', (c) => c.json({ status: 'ok' }))

  app.post('/webhooks/dockerhub/:secret', async (c) => {
    requireSecret(c.req.param('secret'))
    return accept(c, 'dockerhub', parseDockerHubWebhook(await jsonBody(c), context()))
  })

  app.post('/webhooks/quay/:secret', async (c) => {
    requireSecret(c.req.param('secret'))
    return accept(c, 'quay', parseQuayWebhook(await jsonBody(c), context()))
  })

  app.post('/webhooks/distribution', async (c) => {
    requireSecret(bearerToken(c.req.header('authorization')))
    const registry = c.req.query('registry')
    return accept(c, 'distribution', parseDistributionWebhook(await jsonBody(c), context(), registry ? { registry } : {}))
  })

  app.post('/webhooks/harbor', async (c) => {
    // Harbor sends its "Auth Header" setting verbatim: accept "Bearer <secret>" or "<secret>"
    const header = c.req.header('authorization')
    requireSecret(bearerToken(header) ?? header?.trim())
    return accept(c, 'harbor', parseHarborWebhook(await jsonBody(c), context()))
  })

  app.post('/webhooks/github', async (c) => {
    const raw = new Uint8Array(await c.req.arrayBuffer())
    if (!verifyGitHubSignature(config.webhookSecret, raw, c.req.header('x-hub-signature-256'))) {
      throw new WebhookError(ErrorCode.WebhookUnauthorized, 'missing or wrong X-Hub-Signature-256')
    }
    const event = c.req.header('x-github-event') ?? ''
    return accept(c, 'github', parseGitHubWebhook(parseJson(raw), event, c.req.header('x-github-delivery'), context()))
  })

  app.post('/scans', async (c) => {
    requireApiKey(c)
    const body = await jsonBody(c)
    const image = typeof body === 'object' && body !== null ? (body as { image?: unknown }).image : undefined
    if (typeof image !== 'string') throw new InputError(ErrorCode.ScanRequestInvalid, 'expected {"image": "REF"}')
    const ref = parseReference(image)
    const ctx = context()
    const request = createScanRequest({ registry: ref.registry, repository: ref.repository, digest: ref.digest, tag: ref.tag, source: ScanSource.Manual, ...ctx })
    return enqueue(c, 'manual', [request])
  })

  app.get('/reports/:digest', async (c) => {
    requireApiKey(c)
    const digest = c.req.param('digest')
    if (!isDigest(digest)) return c.json({ error: `"${digest}" is not a digest (sha256:<64 hex>)`, code: ErrorCode.ReferenceInvalid }, 400)
    const format = c.req.query('format') ?? 'json'
    if (format !== 'json' && !isExportFormat(format)) return c.json({ error: `unknown format "${format}"; use one of json, ${EXPORT_FORMATS.join(', ')}`, code: ErrorCode.Usage }, 400)
    const report = await deps.reports.getReport(digest)
    if (!report) return c.json({ error: `no report for ${digest}`, code: 'REPORT_NOT_FOUND' }, 404)
    if (format === 'json') return c.json(report)
    return c.body(exportReport(report, format, { rules: builtinRules }), 200, { 'content-type': exporters[format].mediaType })
  })

  // /images/{registry}/{repository...}/tags/{tag}
  app.get('/images/*', async (c) => {
    requireApiKey(c)
    const match = /^\/images\/([^/]+)\/(.+)\/tags\/([^/]+)$/.exec(c.req.path)
    if (!match) return c.json({ error: 'expected /images/{registry}/{repository}/tags/{tag}', code: ErrorCode.Usage }, 400)
    const [registry, repository, tag] = match.slice(1).map(decodeURIComponent) as [string, string, string]
    const ref = parseReference(`${registry}/${repository}:${tag}`)
    const record = await deps.reports.getTag(ref.registry, ref.repository, tag)
    if (!record) return c.json({ error: `no scan of ${ref.registry}/${ref.repository}:${tag}`, code: 'REPORT_NOT_FOUND' }, 404)
    const report = await deps.reports.getReport(record.digest)
    return c.json({ registry: record.registry, repository: record.repository, tag, digest: record.digest, updatedAt: record.updatedAt, history: record.history, report: report ?? null })
  })

  return app
}

function describeRequest(request: ScanRequest): { registry: string; repository: string; reference: string; requestId: string } {
  return { registry: request.registry, repository: request.repository, reference: request.reference, requestId: request.requestId }
}

async function jsonBody(c: Context): Promise<unknown> {
  return parseJson(new Uint8Array(await c.req.arrayBuffer()))
}

function parseJson(raw: Uint8Array): unknown {
  try {
    return JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(raw))
  } catch (error) {
    throw new WebhookError(ErrorCode.WebhookInvalid, `body is not valid JSON: ${(error as Error).message}`)
  }
}
