/**
 * `PushscanFunction`: a `NodejsFunction` with the defaults every pushscan Lambda shares,
 * so the stack states them once (the Powertools `TestNodejsFunction` pattern).
 *
 * @module
 */
import { existsSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { Duration, RemovalPolicy } from 'aws-cdk-lib'
import * as iam from 'aws-cdk-lib/aws-iam'
import * as lambda from 'aws-cdk-lib/aws-lambda'
import { NodejsFunction, OutputFormat, SourceMapMode, type NodejsFunctionProps } from 'aws-cdk-lib/aws-lambda-nodejs'
import * as logs from 'aws-cdk-lib/aws-logs'
import { NagSuppressions } from 'cdk-nag'
import type { Construct } from 'constructs'

/**
 * The repository root, where `cdk.json`, `package-lock.json` and the entry points live: the
 * nearest directory above this file holding `cdk.json` (so it is found from `dist/` too).
 */
export const REPO_ROOT = findRoot(dirname(fileURLToPath(import.meta.url)))

function findRoot(from: string): string {
  for (let dir = from; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'cdk.json'))) return dir
    if (dirname(dir) === dir) throw new Error(`no cdk.json above ${from}`)
  }
}

/** The runtime every pushscan function runs on: the newest Node.js pushscan supports. */
export const PUSHSCAN_RUNTIME = lambda.Runtime.NODEJS_22_X

/**
 * Lets CommonJS dependencies bundled into the ESM output call `require` (for Node.js
 * built-ins) as they would in CommonJS.
 */
export const CREATE_REQUIRE_BANNER = "import { createRequire as __pushscanCreateRequire } from 'node:module'; const require = __pushscanCreateRequire(import.meta.url);"

export interface PushscanFunctionProps extends Omit<NodejsFunctionProps, 'runtime' | 'architecture' | 'logGroup' | 'logRetention' | 'tracing' | 'entry'> {
  /**
   * The entry point, relative to the repository root (`functions/api/handler.ts`).
   */
  readonly entry: string
  /**
   * How long the function's log events are kept.
   * @default logs.RetentionDays.ONE_MONTH
   */
  readonly logRetention?: logs.RetentionDays
  /**
   * Send traces to AWS X-Ray (`Tracing.ACTIVE`). X-Ray is billed per trace recorded.
   * @default false
   */
  readonly tracing?: boolean
}

/**
 * A pushscan Lambda function:
 *
 * - Node.js 22 on ARM64 (Graviton: cheaper per GB-second than x86_64);
 * - bundled by esbuild from node_modules (never Docker) to one minified ES module, with a
 *   `createRequire` banner so bundled CommonJS dependencies work, and `@aws-sdk/*` left to
 *   the SDK the runtime provides;
 * - source maps, applied to stack traces by `NODE_OPTIONS=--enable-source-maps`;
 * - its own log group with a retention period, and a role that may write only to it
 *   (instead of the `AWSLambdaBasicExecutionRole` managed policy);
 * - an X-Ray switch.
 *
 * The log group and the role are created beside the function (ids `<id>Logs` and
 * `<id>Role`), since they must exist before the function does.
 */
export class PushscanFunction extends NodejsFunction {
  constructor(scope: Construct, id: string, props: PushscanFunctionProps) {
    const logGroup = new logs.LogGroup(scope, `${id}Logs`, {
      retention: props.logRetention ?? logs.RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.DESTROY,
    })
    const role =
      props.role ??
      new iam.Role(scope, `${id}Role`, {
        assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
        description: `pushscan ${id}: writes its own logs; every other permission is granted explicitly`,
      })
    const { bundling, environment, entry, logRetention: _logRetention, tracing, ...rest } = props
    super(scope, id, {
      memorySize: 512,
      timeout: Duration.seconds(30),
      ...rest,
      entry: join(REPO_ROOT, entry),
      runtime: PUSHSCAN_RUNTIME,
      architecture: lambda.Architecture.ARM_64,
      role,
      logGroup,
      tracing: tracing ? lambda.Tracing.ACTIVE : lambda.Tracing.DISABLED,
      projectRoot: REPO_ROOT,
      depsLockFilePath: join(REPO_ROOT, 'package-lock.json'),
      environment: { NODE_OPTIONS: '--enable-source-maps', ...environment },
      bundling: {
        format: OutputFormat.ESM,
        target: 'node22',
        mainFields: ['module', 'main'],
        banner: CREATE_REQUIRE_BANNER,
        minify: true,
        sourceMap: true,
        sourceMapMode: SourceMapMode.DEFAULT,
        sourcesContent: false,
        externalModules: ['@aws-sdk/*'],
        forceDockerBundling: false,
        ...bundling,
      },
    })
    if (!props.role) logGroup.grantWrite(role)

    NagSuppressions.addResourceSuppressions(this, [
      {
        id: 'AwsSolutions-L1',
        reason: `pushscan supports Node.js 20 and 22 (README, package.json engines); ${PUSHSCAN_RUNTIME.name} is the newest of those, and a newer Lambda runtime is adopted only once the test suite passes on it.`,
      },
    ])
    if (tracing && !props.role) {
      NagSuppressions.addResourceSuppressions(
        role,
        [
          {
            id: 'AwsSolutions-IAM5',
            reason: 'Active tracing needs xray:PutTraceSegments and xray:PutTelemetryRecords, which support no resource-level permissions (Resource must be "*").',
            appliesTo: ['Resource::*'],
          },
        ],
        true
      )
    }
  }
}
