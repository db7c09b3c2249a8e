/**
 * A minimal read-only reader of SQLite 3 database files, enough to read rpm's
 * `rpmdb.sqlite` (rpm ≥ 4.16: Fedora ≥ 33, RHEL ≥ 9, Amazon Linux 2023…), whose
 * `Packages` table is `CREATE TABLE Packages (hnum INTEGER PRIMARY KEY AUTOINCREMENT,
 * blob BLOB NOT NULL)` and holds one rpm header blob per row.
 *
 * What it reads: the 100-byte database header (page size, reserved bytes, text encoding,
 * page count), the schema table rooted at page 1, table b-trees (interior pages 0x05 and
 * leaf pages 0x0d), cells with their varints, the record format (serial types), and
 * overflow page chains for payloads larger than a page. Text in UTF-8, UTF-16le and
 * UTF-16be is decoded.
 *
 * What it refuses, with a {@link PackageDbError}: anything malformed (bad magic or page size,
 * a page number past the end of the file, a cycle in the tree or an overflow chain, a cell or
 * record running past its page or payload, an overflow page used twice), and a file format
 * newer than SQLite 3 knows (read version > 2). It reads the main database file only: in WAL
 * mode (rpm's default) changes not yet checkpointed live in `rpmdb.sqlite-wal` and are not
 * seen; when the main file refers to pages it does not have, or has no `Packages` table,
 * the error says the content may still be in the WAL. Index b-trees, the freelist and
 * pointer-map pages are never needed and never read.
 *
 * Work is bounded by the file: every page is visited at most once per tree, every overflow
 * page at most once per tree, so a payload never costs more than the file's size.
 *
 * @see https://www.sqlite.org/fileformat2.html
 * @module
 */
import { PackageDbError, type PackageDbLimits, checkPackageCount, packageDbLimits } from '../package-db-error.js'

/** A column value: NULL, an integer (bigint only past 2^53), a float, text or a blob. */
export type SqliteValue = null | number | bigint | string | Uint8Array

/** One row of a table b-tree. */
export interface SqliteRow {
  /** The rowid (for `INTEGER PRIMARY KEY` tables also the key column, stored as NULL in `values`). */
  rowid: number
  values: SqliteValue[]
}

/** One row of the schema table (`sqlite_schema`). */
export interface SqliteSchemaEntry {
  type: string
  name: string
  tableName: string
  rootPage: number
  sql: string
}

const MAGIC = 'SQLite format 3\0'
const LEAF_TABLE = 0x0d
const INTERIOR_TABLE = 0x05

/** A SQLite database held in memory. */
export class SqliteFile {
  readonly bytes: Uint8Array
  readonly pageSize: number
  /** Page size less the reserved bytes at the end of each page. */
  readonly usableSize: number
  readonly encoding: 'utf-8' | 'utf-16le' | 'utf-16be'
  readonly pageCount: number
  /** True when the header says the database is in WAL mode. */
  readonly wal: boolean
  readonly #view: DataView
  readonly #decode: (bytes: Uint8Array) => string

  /**
   * Reads and checks the database header.
   *
   * @throws PackageDbError when `bytes` is not a SQLite 3 database this reader supports.
   */
  constructor(bytes: Uint8Array) {
    if (bytes.length === 0) throw new PackageDbError('SQLite: empty file (a database in WAL mode can have all its content in the -wal file)')
    if (bytes.length < 100 || new TextDecoder('latin1').decode(bytes.subarray(0, 16)) !== MAGIC) {
      throw new PackageDbError('not a SQLite 3 database (bad magic)')
    }
    this.bytes = bytes
    this.#view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
    const rawPageSize = this.#view.getUint16(16)
    this.pageSize = rawPageSize === 1 ? 65536 : rawPageSize
    if (this.pageSize < 512 || (this.pageSize & (this.pageSize - 1)) !== 0) throw new PackageDbError(`SQLite: invalid page size ${rawPageSize}`)
    const writeVersion = bytes[18]!
    const readVersion = bytes[19]!
    if (readVersion < 1 || readVersion > 2 || writeVersion < 1) {
      throw new PackageDbError(`SQLite: unsupported file format version (read ${readVersion}, write ${writeVersion})`)
    }
    this.wal = readVersion === 2
    this.usableSize = this.pageSize - bytes[20]!
    if (this.usableSize < 480) throw new PackageDbError(`SQLite: ${bytes[20]} reserved bytes leave too little of a ${this.pageSize}-byte page`)
    if (bytes[21] !== 64 || bytes[22] !== 32 || bytes[23] !== 32) throw new PackageDbError('SQLite: invalid payload fractions')
    const encoding = this.#view.getUint32(56)
    if (encoding === 0 || encoding === 1) this.encoding = 'utf-8'
    else if (encoding === 2) this.encoding = 'utf-16le'
    else if (encoding === 3) this.encoding = 'utf-16be'
    else throw new PackageDbError(`SQLite: unknown text encoding ${encoding}`)
    const decoder = new TextDecoder(this.encoding === 'utf-8' ? 'utf-8' : 'utf-16le')
    this.#decode = (bytes) => decoder.decode(bytes)
    const filePages = Math.floor(bytes.length / this.pageSize)
    if (filePages < 1) throw new PackageDbError('SQLite: the file is shorter than one page')
    const headerPages = this.#view.getUint32(28)
    const headerPagesValid = headerPages !== 0 && this.#view.getUint32(24) === this.#view.getUint32(92)
    if (headerPagesValid && headerPages > filePages) {
      throw new PackageDbError(
        `SQLite: the header says ${headerPages} pages but the file has ${filePages}: truncated${this.wal ? ', or content still in the WAL' : ''}`,
      )
    }
    this.pageCount = headerPagesValid ? headerPages : filePages
  }

  /** The bytes of page `pageNumber` (1-based). */
  page(pageNumber: number): Uint8Array {
    if (!Number.isInteger(pageNumber) || pageNumber < 1 || pageNumber > this.pageCount) {
      throw new PackageDbError(
        `SQLite: page ${pageNumber} is outside the file's ${this.pageCount} pages${this.wal ? ' (content may still be in the WAL)' : ''}`,
      )
    }
    const start = (pageNumber - 1) * this.pageSize
    return this.bytes.subarray(start, start + this.pageSize)
  }

  /** The schema: tables, indexes, views and triggers. */
  schema(): SqliteSchemaEntry[] {
    const out: SqliteSchemaEntry[] = []
    for (const row of this.rows(1)) {
      const [type, name, tableName, rootPage, sql] = row.values
      if (typeof type !== 'string' || typeof name !== 'string') throw new PackageDbError('SQLite: malformed schema row')
      out.push({
        type,
        name,
        tableName: typeof tableName === 'string' ? tableName : name,
        rootPage: typeof rootPage === 'number' ? rootPage : 0,
        sql: typeof sql === 'string' ? sql : '',
      })
    }
    return out
  }

  /** The rows of the table called `name` (case-insensitive), in rowid order. */
  *tableRows(name: string): Generator<SqliteRow> {
    const wanted = name.toLowerCase()
    const table = this.schema().find((entry) => entry.type === 'table' && entry.name.toLowerCase() === wanted)
    if (!table) throw new PackageDbError(`SQLite: no table ${name}${this.wal ? ' (or it is still only in the WAL)' : ''}`)
    yield* this.rows(table.rootPage)
  }

  /** The rows of the table b-tree rooted at `rootPage`, in rowid order. */
  *rows(rootPage: number): Generator<SqliteRow> {
    const stack = [rootPage]
    const visited = new Set<number>()
    // overflow pages already read: a page in two chains is corruption (and a memory bomb)
    const overflowPages = new Set<number>()
    while (stack.length > 0) {
      const pageNumber = stack.pop()!
      if (visited.has(pageNumber)) throw new PackageDbError(`SQLite: page ${pageNumber} appears twice in a b-tree`)
      visited.add(pageNumber)
      const page = this.page(pageNumber)
      const headerStart = pageNumber === 1 ? 100 : 0
      const type = page[headerStart]
      const cellCount = (page[headerStart + 3]! << 8) | page[headerStart + 4]!
      const headerSize = type === INTERIOR_TABLE ? 12 : 8
      const pointersStart = headerStart + headerSize
      if (pointersStart + cellCount * 2 > this.usableSize) throw new PackageDbError(`SQLite: page ${pageNumber} claims ${cellCount} cells`)
      const pointer = (index: number): number => {
        const at = (page[pointersStart + index * 2]! << 8) | page[pointersStart + index * 2 + 1]!
        if (at < pointersStart + cellCount * 2 || at >= this.usableSize) throw new PackageDbError(`SQLite: page ${pageNumber} cell ${index} points outside the page`)
        return at
      }
      if (type === LEAF_TABLE) {
        for (let index = 0; index < cellCount; index++) yield this.#leafCell(page, pageNumber, pointer(index), overflowPages)
      } else if (type === INTERIOR_TABLE) {
        const children: number[] = []
        for (let index = 0; index < cellCount; index++) children.push(readUint32(page, pointer(index)))
        children.push(readUint32(page, headerStart + 8))
        for (let index = children.length - 1; index >= 0; index--) stack.push(children[index]!)
      } else {
        throw new PackageDbError(`SQLite: page ${pageNumber} is not a table b-tree page (type ${type})`)
      }
    }
  }

  #leafCell(page: Uint8Array, pageNumber: number, at: number, overflowPages: Set<number>): SqliteRow {
    const end = this.usableSize
    const [payloadSize, afterSize] = readVarint(page, at, end)
    const [rowid, afterRowid] = readVarint(page, afterSize, end)
    if (payloadSize > this.bytes.length) throw new PackageDbError(`SQLite: a cell on page ${pageNumber} claims a ${payloadSize}-byte payload`)
    const local = this.#localPayloadSize(payloadSize)
    const overflow = local < payloadSize
    if (afterRowid + local + (overflow ? 4 : 0) > end) throw new PackageDbError(`SQLite: a cell on page ${pageNumber} runs past the page`)
    let payload: Uint8Array
    if (!overflow) {
      payload = page.subarray(afterRowid, afterRowid + payloadSize)
    } else {
      payload = new Uint8Array(payloadSize)
      payload.set(page.subarray(afterRowid, afterRowid + local))
      let filled = local
      let next = readUint32(page, afterRowid + local)
      const perPage = this.usableSize - 4
      while (filled < payloadSize) {
        if (next === 0) throw new PackageDbError(`SQLite: an overflow chain from page ${pageNumber} ends early`)
        if (overflowPages.has(next)) throw new PackageDbError(`SQLite: overflow page ${next} is used twice`)
        overflowPages.add(next)
        const overflowPage = this.page(next)
        const take = Math.min(perPage, payloadSize - filled)
        payload.set(overflowPage.subarray(4, 4 + take), filled)
        filled += take
        next = readUint32(overflowPage, 0)
      }
    }
    return { rowid, values: this.#record(payload) }
  }

  /** How much of a table leaf cell's payload is stored on the page itself. */
  #localPayloadSize(payloadSize: number): number {
    const usable = this.usableSize
    const maxLocal = usable - 35
    if (payloadSize <= maxLocal) return payloadSize
    const minLocal = Math.floor(((usable - 12) * 32) / 255) - 23
    const candidate = minLocal + ((payloadSize - minLocal) % (usable - 4))
    return candidate <= maxLocal ? candidate : minLocal
  }

  #record(payload: Uint8Array): SqliteValue[] {
    const [headerSize, afterHeaderSize] = readVarint(payload, 0, payload.length)
    if (headerSize < afterHeaderSize || headerSize > payload.length) throw new PackageDbError('SQLite: record header runs past the record')
    const types: number[] = []
    let at = afterHeaderSize
    while (at < headerSize) {
      const [serialType, next] = readVarint(payload, at, headerSize)
      types.push(serialType)
      at = next
    }
    const view = new DataView(payload.buffer, payload.byteOffset, payload.byteLength)
    const values: SqliteValue[] = []
    let offset = headerSize
    for (const serialType of types) {
      const size = serialTypeSize(serialType)
      if (offset + size > payload.length) throw new PackageDbError('SQLite: record value runs past the record')
      values.push(this.#value(serialType, view, payload, offset, size))
      offset += size
    }
    return values
  }

  #value(serialType: number, view: DataView, payload: Uint8Array, offset: number, size: number): SqliteValue {
    switch (serialType) {
      case 0:
        return null
      case 1:
        return view.getInt8(offset)
      case 2:
        return view.getInt16(offset)
      case 3:
        return (view.getInt8(offset) << 16) | view.getUint16(offset + 1)
      case 4:
        return view.getInt32(offset)
      case 5:
        return view.getInt16(offset) * 2 ** 32 + view.getUint32(offset + 2)
      case 6: {
        const value = view.getBigInt64(offset)
        return value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(value) : value
      }
      case 7:
        return view.getFloat64(offset)
      case 8:
        return 0
      case 9:
        return 1
      default: {
        const bytes = payload.subarray(offset, offset + size)
        if (serialType % 2 === 0) return bytes
        return this.#text(bytes)
      }
    }
  }

  #text(bytes: Uint8Array): string {
    if (this.encoding !== 'utf-16be') return this.#decode(bytes)
    const swapped = new Uint8Array(bytes.length - (bytes.length % 2))
    for (let index = 0; index + 1 < bytes.length; index += 2) {
      swapped[index] = bytes[index + 1]!
      swapped[index + 1] = bytes[index]!
    }
    return this.#decode(swapped)
  }
}

function serialTypeSize(serialType: number): number {
  switch (serialType) {
    case 0:
    case 8:
    case 9:
      return 0
    case 1:
      return 1
    case 2:
      return 2
    case 3:
      return 3
    case 4:
      return 4
    case 5:
      return 6
    case 6:
    case 7:
      return 8
    case 10:
    case 11:
      throw new PackageDbError(`SQLite: reserved serial type ${serialType}`)
    default:
      return Math.floor((serialType - 12) / 2)
  }
}

function readUint32(bytes: Uint8Array, at: number): number {
  if (at + 4 > bytes.length) throw new PackageDbError('SQLite: a page number runs past the page')
  return ((bytes[at]! << 24) | (bytes[at + 1]! << 16) | (bytes[at + 2]! << 8) | bytes[at + 3]!) >>> 0
}

/**
 * A SQLite varint (1–9 bytes, big-endian, 7 bits a byte, all 8 bits of a ninth) at `at`,
 * not reading at or past `end`. Values past 2^53 lose precision (only rowids can be that big).
 */
export function readVarint(bytes: Uint8Array, at: number, end: number): [value: number, next: number] {
  let value = 0
  for (let index = 0; index < 9; index++) {
    if (at + index >= end) throw new PackageDbError('SQLite: a varint runs past its page or record')
    const byte = bytes[at + index]!
    if (index === 8) return [value * 256 + byte, at + 9]
    value = value * 128 + (byte & 0x7f)
    if ((byte & 0x80) === 0) return [value, at + index + 1]
  }
  throw new PackageDbError('SQLite: invalid varint')
}

/**
 * The rpm header blobs of an `rpmdb.sqlite` file (the `blob` column of `Packages`), in
 * `hnum` order.
 *
 * @throws PackageDbError when the file is not a readable SQLite database, has no `Packages`
 *   table, a row's blob is not a blob, or it has more rows than `limits.maxPackages`.
 */
export function sqliteHeaderBlobs(bytes: Uint8Array, limits: Partial<PackageDbLimits> = {}): Uint8Array[] {
  const resolved = packageDbLimits(limits)
  const database = new SqliteFile(bytes)
  const blobs: Uint8Array[] = []
  for (const row of database.tableRows('Packages')) {
    const blob = row.values[1]
    if (!(blob instanceof Uint8Array)) throw new PackageDbError(`rpmdb.sqlite: Packages row ${row.rowid} has no blob`)
    blobs.push(blob)
    checkPackageCount(blobs.length, resolved)
  }
  return blobs
}
