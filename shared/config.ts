/**
 * The service's configuration, read once from environment variables at start and
 * validated: a missing or invalid value fails with a message naming the variable. The
 * variable names are shared with the CDK stack, so the two cannot drift.
 *
 * @module
 */
import { ErrorCode, PushscanError } from './errors.js'
import { resolveLimits, type ScanLimits } from './layers/limits.js'
import { normaliseRegistry } from './image/reference.js'
import { parseRegistryPolicy, type RegistryPolicy } from './policy/registry-policy.js'

export const ENV = {
  Port: 'PUSHSCAN_PORT',
  DataDir: 'PUSHSCAN_DATA_DIR',
  AllowedRegistries: 'PUSHSCAN_ALLOWED_REGISTRIES',
  InsecureRegistries: 'PUSHSCAN_INSECURE_REGISTRIES',
  WebhookSecret: 'PUSHSCAN_WEBHOOK_SECRET',
  ApiKey: 'PUSHSCAN_API_KEY',
  RegistryAuth: 'PUSHSCAN_REGISTRY_AUTH',
  RegistryMirrors: 'PUSHSCAN_REGISTRY_MIRRORS',
  CosignKeys: 'PUSHSCAN_COSIGN_KEYS',
  Limits: 'PUSHSCAN_LIMITS',
  LogLevel: 'PUSHSCAN_LOG_LEVEL',
  WorkerConcurrency: 'PUSHSCAN_WORKER_CONCURRENCY',
  // vulnerability data
  VulndbSources: 'PUSHSCAN_VULNDB_SOURCES',
  VulndbRefreshMinutes: 'PUSHSCAN_VULNDB_REFRESH_MINUTES',
  NotifyUrl: 'PUSHSCAN_NOTIFY_URL',
  NotifySecret: 'PUSHSCAN_NOTIFY_SECRET',
  // AWS
  ReportBucket: 'PUSHSCAN_REPORT_BUCKET',
  QueueUrl: 'PUSHSCAN_QUEUE_URL',
  WebhookSecretArn: 'PUSHSCAN_WEBHOOK_SECRET_ARN',
  ApiKeyArn: 'PUSHSCAN_API_KEY_ARN',
  RegistryAuthSecretArn: 'PUSHSCAN_REGISTRY_AUTH_SECRET_ARN',
  NotifySecretArn: 'PUSHSCAN_NOTIFY_SECRET_ARN',
} as const

/** Registries allowed when PUSHSCAN_ALLOWED_REGISTRIES is not set: the big public ones. */
export const DEFAULT_ALLOWED_REGISTRIES = 'docker.io,ghcr.io,quay.io,public.ecr.aws,gcr.io,registry.k8s.io,mcr.microsoft.com'

export type Env = Record<string, string | undefined>

export class ConfigError extends PushscanError {
  override name = 'ConfigError'
  readonly variable: string

  constructor(code: typeof ErrorCode.ConfigMissing | typeof ErrorCode.ConfigInvalidValue, variable: string, message: string) {
    super(code, `${variable}: ${message}`)
    this.variable = variable
  }
}

/** Settings the worker needs (and the api, which also needs the secrets). */
export interface WorkerConfig {
  policy: RegistryPolicy
  /** The allow-list as given, for logs. */
  allowedRegistries: string
  insecureRegistries: string[]
  /** Registry → mirror base URL (`docker.io=https://mirror.internal`). */
  mirrors: Record<string, string>
  registryAuthPath?: string
  /** Cosign public keys: PEM text, or comma-separated paths to PEM files (read by the runtime). */
  cosignKeys?: string
  limits: ScanLimits
  logLevel: 'debug' | 'info' | 'warn' | 'error'
}

/** Settings of the api and of `npm start`: the worker's plus the webhook secret and API key. */
export interface ServiceConfig extends WorkerConfig {
  webhookSecret: string
  apiKey: string
}

export function required(env: Env, name: string): string {
  const value = env[name]?.trim()
  if (!value) throw new ConfigError(ErrorCode.ConfigMissing, name, 'is not set')
  return value
}

export function optional(env: Env, name: string): string | undefined {
  const value = env[name]?.trim()
  return value ? value : undefined
}

export function integer(env: Env, name: string, fallback: number, min: number, max: number): number {
  const value = optional(env, name)
  if (value === undefined) return fallback
  const n = Number(value)
  if (!/^\d+$/.test(value) || n < min || n > max) throw new ConfigError(ErrorCode.ConfigInvalidValue, name, `must be a whole number from ${min} to ${max}, not "${value}"`)
  return n
}

/** A secret: at least 16 characters, so that a guessable one is refused at start. */
export function secret(name: string, value: string): string {
  if (value.length < 16) throw new ConfigError(ErrorCode.ConfigInvalidValue, name, 'must be at least 16 characters')
  return value
}

/**
 * Reads the settings of the api (and of `npm start`). `secrets` supplies the webhook secret
 * and API key when the environment does not (locally: generated once and kept in the data
 * dir; in AWS: read from Secrets Manager).
 */
export function loadServiceConfig(env: Env, secrets: { webhookSecret?: string; apiKey?: string } = {}): ServiceConfig {
  const webhookSecret = optional(env, ENV.WebhookSecret) ?? secrets.webhookSecret
  const apiKey = optional(env, ENV.ApiKey) ?? secrets.apiKey
  return {
    ...loadWorkerConfig(env),
    webhookSecret: secret(ENV.WebhookSecret, webhookSecret ?? required(env, ENV.WebhookSecret)),
    apiKey: secret(ENV.ApiKey, apiKey ?? required(env, ENV.ApiKey)),
  }
}

/** Reads the settings the worker needs; it never sees the webhook secret or the API key. */
export function loadWorkerConfig(env: Env): WorkerConfig {
  const allowed = optional(env, ENV.AllowedRegistries) ?? DEFAULT_ALLOWED_REGISTRIES
  const mirrors = parseMirrors(optional(env, ENV.RegistryMirrors) ?? '')
  let policy: RegistryPolicy
  try {
    // a mirror is chosen by the operator: its host is allowed, private addresses included
    policy = parseRegistryPolicy([allowed, ...Object.values(mirrors).map((base) => new URL(base).host)].join(','))
  } catch (error) {
    throw new ConfigError(ErrorCode.ConfigInvalidValue, ENV.AllowedRegistries, (error as Error).message)
  }
  let limits: ScanLimits
  try {
    limits = resolveLimits((optional(env, ENV.Limits) ?? '').split(',').map((s) => s.trim()).filter(Boolean))
  } catch (error) {
    throw new ConfigError(ErrorCode.ConfigInvalidValue, ENV.Limits, (error as Error).message)
  }
  const logLevel = optional(env, ENV.LogLevel) ?? 'info'
  if (!['debug', 'info', 'warn', 'error'].includes(logLevel)) {
    throw new ConfigError(ErrorCode.ConfigInvalidValue, ENV.LogLevel, 'must be debug, info, warn or error')
  }
  const config: WorkerConfig = {
    policy,
    allowedRegistries: allowed,
    insecureRegistries: (optional(env, ENV.InsecureRegistries) ?? '').split(',').map((s) => s.trim().toLowerCase()).filter(Boolean),
    mirrors,
    limits,
    logLevel: logLevel as ServiceConfig['logLevel'],
  }
  const registryAuthPath = optional(env, ENV.RegistryAuth)
  if (registryAuthPath) config.registryAuthPath = registryAuthPath
  const cosignKeys = optional(env, ENV.CosignKeys)
  if (cosignKeys) config.cosignKeys = cosignKeys
  return config
}

/** Parses `docker.io=https://mirror.internal,ghcr.io=http://127.0.0.1:5001`. */
function parseMirrors(text: string): Record<string, string> {
  const mirrors: Record<string, string> = {}
  for (const entry of text.split(',').map((s) => s.trim()).filter(Boolean)) {
    const eq = entry.indexOf('=')
    const registry = normaliseRegistry(entry.slice(0, eq).trim())
    let url: URL
    try {
      url = new URL(entry.slice(eq + 1).trim())
    } catch {
      throw new ConfigError(ErrorCode.ConfigInvalidValue, ENV.RegistryMirrors, `"${entry}" is not REGISTRY=URL`)
    }
    if (eq <= 0 || (url.protocol !== 'https:' && url.protocol !== 'http:') || url.pathname !== '/') {
      throw new ConfigError(ErrorCode.ConfigInvalidValue, ENV.RegistryMirrors, `"${entry}" is not REGISTRY=http(s)://host[:port]`)
    }
    mirrors[registry] = url.origin
  }
  return mirrors
}

/** Settings of the vulnerability refresh (`functions/vulndb`, `pushscan vulndb refresh`). */
export interface VulndbConfig {
  /** What to re-import: directories, zips, JSON files or http(s) URLs of zips. */
  sources: string[]
  /** Where to send the notification about new critical and high vulnerabilities. */
  notify?: { url: string; secret: string }
  logLevel: WorkerConfig['logLevel']
}

/**
 * Reads the refresh settings: `PUSHSCAN_VULNDB_SOURCES` (comma-separated), and
 * `PUSHSCAN_NOTIFY_URL` with its HMAC secret (`PUSHSCAN_NOTIFY_SECRET`, or `secrets` when the
 * environment names it by ARN), at least 16 characters.
 */
export function loadVulndbConfig(env: Env, secrets: { notifySecret?: string } = {}): VulndbConfig {
  const sources = (optional(env, ENV.VulndbSources) ?? '').split(',').map((s) => s.trim()).filter(Boolean)
  for (const source of sources) {
    if (/^[a-z][a-z0-9+.-]*:\/\//i.test(source) && !/^https?:\/\//i.test(source)) {
      throw new ConfigError(ErrorCode.ConfigInvalidValue, ENV.VulndbSources, `"${source}" is not a path or an http(s) URL`)
    }
  }
  const logLevel = optional(env, ENV.LogLevel) ?? 'info'
  if (!['debug', 'info', 'warn', 'error'].includes(logLevel)) throw new ConfigError(ErrorCode.ConfigInvalidValue, ENV.LogLevel, 'must be debug, info, warn or error')
  const config: VulndbConfig = { sources, logLevel: logLevel as VulndbConfig['logLevel'] }
  const url = optional(env, ENV.NotifyUrl)
  if (url !== undefined) {
    let parsed: URL
    try {
      parsed = new URL(url)
    } catch {
      throw new ConfigError(ErrorCode.ConfigInvalidValue, ENV.NotifyUrl, `"${url}" is not a URL`)
    }
    if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') throw new ConfigError(ErrorCode.ConfigInvalidValue, ENV.NotifyUrl, 'must be an http or https URL')
    const notifySecret = optional(env, ENV.NotifySecret) ?? secrets.notifySecret
    if (notifySecret === undefined) throw new ConfigError(ErrorCode.ConfigMissing, ENV.NotifySecret, `is not set, and ${ENV.NotifyUrl} needs it to sign notifications`)
    config.notify = { url, secret: secret(ENV.NotifySecret, notifySecret) }
  }
  return config
}
