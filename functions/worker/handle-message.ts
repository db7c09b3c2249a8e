/**
 * One queue message: a pushscan `ScanRequest`, or an EventBridge "ECR Image Action" event
 * that the ECR rule sends straight to the queue. Parsed, then handed to the core.
 *
 * @module
 */
import { ErrorCode, InputError } from '../../shared/errors.js'
import { processScanRequest, type ProcessOutcome, type WorkerDeps } from '../../shared/scan/process-scan-request.js'
import { parseScanRequest, type ScanRequest } from '../../shared/scan/scan-request.js'
import { isEcrEvent, parseEcrEvent } from '../../shared/webhooks/index.js'

/** The scan requests a message body carries (none for an ECR event that is not a push). */
export function requestsOf(body: string, receivedAt: string, messageId: string): ScanRequest[] {
  let json: unknown
  try {
    json = JSON.parse(body)
  } catch (error) {
    throw new InputError(ErrorCode.ScanRequestInvalid, `message ${messageId} is not JSON: ${(error as Error).message}`)
  }
  if (isEcrEvent(json)) {
    const outcome = parseEcrEvent(json, { receivedAt, requestId: messageId })
    return outcome.kind === 'scan' ? outcome.requests : []
  }
  return [parseScanRequest(json)]
}

export async function handleMessage(body: string, receivedAt: string, messageId: string, deps: WorkerDeps): Promise<ProcessOutcome[]> {
  const outcomes: ProcessOutcome[] = []
  for (const request of requestsOf(body, receivedAt, messageId)) outcomes.push(await processScanRequest(request, deps))
  return outcomes
}
