/**
 * Tells someone about new vulnerabilities found by a refresh: an outgoing webhook signed
 * with HMAC-SHA256 (`functions/runtime/webhook-notifier.ts`).
 *
 * @module
 */
import type { VulnerabilityNotification } from '../vulns/notification.js'

/** How a delivery went. A notifier never throws: a failed delivery is an outcome. */
export interface NotifyOutcome {
  delivered: boolean
  /** Requests made (retries included). */
  attempts: number
  /** The last HTTP status received, if any. */
  status?: number
  /** Why the delivery failed. */
  error?: string
}

export interface Notifier {
  notify(notification: VulnerabilityNotification): Promise<NotifyOutcome>
}
