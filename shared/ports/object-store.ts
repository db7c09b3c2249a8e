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

export interface ObjectStore {
  get(key: string): Promise<StoredObject | undefined>
  /**
   * Writes an object. With `ifMatch`, the write happens only if the object still has that
   * etag (`ifMatch: null`: only if it does not exist) and resolves false otherwise.
   */
  put(key: string, bytes: Buffer, options?: { contentType?: string; ifMatch?: string | null }): Promise<boolean>
}
