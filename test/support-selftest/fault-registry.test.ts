import { describe, it, expect, beforeAll, afterAll, afterEach } from 'vitest'
import { createHash } from 'node:crypto'
import { setTimeout as sleep } from 'node:timers/promises'
import { Agent, request, errors } from 'undici'
import { MediaType } from '../../shared/image/media-types.js'
import { basicAuthorization } from '../support/basic-auth.js'
import { startFaultRegistry, type FaultRegistry } from '../support/fault-registry.js'
import { buildImage, buildIndex, buildLayer, type BuiltBlob, type BuiltImage } from '../support/image-builder.js'
import { parseChallenge } from '../support/registry-auth.js'

function sha256(bytes: Buffer): string {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`
}

/** Reads a whole answer; a broken body is reported as `error` together with the bytes received so far. */
async function fetchAll(url: string, headers: Record<string, string> = {}, method: 'GET' | 'HEAD' = 'GET') {
  const response = await request(url, { method, headers })
  const chunks: Buffer[] = []
  let error: Error | undefined
  try {
    for await (const chunk of response.body) chunks.push(chunk as Buffer)
  } catch (caught) {
    error = caught as Error
  }
  return { status: response.statusCode, headers: response.headers, body: Buffer.concat(chunks), error }
}

let layer: BuiltBlob
let image: BuiltImage

beforeAll(async () => {
  const content = Buffer.alloc(64 * 1024)
  for (let i = 0; i < content.length; i += 1) content[i] = (i * 7919) & 0xff
  layer = await buildLayer([{ name: 'data.bin', content }], { compression: 'none' })
  image = buildImage({ layers: [layer], format: 'oci' })
})

describe('fault registry without auth', () => {
  let registry: FaultRegistry
  const blobUrl = () => `${registry.url}/v2/fx/app/blobs/${layer.digest}`

  beforeAll(async () => {
    registry = await startFaultRegistry()
    registry.serve('fx/app', image, ['latest'])
    registry.serve('fx/multi', buildIndex({ images: [image], format: 'oci', attestationFor: [image] }), ['multi'])
  })
  afterAll(async () => {
    await registry.close()
  })
  afterEach(() => {
    registry.faults.length = 0
  })

  it('serves manifests, tags and errors like a registry', async () => {
    const ping = await fetchAll(`${registry.url}/v2/`)
    expect(ping.status).toBe(200)
    const manifest = await fetchAll(`${registry.url}/v2/fx/app/manifests/latest`)
    expect(manifest.status).toBe(200)
    expect(manifest.headers['content-type']).toBe(MediaType.OciManifest)
    expect(manifest.headers['docker-content-digest']).toBe(image.manifest.digest)
    expect(Number(manifest.headers['content-length'])).toBe(image.manifest.size)
    expect(sha256(manifest.body)).toBe(image.manifest.digest)
    const head = await fetchAll(`${registry.url}/v2/fx/app/manifests/${image.manifest.digest}`, {}, 'HEAD')
    expect([head.status, head.headers['docker-content-digest'], head.body.length]).toEqual([200, image.manifest.digest, 0])
    const missing = await fetchAll(`${registry.url}/v2/fx/app/manifests/nope`)
    expect(missing.status).toBe(404)
    expect(JSON.parse(missing.body.toString())).toMatchObject({ errors: [{ code: 'MANIFEST_UNKNOWN' }] })
    const index = await fetchAll(`${registry.url}/v2/fx/multi/manifests/multi`)
    expect(index.headers['content-type']).toBe(MediaType.OciIndex)
    const tags = await fetchAll(`${registry.url}/v2/fx/app/tags/list`)
    expect(JSON.parse(tags.body.toString())).toEqual({ name: 'fx/app', tags: ['latest'] })
  })

  it('serves blobs whole and by range', async () => {
    const whole = await fetchAll(blobUrl())
    expect([whole.status, sha256(whole.body), whole.headers['docker-content-digest']]).toEqual([200, layer.digest, layer.digest])
    const tail = await fetchAll(blobUrl(), { range: 'bytes=1000-' })
    expect(tail.status).toBe(206)
    expect(tail.headers['content-range']).toBe(`bytes 1000-${layer.size - 1}/${layer.size}`)
    expect(tail.body.equals(layer.bytes.subarray(1000))).toBe(true)
    const beyond = await fetchAll(blobUrl(), { range: `bytes=${layer.size}-` })
    expect(beyond.status).toBe(416)
    const unknown = await fetchAll(`${registry.url}/v2/fx/app/blobs/sha256:${'0'.repeat(64)}`)
    expect(JSON.parse(unknown.body.toString())).toMatchObject({ errors: [{ code: 'BLOB_UNKNOWN' }] })
  })

  it('answers injected statuses the given number of times and records requests', async () => {
    registry.inject({ match: { path: '/manifests/latest' }, times: 2, fault: { status: 429, headers: { 'retry-after': '1' } } })
    registry.inject({ match: { method: 'HEAD' }, fault: { status: 503 } })
    const first = await fetchAll(`${registry.url}/v2/fx/app/manifests/latest`)
    expect([first.status, first.headers['retry-after']]).toEqual([429, '1'])
    expect(JSON.parse(first.body.toString())).toMatchObject({ errors: [{ code: 'TOOMANYREQUESTS' }] })
    expect((await fetchAll(`${registry.url}/v2/fx/app/manifests/latest`)).status).toBe(429)
    expect((await fetchAll(`${registry.url}/v2/fx/app/manifests/latest`)).status).toBe(200)
    expect((await fetchAll(blobUrl(), {}, 'HEAD')).status).toBe(503)
    expect((await fetchAll(blobUrl(), {}, 'HEAD')).status).toBe(200)
    expect(registry.faults).toHaveLength(0)
    const recent = registry.requests.slice(-5)
    expect(recent.map((entry) => [entry.method, entry.fault])).toEqual([
      ['GET', 'status 429'], ['GET', 'status 429'], ['GET', undefined], ['HEAD', 'status 503'], ['HEAD', undefined],
    ])
  })

  it('resetAfterBytes sends the full Content-Length, then that many bytes, then drops the connection', async () => {
    registry.inject({ match: { path: /\/blobs\// }, fault: { resetAfterBytes: 1000 } })
    const broken = await fetchAll(blobUrl())
    expect(broken.status).toBe(200)
    expect(Number(broken.headers['content-length'])).toBe(layer.size)
    expect(broken.body.length).toBe(1000)
    expect(broken.error).toBeDefined()
  })

  it('corruptBody flips a byte, keeping the length', async () => {
    registry.inject({ fault: { corruptBody: true } })
    const corrupt = await fetchAll(blobUrl())
    expect(corrupt.body.length).toBe(layer.size)
    expect(sha256(corrupt.body)).not.toBe(layer.digest)
  })

  it('lieContentLength declares a different length than it sends', async () => {
    registry.inject({ fault: { lieContentLength: layer.size + 100 } })
    const short = await fetchAll(blobUrl())
    expect(Number(short.headers['content-length'])).toBe(layer.size + 100)
    expect(short.body.length).toBe(layer.size)
    expect(short.error).toBeDefined()
    registry.inject({ fault: { lieContentLength: 10 } })
    const long = await fetchAll(blobUrl())
    expect(long.body.length).toBe(10)
  })

  it('extraBytes sends more than the descriptor size with a true Content-Length', async () => {
    registry.inject({ fault: { extraBytes: 7 } })
    const extra = await fetchAll(blobUrl())
    expect(extra.error).toBeUndefined()
    expect(Number(extra.headers['content-length'])).toBe(layer.size + 7)
    expect(extra.body.subarray(0, layer.size).equals(layer.bytes)).toBe(true)
  })

  it('ratelimitHeaders adds Docker Hub style headers to a normal answer', async () => {
    registry.inject({ fault: { ratelimitHeaders: { limit: 100, remaining: 76 } } })
    const limited = await fetchAll(`${registry.url}/v2/fx/app/manifests/latest`)
    expect(limited.status).toBe(200)
    expect(limited.headers['ratelimit-limit']).toBe('100;w=21600')
    expect(limited.headers['ratelimit-remaining']).toBe('76;w=21600')
  })

  it('hang never answers, and close() would free the socket', async () => {
    registry.inject({ fault: { hang: true } })
    await expect(request(`${registry.url}/v2/`, { headersTimeout: 200 })).rejects.toBeInstanceOf(errors.HeadersTimeoutError)
    expect(registry.requests.at(-1)?.fault).toBe('hang')
  })

  it('faults can target the blob host', async () => {
    registry.inject({ match: { path: /\/blobs\// }, fault: { redirectTo: 'blob-host' } })
    registry.inject({ match: { server: 'blob-host' }, fault: { status: 500 } })
    const redirect = await fetchAll(blobUrl())
    expect(redirect.status).toBe(307)
    const location = String(redirect.headers.location)
    expect((await fetchAll(location)).status).toBe(500)
    expect((await fetchAll(location)).status).toBe(200)
  })

  it('tracks open connections', async () => {
    const before = registry.openConnections()
    const agent = new Agent()
    const response = await request(`${registry.url}/v2/`, { dispatcher: agent })
    await response.body.dump()
    expect(registry.openConnections()).toBe(before + 1)
    await agent.close()
    for (let i = 0; i < 50 && registry.openConnections() > before; i += 1) await sleep(10)
    expect(registry.openConnections()).toBe(before)
  })
})

describe('fault registry with basic auth', () => {
  it('challenges with Basic and records the Authorization header', async () => {
    const registry = await startFaultRegistry({ auth: 'basic', username: 'u', password: 'p' })
    try {
      registry.serve('fx/app', image, ['latest'])
      const url = `${registry.url}/v2/fx/app/manifests/latest`
      const anonymous = await fetchAll(url)
      expect(anonymous.status).toBe(401)
      expect(parseChallenge(anonymous.headers['www-authenticate'])?.scheme).toBe('basic')
      expect((await fetchAll(url, { authorization: basicAuthorization('u', 'x') })).status).toBe(401)
      expect((await fetchAll(url, { authorization: basicAuthorization('u', 'p') })).status).toBe(200)
      expect(registry.requests.map((entry) => entry.authorization)).toEqual([undefined, basicAuthorization('u', 'x'), basicAuthorization('u', 'p')])
    } finally {
      await registry.close()
    }
  })
})

describe('fault registry with bearer auth', () => {
  let registry: FaultRegistry
  beforeAll(async () => {
    registry = await startFaultRegistry({ auth: 'bearer', tokenExpiresIn: 0.3 })
    registry.serve('fx/app', image, ['latest'])
  })
  afterAll(async () => {
    await registry.close()
  })

  async function token(): Promise<string> {
    const challenge = parseChallenge((await fetchAll(`${registry.url}/v2/fx/app/manifests/latest`)).headers['www-authenticate'])
    expect(challenge).toMatchObject({ scheme: 'bearer', params: { service: 'pushscan-fault-registry', scope: 'repository:fx/app:pull' } })
    const realm = challenge?.params.realm ?? ''
    expect((await fetchAll(`${realm}?service=x`, { authorization: basicAuthorization('scanner', 'wrong') })).status).toBe(401)
    const answer = await fetchAll(`${realm}?service=x`, { authorization: basicAuthorization('scanner', registry.password ?? '') })
    const body = JSON.parse(answer.body.toString()) as { token: string; expires_in: number }
    expect(body.expires_in).toBe(0.3)
    return body.token
  }

  it('issues opaque tokens that expire, counting them', async () => {
    const before = registry.tokensIssued
    const bearer = `Bearer ${await token()}`
    expect(registry.tokensIssued).toBe(before + 1)
    expect((await fetchAll(`${registry.url}/v2/fx/app/manifests/latest`, { authorization: bearer })).status).toBe(200)
    await sleep(400)
    expect((await fetchAll(`${registry.url}/v2/fx/app/manifests/latest`, { authorization: bearer })).status).toBe(401)
  })

  it('applies status faults before auth, but keeps answer faults for an authorized answer', async () => {
    registry.inject({ match: { path: '/v2/' }, fault: { status: 503 } })
    expect((await fetchAll(`${registry.url}/v2/`)).status).toBe(503)
    registry.inject({ match: { path: /\/blobs\// }, fault: { corruptBody: true } })
    const blobUrl = `${registry.url}/v2/fx/app/blobs/${layer.digest}`
    expect((await fetchAll(blobUrl)).status).toBe(401)
    expect(registry.faults).toHaveLength(1)
    const corrupt = await fetchAll(blobUrl, { authorization: `Bearer ${await token()}` })
    expect(sha256(corrupt.body)).not.toBe(layer.digest)
    expect(registry.faults).toHaveLength(0)
  })

  it('redirects to a blob host that refuses a second auth mechanism', async () => {
    registry.inject({ match: { path: /\/blobs\// }, fault: { redirectTo: 'blob-host' } })
    const authorization = `Bearer ${await token()}`
    const redirect = await fetchAll(`${registry.url}/v2/fx/app/blobs/${layer.digest}`, { authorization })
    expect(redirect.status).toBe(307)
    const location = String(redirect.headers.location)
    expect(location.startsWith(registry.blobHostUrl)).toBe(true)
    const withAuth = await fetchAll(location, { authorization })
    expect(withAuth.status).toBe(400)
    expect(withAuth.body.toString()).toContain('Only one auth mechanism allowed')
    const withoutAuth = await fetchAll(location, { range: 'bytes=10-' })
    expect(withoutAuth.status).toBe(206)
    expect(withoutAuth.body.equals(layer.bytes.subarray(10))).toBe(true)
    const hostRequests = registry.requests.filter((entry) => entry.server === 'blob-host')
    expect(hostRequests.map((entry) => entry.authorization)).toEqual([authorization, undefined])
  })
})
