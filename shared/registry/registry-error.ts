/**
 * Errors from talking to a registry, carrying what the registry said: the HTTP status, its
 * structured `errors` body, `Retry-After` and rate-limit headers.
 *
 * @module
 */
import { ErrorCode, PushscanError, type PushscanErrorOptions } from '../errors.js'
import type { RateLimit } from './rate-limit.js'

/** One entry of a registry's `{"errors": [...]}` body (distribution-spec error codes). */
export interface RegistryErrorDetail {
  code: string
  message?: string
}

export interface RegistryErrorOptions extends PushscanErrorOptions {
  status?: number
  details?: RegistryErrorDetail[]
  retryAfterMs?: number
  rateLimit?: RateLimit
}

export class RegistryError extends PushscanError {
  override name = 'RegistryError'
  readonly status: number | undefined
  readonly details: RegistryErrorDetail[]
  readonly retryAfterMs: number | undefined
  readonly rateLimit: RateLimit | undefined

  constructor(code: ErrorCode, message: string, options: RegistryErrorOptions = {}) {
    super(code, message, options)
    this.status = options.status
    this.details = options.details ?? []
    this.retryAfterMs = options.retryAfterMs
    this.rateLimit = options.rateLimit
  }
}

/** Statuses worth retrying: timeouts, throttling and server-side failures. */
export function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 429 || (status >= 500 && status <= 599 && status !== 501 && status !== 505)
}

/** The error code for a final HTTP status. */
export function codeForStatus(status: number, what: 'manifest' | 'blob' | 'other'): ErrorCode {
  if (status === 401) return ErrorCode.Unauthorized
  if (status === 403) return ErrorCode.Denied
  if (status === 404) return what === 'manifest' ? ErrorCode.ManifestUnknown : what === 'blob' ? ErrorCode.BlobUnknown : ErrorCode.RegistryError
  if (status === 408) return ErrorCode.RegistryTimeout
  if (status === 429) return ErrorCode.RateLimited
  if (status >= 500) return ErrorCode.RegistryUnavailable
  return ErrorCode.RegistryError
}

/** Parses a registry error body, tolerating anything. */
export function parseErrorBody(text: string): RegistryErrorDetail[] {
  try {
    const json: unknown = JSON.parse(text)
    if (typeof json !== 'object' || json === null || !Array.isArray((json as { errors?: unknown }).errors)) return []
    return ((json as { errors: unknown[] }).errors)
      .filter((e): e is Record<string, unknown> => typeof e === 'object' && e !== null)
      .map((e) => ({ code: String(e.code ?? 'UNKNOWN'), ...(typeof e.message === 'string' ? { message: e.message } : {}) }))
      .slice(0, 10)
  } catch {
    return []
  }
}
