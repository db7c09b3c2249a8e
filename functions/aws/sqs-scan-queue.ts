/**
 * {@link ScanQueue} on Amazon SQS: scan requests sent in batches of ten.
 *
 * @module
 */
import { SendMessageBatchCommand, type SQSClient } from '@aws-sdk/client-sqs'
import { ErrorCode, PushscanError } from '../../shared/errors.js'
import type { EnqueueOptions, ScanQueue } from '../../shared/ports/scan-queue.js'
import type { ScanRequest } from '../../shared/scan/scan-request.js'

const BATCH = 10
const MAX_DELAY_SECONDS = 900

export class SqsScanQueue implements ScanQueue {
  readonly #client: SQSClient
  readonly #queueUrl: string

  constructor(client: SQSClient, queueUrl: string) {
    this.#client = client
    this.#queueUrl = queueUrl
  }

  async enqueue(requests: readonly ScanRequest[], options: EnqueueOptions = {}): Promise<void> {
    const delay = Math.min(MAX_DELAY_SECONDS, Math.max(0, Math.floor(options.delaySeconds ?? 0)))
    for (let i = 0; i < requests.length; i += BATCH) {
      const entries = requests.slice(i, i + BATCH).map((request, j) => ({
        Id: String(i + j),
        MessageBody: JSON.stringify(request),
        ...(delay > 0 ? { DelaySeconds: delay } : {}),
      }))
      let failed: string[]
      try {
        const response = await this.#client.send(new SendMessageBatchCommand({ QueueUrl: this.#queueUrl, Entries: entries }))
        failed = (response.Failed ?? []).map((f) => `${f.Code ?? 'error'}: ${f.Message ?? ''}`)
      } catch (error) {
        throw new PushscanError(ErrorCode.QueueUnavailable, `could not send to SQS: ${(error as Error).message}`, { temporary: true, cause: error })
      }
      if (failed.length > 0) throw new PushscanError(ErrorCode.QueueUnavailable, `SQS refused ${failed.length} message(s): ${failed.join('; ')}`, { temporary: true })
    }
  }
}
