/**
 * Errors of the vulnerability data import: a source that cannot be found, reached, read or
 * that is too large.
 *
 * @module
 */
import { ErrorCode, PushscanError } from '../../errors.js'

/** Stable codes of the importer. Users' scripts match on these: never rename one. */
export const VulnSourceErrorCode = {
  /** A path that does not exist, a URL answering 404 or 410. */
  NotFound: ErrorCode.VulnSourceNotFound,
  /** A URL that cannot be fetched (network, timeouts, 5xx: temporary). */
  Unavailable: ErrorCode.VulnSourceUnavailable,
  /** Not a directory, a zip or a JSON record; a corrupt or hostile zip; an unsupported URL scheme. */
  Invalid: ErrorCode.VulnSourceInvalid,
  /** Over a limit: archive bytes, record count, one record's bytes, uncompressed total. */
  TooLarge: ErrorCode.VulnSourceTooLarge,
} as const

export type VulnSourceErrorCode = (typeof VulnSourceErrorCode)[keyof typeof VulnSourceErrorCode]

/** A vulnerability data source that cannot be imported. */
export class VulnSourceError extends PushscanError {
  override name = 'VulnSourceError'

  constructor(code: VulnSourceErrorCode, message: string, options: { cause?: unknown; temporary?: boolean } = {}) {
    super(code, message, options)
  }
}
