import { describe, it, expect, beforeAll, afterAll, inject } from 'vitest'
import { verify, X509Certificate } from 'node:crypto'
import { readFile } from 'node:fs/promises'
import { request } from 'undici'
import { basicAuthorization } from '../support/basic-auth.js'
import { decodeJwt } from '../support/jwt.js'
import { parseChallenge } from '../support/registry-auth.js'
import { parseScopes, startTokenServer, type RunningTokenServer } from '../support/token-server.js'

async function getToken(url: string, authorization?: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await request(url, { headers: authorization ? { authorization } : {} })
  return { status: response.statusCode, body: (await response.body.json()) as Record<string, unknown> }
}

describe('token server', () => {
  let server: RunningTokenServer
  let open: RunningTokenServer
  beforeAll(async () => {
    ;[server, open] = await Promise.all([
      startTokenServer({ username: 'scanner', password: 's3cret', expiresIn: 120 }),
      startTokenServer({ username: 'scanner', password: 's3cret', allowAnonymousPull: true }),
    ])
  })
  afterAll(async () => {
    await Promise.all([server.stop(), open.stop()])
  })

  it('parses repeated and space-separated scopes, names with colons included', () => {
    expect(parseScopes(['repository:a/b:pull,push repository:c:pull', 'repository:host:5000/x:pull', 'registry:catalog:*', 'junk'])).toEqual([
      { type: 'repository', name: 'a/b', actions: ['pull', 'push'] },
      { type: 'repository', name: 'c', actions: ['pull'] },
      { type: 'repository', name: 'host:5000/x', actions: ['pull'] },
      { type: 'registry', name: 'catalog', actions: ['*'] },
    ])
  })

  it('issues a verifiable RS256 JWT with the requested access to the right user', async () => {
    const before = server.issued
    const url = `${server.realm}?service=${server.service}&scope=${encodeURIComponent('repository:a/b:pull,push repository:c:pull')}&scope=repository:d:pull`
    const { status, body } = await getToken(url, basicAuthorization('scanner', 's3cret'))
    expect(status).toBe(200)
    expect(body.expires_in).toBe(120)
    expect(body.access_token).toBe(body.token)
    const jwt = decodeJwt(String(body.token))
    const certificate = new X509Certificate(await readFile(server.certPath))
    expect(jwt.header).toMatchObject({ alg: 'RS256', typ: 'JWT', x5c: [certificate.raw.toString('base64')] })
    expect(verify('sha256', Buffer.from(jwt.signedPart), certificate.publicKey, jwt.signature)).toBe(true)
    const claims = jwt.claims as Record<string, number | string | unknown[]>
    expect(claims).toMatchObject({ iss: server.issuer, sub: 'scanner', aud: server.service })
    expect(Number(claims.exp) - Number(claims.iat)).toBe(120)
    expect(Number(claims.nbf)).toBeLessThanOrEqual(Number(claims.iat))
    expect(claims.jti).toEqual(expect.any(String))
    expect(claims.access).toEqual([
      { type: 'repository', name: 'a/b', actions: ['pull', 'push'] },
      { type: 'repository', name: 'c', actions: ['pull'] },
      { type: 'repository', name: 'd', actions: ['pull'] },
    ])
    expect(server.issued).toBe(before + 1)
  })

  it('refuses wrong credentials and gives anonymous callers nothing unless allowed', async () => {
    const before = server.issued
    const scope = `scope=repository:a:pull,push`
    expect((await getToken(`${server.realm}?${scope}`, basicAuthorization('scanner', 'wrong'))).status).toBe(401)
    expect((await getToken(`${server.realm}?${scope}`, basicAuthorization('nobody', 's3cret'))).status).toBe(401)
    expect(server.issued).toBe(before)
    const anonymous = await getToken(`${server.realm}?${scope}`)
    expect(anonymous.status).toBe(200)
    expect(decodeJwt(String(anonymous.body.token)).claims.access).toEqual([])
    const allowed = await getToken(`${open.realm}?${scope}`)
    expect(decodeJwt(String(allowed.body.token)).claims.access).toEqual([{ type: 'repository', name: 'a', actions: ['pull'] }])
  })

  it('guards the real token-auth registry: bad credentials get 401 from its realm', async () => {
    const registry = inject('registryToken')
    const ping = await request(`${registry.url}/v2/`)
    await ping.body.dump()
    expect(ping.statusCode).toBe(401)
    const challenge = parseChallenge(ping.headers['www-authenticate'])
    expect(challenge).toMatchObject({ scheme: 'bearer', params: { service: 'pushscan-test-registry' } })
    const realm = challenge?.params.realm ?? ''
    expect((await getToken(`${realm}?service=pushscan-test-registry`, basicAuthorization(registry.username, 'wrong'))).status).toBe(401)
    expect((await getToken(`${realm}?service=pushscan-test-registry`, basicAuthorization(registry.username, registry.password))).status).toBe(200)
  })
})
