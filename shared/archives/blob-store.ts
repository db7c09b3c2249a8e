/**
 * Files of a local image, by path relative to its root: a directory on disk (an OCI layout)
 * or the members of a tar file (an OCI or Docker archive) read in place. The image sources
 * read through this so the same logic serves both.
 *
 * @module
 */
import { open, type FileHandle } from 'node:fs/promises'
import { join, posix } from 'node:path'
import type { Readable } from 'node:stream'
import { ArchiveError, ErrorCode } from '../errors.js'
import type { TarIndex } from './tar-index.js'

/** Read access to the files of a local image. */
export interface BlobStore {
  /** The directory or archive read, for messages. */
  readonly location: string
  /** The size of the regular file at `relPath`, or undefined when there is none. */
  size(relPath: string): Promise<number | undefined>
  /**
   * The whole file at `relPath`, or undefined when there is none; a file over `maxBytes` is
   * refused with ArchiveError `ARCHIVE_INVALID`.
   */
  read(relPath: string, maxBytes: number): Promise<Buffer | undefined>
  /** A stream of the file at `relPath`, or undefined when there is none. The caller must consume or destroy it. */
  open(relPath: string): Promise<Readable | undefined>
  /** Releases what the store holds. */
  close(): Promise<void>
}

/** Refuses absolute paths and `..` segments: stores only hand out their own files. */
function checkRelative(relPath: string, location: string): void {
  if (relPath === '' || posix.isAbsolute(relPath) || relPath.split('/').some((part) => part === '..' || part === '')) {
    throw new ArchiveError(ErrorCode.ArchiveInvalid, `${location}: refusing to read "${relPath}"`)
  }
}

/** A {@link BlobStore} over a directory. */
export class DirectoryBlobStore implements BlobStore {
  readonly location: string

  constructor(directory: string) {
    this.location = directory
  }

  async size(relPath: string): Promise<number | undefined> {
    const handle = await this.#open(relPath)
    if (!handle) return undefined
    try {
      return (await handle.stat()).size
    } finally {
      await handle.close()
    }
  }

  async read(relPath: string, maxBytes: number): Promise<Buffer | undefined> {
    const handle = await this.#open(relPath)
    if (!handle) return undefined
    try {
      const { size } = await handle.stat()
      if (size > maxBytes) {
        throw new ArchiveError(ErrorCode.ArchiveInvalid, `${this.location}: "${relPath}" is ${size} bytes, over the limit of ${maxBytes}`)
      }
      const buffer = Buffer.alloc(size)
      let done = 0
      while (done < size) {
        const { bytesRead } = await handle.read(buffer, done, size - done, done)
        if (bytesRead === 0) break
        done += bytesRead
      }
      return buffer.subarray(0, done)
    } finally {
      await handle.close()
    }
  }

  async open(relPath: string): Promise<Readable | undefined> {
    const handle = await this.#open(relPath)
    // the stream owns the handle from here and closes it when it ends or is destroyed
    return handle?.createReadStream({ autoClose: true, highWaterMark: 1024 * 1024 })
  }

  async close(): Promise<void> {
    // nothing held between reads
  }

  /** Opens a regular file, or returns undefined when there is none. */
  async #open(relPath: string): Promise<FileHandle | undefined> {
    checkRelative(relPath, this.location)
    let handle: FileHandle
    try {
      handle = await open(join(this.location, ...relPath.split('/')), 'r')
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code
      if (code === 'ENOENT' || code === 'ENOTDIR' || code === 'EISDIR') return undefined
      throw new ArchiveError(ErrorCode.ArchiveInvalid, `${this.location}: cannot read "${relPath}": ${(error as Error).message}`, { cause: error })
    }
    try {
      if ((await handle.stat()).isFile()) return handle
    } catch (error) {
      await handle.close()
      throw error
    }
    await handle.close()
    return undefined
  }
}

/** A {@link BlobStore} over the members of an indexed tar file, read in place. */
export class TarBlobStore implements BlobStore {
  readonly location: string
  readonly #index: TarIndex

  constructor(index: TarIndex) {
    this.#index = index
    this.location = index.path
  }

  async size(relPath: string): Promise<number | undefined> {
    checkRelative(relPath, this.location)
    const entry = this.#index.resolve(relPath)
    return entry?.type === 'file' ? entry.size : undefined
  }

  async read(relPath: string, maxBytes: number): Promise<Buffer | undefined> {
    checkRelative(relPath, this.location)
    return this.#index.hasFile(relPath) ? this.#index.readMember(relPath, maxBytes) : undefined
  }

  async open(relPath: string): Promise<Readable | undefined> {
    checkRelative(relPath, this.location)
    return this.#index.hasFile(relPath) ? this.#index.openMember(relPath) : undefined
  }

  async close(): Promise<void> {
    // the index holds no open file: each read opens and closes its own
  }
}
