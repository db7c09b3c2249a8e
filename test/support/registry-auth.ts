/**
 * Answering a registry's `WWW-Authenticate` challenge in tests: Basic credentials, or a
 * bearer token fetched from the realm the challenge names.
 *
 * @module
 */
import { request, type Dispatcher } from 'undici'
import { basicAuthorization } from './basic-auth.js'

/** A parsed `WWW-Authenticate` challenge. */
export interface AuthChallenge {
  /** Lower-case scheme: `basic`, `bearer`, … */
  scheme: string
  /** Parameters such as realm, service, scope. */
  params: Record<string, string>
}

/** Credentials for a test registry. */
export interface RegistryCredentials {
  username?: string
  password?: string
}

/** Parses the first challenge of a `WWW-Authenticate` header. */
export function parseChallenge(header: string | string[] | undefined): AuthChallenge | undefined {
  const value = Array.isArray(header) ? header[0] : header
  const match = /^\s*([A-Za-z][\w-]*)\s*(.*)$/.exec(value ?? '')
  if (!match?.[1]) return undefined
  const params: Record<string, string> = {}
  const pattern = /([\w-]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s,]*))\s*,?/g
  for (const param of (match[2] ?? '').matchAll(pattern)) {
    const key = param[1]
    if (key) params[key.toLowerCase()] = param[2] !== undefined ? param[2].replace(/\\(.)/g, '$1') : (param[3] ?? '')
  }
  return { scheme: match[1].toLowerCase(), params }
}

/**
 * Fetches a bearer token from `challenge.params.realm` for `scopes`, with Basic credentials
 * when we have them. Throws when the token endpoint refuses.
 */
export async function fetchToken(
  challenge: AuthChallenge,
  credentials: RegistryCredentials,
  scopes: readonly string[],
  dispatcher?: Dispatcher,
): Promise<string> {
  const realm = challenge.params.realm
  if (!realm) throw new Error('bearer challenge without realm')
  const url = new URL(realm)
  if (challenge.params.service) url.searchParams.set('service', challenge.params.service)
  for (const scope of scopes) url.searchParams.append('scope', scope)
  const headers: Record<string, string> = {}
  if (credentials.username !== undefined) headers.authorization = basicAuthorization(credentials.username, credentials.password ?? '')
  const response = await request(url, { method: 'GET', headers, ...(dispatcher ? { dispatcher } : {}) })
  const text = await response.body.text()
  if (response.statusCode !== 200) throw new Error(`token endpoint ${url.origin}${url.pathname} answered ${response.statusCode}: ${text}`)
  const body = JSON.parse(text) as { token?: string; access_token?: string }
  const token = body.token ?? body.access_token
  if (!token) throw new Error('token endpoint answered without a token')
  return token
}

/**
 * The `Authorization` header value that answers `challenge` (for Bearer, `scopes` are
 * requested), or undefined when there is no challenge to answer.
 */
export async function authorizationFor(
  challenge: AuthChallenge | undefined,
  credentials: RegistryCredentials,
  scopes: readonly string[],
  dispatcher?: Dispatcher,
): Promise<string | undefined> {
  if (!challenge) return undefined
  if (challenge.scheme === 'basic') {
    if (credentials.username === undefined) throw new Error('registry wants Basic auth but no credentials were given')
    return basicAuthorization(credentials.username, credentials.password ?? '')
  }
  if (challenge.scheme === 'bearer') return `Bearer ${await fetchToken(challenge, credentials, scopes, dispatcher)}`
  throw new Error(`unsupported auth scheme ${challenge.scheme}`)
}
