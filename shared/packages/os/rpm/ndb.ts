/**
 * rpm's own "ndb" package database (`/var/lib/rpm/Packages.db`: SUSE Linux Enterprise 15,
 * openSUSE Leap and Tumbleweed).
 *
 * Layout, all integers little-endian:
 * - a 32-byte header at offset 0: magic `RpmP`, version 0, generation, the number of
 *   4096-byte slot pages, the next package index;
 * - the slot pages, after the header: 16-byte slots {magic `Slot`, package index, block
 *   offset, block count}; a slot with block offset 0 is free;
 * - blobs in 16-byte blocks after the slot pages: a 16-byte head {magic `BlbS`, package
 *   index, timestamp, length}, the header blob, zero padding, and a 12-byte tail {Adler-32
 *   of head, blob and padding; length; magic `BlbE`}, `ceil((16 + length + 12) / 16)` blocks
 *   in all.
 *
 * Every slot is checked against the file and its blob's head and tail (package index,
 * length, magic, Adler-32) before the blob is returned.
 *
 * @see https://github.com/rpm-software-management/rpm/blob/master/lib/backend/ndb/rpmpkg.c
 * @module
 */
import { PackageDbError, type PackageDbLimits, checkPackageCount, packageDbLimits } from '../package-db-error.js'

const HEADER_MAGIC = 0x506d7052 // 'RpmP' little-endian
const SLOT_MAGIC = 0x746f6c53 // 'Slot'
const BLOB_HEAD_MAGIC = 0x53626c42 // 'BlbS'
const BLOB_TAIL_MAGIC = 0x45626c42 // 'BlbE'
const HEADER_SIZE = 32
const SLOT_SIZE = 16
const BLOCK_SIZE = 16
const PAGE_SIZE = 4096
const BLOB_HEAD_SIZE = 16
const BLOB_TAIL_SIZE = 12

/** True when `bytes` starts with the ndb magic `RpmP`. */
export function isNdb(bytes: Uint8Array): boolean {
  return bytes.length >= 4 && new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(0, true) === HEADER_MAGIC
}

/** Adler-32 (RFC 1950) of `bytes`. */
export function adler32(bytes: Uint8Array, start = 1): number {
  let a = start & 0xffff
  let b = (start >>> 16) & 0xffff
  for (let index = 0; index < bytes.length; ) {
    const end = Math.min(bytes.length, index + 5552)
    for (; index < end; index++) {
      a += bytes[index]!
      b += a
    }
    a %= 65521
    b %= 65521
  }
  return ((b << 16) | a) >>> 0
}

/**
 * The rpm header blobs of an ndb `Packages.db` file, in package-index order.
 *
 * @throws PackageDbError when the file is not a readable ndb database, a slot or blob is
 *   inconsistent, or it holds more than `limits.maxPackages` packages.
 */
export function ndbHeaderBlobs(bytes: Uint8Array, limits: Partial<PackageDbLimits> = {}): Uint8Array[] {
  const resolved = packageDbLimits(limits)
  if (bytes.length < HEADER_SIZE || !isNdb(bytes)) throw new PackageDbError('not an rpm ndb database (bad magic)')
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  const u32 = (at: number): number => view.getUint32(at, true)
  const version = u32(4)
  if (version !== 0) throw new PackageDbError(`ndb: unsupported version ${version}`)
  const slotPages = u32(12)
  if (slotPages < 1 || slotPages * PAGE_SIZE > bytes.length) {
    throw new PackageDbError(`ndb: ${slotPages} slot pages do not fit in a ${bytes.length}-byte file`)
  }
  const fileBlocks = Math.floor(bytes.length / BLOCK_SIZE)
  const firstDataBlock = (slotPages * PAGE_SIZE) / BLOCK_SIZE
  const found: Array<{ pkgidx: number; blob: Uint8Array }> = []
  const seen = new Set<number>()
  for (let at = HEADER_SIZE; at < slotPages * PAGE_SIZE; at += SLOT_SIZE) {
    if (u32(at) !== SLOT_MAGIC) throw new PackageDbError(`ndb: bad slot magic at offset ${at}`)
    const pkgidx = u32(at + 4)
    const blockOffset = u32(at + 8)
    const blockCount = u32(at + 12)
    if (blockOffset === 0) continue
    if (pkgidx === 0 || blockCount === 0 || blockOffset < firstDataBlock || blockOffset + blockCount > fileBlocks) {
      throw new PackageDbError(`ndb: slot at offset ${at} is invalid (package ${pkgidx}, blocks ${blockOffset}+${blockCount})`)
    }
    if (seen.has(pkgidx)) throw new PackageDbError(`ndb: package index ${pkgidx} appears in two slots`)
    seen.add(pkgidx)
    found.push({ pkgidx, blob: readBlob(bytes, view, pkgidx, blockOffset, blockCount) })
    checkPackageCount(found.length, resolved)
  }
  return found.sort((a, b) => a.pkgidx - b.pkgidx).map((entry) => entry.blob)
}

function readBlob(bytes: Uint8Array, view: DataView, pkgidx: number, blockOffset: number, blockCount: number): Uint8Array {
  const start = blockOffset * BLOCK_SIZE
  const end = start + blockCount * BLOCK_SIZE
  const where = `ndb: blob of package ${pkgidx}`
  if (blockCount * BLOCK_SIZE < BLOB_HEAD_SIZE + BLOB_TAIL_SIZE) throw new PackageDbError(`${where} is too small`)
  if (view.getUint32(start, true) !== BLOB_HEAD_MAGIC) throw new PackageDbError(`${where}: bad head magic`)
  if (view.getUint32(start + 4, true) !== pkgidx) throw new PackageDbError(`${where}: the head names package ${view.getUint32(start + 4, true)}`)
  const length = view.getUint32(start + 12, true)
  if (Math.ceil((BLOB_HEAD_SIZE + length + BLOB_TAIL_SIZE) / BLOCK_SIZE) !== blockCount) {
    throw new PackageDbError(`${where}: length ${length} does not fill its ${blockCount} blocks`)
  }
  const tail = end - BLOB_TAIL_SIZE
  if (view.getUint32(tail + 8, true) !== BLOB_TAIL_MAGIC) throw new PackageDbError(`${where}: bad tail magic`)
  if (view.getUint32(tail + 4, true) !== length) throw new PackageDbError(`${where}: head and tail lengths differ`)
  if (adler32(bytes.subarray(start, tail)) !== view.getUint32(tail, true)) throw new PackageDbError(`${where}: checksum mismatch`)
  return bytes.subarray(start + BLOB_HEAD_SIZE, start + BLOB_HEAD_SIZE + length)
}
