import { describe, expect, it } from 'vitest'
import { PACKAGE_DB_CORRUPT, PackageDbError } from '../../../../../shared/packages/os/package-db-error.js'
import { RpmHeader, RpmTag, type RpmPackage, parseRpmHeader } from '../../../../../shared/packages/os/rpm/header.js'
import { sqliteHeaderBlobs } from '../../../../../shared/packages/os/rpm/sqlite.js'
import { flips, fuzz, truncations } from '../fuzz.js'
import { rpmFixture } from './fixtures.js'
import { type HeaderValue, packageHeader, writeRpmHeader } from './rpm-writers.js'

const BASH = packageHeader({
  name: 'bash',
  version: '5.2.15',
  release: '3.fc39',
  epoch: 0,
  arch: 'x86_64',
  license: 'GPL-3.0-or-later',
  vendor: 'Fedora Project',
  sourceRpm: 'bash-5.2.15-3.fc39.src.rpm',
  size: 8_000_000,
  summary: 'The GNU Bourne Again shell',
  files: ['/usr/bin/bash', '/usr/bin/sh', '/usr/share/doc/bash', '/usr/share/doc/bash/README', '/etc/skel/.bashrc'],
})

function corruptCode(run: () => unknown): string | undefined {
  try {
    run()
    return undefined
  } catch (error) {
    return error instanceof PackageDbError ? error.code : `not a PackageDbError: ${String(error)}`
  }
}

describe('parseRpmHeader', () => {
  it.each<[string, Parameters<typeof writeRpmHeader>[1]]>([
    ['a bare header image', {}],
    ['a header with an immutable region', { region: true }],
    ['a header with the .rpm magic', { magic: true }],
  ])('reads %s', (_label, options) => {
    expect(parseRpmHeader(writeRpmHeader(BASH, options))).toEqual({
      name: 'bash',
      version: '5.2.15',
      release: '3.fc39',
      epoch: 0,
      arch: 'x86_64',
      sourceRpm: 'bash-5.2.15-3.fc39.src.rpm',
      license: 'GPL-3.0-or-later',
      vendor: 'Fedora Project',
      size: 8_000_000,
      summary: 'The GNU Bourne Again shell',
      files: ['/usr/bin/bash', '/usr/bin/sh', '/usr/share/doc/bash', '/usr/share/doc/bash/README', '/etc/skel/.bashrc'],
    } satisfies RpmPackage)
  })

  it.each<[string, Record<number, HeaderValue>, Partial<RpmPackage>]>([
    ['no epoch, arch or files (gpg-pubkey)', packageHeader({ name: 'gpg-pubkey', version: '18b8e74c', release: '62f2920f' }), { name: 'gpg-pubkey', files: [] }],
    ['LONGSIZE before SIZE', { ...packageHeader({ name: 'big', version: '1', release: '1', size: 5 }), [RpmTag.LongSize]: { type: 'int64', value: [6_000_000_000n] } }, { size: 6_000_000_000 }],
    ['an I18N summary in two locales', { ...packageHeader({ name: 'a', version: '1', release: '1' }), [RpmTag.Summary]: { type: 'i18n', value: ['English', 'Deutsch'] } }, { summary: 'English' }],
    ['OLDFILENAMES', { ...packageHeader({ name: 'old', version: '1', release: '1' }), [RpmTag.OldFilenames]: { type: 'strings', value: ['/bin/old', '/etc/old.conf'] } }, { files: ['/bin/old', '/etc/old.conf'] }],
    ['a modularity label', { ...packageHeader({ name: 'nodejs', version: '18', release: '1.module' }), [RpmTag.ModularityLabel]: { type: 'string', value: 'nodejs:18:8090020231025:a75119d5' } }, { modularityLabel: 'nodejs:18:8090020231025:a75119d5' }],
    ['UTF-8 in strings', packageHeader({ name: 'naïve', version: '1', release: '1', vendor: 'Société' }), { name: 'naïve', vendor: 'Société' }],
    ['an empty version', packageHeader({ name: 'a', version: '', release: '' }), { version: '', release: '' }],
    ['unknown tags and types', { ...packageHeader({ name: 'a', version: '1', release: '1' }), 1100: { type: 'bin', value: new Uint8Array([1, 2, 3]) }, 1200: { type: 'int16', value: [7] } }, { name: 'a' }],
  ])('reads %s', (_label, entries, expected) => {
    expect(parseRpmHeader(writeRpmHeader(entries))).toMatchObject(expected)
  })

  it('reads the header blobs rpm wrote into the sqlite fixture', () => {
    const packages = sqliteHeaderBlobs(rpmFixture('rpmdb.sqlite')).map((blob) => parseRpmHeader(blob))
    expect(packages.find((pkg) => pkg.name === 'tinylib')).toMatchObject({ epoch: 2, version: '2.4.1', release: '3.fc39', arch: 'x86_64' })
  })

  const good = writeRpmHeader(BASH)
  const view = (bytes: Uint8Array): DataView => new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  const mutate = (change: (bytes: Uint8Array, dv: DataView) => void): Uint8Array => {
    const copy = good.slice()
    change(copy, view(copy))
    return copy
  }
  const entryAt = (tag: number): number => {
    const il = view(good).getUint32(0)
    for (let index = 0; index < il; index++) if (view(good).getInt32(8 + index * 16) === tag) return 8 + index * 16
    throw new Error(`no tag ${tag}`)
  }
  const dataStart = 8 + view(good).getUint32(0) * 16

  it.each<[string, Uint8Array, RegExp]>([
    ['an empty blob', new Uint8Array(0), /truncated/],
    ['a blob shorter than its counts', good.subarray(0, good.length - 1), /truncated/],
    ['zero entries', mutate((_b, dv) => dv.setUint32(0, 0)), /entry count/],
    ['a huge entry count', mutate((_b, dv) => dv.setUint32(0, 0x7fffffff)), /entry count/],
    ['a huge data size', mutate((_b, dv) => dv.setUint32(4, 0x7fffffff)), /data size/],
    ['an invalid type', mutate((_b, dv) => dv.setUint32(entryAt(RpmTag.Name) + 4, 42)), /invalid type/],
    ['a negative offset', mutate((_b, dv) => dv.setInt32(entryAt(RpmTag.Name) + 8, -4)), /outside the data store/],
    ['an offset past the data', mutate((_b, dv) => dv.setInt32(entryAt(RpmTag.Name) + 8, 1 << 20)), /outside the data store/],
    ['a zero count', mutate((_b, dv) => dv.setUint32(entryAt(RpmTag.Name) + 12, 0)), /outside the data store/],
    ['an integer array past the data', mutate((_b, dv) => dv.setUint32(entryAt(RpmTag.DirIndexes) + 12, 1_000)), /past the data store|outside/],
    ['a string array with more strings than bytes', mutate((_b, dv) => dv.setUint32(entryAt(RpmTag.Basenames) + 12, 100_000)), /outside the data store/],
    ['an unterminated string', mutate((bytes) => bytes.fill(0x41, dataStart)), /not terminated/],
    ['a string tag of integer type', mutate((_b, dv) => dv.setUint32(entryAt(RpmTag.Name) + 4, 4)), /not a string/],
    ['an integer tag of string type', mutate((_b, dv) => dv.setUint32(entryAt(RpmTag.Epoch) + 4, 6)), /not an integer/],
    ['a directory index out of range', writeRpmHeader({ ...BASH, [RpmTag.DirIndexes]: { type: 'int32', value: [0, 0, 9, 0, 0] } }), /out of range/],
    ['fewer directory indexes than base names', writeRpmHeader({ ...BASH, [RpmTag.DirIndexes]: { type: 'int32', value: [0] } }), /directory indexes/],
    ['base names without directories', writeRpmHeader({ ...packageHeader({ name: 'a', version: '1', release: '1' }), [RpmTag.Basenames]: { type: 'strings', value: ['x'] }, [RpmTag.DirIndexes]: { type: 'int32', value: [0] } }), /directory indexes/],
    ['no name', writeRpmHeader({ [RpmTag.Version]: { type: 'string', value: '1' }, [RpmTag.Release]: { type: 'string', value: '1' } }), /without a name/],
  ])('rejects %s', (_label, blob, message) => {
    expect(() => parseRpmHeader(blob)).toThrow(message)
    expect(corruptCode(() => parseRpmHeader(blob))).toBe(PACKAGE_DB_CORRUPT)
  })

  it('caps the files of one package', () => {
    expect(parseRpmHeader(good, { maxFilesPerPackage: 5 }).files).toHaveLength(5)
    expect(() => parseRpmHeader(good, { maxFilesPerPackage: 4 })).toThrow(/more than the limit of 4/)
  })

  it('exposes the raw entries', () => {
    const header = RpmHeader.parse(writeRpmHeader(BASH, { region: true }))
    expect(header.entries.has(RpmTag.HeaderImmutable)).toBe(false)
    expect(header.strings(RpmTag.Dirnames)).toEqual(['/usr/bin/', '/usr/share/doc/', '/usr/share/doc/bash/', '/etc/skel/'])
    expect(header.integers(RpmTag.Size)).toEqual([8_000_000])
    expect(header.string(9999)).toBeUndefined()
  })

  it('returns or throws PACKAGE_DB_CORRUPT on truncated and corrupted headers', () => {
    const real = sqliteHeaderBlobs(rpmFixture('rpmdb.sqlite'))
    const inputs = [good, real[0]!, real[1]!]
    for (const [index, input] of inputs.entries()) {
      const outcome = fuzz([...truncations(input), ...flips(input, 1000 + index, 400)], (bytes) => parseRpmHeader(bytes))
      expect(outcome.rejected).toBeGreaterThan(0)
    }
  })
})
