import { describe, expect, it } from 'vitest'
import { PACKAGE_DB_CORRUPT, PackageDbError } from '../../../../../shared/packages/os/package-db-error.js'
import { readRpmDatabase } from '../../../../../shared/packages/os/rpm/index.js'
import { SqliteFile, readVarint, sqliteHeaderBlobs } from '../../../../../shared/packages/os/rpm/sqlite.js'
import { flips, fuzz, truncations } from '../fuzz.js'
import { rpmFixture } from './fixtures.js'

const WAL_4K = rpmFixture('rpmdb.sqlite')
const ROLLBACK_1K = rpmFixture('rpmdb-1k.sqlite')
const UTF16BE = rpmFixture('utf16be.sqlite')

const u16 = (bytes: Uint8Array, at: number): number => (bytes[at]! << 8) | bytes[at + 1]!
const u32 = (bytes: Uint8Array, at: number): number => new DataView(bytes.buffer, bytes.byteOffset).getUint32(at)
const setU32 = (bytes: Uint8Array, at: number, value: number): void => new DataView(bytes.buffer, bytes.byteOffset).setUint32(at, value)

/** Offsets (in the file) of the overflow page numbers of the Packages leaf cells, found by hand from the format. */
function overflowPointers(bytes: Uint8Array): number[] {
  const pageSize = u16(bytes, 16) === 1 ? 65536 : u16(bytes, 16)
  const usable = pageSize - bytes[20]!
  const rootStart = pageSize // Packages is rooted at page 2 in the fixtures
  const out: number[] = []
  const leaves: number[] = []
  const cells = u16(bytes, rootStart + 3)
  for (let index = 0; index < cells; index++) leaves.push(u32(bytes, rootStart + u16(bytes, rootStart + 12 + index * 2)))
  leaves.push(u32(bytes, rootStart + 8))
  for (const leaf of leaves) {
    const start = (leaf - 1) * pageSize
    for (let index = 0; index < u16(bytes, start + 3); index++) {
      const cell = start + u16(bytes, start + 8 + index * 2)
      const [payload, afterPayload] = readVarint(bytes, cell, bytes.length)
      const [, afterRowid] = readVarint(bytes, afterPayload, bytes.length)
      const maxLocal = usable - 35
      if (payload <= maxLocal) continue
      const minLocal = Math.floor(((usable - 12) * 32) / 255) - 23
      const candidate = minLocal + ((payload - minLocal) % (usable - 4))
      out.push(afterRowid + (candidate <= maxLocal ? candidate : minLocal))
    }
  }
  return out
}

function mutate(bytes: Uint8Array, change: (copy: Uint8Array) => void): Uint8Array {
  const copy = bytes.slice()
  change(copy)
  return copy
}

describe('SqliteFile on databases written by SQLite', () => {
  it.each<[string, Uint8Array, { pageSize: number; encoding: string; wal: boolean; rows: number }]>([
    ['rpm 4.18 rpmdb.sqlite (WAL mode, 4 KiB pages)', WAL_4K, { pageSize: 4096, encoding: 'utf-8', wal: true, rows: 12 }],
    ['the same after VACUUM (rollback journal, 1 KiB pages)', ROLLBACK_1K, { pageSize: 1024, encoding: 'utf-8', wal: false, rows: 12 }],
    ['a UTF-16be database', UTF16BE, { pageSize: 4096, encoding: 'utf-16be', wal: false, rows: 1 }],
  ])('reads %s', (_label, bytes, expected) => {
    const database = new SqliteFile(bytes)
    expect({ pageSize: database.pageSize, encoding: database.encoding, wal: database.wal }).toEqual({
      pageSize: expected.pageSize,
      encoding: expected.encoding,
      wal: expected.wal,
    })
    const packages = database.schema().find((entry) => entry.name === 'Packages')
    expect(packages).toMatchObject({ type: 'table', tableName: 'Packages', rootPage: 2 })
    expect(packages?.sql).toMatch(/^CREATE TABLE '?Packages'? \(hnum INTEGER PRIMARY KEY AUTOINCREMENT, ?blob BLOB NOT NULL\)$/)
    const rows = [...database.tableRows('packages')]
    expect(rows).toHaveLength(expected.rows)
    for (const row of rows) {
      expect(row.values[0]).toBeNull() // the INTEGER PRIMARY KEY lives in the rowid
      expect(row.values[1]).toBeInstanceOf(Uint8Array)
    }
  })

  it('walks interior pages of the schema and of Packages in rowid order', () => {
    for (const bytes of [WAL_4K, ROLLBACK_1K]) {
      const database = new SqliteFile(bytes)
      expect(database.page(1)[100]).toBe(0x05)
      expect(database.page(2)[0]).toBe(0x05)
      expect(database.schema().length).toBe(50)
      expect([...database.tableRows('Packages')].map((row) => row.rowid)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12])
    }
  })

  it('reassembles blobs through overflow chains identically at both page sizes', () => {
    const big = sqliteHeaderBlobs(WAL_4K)
    const small = sqliteHeaderBlobs(ROLLBACK_1K)
    expect(small.map((blob) => Buffer.from(blob).toString('base64'))).toEqual(big.map((blob) => Buffer.from(blob).toString('base64')))
    expect(Math.max(...big.map((blob) => blob.length))).toBeGreaterThan(30_000)
    expect(overflowPointers(ROLLBACK_1K).length).toBe(12)
  })

  it('decodes UTF-16 schema text', () => {
    expect(new SqliteFile(UTF16BE).schema().map((entry) => entry.name)).toEqual(['Packages', 'sqlite_sequence'])
    expect(readRpmDatabase('rpmdb.sqlite', UTF16BE).map((pkg) => pkg.name)).toEqual(['tinyapp'])
  })

  it('caps the number of rows', () => {
    expect(sqliteHeaderBlobs(ROLLBACK_1K, { maxPackages: 12 })).toHaveLength(12)
    expect(() => sqliteHeaderBlobs(ROLLBACK_1K, { maxPackages: 11 })).toThrow(/more than 11 packages/)
  })
})

describe('readVarint', () => {
  it.each<[number[], number, number]>([
    [[0x00], 0, 1],
    [[0x7f], 127, 1],
    [[0x81, 0x00], 128, 2],
    [[0x82, 0x2c], 300, 2],
    [[0xff, 0xff, 0xff, 0x7f], 2 ** 28 - 1, 4],
    [[0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01], 1, 9],
    [[0x81, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00], 2 ** 57, 9],
  ])('reads %j as %d', (bytes, value, length) => {
    expect(readVarint(new Uint8Array(bytes), 0, bytes.length)).toEqual([value, length])
  })

  it('refuses to read past the end', () => {
    expect(() => readVarint(new Uint8Array([0x81, 0x81]), 0, 2)).toThrow(PackageDbError)
    expect(() => readVarint(new Uint8Array([0x81, 0x01]), 0, 1)).toThrow(PackageDbError)
  })
})

describe('SqliteFile on damaged files', () => {
  const pointers = overflowPointers(ROLLBACK_1K)
  const schemaName = Buffer.from(ROLLBACK_1K).indexOf('tablePackagesPackages', 0, 'latin1')

  it.each<[string, Uint8Array, RegExp]>([
    ['an empty file', new Uint8Array(0), /empty file \(a database in WAL mode/],
    ['a short file', new Uint8Array(50), /bad magic/],
    ['another magic', mutate(ROLLBACK_1K, (copy) => (copy[0] = 0x73)), /bad magic/],
    ['a page size that is not a power of two', mutate(ROLLBACK_1K, (copy) => copy.set([0x03, 0xe8], 16)), /page size/],
    ['a page size below 512', mutate(ROLLBACK_1K, (copy) => copy.set([0x01, 0x00], 16)), /page size/],
    ['a newer read version', mutate(ROLLBACK_1K, (copy) => (copy[19] = 3)), /file format version/],
    ['too many reserved bytes for the page', mutate(ROLLBACK_1K, (copy) => (copy.set([0x02, 0x00], 16), (copy[20] = 255))), /reserved bytes/],
    ['bad payload fractions', mutate(ROLLBACK_1K, (copy) => (copy[21] = 10)), /payload fractions/],
    ['an unknown encoding', mutate(ROLLBACK_1K, (copy) => setU32(copy, 56, 7)), /text encoding/],
    ['a truncated file', ROLLBACK_1K.slice(0, 50 * 1024), /says 167 pages but the file has 50: truncated$/],
    ['a truncated WAL-mode file', WAL_4K.slice(0, 40 * 4096), /truncated, or content still in the WAL/],
    ['less than one page', ROLLBACK_1K.slice(0, 1000), /shorter than one page/],
    ['a b-tree page of the wrong type', mutate(ROLLBACK_1K, (copy) => (copy[1024] = 0x0a)), /not a table b-tree page/],
    ['a cycle in the b-tree', mutate(ROLLBACK_1K, (copy) => setU32(copy, 1024 + 8, 2)), /appears twice/],
    ['a child page past the end', mutate(ROLLBACK_1K, (copy) => setU32(copy, 1024 + 8, 9_999)), /page 9999 is outside/],
    ['too many cells for the page', mutate(ROLLBACK_1K, (copy) => copy.set([0x7f, 0xff], 1024 + 3)), /claims 32767 cells/],
    ['a cell pointer past the page', mutate(ROLLBACK_1K, (copy) => copy.set([0xff, 0xf0], 1024 + 12)), /points outside the page/],
    ['an overflow chain cut short', mutate(ROLLBACK_1K, (copy) => setU32(copy, pointers[0]!, 0)), /ends early/],
    ['an overflow page used twice', mutate(ROLLBACK_1K, (copy) => setU32(copy, pointers[1]!, u32(copy, pointers[0]!))), /used twice/],
    ['an overflow page past the end', mutate(ROLLBACK_1K, (copy) => setU32(copy, pointers[0]!, 1_000_000)), /outside the file/],
    ['no Packages table', mutate(ROLLBACK_1K, (copy) => (copy[schemaName + 5] = 0x58)), /no table Packages/],
  ])('rejects %s', (_label, bytes, message) => {
    expect(() => sqliteHeaderBlobs(bytes)).toThrow(message)
    try {
      sqliteHeaderBlobs(bytes)
    } catch (error) {
      expect((error as PackageDbError).code).toBe(PACKAGE_DB_CORRUPT)
    }
  })

  it('returns or throws PACKAGE_DB_CORRUPT on truncated and corrupted files', () => {
    const parse = (bytes: Uint8Array): unknown => readRpmDatabase('rpmdb.sqlite', bytes)
    for (const [index, input] of [ROLLBACK_1K, UTF16BE].entries()) {
      const outcome = fuzz([...truncations(input), ...flips(input, 77 + index, 300), ...flips(input, 99 + index, 300, 4, 4 * 1024)], parse)
      expect(outcome.rejected).toBeGreaterThan(0)
    }
  })
})
