/**
 * Cross-check with a peer: snyk-docker-plugin (installed on first use into test/.cache/peers)
 * and pushscan read the same `docker-archive:` files, made by skopeo from images pushed to
 * the real registry; both must find the same OS packages, name and version. pushscan also
 * says which layer brought each package, which the peer does not: that is checked against
 * how the images were built.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import type { ImageReport } from '../../shared/report/model.js'
import { debianRootfs } from '../support/debian-rootfs.js'
import { buildImage, buildLayer, type BuiltBlob, type BuiltImage } from '../support/image-builder.js'
import { debianGzipLayer, layerBlob } from '../support/layer-files.js'
import { snykInventory, type PeerPackage } from '../support/peer-snyk.js'
import { pushImage } from '../support/registry-push.js'
import { expectValidReport } from '../support/report-schema.js'
import { runCommand } from '../support/run-command.js'
import { pushscan } from '../support/run-pushscan.js'

const GZIP = { compression: 'gzip' } as const
let registry: ReturnType<typeof inject<'registryNoAuth'>>
let work: string

/** Pushes the image, then has skopeo write the docker-archive a user's `docker save` would. */
async function archiveOf(image: BuiltImage, repository: string): Promise<string> {
  await pushImage(registry, repository, image, ['1'])
  const path = join(work, `${repository.replace(/\//g, '-')}.tar`)
  await runCommand('skopeo', ['copy', '--quiet', '--src-tls-verify=false', `docker://${registry.host}/${repository}:1`, `docker-archive:${path}:${repository}:1`])
  return path
}

async function pushscanReport(archive: string): Promise<ImageReport> {
  const result = await pushscan(['scan', `docker-archive:${archive}`, '--no-cache'])
  expect(result.code).toBe(0)
  const report = JSON.parse(result.stdout) as ImageReport
  expectValidReport(report)
  return report
}

function keys(packages: ReadonlyArray<{ name: string; version: string }>): string[] {
  return packages.map((p) => `${p.name}@${p.version}`).sort()
}

/** snyk names Debian packages `<source>/<binary>` when they differ: the binary name is what dpkg lists. */
function peerKeys(packages: PeerPackage[], type: string): string[] {
  return keys(packages.filter((p) => p.type === type).map((p) => ({ name: p.name.slice(p.name.lastIndexOf('/') + 1), version: p.version })))
}

beforeAll(async () => {
  registry = inject('registryNoAuth')
  work = await mkdtemp(join(tmpdir(), 'pushscan-peer-'))
}, 300_000)

afterAll(async () => {
  await rm(work, { recursive: true, force: true })
})

describe('a debootstrap-built Debian 12 image with a package added and one removed in a later layer', () => {
  let base: BuiltBlob
  let change: BuiltBlob
  let archive: string
  let removed: string

  beforeAll(async () => {
    base = await layerBlob(await debianGzipLayer())
    // the second layer rewrites dpkg's status as `dpkg -r` and `dpkg -i` would: one stanza gone, one added
    const status = await readFile(join(await debianRootfs(), 'var/lib/dpkg/status'), 'utf8')
    const stanzas = status.split(/\n\n(?=Package: )/)
    const victim = stanzas.findIndex((s) => s.startsWith('Package: hostname\n'))
    expect(victim).toBeGreaterThan(-1)
    removed = 'hostname'
    stanzas.splice(victim, 1)
    stanzas.push(
      'Package: hello\nStatus: install ok installed\nPriority: optional\nSection: devel\nInstalled-Size: 280\nMaintainer: Santiago Vila <sanvila@debian.org>\nArchitecture: amd64\nVersion: 2.10-3\nDepends: libc6 (>= 2.34)\nDescription: example package based on GNU hello\n The GNU hello program produces a familiar, friendly greeting.\n'
    )
    change = await buildLayer(
      [
        { name: 'var/lib/dpkg/status', content: stanzas.join('\n\n').replace(/\n*$/, '\n') },
        { name: 'var/lib/dpkg/info/hello.list', content: '/.\n/usr\n/usr/bin\n/usr/bin/hello\n' },
        { name: 'usr/bin/hello', content: 'not really hello\n', mode: 0o755 },
      ],
      GZIP
    )
    archive = await archiveOf(
      buildImage({ format: 'docker', layers: [base, change], history: [{ created_by: 'debootstrap --variant=minbase bookworm' }, { created_by: 'RUN dpkg -r hostname && dpkg -i hello_2.10-3_amd64.deb' }] }),
      'peer/debian'
    )
  }, 300_000)

  it('pushscan and snyk-docker-plugin list the same deb packages', async () => {
    const [ours, theirs] = await Promise.all([pushscanReport(archive), snykInventory(`docker-archive:${archive}`)])
    const debs = ours.packages.filter((p) => p.type === 'deb')
    expect(debs.length).toBeGreaterThan(80)
    expect(keys(debs)).toEqual(peerKeys(theirs, 'deb'))
    expect(keys(debs)).toContain('hello@2.10-3')
    expect(debs.map((p) => p.name)).not.toContain(removed)
  }, 120_000)

  it('attributes the added package to the layer that added it, and every other to the base', async () => {
    const report = await pushscanReport(archive)
    const byLayer = new Map<string, string[]>()
    for (const p of report.packages) byLayer.set(p.layer, [...(byLayer.get(p.layer) ?? []), p.name])
    expect(byLayer.get(change.diffId)).toEqual(['hello'])
    expect(byLayer.get(base.diffId)?.length).toBe(report.packages.length - 1)
  }, 120_000)
})

/** An Alpine package database as apk writes it (`lib/apk/db/installed`), for three packages. */
function apkDb(packages: Array<{ name: string; version: string; origin: string; license: string; files: Record<string, string[]> }>): string {
  return packages
    .map((p) =>
      [
        'C:Q1' + Buffer.from(`${p.name}-${p.version}`).toString('base64').slice(0, 27) + '=',
        `P:${p.name}`,
        `V:${p.version}`,
        'A:x86_64',
        'S:100000',
        'I:200000',
        `T:${p.name} for tests`,
        'U:https://alpinelinux.org',
        `L:${p.license}`,
        `o:${p.origin}`,
        'm:Test <test@example.org>',
        't:1700000000',
        'c:0123456789abcdef0123456789abcdef01234567',
        ...Object.entries(p.files).flatMap(([dir, files]) => [`F:${dir}`, ...files.flatMap((f) => [`R:${f}`, 'a:0:0:755', 'Z:Q1AAAAAAAAAAAAAAAAAAAAAAAAAAA='])]),
        '',
      ].join('\n')
    )
    .join('\n')
}

describe('an Alpine 3.20 image whose second layer upgrades one package and adds another', () => {
  const musl = { name: 'musl', version: '1.2.5-r0', origin: 'musl', license: 'MIT', files: { lib: ['ld-musl-x86_64.so.1'] } }
  const busybox = { name: 'busybox', version: '1.36.1-r28', origin: 'busybox', license: 'GPL-2.0-only', files: { bin: ['busybox'] } }
  const ssl = { name: 'ssl_client', version: '1.36.1-r28', origin: 'busybox', license: 'GPL-2.0-only', files: { usr: [], 'usr/bin': ['ssl_client'] } }
  let base: BuiltBlob
  let change: BuiltBlob
  let archive: string

  beforeAll(async () => {
    base = await buildLayer(
      [
        { name: 'etc/os-release', content: 'NAME="Alpine Linux"\nID=alpine\nVERSION_ID=3.20.3\nPRETTY_NAME="Alpine Linux v3.20"\n' },
        { name: 'etc/alpine-release', content: '3.20.3\n' },
        { name: 'lib/apk/db/installed', content: apkDb([musl, busybox, ssl]) },
        { name: 'lib/ld-musl-x86_64.so.1', content: 'musl', mode: 0o755 },
        { name: 'bin/busybox', content: 'busybox', mode: 0o755 },
        { name: 'usr/bin/ssl_client', content: 'ssl', mode: 0o755 },
      ],
      GZIP
    )
    const zlib = { name: 'zlib', version: '1.3.1-r1', origin: 'zlib', license: 'Zlib', files: { lib: ['libz.so.1.3.1'] } }
    change = await buildLayer(
      [
        { name: 'lib/apk/db/installed', content: apkDb([musl, { ...busybox, version: '1.36.1-r29' }, { ...ssl, version: '1.36.1-r29' }, zlib]) },
        { name: 'bin/busybox', content: 'busybox r29', mode: 0o755 },
        { name: 'lib/libz.so.1.3.1', content: 'zlib', mode: 0o755 },
      ],
      GZIP
    )
    archive = await archiveOf(buildImage({ format: 'docker', layers: [base, change], history: [{ created_by: 'ADD alpine-minirootfs.tar.gz /' }, { created_by: 'RUN apk upgrade && apk add zlib' }] }), 'peer/alpine')
  }, 300_000)

  it('pushscan and snyk-docker-plugin list the same apk packages', async () => {
    const [ours, theirs] = await Promise.all([pushscanReport(archive), snykInventory(`docker-archive:${archive}`)])
    expect(keys(ours.packages)).toEqual(['busybox@1.36.1-r29', 'musl@1.2.5-r0', 'ssl_client@1.36.1-r29', 'zlib@1.3.1-r1'])
    expect(keys(ours.packages)).toEqual(peerKeys(theirs, 'apk'))
  }, 120_000)

  it('attributes upgrades and additions to the second layer, the unchanged package to the first', async () => {
    const report = await pushscanReport(archive)
    expect(Object.fromEntries(report.packages.map((p) => [p.name, p.layer]))).toEqual({
      busybox: change.diffId,
      musl: base.diffId,
      ssl_client: change.diffId,
      zlib: change.diffId,
    })
    expect(report.packages.find((p) => p.name === 'ssl_client')).toMatchObject({
      purl: 'pkg:apk/alpine/ssl_client@1.36.1-r29?arch=x86_64&distro=alpine-3.20.3&upstream=busybox',
      source: 'busybox',
      licenses: ['GPL-2.0-only'],
      files: ['/usr/bin/ssl_client'],
    })
  }, 120_000)
})
