/**
 * `npm start` end to end: the real CNCF distribution registry sends its notifications to a
 * pushscan process; reports appear and are served over HTTP; the process survives SIGKILL
 * with nothing it accepted lost.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { request } from 'undici'
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest'
import type { Report } from '../../../shared/report/model.js'
import { startFaultRegistry, type FaultRegistry } from '../../support/fault-registry.js'
import { freePort } from '../../support/free-port.js'
import { buildImage, buildIndex, buildLayer, type BuiltImage } from '../../support/image-builder.js'
import { eventually, startPushscan, type PushscanProcess } from '../../support/pushscan-process.js'
import { startRegistry, type RunningRegistry } from '../../support/registry-process.js'
import { pushImage } from '../../support/registry-push.js'
import { expectValidReport } from '../../support/report-schema.js'

const SECRET = 'local-webhook-secret-123456'
const API_KEY = 'local-api-key-1234567890'

const dirs: string[] = []
const processes: PushscanProcess[] = []

async function dataDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'pushscan-local-'))
  dirs.push(dir)
  return dir
}

async function start(env: Record<string, string>, port?: number): Promise<PushscanProcess> {
  const server = await startPushscan({ PUSHSCAN_WEBHOOK_SECRET: SECRET, PUSHSCAN_API_KEY: API_KEY, PUSHSCAN_LOG_LEVEL: 'debug', ...env }, port)
  processes.push(server)
  return server
}

async function get(server: PushscanProcess, path: string): Promise<{ status: number; body: unknown }> {
  const response = await request(`${server.url}${path}`, { headers: { authorization: `Bearer ${API_KEY}` } })
  const text = await response.body.text()
  return { status: response.statusCode, body: text ? JSON.parse(text) : undefined }
}

async function post(server: PushscanProcess, path: string, body: unknown, headers: Record<string, string> = {}): Promise<{ status: number; body: unknown }> {
  const response = await request(`${server.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) })
  return { status: response.statusCode, body: JSON.parse(await response.body.text()) }
}

/** The report for `digest`, once it is there. */
function reportOf(server: PushscanProcess, digest: string, timeoutMs = 15_000): Promise<Report> {
  return eventually(async () => {
    const { status, body } = await get(server, `/reports/${digest}`)
    return status === 200 ? (body as Report) : undefined
  }, timeoutMs, `the report of ${digest}`)
}

function distributionEvent(registry: string, repository: string, digest: string, tag: string, id: string) {
  return {
    events: [
      {
        id,
        timestamp: new Date().toISOString(),
        action: 'push',
        target: { mediaType: 'application/vnd.oci.image.manifest.v1+json', digest, size: 500, length: 500, repository, url: `http://${registry}/v2/${repository}/manifests/${digest}`, tag },
        request: { id: `r-${id}`, addr: '127.0.0.1:1', host: registry, method: 'PUT', useragent: 'test' },
        actor: {},
        source: { addr: 'test:5000', instanceID: 'x' },
      },
    ],
  }
}

async function smallImage(marker: string): Promise<BuiltImage> {
  return buildImage({ format: 'oci', layers: [await buildLayer([{ name: `etc/marker-${marker}`, content: marker }, { name: 'etc/os-release', content: 'ID=alpine\nVERSION_ID=3.20.0\n' }], { compression: 'gzip' })] })
}

afterEach(async () => {
  for (const p of processes.splice(0)) await p.kill('SIGKILL')
})

afterAll(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true })
})

describe('npm start with a registry that sends notifications', () => {
  let registry: RunningRegistry
  let server: PushscanProcess

  beforeAll(async () => {
    const port = await freePort()
    registry = await startRegistry({ auth: 'none', notificationsUrl: `http://127.0.0.1:${port}/webhooks/distribution`, notificationsAuthorization: `Bearer ${SECRET}` })
    // started for the whole describe, so not in `processes` (killed after each test)
    server = await startPushscan(
      { PUSHSCAN_WEBHOOK_SECRET: SECRET, PUSHSCAN_API_KEY: API_KEY, PUSHSCAN_DATA_DIR: await dataDir(), PUSHSCAN_ALLOWED_REGISTRIES: registry.host, PUSHSCAN_INSECURE_REGISTRIES: registry.host },
      port
    )
  })

  afterAll(async () => {
    await server.kill('SIGTERM')
    await registry.stop()
  })

  it('scans a pushed image and serves its report by digest and by tag within seconds', async () => {
    // Act
    const image = await smallImage('push')
    const pushedAt = Date.now()
    const { digest } = await pushImage(registry, 'service/app', image, ['1.0'])
    const report = await reportOf(server, digest)
    const seconds = (Date.now() - pushedAt) / 1000
    // Assess
    expectValidReport(report)
    expect(report).toMatchObject({ kind: 'image', status: 'complete', subject: { registry: registry.host, repository: 'service/app', digest, tags: ['1.0'] } })
    expect(seconds).toBeLessThan(15)
    const byTag = await eventually(async () => {
      const { status, body } = await get(server, `/images/${registry.host}/service/app/tags/1.0`)
      return status === 200 ? (body as { digest: string; report: Report }) : undefined
    })
    expect(byTag).toMatchObject({ digest, report: { subject: { digest } } })
  })

  it('scans a multi-platform push once: the index, with each platform scanned once', async () => {
    const amd = await smallImage('amd64')
    const arm = buildImage({ format: 'oci', platform: { os: 'linux', architecture: 'arm64' }, layers: amd.layers })
    const index = buildIndex({ format: 'oci', images: [amd, arm] })
    const { digest } = await pushImage(registry, 'service/multi', index, ['2.0'])
    const report = await reportOf(server, digest)
    expect(report).toMatchObject({ kind: 'index', status: 'complete' })
    // the registry also sent one event per platform manifest, queued with a delay: when
    // they come up, the platform reports made for the index are current and are reused
    const children = index.images.map((i) => i.manifest.digest)
    await eventually(
      async () => (children.every((child) => server.logs.some((l) => l.message === 'report is current; not scanned again' && l.digest === child)) ? true : undefined),
      20_000,
      'the delayed child-manifest events'
    )
    const scans = server.logs.filter((l) => l.message === 'scanned' && l.repository === 'service/multi')
    expect(scans.map((l) => l.digest)).toEqual([digest])
  }, 30_000)

  it('scans duplicate deliveries of the same push once', async () => {
    const image = await smallImage('dup')
    const { digest } = await pushImage(registry, 'service/dup', image, ['1'])
    const event = distributionEvent(registry.host, 'service/dup', digest, '1', 'dup-event')
    for (let i = 0; i < 3; i++) {
      expect((await post(server, '/webhooks/distribution', event, { authorization: `Bearer ${SECRET}` })).status).toBe(202)
    }
    await reportOf(server, digest)
    await new Promise((resolve) => setTimeout(resolve, 1500))
    expect(server.logs.filter((l) => l.message === 'scanned' && l.digest === digest)).toHaveLength(1)
  })

  it('keeps where a tag has been, and flags a move to an image with another base', async () => {
    // Prepare: v1 on one base; then the tag moves to an image on another base
    const first = await smallImage('tag-first')
    const { digest: before } = await pushImage(registry, 'service/moving', first, ['stable'])
    await reportOf(server, before)
    const other = buildImage({ format: 'oci', layers: [await buildLayer([{ name: 'etc/os-release', content: 'ID=debian\nVERSION_ID=12\n' }], { compression: 'gzip' }), ...first.layers] })
    // Act
    const { digest: after } = await pushImage(registry, 'service/moving', other, ['stable'])
    const report = (await reportOf(server, after)) as Report & { kind: 'image' }
    // Assess
    expect(report.provenance.previous).toEqual({ tag: 'stable', digest: before, kept: 1, added: 1, removed: 0, baseChanged: true })
    expect(report.findings).toContainEqual(expect.objectContaining({ ruleId: 'provenance-tag-moved-base-changed', severity: 'medium' }))
    const byTag = (await get(server, '/images/' + registry.host + '/service/moving/tags/stable')).body as { history: Array<{ digest: string }> }
    expect(byTag.history.map((h) => h.digest)).toEqual([after, before])
  })

  it('refuses a webhook with the wrong secret, and one naming a registry not allowed', async () => {
    const event = distributionEvent(registry.host, 'service/x', `sha256:${'c'.repeat(64)}`, 'v', 'bad')
    expect((await post(server, '/webhooks/distribution', event, { authorization: 'Bearer wrong' })).status).toBe(401)
    const elsewhere = distributionEvent('10.1.2.3:5000', 'service/x', `sha256:${'c'.repeat(64)}`, 'v', 'elsewhere')
    expect((await post(server, '/webhooks/distribution', elsewhere, { authorization: `Bearer ${SECRET}` })).status).toBe(403)
  })
})

describe('npm start with a Docker Hub-shaped webhook', () => {
  it('resolves the tag to its digest and scans it (Docker Hub read through a mirror)', async () => {
    // Prepare: "docker.io" is served by a local registry configured as its mirror
    const mirror = inject('registryNoAuth')
    const image = await smallImage('hub')
    const { digest } = await pushImage(mirror, 'acme/hub-app', image, ['3.1'])
    const server = await start({
      PUSHSCAN_DATA_DIR: await dataDir(),
      PUSHSCAN_ALLOWED_REGISTRIES: 'docker.io',
      PUSHSCAN_REGISTRY_MIRRORS: `docker.io=${mirror.url}`,
    })
    // Act
    const hook = { callback_url: 'https://registry.hub.docker.com/u/acme/hub-app/hook/x/', push_data: { pushed_at: 1732870000, pusher: 'acme', tag: '3.1' }, repository: { repo_name: 'acme/hub-app', namespace: 'acme', name: 'hub-app' } }
    const answer = await post(server, `/webhooks/dockerhub/${SECRET}`, hook)
    // Assess
    expect(answer.status).toBe(202)
    const report = await reportOf(server, digest)
    expect(report).toMatchObject({ status: 'complete', subject: { registry: 'docker.io', repository: 'acme/hub-app', digest, tags: ['3.1'] } })
  })
})

describe('npm start across crashes', () => {
  let faulty: FaultRegistry

  afterEach(async () => {
    await faulty?.close()
  })

  it('finishes a scan that was in flight when the process was killed', async () => {
    // Prepare: the first download of the layer hangs, so the scan is caught mid-way
    faulty = await startFaultRegistry()
    const image = await smallImage('crash')
    faulty.serve('crash/app', image, ['v1'])
    const layer = image.layers[0]!.digest
    faulty.inject({ match: { path: `/blobs/${layer}` }, fault: { hang: true } })
    const env = { PUSHSCAN_DATA_DIR: await dataDir(), PUSHSCAN_ALLOWED_REGISTRIES: faulty.host, PUSHSCAN_INSECURE_REGISTRIES: faulty.host }
    const first = await start(env)
    const event = distributionEvent(faulty.host, 'crash/app', image.manifest.digest, 'v1', 'crash-1')
    expect((await post(first, '/webhooks/distribution', event, { authorization: `Bearer ${SECRET}` })).status).toBe(202)
    await eventually(async () => (faulty.requests.some((r) => r.path.endsWith(layer)) ? true : undefined), 10_000, 'the layer download to start')
    // Act: kill -9 mid-scan, then start again on the same data
    await first.kill('SIGKILL')
    const second = await start(env)
    // Assess
    const report = await reportOf(second, image.manifest.digest)
    expect(report).toMatchObject({ status: 'complete', subject: { digest: image.manifest.digest } })
  })

  it('loses no accepted webhook when killed with work queued, and scans each after a restart', async () => {
    // Prepare: twenty images, and a server that accepts a webhook for each
    const registry = inject('registryNoAuth')
    const digests: string[] = []
    for (let i = 0; i < 20; i++) digests.push((await pushImage(registry, `crash/many-${i}`, await smallImage(`many-${i}`), ['v1'])).digest)
    const env = { PUSHSCAN_DATA_DIR: await dataDir(), PUSHSCAN_ALLOWED_REGISTRIES: registry.host, PUSHSCAN_INSECURE_REGISTRIES: registry.host }
    const first = await start(env)
    // Act: every webhook answered 202, then kill -9 at once
    let accepted = 0
    for (const [i, digest] of digests.entries()) {
      const event = distributionEvent(registry.host, `crash/many-${i}`, digest, 'v1', `many-${i}`)
      if ((await post(first, '/webhooks/distribution', event, { authorization: `Bearer ${SECRET}` })).status === 202) accepted++
    }
    await first.kill('SIGKILL')
    const scannedBeforeKill = first.logs.filter((l) => l.message === 'scanned').length
    const second = await start(env)
    // Assess: every accepted webhook has its report
    expect(accepted).toBe(20)
    const reports = await Promise.all(digests.map((digest) => reportOf(second, digest, 30_000)))
    expect(reports.filter((r) => r.status === 'complete')).toHaveLength(20)
    expect(scannedBeforeKill).toBeLessThan(20)
  })

  it('finishes in-flight work on SIGTERM and exits 0', async () => {
    const registry = inject('registryNoAuth')
    const { digest } = await pushImage(registry, 'crash/term', await smallImage('term'), ['v1'])
    const server = await start({ PUSHSCAN_DATA_DIR: await dataDir(), PUSHSCAN_ALLOWED_REGISTRIES: registry.host, PUSHSCAN_INSECURE_REGISTRIES: registry.host })
    await post(server, '/webhooks/distribution', distributionEvent(registry.host, 'crash/term', digest, 'v1', 'term'), { authorization: `Bearer ${SECRET}` })
    await reportOf(server, digest)
    expect(await server.kill('SIGTERM')).toBe(0)
    expect(server.logs.map((l) => l.message)).toContain('stopped')
  })
})

describe('npm start configuration', () => {
  it.each([
    [{ PUSHSCAN_PORT: 'eighty' }, /PUSHSCAN_PORT: must be a whole number/],
    [{ PUSHSCAN_ALLOWED_REGISTRIES: 'bad host!' }, /PUSHSCAN_ALLOWED_REGISTRIES: invalid registry host/],
    [{ PUSHSCAN_API_KEY: 'short' }, /PUSHSCAN_API_KEY: must be at least 16 characters/],
    [{ PUSHSCAN_REGISTRY_MIRRORS: 'docker.io' }, /PUSHSCAN_REGISTRY_MIRRORS: /],
  ])('refuses %j at start with a message naming the variable', async (env, message) => {
    await expect(startPushscan({ PUSHSCAN_DATA_DIR: await dataDir(), ...env }, 1)).rejects.toThrow(message)
  })

  it('starts with embedded defaults: secrets generated once and kept in the data directory', async () => {
    const dir = await dataDir()
    const first = await startPushscan({ PUSHSCAN_DATA_DIR: dir, PUSHSCAN_WEBHOOK_SECRET: '', PUSHSCAN_API_KEY: '' })
    processes.push(first)
    const secrets = JSON.parse(await readFile(join(dir, 'secrets.json'), 'utf8')) as { apiKey: string }
    const health = await request(`${first.url}/healthz`)
    expect(await health.body.json()).toEqual({ status: 'ok' })
    const unauthorised = await request(`${first.url}/reports/sha256:${'a'.repeat(64)}`)
    await unauthorised.body.dump()
    expect(unauthorised.statusCode).toBe(401)
    const authorised = await request(`${first.url}/reports/sha256:${'a'.repeat(64)}`, { headers: { authorization: `Bearer ${secrets.apiKey}` } })
    await authorised.body.dump()
    expect(authorised.statusCode).toBe(404)
  })
})

