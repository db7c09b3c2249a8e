/**
 * Writers for the tests: rpm header images and rpm ndb databases, written from the format
 * descriptions (rpm's docs/manual/format_header.md and lib/backend/ndb/rpmpkg.c), not by rpm.
 *
 * @module
 */
import { adler32 } from '../../../../../shared/packages/os/rpm/ndb.js'

/** One header entry: a typed value. */
export type HeaderValue =
  | { type: 'string'; value: string }
  | { type: 'i18n'; value: string[] }
  | { type: 'strings'; value: string[] }
  | { type: 'int16'; value: number[] }
  | { type: 'int32'; value: number[] }
  | { type: 'int64'; value: bigint[] }
  | { type: 'bin'; value: Uint8Array }

const TYPE_CODES = { int16: 3, int32: 4, int64: 5, string: 6, bin: 7, strings: 8, i18n: 9 } as const
const ALIGN = { int16: 2, int32: 4, int64: 8, string: 1, bin: 1, strings: 1, i18n: 1 } as const

/** Options of {@link writeRpmHeader}. */
export interface HeaderWriterOptions {
  /** Adds a HEADERIMMUTABLE region entry and trailer, as rpm's installed headers have. */
  region?: boolean
  /** Prepends the 8-byte header magic of `.rpm` files. */
  magic?: boolean
}

/** An rpm header image (il, dl, index entries sorted by tag, data store) of `entries`. */
export function writeRpmHeader(entries: Record<number, HeaderValue>, options: HeaderWriterOptions = {}): Uint8Array {
  const tags = Object.keys(entries)
    .map(Number)
    .sort((a, b) => a - b)
  const data: number[] = []
  const index: Array<[tag: number, type: number, offset: number, count: number]> = []
  const encoder = new TextEncoder()
  const pushBytes = (bytes: Uint8Array): void => {
    for (const byte of bytes) data.push(byte)
  }
  for (const tag of tags) {
    const entry = entries[tag]!
    while (data.length % ALIGN[entry.type] !== 0) data.push(0)
    const offset = data.length
    let count = 1
    switch (entry.type) {
      case 'string':
        pushBytes(encoder.encode(`${entry.value}\0`))
        break
      case 'strings':
      case 'i18n':
        for (const value of entry.value) pushBytes(encoder.encode(`${value}\0`))
        count = entry.value.length
        break
      case 'int16':
      case 'int32':
      case 'int64': {
        const size = entry.type === 'int16' ? 2 : entry.type === 'int32' ? 4 : 8
        const bytes = new Uint8Array(size * entry.value.length)
        const view = new DataView(bytes.buffer)
        entry.value.forEach((value, position) => {
          if (entry.type === 'int16') view.setUint16(position * 2, value as number)
          else if (entry.type === 'int32') view.setUint32(position * 4, value as number)
          else view.setBigUint64(position * 8, value as bigint)
        })
        pushBytes(bytes)
        count = entry.value.length
        break
      }
      case 'bin':
        pushBytes(entry.value)
        count = entry.value.length
        break
    }
    index.push([tag, TYPE_CODES[entry.type], offset, count])
  }
  if (options.region) {
    const il = index.length + 1
    const trailer = new DataView(new ArrayBuffer(16))
    trailer.setInt32(0, 63)
    trailer.setUint32(4, 7)
    trailer.setInt32(8, -il * 16)
    trailer.setUint32(12, 16)
    const offset = data.length
    pushBytes(new Uint8Array(trailer.buffer))
    index.unshift([63, 7, offset, 16])
  }
  const prefix = options.magic ? 8 : 0
  const out = new Uint8Array(prefix + 8 + index.length * 16 + data.length)
  const view = new DataView(out.buffer)
  if (options.magic) out.set([0x8e, 0xad, 0xe8, 0x01, 0, 0, 0, 0])
  view.setUint32(prefix, index.length)
  view.setUint32(prefix + 4, data.length)
  index.forEach(([tag, type, offset, count], position) => {
    const at = prefix + 8 + position * 16
    view.setInt32(at, tag)
    view.setUint32(at + 4, type)
    view.setInt32(at + 8, offset)
    view.setUint32(at + 12, count)
  })
  out.set(data, prefix + 8 + index.length * 16)
  return out
}

/** A package's header entries in the usual shape. */
export function packageHeader(fields: {
  name: string
  version: string
  release: string
  epoch?: number
  arch?: string
  license?: string
  vendor?: string
  sourceRpm?: string
  size?: number
  summary?: string
  files?: string[]
}): Record<number, HeaderValue> {
  const entries: Record<number, HeaderValue> = {
    1000: { type: 'string', value: fields.name },
    1001: { type: 'string', value: fields.version },
    1002: { type: 'string', value: fields.release },
  }
  if (fields.epoch !== undefined) entries[1003] = { type: 'int32', value: [fields.epoch] }
  if (fields.summary !== undefined) entries[1004] = { type: 'i18n', value: [fields.summary] }
  if (fields.size !== undefined) entries[1009] = { type: 'int32', value: [fields.size] }
  if (fields.vendor !== undefined) entries[1011] = { type: 'string', value: fields.vendor }
  if (fields.license !== undefined) entries[1014] = { type: 'string', value: fields.license }
  if (fields.arch !== undefined) entries[1022] = { type: 'string', value: fields.arch }
  if (fields.sourceRpm !== undefined) entries[1044] = { type: 'string', value: fields.sourceRpm }
  if (fields.files && fields.files.length > 0) {
    const dirnames: string[] = []
    const dirIndexes: number[] = []
    const basenames: string[] = []
    for (const file of fields.files) {
      const slash = file.lastIndexOf('/')
      const dir = file.slice(0, slash + 1)
      let position = dirnames.indexOf(dir)
      if (position < 0) position = dirnames.push(dir) - 1
      dirIndexes.push(position)
      basenames.push(file.slice(slash + 1))
    }
    entries[1116] = { type: 'int32', value: dirIndexes }
    entries[1117] = { type: 'strings', value: basenames }
    entries[1118] = { type: 'strings', value: dirnames }
  }
  return entries
}

/** Options of {@link writeNdb}. */
export interface NdbWriterOptions {
  /** Slot pages (default: as few as fit). */
  slotPages?: number
  /** Leaves free slots and zeroed gaps between blobs, as after deletions. */
  gaps?: boolean
}

/**
 * An rpm ndb `Packages.db` holding `blobs` (package index → header blob): header, slot
 * pages, then each blob with its head, padding and tail (Adler-32) in 16-byte blocks.
 */
export function writeNdb(blobs: Array<{ pkgidx: number; blob: Uint8Array }>, options: NdbWriterOptions = {}): Uint8Array {
  const slotsNeeded = blobs.length * (options.gaps ? 2 : 1) + 2
  const slotPages = options.slotPages ?? Math.max(1, Math.ceil((slotsNeeded * 16) / 4096))
  const parts: Array<{ pkgidx: number; blockOffset: number; bytes: Uint8Array }> = []
  let block = (slotPages * 4096) / 16
  for (const { pkgidx, blob } of blobs) {
    if (options.gaps) block += 3
    const blockCount = Math.ceil((16 + blob.length + 12) / 16)
    const bytes = new Uint8Array(blockCount * 16)
    const view = new DataView(bytes.buffer)
    view.setUint32(0, 0x53626c42, true)
    view.setUint32(4, pkgidx, true)
    view.setUint32(8, 1_700_000_000, true)
    view.setUint32(12, blob.length, true)
    bytes.set(blob, 16)
    const tail = bytes.length - 12
    view.setUint32(tail, adler32(bytes.subarray(0, tail)), true)
    view.setUint32(tail + 4, blob.length, true)
    view.setUint32(tail + 8, 0x45626c42, true)
    parts.push({ pkgidx, blockOffset: block, bytes })
    block += blockCount
  }
  const out = new Uint8Array(block * 16)
  const view = new DataView(out.buffer)
  view.setUint32(0, 0x506d7052, true)
  view.setUint32(4, 0, true)
  view.setUint32(8, 7, true)
  view.setUint32(12, slotPages, true)
  view.setUint32(16, Math.max(0, ...blobs.map((entry) => entry.pkgidx)) + 1, true)
  for (let at = 32; at < slotPages * 4096; at += 16) view.setUint32(at, 0x746f6c53, true)
  let slot = 32
  for (const part of parts) {
    if (options.gaps) slot += 16
    view.setUint32(slot + 4, part.pkgidx, true)
    view.setUint32(slot + 8, part.blockOffset, true)
    view.setUint32(slot + 12, part.bytes.length / 16, true)
    out.set(part.bytes, part.blockOffset * 16)
    slot += 16
  }
  return out
}
