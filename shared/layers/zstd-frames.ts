/**
 * Multi-frame zstd on Node's native decompressor. A zstd stream may hold several frames
 * one after another (pzstd, `zstd:chunked` layers, concatenated files), and skippable
 * frames; Node 22's `zlib.createZstdDecompress` stops after the first frame and says
 * nothing about a stream cut short. This transform follows the frame structure of the
 * compressed bytes (RFC 8878 §3.1: frame header, block headers, checksum), hands each frame
 * to a fresh native decompressor, and fails on truncated frames and on trailing bytes that
 * are not a frame.
 *
 * @see https://www.rfc-editor.org/rfc/rfc8878#section-3.1
 * @module
 */
import { once } from 'node:events'
import { Transform, type TransformCallback } from 'node:stream'

const ZSTD_MAGIC = 0xfd2fb528
const SKIPPABLE_MASK = 0xfffffff0
const SKIPPABLE_MAGIC = 0x184d2a50

type State =
  | { kind: 'magic' }
  | { kind: 'skip'; left: number }
  | { kind: 'skip-size' }
  | { kind: 'frame-header' }
  | { kind: 'frame-header-rest'; size: number; checksum: boolean }
  | { kind: 'block-header'; checksum: boolean }
  | { kind: 'block-body'; left: number; last: boolean; checksum: boolean }
  | { kind: 'checksum'; left: number }

export class ZstdFramesDecompressor extends Transform {
  readonly #create: () => Transform
  #inner: Transform | undefined
  #state: State = { kind: 'magic' }
  /** Bytes of a header being assembled across chunks. */
  #header: Buffer = Buffer.alloc(0)
  #sawFrame = false

  constructor(create: () => Transform) {
    super()
    this.#create = create
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.#consume(chunk).then(() => callback(), (error: Error) => callback(error))
  }

  override _flush(callback: TransformCallback): void {
    const done = async (): Promise<void> => {
      if (this.#state.kind !== 'magic' || this.#header.length > 0) throw new Error('zstd: the stream ends in the middle of a frame')
      if (!this.#sawFrame) throw new Error('zstd: no frame in the stream')
    }
    done().then(() => callback(), (error: Error) => callback(error))
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    this.#inner?.destroy()
    callback(error)
  }

  async #consume(chunk: Buffer): Promise<void> {
    let offset = 0
    while (offset < chunk.length) {
      const state = this.#state
      switch (state.kind) {
        case 'magic': {
          const bytes = this.#take(chunk, offset, 4)
          offset = bytes.offset
          if (!bytes.value) break
          const magic = bytes.value.readUInt32LE(0)
          if (magic === ZSTD_MAGIC) {
            this.#sawFrame = true
            this.#inner = this.#startFrame()
            await this.#write(bytes.value)
            this.#state = { kind: 'frame-header' }
          } else if ((magic & SKIPPABLE_MASK) >>> 0 === SKIPPABLE_MAGIC) {
            this.#state = { kind: 'skip-size' }
          } else {
            throw new Error('zstd: bytes after the last frame are not a zstd frame')
          }
          break
        }
        case 'skip-size': {
          const bytes = this.#take(chunk, offset, 4)
          offset = bytes.offset
          if (bytes.value) this.#state = { kind: 'skip', left: bytes.value.readUInt32LE(0) }
          break
        }
        case 'skip': {
          const n = Math.min(state.left, chunk.length - offset)
          offset += n
          this.#state = state.left - n === 0 ? { kind: 'magic' } : { kind: 'skip', left: state.left - n }
          break
        }
        case 'frame-header': {
          const bytes = this.#take(chunk, offset, 1)
          offset = bytes.offset
          if (!bytes.value) break
          const fhd = bytes.value[0]!
          await this.#write(bytes.value)
          const single = (fhd & 0x20) !== 0
          const fcsFlag = fhd >> 6
          const size = (single ? 0 : 1) + [0, 1, 2, 4][fhd & 0x03]! + (fcsFlag === 0 ? (single ? 1 : 0) : [0, 2, 4, 8][fcsFlag]!)
          if (fhd & 0x08) throw new Error('zstd: reserved bit set in a frame header')
          this.#state = size === 0 ? { kind: 'block-header', checksum: (fhd & 0x04) !== 0 } : { kind: 'frame-header-rest', size, checksum: (fhd & 0x04) !== 0 }
          break
        }
        case 'frame-header-rest': {
          const bytes = this.#take(chunk, offset, state.size)
          offset = bytes.offset
          if (!bytes.value) break
          await this.#write(bytes.value)
          this.#state = { kind: 'block-header', checksum: state.checksum }
          break
        }
        case 'block-header': {
          const bytes = this.#take(chunk, offset, 3)
          offset = bytes.offset
          if (!bytes.value) break
          await this.#write(bytes.value)
          const header = bytes.value.readUIntLE(0, 3)
          const last = (header & 1) === 1
          const type = (header >> 1) & 3
          if (type === 3) throw new Error('zstd: reserved block type')
          const left = type === 1 ? 1 : header >>> 3
          this.#state = { kind: 'block-body', left, last, checksum: state.checksum }
          if (left === 0) this.#state = await this.#afterBlock(last, state.checksum)
          break
        }
        case 'block-body': {
          const n = Math.min(state.left, chunk.length - offset)
          await this.#write(chunk.subarray(offset, offset + n))
          offset += n
          this.#state = state.left - n > 0 ? { ...state, left: state.left - n } : await this.#afterBlock(state.last, state.checksum)
          break
        }
        case 'checksum': {
          const n = Math.min(state.left, chunk.length - offset)
          await this.#write(chunk.subarray(offset, offset + n))
          offset += n
          if (state.left - n > 0) this.#state = { kind: 'checksum', left: state.left - n }
          else {
            await this.#endFrame()
            this.#state = { kind: 'magic' }
          }
          break
        }
      }
    }
  }

  async #afterBlock(last: boolean, checksum: boolean): Promise<State> {
    if (!last) return { kind: 'block-header', checksum }
    if (checksum) return { kind: 'checksum', left: 4 }
    await this.#endFrame()
    return { kind: 'magic' }
  }

  /** Collects `n` bytes for a header across chunk boundaries. */
  #take(chunk: Buffer, offset: number, n: number): { offset: number; value?: Buffer } {
    const need = n - this.#header.length
    const part = chunk.subarray(offset, offset + need)
    this.#header = this.#header.length === 0 && part.length === n ? part : Buffer.concat([this.#header, part])
    if (this.#header.length < n) return { offset: offset + part.length }
    const value = this.#header
    this.#header = Buffer.alloc(0)
    return { offset: offset + part.length, value }
  }

  #startFrame(): Transform {
    const inner = this.#create()
    // backpressure: a full output buffer pauses the frame's decompressor until _read
    inner.on('data', (data: Buffer) => {
      if (!this.push(data)) inner.pause()
    })
    inner.on('error', (error: Error) => this.destroy(error))
    return inner
  }

  override _read(size: number): void {
    this.#inner?.resume()
    super._read(size)
  }

  async #write(bytes: Buffer): Promise<void> {
    const inner = this.#inner!
    if (!inner.write(bytes)) await Promise.race([once(inner, 'drain'), once(inner, 'error').then(([e]) => Promise.reject(e as Error))])
  }

  async #endFrame(): Promise<void> {
    const inner = this.#inner!
    this.#inner = undefined
    const ended = once(inner, 'end')
    inner.end()
    await ended
  }
}
