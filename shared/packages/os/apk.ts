/**
 * Alpine's apk database of installed packages, `/lib/apk/db/installed`.
 *
 * The file is a sequence of records separated by blank lines; each line is one letter, a
 * colon and a value. The fields read here: `P` name, `V` version, `A` architecture, `o`
 * origin (the source package), `L` licence, `T` description, `U` URL, `m` maintainer,
 * `t` build time (Unix seconds), `c` the aports commit, `S` size, `I` installed size,
 * `C` the package checksum, `D` dependencies, `p` provides; and the file list: each `F`
 * line names a directory (relative to `/`), and the `R` lines after it name the files in
 * that directory. Other letters (`M`, `a`, `Z`, `r`, `q`, `i`, `k`, `s`…) are skipped.
 *
 * @see https://wiki.alpinelinux.org/wiki/Apk_spec (the installed database and its fields)
 * @module
 */
import { FileBudget, PackageDbError, type PackageDbLimits, checkPackageCount, packageDbLimits } from './package-db-error.js'

/** One package apk has installed. */
export interface ApkPackage {
  /** `P`. */
  name: string
  /** `V` (`1.36.1-r29`). */
  version: string
  /** `A` (`x86_64`, `aarch64`, `noarch`…). */
  architecture?: string
  /** `o`: the origin (source) package, e.g. `busybox` for `ssl_client`. */
  origin?: string
  /** `L`: the licence expression as written (`GPL-2.0-only AND MIT`). */
  license?: string
  /** `T`. */
  description?: string
  /** `U`. */
  url?: string
  /** `m`. */
  maintainer?: string
  /** `t`: build time, Unix seconds. */
  buildTime?: number
  /** `c`: the aports commit the package was built from. */
  commit?: string
  /** `S`: package size in bytes. */
  size?: number
  /** `I`: installed size in bytes. */
  installedSize?: number
  /** `C`: the package checksum (`Q1` + base64 SHA-1). */
  checksum?: string
  /** `D`, split on spaces. */
  dependencies: string[]
  /** `p`, split on spaces. */
  provides: string[]
  /** Absolute paths of the files the package owns (directories not included). */
  files: string[]
}

function integer(value: string): number | undefined {
  return /^\d{1,15}$/.test(value) ? Number(value) : undefined
}

/**
 * The packages of an apk `installed` database, in file order.
 *
 * @throws PackageDbError on a line that is not `X:value`, a record without `P` or `V`, or
 *   past a {@link PackageDbLimits} limit.
 */
export function parseApkInstalled(text: string, limits: Partial<PackageDbLimits> = {}): ApkPackage[] {
  const resolved = packageDbLimits(limits)
  const budget = new FileBudget(resolved)
  const packages: ApkPackage[] = []
  let record: Partial<ApkPackage> & { files: string[]; dependencies: string[]; provides: string[]; line: number } | undefined
  let directory = ''

  const finish = (): void => {
    if (!record) return
    const where = `record at line ${record.line}`
    if (!record.name) throw new PackageDbError(`${where}: no P (name) field`)
    if (!record.version) throw new PackageDbError(`${where} (${record.name}): no V (version) field`)
    budget.take(record.files.length, `package ${record.name}`)
    const { line: _line, ...fields } = record
    packages.push(fields as ApkPackage)
    record = undefined
  }

  const lines = text.split('\n')
  for (let index = 0; index < lines.length; index++) {
    let line = lines[index]!
    if (line.endsWith('\r')) line = line.slice(0, -1)
    if (line === '') {
      finish()
      continue
    }
    if (line.length < 2 || line[1] !== ':' || !/[A-Za-z]/.test(line[0]!)) {
      throw new PackageDbError(`line ${index + 1}: expected "X:value", found ${JSON.stringify(line.slice(0, 60))}`)
    }
    if (!record) {
      record = { files: [], dependencies: [], provides: [], line: index + 1 }
      directory = ''
      checkPackageCount(packages.length + 1, resolved)
    }
    const value = line.slice(2)
    switch (line[0]) {
      case 'P':
        record.name ??= value
        break
      case 'V':
        record.version ??= value
        break
      case 'A':
        record.architecture = value
        break
      case 'o':
        record.origin = value
        break
      case 'L':
        record.license = value
        break
      case 'T':
        record.description = value
        break
      case 'U':
        record.url = value
        break
      case 'm':
        record.maintainer = value
        break
      case 'c':
        record.commit = value
        break
      case 'C':
        record.checksum = value
        break
      case 't': {
        const time = integer(value)
        if (time !== undefined) record.buildTime = time
        break
      }
      case 'S': {
        const size = integer(value)
        if (size !== undefined) record.size = size
        break
      }
      case 'I': {
        const size = integer(value)
        if (size !== undefined) record.installedSize = size
        break
      }
      case 'D':
        record.dependencies.push(...value.split(' ').filter((item) => item !== ''))
        break
      case 'p':
        record.provides.push(...value.split(' ').filter((item) => item !== ''))
        break
      case 'F':
        directory = value.replace(/^\/+|\/+$/g, '')
        break
      case 'R': {
        if (value === '' || value.includes('/')) throw new PackageDbError(`line ${index + 1}: invalid file name ${JSON.stringify(value.slice(0, 60))}`)
        record.files.push(directory === '' ? `/${value}` : `/${directory}/${value}`)
        // fail as soon as one package passes the limit, not after collecting all its lines
        if (record.files.length > resolved.maxFilesPerPackage) budget.take(record.files.length, `package ${record.name ?? '?'}`)
        break
      }
      default:
        break
    }
  }
  finish()
  return packages
}
