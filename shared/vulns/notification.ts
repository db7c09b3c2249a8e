/**
 * The notification a vulnerability refresh sends when stored images gain critical or high
 * vulnerabilities, and its signature.
 *
 * The body is JSON (`serialiseNotification`); the `X-Pushscan-Signature` header is
 * `sha256=<hex>`, the HMAC-SHA256 of the exact body bytes keyed with the shared secret, as
 * GitHub signs its webhooks. `X-Pushscan-Delivery` repeats the body's `id`, the same on every
 * retry of one delivery, so a receiver can drop duplicates.
 *
 * ```json
 * { "event": "vulnerabilities.new", "version": 1, "id": "…", "sentAt": "2026-11-29T07:40:00.000Z",
 *   "index": { "importedAt": "…", "records": 123456 },
 *   "images": [ { "registry": "docker.io", "repository": "team/app", "digest": "sha256:…", "tags": ["1.2"],
 *                 "platform": { "os": "linux", "architecture": "amd64" },
 *                 "vulnerabilities": [ { "id": "CVE-…", "aliases": [], "severity": "high", "package": {…}, "fixedVersion": "…", "layer": "sha256:…" } ] } ] }
 * ```
 *
 * @module
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto'
import type { ReportPlatform, Vulnerability } from '../report/model.js'

export const NOTIFICATION_EVENT = 'vulnerabilities.new' as const
export const NOTIFICATION_VERSION = 1 as const

/** HTTP headers of a delivery (lower case, as Node.js gives them to a receiver). */
export const NotificationHeader = {
  Signature: 'x-pushscan-signature',
  Event: 'x-pushscan-event',
  Delivery: 'x-pushscan-delivery',
} as const

/** One image and what it newly has. */
export interface NotifiedImage {
  registry: string
  repository: string
  digest: string
  tags: string[]
  platform?: ReportPlatform
  indexDigest?: string
  vulnerabilities: Vulnerability[]
}

export interface VulnerabilityNotification {
  event: typeof NOTIFICATION_EVENT
  version: typeof NOTIFICATION_VERSION
  /** The same for every retry of one delivery. */
  id: string
  sentAt: string
  index: { importedAt: string; records: number }
  images: NotifiedImage[]
}

/** A notification about `images`, identified by its content and time. */
export function buildNotification(sentAt: string, index: VulnerabilityNotification['index'], images: NotifiedImage[]): VulnerabilityNotification {
  const id = createHash('sha256').update(JSON.stringify([sentAt, index, images])).digest('hex').slice(0, 32)
  return { event: NOTIFICATION_EVENT, version: NOTIFICATION_VERSION, id, sentAt, index, images }
}

/** The body bytes that are sent and signed. */
export function serialiseNotification(notification: VulnerabilityNotification): string {
  return JSON.stringify(notification)
}

/** The `X-Pushscan-Signature` value of `body`: `sha256=` and the hex HMAC-SHA256. */
export function signBody(secret: string, body: string | Uint8Array): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`
}

/** True when `header` is the signature of `body` under `secret` (compared in constant time). */
export function verifySignature(secret: string, body: string | Uint8Array, header: string | undefined): boolean {
  if (header === undefined) return false
  const expected = Buffer.from(signBody(secret, body))
  const given = Buffer.from(header.trim())
  return expected.length === given.length && timingSafeEqual(expected, given)
}
