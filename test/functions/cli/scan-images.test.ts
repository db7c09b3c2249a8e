/**
 * `pushscan scan` end to end against a real CNCF distribution registry: a debootstrap-built
 * Debian 12 image (gzip and zstd), a two-platform index with an attestation, and the same
 * image as docker-archive and oci-archive copies made by skopeo.
 */
import { existsSync } from 'node:fs'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { pushscan } from '../../support/run-pushscan.js'
import type { ImageReport, IndexReport, Report } from '../../../shared/report/model.js'
import { buildImage, buildIndex, buildLayer, opaqueWhiteout, whiteout, type BuiltBlob, type BuiltImage } from '../../support/image-builder.js'
import { debianRootfs, dpkgPackages } from '../../support/debian-rootfs.js'
import { debianGzipLayer, debianZstdLayer, layerBlob } from '../../support/layer-files.js'
import { pushImage } from '../../support/registry-push.js'
import { expectValidReport } from '../../support/report-schema.js'
import { expectValidExport } from '../../support/official-schemas.js'
import type { CycloneDxBom, SarifLog, SpdxDocument } from '../../../shared/report/exporters/index.js'
import { runCommand } from '../../support/run-command.js'

async function scanJson(ref: string, ...extra: string[]): Promise<Report> {
  const result = await pushscan(['scan', ref, '--format', 'json', ...extra])
  expect(result.stderr).toBe('')
  expect(result.code).toBe(0)
  const report = JSON.parse(result.stdout) as Report
  expectValidReport(report)
  return report
}

const HISTORY = [
  { created_by: 'debootstrap --variant=minbase bookworm', created: '2024-01-01T00:00:00Z' },
  { created_by: '/bin/sh -c #(nop)  CMD ["bash"]', created: '2024-01-01T00:00:00Z', empty_layer: true },
  { created_by: 'COPY app/ /app', created: '2024-01-01T00:01:00Z' },
  { created_by: 'RUN rm /etc/motd && install -m 4755 helper /usr/local/bin/helper', created: '2024-01-01T00:02:00Z' },
]

const APP_ENTRIES = [
  { name: 'app/', type: 'directory' as const },
  { name: 'app/server.js', content: 'console.log("hello")\n' },
  { name: 'app/server-link.js', type: 'hardlink' as const, linkname: 'app/server.js' },
  { name: 'app/current', type: 'symlink' as const, linkname: '/app' },
  { name: 'app/cache/a', content: 'cache' },
]

const CHANGE_ENTRIES = [whiteout('etc/motd'), opaqueWhiteout('app/cache'), { name: 'usr/local/bin/helper', content: '#!/bin/sh\n', mode: 0o4755 }]

let registry: ReturnType<typeof inject<'registryNoAuth'>>
let gzipImage: BuiltImage
let work: string
const REPO = 'e2e/debian'

async function debianImage(base: BuiltBlob, compression: 'gzip' | 'zstd'): Promise<BuiltImage> {
  return buildImage({
    format: 'oci',
    layers: [base, await buildLayer(APP_ENTRIES, { compression }), await buildLayer(CHANGE_ENTRIES, { compression })],
    history: HISTORY,
    config: { Env: ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', 'DB_PASSWORD=hunter2-but-longer-than-16'], Cmd: ['bash'], User: 'root', ExposedPorts: { '8080/tcp': {} } },
  })
}

beforeAll(async () => {
  registry = inject('registryNoAuth')
  work = await mkdtemp(join(tmpdir(), 'pushscan-e2e-'))
  gzipImage = await debianImage(await layerBlob(await debianGzipLayer()), 'gzip')
  await pushImage(registry, REPO, gzipImage, ['12'])
  await pushImage(registry, REPO, await debianImage(await layerBlob(await debianZstdLayer()), 'zstd'), ['12-zstd'])
  // skopeo writes the copies from what the registry serves, like a user's `docker save` would
  await runCommand('skopeo', ['copy', '--quiet', '--src-tls-verify=false', `docker://${registry.host}/${REPO}:12`, `docker-archive:${join(work, 'debian.docker.tar')}:${REPO}:12`])
  await runCommand('skopeo', ['copy', '--quiet', '--src-tls-verify=false', `docker://${registry.host}/${REPO}:12`, `oci-archive:${join(work, 'debian.oci.tar')}:12`])
}, 300_000)

afterAll(async () => {
  await rm(work, { recursive: true, force: true })
})

/**
 * What must not depend on where the image was read from. Provenance findings may: an
 * archive has no registry tags where signatures could be found.
 */
function essentials(report: ImageReport) {
  return {
    os: report.image.os,
    configDigest: report.image.configDigest,
    layers: report.image.layers.map(({ diffId, uncompressedSize, files, createdBy }) => ({ diffId, uncompressedSize, files, createdBy })),
    history: report.image.history,
    findings: report.findings.filter((f) => f.category !== 'provenance'),
    efficiency: report.efficiency,
    packages: report.packages,
  }
}

describe('pushscan scan of a debootstrap-built Debian 12 image', () => {
  let gzipReport: ImageReport

  beforeAll(async () => {
    gzipReport = (await scanJson(`${registry.host}/${REPO}:12`, '--insecure-registry', registry.host)) as ImageReport
  })

  it('completes with the OS, the layers and their DiffIDs', () => {
    expect(gzipReport).toMatchObject({ kind: 'image', status: 'complete', subject: { source: 'registry', registry: registry.host, repository: REPO, digest: gzipImage.manifest.digest, tags: ['12'], platform: { os: 'linux', architecture: 'amd64' } } })
    expect(gzipReport.image.os).toMatchObject({ family: 'debian', version: '12', versionCodename: 'bookworm' })
    expect(gzipReport.image.layers.map((l) => l.diffId)).toEqual(gzipImage.layers.map((l) => l.diffId))
    expect(gzipReport.image.layers.map((l) => l.digest)).toEqual(gzipImage.layers.map((l) => l.digest))
    expect(gzipReport.image.layers[0]!.files).toBeGreaterThan(4000)
    expect(gzipReport.image.layers[0]!.uncompressedSize).toBeGreaterThan(100_000_000)
  })

  it('lists exactly the deb packages dpkg-query lists on the root filesystem, name and version, all from the base layer', async () => {
    const expected = await dpkgPackages(await debianRootfs())
    const debs = gzipReport.packages.filter((p) => p.type === 'deb')
    expect(debs.map(({ name, version }) => ({ name, version })).sort((a, b) => (a.name < b.name ? -1 : 1))).toEqual(expected)
    expect(new Set(debs.map((p) => p.layer))).toEqual(new Set([gzipImage.layers[0]!.diffId]))
    const coreutils = debs.find((p) => p.name === 'coreutils')!
    expect(coreutils.purl).toBe(`pkg:deb/debian/coreutils@${coreutils.version.replace('+', '%2B')}?arch=amd64&distro=debian-12`)
    expect(coreutils.files).toContain('/bin/ls')
    expect(coreutils.licenses).toContain('GPL-3+')
    // the image declares no language packages
    expect(gzipReport.packages.filter((p) => p.type !== 'deb')).toEqual([])
    expect(gzipReport.image.os?.endOfLife?.date).toMatch(/^20[0-9]{2}-/)
  })

  it('pairs the history with the layers, skipping the empty_layer entry', () => {
    const diffIds = gzipImage.layers.map((l) => l.diffId)
    expect(gzipReport.image.history.map((h) => ({ createdBy: h.createdBy, emptyLayer: h.emptyLayer, layer: h.layer }))).toEqual([
      { createdBy: HISTORY[0]!.created_by, emptyLayer: false, layer: diffIds[0] },
      { createdBy: HISTORY[1]!.created_by, emptyLayer: true, layer: undefined },
      { createdBy: HISTORY[2]!.created_by, emptyLayer: false, layer: diffIds[1] },
      { createdBy: HISTORY[3]!.created_by, emptyLayer: false, layer: diffIds[2] },
    ])
    expect(gzipReport.image.layers.map((l) => l.createdBy)).toEqual([HISTORY[0]!.created_by, HISTORY[2]!.created_by, HISTORY[3]!.created_by])
    // the layers match their entries; only the config's DB_PASSWORD, set with no ENV entry, is unexplained
    expect(gzipReport.findings.filter((f) => f.category === 'history').map((f) => [f.ruleId, f.severity, f.evidence])).toEqual([
      ['history-config-unexplained', 'low', 'ENV DB_PASSWORD set by no ENV entry'],
    ])
  })

  it('applies whiteouts and opaque directories: deleted files are not reported as present', () => {
    const setuid = gzipReport.findings.filter((f) => f.ruleId === 'fs-setuid-file').map((f) => f.location.path)
    expect(setuid).toContain('/usr/bin/su')
    expect(setuid).toContain('/usr/local/bin/helper')
    const helper = gzipReport.findings.find((f) => f.location.path === '/usr/local/bin/helper')
    expect(helper?.location).toEqual({ layer: gzipImage.layers[2]!.diffId, path: '/usr/local/bin/helper', history: 3 })
    // /app/cache/a was hidden by the opaque marker: 5 bytes written and deleted count as wasted
    expect(gzipReport.efficiency?.wastedBytes).toBeGreaterThan(0)
  })

  it('reports the config with secret-looking values redacted', () => {
    expect(gzipReport.image.config).toMatchObject({ user: 'root', cmd: ['bash'], exposedPorts: ['8080/tcp'] })
    expect(gzipReport.image.config?.env).toContain('DB_PASSWORD=hunt…[redacted, 26 chars]')
    expect(JSON.stringify(gzipReport)).not.toContain('hunter2')
  })

  it('gives the same layers and findings for the zstd copy', async () => {
    const zstd = (await scanJson(`${registry.host}/${REPO}:12-zstd`, '--insecure-registry', registry.host)) as ImageReport
    expect(zstd.status).toBe('complete')
    expect(zstd.image.layers.every((l) => l.mediaType === 'application/vnd.oci.image.layer.v1.tar+zstd')).toBe(true)
    expect(essentials(zstd)).toEqual(essentials(gzipReport))
  })

  it.each([
    ['docker-archive', 'debian.docker.tar'],
    ['oci-archive', 'debian.oci.tar'],
  ])('gives the same layers and findings for the %s copy', async (transport, file) => {
    const local = (await scanJson(`${transport}:${join(work, file)}`)) as ImageReport
    expect(local.status).toBe('complete')
    expect(local.subject.source).toBe(transport)
    expect(essentials(local)).toEqual(essentials(gzipReport))
  })

  it('fills the layer cache in the data directory, and a scan from the cache gives the same report', async () => {
    const env = { PUSHSCAN_DATA_DIR: join(work, 'data') }
    const args = ['scan', `${registry.host}/${REPO}:12`, '--insecure-registry', registry.host]
    const cold = JSON.parse((await pushscan(args, '', env)).stdout) as ImageReport
    for (const layer of gzipImage.layers) {
      const hex = layer.diffId.slice('sha256:'.length)
      expect(existsSync(join(work, 'data', 'store', 'layers', 'sha256', hex, 'walk@1.json'))).toBe(true)
    }
    const warm = JSON.parse((await pushscan(args, '', env)).stdout) as ImageReport
    expect(essentials(warm)).toEqual(essentials(cold))
    expect(essentials(warm)).toEqual(essentials(gzipReport))
  })

  it('writes a valid CycloneDX BOM whose deb components are exactly what dpkg-query lists', async () => {
    const result = await pushscan(['scan', `${registry.host}/${REPO}:12`, '--insecure-registry', registry.host, '--format', 'cyclonedx'])
    expect(result.stderr).toBe('')
    expect(result.code).toBe(0)
    const bom = JSON.parse(result.stdout) as CycloneDxBom
    expectValidExport('cyclonedx', bom)
    expect(bom.metadata.component).toMatchObject({ type: 'container', name: REPO, version: gzipImage.manifest.digest })
    const debs = bom.components.filter((c) => c.purl?.startsWith('pkg:deb/'))
    expect(debs.map((c) => ({ name: c.name, version: c.version })).sort((a, b) => (a.name < b.name ? -1 : 1))).toEqual(await dpkgPackages(await debianRootfs()))
    expect(new Set(debs.map((c) => c.properties?.find((p) => p.name === 'pushscan:layer')?.value))).toEqual(new Set([gzipImage.layers[0]!.diffId]))
    expect(bom.components.find((c) => c.type === 'operating-system')).toMatchObject({ name: 'debian', version: '12' })
    // the report keeps Debian's GPL-3+ (checked above); the BOM carries the SPDX licence it stands for
    expect(bom.components.find((c) => c.name === 'coreutils')!.licenses).toContainEqual({ license: { id: 'GPL-3.0-or-later' } })
  })

  it('writes a valid SPDX document to --output, one package per deb package', async () => {
    const output = join(work, 'debian.spdx.json')
    const result = await pushscan(['scan', `${registry.host}/${REPO}:12`, '--insecure-registry', registry.host, '--format', 'spdx', '--output', output])
    expect(result.code).toBe(0)
    expect(result.stdout).toBe('')
    const doc = JSON.parse(await readFile(output, 'utf8')) as SpdxDocument
    expectValidExport('spdx', doc)
    const expected = await dpkgPackages(await debianRootfs())
    const packages = doc.packages.filter((p) => p.externalRefs?.some((ref) => ref.referenceLocator.startsWith('pkg:deb/')))
    expect(packages).toHaveLength(expected.length)
    expect(packages.find((p) => p.name === 'coreutils')!.versionInfo).toBe(expected.find((p) => p.name === 'coreutils')!.version)
    expect(doc.name).toBe(`${registry.host}/${REPO}@${gzipImage.manifest.digest}`)
  })

  it('writes a valid SARIF log with the setuid helper located at its file and layer', async () => {
    const result = await pushscan(['scan', `${registry.host}/${REPO}:12`, '--insecure-registry', registry.host, '--format', 'sarif'])
    expect(result.code).toBe(0)
    const log = JSON.parse(result.stdout) as SarifLog
    expectValidExport('sarif', log)
    const helper = log.runs[0]!.results.find((r) => r.ruleId === 'fs-setuid-file' && r.locations[0]!.physicalLocation?.artifactLocation.uri === 'usr/local/bin/helper')
    expect(helper).toMatchObject({ level: 'warning', properties: { layer: gzipImage.layers[2]!.diffId, history: 3 } })
    expect(log.runs[0]!.tool.driver.rules.map((r) => r.id)).toContain('fs-setuid-file')
  })

  it('prints a readable table', async () => {
    const result = await pushscan(['scan', `${registry.host}/${REPO}:12`, '--insecure-registry', registry.host, '--format', 'table'])
    expect(result.code).toBe(0)
    expect(result.stdout).toContain('os: Debian GNU/Linux 12 (bookworm)')
    expect(result.stdout).toContain('layers (3):')
    expect(result.stdout).toMatch(/fs-setuid-file\s+\/usr\/local\/bin\/helper layer 2/)
  })
})

describe('pushscan scan of a two-platform index with an attestation', () => {
  let index: ReturnType<typeof buildIndex>

  beforeAll(async () => {
    const amd = buildImage({ format: 'oci', layers: [await buildLayer([{ name: 'bin/tool', content: 'amd64' }], { compression: 'gzip' })] })
    const arm = buildImage({ format: 'oci', platform: { os: 'linux', architecture: 'arm64', variant: 'v8' }, layers: [await buildLayer([{ name: 'bin/tool', content: 'arm64' }], { compression: 'gzip' })] })
    index = buildIndex({ format: 'oci', images: [amd, arm], attestationFor: [amd, arm] })
    await pushImage(registry, 'e2e/multi', index, ['1.0'])
  })

  it('scans every platform and skips the attestation manifests', async () => {
    const report = (await scanJson(`${registry.host}/e2e/multi:1.0`, '--insecure-registry', registry.host)) as IndexReport
    expect(report).toMatchObject({ kind: 'index', status: 'complete', subject: { digest: index.manifest.digest, tags: ['1.0'] } })
    expect(report.manifests.map((m) => m.subject.platform)).toEqual([
      { os: 'linux', architecture: 'amd64' },
      { os: 'linux', architecture: 'arm64', variant: 'v8' },
    ])
    expect(report.manifests.every((m) => m.subject.indexDigest === index.manifest.digest && m.status === 'complete')).toBe(true)
    expect(report.skipped).toEqual(index.attestations.map((a) => ({ digest: a.manifest.digest, platform: { os: 'unknown', architecture: 'unknown' }, reason: 'attestation' })))
  })

  it('exports the index as one CycloneDX BOM with a container component per platform', async () => {
    const result = await pushscan(['scan', `${registry.host}/e2e/multi:1.0`, '--insecure-registry', registry.host, '--format', 'cyclonedx'])
    expect(result.code).toBe(0)
    const bom = JSON.parse(result.stdout) as CycloneDxBom
    expectValidExport('cyclonedx', bom)
    expect(bom.metadata.component).toMatchObject({ type: 'container', version: index.manifest.digest })
    expect(bom.components.map((c) => ({ type: c.type, version: c.version }))).toEqual(index.images.map((image) => ({ type: 'container', version: image.manifest.digest })))
  })

  it('scans only the platform asked for', async () => {
    const report = (await scanJson(`${registry.host}/e2e/multi:1.0`, '--insecure-registry', registry.host, '--platform', 'linux/arm64')) as IndexReport
    expect(report.manifests.map((m) => m.subject.platform?.architecture)).toEqual(['arm64'])
    expect(report.skipped.map((s) => s.reason).sort()).toEqual(['attestation', 'attestation', 'platform-not-selected'])
  })

  it('fails with PLATFORM_NOT_FOUND for a platform the index lacks', async () => {
    const result = await pushscan(['scan', `${registry.host}/e2e/multi:1.0`, '--insecure-registry', registry.host, '--platform', 'linux/s390x'])
    expect(result.code).toBe(2)
    expect(result.stderr).toMatch(/^pushscan: scan failed: PLATFORM_NOT_FOUND: no image for linux\/s390x in the index \(it has: linux\/amd64, linux\/arm64\/v8\)\n$/)
    expectValidReport(JSON.parse(result.stdout))
  })
})

describe('pushscan scan with credentials and exit statuses', () => {
  beforeAll(async () => {
    const image = buildImage({ format: 'docker', layers: [await buildLayer([{ name: 'usr/bin/su', content: 'x', mode: 0o4755 }], { compression: 'gzip' })] })
    await pushImage(inject('registryHtpasswd'), 'e2e/private', image, ['v1'])
    await pushImage(inject('registryToken'), 'e2e/private', image, ['v1'])
  })

  it('reads a password from stdin for an htpasswd registry', async () => {
    const r = inject('registryHtpasswd')
    const result = await pushscan(['scan', `${r.host}/e2e/private:v1`, '--insecure-registry', r.host, '--username', r.username!, '--password-stdin'], `${r.password}\n`)
    expect(result.stderr).toBe('')
    expect(JSON.parse(result.stdout)).toMatchObject({ status: 'complete' })
  })

  it('reads a docker config.json for a token-auth registry', async () => {
    const r = inject('registryToken')
    const auth = join(work, 'auth.json')
    await writeFile(auth, JSON.stringify({ auths: { [`http://${r.host}`]: { auth: Buffer.from(`${r.username}:${r.password}`).toString('base64') } } }))
    const result = await pushscan(['scan', `${r.host}/e2e/private:v1`, '--insecure-registry', r.host, '--registry-auth', auth])
    expect(result.stderr).toBe('')
    expect(JSON.parse(result.stdout)).toMatchObject({ status: 'complete' })
  })

  it('exits 2 with UNAUTHORIZED and one line on stderr without credentials', async () => {
    const r = inject('registryToken')
    const result = await pushscan(['scan', `${r.host}/e2e/private:v1`, '--insecure-registry', r.host])
    expect(result.code).toBe(2)
    expect(result.stderr).toMatch(/^pushscan: scan failed: UNAUTHORIZED: [^\n]+\n$/)
  })

  it.each([
    ['info', 1],
    ['low', 1],
    ['high', 0],
  ])('--fail-on %s exits %i for an image whose worst finding is low', async (severity, code) => {
    const r = inject('registryHtpasswd')
    const result = await pushscan(['scan', `${r.host}/e2e/private:v1`, '--insecure-registry', r.host, '--username', r.username!, '--password-stdin', '--fail-on', severity], r.password!)
    expect(result.code).toBe(code)
  })

  it.each([
    [['scan'], /^pushscan: USAGE: scan takes exactly one image reference/],
    [['scan', 'Bad:Name'], /^pushscan: REFERENCE_INVALID: /],
    [['scan', 'x', '--format', 'xml'], /^pushscan: USAGE: unknown format "xml"/],
    [['scan', 'x', '--fail-on', 'severe'], /^pushscan: USAGE: --fail-on takes one of/],
    [['scan', 'x', '--platform', 'linux'], /^pushscan: PLATFORM_INVALID: /],
    [['scan', 'docker-archive:/nonexistent/file.tar'], /^pushscan: ARCHIVE_NOT_FOUND: /],
    [['frobnicate'], /^pushscan: USAGE: unknown command/],
  ])('refuses %j with a clear message and exit 2', async (args, message) => {
    const result = await pushscan(args)
    expect(result.code).toBe(2)
    expect(result.stderr).toMatch(message)
    expect(result.stdout).toBe('')
  })

  it('runs as the installed `pushscan` command', async () => {
    const bin = new URL('../../../functions/cli/bin.js', import.meta.url).pathname
    const { stdout } = await runCommand(process.execPath, [bin, '--version'])
    expect(stdout.toString()).toMatch(/^pushscan \d+\.\d+\.\d+\n$/)
  })
})
