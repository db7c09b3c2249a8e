/**
 * {@link VulnIndexStore} over any {@link ObjectStore}: S3 in AWS (the report bucket), the
 * data directory's `FsObjectStore` on one machine (whose writes go to a temp file renamed
 * over the target). Two kinds of objects:
 *
 * - `vulndb/index/<sha256 hex>.json.gz`: a serialised index (`index-format.ts`), gzipped,
 *   named by the SHA-256 of those bytes. Written first, never changed afterwards.
 * - `vulndb/current.json`: the pointer to the current index, with its import time, counts
 *   and what the last import read. A small object, so checking whether the index changed
 *   costs one small read.
 *
 * A save writes the new index object, then swaps the pointer with a conditional write (the
 * pointer must still be the one the import started from), then deletes the index objects
 * other than the new and the previous one: a reader that read the previous pointer a moment
 * ago still finds its index. A reader checks the SHA-256 of what it loads against the pointer.
 * An import that fails before the swap leaves the pointer, so the old index stays in use.
 *
 * @module
 */
import { createHash } from 'node:crypto'
import { gunzipSync, gzipSync } from 'node:zlib'
import type { Logger } from '../ports/logger.js'
import { silentLogger } from '../ports/logger.js'
import type { ObjectStore } from '../ports/object-store.js'
import type { SourceImport, VulnIndexHead, VulnIndexStore } from '../ports/vuln-index-store.js'
import { VulnDataError, VulnErrorCode } from './errors.js'
import { parseIndex, serialiseIndex, type VulnIndex } from './index-format.js'

/** The pointer object's key. */
export const VULN_INDEX_POINTER_KEY = 'vulndb/current.json'
/** Where index objects live. */
export const VULN_INDEX_PREFIX = 'vulndb/index/'

const POINTER_FORMAT = 'pushscan.vuln-index-pointer'
const POINTER_FORMAT_VERSION = 1
/** Node.js cannot hold a longer string (V8's limit is about 2^29 characters). */
export const MAX_INDEX_TEXT_BYTES = 512 * 1024 * 1024 - 64
const LOAD_ATTEMPTS = 3

interface Pointer {
  format: typeof POINTER_FORMAT
  formatVersion: typeof POINTER_FORMAT_VERSION
  key: string
  sha256: string
  bytes: number
  importedAt: string
  records: number
  sources: Record<string, number>
  lastImport: SourceImport[]
}

function invalid(message: string, cause?: unknown): VulnDataError {
  return new VulnDataError(VulnErrorCode.IndexInvalid, `invalid vulnerability index pointer ${VULN_INDEX_POINTER_KEY}: ${message}`, cause === undefined ? {} : { cause })
}

function count(value: unknown, what: string): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) throw invalid(`${what} is not a count`)
  return value
}

function parsePointer(bytes: Buffer): Pointer {
  let value: unknown
  try {
    value = JSON.parse(bytes.toString('utf8'))
  } catch (error) {
    throw invalid('not JSON', error)
  }
  const p = value as Record<string, unknown>
  if (typeof p !== 'object' || p === null || p.format !== POINTER_FORMAT) throw invalid(`not a ${POINTER_FORMAT} document`)
  if (p.formatVersion !== POINTER_FORMAT_VERSION) throw invalid(`unsupported formatVersion ${JSON.stringify(p.formatVersion)}`)
  if (typeof p.key !== 'string' || !p.key.startsWith(VULN_INDEX_PREFIX)) throw invalid('key is not an index object')
  if (typeof p.sha256 !== 'string' || !/^[0-9a-f]{64}$/.test(p.sha256)) throw invalid('sha256 is not a SHA-256')
  if (typeof p.importedAt !== 'string' || Number.isNaN(Date.parse(p.importedAt))) throw invalid('importedAt is not a time')
  const sources: Record<string, number> = {}
  if (typeof p.sources !== 'object' || p.sources === null || Array.isArray(p.sources)) throw invalid('sources is not an object')
  for (const [name, n] of Object.entries(p.sources)) sources[name] = count(n, `sources.${name}`)
  if (!Array.isArray(p.lastImport)) throw invalid('lastImport is not an array')
  const lastImport = p.lastImport.map((entry: unknown, i): SourceImport => {
    const e = entry as Record<string, unknown>
    if (typeof e !== 'object' || e === null || typeof e.source !== 'string') throw invalid(`lastImport[${i}] has no source`)
    return {
      source: e.source,
      records: count(e.records, `lastImport[${i}].records`),
      added: count(e.added, `lastImport[${i}].added`),
      updated: count(e.updated, `lastImport[${i}].updated`),
      unchanged: count(e.unchanged, `lastImport[${i}].unchanged`),
      invalid: count(e.invalid, `lastImport[${i}].invalid`),
    }
  })
  return {
    format: POINTER_FORMAT,
    formatVersion: POINTER_FORMAT_VERSION,
    key: p.key,
    sha256: p.sha256,
    bytes: count(p.bytes, 'bytes'),
    importedAt: p.importedAt,
    records: count(p.records, 'records'),
    sources,
    lastImport,
  }
}

interface StoredPointer {
  pointer: Pointer
  etag?: string
}

function headOf(pointer: Pointer): VulnIndexHead {
  return { version: pointer.sha256, importedAt: pointer.importedAt, records: pointer.records, sources: { ...pointer.sources }, lastImport: pointer.lastImport.map((s) => ({ ...s })) }
}

/** The vulnerability index in an object store (see the module comment for the layout). */
export class ObjectVulnIndexStore implements VulnIndexStore {
  readonly #objects: ObjectStore
  readonly #logger: Logger

  constructor(objects: ObjectStore, logger: Logger = silentLogger) {
    this.#objects = objects
    this.#logger = logger
  }

  async head(): Promise<VulnIndexHead | undefined> {
    const pointer = await this.#pointer()
    return pointer ? headOf(pointer.pointer) : undefined
  }

  async load(): Promise<{ head: VulnIndexHead; index: VulnIndex } | undefined> {
    for (let attempt = 1; ; attempt++) {
      const found = await this.#pointer()
      if (!found) return undefined
      const { pointer } = found
      const object = await this.#objects.get(pointer.key)
      if (!object) {
        // replaced twice since the pointer was read: read the pointer again
        if (attempt < LOAD_ATTEMPTS) continue
        throw new VulnDataError(VulnErrorCode.IndexInvalid, `the vulnerability index ${pointer.key} that ${VULN_INDEX_POINTER_KEY} names is missing`)
      }
      const sha256 = createHash('sha256').update(object.bytes).digest('hex')
      if (sha256 !== pointer.sha256) throw new VulnDataError(VulnErrorCode.IndexInvalid, `the vulnerability index ${pointer.key} does not match its SHA-256 (${sha256})`)
      let text: string
      try {
        text = gunzipSync(object.bytes, { maxOutputLength: MAX_INDEX_TEXT_BYTES }).toString('utf8')
      } catch (error) {
        throw new VulnDataError(VulnErrorCode.IndexInvalid, `the vulnerability index ${pointer.key} does not decompress: ${(error as Error).message}`, { cause: error })
      }
      return { head: headOf(pointer), index: parseIndex(text) }
    }
  }

  async save(index: VulnIndex, lastImport: SourceImport[], options: { ifVersion?: string | null }): Promise<VulnIndexHead | undefined> {
    const text = Buffer.from(serialiseIndex(index), 'utf8')
    if (text.length > MAX_INDEX_TEXT_BYTES) {
      throw new VulnDataError(VulnErrorCode.IndexInvalid, `the vulnerability index would be ${text.length} bytes, over the ${MAX_INDEX_TEXT_BYTES}-byte limit: import fewer ecosystems`)
    }
    const gz = gzipSync(text, { level: 6 })
    const sha256 = createHash('sha256').update(gz).digest('hex')
    const key = `${VULN_INDEX_PREFIX}${sha256}.json.gz`
    await this.#objects.put(key, gz, { contentType: 'application/gzip' })

    const unconditional = options.ifVersion === undefined
    let current: StoredPointer | undefined
    try {
      current = await this.#pointer()
    } catch (error) {
      // an unreadable pointer can only be replaced unconditionally
      if (!unconditional) throw error
      current = undefined
    }
    if (!unconditional && (current?.pointer.sha256 ?? null) !== options.ifVersion) return undefined
    const pointer: Pointer = {
      format: POINTER_FORMAT,
      formatVersion: POINTER_FORMAT_VERSION,
      key,
      sha256,
      bytes: gz.length,
      importedAt: index.importedAt,
      records: Object.keys(index.records).length,
      sources: Object.fromEntries(Object.entries(index.sources).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))),
      lastImport: lastImport.map((s) => ({ ...s })),
    }
    const swapped = await this.#objects.put(VULN_INDEX_POINTER_KEY, Buffer.from(`${JSON.stringify(pointer, null, 2)}\n`), {
      contentType: 'application/json',
      ...(unconditional ? {} : { ifMatch: current ? (current.etag ?? undefined) : null }),
    })
    if (!swapped) return undefined
    await this.#prune(new Set([key, ...(current ? [current.pointer.key] : [])]))
    return headOf(pointer)
  }

  async #pointer(): Promise<StoredPointer | undefined> {
    const found = await this.#objects.get(VULN_INDEX_POINTER_KEY)
    if (!found) return undefined
    return { pointer: parsePointer(found.bytes), ...(found.etag !== undefined ? { etag: found.etag } : {}) }
  }

  /** Deletes index objects other than `keep`; a failure only leaves garbage, so it is logged. */
  async #prune(keep: Set<string>): Promise<void> {
    try {
      const stale: string[] = []
      for await (const key of this.#objects.list(VULN_INDEX_PREFIX)) if (!keep.has(key)) stale.push(key)
      for (const key of stale) await this.#objects.delete(key)
    } catch (error) {
      this.#logger.warn('could not delete earlier vulnerability indexes', { error: (error as Error).message })
    }
  }
}
