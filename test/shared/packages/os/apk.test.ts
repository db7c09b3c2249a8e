import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { type ApkPackage, parseApkInstalled } from '../../../../shared/packages/os/apk.js'
import { PACKAGE_DB_CORRUPT, PackageDbError } from '../../../../shared/packages/os/package-db-error.js'
import { flips, fuzz, truncations } from './fuzz.js'

const INSTALLED = readFileSync(new URL('../../../fixtures/packages/os/apk/installed', import.meta.url), 'utf8')

describe('parseApkInstalled on an installed database', () => {
  const packages = parseApkInstalled(INSTALLED)

  it('lists the records in file order', () => {
    expect(packages.map((pkg) => `${pkg.name}@${pkg.version}`)).toEqual([
      'musl@1.2.5-r0',
      'busybox@1.36.1-r29',
      'ssl_client@1.36.1-r29',
      'alpine-baselayout-data@3.6.5-r0',
    ])
  })

  it('reads every field of a record', () => {
    expect(packages[0]).toEqual({
      name: 'musl',
      version: '1.2.5-r0',
      architecture: 'x86_64',
      origin: 'musl',
      license: 'MIT',
      description: 'the musl c library (libc) implementation',
      url: 'https://musl.libc.org/',
      maintainer: 'Timo Teräs <timo.teras@iki.fi>',
      buildTime: 1712049402,
      commit: 'a0a7ed1d5d7e6d8c6bb3a8b33e7a5c0c2f6c1a2b',
      size: 411323,
      installedSize: 647168,
      checksum: 'Q1u3fN2Dm4ic/1iH0i3MW0o3Mzq+Y=',
      dependencies: [],
      provides: ['so:libc.musl-x86_64.so.1=1'],
      files: ['/lib/ld-musl-x86_64.so.1', '/lib/libc.musl-x86_64.so.1'],
    } satisfies ApkPackage)
  })

  it.each<[string, Partial<ApkPackage>]>([
    [
      'busybox',
      {
        origin: 'busybox',
        dependencies: ['so:libc.musl-x86_64.so.1'],
        provides: ['/bin/sh', 'cmd:busybox=1.36.1-r29', 'cmd:sh=1.36.1-r29'],
        files: ['/bin/busybox', '/etc/securetty', '/etc/udhcpd.conf', '/etc/logrotate.d/acpid', '/usr/share/udhcpc/default.script'],
      },
    ],
    ['ssl_client', { origin: 'busybox', license: 'GPL-2.0-only', dependencies: ['so:libc.musl-x86_64.so.1', 'so:libcrypto.so.3', 'so:libssl.so.3'], files: ['/usr/bin/ssl_client'] }],
    ['alpine-baselayout-data', { origin: 'alpine-baselayout', files: ['/etc/fstab', '/etc/group', '/etc/hostname'] }],
  ])('reads %s', (name, expected) => {
    expect(packages.find((pkg) => pkg.name === name)).toMatchObject(expected)
  })
})

describe('parseApkInstalled syntax', () => {
  it.each<[string, string, Array<Partial<ApkPackage>>]>([
    ['empty text', '', []],
    ['several blank lines between records', 'P:a\nV:1\n\n\n\nP:b\nV:2\n', [{ name: 'a' }, { name: 'b' }]],
    ['CRLF', 'P:a\r\nV:1\r\n\r\n', [{ name: 'a', version: '1' }]],
    ['no final newline', 'P:a\nV:1', [{ name: 'a' }]],
    ['files before any F line', 'P:a\nV:1\nR:top', [{ files: ['/top'] }]],
    ['F lines with slashes', 'P:a\nV:1\nF:/usr/lib/\nR:x', [{ files: ['/usr/lib/x'] }]],
    ['unknown letters', 'P:a\nV:1\nX:future\nk:100', [{ name: 'a' }]],
    ['an empty description and a colon in a value', 'P:a\nV:1\nT:\nU:https://x:8080/', [{ description: '', url: 'https://x:8080/' }]],
    ['a non-numeric build time ignored', 'P:a\nV:1\nt:yesterday', [{ name: 'a' }]],
  ])('handles %s', (_label, text, expected) => {
    const packages = parseApkInstalled(text)
    expect(packages).toHaveLength(expected.length)
    expected.forEach((fields, index) => expect(packages[index]).toMatchObject(fields))
  })

  it.each<[string, string, RegExp]>([
    ['a line without the letter-colon form', 'P:a\nV:1\nnonsense', /line 3/],
    ['a record without P', 'V:1\nA:x86_64', /P \(name\)/],
    ['a record without V', 'P:a\nA:x86_64', /V \(version\)/],
    ['a file name with a slash', 'P:a\nV:1\nF:usr\nR:bin/x', /invalid file name/],
    ['an empty file name', 'P:a\nV:1\nR:', /invalid file name/],
  ])('rejects %s', (_label, text, message) => {
    expect(() => parseApkInstalled(text)).toThrow(message)
    try {
      parseApkInstalled(text)
    } catch (error) {
      expect((error as PackageDbError).code).toBe(PACKAGE_DB_CORRUPT)
    }
  })

  it.each<[string, string, Parameters<typeof parseApkInstalled>[1], RegExp]>([
    ['packages', 'P:a\nV:1\n\nP:b\nV:1\n\nP:c\nV:1\n', { maxPackages: 2 }, /more than 2 packages/],
    ['files of one package', 'P:a\nV:1\nR:x\nR:y\nR:z\n', { maxFilesPerPackage: 2 }, /more than the limit of 2/],
    ['files in all', 'P:a\nV:1\nR:x\nR:y\n\nP:b\nV:1\nR:z\n', { maxFilesTotal: 2 }, /more than 2 files/],
  ])('caps the %s', (_label, text, limits, message) => {
    expect(() => parseApkInstalled(text, limits)).toThrow(message)
  })
})

describe('fuzzing parseApkInstalled', () => {
  it('returns or throws PACKAGE_DB_CORRUPT on truncated and corrupted input', () => {
    const input = new TextEncoder().encode(INSTALLED)
    const decoder = new TextDecoder()
    const outcome = fuzz([...truncations(input), ...flips(input, 0xa9c, 500)], (bytes) => parseApkInstalled(decoder.decode(bytes)))
    expect(outcome.parsed).toBeGreaterThan(0)
    expect(outcome.rejected).toBeGreaterThan(0)
  })
})

it('PackageDbError carries the stable code', () => {
  const error = new PackageDbError('x')
  expect(error.code).toBe('PACKAGE_DB_CORRUPT')
  expect(error.name).toBe('PackageDbError')
  expect(error.temporary).toBe(false)
})
