/**
 * CNCF distribution (`registry:2`, `registry:3`) notifications, also sent by GitLab's
 * registry and, in the same shape, by Azure Container Registry.
 *
 * A delivery is the envelope `{"events": [event, …]}`, POSTed with Content-Type
 * `application/vnd.docker.distribution.events.v1+json` (2.x) or `…events.v2+json` (3.x);
 * the JSON is the same. An event is `{id, timestamp, action, target: {mediaType, digest,
 * size, repository, url, tag, references}, request: {host, …}, actor, source}` with
 * `action` one of `push`, `pull`, `mount`, `delete`. Distribution does not sign anything;
 * the only authentication is a static header from the registry's config.
 *
 * Decisions:
 * - **What is scanned.** Only `push` events of an image manifest or an index (OCI or Docker
 *   media types) become requests. Pulls, mounts, deletes (which lack a digest or a media
 *   type), blob pushes (`application/octet-stream` in 2.8, layer types elsewhere), and
 *   pushes of other manifests (schema 1, OCI artifact manifests) are ignored.
 * - **A push without `mediaType`** (other implementations of the format) is taken for a
 *   manifest when it has a tag (blobs are never tagged) or when its `target.url` names
 *   `/manifests/`; otherwise it is ignored as unidentified. Such a push is treated like an
 *   image manifest: delayed when it has no tag.
 * - **Multi-arch pushes.** A client pushes the child manifests first, by digest and without
 *   a tag, then the index with its tag. Scanning the index covers the children, so:
 *   - a child listed in the `target.references` of an index pushed in the same envelope
 *     (same registry and repository) is dropped;
 *   - a tagless image-manifest push is kept but delayed by
 *     {@link CHILD_MANIFEST_DELAY_SECONDS}, so that the index, which arrives in a later
 *     envelope (2.8 sends one event per delivery), is scanned first and the worker finds
 *     the child already done. A manifest pushed by digest alone is still scanned, just
 *     later.
 * - **The delay is per outcome.** When an envelope holds both requests that should wait and
 *   requests that need not, all of them wait: a few seconds of latency for the others is
 *   harmless, whereas scanning the waiting ones early defeats the purpose and dropping
 *   them could lose a scan.
 * - **Registry.** `options.registry` when configured (recommended: `request.host` is whatever
 *   Host header the pusher used), else `event.request.host`, which must be `host[:port]`
 *   with a dot, a colon or `localhost` in it (a one-part host would read as a Docker Hub
 *   namespace, so it is `WEBHOOK_INVALID`).
 * - **Ids.** `requestId` is the event's `id` (else `<context id>#<index>`); identical requests
 *   within one envelope are sent once.
 * - **Validation.** Every event must be an object with a string `action` and an object
 *   `target`; one malformed event makes the whole delivery `WEBHOOK_INVALID`. A manifest push
 *   must have `target.repository` and a valid `target.digest`. Note that distribution retries
 *   a refused delivery forever and queues later ones behind it; the HTTP layer may prefer
 *   to acknowledge `WEBHOOK_INVALID` deliveries from this source after logging them.
 * - **No events to scan** gives `ignored` with a summary such as
 *   `no manifest push events (2 pull, 1 delete)`.
 *
 * @see https://distribution.github.io/distribution/about/notifications/
 * @module
 */
import { ErrorCode, InputError } from '../errors.js'
import { isImageManifestMediaType, isIndexMediaType } from '../image/media-types.js'
import { ScanSource, type ScanRequest } from '../scan/scan-request.js'
import { expectArray, expectObject, expectString, optionalArray, optionalString, type Fail, type JsonObject } from '../shape.js'
import {
  expectBody,
  expectNonEmptyString,
  ignoredOutcome,
  invalidWebhook,
  isHostPort,
  optionalNonEmptyString,
  scanOutcome,
  toScanRequest,
  type WebhookContext,
  type WebhookOutcome,
} from './webhook.js'

/** How long tagless image-manifest pushes wait in the queue, so that their index goes first. */
export const CHILD_MANIFEST_DELAY_SECONDS = 10

/** The Content-Types distribution uses for deliveries (2.x, 3.x). */
export const DISTRIBUTION_EVENTS_MEDIA_TYPES = [
  'application/vnd.docker.distribution.events.v1+json',
  'application/vnd.docker.distribution.events.v2+json',
] as const

export interface DistributionWebhookOptions {
  /**
   * The registry host the events are about (`registry.example.com`, `127.0.0.1:5000`).
   * Default: each event's `request.host`.
   */
  registry?: string
}

const fail: Fail = invalidWebhook('distribution')

type Kind = 'index' | 'image' | 'untyped'

/** What a push event is about: a kind of manifest, or the label it is counted under when ignored. */
function classify(target: JsonObject, at: string): { kind: Kind } | { ignore: string } {
  const mediaType = optionalString(target.mediaType, `${at}.target.mediaType`, fail)
  if (isIndexMediaType(mediaType)) return { kind: 'index' }
  if (isImageManifestMediaType(mediaType)) return { kind: 'image' }
  if (mediaType === undefined || mediaType === '') {
    const tag = optionalNonEmptyString(target.tag, `${at}.target.tag`, fail)
    const url = optionalString(target.url, `${at}.target.url`, fail)
    if (tag !== undefined || url?.includes('/manifests/')) return { kind: 'untyped' }
    return { ignore: 'unidentified push' }
  }
  return { ignore: mediaType.includes('manifest') ? 'unsupported manifest push' : 'blob push' }
}

function registryOf(event: JsonObject, at: string, configured: string | undefined): string {
  if (configured !== undefined) return configured
  const request = expectObject(event.request, `${at}.request`, fail)
  const host = expectNonEmptyString(request.host, `${at}.request.host`, fail)
  if (!isHostPort(host)) fail(`${at}.request.host "${host}" is not a host[:port]`)
  return host
}

interface Candidate {
  request: ScanRequest
  kind: Kind
}

const imageKey = (registry: string, repository: string, digest: string): string => `${registry}/${repository}@${digest}`

/**
 * Turns a distribution notification envelope into scan requests for the manifest and index
 * pushes in it.
 *
 * @throws WebhookError `WEBHOOK_INVALID` for a malformed envelope or event.
 * @throws InputError `CONFIG_INVALID_VALUE` when `options.registry` is not `host[:port]`.
 */
export function parseDistributionWebhook(body: unknown, ctx: WebhookContext, options: DistributionWebhookOptions = {}): WebhookOutcome {
  if (options.registry !== undefined && !isHostPort(options.registry)) {
    throw new InputError(ErrorCode.ConfigInvalidValue, `distribution registry "${options.registry}" is not a host[:port]`)
  }
  const json = expectBody(body, fail)
  const events = expectArray(json.events, 'events', fail)
  const ignored = new Map<string, number>()
  const count = (label: string): void => {
    ignored.set(label, (ignored.get(label) ?? 0) + 1)
  }
  const candidates: Candidate[] = []
  const children = new Set<string>()

  for (const [index, value] of events.entries()) {
    const at = `events[${index}]`
    const event = expectObject(value, at, fail)
    const action = expectString(event.action, `${at}.action`, fail)
    const target = expectObject(event.target, `${at}.target`, fail)
    if (action !== 'push') {
      count(action === '' ? 'unnamed action' : action)
      continue
    }
    const what = classify(target, at)
    if ('ignore' in what) {
      count(what.ignore)
      continue
    }
    const request = toScanRequest(
      {
        registry: registryOf(event, at, options.registry),
        repository: expectNonEmptyString(target.repository, `${at}.target.repository`, fail),
        digest: expectNonEmptyString(target.digest, `${at}.target.digest`, fail),
        tag: optionalNonEmptyString(target.tag, `${at}.target.tag`, fail),
        source: ScanSource.Distribution,
        receivedAt: ctx.receivedAt,
        requestId: optionalNonEmptyString(event.id, `${at}.id`, fail) ?? `${ctx.requestId}#${index}`,
      },
      fail,
    )
    if (what.kind === 'index') {
      const references = optionalArray(target.references, `${at}.target.references`, fail) ?? []
      for (const [i, reference] of references.entries()) {
        const descriptor = expectObject(reference, `${at}.target.references[${i}]`, fail)
        const digest = optionalString(descriptor.digest, `${at}.target.references[${i}].digest`, fail)
        if (digest) children.add(imageKey(request.registry, request.repository, digest))
      }
    }
    candidates.push({ request, kind: what.kind })
  }

  const seen = new Set<string>()
  const kept: Candidate[] = []
  for (const candidate of candidates) {
    const { request } = candidate
    if (candidate.kind !== 'index' && request.digest && children.has(imageKey(request.registry, request.repository, request.digest))) {
      count('child manifest push')
      continue
    }
    const key = `${imageKey(request.registry, request.repository, request.digest ?? '')}:${request.tag ?? ''}`
    if (seen.has(key)) continue
    seen.add(key)
    kept.push(candidate)
  }

  if (kept.length === 0) {
    const summary = [...ignored].map(([label, n]) => `${n} ${label}`).join(', ')
    return ignoredOutcome(`no manifest push events (${summary || 'empty envelope'})`)
  }
  const waits = kept.some((candidate) => candidate.kind !== 'index' && candidate.request.tag === undefined)
  return scanOutcome(
    kept.map((candidate) => candidate.request),
    waits ? CHILD_MANIFEST_DELAY_SECONDS : undefined,
  )
}
