/**
 * Go binaries: the build information the Go linker embeds (what `go version -m` prints and
 * `runtime/debug.ReadBuildInfo` returns): the Go version, the main package path, the main
 * module, every dependency module (with `=>` replacements) and the build settings.
 *
 * Where it is: a 32-byte header starting with the magic `\xff Go buildinf:` (14 bytes), then
 * the pointer size (1 byte) and a flags byte, at the start of the ELF section
 * `.go.buildinfo` (16-byte aligned inside it otherwise); in binaries without that section
 * (non-ELF, or stripped section headers) the whole file is searched for the magic. Two
 * layouts are supported, as documented in Go's `debug/buildinfo` package:
 *
 * - Go ≥ 1.18 (flags bit 1, "inline"): the version string and the module information follow
 *   the header at offset 32, each as an unsigned varint (LEB128) length and the bytes. Works
 *   for any container format, since nothing needs address translation.
 * - Go 1.13–1.17 ("pointer"): at offset 16, two pointers (pointer size and byte order from
 *   the header; flags bit 0 = big-endian) to Go string headers `{data pointer, length}` for
 *   the version and the module information. Supported for ELF files only (the virtual
 *   addresses are translated through the `PT_LOAD` segments); elsewhere the binary yields no
 *   packages.
 *
 * The module information is framed by two 16-byte sentinels, removed as `debug/buildinfo`
 * removes them. Its lines are tab-separated: `path <main package>`, `mod <path> <version>
 * [<sum>]`, `dep <path> <version> [<sum>]`, `=> <path> <version> [<sum>]` (replaces the module
 * on the line before), `build <key>=<value>` (key and value Go-quoted when they hold spaces,
 * tabs, quotes or `=`). Unknown lines are ignored.
 *
 * Packages (all `golang`; `name` is the module path, the purl splits it at its last `/`):
 * - the main module, with its version as recorded: `(devel)` for a build from a checkout is
 *   kept as is; binaries built outside module mode (GOPATH; only a `path` line, such as
 *   Docker's CLI) have no main module and report none;
 * - each dependency; a module replacement (`=> example.com/fork v1.2.4`) is reported instead
 *   of the module it replaces; a directory replacement (`=> ./third_party/net (devel)`, or no
 *   version: the path starts with `./`, `../` or `/`) keeps the replaced module's path and
 *   version (the directory normally holds a patched copy of that version: matching it
 *   against advisories errs on the side of reporting; modules only ever required through
 *   a directory carry Go's placeholder `v0.0.0-00010101000000-000000000000`);
 * - the Go standard library as the pseudo-module `stdlib`, versioned with the toolchain
 *   version without its `go` prefix (`go1.22.3` → `1.22.3`; extra words such as
 *   ` X:boringcrypto` dropped; an unrecognised version such as `devel …` kept whole): the Go
 *   vulnerability database (and OSV's Go ecosystem) files standard-library advisories under
 *   the module `stdlib` with versions written that way. Other scanners report a `stdlib`
 *   package too, some keeping the `go` prefix in its version (`pkg:golang/stdlib@go1.22.3`);
 *   the prefix is dropped here so the version compares directly with advisories.
 *
 * @see https://pkg.go.dev/debug/buildinfo
 * @see https://pkg.go.dev/runtime/debug#BuildInfo
 * @see https://go.dev/ref/mod#go-version-m
 * @see https://go.dev/security/vuln/database (the `stdlib` pseudo-module, versions without a `go` prefix)
 * @module
 */
import { ElfError, isElf, readElf, type ElfFile } from '../../elf/elf-reader.js'
import { langPackage, PackageMetadataError, type LangPackage } from './lang-package.js'

/** A module recorded in the build information. */
export interface GoModule {
  path: string
  /** `v1.2.3`, a pseudo-version, or `(devel)`; empty when not recorded. */
  version: string
  /** The go.sum hash (`h1:…`), when recorded. */
  sum?: string
  replace?: { path: string; version: string; sum?: string }
}

/** One `build` line: `-ldflags`, `CGO_ENABLED`, `GOARCH`, `vcs.revision` … */
export interface GoBuildSetting {
  key: string
  value: string
}

/** The build information of a Go binary, as plain data. */
export interface GoBuildInfo {
  /** The toolchain version as recorded (`go1.22.3`). */
  goVersion: string
  /** Which layout held it (see the module documentation). */
  format: 'inline' | 'pointer'
  /** The main package path (`github.com/docker/cli/cmd/docker`). */
  path?: string
  /** The main module; absent for binaries built outside module mode. */
  main?: GoModule
  deps: GoModule[]
  settings: GoBuildSetting[]
}

/** Options of {@link readGoBuildInfo} and {@link parseGoBinary}. */
export interface GoBinaryOptions {
  /** An already parsed ELF view of `content`, to avoid parsing it twice. */
  elf?: ElfFile
}

const MAGIC = Buffer.from('\xff Go buildinf:', 'latin1')
const HEADER_SIZE = 32
const FLAG_BIG_ENDIAN = 1
const FLAG_INLINE = 2
const MAX_STRING = 16 * 1024 * 1024
const MAX_CANDIDATES = 64
const MAX_DEPS = 100_000

class Unreadable extends Error {}

function uvarint(data: Buffer, offset: number): [value: number, next: number] {
  let value = 0
  let scale = 1
  for (let i = 0; i < 10; i++) {
    const byte = data[offset + i]
    if (byte === undefined) throw new Unreadable('truncated varint')
    value += (byte & 0x7f) * scale
    if ((byte & 0x80) === 0) return [value, offset + i + 1]
    scale *= 128
    if (value > MAX_STRING) throw new Unreadable('varint too large')
  }
  throw new Unreadable('varint too long')
}

function varString(data: Buffer, offset: number): [value: Buffer, next: number] {
  const [length, start] = uvarint(data, offset)
  if (length > MAX_STRING || start + length > data.length) throw new Unreadable('string past the end')
  return [data.subarray(start, start + length), start + length]
}

/** Removes the 16-byte sentinels around the module information (as debug/buildinfo does). */
function stripSentinels(mod: Buffer): Buffer {
  return mod.length >= 33 && mod[mod.length - 17] === 0x0a ? mod.subarray(16, mod.length - 16) : Buffer.alloc(0)
}

function decodeHeader(data: Buffer, elf: ElfFile | undefined): Omit<GoBuildInfo, 'path' | 'main' | 'deps' | 'settings'> & { modinfo: string } {
  if (data.length < HEADER_SIZE || !data.subarray(0, MAGIC.length).equals(MAGIC)) throw new Unreadable('no header')
  const pointerSize = data[14]!
  const flags = data[15]!
  let version: Buffer
  let mod: Buffer
  let format: GoBuildInfo['format']
  if ((flags & FLAG_INLINE) !== 0) {
    format = 'inline'
    const [v, next] = varString(data, HEADER_SIZE)
    version = v
    mod = varString(data, next)[0]
  } else {
    format = 'pointer'
    if (elf === undefined) throw new Unreadable('pointer-format build info outside an ELF file')
    if (pointerSize !== 4 && pointerSize !== 8) throw new Unreadable(`pointer size ${pointerSize}`)
    const big = (flags & FLAG_BIG_ENDIAN) !== 0
    const pointer = (buf: Buffer, at: number): number => {
      if (pointerSize === 4) return big ? buf.readUInt32BE(at) : buf.readUInt32LE(at)
      return Number(big ? buf.readBigUInt64BE(at) : buf.readBigUInt64LE(at))
    }
    const goString = (address: number): Buffer => {
      const header = elf.readVirtual(address, 2 * pointerSize)
      if (header === undefined) throw new Unreadable('string header not mapped')
      const length = pointer(header, pointerSize)
      if (length > MAX_STRING) throw new Unreadable('string too long')
      const bytes = elf.readVirtual(pointer(header, 0), length)
      if (bytes === undefined) throw new Unreadable('string not mapped')
      return bytes
    }
    version = goString(pointer(data, 16))
    mod = goString(pointer(data, 16 + pointerSize))
  }
  const goVersion = version.toString('utf8')
  if (goVersion === '' || !/^[\x20-\x7e]+$/.test(goVersion)) throw new Unreadable('no Go version')
  return { goVersion, format, modinfo: stripSentinels(mod).toString('utf8') }
}

/** Unquotes a Go interpreted string literal (`"a\tb"`); undefined when malformed. */
export function unquoteGo(literal: string): string | undefined {
  if (literal.length < 2 || !literal.startsWith('"') || !literal.endsWith('"')) return undefined
  const body = literal.slice(1, -1)
  let out = ''
  const simple: Readonly<Record<string, string>> = { a: '\x07', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v', '\\': '\\', "'": "'", '"': '"' }
  for (let i = 0; i < body.length; i++) {
    const c = body[i]!
    if (c === '"') return undefined
    if (c !== '\\') {
      out += c
      continue
    }
    const e = body[++i]
    if (e === undefined) return undefined
    const mapped = simple[e]
    if (mapped !== undefined) {
      out += mapped
      continue
    }
    const hexLength = e === 'x' ? 2 : e === 'u' ? 4 : e === 'U' ? 8 : 0
    if (hexLength > 0) {
      const hex = body.slice(i + 1, i + 1 + hexLength)
      if (!new RegExp(`^[0-9a-fA-F]{${hexLength}}$`).test(hex)) return undefined
      const code = parseInt(hex, 16)
      if (code > 0x10ffff) return undefined
      out += e === 'x' ? String.fromCharCode(code) : String.fromCodePoint(code)
      i += hexLength
      continue
    }
    const octal = body.slice(i, i + 3)
    if (/^[0-7]{3}$/.test(octal)) {
      out += String.fromCharCode(parseInt(octal, 8) & 0xff)
      i += 2
      continue
    }
    return undefined
  }
  return out
}

/** A Go-quoted string at the start of `text`: [value, rest], or undefined. */
function leadingQuoted(text: string): [string, string] | undefined {
  const match = /^"(?:[^"\\]|\\.)*"/.exec(text)
  if (match === null) return undefined
  const value = unquoteGo(match[0])
  return value === undefined ? undefined : [value, text.slice(match[0].length)]
}

function moduleFields(rest: string): { path: string; version: string; sum?: string } | undefined {
  const [path, version = '', sum = ''] = rest.split('\t')
  if (path === undefined || path === '') return undefined
  return { path, version, ...(sum === '' ? {} : { sum }) }
}

/**
 * Parses the module information text (`path`, `mod`, `dep`, `=>`, `build` lines).
 *
 * @throws PackageMetadataError when it lists more than 100,000 modules
 */
export function parseGoModuleInfo(text: string): Pick<GoBuildInfo, 'path' | 'main' | 'deps' | 'settings'> {
  const info: Pick<GoBuildInfo, 'path' | 'main' | 'deps' | 'settings'> = { deps: [], settings: [] }
  let last: GoModule | undefined
  for (const line of text.split('\n')) {
    const tab = line.indexOf('\t')
    if (tab === -1) continue
    const word = line.slice(0, tab)
    const rest = line.slice(tab + 1)
    if (word === 'path') {
      info.path = rest
      last = undefined
    } else if (word === 'mod' || word === 'dep') {
      const module = moduleFields(rest)
      if (module === undefined) continue
      if (word === 'mod') info.main = module
      else {
        if (info.deps.length >= MAX_DEPS) throw new PackageMetadataError(`Go build info lists more than ${MAX_DEPS} modules`)
        info.deps.push(module)
      }
      last = module
    } else if (word === '=>') {
      const replacement = moduleFields(rest)
      if (replacement !== undefined && last !== undefined) last.replace = replacement
      last = undefined
    } else if (word === 'build') {
      last = undefined
      let key: string
      let after: string
      if (rest.startsWith('"')) {
        const quoted = leadingQuoted(rest)
        if (quoted === undefined || !quoted[1].startsWith('=')) continue
        key = quoted[0]
        after = quoted[1].slice(1)
      } else {
        const equals = rest.indexOf('=')
        if (equals <= 0) continue
        key = rest.slice(0, equals)
        after = rest.slice(equals + 1)
      }
      const value = after.startsWith('"') ? unquoteGo(after) : after
      if (value !== undefined) info.settings.push({ key, value })
    }
  }
  return info
}

/** Start offsets of the magic in `data`, 16-byte aligned ones first, at most `MAX_CANDIDATES`. */
function magicOffsets(data: Buffer): number[] {
  const found: number[] = []
  for (let at = data.indexOf(MAGIC); at !== -1 && found.length < MAX_CANDIDATES; at = data.indexOf(MAGIC, at + 1)) found.push(at)
  return [...found.filter((at) => at % 16 === 0), ...found.filter((at) => at % 16 !== 0)]
}

/**
 * The build information of a Go binary, or undefined when the file holds none (not Go, or
 * built with `-buildinfo=false`, or a pointer-format binary that is not ELF).
 *
 * @throws PackageMetadataError when the `.go.buildinfo` section exists but cannot be decoded
 */
export function readGoBuildInfo(content: Buffer, options: GoBinaryOptions = {}): GoBuildInfo | undefined {
  let elf = options.elf
  if (elf === undefined && isElf(content)) {
    try {
      elf = readElf(content)
    } catch (error) {
      // a damaged ELF file can still hold inline build info: search the bytes
      if (!(error instanceof ElfError)) throw error
    }
  }
  const finish = (header: ReturnType<typeof decodeHeader>): GoBuildInfo => {
    const { modinfo, ...rest } = header
    return { ...rest, ...parseGoModuleInfo(modinfo) }
  }
  const section = elf?.section('.go.buildinfo')
  if (section !== undefined && section.length > 0) {
    const offsets = magicOffsets(section)
    if (offsets.length === 0) throw new PackageMetadataError('the .go.buildinfo section has no build info header')
    try {
      return finish(decodeHeader(section.subarray(offsets[0]), elf))
    } catch (error) {
      if (error instanceof Unreadable) throw new PackageMetadataError(`the .go.buildinfo section cannot be read: ${error.message}`)
      throw error
    }
  }
  // Go has written a .go.buildinfo section into every ELF executable since 1.13: an ELF file
  // with section headers and none of that name is not Go (skip the search of all its bytes)
  if (elf !== undefined && elf.sections.length > 0) return undefined
  for (const offset of magicOffsets(content)) {
    try {
      return finish(decodeHeader(content.subarray(offset), elf))
    } catch (error) {
      if (!(error instanceof Unreadable)) throw error
    }
  }
  return undefined
}

/** The `stdlib` version for a toolchain version: `go1.22.3 X:boringcrypto` → `1.22.3`. */
export function goStdlibVersion(goVersion: string): string {
  const match = /^go(\d+(?:\.\d+)*(?:(?:rc|beta)\d+)?)(?:\s|$)/.exec(goVersion)
  return match?.[1] ?? goVersion
}

function goPackage(path: string, modulePath: string, version: string): LangPackage {
  const slash = modulePath.lastIndexOf('/')
  return langPackage({
    ecosystem: 'golang',
    name: modulePath,
    version,
    path,
    purl: slash > 0 ? { namespace: modulePath.slice(0, slash), name: modulePath.slice(slash + 1) } : { name: modulePath },
  })
}

/** A `replace` target that is a directory (`./x`, `../x`, `/x`, `C:\\x`) rather than a module path. */
function isDirectoryPath(path: string): boolean {
  return path.startsWith('./') || path.startsWith('../') || path === '.' || path === '..' || path.startsWith('/') || /^[A-Za-z]:[\\/]/.test(path) || path.startsWith('.\\') || path.startsWith('..\\')
}

/** The module a dependency resolves to once its replacement is applied (see the module documentation). */
export function effectiveModule(module: GoModule): { path: string; version: string } {
  const replacement = module.replace
  if (replacement !== undefined && replacement.version !== '' && !isDirectoryPath(replacement.path)) {
    return { path: replacement.path, version: replacement.version }
  }
  return { path: module.path, version: module.version }
}

/**
 * The modules of a Go binary: the main module, the dependencies and `stdlib`; none when the
 * file has no build information.
 *
 * @throws PackageMetadataError when the `.go.buildinfo` section exists but cannot be decoded
 */
export function parseGoBinary(path: string, content: Buffer, options: GoBinaryOptions = {}): LangPackage[] {
  const info = readGoBuildInfo(content, options)
  if (info === undefined) return []
  const packages: LangPackage[] = []
  if (info.main !== undefined && info.main.version !== '') {
    const main = effectiveModule(info.main)
    packages.push(goPackage(path, main.path, main.version))
  }
  for (const dep of info.deps) {
    const module = effectiveModule(dep)
    if (module.version !== '') packages.push(goPackage(path, module.path, module.version))
  }
  packages.push(goPackage(path, 'stdlib', goStdlibVersion(info.goVersion)))
  return packages
}
