/**
 * Secrets at cold start: the webhook secret, the API key and the registry credentials read
 * once from AWS Secrets Manager, when the function's environment names them by ARN.
 *
 * - `PUSHSCAN_WEBHOOK_SECRET_ARN`, `PUSHSCAN_API_KEY_ARN`: secrets whose value (a plain
 *   string) is the webhook secret or the API key. `PUSHSCAN_WEBHOOK_SECRET` and
 *   `PUSHSCAN_API_KEY` still win when they are set, and then the secret is not read.
 * - `PUSHSCAN_NOTIFY_SECRET_ARN`: the HMAC key of the vulnerability notifications (a plain
 *   string); `PUSHSCAN_NOTIFY_SECRET` wins when it is set.
 * - `PUSHSCAN_REGISTRY_AUTH_SECRET_ARN`: a secret holding a docker `config.json` document.
 *   It is written to `/tmp/pushscan-registry-auth.json` (mode 0600), and that path is used
 *   as `PUSHSCAN_REGISTRY_AUTH`, unless `PUSHSCAN_REGISTRY_AUTH` is set.
 *
 * @module
 */
import { rm, writeFile } from 'node:fs/promises'
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager'
import { ENV, optional, type Env } from '../../shared/config.js'
import { ErrorCode, PushscanError } from '../../shared/errors.js'

/** The environment variables that name secrets by ARN. Shared with the CDK stack. */
export const SECRET_ENV = {
  WebhookSecretArn: ENV.WebhookSecretArn,
  ApiKeyArn: ENV.ApiKeyArn,
  RegistryAuthSecretArn: ENV.RegistryAuthSecretArn,
  NotifySecretArn: ENV.NotifySecretArn,
} as const

/** Where the registry credentials secret is written: /tmp is the only writable path in Lambda. */
export const REGISTRY_AUTH_FILE = '/tmp/pushscan-registry-auth.json'

/** Reads one secret's value. */
export type SecretReader = (secretId: string) => Promise<Uint8Array | string>

/**
 * A {@link SecretReader} over Secrets Manager's GetSecretValue. Without a client, one is
 * made on the first read (from the usual AWS settings: region, credentials,
 * `AWS_ENDPOINT_URL_SECRETS_MANAGER`), so a function that names no secret makes none.
 */
export function secretsManagerReader(client?: SecretsManagerClient): SecretReader {
  let sm = client
  return async (secretId) => {
    sm ??= new SecretsManagerClient({})
    const response = await sm.send(new GetSecretValueCommand({ SecretId: secretId }))
    if (response.SecretString !== undefined) return response.SecretString
    if (response.SecretBinary !== undefined) return response.SecretBinary
    throw new Error('the secret has no value')
  }
}

/** The webhook secret and API key, for `loadServiceConfig(env, secrets)`. */
export interface ServiceSecrets {
  webhookSecret?: string
  apiKey?: string
}

/**
 * Reads the webhook secret and the API key from the secrets their `…_ARN` variables name,
 * skipping each one whose plain variable is set (that value wins in `loadServiceConfig`).
 */
export async function readServiceSecrets(env: Env, read: SecretReader): Promise<ServiceSecrets> {
  const [webhookSecret, apiKey] = await Promise.all([
    optional(env, ENV.WebhookSecret) === undefined ? readText(env, SECRET_ENV.WebhookSecretArn, read) : undefined,
    optional(env, ENV.ApiKey) === undefined ? readText(env, SECRET_ENV.ApiKeyArn, read) : undefined,
  ])
  const secrets: ServiceSecrets = {}
  if (webhookSecret !== undefined) secrets.webhookSecret = webhookSecret
  if (apiKey !== undefined) secrets.apiKey = apiKey
  return secrets
}

/** The notification HMAC key, for `loadVulndbConfig(env, secrets)`, unless the plain variable is set. */
export async function readNotifySecret(env: Env, read: SecretReader): Promise<{ notifySecret?: string }> {
  if (optional(env, ENV.NotifySecret) !== undefined) return {}
  const notifySecret = await readText(env, SECRET_ENV.NotifySecretArn, read)
  return notifySecret === undefined ? {} : { notifySecret }
}

/**
 * Writes the registry credentials secret to `file` (mode 0600) when
 * `PUSHSCAN_REGISTRY_AUTH_SECRET_ARN` names one and `PUSHSCAN_REGISTRY_AUTH` is not set,
 * and returns the environment with `PUSHSCAN_REGISTRY_AUTH` pointing at it. Otherwise
 * returns `env` unchanged.
 */
export async function withRegistryAuthFile(env: Env, read: SecretReader, file: string = REGISTRY_AUTH_FILE): Promise<Env> {
  const arn = optional(env, SECRET_ENV.RegistryAuthSecretArn)
  if (arn === undefined || optional(env, ENV.RegistryAuth) !== undefined) return env
  const value = await readSecret(SECRET_ENV.RegistryAuthSecretArn, arn, read)
  // a new file each time, so the mode applies even if a previous start left one behind
  await rm(file, { force: true })
  await writeFile(file, value, { mode: 0o600, flag: 'wx' })
  return { ...env, [ENV.RegistryAuth]: file }
}

async function readText(env: Env, variable: string, read: SecretReader): Promise<string | undefined> {
  const arn = optional(env, variable)
  if (arn === undefined) return undefined
  const value = await readSecret(variable, arn, read)
  const text = (typeof value === 'string' ? value : new TextDecoder().decode(value)).trim()
  if (text === '') throw new PushscanError(ErrorCode.ConfigInvalidValue, `${variable}: the secret ${arn} is empty`)
  return text
}

async function readSecret(variable: string, arn: string, read: SecretReader): Promise<Uint8Array | string> {
  try {
    return await read(arn)
  } catch (error) {
    // AccessDenied, ResourceNotFound, a network failure: the start fails and Lambda retries it
    throw new PushscanError(ErrorCode.ConfigInvalidValue, `${variable}: cannot read the secret ${arn}: ${(error as Error).message}`, { temporary: true, cause: error })
  }
}
