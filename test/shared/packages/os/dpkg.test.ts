import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { type DpkgPackage, dpkgInfoName, dpkgLicenses, parseDpkgFileList, parseDpkgStatus } from '../../../../shared/packages/os/dpkg.js'
import { PACKAGE_DB_CORRUPT, PackageDbError } from '../../../../shared/packages/os/package-db-error.js'
import { flips, fuzz, truncations } from './fuzz.js'

const FIXTURES = new URL('../../../fixtures/packages/os/dpkg/', import.meta.url)
const fixture = (name: string): string => readFileSync(new URL(name, FIXTURES), 'utf8')

describe('parseDpkgStatus on a status file', () => {
  const packages = parseDpkgStatus(fixture('status'))
  const byKey = new Map(packages.map((pkg) => [`${pkg.name}:${pkg.architecture ?? ''}`, pkg]))

  it('lists the present packages in file order, one per architecture', () => {
    expect(packages.map((pkg) => `${pkg.name}:${pkg.architecture ?? ''}`)).toEqual([
      'base-files:amd64',
      'libc6:amd64',
      'libc6:i386',
      'libgcc-s1:amd64',
      'login:amd64',
      'gcc-12-base:amd64',
      'tzdata:all',
      'half-done:amd64',
      'minimal:',
    ])
  })

  it('reads every field of a full stanza', () => {
    expect(byKey.get('base-files:amd64')).toEqual({
      name: 'base-files',
      version: '12.4+deb12u6',
      architecture: 'amd64',
      source: 'base-files',
      sourceVersion: '12.4+deb12u6',
      maintainer: 'Santiago Vila <sanvila@debian.org>',
      installedSize: 340,
      multiArch: 'foreign',
      status: 'install ok installed',
      description: 'Debian base system miscellaneous files',
    } satisfies DpkgPackage)
  })

  it.each<[string, Partial<DpkgPackage>]>([
    ['libc6:amd64', { source: 'glibc', sourceVersion: '2.36-9+deb12u7', multiArch: 'same', homepage: 'https://www.gnu.org/software/libc/libc.html', installedSize: 12986 }],
    ['libc6:i386', { source: 'glibc', installedSize: 12340, description: 'GNU C Library: Shared libraries' }],
    ['libgcc-s1:amd64', { version: '12.2.0-14', source: 'gcc-12', sourceVersion: '12.2.0-14' }],
    ['login:amd64', { version: '1:4.13+dfsg1-1+b1', source: 'shadow', sourceVersion: '1:4.13+dfsg1-1+b1' }],
    ['gcc-12-base:amd64', { source: 'gcc-12', sourceVersion: '12.2.0-14' }],
    ['tzdata:all', { source: 'tzdata', multiArch: 'foreign' }],
    ['half-done:amd64', { status: 'install reinstreq half-configured' }],
  ])('reads %s', (key, expected) => {
    expect(byKey.get(key)).toMatchObject(expected)
  })

  it('leaves missing fields out', () => {
    expect(byKey.get('minimal:')).toEqual({ name: 'minimal', version: '3.0', source: 'minimal', sourceVersion: '3.0', status: 'install ok unpacked' })
  })

  it('skips removed packages (config-files, not-installed)', () => {
    expect(packages.find((pkg) => pkg.name === 'vim-tiny' || pkg.name === 'nano')).toBeUndefined()
  })
})

describe('parseDpkgStatus on distroless status.d files', () => {
  it.each<[string, Partial<DpkgPackage>]>([
    ['base-files', { name: 'base-files', version: '12.4+deb12u6', architecture: 'amd64', status: 'install ok installed' }],
    ['libssl3', { name: 'libssl3', version: '3.0.14-1~deb12u2', architecture: 'arm64', source: 'openssl', sourceVersion: '3.0.14-1~deb12u2', multiArch: 'same' }],
    ['tzdata', { name: 'tzdata', version: '2024a-0+deb12u1', architecture: 'all', source: 'tzdata', installedSize: 3549 }],
  ])('reads %s (taken as installed without a Status field)', (file, expected) => {
    const packages = parseDpkgStatus(fixture(`status.d/${file}`))
    expect(packages).toHaveLength(1)
    expect(packages[0]).toMatchObject(expected)
  })

  it('rejects an md5sums file passed by mistake', () => {
    expect(() => parseDpkgStatus(fixture('status.d/libssl3.md5sums'))).toThrow(PackageDbError)
  })
})

describe('parseDpkgStatus syntax', () => {
  it.each<[string, string, Array<Partial<DpkgPackage>>]>([
    ['empty text', '', []],
    ['only blank lines', '\n \n\t\n', []],
    ['CRLF line ends', 'Package: a\r\nVersion: 1\r\n\r\nPackage: b\r\nVersion: 2\r\n', [{ name: 'a', version: '1' }, { name: 'b', version: '2' }]],
    ['whitespace-only separator lines', 'Package: a\nVersion: 1\n  \t\nPackage: b\nVersion: 2', [{ name: 'a' }, { name: 'b' }]],
    ['case-insensitive field names', 'PACKAGE: a\nversion: 1\nSOURCE: s (2)', [{ name: 'a', version: '1', source: 's', sourceVersion: '2' }]],
    ['no space after the colon', 'Package:a\nVersion:1', [{ name: 'a', version: '1' }]],
    ['a duplicate field, the first kept', 'Package: a\nVersion: 1\nVersion: 2\n more', [{ name: 'a', version: '1' }]],
    ['comment lines', '# written by hand\nPackage: a\nVersion: 1', [{ name: 'a' }]],
    ['a description continued with an empty line', 'Package: a\nVersion: 1\nDescription: short\n long\n .\n more', [{ description: 'short' }]],
    ['a Source with spaces in the parentheses', 'Package: a\nVersion: 1\nSource: s ( 2.0-1 )', [{ source: 's', sourceVersion: '2.0-1' }]],
    ['a malformed Source kept as the package', 'Package: a\nVersion: 1\nSource: s (2', [{ source: 'a', sourceVersion: '1' }]],
    ['extra spaces in Status', 'Package: a\nVersion: 1\nStatus:   install  ok   installed ', [{ status: 'install ok installed' }]],
    ['triggers-pending counted as present', 'Package: a\nVersion: 1\nStatus: install ok triggers-pending', [{ name: 'a' }]],
    ['half-installed counted as present', 'Package: a\nVersion: 1\nStatus: install reinstreq half-installed', [{ name: 'a' }]],
    ['deinstall of a still-installed package kept', 'Package: a\nVersion: 1\nStatus: deinstall ok installed', [{ name: 'a' }]],
    ['not-installed without a version', 'Package: a\nStatus: purge ok not-installed', []],
  ])('handles %s', (_label, text, expected) => {
    const packages = parseDpkgStatus(text)
    expect(packages).toHaveLength(expected.length)
    expected.forEach((fields, index) => expect(packages[index]).toMatchObject(fields))
  })

  it.each<[string, string, RegExp]>([
    ['a line that is not a field', 'Package: a\nVersion: 1\nthis is not a field', /line 3/],
    ['a continuation line first', ' continued\nPackage: a', /continuation/],
    ['a continuation after a blank line', 'Package: a\nVersion: 1\n\n continued', /continuation/],
    ['a stanza without Package', 'Version: 1\nArchitecture: all', /Package/],
    ['a package name with spaces', 'Package: a b\nVersion: 1', /Package/],
    ['an installed package without Version', 'Package: a\nStatus: install ok installed', /Version/],
    ['a Status of two words', 'Package: a\nVersion: 1\nStatus: install installed', /Status/],
    ['an unknown state', 'Package: a\nVersion: 1\nStatus: install ok sleeping', /Status/],
  ])('rejects %s', (_label, text, message) => {
    expect(() => parseDpkgStatus(text)).toThrow(message)
    try {
      parseDpkgStatus(text)
    } catch (error) {
      expect(error).toBeInstanceOf(PackageDbError)
      expect((error as PackageDbError).code).toBe(PACKAGE_DB_CORRUPT)
    }
  })

  it('ignores a non-numeric Installed-Size', () => {
    expect(parseDpkgStatus('Package: a\nVersion: 1\nInstalled-Size: lots')[0]).not.toHaveProperty('installedSize')
  })

  it('caps the number of stanzas', () => {
    const text = Array.from({ length: 11 }, (_, index) => `Package: p${index}\nVersion: 1\n`).join('\n')
    expect(parseDpkgStatus(text, { maxPackages: 11 })).toHaveLength(11)
    expect(() => parseDpkgStatus(text, { maxPackages: 10 })).toThrow(/more than 10/)
  })
})

describe('dpkgInfoName', () => {
  it.each<[Pick<DpkgPackage, 'name' | 'architecture' | 'multiArch'>, string]>([
    [{ name: 'libc6', architecture: 'amd64', multiArch: 'same' }, 'libc6:amd64'],
    [{ name: 'bash', architecture: 'amd64', multiArch: 'foreign' }, 'bash'],
    [{ name: 'tzdata', architecture: 'all' }, 'tzdata'],
    [{ name: 'odd', multiArch: 'same' }, 'odd'],
  ])('of %j is %s', (pkg, expected) => {
    expect(dpkgInfoName(pkg)).toBe(expected)
  })
})

describe('parseDpkgFileList', () => {
  it('reads a list file, dropping the root line', () => {
    expect(parseDpkgFileList(fixture('libc6-amd64.list'))).toEqual([
      '/etc',
      '/etc/ld.so.conf.d',
      '/etc/ld.so.conf.d/x86_64-linux-gnu.conf',
      '/lib64',
      '/lib64/ld-linux-x86-64.so.2',
      '/usr',
      '/usr/lib',
      '/usr/lib/x86_64-linux-gnu',
      '/usr/lib/x86_64-linux-gnu/libc.so.6',
      '/usr/lib/x86_64-linux-gnu/libm.so.6',
      '/usr/share/doc/libc6',
      '/usr/share/doc/libc6/copyright',
    ])
  })

  it.each<[string, string, string[]]>([
    ['an empty file', '', []],
    ['CRLF and no final newline', '/.\r\n/a b\r\n/c', ['/a b', '/c']],
    ['blank lines', '\n/a\n\n', ['/a']],
  ])('handles %s', (_label, text, expected) => {
    expect(parseDpkgFileList(text)).toEqual(expected)
  })

  it('rejects a relative path', () => {
    expect(() => parseDpkgFileList('/a\nb')).toThrow(PackageDbError)
  })

  it('caps the number of paths', () => {
    expect(parseDpkgFileList('/a\n/b\n/c', { maxFilesPerPackage: 3 })).toHaveLength(3)
    expect(() => parseDpkgFileList('/a\n/b\n/c\n/d', { maxFilesPerPackage: 3 })).toThrow(/more than 3/)
  })
})

describe('dpkgLicenses', () => {
  it('reads the short names of a DEP-5 file, split and deduplicated', () => {
    expect(dpkgLicenses(fixture('copyright-dep5'))).toEqual(['GPL-2+', 'BSD-3-clause', 'MIT', 'GPL-3+ with Bison-2.2 exception', 'GPL-3+'])
  })

  it('gives nothing for a free-form copyright file', () => {
    expect(dpkgLicenses(fixture('copyright-free-form'))).toEqual([])
  })

  it.each<[string, string, string[]]>([
    ['an and-expression', 'Format: x\n\nFiles: *\nLicense: Expat and LGPL-2.1+', ['Expat', 'LGPL-2.1+']],
    ['comma-separated names', 'Format: x\n\nFiles: *\nLicense: GPL-2, LGPL-2', ['GPL-2', 'LGPL-2']],
    ['upper-case OR and field name case', 'Format: x\n\nfiles: *\nlicense: A OR B', ['A', 'B']],
    ['an empty License line', 'Format: x\n\nFiles: *\nLicense:\n text', []],
    ['the old Format-Specification field', 'Format-Specification: http://dep.debian.net/deps/dep5\n\nLicense: ISC', ['ISC']],
    ['a Format line outside the first stanza only', 'Upstream: x\n\nFormat: y\nLicense: ISC', []],
    ['CRLF', 'Format: x\r\n\r\nFiles: *\r\nLicense: MIT\r\n', ['MIT']],
  ])('handles %s', (_label, text, expected) => {
    expect(dpkgLicenses(text)).toEqual(expected)
  })
})

describe('fuzzing the dpkg parsers', () => {
  const encoder = new TextEncoder()
  const decoder = new TextDecoder()
  const status = encoder.encode(fixture('status'))

  it.each<[string, (text: string) => unknown, Uint8Array]>([
    ['parseDpkgStatus', (text) => parseDpkgStatus(text), status],
    ['parseDpkgFileList', (text) => parseDpkgFileList(text), encoder.encode(fixture('libc6-amd64.list'))],
    ['dpkgLicenses', (text) => dpkgLicenses(text), encoder.encode(fixture('copyright-dep5'))],
  ])('%s returns or throws PACKAGE_DB_CORRUPT on truncated and corrupted input', (_name, parse, input) => {
    const outcome = fuzz([...truncations(input), ...flips(input, 0x5eed, 500)], (bytes) => parse(decoder.decode(bytes)))
    expect(outcome.parsed + outcome.rejected).toBeGreaterThan(500)
  })
})
