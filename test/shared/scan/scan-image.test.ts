import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { Agent } from 'undici'
import { createAnalyzerSet } from '../../../shared/analyzers/index.js'
import { ErrorCode } from '../../../shared/errors.js'
import { MediaType } from '../../../shared/image/media-types.js'
import { parseReference } from '../../../shared/image/reference.js'
import { DEFAULT_LIMITS, type ScanLimits } from '../../../shared/layers/limits.js'
import { fixedClock } from '../../../shared/ports/clock.js'
import { silentLogger } from '../../../shared/ports/logger.js'
import type { ImageReport, IndexReport } from '../../../shared/report/model.js'
import { serialiseReport } from '../../../shared/report/serialise.js'
import { registryImageSource } from '../../../shared/registry/registry-source.js'
import { UndiciRegistryClient } from '../../../shared/registry/undici-registry-client.js'
import { scanImage, type ScanDeps } from '../../../shared/scan/scan-image.js'
import { startFaultRegistry, type FaultRegistry } from '../../support/fault-registry.js'
import { buildImage, buildIndex, buildLayer, type BuiltBlob, type BuiltImage } from '../../support/image-builder.js'
import { expectValidReport } from '../../support/report-schema.js'
import { ALNUM, fake } from '../analyzers/secrets/fakes.js'

let registry: FaultRegistry
let agent: Agent
let base: BuiltBlob
let top: BuiltBlob

beforeAll(async () => {
  base = await buildLayer(
    [
      { name: 'etc/', type: 'directory' },
      { name: 'usr/lib/os-release', content: 'ID=alpine\nVERSION_ID=3.20.3\nPRETTY_NAME="Alpine Linux v3.20"\n' },
      { name: 'etc/os-release', type: 'symlink', linkname: '../usr/lib/os-release' },
      { name: 'bin/busybox', content: 'x'.repeat(3000), mode: 0o755 },
    ],
    { compression: 'gzip' }
  )
  top = await buildLayer([{ name: 'app/run', content: '#!/bin/sh\n', mode: 0o755 }], { compression: 'gzip' })
})

beforeEach(async () => {
  registry = await startFaultRegistry()
  agent = new Agent()
})

afterEach(async () => {
  await agent.close()
  await registry.close()
})

function deps(overrides: Partial<ScanLimits> = {}): ScanDeps {
  return {
    analyzers: createAnalyzerSet(),
    limits: { ...DEFAULT_LIMITS, ...overrides },
    clock: fixedClock('2026-11-29T00:00:00Z'),
    logger: silentLogger,
    scanner: { name: 'pushscan', version: '0.0.0-test' },
  }
}

function scan(reference: string, options: Parameters<typeof scanImage>[1] = {}, limits: Partial<ScanLimits> = {}) {
  const client = new UndiciRegistryClient({ dispatcher: agent, insecureRegistries: [registry.host], sleep: async () => {}, retry: { attempts: 3 } })
  return scanImage(registryImageSource(client, parseReference(`${registry.host}/${reference}`)), options, deps(limits))
}

function serve(image: BuiltImage, tag = 'v1'): void {
  registry.serve('scan/app', image, [tag])
}

describe('scanImage', () => {
  it('reports the OS through the os-release symlink, and is byte-for-byte deterministic', async () => {
    serve(buildImage({ format: 'oci', layers: [base, top] }))
    const first = await scan('scan/app:v1')
    const second = await scan('scan/app:v1')
    expectValidReport(first)
    expect((first as ImageReport).image.os).toEqual({ family: 'alpine', version: '3.20.3', name: 'Alpine Linux v3.20', endOfLife: { date: '2026-04-01', reached: true } })
    expect(serialiseReport(second)).toBe(serialiseReport(first))
  })

  it('reports a secret in a file a later layer deleted, in the layer that holds it, naming the layer that deleted it', async () => {
    const token = 'gh' + 'p_' + fake(ALNUM, 36, 4242)
    const planted = await buildLayer([{ name: 'srv/app/.env', content: `GITHUB_TOKEN=${token}\n` }, { name: 'srv/app/kept.env', content: `TOKEN=${token}\n` }], { compression: 'gzip' })
    const cleanup = await buildLayer([{ name: 'srv/app/.wh..env', content: '' }], { compression: 'gzip' })
    serve(buildImage({ format: 'oci', layers: [base, planted, cleanup] }))
    const report = (await scan('scan/app:v1')) as ImageReport
    expectValidReport(report)
    const secrets = report.findings.filter((f) => f.category === 'secret').map((f) => f.location)
    expect(secrets).toContainEqual({ layer: planted.diffId, history: 1, path: '/srv/app/.env', line: 1, removedIn: cleanup.diffId })
    // the file still in sight says nothing of removal
    expect(secrets).toContainEqual({ layer: planted.diffId, history: 1, path: '/srv/app/kept.env', line: 1 })
  })

  it('flags layers that no history entry explains', async () => {
    // the history explains only the first layer: the second was appended afterwards
    serve(buildImage({ format: 'docker', layers: [base, top], history: [{ created_by: 'ADD rootfs.tar /' }] }))
    const report = (await scan('scan/app:v1')) as ImageReport
    expectValidReport(report)
    expect(report.findings).toContainEqual(
      expect.objectContaining({ ruleId: 'history-layer-count-mismatch', severity: 'high', location: { layer: top.diffId }, evidence: '2 layers, 1 non-empty history entries' })
    )
    expect(report.image.layers.map((l) => l.createdBy)).toEqual(['ADD rootfs.tar /', null])
  })

  it.each([
    ['a layer whose bytes were damaged in transit', { corruptBody: true } as const, ErrorCode.BlobDigestMismatch],
    ['a layer that is longer than its descriptor says', { extraBytes: 10 } as const, ErrorCode.BlobSizeMismatch],
  ])('writes a failed report for %s', async (_name, fault, code) => {
    serve(buildImage({ format: 'oci', layers: [base, top] }))
    registry.inject({ match: { path: `/blobs/${base.digest}` }, fault })
    const report = (await scan('scan/app:v1')) as ImageReport
    expectValidReport(report)
    expect(report).toMatchObject({ status: 'failed', error: { code } })
  })

  it('writes a failed report when the config names other DiffIDs than the layers have', async () => {
    serve(buildImage({ format: 'oci', layers: [base, top], configFields: { rootfs: { type: 'layers', diff_ids: [base.diffId, base.diffId] } } }))
    const report = (await scan('scan/app:v1')) as ImageReport
    expect(report).toMatchObject({ status: 'failed', error: { code: ErrorCode.DiffIdMismatch } })
  })

  it('writes a failed report when manifest and config disagree on the number of layers', async () => {
    serve(buildImage({ format: 'oci', layers: [base, top], configFields: { rootfs: { type: 'layers', diff_ids: [base.diffId] } } }))
    const report = (await scan('scan/app:v1')) as ImageReport
    expect(report).toMatchObject({ status: 'failed', error: { code: ErrorCode.ManifestInvalid } })
  })

  it.each([
    ['maxLayers', { maxLayers: 1 }, ErrorCode.TooManyLayers],
    ['maxImageBytes', { maxImageBytes: 4096 }, ErrorCode.ImageTooLarge],
    ['maxConfigBytes', { maxConfigBytes: 10 }, ErrorCode.ConfigTooLarge],
  ])('fails with a coded error past %s', async (_name, limits, code) => {
    serve(buildImage({ format: 'oci', layers: [base, top] }))
    const report = await scan('scan/app:v1', {}, limits)
    expectValidReport(report)
    expect(report).toMatchObject({ status: 'failed', error: { code } })
  })

  it('throws temporary errors instead of writing a report, so the queue retries', async () => {
    serve(buildImage({ format: 'oci', layers: [base, top] }))
    registry.inject({ match: { path: `/blobs/${top.digest}` }, times: Infinity, fault: { status: 503 } })
    await expect(scan('scan/app:v1')).rejects.toMatchObject({ code: ErrorCode.RegistryUnavailable, temporary: true })
  })

  it('looks up signatures and attestations while the config is still being fetched, and lets them finish before it returns', async () => {
    const image = buildImage({ format: 'oci', layers: [base, top] })
    serve(image)
    registry.inject({ match: { path: `/blobs/${image.config.digest}` }, times: Infinity, fault: { status: 503 } })
    await expect(scan('scan/app:v1')).rejects.toMatchObject({ code: ErrorCode.RegistryUnavailable, temporary: true })
    const seen = registry.requests.map((r) => `${r.method} ${r.path}`)
    const configTries = seen.flatMap((line, i) => (line.endsWith(image.config.digest) ? [i] : []))
    const hex = image.manifest.digest.slice('sha256:'.length)
    const lookups = seen.flatMap((line, i) => (line.includes(`sha256-${hex}`) || line.includes('/referrers/') ? [i] : []))
    expect(configTries).toHaveLength(3)
    // the cosign .sig/.att/.sbom tags and the referrers API, asked before the config's last try
    expect(seen.filter((line) => /\.(?:sig|att|sbom)$/.test(line))).toHaveLength(3)
    expect(lookups.length).toBeGreaterThanOrEqual(4)
    expect(Math.min(...lookups)).toBeLessThan(Math.max(...configTries))
    // all of them were answered before the scan gave up: nothing is left running
    const before = registry.requests.length
    await new Promise((resolve) => setTimeout(resolve, 50))
    expect(registry.requests.length).toBe(before)
  })

  it('writes a failed report for a tag that does not exist', async () => {
    const report = await scan('scan/app:nope')
    expectValidReport(report)
    expect(report).toMatchObject({ kind: 'image', status: 'failed', error: { code: ErrorCode.ManifestUnknown }, subject: { digest: '' } })
  })

  it('refuses something that is not a container image', async () => {
    const config = registry.serveBlob('scan/app', Buffer.from('{}'))
    const manifest = Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: MediaType.OciManifest,
        config: { mediaType: 'application/vnd.cncf.helm.config.v1+json', digest: config, size: 2 },
        layers: [],
      })
    )
    registry.serveManifest('scan/app', { mediaType: MediaType.OciManifest, bytes: manifest }, ['chart'])
    expect(await scan('scan/app:chart')).toMatchObject({ status: 'failed', error: { code: ErrorCode.ManifestUnsupported } })
    // no signature lookups for what is not an image
    expect(registry.requests.filter((r) => /\.sig$|\/referrers\//.test(r.path))).toEqual([])
  })

  it('flattens a nested index and marks the index failed when one platform fails', async () => {
    const amd = buildImage({ format: 'oci', layers: [base] })
    const arm = buildImage({ format: 'oci', layers: [top], platform: { os: 'linux', architecture: 'arm64' }, configFields: { rootfs: { type: 'layers', diff_ids: [base.diffId] } } })
    const inner = buildIndex({ format: 'oci', images: [arm] })
    registry.serve('scan/app', inner, ['inner'])
    const outer = buildIndex({ format: 'oci', images: [amd] })
    // add the inner index as a child of the outer one
    const outerJson = { ...outer.manifest.json, manifests: [...(outer.manifest.json.manifests as object[]), { mediaType: MediaType.OciIndex, digest: inner.manifest.digest, size: inner.manifest.size }] }
    registry.serve('scan/app', outer, [])
    registry.serveManifest('scan/app', { mediaType: MediaType.OciIndex, bytes: Buffer.from(JSON.stringify(outerJson)) }, ['nested'])
    const report = (await scan('scan/app:nested')) as IndexReport
    expectValidReport(report)
    expect(report.manifests.map((m) => [m.subject.platform?.architecture, m.status])).toEqual([
      ['amd64', 'complete'],
      ['arm64', 'failed'],
    ])
    expect(report).toMatchObject({ status: 'failed', error: { code: ErrorCode.DiffIdMismatch } })
    expect(report.summary).toEqual(report.manifests[0]!.summary)
  })
})
