/**
 * The stack's props: each one changes what it says, and a wrong value fails the synth with
 * a message that names it.
 */
import { App, Duration, Size, Stack } from 'aws-cdk-lib'
import { Template } from 'aws-cdk-lib/assertions'
import * as logs from 'aws-cdk-lib/aws-logs'
import * as sns from 'aws-cdk-lib/aws-sns'
import { describe, expect, it } from 'vitest'
import { API_OUTPUTS } from '../../infra/constructs/api.js'
import { propsFromContext } from '../../infra/context.js'
import { PushscanStack } from '../../infra/pushscan-stack.js'
import { ACCOUNT, allowed, buildStack, REGION, resourceId } from './stack-fixture.js'

const REGISTRY_AUTH_ARN = `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:pushscan/registry-auth-AbC123`

describe('apiKind: function-url', () => {
  const { template } = buildStack({ apiKind: 'function-url' })

  it('puts a Function URL (no HTTP API) in front of the api function, and outputs its URLs', () => {
    template.resourceCountIs('AWS::ApiGatewayV2::Api', 0)
    template.resourceCountIs('AWS::ApiGatewayV2::Route', 0)
    const api = resourceId(template, 'AWS::Lambda::Function', 'ApiFunction')
    template.hasResourceProperties('AWS::Lambda::Url', { TargetFunctionArn: { 'Fn::GetAtt': [api, 'Arn'] }, AuthType: 'NONE', InvokeMode: 'BUFFERED' })
    const url = resourceId(template, 'AWS::Lambda::Url', 'ApiFunction')
    const outputs = template.toJSON().Outputs
    expect(outputs.ApiUrl.Value).toEqual({ 'Fn::GetAtt': [url, 'FunctionUrl'] })
    expect(outputs.DockerHubWebhookUrl.Value).toEqual({ 'Fn::Join': ['', [{ 'Fn::GetAtt': [url, 'FunctionUrl'] }, API_OUTPUTS.DockerHubWebhookUrl]] })
  })
})

describe('worker settings', () => {
  const { template } = buildStack({
    workerTimeout: Duration.minutes(15),
    workerMemorySize: 4096,
    workerEphemeralStorageSize: Size.mebibytes(2048),
    workerConcurrency: 20,
    maxReceiveCount: 3,
    maxMessageAge: Duration.minutes(30),
    logRetention: logs.RetentionDays.ONE_WEEK,
    logLevel: 'debug',
    limits: { maxLayerBytes: '8GiB', maxLayers: 100 },
    insecureRegistries: ['registry.internal:5000'],
    registryMirrors: { 'docker.io': 'https://mirror.example.com' },
    allowedRegistries: ['docker.io', 'registry.internal:5000'],
    tracing: true,
  })

  it('size the worker, the queue and the alarms', () => {
    const worker = template.toJSON().Resources[resourceId(template, 'AWS::Lambda::Function', 'ScansWorker')].Properties
    expect(worker).toMatchObject({ Timeout: 900, MemorySize: 4096, EphemeralStorage: { Size: 2048 }, TracingConfig: { Mode: 'Active' } })
    const dlq = resourceId(template, 'AWS::SQS::Queue', 'ScansDeadLetterQueue')
    template.hasResourceProperties('AWS::SQS::Queue', { VisibilityTimeout: 6 * 900, RedrivePolicy: { deadLetterTargetArn: { 'Fn::GetAtt': [dlq, 'Arn'] }, maxReceiveCount: 3 } })
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', { ScalingConfig: { MaximumConcurrency: 20 } })
    template.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'ApproximateAgeOfOldestMessage', Threshold: 1800 })
    template.allResourcesProperties('AWS::Logs::LogGroup', { RetentionInDays: 7 })
  })

  it('reach both functions as the service\'s environment variables', () => {
    for (const prefix of ['ScansWorker', 'ApiFunction']) {
      const env = template.toJSON().Resources[resourceId(template, 'AWS::Lambda::Function', prefix)].Properties.Environment.Variables
      expect(env).toMatchObject({
        PUSHSCAN_ALLOWED_REGISTRIES: 'docker.io,registry.internal:5000',
        PUSHSCAN_INSECURE_REGISTRIES: 'registry.internal:5000',
        PUSHSCAN_REGISTRY_MIRRORS: 'docker.io=https://mirror.example.com',
        PUSHSCAN_LIMITS: 'maxLayerBytes=8GiB,maxLayers=100',
        PUSHSCAN_LOG_LEVEL: 'debug',
      })
    }
  })

  it('tracing lets both functions send X-Ray traces', () => {
    for (const role of ['ScansWorkerRole', 'ApiFunctionRole']) expect(allowed(template, role).get('xray:PutTraceSegments')).toEqual(['*'])
  })
})

describe('ECR repositories', () => {
  const otherRegion = `arn:aws:ecr:us-east-2:${ACCOUNT}:repository/shared/base`
  const { template } = buildStack({ ecrRepositories: ['team/app', 'platform/*', otherRegion] })

  it('filter the rule by repository name (patterns as wildcards)', () => {
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: {
        source: ['aws.ecr'],
        'detail-type': ['ECR Image Action'],
        detail: { 'action-type': ['PUSH'], result: ['SUCCESS'], 'repository-name': ['team/app', { wildcard: 'platform/*' }, 'shared/base'] },
      },
    })
  })

  it('scope the pull permissions to those repositories', () => {
    const worker = allowed(template, 'ScansWorkerRole')
    for (const action of ['ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer', 'ecr:BatchCheckLayerAvailability']) {
      expect(worker.get(action)?.slice().sort()).toEqual(
        [`arn:aws:ecr:${REGION}:${ACCOUNT}:repository/platform/*`, `arn:aws:ecr:${REGION}:${ACCOUNT}:repository/team/app`, otherRegion].sort()
      )
    }
    expect(worker.get('ecr:GetAuthorizationToken')).toEqual(['*'])
  })

  it('add the other region\'s ECR registries to the default allow-list', () => {
    const env = template.toJSON().Resources[resourceId(template, 'AWS::Lambda::Function', 'ScansWorker')].Properties.Environment.Variables
    expect(JSON.stringify(env.PUSHSCAN_ALLOWED_REGISTRIES)).toContain('*.dkr.ecr.us-east-2.amazonaws.com')
  })
})

describe('existing resources', () => {
  it('an existing bucket by name: no bucket is created, the grants name it', () => {
    const { template } = buildStack({ reportBucketName: 'acme-scan-reports' })
    template.resourceCountIs('AWS::S3::Bucket', 0)
    expect(allowed(template, 'ScansWorkerRole').get('s3:PutObject')).toContain('arn:aws:s3:::acme-scan-reports/*')
    expect(allowed(template, 'ApiFunctionRole').get('s3:GetObject*')).toContain('arn:aws:s3:::acme-scan-reports/*')
    const env = template.toJSON().Resources[resourceId(template, 'AWS::Lambda::Function', 'ApiFunction')].Properties.Environment.Variables
    expect(env.PUSHSCAN_REPORT_BUCKET).toBe('acme-scan-reports')
  })

  it('an alarm topic by ARN: every alarm tells it of ALARM and OK', () => {
    const topic = `arn:aws:sns:${REGION}:${ACCOUNT}:ops`
    const { template } = buildStack({ alarmTopicArn: topic })
    const alarms = Object.values(template.findResources('AWS::CloudWatch::Alarm'))
    expect(alarms).toHaveLength(3)
    for (const alarm of alarms) expect(alarm.Properties).toMatchObject({ AlarmActions: [topic], OKActions: [topic] })
  })

  it('an alarm topic injected as a construct', () => {
    const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } })
    const ops = new Stack(app, 'Ops', { env: { account: ACCOUNT, region: REGION } })
    const topic = new sns.Topic(ops, 'Topic')
    const stack = new PushscanStack(app, 'PushscanStack', { env: { account: ACCOUNT, region: REGION }, alarmTopic: topic })
    const alarms = Object.values(Template.fromStack(stack).findResources('AWS::CloudWatch::Alarm'))
    for (const alarm of alarms) expect(JSON.stringify(alarm.Properties.AlarmActions)).toContain('ImportValue')
  })

  it('vulnerability refresh: sources, interval, memory; notifications with a generated secret only the refresh may read', () => {
    const sources = ['https://osv.internal/Debian/all.zip', 'https://osv.internal/Ubuntu/all.zip']
    const { template } = buildStack({ vulndbSources: sources, vulndbRefreshInterval: Duration.hours(24), vulndbMemorySize: 6144, notifyUrl: 'https://hooks.example.org/pushscan' })
    const refresh = resourceId(template, 'AWS::Lambda::Function', 'VulndbFunction')
    const secret = resourceId(template, 'AWS::SecretsManager::Secret', 'VulndbNotifySecret')
    const fn = template.toJSON().Resources[refresh].Properties
    expect(fn.MemorySize).toBe(6144)
    expect(fn.Environment.Variables).toMatchObject({ PUSHSCAN_VULNDB_SOURCES: sources.join(','), PUSHSCAN_NOTIFY_URL: 'https://hooks.example.org/pushscan', PUSHSCAN_NOTIFY_SECRET_ARN: { Ref: secret } })
    template.hasResourceProperties('AWS::Events::Rule', { ScheduleExpression: 'rate(1 day)' })
    expect(allowed(template, 'VulndbFunctionRole').get('secretsmanager:GetSecretValue')).toEqual([{ Ref: secret }])
    for (const role of ['ScansWorkerRole', 'ApiFunctionRole']) expect(allowed(template, role).get('secretsmanager:GetSecretValue') ?? []).not.toContainEqual({ Ref: secret })
    expect(template.toJSON().Outputs.NotifySecretArn.Value).toEqual({ Ref: secret })
    template.resourceCountIs('AWS::SecretsManager::Secret', 3)
  })

  it('vulnerability notifications with an existing secret, by ARN', () => {
    const arn = `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:pushscan/notify-AbC123`
    const { template } = buildStack({ notifyUrl: 'https://hooks.example.org/pushscan', notifySecretArn: arn })
    const fn = template.toJSON().Resources[resourceId(template, 'AWS::Lambda::Function', 'VulndbFunction')].Properties
    expect(fn.Environment.Variables.PUSHSCAN_NOTIFY_SECRET_ARN).toBe(arn)
    template.resourceCountIs('AWS::SecretsManager::Secret', 2)
  })

  it('registry credentials: only the worker gets the secret\'s ARN and may read it', () => {
    const { template } = buildStack({ registryAuthSecretArn: REGISTRY_AUTH_ARN })
    const fn = (prefix: string) => template.toJSON().Resources[resourceId(template, 'AWS::Lambda::Function', prefix)].Properties.Environment.Variables
    expect(fn('ScansWorker').PUSHSCAN_REGISTRY_AUTH_SECRET_ARN).toBe(REGISTRY_AUTH_ARN)
    expect(fn('ApiFunction')).not.toHaveProperty('PUSHSCAN_REGISTRY_AUTH_SECRET_ARN')
    expect(allowed(template, 'ScansWorkerRole').get('secretsmanager:GetSecretValue')).toEqual([REGISTRY_AUTH_ARN])
    expect(allowed(template, 'ApiFunctionRole').get('secretsmanager:GetSecretValue')).not.toContain(REGISTRY_AUTH_ARN)
  })
})

describe('wrong settings fail the synth, naming the setting', () => {
  it.each([
    [{ limits: { maxLayerz: '1GiB' } }, /PUSHSCAN_LIMITS/],
    [{ allowedRegistries: ['not a host!'] }, /PUSHSCAN_ALLOWED_REGISTRIES/],
    [{ registryMirrors: { 'docker.io': 'ftp://mirror' } }, /PUSHSCAN_REGISTRY_MIRRORS/],
    [{ logLevel: 'loud' as never }, /PUSHSCAN_LOG_LEVEL/],
    [{ workerConcurrency: 1 }, /maxConcurrency must be a whole number from 2 to 1000/],
    [{ workerTimeout: Duration.minutes(16) }, /workerTimeout must be from 1 second to 15 minutes/],
    [{ maxReceiveCount: 0 }, /maxReceiveCount/],
    [{ apiKind: 'rest-api' as never }, /kind must be http-api or function-url/],
    [{ ecrRepositories: ['Team App'] }, /neither an ECR repository name/],
    [{ registryAuthSecretArn: `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:registry` }, /complete Secrets Manager secret ARN/],
    [{ reportBucketName: 'a-bucket', reportBucket: {} as never }, /reportBucket or reportBucketName, not both/],
    [{ vulndbSources: ['/var/lib/osv/npm'] }, /VulndbRefresh: "\/var\/lib\/osv\/npm" is not an http\(s\) URL/],
    [{ notifyUrl: 'hooks.example.org/x' }, /VulndbRefresh: notifyUrl "hooks.example.org\/x" is not an http\(s\) URL/],
    [{ notifySecretArn: `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:pushscan/notify-AbC123` }, /notifySecretArn needs notifyUrl/],
  ])('%o', (props, message) => {
    expect(() => buildStack(props)).toThrow(message)
  })
})

describe('CDK context (cdk deploy -c NAME=VALUE)', () => {
  const contextOf = (context: Record<string, unknown>) => propsFromContext(new App({ context }).node)

  it('becomes the stack props', () => {
    const props = contextOf({
      stackName: 'scans-prod',
      allowedRegistries: 'docker.io, ghcr.io',
      insecureRegistries: 'registry.internal:5000',
      registryMirrors: 'docker.io=https://mirror.example.com',
      limits: 'maxLayerBytes=8GiB,maxLayers=100',
      logLevel: 'warn',
      workerTimeoutMinutes: '12',
      workerMemoryMiB: 3008,
      workerEphemeralStorageMiB: '2048',
      workerConcurrency: '10',
      maxReceiveCount: '3',
      maxMessageAgeMinutes: '90',
      apiKind: 'function-url',
      apiThrottleRate: '20',
      apiThrottleBurst: '40',
      ecrRepositories: ['team/app', 'team/api'],
      reportBucketName: 'acme-reports',
      alarmTopicArn: 'arn:aws:sns:eu-west-1:123456789012:ops',
      logRetentionDays: '90',
      tracing: 'true',
      registryAuthSecretArn: REGISTRY_AUTH_ARN,
      vulndbSources: 'https://osv.internal/Debian/all.zip, https://osv.internal/npm/all.zip',
      vulndbRefreshHours: '12',
      vulndbMemoryMiB: '4096',
      notifyUrl: 'https://hooks.example.org/pushscan',
    })
    expect(props).toMatchObject({
      stackName: 'scans-prod',
      allowedRegistries: ['docker.io', 'ghcr.io'],
      insecureRegistries: ['registry.internal:5000'],
      registryMirrors: { 'docker.io': 'https://mirror.example.com' },
      limits: { maxLayerBytes: '8GiB', maxLayers: '100' },
      logLevel: 'warn',
      workerMemorySize: 3008,
      workerConcurrency: 10,
      maxReceiveCount: 3,
      apiKind: 'function-url',
      apiThrottle: { rateLimit: 20, burstLimit: 40 },
      ecrRepositories: ['team/app', 'team/api'],
      reportBucketName: 'acme-reports',
      alarmTopicArn: 'arn:aws:sns:eu-west-1:123456789012:ops',
      logRetention: logs.RetentionDays.THREE_MONTHS,
      tracing: true,
      registryAuthSecretArn: REGISTRY_AUTH_ARN,
    })
    expect(props.workerTimeout?.toMinutes()).toBe(12)
    expect(props.maxMessageAge?.toMinutes()).toBe(90)
    expect(props.workerEphemeralStorageSize?.toMebibytes()).toBe(2048)
    expect(props).toMatchObject({ vulndbSources: ['https://osv.internal/Debian/all.zip', 'https://osv.internal/npm/all.zip'], vulndbMemorySize: 4096, notifyUrl: 'https://hooks.example.org/pushscan' })
    expect(props.vulndbRefreshInterval?.toHours()).toBe(12)
  })

  it('is empty when nothing is set', () => {
    expect(contextOf({})).toEqual({})
  })

  it.each([
    [{ workerTimeoutMinutes: '20' }, /context workerTimeoutMinutes: must be a whole number from 1 to 15, not "20"/],
    [{ workerConcurrency: 'lots' }, /context workerConcurrency/],
    [{ apiKind: 'rest' }, /context apiKind: must be http-api or function-url/],
    [{ logRetentionDays: '31' }, /context logRetentionDays: must be a CloudWatch Logs retention/],
    [{ tracing: 'yes' }, /context tracing: must be true or false/],
    [{ limits: 'maxLayers' }, /context limits: must be NAME=VALUE pairs/],
    [{ notifyUrl: 'hooks.example.org' }, /context notifyUrl: must be an http\(s\) URL/],
    [{ vulndbRefreshHours: '0' }, /context vulndbRefreshHours/],
  ])('refuses %o', (context, message) => {
    expect(() => contextOf(context)).toThrow(message)
  })
})
