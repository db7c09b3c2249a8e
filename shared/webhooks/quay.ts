/**
 * Quay (quay.io and Red Hat Quay) `repo_push` notifications sent by the "Webhook POST"
 * method: `{repository: "ns/repo", namespace, name, docker_url: "quay.io/ns/repo",
 * homepage, updated_tags: ["latest"]}`. No digest, no event type field, no signature (an
 * optional client certificate at most; secure the endpoint with a secret in the URL).
 *
 * Decisions:
 * - `updated_tags` is accepted as an array of tags or, as in the old format, an object whose
 *   keys are the tags (tag → image id). A body without `updated_tags` is another kind of
 *   Quay notification (build, vulnerability, mirror) and is `ignored`; so is an empty list.
 * - One tag-only request per distinct tag; the worker resolves each tag with a HEAD.
 * - The registry is the host of `docker_url`, `quay.io` when it is absent; the repository is
 *   `repository`, else `namespace/name`.
 * - Every request of a delivery carries the context's request id: the body has none.
 *
 * @see https://docs.projectquay.io/use_quay.html#repository-notifications
 * @module
 */
import { ScanSource } from '../scan/scan-request.js'
import { expectObject, expectString, type Fail } from '../shape.js'
import {
  expectBody,
  hostOfReference,
  ignoredOutcome,
  invalidWebhook,
  optionalNonEmptyString,
  scanOutcome,
  toScanRequest,
  type WebhookContext,
  type WebhookOutcome,
} from './webhook.js'

export const QUAY_IO = 'quay.io'

const fail: Fail = invalidWebhook('Quay')

function tagsOf(value: unknown): string[] {
  const tags = Array.isArray(value)
    ? value.map((tag, index) => expectString(tag, `updated_tags[${index}]`, fail))
    : Object.keys(expectObject(value, 'updated_tags', fail))
  return [...new Set(tags)]
}

/** Turns a Quay `repo_push` notification into one tag-only scan request per updated tag. */
export function parseQuayWebhook(body: unknown, ctx: WebhookContext): WebhookOutcome {
  const json = expectBody(body, fail)
  if (json.updated_tags === undefined || json.updated_tags === null) return ignoredOutcome('Quay notification is not a repo_push (no updated_tags)')
  const tags = tagsOf(json.updated_tags)
  if (tags.length === 0) return ignoredOutcome('Quay repo_push updated no tags')

  const dockerUrl = optionalNonEmptyString(json.docker_url, 'docker_url', fail)
  let registry = QUAY_IO
  if (dockerUrl !== undefined) {
    const host = hostOfReference(dockerUrl)
    if (host === undefined) fail(`docker_url "${dockerUrl}" does not start with a registry host`)
    registry = host as string
  }
  let repository = optionalNonEmptyString(json.repository, 'repository', fail)
  if (repository === undefined) {
    const namespace = optionalNonEmptyString(json.namespace, 'namespace', fail)
    const name = optionalNonEmptyString(json.name, 'name', fail)
    if (namespace === undefined || name === undefined) fail('repository must be a string')
    repository = `${namespace}/${name}`
  }
  const requests = tags.map((tag) =>
    toScanRequest(
      { registry, repository, tag, source: ScanSource.Quay, receivedAt: ctx.receivedAt, requestId: ctx.requestId },
      fail,
    ),
  )
  return scanOutcome(requests)
}
