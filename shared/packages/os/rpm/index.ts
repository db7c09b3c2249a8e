/**
 * rpm databases: picks the reader for an rpm database file (SQLite, Berkeley DB hash or ndb)
 * and turns its header blobs into packages.
 *
 * @module
 */
import { FileBudget, PackageDbError, type PackageDbLimits, packageDbLimits } from '../package-db-error.js'
import { bdbHeaderBlobs, isBdbHash } from './bdb.js'
import { type RpmPackage, packageFromHeader } from './header.js'
import { isNdb, ndbHeaderBlobs } from './ndb.js'
import { sqliteHeaderBlobs } from './sqlite.js'

export type { RpmPackage } from './header.js'

/** Where images keep an rpm database (absolute paths in the image), newest layouts first. */
export const RPM_DATABASE_PATHS: readonly string[] = [
  '/usr/lib/sysimage/rpm/rpmdb.sqlite',
  '/var/lib/rpm/rpmdb.sqlite',
  '/usr/lib/sysimage/rpm/Packages.db',
  '/var/lib/rpm/Packages.db',
  '/usr/lib/sysimage/rpm/Packages',
  '/var/lib/rpm/Packages',
]

/** The formats of rpm databases. */
export type RpmDatabaseFormat = 'sqlite' | 'ndb' | 'bdb'

const SQLITE_MAGIC = 'SQLite format 3\0'

/**
 * The format of an rpm database, from its first bytes (the file name only breaks no tie:
 * the magic numbers are distinct), or undefined when none matches.
 */
export function rpmDatabaseFormat(bytes: Uint8Array): RpmDatabaseFormat | undefined {
  if (bytes.length >= 16 && new TextDecoder('latin1').decode(bytes.subarray(0, 16)) === SQLITE_MAGIC) return 'sqlite'
  if (isNdb(bytes)) return 'ndb'
  if (isBdbHash(bytes)) return 'bdb'
  return undefined
}

/**
 * The packages of the rpm database `bytes` read from `path` (`rpmdb.sqlite`, `Packages.db`
 * or `Packages`; the path names the file in errors and breaks no ties: the format is told
 * by magic number). Packages come in the database's order (header number); `gpg-pubkey`
 * pseudo-packages (imported signing keys) are included as rpm lists them.
 *
 * @throws PackageDbError when the file is of no known format, is corrupt, or is past a limit.
 */
export function readRpmDatabase(path: string, bytes: Uint8Array, limits: Partial<PackageDbLimits> = {}): RpmPackage[] {
  const resolved = packageDbLimits(limits)
  const format = rpmDatabaseFormat(bytes)
  let blobs: Uint8Array[]
  try {
    switch (format) {
      case 'sqlite':
        blobs = sqliteHeaderBlobs(bytes, resolved)
        break
      case 'ndb':
        blobs = ndbHeaderBlobs(bytes, resolved)
        break
      case 'bdb':
        blobs = bdbHeaderBlobs(bytes, resolved)
        break
      default:
        throw new PackageDbError(`${path}: not an rpm database (no SQLite, ndb or Berkeley DB magic)`)
    }
    const budget = new FileBudget(resolved)
    return blobs.map((blob, index) => {
      try {
        return packageFromHeader(blob, budget)
      } catch (error) {
        if (error instanceof PackageDbError) throw new PackageDbError(`header ${index + 1}: ${error.message}`, { cause: error })
        throw error
      }
    })
  } catch (error) {
    if (error instanceof PackageDbError && !error.message.startsWith(path)) {
      throw new PackageDbError(`${path}: ${error.message}`, { cause: error })
    }
    throw error
  }
}
