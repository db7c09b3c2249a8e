/**
 * `ReportBucket`: where the worker writes reports and tag histories, and the api reads them.
 *
 * @module
 */
import { Duration, RemovalPolicy } from 'aws-cdk-lib'
import * as s3 from 'aws-cdk-lib/aws-s3'
import { NagSuppressions } from 'cdk-nag'
import { Construct } from 'constructs'

export interface ReportBucketProps {
  /**
   * An existing bucket to keep the reports in, used as it is: pushscan adds no encryption,
   * policy or lifecycle rule to it, and only grants its functions access.
   * @default - a new bucket
   */
  readonly bucket?: s3.IBucket
  /**
   * How long a report's earlier versions are kept once it has been overwritten (a rescan,
   * a tag's history update) or deleted.
   * @default Duration.days(30)
   */
  readonly noncurrentVersionExpiration?: Duration
  /**
   * A bucket to receive S3 server access logs of the report bucket, under `pushscan-reports/`.
   * @default - no server access logs
   */
  readonly serverAccessLogsBucket?: s3.IBucket
  /**
   * What happens to a new bucket when the stack is deleted.
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy
}

/**
 * The report bucket: private (every public access blocked, bucket-owner-enforced
 * ownership), S3-managed encryption, TLS-only, versioned so an overwritten report can be
 * recovered, with earlier versions and abandoned multipart uploads expired. Or an existing
 * bucket, passed in.
 */
export class ReportBucket extends Construct {
  /** The bucket: the one created here, or the one passed in. */
  readonly bucket: s3.IBucket
  /** True when the bucket was created by this construct. */
  readonly created: boolean

  constructor(scope: Construct, id: string, props: ReportBucketProps = {}) {
    super(scope, id)
    if (props.bucket) {
      this.bucket = props.bucket
      this.created = false
      return
    }
    const bucket = new s3.Bucket(this, 'Bucket', {
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      minimumTLSVersion: 1.2,
      versioned: true,
      lifecycleRules: [
        {
          id: 'expire-earlier-versions',
          noncurrentVersionExpiration: props.noncurrentVersionExpiration ?? Duration.days(30),
          abortIncompleteMultipartUploadAfter: Duration.days(7),
        },
      ],
      removalPolicy: props.removalPolicy ?? RemovalPolicy.RETAIN,
      ...(props.serverAccessLogsBucket ? { serverAccessLogsBucket: props.serverAccessLogsBucket, serverAccessLogsPrefix: 'pushscan-reports/' } : {}),
    })
    this.bucket = bucket
    this.created = true
    if (!props.serverAccessLogsBucket) {
      NagSuppressions.addResourceSuppressions(bucket, [
        {
          id: 'AwsSolutions-S1',
          reason:
            'The bucket is private to pushscan: all public access is blocked and only its two functions are granted access (the worker writes reports, the api reads them; HTTP API access logs record every api request). Server access logs would need a second bucket for little extra audit value; pass serverAccessLogsBucket to turn them on.',
        },
      ])
    }
  }
}
