/**
 * rpm package headers as stored in the rpm databases: the header "image" (what rpm's
 * `headerExport` writes), without the 8-byte magic that precedes headers in `.rpm` files
 * (accepted too, when present).
 *
 * Layout, all integers big-endian:
 * - `il` (uint32): the number of index entries; `dl` (uint32): the size of the data store;
 * - `il` index entries of 16 bytes: tag (int32), type (uint32), offset into the data store
 *   (int32), count (uint32);
 * - the data store, `dl` bytes. Types: NULL 0, CHAR 1, INT8 2, INT16 3, INT32 4, INT64 5,
 *   STRING 6 (NUL-terminated), BIN 7, STRING_ARRAY 8 (`count` NUL-terminated strings),
 *   I18NSTRING 9 (one string per locale; the first is used).
 *
 * Files are stored compressed: `DIRNAMES` (1118) holds the directories, `BASENAMES` (1117)
 * the base names, and `DIRINDEXES` (1116) the directory of each base name; very old packages
 * have `OLDFILENAMES` (1027) instead.
 *
 * Every offset, count and string is bounds-checked against the data store; anything out of
 * bounds is a {@link PackageDbError}, never a crash or a read past the blob.
 *
 * @see https://github.com/rpm-software-management/rpm/blob/master/docs/manual/format_header.md
 * @see https://github.com/rpm-software-management/rpm/blob/master/docs/manual/tags.md
 * @module
 */
import { FileBudget, PackageDbError, type PackageDbLimits, packageDbLimits } from '../package-db-error.js'

/** The header tags read here. */
export const RpmTag = {
  HeaderImage: 61,
  HeaderSignatures: 62,
  HeaderImmutable: 63,
  Name: 1000,
  Version: 1001,
  Release: 1002,
  Epoch: 1003,
  Summary: 1004,
  Size: 1009,
  Vendor: 1011,
  License: 1014,
  Arch: 1022,
  OldFilenames: 1027,
  SourceRpm: 1044,
  DirIndexes: 1116,
  Basenames: 1117,
  Dirnames: 1118,
  LongSize: 5009,
  ModularityLabel: 5096,
} as const

/** The header value types. */
export const RpmType = {
  Null: 0,
  Char: 1,
  Int8: 2,
  Int16: 3,
  Int32: 4,
  Int64: 5,
  String: 6,
  Bin: 7,
  StringArray: 8,
  I18nString: 9,
} as const

/** One package of an rpm database. */
export interface RpmPackage {
  name: string
  version: string
  release: string
  /** Absent when the header has no epoch (which rpm compares as 0). */
  epoch?: number
  /** Absent for `gpg-pubkey` pseudo-packages. */
  arch?: string
  /** The source rpm's file name (`bash-5.2.15-3.fc39.src.rpm`). */
  sourceRpm?: string
  license?: string
  vendor?: string
  /** Installed size in bytes (`LONGSIZE`, else `SIZE`). */
  size?: number
  summary?: string
  /** The modularity label of RHEL 8 module packages. */
  modularityLabel?: string
  /** Absolute paths of the package's files and directories, in header order. */
  files: string[]
}

/** A raw index entry. */
export interface RpmHeaderEntry {
  tag: number
  type: number
  offset: number
  count: number
}

const HEADER_MAGIC = [0x8e, 0xad, 0xe8, 0x01]
/** rpm's own sanity limits (hdrchkTags, hdrchkData). */
const MAX_ENTRIES = 0xffff
const MAX_DATA = 0x0fffffff
const TYPE_SIZES: Record<number, number> = { 1: 1, 2: 1, 3: 2, 4: 4, 5: 8, 7: 1 }

const utf8 = new TextDecoder('utf-8')

/** A parsed header: its entries by tag and typed accessors that bounds-check. */
export class RpmHeader {
  readonly entries: ReadonlyMap<number, RpmHeaderEntry>
  readonly #data: Uint8Array
  readonly #view: DataView

  private constructor(entries: Map<number, RpmHeaderEntry>, data: Uint8Array) {
    this.entries = entries
    this.#data = data
    this.#view = new DataView(data.buffer, data.byteOffset, data.byteLength)
  }

  /**
   * Reads the index of a header blob and checks every entry against the data store.
   *
   * @throws PackageDbError when the blob is truncated or an entry points outside it.
   */
  static parse(blob: Uint8Array): RpmHeader {
    let start = 0
    if (blob.length >= 16 && HEADER_MAGIC.every((byte, index) => blob[index] === byte)) start = 8
    if (blob.length - start < 8) throw new PackageDbError(`rpm header of ${blob.length} bytes is truncated`)
    const view = new DataView(blob.buffer, blob.byteOffset, blob.byteLength)
    const il = view.getUint32(start)
    const dl = view.getUint32(start + 4)
    if (il < 1 || il > MAX_ENTRIES) throw new PackageDbError(`rpm header has an invalid entry count ${il}`)
    if (dl > MAX_DATA) throw new PackageDbError(`rpm header has an invalid data size ${dl}`)
    const dataStart = start + 8 + il * 16
    if (dataStart + dl > blob.length) {
      throw new PackageDbError(`rpm header is truncated: ${il} entries and ${dl} data bytes need ${dataStart + dl} bytes, the blob has ${blob.length}`)
    }
    const data = blob.subarray(dataStart, dataStart + dl)
    const entries = new Map<number, RpmHeaderEntry>()
    for (let index = 0; index < il; index++) {
      const at = start + 8 + index * 16
      const entry: RpmHeaderEntry = {
        tag: view.getInt32(at),
        type: view.getUint32(at + 4),
        offset: view.getInt32(at + 8),
        count: view.getUint32(at + 12),
      }
      if (entry.type > RpmType.I18nString) throw new PackageDbError(`rpm header tag ${entry.tag} has an invalid type ${entry.type}`)
      if (entry.tag >= RpmTag.HeaderImage && entry.tag <= RpmTag.HeaderImmutable) continue // region markers
      if (entry.offset < 0 || entry.offset > dl || entry.count < 1 || entry.count > dl - entry.offset + 1) {
        throw new PackageDbError(`rpm header tag ${entry.tag} points outside the data store (offset ${entry.offset}, count ${entry.count}, size ${dl})`)
      }
      const size = TYPE_SIZES[entry.type]
      if (size !== undefined && entry.offset + entry.count * size > dl) {
        throw new PackageDbError(`rpm header tag ${entry.tag} runs past the data store`)
      }
      if (!entries.has(entry.tag)) entries.set(entry.tag, entry)
    }
    return new RpmHeader(entries, data)
  }

  /** The strings of a STRING, STRING_ARRAY or I18NSTRING entry (at most `limit`). */
  strings(tag: number, limit = Number.MAX_SAFE_INTEGER): string[] | undefined {
    const entry = this.entries.get(tag)
    if (!entry) return undefined
    if (entry.type !== RpmType.String && entry.type !== RpmType.StringArray && entry.type !== RpmType.I18nString) {
      throw new PackageDbError(`rpm header tag ${tag} has type ${entry.type}, not a string`)
    }
    const wanted = Math.min(entry.type === RpmType.String ? 1 : entry.count, limit)
    const out: string[] = []
    let at = entry.offset
    for (let index = 0; index < wanted; index++) {
      const end = this.#data.indexOf(0, at)
      if (end < 0) throw new PackageDbError(`rpm header tag ${tag}: string ${index} is not terminated inside the data store`)
      out.push(utf8.decode(this.#data.subarray(at, end)))
      at = end + 1
    }
    return out
  }

  /** The first string of a string entry. */
  string(tag: number): string | undefined {
    return this.strings(tag, 1)?.[0]
  }

  /** The values of an integer entry (INT8/INT16/INT32/INT64; INT64 as numbers, exact up to 2^53). */
  integers(tag: number): number[] | undefined {
    const entry = this.entries.get(tag)
    if (!entry) return undefined
    const out: number[] = []
    for (let index = 0; index < entry.count; index++) {
      switch (entry.type) {
        case RpmType.Char:
        case RpmType.Int8:
          out.push(this.#view.getUint8(entry.offset + index))
          break
        case RpmType.Int16:
          out.push(this.#view.getUint16(entry.offset + index * 2))
          break
        case RpmType.Int32:
          out.push(this.#view.getUint32(entry.offset + index * 4))
          break
        case RpmType.Int64:
          out.push(Number(this.#view.getBigUint64(entry.offset + index * 8)))
          break
        default:
          throw new PackageDbError(`rpm header tag ${tag} has type ${entry.type}, not an integer`)
      }
    }
    return out
  }
}

/**
 * The package described by an rpm header blob.
 *
 * @throws PackageDbError when the blob is malformed, lacks a name, version or release, its
 *   file list is inconsistent, or it lists more files than `limits.maxFilesPerPackage`.
 */
export function parseRpmHeader(blob: Uint8Array, limits: Partial<PackageDbLimits> = {}): RpmPackage {
  return packageFromHeader(blob, new FileBudget(packageDbLimits(limits)))
}

/** {@link parseRpmHeader} drawing on a budget shared by the whole database. */
export function packageFromHeader(blob: Uint8Array, budget: FileBudget): RpmPackage {
  const header = RpmHeader.parse(blob)
  const name = header.string(RpmTag.Name)
  const version = header.string(RpmTag.Version)
  const release = header.string(RpmTag.Release)
  if (!name || version === undefined || release === undefined) throw new PackageDbError('rpm header without a name, version or release')
  const pkg: RpmPackage = { name, version, release, files: [] }
  const epoch = header.integers(RpmTag.Epoch)?.[0]
  if (epoch !== undefined) pkg.epoch = epoch
  const optional = [
    ['arch', RpmTag.Arch],
    ['sourceRpm', RpmTag.SourceRpm],
    ['license', RpmTag.License],
    ['vendor', RpmTag.Vendor],
    ['summary', RpmTag.Summary],
    ['modularityLabel', RpmTag.ModularityLabel],
  ] as const
  for (const [key, tag] of optional) {
    const value = header.string(tag)
    if (value) pkg[key] = value
  }
  const size = header.integers(RpmTag.LongSize)?.[0] ?? header.integers(RpmTag.Size)?.[0]
  if (size !== undefined) pkg.size = size
  pkg.files = filesOf(header, name, budget)
  return pkg
}

function filesOf(header: RpmHeader, name: string, budget: FileBudget): string[] {
  const basenamesEntry = header.entries.get(RpmTag.Basenames)
  if (!basenamesEntry) {
    const old = header.entries.get(RpmTag.OldFilenames)
    if (!old) return []
    budget.take(old.count, `package ${name}`)
    return header.strings(RpmTag.OldFilenames) ?? []
  }
  budget.take(basenamesEntry.count, `package ${name}`)
  const basenames = header.strings(RpmTag.Basenames) ?? []
  const dirIndexes = header.integers(RpmTag.DirIndexes) ?? []
  const dirnamesEntry = header.entries.get(RpmTag.Dirnames)
  if (dirIndexes.length !== basenames.length || !dirnamesEntry) {
    throw new PackageDbError(`rpm header of ${name}: ${basenames.length} base names but ${dirIndexes.length} directory indexes`)
  }
  const dirnames = header.strings(RpmTag.Dirnames) ?? []
  return basenames.map((basename, index) => {
    const dirname = dirnames[dirIndexes[index]!]
    if (dirname === undefined) throw new PackageDbError(`rpm header of ${name}: directory index ${dirIndexes[index]} out of range`)
    return dirname + basename
  })
}
