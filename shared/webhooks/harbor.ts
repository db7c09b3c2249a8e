/**
 * Harbor project webhooks, in both payload formats:
 *
 * - **Default** (`application/json`): `{type: "PUSH_ARTIFACT", occur_at, operator,
 *   event_data: {resources: [{digest, tag, resource_url}], repository: {name, namespace,
 *   repo_full_name, repo_type}}}`.
 * - **CloudEvents** (`application/cloudevents+json`): `{specversion, id, requestid, source,
 *   type: "harbor.artifact.pushed", time, operator, data}` where `data` is the `event_data`
 *   above.
 *
 * Harbor signs nothing; it sends the configured "Auth Header" verbatim as `Authorization`.
 *
 * Decisions:
 * - Only artifact pushes are scanned: `PUSH_ARTIFACT`, `harbor.artifact.pushed`, and Harbor
 *   1.x's `pushImage` (same body). Every other type (`PULL_ARTIFACT`, `DELETE_ARTIFACT`,
 *   `SCANNING_COMPLETED`, `QUOTA_EXCEED`, `REPLICATION`, chart and retention events, and their
 *   CloudEvents names) is `ignored`.
 * - A body is read as CloudEvents when it has `specversion` or its `type` starts with
 *   `harbor.`.
 * - One request per resource, with its digest and its tag (an empty tag, as for a push by
 *   digest, is left out). The registry is the host of `resource_url`
 *   (`host[:port]/project/repo:tag` or `…@sha256:…`); the repository is
 *   `repository.repo_full_name`, else `namespace/name`, else the path of `resource_url`.
 * - The request id is the CloudEvents `id`, else its `requestid`, else the context's id (the
 *   default format carries none).
 * - A push with no resources is `ignored`.
 *
 * @see https://goharbor.io/docs/main/working-with-projects/project-configuration/configure-webhooks/
 * @module
 */
import { ScanSource, type ScanRequest } from '../scan/scan-request.js'
import { expectArray, expectObject, expectString, type Fail, type JsonObject } from '../shape.js'
import {
  expectBody,
  expectNonEmptyString,
  hostOfReference,
  ignoredOutcome,
  invalidWebhook,
  optionalNonEmptyString,
  optionalObject,
  scanOutcome,
  toScanRequest,
  type WebhookContext,
  type WebhookOutcome,
} from './webhook.js'

const fail: Fail = invalidWebhook('Harbor')

const PUSH_TYPES = new Set(['PUSH_ARTIFACT', 'harbor.artifact.pushed', 'pushImage'])

/** The repository path of a `host/project/repo:tag` or `host/project/repo@digest` reference. */
function repositoryOfUrl(resourceUrl: string, at: string): string {
  const withoutScheme = resourceUrl.replace(/^[a-z][a-z0-9+.-]*:\/\//i, '')
  const path = withoutScheme.slice(withoutScheme.indexOf('/') + 1).replace(/@.*$/, '')
  const colon = path.lastIndexOf(':')
  const repository = colon > path.lastIndexOf('/') ? path.slice(0, colon) : path
  if (repository === '' || repository === withoutScheme) fail(`${at}.resource_url "${resourceUrl}" names no repository`)
  return repository
}

function repositoryName(repository: JsonObject | undefined, at: string): string | undefined {
  if (!repository) return undefined
  const full = optionalNonEmptyString(repository.repo_full_name, `${at}.repository.repo_full_name`, fail)
  if (full !== undefined) return full
  const namespace = optionalNonEmptyString(repository.namespace, `${at}.repository.namespace`, fail)
  const name = optionalNonEmptyString(repository.name, `${at}.repository.name`, fail)
  if (namespace !== undefined && name !== undefined) return `${namespace}/${name}`
  return undefined
}

/** Turns a Harbor webhook (default or CloudEvents format) into one scan request per pushed resource. */
export function parseHarborWebhook(body: unknown, ctx: WebhookContext): WebhookOutcome {
  const json = expectBody(body, fail)
  const type = expectString(json.type, 'type', fail)
  const cloudEvents = json.specversion !== undefined || type.startsWith('harbor.')
  if (!PUSH_TYPES.has(type)) return ignoredOutcome(`Harbor event ${type || '(empty type)'} is not an artifact push`)
  const dataAt = cloudEvents ? 'data' : 'event_data'
  const data = expectObject(cloudEvents ? json.data : json.event_data, dataAt, fail)
  const resources = expectArray(data.resources, `${dataAt}.resources`, fail)
  if (resources.length === 0) return ignoredOutcome('Harbor push event lists no resources')
  const repository = repositoryName(optionalObject(data.repository, `${dataAt}.repository`, fail), dataAt)
  const requestId = cloudEvents
    ? (optionalNonEmptyString(json.id, 'id', fail) ?? optionalNonEmptyString(json.requestid, 'requestid', fail) ?? ctx.requestId)
    : ctx.requestId

  const requests: ScanRequest[] = resources.map((value, index) => {
    const at = `${dataAt}.resources[${index}]`
    const resource = expectObject(value, at, fail)
    const resourceUrl = expectNonEmptyString(resource.resource_url, `${at}.resource_url`, fail)
    const registry = hostOfReference(resourceUrl)
    if (registry === undefined) return fail(`${at}.resource_url "${resourceUrl}" does not start with a registry host`)
    return toScanRequest(
      {
        registry,
        repository: repository ?? repositoryOfUrl(resourceUrl, at),
        digest: optionalNonEmptyString(resource.digest, `${at}.digest`, fail),
        tag: optionalNonEmptyString(resource.tag, `${at}.tag`, fail),
        source: ScanSource.Harbor,
        receivedAt: ctx.receivedAt,
        requestId,
      },
      fail,
    )
  })
  return scanOutcome(requests)
}
