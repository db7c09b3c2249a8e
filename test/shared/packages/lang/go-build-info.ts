/**
 * Go build information for tests, written from the layout Go's debug/buildinfo documents.
 *
 * @module
 */

export const MAGIC = Buffer.from('\xff Go buildinf:', 'latin1')
// the module information sits between two 16-byte sentinels; the reader only needs their length
const OPEN = Buffer.alloc(16, 0xa1)
const CLOSE = Buffer.alloc(16, 0xb2)

export function uvarint(n: number): Buffer {
  const bytes: number[] = []
  do {
    let byte = n & 0x7f
    n = Math.floor(n / 128)
    if (n > 0) byte |= 0x80
    bytes.push(byte)
  } while (n > 0)
  return Buffer.from(bytes)
}

export function framed(modinfo: string): Buffer {
  return Buffer.concat([OPEN, Buffer.from(modinfo, 'utf8'), CLOSE])
}

/** The Go ≥ 1.18 layout: header with flags bit 1, then varint-prefixed strings. */
export function inlineBuildInfo(goVersion: string, modinfo: string): Buffer {
  const header = Buffer.concat([MAGIC, Buffer.from([8, 0x02]), Buffer.alloc(16)])
  const version = Buffer.from(goVersion)
  const mod = framed(modinfo)
  return Buffer.concat([header, uvarint(version.length), version, uvarint(mod.length), mod])
}
