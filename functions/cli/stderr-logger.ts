/**
 * A logger writing one line per event to stderr, for the CLI.
 *
 * @module
 */
import type { Writable } from 'node:stream'
import type { LogFields, Logger } from '../../shared/ports/logger.js'

export function stderrLogger(stream: Writable, verbose: boolean): Logger {
  const write = (level: string, message: string, fields?: LogFields): void => {
    const extra = fields && Object.keys(fields).length > 0 ? ` ${JSON.stringify(fields)}` : ''
    stream.write(`pushscan: ${level}: ${message}${extra}\n`)
  }
  return {
    debug: (m, f) => verbose && write('debug', m, f),
    info: (m, f) => verbose && write('info', m, f),
    warn: (m, f) => write('warning', m, f),
    error: (m, f) => write('error', m, f),
  }
}
