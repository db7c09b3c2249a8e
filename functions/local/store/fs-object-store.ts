/**
 * `FsObjectStore`: the {@link ObjectStore} of a single-machine pushscan, over a directory.
 * The key `reports/sha256/<hex>.json` is the file `<root>/reports/sha256/<hex>.json`.
 *
 * - Writes are atomic: the bytes go to a temp file next to the target
 *   (`.<name>.<random>.tmp`), which is fsynced and renamed over the target, then the
 *   directory is fsynced. Readers see the old object or the new one, never half of one, and
 *   a crash leaves at most a stray temp file (never returned by `get`).
 * - The etag is the SHA-256 of the content (`sha256:<hex>`). A size + mtime tag would be
 *   cheaper but can repeat: file times tick at the kernel's timer granularity and inode
 *   numbers are reused, so two quick writes of the same size could share a tag and a
 *   conditional writer would overwrite a change it never saw. A content hash repeats only
 *   for identical content, where overwriting is harmless.
 * - Conditional writes (`ifMatch`) are serialised per key inside the process (every `put`
 *   of a key, conditional or not, takes the key's lock), so two writers in this process
 *   can never both win. `ifMatch: null` is also atomic across processes (`link` refuses an
 *   existing target); an etag match is checked and applied under the in-process lock only.
 * - `contentType` is accepted for the port's sake and not stored.
 * - `list` walks the directory under the prefix's last `/` and skips temp files; `delete`
 *   takes the key's lock, so it never races a `put` of the same key in this process.
 * - Keys are `/`-separated relative paths. Absolute keys, `..` or `.` segments, empty
 *   segments, backslashes and NUL are refused with a plain `Error` (a programming error,
 *   not an outage). Other failures are `STORE_UNAVAILABLE` (temporary).
 *
 * @module
 */
import { createHash, randomBytes } from 'node:crypto'
import { link, mkdir, open, readdir, rename, unlink } from 'node:fs/promises'
import { basename, dirname, join, relative, resolve, sep } from 'node:path'
import { ErrorCode, PushscanError } from '../../../shared/errors.js'
import type { ObjectStore, PutOptions, StoredObject } from '../../../shared/ports/object-store.js'

/** The temp files `put` writes before renaming (`.<name>.<12 hex>.tmp`). */
const TEMP_FILE = /^\..+\.[0-9a-f]{12}\.tmp$/

function errno(error: unknown): string | undefined {
  return (error as NodeJS.ErrnoException | undefined)?.code
}

function storeError(action: string, key: string, cause: unknown): PushscanError {
  if (cause instanceof PushscanError) return cause
  const detail = cause instanceof Error ? cause.message : String(cause)
  return new PushscanError(ErrorCode.StoreUnavailable, `store: cannot ${action} "${key}": ${detail}`, { cause, temporary: true })
}

/** The etag of some content. */
export function contentEtag(bytes: Uint8Array): string {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`
}

/** Throws a plain Error when `key` is not a safe relative `/`-separated path. */
export function checkObjectKey(key: string): void {
  const refuse = (why: string): never => {
    throw new Error(`invalid object store key ${JSON.stringify(key)}: ${why}`)
  }
  if (typeof key !== 'string' || key === '') refuse('empty')
  if (key.includes('\0')) refuse('contains NUL')
  if (key.includes('\\')) refuse('contains a backslash')
  if (key.startsWith('/')) refuse('absolute')
  for (const segment of key.split('/')) {
    if (segment === '..') refuse('contains a ".." segment')
    if (segment === '.') refuse('contains a "." segment')
    if (segment === '') refuse('contains an empty segment')
  }
}

async function fsyncDir(path: string): Promise<void> {
  const handle = await open(path, 'r')
  try {
    await handle.sync()
  } finally {
    await handle.close()
  }
}

async function readIfExists(path: string): Promise<Buffer | undefined> {
  try {
    const handle = await open(path, 'r')
    try {
      return await handle.readFile()
    } finally {
      await handle.close()
    }
  } catch (error) {
    // ENOTDIR: a parent is a file; EISDIR: the key is a "folder" (a prefix of other keys)
    if (errno(error) === 'ENOENT' || errno(error) === 'ENOTDIR' || errno(error) === 'EISDIR') return undefined
    throw error
  }
}

/** An object store in a directory (created on the first write). */
export class FsObjectStore implements ObjectStore {
  readonly #root: string
  /** The tail of each key's chain of puts: a put waits for the previous one of its key. */
  readonly #locks = new Map<string, Promise<void>>()

  constructor(root: string) {
    this.#root = resolve(root)
  }

  /** The directory the objects are in. */
  get root(): string {
    return this.#root
  }

  async get(key: string): Promise<StoredObject | undefined> {
    const path = this.#path(key)
    try {
      const bytes = await readIfExists(path)
      if (bytes === undefined) return undefined
      // hashed only when asked for: most reads (the layer cache's) never write back
      let etag: string | undefined
      return {
        bytes,
        get etag(): string {
          etag ??= contentEtag(bytes)
          return etag
        },
      }
    } catch (error) {
      throw storeError('read', key, error)
    }
  }

  async put(key: string, bytes: Buffer, options: PutOptions = {}): Promise<boolean> {
    const path = this.#path(key)
    const { ifMatch, durable = true } = options
    return this.#withLock(key, async () => {
      const dir = dirname(path)
      const temp = join(dir, `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`)
      try {
        if (typeof ifMatch === 'string') {
          const current = await readIfExists(path)
          if (current === undefined || contentEtag(current) !== ifMatch) return false
        } else if (ifMatch === null && (await readIfExists(path)) !== undefined) {
          return false
        }
        await mkdir(dir, { recursive: true })
        const handle = await open(temp, 'wx')
        try {
          await handle.writeFile(bytes)
          // a rename without the flush can lose the object in a crash, never tear it
          if (durable) await handle.sync()
        } finally {
          await handle.close()
        }
        if (ifMatch === null) {
          // link fails if the target exists, even if another process created it meanwhile
          try {
            await link(temp, path)
          } catch (error) {
            if (errno(error) === 'EEXIST') return false
            throw error
          }
          await unlink(temp)
        } else {
          await rename(temp, path)
        }
        if (durable) await fsyncDir(dir)
        return true
      } catch (error) {
        throw storeError('write', key, error)
      } finally {
        await unlink(temp).catch(() => undefined) // gone already after a rename
      }
    })
  }

  async *list(prefix: string): AsyncIterable<string> {
    const slash = prefix.lastIndexOf('/')
    const base = slash === -1 ? '' : prefix.slice(0, slash)
    const keys: string[] = []
    try {
      await this.#walk(base === '' ? this.#root : this.#path(base), base, keys)
    } catch (error) {
      throw storeError('list', prefix, error)
    }
    for (const key of keys.filter((k) => k.startsWith(prefix)).sort()) yield key
  }

  async delete(key: string): Promise<void> {
    const path = this.#path(key)
    await this.#withLock(key, async () => {
      try {
        await unlink(path)
        await fsyncDir(dirname(path))
      } catch (error) {
        if (errno(error) === 'ENOENT' || errno(error) === 'ENOTDIR') return
        throw storeError('delete', key, error)
      }
    })
  }

  async #walk(dir: string, keyPrefix: string, into: string[]): Promise<void> {
    let entries
    try {
      entries = await readdir(dir, { withFileTypes: true })
    } catch (error) {
      if (errno(error) === 'ENOENT' || errno(error) === 'ENOTDIR') return
      throw error
    }
    for (const entry of entries) {
      const key = keyPrefix === '' ? entry.name : `${keyPrefix}/${entry.name}`
      if (entry.isDirectory()) await this.#walk(join(dir, entry.name), key, into)
      else if (entry.isFile() && !TEMP_FILE.test(entry.name)) into.push(key)
    }
  }

  #path(key: string): string {
    checkObjectKey(key)
    const path = join(this.#root, ...key.split('/'))
    const inside = relative(this.#root, path)
    if (inside === '' || inside.startsWith(`..${sep}`) || inside === '..') throw new Error(`invalid object store key ${JSON.stringify(key)}: outside the store`)
    return path
  }

  async #withLock<T>(key: string, run: () => Promise<T>): Promise<T> {
    const previous = this.#locks.get(key) ?? Promise.resolve()
    let unlock!: () => void
    const mine = new Promise<void>((resolve) => {
      unlock = resolve
    })
    const tail = previous.then(() => mine)
    this.#locks.set(key, tail)
    await previous
    try {
      return await run()
    } finally {
      unlock()
      if (this.#locks.get(key) === tail) this.#locks.delete(key)
    }
  }
}
