/**
 * rpm's BerkeleyDB `Packages` database (`/var/lib/rpm/Packages`: RHEL/CentOS ≤ 8, Amazon
 * Linux 2, older Fedora and SUSE): a Berkeley DB hash database whose keys are header
 * numbers (4 bytes, the writing host's byte order; key 0 holds the highest number in use)
 * and whose data items are rpm header blobs.
 *
 * Layout read here:
 * - page 0, the hash metadata page: magic 0x061561 at offset 12 (its byte order is the
 *   file's: both are read), version (16), page size (20), encryption algorithm (24), page
 *   type 8 (25), flags (26; 0x01 = page checksums, which move the item index from offset 26
 *   to 32), last page number (32);
 * - every other page starts with a 26-byte header: page number (8), previous (12) and next
 *   (16) page, entry count (20), `hf_offset` (22), level (24), type (25);
 * - hash pages (type 13, or 2 before Berkeley DB 4.6) hold an index of 2-byte item offsets;
 *   items come in key/data pairs and each runs to the start of the previous one (the first to
 *   the end of the page); an item's first byte is its type: 1 (on-page bytes) or 3 (off-page:
 *   first overflow page at +4, total length at +8);
 * - overflow pages (type 7) hold `hf_offset` bytes after the header and chain through
 *   their next-page field.
 *
 * The pages are read in file order rather than through the hash buckets, so a database is
 * read once, page by page. Refused: encrypted databases, duplicate items (rpm never writes
 * them), anything out of bounds, an overflow page used twice.
 *
 * @see https://docs.oracle.com/cd/E17276_01/html/programmer_reference/index.html (Berkeley DB 5.3 reference)
 * @see Berkeley DB's `dbinc/db_page.h` (page and item layouts)
 * @module
 */
import { PackageDbError, type PackageDbLimits, checkPackageCount, packageDbLimits } from '../package-db-error.js'

/** The hash database magic number. */
export const BDB_HASH_MAGIC = 0x061561

const P_HASH_UNSORTED = 2
const P_OVERFLOW = 7
const P_HASHMETA = 8
const P_HASH = 13
const H_KEYDATA = 1
const H_DUPLICATE = 2
const H_OFFPAGE = 3
const H_OFFDUP = 4
const PAGE_HEADER = 26
const CHECKSUM_FLAG = 0x01

/** True when `bytes` starts like a Berkeley DB hash database (either byte order). */
export function isBdbHash(bytes: Uint8Array): boolean {
  if (bytes.length < 16) return false
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  return view.getUint32(12, true) === BDB_HASH_MAGIC || view.getUint32(12, false) === BDB_HASH_MAGIC
}

/**
 * The rpm header blobs of a BerkeleyDB `Packages` file, in header-number order.
 *
 * @throws PackageDbError when the file is not a readable Berkeley DB hash database or holds
 *   more than `limits.maxPackages` headers.
 */
export function bdbHeaderBlobs(bytes: Uint8Array, limits: Partial<PackageDbLimits> = {}): Uint8Array[] {
  const resolved = packageDbLimits(limits)
  if (bytes.length < 512) throw new PackageDbError('Berkeley DB: the file is shorter than its metadata page')
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  let little: boolean
  if (view.getUint32(12, true) === BDB_HASH_MAGIC) little = true
  else if (view.getUint32(12, false) === BDB_HASH_MAGIC) little = false
  else throw new PackageDbError('not a Berkeley DB hash database (bad magic)')
  const u32 = (at: number): number => view.getUint32(at, little)
  const u16 = (at: number): number => view.getUint16(at, little)

  const version = u32(16)
  if (version < 7 || version > 10) throw new PackageDbError(`Berkeley DB: unsupported hash version ${version}`)
  const pageSize = u32(20)
  if (pageSize < 512 || pageSize > 65536 || (pageSize & (pageSize - 1)) !== 0) throw new PackageDbError(`Berkeley DB: invalid page size ${pageSize}`)
  if (bytes[24] !== 0) throw new PackageDbError('Berkeley DB: encrypted databases are not supported')
  if (bytes[25] !== P_HASHMETA) throw new PackageDbError(`Berkeley DB: page 0 is not a hash metadata page (type ${bytes[25]})`)
  const indexStart = (bytes[26]! & CHECKSUM_FLAG) !== 0 ? 32 : PAGE_HEADER
  const lastPage = u32(32)
  const pageCount = lastPage + 1
  if (pageCount * pageSize > bytes.length) {
    throw new PackageDbError(`Berkeley DB: the metadata says ${pageCount} pages of ${pageSize} bytes, the file has ${bytes.length} bytes`)
  }

  const usedOverflow = new Set<number>()
  const readOverflow = (first: number, length: number): Uint8Array => {
    if (length > bytes.length) throw new PackageDbError(`Berkeley DB: an off-page item claims ${length} bytes`)
    const out = new Uint8Array(length)
    let filled = 0
    let pageNumber = first
    while (filled < length) {
      if (pageNumber < 1 || pageNumber > lastPage) throw new PackageDbError(`Berkeley DB: overflow page ${pageNumber} is outside the file`)
      if (usedOverflow.has(pageNumber)) throw new PackageDbError(`Berkeley DB: overflow page ${pageNumber} is used twice`)
      usedOverflow.add(pageNumber)
      const start = pageNumber * pageSize
      if (bytes[start + 25] !== P_OVERFLOW) throw new PackageDbError(`Berkeley DB: page ${pageNumber} is not an overflow page`)
      const onPage = u16(start + 22)
      if (onPage === 0 || indexStart + onPage > pageSize || filled + onPage > length) {
        throw new PackageDbError(`Berkeley DB: overflow page ${pageNumber} holds an invalid length ${onPage}`)
      }
      out.set(bytes.subarray(start + indexStart, start + indexStart + onPage), filled)
      filled += onPage
      pageNumber = u32(start + 16)
    }
    return out
  }

  const item = (page: number, offsets: number[], index: number): Uint8Array => {
    const start = page * pageSize
    const offset = offsets[index]!
    const end = index === 0 ? pageSize : offsets[index - 1]!
    if (offset < indexStart + offsets.length * 2 || offset >= end || end > pageSize) {
      throw new PackageDbError(`Berkeley DB: item ${index} of page ${page} is out of bounds`)
    }
    const type = bytes[start + offset]
    if (type === H_KEYDATA) return bytes.subarray(start + offset + 1, start + end)
    if (type === H_OFFPAGE) {
      if (offset + 12 > end) throw new PackageDbError(`Berkeley DB: off-page item ${index} of page ${page} is truncated`)
      return readOverflow(u32(start + offset + 4), u32(start + offset + 8))
    }
    if (type === H_DUPLICATE || type === H_OFFDUP) throw new PackageDbError('Berkeley DB: duplicate items are not supported (rpm does not write them)')
    throw new PackageDbError(`Berkeley DB: item ${index} of page ${page} has an unknown type ${type}`)
  }

  const found: Array<{ key: number; blob: Uint8Array }> = []
  for (let page = 1; page <= lastPage; page++) {
    const start = page * pageSize
    const type = bytes[start + 25]
    if (type !== P_HASH && type !== P_HASH_UNSORTED) continue
    const entries = u16(start + 20)
    if (entries % 2 !== 0 || indexStart + entries * 2 > pageSize) throw new PackageDbError(`Berkeley DB: hash page ${page} claims ${entries} items`)
    const offsets: number[] = []
    for (let index = 0; index < entries; index++) offsets.push(u16(start + indexStart + index * 2))
    for (let index = 0; index < entries; index += 2) {
      const key = item(page, offsets, index)
      const keyNumber = key.length === 4 ? new DataView(key.buffer, key.byteOffset, 4).getUint32(0, little) : -1
      if (keyNumber === 0) continue // rpm's record of the highest header number in use
      found.push({ key: keyNumber, blob: item(page, offsets, index + 1) })
      checkPackageCount(found.length, resolved)
    }
  }
  return found.sort((a, b) => a.key - b.key).map((entry) => entry.blob)
}
