/**
 * Registry webhooks and events, reduced to scan requests. Pure: no I/O, no HTTP framework.
 *
 * @module
 */
export {
  unauthorized,
  WebhookError,
  type WebhookContext,
  type WebhookOutcome,
} from './webhook.js'
export { parseDockerHubWebhook } from './dockerhub.js'
export {
  CHILD_MANIFEST_DELAY_SECONDS,
  DISTRIBUTION_EVENTS_MEDIA_TYPES,
  parseDistributionWebhook,
  type DistributionWebhookOptions,
} from './distribution.js'
export { parseHarborWebhook } from './harbor.js'
export { GHCR, parseGitHubWebhook, verifyGitHubSignature } from './github.js'
export { parseQuayWebhook, QUAY_IO } from './quay.js'
export { ECR_EVENT_SOURCE, ECR_IMAGE_ACTION, ecrRegistryHost, isEcrEvent, parseEcrEvent } from './ecr.js'
export { bearerToken, secretsEqual } from './secret.js'
