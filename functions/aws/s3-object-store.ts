/**
 * {@link ObjectStore} on Amazon S3, with conditional writes (`If-Match` / `If-None-Match`),
 * listings (ListObjectsV2, page by page) and deletes.
 *
 * @module
 */
import { DeleteObjectCommand, GetObjectCommand, ListObjectsV2Command, PutObjectCommand, S3ServiceException, type S3Client } from '@aws-sdk/client-s3'
import { ErrorCode, PushscanError } from '../../shared/errors.js'
import type { ObjectStore, StoredObject } from '../../shared/ports/object-store.js'

export class S3ObjectStore implements ObjectStore {
  readonly #client: S3Client
  readonly #bucket: string
  readonly #prefix: string

  constructor(client: S3Client, bucket: string, prefix = '') {
    this.#client = client
    this.#bucket = bucket
    this.#prefix = prefix
  }

  async get(key: string): Promise<StoredObject | undefined> {
    try {
      const response = await this.#client.send(new GetObjectCommand({ Bucket: this.#bucket, Key: this.#prefix + key }))
      const bytes = Buffer.from(await response.Body!.transformToByteArray())
      return response.ETag ? { bytes, etag: response.ETag } : { bytes }
    } catch (error) {
      if (error instanceof S3ServiceException && (error.name === 'NoSuchKey' || error.$metadata.httpStatusCode === 404)) return undefined
      throw unavailable('read', key, error)
    }
  }

  async put(key: string, bytes: Buffer, options: { contentType?: string; ifMatch?: string | null } = {}): Promise<boolean> {
    try {
      await this.#client.send(
        new PutObjectCommand({
          Bucket: this.#bucket,
          Key: this.#prefix + key,
          Body: bytes,
          ContentType: options.contentType ?? 'application/octet-stream',
          ...(options.ifMatch === null ? { IfNoneMatch: '*' } : options.ifMatch ? { IfMatch: options.ifMatch } : {}),
        })
      )
      return true
    } catch (error) {
      const status = (error as S3ServiceException).$metadata?.httpStatusCode
      if (status === 412 || status === 409) return false
      throw unavailable('write', key, error)
    }
  }

  async *list(prefix: string): AsyncIterable<string> {
    let token: string | undefined
    do {
      let page
      try {
        page = await this.#client.send(new ListObjectsV2Command({ Bucket: this.#bucket, Prefix: this.#prefix + prefix, ...(token ? { ContinuationToken: token } : {}) }))
      } catch (error) {
        throw unavailable('list', prefix, error)
      }
      for (const object of page.Contents ?? []) {
        if (object.Key !== undefined && object.Key.startsWith(this.#prefix)) yield object.Key.slice(this.#prefix.length)
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined
    } while (token)
  }

  async delete(key: string): Promise<void> {
    try {
      await this.#client.send(new DeleteObjectCommand({ Bucket: this.#bucket, Key: this.#prefix + key }))
    } catch (error) {
      if (error instanceof S3ServiceException && (error.name === 'NoSuchKey' || error.$metadata.httpStatusCode === 404)) return
      throw unavailable('delete', key, error)
    }
  }
}

function unavailable(what: string, key: string, error: unknown): PushscanError {
  return new PushscanError(ErrorCode.StoreUnavailable, `could not ${what} s3 object ${key}: ${(error as Error).message}`, { temporary: true, cause: error })
}
