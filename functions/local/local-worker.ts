/**
 * The worker of `npm start`: takes scan requests from the embedded queue and runs the same
 * core as the Lambda worker. Temporary failures go back to the queue with backoff (and to
 * its dead-letter folder after the last attempt); a graceful stop finishes the scans in
 * flight, or puts them back on the queue when they take longer than the grace period.
 *
 * @module
 */
import { describeError, isTemporary } from '../../shared/errors.js'
import type { Logger } from '../../shared/ports/logger.js'
import { processScanRequest, type ProcessOutcome, type WorkerDeps } from '../../shared/scan/process-scan-request.js'
import type { DurableQueue, QueueMessage } from './queue/durable-queue.js'

export class LocalWorker {
  readonly #queue: DurableQueue
  readonly #deps: WorkerDeps
  readonly #logger: Logger
  readonly #concurrency: number
  readonly #abort = new AbortController()
  readonly #inflight = new Map<string, Promise<void>>()
  #loops: Promise<void>[] = []
  /** Called after each message is settled; for tests and metrics. */
  onSettled?: (message: QueueMessage, outcome: ProcessOutcome[] | Error) => void

  constructor(queue: DurableQueue, deps: WorkerDeps, logger: Logger, concurrency = 1) {
    this.#queue = queue
    this.#deps = deps
    this.#logger = logger
    this.#concurrency = concurrency
  }

  start(): void {
    for (let i = 0; i < this.#concurrency; i++) this.#loops.push(this.#loop())
  }

  /** Stops taking messages; waits up to `graceMs` for scans in flight, then re-queues the rest. */
  async stop(graceMs: number): Promise<void> {
    this.#abort.abort()
    const pending = [...this.#inflight.entries()]
    if (pending.length > 0) this.#logger.info('waiting for scans in flight', { count: pending.length, graceMs })
    let timer: NodeJS.Timeout | undefined
    const grace = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), graceMs)
    })
    const finished = await Promise.race([Promise.allSettled(pending.map(([, p]) => p)).then(() => 'done' as const), grace])
    clearTimeout(timer)
    if (finished === 'timeout') {
      for (const [id] of this.#inflight) {
        await this.#queue.release(id)
        this.#logger.warn('scan did not finish in time; put back on the queue', { messageId: id })
      }
      return
    }
    await Promise.allSettled(this.#loops)
  }

  async #loop(): Promise<void> {
    const signal = this.#abort.signal
    while (!signal.aborted) {
      let message: QueueMessage | undefined
      try {
        message = await this.#queue.receive({ waitMs: 1000, signal })
      } catch (error) {
        if (signal.aborted) return
        this.#logger.error('queue receive failed', { error: describeError(error) })
        await new Promise((resolve) => setTimeout(resolve, 1000))
        continue
      }
      if (!message) continue
      const work = this.#handle(message)
      this.#inflight.set(message.id, work)
      await work
      this.#inflight.delete(message.id)
    }
  }

  async #handle(message: QueueMessage): Promise<void> {
    try {
      const outcome = [await processScanRequest(message.request, this.#deps)]
      await this.#queue.ack(message.id)
      this.onSettled?.(message, outcome)
    } catch (error) {
      const described = describeError(error)
      // temporary: retried with backoff; anything else thrown is a bug or an outage of our
      // own storage: retried too, and dead-lettered after the last attempt
      this.#logger[isTemporary(error) ? 'warn' : 'error']('scan failed; will retry', { messageId: message.id, attempts: message.attempts, error: described })
      await this.#queue.retry(message.id, described)
      this.onSettled?.(message, error instanceof Error ? error : new Error(String(error)))
    }
  }
}
