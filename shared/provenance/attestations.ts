/**
 * BuildKit attestations stored in the image index, and summarising any attestation blob
 * into the report's `provenance.attestations[]` and `provenance.sboms[]`.
 *
 * BuildKit (`docker buildx build --provenance/--sbom`) adds, after the runnable manifests of
 * the index, one attestation manifest per image: platform `unknown/unknown`, annotations
 * `vnd.docker.reference.type: attestation-manifest` and `vnd.docker.reference.digest: <the
 * image manifest it attests>`. Its layers are in-toto statements (`application/vnd.in-toto+json`,
 * not DSSE-wrapped and not signed), each annotated `in-toto.io/predicate-type`, so a reader
 * can pick the provenance and skip a large SBOM. A manifest whose reference type is anything
 * else must be ignored; so must layers of unknown media types.
 *
 * @see https://github.com/moby/buildkit/blob/master/docs/attestations/attestation-storage.md
 * @module
 */
import { isDigest, type Digest } from '../image/digest.js'
import type { Descriptor, ImageIndex, ImageManifest } from '../image/manifest.js'
import { MediaType } from '../image/media-types.js'
import type { Provenance } from '../report/model.js'
import { isObject, parseJsonBytes, type Fail } from '../shape.js'
import { CosignAnnotation } from './cosign.js'
import { DSSE_ENVELOPE_MEDIA_TYPE, IN_TOTO_PAYLOAD_TYPE, isDsseEnvelope, parseDsseEnvelope } from './dsse.js'
import {
  parseInTotoStatement,
  predicateKind,
  PREDICATE_TYPE_ANNOTATION,
  sbomFormatOfPredicate,
  subjectDigests,
  summariseProvenance,
  type PredicateKind,
} from './in-toto.js'
import { ProvenanceError, ProvenanceErrorCode } from './provenance-error.js'

export const REFERENCE_TYPE_ANNOTATION = 'vnd.docker.reference.type'
export const REFERENCE_DIGEST_ANNOTATION = 'vnd.docker.reference.digest'
export const ATTESTATION_MANIFEST_TYPE = 'attestation-manifest'

/** An attestation manifest of an index and the image it attests. */
export interface AttestationManifestRef {
  descriptor: Descriptor
  /** `vnd.docker.reference.digest`, when it is a digest. */
  attests?: Digest
  /** True when `attests` is the digest of a (non-attestation) manifest of the same index. */
  attestsManifestInIndex: boolean
}

function isAttestationDescriptor(descriptor: Descriptor): boolean {
  return descriptor.annotations?.[REFERENCE_TYPE_ANNOTATION] === ATTESTATION_MANIFEST_TYPE
}

/**
 * The BuildKit attestation manifests of an index, in index order, with the image each
 * attests. Selection is by the `vnd.docker.reference.type` annotation (the platform
 * `unknown/unknown` is expected but not required, since copies between registries have been
 * seen to drop platforms).
 */
export function attestationManifests(index: ImageIndex): AttestationManifestRef[] {
  const images = new Set(index.manifests.filter((d) => !isAttestationDescriptor(d)).map((d) => d.digest as string))
  return index.manifests.filter(isAttestationDescriptor).map((descriptor) => {
    const reference = descriptor.annotations?.[REFERENCE_DIGEST_ANNOTATION]
    const ref: AttestationManifestRef = { descriptor, attestsManifestInIndex: false }
    if (reference !== undefined && isDigest(reference)) {
      ref.attests = reference
      ref.attestsManifestInIndex = images.has(reference)
    }
    return ref
  })
}

/** The attestation manifests of an index that attest the image `imageDigest`. */
export function attestationManifestsFor(index: ImageIndex, imageDigest: string): Descriptor[] {
  return attestationManifests(index)
    .filter((ref) => ref.attests === imageDigest)
    .map((ref) => ref.descriptor)
}

/** One attestation blob of an attestation manifest: what to fetch. */
export interface AttestationLayer {
  descriptor: Descriptor
  /** From the layer's annotation; the statement inside is authoritative. */
  predicateType?: string
  /** What the annotation says it is; `other` when there is no annotation. */
  kind: PredicateKind
  /** True for DSSE envelopes (cosign `.att` layers), false for bare statements (BuildKit). */
  envelope: boolean
}

/**
 * The attestation layers of an attestation manifest: bare in-toto statements
 * (`application/vnd.in-toto+json`, BuildKit) and DSSE envelopes
 * (`application/vnd.dsse.envelope.v1+json`, cosign `.att` manifests), with the predicate type
 * from `in-toto.io/predicate-type` or cosign's `predicateType` annotation. Other layers are skipped.
 */
export function attestationLayers(manifest: ImageManifest): AttestationLayer[] {
  return manifest.layers.flatMap((descriptor) => {
    const envelope = descriptor.mediaType === DSSE_ENVELOPE_MEDIA_TYPE
    if (descriptor.mediaType !== MediaType.InToto && !envelope) return []
    const predicateType = descriptor.annotations?.[PREDICATE_TYPE_ANNOTATION] ?? descriptor.annotations?.[CosignAnnotation.PredicateType]
    const layer: AttestationLayer = { descriptor, kind: predicateType ? predicateKind(predicateType) : 'other', envelope }
    if (predicateType) layer.predicateType = predicateType
    return [layer]
  })
}

type Via = Provenance['attestations'][number]['via']

/** What one attestation blob contributes to the report. */
export interface AttestationSummary {
  attestations: Provenance['attestations']
  sboms: Provenance['sboms']
  /** The statement's subjects (`sha256:…`): the caller checks the image is among them. */
  subjects: string[]
}

const fail: Fail = (message) => {
  throw new ProvenanceError(ProvenanceErrorCode.AttestationInvalid, message)
}

/**
 * Summarises one attestation blob (a bare in-toto statement or a DSSE envelope of one) into
 * report entries: an SBOM predicate becomes a `sboms[]` item with its format; any other
 * predicate an `attestations[]` item, with builder and source for SLSA provenance. Signatures
 * of an envelope are not checked here (see `verifyCosignAttestation`).
 *
 * @param artifact the digest of the manifest holding the blob
 * @throws ProvenanceError `ATTESTATION_INVALID` when the blob is neither.
 */
export function summariseAttestation(layerBytes: Uint8Array, artifact: string, via: Via = 'index'): AttestationSummary {
  const json = parseJsonBytes(layerBytes, 'attestation', fail)
  let statementJson: unknown = json
  if (isDsseEnvelope(json)) {
    const envelope = parseDsseEnvelope(json)
    if (envelope.payloadType !== IN_TOTO_PAYLOAD_TYPE) fail(`the envelope's payload type is "${envelope.payloadType}", not in-toto`)
    statementJson = parseJsonBytes(envelope.payload, 'attestation payload', fail)
  } else if (!isObject(json)) {
    fail('attestation must be an in-toto statement or a DSSE envelope')
  }
  const statement = parseInTotoStatement(statementJson)
  const subjects = subjectDigests(statement)
  const format = sbomFormatOfPredicate(statement.predicateType)
  if (format) return { attestations: [], sboms: [{ format, artifact, via }], subjects }
  const entry: Provenance['attestations'][number] = { predicateType: statement.predicateType, artifact, via }
  if (predicateKind(statement.predicateType) === 'provenance') {
    const summary = summariseProvenance(statement)
    if (summary.builder !== undefined) entry.builder = summary.builder
    if (summary.sourceRepository !== undefined) entry.sourceRepository = summary.sourceRepository
    if (summary.sourceRevision !== undefined) entry.sourceRevision = summary.sourceRevision
  }
  return { attestations: [entry], sboms: [], subjects }
}
