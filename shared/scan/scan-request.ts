/**
 * `ScanRequest`: the queue message. Every webhook source, the ECR event and `POST /scans`
 * are reduced to this shape before they are queued; the worker parses it again on receipt.
 *
 * @module
 */
import { ErrorCode, InputError } from '../errors.js'
import { isDigest, type Digest } from '../image/digest.js'
import { normaliseRegistry, parseReference } from '../image/reference.js'
import { expectObject, expectString, optionalString, type Fail } from '../shape.js'

export const ScanSource = {
  DockerHub: 'dockerhub',
  Distribution: 'distribution',
  Harbor: 'harbor',
  GitHub: 'github',
  Quay: 'quay',
  Ecr: 'ecr',
  Manual: 'manual',
} as const
export type ScanSource = (typeof ScanSource)[keyof typeof ScanSource]

export const SCAN_REQUEST_VERSION = 1

export interface ScanRequest {
  v: typeof SCAN_REQUEST_VERSION
  /** Normalised registry host: `docker.io`, `ghcr.io`, `127.0.0.1:5000`. */
  registry: string
  /** Repository path inside the registry: `library/nginx`. */
  repository: string
  /** What to fetch: the digest when known, else the tag. */
  reference: string
  /** The manifest digest, when the event carried it. */
  digest?: Digest
  /** The tag the push was made under, when the event carried one. */
  tag?: string
  source: ScanSource
  /** ISO 8601 time the event reached pushscan. */
  receivedAt: string
  /** The delivery id (X-GitHub-Delivery, event id, …) or one pushscan made. */
  requestId: string
}

const fail: Fail = (message) => {
  throw new InputError(ErrorCode.ScanRequestInvalid, `invalid scan request: ${message}`)
}

const SOURCES = new Set<string>(Object.values(ScanSource))

/**
 * Builds a request from its parts, validating and normalising the name through the image
 * reference grammar. At least one of `digest` and `tag` is required.
 */
export function createScanRequest(parts: {
  registry: string
  repository: string
  digest?: string | undefined
  tag?: string | undefined
  source: ScanSource
  receivedAt: string
  requestId: string
}): ScanRequest {
  if (!parts.digest && !parts.tag) fail('neither a digest nor a tag')
  if (parts.digest && !isDigest(parts.digest)) fail(`"${parts.digest}" is not a digest`)
  let ref
  try {
    ref = parseReference(`${parts.registry}/${parts.repository}${parts.tag ? `:${parts.tag}` : ''}${parts.digest ? `@${parts.digest}` : ''}`)
  } catch (error) {
    return fail((error as Error).message)
  }
  // a one-part host such as "registry" would be read as a Docker Hub namespace
  if (ref.registry !== normaliseRegistry(parts.registry)) fail(`"${parts.registry}" is not a registry host`)
  const request: ScanRequest = {
    v: SCAN_REQUEST_VERSION,
    registry: ref.registry,
    repository: ref.repository,
    reference: ref.digest ?? ref.tag ?? 'latest',
    source: parts.source,
    receivedAt: parts.receivedAt,
    requestId: parts.requestId,
  }
  if (ref.digest) request.digest = ref.digest
  if (parts.tag) request.tag = parts.tag
  return request
}

/** Parses a queue message body (parse, don't validate: the result is a checked ScanRequest). */
export function parseScanRequest(value: unknown): ScanRequest {
  const json = expectObject(value, 'message', fail)
  if (json.v !== SCAN_REQUEST_VERSION) fail(`unsupported version ${JSON.stringify(json.v)}`)
  const source = expectString(json.source, 'source', fail)
  if (!SOURCES.has(source)) fail(`unknown source "${source}"`)
  const receivedAt = expectString(json.receivedAt, 'receivedAt', fail)
  if (Number.isNaN(Date.parse(receivedAt))) fail('receivedAt is not a date')
  return createScanRequest({
    registry: expectString(json.registry, 'registry', fail),
    repository: expectString(json.repository, 'repository', fail),
    digest: optionalString(json.digest, 'digest', fail),
    tag: optionalString(json.tag, 'tag', fail),
    source: source as ScanSource,
    receivedAt,
    requestId: expectString(json.requestId, 'requestId', fail),
  })
}

/** What makes two requests the same scan: the image, by digest when known, else by tag. */
export function dedupKey(request: ScanRequest): string {
  return `${request.registry}/${request.repository}@${request.digest ?? `tag:${request.tag ?? request.reference}`}`
}
