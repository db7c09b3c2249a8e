/**
 * `Api`: the api function (webhooks, manual scans, reports) behind an API Gateway HTTP API
 * or a Lambda Function URL.
 *
 * @module
 */
import { CfnOutput, Duration, Fn, Stack } from 'aws-cdk-lib'
import * as apigwv1 from 'aws-cdk-lib/aws-apigateway'
import * as apigw from 'aws-cdk-lib/aws-apigatewayv2'
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations'
import * as lambda from 'aws-cdk-lib/aws-lambda'
import * as logs from 'aws-cdk-lib/aws-logs'
import { NagSuppressions } from 'cdk-nag'
import { Construct } from 'constructs'
import { PushscanFunction } from './pushscan-function.js'

/** The front ends the api can have. */
export const ApiKind = {
  /** API Gateway HTTP API: throttling, access logs, custom domains; 30 s integration timeout. */
  HttpApi: 'http-api',
  /** Lambda Function URL: no extra cost and no 30 s cap, but no throttling or access logs. */
  FunctionUrl: 'function-url',
} as const
export type ApiKind = (typeof ApiKind)[keyof typeof ApiKind]

/**
 * Every route of the api app (`functions/api/app.ts`), in API Gateway syntax. The HTTP API
 * routes only these, so requests to any other path are answered 404 by API Gateway without
 * invoking the function. A test keeps this list equal to the app's routes.
 */
export const API_ROUTES = [
  { method: 'GET', path: '/healthz' },
  { method: 'POST', path: '/webhooks/dockerhub/{secret}' },
  { method: 'POST', path: '/webhooks/quay/{secret}' },
  { method: 'POST', path: '/webhooks/distribution' },
  { method: 'POST', path: '/webhooks/harbor' },
  { method: 'POST', path: '/webhooks/github' },
  { method: 'POST', path: '/scans' },
  { method: 'GET', path: '/reports/{digest}' },
  { method: 'GET', path: '/images/{proxy+}' },
] as const

/** The URLs registries and users need, as stack outputs: output id → path below the base URL. */
export const API_OUTPUTS = {
  DockerHubWebhookUrl: 'webhooks/dockerhub/{secret}',
  DistributionWebhookUrl: 'webhooks/distribution',
  HarborWebhookUrl: 'webhooks/harbor',
  GitHubWebhookUrl: 'webhooks/github',
  QuayWebhookUrl: 'webhooks/quay/{secret}',
  ScansUrl: 'scans',
  ReportsUrl: 'reports/{digest}',
} as const

export interface ApiThrottle {
  /** Steady-state requests per second. */
  readonly rateLimit: number
  /** Requests allowed in a burst above the rate. */
  readonly burstLimit: number
}

export interface ApiProps {
  /**
   * The front end.
   * @default 'http-api'
   */
  readonly kind?: ApiKind
  /**
   * The HTTP API's default route throttling (ignored for a Function URL).
   * @default { rateLimit: 50, burstLimit: 100 }
   */
  readonly throttle?: ApiThrottle
  /** The api function's environment: service settings, queue URL, bucket, secret ARNs. */
  readonly environment: Record<string, string>
  /**
   * How long the api function's logs and the HTTP API access logs are kept.
   * @default logs.RetentionDays.ONE_MONTH
   */
  readonly logRetention?: logs.RetentionDays
  /**
   * X-Ray tracing for the api function.
   * @default false
   */
  readonly tracing?: boolean
}

/**
 * The api function and its front end, with one stack output per URL a registry or a user
 * needs (the base URL and each webhook URL, `{secret}` to be replaced by the webhook secret).
 */
export class Api extends Construct {
  readonly function: PushscanFunction
  /** The base URL, ending in `/`. */
  readonly url: string
  /** Conditional: the HTTP API, when `kind` is `http-api`. */
  readonly httpApi?: apigw.HttpApi
  /** Conditional: the Function URL, when `kind` is `function-url`. */
  readonly functionUrl?: lambda.FunctionUrl

  constructor(scope: Construct, id: string, props: ApiProps) {
    super(scope, id)
    const kind = props.kind ?? ApiKind.HttpApi
    if (!Object.values(ApiKind).includes(kind)) throw new Error(`Api: kind must be ${Object.values(ApiKind).join(' or ')}, not "${String(kind)}"`)

    this.function = new PushscanFunction(this, 'Function', {
      entry: 'functions/api/handler.ts',
      description: 'pushscan api: registry webhooks and manual scans in, reports out',
      // API Gateway gives up on an integration after 30 s; webhooks only validate and enqueue
      timeout: Duration.seconds(29),
      memorySize: 512,
      environment: props.environment,
      ...(props.logRetention !== undefined ? { logRetention: props.logRetention } : {}),
      ...(props.tracing !== undefined ? { tracing: props.tracing } : {}),
    })

    if (kind === ApiKind.FunctionUrl) {
      this.functionUrl = this.function.addFunctionUrl({ authType: lambda.FunctionUrlAuthType.NONE, invokeMode: lambda.InvokeMode.BUFFERED })
      this.url = this.functionUrl.url
    } else {
      const httpApi = new apigw.HttpApi(this, 'HttpApi', {
        description: 'pushscan: registry webhooks, manual scans and reports',
        createDefaultStage: false,
      })
      const accessLogs = new logs.LogGroup(this, 'AccessLogs', { retention: props.logRetention ?? logs.RetentionDays.ONE_MONTH })
      const throttle = props.throttle ?? { rateLimit: 50, burstLimit: 100 }
      const stage = httpApi.addStage('DefaultStage', {
        stageName: '$default',
        autoDeploy: true,
        throttle,
        accessLogSettings: {
          destination: new apigw.LogGroupLogDestination(accessLogs),
          // the route key, never the path: Docker Hub and Quay carry the webhook secret in theirs
          format: apigwv1.AccessLogFormat.custom(
            JSON.stringify({
              requestId: '$context.requestId',
              time: '$context.requestTime',
              ip: '$context.identity.sourceIp',
              userAgent: '$context.identity.userAgent',
              routeKey: '$context.routeKey',
              status: '$context.status',
              responseLength: '$context.responseLength',
              latency: '$context.responseLatency',
              integrationStatus: '$context.integrationStatus',
              integrationError: '$context.integrationErrorMessage',
            })
          ),
        },
      })
      const integration = new HttpLambdaIntegration('Function', this.function)
      for (const route of API_ROUTES) {
        httpApi.addRoutes({ path: route.path, methods: [route.method === 'GET' ? apigw.HttpMethod.GET : apigw.HttpMethod.POST], integration })
      }
      NagSuppressions.addResourceSuppressions(
        httpApi,
        [
          {
            id: 'AwsSolutions-APIG4',
            reason:
              'Registries cannot sign requests for API Gateway authorizers; the function authenticates every route itself: webhooks by the shared secret (path or Bearer header, compared in constant time) or GitHub\'s HMAC signature, reads and manual scans by the API key; /healthz is public by design.',
          },
        ],
        true
      )
      this.httpApi = httpApi
      this.url = stage.url
    }

    const stack = Stack.of(this)
    new CfnOutput(stack, 'ApiUrl', { value: this.url, description: 'pushscan base URL' })
    for (const [outputId, path] of Object.entries(API_OUTPUTS)) {
      new CfnOutput(stack, outputId, { value: Fn.join('', [this.url, path]), description: `pushscan: ${path}` })
    }
  }
}
