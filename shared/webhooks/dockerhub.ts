/**
 * Docker Hub repository webhooks.
 *
 * Docker Hub POSTs `{callback_url, push_data: {pushed_at, pusher, tag}, repository:
 * {repo_name, namespace, name, …}}` on every push, and only on pushes. The body has no
 * event type, no digest and no signature (secure the endpoint with a secret in the URL).
 *
 * Decisions:
 * - The request carries the tag only; the worker resolves it to a digest with a manifest
 *   HEAD (which Docker Hub does not count as a pull).
 * - The repository is `repository.repo_name`, else `namespace/name`, else `name`; a
 *   one-part name is an official image and becomes `library/<name>` (the reference grammar
 *   does that for `docker.io`).
 * - A missing or empty `push_data.tag` is `WEBHOOK_INVALID`: there would be nothing to scan.
 * - `pushed_at` is Unix seconds, sometimes a float; the request id is
 *   `<repo_name>:<tag>:<pushed_at>` so redeliveries of one push share an id; without
 *   `pushed_at` it is the context's id.
 * - `callback_url` (legacy, no longer supported by Docker Hub) and `push_data.images` are
 *   ignored.
 *
 * @see https://docs.docker.com/docker-hub/repos/manage/webhooks/
 * @module
 */
import { DOCKER_HUB } from '../image/reference.js'
import { ScanSource } from '../scan/scan-request.js'
import { expectObject, type Fail } from '../shape.js'
import {
  expectBody,
  expectNonEmptyString,
  invalidWebhook,
  optionalNonEmptyString,
  scanOutcome,
  toScanRequest,
  type WebhookContext,
  type WebhookOutcome,
} from './webhook.js'

const fail: Fail = invalidWebhook('Docker Hub')

/** The repository path from `repo_name`, or `namespace` + `name`. */
function repositoryName(repository: Record<string, unknown>): string {
  const repoName = optionalNonEmptyString(repository.repo_name, 'repository.repo_name', fail)
  if (repoName !== undefined) return repoName
  const namespace = optionalNonEmptyString(repository.namespace, 'repository.namespace', fail)
  const name = optionalNonEmptyString(repository.name, 'repository.name', fail)
  if (name === undefined) return fail('repository.repo_name must be a string')
  return namespace === undefined ? name : `${namespace}/${name}`
}

function pushedAt(value: unknown): number | undefined {
  if (value === undefined || value === null) return undefined
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) fail('push_data.pushed_at must be a number of seconds')
  return value as number
}

/** Turns a Docker Hub push webhook into one tag-only scan request for `docker.io`. */
export function parseDockerHubWebhook(body: unknown, ctx: WebhookContext): WebhookOutcome {
  const json = expectBody(body, fail)
  const pushData = expectObject(json.push_data, 'push_data', fail)
  const repository = expectObject(json.repository, 'repository', fail)
  const tag = expectNonEmptyString(pushData.tag, 'push_data.tag', fail)
  const name = repositoryName(repository)
  const at = pushedAt(pushData.pushed_at)
  const request = toScanRequest(
    {
      registry: DOCKER_HUB,
      repository: name,
      tag,
      source: ScanSource.DockerHub,
      receivedAt: ctx.receivedAt,
      requestId: at === undefined ? ctx.requestId : `${name}:${tag}:${at}`,
    },
    fail,
  )
  return scanOutcome([request])
}
