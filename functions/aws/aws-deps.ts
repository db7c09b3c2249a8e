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
import { ENV, loadServiceConfig, loadVulndbConfig, loadWorkerConfig, required, type Env } from '../../shared/config.js'
import { systemClock } from '../../shared/ports/clock.js'
import type { Logger } from '../../shared/ports/logger.js'
import { ReportStore } from '../../shared/report/report-store.js'
import { ObjectVulnIndexStore } from '../../shared/vulns/object-vuln-index-store.js'
import type { RefreshDeps, RefreshOptions } from '../../shared/vulns/refresh.js'
import { SCANNER_NAME, SCANNER_VERSION } from '../../shared/version.js'
import { UndiciDownloader } from '../runtime/undici-downloader.js'
import { WebhookNotifier } from '../runtime/webhook-notifier.js'
import type { WorkerDeps } from '../../shared/scan/process-scan-request.js'
import type { ApiDeps } from '../api/app.js'
import { jsonLogger } from '../runtime/json-logger.js'
import { createWorkerDeps, guardedAgent } from '../runtime/worker-deps.js'
import { ecrTokenProvider } from './ecr-token.js'
import { S3ObjectStore } from './s3-object-store.js'
import { readNotifySecret, readServiceSecrets, secretsManagerReader, withRegistryAuthFile, type SecretReader } from './secrets.js'
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
 * The vulnerability refresh's wiring: the sources to re-import, the report bucket (reports
 * and the index), undici for downloads and the notification webhook (its HMAC key from
 * Secrets Manager when named by ARN). No registry client: a refresh pulls no image.
 */
export async function awsVulndbDeps(env: Env, options: AwsDepsOptions = {}): Promise<{ deps: RefreshDeps; options: RefreshOptions; logger: Logger }> {
  const config = loadVulndbConfig(env, await readNotifySecret(env, options.readSecret ?? secretsManagerReader()))
  const logger = jsonLogger({ level: config.logLevel, base: { function: 'vulndb' } })
  const objects = new S3ObjectStore(new S3Client({}), required(env, ENV.ReportBucket))
  const userAgent = `${SCANNER_NAME}/${SCANNER_VERSION}`
  const deps: RefreshDeps = {
    index: new ObjectVulnIndexStore(objects, logger),
    reports: new ReportStore(objects),
    objects,
    downloader: new UndiciDownloader({ userAgent }),
    clock: systemClock,
    logger,
    ...(config.notify ? { notifier: new WebhookNotifier({ ...config.notify, userAgent }) } : {}),
  }
  return { deps, options: { sources: config.sources }, logger }
}

/**
 * With an endpoint override in the environment (an emulator such as LocalStack or fauxqs),
 * send to that endpoint rather than to the host in the queue URL.
 */
function sqsClient(env: Env): SQSClient {
  return new SQSClient(env.AWS_ENDPOINT_URL_SQS || env.AWS_ENDPOINT_URL ? { useQueueUrlAsEndpoint: false } : {})
}
