/**
 * The language-ecosystem parsers, and two helpers to pick them: {@link langParserFor} for
 * metadata files recognised by their path, {@link parseLangBinary} for executables (Go build
 * information and cargo-auditable data, read from one ELF parse).
 *
 * @module
 */
import { isElf, readElf, type ElfFile } from '../../elf/elf-reader.js'
import { parseCargoAuditableBinary } from './cargo.js'
import { parseComposerInstalled, wantsComposer } from './composer.js'
import { parseDotnetDeps, wantsDotnetDeps } from './dotnet.js'
import { parseGoBinary } from './go.js'
import { parseJavaArchive, wantsJavaArchive } from './java.js'
import type { LangPackage } from './lang-package.js'
import { parseNpmPackageJson, wantsNpm } from './npm.js'
import { parsePythonMetadata, wantsPython } from './python.js'
import { parseGemspec, wantsGem } from './ruby.js'

export * from './cargo.js'
export * from './composer.js'
export * from './dotnet.js'
export * from './go.js'
export * from './java.js'
export * from './lang-package.js'
export * from './npm.js'
export * from './python.js'
export * from './ruby.js'

/** A parser of one metadata file. */
export type LangFileParser = (path: string, content: Buffer) => LangPackage[]

const BY_PATH: ReadonlyArray<readonly [(path: string) => boolean, LangFileParser]> = [
  [wantsNpm, parseNpmPackageJson],
  [wantsPython, parsePythonMetadata],
  [wantsGem, parseGemspec],
  [wantsComposer, parseComposerInstalled],
  [wantsDotnetDeps, parseDotnetDeps],
  [wantsJavaArchive, (path, content) => parseJavaArchive(path, content)],
]

/** The parser for a metadata file recognised by its path (npm, PyPI, RubyGems, Composer, NuGet, Maven), if any. */
export function langParserFor(path: string): LangFileParser | undefined {
  return BY_PATH.find(([wants]) => wants(path))?.[1]
}

/**
 * The Go modules and cargo-auditable crates of an executable; none for a file that is not
 * ELF, unless it holds Go ≥ 1.18 build information (found by its magic in any format).
 *
 * @throws ElfError for a malformed ELF file (cargo-auditable data needs its sections)
 * @throws PackageMetadataError for unreadable Go build information or cargo-auditable data
 */
export function parseLangBinary(path: string, content: Buffer, elf?: ElfFile): LangPackage[] {
  if (elf === undefined && !isElf(content)) return parseGoBinary(path, content)
  const parsed = elf ?? readElf(content)
  return [...parseGoBinary(path, content, { elf: parsed }), ...parseCargoAuditableBinary(path, content, { elf: parsed })]
}
