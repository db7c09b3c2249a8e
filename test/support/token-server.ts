/**
 * A small registry token server (the "token" authentication of CNCF distribution), written
 * for the tests: `GET /token?service=…&scope=…` answers an RS256 JWT whose `x5c` header
 * carries a self-signed certificate that the registry trusts through `rootcertbundle`.
 *
 * @see https://distribution.github.io/distribution/spec/auth/token/
 * @module
 */
import { createPrivateKey, randomUUID, timingSafeEqual, X509Certificate } from 'node:crypto'
import { readFile } from 'node:fs/promises'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import { join } from 'node:path'
import { parseBasicAuthorization } from './basic-auth.js'
import { signRs256Jwt, type AccessEntry } from './jwt.js'
import { listenLocal } from './local-server.js'
import { runCommand } from './run-command.js'
import { makeTempDir, removeDir } from './temp-dir.js'

/** Options for {@link startTokenServer}. */
export interface TokenServerOptions {
  /** The one user that may authenticate. */
  username: string
  password: string
  /** Must equal the registry's `auth.token.service` (it becomes the JWT `aud`). Default `pushscan-test-registry`. */
  service?: string
  /** Must equal the registry's `auth.token.issuer`. Default `pushscan-test-token-issuer`. */
  issuer?: string
  /** Give anonymous callers `pull` on what they ask for. Default false: they get an empty access list. */
  allowAnonymousPull?: boolean
  /** Token lifetime in seconds. Default 300. */
  expiresIn?: number
}

/** A running token server. */
export interface RunningTokenServer {
  /** `http://127.0.0.1:PORT/token`, for the registry's `auth.token.realm`. */
  realm: string
  service: string
  issuer: string
  /** PEM certificate to give the registry as `rootcertbundle`. */
  certPath: string
  /** How many tokens were issued so far (for tests of token caching). */
  readonly issued: number
  /** Stops the server and removes its key material. */
  stop(): Promise<void>
}

/**
 * Parses `scope` query values. One value may hold several space-separated scopes; each is
 * `type:name:actions` where the name itself may contain colons (`repository:host:5000/x:pull`).
 */
export function parseScopes(values: readonly string[]): AccessEntry[] {
  return values
    .flatMap((value) => value.split(' '))
    .filter((scope) => scope !== '')
    .flatMap((scope) => {
      const first = scope.indexOf(':')
      const last = scope.lastIndexOf(':')
      if (first < 0 || last === first) return []
      const actions = scope.slice(last + 1).split(',').filter((action) => action !== '')
      return [{ type: scope.slice(0, first), name: scope.slice(first + 1, last), actions }]
    })
}

function sameSecret(a: string, b: string): boolean {
  const left = Buffer.from(a)
  const right = Buffer.from(b)
  return left.length === right.length && timingSafeEqual(left, right)
}

function sendJson(response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const bytes = Buffer.from(JSON.stringify(body))
  response.writeHead(status, { 'content-type': 'application/json', 'content-length': bytes.length, ...headers })
  response.end(bytes)
}

/** Generates an RSA key and a self-signed certificate with the openssl CLI. */
async function makeKeyPair(dir: string, commonName: string): Promise<{ keyPath: string; certPath: string }> {
  const keyPath = join(dir, 'key.pem')
  const certPath = join(dir, 'cert.pem')
  await runCommand('openssl', [
    'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', keyPath, '-out', certPath,
    '-days', '3650', '-subj', `/CN=${commonName}`,
  ])
  return { keyPath, certPath }
}

/** Starts a token server on 127.0.0.1 with a fresh key pair. */
export async function startTokenServer(options: TokenServerOptions): Promise<RunningTokenServer> {
  const service = options.service ?? 'pushscan-test-registry'
  const issuer = options.issuer ?? 'pushscan-test-token-issuer'
  const expiresIn = options.expiresIn ?? 300
  const dir = await makeTempDir('token')
  try {
    const { keyPath, certPath } = await makeKeyPair(dir, issuer)
    const privateKey = createPrivateKey(await readFile(keyPath))
    const certificateDer = new X509Certificate(await readFile(certPath)).raw
    let issued = 0

    const handle = (request: IncomingMessage, response: ServerResponse): void => {
      const url = new URL(request.url ?? '/', 'http://token.invalid')
      if (url.pathname !== '/token') return sendJson(response, 404, { errors: [{ code: 'NOT_FOUND', message: 'not found' }] })
      if (request.method !== 'GET') return sendJson(response, 405, { errors: [{ code: 'UNSUPPORTED', message: 'GET only' }] }, { allow: 'GET' })
      const authorization = request.headers.authorization
      let subject = ''
      if (authorization !== undefined) {
        const credentials = parseBasicAuthorization(authorization)
        if (!credentials || credentials.username !== options.username || !sameSecret(credentials.password, options.password)) {
          return sendJson(response, 401, { errors: [{ code: 'UNAUTHORIZED', message: 'bad credentials' }] }, {
            'www-authenticate': 'Basic realm="pushscan-test-token-server"',
          })
        }
        subject = credentials.username
      }
      const requested = parseScopes(url.searchParams.getAll('scope'))
      const access = subject
        ? requested
        : options.allowAnonymousPull
          ? requested.map((entry) => ({ ...entry, actions: entry.actions.filter((action) => action === 'pull') }))
          : []
      const now = Math.floor(Date.now() / 1000)
      const token = signRs256Jwt(
        { iss: issuer, sub: subject, aud: url.searchParams.get('service') ?? service, exp: now + expiresIn, nbf: now - 10, iat: now, jti: randomUUID(), access },
        privateKey,
        certificateDer,
      )
      issued += 1
      sendJson(response, 200, { token, access_token: token, expires_in: expiresIn, issued_at: new Date(now * 1000).toISOString() })
    }

    const server = await listenLocal(createServer(handle))
    return {
      realm: `${server.url}/token`,
      service,
      issuer,
      certPath,
      get issued() {
        return issued
      },
      async stop() {
        await server.close()
        await removeDir(dir)
      },
    }
  } catch (error) {
    await removeDir(dir)
    throw error
  }
}
