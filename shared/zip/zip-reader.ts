/**
 * A bounded reader for zip archives (`.jar`, `.war`, `.ear`, wheels …) held in a `Buffer`
 * the caller has already capped, following PKWARE's APPNOTE.TXT (6.3.x): the end of central
 * directory record (§4.3.16) and its ZIP64 variant with locator (§4.3.14–4.3.15), central
 * directory headers (§4.3.12), local file headers (§4.3.7), the ZIP64 extended information
 * extra field (§4.5.3), stored (method 0) and deflated (method 8, RFC 1951) entries.
 *
 * Refused, with a {@link ZipError} and a stable code:
 * - `ZIP_INVALID`: no end of central directory record, tables or data outside the buffer,
 *   local and central headers that disagree on the name, entries whose data overlap (the
 *   overlapping-file zip bomb), data that inflates to another size or fails its CRC-32;
 * - `ZIP_TOO_LARGE`: more entries than allowed, an entry larger than the per-entry cap or the
 *   remaining total budget, or compressed more than `maxRatio` times (decompression bombs);
 *   the declared sizes are checked before inflating, and inflation itself is capped
 *   (`maxOutputLength`) at the declared size so a lying header cannot inflate further;
 * - `ZIP_PATH_INVALID`: entry names that are empty, absolute (`/x`, `\x`, `C:x`), climb out
 *   with a `..` segment, or hold a NUL (path games);
 * - `ZIP_UNSUPPORTED`: multi-disk archives, encrypted entries, compression methods other
 *   than stored and deflate.
 *
 * Decisions: bytes prepended to the archive (self-extracting stubs, Spring Boot "fully
 * executable" launch scripts) are tolerated the way `java.util.zip` does, by shifting every
 * offset by the distance between where the central directory is and where the end record
 * says it is. Duplicate names are kept (some build tools write them): {@link ZipReader.entries}
 * lists them all, {@link ZipReader.entry} returns the first. Names are decoded as UTF-8
 * whatever the language-encoding flag says (Java tools write UTF-8 names).
 *
 * @see https://pkware.cachefly.net/webdocs/casestudies/APPNOTE.TXT
 * @module
 */
import * as zlib from 'node:zlib'
import { ErrorCode, PushscanError } from '../errors.js'

/** Local error codes; the lead merges them into `ErrorCode` in shared/errors.ts. */
export const ZipErrorCode = {
  ZipInvalid: ErrorCode.ZipInvalid,
  ZipTooLarge: ErrorCode.ZipTooLarge,
  ZipPathInvalid: ErrorCode.ZipPathInvalid,
  ZipUnsupported: ErrorCode.ZipUnsupported,
} as const

/** One of the {@link ZipErrorCode} values. */
export type ZipErrorCode = (typeof ZipErrorCode)[keyof typeof ZipErrorCode]

/** A zip archive that is malformed, hostile, too large or uses unsupported features. */
export class ZipError extends PushscanError {
  override name = 'ZipError'

  constructor(code: ZipErrorCode, message: string, options: { cause?: unknown } = {}) {
    // the ZIP_* codes join ErrorCode when the lead merges the local codes
    super(code, message, options)
  }
}

/** Limits against hostile archives; defaults in {@link DEFAULT_ZIP_LIMITS}. */
export interface ZipLimits {
  /** Central directory entries. */
  maxEntries: number
  /** Uncompressed bytes of one entry read. */
  maxEntryBytes: number
  /** Uncompressed bytes read from this archive in total (unless a shared budget is given). */
  maxTotalBytes: number
  /** Highest uncompressed / compressed ratio of an entry larger than `ratioThreshold`. */
  maxRatio: number
  /** Entries up to this many uncompressed bytes are exempt from `maxRatio`. */
  ratioThreshold: number
  /** Bytes of one entry name. */
  maxNameLength: number
}

const MiB = 1024 * 1024

/** The default limits: room for the largest real jars, nothing for a bomb. */
export const DEFAULT_ZIP_LIMITS: Readonly<ZipLimits> = Object.freeze({
  maxEntries: 200_000,
  maxEntryBytes: 64 * MiB,
  maxTotalBytes: 512 * MiB,
  maxRatio: 200,
  ratioThreshold: 1 * MiB,
  maxNameLength: 4096,
})

/**
 * Uncompressed bytes still allowed; share one between the readers of nested archives so
 * the total stays capped however deep the nesting goes.
 */
export interface ZipBudget {
  remainingBytes: number
}

/** Options of {@link openZip}. */
export interface ZipOptions {
  limits?: Partial<ZipLimits>
  /** Shared budget; by default each reader gets `maxTotalBytes` of its own. */
  budget?: ZipBudget
}

/** One central directory entry, as plain data. */
export interface ZipEntry {
  name: string
  /** Names ending in `/`. */
  directory: boolean
  /** 0 stored, 8 deflate (others cannot be read). */
  method: number
  compressedSize: number
  uncompressedSize: number
  crc32: number
  /** General purpose flag bit 0 (traditional or strong encryption). */
  encrypted: boolean
  /** Offset of the local header in the buffer (prepended bytes accounted for). */
  localHeaderOffset: number
  /** Offset of the entry's (compressed) data in the buffer. */
  dataOffset: number
}

const SIG_LOCAL = 0x04034b50
const SIG_CENTRAL = 0x02014b50
const SIG_EOCD = 0x06054b50
const SIG_EOCD64 = 0x06064b50
const SIG_EOCD64_LOCATOR = 0x07064b50
const EOCD_SIZE = 22
const EOCD64_SIZE = 56
const LOCATOR_SIZE = 20
const CENTRAL_SIZE = 46
const LOCAL_SIZE = 30
const MAX_COMMENT = 0xffff
const ZIP64_EXTRA = 0x0001

function fail(code: ZipErrorCode, message: string, cause?: unknown): ZipError {
  return new ZipError(code, message, cause === undefined ? {} : { cause })
}

function invalid(message: string): ZipError {
  return fail(ZipErrorCode.ZipInvalid, `invalid zip archive: ${message}`)
}

/** True when `data` starts like a zip archive (a local file header, or an empty archive). */
export function isZip(data: Uint8Array): boolean {
  return data.length >= 4 && data[0] === 0x50 && data[1] === 0x4b && ((data[2] === 3 && data[3] === 4) || (data[2] === 5 && data[3] === 6))
}

let crcTable: Uint32Array | undefined

/** CRC-32 (ISO-HDLC, polynomial 0xEDB88320), as zip stores it; node:zlib's when it has one (Node ≥ 20.15). */
export function crc32(data: Uint8Array): number {
  return typeof zlib.crc32 === 'function' ? zlib.crc32(data) >>> 0 : softwareCrc32(data)
}

/** The table-driven CRC-32 used when node:zlib has none (exported for tests). */
export function softwareCrc32(data: Uint8Array): number {
  if (crcTable === undefined) {
    crcTable = new Uint32Array(256)
    for (let n = 0; n < 256; n++) {
      let c = n
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1
      crcTable[n] = c >>> 0
    }
  }
  let crc = 0xffffffff
  for (let i = 0; i < data.length; i++) crc = crcTable[(crc ^ data[i]!) & 0xff]! ^ (crc >>> 8)
  return (crc ^ 0xffffffff) >>> 0
}

/** Why a name is a path game, or undefined for an acceptable name. */
export function unsafeZipPath(name: string): string | undefined {
  if (name === '') return 'empty name'
  if (name.includes('\0')) return 'NUL byte in name'
  if (name.startsWith('/') || name.startsWith('\\')) return 'absolute path'
  if (/^[A-Za-z]:/.test(name)) return 'drive letter'
  if (name.split(/[/\\]/).includes('..')) return '".." segment'
  return undefined
}

/**
 * Reads the central directory of the zip archive in `data` and checks every local header
 * against it; throws {@link ZipError}. Entry contents are read on demand with
 * {@link ZipReader.read}.
 */
export function openZip(data: Buffer, options: ZipOptions = {}): ZipReader {
  return new ZipReader(data, options)
}

/** An opened zip archive. Construct with {@link openZip}. */
export class ZipReader {
  readonly comment: string
  private readonly data: Buffer
  private readonly limits: ZipLimits
  private readonly budget: ZipBudget
  private readonly list: ZipEntry[]
  private readonly byName = new Map<string, ZipEntry>()
  private readonly byOffset = new Map<number, ZipEntry>()

  /** @internal use {@link openZip} */
  constructor(data: Buffer, options: ZipOptions) {
    this.data = data
    this.limits = { ...DEFAULT_ZIP_LIMITS, ...options.limits }
    this.budget = options.budget ?? { remainingBytes: this.limits.maxTotalBytes }
    const end = this.findEnd()
    this.comment = end.comment
    this.list = this.readCentralDirectory(end)
    for (const entry of this.list) if (!this.byName.has(entry.name)) this.byName.set(entry.name, entry)
    for (const entry of this.list) this.byOffset.set(entry.localHeaderOffset, entry)
    this.checkOverlaps()
  }

  /** Every central directory entry, in directory order (copies). */
  entries(): ZipEntry[] {
    return this.list.map((entry) => ({ ...entry }))
  }

  /** The first entry called `name`. */
  entry(name: string): ZipEntry | undefined {
    const entry = this.byName.get(name)
    return entry === undefined ? undefined : { ...entry }
  }

  /**
   * The uncompressed bytes of an entry (by name, or an entry from {@link entries}), at most
   * `maxBytes` (and the per-entry limit): a larger entry is refused, not truncated.
   */
  read(nameOrEntry: string | ZipEntry, maxBytes: number = this.limits.maxEntryBytes): Buffer {
    const entry = typeof nameOrEntry === 'string' ? this.byName.get(nameOrEntry) : this.byOffset.get(nameOrEntry.localHeaderOffset)
    if (entry === undefined) throw invalid(`no entry "${typeof nameOrEntry === 'string' ? nameOrEntry : nameOrEntry.name}"`)
    const name = entry.name
    if (entry.encrypted) throw fail(ZipErrorCode.ZipUnsupported, `zip entry "${name}" is encrypted`)
    if (entry.method !== 0 && entry.method !== 8) throw fail(ZipErrorCode.ZipUnsupported, `zip entry "${name}" uses compression method ${entry.method}`)
    const limit = Math.min(maxBytes, this.limits.maxEntryBytes)
    const size = entry.uncompressedSize
    if (size > limit) throw fail(ZipErrorCode.ZipTooLarge, `zip entry "${name}" is ${size} bytes uncompressed, over the limit of ${limit}`)
    if (size > this.budget.remainingBytes) {
      throw fail(ZipErrorCode.ZipTooLarge, `zip entry "${name}" (${size} bytes) exceeds the remaining uncompressed budget of ${this.budget.remainingBytes} bytes`)
    }
    if (size > this.limits.ratioThreshold && size / Math.max(1, entry.compressedSize) > this.limits.maxRatio) {
      throw fail(ZipErrorCode.ZipTooLarge, `zip entry "${name}" is compressed ${Math.round(size / Math.max(1, entry.compressedSize))} times, over the limit of ${this.limits.maxRatio} (a zip bomb?)`)
    }
    const compressed = this.data.subarray(entry.dataOffset, entry.dataOffset + entry.compressedSize)
    let output: Buffer
    if (entry.method === 0) {
      if (entry.compressedSize !== size) throw invalid(`stored entry "${name}" has different compressed and uncompressed sizes`)
      output = compressed
    } else {
      try {
        output = zlib.inflateRawSync(compressed, { maxOutputLength: Math.max(1, size) })
      } catch (error) {
        if (error instanceof RangeError) throw invalid(`entry "${name}" inflates to more than its declared ${size} bytes`)
        throw fail(ZipErrorCode.ZipInvalid, `invalid zip archive: entry "${name}" does not inflate: ${(error as Error).message}`, error)
      }
      if (output.length !== size) throw invalid(`entry "${name}" inflates to ${output.length} bytes, not the declared ${size}`)
    }
    if (crc32(output) !== entry.crc32) throw invalid(`entry "${name}" fails its CRC-32 check`)
    this.budget.remainingBytes -= size
    return output
  }

  private u16(offset: number): number {
    return this.data.readUInt16LE(offset)
  }

  private u32(offset: number): number {
    return this.data.readUInt32LE(offset)
  }

  private u64(offset: number, what: string): number {
    const value = this.data.readBigUInt64LE(offset)
    if (value > BigInt(Number.MAX_SAFE_INTEGER)) throw invalid(`${what} is too large`)
    return Number(value)
  }

  private within(offset: number, size: number, what: string): void {
    if (!Number.isSafeInteger(offset) || !Number.isSafeInteger(size) || offset < 0 || size < 0 || offset + size > this.data.length) {
      throw invalid(`${what} (offset ${offset}, ${size} bytes) is outside the archive (${this.data.length} bytes)`)
    }
  }

  /** Locates the end of central directory record (and its ZIP64 variant). */
  private findEnd(): { entries: number; centralStart: number; centralSize: number; base: number; comment: string } {
    const data = this.data
    if (data.length < EOCD_SIZE) throw invalid('too short to hold an end of central directory record')
    let at = -1
    const lowest = Math.max(0, data.length - EOCD_SIZE - MAX_COMMENT)
    for (let i = data.length - EOCD_SIZE; i >= lowest; i--) {
      if (data[i] === 0x50 && data[i + 1] === 0x4b && this.u32(i) === SIG_EOCD && i + EOCD_SIZE + this.u16(i + 20) <= data.length) {
        at = i
        break
      }
    }
    if (at === -1) throw invalid('no end of central directory record')
    const disk = this.u16(at + 4)
    const centralDisk = this.u16(at + 6)
    let diskEntries = this.u16(at + 8)
    let entries = this.u16(at + 10)
    let centralSize = this.u32(at + 12)
    let centralOffset = this.u32(at + 16)
    const comment = data.toString('utf8', at + EOCD_SIZE, at + EOCD_SIZE + this.u16(at + 20))
    let recordStart = at
    const locatorAt = at - LOCATOR_SIZE
    if (locatorAt >= 0 && this.u32(locatorAt) === SIG_EOCD64_LOCATOR) {
      if (this.u32(locatorAt + 16) > 1) throw fail(ZipErrorCode.ZipUnsupported, 'multi-disk zip archives are not supported')
      const declared = this.u64(locatorAt + 8, 'the ZIP64 end of central directory offset')
      // the record normally sits right before the locator; with prepended bytes, it is there rather than where declared
      const candidates = [locatorAt - EOCD64_SIZE, declared]
      const record = candidates.find((offset) => offset >= 0 && offset + EOCD64_SIZE <= locatorAt && this.u32(offset) === SIG_EOCD64)
      if (record === undefined) throw invalid('ZIP64 locator without a ZIP64 end of central directory record')
      if (this.u32(record + 16) !== 0 || this.u32(record + 20) !== 0) throw fail(ZipErrorCode.ZipUnsupported, 'multi-disk zip archives are not supported')
      diskEntries = this.u64(record + 24, 'the ZIP64 entry count')
      entries = this.u64(record + 32, 'the ZIP64 entry count')
      centralSize = this.u64(record + 40, 'the ZIP64 central directory size')
      centralOffset = this.u64(record + 48, 'the ZIP64 central directory offset')
      recordStart = record
    } else {
      if (disk !== 0 || centralDisk !== 0) throw fail(ZipErrorCode.ZipUnsupported, 'multi-disk zip archives are not supported')
      if (entries === 0xffff || centralSize === 0xffffffff || centralOffset === 0xffffffff) {
        throw invalid('ZIP64 values without a ZIP64 end of central directory record')
      }
    }
    if (diskEntries !== entries) throw fail(ZipErrorCode.ZipUnsupported, 'multi-disk zip archives are not supported')
    if (entries > this.limits.maxEntries) throw fail(ZipErrorCode.ZipTooLarge, `zip archive has ${entries} entries, over the limit of ${this.limits.maxEntries}`)
    const centralStart = recordStart - centralSize
    if (centralStart < 0) throw invalid('the central directory would start before the archive')
    const base = centralStart - centralOffset
    if (base < 0) throw invalid('the central directory is not where the end record says')
    if (entries * CENTRAL_SIZE > centralSize) throw invalid(`${entries} entries cannot fit in a ${centralSize}-byte central directory`)
    return { entries, centralStart, centralSize, base, comment }
  }

  private readCentralDirectory(end: { entries: number; centralStart: number; centralSize: number; base: number }): ZipEntry[] {
    const list: ZipEntry[] = []
    const centralEnd = end.centralStart + end.centralSize
    let at = end.centralStart
    for (let index = 0; index < end.entries; index++) {
      if (at + CENTRAL_SIZE > centralEnd) throw invalid(`central directory entry ${index} is truncated`)
      if (this.u32(at) !== SIG_CENTRAL) throw invalid(`central directory entry ${index} has a bad signature`)
      const flags = this.u16(at + 8)
      const method = this.u16(at + 10)
      const crc = this.u32(at + 16)
      let compressedSize = this.u32(at + 20)
      let uncompressedSize = this.u32(at + 24)
      const nameLength = this.u16(at + 28)
      const extraLength = this.u16(at + 30)
      const commentLength = this.u16(at + 32)
      let diskStart = this.u16(at + 34)
      let localOffset = this.u32(at + 42)
      const next = at + CENTRAL_SIZE + nameLength + extraLength + commentLength
      if (next > centralEnd) throw invalid(`central directory entry ${index} is truncated`)
      if (nameLength > this.limits.maxNameLength) throw fail(ZipErrorCode.ZipPathInvalid, `zip entry ${index} has a ${nameLength}-byte name`)
      const nameBytes = this.data.subarray(at + CENTRAL_SIZE, at + CENTRAL_SIZE + nameLength)
      const name = nameBytes.toString('utf8')
      const unsafe = unsafeZipPath(name)
      if (unsafe !== undefined) throw fail(ZipErrorCode.ZipPathInvalid, `zip entry ${JSON.stringify(name)} is refused: ${unsafe}`)
      // ZIP64 extended information: only the fields saturated in the header, in this order
      const extraStart = at + CENTRAL_SIZE + nameLength
      for (let e = extraStart; e + 4 <= extraStart + extraLength; ) {
        const id = this.u16(e)
        const size = this.u16(e + 2)
        if (e + 4 + size > extraStart + extraLength) throw invalid(`zip entry "${name}" has a truncated extra field`)
        if (id === ZIP64_EXTRA) {
          let field = e + 4
          const take = (what: string): number => {
            if (field + 8 > e + 4 + size) throw invalid(`zip entry "${name}" has a short ZIP64 extra field`)
            const value = this.u64(field, what)
            field += 8
            return value
          }
          if (uncompressedSize === 0xffffffff) uncompressedSize = take('a ZIP64 size')
          if (compressedSize === 0xffffffff) compressedSize = take('a ZIP64 size')
          if (localOffset === 0xffffffff) localOffset = take('a ZIP64 offset')
          if (diskStart === 0xffff && field + 4 <= e + 4 + size) diskStart = this.u32(field)
        }
        e += 4 + size
      }
      if (diskStart !== 0) throw fail(ZipErrorCode.ZipUnsupported, 'multi-disk zip archives are not supported')
      const localHeaderOffset = localOffset + end.base
      this.within(localHeaderOffset, LOCAL_SIZE, `the local header of "${name}"`)
      if (this.u32(localHeaderOffset) !== SIG_LOCAL) throw invalid(`the local header of "${name}" has a bad signature`)
      const localNameLength = this.u16(localHeaderOffset + 26)
      const localExtraLength = this.u16(localHeaderOffset + 28)
      this.within(localHeaderOffset + LOCAL_SIZE, localNameLength + localExtraLength, `the local header of "${name}"`)
      const localName = this.data.subarray(localHeaderOffset + LOCAL_SIZE, localHeaderOffset + LOCAL_SIZE + localNameLength)
      if (!localName.equals(nameBytes)) throw invalid(`the local and central headers of "${name}" disagree on the name`)
      const dataOffset = localHeaderOffset + LOCAL_SIZE + localNameLength + localExtraLength
      if (dataOffset + compressedSize > end.centralStart) throw invalid(`the data of "${name}" runs into the central directory or past the archive`)
      list.push({
        name,
        directory: name.endsWith('/'),
        method,
        compressedSize,
        uncompressedSize,
        crc32: crc,
        encrypted: (flags & 1) !== 0,
        localHeaderOffset,
        dataOffset,
      })
      at = next
    }
    return list
  }

  /** Entries may not share bytes: the overlapping-file zip bomb reuses one compressed kernel. */
  private checkOverlaps(): void {
    const sorted = [...this.list].sort((a, b) => a.localHeaderOffset - b.localHeaderOffset)
    for (let i = 1; i < sorted.length; i++) {
      const previous = sorted[i - 1]!
      const current = sorted[i]!
      if (current.localHeaderOffset < previous.dataOffset + previous.compressedSize) {
        throw invalid(`entries "${previous.name}" and "${current.name}" overlap (an overlapping-file zip bomb?)`)
      }
    }
  }
}
