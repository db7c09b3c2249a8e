/**
 * Finds language packages in an image's files: npm `package.json` under `node_modules`,
 * Python `METADATA`/`PKG-INFO`, Java archives (nested ones too), RubyGems gemspecs,
 * Composer `installed.json`, .NET `*.deps.json`, and executables carrying Go build
 * information or cargo-auditable data.
 *
 * @module
 */
import { isElf } from '../../elf/elf-reader.js'
import { langParserFor, parseLangBinary, type LangPackage } from '../../packages/lang/index.js'
import type { EntryRecord } from '../../layers/layer-result.js'
import type { FileAnalyzer, JsonValue } from '../analyzer.js'
import { isSystemProgramPath } from '../image-paths.js'

export const LANG_PACKAGES_ANALYZER_ID = 'lang-packages'

/** The bytes that open Go's build information, in any executable format. */
const GO_BUILDINFO_MAGIC = Buffer.from('\xff Go buildinf:', 'latin1')

/** Executables smaller than this hold no Go or Rust build information worth reading. */
const MIN_BINARY_BYTES = 64 * 1024

function isExecutable(entry: EntryRecord): boolean {
  return (entry.mode & 0o111) !== 0 && entry.size >= MIN_BINARY_BYTES
}

/** The ELF note Go's linker writes near the start of every program: type 4, name `Go\0\0`, either byte order. */
const GO_NOTE_LE = Buffer.from([4, 0, 0, 0, 0x47, 0x6f, 0, 0])
const GO_NOTE_BE = Buffer.from([0, 0, 0, 4, 0x47, 0x6f, 0, 0])

/**
 * Whether an executable is worth reading whole. Outside the system directories, every one
 * is (Go and cargo-auditable programs are installed anywhere). In the system directories,
 * where the distribution's packages put hundreds of C programs and libraries, an ELF file is
 * read only when its first bytes carry Go's build ID note: a Rust program there came from a
 * distribution package, which the OS package database already lists.
 */
export function wantsExecutableHead(head: Buffer, path: string): boolean {
  if (!isElf(head) || !isSystemProgramPath(path)) return true
  return head.includes(GO_NOTE_LE) || head.includes(GO_NOTE_BE) || head.includes(GO_BUILDINFO_MAGIC)
}

export const langPackagesAnalyzer: FileAnalyzer = {
  kind: 'file',
  id: LANG_PACKAGES_ANALYZER_ID,
  version: 2,
  wants: (path, entry) => langParserFor(path) !== undefined || isExecutable(entry),
  wantsHead: (head, path) => langParserFor(path) !== undefined || wantsExecutableHead(head, path),
  analyze({ path, content }) {
    const parser = langParserFor(path)
    let packages: LangPackage[]
    if (parser) packages = parser(path, content)
    else if (isElf(content) || content.includes(GO_BUILDINFO_MAGIC)) packages = parseLangBinary(path, content)
    else return {}
    return packages.length > 0 ? { facts: { packages } as unknown as JsonValue } : {}
  },
}
