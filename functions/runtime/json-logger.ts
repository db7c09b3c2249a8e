/**
 * Structured logs: one JSON object per line on stdout (CloudWatch and `npm start` alike).
 *
 * @module
 */
import type { Writable } from 'node:stream'
import type { LogFields, Logger } from '../../shared/ports/logger.js'

const LEVELS = { debug: 10, info: 20, warn: 30, error: 40 } as const
export type LogLevel = keyof typeof LEVELS

export function jsonLogger(options: { level?: LogLevel; stream?: Writable; base?: LogFields; now?: () => number } = {}): Logger {
  const threshold = LEVELS[options.level ?? 'info']
  const stream = options.stream ?? process.stdout
  const now = options.now ?? Date.now
  const write = (level: LogLevel, message: string, fields?: LogFields): void => {
    if (LEVELS[level] < threshold) return
    stream.write(`${JSON.stringify({ time: new Date(now()).toISOString(), level, message, ...options.base, ...fields }, errorReplacer)}\n`)
  }
  return {
    debug: (m, f) => write('debug', m, f),
    info: (m, f) => write('info', m, f),
    warn: (m, f) => write('warn', m, f),
    error: (m, f) => write('error', m, f),
  }
}

function errorReplacer(_key: string, value: unknown): unknown {
  if (value instanceof Error) return { name: value.name, message: value.message, ...((value as { code?: unknown }).code ? { code: (value as { code?: unknown }).code } : {}) }
  return value
}
