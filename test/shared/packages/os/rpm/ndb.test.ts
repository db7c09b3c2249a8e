import { describe, expect, it } from 'vitest'
import { PACKAGE_DB_CORRUPT, PackageDbError } from '../../../../../shared/packages/os/package-db-error.js'
import { readRpmDatabase } from '../../../../../shared/packages/os/rpm/index.js'
import { adler32, isNdb, ndbHeaderBlobs } from '../../../../../shared/packages/os/rpm/ndb.js'
import { sqliteHeaderBlobs } from '../../../../../shared/packages/os/rpm/sqlite.js'
import { flips, fuzz, truncations } from '../fuzz.js'
import { rpmFixture } from './fixtures.js'
import { packageHeader, writeNdb, writeRpmHeader } from './rpm-writers.js'

// Debian's rpm has no ndb backend, so these databases come from the test writer (written
// from rpm's lib/backend/ndb/rpmpkg.c layout), holding header blobs rpm wrote.
const REAL_BLOBS = sqliteHeaderBlobs(rpmFixture('rpmdb.sqlite'))
const entries = REAL_BLOBS.map((blob, index) => ({ pkgidx: index + 1, blob }))
const DATABASE = writeNdb(entries)
const base64 = (blobs: Uint8Array[]): string[] => blobs.map((blob) => Buffer.from(blob).toString('base64'))

function mutate(bytes: Uint8Array, change: (view: DataView, copy: Uint8Array) => void): Uint8Array {
  const copy = bytes.slice()
  change(new DataView(copy.buffer), copy)
  return copy
}

/** Offset of the first used slot and its blob. */
const SLOT = 32
const BLOB = new DataView(DATABASE.buffer).getUint32(SLOT + 8, true) * 16

describe('adler32', () => {
  /** RFC 1950's definition, reduced at every byte. */
  const naive = (bytes: Uint8Array): number => {
    let a = 1
    let b = 0
    for (const byte of bytes) {
      a = (a + byte) % 65521
      b = (b + a) % 65521
    }
    return ((b << 16) | a) >>> 0
  }

  it.each<[string, number]>([
    ['', 0x00000001],
    ['a', 0x00620062],
    ['Wikipedia', 0x11e60398],
  ])('of %j is %i', (text, value) => {
    expect(adler32(new TextEncoder().encode(text))).toBe(value)
  })

  it('agrees with the definition over long runs of high bytes', () => {
    const bytes = new Uint8Array(100_000).fill(0xff)
    expect(adler32(bytes)).toBe(naive(bytes))
    expect(adler32(REAL_BLOBS[1]!)).toBe(naive(REAL_BLOBS[1]!))
  })
})

describe('ndbHeaderBlobs', () => {
  it('reads every blob in package-index order', () => {
    expect(isNdb(DATABASE)).toBe(true)
    expect(base64(ndbHeaderBlobs(DATABASE))).toEqual(base64(REAL_BLOBS))
  })

  it.each<[string, Parameters<typeof writeNdb>[1]]>([
    ['free slots and gaps between blobs', { gaps: true }],
    ['several slot pages', { slotPages: 3 }],
  ])('reads a database with %s', (_label, options) => {
    expect(base64(ndbHeaderBlobs(writeNdb(entries, options)))).toEqual(base64(REAL_BLOBS))
  })

  it('sorts by package index whatever the slot order', () => {
    const shuffled = [entries[2]!, entries[0]!, entries[1]!].map((entry, index) => ({ ...entry, pkgidx: [30, 10, 20][index]! }))
    expect(base64(ndbHeaderBlobs(writeNdb(shuffled)))).toEqual(base64([entries[0]!.blob, entries[1]!.blob, entries[2]!.blob]))
  })

  it('reads an empty database', () => {
    expect(ndbHeaderBlobs(writeNdb([]))).toEqual([])
  })

  it('reads packages through readRpmDatabase', () => {
    const blob = writeRpmHeader(packageHeader({ name: 'zypper', version: '1.14.68', release: '150400.3.49.1', arch: 'x86_64', files: ['/usr/bin/zypper'] }))
    expect(readRpmDatabase('/usr/lib/sysimage/rpm/Packages.db', writeNdb([{ pkgidx: 7, blob }]))).toEqual([
      { name: 'zypper', version: '1.14.68', release: '150400.3.49.1', arch: 'x86_64', files: ['/usr/bin/zypper'] },
    ])
  })

  it('caps the number of packages', () => {
    expect(() => ndbHeaderBlobs(DATABASE, { maxPackages: 11 })).toThrow(/more than 11 packages/)
  })

  it.each<[string, Uint8Array, RegExp]>([
    ['an empty file', new Uint8Array(0), /bad magic/],
    ['another magic', mutate(DATABASE, (view) => view.setUint32(0, 0x12345678, true)), /bad magic/],
    ['another version', mutate(DATABASE, (view) => view.setUint32(4, 1, true)), /version 1/],
    ['no slot pages', mutate(DATABASE, (view) => view.setUint32(12, 0, true)), /slot pages/],
    ['more slot pages than the file', mutate(DATABASE, (view) => view.setUint32(12, 100_000, true)), /slot pages/],
    ['a bad slot magic', mutate(DATABASE, (view) => view.setUint32(SLOT, 0, true)), /slot magic/],
    ['a slot with package index 0', mutate(DATABASE, (view) => view.setUint32(SLOT + 4, 0, true)), /slot at offset 32 is invalid/],
    ['a slot pointing into the slot pages', mutate(DATABASE, (view) => view.setUint32(SLOT + 8, 10, true)), /is invalid/],
    ['a slot past the end of the file', mutate(DATABASE, (view) => view.setUint32(SLOT + 12, 1_000_000, true)), /is invalid/],
    ['two slots for one package', mutate(DATABASE, (view) => view.setUint32(SLOT + 16 + 4, 1, true)), /two slots/],
    ['a bad blob magic', mutate(DATABASE, (view) => view.setUint32(BLOB, 0, true)), /head magic/],
    ['a blob of another package', mutate(DATABASE, (view) => view.setUint32(BLOB + 4, 99, true)), /names package 99/],
    ['a blob length that does not fit its blocks', mutate(DATABASE, (view) => view.setUint32(BLOB + 12, 3, true)), /does not fill/],
    ['a flipped byte in a blob', mutate(DATABASE, (_view, copy) => (copy[BLOB + 100] = copy[BLOB + 100]! ^ 0xff)), /checksum mismatch/],
    ['a too small block count', mutate(DATABASE, (view) => view.setUint32(SLOT + 12, 1, true)), /too small/],
  ])('rejects %s', (_label, bytes, message) => {
    expect(() => ndbHeaderBlobs(bytes)).toThrow(message)
    try {
      ndbHeaderBlobs(bytes)
    } catch (error) {
      expect(error).toBeInstanceOf(PackageDbError)
      expect((error as PackageDbError).code).toBe(PACKAGE_DB_CORRUPT)
    }
  })

  it('rejects a bad tail', () => {
    const blockCount = new DataView(DATABASE.buffer).getUint32(SLOT + 12, true)
    const tail = BLOB + blockCount * 16 - 12
    expect(() => ndbHeaderBlobs(mutate(DATABASE, (view) => view.setUint32(tail + 8, 0, true)))).toThrow(/tail magic/)
    expect(() => ndbHeaderBlobs(mutate(DATABASE, (view) => view.setUint32(tail + 4, 1, true)))).toThrow(/lengths differ/)
  })

  it('returns or throws PACKAGE_DB_CORRUPT on truncated and corrupted files', () => {
    const small = writeNdb(entries.slice(0, 4), { gaps: true })
    const parse = (bytes: Uint8Array): unknown => readRpmDatabase('Packages.db', bytes)
    const outcome = fuzz([...truncations(small), ...flips(small, 5, 400), ...flips(small, 6, 400, 4, 4096 + 64)], parse)
    expect(outcome.rejected).toBeGreaterThan(0)
  })
})
