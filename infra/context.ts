/**
 * The stack's settings from CDK context: `cdk deploy -c workerConcurrency=10 -c
 * ecrRepositories=team/app,team/api`, or the `context` block of `cdk.json`. Values given on
 * the command line are strings; `cdk.json` may also hold numbers, booleans and arrays.
 *
 * @module
 */
import { Duration, Size } from 'aws-cdk-lib'
import { RetentionDays } from 'aws-cdk-lib/aws-logs'
import type { Node } from 'constructs'
import { ApiKind } from './constructs/api.js'
import type { LogLevel, PushscanStackProps } from './pushscan-stack.js'

/** Every context key the app reads, with what it sets. The README lists the same. */
export const CONTEXT_KEYS = {
  stackName: 'the CloudFormation stack name (default PushscanStack)',
  allowedRegistries: 'comma-separated allow-list: host[:port], *.suffix, CIDR',
  insecureRegistries: 'comma-separated registries reached over plain HTTP',
  registryMirrors: 'REGISTRY=URL pairs, comma-separated',
  limits: 'NAME=VALUE pairs, comma-separated (maxLayerBytes=8GiB,maxLayers=100)',
  logLevel: 'debug, info, warn or error',
  cosignPublicKeys: 'cosign public keys, PEM text',
  workerTimeoutMinutes: 'the worker timeout in minutes, 1 to 15',
  workerMemoryMiB: 'the worker memory in MiB, 128 to 10240',
  workerEphemeralStorageMiB: 'the worker /tmp size in MiB, 512 to 10240',
  workerConcurrency: 'the most scans at once, 2 to 1000',
  maxReceiveCount: 'attempts before the dead-letter queue',
  maxMessageAgeMinutes: 'the oldest-message alarm threshold in minutes',
  apiKind: 'http-api or function-url',
  apiThrottleRate: 'HTTP API requests per second',
  apiThrottleBurst: 'HTTP API burst',
  ecrRepositories: 'comma-separated ECR repository names or ARNs',
  reportBucketName: 'an existing bucket for the reports',
  alarmTopicArn: 'an SNS topic for the alarms',
  logRetentionDays: 'log retention in days (a CloudWatch Logs value: 1, 3, 5, 7, 14, 30, 60, 90, …)',
  tracing: 'true to turn on X-Ray tracing',
  registryAuthSecretArn: 'the complete ARN of a secret holding a docker config.json',
  vulndbSources: 'comma-separated http(s) URLs of zips of OSV records (OSV exports)',
  vulndbRefreshHours: 'hours between vulnerability refreshes, 1 to 168',
  vulndbMemoryMiB: 'the vulnerability refresh memory in MiB, 512 to 10240',
  notifyUrl: 'where new critical and high vulnerabilities are POSTed (signed)',
  notifySecretArn: 'the complete ARN of a secret holding the notification HMAC key',
} as const

export type ContextKey = keyof typeof CONTEXT_KEYS

/** The stack's props (and name) from the context of `node` (the app's node). */
export function propsFromContext(node: Node): PushscanStackProps {
  const get = (key: ContextKey): unknown => {
    const value: unknown = node.tryGetContext(key)
    return value === '' ? undefined : value
  }
  const props: { -readonly [K in keyof PushscanStackProps]: PushscanStackProps[K] } = {}
  const stackName = text(get('stackName'), 'stackName')
  if (stackName !== undefined) props.stackName = stackName

  const allowed = list(get('allowedRegistries'), 'allowedRegistries')
  if (allowed) props.allowedRegistries = allowed
  const insecure = list(get('insecureRegistries'), 'insecureRegistries')
  if (insecure) props.insecureRegistries = insecure
  const mirrors = pairs(get('registryMirrors'), 'registryMirrors')
  if (mirrors) props.registryMirrors = mirrors
  const limits = pairs(get('limits'), 'limits')
  if (limits) props.limits = limits
  const cosignPublicKeys = text(get('cosignPublicKeys'), 'cosignPublicKeys')
  if (cosignPublicKeys !== undefined) props.cosignPublicKeys = cosignPublicKeys
  const logLevel = text(get('logLevel'), 'logLevel')
  if (logLevel !== undefined) {
    if (!['debug', 'info', 'warn', 'error'].includes(logLevel)) throw contextError('logLevel', 'must be debug, info, warn or error', logLevel)
    props.logLevel = logLevel as LogLevel
  }

  const timeout = whole(get('workerTimeoutMinutes'), 'workerTimeoutMinutes', 1, 15)
  if (timeout !== undefined) props.workerTimeout = Duration.minutes(timeout)
  const memory = whole(get('workerMemoryMiB'), 'workerMemoryMiB', 128, 10240)
  if (memory !== undefined) props.workerMemorySize = memory
  const storage = whole(get('workerEphemeralStorageMiB'), 'workerEphemeralStorageMiB', 512, 10240)
  if (storage !== undefined) props.workerEphemeralStorageSize = Size.mebibytes(storage)
  const concurrency = whole(get('workerConcurrency'), 'workerConcurrency', 2, 1000)
  if (concurrency !== undefined) props.workerConcurrency = concurrency
  const receives = whole(get('maxReceiveCount'), 'maxReceiveCount', 1, 1000)
  if (receives !== undefined) props.maxReceiveCount = receives
  const age = whole(get('maxMessageAgeMinutes'), 'maxMessageAgeMinutes', 5, 20160)
  if (age !== undefined) props.maxMessageAge = Duration.minutes(age)

  const apiKind = text(get('apiKind'), 'apiKind')
  if (apiKind !== undefined) {
    if (!(Object.values(ApiKind) as string[]).includes(apiKind)) throw contextError('apiKind', `must be ${Object.values(ApiKind).join(' or ')}`, apiKind)
    props.apiKind = apiKind as ApiKind
  }
  const rate = whole(get('apiThrottleRate'), 'apiThrottleRate', 1, 1_000_000)
  const burst = whole(get('apiThrottleBurst'), 'apiThrottleBurst', 1, 1_000_000)
  if (rate !== undefined || burst !== undefined) props.apiThrottle = { rateLimit: rate ?? 50, burstLimit: burst ?? 100 }

  const repositories = list(get('ecrRepositories'), 'ecrRepositories')
  if (repositories) props.ecrRepositories = repositories
  const bucketName = text(get('reportBucketName'), 'reportBucketName')
  if (bucketName !== undefined) props.reportBucketName = bucketName
  const topicArn = text(get('alarmTopicArn'), 'alarmTopicArn')
  if (topicArn !== undefined) props.alarmTopicArn = topicArn
  const retention = whole(get('logRetentionDays'), 'logRetentionDays', 1, 9999)
  if (retention !== undefined) {
    if (!(Object.values(RetentionDays) as unknown[]).includes(retention)) {
      throw contextError('logRetentionDays', `must be a CloudWatch Logs retention: ${Object.values(RetentionDays).filter((v) => typeof v === 'number').join(', ')}`, String(retention))
    }
    props.logRetention = retention as RetentionDays
  }
  const tracing = bool(get('tracing'), 'tracing')
  if (tracing !== undefined) props.tracing = tracing
  const secretArn = text(get('registryAuthSecretArn'), 'registryAuthSecretArn')
  if (secretArn !== undefined) props.registryAuthSecretArn = secretArn
  const vulndbSources = list(get('vulndbSources'), 'vulndbSources')
  if (vulndbSources) props.vulndbSources = vulndbSources
  const refreshHours = whole(get('vulndbRefreshHours'), 'vulndbRefreshHours', 1, 168)
  if (refreshHours !== undefined) props.vulndbRefreshInterval = Duration.hours(refreshHours)
  const vulndbMemory = whole(get('vulndbMemoryMiB'), 'vulndbMemoryMiB', 512, 10240)
  if (vulndbMemory !== undefined) props.vulndbMemorySize = vulndbMemory
  const notifyUrl = text(get('notifyUrl'), 'notifyUrl')
  if (notifyUrl !== undefined) {
    if (!/^https?:\/\/\S+$/i.test(notifyUrl)) throw contextError('notifyUrl', 'must be an http(s) URL', notifyUrl)
    props.notifyUrl = notifyUrl
  }
  const notifySecretArn = text(get('notifySecretArn'), 'notifySecretArn')
  if (notifySecretArn !== undefined) props.notifySecretArn = notifySecretArn
  return props
}

function contextError(key: ContextKey, message: string, value: string): Error {
  return new Error(`context ${key}: ${message}, not "${value}"`)
}

function text(value: unknown, key: ContextKey): string | undefined {
  if (value === undefined || value === null) return undefined
  if (typeof value !== 'string') throw contextError(key, 'must be a string', JSON.stringify(value))
  return value.trim() || undefined
}

function list(value: unknown, key: ContextKey): string[] | undefined {
  if (value === undefined || value === null) return undefined
  const items = Array.isArray(value) ? value.map(String) : typeof value === 'string' ? value.split(',') : undefined
  if (!items) throw contextError(key, 'must be a comma-separated string or an array', JSON.stringify(value))
  const cleaned = items.map((s) => s.trim()).filter(Boolean)
  return cleaned.length > 0 ? cleaned : undefined
}

function pairs(value: unknown, key: ContextKey): Record<string, string> | undefined {
  if (value === undefined || value === null) return undefined
  if (typeof value === 'object' && !Array.isArray(value)) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, String(v)]))
  const items = list(value, key)
  if (!items) return undefined
  const out: Record<string, string> = {}
  for (const item of items) {
    const eq = item.indexOf('=')
    if (eq <= 0) throw contextError(key, 'must be NAME=VALUE pairs separated by commas', item)
    out[item.slice(0, eq).trim()] = item.slice(eq + 1).trim()
  }
  return out
}

function whole(value: unknown, key: ContextKey, min: number, max: number): number | undefined {
  if (value === undefined || value === null) return undefined
  const n = typeof value === 'number' ? value : typeof value === 'string' && /^\d+$/.test(value.trim()) ? Number(value) : NaN
  if (!Number.isInteger(n) || n < min || n > max) throw contextError(key, `must be a whole number from ${min} to ${max}`, String(value))
  return n
}

function bool(value: unknown, key: ContextKey): boolean | undefined {
  if (value === undefined || value === null) return undefined
  if (typeof value === 'boolean') return value
  if (value === 'true') return true
  if (value === 'false') return false
  throw contextError(key, 'must be true or false', String(value))
}
