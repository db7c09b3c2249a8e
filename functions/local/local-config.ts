/**
 * `npm start` configuration: the service settings plus where to listen and where to keep
 * data. Everything has a default, so `npm start` runs with no setup:
 *
 * - data in `$PUSHSCAN_DATA_DIR`, else `$XDG_DATA_HOME/pushscan`, else `~/.local/share/pushscan`;
 * - the webhook secret and API key from the environment, else generated once and kept in
 *   `<data dir>/secrets.json` (mode 0600);
 * - listening on 127.0.0.1:8080 (`PUSHSCAN_HOST=0.0.0.0` to take webhooks from other hosts);
 * - no periodic vulnerability refresh unless `PUSHSCAN_VULNDB_REFRESH_MINUTES` is set (it
 *   re-imports `PUSHSCAN_VULNDB_SOURCES` and notifies `PUSHSCAN_NOTIFY_URL`, if set).
 *
 * @module
 */
import { randomBytes } from 'node:crypto'
import { mkdir, readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { ConfigError, ENV, integer, loadServiceConfig, loadVulndbConfig, optional, type Env, type ServiceConfig, type VulndbConfig } from '../../shared/config.js'
import { ErrorCode } from '../../shared/errors.js'
import { defaultDataDir } from '../runtime/data-dir.js'

export const LOCAL_ENV = {
  Host: 'PUSHSCAN_HOST',
  ShutdownGraceSeconds: 'PUSHSCAN_SHUTDOWN_GRACE_SECONDS',
} as const

export interface LocalConfig {
  service: ServiceConfig
  host: string
  port: number
  dataDir: string
  concurrency: number
  shutdownGraceMs: number
  secretsFile: string
  vulndb: VulndbConfig
  /** Minutes between vulnerability refreshes; 0: none. */
  vulndbRefreshMinutes: number
}

interface Secrets {
  webhookSecret: string
  apiKey: string
}

/** Reads `<dataDir>/secrets.json`, creating it with fresh random secrets the first time. */
export async function localSecrets(path: string): Promise<{ secrets: Secrets; created: boolean }> {
  try {
    const json = JSON.parse(await readFile(path, 'utf8')) as Partial<Secrets>
    if (typeof json.webhookSecret === 'string' && typeof json.apiKey === 'string') return { secrets: { webhookSecret: json.webhookSecret, apiKey: json.apiKey }, created: false }
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') {
      throw new ConfigError(ErrorCode.ConfigInvalidValue, ENV.DataDir, `cannot read ${path}: ${(error as Error).message}`)
    }
  }
  const secrets = { webhookSecret: randomBytes(24).toString('base64url'), apiKey: randomBytes(24).toString('base64url') }
  await writeFile(path, `${JSON.stringify(secrets, null, 2)}\n`, { mode: 0o600, flag: 'wx' }).catch(async (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EEXIST') throw error
  })
  return { secrets: (await localSecrets(path)).secrets, created: true }
}

export async function loadLocalConfig(env: Env, homeDir: string): Promise<LocalConfig> {
  const dataDir = defaultDataDir(env, homeDir)
  try {
    await mkdir(dataDir, { recursive: true, mode: 0o700 })
  } catch (error) {
    throw new ConfigError(ErrorCode.ConfigInvalidValue, ENV.DataDir, `cannot create ${dataDir}: ${(error as Error).message}`)
  }
  const secretsFile = join(dataDir, 'secrets.json')
  const needSecrets = !optional(env, ENV.WebhookSecret) || !optional(env, ENV.ApiKey)
  const secrets = needSecrets ? (await localSecrets(secretsFile)).secrets : {}
  return {
    service: loadServiceConfig(env, secrets),
    host: optional(env, LOCAL_ENV.Host) ?? '127.0.0.1',
    port: integer(env, ENV.Port, 8080, 0, 65535),
    dataDir,
    concurrency: integer(env, ENV.WorkerConcurrency, 1, 1, 16),
    shutdownGraceMs: integer(env, LOCAL_ENV.ShutdownGraceSeconds, 20, 0, 3600) * 1000,
    secretsFile,
    vulndb: loadVulndbConfig(env),
    vulndbRefreshMinutes: integer(env, ENV.VulndbRefreshMinutes, 0, 0, 7 * 24 * 60),
  }
}
