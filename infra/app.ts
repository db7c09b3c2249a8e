/**
 * The CDK app (`cdk.json`: `npx tsx infra/app.ts`): one `PushscanStack`, configured from CDK
 * context (`cdk deploy -c workerConcurrency=10`, see `context.ts`), checked by cdk-nag's
 * AWS Solutions rules on every synth.
 *
 * @module
 */
import { App, Aspects } from 'aws-cdk-lib'
import { AwsSolutionsChecks } from 'cdk-nag'
import { propsFromContext } from './context.js'
import { PushscanStack } from './pushscan-stack.js'

const app = new App()
new PushscanStack(app, 'PushscanStack', {
  env: { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION },
  ...propsFromContext(app.node),
})
Aspects.of(app).add(new AwsSolutionsChecks({ verbose: true }))
app.synth()
