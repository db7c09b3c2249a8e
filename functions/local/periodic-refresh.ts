/**
 * The vulnerability refresh of `npm start`, every `PUSHSCAN_VULNDB_REFRESH_MINUTES`: once at
 * start, then each interval after the previous run ended (runs never overlap). A failed
 * refresh is logged and tried again at the next interval; it never stops the server.
 *
 * @module
 */
import { describeError } from '../../shared/errors.js'
import type { Logger } from '../../shared/ports/logger.js'

export class PeriodicRefresh {
  readonly #run: () => Promise<unknown>
  readonly #intervalMs: number
  readonly #logger: Logger
  #timer: NodeJS.Timeout | undefined
  #running: Promise<void> | undefined
  #stopped = false

  constructor(run: () => Promise<unknown>, intervalMs: number, logger: Logger) {
    this.#run = run
    this.#intervalMs = intervalMs
    this.#logger = logger
  }

  /** Runs a refresh now, then every interval. */
  start(): void {
    this.#stopped = false
    this.#tick()
  }

  /** Stops scheduling, and waits for a refresh in progress to end. */
  async stop(): Promise<void> {
    this.#stopped = true
    clearTimeout(this.#timer)
    await this.#running
  }

  #tick(): void {
    this.#running = (async () => {
      try {
        await this.#run()
      } catch (error) {
        this.#logger.error('vulnerability refresh failed; the previous index stays in use', { error: describeError(error) })
      }
    })().finally(() => {
      this.#running = undefined
      if (!this.#stopped) this.#timer = setTimeout(() => this.#tick(), this.#intervalMs)
    })
  }
}
