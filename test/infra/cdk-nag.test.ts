/**
 * cdk-nag's AWS Solutions rules over the stack: no unsuppressed error or warning, and every
 * suppression says specifically why.
 */
import { App, Aspects } from 'aws-cdk-lib'
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions'
import * as sqs from 'aws-cdk-lib/aws-sqs'
import { AwsSolutionsChecks } from 'cdk-nag'
import { describe, expect, it } from 'vitest'
import { PushscanStack, type PushscanStackProps } from '../../infra/pushscan-stack.js'
import { ACCOUNT, buildStack, cdkJsonContext, REGION } from './stack-fixture.js'

interface Suppression {
  id: string
  reason: string
  applies_to?: unknown[]
}

function findings(stack: PushscanStack): string[] {
  const annotations = Annotations.fromStack(stack)
  return [
    ...annotations.findError('*', Match.stringLikeRegexp('AwsSolutions-.*')),
    ...annotations.findWarning('*', Match.stringLikeRegexp('AwsSolutions-.*')),
  ].map((m) => `${m.id}: ${String(m.entry.data).split('\n')[0]}`)
}

function suppressions(template: Template): Array<Suppression & { resource: string }> {
  return Object.entries(template.toJSON().Resources as Record<string, { Metadata?: { cdk_nag?: { rules_to_suppress?: Suppression[] } } }>).flatMap(([resource, r]) =>
    (r.Metadata?.cdk_nag?.rules_to_suppress ?? []).map((s) => ({ ...s, resource }))
  )
}

const variants: Array<[string, PushscanStackProps]> = [
  ['the default stack', {}],
  ['notifications with a generated secret', { notifyUrl: 'https://hooks.example.org/pushscan' }],
  [
    'every option on',
    {
      apiKind: 'function-url',
      ecrRepositories: ['team/app', 'platform/*', `arn:aws:ecr:us-east-2:${ACCOUNT}:repository/shared/base`],
      registryAuthSecretArn: `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:pushscan/registry-auth-AbC123`,
      tracing: true,
      reportBucketName: 'acme-scan-reports',
      alarmTopicArn: `arn:aws:sns:${REGION}:${ACCOUNT}:ops`,
      notifyUrl: 'https://hooks.example.org/pushscan',
    },
  ],
]

describe.each(variants)('cdk-nag AwsSolutions on %s', (_name, props) => {
  const { stack, template } = buildStack(props, { nag: true })

  it('finds no unsuppressed error or warning', () => {
    expect(findings(stack)).toEqual([])
  })

  it('suppresses only with a specific written reason, and IAM wildcards only for the named resources and actions', () => {
    const all = suppressions(template)
    expect(all.length).toBeGreaterThan(0)
    for (const s of all) {
      expect(s.id, s.resource).toMatch(/^AwsSolutions-[A-Z]+\d+$/)
      expect(s.reason.length, `${s.resource} ${s.id}`).toBeGreaterThanOrEqual(80)
      if (s.id === 'AwsSolutions-IAM5') {
        expect(s.applies_to, `${s.resource}: an IAM5 suppression must name what it excuses`).toEqual(expect.any(Array))
        expect(s.applies_to!.length).toBeGreaterThan(0)
        // never a blanket pattern: each entry is one action group or one resource
        for (const entry of s.applies_to!) expect(typeof entry === 'string' ? entry : JSON.stringify(entry)).not.toMatch(/^(Action|Resource)::\*?\.\*|regex/)
      }
    }
    // one reason per rule and purpose, not one sentence pasted everywhere
    const reasonsByRule = new Map<string, Set<string>>()
    for (const s of all) reasonsByRule.set(s.reason, new Set([...(reasonsByRule.get(s.reason) ?? []), s.id]))
    for (const [reason, ids] of reasonsByRule) expect([...ids], reason).toHaveLength(1)
  })
})

describe('the cdk-nag harness', () => {
  it('does report what is not suppressed (a queue without DLQ or TLS)', () => {
    const app = new App({ context: { ...cdkJsonContext(), 'aws:cdk:bundling-stacks': [] } })
    const stack = new PushscanStack(app, 'PushscanStack', { env: { account: ACCOUNT, region: REGION } })
    new sqs.Queue(stack, 'Unchecked', { encryption: sqs.QueueEncryption.UNENCRYPTED })
    Aspects.of(stack).add(new AwsSolutionsChecks())
    Template.fromStack(stack)
    const found = findings(stack)
    for (const rule of ['AwsSolutions-SQS2', 'AwsSolutions-SQS3', 'AwsSolutions-SQS4']) expect(found).toContainEqual(expect.stringMatching(new RegExp(`^/PushscanStack/Unchecked/Resource: ${rule}:`)))
    expect(found.every((f) => f.startsWith('/PushscanStack/Unchecked/'))).toBe(true)
  })
})
