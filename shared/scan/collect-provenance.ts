/**
 * The provenance of one image: its signatures (cosign tags, OCI referrers or their tag
 * fallback), attestations and SBOMs (BuildKit attestation manifests in the index, cosign
 * `.att`/`.sbom` tags, referrers), where its source is, and what it was built from (a base
 * declared by annotation, checked against the base's layers; else a guess from history).
 *
 * Two steps: {@link lookUpArtifacts} needs only the manifest's digest and starts first;
 * {@link judgeProvenance} needs the config too. Fetch failures that are temporary are thrown
 * (the scan is retried, rather than reporting an image as unsigned because a registry
 * hiccuped); permanent ones about one artifact are recorded in the report's errors and the
 * rest goes on.
 *
 * @module
 */
import { describeError, ErrorCode, isTemporary } from '../errors.js'
import type { Digest } from '../image/digest.js'
import type { ImageConfig } from '../image/config.js'
import type { FetchedManifest, ImageManifest } from '../image/manifest.js'
import type { ImageSource } from '../ports/image-source.js'
import type { Logger } from '../ports/logger.js'
import {
  attestationLayers,
  attestationManifestsFor,
  baseImageFindings,
  classifyReferrers,
  compareWithBase,
  cosignSignatureEntry,
  cosignTag,
  declaredBase,
  declaredSource,
  guessBaseFromHistory,
  parseCosignSignatureManifest,
  referrersFallbackTag,
  signatureFindings,
  summariseAttestation,
  verifyCosignSignature,
  type CheckedSignature,
  type TrustedKey,
} from '../provenance/index.js'
import type { Finding, Provenance, ReportError, ReportPlatform } from '../report/model.js'

export interface ProvenanceDeps {
  /** Public keys signatures are verified with; none: signatures are reported unverified. */
  trustedKeys: readonly TrustedKey[]
  /**
   * The DiffIDs of a base image named by annotation (for the image's platform), or undefined
   * when it cannot be fetched (not allowed, not reachable, a local scan).
   */
  baseDiffIds?: (name: string, digest: string | undefined, platform: ReportPlatform | undefined) => Promise<string[] | undefined>
  logger: Logger
}

/** What the artifact lookups need: only the manifest's digest and where it came from. */
export interface ArtifactSubject {
  digest: Digest
  /** Names the image is known by (`docker.io/library/nginx`), for the signatures' docker-reference. */
  repositories: string[]
  /** The index the image came from, for BuildKit attestation manifests. */
  index?: FetchedManifest
}

export interface ProvenanceInput extends ArtifactSubject {
  manifest: ImageManifest
  config: ImageConfig
  platform?: ReportPlatform
}

/** The signatures, attestations and SBOMs the registry holds for an image. */
export interface FoundArtifacts {
  signatures: Provenance['signatures']
  attestations: Provenance['attestations']
  sboms: Provenance['sboms']
  checked: CheckedSignature[]
  errors: ReportError[]
  /** Whether the source could look up cosign's signature tags (a registry can, an archive cannot). */
  searchedTags: boolean
}

export interface ProvenanceResult {
  provenance: Provenance
  findings: Finding[]
  errors: ReportError[]
}

/** Attestation and signature payloads are small; these caps keep hostile ones small too. */
const MAX_PAYLOAD_BYTES = 4 * 1024 * 1024
const MAX_ARTIFACTS = 32

/**
 * What one lookup found. The lookups run at once, each into its own sink; the sinks are
 * merged in a fixed order, so the report does not depend on which answer came first.
 */
type Sink = FoundArtifacts

const emptySink = (): Sink => ({ signatures: [], attestations: [], sboms: [], checked: [], errors: [], searchedTags: false })

/** Runs one artifact's work; permanent failures become report errors, temporary ones are thrown. */
async function attempt(sink: Sink, what: string, logger: Logger, work: () => Promise<void>): Promise<void> {
  try {
    await work()
  } catch (error) {
    if (isTemporary(error)) throw error
    const described = describeError(error)
    logger.warn('provenance artifact unreadable', { what, ...described })
    sink.errors.push({ code: described.code === ErrorCode.Internal ? ErrorCode.AttestationInvalid : described.code, message: `${what}: ${described.message}` })
  }
}

/**
 * Finds the signatures, attestations and SBOMs of an image. It needs only the manifest's
 * digest, so a scan starts it before the config is fetched and the layers are read: the
 * lookups are registry round trips (most of them 404s) that overlap that work.
 */
export async function lookUpArtifacts(source: ImageSource, input: ArtifactSubject, deps: Pick<ProvenanceDeps, 'trustedKeys' | 'logger'>): Promise<FoundArtifacts> {
  const logged = (sink: Sink, what: string, work: () => Promise<void>): Promise<void> => attempt(sink, what, deps.logger, work)

  const checkSignatureManifest = async (sink: Sink, fetched: FetchedManifest, via: 'tag' | 'referrers'): Promise<void> => {
    if (fetched.manifest.kind !== 'manifest') return
    for (const layer of parseCosignSignatureManifest(fetched.manifest).slice(0, MAX_ARTIFACTS)) {
      const payload = await source.blobBytes(layer.payloadDescriptor, MAX_PAYLOAD_BYTES)
      const verification = verifyCosignSignature({
        payload,
        signatureBase64: layer.signature,
        publicKeys: [...deps.trustedKeys],
        expectedDigest: input.digest,
        expectedRepository: input.repositories,
        ...(layer.certificate ? { certificate: layer.certificate } : {}),
      })
      sink.signatures.push(cosignSignatureEntry(verification, fetched.digest, via))
      sink.checked.push({ artifact: fetched.digest, outcome: verification.outcome, ...(verification.signer ? { signer: verification.signer } : {}), ...(verification.error ? { error: verification.error } : {}) })
    }
  }

  const summarise = async (sink: Sink, fetched: FetchedManifest, via: 'index' | 'tag' | 'referrers'): Promise<void> => {
    if (fetched.manifest.kind !== 'manifest') return
    for (const layer of attestationLayers(fetched.manifest).slice(0, MAX_ARTIFACTS)) {
      const bytes = await source.blobBytes(layer.descriptor, MAX_PAYLOAD_BYTES)
      const summary = summariseAttestation(bytes, fetched.digest, via)
      // a statement about another image is not this image's provenance
      if (summary.subjects.length > 0 && !summary.subjects.includes(input.digest)) continue
      sink.attestations.push(...summary.attestations)
      sink.sboms.push(...summary.sboms)
    }
  }

  const lookups: Array<(sink: Sink) => Promise<void>> = []
  // signatures and attestations under cosign's tags
  const findManifest = source.findManifest?.bind(source)
  if (findManifest) {
    lookups.push(
      (sink) =>
        logged(sink, 'cosign signature tag', async () => {
          const sig = await findManifest(cosignTag(input.digest, 'sig'))
          if (sig) await checkSignatureManifest(sink, sig, 'tag')
        }),
      (sink) =>
        logged(sink, 'cosign attestation tag', async () => {
          const att = await findManifest(cosignTag(input.digest, 'att'))
          if (att) await summarise(sink, att, 'tag')
        }),
      (sink) =>
        logged(sink, 'cosign sbom tag', async () => {
          const sbom = await findManifest(cosignTag(input.digest, 'sbom'))
          if (sbom?.manifest.kind === 'manifest') {
            for (const layer of sbom.manifest.layers) {
              const format = layer.mediaType.includes('spdx') ? 'spdx' : layer.mediaType.includes('cyclonedx') ? 'cyclonedx' : layer.mediaType
              sink.sboms.push({ format, artifact: sbom.digest, via: 'tag' })
            }
          }
        })
    )
  }

  // OCI referrers, or the sha256-<hex> tag that stands in for them
  lookups.push((sink) =>
    logged(sink, 'referrers', async () => {
      let referrers = source.referrers ? await source.referrers(input.digest) : undefined
      if (!referrers && findManifest) referrers = await findManifest(referrersFallbackTag(input.digest))
      if (!referrers || referrers.manifest.kind !== 'index') return
      for (const referrer of classifyReferrers(referrers.manifest).slice(0, MAX_ARTIFACTS)) {
        if (referrer.kind === 'cosign-signature') {
          await logged(sink, `referrer ${referrer.descriptor.digest}`, async () => checkSignatureManifest(sink, await source.manifest(referrer.descriptor), 'referrers'))
        } else if (referrer.kind === 'notation-signature' || referrer.kind === 'sigstore-bundle') {
          sink.signatures.push({
            format: referrer.kind === 'notation-signature' ? 'notation' : 'cosign',
            artifact: referrer.descriptor.digest,
            via: 'referrers',
            verified: null,
            error: `${referrer.kind === 'notation-signature' ? 'notation signatures' : 'sigstore bundles'} are reported, not verified`,
          })
          sink.checked.push({ artifact: referrer.descriptor.digest, outcome: 'keyless' })
        } else if (referrer.kind === 'attestation') {
          await logged(sink, `referrer ${referrer.descriptor.digest}`, async () => summarise(sink, await source.manifest(referrer.descriptor), 'referrers'))
        } else if (referrer.kind === 'sbom' && referrer.sbomFormat) {
          sink.sboms.push({ format: referrer.sbomFormat, artifact: referrer.descriptor.digest, via: 'referrers' })
        }
      }
    })
  )

  // BuildKit attestation manifests beside the image in its index
  if (input.index?.manifest.kind === 'index') {
    const descriptors = attestationManifestsFor(input.index.manifest, input.digest).slice(0, MAX_ARTIFACTS)
    lookups.push(async (sink) => {
      for (const descriptor of descriptors) {
        await logged(sink, `attestation manifest ${descriptor.digest}`, async () => summarise(sink, await source.manifest(descriptor), 'index'))
      }
    })
  }

  // every lookup is a registry round trip or more: they go at once, and all finish before a
  // temporary failure is passed on (nothing is left running)
  const sinks = lookups.map(emptySink)
  const outcomes = await Promise.allSettled(lookups.map((lookup, i) => lookup(sinks[i]!)))
  const failed = outcomes.find((outcome): outcome is PromiseRejectedResult => outcome.status === 'rejected')
  if (failed) throw failed.reason
  const found = emptySink()
  for (const sink of sinks) {
    found.signatures.push(...sink.signatures)
    found.attestations.push(...sink.attestations)
    found.sboms.push(...sink.sboms)
    found.checked.push(...sink.checked)
    found.errors.push(...sink.errors)
  }
  found.searchedTags = findManifest !== undefined
  return found
}

/**
 * Judges an image's provenance from its artifacts, manifest and config: where its source
 * is, what it was built from (a declared base, checked against the base's layers; else a
 * guess from history), and the signature findings.
 */
export async function judgeProvenance(found: FoundArtifacts, input: ProvenanceInput, deps: ProvenanceDeps): Promise<ProvenanceResult> {
  const provenance: Provenance = {
    signatures: [...found.signatures],
    attestations: [...found.attestations],
    sboms: [...found.sboms],
    baseImage: null,
    source: {},
  }
  const findings: Finding[] = []
  const errors: ReportError[] = [...found.errors]
  const checked = found.checked

  provenance.source = declaredSource(input.manifest.annotations ?? {}, input.config.config.labels, provenance.attestations)

  // the base image: declared, and checked against its layers; else guessed from history
  const declared = declaredBase(input.manifest.annotations, input.config.config.labels)
  if (declared) {
    let confirmed: boolean | null = null
    let shared: { sharedLayers: number; baseLayers: number } | undefined
    const baseSink = emptySink()
    await attempt(baseSink, `base image ${declared.name}`, deps.logger, async () => {
      const baseDiffIds = await deps.baseDiffIds?.(declared.name, declared.digest, input.platform)
      if (!baseDiffIds) return
      const comparison = compareWithBase(input.config.diffIds, baseDiffIds)
      confirmed = comparison.confirmed
      shared = { sharedLayers: comparison.sharedLayers, baseLayers: baseDiffIds.length }
    })
    errors.push(...baseSink.errors)
    provenance.baseImage = { name: declared.name, digest: declared.digest ?? '', evidence: declared.evidence, confirmed }
    const counts = shared as { sharedLayers: number; baseLayers: number } | undefined
    // the image's first layer that is not the base's
    const firstDifferent = counts ? input.config.diffIds[counts.sharedLayers] : undefined
    findings.push(...baseImageFindings({ name: declared.name, confirmed, ...(counts ?? {}) }, firstDifferent))
  } else {
    const guess = guessBaseFromHistory(input.config.history)
    if (guess) provenance.baseImage = { name: '', digest: '', evidence: 'history', confirmed: null, layers: guess.baseLayers }
  }

  // an image whose signature tags the source cannot list is not called unsigned
  if (found.searchedTags || checked.length > 0) findings.push(...signatureFindings(checked, deps.trustedKeys.length > 0))
  provenance.signatures.sort((a, b) => (a.artifact < b.artifact ? -1 : a.artifact > b.artifact ? 1 : 0))
  return { provenance, findings, errors }
}
