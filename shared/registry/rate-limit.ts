/**
 * Registry rate-limit headers (`ratelimit-limit: 100;w=21600`, `ratelimit-remaining: 76;w=21600`,
 * `docker-ratelimit-source`) and `Retry-After`.
 *
 * @see https://docs.docker.com/docker-hub/usage/pulls/
 * @module
 */

export interface RateLimit {
  limit?: number
  remaining?: number
  /** The window the numbers apply to, in seconds. */
  windowSeconds?: number
  /** Who the registry counts the pulls against (an IP address or account). */
  source?: string
}

type HeaderValue = string | string[] | undefined
type Headers = Record<string, HeaderValue>

function first(value: HeaderValue): string | undefined {
  return Array.isArray(value) ? value[0] : value
}

function parseQuota(value: string | undefined): { count: number; window?: number } | undefined {
  if (!value) return undefined
  const match = /^\s*(\d+)\s*(?:;\s*w\s*=\s*(\d+))?/.exec(value)
  if (!match) return undefined
  const out: { count: number; window?: number } = { count: Number(match[1]) }
  if (match[2]) out.window = Number(match[2])
  return out
}

/** Reads the rate-limit headers of a response; undefined when there are none. */
export function readRateLimit(headers: Headers): RateLimit | undefined {
  const limit = parseQuota(first(headers['ratelimit-limit']))
  const remaining = parseQuota(first(headers['ratelimit-remaining']))
  const source = first(headers['docker-ratelimit-source'])
  if (!limit && !remaining) return undefined
  const out: RateLimit = {}
  if (limit) out.limit = limit.count
  if (remaining) out.remaining = remaining.count
  const window = limit?.window ?? remaining?.window
  if (window !== undefined) out.windowSeconds = window
  if (source) out.source = source
  return out
}

/** `Retry-After` in milliseconds (delta-seconds or an HTTP date), or undefined. */
export function readRetryAfter(headers: Headers, now: number): number | undefined {
  const value = first(headers['retry-after'])?.trim()
  if (!value) return undefined
  if (/^\d+$/.test(value)) return Number(value) * 1000
  // an HTTP-date (`Wed, 21 Oct 2015 07:28:00 GMT`); anything else is ignored
  if (!/^[A-Za-z]{3},? .*\d{2}:\d{2}:\d{2}/.test(value)) return undefined
  const date = Date.parse(value)
  if (Number.isNaN(date)) return undefined
  return Math.max(0, date - now)
}
