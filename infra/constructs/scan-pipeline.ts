/**
 * `ScanPipeline`: the scan queue, its dead-letter queue, the worker that drains it, and the
 * alarms that say when scans are stuck.
 *
 * @module
 */
import { Duration, Size, Token } from 'aws-cdk-lib'
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch'
import * as cwActions from 'aws-cdk-lib/aws-cloudwatch-actions'
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources'
import type * as logs from 'aws-cdk-lib/aws-logs'
import type * as s3 from 'aws-cdk-lib/aws-s3'
import type * as sns from 'aws-cdk-lib/aws-sns'
import * as sqs from 'aws-cdk-lib/aws-sqs'
import { NagSuppressions } from 'cdk-nag'
import { Construct } from 'constructs'
import { ENV } from '../../shared/config.js'
import { nagResource } from '../nag.js'
import { PushscanFunction } from './pushscan-function.js'

/** SQS's rule: the queue's visibility timeout is at least six times the function's timeout. */

/**
 * The worker's Node options: source maps, and a larger young generation. The layer walk
 * allocates a buffer per decompressed chunk and thousands of short-lived objects per layer;
 * with 32 MiB semi-spaces it ran about 8 % faster in `npm run bench` (layer walk vs gunzip
 * 0.70 against 0.64), for a few tens of MiB of the function's 2 GB.
 */
const WORKER_NODE_OPTIONS = '--enable-source-maps --max-semi-space-size=32'

export const VISIBILITY_TIMEOUT_FACTOR = 6

/**
 * The largest message the queue takes. pushscan's messages are small (a scan request, or an
 * ECR event of about 1 KiB); 256 KiB is also the largest event EventBridge delivers.
 */
export const MAX_MESSAGE_SIZE_BYTES = 256 * 1024

export interface ScanPipelineProps {
  /** The report bucket: the worker reads and writes it. */
  readonly bucket: s3.IBucket
  /**
   * The service settings for the worker (`PUSHSCAN_ALLOWED_REGISTRIES`, …). The bucket name
   * is added here.
   * @default - none
   */
  readonly environment?: Record<string, string>
  /**
   * The worker's timeout: the longest one scan may take. At most 15 minutes. The queue's
   * visibility timeout is six times this.
   * @default Duration.minutes(10)
   */
  readonly workerTimeout?: Duration
  /**
   * The worker's memory in MiB. Lambda gives CPU in proportion: 1,769 MiB is one full vCPU,
   * which decompression and hashing use.
   * @default 2048
   */
  readonly workerMemorySize?: number
  /**
   * The worker's `/tmp` size. pushscan streams layers and writes nothing large to disk.
   * @default Size.mebibytes(1024)
   */
  readonly workerEphemeralStorageSize?: Size
  /**
   * The most worker instances the queue invokes at once (the event source's
   * `maxConcurrency`, 2 to 1,000). It bounds the load on registries and on the account's
   * concurrency without reserving any.
   * @default 5
   */
  readonly maxConcurrency?: number
  /**
   * Receives of one message before it moves to the dead-letter queue. A scan that fails
   * temporarily is retried after the visibility timeout.
   * @default 5
   */
  readonly maxReceiveCount?: number
  /**
   * How long a scan request waits on the queue before it is dropped.
   * @default Duration.days(4)
   */
  readonly retentionPeriod?: Duration
  /**
   * How long a message stays in the dead-letter queue (SQS's maximum is 14 days).
   * @default Duration.days(14)
   */
  readonly deadLetterRetentionPeriod?: Duration
  /**
   * The alarm on the age of the oldest message fires at this age.
   * @default Duration.hours(1)
   */
  readonly maxMessageAge?: Duration
  /**
   * An SNS topic that gets the alarms' state changes (ALARM and OK).
   * @default - the alarms change state but notify no one
   */
  readonly alarmTopic?: sns.ITopic
  /**
   * How long the worker's logs are kept.
   * @default logs.RetentionDays.ONE_MONTH
   */
  readonly logRetention?: logs.RetentionDays
  /**
   * X-Ray tracing for the worker.
   * @default false
   */
  readonly tracing?: boolean
}

/**
 * The scan queue (SQS-managed encryption, TLS only, a visibility timeout six times the
 * worker's timeout, an explicit maximum message size) with its dead-letter queue; the worker,
 * fed one message per invocation with partial batch responses; alarms on a non-empty
 * dead-letter queue and on old messages.
 */
export class ScanPipeline extends Construct {
  readonly queue: sqs.Queue
  readonly deadLetterQueue: sqs.Queue
  readonly worker: PushscanFunction
  /** Fires when a message reaches the dead-letter queue. */
  readonly deadLetterAlarm: cloudwatch.Alarm
  /** Fires when the oldest scan request has waited longer than `maxMessageAge`. */
  readonly oldestMessageAlarm: cloudwatch.Alarm

  constructor(scope: Construct, id: string, props: ScanPipelineProps) {
    super(scope, id)
    const timeout = props.workerTimeout ?? Duration.minutes(10)
    if (!timeout.isUnresolved() && (timeout.toSeconds() < 1 || timeout.toSeconds() > 900)) {
      throw new Error(`ScanPipeline: workerTimeout must be from 1 second to 15 minutes, not ${timeout.toHumanString()}`)
    }
    const maxConcurrency = props.maxConcurrency ?? 5
    if (!Token.isUnresolved(maxConcurrency) && (!Number.isInteger(maxConcurrency) || maxConcurrency < 2 || maxConcurrency > 1000)) {
      throw new Error(`ScanPipeline: maxConcurrency must be a whole number from 2 to 1000 (the SQS event source's range), not ${maxConcurrency}`)
    }
    const maxReceiveCount = props.maxReceiveCount ?? 5
    if (!Token.isUnresolved(maxReceiveCount) && (!Number.isInteger(maxReceiveCount) || maxReceiveCount < 1 || maxReceiveCount > 1000)) {
      throw new Error(`ScanPipeline: maxReceiveCount must be a whole number from 1 to 1000, not ${maxReceiveCount}`)
    }

    this.deadLetterQueue = new sqs.Queue(this, 'DeadLetterQueue', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: props.deadLetterRetentionPeriod ?? Duration.days(14),
      maxMessageSizeBytes: MAX_MESSAGE_SIZE_BYTES,
    })
    NagSuppressions.addResourceSuppressions(this.deadLetterQueue, [
      { id: 'AwsSolutions-SQS3', reason: 'This queue is the dead-letter queue of the scan queue (and of the ECR rule target); a dead-letter queue has none of its own.' },
    ])

    this.queue = new sqs.Queue(this, 'Queue', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      visibilityTimeout: Duration.seconds(timeout.toSeconds() * VISIBILITY_TIMEOUT_FACTOR),
      maxMessageSizeBytes: MAX_MESSAGE_SIZE_BYTES,
      retentionPeriod: props.retentionPeriod ?? Duration.days(4),
      deadLetterQueue: { queue: this.deadLetterQueue, maxReceiveCount },
    })

    this.worker = new PushscanFunction(this, 'Worker', {
      entry: 'functions/worker/handler.ts',
      description: 'pushscan worker: scans one queued image per invocation and writes its reports to S3',
      timeout,
      memorySize: props.workerMemorySize ?? 2048,
      ephemeralStorageSize: props.workerEphemeralStorageSize ?? Size.mebibytes(1024),
      environment: { NODE_OPTIONS: WORKER_NODE_OPTIONS, ...props.environment, [ENV.ReportBucket]: props.bucket.bucketName },
      ...(props.logRetention !== undefined ? { logRetention: props.logRetention } : {}),
      ...(props.tracing !== undefined ? { tracing: props.tracing } : {}),
    })
    props.bucket.grantReadWrite(this.worker)
    this.worker.addEventSource(new SqsEventSource(this.queue, { batchSize: 1, reportBatchItemFailures: true, maxConcurrency }))

    NagSuppressions.addResourceSuppressions(
      this.worker.role!,
      [
        {
          id: 'AwsSolutions-IAM5',
          reason:
            'bucket.grantReadWrite: the worker reads and writes report, tag-history and layer-cache objects under keys derived from image digests and names, so it needs every object of the report bucket (and the grant\'s Get/List/Put/Delete/Abort action groups), and no other bucket.',
          appliesTo: [
            'Action::s3:GetObject*',
            'Action::s3:GetBucket*',
            'Action::s3:List*',
            'Action::s3:DeleteObject*',
            'Action::s3:PutObject*',
            'Action::s3:Abort*',
            nagResource(this, `${props.bucket.bucketArn}/*`),
          ],
        },
      ],
      true
    )

    this.deadLetterAlarm = new cloudwatch.Alarm(this, 'DeadLetterAlarm', {
      alarmDescription: 'pushscan: scan requests reached the dead-letter queue (a scan failed on every attempt, or EventBridge could not deliver an ECR push). Inspect the messages and redrive them.',
      metric: this.deadLetterQueue.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(5), statistic: cloudwatch.Stats.MAXIMUM }),
      threshold: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    })
    const maxAge = props.maxMessageAge ?? Duration.hours(1)
    this.oldestMessageAlarm = new cloudwatch.Alarm(this, 'OldestMessageAlarm', {
      alarmDescription: `pushscan: the oldest scan request has waited ${maxAge.toHumanString()} or more (scans are failing and being retried, or the worker cannot keep up).`,
      metric: this.queue.metricApproximateAgeOfOldestMessage({ period: Duration.minutes(5), statistic: cloudwatch.Stats.MAXIMUM }),
      threshold: maxAge.toSeconds(),
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    })
    if (props.alarmTopic) {
      const action = new cwActions.SnsAction(props.alarmTopic)
      for (const alarm of [this.deadLetterAlarm, this.oldestMessageAlarm]) {
        alarm.addAlarmAction(action)
        alarm.addOkAction(action)
      }
    }
  }
}
