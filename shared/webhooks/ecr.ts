/**
 * Amazon ECR pushes, as EventBridge delivers them: `{version, id, "detail-type": "ECR Image
 * Action", source: "aws.ecr", account, time, region, resources, detail: {result,
 * "repository-name", "image-digest", "action-type", "image-tag"}}`. An EventBridge rule
 * usually targets the scan queue directly, so the worker meets these events among its
 * {@link ScanRequest} messages; {@link isEcrEvent} tells them apart.
 *
 * Decisions:
 * - Only `ECR Image Action` events with `action-type` `PUSH` and `result` `SUCCESS` are
 *   scanned. `DELETE`, `FAILURE` and the other ECR detail types (`ECR Image Scan`, `ECR
 *   Scan Resource Change`, `ECR Replication Action`, `ECR Pull Through Cache Action`, …) are
 *   `ignored`. A `source` other than `aws.ecr` is `WEBHOOK_INVALID`.
 * - The registry is `<account>.dkr.ecr.<region>.amazonaws.com` (`.amazonaws.com.cn` for the
 *   `cn-` regions); `account` must be 12 digits and `region` look like `us-west-2`.
 * - `image-digest` is required for a push; `image-tag` is optional (absent or empty for a
 *   push by digest).
 * - The request id is the event `id`, else the context's id. No delay is returned: ECR emits
 *   events "on a best effort basis" and whether a multi-arch push emits one event or one per
 *   manifest is not documented; the worker's digest dedup absorbs repeats.
 *
 * @see https://docs.aws.amazon.com/AmazonECR/latest/userguide/ecr-eventbridge.html
 * @module
 */
import { ScanSource, type ScanRequest } from '../scan/scan-request.js'
import { expectObject, expectString, isObject, type Fail } from '../shape.js'
import {
  expectBody,
  expectNonEmptyString,
  ignoredOutcome,
  invalidWebhook,
  optionalNonEmptyString,
  scanOutcome,
  toScanRequest,
  type WebhookContext,
  type WebhookOutcome,
} from './webhook.js'

export const ECR_EVENT_SOURCE = 'aws.ecr'
export const ECR_IMAGE_ACTION = 'ECR Image Action'

const fail: Fail = invalidWebhook('ECR event')

const ACCOUNT = /^[0-9]{12}$/
const REGION = /^[a-z]{2}(?:-[a-z]+)+-[0-9]+$/

/** True for an EventBridge event from ECR (any detail type), false for a ScanRequest message or anything else. */
export function isEcrEvent(value: unknown): boolean {
  return isObject(value) && value.source === ECR_EVENT_SOURCE && typeof value['detail-type'] === 'string'
}

/** `<account>.dkr.ecr.<region>.amazonaws.com`, or `….amazonaws.com.cn` in the China regions. */
export function ecrRegistryHost(account: string, region: string): string {
  return `${account}.dkr.ecr.${region}.amazonaws.com${region.startsWith('cn-') ? '.cn' : ''}`
}

/** Turns an ECR EventBridge event into a scan request for a successful push. */
export function parseEcrEvent(event: unknown, ctx: WebhookContext): WebhookOutcome {
  const json = expectBody(event, fail)
  const source = expectString(json.source, 'source', fail)
  if (source !== ECR_EVENT_SOURCE) fail(`source must be "${ECR_EVENT_SOURCE}", not "${source}"`)
  const detailType = expectString(json['detail-type'], 'detail-type', fail)
  if (detailType !== ECR_IMAGE_ACTION) return ignoredOutcome(`ECR event "${detailType}" is not an image action`)
  const detail = expectObject(json.detail, 'detail', fail)
  const actionType = expectString(detail['action-type'], 'detail.action-type', fail)
  if (actionType !== 'PUSH') return ignoredOutcome(`ECR image action ${actionType || '(empty)'} is not a push`)
  const result = expectString(detail.result, 'detail.result', fail)
  if (result !== 'SUCCESS') return ignoredOutcome(`ECR push result is ${result || '(empty)'}`)

  const account = expectString(json.account, 'account', fail)
  if (!ACCOUNT.test(account)) fail(`account "${account}" is not a 12-digit AWS account id`)
  const region = expectString(json.region, 'region', fail)
  if (!REGION.test(region)) fail(`region "${region}" is not an AWS region`)
  const request: ScanRequest = toScanRequest(
    {
      registry: ecrRegistryHost(account, region),
      repository: expectNonEmptyString(detail['repository-name'], 'detail.repository-name', fail),
      digest: expectNonEmptyString(detail['image-digest'], 'detail.image-digest', fail),
      tag: optionalNonEmptyString(detail['image-tag'], 'detail.image-tag', fail),
      source: ScanSource.Ecr,
      receivedAt: ctx.receivedAt,
      requestId: optionalNonEmptyString(json.id, 'id', fail) ?? ctx.requestId,
    },
    fail,
  )
  return scanOutcome([request])
}
