import { describe, expect, it } from 'vitest'
import { PACKAGE_DB_CORRUPT, PackageDbError } from '../../../../../shared/packages/os/package-db-error.js'
import { RPM_DATABASE_PATHS, type RpmPackage, readRpmDatabase, rpmDatabaseFormat } from '../../../../../shared/packages/os/rpm/index.js'
import { rpmFixture, rpmQa } from './fixtures.js'
import { packageHeader, writeNdb, writeRpmHeader } from './rpm-writers.js'

/** What rpm -qa printed, in RpmPackage's shape. */
function expected(): RpmPackage[] {
  return rpmQa().map((line) => {
    const pkg: RpmPackage = {
      name: line.name,
      version: line.version,
      release: line.release,
      arch: line.arch,
      sourceRpm: line.sourceRpm,
      license: line.license,
      size: line.size,
      files: line.files,
    }
    if (line.epoch !== undefined) pkg.epoch = line.epoch
    if (line.vendor !== undefined) pkg.vendor = line.vendor
    return pkg
  })
}

describe('readRpmDatabase on the fixtures', () => {
  it.each<[string, string, string]>([
    ['rpmdb.sqlite', '/var/lib/rpm/rpmdb.sqlite', 'sqlite'],
    ['rpmdb-1k.sqlite', '/usr/lib/sysimage/rpm/rpmdb.sqlite', 'sqlite'],
    ['Packages-le', '/var/lib/rpm/Packages', 'bdb'],
    ['Packages-be', '/var/lib/rpm/Packages', 'bdb'],
    ['Packages-64k', '/var/lib/rpm/Packages', 'bdb'],
    ['Packages-chksum', '/var/lib/rpm/Packages', 'bdb'],
  ])('lists in %s what rpm -qa listed', (fixture, path, format) => {
    const bytes = rpmFixture(fixture)
    expect(rpmDatabaseFormat(bytes)).toBe(format)
    const packages = readRpmDatabase(path, bytes)
    const sorted = packages.map(({ summary: _summary, ...rest }) => rest).sort((a, b) => (a.name < b.name ? -1 : 1))
    expect(sorted).toEqual(expected())
    expect(packages.every((pkg) => pkg.summary !== undefined)).toBe(true)
  })

  it('has the packages the fixture script built', () => {
    const byName = new Map(readRpmDatabase('rpmdb.sqlite', rpmFixture('rpmdb.sqlite')).map((pkg) => [pkg.name, pkg]))
    expect(byName.get('tinylib')).toMatchObject({
      epoch: 2,
      version: '2.4.1',
      release: '3.fc39',
      arch: 'x86_64',
      license: 'GPL-2.0-or-later AND LGPL-2.1-or-later',
      vendor: 'Pushscan Fixtures',
      sourceRpm: 'tinylib-2.4.1-3.fc39.src.rpm',
      summary: 'A tiny library with many files',
    })
    expect(byName.get('tinylib')?.files).toHaveLength(223)
    expect(byName.get('tinytool')).toMatchObject({ epoch: 0, version: '0.9~rc1' })
    expect(byName.get('tinyapp')).not.toHaveProperty('epoch')
    expect(byName.get('tinyapp')?.files).toEqual([
      '/etc/tinyapp/tinyapp.conf',
      '/usr/bin/tinyapp',
      '/usr/share/tinyapp',
      '/usr/share/tinyapp/data-file-with-a-long-name-1.txt',
      '/usr/share/tinyapp/data-file-with-a-long-name-2.txt',
    ])
  })
})

describe('readRpmDatabase errors and limits', () => {
  it('refuses a file of no known format, naming it', () => {
    expect(() => readRpmDatabase('/var/lib/rpm/Packages', new TextEncoder().encode('hello'))).toThrow(/^\/var\/lib\/rpm\/Packages: not an rpm database/)
    expect(rpmDatabaseFormat(new Uint8Array(0))).toBeUndefined()
  })

  it('names the file and the header in a header error', () => {
    const good = writeRpmHeader(packageHeader({ name: 'a', version: '1', release: '1' }))
    const bad = good.slice(0, good.length - 1)
    const database = writeNdb([
      { pkgidx: 1, blob: good },
      { pkgidx: 2, blob: bad },
    ])
    expect(() => readRpmDatabase('Packages.db', database)).toThrow(/^Packages\.db: header 2: rpm header is truncated/)
    try {
      readRpmDatabase('Packages.db', database)
    } catch (error) {
      expect(error).toBeInstanceOf(PackageDbError)
      expect((error as PackageDbError).code).toBe(PACKAGE_DB_CORRUPT)
    }
  })

  it.each<[string, Parameters<typeof readRpmDatabase>[2], RegExp]>([
    ['packages', { maxPackages: 5 }, /more than 5 packages/],
    ['files of one package', { maxFilesPerPackage: 100 }, /223 files, more than the limit of 100/],
    ['files in all', { maxFilesTotal: 250 }, /more than 250 files/],
  ])('caps the %s', (_label, limits, message) => {
    expect(() => readRpmDatabase('rpmdb.sqlite', rpmFixture('rpmdb.sqlite'), limits)).toThrow(message)
  })

  it('knows where images keep the database', () => {
    expect(RPM_DATABASE_PATHS).toContain('/var/lib/rpm/rpmdb.sqlite')
    expect(RPM_DATABASE_PATHS).toContain('/usr/lib/sysimage/rpm/Packages.db')
    expect(RPM_DATABASE_PATHS).toContain('/var/lib/rpm/Packages')
  })
})
