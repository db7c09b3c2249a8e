import { describe, expect, it } from 'vitest'
import { DEFAULT_ALLOWED_REGISTRIES, loadServiceConfig, loadVulndbConfig } from '../../shared/config.js'
import { isRegistryAllowed } from '../../shared/policy/registry-policy.js'

const SECRETS = { PUSHSCAN_WEBHOOK_SECRET: 'w'.repeat(20), PUSHSCAN_API_KEY: 'k'.repeat(20) }

describe('loadServiceConfig', () => {
  it('has safe defaults: public registries only, no plain HTTP, default limits', () => {
    const config = loadServiceConfig(SECRETS)
    expect(config.allowedRegistries).toBe(DEFAULT_ALLOWED_REGISTRIES)
    expect(isRegistryAllowed(config.policy, 'docker.io')).toBe(true)
    expect(isRegistryAllowed(config.policy, '127.0.0.1:5000')).toBe(false)
    expect(config.insecureRegistries).toEqual([])
    expect(config.mirrors).toEqual({})
    expect(config.logLevel).toBe('info')
  })

  it('reads every setting', () => {
    const config = loadServiceConfig({
      ...SECRETS,
      PUSHSCAN_ALLOWED_REGISTRIES: 'ghcr.io,127.0.0.1:5000',
      PUSHSCAN_INSECURE_REGISTRIES: '127.0.0.1:5000, Registry.Local',
      PUSHSCAN_REGISTRY_MIRRORS: 'docker.io=http://10.0.0.5:5000',
      PUSHSCAN_REGISTRY_AUTH: '/etc/pushscan/auth.json',
      PUSHSCAN_LIMITS: 'maxLayerBytes=2GiB, maxLayers=10',
      PUSHSCAN_LOG_LEVEL: 'debug',
    })
    expect(config.insecureRegistries).toEqual(['127.0.0.1:5000', 'registry.local'])
    expect(config.mirrors).toEqual({ 'docker.io': 'http://10.0.0.5:5000' })
    // the mirror host is allowed, its private address included
    expect(isRegistryAllowed(config.policy, '10.0.0.5:5000')).toBe(true)
    expect(config.registryAuthPath).toBe('/etc/pushscan/auth.json')
    expect(config.limits).toMatchObject({ maxLayerBytes: 2 * 1024 ** 3, maxLayers: 10 })
    expect(config.logLevel).toBe('debug')
  })

  it.each([
    [{}, 'PUSHSCAN_WEBHOOK_SECRET: is not set'],
    [{ PUSHSCAN_WEBHOOK_SECRET: 'w'.repeat(20) }, 'PUSHSCAN_API_KEY: is not set'],
    [{ ...SECRETS, PUSHSCAN_WEBHOOK_SECRET: 'short' }, 'PUSHSCAN_WEBHOOK_SECRET: must be at least 16 characters'],
    [{ ...SECRETS, PUSHSCAN_ALLOWED_REGISTRIES: 'ok.io,not ok' }, 'PUSHSCAN_ALLOWED_REGISTRIES: invalid registry host'],
    [{ ...SECRETS, PUSHSCAN_LIMITS: 'maxBananas=3' }, 'PUSHSCAN_LIMITS: unknown limit'],
    [{ ...SECRETS, PUSHSCAN_LOG_LEVEL: 'loud' }, 'PUSHSCAN_LOG_LEVEL: must be'],
    [{ ...SECRETS, PUSHSCAN_REGISTRY_MIRRORS: 'docker.io=ftp://x' }, 'PUSHSCAN_REGISTRY_MIRRORS: '],
  ])('fails naming the variable for %j', (env, message) => {
    expect(() => loadServiceConfig(env)).toThrow(message)
  })

  it('takes the secrets from elsewhere when the environment has none', () => {
    const config = loadServiceConfig({}, { webhookSecret: 'a'.repeat(32), apiKey: 'b'.repeat(32) })
    expect([config.webhookSecret, config.apiKey]).toEqual(['a'.repeat(32), 'b'.repeat(32)])
  })
})

describe('loadVulndbConfig', () => {
  it('has no sources and no notification by default', () => {
    expect(loadVulndbConfig({})).toEqual({ sources: [], logLevel: 'info' })
  })

  it('reads the sources and the notification URL with its secret (from the environment or Secrets Manager)', () => {
    const env = {
      PUSHSCAN_VULNDB_SOURCES: ' https://osv-vulnerabilities.storage.googleapis.com/Debian/all.zip, /var/lib/osv/npm ,',
      PUSHSCAN_NOTIFY_URL: 'https://hooks.example.org/pushscan',
    }
    expect(loadVulndbConfig({ ...env, PUSHSCAN_NOTIFY_SECRET: 's'.repeat(16) })).toEqual({
      sources: ['https://osv-vulnerabilities.storage.googleapis.com/Debian/all.zip', '/var/lib/osv/npm'],
      notify: { url: 'https://hooks.example.org/pushscan', secret: 's'.repeat(16) },
      logLevel: 'info',
    })
    expect(loadVulndbConfig(env, { notifySecret: 'm'.repeat(20) }).notify?.secret).toBe('m'.repeat(20))
  })

  it.each([
    [{ PUSHSCAN_VULNDB_SOURCES: 'ftp://example.org/all.zip' }, 'CONFIG_INVALID_VALUE', 'PUSHSCAN_VULNDB_SOURCES'],
    [{ PUSHSCAN_NOTIFY_URL: 'https://hooks.example.org/x' }, 'CONFIG_MISSING', 'PUSHSCAN_NOTIFY_SECRET'],
    [{ PUSHSCAN_NOTIFY_URL: 'https://hooks.example.org/x', PUSHSCAN_NOTIFY_SECRET: 'short' }, 'CONFIG_INVALID_VALUE', 'PUSHSCAN_NOTIFY_SECRET'],
    [{ PUSHSCAN_NOTIFY_URL: 'mailto:ops@example.org', PUSHSCAN_NOTIFY_SECRET: 's'.repeat(16) }, 'CONFIG_INVALID_VALUE', 'PUSHSCAN_NOTIFY_URL'],
    [{ PUSHSCAN_NOTIFY_URL: 'not a url', PUSHSCAN_NOTIFY_SECRET: 's'.repeat(16) }, 'CONFIG_INVALID_VALUE', 'PUSHSCAN_NOTIFY_URL'],
  ])('refuses %j', (env, code, variable) => {
    expect(() => loadVulndbConfig(env)).toThrow(expect.objectContaining({ code, variable }))
  })
})
