/**
 * Recognising compressed data by its first bytes.
 *
 * @module
 */

/** A compression format recognised by its magic bytes, or `none`. */
export type SniffedCompression = 'gzip' | 'zstd' | 'xz' | 'none'

const MAGICS: ReadonlyArray<readonly [Exclude<SniffedCompression, 'none'>, readonly number[]]> = [
  ['gzip', [0x1f, 0x8b]],
  ['zstd', [0x28, 0xb5, 0x2f, 0xfd]],
  ['xz', [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]],
]

/** How `head` (the first bytes of some data, 6 are enough) is compressed. */
export function sniffCompression(head: Uint8Array): SniffedCompression {
  for (const [name, magic] of MAGICS) {
    if (head.length >= magic.length && magic.every((byte, i) => head[i] === byte)) return name
  }
  return 'none'
}
