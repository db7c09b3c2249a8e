/**
 * `VulndbRefresh`: the scheduled vulnerability refresh: an EventBridge schedule invokes the
 * `functions/vulndb` function, which re-imports the OSV exports into the index in the report
 * bucket, re-matches every stored report and notifies a webhook about new critical and high
 * vulnerabilities.
 *
 * @module
 */
import { Duration, Token } from 'aws-cdk-lib'
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch'
import * as cwActions from 'aws-cdk-lib/aws-cloudwatch-actions'
import * as events from 'aws-cdk-lib/aws-events'
import * as targets from 'aws-cdk-lib/aws-events-targets'
import type * as logs from 'aws-cdk-lib/aws-logs'
import type * as s3 from 'aws-cdk-lib/aws-s3'
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager'
import type * as sns from 'aws-cdk-lib/aws-sns'
import { NagSuppressions } from 'cdk-nag'
import { Construct } from 'constructs'
import { SECRET_ENV } from '../../functions/aws/secrets.js'
import { ENV } from '../../shared/config.js'
import { nagResource } from '../nag.js'
import { PushscanFunction } from './pushscan-function.js'
import { GENERATED_SECRET_LENGTH } from './service-secrets.js'

/** OSV's export of one ecosystem: every record of it in one zip. */
export function osvExportUrl(ecosystem: string): string {
  return `https://osv-vulnerabilities.storage.googleapis.com/${encodeURIComponent(ecosystem)}/all.zip`
}

/**
 * The ecosystems refreshed by default: the distributions most base images come from and the
 * language registries most images install from. Ubuntu, crates.io, RubyGems, Packagist and
 * NuGet are matched too; add them with `sources` (the index is held in memory by the
 * refresh and by each worker, so size the functions' memory to what you import).
 */
export const DEFAULT_OSV_ECOSYSTEMS = ['Alpine', 'Debian', 'npm', 'PyPI', 'Go', 'Maven'] as const

/** Where the key layout puts what the refresh writes and deletes. */
export const VULNDB_WRITE_PREFIXES = ['reports/*', 'vulndb/*'] as const
export const VULNDB_DELETE_PREFIX = 'vulndb/index/*'

export interface VulndbRefreshProps {
  /** The report bucket: the index is kept there, and the reports are re-matched there. */
  readonly bucket: s3.IBucket
  /**
   * Settings for the function (`PUSHSCAN_LOG_LEVEL`, …). The bucket, sources and
   * notification settings are added here.
   * @default - none
   */
  readonly environment?: Record<string, string>
  /**
   * What to import: OSV export URLs (`osvExportUrl('Debian')`) or any http(s) URL of a zip
   * of OSV records (`PUSHSCAN_VULNDB_SOURCES`).
   * @default - the OSV exports of {@link DEFAULT_OSV_ECOSYSTEMS}
   */
  readonly sources?: readonly string[]
  /**
   * When to refresh.
   * @default events.Schedule.rate(Duration.hours(6))
   */
  readonly schedule?: events.Schedule
  /**
   * Where to POST the notification about new critical and high vulnerabilities
   * (`PUSHSCAN_NOTIFY_URL`), signed with the notification secret.
   * @default - no notifications
   */
  readonly notifyUrl?: string
  /**
   * The HMAC key of the notifications, a plain-string secret. Only used with `notifyUrl`.
   * @default - a generated secret (48 letters and digits)
   */
  readonly notifySecret?: secretsmanager.ISecret
  /**
   * The function's memory in MiB: it holds the downloaded archives and the index.
   * @default 3008
   */
  readonly memorySize?: number
  /**
   * The function's timeout, at most 15 minutes.
   * @default Duration.minutes(15)
   */
  readonly timeout?: Duration
  /**
   * An SNS topic told when the refresh-failed alarm changes state.
   * @default - the alarm notifies no one
   */
  readonly alarmTopic?: sns.ITopic
  /**
   * How long the function's logs are kept.
   * @default logs.RetentionDays.ONE_MONTH
   */
  readonly logRetention?: logs.RetentionDays
  /**
   * X-Ray tracing for the function.
   * @default false
   */
  readonly tracing?: boolean
}

/**
 * The refresh function (no registry access, no queue: it reads stored package lists only),
 * its schedule, the notification secret when notifications are on, and an alarm on failed
 * refreshes. It may read the bucket, write reports and the index, and delete old indexes.
 */
export class VulndbRefresh extends Construct {
  readonly function: PushscanFunction
  readonly schedule: events.Rule
  /** Conditional: the notification secret, when `notifyUrl` is set. */
  readonly notifySecret?: secretsmanager.ISecret
  /** Fires when a refresh fails (import, or reports that could not be re-matched). */
  readonly failureAlarm: cloudwatch.Alarm

  constructor(scope: Construct, id: string, props: VulndbRefreshProps) {
    super(scope, id)
    const sources = props.sources ?? DEFAULT_OSV_ECOSYSTEMS.map(osvExportUrl)
    for (const source of sources) {
      if (!Token.isUnresolved(source) && !/^https?:\/\/\S+$/i.test(source)) throw new Error(`VulndbRefresh: "${source}" is not an http(s) URL (a Lambda function can only download its sources)`)
    }
    const timeout = props.timeout ?? Duration.minutes(15)
    if (!timeout.isUnresolved() && (timeout.toSeconds() < 60 || timeout.toSeconds() > 900)) throw new Error(`VulndbRefresh: timeout must be from 1 to 15 minutes, not ${timeout.toHumanString()}`)

    if (props.notifyUrl !== undefined && !Token.isUnresolved(props.notifyUrl) && !/^https?:\/\/\S+$/i.test(props.notifyUrl)) {
      throw new Error(`VulndbRefresh: notifyUrl "${props.notifyUrl}" is not an http(s) URL`)
    }
    if (props.notifyUrl !== undefined) {
      this.notifySecret =
        props.notifySecret ??
        new secretsmanager.Secret(this, 'NotifySecret', {
          description: 'pushscan notification secret: the HMAC-SHA256 key of X-Pushscan-Signature on vulnerability notifications',
          generateSecretString: { passwordLength: GENERATED_SECRET_LENGTH, excludePunctuation: true, includeSpace: false },
        })
      if (this.notifySecret instanceof secretsmanager.Secret) {
        NagSuppressions.addResourceSuppressions(this.notifySecret, [
          {
            id: 'AwsSolutions-SMG4',
            reason:
              'The notification receiver verifies signatures with this key; rotating it automatically would make it reject every notification until it is given the new key, so rotation is a manual step (put-secret-value, update the receiver; the function reads the key at cold start).',
          },
        ])
      }
    }

    this.function = new PushscanFunction(this, 'Function', {
      entry: 'functions/vulndb/handler.ts',
      description: 'pushscan vulnerability refresh: re-imports OSV data, re-matches stored reports, notifies about new critical and high vulnerabilities',
      timeout,
      memorySize: props.memorySize ?? 3008,
      environment: {
        ...props.environment,
        [ENV.ReportBucket]: props.bucket.bucketName,
        [ENV.VulndbSources]: sources.join(','),
        ...(props.notifyUrl !== undefined && this.notifySecret ? { [ENV.NotifyUrl]: props.notifyUrl, [SECRET_ENV.NotifySecretArn]: this.notifySecret.secretArn } : {}),
      },
      ...(props.logRetention !== undefined ? { logRetention: props.logRetention } : {}),
      ...(props.tracing !== undefined ? { tracing: props.tracing } : {}),
    })
    // least privilege: read everything (the reports to re-match), write only reports and the index, delete only old indexes
    props.bucket.grantRead(this.function)
    for (const prefix of VULNDB_WRITE_PREFIXES) props.bucket.grantPut(this.function, prefix)
    props.bucket.grantDelete(this.function, VULNDB_DELETE_PREFIX)
    this.notifySecret?.grantRead(this.function)
    NagSuppressions.addResourceSuppressions(
      this.function.role!,
      [
        {
          id: 'AwsSolutions-IAM5',
          reason:
            'The refresh lists and reads every stored report (bucket.grantRead on the report bucket\'s objects), rewrites reports and their history under reports/*, replaces the index under vulndb/* (grantPut) and deletes superseded index objects under vulndb/index/* (grantDelete); object keys derive from image digests, so the grants are by prefix, on this bucket only.',
          appliesTo: [
            'Action::s3:GetObject*',
            'Action::s3:GetBucket*',
            'Action::s3:List*',
            'Action::s3:Abort*',
            'Action::s3:DeleteObject*',
            nagResource(this, `${props.bucket.bucketArn}/*`),
            ...VULNDB_WRITE_PREFIXES.map((prefix) => nagResource(this, `${props.bucket.bucketArn}/${prefix}`)),
            nagResource(this, `${props.bucket.bucketArn}/${VULNDB_DELETE_PREFIX}`),
          ],
        },
      ],
      true
    )

    this.schedule = new events.Rule(this, 'Schedule', {
      description: 'pushscan: refresh the vulnerability data and re-match the stored reports',
      schedule: props.schedule ?? events.Schedule.rate(Duration.hours(6)),
      targets: [new targets.LambdaFunction(this.function, { retryAttempts: 2, maxEventAge: Duration.hours(1) })],
    })

    this.failureAlarm = new cloudwatch.Alarm(this, 'FailureAlarm', {
      alarmDescription: 'pushscan: a vulnerability refresh failed (an OSV source could not be imported, or stored reports could not be re-matched). The previous index stays in use; see the function\'s log.',
      metric: this.function.metricErrors({ period: Duration.hours(1), statistic: cloudwatch.Stats.SUM }),
      threshold: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    })
    if (props.alarmTopic) {
      const action = new cwActions.SnsAction(props.alarmTopic)
      this.failureAlarm.addAlarmAction(action)
      this.failureAlarm.addOkAction(action)
    }
  }
}
