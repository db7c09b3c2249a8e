/**
 * The Lambda worker: SQS batch → one scan per message → reports in S3.
 *
 * @module
 */
import type { SQSHandler } from 'aws-lambda'
import { awsWorkerDeps } from '../aws/aws-deps.js'
import { handleMessage } from './handle-message.js'
import { processBatch } from './process-batch.js'

const { deps, logger } = await awsWorkerDeps(process.env)

export const handler: SQSHandler = (event) =>
  processBatch(event, async (record) => {
    const sent = Number(record.attributes.SentTimestamp)
    await handleMessage(record.body, new Date(Number.isFinite(sent) ? sent : Date.now()).toISOString(), record.messageId, deps)
  }, logger)
