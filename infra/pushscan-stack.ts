/**
 * `PushscanStack`: pushscan in one AWS account and region. Registry webhooks reach the api
 * (HTTP API or Function URL), ECR pushes reach the queue through EventBridge, the worker
 * scans and writes reports to S3, and the api serves them.
 *
 * @module
 */
import { CfnOutput, Duration, Stack, Tags, Token, type Size, type StackProps } from 'aws-cdk-lib'
import * as events from 'aws-cdk-lib/aws-events'
import type * as logs from 'aws-cdk-lib/aws-logs'
import * as s3 from 'aws-cdk-lib/aws-s3'
import * as sns from 'aws-cdk-lib/aws-sns'
import { NagSuppressions } from 'cdk-nag'
import type { Construct } from 'constructs'
import { DEFAULT_ALLOWED_REGISTRIES, ENV, loadServiceConfig } from '../shared/config.js'
import { SECRET_ENV } from '../functions/aws/secrets.js'
import { nagResource } from './nag.js'
import { Api, type ApiKind, type ApiThrottle } from './constructs/api.js'
import { EcrTrigger } from './constructs/ecr-trigger.js'
import { ReportBucket } from './constructs/report-bucket.js'
import { ScanPipeline } from './constructs/scan-pipeline.js'
import { secretFromCompleteArn, ServiceSecrets } from './constructs/service-secrets.js'
import { VulndbRefresh } from './constructs/vulndb-refresh.js'

export type LogLevel = 'debug' | 'info' | 'warn' | 'error'

export interface PushscanStackProps extends StackProps {
  /**
   * The registries that may be scanned (`PUSHSCAN_ALLOWED_REGISTRIES`): `host[:port]`,
   * `*.suffix` patterns, or CIDR networks. When you set it, include the ECR registries you
   * scan (`*.dkr.ecr.REGION.amazonaws.com`).
   * @default - pushscan's default list (docker.io, ghcr.io, quay.io, public.ecr.aws, gcr.io,
   * registry.k8s.io, mcr.microsoft.com) plus `*.dkr.ecr.<region>.amazonaws.com` for this
   * region and for the region of each repository ARN in `ecrRepositories`
   */
  readonly allowedRegistries?: readonly string[]
  /**
   * Registries reached over plain HTTP (`PUSHSCAN_INSECURE_REGISTRIES`).
   * @default - none
   */
  readonly insecureRegistries?: readonly string[]
  /**
   * Pull-through mirrors, registry → base URL (`PUSHSCAN_REGISTRY_MIRRORS`), for example
   * `{ 'docker.io': 'https://mirror.example.com' }`.
   * @default - none
   */
  readonly registryMirrors?: Readonly<Record<string, string>>
  /**
   * Scan limits by name (`PUSHSCAN_LIMITS`), for example `{ maxLayerBytes: '8GiB', maxLayers: 100 }`.
   * @default - pushscan's defaults (see the README's limits table)
   */
  readonly limits?: Readonly<Record<string, string | number>>
  /**
   * `PUSHSCAN_LOG_LEVEL` of both functions.
   * @default 'info'
   */
  readonly logLevel?: LogLevel
  /**
   * Cosign public keys (PEM, one or more concatenated) that image signatures are verified
   * with (`PUSHSCAN_COSIGN_KEYS`, read by the worker). Public keys are not secrets.
   * @default - none: signatures are reported, unverified
   */
  readonly cosignPublicKeys?: string
  /**
   * The worker's timeout, the longest one scan may take (at most 15 minutes). The queue's
   * visibility timeout is six times this.
   * @default Duration.minutes(10)
   */
  readonly workerTimeout?: Duration
  /**
   * The worker's memory in MiB.
   * @default 2048
   */
  readonly workerMemorySize?: number
  /**
   * The worker's `/tmp` size.
   * @default Size.mebibytes(1024)
   */
  readonly workerEphemeralStorageSize?: Size
  /**
   * The most scans that run at once (the SQS event source's `maxConcurrency`, 2 to 1,000).
   * @default 5
   */
  readonly workerConcurrency?: number
  /**
   * Attempts at one scan request before it moves to the dead-letter queue.
   * @default 5
   */
  readonly maxReceiveCount?: number
  /**
   * The alarm on the age of the oldest queued scan request fires at this age.
   * @default Duration.hours(1)
   */
  readonly maxMessageAge?: Duration
  /**
   * The api's front end: an API Gateway HTTP API, or a Lambda Function URL.
   * @default 'http-api'
   */
  readonly apiKind?: ApiKind
  /**
   * HTTP API throttling (default route settings). Ignored for a Function URL.
   * @default { rateLimit: 50, burstLimit: 100 }
   */
  readonly apiThrottle?: ApiThrottle
  /**
   * The ECR repositories to scan on push and to pull from: names (`team/app`, `team/*`) or
   * repository ARNs.
   * @default - every repository of this account in this region
   */
  readonly ecrRepositories?: readonly string[]
  /**
   * An existing bucket for the reports, used as it is (no encryption, policy or lifecycle
   * is added to it).
   * @default - a new private, encrypted, versioned bucket
   */
  readonly reportBucket?: s3.IBucket
  /**
   * An existing bucket for the reports, by name (the command line's form of `reportBucket`).
   * @default - see `reportBucket`
   */
  readonly reportBucketName?: string
  /**
   * An SNS topic told when an alarm changes state (ALARM and OK).
   * @default - the alarms notify no one
   */
  readonly alarmTopic?: sns.ITopic
  /**
   * An SNS topic for the alarms, by ARN (the command line's form of `alarmTopic`).
   * @default - see `alarmTopic`
   */
  readonly alarmTopicArn?: string
  /**
   * How long the functions' logs and the HTTP API access logs are kept.
   * @default logs.RetentionDays.ONE_MONTH
   */
  readonly logRetention?: logs.RetentionDays
  /**
   * X-Ray tracing for both functions.
   * @default false
   */
  readonly tracing?: boolean
  /**
   * The complete ARN of a Secrets Manager secret holding registry credentials: a docker
   * `config.json` document. The worker may read it and writes it to
   * `/tmp/pushscan-registry-auth.json` at cold start.
   * @default - no registry credentials (anonymous pulls, and ECR through the worker's role)
   */
  readonly registryAuthSecretArn?: string
  /**
   * What the vulnerability refresh imports: http(s) URLs of zips of OSV records, such as
   * OSV's exports (`https://osv-vulnerabilities.storage.googleapis.com/<Ecosystem>/all.zip`).
   * @default - the OSV exports of Alpine, Debian, npm, PyPI, Go and Maven
   */
  readonly vulndbSources?: readonly string[]
  /**
   * How often the vulnerability refresh runs.
   * @default Duration.hours(6)
   */
  readonly vulndbRefreshInterval?: Duration
  /**
   * The vulnerability refresh's memory in MiB (it holds the archives and the index).
   * @default 3008
   */
  readonly vulndbMemorySize?: number
  /**
   * Where the refresh POSTs notifications about new critical and high vulnerabilities,
   * signed with HMAC-SHA256 (`X-Pushscan-Signature`).
   * @default - no notifications
   */
  readonly notifyUrl?: string
  /**
   * The complete ARN of an existing secret holding the notifications' HMAC key.
   * @default - a generated secret, when `notifyUrl` is set
   */
  readonly notifySecretArn?: string
}

/** pushscan's resources: secrets, report bucket, scan pipeline, api, ECR trigger. */
export class PushscanStack extends Stack {
  readonly secrets: ServiceSecrets
  readonly reports: ReportBucket
  readonly pipeline: ScanPipeline
  readonly api: Api
  readonly ecrTrigger: EcrTrigger
  readonly vulndb: VulndbRefresh

  constructor(scope: Construct, id: string, props: PushscanStackProps = {}) {
    super(scope, id, { description: 'pushscan: container images scanned when they are pushed', ...props })
    Tags.of(this).add('app', 'pushscan')

    const service = serviceEnvironment(this, props)
    if (props.reportBucket && props.reportBucketName) throw new Error('PushscanStack: give reportBucket or reportBucketName, not both')
    if (props.alarmTopic && props.alarmTopicArn) throw new Error('PushscanStack: give alarmTopic or alarmTopicArn, not both')
    const existingBucket = props.reportBucket ?? (props.reportBucketName ? s3.Bucket.fromBucketName(this, 'ExistingReportBucket', props.reportBucketName) : undefined)
    const alarmTopic = props.alarmTopic ?? (props.alarmTopicArn ? sns.Topic.fromTopicArn(this, 'AlarmTopic', props.alarmTopicArn) : undefined)

    this.secrets = new ServiceSecrets(this, 'Secrets', props.registryAuthSecretArn ? { registryAuthSecret: secretFromCompleteArn(this, 'RegistryAuthSecret', props.registryAuthSecretArn) } : {})
    this.reports = new ReportBucket(this, 'Reports', existingBucket ? { bucket: existingBucket } : {})
    const bucket = this.reports.bucket

    this.pipeline = new ScanPipeline(this, 'Scans', {
      bucket,
      environment: {
        ...service,
        ...(this.secrets.registryAuth ? { [SECRET_ENV.RegistryAuthSecretArn]: this.secrets.registryAuth.secretArn } : {}),
      },
      workerTimeout: props.workerTimeout,
      workerMemorySize: props.workerMemorySize,
      workerEphemeralStorageSize: props.workerEphemeralStorageSize,
      maxConcurrency: props.workerConcurrency,
      maxReceiveCount: props.maxReceiveCount,
      maxMessageAge: props.maxMessageAge,
      alarmTopic,
      logRetention: props.logRetention,
      tracing: props.tracing,
    })
    this.secrets.registryAuth?.grantRead(this.pipeline.worker)

    this.api = new Api(this, 'Api', {
      environment: {
        ...service,
        [ENV.ReportBucket]: bucket.bucketName,
        [ENV.QueueUrl]: this.pipeline.queue.queueUrl,
        [SECRET_ENV.WebhookSecretArn]: this.secrets.webhookSecret.secretArn,
        [SECRET_ENV.ApiKeyArn]: this.secrets.apiKey.secretArn,
      },
      kind: props.apiKind,
      throttle: props.apiThrottle,
      logRetention: props.logRetention,
      tracing: props.tracing,
    })
    // least privilege: the api only reads reports and only sends to the queue
    bucket.grantRead(this.api.function)
    this.pipeline.queue.grantSendMessages(this.api.function)
    this.secrets.webhookSecret.grantRead(this.api.function)
    this.secrets.apiKey.grantRead(this.api.function)
    NagSuppressions.addResourceSuppressions(
      this.api.function.role!,
      [
        {
          id: 'AwsSolutions-IAM5',
          reason:
            'bucket.grantRead: the api serves any stored report or tag history (GET /reports/{digest}, GET /images/…), whose keys come from the request, so it reads every object of the report bucket (the grant\'s Get/List action groups; no write, no other bucket).',
          appliesTo: ['Action::s3:GetObject*', 'Action::s3:GetBucket*', 'Action::s3:List*', nagResource(this, `${bucket.bucketArn}/*`)],
        },
      ],
      true
    )

    this.ecrTrigger = new EcrTrigger(this, 'Ecr', {
      queue: this.pipeline.queue,
      deadLetterQueue: this.pipeline.deadLetterQueue,
      puller: this.pipeline.worker,
      repositories: props.ecrRepositories,
    })

    if (props.notifySecretArn && !props.notifyUrl) throw new Error('PushscanStack: notifySecretArn needs notifyUrl')
    this.vulndb = new VulndbRefresh(this, 'Vulndb', {
      bucket,
      environment: { [ENV.LogLevel]: props.logLevel ?? 'info' },
      sources: props.vulndbSources,
      schedule: events.Schedule.rate(props.vulndbRefreshInterval ?? Duration.hours(6)),
      memorySize: props.vulndbMemorySize,
      ...(props.notifyUrl ? { notifyUrl: props.notifyUrl } : {}),
      ...(props.notifySecretArn ? { notifySecret: secretFromCompleteArn(this, 'NotifySecret', props.notifySecretArn) } : {}),
      alarmTopic,
      logRetention: props.logRetention,
      tracing: props.tracing,
    })

    new CfnOutput(this, 'ReportBucketName', { value: bucket.bucketName, description: 'The S3 bucket holding the reports' })
    new CfnOutput(this, 'ScanQueueUrl', { value: this.pipeline.queue.queueUrl, description: 'The scan queue' })
    new CfnOutput(this, 'DeadLetterQueueUrl', { value: this.pipeline.deadLetterQueue.queueUrl, description: 'Scan requests that failed on every attempt' })
    new CfnOutput(this, 'WebhookSecretArn', { value: this.secrets.webhookSecret.secretArn, description: 'aws secretsmanager get-secret-value --secret-id <this> --query SecretString --output text' })
    new CfnOutput(this, 'ApiKeySecretArn', { value: this.secrets.apiKey.secretArn, description: 'aws secretsmanager get-secret-value --secret-id <this> --query SecretString --output text' })
    if (this.vulndb.notifySecret) {
      new CfnOutput(this, 'NotifySecretArn', { value: this.vulndb.notifySecret.secretArn, description: 'The HMAC key of X-Pushscan-Signature: aws secretsmanager get-secret-value --secret-id <this> --query SecretString --output text' })
    }
  }
}

/**
 * The settings both functions read (`shared/config.ts`), validated here so that a mistake
 * fails `cdk synth` instead of every cold start.
 */
function serviceEnvironment(stack: Stack, props: PushscanStackProps): Record<string, string> {
  const allowed = props.allowedRegistries ?? defaultAllowedRegistries(stack, props.ecrRepositories ?? [])
  const environment: Record<string, string> = {
    [ENV.AllowedRegistries]: allowed.join(','),
    [ENV.LogLevel]: props.logLevel ?? 'info',
  }
  if (props.insecureRegistries?.length) environment[ENV.InsecureRegistries] = props.insecureRegistries.join(',')
  if (props.cosignPublicKeys) environment[ENV.CosignKeys] = props.cosignPublicKeys
  const mirrors = Object.entries(props.registryMirrors ?? {})
  if (mirrors.length > 0) environment[ENV.RegistryMirrors] = mirrors.map(([registry, url]) => `${registry}=${url}`).join(',')
  const limits = Object.entries(props.limits ?? {})
  if (limits.length > 0) environment[ENV.Limits] = limits.map(([name, value]) => `${name}=${value}`).join(',')

  // validate what is known at synth time (a region or account token is resolved at deploy)
  const known = Object.fromEntries(
    Object.entries(environment).map(([name, value]) => [
      name,
      name === ENV.AllowedRegistries ? allowed.filter((entry) => !Token.isUnresolved(entry)).join(',') || 'docker.io' : value,
    ])
  )
  if (Object.values(known).some((value) => Token.isUnresolved(value))) return environment
  try {
    loadServiceConfig(known, { webhookSecret: 'x'.repeat(16), apiKey: 'x'.repeat(16) })
  } catch (error) {
    throw new Error(`PushscanStack: ${(error as Error).message}`)
  }
  return environment
}

/** pushscan's default list, plus this region's ECR registries and those of ARNs named. */
function defaultAllowedRegistries(stack: Stack, ecrRepositories: readonly string[]): string[] {
  const ecr = [`*.dkr.ecr.${stack.region}.${stack.urlSuffix}`]
  for (const repository of ecrRepositories) {
    const match = /^arn:aws[a-z-]*:ecr:([a-z0-9-]+):/.exec(repository)
    if (!match) continue
    const host = `*.dkr.ecr.${match[1]}.amazonaws.com${match[1]!.startsWith('cn-') ? '.cn' : ''}`
    if (!ecr.includes(host)) ecr.push(host)
  }
  return [...DEFAULT_ALLOWED_REGISTRIES.split(','), ...ecr]
}
