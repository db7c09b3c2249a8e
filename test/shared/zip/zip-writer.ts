/**
 * A tiny zip writer for tests, from PKWARE's APPNOTE.TXT: local file headers (§4.3.7), the
 * central directory (§4.3.12), the end of central directory record (§4.3.16) and, on
 * request, the ZIP64 end record, locator and extended-information extra fields. Entries are
 * stored or deflated (node:zlib raw deflate). Knobs let a test lie in the headers (sizes,
 * CRC, flags, method, names) or point several central entries at one local header, to build
 * hostile archives.
 *
 * @module
 */
import { deflateRawSync } from 'node:zlib'
import { softwareCrc32 } from '../../../shared/zip/zip-reader.js'

export interface ZipWriterEntry {
  name: string
  data?: Buffer | string
  /** Default: deflate. */
  method?: 'store' | 'deflate'
  /** Lies: the sizes, CRC, flags and method written in both headers. */
  declaredSize?: number
  declaredCompressedSize?: number
  crc?: number
  flags?: number
  methodNumber?: number
  /** A different name in the local header than in the central directory. */
  localName?: string
  /** A central entry only, pointing at the local header of the entry with this index. */
  aliasOf?: number
}

export interface ZipWriterOptions {
  comment?: string
  /** Bytes before the archive (a launch script), offsets left unadjusted. */
  prefix?: Buffer
  /** Write ZIP64 records and extra fields (sizes and offsets saturated in the headers). */
  zip64?: boolean
}

function u16(value: number): Buffer {
  const b = Buffer.alloc(2)
  b.writeUInt16LE(value)
  return b
}

function u32(value: number): Buffer {
  const b = Buffer.alloc(4)
  b.writeUInt32LE(value >>> 0)
  return b
}

function u64(value: number): Buffer {
  const b = Buffer.alloc(8)
  b.writeBigUInt64LE(BigInt(value))
  return b
}

/** Builds a zip archive. */
export function buildZip(entries: readonly ZipWriterEntry[], options: ZipWriterOptions = {}): Buffer {
  const zip64 = options.zip64 === true
  const locals: Buffer[] = []
  const centrals: Buffer[] = []
  const placed: Array<{ offset: number; compressed: number; size: number; crc: number; method: number; flags: number }> = []
  let offset = 0
  for (const entry of entries) {
    const nameBytes = Buffer.from(entry.name, 'utf8')
    let info: (typeof placed)[number]
    if (entry.aliasOf !== undefined) {
      info = placed[entry.aliasOf]!
    } else {
      const raw = typeof entry.data === 'string' ? Buffer.from(entry.data, 'utf8') : (entry.data ?? Buffer.alloc(0))
      const deflate = (entry.method ?? 'deflate') === 'deflate' && !entry.name.endsWith('/')
      const body = deflate ? deflateRawSync(raw) : raw
      info = {
        offset,
        compressed: entry.declaredCompressedSize ?? body.length,
        size: entry.declaredSize ?? raw.length,
        crc: entry.crc ?? softwareCrc32(raw),
        method: entry.methodNumber ?? (deflate ? 8 : 0),
        flags: (entry.flags ?? 0) | 0x800,
      }
      const localNameBytes = Buffer.from(entry.localName ?? entry.name, 'utf8')
      const localExtra = zip64 ? Buffer.concat([u16(1), u16(16), u64(info.size), u64(info.compressed)]) : Buffer.alloc(0)
      const local = Buffer.concat([
        u32(0x04034b50),
        u16(zip64 ? 45 : 20),
        u16(info.flags),
        u16(info.method),
        u16(0),
        u16(0x5a21),
        u32(info.crc),
        u32(zip64 ? 0xffffffff : info.compressed),
        u32(zip64 ? 0xffffffff : info.size),
        u16(localNameBytes.length),
        u16(localExtra.length),
        localNameBytes,
        localExtra,
        body,
      ])
      locals.push(local)
      offset += local.length
      placed.push(info)
    }
    const centralExtra = zip64 ? Buffer.concat([u16(1), u16(24), u64(info.size), u64(info.compressed), u64(info.offset)]) : Buffer.alloc(0)
    centrals.push(
      Buffer.concat([
        u32(0x02014b50),
        u16(0x031e),
        u16(zip64 ? 45 : 20),
        u16(info.flags),
        u16(info.method),
        u16(0),
        u16(0x5a21),
        u32(info.crc),
        u32(zip64 ? 0xffffffff : info.compressed),
        u32(zip64 ? 0xffffffff : info.size),
        u16(nameBytes.length),
        u16(centralExtra.length),
        u16(0),
        u16(0),
        u16(0),
        u32(entry.name.endsWith('/') ? 0x41ed0010 : 0x81a40000),
        u32(zip64 ? 0xffffffff : info.offset),
        nameBytes,
        centralExtra,
      ])
    )
  }
  const central = Buffer.concat(centrals)
  const centralOffset = offset
  const comment = Buffer.from(options.comment ?? '', 'utf8')
  const tail: Buffer[] = []
  if (zip64) {
    const recordOffset = centralOffset + central.length
    tail.push(
      Buffer.concat([u32(0x06064b50), u64(44), u16(45), u16(45), u32(0), u32(0), u64(centrals.length), u64(centrals.length), u64(central.length), u64(centralOffset)]),
      Buffer.concat([u32(0x07064b50), u32(0), u64(recordOffset), u32(1)])
    )
  }
  tail.push(
    Buffer.concat([
      u32(0x06054b50),
      u16(0),
      u16(0),
      u16(zip64 ? 0xffff : centrals.length),
      u16(zip64 ? 0xffff : centrals.length),
      u32(zip64 ? 0xffffffff : central.length),
      u32(zip64 ? 0xffffffff : centralOffset),
      u16(comment.length),
      comment,
    ])
  )
  return Buffer.concat([options.prefix ?? Buffer.alloc(0), ...locals, central, ...tail])
}
