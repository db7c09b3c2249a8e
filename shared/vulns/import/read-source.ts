/**
 * Reading OSV records from one source:
 *
 * - a directory of `*.json` records, searched recursively (an OSV export unpacked, or a
 *   clone of an advisory database); symbolic links are not followed;
 * - a zip of `*.json` records: OSV's per-ecosystem export
 *   (`https://osv-vulnerabilities.storage.googleapis.com/<Ecosystem>/all.zip`), read with the
 *   bounded zip reader (`shared/zip/zip-reader.ts`);
 * - one `*.json` record;
 * - an http(s) URL of such a zip, fetched through the {@link Downloader} port.
 *
 * Every read is bounded ({@link ImportLimits}); going over a limit is `VULN_SOURCE_TOO_LARGE`.
 * A file that is not a valid OSV record is skipped and counted (`invalid`), so one odd record
 * in a feed of tens of thousands does not block the rest; the first few are named in the
 * result. A corrupt zip fails the whole source (`VULN_SOURCE_INVALID`, the zip error as cause).
 *
 * @module
 */
import { lstat, readdir, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { describeError } from '../../errors.js'
import type { Downloader } from '../../ports/downloader.js'
import { isZip, openZip, ZipError, ZipErrorCode, type ZipReader } from '../../zip/zip-reader.js'
import { parseOsvRecordJson, type OsvRecord } from '../osv.js'
import { VulnSourceError, VulnSourceErrorCode } from './source-error.js'

/** Limits of one source. */
export interface ImportLimits {
  /** Bytes of a zip file or of a download. */
  maxArchiveBytes: number
  /** Records (JSON files) in one source. */
  maxRecords: number
  /** Bytes of one record. */
  maxRecordBytes: number
  /** Bytes of all the records of one source, uncompressed. */
  maxTotalBytes: number
}

const MiB = 1024 * 1024

/**
 * Room for the largest OSV exports (a few hundred MB compressed, tens of thousands of
 * records), nothing for a bomb.
 */
export const DEFAULT_IMPORT_LIMITS: Readonly<ImportLimits> = Object.freeze({
  maxArchiveBytes: 1024 * MiB,
  maxRecords: 1_000_000,
  maxRecordBytes: 16 * MiB,
  maxTotalBytes: 4096 * MiB,
})

/** Files that were skipped, with why; the first {@link MAX_INVALID_NAMED} of them. */
export interface InvalidRecord {
  name: string
  message: string
}

export const MAX_INVALID_NAMED = 10

export interface SourceRecords {
  records: OsvRecord[]
  /** Files that are not valid OSV records. */
  invalid: number
  /** The first few of them. */
  invalidNamed: InvalidRecord[]
}

/** What a source string names. */
export type SourceKind = 'url' | 'path'

/** `url` for `http://` and `https://`; other schemes are refused; anything else is a path. */
export function sourceKind(source: string): SourceKind {
  if (/^https?:\/\//i.test(source)) return 'url'
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(source)) throw new VulnSourceError(VulnSourceErrorCode.Invalid, `${source}: only http and https URLs can be imported`)
  return 'path'
}

class Collector {
  readonly out: SourceRecords = { records: [], invalid: 0, invalidNamed: [] }
  #files = 0
  #bytes = 0

  constructor(
    private readonly source: string,
    private readonly limits: ImportLimits
  ) {}

  /** Counts a file about to be read, against the record and byte limits. */
  admit(name: string, size: number): void {
    if (++this.#files > this.limits.maxRecords) throw tooLarge(`${this.source}: more than ${this.limits.maxRecords} records`)
    if (size > this.limits.maxRecordBytes) throw tooLarge(`${this.source}: ${name} is ${size} bytes, over the ${this.limits.maxRecordBytes}-byte limit of one record`)
    this.#bytes += size
    if (this.#bytes > this.limits.maxTotalBytes) throw tooLarge(`${this.source}: the records are more than ${this.limits.maxTotalBytes} bytes in all`)
  }

  add(name: string, bytes: Buffer): void {
    try {
      const record = parseOsvRecordJson(bytes.toString('utf8'))
      // only matching facts are indexed: drop the prose early, imports hold many records
      delete record.details
      delete record.summary
      record.related = []
      this.out.records.push(record)
    } catch (error) {
      this.out.invalid++
      if (this.out.invalidNamed.length < MAX_INVALID_NAMED) this.out.invalidNamed.push({ name, message: describeError(error).message })
    }
  }
}

function tooLarge(message: string, cause?: unknown): VulnSourceError {
  return new VulnSourceError(VulnSourceErrorCode.TooLarge, message, cause === undefined ? {} : { cause })
}

function isJsonName(name: string): boolean {
  return /\.json$/i.test(name)
}

const MAX_DEPTH = 32

async function readDirectory(root: string, collector: Collector): Promise<void> {
  const walk = async (dir: string, relative: string, depth: number): Promise<void> => {
    if (depth > MAX_DEPTH) throw new VulnSourceError(VulnSourceErrorCode.Invalid, `${root}: directories nested more than ${MAX_DEPTH} deep`)
    const entries = (await readdir(dir, { withFileTypes: true })).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    for (const entry of entries) {
      const path = join(dir, entry.name)
      const name = relative === '' ? entry.name : `${relative}/${entry.name}`
      if (entry.isDirectory()) {
        if (!entry.name.startsWith('.')) await walk(path, name, depth + 1)
        continue
      }
      if (!entry.isFile() || !isJsonName(entry.name)) continue
      collector.admit(name, (await lstat(path)).size)
      collector.add(name, await readFile(path))
    }
  }
  await walk(root, '', 0)
}

function openArchive(source: string, bytes: Buffer, limits: ImportLimits): ZipReader {
  try {
    return openZip(bytes, { limits: { maxEntries: limits.maxRecords, maxEntryBytes: limits.maxRecordBytes, maxTotalBytes: limits.maxTotalBytes } })
  } catch (error) {
    throw zipFailure(source, error)
  }
}

function zipFailure(source: string, error: unknown): unknown {
  if (!(error instanceof ZipError)) return error
  if (error.code === ZipErrorCode.ZipTooLarge) return tooLarge(`${source}: ${error.message}`, error)
  return new VulnSourceError(VulnSourceErrorCode.Invalid, `${source}: ${error.message}`, { cause: error })
}

function readArchive(source: string, bytes: Buffer, collector: Collector, limits: ImportLimits): void {
  const zip = openArchive(source, bytes, limits)
  for (const entry of zip.entries()) {
    if (entry.directory || !isJsonName(entry.name)) continue
    collector.admit(entry.name, entry.uncompressedSize)
    let data: Buffer
    try {
      data = zip.read(entry)
    } catch (error) {
      throw zipFailure(source, error)
    }
    collector.add(entry.name, data)
  }
}

async function readPath(source: string, collector: Collector, limits: ImportLimits): Promise<void> {
  let stats
  try {
    stats = await lstat(source)
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    if (code === 'ENOENT' || code === 'ENOTDIR') throw new VulnSourceError(VulnSourceErrorCode.NotFound, `${source}: no such file or directory`, { cause: error })
    throw new VulnSourceError(VulnSourceErrorCode.Invalid, `${source}: cannot read it: ${(error as Error).message}`, { cause: error })
  }
  if (stats.isDirectory()) return readDirectory(source, collector)
  if (!stats.isFile()) throw new VulnSourceError(VulnSourceErrorCode.Invalid, `${source}: not a directory, a zip or a JSON file`)
  if (stats.size > limits.maxArchiveBytes) throw tooLarge(`${source}: ${stats.size} bytes, over the ${limits.maxArchiveBytes}-byte limit`)
  const bytes = await readFile(source)
  if (isZip(bytes)) return readArchive(source, bytes, collector, limits)
  if (isJsonName(source)) {
    collector.admit(source, bytes.length)
    collector.add(source, bytes)
    return
  }
  throw new VulnSourceError(VulnSourceErrorCode.Invalid, `${source}: not a directory, a zip or a JSON file`)
}

/** Dependencies of {@link readOsvSource}: a downloader is needed only for URLs. */
export interface ReadSourceDeps {
  downloader?: Downloader
}

/**
 * Reads the OSV records of one source (see the module comment). Throws `VULN_SOURCE_*`
 * errors; invalid records are counted, not thrown.
 */
export async function readOsvSource(source: string, deps: ReadSourceDeps, limits: ImportLimits = DEFAULT_IMPORT_LIMITS): Promise<SourceRecords> {
  const collector = new Collector(source, limits)
  if (sourceKind(source) === 'url') {
    if (!deps.downloader) throw new VulnSourceError(VulnSourceErrorCode.Invalid, `${source}: URLs cannot be imported here`)
    const bytes = await deps.downloader.download(source, { maxBytes: limits.maxArchiveBytes })
    if (!isZip(bytes)) throw new VulnSourceError(VulnSourceErrorCode.Invalid, `${source}: the answer is not a zip archive`)
    readArchive(source, bytes, collector, limits)
  } else {
    await readPath(source, collector, limits)
  }
  return collector.out
}
