/**
 * SQS batches with partial failures: every record is handled on its own, one after the
 * other (scans are memory-heavy), and only the records that failed with a temporary error
 * are returned, so SQS retries those and, after the queue's maxReceiveCount, moves them to
 * the dead-letter queue. Records that can never succeed (a body that does not parse) are
 * also returned, so they end in the dead-letter queue where someone can look at them.
 *
 * @module
 */
import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda'
import { describeError, isTemporary } from '../../shared/errors.js'
import type { Logger } from '../../shared/ports/logger.js'

export async function processBatch(event: SQSEvent, handle: (record: SQSRecord) => Promise<void>, logger: Logger): Promise<SQSBatchResponse> {
  const batchItemFailures: SQSBatchResponse['batchItemFailures'] = []
  for (const record of event.Records) {
    try {
      await handle(record)
    } catch (error) {
      logger[isTemporary(error) ? 'warn' : 'error']('message failed; SQS will retry it', {
        messageId: record.messageId,
        receiveCount: record.attributes?.ApproximateReceiveCount,
        temporary: isTemporary(error),
        error: describeError(error),
      })
      batchItemFailures.push({ itemIdentifier: record.messageId })
    }
  }
  return { batchItemFailures }
}
