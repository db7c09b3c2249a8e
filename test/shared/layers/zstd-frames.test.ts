import { spawnSync } from 'node:child_process'
import { Readable, Writable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { describe, expect, it } from 'vitest'
import { createDecompressor, FzstdTransform } from '../../../shared/layers/decompress.js'
import { ZstdFramesDecompressor } from '../../../shared/layers/zstd-frames.js'

const zstd = (data: Buffer, ...flags: string[]): Buffer => spawnSync('zstd', ['-q', '-c', ...flags], { input: data, maxBuffer: 64 * 1024 * 1024 }).stdout
const text = (n: number): Buffer => Buffer.from(Array.from({ length: n }, (_, i) => `line ${i} ${(i * 7919) % 1000}\n`).join(''))

/** A skippable frame (RFC 8878 §3.1.2): magic 0x184D2A5?, a size, that many bytes. */
function skippable(payload: Buffer): Buffer {
  const header = Buffer.alloc(8)
  header.writeUInt32LE(0x184d2a53, 0)
  header.writeUInt32LE(payload.length, 4)
  return Buffer.concat([header, payload])
}

async function run(transform: NodeJS.ReadWriteStream & Writable, input: Buffer, chunk: number): Promise<Buffer> {
  const parts: Buffer[] = []
  for (let i = 0; i < input.length; i += chunk) parts.push(input.subarray(i, i + chunk))
  const out: Buffer[] = []
  await pipeline(Readable.from(parts), transform as never, new Writable({ write: (c: Buffer, _e, cb) => (out.push(c), cb()) }))
  return Buffer.concat(out)
}

// The frame walker is tested here around the pure-JS decompressor, so it runs on every Node;
// on Node 22 createDecompressor('zstd') puts it around zlib's (checked at the end).
const frames = () => new ZstdFramesDecompressor(() => new FzstdTransform())

describe('ZstdFramesDecompressor', () => {
  const a = text(30_000)
  const b = text(1_000)

  it.each([
    ['one frame with a checksum', () => zstd(a), a],
    ['one frame without a checksum', () => zstd(a, '--no-check'), a],
    ['two frames', () => Buffer.concat([zstd(a), zstd(b)]), Buffer.concat([a, b])],
    ['a skippable frame between two frames', () => Buffer.concat([zstd(a), skippable(Buffer.from('metadata')), zstd(b)]), Buffer.concat([a, b])],
    ['an empty frame', () => Buffer.concat([zstd(Buffer.alloc(0)), zstd(b)]), b],
    ['a frame of RLE and raw blocks', () => zstd(Buffer.alloc(300_000, 0x61), '--no-check'), Buffer.alloc(300_000, 0x61)],
  ])('reads %s, whatever the chunking', async (_name, input, expected) => {
    const bytes = input()
    for (const chunk of [1, 7, 4096, bytes.length]) {
      expect((await run(frames(), bytes, chunk)).equals(expected)).toBe(true)
    }
  })

  it.each([
    ['cut in the middle of a block', () => zstd(a).subarray(0, 500)],
    ['cut inside the checksum', () => zstd(a).subarray(0, zstd(a).length - 2)],
    ['cut inside a frame header', () => zstd(a).subarray(0, 5)],
    ['followed by bytes that are not a frame', () => Buffer.concat([zstd(b), Buffer.from('garbage!')])],
    ['not a frame at all', () => Buffer.from('this is not zstd')],
    ['empty', () => Buffer.alloc(0)],
  ])('fails when the stream is %s', async (_name, input) => {
    await expect(run(frames(), input(), 64)).rejects.toThrow(/zstd/)
  })

  it('decompresses multi-frame layers with this runtime zstd, native or not', async () => {
    const input = Buffer.concat([zstd(a), skippable(Buffer.from('x')), zstd(b)])
    expect((await run(createDecompressor('zstd'), input, 4096)).equals(Buffer.concat([a, b]))).toBe(true)
    await expect(run(createDecompressor('zstd'), zstd(a).subarray(0, 300), 4096)).rejects.toThrow()
  })
})
