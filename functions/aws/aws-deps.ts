/**
 * The Lambda functions' wiring: configuration from the environment, S3, SQS and ECR
 * clients, built once per cold start.
 *
 * @module
 */
import { ECRClient } from '@aws-sdk/client-ecr'
import { S3Client } from '@aws-sdk/client-s3'
import { SQSClient } from '@aws-sdk/client-sqs'
import { ENV, loadServiceConfig, required, type Env } from '../../shared/config.js'
import { systemClock } from '../../shared/ports/clock.js'
import type { Logger } from '../../shared/ports/logger.js'
import { ReportStore } from '../../shared/report/report-store.js'
import type { WorkerDeps } from '../../shared/scan/process-scan-request.js'
import type { ApiDeps } from '../api/app.js'
import { jsonLogger } from '../runtime/json-logger.js'
import { createWorkerDeps, guardedAgent } from '../runtime/worker-deps.js'
import { ecrTokenProvider } from './ecr-token.js'
import { S3ObjectStore } from './s3-object-store.js'
import { SqsScanQueue } from './sqs-scan-queue.js'

export async function awsApiDeps(env: Env): Promise<ApiDeps> {
  const config = loadServiceConfig(env)
  const logger = jsonLogger({ level: config.logLevel, base: { function: 'api' } })
  return {
    queue: new SqsScanQueue(sqsClient(env), required(env, ENV.QueueUrl)),
    reports: new ReportStore(new S3ObjectStore(new S3Client({}), required(env, ENV.ReportBucket))),
    config,
    clock: systemClock,
    logger,
  }
}

export async function awsWorkerDeps(env: Env): Promise<{ deps: WorkerDeps; logger: Logger }> {
  const config = loadServiceConfig(env)
  const logger = jsonLogger({ level: config.logLevel, base: { function: 'worker' } })
  const deps = await createWorkerDeps({
    config,
    objects: new S3ObjectStore(new S3Client({}), required(env, ENV.ReportBucket)),
    clock: systemClock,
    logger,
    dispatcher: guardedAgent(config),
    credentials: [ecrTokenProvider(new ECRClient({}))],
  })
  return { deps, logger }
}

/**
 * With an endpoint override in the environment (an emulator such as LocalStack or fauxqs),
 * send to that endpoint rather than to the host in the queue URL.
 */
function sqsClient(env: Env): SQSClient {
  return new SQSClient(env.AWS_ENDPOINT_URL_SQS || env.AWS_ENDPOINT_URL ? { useQueueUrlAsEndpoint: false } : {})
}
