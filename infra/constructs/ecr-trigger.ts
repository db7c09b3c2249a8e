/**
 * `EcrTrigger`: Amazon ECR pushes straight to the scan queue through EventBridge, and the
 * worker's permission to pull from ECR.
 *
 * @module
 */
import { Arn, ArnFormat, Stack, Token } from 'aws-cdk-lib'
import * as ecr from 'aws-cdk-lib/aws-ecr'
import * as events from 'aws-cdk-lib/aws-events'
import * as targets from 'aws-cdk-lib/aws-events-targets'
import * as iam from 'aws-cdk-lib/aws-iam'
import type * as sqs from 'aws-cdk-lib/aws-sqs'
import { NagSuppressions } from 'cdk-nag'
import { Construct } from 'constructs'
import { nagResource } from '../nag.js'

/** The actions that pull an image, on repositories (`GetAuthorizationToken` is on `*`). */
export const ECR_PULL_ACTIONS = ['ecr:BatchCheckLayerAvailability', 'ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer'] as const

export interface EcrTriggerProps {
  /** The scan queue the rule sends push events to. */
  readonly queue: sqs.IQueue
  /**
   * Where EventBridge puts events it could not deliver to the queue.
   * @default - none: EventBridge retries for 24 hours, then drops the event
   */
  readonly deadLetterQueue?: sqs.IQueue
  /** The worker: granted permission to pull from the repositories. */
  readonly puller: iam.IGrantable
  /**
   * The repositories to scan: names (`team/app`, `team/*`) or repository ARNs. Only pushes
   * to these are sent to the queue, and only these can be pulled. Repositories in other
   * accounts or regions can be named by ARN for pulling (their repository policy must
   * allow it); their pushes are not seen by this account's rule.
   * @default - every repository of this account in this region
   */
  readonly repositories?: readonly string[]
}

/**
 * An EventBridge rule that sends every successful ECR image push (`ECR Image Action`,
 * `PUSH`, `SUCCESS`, optionally only for some repositories) to the scan queue, and the ECR
 * pull permissions for the worker: `ecr:GetAuthorizationToken` (which has no resource
 * scope) and the pull actions on the repositories.
 */
export class EcrTrigger extends Construct {
  readonly rule: events.Rule
  /** The repository ARNs (or ARN patterns) the worker may pull from. */
  readonly repositoryArns: string[]

  constructor(scope: Construct, id: string, props: EcrTriggerProps) {
    super(scope, id)
    const stack = Stack.of(this)
    const given = props.repositories ?? []
    for (const repository of given) {
      if (Token.isUnresolved(repository)) continue
      if (!/^(arn:[^:]+:ecr:[^:]*:[^:]*:repository\/)?[a-z0-9*][a-z0-9._\-/*]*$/.test(repository)) {
        throw new Error(`EcrTrigger: "${repository}" is neither an ECR repository name (team/app, team/*) nor a repository ARN`)
      }
    }
    this.repositoryArns = given.length === 0 ? [stack.formatArn({ service: 'ecr', resource: 'repository', resourceName: '*' })] : given.map((r) => repositoryArn(stack, r))

    const names = given.map((r) => (r.startsWith('arn:') ? Arn.split(r, ArnFormat.SLASH_RESOURCE_NAME).resourceName! : r))
    const detail: Record<string, unknown> = { 'action-type': ['PUSH'], result: ['SUCCESS'] }
    if (names.length > 0) detail['repository-name'] = names.map((name) => (name.includes('*') ? { wildcard: name } : name))
    this.rule = new events.Rule(this, 'PushRule', {
      description: 'pushscan: scan every image pushed to Amazon ECR',
      eventPattern: { source: ['aws.ecr'], detailType: ['ECR Image Action'], detail },
      targets: [new targets.SqsQueue(props.queue, props.deadLetterQueue ? { deadLetterQueue: props.deadLetterQueue } : {})],
    })

    ecr.AuthorizationToken.grantRead(props.puller)
    props.puller.grantPrincipal.addToPrincipalPolicy(new iam.PolicyStatement({ actions: [...ECR_PULL_ACTIONS], resources: this.repositoryArns }))

    const principal = props.puller.grantPrincipal
    if (principal instanceof Construct) {
      const wildcards = this.repositoryArns.filter((arn) => Token.isUnresolved(arn) || arn.includes('*'))
      NagSuppressions.addResourceSuppressions(
        principal,
        [
          {
            id: 'AwsSolutions-IAM5',
            reason: 'ecr:GetAuthorizationToken supports no resource-level permissions: IAM requires Resource "*". The token only works together with the pull permissions, which are scoped to the repositories.',
            appliesTo: ['Resource::*'],
          },
          ...(wildcards.length > 0
            ? [
                {
                  id: 'AwsSolutions-IAM5',
                  reason:
                    given.length === 0
                      ? 'The worker scans whatever is pushed to this account\'s ECR in this region, so it may pull (only pull) from every repository there; set the ecrRepositories prop to name the repositories instead.'
                      : 'The operator chose these repository patterns (ecrRepositories); the worker may only pull from them.',
                  appliesTo: wildcards.map((arn) => nagResource(this, arn)),
                },
              ]
            : []),
        ],
        true
      )
    }
  }
}

function repositoryArn(stack: Stack, repository: string): string {
  if (repository.startsWith('arn:')) return repository
  return stack.formatArn({ service: 'ecr', resource: 'repository', resourceName: repository })
}
