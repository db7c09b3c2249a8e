/**
 * Content digests (`sha256:<64 hex>`), and a stream that verifies size and digest while the
 * bytes go past, so nothing has to be buffered to be checked.
 *
 * @see https://github.com/opencontainers/image-spec/blob/main/descriptor.md#digests
 * @module
 */
import { createHash, type Hash } from 'node:crypto'
import { Transform, type TransformCallback } from 'node:stream'
import { ErrorCode, InputError, PushscanError } from '../errors.js'

declare const digestBrand: unique symbol
/** A validated digest string such as `sha256:0123…`. */
export type Digest = string & { readonly [digestBrand]: true }

const ALGORITHMS = { sha256: 64, sha512: 128 } as const
type Algorithm = keyof typeof ALGORITHMS

const DIGEST_PATTERN = /^([a-z0-9]+(?:[.+_-][a-z0-9]+)*):([a-zA-Z0-9=_-]+)$/

/**
 * Parses a digest. Only the registered algorithms `sha256` and `sha512` are accepted, with
 * lower-case hex of the right length, because those are the ones we can verify.
 *
 * @example parseDigest('sha256:' + 'a'.repeat(64))
 */
export function parseDigest(value: string): Digest {
  const match = DIGEST_PATTERN.exec(value)
  const algorithm = match?.[1]
  const hex = match?.[2]
  if (!algorithm || !hex) throw new InputError(ErrorCode.ReferenceInvalid, `invalid digest "${value}"`)
  if (!(algorithm in ALGORITHMS)) {
    throw new InputError(ErrorCode.ReferenceInvalid, `unsupported digest algorithm "${algorithm}"`)
  }
  const length = ALGORITHMS[algorithm as Algorithm]
  if (hex.length !== length || !/^[0-9a-f]+$/.test(hex)) {
    throw new InputError(ErrorCode.ReferenceInvalid, `invalid ${algorithm} digest "${value}"`)
  }
  return value as Digest
}

/** True when `value` parses as a {@link Digest}. */
export function isDigest(value: string): value is Digest {
  try {
    parseDigest(value)
    return true
  } catch {
    return false
  }
}

export function digestAlgorithm(digest: Digest): Algorithm {
  return digest.slice(0, digest.indexOf(':')) as Algorithm
}

export function digestHex(digest: Digest): string {
  return digest.slice(digest.indexOf(':') + 1)
}

/** The sha256 digest of some bytes. */
export function sha256Digest(bytes: Uint8Array | string): Digest {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}` as Digest
}

/** The digest of `bytes` with the same algorithm as `like`. */
export function digestLike(like: Digest, bytes: Uint8Array): Digest {
  const algorithm = digestAlgorithm(like)
  return `${algorithm}:${createHash(algorithm).update(bytes).digest('hex')}` as Digest
}

export interface VerifyOptions {
  /** The digest the bytes must hash to. */
  digest: Digest
  /** The exact number of bytes expected, when known. */
  size?: number
  /** Builds the error thrown on mismatch; the default is a permanent PushscanError. */
  onMismatch?: (kind: 'digest' | 'size', detail: string) => Error
}

/**
 * A pass-through stream that hashes and counts what flows through it and fails the stream
 * when the total size or the digest differs from what was expected. Reading past the
 * expected size fails at once, so a lying server cannot feed us an endless body.
 */
export class DigestVerifier extends Transform {
  readonly expected: Digest
  readonly expectedSize: number | undefined
  #hash: Hash
  #bytes = 0
  #onMismatch: (kind: 'digest' | 'size', detail: string) => Error

  constructor(options: VerifyOptions) {
    super()
    this.expected = options.digest
    this.expectedSize = options.size
    this.#hash = createHash(digestAlgorithm(options.digest))
    this.#onMismatch =
      options.onMismatch ??
      ((kind, detail) =>
        new PushscanError(kind === 'digest' ? ErrorCode.BlobDigestMismatch : ErrorCode.BlobSizeMismatch, detail))
  }

  /** Bytes seen so far. */
  get bytes(): number {
    return this.#bytes
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.#bytes += chunk.length
    if (this.expectedSize !== undefined && this.#bytes > this.expectedSize) {
      callback(this.#onMismatch('size', `more than the expected ${this.expectedSize} bytes for ${this.expected}`))
      return
    }
    this.#hash.update(chunk)
    callback(null, chunk)
  }

  override _flush(callback: TransformCallback): void {
    if (this.expectedSize !== undefined && this.#bytes !== this.expectedSize) {
      callback(this.#onMismatch('size', `got ${this.#bytes} bytes for ${this.expected}, expected ${this.expectedSize}`))
      return
    }
    const actual = `${digestAlgorithm(this.expected)}:${this.#hash.digest('hex')}`
    if (actual !== this.expected) {
      callback(this.#onMismatch('digest', `content hashes to ${actual}, expected ${this.expected}`))
      return
    }
    callback()
  }
}

/**
 * A pass-through stream that computes the sha256 of what flows through it, for DiffIDs,
 * which are checked against the config after the whole layer has been read.
 */
export class DigestMeter extends Transform {
  #hash = createHash('sha256')
  #bytes = 0
  #digest: Digest | undefined
  readonly #maxBytes: number
  readonly #onLimit: (bytes: number) => Error
  readonly #onChunk: ((bytes: number) => Error | undefined) | undefined
  readonly #hashing: boolean

  /**
   * @param maxBytes fail past this many bytes, with the error `onLimit` makes
   * @param onChunk asked about each chunk's size; an error it returns fails the stream
   * @param hashing false to only count (when the bytes are verified elsewhere); `digest` is then undefined
   */
  constructor(
    maxBytes = Number.POSITIVE_INFINITY,
    onLimit: (bytes: number) => Error = (b) => new Error(`over ${b} bytes`),
    onChunk?: (bytes: number) => Error | undefined,
    hashing = true
  ) {
    super()
    this.#maxBytes = maxBytes
    this.#onLimit = onLimit
    this.#onChunk = onChunk
    this.#hashing = hashing
  }

  get bytes(): number {
    return this.#bytes
  }

  /** The digest of everything that went through; available once the stream has ended. */
  get digest(): Digest | undefined {
    return this.#digest
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.#bytes += chunk.length
    if (this.#bytes > this.#maxBytes) {
      callback(this.#onLimit(this.#maxBytes))
      return
    }
    const refused = this.#onChunk?.(chunk.length)
    if (refused) {
      callback(refused)
      return
    }
    if (this.#hashing) this.#hash.update(chunk)
    callback(null, chunk)
  }

  override _flush(callback: TransformCallback): void {
    if (this.#hashing) this.#digest = `sha256:${this.#hash.digest('hex')}` as Digest
    callback()
  }
}
