/**
 * Reads one layer as it streams: blob (verified by the source) → decompression → DiffID
 * hash → tar walk, offering each entry to the file analyzers that want it, with bounded
 * reads. Nothing is written to disk and memory stays bounded whatever the layer's size:
 * only the entry list and the files analyzers asked for (each capped) are kept.
 *
 * @module
 */
import { Transform, type Readable, type TransformCallback } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import tar from 'tar-stream'
import { HEAD_BYTES, type FileAnalyzer } from '../analyzers/analyzer.js'
import { ErrorCode, LayerError, LimitError, PushscanError } from '../errors.js'
import { DigestMeter, type Digest } from '../image/digest.js'
import type { Descriptor } from '../image/manifest.js'
import { layerCompression } from '../image/media-types.js'
import type { Finding } from '../report/model.js'
import { AsyncBoundary, createDecompressor, peek, sniffCompression } from './decompress.js'
import { EntryType, type EntryRecord, type LayerResult, type RefusedEntry } from './layer-result.js'
import type { ScanLimits } from './limits.js'
import { normaliseEntryPath } from './paths.js'
import { whiteoutOf } from './whiteout.js'

export interface ReadLayerOptions {
  limits: ScanLimits
  analyzers: readonly FileAnalyzer[]
  /** The uncompressed bytes the whole image may still use (shared by layers read at once). */
  imageBudget: ByteBudget
  /** Called with each chunk's compressed size, for progress. */
  onBytes?: (bytes: number) => void
}

/**
 * The uncompressed bytes an image may still use, shared by the layers read at the same
 * time, so `maxImageBytes` holds however many layers stream in parallel.
 */
export class ByteBudget {
  #left: number

  constructor(bytes: number) {
    this.#left = bytes
  }

  get left(): number {
    return this.#left
  }

  /** Takes `n` bytes; false when the budget is exhausted. */
  take(n: number): boolean {
    this.#left -= n
    return this.#left >= 0
  }
}

/** A corrupt blob is only drained to tell "corrupt" from "not what the digest says" when this little is left. */
const MAX_DRAIN_FOR_VERDICT = 512 * 1024 * 1024

type TarEntry = AsyncIterable<Buffer> & { header: tar.Header; resume(): void }

/**
 * Reads a layer blob to the end and returns what it holds. The stream must verify its own
 * size and digest (every {@link ImageSource} blob does); the DiffID is checked here.
 */
export async function readLayer(blob: Readable, descriptor: Descriptor, diffId: Digest, options: ReadLayerOptions): Promise<LayerResult> {
  const { limits } = options
  const head = await peek(blob, 4)
  const compression = sniffCompression(head)
  const declared = layerCompression(descriptor.mediaType)
  const counter = new ByteCounter(options.onBytes)
  const decompressor = createDecompressor(compression)
  // An uncompressed layer's blob digest is its DiffID, and the source verifies the blob:
  // hashing the same bytes twice would only cost time, so the meter then only counts.
  const verifiedBySource = compression === 'none' && descriptor.digest === diffId
  const meter = new DigestMeter(
    limits.maxLayerBytes,
    () => new LimitError(ErrorCode.LayerTooLarge, 'maxLayerBytes', limits.maxLayerBytes, `layer ${descriptor.digest} is larger than ${limits.maxLayerBytes} bytes uncompressed`),
    (bytes) => (options.imageBudget.take(bytes) ? undefined : new LimitError(ErrorCode.ImageTooLarge, 'maxImageBytes', limits.maxImageBytes, `image is larger than ${limits.maxImageBytes} bytes uncompressed`)),
    !verifiedBySource
  )
  const extract = tar.extract()

  // The blob side and the decoding side are two pipelines joined by pipe(), so that when the
  // decoding fails we can still read the blob to its end and learn whether it was corrupt in
  // transit (a digest mismatch) or was pushed corrupt.
  const fetched = pipeline(blob, counter)
  fetched.catch((error: unknown) => decompressor.destroy(error as Error))
  counter.pipe(decompressor)
  // the hand-off to a later turn helps only when a thread-pool decompressor runs meanwhile
  const decoded = compression === 'none' ? pipeline(decompressor, meter, extract) : pipeline(decompressor, new AsyncBoundary(), meter, extract)

  const result: LayerResult = {
    digest: descriptor.digest,
    diffId,
    mediaType: descriptor.mediaType,
    size: descriptor.size,
    uncompressedSize: 0,
    compression,
    entries: [],
    refused: [],
    dotDotNames: [],
    notes: [],
    analyses: Object.fromEntries(options.analyzers.map((a) => [a.id, { version: a.version, findings: [], facts: [], errors: [] }])),
  }
  if (declared !== undefined && declared !== compression) {
    result.notes.push({
      code: ErrorCode.LayerUnsupported,
      message: `media type says ${declared} but the content is ${compression}; read as ${compression}`,
      layer: diffId,
    })
  }

  try {
    let count = 0
    for await (const raw of extract as unknown as AsyncIterable<TarEntry>) {
      count++
      if (count > limits.maxEntriesPerLayer) {
        throw new LimitError(ErrorCode.LayerTooManyEntries, 'maxEntriesPerLayer', limits.maxEntriesPerLayer, `layer ${descriptor.digest} has more than ${limits.maxEntriesPerLayer} entries`)
      }
      await readEntry(raw, result, options)
    }
    await decoded
    await fetched
  } catch (error) {
    throw await settle(error, { blob, counter, decompressor, extract, fetched, decoded, descriptor, counted: () => counter.bytes })
  }

  result.uncompressedSize = meter.bytes
  if (!verifiedBySource && meter.digest !== diffId) {
    throw new LayerError(ErrorCode.DiffIdMismatch, `layer ${descriptor.digest} unpacks to ${meter.digest}, but the config says ${diffId}`)
  }
  return result
}

interface Streams {
  blob: Readable
  counter: ByteCounter
  decompressor: Transform
  extract: tar.Extract
  fetched: Promise<void>
  decoded: Promise<void>
  descriptor: Descriptor
  counted: () => number
}

/** Stops every stream after a failure and decides which error the layer really failed with. */
async function settle(error: unknown, s: Streams): Promise<Error> {
  if (error instanceof PushscanError) {
    // a limit or a blob error: stop reading at once
    s.blob.destroy()
    s.extract.destroy()
    await Promise.allSettled([s.fetched, s.decoded])
    return error
  }
  // a decoding error: the bytes may have been damaged in transit. Read the blob to its end
  // (when that is cheap) so its digest check can say so.
  s.extract.destroy()
  await s.decoded.catch(() => {})
  if (s.descriptor.size - s.counted() <= MAX_DRAIN_FOR_VERDICT) {
    s.counter.unpipe()
    s.counter.resume()
    const verdict = await s.fetched.then(
      () => undefined,
      (e: unknown) => e
    )
    if (verdict instanceof PushscanError) return verdict
  } else {
    s.blob.destroy()
    await s.fetched.catch(() => {})
  }
  const message = (error as Error)?.message ?? String(error)
  return new LayerError(ErrorCode.LayerCorrupt, `layer ${s.descriptor.digest} is corrupt: ${message}`, { cause: error })
}

const TAR_TYPES: Readonly<Record<string, EntryType>> = {
  file: EntryType.File,
  'contiguous-file': EntryType.File,
  directory: EntryType.Directory,
  symlink: EntryType.Symlink,
  link: EntryType.Hardlink,
  'character-device': EntryType.CharDevice,
  'block-device': EntryType.BlockDevice,
  fifo: EntryType.Fifo,
}

async function readEntry(entry: TarEntry, result: LayerResult, options: ReadLayerOptions): Promise<void> {
  const { header } = entry
  const refuse = (reason: RefusedEntry['reason']): void => {
    result.refused.push({ name: header.name.slice(0, 1024), reason })
    entry.resume()
  }
  const type = TAR_TYPES[header.type ?? 'file']
  if (!type) return refuse('unsupported-type')
  const normalised = normaliseEntryPath(header.name, options.limits.maxPathLength)
  if (!normalised.ok) return refuse(normalised.reason)
  if (normalised.path === '/') {
    entry.resume()
    return
  }
  if (normalised.dotDot) result.dotDotNames.push(header.name.slice(0, 1024))

  const record: EntryRecord = {
    path: normalised.path,
    type,
    size: type === EntryType.File ? (header.size ?? 0) : 0,
    mode: (header.mode ?? 0) & 0o7777,
    uid: header.uid ?? 0,
    gid: header.gid ?? 0,
  }
  if (header.mtime instanceof Date && !Number.isNaN(header.mtime.getTime())) record.mtime = Math.floor(header.mtime.getTime() / 1000)

  const whiteout = whiteoutOf(normalised.path)
  if (whiteout) {
    if (whiteout.kind === 'invalid') return refuse('invalid-whiteout')
    record.type = whiteout.kind === 'opaque' ? EntryType.OpaqueWhiteout : EntryType.Whiteout
    record.path = whiteout.kind === 'opaque' ? whiteout.directory : whiteout.target
    record.size = 0
    result.entries.push(record)
    entry.resume()
    return
  }
  if (type === EntryType.Hardlink) {
    const target = normaliseEntryPath(header.linkname ?? '', options.limits.maxPathLength)
    if (!target.ok || target.path === '/') return refuse('hardlink-escapes-root')
    record.linkname = target.path
  } else if (type === EntryType.Symlink) {
    record.linkname = header.linkname ?? ''
  }
  result.entries.push(record)

  let wanting = type === EntryType.File ? options.analyzers.filter((a) => a.wants(record.path, record)) : []
  if (wanting.length === 0) {
    entry.resume()
    return
  }
  const reader = new CappedReader(entry, options.limits.maxFileReadBytes)
  if (wanting.some((a) => a.wantsHead !== undefined)) {
    const head = (await reader.head(HEAD_BYTES)).subarray(0, HEAD_BYTES)
    wanting = wanting.filter((a) => a.wantsHead === undefined || a.wantsHead(head, record.path, record))
    if (wanting.length === 0) {
      await reader.drain()
      return
    }
  }
  const { content, truncated } = await reader.rest()
  for (const analyzer of wanting) {
    const output = result.analyses[analyzer.id]!
    try {
      const analysis = await analyzer.analyze({ path: record.path, entry: record, content, truncated })
      for (const finding of analysis.findings ?? []) output.findings.push(locate(finding, result.diffId, record.path))
      if (analysis.facts !== undefined) output.facts.push({ path: record.path, value: analysis.facts })
    } catch (error) {
      output.errors.push({
        code: ErrorCode.AnalyzerFailed,
        message: `${analyzer.id} failed on ${record.path}: ${(error as Error)?.message ?? String(error)}`,
        analyzer: analyzer.id,
        layer: result.diffId,
      })
    }
  }
}

function locate(finding: Finding, diffId: string, path: string): Finding {
  return { ...finding, location: { layer: diffId, path, ...finding.location } }
}

/**
 * Reads at most `max` bytes of an entry, draining the rest: first a head (so analyzers can
 * decline before the whole file is held), then the remainder.
 */
class CappedReader {
  readonly #iterator: AsyncIterator<Buffer>
  readonly #max: number
  readonly #chunks: Buffer[] = []
  #have = 0
  #truncated = false
  #done = false
  #draining = false

  constructor(entry: AsyncIterable<Buffer>, max: number) {
    this.#iterator = entry[Symbol.asyncIterator]()
    this.#max = max
  }

  /** At least `bytes` bytes from the start (fewer only when the file is shorter or over the cap). */
  async head(bytes: number): Promise<Buffer> {
    while (!this.#done && this.#have < bytes && !this.#truncated) await this.#pull()
    return this.#chunks.length === 1 ? this.#chunks[0]! : Buffer.concat(this.#chunks, this.#have)
  }

  /** The whole content, up to the cap. */
  async rest(): Promise<{ content: Buffer; truncated: boolean }> {
    while (!this.#done) await this.#pull()
    // one chunk (most files): hand it over as it is, no copy
    const content = this.#chunks.length === 1 ? this.#chunks[0]! : Buffer.concat(this.#chunks, this.#have)
    return { content, truncated: this.#truncated }
  }

  /** Reads to the end of the entry, keeping nothing. */
  async drain(): Promise<void> {
    this.#chunks.length = 0
    this.#draining = true
    while (!this.#done) await this.#pull()
  }

  async #pull(): Promise<void> {
    const next = await this.#iterator.next()
    if (next.done) {
      this.#done = true
      return
    }
    const chunk = next.value
    if (this.#draining) return
    if (this.#have >= this.#max) {
      this.#truncated = true
      return
    }
    const take = chunk.length <= this.#max - this.#have ? chunk : chunk.subarray(0, this.#max - this.#have)
    if (take.length < chunk.length) this.#truncated = true
    this.#chunks.push(take)
    this.#have += take.length
  }
}

/** Counts bytes going past, reporting each chunk's size. */
class ByteCounter extends Transform {
  bytes = 0
  readonly #onBytes: ((bytes: number) => void) | undefined

  constructor(onBytes?: (bytes: number) => void) {
    super()
    this.#onBytes = onBytes
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.bytes += chunk.length
    this.#onBytes?.(chunk.length)
    callback(null, chunk)
  }
}
