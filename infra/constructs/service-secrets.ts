/**
 * `ServiceSecrets`: the webhook secret and the API key in Secrets Manager, and optionally
 * the registry credentials (a docker `config.json` document) the operator keeps there.
 *
 * @module
 */
import { Token } from 'aws-cdk-lib'
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager'
import { NagSuppressions } from 'cdk-nag'
import { Construct } from 'constructs'

/** Length of the generated webhook secret and API key (letters and digits only). */
export const GENERATED_SECRET_LENGTH = 48

export interface ServiceSecretsProps {
  /**
   * A secret holding registry credentials: a docker `config.json` document
   * (`{"auths": {"registry.example.com": {"auth": "…"}}}`), as a string or binary value.
   * @default - none: only anonymous access, and ECR through the worker's role
   */
  readonly registryAuthSecret?: secretsmanager.ISecret
}

/**
 * Two generated secrets (48 letters and digits: no punctuation, so they fit in a URL path
 * and a header as they are) and the optional registry credentials secret.
 */
export class ServiceSecrets extends Construct {
  /** Every webhook carries it: in the path (Docker Hub, Quay), a Bearer header, or GitHub's HMAC key. */
  readonly webhookSecret: secretsmanager.Secret
  /** `Authorization: Bearer <key>` for manual scans and reads. */
  readonly apiKey: secretsmanager.Secret
  /** Conditional: the registry credentials secret, when one was given. */
  readonly registryAuth?: secretsmanager.ISecret

  constructor(scope: Construct, id: string, props: ServiceSecretsProps = {}) {
    super(scope, id)
    const generate: secretsmanager.SecretStringGenerator = { passwordLength: GENERATED_SECRET_LENGTH, excludePunctuation: true, includeSpace: false }
    this.webhookSecret = new secretsmanager.Secret(this, 'WebhookSecret', {
      description: 'pushscan webhook secret: put it in each registry\'s webhook (URL path, Bearer header or HMAC secret)',
      generateSecretString: generate,
    })
    this.apiKey = new secretsmanager.Secret(this, 'ApiKey', {
      description: 'pushscan API key: Authorization: Bearer <key> for POST /scans and report reads',
      generateSecretString: generate,
    })
    if (props.registryAuthSecret) this.registryAuth = props.registryAuthSecret
    for (const secret of [this.webhookSecret, this.apiKey]) {
      NagSuppressions.addResourceSuppressions(secret, [
        {
          id: 'AwsSolutions-SMG4',
          reason:
            'Rotating this value breaks every registry webhook (or API client) until it is reconfigured by hand, so rotation is a manual, announced step (put-secret-value, then update the registries; functions read it at cold start). Automatic rotation would silently cut off webhooks.',
        },
      ])
    }
  }
}

/**
 * An existing secret by its complete ARN, as `aws secretsmanager describe-secret` prints it
 * (ending in Secrets Manager's six-character suffix, `…:secret:pushscan/registry-auth-AbCdEf`).
 */
export function secretFromCompleteArn(scope: Construct, id: string, arn: string): secretsmanager.ISecret {
  if (!Token.isUnresolved(arn)) {
    const parts = /^arn:[^:]+:secretsmanager:[^:]+:\d{12}:secret:(.+)$/.exec(arn)
    if (!parts || !/-[A-Za-z0-9]{6}$/.test(parts[1]!)) {
      throw new Error(`"${arn}" is not a complete Secrets Manager secret ARN: give the ARN describe-secret prints, which ends in a six-character suffix (…:secret:NAME-AbCdEf)`)
    }
  }
  return secretsmanager.Secret.fromSecretCompleteArn(scope, id, arn)
}
