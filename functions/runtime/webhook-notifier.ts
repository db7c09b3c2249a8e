/**
 * `WebhookNotifier`: the {@link Notifier} as an outgoing webhook over undici. POSTs the JSON
 * body with `X-Pushscan-Signature: sha256=<HMAC-SHA256 of the body>`, `X-Pushscan-Event` and
 * `X-Pushscan-Delivery`. A 2xx answer is a delivery. Network errors, 408, 429 and 5xx are
 * retried with exponential backoff and full jitter (a `Retry-After` in seconds is honoured,
 * up to a minute); other answers are final. It never throws: the outcome says what happened.
 *
 * @module
 */
import { request, type Dispatcher } from 'undici'
import type { Notifier, NotifyOutcome } from '../../shared/ports/notifier.js'
import { NotificationHeader, serialiseNotification, signBody, type VulnerabilityNotification } from '../../shared/vulns/notification.js'

export interface WebhookNotifierOptions {
  url: string
  /** The HMAC key the receiver shares. */
  secret: string
  dispatcher?: Dispatcher
  /** Requests in all, the first one included. @default 5 */
  attempts?: number
  /** The first backoff; doubled after each failure. @default 1000 */
  baseDelayMs?: number
  /** The longest wait between attempts. @default 60000 */
  maxDelayMs?: number
  /** Waits; tests pass one that returns at once. */
  sleep?: (ms: number) => Promise<void>
  /** Random numbers in [0, 1) for the jitter. */
  random?: () => number
  userAgent?: string
}

function retryable(status: number): boolean {
  return status === 408 || status === 429 || status >= 500
}

function retryAfterMs(value: string | string[] | undefined): number | undefined {
  const text = Array.isArray(value) ? value[0] : value
  if (text === undefined || !/^\s*\d+\s*$/.test(text)) return undefined
  return Number(text) * 1000
}

export class WebhookNotifier implements Notifier {
  readonly #options: Required<Omit<WebhookNotifierOptions, 'dispatcher'>> & { dispatcher?: Dispatcher }

  constructor(options: WebhookNotifierOptions) {
    const url = new URL(options.url)
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error(`notification URL must be http or https, not ${url.protocol}`)
    this.#options = {
      attempts: 5,
      baseDelayMs: 1000,
      maxDelayMs: 60_000,
      sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
      random: Math.random,
      userAgent: 'pushscan',
      ...options,
    }
  }

  async notify(notification: VulnerabilityNotification): Promise<NotifyOutcome> {
    const o = this.#options
    const body = serialiseNotification(notification)
    const headers = {
      'content-type': 'application/json',
      'user-agent': o.userAgent,
      [NotificationHeader.Event]: notification.event,
      [NotificationHeader.Delivery]: notification.id,
      [NotificationHeader.Signature]: signBody(o.secret, body),
    }
    let last: Omit<NotifyOutcome, 'attempts' | 'delivered'> = {}
    for (let attempt = 1; attempt <= o.attempts; attempt++) {
      let wait: number | undefined
      try {
        const response = await request(o.url, { method: 'POST', headers, body, headersTimeout: 30_000, bodyTimeout: 30_000, ...(o.dispatcher ? { dispatcher: o.dispatcher } : {}) })
        await response.body.dump()
        if (response.statusCode >= 200 && response.statusCode < 300) return { delivered: true, attempts: attempt, status: response.statusCode }
        last = { status: response.statusCode, error: `HTTP ${response.statusCode}` }
        if (!retryable(response.statusCode)) return { delivered: false, attempts: attempt, ...last }
        wait = retryAfterMs(response.headers['retry-after'])
      } catch (error) {
        last = { error: (error as Error).message }
      }
      if (attempt < o.attempts) {
        const backoff = Math.min(o.maxDelayMs, o.baseDelayMs * 2 ** (attempt - 1))
        await o.sleep(Math.min(o.maxDelayMs, wait ?? Math.floor(o.random() * backoff)))
      }
    }
    return { delivered: false, attempts: o.attempts, ...last }
  }
}
