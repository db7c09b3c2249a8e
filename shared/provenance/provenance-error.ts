/**
 * Errors of the provenance core: signature manifests, in-toto statements, DSSE envelopes,
 * referrers responses and trusted keys that do not parse.
 *
 * Verification *results* are never errors: a signature that does not verify is a
 * {@link SignatureVerification} with `verified: false`, because the scan reports it and goes
 * on. These errors are for input that cannot be read at all; the scan records them in
 * `report.errors` (or, for a bad trusted key, refuses the configuration).
 *
 * @module
 */
import { ErrorCode, PushscanError, type PushscanErrorOptions } from '../errors.js'

/** The stable codes of this module (members of {@link ErrorCode}). */
export const ProvenanceErrorCode = {
  /** A cosign signature manifest or simple-signing payload that is malformed. */
  SignatureInvalid: ErrorCode.SignatureInvalid,
  /** An in-toto statement, DSSE envelope or attestation manifest that is malformed. */
  AttestationInvalid: ErrorCode.AttestationInvalid,
  /** A referrers response (or referrers-tag index) that is not an image index. */
  ReferrersInvalid: ErrorCode.ReferrersInvalid,
  /** A configured trusted public key that does not parse. */
  TrustedKeyInvalid: ErrorCode.TrustedKeyInvalid,
} as const

export type ProvenanceErrorCode = (typeof ProvenanceErrorCode)[keyof typeof ProvenanceErrorCode]

/** Provenance input that cannot be read. Always permanent: fetching it again gives the same bytes. */
export class ProvenanceError extends PushscanError {
  override name = 'ProvenanceError'

  constructor(code: ProvenanceErrorCode, message: string, options: PushscanErrorOptions = {}) {
    super(code, message, options)
  }
}
