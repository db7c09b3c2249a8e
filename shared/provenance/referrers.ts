/**
 * OCI 1.1 referrers: the artifacts (signatures, attestations, SBOMs) whose manifests name an
 * image as their `subject`. `GET /v2/<name>/referrers/<digest>` answers an image index whose
 * `manifests[]` are the referrers' descriptors, each with the referrer's `artifactType` (or,
 * when it has none, its config media type) and its annotations; registries without that
 * API get the same index from the referrers tag (`sha256-<hex>`, see `referrersFallbackTag`).
 *
 * | artifactType | kind |
 * |---|---|
 * | `application/vnd.dev.cosign.artifact.sig.v1+json` | cosign signature (simple signing) |
 * | `application/vnd.dev.sigstore.bundle.v0.3+json` (and `…bundle+json;version=0.1/0.2`) | Sigstore bundle: a signature or a DSSE attestation with its certificate and log entry |
 * | `application/vnd.cncf.notary.signature` | Notary Project (notation) signature |
 * | `application/vnd.in-toto+json`, `application/vnd.dsse.envelope.v1+json` | in-toto attestation |
 * | `application/spdx+json`, `text/spdx…`, `application/vnd.cyclonedx+json`, `…+xml`, `application/vnd.syft+json` | SBOM |
 *
 * @see https://github.com/opencontainers/distribution-spec/blob/main/spec.md#listing-referrers
 * @see https://github.com/opencontainers/image-spec/blob/main/manifest.md#guidelines-for-artifact-usage
 * @module
 */
import { ManifestError } from '../errors.js'
import { parseManifest, type Descriptor, type ImageIndex } from '../image/manifest.js'
import { CosignMediaType } from './cosign.js'
import { DSSE_ENVELOPE_MEDIA_TYPE } from './dsse.js'
import { PREDICATE_TYPE_ANNOTATION, sbomFormatOfPredicate, type SbomFormat } from './in-toto.js'
import { ProvenanceError, ProvenanceErrorCode } from './provenance-error.js'

export const ReferrerKind = {
  CosignSignature: 'cosign-signature',
  SigstoreBundle: 'sigstore-bundle',
  NotationSignature: 'notation-signature',
  Attestation: 'attestation',
  Sbom: 'sbom',
  Other: 'other',
} as const
export type ReferrerKind = (typeof ReferrerKind)[keyof typeof ReferrerKind]

export const ArtifactType = {
  CosignSignature: CosignMediaType.ArtifactSignature,
  SigstoreBundleV03: 'application/vnd.dev.sigstore.bundle.v0.3+json',
  NotationSignature: 'application/vnd.cncf.notary.signature',
  InToto: 'application/vnd.in-toto+json',
  DsseEnvelope: DSSE_ENVELOPE_MEDIA_TYPE,
  SpdxJson: 'application/spdx+json',
  CycloneDxJson: 'application/vnd.cyclonedx+json',
} as const

/** The annotation cosign puts on Sigstore-bundle referrers naming what the bundle holds. */
export const SIGSTORE_BUNDLE_PREDICATE_ANNOTATION = 'dev.sigstore.bundle.predicateType'

const SBOM_MEDIA_TYPES: Readonly<Record<string, SbomFormat>> = {
  'application/spdx+json': 'spdx',
  'text/spdx': 'spdx',
  'text/spdx+json': 'spdx',
  'text/spdx+xml': 'spdx',
  'application/vnd.cyclonedx': 'cyclonedx',
  'application/vnd.cyclonedx+json': 'cyclonedx',
  'application/vnd.cyclonedx+xml': 'cyclonedx',
  'application/vnd.syft+json': 'syft',
}

/** The SBOM format a media type declares (`application/spdx+json` → `spdx`), ignoring parameters. */
export function sbomFormatOfMediaType(mediaType: string): SbomFormat | undefined {
  return SBOM_MEDIA_TYPES[mediaType.split(';')[0]!.trim().toLowerCase()]
}

function isSigstoreBundleType(type: string): boolean {
  return /^application\/vnd\.dev\.sigstore\.bundle(?:\.v0\.\d+)?\+json(?:;.*)?$/.test(type)
}

/** One referrer, classified. */
export interface Referrer {
  descriptor: Descriptor
  kind: ReferrerKind
  /** The descriptor's `artifactType`, else its media type. */
  artifactType: string
  /** For attestations and Sigstore bundles: the predicate type their annotations name. */
  predicateType?: string
  /** For SBOMs: the format. */
  sbomFormat?: SbomFormat
  /** `org.opencontainers.image.created`, when annotated. */
  created?: string
}

/** Classifies one descriptor of a referrers response by its artifactType. */
export function classifyReferrer(descriptor: Descriptor): Referrer {
  const artifactType = descriptor.artifactType ?? descriptor.mediaType
  const type = artifactType.toLowerCase()
  const annotations = descriptor.annotations ?? {}
  const referrer: Referrer = { descriptor, kind: ReferrerKind.Other, artifactType }
  const created = annotations['org.opencontainers.image.created']
  if (created) referrer.created = created
  const sbomFormat = sbomFormatOfMediaType(type)
  const predicateType = annotations[PREDICATE_TYPE_ANNOTATION] ?? annotations[SIGSTORE_BUNDLE_PREDICATE_ANNOTATION]
  if (type === ArtifactType.CosignSignature) {
    referrer.kind = ReferrerKind.CosignSignature
  } else if (isSigstoreBundleType(type)) {
    referrer.kind = ReferrerKind.SigstoreBundle
  } else if (type === ArtifactType.NotationSignature) {
    referrer.kind = ReferrerKind.NotationSignature
  } else if (type === ArtifactType.InToto || type === ArtifactType.DsseEnvelope) {
    const format = predicateType ? sbomFormatOfPredicate(predicateType) : undefined
    referrer.kind = format ? ReferrerKind.Sbom : ReferrerKind.Attestation
    if (format) referrer.sbomFormat = format
  } else if (sbomFormat) {
    referrer.kind = ReferrerKind.Sbom
    referrer.sbomFormat = sbomFormat
  }
  if (predicateType && (referrer.kind === ReferrerKind.Attestation || referrer.kind === ReferrerKind.SigstoreBundle || referrer.kind === ReferrerKind.Sbom)) {
    referrer.predicateType = predicateType
  }
  return referrer
}

/** Classifies every referrer of a referrers index, in its order. */
export function classifyReferrers(index: ImageIndex): Referrer[] {
  return index.manifests.map(classifyReferrer)
}

/**
 * Parses a referrers response (or the referrers-tag index) and classifies its referrers.
 *
 * @throws ProvenanceError `REFERRERS_INVALID` when the bytes are not an image index.
 */
export function parseReferrers(bytes: Uint8Array, contentType = ''): Referrer[] {
  let index
  try {
    index = parseManifest(bytes, contentType)
  } catch (error) {
    if (!(error instanceof ManifestError)) throw error
    throw new ProvenanceError(ProvenanceErrorCode.ReferrersInvalid, `referrers response is not an image index: ${error.message}`, { cause: error })
  }
  if (index.kind !== 'index') throw new ProvenanceError(ProvenanceErrorCode.ReferrersInvalid, 'referrers response is an image manifest, not an index')
  return classifyReferrers(index)
}
