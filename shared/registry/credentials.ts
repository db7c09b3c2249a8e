/**
 * Registry credentials: where they come from (flags, a docker `config.json`, a cloud
 * provider such as ECR) and how they are looked up for a registry host.
 *
 * @module
 */
import { ErrorCode, InputError } from '../errors.js'
import { normaliseRegistry } from '../image/reference.js'
import { expectObject, isObject, optionalString, parseJsonBytes, type Fail } from '../shape.js'

export interface Credentials {
  username?: string
  password?: string
  /** An OAuth2 refresh token (`identitytoken` in docker config), exchanged at the token endpoint. */
  identityToken?: string
  /** A bearer token to send as is (`registrytoken` in docker config). */
  registryToken?: string
}

/** Looks up credentials for a normalised registry host (`docker.io`, `host:5000`). */
export type CredentialProvider = (registry: string) => Promise<Credentials | undefined>

const fail: Fail = (message) => {
  throw new InputError(ErrorCode.CredentialsInvalid, message)
}

/**
 * Turns a docker config key (`https://index.docker.io/v1/`, `ghcr.io`, `http://host:5000/v2/`)
 * into the registry host pushscan uses.
 */
export function registryKey(key: string): string {
  const withoutScheme = key.replace(/^[a-z][a-z0-9+.-]*:\/\//i, '')
  const host = withoutScheme.split('/')[0] ?? ''
  return normaliseRegistry(host)
}

/**
 * Parses a docker `config.json` (`{"auths": {host: {auth | username+password | identitytoken}}}`).
 * Credential helpers (`credsStore`, `credHelpers`) are not run; use `--username` or a plain
 * `auths` file for those registries.
 */
export function parseDockerConfig(bytes: Uint8Array): Map<string, Credentials> {
  const json = expectObject(parseJsonBytes(bytes, 'registry auth file', fail), 'registry auth file', fail)
  const out = new Map<string, Credentials>()
  if (!isObject(json.auths)) return out
  for (const [key, value] of Object.entries(json.auths)) {
    const entry = expectObject(value, `auths["${key}"]`, fail)
    const credentials: Credentials = {}
    const auth = optionalString(entry.auth, `auths["${key}"].auth`, fail)
    if (auth) {
      if (!/^[A-Za-z0-9+/]+={0,2}$/.test(auth)) fail(`auths["${key}"].auth is not base64`)
      const decoded = Buffer.from(auth, 'base64').toString('utf8')
      const colon = decoded.indexOf(':')
      if (colon <= 0) fail(`auths["${key}"].auth is not base64 of "user:password"`)
      credentials.username = decoded.slice(0, colon)
      credentials.password = decoded.slice(colon + 1)
    }
    const username = optionalString(entry.username, `auths["${key}"].username`, fail)
    const password = optionalString(entry.password, `auths["${key}"].password`, fail)
    if (username !== undefined) credentials.username = username
    if (password !== undefined) credentials.password = password
    const identityToken = optionalString(entry.identitytoken, `auths["${key}"].identitytoken`, fail)
    if (identityToken) credentials.identityToken = identityToken
    const registryToken = optionalString(entry.registrytoken, `auths["${key}"].registrytoken`, fail)
    if (registryToken) credentials.registryToken = registryToken
    if (Object.keys(credentials).length > 0) out.set(registryKey(key), credentials)
  }
  return out
}

/** A provider answering from a fixed map of registry → credentials. */
export function staticCredentials(entries: Map<string, Credentials> | Record<string, Credentials>): CredentialProvider {
  const map = entries instanceof Map ? entries : new Map(Object.entries(entries))
  const normalised = new Map([...map].map(([key, value]) => [registryKey(key), value]))
  return async (registry) => normalised.get(normaliseRegistry(registry))
}

/** Asks each provider in turn; the first that has credentials wins. */
export function chainCredentials(...providers: CredentialProvider[]): CredentialProvider {
  return async (registry) => {
    for (const provider of providers) {
      const found = await provider(registry)
      if (found) return found
    }
    return undefined
  }
}

/** Amazon ECR registry hosts: `<account>.dkr.ecr[-fips].<region>.amazonaws.com[.cn]`. */
export const ECR_HOST_PATTERN = /^(\d{12})\.dkr\.ecr(?:-fips)?\.([a-z0-9-]+)\.amazonaws\.com(?:\.cn)?$/

/**
 * Wraps a token source (ECR's GetAuthorizationToken in the AWS wiring) into a provider for
 * ECR hosts, caching each token until shortly before it expires (ECR tokens last 12 h).
 */
export function ecrCredentials(
  getToken: (registry: string) => Promise<{ username: string; password: string; expiresAt: number }>,
  now: () => number = Date.now
): CredentialProvider {
  const cache = new Map<string, { credentials: Credentials; expiresAt: number }>()
  return async (registry) => {
    if (!ECR_HOST_PATTERN.test(registry)) return undefined
    const hit = cache.get(registry)
    if (hit && hit.expiresAt - 5 * 60_000 > now()) return hit.credentials
    const token = await getToken(registry)
    const credentials = { username: token.username, password: token.password }
    cache.set(registry, { credentials, expiresAt: token.expiresAt })
    return credentials
  }
}
