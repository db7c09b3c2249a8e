/**
 * Layer decompression: gzip with zlib, zstd with zlib where Node has it (22.15+, the Lambda
 * runtime) and with the pure-JS `fzstd` elsewhere (Node 20), or none.
 *
 * The compression is taken from the bytes (magic numbers), not from the media type alone:
 * a layer whose media type lies about its compression is still read correctly, and the
 * disagreement is reported.
 *
 * @module
 */
import { PassThrough, Transform, type Readable, type TransformCallback } from 'node:stream'
import * as zlib from 'node:zlib'
import { Decompress as FzstdDecompress } from 'fzstd'
import type { Compression } from '../image/media-types.js'
import { ZstdFramesDecompressor } from './zstd-frames.js'

/** zlib's 16 KiB default halves inflate throughput; 512 KiB measured best here (test/bench). */
const CHUNK_SIZE = 512 * 1024

const GZIP_MAGIC = [0x1f, 0x8b]
const ZSTD_MAGIC = [0x28, 0xb5, 0x2f, 0xfd]

/** The compression the first bytes of a blob show; `none` for anything else (a tar). */
export function sniffCompression(head: Uint8Array): Compression {
  if (startsWith(head, ZSTD_MAGIC)) return 'zstd'
  if (startsWith(head, GZIP_MAGIC) && head[2] === 0x08) return 'gzip'
  return 'none'
}

function startsWith(bytes: Uint8Array, magic: number[]): boolean {
  return magic.every((b, i) => bytes[i] === b)
}

type ZstdFactory = (options: { chunkSize: number }) => Transform
const nativeZstd = (zlib as unknown as { createZstdDecompress?: ZstdFactory }).createZstdDecompress

/** Which zstd implementation this runtime uses (reported by the benchmark). */
export const zstdImplementation: 'zlib' | 'fzstd' = nativeZstd ? 'zlib' : 'fzstd'

/** A transform that decompresses `compression`, or passes bytes through for `none`. */
export function createDecompressor(compression: Compression): Transform {
  switch (compression) {
    case 'gzip':
      return zlib.createGunzip({ chunkSize: CHUNK_SIZE })
    case 'zstd':
      // Node's zstd reads one frame and ignores truncation: ZstdFramesDecompressor fixes both
      return nativeZstd ? new ZstdFramesDecompressor(() => nativeZstd({ chunkSize: CHUNK_SIZE })) : new FzstdTransform()
    case 'none':
      return new PassThrough()
    default: {
      const unreachable: never = compression
      throw new Error(`unknown compression ${String(unreachable)}`)
    }
  }
}

/** fzstd's push API as a Node transform, for runtimes without zlib zstd. */
export class FzstdTransform extends Transform {
  readonly #decoder: FzstdDecompress
  #pending: Uint8Array[] = []

  constructor() {
    super()
    this.#decoder = new FzstdDecompress((chunk) => {
      this.#pending.push(chunk)
    })
  }

  #flushPending(): void {
    for (const chunk of this.#pending) this.push(Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength))
    this.#pending = []
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    try {
      this.#decoder.push(chunk)
      this.#flushPending()
      callback()
    } catch (error) {
      callback(new Error(`zstd: ${(error as Error).message}`, { cause: error }))
    }
  }

  override _flush(callback: TransformCallback): void {
    try {
      this.#decoder.push(new Uint8Array(0), true)
      this.#flushPending()
      callback()
    } catch (error) {
      callback(new Error(`zstd: ${(error as Error).message}`, { cause: error }))
    }
  }
}

/**
 * Hands each chunk on in a later turn of the event loop. Placed after a threadpool
 * decompressor (zlib), it lets the decompressor start on the next chunk while this thread
 * hashes and parses the previous one; without it the two take turns (measured: ~12 % of
 * the layer walk's time on a gzip layer).
 */
export class AsyncBoundary extends Transform {
  constructor() {
    super({ highWaterMark: 4 * 1024 * 1024 })
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    setImmediate(callback, null, chunk)
  }
}

const ignore = (): void => {}

/**
 * Reads the first `n` bytes of a stream without consuming them: they are put back so the
 * stream still starts at byte 0. Resolves with fewer bytes when the stream is shorter, and
 * rejects when the stream fails first.
 */
export async function peek(stream: Readable, n: number): Promise<Buffer> {
  if (n <= 0) return Buffer.alloc(0)
  // a stream that fails inside read() emits 'error' on the next tick; whoever consumes it
  // next (a pipeline) sees the failure through `errored`, and peek rejects with it
  stream.on('error', ignore)
  // One set of listeners for the whole wait: adding a 'readable' listener to a stream with
  // buffered bytes emits 'readable' at once, so re-adding one per turn would spin.
  let wake: (() => void) | undefined
  const onEvent = (): void => wake?.()
  stream.on('readable', onEvent)
  stream.on('end', onEvent)
  stream.on('close', onEvent)
  stream.on('error', onEvent)
  try {
    for (;;) {
      if (stream.errored) throw stream.errored
      // read(n) holds back until n bytes are buffered, or hands over the rest at the end
      // of the stream; putting them back before 'end' is emitted keeps the stream whole
      const head = stream.read(n) as Buffer | null
      if (head !== null) {
        stream.unshift(head)
        return head.subarray(0, n)
      }
      if (stream.errored) throw stream.errored
      if (stream.readableEnded || stream.destroyed) return Buffer.alloc(0)
      await new Promise<void>((resolve) => {
        wake = resolve
      })
    }
  } finally {
    stream.off('readable', onEvent)
    stream.off('end', onEvent)
    stream.off('close', onEvent)
    stream.off('error', onEvent)
  }
}
