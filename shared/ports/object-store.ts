/**
 * Object storage by key: S3 in AWS, a directory on one machine. Keys are `/`-separated
 * relative paths (`reports/sha256/<hex>.json`).
 *
 * @module
 */

export interface StoredObject {
  bytes: Buffer
  /** An opaque version tag (S3 ETag, a file's mtime+size) for conditional writes. */
  etag?: string
}

export interface PutOptions {
  contentType?: string
  /** undefined: write unconditionally; null: only if absent; a string: only if the current etag is this. */
  ifMatch?: string | null
  /**
   * false for what can be made again (the layer cache): the object may be lost in a crash,
   * though never left half-written, and a store may skip flushing it to disk. Default true.
   */
  durable?: boolean
}

export interface ObjectStore {
  get(key: string): Promise<StoredObject | undefined>
  /**
   * Writes an object. With `ifMatch`, the write happens only if the object still has that
   * etag (`ifMatch: null`: only if it does not exist) and resolves false otherwise.
   */
  put(key: string, bytes: Buffer, options?: PutOptions): Promise<boolean>
  /**
   * The keys that start with `prefix` (a plain string prefix, as S3 lists them), in
   * ascending order. Objects written or deleted while the listing runs may or may not be
   * in it.
   */
  list(prefix: string): AsyncIterable<string>
  /** Deletes an object; deleting one that does not exist is not an error. */
  delete(key: string): Promise<void>
}
