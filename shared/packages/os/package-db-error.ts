/**
 * The error every OS package inventory parser throws on input it cannot read, and the
 * limits that bound their work on hostile input.
 *
 * @module
 */
import { ErrorCode, PushscanError } from '../../errors.js'

/** The stable code of {@link PackageDbError}. */
export const PACKAGE_DB_CORRUPT = ErrorCode.PackageDbCorrupt

/**
 * A package database (dpkg status, apk installed, an rpm database or header) that is
 * malformed, truncated, of an unsupported variant, or past a {@link PackageDbLimits} limit.
 * Permanent: reading the same bytes again fails the same way.
 */
export class PackageDbError extends PushscanError {
  override name = 'PackageDbError'

  constructor(message: string, options: { cause?: unknown } = {}) {
    super(PACKAGE_DB_CORRUPT, message, options)
  }
}

/** Bounds on the work any one parser call does. */
export interface PackageDbLimits {
  /** Packages (stanzas, records, headers) in one database. */
  maxPackages: number
  /** Files listed for one package. */
  maxFilesPerPackage: number
  /** Files listed across the whole database. */
  maxFilesTotal: number
}

/** The default limits: far above any real image (a full RHEL install has a few thousand packages). */
export const DEFAULT_PACKAGE_DB_LIMITS: Readonly<PackageDbLimits> = Object.freeze({
  maxPackages: 100_000,
  maxFilesPerPackage: 200_000,
  maxFilesTotal: 2_000_000,
})

/** The defaults overridden by `limits`. */
export function packageDbLimits(limits: Partial<PackageDbLimits> = {}): PackageDbLimits {
  return { ...DEFAULT_PACKAGE_DB_LIMITS, ...limits }
}

/** Counts files across a database and throws once a limit is passed. */
export class FileBudget {
  #total = 0
  readonly #limits: PackageDbLimits

  constructor(limits: PackageDbLimits) {
    this.#limits = limits
  }

  /** Accounts for `count` more files of one package. */
  take(count: number, what: string): void {
    if (count > this.#limits.maxFilesPerPackage) {
      throw new PackageDbError(`${what} lists ${count} files, more than the limit of ${this.#limits.maxFilesPerPackage}`)
    }
    this.#total += count
    if (this.#total > this.#limits.maxFilesTotal) {
      throw new PackageDbError(`the database lists more than ${this.#limits.maxFilesTotal} files`)
    }
  }
}

/** Throws when `count` packages are more than the limit allows. */
export function checkPackageCount(count: number, limits: PackageDbLimits): void {
  if (count > limits.maxPackages) throw new PackageDbError(`the database holds more than ${limits.maxPackages} packages`)
}
