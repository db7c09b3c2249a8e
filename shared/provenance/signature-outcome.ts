/**
 * What checking one signature can conclude. The report keeps `verified` (true, false or
 * null); the outcome says why, and is what the `provenance-*` rules turn into findings.
 *
 * @module
 */

export const SignatureOutcome = {
  /** A trusted key verifies the signature and the payload names this digest and repository. */
  Ok: 'ok',
  /**
   * The signature cannot be valid: it is not base64, not a well-formed signature for any
   * trusted key's algorithm, or (keyless) it does not verify against its own certificate.
   */
  BadSignature: 'bad-signature',
  /**
   * The signature is well-formed but no trusted key verifies it. Cryptographically this is
   * the same as a tampered payload or signature: without the signer's key nobody can tell
   * "signed by someone else" from "altered", so both land here.
   */
  UnknownKey: 'unknown-key',
  /** The signature verifies but its payload is not the document it should be. */
  BadPayload: 'bad-payload',
  /** The signature verifies but its payload names another image digest. */
  WrongDigest: 'wrong-digest',
  /** The signature verifies but its payload names another repository. */
  WrongRepository: 'wrong-repository',
  /** No trusted key is configured, so nothing can be concluded. */
  NoTrustedKeys: 'no-trusted-keys',
  /** A keyless (Fulcio certificate) signature that is consistent but not verified offline. */
  Keyless: 'keyless',
} as const

export type SignatureOutcome = (typeof SignatureOutcome)[keyof typeof SignatureOutcome]

/** The result of checking one signature. */
export interface SignatureVerification {
  /** true: verified by a trusted key; false: proven invalid or not by a trusted key; null: unknown. */
  verified: boolean | null
  outcome: SignatureOutcome
  /** The trusted key's name or fingerprint, or the certificate's identity (SAN) for keyless signatures. */
  signer?: string
  /** Why the signature is not verified, for the report. */
  error?: string
}

/** Outcomes that prove the signature wrong, whoever made it (`provenance-signature-invalid`). */
export function isInvalidOutcome(outcome: SignatureOutcome): boolean {
  switch (outcome) {
    case SignatureOutcome.BadSignature:
    case SignatureOutcome.BadPayload:
    case SignatureOutcome.WrongDigest:
    case SignatureOutcome.WrongRepository:
      return true
    case SignatureOutcome.Ok:
    case SignatureOutcome.UnknownKey:
    case SignatureOutcome.NoTrustedKeys:
    case SignatureOutcome.Keyless:
      return false
    default: {
      const unreachable: never = outcome
      return unreachable
    }
  }
}
