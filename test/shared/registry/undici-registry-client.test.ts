import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, inject, it, vi } from 'vitest'
import { Agent } from 'undici'
import { ErrorCode } from '../../../shared/errors.js'
import { parseDigest } from '../../../shared/image/digest.js'
import type { Descriptor } from '../../../shared/image/manifest.js'
import { MediaType } from '../../../shared/image/media-types.js'
import { staticCredentials } from '../../../shared/registry/credentials.js'
import { UndiciRegistryClient, readAll, type UndiciRegistryClientOptions } from '../../../shared/registry/undici-registry-client.js'
import { buildImage, buildIndex, buildLayer, type BuiltImage } from '../../support/image-builder.js'
import { startFaultRegistry, type FaultRegistry } from '../../support/fault-registry.js'
import { pushImage } from '../../support/registry-push.js'

const REPO = 'team/app'

let image: BuiltImage
let bigLayerDescriptor: Descriptor

beforeAll(async () => {
  const small = await buildLayer([{ name: 'etc/hostname', content: 'pushscan\n' }], { compression: 'gzip' })
  // a layer of a few hundred KiB of noise (gzip cannot shrink it), so a reset mid-body really is mid-body
  let x = 2463534242
  const noise = Buffer.alloc(400_000)
  for (let i = 0; i < noise.length; i++) {
    x ^= x << 13
    x ^= x >>> 17
    x ^= x << 5
    noise[i] = x & 0xff
  }
  const big = await buildLayer([{ name: 'data.bin', content: noise }], { compression: 'gzip' })
  image = buildImage({ layers: [small, big], format: 'oci' })
  bigLayerDescriptor = { mediaType: big.mediaType, digest: parseDigest(big.digest), size: big.size }
})

describe('UndiciRegistryClient against a registry that misbehaves', () => {
  let registry: FaultRegistry
  let agent: Agent
  const sleeps: number[] = []

  function client(options: Partial<UndiciRegistryClientOptions> = {}): UndiciRegistryClient {
    return new UndiciRegistryClient({
      dispatcher: agent,
      insecureRegistries: [registry.host],
      sleep: async (ms) => {
        sleeps.push(ms)
      },
      random: () => 0.5,
      timeouts: { headersMs: 1_000, bodyMs: 1_000 },
      ...options,
    })
  }
  const repo = () => ({ registry: registry.host, repository: REPO })

  /** No request may still be running on the agent: every body was consumed or destroyed. */
  async function expectNoRequestInFlight(): Promise<void> {
    // an aborted body releases its connection once the socket has closed: give it a moment
    await vi.waitFor(() => {
      for (const stats of Object.values(agent.stats)) expect(stats).toMatchObject({ running: 0, pending: 0 })
    }, { timeout: 2000, interval: 20 })
  }

  beforeEach(async () => {
    registry = await startFaultRegistry()
    registry.serve(REPO, image, ['v1'])
    agent = new Agent()
    sleeps.length = 0
  })

  afterEach(async () => {
    await agent.close()
    await registry.close()
  })

  it('sends the full Accept list and verifies the manifest digest', async () => {
    // Act
    const fetched = await client().getManifest(repo(), 'v1')
    // Assess
    expect(fetched.digest).toBe(image.manifest.digest)
    expect(fetched.manifest.kind).toBe('manifest')
    const accept = registry.requests.find((r) => r.path.endsWith('/manifests/v1'))?.headers.accept
    expect(accept).toBe([MediaType.OciIndex, MediaType.OciManifest, MediaType.DockerManifestList, MediaType.DockerManifest].join(', '))
  })

  it.each([
    ['429 with Retry-After', { status: 429, headers: { 'retry-after': '2' } }, 2000],
    ['503', { status: 503 }, undefined],
    ['500', { status: 500 }, undefined],
    ['408', { status: 408 }, undefined],
  ])('retries a manifest GET after %s', async (_name, fault, expectedSleep) => {
    // Prepare
    registry.inject({ match: { method: 'GET', path: '/manifests/v1' }, times: 2, fault })
    // Act
    const fetched = await client().getManifest(repo(), 'v1')
    // Assess
    expect(fetched.digest).toBe(image.manifest.digest)
    expect(registry.requests.filter((r) => r.path.endsWith('/manifests/v1'))).toHaveLength(3)
    expect(sleeps).toHaveLength(2)
    if (expectedSleep !== undefined) expect(sleeps).toEqual([expectedSleep, expectedSleep])
    await expectNoRequestInFlight()
  })

  it('gives up after the last attempt with a temporary, coded error', async () => {
    registry.inject({ match: { path: '/manifests/v1' }, times: Infinity, fault: { status: 503 } })
    await expect(client().getManifest(repo(), 'v1')).rejects.toMatchObject({
      name: 'RegistryError',
      code: ErrorCode.RegistryUnavailable,
      status: 503,
      temporary: true,
    })
    expect(registry.requests.filter((r) => r.path.endsWith('/manifests/v1'))).toHaveLength(4)
    await expectNoRequestInFlight()
  })

  it('does not wait out a Retry-After longer than its limit: the queue retries later', async () => {
    registry.inject({ match: { path: '/manifests/v1' }, fault: { status: 429, headers: { 'retry-after': '3600' } } })
    await expect(client().getManifest(repo(), 'v1')).rejects.toMatchObject({ code: ErrorCode.RateLimited, temporary: true, retryAfterMs: 3_600_000 })
    expect(sleeps).toEqual([])
  })

  it('reads and keeps rate-limit headers', async () => {
    registry.inject({ match: { path: '/manifests/v1' }, fault: { ratelimitHeaders: { limit: 100, remaining: 3, windowSeconds: 21600 } } })
    const c = client()
    await c.getManifest(repo(), 'v1')
    expect(c.rateLimit(registry.host)).toEqual({ limit: 100, remaining: 3, windowSeconds: 21600, source: '127.0.0.1' })
  })

  it('resumes a blob download with Range after the connection is reset mid-body', async () => {
    registry.inject({ match: { method: 'GET', path: `/blobs/${bigLayerDescriptor.digest}` }, fault: { resetAfterBytes: 100_000 } })
    const bytes = await readAll(await client().openBlob(repo(), bigLayerDescriptor), 10_000_000, () => new Error('too big'))
    expect(bytes.length).toBe(bigLayerDescriptor.size)
    const gets = registry.requests.filter((r) => r.path.endsWith(bigLayerDescriptor.digest))
    expect(gets.map((r) => r.headers.range)).toEqual([undefined, expect.stringMatching(/^bytes=\d+-$/)])
    await expectNoRequestInFlight()
  })

  it('fails a blob whose bytes do not match its digest', async () => {
    registry.inject({ match: { path: `/blobs/${bigLayerDescriptor.digest}` }, fault: { corruptBody: true } })
    const stream = await client().openBlob(repo(), bigLayerDescriptor)
    await expect(readAll(stream, 10_000_000, () => new Error('too big'))).rejects.toMatchObject({ code: ErrorCode.BlobDigestMismatch, temporary: false })
    await expectNoRequestInFlight()
  })

  it('refuses a blob whose Content-Length differs from the descriptor before reading it', async () => {
    registry.inject({ match: { path: `/blobs/${bigLayerDescriptor.digest}` }, fault: { extraBytes: 1000 } })
    await expect(client().openBlob(repo(), bigLayerDescriptor)).rejects.toMatchObject({ code: ErrorCode.BlobSizeMismatch })
    await expectNoRequestInFlight()
  })

  it('fails a blob that is longer than its descriptor even without a Content-Length lie', async () => {
    const longer = { ...bigLayerDescriptor, size: bigLayerDescriptor.size - 10 }
    await expect(client().openBlob(repo(), longer)).rejects.toMatchObject({ code: ErrorCode.BlobSizeMismatch })
  })

  it.each([5000, -5000])('refuses a blob whose Content-Length lies by %i bytes, before reading it', async (lie) => {
    registry.inject({ match: { path: `/blobs/${bigLayerDescriptor.digest}` }, fault: { lieContentLength: bigLayerDescriptor.size + lie } })
    await expect(client().openBlob(repo(), bigLayerDescriptor)).rejects.toMatchObject({ code: ErrorCode.BlobSizeMismatch, temporary: false })
    await expectNoRequestInFlight()
  })

  it('follows a blob redirect to another host without the Authorization header', async () => {
    // Prepare: a registry with basic auth whose blobs live on a host that refuses Authorization
    const authed = await startFaultRegistry({ auth: 'basic' })
    authed.serve(REPO, image, ['v1'])
    authed.inject({ match: { path: `/blobs/${bigLayerDescriptor.digest}` }, fault: { redirectTo: 'blob-host' } })
    const c = new UndiciRegistryClient({
      dispatcher: agent,
      insecureRegistries: [authed.host],
      credentials: staticCredentials({ [authed.host]: { username: authed.username!, password: authed.password! } }),
    })
    try {
      // Act
      const bytes = await readAll(await c.openBlob({ registry: authed.host, repository: REPO }, bigLayerDescriptor), 10_000_000, () => new Error('too big'))
      // Assess
      expect(bytes.length).toBe(bigLayerDescriptor.size)
      const toBlobHost = authed.requests.filter((r) => r.server === 'blob-host')
      expect(toBlobHost).toHaveLength(1)
      expect(toBlobHost[0]!.authorization).toBeUndefined()
      expect(authed.requests.find((r) => r.server === 'registry' && r.path.endsWith(bigLayerDescriptor.digest))?.authorization).toMatch(/^Basic /)
    } finally {
      await authed.close()
    }
  })

  it('times out a registry that never answers, as a temporary error', async () => {
    registry.inject({ match: { path: '/manifests/v1' }, times: Infinity, fault: { hang: true } })
    await expect(client({ timeouts: { headersMs: 200, bodyMs: 200 }, retry: { attempts: 2 } }).getManifest(repo(), 'v1')).rejects.toMatchObject({
      code: ErrorCode.RegistryTimeout,
      temporary: true,
    })
  })

  it.each([
    ['a schema 1 manifest', { mediaType: MediaType.DockerSchema1Signed, bytes: Buffer.from('{"schemaVersion":1,"name":"x","tag":"y","fsLayers":[]}') }, ErrorCode.ManifestSchema1],
    ['a manifest that is not JSON', { mediaType: MediaType.OciManifest, bytes: Buffer.from('{not json') }, ErrorCode.ManifestInvalid],
    ['a manifest whose mediaType contradicts its Content-Type', { mediaType: MediaType.DockerManifest, bytes: Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: MediaType.OciIndex, manifests: [] })) }, ErrorCode.ManifestInvalid],
    ['an artifact type we cannot read', { mediaType: 'application/vnd.cncf.helm.chart.content.v1.tar+gzip', bytes: Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.cncf.helm.chart.content.v1.tar+gzip' })) }, ErrorCode.ManifestUnsupported],
  ])('refuses %s with a clear code', async (_name, manifest, code) => {
    registry.serveManifest(REPO, manifest, ['odd'])
    await expect(client().getManifest(repo(), 'odd')).rejects.toMatchObject({ code, temporary: false })
    await expectNoRequestInFlight()
  })

  it('refuses a manifest whose bytes do not match the digest asked for', async () => {
    registry.inject({ match: { path: `/manifests/${image.manifest.digest}` }, fault: { corruptBody: true } })
    await expect(client().getManifest(repo(), image.manifest.digest)).rejects.toMatchObject({ code: ErrorCode.ManifestDigestMismatch })
  })

  it('refuses a manifest larger than the limit without reading it', async () => {
    await expect(client({ maxManifestBytes: 100 }).getManifest(repo(), 'v1')).rejects.toMatchObject({ code: ErrorCode.ManifestTooLarge, name: 'LimitError' })
    await expectNoRequestInFlight()
  })

  it.each([
    ['manifest', () => client().getManifest(repo(), 'missing'), ErrorCode.ManifestUnknown],
    ['blob', () => client().openBlob(repo(), { ...bigLayerDescriptor, digest: parseDigest(`sha256:${'0'.repeat(64)}`) }), ErrorCode.BlobUnknown],
  ])('maps a missing %s to its code', async (_name, act, code) => {
    await expect(act()).rejects.toMatchObject({ code, status: 404, temporary: false })
    await expectNoRequestInFlight()
  })

  it('resolves a tag with HEAD without downloading the manifest', async () => {
    const head = await client().headManifest(repo(), 'v1')
    expect(head).toEqual({ digest: image.manifest.digest, mediaType: MediaType.OciManifest, size: image.manifest.size })
    expect(registry.requests.filter((r) => r.path.endsWith('/manifests/v1')).map((r) => r.method)).toEqual(['HEAD'])
  })

  it('refreshes an expired bearer token once on 401', async () => {
    // Prepare: the server expires tokens after 1 s; our clock runs a minute late, so we
    // still believe in the token when the server no longer does
    const bearer = await startFaultRegistry({ auth: 'bearer', tokenExpiresIn: 1 })
    bearer.serve(REPO, image, ['v1'])
    const c = new UndiciRegistryClient({
      dispatcher: agent,
      insecureRegistries: [bearer.host],
      credentials: staticCredentials({ [bearer.host]: { username: bearer.username!, password: bearer.password! } }),
      clock: { now: () => Date.now() - 60_000 },
    })
    const r = { registry: bearer.host, repository: REPO }
    try {
      // Act: two fetches share a token; a third after expiry gets a fresh one
      await c.getManifest(r, 'v1')
      await c.getManifest(r, 'v1')
      const afterTwo = bearer.tokensIssued
      await new Promise((resolve) => setTimeout(resolve, 1100))
      await c.getManifest(r, 'v1')
      // Assess
      expect(afterTwo).toBe(1)
      expect(bearer.tokensIssued).toBe(2)
    } finally {
      await bearer.close()
    }
  })
})

describe('UndiciRegistryClient against real registries (CNCF distribution 2.8)', () => {
  const pushed = new Map<string, string>()
  let agent: Agent

  beforeAll(async () => {
    agent = new Agent()
    const arm = buildImage({ layers: image.layers, format: 'oci', platform: { os: 'linux', architecture: 'arm64', variant: 'v8' } })
    const index = buildIndex({ images: [image, arm], format: 'oci', attestationFor: [image] })
    for (const name of ['registryNoAuth', 'registryHtpasswd', 'registryToken'] as const) {
      const registry = inject(name)
      const { digest } = await pushImage(registry, 'client/multi', index, ['v1'])
      pushed.set(name, digest)
    }
  })

  afterAll(async () => {
    await agent.close()
  })

  it.each(['registryNoAuth', 'registryHtpasswd', 'registryToken'] as const)('reads an index, its manifests and blobs from %s', async (name) => {
    // Prepare
    const registry = inject(name)
    const credentials = 'username' in registry && registry.username ? staticCredentials({ [registry.host]: { username: registry.username, password: registry.password! } }) : undefined
    const c = new UndiciRegistryClient({ dispatcher: agent, insecureRegistries: [registry.host], ...(credentials ? { credentials } : {}) })
    const repo = { registry: registry.host, repository: 'client/multi' }
    // Act
    const root = await c.getManifest(repo, 'v1')
    // Assess
    expect(root.digest).toBe(pushed.get(name))
    expect(root.manifest.kind).toBe('index')
    if (root.manifest.kind !== 'index') return
    const child = await c.getManifest(repo, root.manifest.manifests[0]!.digest)
    expect(child.manifest.kind).toBe('manifest')
    if (child.manifest.kind !== 'manifest') return
    const config = await c.blobBytes(repo, child.manifest.config, 1_000_000)
    expect(JSON.parse(Buffer.from(config).toString('utf8'))).toMatchObject({ rootfs: { type: 'layers' } })
    const layer = await readAll(await c.openBlob(repo, child.manifest.layers[1]!), 10_000_000, () => new Error('too big'))
    expect(layer.length).toBe(bigLayerDescriptor.size)
  })

  it.each(['registryHtpasswd', 'registryToken'] as const)('says UNAUTHORIZED without credentials on %s', async (name) => {
    const registry = inject(name)
    const c = new UndiciRegistryClient({ dispatcher: agent, insecureRegistries: [registry.host] })
    await expect(c.getManifest({ registry: registry.host, repository: 'client/multi' }, 'v1')).rejects.toMatchObject({ code: ErrorCode.Unauthorized, temporary: false })
  })

  it.each(['registryHtpasswd', 'registryToken'] as const)('says UNAUTHORIZED with a wrong password on %s', async (name) => {
    const registry = inject(name)
    const c = new UndiciRegistryClient({
      dispatcher: agent,
      insecureRegistries: [registry.host],
      credentials: staticCredentials({ [registry.host]: { username: registry.username!, password: 'wrong' } }),
    })
    await expect(c.getManifest({ registry: registry.host, repository: 'client/multi' }, 'v1')).rejects.toMatchObject({ code: ErrorCode.Unauthorized })
  })
})
