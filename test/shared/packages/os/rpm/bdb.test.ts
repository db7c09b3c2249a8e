import { describe, expect, it } from 'vitest'
import { PACKAGE_DB_CORRUPT, PackageDbError } from '../../../../../shared/packages/os/package-db-error.js'
import { BDB_HASH_MAGIC, bdbHeaderBlobs, isBdbHash } from '../../../../../shared/packages/os/rpm/bdb.js'
import { readRpmDatabase } from '../../../../../shared/packages/os/rpm/index.js'
import { sqliteHeaderBlobs } from '../../../../../shared/packages/os/rpm/sqlite.js'
import { flips, fuzz, truncations } from '../fuzz.js'
import { rpmFixture } from './fixtures.js'

// made by db5.3_load from the header blobs of rpmdb.sqlite, and read back by rpm's bdb_ro
const LITTLE = rpmFixture('Packages-le')
const BIG = rpmFixture('Packages-be')
const PAGES_64K = rpmFixture('Packages-64k')
const CHECKSUMS = rpmFixture('Packages-chksum')
const base64 = (blobs: Uint8Array[]): string[] => blobs.map((blob) => Buffer.from(blob).toString('base64'))
const EXPECTED = base64(sqliteHeaderBlobs(rpmFixture('rpmdb.sqlite')))

/** Layout facts of a little-endian fixture, found by hand from the format. */
function layout(bytes: Uint8Array): { pageSize: number; hashPages: number[]; offPage: number[]; onPage: number[] } {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  const pageSize = view.getUint32(20, true)
  const indexStart = (bytes[26]! & 1) !== 0 ? 32 : 26
  const out = { pageSize, hashPages: [] as number[], offPage: [] as number[], onPage: [] as number[] }
  for (let page = 1; page <= view.getUint32(32, true); page++) {
    const start = page * pageSize
    if (bytes[start + 25] !== 13) continue
    out.hashPages.push(page)
    for (let index = 1; index < view.getUint16(start + 20, true); index += 2) {
      const item = start + view.getUint16(start + indexStart + index * 2, true)
      if (bytes[item] === 3) out.offPage.push(item)
      else out.onPage.push(item)
    }
  }
  return out
}

function mutate(bytes: Uint8Array, change: (copy: Uint8Array, view: DataView) => void): Uint8Array {
  const copy = bytes.slice()
  change(copy, new DataView(copy.buffer))
  return copy
}

describe('bdbHeaderBlobs on databases written by Berkeley DB 5.3', () => {
  it.each<[string, Uint8Array]>([
    ['little-endian, 4 KiB pages', LITTLE],
    ['big-endian, 4 KiB pages', BIG],
    ['64 KiB pages (headers on the hash pages themselves)', PAGES_64K],
    ['page checksums', CHECKSUMS],
  ])('reads the header blobs of %s, skipping key 0, in header-number order', (_label, bytes) => {
    expect(isBdbHash(bytes)).toBe(true)
    expect(base64(bdbHeaderBlobs(bytes))).toEqual(EXPECTED)
  })

  it('has fixtures that cover off-page and on-page items', () => {
    expect(layout(LITTLE).offPage.length).toBe(12)
    expect(layout(PAGES_64K).onPage.length).toBeGreaterThan(5)
    expect(layout(PAGES_64K).offPage.length).toBeGreaterThan(0)
  })

  it('tells the magic in both byte orders', () => {
    expect(BDB_HASH_MAGIC).toBe(0x061561)
    expect(isBdbHash(new Uint8Array(8))).toBe(false)
    expect(isBdbHash(rpmFixture('rpmdb.sqlite'))).toBe(false)
  })

  it('caps the number of headers', () => {
    expect(bdbHeaderBlobs(LITTLE, { maxPackages: 12 })).toHaveLength(12)
    expect(() => bdbHeaderBlobs(LITTLE, { maxPackages: 11 })).toThrow(/more than 11 packages/)
  })
})

describe('bdbHeaderBlobs on damaged files', () => {
  const facts = layout(LITTLE)
  const firstHash = facts.hashPages[0]! * facts.pageSize
  const [offPageA, offPageB] = facts.offPage as [number, number]

  it.each<[string, Uint8Array, RegExp]>([
    ['a short file', LITTLE.slice(0, 100), /shorter than its metadata page/],
    ['another magic', mutate(LITTLE, (copy) => (copy[12] = 0x62)), /bad magic/],
    ['an old hash version', mutate(LITTLE, (_copy, view) => view.setUint32(16, 3, true)), /hash version 3/],
    ['an invalid page size', mutate(LITTLE, (_copy, view) => view.setUint32(20, 3000, true)), /page size 3000/],
    ['encryption', mutate(LITTLE, (copy) => (copy[24] = 1)), /encrypted/],
    ['a btree metadata page', mutate(LITTLE, (copy) => (copy[25] = 9)), /not a hash metadata page/],
    ['more pages than the file', mutate(LITTLE, (_copy, view) => view.setUint32(32, 1_000, true)), /1001 pages of 4096 bytes/],
    ['a truncated file', LITTLE.slice(0, LITTLE.length - 4096), /pages of 4096 bytes/],
    ['an odd item count', mutate(LITTLE, (_copy, view) => view.setUint16(firstHash + 20, 3, true)), /claims 3 items/],
    ['an item offset inside the index', mutate(LITTLE, (_copy, view) => view.setUint16(firstHash + 26, 4, true)), /out of bounds/],
    ['a duplicate item', mutate(LITTLE, (copy) => (copy[offPageA] = 2)), /duplicate items/],
    ['an unknown item type', mutate(LITTLE, (copy) => (copy[offPageA] = 9)), /unknown type 9/],
    ['an overflow page that is not one', mutate(LITTLE, (_copy, view) => view.setUint32(offPageA + 4, facts.hashPages[0]!, true)), /not an overflow page/],
    ['an overflow page past the end', mutate(LITTLE, (_copy, view) => view.setUint32(offPageA + 4, 5_000, true)), /outside the file/],
    ['an overflow page used twice', mutate(LITTLE, (_copy, view) => view.setUint32(offPageB + 4, view.getUint32(offPageA + 4, true), true)), /used twice/],
    ['an off-page length larger than the file', mutate(LITTLE, (_copy, view) => view.setUint32(offPageA + 8, 0x7fffffff, true)), /claims/],
    ['an off-page length longer than its chain', mutate(LITTLE, (_copy, view) => view.setUint32(offPageA + 8, view.getUint32(offPageA + 8, true) + 5_000, true)), /outside the file|invalid length|not an overflow page|used twice/],
  ])('rejects %s', (_label, bytes, message) => {
    expect(() => bdbHeaderBlobs(bytes)).toThrow(message)
    try {
      bdbHeaderBlobs(bytes)
    } catch (error) {
      expect(error).toBeInstanceOf(PackageDbError)
      expect((error as PackageDbError).code).toBe(PACKAGE_DB_CORRUPT)
    }
  })

  it('returns or throws PACKAGE_DB_CORRUPT on truncated and corrupted files', () => {
    const parse = (bytes: Uint8Array): unknown => readRpmDatabase('Packages', bytes)
    for (const [index, input] of [LITTLE, BIG, PAGES_64K].entries()) {
      const outcome = fuzz([...truncations(input), ...flips(input, 31 + index, 300), ...flips(input, 41 + index, 300, 4, 2 * 4096)], parse)
      expect(outcome.rejected).toBeGreaterThan(0)
    }
  })
})
