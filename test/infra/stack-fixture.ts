/**
 * Builds the stack for template assertions, as `cdk synth` would but without bundling
 * (`aws:cdk:bundling-stacks: []`), with cdk.json's feature flags.
 */
import { readFileSync } from 'node:fs'
import { App, Aspects } from 'aws-cdk-lib'
import { Template } from 'aws-cdk-lib/assertions'
import { AwsSolutionsChecks } from 'cdk-nag'
import { REPO_ROOT } from '../../infra/constructs/pushscan-function.js'
import { PushscanStack, type PushscanStackProps } from '../../infra/pushscan-stack.js'

export const ACCOUNT = '123456789012'
export const REGION = 'eu-west-1'

/** cdk.json's context: the feature flags the CLI synthesizes with. */
export function cdkJsonContext(): Record<string, unknown> {
  return (JSON.parse(readFileSync(`${REPO_ROOT}/cdk.json`, 'utf8')) as { context: Record<string, unknown> }).context
}

export interface BuiltStack {
  app: App
  stack: PushscanStack
  template: Template
}

/** A PushscanStack in 123456789012/eu-west-1, synthesized without bundling. */
export function buildStack(props: PushscanStackProps = {}, options: { nag?: boolean; context?: Record<string, unknown> } = {}): BuiltStack {
  const app = new App({ context: { ...cdkJsonContext(), 'aws:cdk:bundling-stacks': [], ...options.context } })
  const stack = new PushscanStack(app, 'PushscanStack', { env: { account: ACCOUNT, region: REGION }, ...props })
  if (options.nag) Aspects.of(stack).add(new AwsSolutionsChecks({ verbose: true }))
  return { app, stack, template: Template.fromStack(stack) }
}

/** The one resource of `type` whose logical id starts with `prefix`. */
export function resourceId(template: Template, type: string, prefix: string): string {
  const ids = Object.keys(template.findResources(type)).filter((id) => id.startsWith(prefix))
  if (ids.length !== 1) throw new Error(`expected one ${type} starting with ${prefix}, found ${ids.join(', ') || 'none'}`)
  return ids[0]!
}

interface Statement {
  Effect: string
  Action: string | string[]
  Resource: unknown
  Condition?: unknown
}

/** Every statement of the policies attached to the role whose logical id starts with `rolePrefix`. */
export function statementsOf(template: Template, rolePrefix: string): Statement[] {
  const role = resourceId(template, 'AWS::IAM::Role', rolePrefix)
  return Object.values(template.findResources('AWS::IAM::Policy'))
    .filter((policy) => JSON.stringify(policy.Properties.Roles) === JSON.stringify([{ Ref: role }]))
    .flatMap((policy) => policy.Properties.PolicyDocument.Statement as Statement[])
}

/** The actions a role is allowed, each with its resources. */
export function allowed(template: Template, rolePrefix: string): Map<string, unknown[]> {
  const out = new Map<string, unknown[]>()
  for (const statement of statementsOf(template, rolePrefix)) {
    if (statement.Effect !== 'Allow') continue
    const resources = Array.isArray(statement.Resource) ? statement.Resource : [statement.Resource]
    for (const action of [statement.Action].flat()) out.set(action, [...(out.get(action) ?? []), ...resources])
  }
  return out
}
