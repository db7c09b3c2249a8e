/**
 * in-toto attestation statements and the predicates pushscan reads from them: SLSA build
 * provenance (who built the image, from which source and revision) and SBOMs.
 *
 * ```
 * { "_type": "https://in-toto.io/Statement/v1",            (or …/v0.1)
 *   "subject": [{ "name": "…", "digest": { "sha256": "<hex>" } }],
 *   "predicateType": "<URI>", "predicate": { … } }
 * ```
 *
 * SLSA provenance v0.2 keeps the builder in `builder.id` and the source in
 * `invocation.configSource {uri, digest, entryPoint}` and `materials[] {uri, digest}`;
 * v1 keeps them in `runDetails.builder.id`, `buildDefinition.externalParameters` and
 * `buildDefinition.resolvedDependencies[] {uri, digest}`. The producers pushscan meets:
 *
 * - BuildKit (`docker buildx build --provenance`): v0.2 by default (`buildType`
 *   `https://mobyproject.org/buildkit@v1`), v1 on request. A remote (Git) context is in
 *   `configSource.uri` + `digest.sha1`, verified by BuildKit; a local context only has the
 *   client's unverified `vcs:source`/`vcs:revision` hints, in
 *   `metadata["https://mobyproject.org/buildkit@v1#metadata"].vcs` (v0.2) or
 *   `runDetails.metadata.buildkit_metadata.vcs` (v1).
 * - GitHub Actions (`actions/attest-build-provenance`, buildType
 *   `https://actions.github.io/buildtypes/workflow/v1`): v1 with
 *   `externalParameters.workflow {repository, ref, path}` and
 *   `resolvedDependencies[0] = {uri: "git+<repository>@<ref>", digest: {gitCommit}}`.
 * - slsa-github-generator: v0.2 with `configSource {uri: "git+…@ref", digest: {sha1}}`.
 *
 * @see https://github.com/in-toto/attestation/blob/main/spec/v1/statement.md
 * @see https://slsa.dev/spec/v0.2/provenance
 * @see https://slsa.dev/spec/v1.0/provenance
 * @see https://github.com/moby/buildkit/blob/master/docs/attestations/slsa-definitions.md
 * @module
 */
import { expectArray, expectObject, expectString, isObject, optionalString, parseJsonBytes, type Fail } from '../shape.js'
import { ProvenanceError, ProvenanceErrorCode } from './provenance-error.js'

export const InTotoStatementType = {
  V01: 'https://in-toto.io/Statement/v0.1',
  V1: 'https://in-toto.io/Statement/v1',
} as const

export const PredicateType = {
  SlsaProvenanceV01: 'https://slsa.dev/provenance/v0.1',
  SlsaProvenanceV02: 'https://slsa.dev/provenance/v0.2',
  SlsaProvenanceV1: 'https://slsa.dev/provenance/v1',
  Spdx: 'https://spdx.dev/Document',
  CycloneDx: 'https://cyclonedx.org/bom',
} as const

/** The annotation BuildKit sets on attestation layers (and cosign on referrers) naming the predicate. */
export const PREDICATE_TYPE_ANNOTATION = 'in-toto.io/predicate-type'

/** The BuildKit metadata extension key of SLSA v0.2 provenance. */
const BUILDKIT_METADATA_V02 = 'https://mobyproject.org/buildkit@v1#metadata'

export interface StatementSubject {
  name: string
  /** Algorithm → lower-case hex, e.g. `{ sha256: '…' }`. */
  digest: Record<string, string>
}

export interface InTotoStatement {
  /** The `_type`: one of {@link InTotoStatementType} (other `https://in-toto.io/Statement/` versions are accepted). */
  type: string
  subjects: StatementSubject[]
  predicateType: string
  predicate: unknown
}

const fail: Fail = (message) => {
  throw new ProvenanceError(ProvenanceErrorCode.AttestationInvalid, message)
}

/**
 * Parses an in-toto statement from JSON bytes or a parsed JSON value.
 *
 * @throws ProvenanceError `ATTESTATION_INVALID` when it is not a statement.
 */
export function parseInTotoStatement(input: Uint8Array | unknown): InTotoStatement {
  const json = expectObject(input instanceof Uint8Array ? parseJsonBytes(input, 'in-toto statement', fail) : input, 'statement', fail)
  const type = expectString(json._type, 'statement._type', fail)
  if (!type.startsWith('https://in-toto.io/Statement/')) fail(`statement._type "${type}" is not an in-toto statement`)
  const subjects = expectArray(json.subject, 'statement.subject', fail).map((value, i) => {
    const at = `statement.subject[${i}]`
    const subject = expectObject(value, at, fail)
    const digests = expectObject(subject.digest, `${at}.digest`, fail)
    const digest: Record<string, string> = {}
    for (const [algorithm, hex] of Object.entries(digests)) digest[algorithm] = expectString(hex, `${at}.digest.${algorithm}`, fail).toLowerCase()
    return { name: optionalString(subject.name, `${at}.name`, fail) ?? '', digest }
  })
  const predicateType = expectString(json.predicateType, 'statement.predicateType', fail)
  return { type, subjects, predicateType, predicate: json.predicate ?? null }
}

/** The subjects' digests as `algorithm:hex` strings (`sha256:…`). */
export function subjectDigests(statement: InTotoStatement): string[] {
  return statement.subjects.flatMap((subject) => Object.entries(subject.digest).map(([algorithm, hex]) => `${algorithm}:${hex}`))
}

/** True when one of the statement's subjects is the artifact with `digest` (`sha256:…`). */
export function statementNamesDigest(statement: InTotoStatement, digest: string): boolean {
  return subjectDigests(statement).includes(digest.toLowerCase())
}

export type PredicateKind = 'provenance' | 'sbom' | 'other'

/** SBOM formats, as the report's `sboms[].format` names them. */
export type SbomFormat = 'spdx' | 'cyclonedx' | 'syft'

function isOrUnder(value: string, base: string): boolean {
  return value === base || value.startsWith(`${base}/`)
}

/** The SBOM format of an in-toto predicate type (`https://spdx.dev/Document`, `https://cyclonedx.org/bom[/v1.5]`). */
export function sbomFormatOfPredicate(predicateType: string): SbomFormat | undefined {
  if (isOrUnder(predicateType, PredicateType.Spdx)) return 'spdx'
  if (isOrUnder(predicateType, PredicateType.CycloneDx)) return 'cyclonedx'
  if (isOrUnder(predicateType, 'https://syft.dev/bom')) return 'syft'
  return undefined
}

/** Whether a predicate is SLSA provenance, an SBOM, or something else (a vulnerability scan, a custom predicate…). */
export function predicateKind(predicateType: string): PredicateKind {
  if (predicateType.startsWith('https://slsa.dev/provenance/')) return 'provenance'
  if (sbomFormatOfPredicate(predicateType)) return 'sbom'
  return 'other'
}

/** What the report keeps of a provenance predicate. */
export interface ProvenanceSummary {
  predicateType: string
  builder?: string
  sourceRepository?: string
  sourceRevision?: string
}

interface SourceRef {
  uri?: string
  digest?: unknown
}

/**
 * Reads the builder, source repository and source revision from a SLSA provenance statement
 * (v0.1, v0.2 or v1). Missing or oddly shaped fields give fewer fields, never an error.
 *
 * The source repository is, in order: the GitHub workflow's repository
 * (`externalParameters.workflow.repository`), the config source (`configSource.uri`, which
 * BuildKit verifies), BuildKit's `vcs.source` hint, the first Git material; normalised by
 * {@link normaliseSourceUri}. The revision is the Git commit (`gitCommit` or `sha1` digest)
 * of the config source or of the material naming that repository, else BuildKit's
 * `vcs.revision` when it describes the same repository.
 *
 * @example summariseProvenance(parseInTotoStatement(bytes)).sourceRevision // '4b220de5…'
 */
export function summariseProvenance(statement: InTotoStatement): ProvenanceSummary {
  const summary: ProvenanceSummary = { predicateType: statement.predicateType }
  const p = statement.predicate
  const isV1 = at(p, 'buildDefinition') !== undefined || at(p, 'runDetails') !== undefined
  const builder = text(isV1 ? at(p, 'runDetails', 'builder', 'id') : at(p, 'builder', 'id'))
  const external = at(p, 'buildDefinition', 'externalParameters')
  const workflowRepository = text(at(external, 'workflow', 'repository'))
  const configSource: SourceRef = sourceRef(isV1 ? at(external, 'configSource') : at(p, 'invocation', 'configSource'))
  const materials = (arrayAt(isV1 ? at(p, 'buildDefinition', 'resolvedDependencies') : at(p, 'materials')) ?? []).map(sourceRef)
  const vcs =
    at(p, 'metadata', BUILDKIT_METADATA_V02, 'vcs') ??
    at(p, 'runDetails', 'metadata', 'buildkit_metadata', 'vcs') ??
    at(p, 'runDetails', 'metadata', BUILDKIT_METADATA_V02, 'vcs')
  const vcsSource = text(at(vcs, 'source'))
  const vcsRevision = text(at(vcs, 'revision'))
  const gitMaterial = materials.find(isGitSource)

  const repository = [workflowRepository, configSource.uri, vcsSource, gitMaterial?.uri].map(normaliseSourceUri).find((uri) => uri !== undefined)
  let revision: string | undefined
  if (repository !== undefined) {
    const sameRepository = (uri: string | undefined): boolean => normaliseSourceUri(uri) === repository
    if (sameRepository(configSource.uri)) revision = commitOf(configSource.digest)
    revision ??= commitOf(materials.find((material) => sameRepository(material.uri))?.digest)
    if (revision === undefined && (vcsSource === undefined || sameRepository(vcsSource))) revision = vcsRevision
  }

  if (builder !== undefined) summary.builder = builder
  if (repository !== undefined) summary.sourceRepository = repository
  if (revision !== undefined) summary.sourceRevision = revision
  return summary
}

/**
 * A source URI as a plain repository URL: without the `git+` scheme prefix, credentials,
 * `#ref` fragment, `@ref` suffix, trailing `.git` or `/`.
 *
 * @example normaliseSourceUri('git+https://github.com/o/r@refs/heads/main') // 'https://github.com/o/r'
 * @example normaliseSourceUri('https://github.com/moby/buildkit.git#refs/tags/v0.11.0') // 'https://github.com/moby/buildkit'
 */
export function normaliseSourceUri(uri: string | undefined): string | undefined {
  let value = uri?.trim()
  if (!value) return undefined
  if (value.startsWith('git+')) value = value.slice(4)
  const hash = value.indexOf('#')
  if (hash !== -1) value = value.slice(0, hash)
  const scheme = value.indexOf('://')
  if (scheme !== -1) {
    const authorityStart = scheme + 3
    const pathStart = value.indexOf('/', authorityStart)
    const authorityEnd = pathStart === -1 ? value.length : pathStart
    const userInfo = value.lastIndexOf('@', authorityEnd - 1)
    if (userInfo >= authorityStart) value = value.slice(0, authorityStart) + value.slice(userInfo + 1)
    const newPathStart = value.indexOf('/', authorityStart)
    const ref = newPathStart === -1 ? -1 : value.indexOf('@', newPathStart)
    if (ref !== -1) value = value.slice(0, ref)
  }
  value = value.replace(/\/+$/, '').replace(/\.git$/, '')
  return value === '' ? undefined : value
}

function sourceRef(value: unknown): SourceRef {
  const ref: SourceRef = {}
  const uri = text(at(value, 'uri'))
  if (uri !== undefined) ref.uri = uri
  const digest = at(value, 'digest')
  if (digest !== undefined) ref.digest = digest
  return ref
}

function isGitSource(ref: SourceRef): boolean {
  if (!ref.uri || ref.uri.startsWith('pkg:')) return false
  return ref.uri.startsWith('git+') || /\.git(?:[#@/]|$)/.test(ref.uri) || commitOf(ref.digest) !== undefined
}

/** The Git commit in a DigestSet: `gitCommit` (SLSA v1 convention) or `sha1`. */
function commitOf(digest: unknown): string | undefined {
  return text(at(digest, 'gitCommit')) ?? text(at(digest, 'sha1'))
}

/** Walks plain JSON objects; undefined as soon as a step is not an object. */
function at(value: unknown, ...keys: string[]): unknown {
  let current = value
  for (const key of keys) {
    if (!isObject(current)) return undefined
    current = current[key]
  }
  return current
}

function arrayAt(value: unknown): unknown[] | undefined {
  return Array.isArray(value) ? value : undefined
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined
}
