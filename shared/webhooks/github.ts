/**
 * GitHub Packages webhooks for the GitHub container registry (`ghcr.io`), and GitHub's
 * `X-Hub-Signature-256` check.
 *
 * GitHub sends the event name in `X-GitHub-Event` (`package`, or the older
 * `registry_package`), a delivery id in `X-GitHub-Delivery`, and signs the raw body with
 * HMAC-SHA256 in `X-Hub-Signature-256: sha256=<hex>`. The body is `{action, package |
 * registry_package: {name, namespace, ecosystem, package_type, owner: {login},
 * package_version: {version, name, container_metadata: {tag: {name, digest}, manifest:
 * {digest, media_type}}, package_url}, registry}, repository, sender}`.
 *
 * Decisions:
 * - Scanned: events `package` and `registry_package` with action `published` or `updated`
 *   whose package is a container: `package_type` `container` or `docker`, or `ecosystem`
 *   `container` or `docker`, compared case-insensitively (GitHub's own example says
 *   `ecosystem: docker` with `package_type: npm`, so either field is enough). The package
 *   object is read from `package` or `registry_package`, whichever is present.
 * - Ignored: `ping`, every other event, other actions, and non-container packages.
 * - The registry is `ghcr.io`; the repository is `<owner>/<package name>` lower-cased (the
 *   registry API wants lower case), the owner being `owner.login`, else `namespace`.
 * - The digest is the first valid digest among `container_metadata.manifest.digest`,
 *   `package_version.version` and `package_version.name` (a version such as `1.2.0` is not a
 *   digest and is skipped; so is a malformed one, as in GitHub's own example whose
 *   `manifest.digest` has 40 hex digits). When every digest-looking field is malformed the
 *   delivery is `WEBHOOK_INVALID`. The tag is `container_metadata.tag.name` when non-empty.
 *   Neither digest nor tag is `WEBHOOK_INVALID`.
 * - The request id is the `X-GitHub-Delivery` id, else the context's id.
 * - Check the signature ({@link verifyGitHubSignature}) on the raw bytes before parsing.
 *
 * @see https://docs.github.com/en/webhooks/webhook-events-and-payloads#package
 * @see https://docs.github.com/en/webhooks/using-webhooks/validating-webhook-deliveries
 * @module
 */
import { createHmac, timingSafeEqual } from 'node:crypto'
import { isDigest } from '../image/digest.js'
import { ScanSource } from '../scan/scan-request.js'
import { expectObject, expectString, type Fail, type JsonObject } from '../shape.js'
import {
  expectBody,
  expectNonEmptyString,
  ignoredOutcome,
  invalidWebhook,
  optionalNonEmptyString,
  optionalObject,
  scanOutcome,
  toScanRequest,
  type WebhookContext,
  type WebhookOutcome,
} from './webhook.js'

/** The registry GitHub Packages serves containers from. */
export const GHCR = 'ghcr.io'

const fail: Fail = invalidWebhook('GitHub')

const PACKAGE_EVENTS = new Set(['package', 'registry_package'])
const SCANNED_ACTIONS = new Set(['published', 'updated'])
const CONTAINER_TYPES = new Set(['container', 'docker'])
const SIGNATURE = /^sha256=([0-9a-fA-F]{64})$/
/** `<algorithm>:<anything>`: a version string that is meant as a digest. */
const DIGEST_LIKE = /^[a-z0-9]+(?:[.+_-][a-z0-9]+)*:/

function isContainer(pkg: JsonObject, at: string): boolean {
  const packageType = optionalNonEmptyString(pkg.package_type, `${at}.package_type`, fail)
  const ecosystem = optionalNonEmptyString(pkg.ecosystem, `${at}.ecosystem`, fail)
  return [packageType, ecosystem].some((value) => value !== undefined && CONTAINER_TYPES.has(value.toLowerCase()))
}

/**
 * The manifest digest: the first valid one among `container_metadata.manifest.digest`,
 * `version` and `name`. A candidate that looks like a digest but does not parse is skipped
 * (GitHub's own example has a 40-hex `manifest.digest`); when every digest-looking
 * candidate is malformed the delivery is refused.
 */
function digestOf(version: JsonObject, at: string): string | undefined {
  const metadata = optionalObject(version.container_metadata, `${at}.container_metadata`, fail)
  const manifest = metadata && optionalObject(metadata.manifest, `${at}.container_metadata.manifest`, fail)
  const candidates: [string, unknown][] = [
    [`${at}.container_metadata.manifest.digest`, manifest?.digest],
    [`${at}.version`, version.version],
    [`${at}.name`, version.name],
  ]
  let malformed: string | undefined
  for (const [field, value] of candidates) {
    const text = optionalNonEmptyString(value, field, fail)
    if (text === undefined || !DIGEST_LIKE.test(text)) continue
    if (isDigest(text)) return text
    malformed ??= `${field} "${text}" is not a valid digest`
  }
  if (malformed !== undefined) fail(malformed)
  return undefined
}

function tagOf(version: JsonObject, at: string): string | undefined {
  const metadata = optionalObject(version.container_metadata, `${at}.container_metadata`, fail)
  const tag = metadata && optionalObject(metadata.tag, `${at}.container_metadata.tag`, fail)
  return tag && optionalNonEmptyString(tag.name, `${at}.container_metadata.tag.name`, fail)
}

/**
 * Turns a GitHub `package` / `registry_package` delivery into a scan request for a
 * container published to `ghcr.io`.
 *
 * @param event the `X-GitHub-Event` header
 * @param deliveryId the `X-GitHub-Delivery` header
 */
export function parseGitHubWebhook(body: unknown, event: string, deliveryId: string | undefined, ctx: WebhookContext): WebhookOutcome {
  if (event === 'ping') return ignoredOutcome('GitHub ping')
  if (!PACKAGE_EVENTS.has(event)) return ignoredOutcome(`GitHub event "${event}" is not a package event`)
  const json = expectBody(body, fail)
  const action = expectString(json.action, 'action', fail)
  if (!SCANNED_ACTIONS.has(action)) return ignoredOutcome(`GitHub ${event} action "${action}" is not a publication`)
  const at = json.package != null ? 'package' : json.registry_package != null ? 'registry_package' : event
  const pkg = expectObject(json[at], at, fail)
  if (!isContainer(pkg, at)) return ignoredOutcome(`GitHub package is not a container`)

  const name = expectNonEmptyString(pkg.name, `${at}.name`, fail)
  const ownerObject = optionalObject(pkg.owner, `${at}.owner`, fail)
  const owner =
    (ownerObject && optionalNonEmptyString(ownerObject.login, `${at}.owner.login`, fail)) ??
    optionalNonEmptyString(pkg.namespace, `${at}.namespace`, fail)
  if (owner === undefined) return fail(`${at}.owner.login must be a string`)
  const versionAt = `${at}.package_version`
  const version = optionalObject(pkg.package_version, versionAt, fail)
  if (!version) return fail(`${versionAt} must be an object`)

  const request = toScanRequest(
    {
      registry: GHCR,
      repository: `${owner}/${name}`.toLowerCase(),
      digest: digestOf(version, versionAt),
      tag: tagOf(version, versionAt),
      source: ScanSource.GitHub,
      receivedAt: ctx.receivedAt,
      requestId: deliveryId || ctx.requestId,
    },
    fail,
  )
  return scanOutcome([request])
}

/**
 * Checks `X-Hub-Signature-256` (`sha256=<hex HMAC-SHA256(secret, raw body)>`) in constant
 * time. False for a missing or malformed header, and for an empty secret (which anyone could
 * sign with).
 */
export function verifyGitHubSignature(secret: string, rawBody: Uint8Array, header: string | undefined): boolean {
  if (secret === '' || header === undefined) return false
  const match = SIGNATURE.exec(header.trim())
  const hex = match?.[1]
  if (!hex) return false
  const expected = createHmac('sha256', secret).update(rawBody).digest()
  return timingSafeEqual(expected, Buffer.from(hex, 'hex'))
}
