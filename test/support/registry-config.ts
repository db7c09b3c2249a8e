/**
 * The `config.yml` for a CNCF distribution 2.8 registry used in tests.
 *
 * @see https://distribution.github.io/distribution/about/configuration/
 * @module
 */
import { toYaml, type YamlValue } from './yaml.js'

/** What goes into the registry configuration. */
export interface RegistryConfigParams {
  /** `127.0.0.1:PORT` */
  addr: string
  storageDir: string
  /** Sent back in an `X-Pushscan-Registry-Instance` header, so a readiness check knows it reached this process. */
  instanceId: string
  htpasswd?: { realm: string; path: string }
  token?: { realm: string; service: string; issuer: string; rootCertBundle: string }
  notifications?: { url: string; authorization?: string }
}

/** Renders the configuration as YAML. */
export function registryConfigYaml(params: RegistryConfigParams): string {
  const auth: YamlValue | undefined = params.htpasswd
    ? { htpasswd: { realm: params.htpasswd.realm, path: params.htpasswd.path } }
    : params.token
      ? {
          token: {
            realm: params.token.realm,
            service: params.token.service,
            issuer: params.token.issuer,
            rootcertbundle: params.token.rootCertBundle,
          },
        }
      : undefined
  const notifications: YamlValue | undefined = params.notifications
    ? {
        events: { includereferences: true },
        endpoints: [
          {
            name: 'pushscan-test-webhook',
            url: params.notifications.url,
            headers: params.notifications.authorization ? { Authorization: [params.notifications.authorization] } : undefined,
            timeout: '1s',
            threshold: 5,
            backoff: '1s',
            ignore: { actions: ['pull'] },
          },
        ],
      }
    : undefined
  return toYaml({
    version: 0.1,
    log: { level: 'warn', formatter: 'text', fields: { service: 'registry' } },
    storage: {
      cache: { blobdescriptor: 'inmemory' },
      filesystem: { rootdirectory: params.storageDir },
      delete: { enabled: true },
      maintenance: { uploadpurging: { enabled: false } },
    },
    auth,
    http: {
      addr: params.addr,
      headers: { 'X-Content-Type-Options': ['nosniff'], 'X-Pushscan-Registry-Instance': [params.instanceId] },
    },
    notifications,
  })
}
