/**
 * When and how long to wait before retrying a registry request: exponential backoff with
 * full jitter, overridden by the registry's own `Retry-After`.
 *
 * @module
 */

export interface RetryPolicy {
  /** Attempts in all, the first included. */
  attempts: number
  /** The first backoff ceiling; it doubles with each attempt. */
  baseDelayMs: number
  /** The largest backoff ceiling. */
  maxDelayMs: number
  /** A `Retry-After` longer than this is not waited for: the error goes back to the queue. */
  maxRetryAfterMs: number
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  attempts: 4,
  baseDelayMs: 250,
  maxDelayMs: 8_000,
  maxRetryAfterMs: 60_000,
}

/** Full jitter: a uniform delay between 0 and min(max, base · 2^attempt). */
export function backoffDelay(policy: RetryPolicy, attempt: number, random: () => number = Math.random): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** attempt)
  return Math.floor(random() * ceiling)
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))
