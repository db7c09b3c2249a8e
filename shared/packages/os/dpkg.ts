/**
 * dpkg's package database: `/var/lib/dpkg/status`, the one-stanza files of distroless
 * images' `/var/lib/dpkg/status.d/`, the `/var/lib/dpkg/info/<package>[:<arch>].list` file
 * lists, and the licence names of DEP-5 `/usr/share/doc/<package>/copyright` files.
 *
 * The status file is a sequence of deb822 stanzas: `Field: value` lines, continuation lines
 * starting with a space or a tab (a continuation line of just ` .` is an empty line),
 * stanzas separated by blank lines, field names case-insensitive.
 *
 * Which stanzas count as installed: the third word of `Status:` (want, error flag, state).
 * Packages whose files are on disk are reported: `installed`, `triggers-awaited`,
 * `triggers-pending`, `half-configured`, `unpacked` and `half-installed` (a scanner had rather
 * report files a broken install left behind than miss them); `not-installed` and
 * `config-files` (removed, only conffiles left) are not. A stanza without `Status:` (as
 * distroless writes status.d files) is taken as installed.
 *
 * @see https://www.debian.org/doc/debian-policy/ch-controlfields.html (deb822 syntax, fields)
 * @see https://man7.org/linux/man-pages/man1/dpkg-query.1.html (package states, `${source:Package}`)
 * @see https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/ (DEP-5)
 * @module
 */
import { PackageDbError, type PackageDbLimits, checkPackageCount, packageDbLimits } from './package-db-error.js'

/** One package dpkg has (at least partly) installed. */
export interface DpkgPackage {
  /** `Package`: the binary package name, without an architecture qualifier. */
  name: string
  /** `Version`, epoch included (`1:2.3-4`). */
  version: string
  /** `Architecture` (`amd64`, `all`…). */
  architecture?: string
  /** The source package: the name in `Source`, else the binary package's name. */
  source: string
  /** The source version: in parentheses after the name in `Source`, else `version`. */
  sourceVersion: string
  /** `Maintainer`. */
  maintainer?: string
  /** `Installed-Size`, in KiB. */
  installedSize?: number
  /** `Multi-Arch` (`same`, `foreign`, `allowed`, `no`). */
  multiArch?: string
  /** `Status` as written (`install ok installed`); absent in distroless status.d files. */
  status?: string
  /** The first line of `Description` (the synopsis). */
  description?: string
  /** `Homepage`. */
  homepage?: string
}

/** Package states (third word of `Status`) whose files are on disk. */
const PRESENT_STATES = new Set(['installed', 'triggers-awaited', 'triggers-pending', 'half-configured', 'unpacked', 'half-installed'])
const ALL_STATES = new Set([...PRESENT_STATES, 'not-installed', 'config-files'])

interface Stanza {
  /** Lower-cased field name → value (continuation lines joined with `\n`). */
  fields: Map<string, string>
  line: number
}

/**
 * Splits deb822 text into stanzas. Throws {@link PackageDbError} on a line that is neither a
 * field, a continuation, a comment nor blank. Work is linear in the text.
 */
function parseStanzas(text: string, maxStanzas: number): Stanza[] {
  const stanzas: Stanza[] = []
  let current: Stanza | undefined
  let lastKey: string | undefined
  let duplicate = false
  const lines = text.split('\n')
  for (let index = 0; index < lines.length; index++) {
    let line = lines[index]!
    if (line.endsWith('\r')) line = line.slice(0, -1)
    if (/^[ \t]*$/.test(line)) {
      current = undefined
      lastKey = undefined
      continue
    }
    if (line.startsWith('#')) continue
    if (line.startsWith(' ') || line.startsWith('\t')) {
      if (!current || lastKey === undefined) throw new PackageDbError(`line ${index + 1}: continuation line outside a field`)
      if (duplicate) continue
      const rest = line.slice(1)
      const previous = current.fields.get(lastKey) ?? ''
      current.fields.set(lastKey, `${previous}\n${rest.trim() === '.' ? '' : rest}`)
      continue
    }
    const match = /^([!-9;-~][!-9;-~]*):(.*)$/.exec(line)
    if (!match) throw new PackageDbError(`line ${index + 1}: expected "Field: value", found ${JSON.stringify(line.slice(0, 60))}`)
    if (!current) {
      current = { fields: new Map(), line: index + 1 }
      stanzas.push(current)
      if (stanzas.length > maxStanzas) throw new PackageDbError(`more than ${maxStanzas} stanzas`)
    }
    const key = match[1]!.toLowerCase()
    // dpkg refuses duplicate fields; a scanner keeps the first and goes on
    lastKey = key
    duplicate = current.fields.has(key)
    if (!duplicate) current.fields.set(key, match[2]!.trim())
  }
  return stanzas
}

function stanzaToPackage(stanza: Stanza): DpkgPackage | undefined {
  const field = (name: string): string | undefined => {
    const value = stanza.fields.get(name)
    return value === undefined || value === '' ? undefined : value
  }
  const where = `stanza at line ${stanza.line}`
  const name = field('package')
  if (name === undefined || /\s/.test(name)) throw new PackageDbError(`${where}: no valid Package field`)
  const status = field('status')
  if (status !== undefined) {
    const words = status.split(/\s+/)
    const state = words[2]
    if (words.length !== 3 || state === undefined || !ALL_STATES.has(state)) {
      throw new PackageDbError(`${where} (${name}): invalid Status ${JSON.stringify(status.slice(0, 60))}`)
    }
    if (!PRESENT_STATES.has(state)) return undefined
  }
  const version = field('version')
  if (version === undefined || /\s/.test(version)) throw new PackageDbError(`${where} (${name}): installed package without a valid Version`)
  const pkg: DpkgPackage = { name, version, source: name, sourceVersion: version }
  const architecture = field('architecture')
  if (architecture !== undefined) pkg.architecture = architecture
  const source = field('source')
  if (source !== undefined) {
    const sourceMatch = /^(\S+)(?:\s*\(\s*([^()\s]+)\s*\))?$/.exec(source)
    if (sourceMatch) {
      pkg.source = sourceMatch[1]!
      if (sourceMatch[2] !== undefined) pkg.sourceVersion = sourceMatch[2]
    }
  }
  const maintainer = field('maintainer')
  if (maintainer !== undefined) pkg.maintainer = maintainer
  const installedSize = field('installed-size')
  if (installedSize !== undefined && /^\d{1,15}$/.test(installedSize)) pkg.installedSize = Number(installedSize)
  const multiArch = field('multi-arch')
  if (multiArch !== undefined) pkg.multiArch = multiArch
  if (status !== undefined) pkg.status = status.split(/\s+/).join(' ')
  const description = field('description')
  if (description !== undefined) {
    const synopsis = description.split('\n')[0]!.trim()
    if (synopsis) pkg.description = synopsis
  }
  const homepage = field('homepage')
  if (homepage !== undefined) pkg.homepage = homepage
  return pkg
}

/**
 * The packages of a dpkg status file (`/var/lib/dpkg/status`) or of one distroless
 * `/var/lib/dpkg/status.d/<name>` file (not the `*.md5sums` files beside them), in file
 * order. A package installed for several architectures (`libc6:amd64`, `libc6:i386`) appears
 * once per architecture. Only packages whose files are on disk are returned (see the module
 * documentation).
 *
 * @throws PackageDbError on malformed text, a stanza without `Package`, an invalid `Status`,
 *   a present package without `Version`, or more stanzas than `limits.maxPackages`.
 */
export function parseDpkgStatus(text: string, limits: Partial<PackageDbLimits> = {}): DpkgPackage[] {
  const resolved = packageDbLimits(limits)
  const packages: DpkgPackage[] = []
  for (const stanza of parseStanzas(text, resolved.maxPackages)) {
    const pkg = stanzaToPackage(stanza)
    if (pkg) packages.push(pkg)
  }
  checkPackageCount(packages.length, resolved)
  return packages
}

/**
 * The base name dpkg gives the package's files in `/var/lib/dpkg/info/`: `libc6:amd64` for a
 * `Multi-Arch: same` package, else the bare name (`bash` → `bash.list`, `bash.md5sums`).
 */
export function dpkgInfoName(pkg: Pick<DpkgPackage, 'name' | 'architecture' | 'multiArch'>): string {
  return pkg.multiArch === 'same' && pkg.architecture ? `${pkg.name}:${pkg.architecture}` : pkg.name
}

/**
 * The paths of a `/var/lib/dpkg/info/<package>[:<arch>].list` file: absolute, one a line,
 * directories included, the `/.` line for the root directory dropped.
 *
 * @throws PackageDbError on a line that is not an absolute path, or past `limits.maxFilesPerPackage`.
 */
export function parseDpkgFileList(text: string, limits: Partial<PackageDbLimits> = {}): string[] {
  const resolved = packageDbLimits(limits)
  const paths: string[] = []
  const lines = text.split('\n')
  for (let index = 0; index < lines.length; index++) {
    let line = lines[index]!
    if (line.endsWith('\r')) line = line.slice(0, -1)
    if (line === '' || line === '/.') continue
    if (!line.startsWith('/')) throw new PackageDbError(`line ${index + 1}: not an absolute path: ${JSON.stringify(line.slice(0, 60))}`)
    paths.push(line)
    if (paths.length > resolved.maxFilesPerPackage) {
      throw new PackageDbError(`the file list has more than ${resolved.maxFilesPerPackage} paths`)
    }
  }
  return paths
}

const MAX_LICENSES = 1_000

/**
 * The short licence names of a machine-readable (DEP-5) copyright file: the first line of
 * every `License:` field, split on the `or`/`and` operators and commas of its licence
 * expression (`GPL-2+ or Artistic` → `GPL-2+`, `Artistic`; `GPL-3+ with Bison-2.2 exception`
 * stays whole), in order of first appearance, without duplicates. A copyright file that is
 * not DEP-5 (no `Format:` field in its first stanza) gives `[]`: free-form text is not
 * guessed at. Never throws: it reads hand-written text leniently.
 */
export function dpkgLicenses(copyrightText: string): string[] {
  const lines = copyrightText.split('\n').map((line) => (line.endsWith('\r') ? line.slice(0, -1) : line))
  let machineReadable = false
  for (const line of lines) {
    if (/^[ \t]*$/.test(line)) break
    if (/^format(?:-specification)?:\s*\S/i.test(line)) machineReadable = true
  }
  if (!machineReadable) return []
  const names: string[] = []
  const seen = new Set<string>()
  for (const line of lines) {
    const match = /^license:(.*)$/i.exec(line)
    if (!match) continue
    for (const part of match[1]!.trim().split(/\s+(?:or|and)\s+|\s*,\s*/i)) {
      const name = part.trim().replace(/\s+/g, ' ')
      if (!name || name.length > 200 || seen.has(name)) continue
      seen.add(name)
      names.push(name)
      if (names.length >= MAX_LICENSES) return names
    }
  }
  return names
}
