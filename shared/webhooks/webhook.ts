/**
 * What every webhook parser returns, the error it throws, and the small helpers the
 * parsers share.
 *
 * The parsers are pure: they take a body that has already been parsed as JSON (plus, for
 * GitHub, the event header) and return a {@link WebhookOutcome}. They do no I/O, trust
 * nothing in the body, and reduce every push to {@link ScanRequest}s through
 * {@link createScanRequest}, so a request that leaves a parser has a valid name.
 *
 * Errors:
 * - a malformed body (not an object, a field missing or of the wrong type, a name or digest
 *   that does not parse) throws a {@link WebhookError} with code `WEBHOOK_INVALID` and a
 *   message that names the source and the field (`distribution webhook: events[0].target
 *   must be an object`);
 * - a bad secret or signature is reported by the HTTP layer with `WEBHOOK_UNAUTHORIZED`
 *   ({@link unauthorized}); the parsers never see secrets.
 *
 * @module
 */
import { ErrorCode, PushscanError, type PushscanErrorOptions } from '../errors.js'
import { createScanRequest, type ScanRequest } from '../scan/scan-request.js'
import { expectObject, isObject, type Fail, type JsonObject } from '../shape.js'

/**
 * The result of one delivery.
 *
 * - `scan`: queue `requests` (never empty). When `delaySeconds` is set, the whole batch is
 *   to be queued with that delay (SQS `DelaySeconds`); see the distribution parser for why
 *   some pushes wait. The delay is per outcome, not per request, because a queue takes one
 *   delay per `enqueue` call and because waiting a few seconds longer never loses a scan.
 * - `ignored`: nothing to scan (a pull, a delete, a non-container package, a ping…);
 *   `reason` says why, for logs and for the HTTP answer. Senders should get a 2xx for it.
 */
export type WebhookOutcome =
  | {
      kind: 'scan'
      requests: ScanRequest[]
      /** Seconds to delay these requests in the queue. */
      delaySeconds?: number
    }
  | { kind: 'ignored'; reason: string }

/** What the HTTP layer knows about a delivery besides its body. */
export interface WebhookContext {
  /** ISO 8601 time the delivery reached pushscan; becomes `ScanRequest.receivedAt`. */
  receivedAt: string
  /** pushscan's own id for the delivery, used when the body carries no delivery id. */
  requestId: string
}

/** A webhook delivery that cannot be turned into scan requests: malformed or unauthorised. */
export class WebhookError extends PushscanError {
  override name = 'WebhookError'

  constructor(code: typeof ErrorCode.WebhookInvalid | typeof ErrorCode.WebhookUnauthorized, message: string, options?: PushscanErrorOptions) {
    super(code, message, options)
  }
}

/** The `Fail` for one source: throws `WEBHOOK_INVALID` with `<label> webhook: <message>`. */
export function invalidWebhook(label: string): Fail {
  return (message) => {
    throw new WebhookError(ErrorCode.WebhookInvalid, `${label} webhook: ${message}`)
  }
}

/** A `WEBHOOK_UNAUTHORIZED` error for the HTTP layer (missing or wrong secret, bad signature). */
export function unauthorized(message: string): WebhookError {
  return new WebhookError(ErrorCode.WebhookUnauthorized, message)
}

/** A `scan` outcome; a delay of 0 or undefined is left out. */
export function scanOutcome(requests: ScanRequest[], delaySeconds?: number): WebhookOutcome {
  return delaySeconds ? { kind: 'scan', requests, delaySeconds } : { kind: 'scan', requests }
}

export function ignoredOutcome(reason: string): WebhookOutcome {
  return { kind: 'ignored', reason }
}

/** An object field that may be absent or null. */
export function optionalObject(value: unknown, at: string, fail: Fail): JsonObject | undefined {
  if (value === undefined || value === null) return undefined
  return expectObject(value, at, fail)
}

/** A string field that may be absent, null or empty (all read as absent). */
export function optionalNonEmptyString(value: unknown, at: string, fail: Fail): string | undefined {
  if (value === undefined || value === null || value === '') return undefined
  if (typeof value !== 'string') fail(`${at} must be a string`)
  return value as string
}

/** A string field that must be present and non-empty. */
export function expectNonEmptyString(value: unknown, at: string, fail: Fail): string {
  if (typeof value !== 'string') fail(`${at} must be a string`)
  if (value === '') fail(`${at} must not be empty`)
  return value as string
}

const LABEL = '[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?'
const HOST_PORT = new RegExp(`^(?:${LABEL}(?:\\.${LABEL})*|\\[[a-fA-F0-9:]+\\])(?::[0-9]{1,5})?$`)

/** True for `host`, `host:port`, `1.2.3.4:5000` and `[::1]:5000`; false for URLs and paths. */
export function isHostPort(value: string): boolean {
  return HOST_PORT.test(value)
}

/**
 * The registry host at the start of a pull-style reference or URL (`hub.example.com/p/r:t`,
 * `https://quay.io/ns/repo`), or undefined when there is no valid `host[:port]` before the
 * first `/`.
 */
export function hostOfReference(value: string): string | undefined {
  const rest = value.replace(/^[a-z][a-z0-9+.-]*:\/\//i, '')
  const slash = rest.indexOf('/')
  const host = slash === -1 ? rest : rest.slice(0, slash)
  return isHostPort(host) ? host : undefined
}

/** What {@link createScanRequest} takes. */
export type RequestParts = Parameters<typeof createScanRequest>[0]

/**
 * {@link createScanRequest}, with its refusal (a bad name, tag or digest) turned into
 * `WEBHOOK_INVALID` carrying the same message.
 */
export function toScanRequest(parts: RequestParts, fail: Fail): ScanRequest {
  try {
    return createScanRequest(parts)
  } catch (error) {
    if (error instanceof PushscanError) fail(error.message)
    throw error
  }
}

/** Requires the body to be a JSON object. */
export function expectBody(body: unknown, fail: Fail): JsonObject {
  if (!isObject(body)) fail('the body must be a JSON object')
  return body as JsonObject
}
