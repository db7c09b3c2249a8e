/**
 * An index of an uncompressed tar file on disk, built by reading its headers only: members
 * are then read in place, at their offsets, so an image archive of many GiB is never
 * extracted nor buffered.
 *
 * Formats understood: POSIX ustar (with `prefix`), PAX extended headers (`x`; global `g`
 * headers are skipped), GNU long names and long link names (`L`, `K`), base-256 numeric
 * fields, and the old v7 layout.
 *
 * @see https://pubs.opengroup.org/onlinepubs/9699919799/utilities/pax.html#tag_20_92_13_06
 * @see https://www.gnu.org/software/tar/manual/html_node/Standard.html
 * @module
 */
import { createReadStream } from 'node:fs'

/** Members are streamed in 1 MiB reads: fewer, larger chunks for the layer walk. */
const READ_CHUNK_BYTES = 1024 * 1024
import { open, type FileHandle } from 'node:fs/promises'
import { posix } from 'node:path'
import { Readable } from 'node:stream'
import { ArchiveError, ErrorCode } from '../errors.js'
import { sniffCompression } from './magic.js'

const BLOCK = 512

/** Most members an archive may hold. */
export const MAX_TAR_ENTRIES = 100_000
/** Longest member or link name, in bytes. */
export const MAX_TAR_NAME_BYTES = 4096
/** Largest PAX extended header read. */
const MAX_PAX_BYTES = 1024 * 1024
/** Symbolic and hard links followed when resolving a member. */
const MAX_LINK_HOPS = 16

/** What a tar member is. Unknown type flags are kept as `other`. */
export type TarEntryType = 'file' | 'directory' | 'symlink' | 'hardlink' | 'other'

/** One member of the archive. */
export interface TarEntry {
  /** Byte offset of the member's data in the file. */
  offset: number
  /** Size of the member's data in bytes. */
  size: number
  type: TarEntryType
  /** For links: the target (normalised archive path for hard links, as written for symlinks). */
  linkName?: string
}

export interface TarIndexOptions {
  /** Most members; over it the archive is refused. Defaults to {@link MAX_TAR_ENTRIES}. */
  maxEntries?: number
  /** Longest name in bytes. Defaults to {@link MAX_TAR_NAME_BYTES}. */
  maxNameBytes?: number
}

/**
 * Normalises a member name: no leading `./` or `/`, no trailing `/`, `.` and `..` segments
 * folded. Returns `''` for the archive root.
 */
export function normaliseTarPath(name: string): string {
  let path = posix.normalize(name.replace(/^\/+/, ''))
  path = path.replace(/\/+$/, '')
  return path === '.' ? '' : path
}

/** A tar file's members, by normalised path, with readers that seek to them. */
export class TarIndex {
  /** The archive's path on disk. */
  readonly path: string
  /** Members by normalised path; when a name repeats, the last one wins (as on extraction). */
  readonly entries: ReadonlyMap<string, TarEntry>

  constructor(path: string, entries: ReadonlyMap<string, TarEntry>) {
    this.path = path
    this.entries = entries
  }

  /** The member at `name`, following symbolic and hard links, or undefined when absent. */
  resolve(name: string): TarEntry | undefined {
    let key = normaliseTarPath(name)
    for (let hop = 0; hop <= MAX_LINK_HOPS; hop++) {
      const entry = this.entries.get(key)
      if (!entry || entry.linkName === undefined) return entry
      if (entry.type === 'hardlink') key = normaliseTarPath(entry.linkName)
      else if (entry.type === 'symlink') {
        key = entry.linkName.startsWith('/')
          ? normaliseTarPath(entry.linkName)
          : normaliseTarPath(posix.join(posix.dirname(key), entry.linkName))
      } else return entry
    }
    throw new ArchiveError(ErrorCode.ArchiveInvalid, `${this.path}: too many links resolving "${name}"`)
  }

  /** The regular file at `name` (links followed), or an ArchiveError `ARCHIVE_INVALID`. */
  file(name: string): TarEntry {
    const entry = this.resolve(name)
    if (!entry) throw new ArchiveError(ErrorCode.ArchiveInvalid, `${this.path}: no member "${name}"`)
    if (entry.type !== 'file') throw new ArchiveError(ErrorCode.ArchiveInvalid, `${this.path}: "${name}" is not a regular file`)
    return entry
  }

  /** True when a regular file (links followed) exists at `name`. */
  hasFile(name: string): boolean {
    return this.resolve(name)?.type === 'file'
  }

  /** Reads a whole member; refuses members over `maxBytes` with ArchiveError `ARCHIVE_INVALID`. */
  async readMember(name: string, maxBytes: number): Promise<Buffer> {
    const entry = this.file(name)
    if (entry.size > maxBytes) {
      throw new ArchiveError(ErrorCode.ArchiveInvalid, `${this.path}: "${name}" is ${entry.size} bytes, over the limit of ${maxBytes}`)
    }
    return this.#read(entry.offset, entry.size, name)
  }

  /** The first `length` bytes of a member (fewer when it is shorter). */
  async readMemberHead(name: string, length: number): Promise<Buffer> {
    const entry = this.file(name)
    return this.#read(entry.offset, Math.min(length, entry.size), name)
  }

  /** A stream of a member's bytes, read in place. The caller must consume or destroy it. */
  openMember(name: string): Readable {
    const entry = this.file(name)
    if (entry.size === 0) return Readable.from([])
    return createReadStream(this.path, { start: entry.offset, end: entry.offset + entry.size - 1, highWaterMark: READ_CHUNK_BYTES })
  }

  async #read(offset: number, length: number, name: string): Promise<Buffer> {
    const handle = await open(this.path, 'r')
    try {
      const buffer = Buffer.alloc(length)
      const got = await readFully(handle, buffer, offset)
      if (got !== length) throw new ArchiveError(ErrorCode.ArchiveInvalid, `${this.path}: "${name}" is truncated`)
      return buffer
    } finally {
      await handle.close()
    }
  }
}

/**
 * Reads the headers of the tar file at `path` and returns its index. Compressed archives are
 * refused (they cannot be read at offsets); so are corrupt headers, truncated members,
 * over-long names and too many members, all with ArchiveError `ARCHIVE_INVALID`.
 */
export async function readTarIndex(path: string, options: TarIndexOptions = {}): Promise<TarIndex> {
  const handle = await openArchive(path)
  try {
    const { size } = await handle.stat()
    return new TarIndex(path, await new HeaderReader(handle, path, size, options).read())
  } finally {
    await handle.close()
  }
}

async function openArchive(path: string): Promise<FileHandle> {
  try {
    return await open(path, 'r')
  } catch (error) {
    const missing = (error as NodeJS.ErrnoException).code === 'ENOENT'
    throw new ArchiveError(missing ? ErrorCode.ArchiveNotFound : ErrorCode.ArchiveInvalid, `cannot open "${path}": ${(error as Error).message}`, {
      cause: error,
    })
  }
}

/** Reads into `buffer` from `position` until it is full or the file ends; returns bytes read. */
async function readFully(handle: FileHandle, buffer: Buffer, position: number): Promise<number> {
  let done = 0
  while (done < buffer.length) {
    const { bytesRead } = await handle.read(buffer, done, buffer.length - done, position + done)
    if (bytesRead === 0) break
    done += bytesRead
  }
  return done
}

/** What PAX and GNU headers say about the member that follows them. */
interface Pending {
  path?: string
  linkPath?: string
  size?: number
}

class HeaderReader {
  readonly #handle: FileHandle
  readonly #path: string
  readonly #fileSize: number
  readonly #maxEntries: number
  readonly #maxNameBytes: number
  readonly #block = Buffer.alloc(BLOCK)

  constructor(handle: FileHandle, path: string, fileSize: number, options: TarIndexOptions) {
    this.#handle = handle
    this.#path = path
    this.#fileSize = fileSize
    this.#maxEntries = options.maxEntries ?? MAX_TAR_ENTRIES
    this.#maxNameBytes = options.maxNameBytes ?? MAX_TAR_NAME_BYTES
  }

  async read(): Promise<Map<string, TarEntry>> {
    const entries = new Map<string, TarEntry>()
    let count = 0
    let position = 0
    let pending: Pending = {}
    await this.#refuseCompressed()
    for (;;) {
      if (position >= this.#fileSize) {
        if (position === 0) throw this.#invalid('the file is empty')
        // no end-of-archive blocks: tolerated, as GNU tar does
        break
      }
      const got = await readFully(this.#handle, this.#block, position)
      if (got < BLOCK) throw this.#invalid(`truncated header at offset ${position}`)
      if (isZeroBlock(this.#block)) break
      this.#checkChecksum(position)
      const header = this.#parseHeader(position)
      const dataOffset = position + BLOCK
      const size = isMetaHeader(header.typeFlag) ? header.size : pending.size ?? header.size
      if (dataOffset + size > this.#fileSize) throw this.#invalid(`member at offset ${position} is truncated`)
      position = dataOffset + paddedSize(size)

      switch (header.typeFlag) {
        case 'x':
          pending = { ...pending, ...(await this.#readPax(dataOffset, size)) }
          continue
        case 'g':
          continue
        case 'L':
          pending.path = await this.#readLongName(dataOffset, size)
          continue
        case 'K':
          pending.linkPath = await this.#readLongName(dataOffset, size)
          continue
      }

      count++
      if (count > this.#maxEntries) throw this.#invalid(`more than ${this.#maxEntries} members`)
      const type = entryType(header.typeFlag)
      const name = normaliseTarPath(pending.path ?? header.name)
      const entry: TarEntry = { offset: dataOffset, size: hasData(type) ? size : 0, type }
      const linkName = pending.linkPath ?? header.linkName
      if (type === 'symlink') entry.linkName = linkName
      if (type === 'hardlink') entry.linkName = normaliseTarPath(linkName)
      if (name !== '') entries.set(name, entry)
      pending = {}
    }
    return entries
  }

  async #refuseCompressed(): Promise<void> {
    const head = Buffer.alloc(6)
    const got = await readFully(this.#handle, head, 0)
    const compression = sniffCompression(head.subarray(0, got))
    if (compression !== 'none') {
      throw this.#invalid(`the archive is ${compression}-compressed; decompress it first (the tar must be read in place)`)
    }
  }

  #checkChecksum(position: number): void {
    const stored = parseOctal(this.#block.subarray(148, 156))
    let unsigned = 0
    let signed = 0
    for (let i = 0; i < BLOCK; i++) {
      const byte = i >= 148 && i < 156 ? 0x20 : this.#block[i]!
      unsigned += byte
      signed += byte > 127 ? byte - 256 : byte
    }
    // historic tars summed signed chars; both are accepted, as GNU tar does
    if (stored === undefined || (stored !== unsigned && stored !== signed)) {
      throw this.#invalid(`bad header checksum at offset ${position} (not a tar archive, or a corrupt one)`)
    }
  }

  #parseHeader(position: number): { name: string; linkName: string; size: number; typeFlag: string } {
    const block = this.#block
    const size = parseNumeric(block.subarray(124, 136))
    if (size === undefined) throw this.#invalid(`bad size field at offset ${position}`)
    const flagByte = block[156]!
    const typeFlag = flagByte === 0 ? '0' : String.fromCharCode(flagByte)
    let name = cString(block, 0, 100)
    // POSIX ustar ("ustar\0"): a prefix field holds the leading directories; GNU ("ustar  \0")
    // uses those bytes for other things
    if (block.toString('latin1', 257, 263) === 'ustar\0') {
      const prefix = cString(block, 345, 155)
      if (prefix) name = `${prefix}/${name}`
    }
    return { name, linkName: cString(block, 157, 100), size, typeFlag }
  }

  async #readData(offset: number, size: number, max: number, what: string): Promise<Buffer> {
    if (size > max) throw this.#invalid(`${what} at offset ${offset - BLOCK} is ${size} bytes, over the limit of ${max}`)
    const buffer = Buffer.alloc(size)
    const got = await readFully(this.#handle, buffer, offset)
    if (got !== size) throw this.#invalid(`${what} at offset ${offset - BLOCK} is truncated`)
    return buffer
  }

  async #readLongName(offset: number, size: number): Promise<string> {
    // the name may end with a NUL
    if (size > this.#maxNameBytes + 1) throw this.#invalid(`a name is longer than ${this.#maxNameBytes} bytes`)
    const data = await this.#readData(offset, size, this.#maxNameBytes + 1, 'GNU long name')
    const end = data.indexOf(0)
    const name = data.subarray(0, end === -1 ? data.length : end)
    if (name.length > this.#maxNameBytes) throw this.#invalid(`a name is longer than ${this.#maxNameBytes} bytes`)
    return name.toString('utf8')
  }

  async #readPax(offset: number, size: number): Promise<Pending> {
    const data = await this.#readData(offset, size, MAX_PAX_BYTES, 'PAX header')
    const out: Pending = {}
    for (const [key, value] of parsePaxRecords(data, (why) => this.#invalid(`PAX header at offset ${offset - BLOCK}: ${why}`))) {
      if (key === 'path' || key === 'linkpath') {
        if (Buffer.byteLength(value) > this.#maxNameBytes) throw this.#invalid(`a name is longer than ${this.#maxNameBytes} bytes`)
        if (key === 'path') out.path = value
        else out.linkPath = value
      } else if (key === 'size') {
        if (!/^\d+$/.test(value) || !Number.isSafeInteger(Number(value))) throw this.#invalid(`bad PAX size "${value}"`)
        out.size = Number(value)
      }
    }
    return out
  }

  #invalid(why: string): ArchiveError {
    return new ArchiveError(ErrorCode.ArchiveInvalid, `${this.#path}: not a readable tar archive: ${why}`)
  }
}

/** PAX records: `"<length> <key>=<value>\n"`, the length counting the whole record. */
function parsePaxRecords(data: Buffer, invalid: (why: string) => Error): Array<[string, string]> {
  const records: Array<[string, string]> = []
  let at = 0
  while (at < data.length) {
    if (data[at] === 0) break // NUL padding
    const space = data.indexOf(0x20, at)
    const length = space === -1 ? NaN : Number(data.toString('latin1', at, space))
    if (!Number.isSafeInteger(length) || length <= space - at + 1 || at + length > data.length) throw invalid('malformed record')
    const record = data.subarray(space + 1, at + length)
    if (record[record.length - 1] !== 0x0a) throw invalid('record not ended by a newline')
    const equals = record.indexOf(0x3d)
    if (equals === -1) throw invalid('record without "="')
    records.push([record.toString('utf8', 0, equals), record.toString('utf8', equals + 1, record.length - 1)])
    at += length
  }
  return records
}

/** Headers that describe the next member rather than being one. */
function isMetaHeader(typeFlag: string): boolean {
  return typeFlag === 'x' || typeFlag === 'g' || typeFlag === 'L' || typeFlag === 'K'
}

function entryType(typeFlag: string): TarEntryType {
  switch (typeFlag) {
    case '0':
    case '7':
      return 'file'
    case '1':
      return 'hardlink'
    case '2':
      return 'symlink'
    case '5':
      return 'directory'
    default:
      return 'other'
  }
}

/** Hard links, symlinks, directories and devices carry no data, whatever their size field says. */
function hasData(type: TarEntryType): boolean {
  return type === 'file' || type === 'other'
}

function paddedSize(size: number): number {
  return Math.ceil(size / BLOCK) * BLOCK
}

function isZeroBlock(block: Buffer): boolean {
  for (let i = 0; i < block.length; i++) if (block[i] !== 0) return false
  return true
}

/** A NUL-terminated string in a fixed-width field. */
function cString(block: Buffer, offset: number, length: number): string {
  const field = block.subarray(offset, offset + length)
  const end = field.indexOf(0)
  return field.toString('utf8', 0, end === -1 ? field.length : end)
}

/** A numeric field: octal text, or base-256 (GNU/star) when the high bit of the first byte is set. */
function parseNumeric(field: Buffer): number | undefined {
  const first = field[0]!
  if (first & 0x80) {
    if (first & 0x40) return undefined // negative
    let value = first & 0x3f
    for (let i = 1; i < field.length; i++) {
      value = value * 256 + field[i]!
      if (!Number.isSafeInteger(value)) return undefined
    }
    return value
  }
  return parseOctal(field)
}

function parseOctal(field: Buffer): number | undefined {
  const text = field.toString('latin1').replace(/\0.*$/s, '').trim()
  if (text === '') return 0
  if (!/^[0-7]+$/.test(text)) return undefined
  const value = parseInt(text, 8)
  return Number.isSafeInteger(value) ? value : undefined
}
