/**
 * The package inventory of images built in the test: packages added, upgraded, removed and
 * reinstalled across layers, served by an in-process registry and scanned for real.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Agent } from 'undici'
import type { ImageAnalyzer } from '../../../shared/analyzers/analyzer.js'
import { builtinAnalyzers, createAnalyzerSet } from '../../../shared/analyzers/index.js'
import { parseReference } from '../../../shared/image/reference.js'
import { DEFAULT_LIMITS } from '../../../shared/layers/limits.js'
import { fixedClock } from '../../../shared/ports/clock.js'
import { silentLogger } from '../../../shared/ports/logger.js'
import { sourceRpmName } from '../../../shared/packages/inventory.js'
import type { ImageReport, Package } from '../../../shared/report/model.js'
import { registryImageSource } from '../../../shared/registry/registry-source.js'
import { UndiciRegistryClient } from '../../../shared/registry/undici-registry-client.js'
import { scanImage } from '../../../shared/scan/scan-image.js'
import { startFaultRegistry, type FaultRegistry } from '../../support/fault-registry.js'
import { buildImage, buildLayer, whiteout, type BuiltBlob } from '../../support/image-builder.js'
import { expectValidReport } from '../../support/report-schema.js'

interface Stanza {
  name: string
  version: string
  arch?: string
  source?: string
  multiArch?: string
}

/** A dpkg status file, as dpkg writes it. */
function status(stanzas: Stanza[]): string {
  return stanzas
    .map((s) =>
      [
        `Package: ${s.name}`,
        'Status: install ok installed',
        'Priority: optional',
        'Section: libs',
        'Installed-Size: 120',
        'Maintainer: Test Maintainers <test@example.org>',
        `Architecture: ${s.arch ?? 'amd64'}`,
        ...(s.multiArch ? [`Multi-Arch: ${s.multiArch}`] : []),
        ...(s.source ? [`Source: ${s.source}`] : []),
        `Version: ${s.version}`,
        'Description: a package for tests',
        ' It spans two lines, as descriptions do.',
        '',
      ].join('\n')
    )
    .join('\n')
}

const OS_RELEASE = 'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nNAME="Debian GNU/Linux"\nVERSION_ID="12"\nVERSION_CODENAME=bookworm\nID=debian\n'
const COPYRIGHT = 'Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/\n\nFiles: *\nCopyright: 2024 Someone\nLicense: GPL-2+\n'
const LEFT_PAD = JSON.stringify({ name: 'left-pad', version: '1.3.0', license: 'WTFPL' })
const PY_METADATA = 'Metadata-Version: 2.1\nName: requests\nVersion: 2.31.0\nLicense: Apache 2.0\n\nbody\n'

const GZIP = { compression: 'gzip' } as const
let registry: FaultRegistry
let agent: Agent
const layers: BuiltBlob[] = []
let report: ImageReport
const owned = new Map<string, boolean>()

/** A consumer of the package view, as the malware rules are: asks which files a package owns. */
const ownershipProbe: ImageAnalyzer = {
  kind: 'image',
  id: 'ownership-probe',
  version: 1,
  analyze(input) {
    for (const path of ['/usr/bin/hello', '/bin/hello', '/usr/lib/x86_64-linux-gnu/libc.so.6', '/lib/x86_64-linux-gnu/libc.so.6', '/usr/local/bin/dropper', '/etc/hello.conf']) {
      owned.set(path, input.packages.owns(path))
    }
    owned.set('tracksFiles', input.packages.tracksFiles)
    return {}
  },
}

beforeAll(async () => {
  registry = await startFaultRegistry()
  agent = new Agent()
  const libc = { name: 'libc6', version: '2.36-9+deb12u4', source: 'glibc', multiArch: 'same' }
  const hello = { name: 'hello', version: '2.10-3' }
  // layer 0: the base
  layers.push(
    await buildLayer([
      { name: 'usr/lib/os-release', content: OS_RELEASE },
      { name: 'etc/os-release', type: 'symlink', linkname: '../usr/lib/os-release' },
      { name: 'bin', type: 'symlink', linkname: 'usr/bin' },
      { name: 'lib', type: 'symlink', linkname: 'usr/lib' },
      { name: 'var/lib/dpkg/status', content: status([hello, libc]) },
      { name: 'var/lib/dpkg/info/hello.list', content: '/.\n/bin\n/bin/hello\n/etc\n/etc/hello.conf\n' },
      { name: 'var/lib/dpkg/info/libc6:amd64.list', content: '/.\n/lib\n/lib/x86_64-linux-gnu\n/lib/x86_64-linux-gnu/libc.so.6\n' },
      { name: 'usr/share/doc/hello/copyright', content: COPYRIGHT },
      { name: 'usr/bin/hello', content: 'hello', mode: 0o755 },
      { name: 'usr/lib/x86_64-linux-gnu/libc.so.6', content: 'libc' },
      { name: 'etc/hello.conf', content: 'greeting=hi\n' },
      { name: 'app/node_modules/left-pad/package.json', content: LEFT_PAD },
    ], GZIP)
  )
  // layer 1: an upgrade of libc6 and a new package with an epoch; left-pad rewritten, unchanged (chown -R)
  layers.push(
    await buildLayer([
      { name: 'var/lib/dpkg/status', content: status([hello, { ...libc, version: '2.36-9+deb12u7' }, { name: 'tzdata', version: '1:2024a-0+deb12u1', arch: 'all' }]) },
      { name: 'app/node_modules/left-pad/package.json', content: LEFT_PAD, uid: 1000, gid: 1000 },
    ], GZIP)
  )
  // layer 2: hello removed (its list deleted), a Python package added
  layers.push(
    await buildLayer([
      { name: 'var/lib/dpkg/status', content: status([{ ...libc, version: '2.36-9+deb12u7' }, { name: 'tzdata', version: '1:2024a-0+deb12u1', arch: 'all' }]) },
      whiteout('var/lib/dpkg/info/hello.list'),
      whiteout('usr/bin/hello'),
      { name: 'usr/lib/python3/dist-packages/requests-2.31.0.dist-info/METADATA', content: PY_METADATA },
    ], GZIP)
  )
  // layer 3: hello reinstalled at the same version; left-pad deleted
  layers.push(
    await buildLayer([
      { name: 'var/lib/dpkg/status', content: status([hello, { ...libc, version: '2.36-9+deb12u7' }, { name: 'tzdata', version: '1:2024a-0+deb12u1', arch: 'all' }]) },
      { name: 'var/lib/dpkg/info/hello.list', content: '/.\n/bin\n/bin/hello\n/etc\n/etc/hello.conf\n' },
      { name: 'usr/bin/hello', content: 'hello', mode: 0o755 },
      whiteout('app/node_modules/left-pad'),
    ], GZIP)
  )
  registry.serve('inventory/app', buildImage({ format: 'oci', layers }), ['v1'])
  const client = new UndiciRegistryClient({ dispatcher: agent, insecureRegistries: [registry.host], sleep: async () => {}, retry: { attempts: 1 } })
  report = (await scanImage(registryImageSource(client, parseReference(`${registry.host}/inventory/app:v1`)), {}, {
    analyzers: createAnalyzerSet([...builtinAnalyzers, ownershipProbe]),
    limits: DEFAULT_LIMITS,
    clock: fixedClock('2026-11-29T00:00:00Z'),
    logger: silentLogger,
    scanner: { name: 'pushscan', version: '0.0.0-test' },
  })) as ImageReport
})

afterAll(async () => {
  await agent.close()
  await registry.close()
})

function find(type: string, name: string): Package | undefined {
  return report.packages.find((p) => p.type === type && p.name === name)
}

describe('the package inventory', () => {
  it('lists what the final image holds, sorted, in a valid report', () => {
    expectValidReport(report)
    expect(report.errors).toEqual([])
    expect(report.packages.map((p) => `${p.type}/${p.name}@${p.version}`)).toEqual([
      'deb/hello@2.10-3',
      'deb/libc6@2.36-9+deb12u7',
      'deb/tzdata@1:2024a-0+deb12u1',
      'pypi/requests@2.31.0',
    ])
  })

  it('attributes each package to the first layer from which this name and version stay present', () => {
    const diffIds = layers.map((l) => l.diffId)
    // reinstalled in layer 3 after its removal in layer 2
    expect(find('deb', 'hello')?.layer).toBe(diffIds[3])
    // the upgrade in layer 1, not the install in layer 0
    expect(find('deb', 'libc6')?.layer).toBe(diffIds[1])
    expect(find('deb', 'tzdata')?.layer).toBe(diffIds[1])
    expect(find('pypi', 'requests')?.layer).toBe(diffIds[2])
  })

  it('gives purls with the distro, source packages and epochs', () => {
    expect(find('deb', 'libc6')).toMatchObject({
      purl: 'pkg:deb/debian/libc6@2.36-9%2Bdeb12u7?arch=amd64&distro=debian-12&upstream=glibc',
      source: 'glibc',
    })
    expect(find('deb', 'tzdata')?.purl).toBe('pkg:deb/debian/tzdata@1:2024a-0%2Bdeb12u1?arch=all&distro=debian-12')
    expect(find('pypi', 'requests')).toMatchObject({ purl: 'pkg:pypi/requests@2.31.0', licenses: ['Apache 2.0'], path: '/usr/lib/python3/dist-packages/requests-2.31.0.dist-info/METADATA' })
  })

  it('lists the files each package owns (not directories), and the licences of its copyright file', () => {
    expect(find('deb', 'hello')).toMatchObject({ files: ['/bin/hello', '/etc/hello.conf'], licenses: ['GPL-2+'] })
    // the Multi-Arch: same package's list is info/libc6:amd64.list
    expect(find('deb', 'libc6')?.files).toEqual(['/lib/x86_64-linux-gnu/libc.so.6'])
  })

  it('answers file ownership across the merged /usr', () => {
    expect(Object.fromEntries(owned)).toEqual({
      '/usr/bin/hello': true,
      '/bin/hello': true,
      '/usr/lib/x86_64-linux-gnu/libc.so.6': true,
      '/lib/x86_64-linux-gnu/libc.so.6': true,
      '/usr/local/bin/dropper': false,
      '/etc/hello.conf': true,
      tracksFiles: true,
    })
  })

  it('flags the release end of life from the scan time', () => {
    expect(report.image.os).toMatchObject({ family: 'debian', version: '12', endOfLife: { reached: false } })
    expect(report.image.os?.endOfLife?.date).toMatch(/^20[0-9]{2}-[0-9]{2}/)
  })
})

describe('a corrupt package database', () => {
  it('is a recorded error; the scan and the other packages go on', async () => {
    const corrupt = await buildLayer([
      { name: 'var/lib/rpm/rpmdb.sqlite', content: Buffer.concat([Buffer.from('SQLite format 3\u0000'), Buffer.alloc(200, 0xff)]) },
    ], GZIP)
    registry.serve('inventory/corrupt', buildImage({ format: 'oci', layers: [layers[0]!, corrupt] }), ['v1'])
    const client = new UndiciRegistryClient({ dispatcher: agent, insecureRegistries: [registry.host], sleep: async () => {}, retry: { attempts: 1 } })
    const result = (await scanImage(registryImageSource(client, parseReference(`${registry.host}/inventory/corrupt:v1`)), {}, {
      analyzers: createAnalyzerSet(),
      limits: DEFAULT_LIMITS,
      clock: fixedClock('2026-11-29T00:00:00Z'),
      logger: silentLogger,
      scanner: { name: 'pushscan', version: '0.0.0-test' },
    })) as ImageReport
    expectValidReport(result)
    expect(result.status).toBe('complete')
    expect(result.errors).toContainEqual(expect.objectContaining({ analyzer: 'os-packages', layer: corrupt.diffId }))
    expect(result.packages.map((p) => p.name)).toEqual(['hello', 'libc6', 'left-pad'])
  })
})

describe('sourceRpmName', () => {
  it.each([
    ['openssl-3.0.7-27.el9.src.rpm', 'openssl'],
    ['python-setuptools-53.0.0-12.el9.src.rpm', 'python-setuptools'],
    ['bad.src.rpm', undefined],
  ])('%s → %s', (file, name) => {
    expect(sourceRpmName(file)).toBe(name)
  })
})
