/**
 * The provenance core: signatures (cosign, DSSE), attestations (in-toto, SLSA, SBOMs),
 * referrers, the base image and tag movement. Pure functions over bytes the scan fetched.
 *
 * @module
 */
export { ProvenanceError, ProvenanceErrorCode } from './provenance-error.js'
export { SignatureOutcome, isInvalidOutcome, type SignatureVerification } from './signature-outcome.js'
export {
  decodeBase64,
  keyFingerprint,
  loadTrustedKeys,
  signatureFitsKey,
  signerName,
  verifyWithKey,
  verifyWithTrustedKeys,
  type KeyMatch,
  type TrustedKey,
  type TrustedKeyInput,
} from './trusted-keys.js'
export { certificateIdentity, parseSubjectAltName, readCertificate, type AltName } from './certificate.js'
export {
  CosignAnnotation,
  CosignMediaType,
  SIMPLE_SIGNING_TYPES,
  cosignSignatureEntry,
  cosignTag,
  parseCosignSignatureManifest,
  parseSimpleSigningPayload,
  referrersFallbackTag,
  repositoryName,
  verifyCosignAttestation,
  verifyCosignSignature,
  type CosignAttestationVerifyInput,
  type CosignSignatureLayer,
  type CosignTagKind,
  type CosignVerifyInput,
  type RekorBundle,
  type SimpleSigningPayload,
} from './cosign.js'
export {
  DSSE_ENVELOPE_MEDIA_TYPE,
  IN_TOTO_PAYLOAD_TYPE,
  isDsseEnvelope,
  pae,
  parseDsseEnvelope,
  verifyDsseEnvelope,
  type DsseEnvelope,
  type DsseSignature,
} from './dsse.js'
export {
  InTotoStatementType,
  PREDICATE_TYPE_ANNOTATION,
  PredicateType,
  normaliseSourceUri,
  parseInTotoStatement,
  predicateKind,
  sbomFormatOfPredicate,
  statementNamesDigest,
  subjectDigests,
  summariseProvenance,
  type InTotoStatement,
  type PredicateKind,
  type ProvenanceSummary,
  type SbomFormat,
  type StatementSubject,
} from './in-toto.js'
export {
  ATTESTATION_MANIFEST_TYPE,
  REFERENCE_DIGEST_ANNOTATION,
  REFERENCE_TYPE_ANNOTATION,
  attestationLayers,
  attestationManifests,
  attestationManifestsFor,
  summariseAttestation,
  type AttestationLayer,
  type AttestationManifestRef,
  type AttestationSummary,
} from './attestations.js'
export {
  ArtifactType,
  ReferrerKind,
  SIGSTORE_BUNDLE_PREDICATE_ANNOTATION,
  classifyReferrer,
  classifyReferrers,
  parseReferrers,
  sbomFormatOfMediaType,
  type Referrer,
} from './referrers.js'
export {
  BASE_DIGEST_KEY,
  BASE_NAME_KEY,
  baseLayersFromHistory,
  commonPrefixLength,
  compareWithBase,
  declaredBase,
  guessBaseFromHistory,
  instructionOf,
  type BaseComparison,
  type DeclaredBase,
  type HistoryBaseGuess,
} from './base-image.js'
export { compareTagLayers, type BaseBoundary, type TagMovement } from './tag-movement.js'
export { CREATED_KEY, REVISION_KEY, SOURCE_KEY, declaredSource } from './source.js'
export {
  baseImageFindings,
  provenanceBaseMismatch,
  provenanceRules,
  provenanceSignatureInvalid,
  provenanceSignatureUnknownKey,
  provenanceTagMovedBaseChanged,
  provenanceUnsigned,
  signatureFindings,
  tagMovementFindings,
  type CheckedSignature,
} from './provenance-rules.js'
