/**
 * Structured logging, injected everywhere it is needed. The CLI logs to stderr, Lambda to
 * CloudWatch; tests pass {@link silentLogger} or a recording logger.
 *
 * @module
 */

export type LogFields = Record<string, unknown>

export interface Logger {
  debug(message: string, fields?: LogFields): void
  info(message: string, fields?: LogFields): void
  warn(message: string, fields?: LogFields): void
  error(message: string, fields?: LogFields): void
}

const noop = (): void => {}

/** A logger that drops everything. */
export const silentLogger: Logger = { debug: noop, info: noop, warn: noop, error: noop }
