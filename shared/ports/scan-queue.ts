/**
 * Where accepted scan requests wait for a worker: SQS in AWS, an embedded durable queue on
 * one machine. `enqueue` resolves only once the requests are durably stored: a webhook is
 * acknowledged after it, so nothing accepted is lost.
 *
 * @module
 */
import type { ScanRequest } from '../scan/scan-request.js'

export interface EnqueueOptions {
  /** Seconds before the requests become visible to workers (SQS DelaySeconds, at most 900). */
  delaySeconds?: number
}

export interface ScanQueue {
  /** Stores requests durably. Throws (an error with code QUEUE_UNAVAILABLE) when it cannot. */
  enqueue(requests: readonly ScanRequest[], options?: EnqueueOptions): Promise<void>
}
