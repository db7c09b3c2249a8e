import { spawnSync } from 'node:child_process'
import { Readable, Writable, type Transform } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { gzipSync } from 'node:zlib'
import { describe, expect, it } from 'vitest'
import type { Compression } from '../../../shared/image/media-types.js'
import { AsyncBoundary, createDecompressor, peek, sniffCompression } from '../../../shared/layers/decompress.js'

/** Varied, compressible text of about `lines` × 20 bytes. */
function sampleText(lines: number): Buffer {
  return Buffer.from(Array.from({ length: lines }, (_v, i) => `line ${i} ${(i * 7919) % 1000}\n`).join(''))
}

function zstd(bytes: Buffer): Buffer {
  const result = spawnSync('zstd', ['-q', '-c'], { input: bytes, maxBuffer: 64 * 1024 * 1024 })
  if (result.status !== 0) throw new Error(`zstd failed: ${String(result.stderr)}`)
  return result.stdout
}

function compress(compression: Compression, bytes: Buffer): Buffer {
  if (compression === 'gzip') return gzipSync(bytes)
  if (compression === 'zstd') return zstd(bytes)
  return bytes
}

function chunks(bytes: Buffer, size: number): Buffer[] {
  const out: Buffer[] = []
  for (let i = 0; i < bytes.length; i += size) out.push(bytes.subarray(i, i + size))
  return out
}

/** A non-object-mode readable over `parts`, as a socket or file would be. */
function byteStream(parts: Buffer[]): Readable {
  return Readable.from(parts, { objectMode: false })
}

/** A writable that keeps every chunk it is given. */
function collector(): { sink: Writable; parts: Buffer[]; bytes: () => Buffer } {
  const parts: Buffer[] = []
  const sink = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      parts.push(chunk)
      callback()
    },
  })
  return { sink, parts, bytes: () => Buffer.concat(parts) }
}

async function decompress(transform: Transform, input: Buffer[]): Promise<Buffer> {
  const { sink, bytes } = collector()
  await pipeline(byteStream(input), transform, sink)
  return bytes()
}

async function drain(stream: Readable): Promise<Buffer> {
  const parts: Buffer[] = []
  for await (const chunk of stream) parts.push(chunk as Buffer)
  return Buffer.concat(parts)
}

describe('sniffCompression', () => {
  it.each<[string, number[], Compression]>([
    ['gzip magic with deflate', [0x1f, 0x8b, 0x08, 0x00], 'gzip'],
    ['gzip magic, exactly three bytes', [0x1f, 0x8b, 0x08], 'gzip'],
    ['gzip magic with another method', [0x1f, 0x8b, 0x07, 0x00], 'none'],
    ['gzip magic cut short', [0x1f, 0x8b], 'none'],
    ['zstd magic', [0x28, 0xb5, 0x2f, 0xfd, 0x00], 'zstd'],
    ['zstd magic, exactly four bytes', [0x28, 0xb5, 0x2f, 0xfd], 'zstd'],
    ['zstd magic cut short', [0x28, 0xb5, 0x2f], 'none'],
    ['a tar header', [...Buffer.from('etc/\0\0\0\0')], 'none'],
    ['nothing', [], 'none'],
  ])('%s → %s', (_label, head, expected) => {
    expect(sniffCompression(new Uint8Array(head))).toBe(expected)
  })

  it.each<Compression>(['gzip', 'zstd'])('recognises real %s output', (compression) => {
    expect(sniffCompression(compress(compression, sampleText(10)))).toBe(compression)
  })
})

describe('createDecompressor', () => {
  it.each<[Compression, number, number]>([
    ['gzip', 20_000, 4096],
    ['gzip', 20_000, 1],
    ['zstd', 20_000, 4096],
    ['zstd', 20_000, 7],
    ['none', 20_000, 4096],
    ['gzip', 200_000, 65_536],
    ['zstd', 200_000, 65_536],
    ['gzip', 0, 4096],
    ['zstd', 0, 4096],
  ])('round-trips %s (%i lines in %i-byte chunks)', async (compression, lines, chunkSize) => {
    // Prepare
    const original = sampleText(lines)
    const compressed = compress(compression, original)
    // Act
    const output = await decompress(createDecompressor(compression), chunks(compressed, chunkSize))
    // Assess
    expect(output.length).toBe(original.length)
    expect(output.equals(original)).toBe(true)
  })

  it.each<Compression>(['gzip', 'zstd'])('reads concatenated %s frames as one stream', async (compression) => {
    // Prepare
    const input = Buffer.concat([compress(compression, Buffer.from('first ')), compress(compression, Buffer.from('second'))])
    // Act
    const output = await decompress(createDecompressor(compression), [input])
    // Assess
    expect(output.toString()).toBe('first second')
  })

  it('passes bytes through unchanged for none, whatever they are', async () => {
    // Prepare
    const gz = gzipSync(sampleText(100))
    // Act
    const output = await decompress(createDecompressor('none'), chunks(gz, 10))
    // Assess
    expect(output.equals(gz)).toBe(true)
  })

  const text = sampleText(20_000)
  const gz = gzipSync(text)
  const zst = zstd(text)
  const flip = (bytes: Buffer, at: number): Buffer => {
    const copy = Buffer.from(bytes)
    copy[at] = copy[at]! ^ 0xff
    return copy
  }

  it.each<[string, Compression, Buffer]>([
    ['gzip cut short', 'gzip', gz.subarray(0, gz.length - 100)],
    ['gzip with a bad CRC', 'gzip', flip(gz, gz.length - 6)],
    ['gzip with a corrupt header', 'gzip', flip(gz, 3)],
    ['gzip with garbage after the magic', 'gzip', Buffer.from([0x1f, 0x8b, 0x08, 0x00, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff])],
    ['gzip fed an uncompressed tar', 'gzip', Buffer.alloc(1024)],
    ['an empty gzip stream', 'gzip', Buffer.alloc(0)],
    ['zstd cut short', 'zstd', zst.subarray(0, zst.length - 100)],
    ['zstd with garbage after the magic', 'zstd', Buffer.from([0x28, 0xb5, 0x2f, 0xfd, 1, 2, 3, 4, 5, 6, 7, 8])],
    ['zstd fed an uncompressed tar', 'zstd', Buffer.alloc(1024, 0x61)],
    ['zstd followed by garbage', 'zstd', Buffer.concat([zstd(Buffer.from('a')), Buffer.from('garbage!')])],
  ])('fails on %s', async (_label, compression, input) => {
    await expect(decompress(createDecompressor(compression), chunks(input, 4096))).rejects.toBeInstanceOf(Error)
  })
})

describe('peek', () => {
  it.each<[string, string[], number, string]>([
    ['within the first chunk', ['abcdef'], 4, 'abcd'],
    ['exactly the first chunk', ['abcd', 'ef'], 4, 'abcd'],
    ['across several chunks', ['a', 'b', 'cd', 'ef'], 3, 'abc'],
    ['all of a stream of exactly n bytes', ['ab', 'cd'], 4, 'abcd'],
    ['nothing', ['abc'], 0, ''],
  ])('returns the first bytes %s and leaves the stream whole', async (_label, parts, n, head) => {
    // Prepare
    const stream = byteStream(parts.map((p) => Buffer.from(p)))
    // Act
    const peeked = await peek(stream, n)
    const rest = await drain(stream)
    // Assess
    expect(peeked.toString()).toBe(head)
    expect(rest.toString()).toBe(parts.join(''))
  })

  it('waits for bytes that arrive later', async () => {
    // Prepare
    const stream = new Readable({ read() {} })
    setTimeout(() => stream.push(Buffer.from('xy')), 5)
    setTimeout(() => stream.push(Buffer.from('zw')), 10)
    setTimeout(() => stream.push(null), 15)
    // Act
    const peeked = await peek(stream, 3)
    const rest = await drain(stream)
    // Assess
    expect([peeked.toString(), rest.toString()]).toEqual(['xyz', 'xyzw'])
  })

  it('resolves with fewer bytes when the stream is shorter', async () => {
    const peeked = await peek(byteStream([Buffer.from('a'), Buffer.from('b')]), 4)
    expect(peeked.toString()).toBe('ab')
  })

  it('resolves with nothing for an empty stream', async () => {
    const peeked = await peek(byteStream([]), 4)
    expect(peeked.length).toBe(0)
  })

  it('rejects when the stream fails before n bytes arrive', async () => {
    // Prepare
    const stream = new Readable({ read() {} })
    stream.push(Buffer.from('ab'))
    setTimeout(() => stream.destroy(new Error('connection reset')), 5)
    // Act
    const peeked = peek(stream, 4)
    // Assess
    await expect(peeked).rejects.toThrow('connection reset')
  })

  it('leaves an error after the peeked bytes to the reader', async () => {
    // Prepare
    async function* failing(): AsyncGenerator<Buffer> {
      yield Buffer.from('abcdef')
      await new Promise((resolve) => setTimeout(resolve, 5))
      throw new Error('truncated')
    }
    const stream = Readable.from(failing(), { objectMode: false })
    // Act
    const peeked = await peek(stream, 4)
    const reading = drain(stream)
    // Assess
    expect(peeked.toString()).toBe('abcd')
    await expect(reading).rejects.toThrow('truncated')
  })

  it('lets a decompressor read the stream after sniffing it', async () => {
    // Prepare
    const original = sampleText(5000)
    const stream = byteStream(chunks(gzipSync(original), 3))
    // Act
    const head = await peek(stream, 4)
    const compression = sniffCompression(head)
    const { sink, bytes } = collector()
    await pipeline(stream, createDecompressor(compression), sink)
    // Assess
    expect(compression).toBe('gzip')
    expect(bytes().equals(original)).toBe(true)
  })
})

describe('AsyncBoundary', () => {
  it('passes every chunk on, in order', async () => {
    // Prepare
    const parts = Array.from({ length: 500 }, (_v, i) => Buffer.from(`${i},`))
    const { sink, parts: received } = collector()
    // Act
    await pipeline(byteStream(parts), new AsyncBoundary(), sink)
    // Assess
    expect(Buffer.concat(received).toString()).toBe(parts.map(String).join(''))
    expect(received.length).toBe(parts.length)
  })

  it('passes a large decompressed layer whole', async () => {
    // Prepare
    const original = sampleText(100_000)
    const { sink, bytes } = collector()
    // Act
    await pipeline(byteStream(chunks(gzipSync(original), 16_384)), createDecompressor('gzip'), new AsyncBoundary(), sink)
    // Assess
    expect(bytes().equals(original)).toBe(true)
  })

  it('hands chunks on in a later turn, not synchronously', async () => {
    // Prepare
    const boundary = new AsyncBoundary()
    const seen: string[] = []
    boundary.on('data', (chunk: Buffer) => seen.push(chunk.toString()))
    // Act
    boundary.write(Buffer.from('now'))
    const synchronously = [...seen]
    await new Promise((resolve) => setImmediate(resolve))
    await new Promise((resolve) => setImmediate(resolve))
    // Assess
    expect(synchronously).toEqual([])
    expect(seen).toEqual(['now'])
  })

  it('ends when its input ends, with nothing', async () => {
    const { sink, parts } = collector()
    await pipeline(byteStream([]), new AsyncBoundary(), sink)
    expect(parts).toEqual([])
  })
})
