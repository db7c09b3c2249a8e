/**
 * The default PushscanStack, resource by resource: what `cdk deploy` would create with no
 * settings.
 */
import { readFileSync } from 'node:fs'
import { Match } from 'aws-cdk-lib/assertions'
import { beforeAll, describe, expect, it } from 'vitest'
import { API_OUTPUTS, API_ROUTES } from '../../infra/constructs/api.js'
import { REPO_ROOT } from '../../infra/constructs/pushscan-function.js'
import { DEFAULT_ALLOWED_REGISTRIES } from '../../shared/config.js'
import { ACCOUNT, allowed, buildStack, REGION, resourceId, type BuiltStack } from './stack-fixture.js'

let built: BuiltStack
let ids: { queue: string; dlq: string; bucket: string; worker: string; api: string; webhookSecret: string; apiKey: string; rule: string; refresh: string; schedule: string }

beforeAll(() => {
  built = buildStack()
  const t = built.template
  ids = {
    queue: resourceId(t, 'AWS::SQS::Queue', 'ScansQueue'),
    dlq: resourceId(t, 'AWS::SQS::Queue', 'ScansDeadLetterQueue'),
    bucket: resourceId(t, 'AWS::S3::Bucket', 'ReportsBucket'),
    worker: resourceId(t, 'AWS::Lambda::Function', 'ScansWorker'),
    api: resourceId(t, 'AWS::Lambda::Function', 'ApiFunction'),
    webhookSecret: resourceId(t, 'AWS::SecretsManager::Secret', 'SecretsWebhookSecret'),
    apiKey: resourceId(t, 'AWS::SecretsManager::Secret', 'SecretsApiKey'),
    rule: resourceId(t, 'AWS::Events::Rule', 'EcrPushRule'),
    refresh: resourceId(t, 'AWS::Lambda::Function', 'VulndbFunction'),
    schedule: resourceId(t, 'AWS::Events::Rule', 'VulndbSchedule'),
  }
})

describe('the default stack', () => {
  it('has every kind of resource, once or as many as designed', () => {
    const t = built.template
    t.resourceCountIs('AWS::Lambda::Function', 3)
    t.resourceCountIs('AWS::SQS::Queue', 2)
    t.resourceCountIs('AWS::S3::Bucket', 1)
    t.resourceCountIs('AWS::Lambda::EventSourceMapping', 1)
    t.resourceCountIs('AWS::Events::Rule', 2)
    t.resourceCountIs('AWS::CloudWatch::Alarm', 3)
    t.resourceCountIs('AWS::SecretsManager::Secret', 2)
    t.resourceCountIs('AWS::ApiGatewayV2::Api', 1)
    t.resourceCountIs('AWS::ApiGatewayV2::Stage', 1)
    t.resourceCountIs('AWS::ApiGatewayV2::Route', API_ROUTES.length)
    t.resourceCountIs('AWS::Lambda::Url', 0)
    t.resourceCountIs('AWS::Logs::LogGroup', 4)
    t.resourceCountIs('AWS::IAM::Role', 3)
    t.resourceCountIs('AWS::SNS::Topic', 0)
  })
})

describe('the functions', () => {
  it('run Node.js 22 on arm64 with source maps, their own log group and ESM bundles', () => {
    for (const id of [ids.worker, ids.api, ids.refresh]) {
      const fn = built.template.toJSON().Resources[id]
      expect(fn.Properties).toMatchObject({
        Runtime: 'nodejs22.x',
        Architectures: ['arm64'],
        Handler: 'index.handler',
        Environment: { Variables: { NODE_OPTIONS: expect.stringMatching(/^--enable-source-maps(?: |$)/) } },
        LoggingConfig: { LogGroup: { Ref: expect.stringMatching(/Logs/) } },
      })
      expect(fn.Properties.TracingConfig).toBeUndefined()
    }
    built.template.allResourcesProperties('AWS::Logs::LogGroup', { RetentionInDays: 30 })
  })

  it('the worker: 10 minutes, 2048 MB, 1024 MB of /tmp, the service settings and the bucket, no webhook secret', () => {
    const worker = built.template.toJSON().Resources[ids.worker].Properties
    expect(worker).toMatchObject({ Timeout: 600, MemorySize: 2048, EphemeralStorage: { Size: 1024 } })
    const env = worker.Environment.Variables
    expect(env).toMatchObject({ PUSHSCAN_LOG_LEVEL: 'info', PUSHSCAN_REPORT_BUCKET: { Ref: ids.bucket } })
    // a larger young generation for the layer walk (see scan-pipeline.ts); the others keep the default
    expect(env.NODE_OPTIONS).toBe('--enable-source-maps --max-semi-space-size=32')
    expect(built.template.toJSON().Resources[ids.api].Properties.Environment.Variables.NODE_OPTIONS).toBe('--enable-source-maps')
    expect(env.PUSHSCAN_ALLOWED_REGISTRIES).toEqual({ 'Fn::Join': ['', [`${DEFAULT_ALLOWED_REGISTRIES},*.dkr.ecr.${REGION}.`, { Ref: 'AWS::URLSuffix' }]] })
    for (const name of ['PUSHSCAN_WEBHOOK_SECRET', 'PUSHSCAN_API_KEY', 'PUSHSCAN_WEBHOOK_SECRET_ARN', 'PUSHSCAN_API_KEY_ARN', 'PUSHSCAN_QUEUE_URL', 'PUSHSCAN_REGISTRY_AUTH_SECRET_ARN', 'PUSHSCAN_LIMITS']) {
      expect(env).not.toHaveProperty(name)
    }
  })

  it('the api: the queue URL, the bucket and the two secrets by ARN, never their values', () => {
    const api = built.template.toJSON().Resources[ids.api].Properties
    expect(api).toMatchObject({ Timeout: 29, MemorySize: 512 })
    expect(api.Environment.Variables).toMatchObject({
      PUSHSCAN_QUEUE_URL: { Ref: ids.queue },
      PUSHSCAN_REPORT_BUCKET: { Ref: ids.bucket },
      PUSHSCAN_WEBHOOK_SECRET_ARN: { Ref: ids.webhookSecret },
      PUSHSCAN_API_KEY_ARN: { Ref: ids.apiKey },
      PUSHSCAN_LOG_LEVEL: 'info',
    })
    expect(api.Environment.Variables).not.toHaveProperty('PUSHSCAN_WEBHOOK_SECRET')
    expect(api.Environment.Variables).not.toHaveProperty('PUSHSCAN_API_KEY')
  })
})

describe('the scan queue', () => {
  it('is encrypted, TLS-only, with a visibility timeout of 6 × the worker timeout and a dead-letter queue after 5 receives', () => {
    built.template.hasResourceProperties('AWS::SQS::Queue', {
      SqsManagedSseEnabled: true,
      VisibilityTimeout: 6 * 600,
      MaximumMessageSize: 262_144,
      MessageRetentionPeriod: 4 * 24 * 3600,
      RedrivePolicy: { deadLetterTargetArn: { 'Fn::GetAtt': [ids.dlq, 'Arn'] }, maxReceiveCount: 5 },
    })
  })

  it('has a dead-letter queue of its own settings: encrypted, 14 days', () => {
    const dlq = built.template.toJSON().Resources[ids.dlq].Properties
    expect(dlq).toMatchObject({ SqsManagedSseEnabled: true, MessageRetentionPeriod: 14 * 24 * 3600, MaximumMessageSize: 262_144 })
    expect(dlq.RedrivePolicy).toBeUndefined()
  })

  it.each(['queue', 'dlq'] as const)('%s denies requests without TLS', (which) => {
    built.template.hasResourceProperties('AWS::SQS::QueuePolicy', {
      Queues: [{ Ref: ids[which] }],
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Action: 'sqs:*', Principal: { AWS: '*' }, Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      },
    })
  })

  it('feeds the worker one message at a time, with partial batch responses and bounded concurrency', () => {
    built.template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      EventSourceArn: { 'Fn::GetAtt': [ids.queue, 'Arn'] },
      FunctionName: { Ref: ids.worker },
      BatchSize: 1,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      ScalingConfig: { MaximumConcurrency: 5 },
    })
  })
})

describe('the alarms', () => {
  it('fire on one message in the dead-letter queue', () => {
    built.template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/SQS',
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [ids.dlq, 'QueueName'] } }],
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      EvaluationPeriods: 1,
      TreatMissingData: 'notBreaching',
    })
  })

  it('fire when the oldest scan request is an hour old', () => {
    built.template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/SQS',
      MetricName: 'ApproximateAgeOfOldestMessage',
      Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [ids.queue, 'QueueName'] } }],
      Threshold: 3600,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
    })
  })

  it('notify no one unless a topic is given', () => {
    for (const alarm of Object.values(built.template.findResources('AWS::CloudWatch::Alarm'))) expect(alarm.Properties.AlarmActions).toBeUndefined()
  })
})

describe('the report bucket', () => {
  it('is private, encrypted, versioned, with earlier versions expired, and kept when the stack goes', () => {
    built.template.hasResource('AWS::S3::Bucket', {
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
      Properties: {
        PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
        BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] },
        VersioningConfiguration: { Status: 'Enabled' },
        OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] },
        LifecycleConfiguration: {
          Rules: [Match.objectLike({ Status: 'Enabled', NoncurrentVersionExpiration: { NoncurrentDays: 30 }, AbortIncompleteMultipartUpload: { DaysAfterInitiation: 7 } })],
        },
      },
    })
  })

  it('denies requests without TLS (and TLS below 1.2)', () => {
    built.template.hasResourceProperties('AWS::S3::BucketPolicy', {
      Bucket: { Ref: ids.bucket },
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Action: 's3:*', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
          Match.objectLike({ Effect: 'Deny', Action: 's3:*', Condition: { NumericLessThan: { 's3:TlsVersion': 1.2 } } }),
        ]),
      },
    })
  })
})

describe('the HTTP API', () => {
  it('routes exactly the app\'s routes to the api function (payload format 2.0)', () => {
    const routes = Object.values(built.template.findResources('AWS::ApiGatewayV2::Route')).map((r) => r.Properties.RouteKey as string)
    expect(routes.sort()).toEqual(API_ROUTES.map((r) => `${r.method} ${r.path}`).sort())
    built.template.hasResourceProperties('AWS::ApiGatewayV2::Integration', {
      IntegrationType: 'AWS_PROXY',
      PayloadFormatVersion: '2.0',
      IntegrationUri: { 'Fn::GetAtt': [ids.api, 'Arn'] },
    })
  })

  it('lists every route the api app serves (functions/api/app.ts)', () => {
    const source = readFileSync(`${REPO_ROOT}/functions/api/app.ts`, 'utf8')
    const appRoutes = [...source.matchAll(/app\.(get|post|put|patch|delete)\(\s*'([^']+)'/g)].map(
      ([, method, path]) => `${method!.toUpperCase()} ${path!.replace(/:([A-Za-z]+)/g, '{$1}').replace(/\/\*$/, '/{proxy+}')}`
    )
    expect(appRoutes.length).toBeGreaterThan(5)
    expect(appRoutes.sort()).toEqual(API_ROUTES.map((r) => `${r.method} ${r.path}`).sort())
  })

  it('throttles the default stage and logs access by route key, never by path (Docker Hub and Quay put the secret in it)', () => {
    const stage = Object.values(built.template.findResources('AWS::ApiGatewayV2::Stage'))[0]!.Properties
    expect(stage).toMatchObject({ StageName: '$default', AutoDeploy: true, DefaultRouteSettings: { ThrottlingRateLimit: 50, ThrottlingBurstLimit: 100 } })
    const format = stage.AccessLogSettings.Format as string
    expect(JSON.parse(format)).toMatchObject({ routeKey: '$context.routeKey', status: '$context.status', requestId: '$context.requestId' })
    expect(format).not.toMatch(/\$context\.path|\$context\.resourcePath|rawPath/)
  })

  it('outputs the base URL and every webhook URL', () => {
    const outputs = built.template.toJSON().Outputs
    const apiId = resourceId(built.template, 'AWS::ApiGatewayV2::Api', 'ApiHttpApi')
    expect(outputs.ApiUrl.Value).toEqual({ 'Fn::Join': ['', ['https://', { Ref: apiId }, `.execute-api.${REGION}.`, { Ref: 'AWS::URLSuffix' }, '/']] })
    for (const [id, path] of Object.entries(API_OUTPUTS)) {
      expect(JSON.stringify(outputs[id].Value)).toContain(path)
    }
    expect(Object.values(API_OUTPUTS)).toEqual(
      expect.arrayContaining(['webhooks/dockerhub/{secret}', 'webhooks/distribution', 'webhooks/harbor', 'webhooks/github', 'webhooks/quay/{secret}', 'scans', 'reports/{digest}'])
    )
    for (const id of ['ReportBucketName', 'ScanQueueUrl', 'DeadLetterQueueUrl', 'WebhookSecretArn', 'ApiKeySecretArn']) expect(outputs).toHaveProperty(id)
  })
})

describe('the ECR trigger', () => {
  it('matches successful ECR pushes and sends them to the scan queue, failures to the dead-letter queue', () => {
    const rule = built.template.toJSON().Resources[ids.rule].Properties
    expect(rule.EventPattern).toEqual({ source: ['aws.ecr'], 'detail-type': ['ECR Image Action'], detail: { 'action-type': ['PUSH'], result: ['SUCCESS'] } })
    expect(rule.Targets).toEqual([expect.objectContaining({ Arn: { 'Fn::GetAtt': [ids.queue, 'Arn'] }, DeadLetterConfig: { Arn: { 'Fn::GetAtt': [ids.dlq, 'Arn'] } } })])
  })

  it('may send to the queue (only from this rule)', () => {
    built.template.hasResourceProperties('AWS::SQS::QueuePolicy', {
      Queues: [{ Ref: ids.queue }],
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: 'Allow',
            Principal: { Service: 'events.amazonaws.com' },
            Action: Match.arrayWith(['sqs:SendMessage']),
            Condition: { ArnEquals: { 'aws:SourceArn': { 'Fn::GetAtt': [ids.rule, 'Arn'] } } },
          }),
        ]),
      },
    })
  })
})

describe('the vulnerability refresh', () => {
  it('runs every 6 hours, retried twice, with 15 minutes and 3008 MB, the bucket and the default OSV exports, no notification', () => {
    const rule = built.template.toJSON().Resources[ids.schedule].Properties
    expect(rule).toMatchObject({ ScheduleExpression: 'rate(6 hours)', State: 'ENABLED' })
    expect(rule.Targets).toEqual([expect.objectContaining({ Arn: { 'Fn::GetAtt': [ids.refresh, 'Arn'] }, RetryPolicy: { MaximumRetryAttempts: 2, MaximumEventAgeInSeconds: 3600 } })])
    built.template.hasResourceProperties('AWS::Lambda::Permission', { FunctionName: { 'Fn::GetAtt': [ids.refresh, 'Arn'] }, Principal: 'events.amazonaws.com', SourceArn: { 'Fn::GetAtt': [ids.schedule, 'Arn'] } })
    const fn = built.template.toJSON().Resources[ids.refresh].Properties
    expect(fn).toMatchObject({ Timeout: 900, MemorySize: 3008 })
    expect(fn.Environment.Variables).toMatchObject({
      PUSHSCAN_REPORT_BUCKET: { Ref: ids.bucket },
      PUSHSCAN_LOG_LEVEL: 'info',
      PUSHSCAN_VULNDB_SOURCES: ['Alpine', 'Debian', 'npm', 'PyPI', 'Go', 'Maven'].map((e) => `https://osv-vulnerabilities.storage.googleapis.com/${e}/all.zip`).join(','),
    })
    for (const name of ['PUSHSCAN_NOTIFY_URL', 'PUSHSCAN_NOTIFY_SECRET_ARN', 'PUSHSCAN_QUEUE_URL', 'PUSHSCAN_ALLOWED_REGISTRIES']) expect(fn.Environment.Variables).not.toHaveProperty(name)
  })

  it('has an alarm on failed refreshes', () => {
    built.template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/Lambda',
      MetricName: 'Errors',
      Dimensions: [{ Name: 'FunctionName', Value: { Ref: ids.refresh } }],
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      TreatMissingData: 'notBreaching',
    })
  })
})

describe('the secrets', () => {
  it('are generated: 48 letters and digits (at least 32, no punctuation)', () => {
    const secrets = Object.values(built.template.findResources('AWS::SecretsManager::Secret'))
    expect(secrets).toHaveLength(2)
    for (const secret of secrets) {
      const generate = secret.Properties.GenerateSecretString
      expect(generate.PasswordLength).toBeGreaterThanOrEqual(32)
      expect(generate).toMatchObject({ ExcludePunctuation: true, IncludeSpace: false })
      expect(generate.SecretStringTemplate).toBeUndefined()
    }
  })
})

describe('least privilege', () => {
  it('the worker: reads and writes the bucket, consumes the queue, pulls from this account\'s ECR', () => {
    const worker = allowed(built.template, 'ScansWorkerRole')
    const bucketObjects = { 'Fn::Join': ['', [{ 'Fn::GetAtt': [ids.bucket, 'Arn'] }, '/*']] }
    for (const action of ['s3:GetObject*', 's3:PutObject', 's3:DeleteObject*', 's3:List*']) expect(worker.get(action)).toContainEqual(bucketObjects)
    for (const action of ['sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:ChangeMessageVisibility']) expect(worker.get(action)).toEqual([{ 'Fn::GetAtt': [ids.queue, 'Arn'] }])
    expect(worker.get('ecr:GetAuthorizationToken')).toEqual(['*'])
    for (const action of ['ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer', 'ecr:BatchCheckLayerAvailability']) {
      expect(worker.get(action)).toEqual([`arn:aws:ecr:${REGION}:${ACCOUNT}:repository/*`])
    }
    expect([...worker.keys()].filter((a) => a.startsWith('secretsmanager:') || a === 'sqs:SendMessage')).toEqual([])
    expect([...worker.keys()].filter((a) => a.startsWith('ecr:')).sort()).toEqual(['ecr:BatchCheckLayerAvailability', 'ecr:BatchGetImage', 'ecr:GetAuthorizationToken', 'ecr:GetDownloadUrlForLayer'])
    expect(worker.get('logs:PutLogEvents')).toEqual([{ 'Fn::GetAtt': [resourceId(built.template, 'AWS::Logs::LogGroup', 'ScansWorkerLogs'), 'Arn'] }])
  })

  it('the api: reads the bucket (never writes), sends to the queue, reads its two secrets, nothing of ECR', () => {
    const api = allowed(built.template, 'ApiFunctionRole')
    expect(api.get('s3:GetObject*')).toContainEqual({ 'Fn::Join': ['', [{ 'Fn::GetAtt': [ids.bucket, 'Arn'] }, '/*']] })
    expect([...api.keys()].filter((a) => /^s3:(Put|Delete|Abort)/.test(a))).toEqual([])
    expect(api.get('sqs:SendMessage')).toEqual([{ 'Fn::GetAtt': [ids.queue, 'Arn'] }])
    expect([...api.keys()].filter((a) => a === 'sqs:ReceiveMessage' || a.startsWith('ecr:'))).toEqual([])
    expect(api.get('secretsmanager:GetSecretValue')).toEqual(expect.arrayContaining([{ Ref: ids.webhookSecret }, { Ref: ids.apiKey }]))
    expect(api.get('secretsmanager:GetSecretValue')).toHaveLength(2)
  })

  it('the refresh: reads the bucket, writes only reports and the index, deletes only old indexes; no queue, no ECR, no secret', () => {
    const refresh = allowed(built.template, 'VulndbFunctionRole')
    const objects = (suffix: string) => ({ 'Fn::Join': ['', [{ 'Fn::GetAtt': [ids.bucket, 'Arn'] }, suffix]] })
    expect(refresh.get('s3:GetObject*')).toContainEqual(objects('/*'))
    expect(refresh.get('s3:List*')).toContainEqual({ 'Fn::GetAtt': [ids.bucket, 'Arn'] })
    expect(refresh.get('s3:PutObject')).toEqual([objects('/reports/*'), objects('/vulndb/*')])
    expect(refresh.get('s3:DeleteObject*')).toEqual([objects('/vulndb/index/*')])
    expect([...refresh.keys()].filter((a) => a.startsWith('sqs:') || a.startsWith('ecr:') || a.startsWith('secretsmanager:'))).toEqual([])
  })

  it('no role has an AWS managed policy (not even AWSLambdaBasicExecutionRole)', () => {
    for (const role of Object.values(built.template.findResources('AWS::IAM::Role'))) {
      expect(role.Properties.ManagedPolicyArns).toBeUndefined()
      expect(role.Properties.AssumeRolePolicyDocument.Statement).toEqual([expect.objectContaining({ Principal: { Service: 'lambda.amazonaws.com' } })])
    }
  })
})
