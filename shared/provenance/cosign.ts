/**
 * cosign signatures and attestations stored in the registry beside the image.
 *
 * Where cosign stores them (tag scheme, used when the registry has no referrers API or
 * cosign was not asked to use it): the signature manifest of image `sha256:<hex>` is tagged
 * `sha256-<hex>.sig` in the same repository, attestations `sha256-<hex>.att`, attached SBOMs
 * `sha256-<hex>.sbom`. A signature manifest has one layer per signature, of media type
 * `application/vnd.dev.cosign.simplesigning.v1+json`, whose blob is the signed payload and
 * whose annotations carry the signature and its material:
 *
 * | annotation | value |
 * |---|---|
 * | `dev.cosignproject.cosign/signature` | base64 of the signature over the exact payload bytes (ECDSA: ASN.1 DER) |
 * | `dev.sigstore.cosign/certificate` | PEM signing certificate (keyless, from Fulcio) |
 * | `dev.sigstore.cosign/chain` | PEM chain up to the Fulcio root |
 * | `dev.sigstore.cosign/bundle` | Rekor bundle JSON: `{SignedEntryTimestamp, Payload: {body, integratedTime, logIndex, logID}}` |
 * | `dev.sigstore.cosign/rfc3161timestamp` | RFC 3161 timestamp bundle JSON |
 *
 * The payload is the "simple signing" document (from containers/image):
 * `{"critical": {"identity": {"docker-reference": REPO}, "image": {"docker-manifest-digest": DIGEST},
 * "type": "cosign container image signature"}, "optional": {…}|null}`.
 *
 * ## Why keyless signatures are not verified here
 *
 * A keyless signature is made with a short-lived key whose certificate Fulcio issued for an
 * OIDC identity. Checking the signature against the certificate's key (done here) proves
 * only that whoever holds the certificate signed the payload; anyone can mint a
 * self-signed certificate naming any e-mail. Trusting it needs, offline:
 * 1. the Sigstore trust root (Fulcio root and intermediate certificates, Rekor and CT log
 *    public keys; `trusted_root.json`, distributed and rotated through Sigstore's TUF
 *    repository) to verify the certificate chain;
 * 2. a trusted signing time inside the certificate's ~10-minute validity: the Rekor bundle's
 *    SignedEntryTimestamp (Rekor's ECDSA signature over the canonical JSON of the bundle
 *    payload) or an RFC 3161 timestamp, verified with keys from the trust root, and a check
 *    that the Rekor entry body (a `hashedrekord`) names this signature, payload hash and
 *    certificate;
 * 3. the certificate's embedded SCT, verified against the CT log key;
 * 4. a policy: which identities (SAN) and OIDC issuers (Fulcio extension
 *    1.3.6.1.4.1.57264.1.1 / .1.8) are trusted for this repository.
 * That is a pinned trust root plus an identity policy in the configuration and an X.509
 * chain, SCT and Rekor SET verifier; until then keyless signatures are reported as present,
 * consistent with their certificate, and unverified (`verified: null`) with the signer's SAN.
 *
 * @see https://github.com/sigstore/cosign/blob/main/specs/SIGNATURE_SPEC.md
 * @see https://github.com/containers/image/blob/main/docs/containers-signature.5.md
 * @module
 */
import type { KeyObject } from 'node:crypto'
import type { Descriptor, ImageManifest } from '../image/manifest.js'
import { digestAlgorithm, digestHex, parseDigest } from '../image/digest.js'
import { parseReference } from '../image/reference.js'
import type { Provenance } from '../report/model.js'
import { expectInteger, expectObject, expectString, isObject, parseJsonBytes, type Fail } from '../shape.js'
import { certificateIdentity, readCertificate } from './certificate.js'
import { IN_TOTO_PAYLOAD_TYPE, pae, parseDsseEnvelope, verifyDsseEnvelope, type DsseEnvelope } from './dsse.js'
import { parseInTotoStatement, statementNamesDigest, type InTotoStatement } from './in-toto.js'
import { ProvenanceError, ProvenanceErrorCode } from './provenance-error.js'
import { SignatureOutcome, type SignatureVerification } from './signature-outcome.js'
import { decodeBase64, loadTrustedKeys, signerName, verifyWithKey, verifyWithTrustedKeys, type TrustedKeyInput } from './trusted-keys.js'

export const CosignMediaType = {
  /** A signature layer: the blob is the simple-signing payload. */
  SimpleSigning: 'application/vnd.dev.cosign.simplesigning.v1+json',
  /** The artifactType of a cosign signature manifest pushed as an OCI 1.1 referrer. */
  ArtifactSignature: 'application/vnd.dev.cosign.artifact.sig.v1+json',
} as const

export const CosignAnnotation = {
  Signature: 'dev.cosignproject.cosign/signature',
  Certificate: 'dev.sigstore.cosign/certificate',
  Chain: 'dev.sigstore.cosign/chain',
  Bundle: 'dev.sigstore.cosign/bundle',
  Rfc3161Timestamp: 'dev.sigstore.cosign/rfc3161timestamp',
  /** On attestation (`.att`) layers: the in-toto predicate type. */
  PredicateType: 'predicateType',
} as const

/** The `critical.type` cosign writes; `atomic container signature` is the containers/image original. */
export const SIMPLE_SIGNING_TYPES = ['cosign container image signature', 'atomic container signature'] as const

export type CosignTagKind = 'sig' | 'att' | 'sbom'

/**
 * The tag cosign stores a digest's signatures (`sig`), attestations (`att`) or SBOM (`sbom`) under.
 *
 * @throws InputError `REFERENCE_INVALID` when `digest` is not a digest.
 * @example cosignTag('sha256:abc…', 'sig') // 'sha256-abc….sig'
 */
export function cosignTag(digest: string, kind: CosignTagKind): string {
  const parsed = parseDigest(digest)
  return `${digestAlgorithm(parsed)}-${digestHex(parsed)}.${kind}`
}

/**
 * The referrers tag schema of OCI distribution-spec 1.1: where a client without the
 * referrers API finds the index listing a digest's referrers (`<alg>-<ref>`, the reference
 * limited to 64 characters).
 *
 * @see https://github.com/opencontainers/distribution-spec/blob/main/spec.md#referrers-tag-schema
 * @example referrersFallbackTag('sha256:abc…') // 'sha256-abc…'
 */
export function referrersFallbackTag(digest: string): string {
  const parsed = parseDigest(digest)
  return `${digestAlgorithm(parsed)}-${digestHex(parsed).slice(0, 64)}`
}

/** The Rekor transparency-log bundle of a signature. */
export interface RekorBundle {
  /** base64 of Rekor's signature over the canonical JSON of `payload`. */
  signedEntryTimestamp: string
  payload: {
    /** base64 of the log entry body. */
    body: string
    integratedTime: number
    logIndex: number
    logId: string
  }
}

/** One signature of a cosign signature manifest. */
export interface CosignSignatureLayer {
  /** The layer: its blob is the payload to fetch and verify. */
  payloadDescriptor: Descriptor
  /** base64 signature, as found. */
  signature: string
  /** PEM signing certificate: present for keyless signatures. */
  certificate?: string
  /** PEM certificate chain. */
  chain?: string
  bundle?: RekorBundle
  /** The RFC 3161 timestamp JSON, as found. */
  rfc3161Timestamp?: string
}

const failSignature: Fail = (message) => {
  throw new ProvenanceError(ProvenanceErrorCode.SignatureInvalid, message)
}

/**
 * The signatures of a cosign signature manifest: each simple-signing layer with its
 * annotations. Layers of other media types are ignored.
 *
 * @throws ProvenanceError `SIGNATURE_INVALID` when a simple-signing layer has no signature
 *   or a bundle that is not a Rekor bundle.
 */
export function parseCosignSignatureManifest(manifest: ImageManifest): CosignSignatureLayer[] {
  return manifest.layers.flatMap((layer, i) => {
    if (layer.mediaType !== CosignMediaType.SimpleSigning) return []
    const annotations = layer.annotations ?? {}
    const signature = annotations[CosignAnnotation.Signature]
    if (!signature) failSignature(`layer ${i} (${layer.digest}) has no ${CosignAnnotation.Signature} annotation`)
    const parsed: CosignSignatureLayer = { payloadDescriptor: layer, signature: signature! }
    const certificate = annotations[CosignAnnotation.Certificate]
    if (certificate) parsed.certificate = certificate
    const chain = annotations[CosignAnnotation.Chain]
    if (chain) parsed.chain = chain
    const bundle = annotations[CosignAnnotation.Bundle]
    if (bundle) parsed.bundle = parseRekorBundle(bundle, `layer ${i} bundle`)
    const timestamp = annotations[CosignAnnotation.Rfc3161Timestamp]
    if (timestamp) parsed.rfc3161Timestamp = timestamp
    return [parsed]
  })
}

function parseRekorBundle(text: string, at: string): RekorBundle {
  const json = expectObject(parseJsonBytes(new TextEncoder().encode(text), at, failSignature), at, failSignature)
  const payload = expectObject(json.Payload, `${at}.Payload`, failSignature)
  return {
    signedEntryTimestamp: expectString(json.SignedEntryTimestamp, `${at}.SignedEntryTimestamp`, failSignature),
    payload: {
      body: expectString(payload.body, `${at}.Payload.body`, failSignature),
      integratedTime: expectInteger(payload.integratedTime, `${at}.Payload.integratedTime`, failSignature),
      logIndex: expectInteger(payload.logIndex, `${at}.Payload.logIndex`, failSignature),
      logId: expectString(payload.logID, `${at}.Payload.logID`, failSignature),
    },
  }
}

/** The simple-signing payload cosign signs. */
export interface SimpleSigningPayload {
  /** `critical.identity.docker-reference`: the repository signed (cosign: without tag). */
  dockerReference: string
  /** `critical.image.docker-manifest-digest`: the manifest digest signed. */
  dockerManifestDigest: string
  /** `critical.type`. */
  type: string
  /** `optional`: free-form annotations given to `cosign sign -a`. */
  optional: Record<string, unknown> | null
}

/**
 * Parses a simple-signing payload.
 *
 * @throws ProvenanceError `SIGNATURE_INVALID` when it is not one.
 */
export function parseSimpleSigningPayload(bytes: Uint8Array): SimpleSigningPayload {
  const json = expectObject(parseJsonBytes(bytes, 'signature payload', failSignature), 'payload', failSignature)
  const critical = expectObject(json.critical, 'payload.critical', failSignature)
  const identity = expectObject(critical.identity, 'payload.critical.identity', failSignature)
  const image = expectObject(critical.image, 'payload.critical.image', failSignature)
  const type = expectString(critical.type, 'payload.critical.type', failSignature)
  if (!(SIMPLE_SIGNING_TYPES as readonly string[]).includes(type)) failSignature(`payload.critical.type "${type}" is not a container image signature`)
  const optional = json.optional
  if (optional !== undefined && optional !== null && !isObject(optional)) failSignature('payload.optional must be an object or null')
  return {
    dockerReference: expectString(identity['docker-reference'], 'payload.critical.identity.docker-reference', failSignature),
    dockerManifestDigest: expectString(image['docker-manifest-digest'], 'payload.critical.image.docker-manifest-digest', failSignature),
    type,
    optional: isObject(optional) ? optional : null,
  }
}

/**
 * A reference's repository in normalised form, `registry/repository`, without tag or digest:
 * `index.docker.io/library/x`, `docker.io/x:1` and `x@sha256:…` all give `docker.io/library/x`.
 * A string that does not parse as a reference is only trimmed and lower-cased.
 */
export function repositoryName(reference: string): string {
  try {
    const ref = parseReference(reference.trim())
    return `${ref.registry}/${ref.repository}`
  } catch {
    return reference.trim().toLowerCase()
  }
}

export interface CosignVerifyInput {
  /** The payload blob: the exact bytes fetched (never re-serialised). */
  payload: Uint8Array
  /** The `dev.cosignproject.cosign/signature` annotation. */
  signatureBase64: string
  /** Trusted keys (PEM or KeyObject). Empty: nothing is verified (`verified: null`). */
  publicKeys: readonly TrustedKeyInput[]
  /** The digest of the image scanned. */
  expectedDigest: string
  /**
   * The repository scanned (`docker.io/library/nginx`, `ghcr.io/o/app`), or several names the
   * image is known by (a mirror and its origin: cosign keeps the origin's name in the payload).
   */
  expectedRepository: string | readonly string[]
  /** The `dev.sigstore.cosign/certificate` annotation: makes the signature keyless. */
  certificate?: string
}

/**
 * Verifies a cosign signature the way `cosign verify --key` does, then binds it to the image:
 * the signature must verify over the exact payload bytes with a trusted key, and the payload
 * must name `expectedDigest` and `expectedRepository` (compared after normalisation by
 * {@link repositoryName}).
 *
 * `verified` follows the report's contract: null whenever no trusted key is configured and
 * for consistent keyless signatures; otherwise true only for `ok`. The outcome says what was
 * found either way, and a keyless signature that contradicts its own certificate or names
 * another image is `bad-signature`/`wrong-*` even with no keys configured.
 *
 * @throws ProvenanceError `TRUSTED_KEY_INVALID` when a configured key does not parse.
 */
export function verifyCosignSignature(input: CosignVerifyInput): SignatureVerification {
  const keys = loadTrustedKeys(input.publicKeys)
  const keysConfigured = keys.length > 0
  const signature = decodeBase64(input.signatureBase64)

  if (input.certificate !== undefined) {
    return verifyKeyless(input.certificate, keysConfigured, (key) => signature !== undefined && verifyWithKey(key, input.payload, signature), () =>
      claimsProblem(input.payload, input.expectedDigest, input.expectedRepository)
    )
  }
  if (!keysConfigured) return { verified: null, outcome: SignatureOutcome.NoTrustedKeys, error: 'no trusted keys configured' }
  if (!signature) return { verified: false, outcome: SignatureOutcome.BadSignature, error: 'the signature is not base64' }
  const match = verifyWithTrustedKeys(keys, input.payload, signature)
  if (!match.key) {
    return match.wellFormed
      ? { verified: false, outcome: SignatureOutcome.UnknownKey, error: 'no trusted key verifies the signature' }
      : { verified: false, outcome: SignatureOutcome.BadSignature, error: 'the signature is not well-formed for any trusted key' }
  }
  const signer = signerName(match.key)
  const problem = claimsProblem(input.payload, input.expectedDigest, input.expectedRepository)
  if (problem) return { verified: false, ...problem, signer }
  return { verified: true, outcome: SignatureOutcome.Ok, signer }
}

type ClaimsProblem = { outcome: SignatureOutcome; error: string }

function claimsProblem(payloadBytes: Uint8Array, expectedDigest: string, expectedRepository: string | readonly string[]): ClaimsProblem | undefined {
  let payload: SimpleSigningPayload
  try {
    payload = parseSimpleSigningPayload(payloadBytes)
  } catch (error) {
    return { outcome: SignatureOutcome.BadPayload, error: `the signed payload is not a simple-signing document: ${(error as Error).message}` }
  }
  if (payload.dockerManifestDigest.trim().toLowerCase() !== expectedDigest.toLowerCase()) {
    return { outcome: SignatureOutcome.WrongDigest, error: `the signature is for ${payload.dockerManifestDigest}, not ${expectedDigest}` }
  }
  const expected = (typeof expectedRepository === 'string' ? [expectedRepository] : expectedRepository).map(repositoryName)
  const signed = repositoryName(payload.dockerReference)
  if (!expected.includes(signed)) {
    return { outcome: SignatureOutcome.WrongRepository, error: `the signature is for repository ${signed}, not ${expected.join(' or ')}` }
  }
  return undefined
}

/**
 * A keyless signature: checked against its own certificate's key, then its claims; never
 * verified (see the module documentation for what trusting it would take).
 */
function verifyKeyless(
  certificatePem: string,
  keysConfigured: boolean,
  verifies: (key: KeyObject) => boolean,
  claims: () => ClaimsProblem | undefined
): SignatureVerification {
  const falseIfKeys = keysConfigured ? false : null
  const certificate = readCertificate(certificatePem)
  if (!certificate) return { verified: falseIfKeys, outcome: SignatureOutcome.BadSignature, error: 'the signing certificate does not parse' }
  const signer = certificateIdentity(certificate)
  if (!verifies(certificate.publicKey)) {
    return { verified: falseIfKeys, outcome: SignatureOutcome.BadSignature, signer, error: 'the signature does not verify against its certificate' }
  }
  const problem = claims()
  if (problem) return { verified: falseIfKeys, ...problem, signer }
  return { verified: null, outcome: SignatureOutcome.Keyless, signer, error: 'keyless signatures are not verified offline' }
}

export interface CosignAttestationVerifyInput {
  /** The attestation layer blob (`application/vnd.dsse.envelope.v1+json`). */
  envelope: Uint8Array
  publicKeys: readonly TrustedKeyInput[]
  /** The digest of the image scanned: the statement must name it as a subject. */
  expectedDigest: string
  /** The layer's `dev.sigstore.cosign/certificate` annotation, for keyless attestations. */
  certificate?: string
}

/**
 * Verifies a cosign attestation (`cosign attest`, the `.att` tag): a DSSE envelope of an
 * in-toto statement, signed over the PAE. The payload type must be in-toto and the statement
 * must name the image digest (`wrong-digest` otherwise); there is no repository in a
 * statement. Returns the statement when it parses, so the caller can summarise it.
 */
export function verifyCosignAttestation(input: CosignAttestationVerifyInput): SignatureVerification & { statement?: InTotoStatement } {
  const keysConfigured = loadTrustedKeys(input.publicKeys).length > 0
  const falseIfKeys = keysConfigured ? false : null
  let envelope: DsseEnvelope
  try {
    envelope = parseDsseEnvelope(input.envelope)
  } catch (error) {
    return { verified: falseIfKeys, outcome: SignatureOutcome.BadSignature, error: (error as Error).message }
  }
  let statement: InTotoStatement | undefined
  const claims = (): ClaimsProblem | undefined => {
    if (envelope.payloadType !== IN_TOTO_PAYLOAD_TYPE) {
      return { outcome: SignatureOutcome.BadPayload, error: `the envelope's payload type is "${envelope.payloadType}", not in-toto` }
    }
    try {
      statement = parseInTotoStatement(envelope.payload)
    } catch (error) {
      return { outcome: SignatureOutcome.BadPayload, error: (error as Error).message }
    }
    if (!statementNamesDigest(statement, input.expectedDigest)) {
      return { outcome: SignatureOutcome.WrongDigest, error: `the attestation's subjects do not include ${input.expectedDigest}` }
    }
    return undefined
  }

  let result: SignatureVerification
  if (input.certificate !== undefined) {
    const data = pae(envelope.payloadType, envelope.payload)
    result = verifyKeyless(
      input.certificate,
      keysConfigured,
      (key) =>
        envelope.signatures.some((signature) => {
          const bytes = decodeBase64(signature.sig)
          return bytes !== undefined && verifyWithKey(key, data, bytes)
        }),
      claims
    )
  } else {
    result = verifyDsseEnvelope(envelope, input.publicKeys)
    if (result.outcome === SignatureOutcome.Ok) {
      const problem = claims()
      if (problem) result = { verified: false, ...problem, ...(result.signer === undefined ? {} : { signer: result.signer }) }
    }
  }
  if (statement === undefined) {
    try {
      statement = envelope.payloadType === IN_TOTO_PAYLOAD_TYPE ? parseInTotoStatement(envelope.payload) : undefined
    } catch {
      statement = undefined
    }
  }
  return statement === undefined ? result : { ...result, statement }
}

type SignatureEntry = Provenance['signatures'][number]

/**
 * The report's `provenance.signatures[]` item for a checked cosign signature.
 *
 * @param artifact the digest of the signature manifest
 */
export function cosignSignatureEntry(verification: SignatureVerification, artifact: string, via: SignatureEntry['via']): SignatureEntry {
  const entry: SignatureEntry = { format: 'cosign', artifact, via, verified: verification.verified }
  if (verification.signer !== undefined) entry.signer = verification.signer
  if (verification.error !== undefined) entry.error = verification.error
  return entry
}
