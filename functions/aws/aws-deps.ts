/**
 * The Lambda functions' wiring: configuration from the environment (secrets from Secrets
 * Manager when the environment names them by ARN, see `secrets.ts`), S3, SQS and ECR
 * clients, built once per cold start.
 *
 * @module
 */
import { ECRClient } from '@aws-sdk/client-ecr'
import { S3Client } from '@aws-sdk/client-s3'
import { SQSClient } from '@aws-sdk/client-sqs'
import { ENV, loadServiceConfig, loadWorkerConfig, required, type Env } from '../../shared/config.js'
import { systemClock } from '../../shared/ports/clock.js'
import type { Logger } from '../../shared/ports/logger.js'
import { ReportStore } from '../../shared/report/report-store.js'
import type { WorkerDeps } from '../../shared/scan/process-scan-request.js'
import type { ApiDeps } from '../api/app.js'
import { jsonLogger } from '../runtime/json-logger.js'
import { createWorkerDeps, guardedAgent } from '../runtime/worker-deps.js'
import { ecrTokenProvider } from './ecr-token.js'
import { S3ObjectStore } from './s3-object-store.js'
import { readServiceSecrets, secretsManagerReader, withRegistryAuthFile, type SecretReader } from './secrets.js'
import { SqsScanQueue } from './sqs-scan-queue.js'

export interface AwsDepsOptions {
  /** Reads secrets named by `…_ARN` variables. Default: Secrets Manager GetSecretValue. */
  readSecret?: SecretReader
  /** Where the registry credentials secret is written. Default `/tmp/pushscan-registry-auth.json`. */
  registryAuthFile?: string
}

export async function awsApiDeps(env: Env, options: AwsDepsOptions = {}): Promise<ApiDeps> {
  const config = loadServiceConfig(env, await readServiceSecrets(env, options.readSecret ?? secretsManagerReader()))
  const logger = jsonLogger({ level: config.logLevel, base: { function: 'api' } })
  return {
    queue: new SqsScanQueue(sqsClient(env), required(env, ENV.QueueUrl)),
    reports: new ReportStore(new S3ObjectStore(new S3Client({}), required(env, ENV.ReportBucket))),
    config,
    clock: systemClock,
    logger,
  }
}

export async function awsWorkerDeps(env: Env, options: AwsDepsOptions = {}): Promise<{ deps: WorkerDeps; logger: Logger }> {
  const readSecret = options.readSecret ?? secretsManagerReader()
  const workerEnv = await withRegistryAuthFile(env, readSecret, options.registryAuthFile)
  // the worker never answers webhooks or API calls: it is not given their secrets
  const config = loadWorkerConfig(workerEnv)
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
