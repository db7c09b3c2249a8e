/**
 * Errors raised by the vulnerability-matching core (`shared/vulns/`).
 *
 * @module
 */
import { ErrorCode, PushscanError } from '../errors.js'

/** Stable codes of the vulnerability core. Users' scripts match on these: never rename one. */
export const VulnErrorCode = {
  /** An OSV record (or a CVSS vector inside one) does not follow the OSV schema 1.x. */
  RecordInvalid: ErrorCode.VulnRecordInvalid,
  /** A serialised vulnerability index that does not parse, or has an unknown format version. */
  IndexInvalid: ErrorCode.VulnIndexInvalid,
  /** A version string that is not valid in the versioning scheme it was compared under. */
  VersionInvalid: ErrorCode.VersionInvalid,
  /** An OSV ecosystem whose version ordering pushscan does not implement. */
  EcosystemUnsupported: ErrorCode.EcosystemUnsupported,
} as const

export type VulnErrorCode = (typeof VulnErrorCode)[keyof typeof VulnErrorCode]

/** Bad vulnerability data: an OSV record, an index, a version or an ecosystem we cannot use. */
export class VulnDataError extends PushscanError {
  override name = 'VulnDataError'
  /** The same value as `code`, typed with the local vocabulary. */
  readonly vulnCode: VulnErrorCode

  constructor(code: VulnErrorCode, message: string, options: { cause?: unknown } = {}) {
    super(code, message, options)
    this.vulnCode = code
  }
}

/** Throws the `VERSION_INVALID` error for `version` under `scheme`. */
export function invalidVersion(scheme: string, version: string, why?: string): never {
  throw new VulnDataError(VulnErrorCode.VersionInvalid, `invalid ${scheme} version ${JSON.stringify(version)}${why ? `: ${why}` : ''}`)
}
